//! Knowledge-base tags: short words, trimmed, lowercased, each once, a few per entry. One
//! rule for what a member types and what the program file seeds.

use thiserror::Error;

/// Tags per entry, and characters per tag.
pub const TAGS_MAX: usize = 10;
pub const TAG_MAX: usize = 30;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TagError {
    #[error("the tag `{tag}` is longer than {TAG_MAX} characters")]
    TooLong { tag: String },
    #[error("{count} tags; an entry has at most {TAGS_MAX}")]
    TooMany { count: usize },
}

/// The tags among `raw`, normalised; empty ones and repeats dropped.
pub fn tags<'a>(raw: impl IntoIterator<Item = &'a str>) -> Result<Vec<String>, TagError> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw {
        let tag = crate::domain::text::strip_invisible(tag.trim()).to_lowercase();
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        if tag.chars().count() > TAG_MAX {
            return Err(TagError::TooLong { tag });
        }
        tags.push(tag);
    }
    if tags.len() > TAGS_MAX {
        return Err(TagError::TooMany { count: tags.len() });
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_lowercased_and_deduplicated() {
        assert_eq!(
            tags(" Licences, power apps,,licences ".split(',')).unwrap(),
            vec!["licences", "power apps"]
        );
        assert!(matches!(
            tags([&*"x".repeat(31)]),
            Err(TagError::TooLong { .. })
        ));
        let eleven: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(
            tags(eleven.iter().map(String::as_str)),
            Err(TagError::TooMany { count: 11 })
        );
        assert!(tags([]).unwrap().is_empty());
    }
}
