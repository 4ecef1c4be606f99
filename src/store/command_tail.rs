//! What a command writes after its own change, in one statement: the caller's open
//! question dropped, the command's posts and platform actions queued, and a Home publish
//! queued for each member it touched. One round trip, where it took one per row plus two:
//! on the server every round trip is a network wait, and a `/checkin` spent three of its
//! ten here.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use sqlx::types::Json;
use uuid::Uuid;

use super::home::LOCK_STARTED;
use super::outbox::PlatformAction;
use crate::render::Message;

/// A row to queue, to a channel or to a member (exactly one), under a unique key: a post
/// (a body) or a platform action (no body).
pub struct TailRow<'a> {
    pub key: String,
    pub channel: Option<&'a str>,
    pub member_id: Option<Uuid>,
    pub body: Option<&'a Message>,
    pub action: Option<PlatformAction>,
}

/// Everything a command leaves for the tail.
pub struct Tail<'a> {
    pub community_id: Uuid,
    /// The caller whose open question the command drops (any command but an answer).
    pub drops_question_of: Option<Uuid>,
    /// Queued in this order, so a recipient's rows go out in it.
    pub rows: Vec<TailRow<'a>>,
    /// Members whose Slack Home may show what changed: those who opened it get a publish
    /// queued (a no-op when the view did not change), after the posts.
    pub touched: &'a [Uuid],
}

/// Writes `tail`; returns the command of the open question it dropped, unless that had
/// expired (a question nobody can answer any more goes without a word).
pub async fn write(
    ex: impl PgExecutor<'_>,
    tail: &Tail<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    let empty = Message::new();
    let n = tail.rows.len();
    let (mut keys, mut channels) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut members, mut bodies, mut actions) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for row in &tail.rows {
        keys.push(row.key.as_str());
        channels.push(row.channel);
        members.push(row.member_id);
        bodies.push(Json(row.body.unwrap_or(&empty)));
        actions.push(row.action.map(Json));
    }
    // The Home rows read the posts' count, so the posts are queued (and numbered) first;
    // the key of a publish is the one `services::home::refresh` gives it. Two inserts, not
    // one fed by both: that one's generic plan guessed 100 rows for the arrays, so
    // PostgreSQL planned it afresh about every other run (`/checkin` fell to 769 ops/s).
    let dropped: Option<(String, DateTime<Utc>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH started AS ({LOCK_STARTED}),
         dropped AS (
             DELETE FROM questions WHERE member_id = $2 RETURNING command, expires_at
         ),
         posts AS (
             INSERT INTO outbox (community_id, idempotency_key, channel, member_id, body,
                                 action, next_attempt_at, created_at)
             SELECT $3, p.key, p.channel, p.member_id, p.body, p.action, $4, $4
               FROM unnest($5::text[], $6::text[], $7::uuid[], $8::jsonb[], $11::jsonb[])
                    WITH ORDINALITY AS p(key, channel, member_id, body, action, n)
              ORDER BY p.n
             ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING id
         ),
         homes AS (
             INSERT INTO outbox (community_id, idempotency_key, member_id, body, action,
                                 next_attempt_at, created_at)
             SELECT $3, 'home:' || s.member_id || ':' || (s.started + 1), s.member_id, $9, $10,
                    $4, $4
               FROM started s
              WHERE (SELECT count(*) FROM posts) >= 0
              ORDER BY s.member_id
             ON CONFLICT (idempotency_key) DO NOTHING
         )
         SELECT command, expires_at FROM dropped"
    )))
    .bind(tail.touched)
    .bind(tail.drops_question_of)
    .bind(tail.community_id)
    .bind(now)
    .bind(&keys)
    .bind(&channels)
    .bind(&members)
    .bind(&bodies)
    .bind(Json(&empty))
    .bind(Json(PlatformAction::PublishHome))
    .bind(&actions)
    .fetch_optional(ex)
    .await?;
    Ok(dropped
        .filter(|(_, expires_at)| *expires_at > now)
        .map(|(command, _)| command))
}
