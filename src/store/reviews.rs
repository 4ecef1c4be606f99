//! Review requests: open, claimed by a mentor, done with structured feedback.

use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Review {
        pub id: Uuid,
        pub number: i32,
        pub cohort_id: Uuid,
        pub learner_id: Uuid,
        pub learner_name: String,
        pub url: String,
        pub topic: Option<String>,
        pub status: ReviewStatus,
        pub claimed_by: Option<Uuid>,
    }
}

crate::store::row::text_enum! {
    /// Where a review request stands (`reviews.status`).
    pub enum ReviewStatus {
        Open = "open",
        Claimed = "claimed",
        Done = "done",
        Cancelled = "cancelled",
    }
}

const SELECT: &str =
    "SELECT r.id, r.number, r.cohort_id, r.learner_id, m.display_name AS learner_name,
        r.url, r.topic, r.status, r.claimed_by
    FROM reviews r JOIN members m ON m.id = r.learner_id";

/// Requests still waiting: open or claimed (not done, not cancelled).
pub async fn open_count(ex: impl PgExecutor<'_>, learner: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM reviews WHERE learner_id = $1 AND status IN ('open', 'claimed')",
    )
    .bind(learner)
    .fetch_one(ex)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn create(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    learner: Uuid,
    url: &str,
    topic: Option<&str>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<i32> {
    // Numbers count up per community; the unique key settles a race by failing one insert.
    sqlx::query_scalar(
        "INSERT INTO reviews (id, community_id, number, cohort_id, learner_id, url, topic, note, status, requested_at)
         VALUES ($1, $2, (SELECT coalesce(max(number), 0) + 1 FROM reviews WHERE community_id = $2),
                 $3, $4, $5, $6, $7, 'open', $8)
         RETURNING number",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(cohort_id)
    .bind(learner)
    .bind(url)
    .bind(topic)
    .bind(note)
    .bind(now)
    .fetch_one(ex)
    .await
}

pub async fn by_number(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    number: i64,
) -> sqlx::Result<Option<Review>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.community_id = $1 AND r.number = $2 FOR UPDATE OF r"
    )))
    .bind(community_id)
    .bind(number as i32)
    .fetch_optional(ex)
    .await
}

pub async fn claim(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    mentor: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE reviews SET status = 'claimed', claimed_by = $2, claimed_at = $3
         WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(mentor)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Cancels an open or claimed request; the claimer's id and name when it was claimed.
/// `None` when it was done or cancelled already.
pub async fn cancel(
    ex: impl PgExecutor<'_>,
    id: Uuid,
) -> sqlx::Result<Option<Option<(Uuid, String)>>> {
    let row: Option<(Option<Uuid>, Option<String>)> = sqlx::query_as(
        "UPDATE reviews r SET status = 'cancelled'
          WHERE r.id = $1 AND r.status IN ('open', 'claimed')
         RETURNING r.claimed_by,
                   (SELECT display_name FROM members m WHERE m.id = r.claimed_by)",
    )
    .bind(id)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(id, name)| id.zip(name)))
}

pub async fn complete(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    works: &str,
    improve: &str,
    next_step: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE reviews SET status = 'done', done_at = $2, works = $3, improve = $4, next_step = $5
         WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(works)
    .bind(improve)
    .bind(next_step)
    .execute(ex)
    .await?;
    Ok(())
}

/// Open requests of the cohort older than `before` and not yet escalated; marks them
/// escalated in the same statement, so each is re-announced once.
pub async fn take_for_escalation(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Review>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH due AS (
             UPDATE reviews SET escalated_at = $3
             WHERE cohort_id = $1 AND status = 'open' AND escalated_at IS NULL AND requested_at <= $2
             RETURNING id)
         {SELECT} WHERE r.id IN (SELECT id FROM due) ORDER BY r.number"
    )))
    .bind(cohort_id)
    .bind(before)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// The learner's active mentors in a cohort, leads first: (id, name).
pub async fn learner_mentors(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    learner: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM mentorships s JOIN members m ON m.id = s.mentor_id
         WHERE s.cohort_id = $1 AND s.learner_id = $2 AND s.ended_at IS NULL
         ORDER BY s.tier = 'lead' DESC, m.display_name",
    )
    .bind(cohort_id)
    .bind(learner)
    .fetch_all(ex)
    .await
}

/// Who hears about an unclaimed review, paused mentors left out: the learner's lead, else
/// every lead of the cohort.
pub async fn escalation_leads(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    learner: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "WITH own AS (SELECT mentor_id FROM mentorships WHERE cohort_id = $1 AND learner_id = $2
                         AND tier = 'lead' AND ended_at IS NULL AND NOT mentor_paused(mentor_id, $3))
         SELECT m.id, m.display_name FROM members m WHERE m.id IN (SELECT mentor_id FROM own)
         UNION
         SELECT m.id, m.display_name FROM members m
         WHERE NOT EXISTS (SELECT 1 FROM own) AND NOT mentor_paused(m.id, $3)
           AND m.id IN (SELECT member_id FROM cohort_lead_mentors($1))
         ORDER BY 2",
    )
    .bind(cohort_id)
    .bind(learner)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Reviews a mentor finished.
pub async fn done_by(ex: impl PgExecutor<'_>, mentor: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM reviews WHERE claimed_by = $1 AND status = 'done'")
        .bind(mentor)
        .fetch_one(ex)
        .await
}

/// Reviews a mentor claimed and has not finished.
pub async fn open_for(ex: impl PgExecutor<'_>, mentor: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM reviews WHERE claimed_by = $1 AND status = 'claimed'")
        .bind(mentor)
        .fetch_one(ex)
        .await
}

/// How long, on average, the mentor took to claim the reviews they claimed, in hours.
pub async fn mean_claim_hours(ex: impl PgExecutor<'_>, mentor: Uuid) -> sqlx::Result<Option<f64>> {
    sqlx::query_scalar(
        "SELECT (avg(extract(epoch FROM claimed_at - requested_at)) / 3600)::float8
         FROM reviews WHERE claimed_by = $1",
    )
    .bind(mentor)
    .fetch_one(ex)
    .await
}

/// Open requests `mentor` could claim (not their own), oldest first: `limit` of them, and
/// how many there are.
pub async fn claimable(
    tx: &mut sqlx::PgConnection,
    community_id: Uuid,
    mentor: Uuid,
    limit: i64,
) -> sqlx::Result<(Vec<Review>, i64)> {
    let shown = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE r.community_id = $1 AND r.status = 'open' AND r.learner_id <> $2
         ORDER BY r.requested_at, r.number LIMIT $3"
    )))
    .bind(community_id)
    .bind(mentor)
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let total = sqlx::query_scalar(
        "SELECT count(*) FROM reviews WHERE community_id = $1 AND status = 'open' AND learner_id <> $2",
    )
    .bind(community_id)
    .bind(mentor)
    .fetch_one(&mut *tx)
    .await?;
    Ok((shown, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_text_is_an_error() {
        for status in [
            ReviewStatus::Open,
            ReviewStatus::Claimed,
            ReviewStatus::Done,
            ReviewStatus::Cancelled,
        ] {
            assert_eq!(status.as_str().parse::<ReviewStatus>(), Ok(status));
        }
        assert_eq!(
            "closed".parse::<ReviewStatus>(),
            Err("`closed` is not a ReviewStatus".to_owned())
        );
    }
}
