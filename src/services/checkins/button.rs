//! A prompt's **Check in** button, and the form it opens, are good only for a prompt the bot
//! sent this member, and only while that week's check-in window is open. The check-in service applies
//! this rule to a form's answer inside its transaction; adapters ask it before opening the
//! form, so a stale button says so instead of showing a form that cannot be sent.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{member_zone, messages};
use crate::domain::{CheckinWindow, Fit, Period};
use crate::render::Message;
use crate::services::{Caller, Services};
use crate::store;
use crate::store::cohorts::Cohort;
use crate::store::members::Member;

/// What a check-in form opens with: the plan the member made last week, as this week's
/// progress, ready to edit.
pub type Prefill = Vec<(&'static str, String)>;

/// Before a form opens: the fields to pre-fill when `caller` was prompted in `cohort` for
/// `period` and that week's window is still open.
pub async fn check(
    services: &Services,
    caller: &Caller,
    cohort: &str,
    period: &str,
) -> Result<Prefill, Message> {
    let internal = |err: sqlx::Error| {
        tracing::error!(error = %err, "checking a check-in button");
        crate::services::messages::internal_error()
    };
    let mut conn = services.pool.acquire().await.map_err(internal)?;
    let Some(cohort) = store::cohorts::by_slug(&mut *conn, caller.community_id, cohort)
        .await
        .map_err(internal)?
    else {
        tracing::warn!("check-in button for an unknown cohort");
        return Err(crate::services::messages::button_not_valid());
    };
    let settings = store::absences::settings(&mut *conn, caller.community_id)
        .await
        .map_err(internal)?;
    let now = services.clock.now();
    valid(
        &mut conn,
        &cohort,
        &caller.member,
        period,
        settings.window,
        now,
    )
    .await
    .map_err(internal)??;
    let last_week = Period::parse(period).map(|p| p.previous().to_string());
    let plan = match last_week {
        Some(last_week) => {
            store::checkins::plan_for(&mut *conn, cohort.id, caller.member.id, &last_week)
                .await
                .map_err(internal)?
        }
        None => None,
    };
    Ok(plan.map(|plan| ("progress", plan)).into_iter().collect())
}

/// The rule: the member was prompted in `cohort` for `period`, and that week's check-in
/// window is still open in their zone.
async fn valid(
    conn: &mut PgConnection,
    cohort: &Cohort,
    member: &Member,
    period: &str,
    window: CheckinWindow,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), Message>> {
    if !store::checkins::was_prompted(&mut *conn, cohort.id, member.id, period).await? {
        tracing::warn!(cohort = %cohort.slug, "check-in button without a prompt");
        return Ok(Err(crate::services::messages::button_not_valid()));
    }
    let zone = member_zone(member, cohort);
    let Some(week) = Period::parse(period) else {
        return Ok(Err(crate::services::messages::button_not_valid()));
    };
    if matches!(window.fit(week, zone, now), Fit::Open(_)) {
        return Ok(Ok(()));
    }
    let current = Period::containing(now, zone).to_string();
    tracing::info!(cohort = %cohort.slug, period, "check-in button for a closed week");
    Ok(Err(messages::stale_button(period, &current)))
}
