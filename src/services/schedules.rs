//! `/schedule list` and `/schedule set`: trigger kinds are code, their times are data.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::lookup::{arg, find_cohort, optional_cohort};
use super::{Invocation, Outcome, ServiceError, ServiceResult, refuse};
use crate::render::Message;
use crate::schedule::CronExpr;
use crate::schedule::listing::{local_and_utc, next_in_season, upcoming};
use crate::store::schedule;

/// Next times shown per schedule.
const NEXT_SHOWN: usize = 2;
/// Ticks of a new schedule checked for firing too often: enough to see two in one hour.
const TICKS_CHECKED: usize = 8;

mod text {
    use crate::render::Message;

    pub fn none() -> Message {
        Message::new().text("No schedules yet.")
    }

    pub fn line(cohort: &str, kind: &str, cron: &str, member_local: bool) -> Message {
        let msg = Message::new()
            .text("• ")
            .strong(cohort)
            .text(format!(" {kind} "))
            .code(cron);
        if member_local {
            msg.text(" at each learner's local time")
        } else {
            msg
        }
    }

    pub fn next(when: &str) -> Message {
        Message::new().text(format!("    next: {when}"))
    }

    pub fn never_fires(cron: &str) -> Message {
        Message::new()
            .code(cron)
            .text(" never fires (no such date comes), so nothing would ever be sent. Check the day of month and the month, e.g. ")
            .code("0 9 * * MON")
            .text(".")
    }

    pub fn too_often(cron: &str, minutes: i64, kind: &str) -> Message {
        let every = match minutes {
            0 | 1 => "every minute".to_owned(),
            n => format!("every {n} minutes"),
        };
        Message::new()
            .code(cron)
            .text(format!(
                " fires {every}; a {kind} schedule runs at most once an hour. A weekly one looks like "
            ))
            .code("0 9 * * MON")
            .text(" (09:00 on Mondays).")
    }

    pub fn set(cohort: &str, kind: &str, cron: &str, next: Option<&str>) -> Message {
        let msg = Message::new()
            .strong(cohort)
            .text(format!(" {kind} now runs at "))
            .code(cron)
            .text(".");
        match next {
            Some(when) => msg.text(format!(" Next: {when}.")),
            None => msg.text(
                " It fires on no day left in the cohort's dates, so nothing more will be sent.",
            ),
        }
    }
}

pub async fn list(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let only = optional_cohort(tx, inv).await?;
    let rows: Vec<_> = schedule::schedules(&mut *tx, Some(inv.caller.community_id))
        .await?
        .into_iter()
        .filter(|r| only.as_ref().is_none_or(|c| c.id == r.cohort.id))
        .collect();
    if rows.is_empty() {
        return Ok(Outcome::reply(text::none(), inv.spec.visibility));
    }
    let mut reply = Message::new();
    for (i, u) in upcoming(&rows, now, NEXT_SHOWN).iter().enumerate() {
        if i > 0 {
            reply = reply.line();
        }
        reply = reply.push(text::line(&u.cohort_name, &u.kind, &u.cron, u.member_local));
        for at in &u.next {
            reply = reply.line().push(text::next(&local_and_utc(*at, u.zone)));
        }
    }
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

pub async fn set(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let cohort = find_cohort(tx, inv, arg(inv, "cohort")?).await?;
    let kind = arg(inv, "kind")?;
    if cohort.archived {
        return refuse(super::messages::cohort_archived(&cohort.name));
    }
    // The digest is a channel post; the other kinds are DMs.
    if kind == "digest" && cohort.channel.is_none() {
        return refuse(super::messages::cohort_has_no_channel(
            &cohort.name,
            &cohort.slug,
        ));
    }
    let cron = CronExpr::parse(arg(inv, "cron")?)
        .map_err(|e| ServiceError::User(Message::marked(&e.to_string())))?;
    let zone = crate::services::events::when::cohort_zone(&cohort.timezone);
    let ticks = cron.next_ticks(zone, now, TICKS_CHECKED);
    if ticks.is_empty() {
        return refuse(text::never_fires(cron.as_str()));
    }
    // Every kind is weekly, monthly, daily or at most hourly: a cron that fires more often
    // is a slip (`* * * * *`), and would have the scheduler work through it every minute.
    if let Some(gap) = ticks.windows(2).map(|w| w[1] - w[0]).min()
        && gap < chrono::Duration::hours(1)
    {
        return refuse(text::too_often(cron.as_str(), gap.num_minutes(), kind));
    }
    // As `/schedule list` shows it: within the cohort's season, which a cron alone ignores.
    let next = next_in_season(&cron, &cohort, now, 1).first().copied();
    schedule::set(
        &mut *tx,
        inv.caller.community_id,
        cohort.id,
        kind,
        cron.as_str(),
    )
    .await?;
    let detail = json!({ "cohort": cohort.slug, "kind": kind, "cron": cron.as_str() });
    crate::services::audit_caller(&mut *tx, inv, "schedule.set", detail, now).await?;
    Ok(Outcome::reply(
        text::set(
            &cohort.name,
            kind,
            cron.as_str(),
            next.map(|at| local_and_utc(at, zone)).as_deref(),
        ),
        inv.spec.visibility,
    ))
}
