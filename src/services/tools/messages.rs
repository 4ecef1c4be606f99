//! What the tool registry says.

use chrono::{DateTime, Utc};

use crate::render::{Message, count};
use crate::store::tools::{Settings, Status, Tool};

fn day(at: DateTime<Utc>) -> String {
    at.format("%a %-d %b %Y").to_string()
}

/// "#3 Expenses flow (flow, confidential data, about 40 users)".
fn named(tool: &Tool) -> Message {
    Message::new()
        .strong(format!("#{}", tool.number))
        .text(" ")
        .user(&tool.name)
        .text(format!(
            " ({}, {} data, about {})",
            tool.kind,
            tool.data_class,
            count(tool.users_estimate, "user", "users")
        ))
}

/// The title of the approval a registration files.
pub fn approval_title(name: &str) -> String {
    format!("Register tool: {name}")
}

pub fn registered(tool: &Tool) -> Message {
    Message::new()
        .text("🧰 Registered ")
        .push(named(tool))
        .text(" in ")
        .user(&tool.environment)
        .text(". You own it")
        .push(backup_clause(tool))
        .text(format!(
            ". I'll ask you on {} whether it is still in use and still as registered. See it with ",
            day(tool.review_due_at)
        ))
        .code(format!("/tool show {}", tool.number))
        .text(".")
}

fn backup_clause(tool: &Tool) -> Message {
    match &tool.backup_name {
        Some(name) => Message::new().text("; ").user(name).text(" is its backup"),
        None => Message::new(),
    }
}

/// The reply when the registration waits for an approval: why, then the approval's own
/// reply.
pub fn waiting_for_approval(tool: &Tool, settings: &Settings, filed: Message) -> Message {
    let why = if tool.users_estimate > settings.approval_over_users {
        format!(
            "more than {} use it",
            count(settings.approval_over_users, "person", "people")
        )
    } else {
        format!("it touches {} data", tool.data_class)
    };
    Message::new()
        .text("🧰 Registered ")
        .push(named(tool))
        .text(format!(
            ", waiting for approval because {why}. It becomes active once approved."
        ))
        .line()
        .push(filed)
}

pub fn told_backup(owner: &str, tool: &Tool) -> Message {
    Message::new()
        .text("🧰 ")
        .user(owner)
        .text(" named you the backup owner of ")
        .push(named(tool))
        .text(". You look after it when they can't, and may confirm it at its reviews (")
        .code(format!("/tool confirm {}", tool.number))
        .text(").")
}

pub fn backup_is_you() -> Message {
    Message::marked(
        "You own the tool already; a backup is someone else, who looks after it when you can't. Leave `backup:` out, or name a colleague.",
    )
}

pub fn name_taken(existing: &Tool) -> Message {
    Message::new()
        .text("A tool called ")
        .user(&existing.name)
        .text(format!(
            " is already registered (#{}, owned by ",
            existing.number
        ))
        .user(&existing.owner_name)
        .text("). Pick another name, or ask them to name you its backup.")
}

pub fn name_taken_plain(name: &str) -> Message {
    Message::new()
        .text("A tool called ")
        .user(name)
        .text(" is already registered. Pick another name.")
}

pub fn unknown_tool(typed: &str, suggestion: Option<&str>) -> Message {
    crate::services::messages::unknown_named("tool", typed, suggestion, "/tool list")
}

pub fn list(tools: &[Tool], limit: i64) -> Message {
    if tools.is_empty() {
        return Message::marked(
            "No tool is registered that way. Register one with `/tool register <name> <kind> <data> <users>`.",
        );
    }
    let mut msg = Message::new().text("🧰 Registered tools, newest first:");
    for tool in tools {
        msg = msg
            .line()
            .text("• ")
            .push(named(tool))
            .text(": ")
            .user(&tool.owner_name);
        if let Some(backup) = &tool.backup_name {
            msg = msg.text(" (backup ").user(backup).text(")");
        }
        msg = msg.text(format!(", {}", tool.status.label()));
        if tool.status == Status::Active {
            msg = msg.text(format!(", review {}", day(tool.review_due_at)));
        }
    }
    if tools.len() as i64 >= limit {
        msg = msg
            .line()
            .text(format!("The newest {limit} shown; narrow it with "))
            .code("owner:")
            .text(", ")
            .code("status:")
            .text(" or ")
            .code("data:")
            .text(".");
    }
    msg.line()
        .text("Details: ")
        .code("/tool show <number>")
        .text(".")
}

pub fn show(tool: &Tool, justification: &str, links: Option<&str>) -> Message {
    let mut msg = Message::new()
        .text("🧰 ")
        .push(named(tool))
        .text(format!(": {}.", tool.status.label()))
        .line()
        .text("Owner: ")
        .user(&tool.owner_name)
        .text(" · backup: ");
    msg = match &tool.backup_name {
        Some(name) => msg.user(name),
        None => msg.text("none"),
    };
    msg = msg
        .text(" · runs in ")
        .user(&tool.environment)
        .line()
        .text("Why: ")
        .user_indented(justification, "    ");
    if let Some(links) = links {
        msg = msg.line().text("Links: ").user(links);
    }
    msg = msg.line().text(format!(
        "Registered {}; next review {}.",
        day(tool.registered_at),
        day(tool.review_due_at)
    ));
    if let Some(number) = tool.approval_number {
        msg = msg
            .text(" Its approval: ")
            .code(format!("/approve show {number}"))
            .text(".");
    }
    msg
}

pub fn owners_only(tool: &Tool, verb: &str) -> Message {
    let who = if verb == "retire" {
        "its owner, its backup or a steward"
    } else {
        "its owner or its backup"
    };
    Message::new()
        .text(format!(
            "Only {who} can {verb} tool #{}; it belongs to ",
            tool.number
        ))
        .user(&tool.owner_name)
        .text(".")
}

pub fn not_active(tool: &Tool) -> Message {
    Message::new().text(format!(
        "Tool #{} is {}, so there is nothing to confirm.",
        tool.number,
        tool.status.label()
    ))
}

pub fn confirmed(tool: &Tool, next: DateTime<Utc>) -> Message {
    Message::new()
        .text("✅ Thanks: ")
        .push(named(tool))
        .text(format!(
            " stays registered. Its next review is on {}.",
            day(next)
        ))
}

pub fn already_retired(tool: &Tool) -> Message {
    Message::new().text(format!("Tool #{} is already retired.", tool.number))
}

pub fn retired(tool: &Tool) -> Message {
    Message::new()
        .text("🗄️ Retired ")
        .push(named(tool))
        .text(". Its name is free for a new tool; its record stays.")
}

pub fn retired_by(who: &str, tool: &Tool) -> Message {
    Message::new()
        .text("🗄️ ")
        .user(who)
        .text(" retired your tool ")
        .push(named(tool))
        .text(".")
}

/// The review DM to a tool's owner and backup.
pub fn review_due(tool: &Tool, review_days: i32, unanswered_days: i64) -> Message {
    Message::new()
        .text("🔁 Review time for ")
        .push(named(tool))
        .text(" in ")
        .user(&tool.environment)
        .text(": is it still in use, and still as registered? ")
        .code(format!("/tool confirm {}", tool.number))
        .text(format!(" keeps it for another {review_days} days; "))
        .code(format!("/tool retire {}", tool.number))
        .text(format!(
            " if it is gone. Unanswered for {unanswered_days} days, the stewards are told."
        ))
}

/// The DM to stewards about a tool nobody reviewed.
pub fn unreviewed(tool: &Tool) -> Message {
    let msg = Message::new()
        .text("🧰 Nobody confirmed ")
        .push(named(tool))
        .text(" at its review. Owner: ")
        .user(&tool.owner_name);
    let msg = match &tool.backup_name {
        Some(name) => msg.text(", backup: ").user(name),
        None => msg.text(", no backup"),
    };
    msg.text(". They may have moved on: find it a new owner, or retire it with ")
        .code(format!("/tool retire {}", tool.number))
        .text(".")
}
