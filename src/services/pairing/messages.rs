//! What `/pair` says.

use chrono::DateTime;
use chrono_tz::Tz;
use uuid::Uuid;

use crate::render::Message;

fn when(at: DateTime<Tz>) -> String {
    format!(
        "{} ({})",
        at.format("%a %-d %b %H:%M"),
        at.timezone().name()
    )
}

pub fn away() -> Message {
    Message::new()
        .text("You're away, so nobody is asked to pair with you. Type ")
        .code("/back")
        .text(" first, then ask again.")
}

pub fn not_enrolled() -> Message {
    Message::new()
        .text("Pairing is for learners in a cohort. Join one with ")
        .code("/cohort join")
        .text(".")
}

pub fn no_such_time() -> Message {
    Message::new()
        .text("That time does not exist in your time zone (a clock change). Pick another.")
}

pub fn time_in_past() -> Message {
    Message::new().text("That time has passed; pick one in the future, like `2027-03-02T15:00`.")
}

pub fn no_mentors() -> Message {
    Message::new()
        .text("No community mentor is available for pairing right now. Please try again later.")
}

pub fn no_suitable_mentor() -> Message {
    Message::new().text(
        "No available community mentor shares enough waking hours with you right now. A steward can help find one.",
    )
}

pub fn requested(number: i32, mentor: &str) -> Message {
    Message::new()
        .text(format!("Pairing #{number} is set up with "))
        .user(mentor)
        .text(". You both have the details by DM.")
}

pub fn learner_dm(
    number: i32,
    topic: &str,
    mentor_id: Uuid,
    mentor: &str,
    at: DateTime<Tz>,
    why: &str,
) -> Message {
    Message::new()
        .text(format!("Pairing #{number} on "))
        .user(topic)
        .text(" with ")
        .mention(mentor_id, mentor)
        .text(format!(" ({why}): proposed for "))
        .strong(when(at))
        .text(". Agree the details together.")
}

pub fn mentor_dm(
    number: i32,
    topic: &str,
    learner_id: Uuid,
    learner: &str,
    at: DateTime<Tz>,
) -> Message {
    Message::new()
        .mention(learner_id, learner)
        .text(" asked to pair on ")
        .user(topic)
        .text(format!(" (pairing #{number}): proposed for "))
        .strong(when(at))
        .text(". Agree the details together.")
}

pub fn unknown(number: i64) -> Message {
    Message::new().text(format!("There is no pairing #{number} here."))
}

pub fn not_yours(number: i64) -> Message {
    Message::new().text(format!("Pairing #{number} is not yours to answer."))
}

pub fn not_yours_to_cancel(number: i64) -> Message {
    Message::new().text(format!(
        "Pairing #{number} is not yours; only its learner or mentor can call it off."
    ))
}

pub fn was_cancelled(number: i64) -> Message {
    Message::new().text(format!("Pairing #{number} was called off."))
}

pub fn not_met_yet(number: i64, at: DateTime<Tz>) -> Message {
    Message::new()
        .text(format!(
            "Pairing #{number} is on {}, so it cannot have happened yet. Say how it went after it with ",
            when(at)
        ))
        .code(format!("/pair met {number} yes"))
        .text(" or ")
        .code("no")
        .text("; to call it off, ")
        .code(format!("/pair cancel {number}"))
        .text(".")
}

pub fn too_late_to_cancel(number: i64) -> Message {
    Message::new()
        .text(format!(
            "Pairing #{number}'s time has passed, so there is nothing to call off. If it didn't happen, say so with "
        ))
        .code(format!("/pair met {number} no"))
        .text(".")
}

pub fn cancelled(number: i64, other: &str) -> Message {
    Message::new()
        .text(format!("Pairing #{number} is called off. I've told "))
        .user(other)
        .text(".")
}

/// To the other side; a learner whose mentor called it off is told how to ask again.
pub fn cancelled_notice(number: i64, topic: &str, by: &str, to_learner: bool) -> Message {
    let msg = Message::new()
        .user(by)
        .text(format!(" called off pairing #{number} on "))
        .user(topic)
        .text(".");
    if to_learner {
        msg.text(" Ask for another match any time with ")
            .code(format!("/pair request {topic}"))
            .text(".")
    } else {
        msg.text(" Nothing else to do.")
    }
}

pub fn already_answered(number: i64) -> Message {
    Message::new().text(format!("You already answered for pairing #{number}."))
}

/// `other_said` is the other side's answer, if they gave one: a yes against a no is not
/// counted as a session.
pub fn answered(met: bool, learner: bool, topic: &str, other_said: Option<bool>) -> Message {
    match (met, learner) {
        (true, _) if other_said == Some(false) => Message::new().text(
            "Thanks. The other side said it didn't happen, so it doesn't count as a session; please talk it over.",
        ),
        (true, _) => Message::new().text("Great, thanks! It counts toward the mentor's sessions."),
        (false, true) => Message::new()
            .text("Sorry it didn't happen. Ask for a new match any time with ")
            .code(format!("/pair request {topic}"))
            .text("."),
        (false, false) => Message::new().text("Thanks for letting me know."),
    }
}

pub fn did_you_meet(number: i32, other: &str, topic: &str) -> Message {
    Message::new()
        .text(format!("Did you meet for pairing #{number} on "))
        .user(topic)
        .text(" with ")
        .user(other)
        .text("? Answer ")
        .code(format!("/pair met {number} yes"))
        .text(" or ")
        .code(format!("/pair met {number} no"))
        .text(".")
}
