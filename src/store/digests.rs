//! Aggregates for the cohort and mentor digests. The channel's digest has counts and names
//! only, never check-in text; a lead's own digest also sets each learner's plan against
//! what they did, as their check-in history would show the lead.

use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pg_row! {
    /// What the digest shows beside the week's check-in rate (`store::metrics`); its
    /// confidence is the dashboard's (`metric_confidence`).
    #[derive(Debug, Clone)]
    pub struct CohortFigures {
        pub open_blockers: i64,
        pub confidence: Option<f64>,
        pub previous_confidence: Option<f64>,
    }
}

pub async fn cohort_figures(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    period: &str,
    previous: &str,
) -> sqlx::Result<CohortFigures> {
    sqlx::query_as(
        "WITH active AS (SELECT member_id FROM enrollments WHERE cohort_id = $1 AND status = 'active')
         SELECT
           (SELECT count(*) FROM checkins k JOIN active a USING (member_id)
              WHERE k.cohort_id = $1 AND k.blockers IS NOT NULL AND k.blocker_resolved_at IS NULL) AS open_blockers,
           (SELECT confidence FROM metric_confidence($1, ARRAY[$2])) AS confidence,
           (SELECT confidence FROM metric_confidence($1, ARRAY[$3])) AS previous_confidence",
    )
    .bind(cohort_id)
    .bind(period)
    .bind(previous)
    .fetch_one(ex)
    .await
}

/// Of `periods` (this month's weeks so far), how many the cohort ran (prompts went out), and
/// the active learners with a check-in for every one of those weeks, early or late (a week
/// they were excused from does not count against them). A week
/// is the cohort's, not the learner's: someone who joined mid-month is not "every week".
pub async fn checked_in_every_week(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    periods: &[String],
) -> sqlx::Result<(i64, Vec<String>)> {
    // Set operations, not a probe per learner and week: a week is missed when the learner
    // has neither a check-in for it nor an excuse.
    sqlx::query_as(
        "WITH weeks AS (SELECT DISTINCT period FROM checkin_prompts
                         WHERE cohort_id = $1 AND period = ANY ($2)),
              missed AS (
                SELECT e.member_id, w.period FROM enrollments e, weeks w
                 WHERE e.cohort_id = $1 AND e.status = 'active'
                EXCEPT
                SELECT k.member_id, k.period FROM checkins k
                 WHERE k.cohort_id = $1 AND k.period = ANY ($2)
                EXCEPT
                SELECT x.member_id, x.period FROM excused_weeks($1, NULL, $2) x)
         SELECT (SELECT count(*) FROM weeks),
                ARRAY (SELECT m.display_name FROM enrollments e JOIN members m ON m.id = e.member_id
                        WHERE e.cohort_id = $1 AND e.status = 'active'
                          AND EXISTS (SELECT 1 FROM weeks)
                          AND NOT EXISTS (SELECT 1 FROM missed WHERE missed.member_id = e.member_id)
                        ORDER BY m.display_name)",
    )
    .bind(cohort_id)
    .bind(periods)
    .fetch_one(ex)
    .await
}

/// The newest week whose prompts went out at or before `at`.
pub async fn latest_prompted_period(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    at: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT max(period) FROM checkin_prompts WHERE cohort_id = $1 AND sent_at <= $2",
    )
    .bind(cohort_id)
    .bind(at)
    .fetch_one(ex)
    .await
}

/// The cohort's lead mentors: group leads and holders of the cohort's lead mentor role.
pub async fn lead_mentors(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM members m
         WHERE m.id IN (SELECT member_id FROM cohort_lead_mentors($1))
           AND NOT mentor_paused(m.id, $2)
         ORDER BY m.display_name",
    )
    .bind(cohort_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

crate::store::row::text_enum! {
    /// A learner's health (`learner_health`, migration 0045).
    pub enum Health {
        /// None of the at-risk rules holds and they have had two weeks to show it.
        OnTrack = "on_track",
        /// Not away, and missed their last two weeks, feel unsure, or a blocker waits.
        NeedsCheckin = "needs_checkin",
        /// Fewer than two of their weeks were prompted: nothing to judge by yet.
        TooEarly = "too_early",
    }
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct LearnerStatus {
        pub display_name: String,
        /// The learner's platform handle, for a Reply button.
        pub handle: String,
        /// The week of the learner's latest check-in in the cohort, if any.
        pub latest_period: Option<String>,
        pub checked_in: bool,
        /// Excused this week (away, or days off) and not checked in: never at risk for it.
        pub away: bool,
        pub missed_two: bool,
        pub latest_confidence: Option<i16>,
        /// The latest confidence is at or under the at-risk line.
        pub low_confidence: bool,
        pub oldest_open_blocker: Option<DateTime<Utc>>,
        /// A blocker has been open longer than the at-risk line.
        pub old_blocker: bool,
        pub health: Health,
        /// What the week before's check-in planned for this week.
        pub planned: Option<String>,
        /// What this week's check-in says was done.
        pub done: Option<String>,
    }
}

/// Status of each learner `mentor` mentors in the cohort in `period`, for the mentor digest:
/// the at-risk rules and health are `learner_health`'s, for just these learners.
pub async fn mentored_status(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    mentor_id: Uuid,
    period: &str,
    now: DateTime<Utc>,
    with_mentees: bool,
) -> sqlx::Result<Vec<LearnerStatus>> {
    sqlx::query_as(
        "WITH mine AS (
             SELECT e.member_id FROM enrollments e
              WHERE e.cohort_id = $1 AND e.status = 'active'
                AND (EXISTS (SELECT 1 FROM mentored_cohorts($2, e.member_id) x WHERE x.cohort_id = $1)
                     OR ($5 AND EXISTS (SELECT 1 FROM mentorships s WHERE s.cohort_id = $1
                                          AND s.mentor_id = $2 AND s.learner_id = e.member_id
                                          AND s.ended_at IS NULL))))
         SELECT m.display_name, m.platform_user_id AS handle, h.latest_period, h.checked_in,
                h.away, h.missed_two, h.latest_confidence, h.low_confidence,
                h.oldest_open_blocker, h.old_blocker, h.health,
                (SELECT k.plan FROM checkins k WHERE k.cohort_id = $1 AND k.member_id = m.id
                   AND k.period = to_char(to_date($3, 'IYYY-\"W\"IW') - 7, 'IYYY-\"W\"IW')) AS planned,
                (SELECT k.progress FROM checkins k WHERE k.cohort_id = $1 AND k.member_id = m.id
                   AND k.period = $3) AS done
         FROM learner_health($1, (SELECT array_agg(member_id) FROM mine), $3, $4) h
         JOIN members m ON m.id = h.member_id
         WHERE EXISTS (SELECT 1 FROM mine)
         ORDER BY m.display_name",
    )
    .bind(cohort_id)
    .bind(mentor_id)
    .bind(period)
    .bind(now)
    .bind(with_mentees)
    .fetch_all(ex)
    .await
}
