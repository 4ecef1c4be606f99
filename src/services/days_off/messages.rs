//! What stewards read about cohort days off.

use chrono::{Days, NaiveDate};

use crate::domain::DayOrWeek;
use crate::render::Message;

/// The label of a day off given without one.
pub const DEFAULT_LABEL: &str = "day off";

fn day(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

fn when(w: DayOrWeek) -> String {
    let days = w.days();
    match (w, days.first(), days.last()) {
        (DayOrWeek::Week(week), Some(first), Some(last)) => {
            format!("{week} ({} through {})", day(*first), day(*last))
        }
        (_, Some(first), _) => day(*first),
        _ => String::new(),
    }
}

pub fn added(cohort: &str, w: DayOrWeek, added: usize, asked: usize) -> Message {
    let msg = Message::new()
        .strong(cohort)
        .text(" is off ")
        .strong(when(w))
        .text(". Prompts, nudges and digests due then are skipped, with the reason recorded");
    let msg = match w {
        DayOrWeek::Week(_) => msg.text("; the week is excused for everyone."),
        DayOrWeek::Day(_) => msg.text("."),
    };
    if added < asked {
        msg.text(format!(
            " ({} of those days were already off and keep their label.)",
            asked - added
        ))
    } else {
        msg
    }
}

pub fn already_off(cohort: &str, typed: &str) -> Message {
    Message::new()
        .user(typed)
        .text(" is already off for ")
        .strong(cohort)
        .text("; nothing changed.")
}

pub fn removed(cohort: &str, typed: &str, n: usize) -> Message {
    let days = if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    };
    Message::new()
        .text(format!("Removed {days} off ("))
        .user(typed)
        .text(") from ")
        .strong(cohort)
        .text(": triggers run on them again.")
}

pub fn not_off(cohort: &str, typed: &str) -> Message {
    Message::new()
        .user(typed)
        .text(" is not a day off for ")
        .strong(cohort)
        .text("; nothing changed.")
}

pub fn needs_day(action: &str, slug: &str) -> Message {
    Message::new()
        .text("Say which day, like ")
        .code(format!(
            "/cohort dayoff {action} {slug} 2027-03-29 Easter Monday"
        ))
        .text(", or a whole week, like ")
        .code(format!("/cohort dayoff {action} {slug} 2027-W13 Easter"))
        .text(".")
}

pub fn bad_day(typed: &str) -> Message {
    Message::new()
        .user(typed)
        .text(" is neither a date like ")
        .code("2027-03-29")
        .text(" nor an ISO week like ")
        .code("2027-W13")
        .text(".")
}

pub fn in_the_past(typed: &str) -> Message {
    Message::new()
        .user(typed)
        .text(" has passed; days off are for today or later.")
}

/// Days grouped into runs of consecutive days with one label.
pub fn list(cohort: &str, slug: &str, days: &[(NaiveDate, String)]) -> Message {
    if days.is_empty() {
        return Message::new()
            .strong(cohort)
            .text(" has no days off coming up. Add one with ")
            .code(format!(
                "/cohort dayoff add {slug} 2027-03-29 Easter Monday"
            ))
            .text(".");
    }
    let mut runs: Vec<(NaiveDate, NaiveDate, &str)> = Vec::new();
    for (d, label) in days {
        match runs.last_mut() {
            Some((_, last, l)) if *l == label.as_str() && *last + Days::new(1) == *d => *last = *d,
            _ => runs.push((*d, *d, label)),
        }
    }
    let mut msg = Message::new().strong(format!("Days off for {cohort}"));
    for (first, last, label) in runs {
        let span = if first == last {
            day(first)
        } else {
            format!("{} through {}", day(first), day(last))
        };
        msg = msg.line().text(format!("• {span}: ")).user(label);
    }
    msg
}
