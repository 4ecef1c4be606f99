//! What the dead-letter commands say.

use chrono::{DateTime, Utc};

use crate::render::{Message, count};

pub fn none() -> Message {
    Message::new().text("No failed posts. Everything was delivered.")
}

pub fn none_matching() -> Message {
    Message::new().text("No failed posts match that filter.")
}

/// The list's header, before its page number.
pub fn header(total: i64) -> Message {
    Message::new().text(format!(
        "{total} failed {} (newest first)",
        plural(total, "post", "posts")
    ))
}

/// One dead post: number, kind, recipient, why it died, and the last error.
#[allow(clippy::too_many_arguments)]
pub fn row(
    id: i64,
    kind: &str,
    to: &str,
    reason: &str,
    attempts: i32,
    queued: DateTime<Utc>,
    error: &str,
) -> Message {
    let why = match reason {
        "rejected" => "refused by the platform".to_owned(),
        "attempts" => format!("failed {}", count(attempts, "time", "times")),
        "deadline" => "too late to be useful".to_owned(),
        _ => "gave up".to_owned(),
    };
    Message::new()
        .line()
        .text(format!(
            "• #{id} {kind} → {to}, {why} (queued {}): ",
            queued.format("%Y-%m-%d %H:%M UTC")
        ))
        .user(error)
}

pub fn retry_hint() -> Message {
    Message::new()
        .line()
        .text("Queue one again with ")
        .code("/outbox retry <number>")
        .text(", or all of them with ")
        .code("/outbox retry all")
        .text(".")
}

pub fn bad_target(typed: &str) -> Message {
    Message::new()
        .text("I can't read ")
        .code(typed)
        .text(" as a post. Give its number from ")
        .code("/outbox failed")
        .text(" (like ")
        .code("42")
        .text(") or ")
        .code("all")
        .text(".")
}

pub fn filter_needs_all() -> Message {
    Message::new()
        .code("reason")
        .text(" and ")
        .code("kind")
        .text(" choose among many posts; use them with ")
        .code("/outbox retry all")
        .text(".")
}

pub fn unknown_post(id: i64) -> Message {
    Message::new()
        .text(format!("There is no failed post #{id}. "))
        .code("/outbox failed")
        .text(" lists them.")
}

pub fn requeued(requeued: u64, expired: u64) -> Message {
    let mut msg = if requeued == 0 {
        Message::new().text("Nothing was queued again.")
    } else {
        Message::new().text(format!(
            "Queued {requeued} {} again; delivery starts within seconds.",
            plural(requeued as i64, "post", "posts")
        ))
    };
    if expired > 0 {
        msg = msg.text(format!(
            " {expired} {} past {} deadline and stayed dead: it is too late for {}.",
            plural(expired as i64, "post is", "posts are"),
            if expired == 1 { "its" } else { "their" },
            if expired == 1 { "it" } else { "them" },
        ));
    }
    msg
}

fn plural(n: i64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
