//! What `/kudos` says.

use uuid::Uuid;

use crate::render::Message;

pub fn no_self_kudos() -> Message {
    Message::new().text("Kudos are for thanking others. Who helped you this week?")
}

pub fn limit_reached(limit: i64) -> Message {
    Message::new().text(format!(
        "You've given {limit} kudos today, the daily limit. Save the next for tomorrow!"
    ))
}

pub fn no_cohort() -> Message {
    Message::new()
        .text("Kudos are posted in a cohort's channel, and neither of you is in a cohort that has one. Join one with ")
        .code("/cohort join")
        .text(", or thank them in person.")
}

pub fn sent_already(receiver: &str) -> Message {
    Message::new()
        .text("You sent ")
        .user(receiver)
        .text(" these very kudos a moment ago, so I posted them once.")
}

pub fn sent(receiver: &str, channel: &str) -> Message {
    Message::new()
        .text("Your kudos to ")
        .user(receiver)
        .text(" are posted in ")
        .channel(channel)
        .text(".")
}

pub fn public(giver: &str, receiver_id: Uuid, receiver: &str, text: &str) -> Message {
    Message::new()
        .text("🎉 Kudos to ")
        .mention(receiver_id, receiver)
        .text(" from ")
        .user(giver)
        .text(": ")
        .user(text)
}
