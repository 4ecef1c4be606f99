//! Plain types and rules with no IO: roles, names, time zones.

pub mod approval;
pub mod coc;
pub mod period;
pub mod role;
pub mod slug;
pub mod streak;
pub mod suppress;
pub mod tags;
pub mod text;
pub mod timezone;
pub mod window;

pub use coc::CocStanding;
pub use period::{DayOrWeek, Period};
pub use role::{Role, Tier};
pub use slug::Slug;
pub use text::{TextError, clean_line};
pub use timezone::{TimeZoneError, parse_timezone, parse_typed_timezone};
pub use window::{CheckinWindow, Fit, Timing};

use std::cmp::Ordering;

/// The closest candidate to `input`, if one is close enough to be a plausible typo: similar
/// by Jaro-Winkler, or one edit away (two letters swapped included) for a word of three
/// letters or more. Jaro-Winkler alone misses a short word's swap: `fqa` scores 0.6
/// against `faq`.
pub fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input = input.to_lowercase();
    let one_edit_counts = input.chars().count() >= 3;
    candidates
        .into_iter()
        .map(|c| {
            let c_lower = c.to_lowercase();
            let similar = strsim::jaro_winkler(&input, &c_lower);
            let one_edit = one_edit_counts && strsim::osa_distance(&input, &c_lower) == 1;
            (similar, one_edit, c)
        })
        .filter(|(similar, one_edit, _)| *similar >= 0.8 || *one_edit)
        .max_by(|a, b| {
            (a.1, a.0)
                .partial_cmp(&(b.1, b.0))
                .unwrap_or(Ordering::Equal)
        })
        .map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn a_typo_gets_its_closest_candidate() {
        let kinds = ["faq", "playbook", "decision", "clinic"];
        assert_eq!(suggest("fqa", kinds), Some("faq"), "two letters swapped");
        assert_eq!(suggest("FAQS", kinds), Some("faq"));
        assert_eq!(suggest("playbok", kinds), Some("playbook"));
        assert_eq!(suggest("decisoin", kinds), Some("decision"));
        assert_eq!(suggest("xyz", kinds), None);
        // A two-letter word is one edit from too much to guess.
        assert_eq!(suggest("fa", ["fb", "faq"]), Some("faq"));
        assert_eq!(suggest("ab", ["cb"]), None);
    }
}
