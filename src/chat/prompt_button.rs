//! The check from both platforms' **Check in** buttons and forms: a button is good only for a
//! prompt the bot sent this member, and only during the week it was for.

use crate::domain::Period;
use crate::render::Message;
use crate::services::checkins::member_zone;
use crate::services::{Caller, Services};
use crate::store;

/// `Ok` when `caller` was prompted in `cohort` for `period` and that week is still open.
pub async fn check(
    services: &Services,
    caller: &Caller,
    cohort: &str,
    period: &str,
) -> Result<(), Message> {
    let pool = &services.pool;
    let internal = |err: sqlx::Error| {
        tracing::error!(error = %err, "checking a check-in button");
        crate::services::messages::internal_error()
    };
    let Some(cohort) = store::cohorts::by_slug(pool, caller.community_id, cohort)
        .await
        .map_err(internal)?
    else {
        tracing::warn!("check-in button for an unknown cohort");
        return Err(messages::button_not_valid());
    };
    let prompted = store::checkins::was_prompted(pool, cohort.id, caller.member.id, period)
        .await
        .map_err(internal)?;
    if !prompted {
        tracing::warn!(cohort = %cohort.slug, "check-in button without a prompt");
        return Err(messages::button_not_valid());
    }
    let now = services.clock.now();
    let current = Period::containing(now, member_zone(&caller.member, &cohort)).to_string();
    if current != period {
        tracing::info!(cohort = %cohort.slug, period, "check-in button for a closed week");
        return Err(messages::stale_button(period, &current));
    }
    Ok(())
}

/// What both adapters say about buttons that no longer apply.
pub mod messages {
    use crate::render::Message;

    pub fn stale_button(period: &str, current: &str) -> Message {
        Message::new()
            .text(format!(
                "That button was for {period}, which has closed. This week is {current}: use the newest prompt or "
            ))
            .code("/checkin")
            .text(".")
    }

    pub fn button_not_valid() -> Message {
        Message::new().text(
            "That button is no longer valid, so nothing was changed. Please use the newest message from me.",
        )
    }
}
