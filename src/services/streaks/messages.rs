//! What members read about their streaks.

use crate::domain::streak::{Event, FREEZES_MAX};
use crate::render::Message;

/// One week on `/streak`'s row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    CheckedIn,
    Excused,
    Freeze,
    Missed,
    Nothing,
}

impl Mark {
    /// The mark for a week from its settled events, or, for a week not settled yet,
    /// from whether it has a check-in and whether it is excused.
    pub fn of(events: &[Event], pending: Option<(bool, bool)>) -> Self {
        if events.contains(&Event::CheckedIn) || matches!(pending, Some((true, _))) {
            Mark::CheckedIn
        } else if matches!(pending, Some((false, true))) {
            Mark::Excused
        } else if events.contains(&Event::FreezeUsed) {
            Mark::Freeze
        } else if events.contains(&Event::Broken) {
            Mark::Missed
        } else if events.contains(&Event::Excused) {
            Mark::Excused
        } else {
            Mark::Nothing
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Mark::CheckedIn => "✅",
            Mark::Excused => "🏖️",
            Mark::Freeze => "🧊",
            Mark::Missed => "❌",
            Mark::Nothing => "▫️",
        }
    }
}

pub struct Figures<'a> {
    pub cohort: &'a str,
    pub current: u32,
    pub best: u32,
    pub freezes: u32,
}

fn weeks(n: u32) -> String {
    if n == 1 {
        "1 week".to_owned()
    } else {
        format!("{n} weeks")
    }
}

pub fn streak(f: &Figures<'_>, marks: &[Mark]) -> Message {
    let row: String = marks.iter().map(|m| m.symbol()).collect();
    Message::new()
        .text("🔥 ")
        .strong(f.cohort)
        .text(format!(
            ": {} in a row (best {}) · freezes: {} of {FREEZES_MAX}",
            weeks(f.current),
            f.best,
            f.freezes
        ))
        .line()
        .text(format!("Last 12 weeks, oldest first: {row}"))
}

pub fn legend() -> Message {
    Message::new().text(
        "✅ checked in · 🏖️ away or day off · 🧊 freeze used · ❌ missed · ▫️ nothing due yet. Every 4 weeks in a row earns a freeze (you hold at most 2); a freeze covers one missed week.",
    )
}

pub fn milestone(name: &str, weeks: u32, cohort: &str) -> Message {
    Message::new()
        .text("🔥 ")
        .user(name)
        .text(format!(" has checked in {weeks} weeks in a row in "))
        .strong(cohort)
        .text("!")
}

pub fn freezes_set(off: bool) -> Message {
    if off {
        Message::new().text(
            "Freezes are off: a missed week now ends your streak, and your freezes stay unused.",
        )
    } else {
        Message::new().text("Freezes are on: a missed week spends a freeze, if you hold one, instead of ending your streak.")
    }
}

pub fn no_streak_in(cohort: &str) -> Message {
    Message::new()
        .text("You have no streak in ")
        .strong(cohort)
        .text(": streaks count your weekly check-ins in the cohorts you are in. Yours: ")
        .code("/streak")
        .text(".")
}

pub fn no_cohort() -> Message {
    Message::new()
        .text("You have no streak yet: streaks count weekly check-ins in a cohort. Join one with ")
        .code("/cohort join")
        .text(".")
}
