//! Inactive mentors: learners' "unreachable" reports and the flags raised from them.

use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// The learner's active mentorships: (cohort, mentor), community mentors first.
pub async fn mentors_of_learner(
    ex: impl PgExecutor<'_>,
    learner: Uuid,
) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    sqlx::query_as(
        "SELECT cohort_id, mentor_id FROM mentorships
         WHERE learner_id = $1 AND ended_at IS NULL ORDER BY tier = 'community' DESC, started_at",
    )
    .bind(learner)
    .fetch_all(ex)
    .await
}

pub async fn report(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    learner: Uuid,
    mentor: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO mentor_reports (id, community_id, cohort_id, learner_id, mentor_id, reported_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(cohort_id)
    .bind(learner)
    .bind(mentor)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Silent {
        pub mentor_id: Uuid,
        pub display_name: String,
        pub platform_user_id: String,
        pub unanswered_checkins: i64,
        pub unclaimed_reviews: i64,
        pub reports: i64,
    }
}

/// Mentors of the cohort, not flagged yet, whose last sign of life (start, check-in reply,
/// review claim) is before `quiet_since` while learners wait: a check-in or review request
/// unanswered since before `quiet_since`, or any "unreachable" report since they were seen.
pub async fn silent_mentors(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    quiet_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Silent>> {
    sqlx::query_as(
        "WITH active AS (
             SELECT mentor_id, min(started_at) AS since, array_agg(learner_id) AS learners
             FROM mentorships WHERE cohort_id = $1 AND ended_at IS NULL GROUP BY mentor_id),
         last_seen AS (
             SELECT a.mentor_id, a.learners, greatest(a.since,
                 (SELECT max(r.created_at) FROM checkin_replies r JOIN checkins c ON c.id = r.checkin_id
                   WHERE r.mentor_member_id = a.mentor_id AND c.cohort_id = $1),
                 (SELECT max(v.claimed_at) FROM reviews v
                   WHERE v.claimed_by = a.mentor_id AND v.cohort_id = $1)) AS seen
             FROM active a),
         waiting AS (
             SELECT l.mentor_id, l.seen,
                 (SELECT count(*) FROM checkins c WHERE c.cohort_id = $1
                   AND c.member_id = ANY (l.learners) AND c.created_at > l.seen
                   AND c.created_at <= $2) AS unanswered_checkins,
                 (SELECT count(*) FROM reviews v WHERE v.cohort_id = $1 AND v.status = 'open'
                   AND v.learner_id = ANY (l.learners) AND v.requested_at <= $2) AS unclaimed_reviews,
                 (SELECT count(*) FROM mentor_reports p WHERE p.cohort_id = $1
                   AND p.mentor_id = l.mentor_id AND p.reported_at > l.seen) AS reports
             FROM last_seen l)
         SELECT w.mentor_id, m.display_name, m.platform_user_id,
                w.unanswered_checkins, w.unclaimed_reviews, w.reports
         FROM waiting w JOIN members m ON m.id = w.mentor_id
         WHERE w.seen < $2
           AND w.unanswered_checkins + w.unclaimed_reviews + w.reports > 0
           AND NOT EXISTS (SELECT 1 FROM mentor_flags f WHERE f.cohort_id = $1
                             AND f.mentor_id = w.mentor_id AND f.resolved_at IS NULL)
           -- Paused mentors get no prompts and no flags.
           AND NOT mentor_paused(w.mentor_id, $3)
         ORDER BY m.display_name",
    )
    .bind(cohort_id)
    .bind(quiet_since)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Raises a flag; false when one is already open.
pub async fn flag(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    mentor: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO mentor_flags (id, community_id, cohort_id, mentor_id, flagged_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(cohort_id)
    .bind(mentor)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn resolve(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    mentor: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE mentor_flags SET resolved_at = $3
         WHERE cohort_id = $1 AND mentor_id = $2 AND resolved_at IS NULL",
    )
    .bind(cohort_id)
    .bind(mentor)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Who hears about a flag: the cohort's lead mentors who are not paused and the stewards,
/// minus the mentor.
pub async fn flag_recipients(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    mentor: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM members m
         WHERE m.id <> $3 AND NOT mentor_paused(m.id, $4)
           AND (m.id IN (SELECT member_id FROM cohort_lead_mentors($2))
            OR m.id IN (SELECT member_id FROM member_roles WHERE community_id = $1
                          AND role = 'steward' AND cohort_id IS NULL))
         ORDER BY m.display_name",
    )
    .bind(community_id)
    .bind(cohort_id)
    .bind(mentor)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// The mentor's active learners in the cohort, with the tier they are mentored in.
pub async fn mentored_learners(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    mentor: Uuid,
) -> sqlx::Result<Vec<(Uuid, crate::domain::Tier)>> {
    sqlx::query_as(
        "SELECT learner_id, tier FROM mentorships WHERE cohort_id = $1 AND mentor_id = $2
           AND ended_at IS NULL ORDER BY tier, started_at, learner_id",
    )
    .bind(cohort_id)
    .bind(mentor)
    .fetch_all(ex)
    .await
}

/// Mentors with an open inactivity flag in the cohort: nobody is moved to them.
pub async fn flagged(ex: impl PgExecutor<'_>, cohort_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT mentor_id FROM mentor_flags WHERE cohort_id = $1 AND resolved_at IS NULL",
    )
    .bind(cohort_id)
    .fetch_all(ex)
    .await
}
