//! Scheduled check-in work: the weekly prompt and the one nudge, per learner time zone.
//!
//! A member-local tick is due in many (cohort, zone) pairs at once; each function handles
//! all of them in one statement.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgConnection;
use uuid::Uuid;

use super::messages;
use crate::domain::Period;
use crate::render::Message;
use crate::store::checkins::{self, ZoneBatch};

/// A cohort's learners in one zone.
#[derive(Debug, Clone)]
pub struct ZoneTarget<'a> {
    pub community_id: Uuid,
    pub cohort_id: Uuid,
    pub cohort_name: &'a str,
    pub cohort_slug: &'a str,
    pub zone: Tz,
}

fn batches(
    targets: &[ZoneTarget<'_>],
    tick: DateTime<Utc>,
    body: impl Fn(&str, &str, Period) -> Message,
) -> Vec<ZoneBatch> {
    targets
        .iter()
        .map(|t| {
            let period = Period::containing(tick, t.zone);
            ZoneBatch {
                community_id: t.community_id,
                cohort_id: t.cohort_id,
                zone: t.zone.name().to_owned(),
                period: period.to_string(),
                body: body(t.cohort_name, t.cohort_slug, period),
                deadline: period.end(t.zone),
            }
        })
        .collect()
}

/// Prompts every learner of each target; returns how many.
pub async fn send_prompts(
    tx: &mut PgConnection,
    targets: &[ZoneTarget<'_>],
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let extras = checkins::PromptExtras {
        plan_intro: messages::prompt_plan_intro(),
        blocker_intro: messages::prompt_blocker_intro(),
        blocker_outro: messages::prompt_blocker_outro(),
        blocker_buttons: messages::prompt_blocker_buttons(""),
    };
    let batches = batches(targets, tick, messages::prompt);
    checkins::enqueue_prompts(tx, &batches, &extras, now).await
}

/// Nudges learners of each target whose prompt for this week is still unanswered.
pub async fn send_nudges(
    tx: &mut PgConnection,
    targets: &[ZoneTarget<'_>],
    tick: DateTime<Utc>,
) -> sqlx::Result<u64> {
    checkins::enqueue_nudges(tx, &batches(targets, tick, messages::nudge), tick).await
}
