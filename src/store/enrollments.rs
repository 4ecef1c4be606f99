//! Enrollments of members in cohorts, and joins waiting for the code of conduct.

use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct ActiveEnrollment {
        pub id: Uuid,
        pub cohort_id: Uuid,
        pub cohort_slug: String,
        pub cohort_name: String,
        pub track_name: Option<String>,
        pub joined_at: DateTime<Utc>,
        /// The cohort is archived: its records stay, it runs no more.
        pub cohort_archived: bool,
    }
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct PendingJoin {
        pub cohort_id: Uuid,
        pub track_id: Option<Uuid>,
    }
}

pub async fn active_for_member(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
) -> sqlx::Result<Vec<ActiveEnrollment>> {
    sqlx::query_as(
        "SELECT e.id, e.cohort_id, c.slug AS cohort_slug, c.name AS cohort_name, t.name AS track_name, e.joined_at,
                c.archived_at IS NOT NULL AS cohort_archived
         FROM enrollments e
         JOIN cohorts c ON c.id = e.cohort_id
         LEFT JOIN tracks t ON t.id = e.track_id
         WHERE e.member_id = $1 AND e.status = 'active'
         ORDER BY e.joined_at, c.slug",
    )
    .bind(member_id)
    .fetch_all(ex)
    .await
}

/// Enrolls the member, with a streak row for the scheduler to settle; returns false if
/// an active enrollment already exists.
pub async fn enroll(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    member_id: Uuid,
    track_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let added: i64 = sqlx::query_scalar(
        "WITH joined AS (
             INSERT INTO enrollments (id, community_id, cohort_id, member_id, track_id, status, joined_at)
             VALUES ($1, $2, $3, $4, $5, 'active', $6)
             ON CONFLICT (cohort_id, member_id) WHERE status = 'active' DO NOTHING
             RETURNING community_id, cohort_id, member_id),
         streak AS (
             INSERT INTO streaks (community_id, cohort_id, member_id, settle_after)
             SELECT community_id, cohort_id, member_id, $6 FROM joined
             ON CONFLICT (cohort_id, member_id) DO UPDATE SET settle_after = EXCLUDED.settle_after)
         SELECT count(*) FROM joined",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(cohort_id)
    .bind(member_id)
    .bind(track_id)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(added == 1)
}

/// Marks an enrollment as left; the row stays as history.
pub async fn leave(
    ex: impl PgExecutor<'_>,
    enrollment_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    // A streak stops settling while its member is not in the cohort.
    let left: i64 = sqlx::query_scalar(
        "WITH left_now AS (
             UPDATE enrollments SET status = 'left', left_at = $2 WHERE id = $1 AND status = 'active'
             RETURNING cohort_id, member_id),
         paused AS (
             UPDATE streaks s SET settle_after = NULL FROM left_now l
             WHERE s.cohort_id = l.cohort_id AND s.member_id = l.member_id)
         SELECT count(*) FROM left_now",
    )
    .bind(enrollment_id)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(left == 1)
}

pub async fn set_pending(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    cohort_id: Uuid,
    track_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO pending_joins (member_id, community_id, cohort_id, track_id, requested_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (member_id) DO UPDATE
         SET cohort_id = EXCLUDED.cohort_id, track_id = EXCLUDED.track_id, requested_at = EXCLUDED.requested_at",
    )
    .bind(member_id)
    .bind(community_id)
    .bind(cohort_id)
    .bind(track_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Removes and returns the member's pending join, if any.
pub async fn take_pending(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
) -> sqlx::Result<Option<PendingJoin>> {
    sqlx::query_as("DELETE FROM pending_joins WHERE member_id = $1 RETURNING cohort_id, track_id")
        .bind(member_id)
        .fetch_optional(ex)
        .await
}

/// Learners actively enrolled in a cohort.
pub async fn active_count(ex: impl PgExecutor<'_>, cohort_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM enrollments WHERE cohort_id = $1 AND status = 'active'",
    )
    .bind(cohort_id)
    .fetch_one(ex)
    .await
}
