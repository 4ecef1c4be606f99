//! IANA time zones, with a suggestion for near misses.

use chrono_tz::{TZ_VARIANTS, Tz};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
#[error("{}", match suggestion {
    Some(s) => format!("`{input}` is not a time zone I know; did you mean `{s}`?"),
    None => format!("`{input}` is not a time zone I know; use an IANA name like `Europe/Berlin` or `America/Denver`"),
})]
pub struct TimeZoneError {
    pub input: String,
    pub suggestion: Option<&'static str>,
}

/// Parses an IANA zone name; case does not matter ("europe/berlin" is fine).
pub fn parse_timezone(input: &str) -> Result<Tz, TimeZoneError> {
    let trimmed = input.trim();
    if let Ok(tz) = trimmed.parse::<Tz>() {
        return Ok(tz);
    }
    if let Some(tz) = TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(trimmed))
    {
        return Ok(*tz);
    }
    Err(TimeZoneError {
        input: super::text::preview(trimmed),
        suggestion: super::suggest(trimmed, TZ_VARIANTS.iter().map(|tz| tz.name())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_miss_gets_a_suggestion() {
        let err = parse_timezone("Europe/Berln").unwrap_err();
        assert_eq!(err.suggestion, Some("Europe/Berlin"));
        assert_eq!(
            err.to_string(),
            "`Europe/Berln` is not a time zone I know; did you mean `Europe/Berlin`?"
        );
    }

    #[test]
    fn case_insensitive_match_is_accepted() {
        assert_eq!(
            parse_timezone("america/denver").unwrap(),
            chrono_tz::America::Denver
        );
    }

    #[test]
    fn nonsense_gets_an_example() {
        let err = parse_timezone("qqqqqqqqqqqqqqqqqqqqqqqqqqq").unwrap_err();
        assert!(err.to_string().contains("Europe/Berlin"));
    }
}
