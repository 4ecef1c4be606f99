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

/// The closest candidate to `input`, if one is close enough to be a plausible typo.
pub fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input = input.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&input, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
