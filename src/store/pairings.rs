//! Pair-programming sessions and their "did you meet?" follow-up.

use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Pairing {
        pub id: Uuid,
        pub number: i32,
        pub learner_id: Uuid,
        pub learner_name: String,
        pub mentor_id: Uuid,
        pub mentor_name: String,
        pub topic: String,
        pub proposed_at: DateTime<Utc>,
        pub learner_met: Option<bool>,
        pub mentor_met: Option<bool>,
        pub cancelled: bool,
    }
}

const SELECT: &str = "SELECT p.id, p.number, p.learner_id, l.display_name AS learner_name,
        p.mentor_id, m.display_name AS mentor_name, p.topic, p.proposed_at, p.learner_met,
        p.mentor_met, p.cancelled_at IS NOT NULL AS cancelled
    FROM pairings p JOIN members l ON l.id = p.learner_id JOIN members m ON m.id = p.mentor_id";

#[allow(clippy::too_many_arguments)]
pub async fn create(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    learner: Uuid,
    mentor: Uuid,
    topic: &str,
    proposed_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "INSERT INTO pairings (id, community_id, number, cohort_id, learner_id, mentor_id, topic, proposed_at, created_at)
         VALUES ($1, $2, (SELECT coalesce(max(number), 0) + 1 FROM pairings WHERE community_id = $2),
                 $3, $4, $5, $6, $7, $8)
         RETURNING number",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(cohort_id)
    .bind(learner)
    .bind(mentor)
    .bind(topic)
    .bind(proposed_at)
    .bind(now)
    .fetch_one(ex)
    .await
}

pub async fn by_number(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    number: i64,
) -> sqlx::Result<Option<Pairing>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE p.community_id = $1 AND p.number = $2"
    )))
    .bind(community_id)
    .bind(number as i32)
    .fetch_optional(ex)
    .await
}

/// Records one side's answer.
pub async fn answer(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    learner_side: bool,
    met: bool,
) -> sqlx::Result<()> {
    let sql = if learner_side {
        "UPDATE pairings SET learner_met = $2 WHERE id = $1"
    } else {
        "UPDATE pairings SET mentor_met = $2 WHERE id = $1"
    };
    sqlx::query(sql).bind(id).bind(met).execute(ex).await?;
    Ok(())
}

/// Calls a pairing off, unless it was already called off or someone answered the
/// follow-up; whether it did.
pub async fn cancel(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE pairings SET cancelled_at = $3, cancelled_by = $2
          WHERE id = $1 AND cancelled_at IS NULL AND learner_met IS NULL AND mentor_met IS NULL",
    )
    .bind(id)
    .bind(by)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Pairings of the cohort whose proposed time is before `before` and that were not
/// followed up yet; marks them followed up in the same statement.
pub async fn take_for_follow_up(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Pairing>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH due AS (
             UPDATE pairings SET prompted_at = $3
             WHERE cohort_id = $1 AND prompted_at IS NULL AND proposed_at <= $2
               AND cancelled_at IS NULL
             RETURNING id)
         {SELECT} WHERE p.id IN (SELECT id FROM due) ORDER BY p.number"
    )))
    .bind(cohort_id)
    .bind(before)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// A session happened when one side said yes and neither said no: conflicting answers
/// do not count. Unqualified, for any query over `pairings`.
pub const MET: &str = "((learner_met OR mentor_met) AND learner_met IS DISTINCT FROM false \
                       AND mentor_met IS DISTINCT FROM false)";

/// Sessions a mentor had (see [`MET`]).
pub async fn met_count(ex: impl PgExecutor<'_>, mentor: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM pairings WHERE mentor_id = $1 AND {MET}"
    )))
    .bind(mentor)
    .fetch_one(ex)
    .await
}

/// A learner's pairing record: sessions requested, and those either side said happened.
pub async fn learner_record(ex: impl PgExecutor<'_>, learner: Uuid) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT count(*), count(*) FILTER (WHERE {MET}) FROM pairings
          WHERE learner_id = $1 AND cancelled_at IS NULL"
    )))
    .bind(learner)
    .fetch_one(ex)
    .await
}

/// Mentors this learner was paired with and did not meet (either side said no): a new
/// request goes to someone else when anyone else can take it.
pub async fn not_met_mentors(ex: impl PgExecutor<'_>, learner: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT DISTINCT mentor_id FROM pairings
          WHERE learner_id = $1 AND (learner_met = false OR mentor_met = false)
            AND NOT coalesce(learner_met OR mentor_met, false)",
    )
    .bind(learner)
    .fetch_all(ex)
    .await
}
