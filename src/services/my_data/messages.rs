//! What `/me data export` says.

use chrono::{DateTime, Utc};

use crate::render::Message;

fn when(at: DateTime<Utc>) -> String {
    at.format("%a %-d %b %Y %H:%M UTC").to_string()
}

pub fn link(url: &str, expires: DateTime<Utc>) -> Message {
    Message::new()
        .text(format!(
            "🔐 Your data, as JSON ({}): {url}",
            super::document::SCHEMA
        ))
        .line()
        .text(format!(
            "It works until {} and only for you: don't share it. It holds everything I keep about you (your profile, roles, check-ins, sessions, milestones, badges, kudos you gave, reviews, pairings, approvals, tools, circles) and none of what others wrote.",
            when(expires)
        ))
}

pub fn once_a_day(
    made: DateTime<Utc>,
    expires: DateTime<Utc>,
    next: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Message {
    let link = if expires > now {
        format!(" Its link works until {}.", when(expires))
    } else {
        String::new()
    };
    Message::new().text(format!(
        "You asked for your data at {}, and there is one export a day.{link} Ask again after {}.",
        when(made),
        when(next)
    ))
}

pub fn no_public_url() -> Message {
    crate::services::messages::no_public_url("Your export comes as a link")
}
