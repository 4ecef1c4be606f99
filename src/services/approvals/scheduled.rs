//! The scheduler's part of approvals: requests that expire, requests that escalate, and the
//! weekly DM to approvers' leads about requests nobody answered.
//!
//! Expiry and escalation are state changes taken with `FOR UPDATE SKIP LOCKED` and written
//! in the same transaction as their DMs, so each happens once however many processes run
//! the scheduler. The weekly reminder is a claimed tick (`trigger_ticks`), once per
//! community and week.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{Chosen, ask_post, choose, direct, messages, rule_of};
use crate::domain::Role;
use crate::services::enqueue;
use crate::store::approvals::{self as store, Via};
use crate::store::schedule as ticks;

/// The weekly reminder goes out on Mondays at this hour, UTC: the start of the working
/// week in Europe and Africa, the Sunday evening of the Americas' west coast at worst.
const REMINDER_HOUR_UTC: u32 = 9;
/// A reminder more than this late (the bot was down) waits for next week.
const REMINDER_GRACE_HOURS: i64 = 12;

/// One pass: expiries, then escalations, then the weekly reminder when due. The number of
/// posts queued.
pub async fn run(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    let mut posts = expire(&mut tx, now).await.context("expiring requests")?;
    posts += escalate(&mut tx, now)
        .await
        .context("escalating requests")?;
    tx.commit().await?;
    posts += remind(pool, now)
        .await
        .context("reminding approvers' leads")?;
    Ok(posts)
}

async fn expire(tx: &mut PgConnection, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut posts = 0;
    for request in store::take_due_expiries(&mut *tx, now).await? {
        crate::store::tools::settle_approval(&mut *tx, request.id, false).await?;
        let approvals = store::approvers(&mut *tx, request.id)
            .await?
            .iter()
            .filter(|a| a.approve == Some(true))
            .count();
        crate::store::audit::record(
            &mut *tx,
            request.community_id,
            None,
            "approval.expired",
            json!({ "request": request.number }),
            now,
        )
        .await?;
        let key = format!("approval:expired:{}", request.id);
        let to = direct(request.requester_id, &request.requester_name);
        let message = messages::expired(&request, approvals);
        if enqueue(tx, request.community_id, &key, &to, &message, now).await? {
            posts += 1;
        }
        tracing::info!(request = request.number, community = %request.community_id, "approval request expired");
    }
    Ok(posts)
}

async fn escalate(tx: &mut PgConnection, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut posts = 0;
    for request in store::take_due_escalations(&mut *tx, now).await? {
        let rule = rule_of(&request)?;
        let (chosen, _) = choose(
            tx,
            request.community_id,
            &request.escalate_to,
            request.requester_id,
            Via::Escalation,
            now,
        )
        .await?;
        let rows: Vec<(Uuid, Via, Option<Uuid>)> = chosen
            .iter()
            .map(|c| (c.member_id, c.via, c.standing_in_for.as_ref().map(|s| s.0)))
            .collect();
        // Those already asked keep their place: only the newly asked get a DM.
        let added = store::add_approvers(&mut *tx, request.id, &rows, now).await?;
        let new: Vec<&Chosen> = chosen
            .iter()
            .filter(|c| added.contains(&c.member_id))
            .collect();
        crate::store::audit::record(
            &mut *tx,
            request.community_id,
            None,
            "approval.escalated",
            json!({ "request": request.number, "added": added }),
            now,
        )
        .await?;
        for person in &new {
            let (to, message) = ask_post(&request, rule, person);
            let key = format!("approval:escalated:{}:{}", request.id, person.member_id);
            if enqueue(tx, request.community_id, &key, &to, &message, now).await? {
                posts += 1;
            }
        }
        let names: Vec<&str> = new.iter().map(|c| c.name.as_str()).collect();
        let key = format!("approval:escalated:{}", request.id);
        let to = direct(request.requester_id, &request.requester_name);
        if enqueue(
            tx,
            request.community_id,
            &key,
            &to,
            &messages::escalated(&request, &names),
            now,
        )
        .await?
        {
            posts += 1;
        }
        tracing::info!(
            request = request.number,
            added = new.len(),
            "approval request escalated"
        );
    }
    Ok(posts)
}

/// This week's reminder tick: Monday at [`REMINDER_HOUR_UTC`], when `now` is within its
/// grace.
fn reminder_tick(now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let monday = now.date_naive() - Duration::days(i64::from(now.weekday().num_days_from_monday()));
    let tick = monday
        .and_time(NaiveTime::from_hms_opt(REMINDER_HOUR_UTC, 0, 0)?)
        .and_utc();
    (tick <= now && now - tick <= Duration::hours(REMINDER_GRACE_HOURS)).then_some(tick)
}

/// Monday's DM to each approver's lead (the policy's `escalate_to`, else the stewards):
/// the open requests some approver has not answered.
async fn remind(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let Some(tick) = reminder_tick(now) else {
        return Ok(0);
    };
    let rows = store::unanswered(pool, now).await?;
    let mut by_community: BTreeMap<Uuid, Vec<store::Unanswered>> = BTreeMap::new();
    for row in rows {
        by_community.entry(row.community_id).or_default().push(row);
    }
    let mut posts = 0;
    for (community_id, requests) in by_community {
        let mut tx = pool.begin().await?;
        let key = format!("approval_reminder:{community_id}");
        if !ticks::claim_one(&mut *tx, &key, community_id, tick, now).await? {
            continue;
        }
        // Each lead hears about the requests they lead, once, in one DM.
        let mut per_lead: BTreeMap<(String, Uuid), Vec<&store::Unanswered>> = BTreeMap::new();
        let stewards = vec![Role::Steward.as_str().to_owned()];
        for request in &requests {
            let leads = if request.escalate_to.is_empty() {
                &stewards
            } else {
                &request.escalate_to
            };
            for (lead, name) in store::resolve(&mut *tx, community_id, leads).await? {
                per_lead.entry((name, lead)).or_default().push(request);
            }
        }
        for ((name, lead), listed) in per_lead {
            let key = format!(
                "approval_reminder:{community_id}:{lead}:{}",
                tick.date_naive()
            );
            let message = messages::unanswered(&listed);
            if enqueue(
                &mut tx,
                community_id,
                &key,
                &direct(lead, &name),
                &message,
                now,
            )
            .await?
            {
                posts += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(posts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reminder_is_due_on_monday_morning_for_twelve_hours() {
        let at = |s: &str| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                .unwrap()
                .and_utc()
        };
        // 2026-12-07 is a Monday.
        assert_eq!(reminder_tick(at("2026-12-07 08:59")), None);
        assert_eq!(
            reminder_tick(at("2026-12-07 09:00")),
            Some(at("2026-12-07 09:00"))
        );
        assert_eq!(
            reminder_tick(at("2026-12-07 21:00")),
            Some(at("2026-12-07 09:00"))
        );
        assert_eq!(reminder_tick(at("2026-12-07 21:01")), None);
        assert_eq!(reminder_tick(at("2026-12-09 10:00")), None);
    }
}
