//! Check-ins, their revisions and mentor replies; prompts and the mentor relation.

use crate::render::Message;
use crate::store::outbox::{self, OnPlaceholders, PlatformAction};
use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{FromRow, PgExecutor, Row};
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Checkin {
        pub id: Uuid,
        pub cohort_id: Uuid,
        pub member_id: Uuid,
        pub period: String,
        pub progress: String,
        pub blockers: Option<String>,
        pub confidence: i16,
        pub hours: Option<f32>,
        /// `early`, `on_time` or `late` (see [`crate::domain::Timing`]).
        pub timing: String,
        pub plan: Option<String>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

const COLUMNS: &str = "id, cohort_id, member_id, period, progress, blockers, confidence, hours, timing, plan, created_at, updated_at";

/// The answer a member gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub progress: String,
    pub blockers: Option<String>,
    pub confidence: i16,
    pub hours: Option<f32>,
    /// "Plan for next week".
    pub plan: Option<String>,
}

pub async fn find(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
    period: &str,
) -> sqlx::Result<Option<Checkin>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM checkins WHERE cohort_id = $1 AND member_id = $2 AND period = $3"
    )))
    .bind(cohort_id)
    .bind(member_id)
    .bind(period)
    .fetch_optional(ex)
    .await
}

/// Whose check-in, for which week, and when it came against that week.
#[derive(Debug, Clone, Copy)]
pub struct Slot<'a> {
    pub community_id: Uuid,
    pub cohort_id: Uuid,
    pub member_id: Uuid,
    pub period: &'a str,
    pub timing: crate::domain::Timing,
}

/// What a new check-in writes beside itself, in the statement that inserts it.
pub struct Effects<'a> {
    /// The week's prompt (its outbox key), replaced by `answered_note` under
    /// `answered_key` if it was posted.
    pub prompt_key: &'a str,
    pub answered_key: &'a str,
    pub answered_note: &'a Message,
    /// The check-in escalates: read who hears it first (the lead mentors).
    pub escalates: bool,
}

/// A new check-in and, when it escalates, its learner's lead mentors (by name).
pub struct Inserted {
    pub checkin: Checkin,
    pub lead_mentors: Vec<Mentor>,
}

/// Inserts the check-in in `slot` with everything a new check-in writes, in one
/// statement: one round trip for the common `/checkin`. With it come the earlier weeks'
/// blockers resolved (when this one has none), the week's prompt replaced by its answered
/// note, and the lead mentors read when it escalates. `None`, and nothing
/// written, when the member has a check-in for that week already (a concurrent duplicate
/// included).
pub async fn insert_with_effects(
    ex: impl PgExecutor<'_>,
    slot: Slot<'_>,
    answer: &Answer,
    effects: &Effects<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Inserted>> {
    // Only the parts this check-in needs: each part costs its set-up in every run, even
    // one whose condition is false. $1–$4 are the shared statements' cohort, member, time
    // and week.
    let resolved = if answer.blockers.is_none() {
        format!("resolved AS ({RESOLVE_EARLIER_BLOCKERS} AND EXISTS (SELECT 1 FROM inserted)),")
    } else {
        String::new()
    };
    let leads = if effects.escalates {
        format!(
            "{LEAD_MENTORS_OF} {NOT_PAUSED} AND EXISTS (SELECT 1 FROM inserted)
             ORDER BY m.display_name"
        )
    } else {
        "SELECT NULL::uuid AS id, NULL::text AS display_name WHERE false".to_owned()
    };
    // The prompt's answered note: an action on the prompt's row, as `outbox::enqueue_on`
    // queues one, only when the check-in went in.
    let answered = outbox::enqueue_on_statement(
        &OnPlaceholders {
            key: "$13",
            body: "$14",
            action: "$15",
            target_key: "$16",
            now: "$3",
        },
        "EXISTS (SELECT 1 FROM inserted)",
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH inserted AS (
             INSERT INTO checkins (id, community_id, cohort_id, member_id, period, progress,
                                   blockers, confidence, hours, timing, plan, created_at,
                                   updated_at)
             VALUES ($5, $6, $1, $2, $4, $7, $8, $9, $10, $11, $12, $3, $3)
             ON CONFLICT (cohort_id, member_id, period) DO NOTHING
             RETURNING {COLUMNS}
         ),
         {resolved}
         answered AS ({answered}),
         leads AS ({leads})
         SELECT inserted.*, ARRAY(SELECT id FROM leads) AS lead_ids,
                ARRAY(SELECT display_name FROM leads) AS lead_names
           FROM inserted"
    )))
    .bind(slot.cohort_id)
    .bind(slot.member_id)
    .bind(now)
    .bind(slot.period)
    .bind(Uuid::new_v4())
    .bind(slot.community_id)
    .bind(&answer.progress)
    .bind(&answer.blockers)
    .bind(answer.confidence)
    .bind(answer.hours)
    .bind(slot.timing.as_str())
    .bind(&answer.plan)
    .bind(effects.answered_key)
    .bind(Json(effects.answered_note))
    .bind(Json(PlatformAction::Replace { of: 0 }))
    .bind(effects.prompt_key)
    .fetch_optional(ex)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let ids: Vec<Uuid> = row.try_get("lead_ids")?;
    let names: Vec<String> = row.try_get("lead_names")?;
    Ok(Some(Inserted {
        checkin: Checkin::from_row(&row)?,
        lead_mentors: ids
            .into_iter()
            .zip(names)
            .map(|(id, display_name)| Mentor { id, display_name })
            .collect(),
    }))
}

/// The plan the member's check-in for `period` made for the week after, if any.
pub async fn plan_for(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
    period: &str,
) -> sqlx::Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT plan FROM checkins WHERE cohort_id = $1 AND member_id = $2 AND period = $3",
    )
    .bind(cohort_id)
    .bind(member_id)
    .bind(period)
    .fetch_optional(ex)
    .await?
    .flatten())
}

/// Keeps the current version as a revision, then replaces it.
pub async fn replace(
    conn: &mut sqlx::PgConnection,
    checkin_id: Uuid,
    answer: &Answer,
    now: DateTime<Utc>,
) -> sqlx::Result<Checkin> {
    sqlx::query(
        "INSERT INTO checkin_revisions (checkin_id, progress, blockers, confidence, hours, plan, recorded_at)
         SELECT id, progress, blockers, confidence, hours, plan, updated_at FROM checkins WHERE id = $1",
    )
    .bind(checkin_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE checkins SET progress = $2, blockers = $3, confidence = $4, hours = $5, updated_at = $6,
                plan = $7, blocker_resolved_at = NULL
         WHERE id = $1 RETURNING {COLUMNS}"
    )))
    .bind(checkin_id)
    .bind(&answer.progress)
    .bind(&answer.blockers)
    .bind(answer.confidence)
    .bind(answer.hours)
    .bind(now)
    .bind(&answer.plan)
    .fetch_one(&mut *conn)
    .await
}

/// Marks the blockers of the member's check-ins before week `$4` resolved at `$3`
/// (cohort `$1`, member `$2`); [`insert_with_effects`] runs it too.
const RESOLVE_EARLIER_BLOCKERS: &str = "UPDATE checkins SET blocker_resolved_at = $3
     WHERE cohort_id = $1 AND member_id = $2 AND period < $4
       AND blockers IS NOT NULL AND blocker_resolved_at IS NULL";

/// A check-in without blockers resolves the member's earlier open blockers in the cohort.
pub async fn resolve_earlier_blockers(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
    before_period: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(RESOLVE_EARLIER_BLOCKERS)
        .bind(cohort_id)
        .bind(member_id)
        .bind(now)
        .bind(before_period)
        .execute(ex)
        .await?
        .rows_affected())
}

pg_row! {
    /// The member's check-ins, newest first, with the cohort's name.
    #[derive(Debug, Clone)]
    pub struct HistoryRow {
        pub id: Uuid,
        pub cohort_name: String,
        pub period: String,
        pub progress: String,
        pub blockers: Option<String>,
        pub confidence: i16,
        pub hours: Option<f32>,
        /// `early`, `on_time` or `late`.
        pub timing: String,
        pub plan: Option<String>,
        pub revisions: i64,
    }
}

pub async fn history(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<HistoryRow>> {
    sqlx::query_as(
        "SELECT k.id, c.name AS cohort_name, k.period, k.progress, k.blockers, k.confidence, k.hours,
                k.timing, k.plan,
                (SELECT count(*) FROM checkin_revisions r WHERE r.checkin_id = k.id) AS revisions
         FROM checkins k JOIN cohorts c ON c.id = k.cohort_id
         WHERE k.member_id = $1 ORDER BY k.period DESC, c.name LIMIT $2",
    )
    .bind(member_id)
    .bind(limit)
    .fetch_all(ex)
    .await
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct ReplyRow {
        pub checkin_id: Uuid,
        pub mentor_name: String,
        pub body: String,
    }
}

pub async fn replies_for(
    ex: impl PgExecutor<'_>,
    checkin_ids: &[Uuid],
) -> sqlx::Result<Vec<ReplyRow>> {
    sqlx::query_as(
        "SELECT r.checkin_id, m.display_name AS mentor_name, r.body
         FROM checkin_replies r JOIN members m ON m.id = r.mentor_member_id
         WHERE r.checkin_id = ANY($1) ORDER BY r.created_at",
    )
    .bind(checkin_ids)
    .fetch_all(ex)
    .await
}

pub async fn add_reply(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    checkin_id: Uuid,
    mentor_id: Uuid,
    body: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO checkin_replies (id, community_id, checkin_id, mentor_member_id, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(checkin_id)
    .bind(mentor_id)
    .bind(body)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// The latest check-in of `learner` in a cohort where `mentor` mentors them.
pub async fn latest_mentored(
    ex: impl PgExecutor<'_>,
    mentor_id: Uuid,
    learner_id: Uuid,
) -> sqlx::Result<Option<Checkin>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM checkins k
         WHERE k.member_id = $2 AND k.cohort_id IN (SELECT cohort_id FROM mentored_cohorts($1, $2))
         ORDER BY k.period DESC, k.updated_at DESC LIMIT 1"
    )))
    .bind(mentor_id)
    .bind(learner_id)
    .fetch_optional(ex)
    .await
}

/// Whether `mentor` mentors `learner` in any cohort.
pub async fn is_mentor_of(
    ex: impl PgExecutor<'_>,
    mentor_id: Uuid,
    learner_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM mentored_cohorts($1, $2))")
        .bind(mentor_id)
        .bind(learner_id)
        .fetch_one(ex)
        .await
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Mentor {
        pub id: Uuid,
        pub display_name: String,
    }
}

/// The learner's (`$2`) lead mentors in cohort `$1`, paused or not.
const LEAD_MENTORS_OF: &str = "SELECT m.id, m.display_name FROM members m
     WHERE m.id IN (SELECT member_id FROM cohort_lead_mentors($1))
       AND EXISTS (SELECT 1 FROM mentored_cohorts(m.id, $2) x WHERE x.cohort_id = $1)";

/// Keeps, of [`LEAD_MENTORS_OF`], those not paused at `$3`: who hears a learner now
/// ([`lead_mentors`]; [`insert_with_effects`] reads them too).
const NOT_PAUSED: &str = "AND NOT mentor_paused(m.id, $3)";

/// Who leads the learner in a cohort, paused or not (their group's lead, or without a
/// group the cohort's lead mentors): whom the learner's Home names, since they review the
/// learner's milestones and hear their blockers.
pub async fn lead_mentors_of(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    learner_id: Uuid,
) -> sqlx::Result<Vec<Mentor>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{LEAD_MENTORS_OF} ORDER BY m.display_name"
    )))
    .bind(cohort_id)
    .bind(learner_id)
    .fetch_all(ex)
    .await
}

/// The learner's lead mentors in a cohort who are not paused at `now`: their group's lead,
/// or (without a group) the cohort's lead mentors.
pub async fn lead_mentors(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    learner_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Mentor>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{LEAD_MENTORS_OF} {NOT_PAUSED} ORDER BY m.display_name"
    )))
    .bind(cohort_id)
    .bind(learner_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// The learner's community mentor, while every lead mentor the learner has is paused.
pub async fn covering_mentor(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    learner_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Mentor>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM members m
         WHERE m.id IN (SELECT member_id FROM paused_lead_cover($1, $2, $3))
         ORDER BY m.display_name LIMIT 1",
    )
    .bind(cohort_id)
    .bind(learner_id)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// One (cohort, zone) of a member-local tick: its learners in `zone` get `body` for `period`.
#[derive(Debug, Clone)]
pub struct ZoneBatch {
    pub community_id: Uuid,
    pub cohort_id: Uuid,
    pub zone: String,
    pub period: String,
    pub body: crate::render::Message,
    /// After this the post is pointless (the week is over): it is dead-lettered, not sent.
    pub deadline: DateTime<Utc>,
}

/// Splits batches into the parallel arrays `unnest` takes.
#[allow(clippy::type_complexity)]
fn columns(
    batches: &[ZoneBatch],
) -> (
    Vec<Uuid>,
    Vec<Uuid>,
    Vec<String>,
    Vec<String>,
    Vec<sqlx::types::Json<&crate::render::Message>>,
    Vec<DateTime<Utc>>,
) {
    (
        batches.iter().map(|b| b.community_id).collect(),
        batches.iter().map(|b| b.cohort_id).collect(),
        batches.iter().map(|b| b.zone.clone()).collect(),
        batches.iter().map(|b| b.period.clone()).collect(),
        batches.iter().map(|b| sqlx::types::Json(&b.body)).collect(),
        batches.iter().map(|b| b.deadline).collect(),
    )
}

/// The batch as a table, `b(community_id, cohort_id, zone, period, body, deadline)`, from
/// `$1`–`$5` and `$7`, with the week before each period as `previous`.
const BATCH_CTE: &str = "WITH batch AS (
    SELECT *, to_char(to_date(period, 'IYYY-\"W\"IW') - 7, 'IYYY-\"W\"IW') AS previous
    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $7::timestamptz[])
        AS b(community_id, cohort_id, zone, period, body, deadline))";

/// Runs `statement` (which follows [`BATCH_CTE`] and takes its time as `$6`) over `batches`;
/// `templates` are bound from `$8` on.
async fn run_batch(
    ex: impl PgExecutor<'_>,
    statement: &str,
    batches: &[ZoneBatch],
    at: DateTime<Utc>,
    templates: &[&crate::render::Message],
) -> sqlx::Result<u64> {
    let (communities, cohorts, zones, periods, bodies, deadlines) = columns(batches);
    let sql = format!("{BATCH_CTE}, {statement}");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(communities)
        .bind(cohorts)
        .bind(zones)
        .bind(periods)
        .bind(bodies)
        .bind(at)
        .bind(deadlines);
    for template in templates {
        query = query.bind(sqlx::types::Json(*template));
    }
    Ok(query.execute(ex).await?.rows_affected())
}

/// What a prompt adds, per learner, after the batch's body: last week's plan, and the
/// learner's open blocker.
#[derive(Debug, Clone)]
pub struct PromptExtras {
    /// Before the plan's text.
    pub plan_intro: crate::render::Message,
    /// Before the blocker's text.
    pub blocker_intro: crate::render::Message,
    /// After it.
    pub blocker_outro: crate::render::Message,
    /// The blocker's two buttons, for a cohort whose slug the statement fills in (at
    /// `[0|1].Action.kind.cohort`).
    pub blocker_buttons: crate::render::Message,
}

/// Records a prompt for every active learner of each batch's cohort and zone, and queues one
/// DM each: one statement for the whole tick, however many cohorts and learners. Learners
/// already prompted or already checked in for the week, and tombstones, are left out. A
/// learner who is away gets the prompt row, marked excused, and no DM: the week is excused,
/// not missed. Keys make a re-run of the same tick add nothing. Returns the number of DMs
/// queued.
///
/// Both inserts read one materialised set of targets, found with anti-joins on primary
/// keys: no join between the statement's own results, which the planner cannot estimate
/// and once ran as a nested loop (22 s for 20,000 learners).
pub async fn enqueue_prompts(
    ex: impl PgExecutor<'_>,
    batches: &[ZoneBatch],
    extras: &PromptExtras,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let templates = [
        &extras.plan_intro,
        &extras.blocker_intro,
        &extras.blocker_outro,
        &extras.blocker_buttons,
    ];
    run_batch(ex, ENQUEUE_PROMPTS, batches, now, &templates).await
}

/// The outbox key of a member's prompt for one week, as [`ENQUEUE_PROMPTS`] writes it.
pub fn prompt_key(cohort_id: Uuid, member_id: Uuid, period: &str) -> String {
    format!("checkin-prompt:{cohort_id}:{member_id}:{period}")
}

/// The statement behind [`enqueue_prompts`], after [`BATCH_CTE`]; public for the bench's
/// plan check.
pub const ENQUEUE_PROMPTS: &str = "targets AS MATERIALIZED (
         SELECT b.community_id, b.cohort_id, e.member_id, b.period, b.deadline,
                member_away(e.member_id, $6) AS away,
                -- Most learners have neither a plan nor an open blocker: their prompt is the
                -- batch's body as it is, not a copy per row.
                CASE WHEN x.plan IS NULL AND x.blocker IS NULL THEN b.body
                     ELSE b.body
                          || CASE WHEN x.plan IS NULL THEN '[]'::jsonb
                                  ELSE $8::jsonb || jsonb_build_array(jsonb_build_object('User', x.plan)) END
                          || CASE WHEN x.blocker IS NULL THEN '[]'::jsonb
                                  ELSE $9::jsonb || jsonb_build_array(jsonb_build_object('User', x.blocker))
                                       || $10::jsonb
                                       -- The Resolved / Still blocked buttons, for this cohort.
                                       || jsonb_set(jsonb_set($11::jsonb,
                                              '{0,Action,kind,cohort}', to_jsonb(c.slug)),
                                              '{1,Action,kind,cohort}', to_jsonb(c.slug)) END
                END AS body
         FROM batch b
         JOIN cohorts c ON c.id = b.cohort_id
         JOIN enrollments e ON e.cohort_id = b.cohort_id AND e.status = 'active'
         JOIN members m ON m.id = e.member_id
         CROSS JOIN LATERAL (SELECT
             (SELECT k.plan FROM checkins k
               WHERE k.cohort_id = b.cohort_id AND k.member_id = e.member_id AND k.period = b.previous) AS plan,
             (SELECT k.blockers FROM checkins k
               WHERE k.cohort_id = b.cohort_id AND k.member_id = e.member_id AND k.period < b.period
                 AND k.blockers IS NOT NULL AND k.blocker_resolved_at IS NULL
               ORDER BY k.period DESC LIMIT 1) AS blocker) x
         WHERE coalesce(m.timezone, c.timezone) = b.zone
           -- Tombstones get nothing: the outbox's own check skips this statement's rows
           -- (migration 0064).
           AND m.erased_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM checkin_prompts p
                           WHERE p.cohort_id = b.cohort_id AND p.member_id = e.member_id AND p.period = b.period)
           AND NOT EXISTS (SELECT 1 FROM checkins k
                           WHERE k.cohort_id = b.cohort_id AND k.member_id = e.member_id AND k.period = b.period)),
     prompted AS (
         INSERT INTO checkin_prompts (community_id, cohort_id, member_id, period, sent_at, excused)
         SELECT community_id, cohort_id, member_id, period, $6, CASE WHEN away THEN 'away' END
         FROM targets
         ON CONFLICT DO NOTHING)
     INSERT INTO outbox (community_id, idempotency_key, member_id, body, next_attempt_at, created_at, deadline)
     SELECT community_id, 'checkin-prompt:' || cohort_id || ':' || member_id || ':' || period,
            member_id, body, $6, $6, deadline
     FROM targets WHERE NOT away
     ON CONFLICT (idempotency_key) DO NOTHING";

/// One nudge per unanswered prompt of each batch's period sent at least the cohort's
/// `nudge_after_hours` before `at`, for learners in the batch's zone. Never a second nudge,
/// and none to a learner who is away.
pub async fn enqueue_nudges(
    ex: impl PgExecutor<'_>,
    batches: &[ZoneBatch],
    at: DateTime<Utc>,
) -> sqlx::Result<u64> {
    run_batch(
        ex,
        "due AS (
             UPDATE checkin_prompts p SET nudged_at = $6
             FROM batch b, enrollments e, members m, cohorts c
             WHERE p.cohort_id = b.cohort_id AND p.period = b.period AND p.nudged_at IS NULL
               AND e.cohort_id = p.cohort_id AND e.member_id = p.member_id AND e.status = 'active'
               AND m.id = p.member_id AND c.id = p.cohort_id
               AND coalesce(m.timezone, c.timezone) = b.zone AND m.erased_at IS NULL
               AND p.sent_at <= $6 - make_interval(hours => c.nudge_after_hours)
               AND p.excused IS NULL AND NOT member_away(p.member_id, $6)
               AND NOT EXISTS (SELECT 1 FROM checkins k
                               WHERE k.cohort_id = p.cohort_id AND k.member_id = p.member_id AND k.period = p.period)
             RETURNING p.cohort_id, p.member_id, p.period, b.community_id, b.body, b.deadline)
         INSERT INTO outbox (community_id, idempotency_key, member_id, body, next_attempt_at, created_at, deadline)
         SELECT community_id, 'checkin-nudge:' || cohort_id || ':' || member_id || ':' || period, member_id, body, $6, $6, deadline
         FROM due
         ON CONFLICT (idempotency_key) DO NOTHING",
        batches,
        at,
        &[],
    )
    .await
}

/// Whether `member` was prompted for `period` in `cohort` and has not checked in yet.
pub async fn prompt_open(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
    period: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM checkin_prompts p
                        WHERE p.cohort_id = $1 AND p.member_id = $2 AND p.period = $3
                          AND p.excused IS NULL
                          AND NOT EXISTS (SELECT 1 FROM checkins k
                                          WHERE k.cohort_id = $1 AND k.member_id = $2 AND k.period = $3))",
    )
    .bind(cohort_id)
    .bind(member_id)
    .bind(period)
    .fetch_one(ex)
    .await
}

/// Whether `member` was prompted to check in to `cohort` for `period`: a check-in button
/// is only honoured for a prompt the bot really sent.
pub async fn was_prompted(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
    period: &str,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM checkin_prompts
                        WHERE cohort_id = $1 AND member_id = $2 AND period = $3 AND excused IS NULL)",
    )
    .bind(cohort_id)
    .bind(member_id)
    .bind(period)
    .fetch_one(ex)
    .await
}

pg_row! {
    /// A learner's oldest open blocker in one cohort.
    #[derive(Debug, Clone)]
    pub struct OpenBlocker {
        pub checkin_id: Uuid,
        pub cohort_id: Uuid,
        pub cohort_slug: String,
        pub cohort_name: String,
        pub period: String,
        pub blockers: String,
    }
}

/// The member's open blockers, one per cohort (its most recent), in live cohorts;
/// only in `cohort` when given.
pub async fn open_blockers(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    cohort: Option<Uuid>,
) -> sqlx::Result<Vec<OpenBlocker>> {
    sqlx::query_as(
        "SELECT DISTINCT ON (c.id) k.id AS checkin_id, c.id AS cohort_id, c.slug AS cohort_slug,
                c.name AS cohort_name, k.period, k.blockers
         FROM checkins k JOIN cohorts c ON c.id = k.cohort_id
         WHERE k.member_id = $1 AND ($2::uuid IS NULL OR c.id = $2) AND c.archived_at IS NULL
           AND k.blockers IS NOT NULL AND k.blocker_resolved_at IS NULL
         ORDER BY c.id, k.period DESC",
    )
    .bind(member_id)
    .bind(cohort)
    .fetch_all(ex)
    .await
}

/// Marks every open blocker of the member in the cohort resolved; how many were open.
pub async fn resolve_blockers(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE checkins SET blocker_resolved_at = $3
         WHERE cohort_id = $1 AND member_id = $2
           AND blockers IS NOT NULL AND blocker_resolved_at IS NULL",
    )
    .bind(cohort_id)
    .bind(member_id)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected())
}
