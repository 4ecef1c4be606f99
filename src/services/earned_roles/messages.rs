//! What earned roles say: the announcement in the cohort channel, and the reports to
//! stewards about roles changed by hand on the platform.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::render::Message;

/// In the cohort channel, for a rule that asks for it.
pub fn earned(member_id: Uuid, member: &str, role: &str) -> Message {
    Message::new()
        .text("🏅 ")
        .mention(member_id, member)
        .text(" earned the ")
        .strong(role)
        .text(" role!")
}

/// To stewards: reconciliation put back a role that was missing on the platform.
pub fn restored(member: &str, role: &str, platform: &str) -> Message {
    Message::new()
        .text("🔧 ")
        .user(member)
        .text("'s earned role ")
        .strong(role)
        .text(" was missing on ")
        .text(platform)
        .text(", so I put it back. If it was removed on purpose, remove it again: I'll leave it off and tell you.")
}

/// To stewards: removed again after it was put back, so it stays off.
pub fn left_off(member: &str, role: &str, platform: &str, restored_at: DateTime<Utc>) -> Message {
    Message::new()
        .text("🔧 ")
        .user(member)
        .text("'s earned role ")
        .strong(role)
        .text(" was removed on ")
        .text(platform)
        .text(" again after I put it back on ")
        .text(restored_at.format("%a %-d %b %Y").to_string())
        .text(". I'm leaving it off. Give it back on ")
        .text(platform)
        .text(" if that was a mistake.")
}
