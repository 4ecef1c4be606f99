//! `/stats export <dataset> [cohort] [from] [to]`: a link to a CSV, valid for
//! [`LINK_LIFE`]. The link is a random token recorded with what it exports
//! (`store::export_links`); `web::exports` streams the file.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::{Asked, asked, messages, readable};
use crate::domain::{Period, Role};
use crate::services::events::new_token;
use crate::services::{Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::store::export_links::{self, Dataset, NewLink};
use crate::store::roles;

/// How long an export link works: long enough to open, short enough that a forwarded
/// link is soon dead.
pub const LINK_LIFE: chrono::Duration = chrono::Duration::minutes(15);
/// Weeks exported unless `from` says otherwise.
const DEFAULT_WEEKS: i64 = 12;
/// The longest range one export covers: two years of weeks.
pub const MAX_WEEKS: usize = 104;

pub async fn export(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    public_url: Option<&str>,
) -> ServiceResult {
    let caller = &inv.caller;
    let readable = readable(tx, inv).await?;
    let dataset: Dataset = inv
        .args
        .text("dataset")
        .unwrap_or_default()
        .parse()
        .map_err(|err: String| anyhow::anyhow!(err))?;
    if dataset == Dataset::Checkins
        && !roles::holds_community_role(&mut *tx, caller.member.id, Role::Steward).await?
    {
        return refuse(messages::checkins_for_stewards());
    }
    let Some(public_url) = public_url else {
        return refuse(messages::no_public_url());
    };
    let today = now.date_naive();
    let to = inv.args.date("to").unwrap_or(today);
    let from = inv
        .args
        .date("from")
        .unwrap_or(to - chrono::Duration::weeks(DEFAULT_WEEKS - 1));
    if to < from {
        return refuse(messages::range_backwards(from, to));
    }
    let (first, last) = (Period::of_day(from), Period::of_day(to));
    if weeks_between(first, last).is_none() {
        return refuse(messages::range_too_long(MAX_WEEKS));
    }
    let cohorts = match asked(tx, inv, &readable).await? {
        Asked::Named(cohort) => vec![cohort],
        Asked::Live(live) => live,
    };
    if cohorts.is_empty() {
        return refuse(messages::no_live_cohorts());
    }
    let token = new_token()?;
    let ids: Vec<uuid::Uuid> = cohorts.iter().map(|c| c.id).collect();
    let expires = now + LINK_LIFE;
    let (first_period, last_period) = (first.to_string(), last.to_string());
    export_links::create(
        &mut *tx,
        &NewLink {
            token: &token,
            community_id: caller.community_id,
            member_id: caller.member.id,
            dataset,
            cohort_ids: &ids,
            first_period: &first_period,
            last_period: &last_period,
            expires_at: expires,
        },
        now,
    )
    .await?;
    // Who took which numbers out, and of which cohorts: the link itself is not kept here.
    audit_caller(
        tx,
        inv,
        "stats.export",
        json!({ "dataset": dataset.as_str(), "cohorts": ids,
                "from": first_period, "to": last_period }),
        now,
    )
    .await?;
    let names: Vec<&str> = cohorts.iter().map(|c| c.name.as_str()).collect();
    let url = format!("{public_url}/export/{token}");
    Ok(Outcome::reply(
        messages::export_ready(dataset, &names, first, last, &url, LINK_LIFE),
        inv.spec.visibility,
    ))
}

/// The weeks from `first` through `last`, oldest first; `None` past [`MAX_WEEKS`].
pub fn weeks_between(first: Period, last: Period) -> Option<Vec<String>> {
    let mut weeks = vec![last];
    while *weeks.last()? > first {
        if weeks.len() == MAX_WEEKS {
            return None;
        }
        let earlier = weeks.last()?.previous();
        weeks.push(earlier);
    }
    Some(weeks.iter().rev().map(Period::to_string).collect())
}
