//! `/me data export` links: a random token for one member's data, for an hour.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// The member's latest export made after `since`: (made at, link expires at).
pub async fn latest_since(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    since: DateTime<Utc>,
) -> sqlx::Result<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT created_at, expires_at FROM data_exports
          WHERE member_id = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(member_id)
    .bind(since)
    .fetch_optional(ex)
    .await
}

pub async fn create(
    ex: impl PgExecutor<'_>,
    token: &str,
    community_id: Uuid,
    member_id: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO data_exports (token, community_id, member_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token)
    .bind(community_id)
    .bind(member_id)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// The member whose data `token` exports, unless it is unknown or expired at `now`.
pub async fn live(
    ex: impl PgExecutor<'_>,
    token: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT member_id FROM data_exports WHERE token = $1 AND expires_at > $2")
        .bind(token)
        .bind(now)
        .fetch_optional(ex)
        .await
}
