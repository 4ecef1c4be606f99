//! IANA time zones, with a suggestion for near misses.

use chrono_tz::{TZ_VARIANTS, Tz};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TimeZoneError {
    #[error("{}", match suggestion {
        Some(s) => format!("`{input}` is not a time zone I know; did you mean `{s}`?"),
        None => format!("`{input}` is not a time zone I know; use an IANA name like `Europe/Berlin` or `America/Denver`"),
    })]
    Unknown {
        input: String,
        suggestion: Option<&'static str>,
    },
    /// Typed as a member's or cohort's zone: an abbreviation, which names an offset rather
    /// than a place.
    #[error(
        "`{input}` is an abbreviation, not a place, so prompts would not follow your daylight saving time; use your city's zone, like `{instead}`"
    )]
    Abbreviation {
        input: String,
        instead: &'static str,
    },
    /// Typed as a member's or cohort's zone: a fixed offset from UTC.
    #[error(
        "`{input}` is a fixed offset, so prompts would not follow your daylight saving time; use your city's zone, like `Europe/Berlin` or `America/Denver`"
    )]
    Offset { input: String },
}

/// Abbreviations people type for their zone, and a zone to use instead. tzdata knows some
/// of them (`EST` stays at -05:00 all year, so New York's summer prompts would come an hour
/// late), and not others (`PST`), which would otherwise get a far-off suggestion.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("EST", "America/New_York"),
    ("EDT", "America/New_York"),
    ("EST5EDT", "America/New_York"),
    ("CST", "America/Chicago"),
    ("CDT", "America/Chicago"),
    ("CST6CDT", "America/Chicago"),
    ("MST", "America/Denver"),
    ("MDT", "America/Denver"),
    ("MST7MDT", "America/Denver"),
    ("PST", "America/Los_Angeles"),
    ("PDT", "America/Los_Angeles"),
    ("PST8PDT", "America/Los_Angeles"),
    ("AKST", "America/Anchorage"),
    ("AKDT", "America/Anchorage"),
    ("HST", "Pacific/Honolulu"),
    ("BST", "Europe/London"),
    ("WET", "Europe/Lisbon"),
    ("WEST", "Europe/Lisbon"),
    ("CET", "Europe/Berlin"),
    ("CEST", "Europe/Berlin"),
    ("MET", "Europe/Berlin"),
    ("EET", "Europe/Athens"),
    ("EEST", "Europe/Athens"),
    ("IST", "Asia/Kolkata"),
    ("JST", "Asia/Tokyo"),
    ("KST", "Asia/Seoul"),
    ("AEST", "Australia/Sydney"),
    ("AEDT", "Australia/Sydney"),
    ("NZST", "Pacific/Auckland"),
    ("NZDT", "Pacific/Auckland"),
];

/// Parses an IANA zone name; case does not matter ("europe/berlin" is fine). Lenient, for
/// zones already stored or sent by a platform; what a person types goes through
/// [`parse_typed_timezone`].
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
    Err(TimeZoneError::Unknown {
        input: super::text::preview(trimmed),
        suggestion: city_zone(trimmed)
            .or_else(|| super::suggest(trimmed, TZ_VARIANTS.iter().map(|tz| tz.name()))),
    })
}

/// A zone a person typed for themselves or a cohort: as [`parse_timezone`], but an
/// abbreviation (`EST`) or a fixed offset (`UTC+2`) is refused with a zone to use instead,
/// because prompts must follow the place's daylight saving time. `UTC` itself is a choice.
pub fn parse_typed_timezone(input: &str) -> Result<Tz, TimeZoneError> {
    let trimmed = input.trim();
    if let Some((_, instead)) = ABBREVIATIONS
        .iter()
        .find(|(abbreviation, _)| abbreviation.eq_ignore_ascii_case(trimmed))
    {
        return Err(TimeZoneError::Abbreviation {
            input: super::text::preview(trimmed),
            instead,
        });
    }
    if is_offset(trimmed) {
        return Err(TimeZoneError::Offset {
            input: super::text::preview(trimmed),
        });
    }
    parse_timezone(trimmed)
}

/// `+2`, `-05:00`, `UTC+2`, `GMT-5:30`: an offset, with or without its UTC or GMT.
fn is_offset(typed: &str) -> bool {
    let upper = typed.to_ascii_uppercase();
    let rest = upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
        .unwrap_or(&upper)
        .trim_start();
    let Some(number) = rest.strip_prefix(['+', '-', '−']) else {
        return false;
    };
    let number = number.trim();
    !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == ':')
}

/// The zone named after a city typed alone (`berlin`, `new york`), by the last part of
/// its name.
fn city_zone(typed: &str) -> Option<&'static str> {
    if typed.contains('/') || typed.is_empty() {
        return None;
    }
    let wanted = typed.replace(' ', "_");
    TZ_VARIANTS.iter().map(|tz| tz.name()).find(|name| {
        name.rsplit('/')
            .next()
            .is_some_and(|city| city.eq_ignore_ascii_case(&wanted))
            && name.contains('/')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_miss_gets_a_suggestion() {
        let err = parse_timezone("Europe/Berln").unwrap_err();
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

    #[test]
    fn a_city_alone_suggests_its_zone() {
        assert_eq!(
            parse_typed_timezone("berlin").unwrap_err().to_string(),
            "`berlin` is not a time zone I know; did you mean `Europe/Berlin`?"
        );
        assert_eq!(
            parse_typed_timezone("new york").unwrap_err().to_string(),
            "`new york` is not a time zone I know; did you mean `America/New_York`?"
        );
    }

    #[test]
    fn abbreviations_and_offsets_are_refused_with_a_place_instead() {
        // tzdata knows `EST`, at -05:00 all year: New York's summer would be an hour off.
        assert_eq!(parse_timezone("EST").unwrap(), chrono_tz::EST);
        assert_eq!(
            parse_typed_timezone("est").unwrap_err().to_string(),
            "`est` is an abbreviation, not a place, so prompts would not follow your daylight saving time; use your city's zone, like `America/New_York`"
        );
        assert_eq!(
            parse_typed_timezone("PST").unwrap_err(),
            TimeZoneError::Abbreviation {
                input: "PST".into(),
                instead: "America/Los_Angeles"
            }
        );
        for offset in ["UTC+2", "utc +2", "GMT-5:30", "+02:00", "-5", "UTC−3"] {
            assert_eq!(
                parse_typed_timezone(offset).unwrap_err(),
                TimeZoneError::Offset {
                    input: offset.into()
                },
                "{offset}"
            );
        }
        assert_eq!(
            parse_typed_timezone("UTC+2").unwrap_err().to_string(),
            "`UTC+2` is a fixed offset, so prompts would not follow your daylight saving time; use your city's zone, like `Europe/Berlin` or `America/Denver`"
        );
        assert_eq!(parse_typed_timezone("UTC").unwrap(), Tz::UTC);
        assert_eq!(
            parse_typed_timezone(" Asia/Tokyo ").unwrap(),
            chrono_tz::Asia::Tokyo
        );
    }
}
