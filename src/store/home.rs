//! The Slack Home tab each member was last shown, and the publishes they are owed
//! (migrations/0032_home.sql explains the counting).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// The command tail's share of the Home: locks the rows of the members in `$1` who opened
/// their Home, in id order so two changes touching the same members cannot deadlock, and
/// returns each one's publishes started so far. Members who never opened it are left out
/// (nothing to refresh).
pub(super) const LOCK_STARTED: &str = "UPDATE home_views h SET started = h.started
     FROM (SELECT member_id FROM home_views WHERE member_id = ANY($1)
           ORDER BY member_id FOR UPDATE) locked
     WHERE h.member_id = locked.member_id
     RETURNING h.member_id, h.started";

/// The number of the publish owed to each of `members`, who opened their Home just now: a
/// member without a row gets one. Their rows stay locked for the rest of the transaction,
/// taken in id order as in [`LOCK_STARTED`].
pub async fn next_publishes(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    members: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, i32)>> {
    let started: Vec<(Uuid, i32)> = sqlx::query_as(
        "INSERT INTO home_views (member_id, community_id)
         SELECT m, $2 FROM unnest($1::uuid[]) m ORDER BY m
         ON CONFLICT (member_id) DO UPDATE SET started = home_views.started
         RETURNING member_id, started",
    )
    .bind(members)
    .bind(community_id)
    .fetch_all(ex)
    .await?;
    Ok(started.into_iter().map(|(id, n)| (id, n + 1)).collect())
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
