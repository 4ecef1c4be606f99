//! Scheduled check-in work: the weekly prompt and the one nudge, per member time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgConnection;
use uuid::Uuid;

use super::messages;
use crate::domain::Period;
use crate::store::checkins;

/// Prompts every learner of the cohort who lives in `zone`; returns how many.
pub async fn send_prompts(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort_id: Uuid,
    cohort_name: &str,
    zone: Tz,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let period = Period::containing(tick, zone);
    let body = messages::prompt(cohort_name, period);
    checkins::enqueue_prompts(
        tx,
        community_id,
        cohort_id,
        zone.name(),
        &period.to_string(),
        &body,
        now,
    )
    .await
}

/// Nudges learners in `zone` whose prompt for this week is still unanswered.
pub async fn send_nudges(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort_id: Uuid,
    cohort_name: &str,
    zone: Tz,
    tick: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let period = Period::containing(tick, zone);
    let body = messages::nudge(cohort_name, period);
    checkins::enqueue_nudges(
        tx,
        community_id,
        cohort_id,
        zone.name(),
        &period.to_string(),
        &body,
        tick,
    )
    .await
}
