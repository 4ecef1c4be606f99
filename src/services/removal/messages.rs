//! What the stewards are told when the bot is removed from their community or added back.

use chrono::{DateTime, Utc};

use crate::render::Message;

pub fn removed(platform: &str, slug: &str, purge_at: DateTime<Utc>) -> Message {
    Message::new()
        .text(format!(
            "⚠️ I was removed from the {platform} of {slug}. Its data (members, check-ins, sessions, milestones, badges, everything I keep) will be deleted for good on {}.",
            purge_at.format("%a %-d %b %Y %H:%M UTC")
        ))
        .line()
        .text("To keep it, add me back before then.")
}

pub fn readded(platform: &str, slug: &str) -> Message {
    Message::new().text(format!(
        "✅ I'm back in the {platform} of {slug}: its data stays, and nothing will be deleted."
    ))
}
