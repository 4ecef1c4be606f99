//! Outbox rows: enqueue with an idempotency key, claim with a lease, record the result.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use sqlx::types::Json;
use uuid::Uuid;

use crate::render::Message;
use crate::store::pg_row;

/// Adds a post unless one with the same key exists; true when added.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    key: &str,
    channel: Option<&str>,
    member_id: Option<Uuid>,
    body: &Message,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO outbox (community_id, idempotency_key, channel, member_id, body, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(community_id)
    .bind(key)
    .bind(channel)
    .bind(member_id)
    .bind(Json(body))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

pg_row! {
    /// A claimed row, joined with what the sender needs to address a DM.
    #[derive(Debug, Clone)]
    pub struct Claimed {
        pub id: i64,
        pub community_id: Uuid,
        pub channel: Option<String>,
        pub member_id: Option<Uuid>,
        pub platform: Option<String>,
        pub platform_user_id: Option<String>,
        pub display_name: Option<String>,
        pub body: Json<Message>,
        /// Including this one.
        pub attempts: i32,
    }
}

/// Leases up to `limit` ready rows until `lease_until`. Committed on return: no transaction
/// is held while sending. `SKIP LOCKED` lets several dispatchers share the table.
pub async fn claim(
    ex: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
    platform: Option<&str>,
) -> sqlx::Result<Vec<Claimed>> {
    // `platform` narrows the claim to communities living on that platform, so one
    // dispatcher per platform can run side by side in a server.
    sqlx::query_as(
        "WITH ready AS (
             SELECT id FROM outbox
             WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
               AND ($4::text IS NULL OR EXISTS (
                   SELECT 1 FROM communities c WHERE c.id = outbox.community_id
                     AND CASE $4 WHEN 'discord' THEN c.discord_guild_id IS NOT NULL
                                 WHEN 'slack' THEN c.slack_team_id IS NOT NULL
                                 ELSE false END))
             ORDER BY next_attempt_at, id
             LIMIT $3
             FOR UPDATE SKIP LOCKED),
         leased AS (
             UPDATE outbox o SET lease_until = $2, attempts = o.attempts + 1
             FROM ready WHERE o.id = ready.id
             RETURNING o.id, o.community_id, o.channel, o.member_id, o.body, o.attempts)
         SELECT l.id, l.community_id, l.channel, l.member_id, m.platform, m.platform_user_id, m.display_name,
                l.body, l.attempts
         FROM leased l LEFT JOIN members m ON m.id = l.member_id
         ORDER BY l.id",
    )
    .bind(now)
    .bind(lease_until)
    .bind(limit)
    .bind(platform)
    .fetch_all(ex)
    .await
}

pub async fn mark_sent(
    ex: impl PgExecutor<'_>,
    id: i64,
    platform_message_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'sent', platform_message_id = $2, sent_at = $3, lease_until = NULL, last_error = NULL
         WHERE id = $1",
    )
    .bind(id)
    .bind(platform_message_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn retry_later(
    ex: impl PgExecutor<'_>,
    id: i64,
    at: DateTime<Utc>,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET next_attempt_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .bind(error)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn mark_dead(ex: impl PgExecutor<'_>, id: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'dead', lease_until = NULL, last_error = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .execute(ex)
    .await?;
    Ok(())
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct DeadRow {
        pub id: i64,
        pub channel: Option<String>,
        pub display_name: Option<String>,
        pub attempts: i32,
        pub last_error: Option<String>,
        pub created_at: DateTime<Utc>,
    }
}

pub async fn dead(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<DeadRow>> {
    sqlx::query_as(
        "SELECT o.id, o.channel, m.display_name, o.attempts, o.last_error, o.created_at
         FROM outbox o LEFT JOIN members m ON m.id = o.member_id
         WHERE o.community_id = $1 AND o.status = 'dead' ORDER BY o.id DESC LIMIT $2",
    )
    .bind(community_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}
