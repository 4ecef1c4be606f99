//! One scheduler pass: find the ticks since the last pass, claim each once, and run it.
//!
//! Member-local triggers are evaluated once per distinct (cron, zone). All (cohort, zone)
//! pairs due at one tick are claimed and fanned out in SQL in one transaction, so a tick
//! costs a few statements however many cohorts and learners are due. Cohort triggers
//! (digests) run one transaction each.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

use super::cron::CronExpr;
use super::kinds::{Scope, TriggerKind};
use crate::clock::Clock;
use crate::cluster::Leadership;
use crate::domain::parse_timezone;
use crate::services::checkins::digest;
use crate::services::checkins::scheduled::{self, ZoneTarget};
use crate::store::cohorts::Cohort;
use crate::store::schedule as state;
use crate::telemetry::metrics::metrics;

/// A final digest may follow the cohort's last day by this many days.
const AFTER_END_DAYS: i64 = 7;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    pub fired: u32,
    pub skipped: u32,
    pub posts: u64,
}

/// One trigger: a cohort's schedule of one kind, in one zone.
///
/// The expression and the cohort are shared by the cohort's triggers in every zone (and
/// the expression by every schedule with the same text): a pass over 1,000 cohorts makes
/// 30,000 triggers, and copying each expression's tables and each cohort per zone took
/// most of the pass's own CPU.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub community_id: Uuid,
    pub kind: TriggerKind,
    pub cron: Arc<CronExpr>,
    pub zone: Tz,
    pub cohort: Arc<Cohort>,
}

impl Trigger {
    /// Unique per trigger; with the tick it is the claim key.
    pub fn key(&self) -> String {
        match self.kind.scope() {
            Scope::Cohort => format!("{}:{}", self.kind.key(), self.cohort.id),
            Scope::MemberLocal => format!(
                "{}:{}:{}",
                self.kind.key(),
                self.cohort.id,
                self.zone.name()
            ),
        }
    }

    fn in_season(&self, tick: DateTime<Utc>) -> bool {
        in_season(&self.cohort, self.zone, tick)
    }
}

/// Cohorts are quiet before they start and a week after they end; `/schedule list` shows
/// only the ticks that will fire by the same rule.
pub fn in_season(cohort: &Cohort, zone: Tz, tick: DateTime<Utc>) -> bool {
    let day = tick.with_timezone(&zone).date_naive();
    let started = cohort.starts_on.is_none_or(|s| day >= s);
    let running = cohort
        .ends_on
        .is_none_or(|e: NaiveDate| day <= e + chrono::Duration::days(AFTER_END_DAYS));
    started && running
}

pub struct Scheduler {
    pool: PgPool,
    clock: Arc<dyn Clock>,
    leadership: Leadership,
}

impl Scheduler {
    pub fn new(pool: PgPool, clock: Arc<dyn Clock>) -> Self {
        Self {
            pool,
            clock,
            leadership: Leadership::Sole,
        }
    }

    /// With several processes, only the leader does the housekeeping.
    pub fn with_leadership(mut self, leadership: Leadership) -> Self {
        self.leadership = leadership;
        self
    }

    /// Runs every tick since the last pass (or since now, on the very first pass).
    pub async fn tick(&self) -> Result<TickReport> {
        let started = std::time::Instant::now();
        let now = self.clock.now();
        let since = state::last_run(&self.pool).await?.unwrap_or(now);
        let report = self.run_between(since, now).await?;
        state::set_last_run(&self.pool, now).await?;
        metrics().scheduler_pass(report.fired, report.skipped, started.elapsed());
        Ok(report)
    }

    /// Runs until `stop` fires, a pass every `every`.
    pub async fn run(&self, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            match self.tick().await {
                Ok(report) if report != TickReport::default() => {
                    tracing::info!(?report, "scheduler pass")
                }
                Ok(_) => {}
                Err(err) => tracing::error!(error = %format!("{err:#}"), "scheduler pass failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// Every trigger: cohort triggers once, member-local ones once per learner zone.
    pub async fn triggers(&self) -> Result<Vec<Trigger>> {
        let rows = state::schedules(&self.pool, None).await?;
        let mut zones: HashMap<Uuid, Vec<Tz>> = HashMap::new();
        for (cohort_id, zone) in state::member_zones(&self.pool).await? {
            match parse_timezone(&zone) {
                Ok(tz) => zones.entry(cohort_id).or_default().push(tz),
                Err(_) => tracing::warn!(%cohort_id, %zone, "learner zone not understood; skipped"),
            }
        }
        let mut triggers = Vec::new();
        // Most schedules share a few expressions (the defaults): each is parsed once.
        let mut parsed: HashMap<String, Option<Arc<CronExpr>>> = HashMap::new();
        for row in rows {
            let cron = parsed
                .entry(row.cron.clone())
                .or_insert_with(|| CronExpr::parse(&row.cron).ok().map(Arc::new))
                .clone();
            let (Some(kind), Some(cron), Ok(cohort_zone)) = (
                TriggerKind::parse(&row.kind),
                cron,
                parse_timezone(&row.cohort.timezone),
            ) else {
                tracing::warn!(cohort = %row.cohort.slug, kind = %row.kind, cron = %row.cron, "schedule not understood; skipped");
                continue;
            };
            let trigger_zones = match kind.scope() {
                Scope::Cohort => vec![cohort_zone],
                Scope::MemberLocal => zones.get(&row.cohort.id).cloned().unwrap_or_default(),
            };
            let cohort = Arc::new(row.cohort);
            for zone in trigger_zones {
                triggers.push(Trigger {
                    community_id: row.community_id,
                    kind,
                    cron: cron.clone(),
                    zone,
                    cohort: cohort.clone(),
                });
            }
        }
        Ok(triggers)
    }

    /// Fires each tick in `(since, now]` once; ticks later than their grace are skipped.
    pub async fn run_between(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<TickReport> {
        let mut report = TickReport::default();
        let triggers = self.triggers().await?;
        let mut ticks_cache: HashMap<(&str, Tz), Vec<DateTime<Utc>>> = HashMap::new();
        // Member-local ticks are batched per (kind, tick) across cohorts and zones.
        let mut batched: BTreeMap<(DateTime<Utc>, &'static str), Vec<Trigger>> = BTreeMap::new();
        // Ticks beyond their grace window or on a day off, recorded together after the loop.
        let mut skipped: Vec<state::Skip> = Vec::new();
        let days_off = self.days_off(since, now).await?;
        for trigger in &triggers {
            let ticks = ticks_cache
                .entry((trigger.cron.as_str(), trigger.zone))
                .or_insert_with(|| trigger.cron.ticks_between(trigger.zone, since, now));
            for &tick in ticks.iter() {
                if !trigger.in_season(tick) {
                    continue;
                }
                let late = (now - tick).to_std().unwrap_or_default();
                let day = tick.with_timezone(&trigger.zone).date_naive();
                let reason = if late > trigger.kind.grace() {
                    Some(state::LATE.to_owned())
                } else {
                    // The day as the trigger's zone has it: Easter Monday is Easter Monday
                    // in Tokyo and in Denver, whenever that is in UTC.
                    days_off
                        .get(&(trigger.cohort.id, day))
                        .map(|label| format!("day off: {label}"))
                };
                if let Some(reason) = reason {
                    skipped.push(state::Skip {
                        key: trigger.key(),
                        community_id: trigger.community_id,
                        tick,
                        reason,
                    });
                    continue;
                }
                match trigger.kind.scope() {
                    Scope::MemberLocal => batched
                        .entry((tick, trigger.kind.key()))
                        .or_default()
                        .push(trigger.clone()),
                    Scope::Cohort => {
                        if let Some(posts) = self.fire(trigger, tick, now).await? {
                            report.fired += 1;
                            report.posts += posts;
                        }
                    }
                }
            }
        }
        for ((tick, _), triggers) in batched {
            let (fired, posts) = self.fire_member_local(&triggers, tick, now).await?;
            report.fired += fired;
            report.posts += posts;
        }
        // Recurring sessions of the coming weeks, then the session reminders now due.
        crate::services::events::series::materialize(&self.pool, now)
            .await
            .context("creating recurring sessions")?;
        let (fired, posts) = crate::services::events::reminders::run(&self.pool, since, now)
            .await
            .context("session reminders")?;
        report.fired += fired;
        report.posts += posts;
        let (fired, posts) = crate::services::surveys::after_sessions::run(&self.pool, since, now)
            .await
            .context("feedback after sessions")?;
        report.fired += fired;
        report.posts += posts;
        report.posts += crate::services::away::welcome_returning(&self.pool, now)
            .await
            .context("welcoming members back")?;
        report.posts += crate::services::circles::scheduled::run(&self.pool, since, now)
            .await
            .context("circle prompts and intros")?;
        report.posts += crate::services::approvals::scheduled::run(&self.pool, now)
            .await
            .context("approval expiries, escalations and reminders")?;
        report.posts += crate::services::tools::scheduled::run(&self.pool, now)
            .await
            .context("tool reviews")?;
        report.posts += crate::services::council::scheduled::run(&self.pool, now)
            .await
            .context("council elections and terms")?;
        report.posts += crate::services::erasure::scheduled::run(&self.pool, now)
            .await
            .context("erasing members' data")?;
        if self.leadership.is_leader() {
            report.posts += self.housekeep(now).await?;
        }
        // One line for the pass, not one per tick: a bot down for a week would otherwise
        // log hundreds. Each skip is still recorded, with its reason, in the database.
        let recorded = state::record_skips(&self.pool, &skipped, now).await?;
        report.skipped += recorded.len() as u32;
        if let (Some((first_key, first)), Some((_, last))) = (recorded.first(), recorded.last()) {
            tracing::warn!(skipped = recorded.len(), first_trigger = %first_key, first_tick = %first,
                last_tick = %last, late_minutes = (now - *first).num_minutes(),
                "ticks skipped: late beyond their grace window, or on a day off");
        }
        Ok(report)
    }

    /// The leader's part of a pass: streaks settled, and, on its first run and once an
    /// hour, the weekly and quarterly sweeps and the Discord events' passes. It keeps its
    /// own "last run" (`housekept_at`), so a pass on another process, which advances the
    /// ticks' watermark, never takes an hour or a day from it.
    async fn housekeep(&self, now: DateTime<Utc>) -> Result<u64> {
        let since = state::housekept_at(&self.pool)
            .await?
            .filter(|at| *at <= now)
            .unwrap_or(now);
        let first = since == now;
        let mut posts = 0;
        posts += crate::services::streaks::settle(&self.pool, now)
            .await
            .context("settling streaks")?;
        // Earned roles are reconciled and stale knowledge-base entries swept weekly, and
        // alumni invited to mentor quarterly; whether any is due is asked on a pass's first
        // run and once an hour, which keeps the idle pass to its reads.
        let new_hour = since.timestamp().div_euclid(3600) != now.timestamp().div_euclid(3600);
        if first || new_hour {
            posts += crate::services::earned_roles::reconcile_due(&self.pool, now)
                .await
                .context("reconciling earned roles")? as u64;
            posts += crate::services::knowledge::stale::remind_due(&self.pool, now)
                .await
                .context("reminding owners of stale knowledge-base entries")?;
            posts += crate::services::alumni::invite_due(&self.pool, now)
                .await
                .context("inviting alumni to mentor")?;
            // Sessions coming within the Discord events' horizon (new series occurrences
            // among them) are mirrored.
            crate::services::events::mirror::queue_due(&self.pool, now)
                .await
                .context("queueing Discord events")?;
        }
        // Discord events are compared with their sessions once a day (and by a process
        // when it comes to lead: the Discord adapter).
        if first || since.date_naive() != now.date_naive() {
            crate::privacy::sweep::run(&self.pool, crate::privacy::policy()?, now)
                .await
                .context("the data policy's daily sweep")?;
            crate::services::removal::purge_due(&self.pool, now)
                .await
                .context("purging communities the bot was removed from")?;
        }
        if since.date_naive() != now.date_naive() {
            crate::services::events::mirror::queue_reconcile(
                &self.pool,
                now,
                &now.date_naive().to_string(),
            )
            .await
            .context("queueing the Discord events' reconciliation")?;
        }
        state::set_housekept_at(&self.pool, now).await?;
        Ok(posts)
    }

    /// Cohorts' days off on the local dates a pass from `since` to `now` can touch.
    async fn days_off(
        &self,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<HashMap<(Uuid, NaiveDate), String>> {
        // Local dates run up to a day either side of UTC's.
        let from = since.date_naive() - chrono::Days::new(1);
        let to = now.date_naive() + chrono::Days::new(1);
        Ok(crate::store::days_off::between(&self.pool, from, to)
            .await
            .context("reading days off")?
            .into_iter()
            .map(|(cohort, day, label)| ((cohort, day), label))
            .collect())
    }

    /// Claims the triggers of one member-local tick together and fans out to their learners
    /// in one transaction; triggers another process claimed are left to it.
    async fn fire_member_local(
        &self,
        triggers: &[Trigger],
        tick: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(u32, u64)> {
        let Some(kind) = triggers.first().map(|t| t.kind) else {
            return Ok((0, 0));
        };
        let keys: Vec<String> = triggers.iter().map(Trigger::key).collect();
        let communities: Vec<Uuid> = triggers.iter().map(|t| t.community_id).collect();
        let mut tx = self.pool.begin().await?;
        let claimed: HashSet<String> = state::claim_many(&mut *tx, &keys, &communities, tick, now)
            .await?
            .into_iter()
            .collect();
        let targets: Vec<ZoneTarget<'_>> = triggers
            .iter()
            .filter(|t| claimed.contains(&t.key()))
            .map(|t| ZoneTarget {
                community_id: t.community_id,
                cohort_id: t.cohort.id,
                cohort_name: &t.cohort.name,
                cohort_slug: &t.cohort.slug,
                zone: t.zone,
            })
            .collect();
        if targets.is_empty() {
            return Ok((0, 0));
        }
        let posts = match kind {
            TriggerKind::Checkin => scheduled::send_prompts(&mut tx, &targets, tick, now).await,
            TriggerKind::Nudge => scheduled::send_nudges(&mut tx, &targets, tick).await,
            other => anyhow::bail!("{} is cohort-scoped and never batched", other.key()),
        }
        .with_context(|| {
            format!(
                "running {} for {} cohort zones at {tick}",
                kind.key(),
                targets.len()
            )
        })?;
        tx.commit().await?;
        tracing::info!(kind = kind.key(), %tick, triggers = targets.len(), posts, "member-local triggers fired");
        Ok((targets.len() as u32, posts))
    }

    /// Claims and runs one cohort tick in one transaction; `None` when another process had it.
    async fn fire(
        &self,
        trigger: &Trigger,
        tick: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<u64>> {
        let mut tx = self.pool.begin().await?;
        let claimed = state::claim_many(
            &mut *tx,
            &[trigger.key()],
            &[trigger.community_id],
            tick,
            now,
        )
        .await?;
        if claimed.is_empty() {
            return Ok(None);
        }
        let (community, cohort, zone) = (trigger.community_id, &trigger.cohort, trigger.zone);
        let posts = match trigger.kind {
            TriggerKind::Digest => {
                digest::send_cohort_digest(&mut tx, community, cohort, zone, tick, now).await
            }
            TriggerKind::MentorDigest => {
                digest::send_mentor_digests(&mut tx, community, cohort, zone, tick, now).await
            }
            TriggerKind::Rotation => {
                crate::services::mentoring::rotation::run_scheduled(
                    &mut tx, community, cohort, tick, now,
                )
                .await
            }
            TriggerKind::ReviewEscalation => {
                crate::services::reviews::escalate(&mut tx, community, cohort, now).await
            }
            TriggerKind::InactiveCheck => {
                crate::services::mentoring::inactive::check(&mut tx, community, cohort, now).await
            }
            TriggerKind::PairingFollowUp => {
                crate::services::pairing::follow_up(&mut tx, community, cohort, now).await
            }
            TriggerKind::Recognition => {
                crate::services::mentoring::recognition::send_monthly(
                    &mut tx, community, cohort, zone, tick, now,
                )
                .await
            }
            other => anyhow::bail!("{} is member-local and always batched", other.key()),
        }
        .with_context(|| format!("running {} at {tick}", trigger.key()))?;
        tx.commit().await?;
        tracing::info!(trigger = %trigger.key(), %tick, posts, "trigger fired");
        Ok(Some(posts))
    }
}
