//! The monthly mentor recognition post in the cohort channel, and its opt-out.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::super::{Destination, Invocation, Outcome, ServiceResult, enqueue};
use super::{approved_profile, messages, record};
use crate::store::cohorts::Cohort;
use crate::store::mentoring as store;
use crate::store::recognition::{self, Credit};

/// The calendar month before the one containing `tick`, in the cohort's zone, as UTC bounds.
fn previous_month(
    tick: DateTime<Utc>,
    zone: Tz,
) -> Option<(NaiveDate, DateTime<Utc>, DateTime<Utc>)> {
    let local = tick.with_timezone(&zone).date_naive();
    let this_month = local.with_day(1)?;
    let last_month = (this_month - chrono::Duration::days(1)).with_day(1)?;
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)?
            .and_local_timezone(zone)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    Some((last_month, start(last_month)?, start(this_month)?))
}

/// Posts last month's credits to the cohort channel; returns posts queued.
pub async fn send_monthly(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    zone: Tz,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let Some(channel) = &cohort.channel else {
        tracing::warn!(cohort = %cohort.slug, "cohort has no channel; recognition not posted");
        return Ok(0);
    };
    let Some((month, from, to)) = previous_month(tick, zone) else {
        return Ok(0);
    };
    let credits: Vec<Credit> = recognition::credits(&mut *tx, cohort.id, from, to)
        .await?
        .into_iter()
        .filter(|c| c.checkin_replies + c.reviews + c.pairings + c.kudos > 0)
        .collect();
    if credits.is_empty() {
        return Ok(0);
    }
    let key = format!("recognition:{}:{}", cohort.id, month.format("%Y-%m"));
    let message = messages::recognition(cohort, month, &credits);
    let added = enqueue(
        tx,
        community_id,
        &key,
        &Destination::Channel(channel.clone()),
        &message,
        now,
    )
    .await?;
    Ok(u64::from(added))
}

/// `/mentor recognition on|off`: whether the monthly post names you.
pub async fn set(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    approved_profile(tx, me).await?;
    let named = super::super::lookup::arg(inv, "named")? == "on";
    store::set_recognition_opt_out(&mut *tx, me.id, !named).await?;
    record(
        tx,
        inv,
        "mentor.recognition",
        json!({ "named": named }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::recognition_set(named),
        inv.spec.visibility,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_previous_month_in_the_cohort_zone() {
        let tick = Utc.with_ymd_and_hms(2027, 4, 1, 8, 0, 0).unwrap();
        let (month, from, to) = previous_month(tick, chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(month, NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
        assert_eq!(from, Utc.with_ymd_and_hms(2027, 2, 28, 23, 0, 0).unwrap());
        assert_eq!(to, Utc.with_ymd_and_hms(2027, 3, 31, 22, 0, 0).unwrap());
    }
}
