//! What erasure requests say.

use chrono::{DateTime, Utc};

use crate::render::Message;
use crate::store::erasures::{Listed, Request};

fn day(at: DateTime<Utc>) -> String {
    at.format("%a %-d %b %Y").to_string()
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%a %-d %b %Y %H:%M UTC").to_string()
}

/// What an erasure does, in a member's words.
const WHAT_HAPPENS: &str = "Your check-ins, notes, skills and other words are blanked or deleted, your name becomes \"Former member\", your badges are revoked, and you leave your cohorts. The program's numbers keep counting what you did, without you.";

pub fn confirm_first(slug: &str, typed: Option<&str>) -> Message {
    // The handle, not the community's display name, confirms: say which is wanted.
    let start = match typed {
        Some(typed) => Message::new()
            .text("That is not this community's handle, ")
            .code(slug)
            .text(": you typed ")
            .user(typed.trim())
            .text(". "),
        None => Message::new(),
    };
    start
        .text("Deleting your data cannot be undone once it runs. ")
        .text(WHAT_HAPPENS)
        .line()
        .text("To go ahead, type ")
        .code(format!("/me data delete confirm:{slug}"))
        .text(format!(". It runs after {} days, and ", super::GRACE_DAYS))
        .code("/me data cancel")
        .text(" stops it until then.")
}

pub fn asked_own(slug: &str, due: DateTime<Utc>) -> Message {
    Message::new()
        .text(format!(
            "🗑️ Your data in {slug} will be erased at {}. ",
            when(due)
        ))
        .text(WHAT_HAPPENS)
        .line()
        .text("Changed your mind? ")
        .code("/me data cancel")
        .text(" stops it until then. Want a copy first? ")
        .code("/me data export")
        .text(".")
}

pub fn asked_for(name: &str, request: &Request) -> Message {
    Message::new()
        .text(format!("🗑️ Erasure request #{} for ", request.number))
        .user(name)
        .text(format!(
            ": it runs at {}, and must be done by {} (a month from today). ",
            when(request.due_at),
            day(request.deadline)
        ))
        .text("They are told, and ")
        .code("/me data cancel")
        .text(" or ")
        .code("/privacy cancel")
        .text(" stops it until then.")
}

pub fn told_of_request(steward: &str, slug: &str, due: DateTime<Utc>) -> Message {
    Message::new()
        .user(steward)
        .text(format!(
            ", a steward, asked to erase your data in {slug} on your behalf. It runs at {}. ",
            when(due)
        ))
        .text(WHAT_HAPPENS)
        .line()
        .text("If you did not ask for this, ")
        .code("/me data cancel")
        .text(" stops it. Want a copy first? ")
        .code("/me data export")
        .text(".")
}

/// `other`: the member's name, when a steward asked for someone else.
pub fn last_steward(other: Option<&str>) -> Message {
    let msg = match other {
        None => Message::new().text("You are the community's only steward"),
        Some(name) => Message::new()
            .user(name)
            .text(" is the community's only steward"),
    };
    msg.text(
        ", and erasing the data ends the role: nobody would be left to grant it again. First make someone else a steward with ",
    )
    .code("/role grant <member> steward")
    .text(", then ask again.")
}

pub fn already_waiting(other: Option<&str>, waiting: &Request) -> Message {
    let start = match other {
        Some(name) => Message::new().user(name).text(format!(
            "'s data is already to be erased (request #{}), ",
            waiting.number
        )),
        None => Message::new().text("Your data is already to be erased, "),
    };
    start.text(format!("at {}. Nothing more to do.", when(waiting.due_at)))
}

pub fn nothing_waiting_own() -> Message {
    Message::new()
        .text("You have no erasure waiting, so there is nothing to cancel. To ask for one: ")
        .code("/me data delete")
        .text(".")
}

pub fn nothing_waiting_for(name: &str) -> Message {
    Message::new()
        .user(name)
        .text(" has no erasure waiting, so there is nothing to cancel. ")
        .code("/privacy requests")
        .text(" lists them.")
}

pub fn cancelled_own() -> Message {
    Message::new().text("✅ Cancelled: your data stays as it is.")
}

pub fn cancelled_for(name: &str, number: i32) -> Message {
    Message::new()
        .text(format!("✅ Erasure request #{number} for "))
        .user(name)
        .text(" is cancelled; they are told.")
}

pub fn told_of_cancel(steward: &str) -> Message {
    Message::new()
        .user(steward)
        .text(", a steward, cancelled the erasure of your data: it stays as it is. To ask again: ")
        .code("/me data delete")
        .text(".")
}

/// To the steward who asked, once the job has run.
pub fn done_for_steward(number: i32) -> Message {
    Message::new().text(format!(
        "🗑️ Erasure request #{number} is done: the member is now \"Former member\", their words are gone, and their badges are revoked."
    ))
}

pub fn requests(listed: &[Listed], now: DateTime<Utc>) -> Message {
    if listed.is_empty() {
        return Message::new().text(format!(
            "No erasure requests waiting, and none settled in the last {} days.",
            super::LISTED_DAYS
        ));
    }
    let mut reply = Message::new().strong("Erasure requests");
    for request in listed {
        reply = reply
            .line()
            .text(format!("#{} ", request.number))
            .user(&request.member_name)
            .text(" · ");
        reply = match (request.status.as_str(), request.settled_at) {
            ("done", Some(at)) => reply.text(format!("✅ erased {}", day(at))),
            ("cancelled", Some(at)) => reply.text(format!("↩️ cancelled {}", day(at))),
            _ if request.deadline < now => reply.text(format!(
                "⚠️ runs {} · past its deadline of {}",
                when(request.due_at),
                day(request.deadline)
            )),
            _ => reply.text(format!(
                "⏳ runs {} · deadline {}",
                when(request.due_at),
                day(request.deadline)
            )),
        };
        reply = reply.text(format!(" · asked {} by ", day(request.requested_at)));
        reply = if request.by_themself {
            reply.text("themself")
        } else {
            reply.user(&request.requester_name)
        };
    }
    reply
}
