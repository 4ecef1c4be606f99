//! A prompt's **Check in** button, and the form it opens, are good only for a prompt the bot
//! sent this member, and only during the week it was for. The check-in service applies
//! this rule to a form's answer inside its transaction; adapters ask it before opening the
//! form, so a stale button says so instead of showing a form that cannot be sent.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{member_zone, messages};
use crate::domain::Period;
use crate::render::Message;
use crate::services::{Caller, Services};
use crate::store;
use crate::store::cohorts::Cohort;
use crate::store::members::Member;

/// Before a form opens: `Ok` when `caller` was prompted in `cohort` for `period` and that
/// week is still open.
pub async fn check(
    services: &Services,
    caller: &Caller,
    cohort: &str,
    period: &str,
) -> Result<(), Message> {
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
    let now = services.clock.now();
    match valid(&mut conn, &cohort, &caller.member, period, now).await {
        Ok(result) => result,
        Err(err) => Err(internal(err)),
    }
}

/// The rule: the member was prompted in `cohort` for `period`, and it is still that week
/// in their zone.
pub(super) async fn valid(
    conn: &mut PgConnection,
    cohort: &Cohort,
    member: &Member,
    period: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Result<(), Message>> {
    if !store::checkins::was_prompted(&mut *conn, cohort.id, member.id, period).await? {
        tracing::warn!(cohort = %cohort.slug, "check-in button without a prompt");
        return Ok(Err(crate::services::messages::button_not_valid()));
    }
    let current = Period::containing(now, member_zone(member, cohort)).to_string();
    if current != period {
        tracing::info!(cohort = %cohort.slug, period, "check-in button for a closed week");
        return Ok(Err(messages::stale_button(period, &current)));
    }
    Ok(Ok(()))
}
