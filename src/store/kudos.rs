//! Public thanks between members.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pub async fn give(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    giver: Uuid,
    receiver: Uuid,
    body: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO kudos (id, community_id, giver_id, receiver_id, body, given_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(giver)
    .bind(receiver)
    .bind(body)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Kudos `giver` gave at or after `since`.
pub async fn given_since(
    ex: impl PgExecutor<'_>,
    giver: Uuid,
    since: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM kudos WHERE giver_id = $1 AND given_at >= $2")
        .bind(giver)
        .bind(since)
        .fetch_one(ex)
        .await
}

pub async fn received_count(ex: impl PgExecutor<'_>, member: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM kudos WHERE receiver_id = $1")
        .bind(member)
        .fetch_one(ex)
        .await
}

/// The cohort channel where `giver` thanks `receiver`: a cohort both are in if any, else
/// the giver's own (earliest joined first). `None` when the giver is in no cohort.
pub async fn channel_for(
    ex: impl PgExecutor<'_>,
    giver: Uuid,
    receiver: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT coalesce(c.channel, c.slug) FROM enrollments e JOIN cohorts c ON c.id = e.cohort_id
         WHERE e.member_id = $1 AND e.status = 'active'
         ORDER BY EXISTS (SELECT 1 FROM enrollments r WHERE r.cohort_id = e.cohort_id
                          AND r.member_id = $2 AND r.status = 'active') DESC, e.joined_at
         LIMIT 1",
    )
    .bind(giver)
    .bind(receiver)
    .fetch_optional(ex)
    .await
}
