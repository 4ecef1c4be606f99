//! User-typed text: trimmed, bounded, free of control characters, and free of the invisible
//! characters that make a post read differently from what it says.

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
    #[error("`{field}` is one line; please remove the line break")]
    LineBreak { field: String },
    #[error("`{field}` contains a control character; please use plain text")]
    ControlCharacter { field: String },
}

/// A single line of user text: trimmed, non-empty, at most `max` characters, no control
/// characters, invisible formatting removed. A tab is a space here: one pasted into a
/// form's one-line field (a title) is whitespace, not something to refuse.
pub fn clean_line(field: &str, input: &str, max: usize) -> Result<String, TextError> {
    let text = strip_invisible(input.trim()).replace('\t', " ");
    let text = text.trim();
    if text.contains(['\n', '\r']) {
        return Err(TextError::LineBreak {
            field: field.into(),
        });
    }
    checked(field, text, max, |c| c.is_control())
}

/// Text from a paragraph field: several lines, tabs allowed. Line endings become `\n`, the
/// whole is trimmed, and the limit counts characters as the platforms' forms do.
pub fn clean_paragraph(field: &str, input: &str, max: usize) -> Result<String, TextError> {
    let unified = input.replace("\r\n", "\n").replace('\r', "\n");
    let text = strip_invisible(&unified);
    checked(field, text.trim(), max, |c| {
        c.is_control() && c != '\n' && c != '\t'
    })
}

fn checked(
    field: &str,
    text: &str,
    max: usize,
    refused: impl Fn(char) -> bool,
) -> Result<String, TextError> {
    if text.is_empty() {
        return Err(TextError::Empty {
            field: field.into(),
        });
    }
    if text.chars().any(refused) {
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

/// Bidirectional embeddings, overrides, isolates and marks, zero-width spaces, the word
/// joiner and the byte-order mark: none shows, each can make a name or a post read as
/// something else (`@every​one`, a reversed link).
fn always_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{180E}'
        | '\u{061C}')
}

/// Removes invisible formatting. The zero-width joiner and non-joiner are kept between two
/// non-ASCII characters, where emoji sequences (👩‍💻) and scripts such as Persian need them,
/// and removed elsewhere, where they only hide something.
pub fn strip_invisible(input: &str) -> String {
    let chars: Vec<char> = input.chars().collect();
    let mut out = String::with_capacity(input.len());
    for (i, &c) in chars.iter().enumerate() {
        if always_invisible(c) {
            continue;
        }
        if matches!(c, '\u{200C}' | '\u{200D}') {
            let before = out.chars().next_back();
            let after = chars[i + 1..].iter().find(|c| !always_invisible(**c));
            let joins =
                matches!((before, after), (Some(b), Some(a)) if !b.is_ascii() && !a.is_ascii());
            if !joins {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// A name from a platform profile as the bot shows it: one line, invisible formatting and
/// control characters removed, at most `max` characters; `None` when nothing is left.
pub fn clean_name(raw: &str, max: usize) -> Option<String> {
    let name: String = strip_invisible(raw)
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect();
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// A short, safe echo of arbitrary input for error messages, which quote it in backticks:
/// a typed backtick becomes a look-alike so it cannot end the quote.
pub fn preview(input: &str) -> String {
    const MAX: usize = 40;
    let cleaned: String = strip_invisible(input)
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '`' { 'ˋ' } else { c })
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
        assert!(matches!(
            clean_line("name", "a\nb", 10),
            Err(TextError::LineBreak { .. })
        ));
    }

    #[test]
    fn paragraphs_keep_lines_and_tabs() {
        assert_eq!(
            clean_paragraph("progress", "  built it\r\n\n- flows\tdone\r", 100).unwrap(),
            "built it\n\n- flows\tdone"
        );
        assert!(matches!(
            clean_paragraph("progress", "a\u{7}b", 10),
            Err(TextError::ControlCharacter { .. })
        ));
        assert!(matches!(
            clean_paragraph("progress", "\n\t\n", 10),
            Err(TextError::Empty { .. })
        ));
        // The limit counts characters, not bytes: 4,000 CJK and emoji fit a 4,000 limit.
        let long: String = "进展🚀\n".repeat(1000);
        assert_eq!(
            clean_paragraph("progress", &long, 4000)
                .unwrap()
                .chars()
                .count(),
            3999
        );
    }

    #[test]
    fn invisible_formatting_is_removed_but_emoji_sequences_survive() {
        assert_eq!(
            clean_line("name", "@every\u{200B}one", 20).unwrap(),
            "@everyone"
        );
        assert_eq!(
            clean_line("name", "evil\u{202E}gnp.exe", 20).unwrap(),
            "evilgnp.exe"
        );
        assert_eq!(
            clean_line("name", "a\u{2066}b\u{2069}\u{FEFF}", 20).unwrap(),
            "ab"
        );
        assert_eq!(strip_invisible("here\u{200D}!"), "here!");
        assert_eq!(strip_invisible("👩\u{200D}💻"), "👩\u{200D}💻");
        assert_eq!(strip_invisible("می\u{200C}خواهم"), "می\u{200C}خواهم");
    }

    #[test]
    fn names_lose_what_could_spoof_them() {
        assert_eq!(clean_name(" Ada\u{202E}\n ", 10).as_deref(), Some("Ada"));
        assert_eq!(clean_name("\u{200B}\u{7}", 10), None);
    }

    #[test]
    fn preview_is_short_and_clean() {
        assert_eq!(preview("a\nb"), "ab");
        assert_eq!(preview(&"y".repeat(100)).chars().count(), 41);
    }
}
