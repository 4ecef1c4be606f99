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
/// Whether `giver` thanked `receiver` with these words (ignoring case and runs of spaces)
/// since `since`. Takes a lock for the giver until the transaction ends, so of the same
/// kudos sent twice at once the second sees the first.
pub async fn same_given_since(
    conn: &mut sqlx::PgConnection,
    giver: Uuid,
    receiver: Uuid,
    body: &str,
    since: DateTime<Utc>,
) -> sqlx::Result<bool> {
    super::lock_until_commit(&mut *conn, &format!("kudos:{giver}")).await?;
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM kudos
                         WHERE giver_id = $1 AND receiver_id = $2 AND given_at >= $4
                           AND same_words(body, $3))",
    )
    .bind(giver)
    .bind(receiver)
    .bind(body)
    .bind(since)
    .fetch_one(&mut *conn)
    .await
}

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
/// the giver's own. Only live cohorts with a channel count: `None` when there is none.
pub async fn channel_for(
    ex: impl PgExecutor<'_>,
    giver: Uuid,
    receiver: Uuid,
) -> sqlx::Result<Option<String>> {
    // A cohort either person belongs to, as a learner or through a cohort role (a lead
    // mentor, a steward of that cohort): one they share first, then the receiver's, whose
    // thanks it is, then the giver's. Stewards and mentors who are not enrolled can thank.
    sqlx::query_scalar(
        "WITH related AS (
             SELECT cohort_id, member_id FROM enrollments
              WHERE status = 'active' AND member_id IN ($1, $2)
             UNION ALL
             SELECT cohort_id, member_id FROM member_roles
              WHERE cohort_id IS NOT NULL AND member_id IN ($1, $2))
         SELECT c.channel FROM related r JOIN cohorts c ON c.id = r.cohort_id
          WHERE c.channel IS NOT NULL AND c.archived_at IS NULL
          GROUP BY c.id, c.channel, c.slug
          ORDER BY bool_or(r.member_id = $1) AND bool_or(r.member_id = $2) DESC,
                   bool_or(r.member_id = $2) DESC, c.slug
          LIMIT 1",
    )
    .bind(giver)
    .bind(receiver)
    .fetch_optional(ex)
    .await
}
