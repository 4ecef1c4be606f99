//! `/kudos`: public thanks in the cohort channel, a few a day.

mod messages;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::lookup::{arg, find_member};
use super::mentoring::today_for;
use super::{Destination, Invocation, Outcome, ServiceResult, refuse};
use crate::store::kudos;

/// Kudos one member may give per local day.
pub const DAILY_LIMIT: i64 = 5;
/// The same kudos again within this many minutes is the same request, not new thanks.
const SAME_KUDOS_MINUTES: i64 = 10;

pub async fn give(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let receiver = find_member(&mut *tx, &inv.caller, arg(inv, "user")?).await?;
    let text = arg(inv, "text")?;
    if receiver.id == me.id {
        return refuse(messages::no_self_kudos());
    }
    // The same thanks sent twice (a double tap, a second try) is posted once.
    let recently = now - chrono::Duration::minutes(SAME_KUDOS_MINUTES);
    if kudos::same_given_since(&mut *tx, me.id, receiver.id, text, recently).await? {
        tracing::info!("the same kudos sent again");
        return Ok(Outcome::reply(
            messages::sent_already(&receiver.display_name),
            inv.spec.visibility,
        ));
    }
    // The limit counts from the giver's local midnight.
    let zone = me
        .timezone
        .as_deref()
        .and_then(|z| crate::domain::parse_timezone(z).ok())
        .unwrap_or(chrono_tz::UTC);
    let midnight = today_for(me.timezone.as_deref(), now)
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_local_timezone(zone)
        .earliest()
        .map_or(now, |t| t.with_timezone(&Utc));
    if kudos::given_since(&mut *tx, me.id, midnight).await? >= DAILY_LIMIT {
        return refuse(messages::limit_reached(DAILY_LIMIT));
    }
    let Some(channel) = kudos::channel_for(&mut *tx, me.id, receiver.id).await? else {
        return refuse(messages::no_cohort());
    };
    kudos::give(
        &mut *tx,
        inv.caller.community_id,
        me.id,
        receiver.id,
        text,
        now,
    )
    .await?;
    crate::services::audit_caller(
        &mut *tx,
        inv,
        "kudos.give",
        json!({ "to": receiver.platform_user_id }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::sent(&receiver.display_name, &channel),
        inv.spec.visibility,
    )
    .with_post(
        Destination::Channel(channel.clone()),
        messages::public(&me.display_name, receiver.id, &receiver.display_name, text),
    )
    .with_achievement(receiver.id, Some(&channel)))
}
