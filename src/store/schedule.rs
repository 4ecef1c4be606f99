//! Scheduler state: the watermark, tick claims, and cohort schedules.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgExecutor, Row};
use uuid::Uuid;

use super::cohorts::Cohort;

pub async fn last_run(ex: impl PgExecutor<'_>) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar("SELECT last_run_at FROM scheduler_state")
        .fetch_optional(ex)
        .await
}

pub async fn set_last_run(ex: impl PgExecutor<'_>, at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO scheduler_state (id, last_run_at) VALUES (true, $1)
         ON CONFLICT (id) DO UPDATE SET last_run_at = EXCLUDED.last_run_at",
    )
    .bind(at)
    .execute(ex)
    .await?;
    Ok(())
}

/// When the scheduler's housekeeping last ran (on the leader; its own watermark, apart
/// from the ticks').
pub async fn housekept_at(ex: impl PgExecutor<'_>) -> sqlx::Result<Option<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar::<_, Option<DateTime<Utc>>>("SELECT housekept_at FROM scheduler_state")
            .fetch_optional(ex)
            .await?
            .flatten(),
    )
}

pub async fn set_housekept_at(ex: impl PgExecutor<'_>, at: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO scheduler_state (id, last_run_at, housekept_at) VALUES (true, $1, $1)
         ON CONFLICT (id) DO UPDATE SET housekept_at = EXCLUDED.housekept_at",
    )
    .bind(at)
    .execute(ex)
    .await?;
    Ok(())
}

/// Claims triggers for one tick, as `fired`; returns the keys this process got (the others
/// were claimed by another process).
pub async fn claim_many(
    ex: impl PgExecutor<'_>,
    trigger_keys: &[String],
    community_ids: &[Uuid],
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "INSERT INTO trigger_ticks (trigger_key, tick, community_id, status, recorded_at)
         SELECT k, $3, c, 'fired', $4 FROM unnest($1::text[], $2::uuid[]) AS t(k, c)
         ON CONFLICT DO NOTHING RETURNING trigger_key",
    )
    .bind(trigger_keys)
    .bind(community_ids)
    .bind(tick)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Claims one trigger's tick ([`claim_many`] for one key): false when another process or
/// an earlier pass already claimed or skipped it.
pub async fn claim_one(
    ex: impl PgExecutor<'_>,
    trigger_key: &str,
    community_id: Uuid,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let claimed = claim_many(ex, &[trigger_key.to_owned()], &[community_id], tick, now).await?;
    Ok(!claimed.is_empty())
}

/// Records one tick as skipped for coming after its grace window ([`record_skips`] for
/// one key): true when recorded now, false when it was already claimed or skipped.
pub async fn skip_late(
    ex: impl PgExecutor<'_>,
    trigger_key: &str,
    community_id: Uuid,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let skip = [Skip {
        key: trigger_key.to_owned(),
        community_id,
        tick,
        reason: LATE.to_owned(),
    }];
    Ok(!record_skips(ex, &skip, now).await?.is_empty())
}

/// A tick that will not run, and why.
#[derive(Debug, Clone)]
pub struct Skip {
    pub key: String,
    pub community_id: Uuid,
    pub tick: DateTime<Utc>,
    /// Shown to stewards: "late", or "day off: Easter".
    pub reason: String,
}

/// Why a tick was skipped when it came too late to run.
pub const LATE: &str = "late: missed beyond its grace window";

/// Records ticks that will not run as `skipped`, with their reasons, unless a process
/// already claimed them; returns the ones recorded now.
pub async fn record_skips(
    ex: impl PgExecutor<'_>,
    skipped: &[Skip],
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(String, DateTime<Utc>)>> {
    if skipped.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<&str> = skipped.iter().map(|s| s.key.as_str()).collect();
    let communities: Vec<Uuid> = skipped.iter().map(|s| s.community_id).collect();
    let ticks: Vec<DateTime<Utc>> = skipped.iter().map(|s| s.tick).collect();
    let reasons: Vec<&str> = skipped.iter().map(|s| s.reason.as_str()).collect();
    sqlx::query_as(
        "INSERT INTO trigger_ticks (trigger_key, tick, community_id, status, recorded_at, reason)
         SELECT k, t, c, 'skipped', $4, r
         FROM unnest($1::text[], $2::uuid[], $3::timestamptz[], $5::text[]) AS s(k, c, t, r)
         -- The pass's housekeeping may have purged a community since it read its triggers.
         WHERE EXISTS (SELECT 1 FROM communities WHERE id = c)
         ON CONFLICT DO NOTHING RETURNING trigger_key, tick",
    )
    .bind(keys)
    .bind(communities)
    .bind(ticks)
    .bind(now)
    .bind(reasons)
    .fetch_all(ex)
    .await
}

#[derive(Debug, Clone)]
pub struct ScheduleRow {
    pub community_id: Uuid,
    pub kind: String,
    pub cron: String,
    pub cohort: Cohort,
}

/// The cohort's columns sit beside the schedule's in one row.
impl<'r> FromRow<'r, PgRow> for ScheduleRow {
    fn from_row(row: &'r PgRow) -> sqlx::Result<Self> {
        Ok(Self {
            community_id: row.try_get("community_id")?,
            kind: row.try_get("kind")?,
            cron: row.try_get("cron")?,
            cohort: Cohort::from_row(row)?,
        })
    }
}

/// Every cohort schedule, optionally limited to one community.
pub async fn schedules(
    ex: impl PgExecutor<'_>,
    community_id: Option<Uuid>,
) -> sqlx::Result<Vec<ScheduleRow>> {
    sqlx::query_as(
        "SELECT s.community_id, s.kind, s.cron, c.id, c.slug, c.name, c.timezone, c.starts_on, c.ends_on, c.channel, c.nudge_after_hours,
                c.archived_at IS NOT NULL AS archived
         FROM cohort_schedules s JOIN cohorts c ON c.id = s.cohort_id
         WHERE ($1::uuid IS NULL OR s.community_id = $1) AND c.archived_at IS NULL
         ORDER BY c.slug, s.kind",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await
}

/// Distinct local zones of each live cohort's active learners (their own, else the
/// cohort's). Archived cohorts keep their enrollments but have no schedules ([`schedules`]
/// leaves them out), so a community's past cohorts are not read on every pass.
pub async fn member_zones(ex: impl PgExecutor<'_>) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT e.cohort_id, coalesce(m.timezone, c.timezone)
         FROM enrollments e JOIN members m ON m.id = e.member_id JOIN cohorts c ON c.id = e.cohort_id
         WHERE e.status = 'active' AND c.archived_at IS NULL",
    )
    .fetch_all(ex)
    .await
}

pub async fn set(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    kind: &str,
    cron: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO cohort_schedules (community_id, cohort_id, kind, cron) VALUES ($1, $2, $3, $4)
         ON CONFLICT (cohort_id, kind) DO UPDATE SET cron = EXCLUDED.cron",
    )
    .bind(community_id)
    .bind(cohort_id)
    .bind(kind)
    .bind(cron)
    .execute(ex)
    .await?;
    Ok(())
}
