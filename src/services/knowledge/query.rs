//! What a typed search becomes before PostgreSQL sees it.
//!
//! The knowledge base's text-search configuration stems English but has no stop-word list
//! (the embedded database ships none: shared/PLATFORM-FACTS.md), so "how do I get a
//! sandbox" would need every one of those words in an entry. Stop words are therefore
//! dropped here, outside quoted phrases, where they are part of what was asked.

/// Common English words a question is made of but an answer is not found by.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "but", "by", "can", "could", "did", "do", "does", "doing", "for",
    "from", "get", "got", "had", "has", "have", "having", "he", "her", "here", "him", "his", "how",
    "i", "if", "in", "into", "is", "it", "its", "just", "me", "my", "of", "on", "our", "she",
    "should", "so", "some", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "to", "too", "us", "was", "we", "were", "what", "when", "where",
    "which", "who", "whom", "why", "will", "with", "would", "you", "your",
];

/// The search text to run first (every word must match), and a looser one to run when the
/// first finds nothing (any word may match).
#[derive(Debug, PartialEq, Eq)]
pub struct Terms {
    pub strict: String,
    /// `None` when the query uses search syntax (quotes, `-`, `or`), whose meaning a looser
    /// search would change, or has a single word.
    pub loose: Option<String>,
}

impl Terms {
    pub fn of(typed: &str) -> Self {
        let mut kept: Vec<String> = Vec::new();
        let mut syntax = false;
        for token in tokens(typed) {
            let bare = token.trim_start_matches('-').to_lowercase();
            if token.starts_with('"') || token.starts_with('-') || bare == "or" {
                syntax = true;
                kept.push(token);
            } else if !STOP_WORDS.contains(&bare.as_str()) {
                kept.push(token);
            }
        }
        // A query of nothing but stop words ("how do I") is searched as typed.
        if kept.iter().all(|t| t.eq_ignore_ascii_case("or")) {
            return Self {
                strict: typed.to_owned(),
                loose: None,
            };
        }
        let strict = kept.join(" ");
        let loose = (!syntax && kept.len() > 1).then(|| kept.join(" or "));
        Self { strict, loose }
    }
}

/// Splits on whitespace, keeping a quoted phrase (an unclosed one runs to the end) whole.
fn tokens(typed: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in typed.chars() {
        match c {
            '"' if quoted => {
                current.push(c);
                quoted = false;
                out.push(std::mem::take(&mut current));
            }
            '"' if current.is_empty() || current == "-" => {
                current.push(c);
                quoted = true;
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A search as `/kb report` groups it: lowercase, single spaces.
pub fn normalised(typed: &str) -> String {
    typed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// An id from a title: Latin letters and digits, lowercased, words joined by single
/// hyphens, at most `max` characters and cut at a word.
pub fn slug_from(title: &str, max: usize) -> String {
    let mut slug = String::new();
    for word in title
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let extra = if slug.is_empty() { 0 } else { 1 };
        if slug.len() + extra + word.len() > max {
            break;
        }
        if extra == 1 {
            slug.push('-');
        }
        slug.push_str(word);
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_lose_their_stop_words_and_gain_a_looser_search() {
        let terms = Terms::of("How do I get a sandbox environment?");
        assert_eq!(terms.strict, "sandbox environment?");
        assert_eq!(terms.loose.as_deref(), Some("sandbox or environment?"));
    }

    #[test]
    fn search_syntax_is_kept_and_gets_no_loose_search() {
        let terms = Terms::of("\"the data policy\" -draft licence");
        assert_eq!(terms.strict, "\"the data policy\" -draft licence");
        assert_eq!(terms.loose, None);
        assert_eq!(Terms::of("vpn or proxy").loose, None);
        assert_eq!(Terms::of("vpn").loose, None);
        // An unclosed quote keeps the rest of the line together.
        assert_eq!(Terms::of("\"how do").strict, "\"how do");
    }

    #[test]
    fn only_stop_words_are_searched_as_typed() {
        let terms = Terms::of("how do I");
        assert_eq!(terms.strict, "how do I");
        assert_eq!(terms.loose, None);
    }

    #[test]
    fn ids_come_from_latin_words_of_the_title() {
        assert_eq!(
            slug_from("How do I get a sandbox?", 37),
            "how-do-i-get-a-sandbox"
        );
        assert_eq!(slug_from("数据政策 FAQ", 37), "faq");
        assert_eq!(slug_from("数据政策", 37), "");
        assert_eq!(slug_from("one two three", 7), "one-two");
        assert_eq!(normalised("  Payroll   API "), "payroll api");
    }
}
