//! User-typed text: trimmed, bounded, and free of control characters.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TextError {
    #[error("`{field}` can't be empty")]
    Empty { field: String },
    #[error("`{field}` is {len} characters long; the limit is {max}")]
    TooLong {
        field: String,
        len: usize,
        max: usize,
    },
    #[error("`{field}` contains a control character; please use plain text")]
    ControlCharacter { field: String },
}

/// A single line of user text: trimmed, non-empty, at most `max` characters, no control characters.
pub fn clean_line(field: &str, input: &str, max: usize) -> Result<String, TextError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(TextError::Empty {
            field: field.into(),
        });
    }
    if text.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter {
            field: field.into(),
        });
    }
    let len = text.chars().count();
    if len > max {
        return Err(TextError::TooLong {
            field: field.into(),
            len,
            max,
        });
    }
    Ok(text.to_owned())
}

/// A short, safe echo of arbitrary input for error messages.
pub fn preview(input: &str) -> String {
    const MAX: usize = 40;
    let cleaned: String = input
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX)
        .collect();
    if input.chars().count() > MAX {
        format!("{cleaned}…")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(clean_line("name", "  Ada  ", 10).unwrap(), "Ada");
        assert_eq!(
            clean_line("name", &"x".repeat(1000), 100),
            Err(TextError::TooLong {
                field: "name".into(),
                len: 1000,
                max: 100
            })
        );
        assert!(matches!(
            clean_line("name", "  ", 10),
            Err(TextError::Empty { .. })
        ));
        assert!(matches!(
            clean_line("name", "a\u{7}b", 10),
            Err(TextError::ControlCharacter { .. })
        ));
    }

    #[test]
    fn preview_is_short_and_clean() {
        assert_eq!(preview("a\nb"), "ab");
        assert_eq!(preview(&"y".repeat(100)).chars().count(), 41);
    }
}
