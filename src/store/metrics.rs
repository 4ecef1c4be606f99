//! The program's metrics, read from their SQL definitions (migration 0041): every report
//! that shows one of them calls these, so the digest and `/stats` agree to the learner.

use chrono::{DateTime, Utc};
use sqlx::{Connection, PgConnection, PgExecutor, PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::domain::Period;
use crate::store::pg_row;

pg_row! {
    /// One week's check-in rate: answered ÷ (prompted − excused).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CheckinRate {
        pub period: String,
        /// Learners prompted that week, or who checked in for it early.
        pub prompted: i64,
        pub answered: i64,
        /// Of the answers, those in time (early ones included) and those late.
        pub on_time: i64,
        pub late: i64,
        /// Prompted learners without a check-in whose week is excused: out of the rate.
        pub excused: i64,
        /// A whole percent, rounded half up; `None` when nobody was expected.
        pub rate: Option<i32>,
    }
}

impl CheckinRate {
    /// The learners the rate is out of.
    pub fn expected(&self) -> i64 {
        self.prompted - self.excused
    }
}

/// The check-in rate of each week in `periods`, in week order (a week without prompts has
/// zero counts and no rate).
pub async fn checkin_rates(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    periods: &[String],
) -> sqlx::Result<Vec<CheckinRate>> {
    sqlx::query_as("SELECT * FROM metric_checkin_rate($1, $2)")
        .bind(cohort_id)
        .bind(periods)
        .fetch_all(ex)
        .await
}

/// Learners active in each week of `periods`, in week order.
pub async fn active_learners(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    periods: &[String],
) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT period, active FROM metric_active_learners($1, $2)")
        .bind(cohort_id)
        .bind(periods)
        .fetch_all(ex)
        .await
}

crate::store::row::text_enum! {
    /// A step of the funnel, as the SQL names it.
    pub enum FunnelStep {
        Joined = "joined",
        CocAccepted = "coc_accepted",
        FirstCheckin = "first_checkin",
        FirstModule = "first_module",
        CapstoneSubmitted = "capstone_submitted",
        Graduated = "graduated",
        OfferedToMentor = "offered_to_mentor",
    }
}

/// The cohort's funnel: each step in order with the learners who reached it.
pub async fn funnel(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
) -> sqlx::Result<Vec<(FunnelStep, i64)>> {
    sqlx::query_as("SELECT step, learners FROM metric_funnel($1) ORDER BY ordinal")
        .bind(cohort_id)
        .fetch_all(ex)
        .await
}

/// A read-only transaction for a page of metric reads (the dashboard, an export): one
/// snapshot for all of them, and no JIT compilation ([`no_jit`]).
pub async fn begin_read(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await?;
    read_only(&mut tx).await?;
    Ok(tx)
}

/// Makes the transaction just begun on `tx` read-only and without JIT ([`no_jit`]), in one
/// round trip.
async fn read_only(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::raw_sql("SET TRANSACTION READ ONLY; SET LOCAL jit = off")
        .execute(tx)
        .await?;
    Ok(())
}

/// Runs `reads` in a transaction of [`begin_read`] and commits it.
pub async fn read<T, E: From<sqlx::Error>>(
    pool: &PgPool,
    reads: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>,
) -> Result<T, E> {
    let mut conn = pool.acquire().await?;
    read_on(&mut conn, reads).await
}

/// [`read`] on a connection already held.
pub async fn read_on<T, E: From<sqlx::Error>>(
    conn: &mut PgConnection,
    reads: impl AsyncFnOnce(&mut PgConnection) -> Result<T, E>,
) -> Result<T, E> {
    let mut tx = conn.begin().await?;
    read_only(&mut tx).await?;
    let read = reads(&mut tx).await?;
    tx.commit().await?;
    Ok(read)
}

/// Turns JIT compilation off for the rest of the transaction on `tx`. The server compiles
/// any statement its planner costs above `jit_above_cost`, and a metric read over a large
/// cohort is: `learner_health` over 5,000 learners took 0.9 s with JIT and 0.1 s without
/// (psql). It stays on elsewhere: off on every connection, the scheduler's passes over
/// 100,000 learners were slower (a whole Monday as 38 passes: 25.0 s against 18.2 s, one
/// A/B of `scripts/bench -- scheduler`). Per transaction rather than per function, because
/// a function with its own settings is no longer inlined into the statement that calls
/// it, and the digest's check-in rates took 122 ms instead of 35 that way.
pub async fn no_jit(tx: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::raw_sql("SET LOCAL jit = off").execute(tx).await?;
    Ok(())
}

/// The check-in rate of one week.
pub async fn week_rate(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    period: Period,
) -> sqlx::Result<CheckinRate> {
    let mut rates = checkin_rates(ex, cohort_id, &[period.to_string()]).await?;
    rates
        .pop()
        .ok_or_else(|| sqlx::Error::Protocol("metric_checkin_rate returned no week".into()))
}

/// Learners enrolled in the cohort now.
pub async fn enrolled(ex: impl PgExecutor<'_>, cohort_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM enrollments WHERE cohort_id = $1 AND status = 'active'",
    )
    .bind(cohort_id)
    .fetch_one(ex)
    .await
}

/// The cohorts of the community whose numbers `member_id` may read: every cohort for a
/// steward, a sponsor or a lead mentor community-wide; a cohort for its own sponsors and
/// lead mentors (by role, or as a mentor group's lead).
pub async fn readable_cohorts(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT c.id FROM cohorts c
          WHERE c.community_id = $1
            AND (EXISTS (SELECT 1 FROM member_roles r
                          WHERE r.member_id = $2
                            AND r.role IN ('steward', 'sponsor', 'lead_mentor')
                            AND (r.cohort_id IS NULL OR r.cohort_id = c.id))
                 OR EXISTS (SELECT 1 FROM mentor_groups g
                             WHERE g.cohort_id = c.id AND g.lead_member_id = $2))",
    )
    .bind(community_id)
    .bind(member_id)
    .fetch_all(ex)
    .await
}

pg_row! {
    /// One cell of the retention triangle: of those who joined in `joined_week`, how many
    /// were active `weeks_after` weeks later.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RetentionCell {
        pub joined_week: String,
        pub joined: i64,
        pub weeks_after: i32,
        pub active: i64,
        pub rate: Option<i32>,
    }
}

/// The retention triangle over `periods` (consecutive weeks, oldest first), up to
/// `horizon` weeks after joining.
pub async fn retention(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    periods: &[String],
    horizon: i32,
) -> sqlx::Result<Vec<RetentionCell>> {
    sqlx::query_as("SELECT * FROM metric_retention($1, $2, $3)")
        .bind(cohort_id)
        .bind(periods)
        .bind(horizon)
        .fetch_all(ex)
        .await
}

/// When the cohort's first learner joined, if anyone has.
pub async fn first_joined(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar("SELECT first_joined($1)")
        .bind(cohort_id)
        .fetch_one(ex)
        .await
}

pg_row! {
    /// Days from enrollment to one verified module.
    #[derive(Debug, Clone, PartialEq)]
    pub struct TimeToMilestone {
        pub module: String,
        pub capstone: bool,
        pub verified: i64,
        pub median_days: f64,
        pub p75_days: f64,
    }
}

/// Per module in track order, for modules verified at least once.
pub async fn time_to_milestone(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
) -> sqlx::Result<Vec<TimeToMilestone>> {
    sqlx::query_as("SELECT * FROM metric_time_to_milestone($1)")
        .bind(cohort_id)
        .fetch_all(ex)
        .await
}

pg_row! {
    /// A week's mean confidence (1–5) over its check-ins.
    #[derive(Debug, Clone, PartialEq)]
    pub struct WeekConfidence {
        pub period: String,
        pub answers: i64,
        pub confidence: Option<f64>,
    }
}

pub async fn confidence(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    periods: &[String],
) -> sqlx::Result<Vec<WeekConfidence>> {
    sqlx::query_as("SELECT * FROM metric_confidence($1, $2)")
        .bind(cohort_id)
        .bind(periods)
        .fetch_all(ex)
        .await
}

pg_row! {
    /// One session's attendance.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct SessionAttendance {
        pub number: i32,
        pub title: String,
        pub kind: String,
        pub starts_at: DateTime<Utc>,
        pub rsvps: i64,
        pub attended: i64,
        /// Of the attendees, those who had RSVP'd.
        pub attended_of_rsvps: i64,
        pub rsvp_rate: Option<i32>,
        /// For cohort-wide sessions: learners enrolled when it started, and the share of
        /// them who attended.
        pub enrolled: Option<i64>,
        pub enrolled_rate: Option<i32>,
    }
}

/// The cohort's sessions that started from `since` to `until`, oldest first.
pub async fn attendance(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<Vec<SessionAttendance>> {
    sqlx::query_as("SELECT * FROM metric_attendance($1, $2, $3)")
        .bind(cohort_id)
        .bind(since)
        .bind(until)
        .fetch_all(ex)
        .await
}

pg_row! {
    /// One mentor's load in a cohort. The dashboard shows it without the mentor's name.
    #[derive(Debug, Clone, PartialEq)]
    pub struct MentorLoad {
        pub tier: String,
        /// Learners (a community mentor's) or groups (a lead's).
        pub assigned: i64,
        pub capacity: Option<i32>,
        pub load: Option<i32>,
        pub reviews_claimed: i64,
        pub median_hours_to_claim: Option<f64>,
        pub median_hours_to_blocker_reply: Option<f64>,
        pub flagged: bool,
    }
}

/// The cohort's mentors as of `until`, the most loaded first.
pub async fn mentor_load(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    until: DateTime<Utc>,
) -> sqlx::Result<Vec<MentorLoad>> {
    sqlx::query_as("SELECT * FROM metric_mentor_load($1, $2)")
        .bind(cohort_id)
        .bind(until)
        .fetch_all(ex)
        .await
}

/// Badges issued for the cohort's modules and not revoked.
pub async fn badges_issued(ex: impl PgExecutor<'_>, cohort_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT metric_badges_issued($1)")
        .bind(cohort_id)
        .fetch_one(ex)
        .await
}

pg_row! {
    /// How many of a cohort's active learners are in each health state
    /// (`learner_health`) in its latest prompted week.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct HealthCounts {
        pub period: String,
        pub on_track: i64,
        pub needs_checkin: i64,
        pub too_early: i64,
    }
}

/// The cohort's learners by health in its latest week prompted by `at`, the week the lead
/// mentors' digest reports on; `None` before its first prompt.
pub async fn health(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    at: DateTime<Utc>,
) -> sqlx::Result<Option<HealthCounts>> {
    sqlx::query_as(
        "WITH week AS (SELECT max(period) AS period FROM checkin_prompts
                        WHERE cohort_id = $1 AND sent_at <= $2)
         SELECT week.period,
                count(*) FILTER (WHERE h.health = 'on_track') AS on_track,
                count(*) FILTER (WHERE h.health = 'needs_checkin') AS needs_checkin,
                count(*) FILTER (WHERE h.health = 'too_early') AS too_early
           FROM week CROSS JOIN LATERAL learner_health($1, NULL, week.period, $2) h
          WHERE week.period IS NOT NULL
          GROUP BY week.period",
    )
    .bind(cohort_id)
    .bind(at)
    .fetch_optional(ex)
    .await
}

pg_row! {
    /// A verified capstone's impact (`metric_impact`): the learner's name and note only
    /// when they chose to showcase it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CapstoneImpact {
        pub ordinal: i64,
        pub verified_at: DateTime<Utc>,
        pub hours_saved_per_month: Option<i32>,
        pub processes_replaced: Option<i32>,
        pub users_reached: Option<i32>,
        pub learner: Option<String>,
        pub note: Option<String>,
    }
}

/// The cohort's verified capstones, in the order verified.
pub async fn impact(ex: impl PgExecutor<'_>, cohort_id: Uuid) -> sqlx::Result<Vec<CapstoneImpact>> {
    sqlx::query_as(
        "SELECT ordinal, verified_at, hours_saved_per_month, processes_replaced, users_reached,
                learner, note
           FROM metric_impact($1)",
    )
    .bind(cohort_id)
    .fetch_all(ex)
    .await
}

/// The capstones' numbers added up: (hours saved per month, processes replaced, people
/// reached), a capstone that left a number out adding nothing to it.
pub fn impact_totals(capstones: &[CapstoneImpact]) -> (i64, i64, i64) {
    let sum = |f: fn(&CapstoneImpact) -> Option<i32>| {
        capstones.iter().filter_map(f).map(i64::from).sum::<i64>()
    };
    (
        sum(|c| c.hours_saved_per_month),
        sum(|c| c.processes_replaced),
        sum(|c| c.users_reached),
    )
}
