//! The weekly cohort digest (to the cohort channel) and mentor digest (DM to lead mentors).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgConnection;

use super::messages::{self, AtRisk, DigestFigures, PlanDone, Risk};
use crate::domain::Period;
use crate::render::Message;
use crate::services::events::when::cohort_zone;
use crate::services::{Destination, enqueue};
use crate::store::cohorts::Cohort;
use crate::store::digests::{self, LearnerStatus};
use crate::store::metrics;
use crate::store::outbox::{self, PlatformAction};

/// Builds the cohort digest for the week containing `at` in the cohort's zone.
pub async fn cohort_digest(
    tx: &mut PgConnection,
    cohort: &Cohort,
    zone: Tz,
    at: DateTime<Utc>,
) -> sqlx::Result<(Period, Message)> {
    let period = Period::containing(at, zone);
    let figures = digests::cohort_figures(
        &mut *tx,
        cohort.id,
        &period.to_string(),
        &period.previous().to_string(),
    )
    .await?;
    // Weeks of this month so far, by ISO week's Thursday.
    let mut month_weeks = vec![period];
    while month_weeks.last().map(|p| p.previous().month()) == Some(period.month()) {
        let earlier = month_weeks.last().map(|p| p.previous()).unwrap_or(period);
        month_weeks.push(earlier);
    }
    let weeks: Vec<String> = month_weeks.iter().map(Period::to_string).collect();
    let (weeks_run, every_week) =
        digests::checked_in_every_week(&mut *tx, cohort.id, &weeks).await?;
    let checkins = metrics::week_rate(&mut *tx, cohort.id, period).await?;
    let figures = DigestFigures {
        checkins,
        open_blockers: figures.open_blockers,
        confidence: figures.confidence,
        previous_confidence: figures.previous_confidence,
        weeks_run,
        every_week,
    };
    // Milestones verified and sessions coming up (empty when there are none).
    let events = crate::services::events::digest::section(tx, cohort, zone, at).await?;
    Ok((
        period,
        messages::cohort_digest(&cohort.name, period, &figures).push(events),
    ))
}

/// Queues the cohort digest; returns posts queued (0 without a channel or on a re-run).
pub async fn send_cohort_digest(
    tx: &mut PgConnection,
    community_id: uuid::Uuid,
    cohort: &Cohort,
    zone: Tz,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let Some(channel) = &cohort.channel else {
        tracing::warn!(cohort = %cohort.slug, "cohort has no channel; digest not posted");
        return Ok(0);
    };
    let (period, body) = cohort_digest(tx, cohort, zone, tick).await?;
    let key = format!("digest:{}:{period}", cohort.id);
    let added = enqueue(
        tx,
        community_id,
        &key,
        &Destination::Channel(channel.clone()),
        &body,
        now,
    )
    .await?;
    Ok(u64::from(added))
}

/// After a late check-in for `period`: when the cohort's digest for that week was already
/// queued, it is edited to the new figures and one line goes in its thread. Both are
/// outbox actions keyed by the check-in, so each is sent once and retried like a post.
pub async fn late_checkin(
    tx: &mut PgConnection,
    cohort: &Cohort,
    period: &str,
    checkin_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let key = format!("digest:{}:{period}", cohort.id);
    let Some(queued) = outbox::queued_at(&mut *tx, &key).await? else {
        return Ok(());
    };
    let zone = cohort_zone(&cohort.timezone);
    // Rendered as of the digest's own time, so only the figures change.
    let (_, body) = cohort_digest(tx, cohort, zone, queued).await?;
    let edit = format!("digest-edit:{}:{period}:{checkin_id}", cohort.id);
    let replace = PlatformAction::Replace { of: 0 };
    outbox::enqueue_on(&mut *tx, &edit, &key, replace, &body, now).await?;
    let line = format!("digest-late:{}:{period}:{checkin_id}", cohort.id);
    let reply = PlatformAction::ThreadReply { of: 0 };
    outbox::enqueue_on(&mut *tx, &line, &key, reply, &messages::late_update(), now).await?;
    Ok(())
}

/// A mentor's learners in one cohort for its latest prompted week, as the weekly mentor
/// digest and the Home show them.
pub struct MentorView {
    pub period: Period,
    pub learners: Vec<LearnerStatus>,
    /// Learners away that week, by name: the mentor sees who; the channel only counts them.
    pub away: Vec<String>,
    pub at_risk: Vec<AtRisk>,
}

/// `mentor_id`'s learners in `cohort_id` as of `tick`: those they lead, and with
/// `with_mentees` those they mentor one to one; `None` before the cohort's first prompt or
/// when they mentor nobody there.
pub async fn mentor_view(
    tx: &mut PgConnection,
    cohort_id: uuid::Uuid,
    mentor_id: uuid::Uuid,
    tick: DateTime<Utc>,
    with_mentees: bool,
) -> sqlx::Result<Option<MentorView>> {
    // Report on the latest prompted week: a Monday-morning digest covers last week.
    let latest = digests::latest_prompted_period(&mut *tx, cohort_id, tick).await?;
    let Some(period) = latest.as_deref().and_then(Period::parse) else {
        return Ok(None);
    };
    let learners = digests::mentored_status(
        &mut *tx,
        cohort_id,
        mentor_id,
        &period.to_string(),
        tick,
        with_mentees,
    )
    .await?;
    if learners.is_empty() {
        return Ok(None);
    }
    let away: Vec<String> = learners
        .iter()
        .filter(|l| l.away)
        .map(|l| l.display_name.clone())
        .collect();
    let at_risk: Vec<AtRisk> = learners
        .iter()
        .filter(|l| !l.away)
        .filter_map(|l| {
            let mut risks = Vec::new();
            // The rules are `learner_health`'s; only the figures shown come from here.
            if l.missed_two {
                risks.push(Risk::MissedTwo);
            }
            if let Some(c) = l.latest_confidence.filter(|_| l.low_confidence) {
                risks.push(Risk::LowConfidence(c));
            }
            // Any open blocker, not only one past `learner_health`'s week: that rule keeps a
            // fresh blocker off a learner's health, but a digest that said "nobody looks at
            // risk" while a learner is blocked would tell the mentor nobody is stuck.
            if let Some(since) = l.oldest_open_blocker {
                risks.push(Risk::Blocker((tick - since).num_days()));
            }
            (!risks.is_empty()).then(|| AtRisk {
                name: l.display_name.clone(),
                handle: l.handle.clone(),
                latest_period: l.latest_period.clone(),
                risks,
            })
        })
        .collect();
    Ok(Some(MentorView {
        period,
        learners,
        away,
        at_risk,
    }))
}

impl MentorView {
    /// The digest's summary: checked in against expected, who is away, who is at risk
    /// (with Reply buttons).
    pub fn summary(&self, cohort: &str) -> Message {
        let counts = messages::MentorCounts {
            learners: self.learners.len(),
            checked_in: self.learners.iter().filter(|l| l.checked_in).count(),
        };
        messages::mentor_digest(cohort, self.period, counts, &self.away, &self.at_risk)
    }
}

/// DMs each lead mentor of the cohort the status of their learners.
pub async fn send_mentor_digests(
    tx: &mut PgConnection,
    community_id: uuid::Uuid,
    cohort: &Cohort,
    zone: Tz,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let current = Period::containing(tick, zone);
    let mut sent = 0;
    for (mentor_id, mentor_name) in digests::lead_mentors(&mut *tx, cohort.id, tick).await? {
        // The weekly digest is a lead's: one-to-one mentors see theirs on their Home.
        let Some(view) = mentor_view(tx, cohort.id, mentor_id, tick, false).await? else {
            tracing::debug!(cohort = %cohort.slug, "no prompts sent yet or no learners; no mentor digest");
            continue;
        };
        let learners = &view.learners;
        let plans: Vec<PlanDone> = learners
            .iter()
            .filter_map(|l| {
                Some(PlanDone {
                    name: l.display_name.clone(),
                    planned: l.planned.clone()?,
                    done: l.done.clone(),
                })
            })
            .collect();
        let body = view
            .summary(&cohort.name)
            .push(messages::plan_against_done(&plans));
        // Keyed by the week the digest runs in: one per mentor per week.
        let key = format!("mentor-digest:{}:{mentor_id}:{current}", cohort.id);
        let to = Destination::Direct {
            member_id: mentor_id,
            display_name: mentor_name,
        };
        sent += u64::from(enqueue(tx, community_id, &key, &to, &body, now).await?);
    }
    Ok(sent)
}
