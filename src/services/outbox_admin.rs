//! Stewards' view of posts the bot gave up on.

use sqlx::PgConnection;

use super::{Invocation, Outcome, ServiceResult};
use crate::render::Message;
use crate::store::outbox;

/// How many dead-lettered posts `/outbox failed` lists.
const LIST_MAX: i64 = 20;

mod text {
    use crate::render::Message;

    pub fn none() -> Message {
        Message::new().text("No failed posts. Everything was delivered.")
    }

    pub fn header(count: usize) -> Message {
        Message::new().text(format!(
            "Posts the bot gave up on (newest first, up to {count}):"
        ))
    }
}

pub async fn failed(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let rows = outbox::dead(&mut *tx, inv.caller.community_id, LIST_MAX).await?;
    if rows.is_empty() {
        return Ok(Outcome::reply(text::none(), inv.spec.visibility));
    }
    let mut reply = text::header(rows.len());
    for row in rows {
        let to = match (&row.channel, &row.display_name) {
            (Some(channel), _) => format!("#{channel}"),
            (None, Some(name)) => format!("DM to {name}"),
            (None, None) => "DM".to_owned(),
        };
        reply = reply
            .push(Message::new().line())
            .text(format!(
                "• #{} {} ({} attempts, queued {}): ",
                row.id,
                to,
                row.attempts,
                row.created_at.format("%Y-%m-%d %H:%M UTC")
            ))
            .user(row.last_error.unwrap_or_default());
    }
    Ok(Outcome::reply(reply, inv.spec.visibility))
}
