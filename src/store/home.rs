//! The Slack Home tab each member was last shown, and the publishes they are owed
//! (migrations/0032_home.sql explains the counting).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// The number of the publish a change should queue for `member_id`, locking their row for
/// the rest of the transaction; `None` when they never opened their Home (nothing to
/// refresh). With `opened`, a member without a row gets one.
pub async fn next_publish(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    opened: bool,
) -> sqlx::Result<Option<i32>> {
    let started: Option<i32> = if opened {
        sqlx::query_scalar(
            "INSERT INTO home_views (member_id, community_id) VALUES ($1, $2)
             ON CONFLICT (member_id) DO UPDATE SET started = home_views.started
             RETURNING started",
        )
        .bind(member_id)
        .bind(community_id)
        .fetch_optional(ex)
        .await?
    } else {
        sqlx::query_scalar(
            "UPDATE home_views SET started = started WHERE member_id = $1 RETURNING started",
        )
        .bind(member_id)
        .fetch_optional(ex)
        .await?
    };
    Ok(started.map(|n| n + 1))
}

/// Begins a publish for `member_id`: later changes queue the next one. Returns the hash of
/// the view last published.
pub async fn begin_publish(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
) -> sqlx::Result<Option<String>> {
    let hash: Option<Option<String>> = sqlx::query_scalar(
        "UPDATE home_views SET started = started + 1 WHERE member_id = $1
         RETURNING published_hash",
    )
    .bind(member_id)
    .fetch_optional(ex)
    .await?;
    Ok(hash.flatten())
}

/// Records what was published.
pub async fn published(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    hash: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE home_views SET published_hash = $2, published_at = $3 WHERE member_id = $1",
    )
    .bind(member_id)
    .bind(hash)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}
