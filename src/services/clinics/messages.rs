//! What `/clinic` says.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::render::{Message, count};
use crate::store::clinics::Place;
use crate::store::sessions::Session;

fn session_label(number: i32, title: &str) -> Message {
    Message::new().text(format!("#{number} ")).user(title)
}

/// `about 20 minutes (around 14:35 your time)`.
fn wait_text(wait: Duration, now: DateTime<Utc>, zone: Tz) -> String {
    let minutes = wait.num_minutes().max(1);
    let at = (now + wait).with_timezone(&zone).format("%H:%M");
    format!(
        "about {} (around {at} {})",
        count(minutes, "minute", "minutes"),
        zone.name()
    )
}

pub fn not_a_clinic(number: i32) -> Message {
    Message::new()
        .text(format!(
            "Session #{number} is not a clinic or office hours, so it has no queue. "
        ))
        .code("/event list")
        .text(" shows the sessions.")
}

pub fn cancelled(number: i32) -> Message {
    Message::new().text(format!(
        "Session #{number} was cancelled, so its queue is closed."
    ))
}

pub fn not_open_yet(number: i32, opens: DateTime<Utc>) -> Message {
    Message::new().text(format!(
        "The queue for #{number} opens 30 minutes before it starts, at {} UTC. Come back then!",
        opens.format("%a %-d %b %H:%M")
    ))
}

pub fn over(number: i32) -> Message {
    Message::new()
        .text(format!(
            "Session #{number} is over, so its queue is closed. "
        ))
        .code("/event list")
        .text(" shows the next ones.")
}

pub fn already_queued(number: i32, place: Option<&Place>) -> Message {
    let msg = Message::new().text(format!("You are already in the queue for #{number}"));
    match place {
        Some(p) if p.status == "helping" => msg.text(", and someone is helping you now."),
        Some(p) => msg
            .text(format!(", number {} in line. ", p.position))
            .code("/clinic position")
            .text(" shows your wait."),
        None => msg.text("."),
    }
}

pub fn joined(place: &Place, wait: Duration, now: DateTime<Utc>, zone: Tz) -> Message {
    let msg = Message::new()
        .text("🙋 You're in the queue for ")
        .push(session_label(place.session_number, &place.session_title))
        .text(format!(": number {} in line", place.position));
    msg.text(format!(", {}.", wait_text(wait, now, zone)))
        .line()
        .text("I'll DM you when you're next and when you're up. Changed your mind? ")
        .code("/clinic leave")
        .text(".")
}

pub fn queue_started(place: &Place) -> Message {
    Message::new()
        .text("🔔 Someone is waiting at ")
        .push(session_label(place.session_number, &place.session_title))
        .text(": ")
        .user(&place.display_name)
        .text(" (")
        .user(&place.topic)
        .text("). Call them with ")
        .code(format!("/clinic next {}", place.session_number))
        .text(".")
}

pub fn not_queued() -> Message {
    Message::new()
        .text("You are not in a clinic queue. Join one with ")
        .code("/clinic join <session> <topic>")
        .text(".")
}

pub fn being_helped(place: &Place) -> Message {
    let msg = Message::new()
        .text("You're up at ")
        .push(session_label(place.session_number, &place.session_title));
    match &place.helper_name {
        Some(helper) => msg.text(": ").user(helper).text(" is helping you."),
        None => msg.text("."),
    }
}

pub fn position(place: &Place, wait: Duration, now: DateTime<Utc>, zone: Tz) -> Message {
    Message::new()
        .text("You're number ")
        .text(place.position.to_string())
        .text(" in line at ")
        .push(session_label(place.session_number, &place.session_title))
        .text(format!(": {}.", wait_text(wait, now, zone)))
}

pub fn left(place: &Place) -> Message {
    Message::new()
        .text("You left the queue for ")
        .push(session_label(place.session_number, &place.session_title))
        .text(".")
}

pub fn you_are_next(place: &Place) -> Message {
    Message::new()
        .text("⏳ You're next at ")
        .push(session_label(place.session_number, &place.session_title))
        .text(": be ready to share your screen.")
}

pub fn helpers_only() -> Message {
    Message::new().text("Sorry, only mentors, stewards and the session's host help at clinics.")
}

pub fn no_open_clinic() -> Message {
    Message::new()
        .text("No clinic's queue is open now (they open 30 minutes before the start). ")
        .code("/event list")
        .text(" shows when the next one is.")
}

pub fn which_clinic(open: &[(i32, String)]) -> Message {
    let mut msg = Message::new().text("Several clinics are open; add the session's number:");
    for (number, title) in open {
        msg = msg.line().text("• ").push(session_label(*number, title));
    }
    msg
}

fn finished_line(finished: Option<&Place>) -> Message {
    match finished {
        Some(done) => Message::new()
            .text("Finished with ")
            .user(&done.display_name)
            .text(". "),
        None => Message::new(),
    }
}

pub fn nobody_waiting(number: i32, finished: Option<&Place>) -> Message {
    finished_line(finished).text(format!(
        "Nobody is waiting at #{number}; I'll DM you when someone joins."
    ))
}

pub fn called(place: &Place, finished: Option<&Place>, left: i64) -> Message {
    finished_line(finished)
        .text("Now: ")
        .user(&place.display_name)
        .text(" — ")
        .user(&place.topic)
        .text(". I told them you're ready. ")
        .text(match left {
            0 => "Nobody else is waiting.".to_owned(),
            n => format!("{} still waiting.", count(n, "learner", "learners")),
        })
        .line()
        .text("When you're done: ")
        .code("/clinic done note:\"…\" save:kb")
        .text(" (the note can become a knowledge-base draft), or ")
        .code("/clinic noshow")
        .text(".")
}

pub fn you_are_up(place: &Place, helper: &str) -> Message {
    let msg = Message::new()
        .text("🔔 You're up at ")
        .push(session_label(place.session_number, &place.session_title))
        .text(": ")
        .user(helper)
        .text(" is ready to help with ")
        .user(&place.topic)
        .text(".");
    match &place.location {
        Some(location) => msg.text(" Join in ").user(location).text("."),
        None => msg,
    }
}

pub fn helping_nobody() -> Message {
    Message::new()
        .text("You are not helping anyone right now. Call the next learner with ")
        .code("/clinic next")
        .text(".")
}

pub fn save_needs_a_note() -> Message {
    Message::new()
        .text("To save to the knowledge base, write the note too: ")
        .code("/clinic done note:\"what helped\" save:kb")
        .text(".")
}

pub fn marked_noshow(place: &Place) -> Message {
    Message::new()
        .text("Marked ")
        .user(&place.display_name)
        .text(" as not there. Call the next learner with ")
        .code(format!("/clinic next {}", place.session_number))
        .text(".")
}

pub fn finished(place: &Place, saved: Option<&str>) -> Message {
    let msg = Message::new()
        .text("✅ Done with ")
        .user(&place.display_name)
        .text(".");
    let msg = match saved {
        Some(slug) => msg
            .text(" Your note is the draft ")
            .code(slug)
            .text(": check it with ")
            .code(format!("/kb show {slug}"))
            .text(", then ")
            .code(format!("/kb publish {slug}"))
            .text("."),
        None => msg,
    };
    msg.text(" Next: ")
        .code(format!("/clinic next {}", place.session_number))
        .text(".")
}

/// A clinic note's title: the session and the learner's topic, never the learner's name.
pub fn note_title(place: &Place) -> String {
    let title = format!("Clinic #{}: {}", place.session_number, place.topic);
    title
        .chars()
        .take(crate::commands::catalog::KB_TITLE_MAX)
        .collect()
}

pub fn nobody_to_tell(number: i32) -> Message {
    Message::new().text(format!(
        "Nobody is waiting at #{number}, so there is nobody to tell."
    ))
}

pub fn announced(number: i32, told: usize) -> Message {
    Message::new().text(format!(
        "Told the {} waiting at #{number}.",
        count(told as i64, "learner", "learners")
    ))
}

pub fn announcement(session: &Session, helper: &str, text: &str) -> Message {
    Message::new()
        .text("📣 ")
        .push(session_label(session.number, &session.title))
        .text(", from ")
        .user(helper)
        .text(": ")
        .user(text)
}
