//! `/cohort dayoff add|remove|list`: a cohort's days off, beside those in the program file.

mod messages;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::lookup::{arg, find_cohort};
use super::{Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::domain::DayOrWeek;
use crate::store::days_off::{self, Source};

/// Days off `/cohort dayoff list` shows.
const LIST_MAX: i64 = 60;

pub async fn run(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let cohort = find_cohort(tx, inv, arg(inv, "cohort")?).await?;
    let zone = crate::services::events::when::cohort_zone(&cohort.timezone);
    let today = now.with_timezone(&zone).date_naive();
    let action = arg(inv, "action")?;
    if action == "list" {
        let days = days_off::list(&mut *tx, cohort.id, today, LIST_MAX).await?;
        return Ok(Outcome::reply(
            messages::list(&cohort.name, &cohort.slug, &days),
            inv.spec.visibility,
        ));
    }
    let Some(typed) = inv.args.text("day") else {
        return refuse(messages::needs_day(action, &cohort.slug));
    };
    let Some(when) = DayOrWeek::parse(typed) else {
        return refuse(messages::bad_day(typed));
    };
    let days = when.days();
    let (added, verb) = if action == "add" {
        if days.last().is_some_and(|last| *last < today) {
            return refuse(messages::in_the_past(typed));
        }
        let label = inv.args.text("label").unwrap_or(messages::DEFAULT_LABEL);
        let community = inv.caller.community_id;
        let added = days_off::add(
            &mut *tx,
            community,
            cohort.id,
            &days,
            label,
            Source::Command,
        )
        .await?;
        (added, "cohort.dayoff.add")
    } else {
        (
            days_off::remove(&mut *tx, cohort.id, &days).await?,
            "cohort.dayoff.remove",
        )
    };
    let detail = json!({ "cohort": cohort.slug, "day": typed, "changed": added });
    audit_caller(tx, inv, verb, detail, now).await?;
    let reply = match (action, added) {
        ("add", 0) => messages::already_off(&cohort.name, typed),
        ("add", n) => messages::added(&cohort.name, when, n as usize, days.len()),
        (_, 0) => messages::not_off(&cohort.name, typed),
        (_, n) => messages::removed(&cohort.name, typed, n as usize),
    };
    Ok(Outcome::reply(reply, inv.spec.visibility))
}
