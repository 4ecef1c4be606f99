//! What `/audit` says.

use chrono::NaiveDate;

use crate::render::Message;
use crate::store::audit::Entry;

pub fn header(member: Option<&str>, since: Option<NaiveDate>) -> Message {
    let mut msg = Message::new().text("📜 Audit log");
    if let Some(name) = member {
        msg = msg.text(" of ").user(name);
    }
    if let Some(day) = since {
        msg = msg.text(format!(" since {}", day.format("%a %-d %b %Y")));
    }
    msg.text(", newest first")
}

pub fn empty(member: Option<&str>) -> Message {
    match member {
        Some(name) => Message::new()
            .text("📜 Nothing in the audit log for ")
            .user(name)
            .text(" in that time."),
        None => Message::new().text("📜 Nothing in the audit log in that time."),
    }
}

/// "Sat 5 Dec 2026 07:20 UTC · Sam Carter · approval.requested · request 1, kind tool".
pub fn entry(entry: &Entry) -> Message {
    let mut msg = Message::new()
        .text("• ")
        .text(entry.at.format("%a %-d %b %Y %H:%M UTC").to_string())
        .text(" · ");
    msg = match &entry.actor_name {
        Some(name) => msg.user(name),
        None => msg.text("the bot"),
    };
    msg = msg.text(" · ").code(&entry.action);
    let detail = detail(&entry.detail);
    if detail.is_empty() {
        msg
    } else {
        msg.text(" · ").user(detail)
    }
}

/// A detail object as `key value` pairs; lists by their length (they hold ids).
fn detail(value: &serde_json::Value) -> String {
    let Some(object) = value.as_object() else {
        return String::new();
    };
    object
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(key, v)| {
            let shown = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => format!("{} listed", items.len()),
                other => other.to_string(),
            };
            format!("{} {shown}", key.replace('_', " "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
