//! What members read about absences.

use chrono::{DateTime, NaiveDate, Utc};

use crate::render::Message;
use crate::store::absences::{Absence, Listed, Missed, Scope};

fn day(d: NaiveDate) -> String {
    d.format("%a %-d %b %Y").to_string()
}

/// "Mon 7 Dec 2026 through Fri 11 Dec 2026", or "from Mon 7 Dec 2026" for an open pause.
fn span(first: NaiveDate, last: Option<NaiveDate>) -> Message {
    match last {
        Some(last) if last == first => Message::new().strong(day(first)),
        Some(last) => Message::new()
            .strong(day(first))
            .text(" through ")
            .strong(day(last)),
        None => Message::new()
            .text("from ")
            .strong(day(first))
            .text(" until you resume"),
    }
}

pub fn away_now(absence: &Absence) -> Message {
    Message::new()
        .text("You're away ")
        .push(span(absence.first_day, absence.last_day))
        .text(". Until then you get no check-in prompts or nudges, and no matches or pairings; a week you're away for most of is excused, not missed.")
        .line()
        .text("Back early? Type ")
        .code("/back")
        .text(".")
}

pub fn away_later(absence: &Absence) -> Message {
    Message::new()
        .text("You'll be away ")
        .push(span(absence.first_day, absence.last_day))
        .text(". Nothing changes until then: prompts and nudges keep coming until your first day away.")
        .line()
        .text("Plans changed? ")
        .code("/back")
        .text(" cancels it, and ")
        .code("/away list")
        .text(" shows it.")
}

pub fn set_for(name: &str, absence: &Absence) -> Message {
    Message::new()
        .user(name)
        .text(" is away ")
        .push(span(absence.first_day, absence.last_day))
        .text(". They have been told, and get no prompts or nudges while away.")
}

pub fn told_away(steward: &str, absence: &Absence) -> Message {
    let msg = Message::new()
        .user(steward)
        .text(" recorded you as away ")
        .push(span(absence.first_day, absence.last_day))
        .text(": no check-in prompts or nudges until then, and those weeks are excused.");
    let msg = match &absence.note {
        Some(note) => msg.line().text("Note: ").user(note),
        None => msg,
    };
    msg.line()
        .text("Back sooner? Type ")
        .code("/back")
        .text(".")
}

pub fn needs_until() -> Message {
    Message::new()
        .text("Say your last day away, like ")
        .code("/away 2027-04-30")
        .text(".")
}

/// `other`: the member's name, when a steward records someone else's absence.
pub fn ends_before_start(from: NaiveDate, until: NaiveDate, other: Option<&str>) -> Message {
    let (last, first) = match other {
        None => ("Your last day away, ", ", is before your first, "),
        Some(_) => ("The last day away, ", ", is before the first, "),
    };
    Message::new()
        .text(last)
        .strong(day(until))
        .text(first)
        .strong(day(from))
        .text(". Give the last day away.")
}

pub fn already_over(until: NaiveDate) -> Message {
    Message::new()
        .strong(day(until))
        .text(" has passed. Give today or a later day as the last day away.")
}

pub fn starts_too_early(this_monday: NaiveDate) -> Message {
    Message::new()
        .text("An absence can start at the earliest on ")
        .strong(day(this_monday))
        .text(", the start of this week; earlier weeks stay as they were. Give a later ")
        .code("from:")
        .text(".")
}

pub fn too_long(days: i64, max: i32) -> Message {
    Message::new().text(format!(
        "That is {days} days away; the longest absence here is {max} days. Set the first {max} days now and the rest closer to the time."
    ))
}

/// `whose`: the member's name, when a steward records someone else's absence.
pub fn overlaps(other: &Absence, whose: Option<&str>) -> Message {
    let start = match (other.scope, whose) {
        (Scope::All, None) => Message::new().text("You're already away "),
        (Scope::Mentoring, None) => Message::new().text("Your mentoring pause already runs "),
        (Scope::All, Some(name)) => Message::new().user(name).text(" is already away "),
        (Scope::Mentoring, Some(name)) => Message::new()
            .user(name)
            .text("'s mentoring pause already runs "),
    };
    let msg = start
        .push(span(other.first_day, other.last_day))
        .text(". Pick days that don't overlap it");
    match whose {
        None => msg.text(", or end it first with ").code("/back").text("."),
        Some(name) => msg
            .text("; ")
            .user(name)
            .text(" can end it with ")
            .code("/back")
            .text("."),
    }
}

pub fn not_away() -> Message {
    Message::new()
        .text("You're not away, and have no absence planned. To plan time off, type ")
        .code("/away <last day>")
        .text(", like ")
        .code("/away 2027-04-30")
        .text(".")
}

pub fn cancelled(absence: &Absence) -> Message {
    Message::new()
        .text("Cancelled your absence ")
        .push(span(absence.first_day, absence.last_day))
        .text(". Prompts keep coming as usual.")
}

pub fn pause_over() -> Message {
    Message::new().text("Welcome back! You can be matched and prompted as a mentor again.")
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Told on `/back` or on the first morning back.
pub fn welcome_back(missed: &Missed) -> Message {
    let mut msg = Message::new().text("👋 Welcome back!");
    if missed.sessions.is_empty() && missed.replies == 0 && missed.talks.is_empty() {
        return msg
            .text(" Nothing happened in your cohorts that needs you. Your next check-in prompt comes as usual.");
    }
    msg = msg.text(" While you were away:");
    if !missed.sessions.is_empty() {
        msg = msg
            .line()
            .text(format!(
                "• {} held: ",
                count(missed.sessions.len(), "session", "sessions")
            ))
            .user(missed.sessions.join(", "));
    }
    if missed.replies > 0 {
        msg = msg
            .line()
            .text(format!(
                "• {} from your mentor: ",
                count(missed.replies as usize, "reply", "replies")
            ))
            .code("/checkin history");
    }
    if !missed.talks.is_empty() {
        msg = msg
            .line()
            .text(format!(
                "• {} proposed: ",
                count(missed.talks.len(), "new talk", "new talks")
            ))
            .user(missed.talks.join(", "))
            .text(" — ")
            .code("/talk list");
    }
    msg.line().text("Your next check-in prompt comes as usual.")
}

fn listed_line(a: &Listed, now: DateTime<Utc>, with_name: bool) -> Message {
    let mut msg = Message::new().text("• ");
    if with_name {
        msg = msg.user(&a.display_name).text(": ");
    }
    if a.scope == Scope::Mentoring {
        msg = msg.text("mentoring pause ");
    }
    msg = msg.push(span(a.first_day, a.last_day));
    if a.starts_at <= now {
        msg = msg.text(" (now)");
    }
    match &a.note {
        Some(note) => msg.text(" — ").user(note),
        None => msg,
    }
}

pub fn list(mine: &[Listed], others: &[Listed], steward: bool, now: DateTime<Utc>) -> Message {
    let mut msg = if mine.is_empty() {
        Message::new()
            .text("You have no absence planned. To add one, type ")
            .code("/away <last day>")
            .text(".")
    } else {
        let mut msg = Message::new().strong("Your absences");
        for a in mine {
            msg = msg.line().push(listed_line(a, now, false));
        }
        msg
    };
    if !others.is_empty() {
        let title = if steward {
            "Away in the community"
        } else {
            "Your learners away"
        };
        msg = msg.line().strong(title);
        for a in others {
            msg = msg.line().push(listed_line(a, now, true));
        }
    }
    msg
}
