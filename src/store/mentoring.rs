//! Mentor offers and pauses, do-not-match lists, match runs and mentorship history.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::Tier;
use crate::matching::waking::WakingHours;
use crate::store::pg_row;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct MentorProfile {
        pub member_id: Uuid,
        pub tier: Tier,
        pub capacity: i32,
        pub skills: Vec<String>,
        pub status: OfferStatus,
        pub recognition_opt_out: bool,
    }
}

crate::store::row::text_column!(Tier);

crate::store::row::text_enum! {
    /// Where a mentor's offer stands (`mentor_profiles.status`): approved is what the
    /// mentor role also means.
    pub enum OfferStatus {
        Pending = "pending",
        Approved = "approved",
        Declined = "declined",
    }
}

pg_row! {
    /// An approved mentor with what matching needs.
    #[derive(Debug, Clone)]
    pub struct Mentor {
        pub member_id: Uuid,
        pub platform_user_id: String,
        pub display_name: String,
        pub timezone: Option<String>,
        pub department: Option<String>,
        pub tier: Tier,
        pub capacity: i32,
        pub skills: Vec<String>,
        /// Paused or away at the run's time (see `mentor_paused` in the schema).
        pub paused: bool,
    }
}

pg_row! {
    /// An active learner of a cohort.
    #[derive(Debug, Clone)]
    pub struct Learner {
        pub member_id: Uuid,
        pub platform_user_id: String,
        pub display_name: String,
        pub timezone: Option<String>,
        pub department: Option<String>,
        pub skills: Vec<String>,
    }
}

pub async fn profile(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
) -> sqlx::Result<Option<MentorProfile>> {
    sqlx::query_as(
        "SELECT member_id, tier, capacity, skills, status, recognition_opt_out
         FROM mentor_profiles WHERE member_id = $1",
    )
    .bind(member_id)
    .fetch_optional(ex)
    .await
}

/// Records an offer (replacing an earlier offer's terms) with the given status.
#[allow(clippy::too_many_arguments)]
pub async fn offer(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    tier: Tier,
    capacity: i32,
    skills: &[String],
    status: OfferStatus,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO mentor_profiles (member_id, community_id, tier, capacity, skills, status, offered_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (member_id) DO UPDATE SET tier = EXCLUDED.tier, capacity = EXCLUDED.capacity,
             skills = EXCLUDED.skills, status = EXCLUDED.status, offered_at = EXCLUDED.offered_at,
             decline_reason = NULL",
    )
    .bind(member_id)
    .bind(community_id)
    .bind(tier)
    .bind(capacity)
    .bind(skills)
    .bind(status.as_str())
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn decide(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    status: OfferStatus,
    tier: Tier,
    by: Uuid,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE mentor_profiles SET status = $2, tier = $3, decided_by = $4, decline_reason = $5,
             decided_at = $6 WHERE member_id = $1",
    )
    .bind(member_id)
    .bind(status.as_str())
    .bind(tier)
    .bind(by)
    .bind(reason)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn set_recognition_opt_out(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    opt_out: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE mentor_profiles SET recognition_opt_out = $2 WHERE member_id = $1")
        .bind(member_id)
        .bind(opt_out)
        .execute(ex)
        .await?;
    Ok(())
}

/// Approved mentors who may mentor in `cohort_id`, paused ones included and marked as of
/// `now` (the caller decides). A lead mentor leads groups only where their role reaches:
/// community-wide or in this cohort.
pub async fn approved_mentors(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Mentor>> {
    sqlx::query_as(
        "SELECT p.member_id, m.platform_user_id, m.display_name, m.timezone, m.department,
                p.tier, p.capacity, p.skills, mentor_paused(p.member_id, $3) AS paused
         FROM mentor_profiles p JOIN members m ON m.id = p.member_id
         WHERE p.community_id = $1 AND p.status = 'approved'
           AND (p.tier <> 'lead' OR EXISTS (
                SELECT 1 FROM member_roles r
                 WHERE r.member_id = p.member_id AND r.role = 'lead_mentor'
                   AND (r.cohort_id IS NULL OR r.cohort_id = $2)))
         ORDER BY m.display_name, m.id",
    )
    .bind(community_id)
    .bind(cohort_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

pub async fn cohort_learners(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Learner>> {
    // A learner who is away is matched when they are back, not while nobody can meet them.
    sqlx::query_as(
        "SELECT m.id AS member_id, m.platform_user_id, m.display_name, m.timezone, m.department,
                m.skills
         FROM enrollments e JOIN members m ON m.id = e.member_id
         WHERE e.cohort_id = $1 AND e.status = 'active' AND NOT member_away(m.id, $2)
         ORDER BY e.joined_at, m.display_name, m.id",
    )
    .bind(cohort_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Active mentorships per (mentor, tier) outside `cohort_id`: load that capacity must cover.
pub async fn load_elsewhere(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
) -> sqlx::Result<HashMap<(Uuid, String), i64>> {
    let rows: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "SELECT mentor_id, tier, count(*) FROM mentorships
         WHERE community_id = $1 AND cohort_id <> $2 AND ended_at IS NULL
         GROUP BY mentor_id, tier",
    )
    .bind(community_id)
    .bind(cohort_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|(m, t, n)| ((m, t), n)).collect())
}

/// Every do-not-match pair in the community, as (member, avoided).
pub async fn avoid_pairs(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<HashSet<(Uuid, Uuid)>> {
    let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT member_id, avoid_member_id FROM mentor_avoid WHERE community_id = $1",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Adds to a member's private list; false when already there.
pub async fn add_avoid(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    avoid: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO mentor_avoid (community_id, member_id, avoid_member_id, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(community_id)
    .bind(member_id)
    .bind(avoid)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The display names on a member's list.
pub async fn avoid_list(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT m.display_name FROM mentor_avoid a JOIN members m ON m.id = a.avoid_member_id
         WHERE a.member_id = $1 ORDER BY m.display_name",
    )
    .bind(member_id)
    .fetch_all(ex)
    .await
}

/// Every (learner, mentor) pair that was ever matched in the community.
pub async fn history_pairs(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<HashSet<(Uuid, Uuid)>> {
    let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT DISTINCT learner_id, mentor_id FROM mentorships WHERE community_id = $1",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_run(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    proposed_by: Uuid,
    total: i64,
    greedy: i64,
    plan: &serde_json::Value,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO match_runs (id, community_id, cohort_id, proposed_by, proposed_at, total_score, greedy_score, plan)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(community_id)
    .bind(cohort_id)
    .bind(proposed_by)
    .bind(now)
    .bind(total)
    .bind(greedy)
    .bind(plan)
    .execute(ex)
    .await?;
    Ok(id)
}

/// The newest proposal for the cohort, if it was not applied yet.
pub async fn pending_run(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
) -> sqlx::Result<Option<(Uuid, serde_json::Value)>> {
    sqlx::query_as(
        "SELECT id, plan FROM match_runs WHERE cohort_id = $1 AND applied_at IS NULL
           AND proposed_at = (SELECT max(proposed_at) FROM match_runs WHERE cohort_id = $1)
         ORDER BY id LIMIT 1",
    )
    .bind(cohort_id)
    .fetch_optional(ex)
    .await
}

/// Marks a run applied; false when another apply got there first.
pub async fn mark_applied(
    ex: impl PgExecutor<'_>,
    run_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE match_runs SET applied_at = $2 WHERE id = $1 AND applied_at IS NULL")
            .bind(run_id)
            .bind(now)
            .execute(ex)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends the learner's active mentorship of `tier` in the cohort; returns the mentor it had.
pub async fn end_mentorship(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    learner_id: Uuid,
    tier: Tier,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "UPDATE mentorships SET ended_at = $4
         WHERE cohort_id = $1 AND learner_id = $2 AND tier = $3 AND ended_at IS NULL
         RETURNING mentor_id",
    )
    .bind(cohort_id)
    .bind(learner_id)
    .bind(tier)
    .bind(now)
    .fetch_optional(ex)
    .await
}

#[allow(clippy::too_many_arguments)]
pub async fn start_mentorship(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    learner_id: Uuid,
    mentor_id: Uuid,
    tier: Tier,
    run_id: Option<Uuid>,
    reasons: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO mentorships (id, community_id, cohort_id, learner_id, mentor_id, tier, run_id, reasons, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(cohort_id)
    .bind(learner_id)
    .bind(mentor_id)
    .bind(tier)
    .bind(run_id)
    .bind(reasons)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// A mentor's active learners, per cohort: (cohort, learner id, learner name, tier).
pub async fn active_learners_of(
    ex: impl PgExecutor<'_>,
    mentor_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, Uuid, String, Tier)>> {
    sqlx::query_as(
        "SELECT s.cohort_id, s.learner_id, m.display_name, s.tier
         FROM mentorships s JOIN members m ON m.id = s.learner_id
         WHERE s.mentor_id = $1 AND s.ended_at IS NULL ORDER BY m.display_name",
    )
    .bind(mentor_id)
    .fetch_all(ex)
    .await
}

/// The learner's other active mentor in a cohort (the one not of `tier`): (id, name).
pub async fn other_mentor(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    learner_id: Uuid,
    tier: Tier,
) -> sqlx::Result<Option<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM mentorships s JOIN members m ON m.id = s.mentor_id
         WHERE s.cohort_id = $1 AND s.learner_id = $2 AND s.tier <> $3 AND s.ended_at IS NULL",
    )
    .bind(cohort_id)
    .bind(learner_id)
    .bind(tier)
    .fetch_optional(ex)
    .await
}

/// The learner's active mentor of `tier` in the cohort.
pub async fn mentor_in_tier(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    learner_id: Uuid,
    tier: Tier,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT mentor_id FROM mentorships
         WHERE cohort_id = $1 AND learner_id = $2 AND tier = $3 AND ended_at IS NULL",
    )
    .bind(cohort_id)
    .bind(learner_id)
    .bind(tier)
    .fetch_optional(ex)
    .await
}

/// A cohort's community mentors now: (learner, mentor) for every active pair.
pub async fn community_pairs(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    sqlx::query_as(
        "SELECT learner_id, mentor_id FROM mentorships
         WHERE cohort_id = $1 AND tier = 'community' AND ended_at IS NULL ORDER BY started_at, learner_id",
    )
    .bind(cohort_id)
    .fetch_all(ex)
    .await
}

/// Creates the cohort's group `name` led by `lead`, or takes it over; returns its id.
pub async fn ensure_group(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    name: &str,
    lead: Uuid,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO mentor_groups (id, community_id, cohort_id, name, lead_member_id)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (cohort_id, name) DO UPDATE SET lead_member_id = EXCLUDED.lead_member_id
         RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(cohort_id)
    .bind(name)
    .bind(lead)
    .fetch_one(ex)
    .await
}

pub async fn set_group(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    learner_id: Uuid,
    group_id: Option<Uuid>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE enrollments SET mentor_group_id = $3
         WHERE cohort_id = $1 AND member_id = $2 AND status = 'active'",
    )
    .bind(cohort_id)
    .bind(learner_id)
    .bind(group_id)
    .execute(ex)
    .await?;
    Ok(())
}

/// The mentoring settings, with defaults when the program file sets none.
pub async fn settings(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Settings> {
    let row: Option<Settings> = sqlx::query_as(
        "SELECT guide, rotation_weeks, group_size, review_channel, review_escalate_hours, inactive_days,
                waking_start_minute, waking_end_minute
         FROM mentoring_settings WHERE community_id = $1",
    )
    .bind(community_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.unwrap_or_default())
}

/// The settings row, if the program file set one.
pub async fn stored_settings(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Option<Settings>> {
    sqlx::query_as(
        "SELECT guide, rotation_weeks, group_size, review_channel, review_escalate_hours, inactive_days,
                waking_start_minute, waking_end_minute
         FROM mentoring_settings WHERE community_id = $1",
    )
    .bind(community_id)
    .fetch_optional(ex)
    .await
}

pg_row! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        pub guide: String,
        pub rotation_weeks: i32,
        pub group_size: i32,
        pub review_channel: String,
        pub review_escalate_hours: i32,
        pub inactive_days: i32,
        pub waking_start_minute: i32,
        pub waking_end_minute: i32,
    }
}

impl Settings {
    /// The waking-hours window matching and pairing use.
    pub fn waking(&self) -> WakingHours {
        let minute = |m: i32| u32::try_from(m).unwrap_or_default();
        WakingHours {
            start_minute: minute(self.waking_start_minute),
            end_minute: minute(self.waking_end_minute),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            guide: String::new(),
            rotation_weeks: 4,
            group_size: 8,
            review_channel: "mentors".to_owned(),
            review_escalate_hours: 24,
            inactive_days: 14,
            waking_start_minute: 9 * 60,
            waking_end_minute: 18 * 60,
        }
    }
}

pub async fn save_settings(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    settings: &Settings,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO mentoring_settings AS s (community_id, guide, rotation_weeks, group_size,
             review_channel, review_escalate_hours, inactive_days, waking_start_minute,
             waking_end_minute)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (community_id) DO UPDATE SET guide = EXCLUDED.guide,
             rotation_weeks = EXCLUDED.rotation_weeks, group_size = EXCLUDED.group_size,
             review_channel = EXCLUDED.review_channel,
             review_escalate_hours = EXCLUDED.review_escalate_hours,
             inactive_days = EXCLUDED.inactive_days,
             waking_start_minute = EXCLUDED.waking_start_minute,
             waking_end_minute = EXCLUDED.waking_end_minute
         WHERE (s.guide, s.rotation_weeks, s.group_size, s.review_channel, s.review_escalate_hours,
                s.inactive_days, s.waking_start_minute, s.waking_end_minute)
             IS DISTINCT FROM (EXCLUDED.guide, EXCLUDED.rotation_weeks, EXCLUDED.group_size,
                               EXCLUDED.review_channel, EXCLUDED.review_escalate_hours,
                               EXCLUDED.inactive_days, EXCLUDED.waking_start_minute,
                               EXCLUDED.waking_end_minute)",
    )
    .bind(community_id)
    .bind(&settings.guide)
    .bind(settings.rotation_weeks)
    .bind(settings.group_size)
    .bind(&settings.review_channel)
    .bind(settings.review_escalate_hours)
    .bind(settings.inactive_days)
    .bind(settings.waking_start_minute)
    .bind(settings.waking_end_minute)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_department(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    department: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE members SET department = $2 WHERE id = $1")
        .bind(member_id)
        .bind(department)
        .execute(ex)
        .await?;
    Ok(())
}

/// The community's stewards: (id, display name).
pub async fn stewards(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM member_roles r JOIN members m ON m.id = r.member_id
         WHERE r.community_id = $1 AND r.role = 'steward' AND r.cohort_id IS NULL
         ORDER BY m.display_name",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await
}

pg_row! {
    /// An offer to mentor waiting for a steward.
    #[derive(Debug, Clone)]
    pub struct PendingOffer {
        pub display_name: String,
        pub platform_user_id: String,
        pub tier: Tier,
        pub capacity: i32,
        pub skills: Vec<String>,
        pub offered_at: DateTime<Utc>,
    }
}

pub async fn pending_offers(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Vec<PendingOffer>> {
    sqlx::query_as(
        "SELECT m.display_name, m.platform_user_id, p.tier, p.capacity, p.skills, p.offered_at
           FROM mentor_profiles p JOIN members m ON m.id = p.member_id
          WHERE p.community_id = $1 AND p.status = 'pending'
          ORDER BY p.offered_at, m.display_name",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await
}

pg_row! {
    /// A mentor's learner and their latest check-in in that cohort, if any.
    #[derive(Debug, Clone)]
    pub struct LearnerCheckin {
        pub display_name: String,
        pub cohort_name: String,
        pub tier: Tier,
        pub period: Option<String>,
        pub confidence: Option<i16>,
        pub progress: Option<String>,
        pub blockers: Option<String>,
        /// Their health in the cohort's latest prompted week (`learner_health`); `None`
        /// when they are no longer an active learner of it.
        pub health: Option<crate::store::digests::Health>,
    }
}

/// The learners a mentor has, one row each per cohort: those matched to them
/// (`mentorships`), and those they lead without a match, as the lead of the learner's
/// mentor group or, for a learner in no group, by the cohort's lead mentor role: the same
/// rule (`mentored_cohorts`) that sends them the learner's blockers. A matched learner keeps
/// the match's tier. Archived cohorts are left out. Only the cohorts they lead are read,
/// not every enrollment of the community.
const MY_LEARNERS: &str = "mine AS (
         SELECT DISTINCT ON (x.cohort_id, x.learner_id) x.cohort_id, x.learner_id, x.tier
           FROM (SELECT s.cohort_id, s.learner_id, s.tier, 0 AS rank FROM mentorships s
                  WHERE s.mentor_id = $1 AND s.ended_at IS NULL
                 UNION ALL
                 SELECT e.cohort_id, e.member_id, 'lead', 1 FROM enrollments e
                   LEFT JOIN mentor_groups g ON g.id = e.mentor_group_id
                  WHERE e.cohort_id IN (SELECT r.cohort_id FROM member_roles r
                                         WHERE r.member_id = $1 AND r.role = 'lead_mentor'
                                        UNION
                                        SELECT l.cohort_id FROM mentor_groups l
                                         WHERE l.lead_member_id = $1)
                    AND e.status = 'active' AND e.member_id <> $1
                    AND (g.lead_member_id = $1
                         OR (e.mentor_group_id IS NULL AND EXISTS (
                               SELECT 1 FROM member_roles r
                                WHERE r.member_id = $1 AND r.role = 'lead_mentor'
                                  AND r.cohort_id = e.cohort_id)))) x
           JOIN cohorts c ON c.id = x.cohort_id AND c.archived_at IS NULL
          ORDER BY x.cohort_id, x.learner_id, x.rank
     )";

/// How many learners `mentor_id` has ([`learners_with_checkins`] pages through them).
pub async fn learner_count(ex: impl PgExecutor<'_>, mentor_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "WITH {MY_LEARNERS} SELECT count(*) FROM mine"
    )))
    .bind(mentor_id)
    .fetch_one(ex)
    .await
}

/// `mentor_id`'s learners (a page: `limit` from `offset`, by cohort and name), each with
/// their latest check-in and health as of `now`. Health is read once per cohort for the
/// page's learners: `learner_health` costs about as much for one learner as for twenty
/// (17 ms on the bench's cohort of 5,000), so a call per learner made a mentor of 20 wait
/// about a third of a second.
pub async fn learners_with_checkins(
    ex: impl PgExecutor<'_>,
    mentor_id: Uuid,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<LearnerCheckin>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH {MY_LEARNERS}, page AS (
             SELECT s.cohort_id, s.learner_id, s.tier, m.display_name, c.name AS cohort_name
               FROM mine s
               JOIN members m ON m.id = s.learner_id
               JOIN cohorts c ON c.id = s.cohort_id
              ORDER BY c.name, m.display_name, s.learner_id
              LIMIT $3 OFFSET $4
         ), health AS (
             SELECT g.cohort_id, h.member_id, h.health
               FROM (SELECT s.cohort_id, array_agg(s.learner_id) AS learners,
                            (SELECT max(p.period) FROM checkin_prompts p
                              WHERE p.cohort_id = s.cohort_id AND p.sent_at <= $2) AS period
                       FROM page s GROUP BY s.cohort_id) g
              CROSS JOIN LATERAL learner_health(g.cohort_id, g.learners, g.period, $2) h
         )
         SELECT s.display_name, s.cohort_name, s.tier,
                k.period, k.confidence, k.progress, k.blockers, h.health
           FROM page s
           LEFT JOIN LATERAL (SELECT period, confidence, progress, blockers FROM checkins
                               WHERE cohort_id = s.cohort_id AND member_id = s.learner_id
                               ORDER BY period DESC LIMIT 1) k ON true
           LEFT JOIN health h ON h.cohort_id = s.cohort_id AND h.member_id = s.learner_id
          ORDER BY s.cohort_name, s.display_name, s.learner_id"
    )))
    .bind(mentor_id)
    .bind(now)
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await
}

/// Display names of everyone with a mentor profile in the community.
pub async fn mentor_names(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<std::collections::BTreeMap<Uuid, String>> {
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT m.id, m.display_name FROM mentor_profiles p JOIN members m ON m.id = p.member_id
         WHERE p.community_id = $1",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().collect())
}

/// When the cohort's rotation clock started: its last rotation or its last applied match,
/// whichever is later, else its earliest current community mentorship; `None` while it has
/// no community mentors.
pub async fn rotation_anchor(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar(
        "SELECT COALESCE(
                    GREATEST((SELECT max(applied_at) FROM match_runs WHERE cohort_id = $1),
                             (SELECT rotated_at FROM community_rotations WHERE cohort_id = $1)),
                    min(started_at))
           FROM mentorships
          WHERE cohort_id = $1 AND tier = 'community' AND ended_at IS NULL
         HAVING count(*) > 0",
    )
    .bind(cohort_id)
    .fetch_optional(ex)
    .await
    .map(Option::flatten)
}

/// Restarts the cohort's rotation clock at `at`.
pub async fn record_rotation(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO community_rotations (cohort_id, rotated_at) VALUES ($1, $2)
         ON CONFLICT (cohort_id) DO UPDATE SET rotated_at = EXCLUDED.rotated_at",
    )
    .bind(cohort_id)
    .bind(at)
    .execute(ex)
    .await
    .map(drop)
}

/// Records that the outgoing mentors were asked for handover notes at `at`; `false` when
/// that was done already since `since` (the clock's start), so it happens once per rotation.
pub async fn record_notice(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO community_rotations AS r (cohort_id, noticed_at) VALUES ($1, $3)
         ON CONFLICT (cohort_id) DO UPDATE SET noticed_at = EXCLUDED.noticed_at
         WHERE r.noticed_at IS NULL OR r.noticed_at < $2",
    )
    .bind(cohort_id)
    .bind(since)
    .bind(at)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `outgoing` was asked (since `since`) for a handover note to `incoming`.
pub async fn handover_asked(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    outgoing: Uuid,
    incoming: Uuid,
    since: DateTime<Utc>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM mentor_handovers WHERE cohort_id = $1 AND outgoing_id = $2
                          AND incoming_id = $3 AND prompted_at >= $4)",
    )
    .bind(cohort_id)
    .bind(outgoing)
    .bind(incoming)
    .bind(since)
    .fetch_one(ex)
    .await
}

pub async fn display_name(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<String> {
    sqlx::query_scalar("SELECT display_name FROM members WHERE id = $1")
        .bind(member_id)
        .fetch_one(ex)
        .await
}

pub async fn insert_handover(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    outgoing: Uuid,
    incoming: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO mentor_handovers (id, community_id, cohort_id, outgoing_id, incoming_id, prompted_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(cohort_id)
    .bind(outgoing)
    .bind(incoming)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The mentor's latest handover still waiting for a note: (id, incoming id, incoming name,
/// cohort name).
pub async fn open_handover(
    ex: impl PgExecutor<'_>,
    outgoing: Uuid,
) -> sqlx::Result<Option<(Uuid, Uuid, String, String)>> {
    sqlx::query_as(
        "SELECT h.id, h.incoming_id, m.display_name, c.name
         FROM mentor_handovers h JOIN members m ON m.id = h.incoming_id
         JOIN cohorts c ON c.id = h.cohort_id
         WHERE h.outgoing_id = $1 AND h.note IS NULL
         ORDER BY h.prompted_at DESC LIMIT 1",
    )
    .bind(outgoing)
    .fetch_optional(ex)
    .await
}

pub async fn save_handover_note(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    note: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE mentor_handovers SET note = $2, noted_at = $3 WHERE id = $1")
        .bind(id)
        .bind(note)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Whether a matching was ever applied to the cohort.
pub async fn cohort_was_matched(ex: impl PgExecutor<'_>, cohort_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM match_runs WHERE cohort_id = $1 AND applied_at IS NOT NULL)",
    )
    .bind(cohort_id)
    .fetch_one(ex)
    .await
}

/// Active mentorships per (mentor, tier) inside the cohort.
pub async fn load_in_cohort(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
) -> sqlx::Result<HashMap<(Uuid, String), i64>> {
    let rows: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "SELECT mentor_id, tier, count(*) FROM mentorships
         WHERE cohort_id = $1 AND ended_at IS NULL GROUP BY mentor_id, tier",
    )
    .bind(cohort_id)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|(m, t, n)| ((m, t), n)).collect())
}

/// A lead's groups in the cohort with their active members: (id, name, members), by name.
pub async fn lead_groups(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    lead: Uuid,
) -> sqlx::Result<Vec<(Uuid, String, i64)>> {
    sqlx::query_as(
        "SELECT g.id, g.name, count(e.id) FROM mentor_groups g
         LEFT JOIN enrollments e ON e.mentor_group_id = g.id AND e.status = 'active'
         WHERE g.cohort_id = $1 AND g.lead_member_id = $2
         GROUP BY g.id, g.name ORDER BY g.name",
    )
    .bind(cohort_id)
    .bind(lead)
    .fetch_all(ex)
    .await
}

/// The cohorts where `mentor_id` mentors: as a lead, or one to one: (id, name), by name.
pub async fn cohorts_mentored(
    ex: impl PgExecutor<'_>,
    mentor_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT c.id, c.name FROM cohorts c
          WHERE c.archived_at IS NULL
            AND (EXISTS (SELECT 1 FROM mentorships s WHERE s.cohort_id = c.id
                           AND s.mentor_id = $1 AND s.ended_at IS NULL)
                 OR $1 IN (SELECT member_id FROM cohort_lead_mentors(c.id)))
          ORDER BY c.name",
    )
    .bind(mentor_id)
    .fetch_all(ex)
    .await
}
