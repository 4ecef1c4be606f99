//! What talk proposals, withdrawals, the waitlist and the lists say.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::render::Message;
use crate::services::events::messages::session_name;
use crate::services::events::when;
use crate::store::sessions::TalkStatus;
use crate::store::sessions::{MyTalk, Session, Talk};

pub fn no_talk_slots(number: i32) -> Message {
    Message::new()
        .text(format!("Session #{number} has no talk slots. "))
        .code("/talk list")
        .text(" shows sessions that do.")
}

pub fn one_talk_per_session(number: i32, title: &str) -> Message {
    Message::new()
        .text(format!("You already have a talk in session #{number}: "))
        .user(title)
        .text(". One talk per speaker per session; ")
        .code("/talk withdraw")
        .text(" it first to propose another.")
}

pub fn slotted(session: &Session, title: &str, slot: usize, zone: Tz) -> Message {
    Message::new()
        .text("Your talk ")
        .user(title)
        .text(format!(" has slot {slot} of {} in ", session.slots))
        .push(session_name(session))
        .text(format!(
            ", {}. I'll remind you a day and an hour before.",
            when::for_reader(session.starts_at, zone)
        ))
}

/// The abstract of a talk just proposed; with a one-word title, how to give a longer one.
/// `title_may_be_cut`: see [`crate::services::Invocation::title_may_be_cut`].
pub fn abstract_read_back(
    title: &str,
    summary: &str,
    number: i32,
    title_may_be_cut: bool,
) -> Message {
    let msg = Message::new().text("Abstract: ").user(summary);
    if !title_may_be_cut {
        return msg;
    }
    msg.push(crate::services::messages::title_may_be_cut(title))
        .text(": take this one back with ")
        .code(format!("/talk withdraw {number}"))
        .text(" and propose it again as ")
        .code(format!("/talk propose \"{title} …\" …"))
        .text(".")
}

pub fn waitlisted(session: &Session, title: &str, place: usize, zone: Tz) -> Message {
    Message::new()
        .push(session_name(session))
        .text(format!(
            ", {}, is full, so your talk ",
            when::for_reader(session.starts_at, zone)
        ))
        .user(title)
        .text(format!(
            " is number {place} on the waitlist. If a speaker withdraws, the slot is yours and I'll tell you."
        ))
}

pub fn no_session_for_talks() -> Message {
    Message::new()
        .text("There is no upcoming session with talk slots in your cohorts. ")
        .code("/talk list")
        .text(" shows the sessions; name one with ")
        .code("session:")
        .text(".")
}

pub fn no_talks() -> Message {
    Message::new()
        .text("You have no upcoming talks. Propose one with ")
        .code("/talk propose \"title\" abstract")
        .text(".")
}

pub fn which_talk(numbers: &[i32]) -> Message {
    let list: Vec<String> = numbers.iter().map(|n| format!("#{n}")).collect();
    Message::new()
        .text(format!(
            "You have talks in sessions {}. Say which with ",
            list.join(", ")
        ))
        .code(format!("/talk withdraw {}", numbers[0]))
        .text(".")
}

pub fn no_talk_in(number: i32) -> Message {
    Message::new().text(format!("You have no talk in session #{number}."))
}

pub fn withdrawn(session: &Session, title: &str) -> Message {
    Message::new()
        .text("Your talk ")
        .user(title)
        .text(" is withdrawn from ")
        .push(session_name(session))
        .text(".")
}

pub fn promoted(session: &Session, title: &str, slot: usize, zone: Tz) -> Message {
    Message::new()
        .text("🎉 A slot opened up: your talk ")
        .user(title)
        .text(format!(" now has slot {slot} in "))
        .push(session_name(session))
        .text(format!(", {}.", when::for_reader(session.starts_at, zone)))
}

/// Says who makes sessions, so a learner with a talk in mind knows whom to ask.
pub fn no_sessions() -> Message {
    Message::new()
        .text("No upcoming sessions yet. Stewards and lead mentors schedule them with ")
        .code("/event schedule")
        .text("; ask one if you have a talk in mind.")
}

/// Before the page number and colon.
pub fn list_header() -> Message {
    Message::new().text("Upcoming sessions")
}

pub fn list_entry(
    session: &Session,
    talks: &[Talk],
    rsvps: i64,
    zone: Tz,
    now: DateTime<Utc>,
) -> Message {
    let active: Vec<&Talk> = talks
        .iter()
        .filter(|t| t.status == TalkStatus::Active)
        .collect();
    let waiting: Vec<&Talk> = talks
        .iter()
        .filter(|t| t.status == TalkStatus::Waitlisted)
        .collect();
    let running = if session.starts_at <= now {
        " (running now)"
    } else {
        ""
    };
    let mut msg = Message::new()
        .line()
        .text("• ")
        .push(session_name(session))
        .text(format!(
            ", {}{running}, {}",
            when::for_reader(session.starts_at, zone),
            crate::render::count(rsvps, "RSVP", "RSVPs")
        ))
        .text(crate::services::events::messages::sign_up_note(
            session, zone, now,
        ));
    if session.slots > 0 {
        msg = msg.text(format!(
            ", {} of {} talk slots taken",
            active.len(),
            session.slots
        ));
        if !waiting.is_empty() {
            msg = msg.text(format!(", {} waiting", waiting.len()));
        }
    }
    for (i, talk) in active.iter().enumerate() {
        msg = msg
            .line()
            .text(format!("    {}. ", i + 1))
            .user(&talk.title)
            .text(" — ")
            .user(&talk.speaker_name);
    }
    for (i, talk) in waiting.iter().enumerate() {
        msg = msg
            .line()
            .text(format!("    waitlist {}. ", i + 1))
            .user(&talk.title)
            .text(" — ")
            .user(&talk.speaker_name);
    }
    msg
}

pub fn mine_header() -> Message {
    Message::new().text("Your upcoming talks:")
}

pub fn mine_entry(talk: &MyTalk, place: usize, zone: Tz) -> Message {
    let status = if talk.status == TalkStatus::Active {
        format!("slot {place}")
    } else {
        format!("waitlist number {place}")
    };
    let msg = Message::new()
        .line()
        .text("• ")
        .user(&talk.title)
        .text(format!(" in #{} ", talk.number))
        .user(&talk.session_title)
        .text(format!(
            ", {}: {status}",
            when::for_reader(talk.starts_at, zone)
        ));
    // The speaker's own abstract, so they can check what the hosts will read.
    match &talk.r#abstract {
        Some(summary) => msg.line().text("    Abstract: ").user(summary),
        None => msg,
    }
}
