//! `/stats`: the program's headline numbers for stewards, sponsors and lead mentors, read
//! from the shared metric definitions (`store::metrics`), so they match the digest's.

pub mod csv;
pub mod export;
pub mod messages;

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{Invocation, Outcome, ServiceResult, lookup, refuse};
use crate::domain::Period;
use crate::services::events::when::cohort_zone;
use crate::store::cohorts::{self, Cohort};
use crate::store::metrics;
use messages::{CohortLine, CohortStats};

/// Weeks of check-in rates shown unless `weeks:N` asks for more or fewer.
const DEFAULT_WEEKS: usize = 4;
/// Cohorts listed, one line each, when no cohort is named.
const OVERVIEW_MAX: usize = 20;

/// `pool` lends a connection, when one comes without waiting, for reads beside the
/// command's own.
pub async fn show(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    pool: &PgPool,
    public_url: Option<&str>,
) -> ServiceResult {
    metrics::no_jit(tx).await?;
    let readable = readable(tx, inv).await?;
    let weeks = inv.args.int("weeks").map_or(DEFAULT_WEEKS, |n| {
        usize::try_from(n).unwrap_or(DEFAULT_WEEKS)
    });
    // The hint only where `/dashboard link` can give a link: the bot has a web address.
    let charts = public_url.is_some()
        && crate::services::dashboard::may_open(tx, inv.caller.member.id).await?;
    let reply = match asked(tx, inv, &readable).await? {
        Asked::Named(cohort) => {
            messages::cohort(&cohort_stats(tx, pool, &cohort, weeks, now).await?)
        }
        Asked::Live(live) => match live.as_slice() {
            [] => {
                return Ok(Outcome::reply(
                    messages::no_live_cohorts(),
                    inv.spec.visibility,
                ));
            }
            [only] => messages::cohort(&cohort_stats(tx, pool, only, weeks, now).await?),
            several => {
                // A program of hundreds of cohorts gets a readable reply, in time: the
                // first ones, and how to see any other.
                let shown = &several[..several.len().min(OVERVIEW_MAX)];
                let mut lines = Vec::with_capacity(shown.len());
                for cohort in shown {
                    lines.push(cohort_line(tx, cohort, now).await?);
                }
                messages::overview(&lines, several.len() - shown.len())
            }
        },
    };
    let reply = if charts {
        reply.push(messages::dashboard_hint())
    } else {
        reply
    };
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

/// The cohorts whose numbers the caller may read; refused when there are none.
pub(super) async fn readable(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<Vec<Uuid>> {
    let caller = &inv.caller;
    let readable =
        metrics::readable_cohorts(&mut *tx, caller.community_id, caller.member.id).await?;
    if readable.is_empty() {
        return refuse(messages::not_allowed());
    }
    Ok(readable)
}

/// What a `/stats` command is about.
pub(super) enum Asked {
    /// The cohort named in `cohort`, one the caller may read.
    Named(Cohort),
    /// No cohort named: every live cohort the caller may read, in list order.
    Live(Vec<Cohort>),
}

/// The cohort named in the command (refused when it is not among `readable`), or every
/// live one of `readable`.
pub(super) async fn asked(
    tx: &mut PgConnection,
    inv: &Invocation,
    readable: &[Uuid],
) -> ServiceResult<Asked> {
    match lookup::optional_cohort(tx, inv).await? {
        Some(cohort) if readable.contains(&cohort.id) => Ok(Asked::Named(cohort)),
        Some(cohort) => refuse(messages::not_your_cohort(&cohort.name)),
        None => Ok(Asked::Live(
            cohorts::list(&mut *tx, inv.caller.community_id)
                .await?
                .into_iter()
                .filter(|c| !c.archived && readable.contains(&c.id))
                .collect(),
        )),
    }
}

/// `count` weeks ending with the one containing `now` in the cohort's zone, oldest first.
pub(crate) fn weeks_to(cohort: &Cohort, count: usize, now: DateTime<Utc>) -> Vec<String> {
    let last = Period::containing(now, cohort_zone(&cohort.timezone));
    let back = chrono::Duration::weeks(i64::try_from(count.max(1) - 1).unwrap_or_default());
    // `count` is at most 52 (the option's bound), well inside an export's range.
    export::weeks_between(Period::of_day(last.monday() - back), last).unwrap_or_default()
}

async fn cohort_stats(
    tx: &mut PgConnection,
    pool: &PgPool,
    cohort: &Cohort,
    weeks: usize,
    now: DateTime<Utc>,
) -> sqlx::Result<CohortStats> {
    // The funnel costs as much as the other reads together, so it is read beside them on
    // another connection of the pool when one comes at once: an idle one, or a new one
    // while the pool has room, opened while the command's connection reads the rest.
    // Never one that must be waited for, which could deadlock a busy pool; the embedded
    // database's only connection is the command's.
    let beside = async {
        let mut spare = spare_connection(pool).await?;
        Some(
            metrics::read_on(&mut spare, async |conn| {
                metrics::funnel(conn, cohort.id).await
            })
            .await,
        )
    };
    let (weekly, beside) = tokio::join!(weekly_stats(tx, cohort, weeks, now), beside);
    let weekly = weekly?;
    let funnel = match beside {
        Some(Ok(funnel)) => funnel,
        // An idle connection is handed out without the ping `acquire` may make: one the
        // server has closed fails here, and the command's connection reads the funnel.
        Some(Err(err)) => {
            tracing::warn!(error = %err, "the funnel's read beside /stats failed; reading it in the command");
            metrics::funnel(&mut *tx, cohort.id).await?
        }
        None => metrics::funnel(&mut *tx, cohort.id).await?,
    };
    let WeeklyStats {
        enrolled,
        active,
        rates,
    } = weekly;
    let [.., last_week, this_week] = rates.as_slice() else {
        return Err(sqlx::Error::RowNotFound);
    };
    let (last_week, this_week) = (last_week.clone(), this_week.clone());
    let shown = rates[rates.len() - weeks.min(rates.len())..].to_vec();
    Ok(CohortStats {
        name: cohort.name.clone(),
        enrolled,
        active,
        this_week,
        last_week,
        weekly: shown,
        funnel,
    })
}

/// How long `/stats` lets a new connection take to open for the read beside it: a local
/// server opens one in a few milliseconds.
const SPARE_CONNECT: std::time::Duration = std::time::Duration::from_millis(25);

/// A connection of `pool` besides the caller's that comes without waiting for another to
/// be released: an idle one, or a new one while the pool has room.
async fn spare_connection(pool: &PgPool) -> Option<sqlx::pool::PoolConnection<sqlx::Postgres>> {
    if let Some(idle) = pool.try_acquire() {
        return Some(idle);
    }
    if pool.size() >= pool.options().get_max_connections() {
        return None;
    }
    // Room now may be gone by the time it is asked for: the timeout bounds that wait too.
    tokio::time::timeout(SPARE_CONNECT, pool.acquire())
        .await
        .ok()?
        .ok()
}

/// A cohort's numbers that `/stats` reads by the week.
struct WeeklyStats {
    enrolled: i64,
    /// Learners active this week.
    active: i64,
    /// At least two weeks' check-in rates, oldest first: `weeks`, and always last week.
    rates: Vec<metrics::CheckinRate>,
}

async fn weekly_stats(
    tx: &mut PgConnection,
    cohort: &Cohort,
    weeks: usize,
    now: DateTime<Utc>,
) -> sqlx::Result<WeeklyStats> {
    // At least two weeks are read, for the change since last week.
    let periods = weeks_to(cohort, weeks.max(2), now);
    let rates = metrics::checkin_rates(&mut *tx, cohort.id, &periods).await?;
    let active = metrics::active_learners(&mut *tx, cohort.id, &periods[periods.len() - 1..])
        .await?
        .pop()
        .map_or(0, |(_, active)| active);
    Ok(WeeklyStats {
        enrolled: metrics::enrolled(&mut *tx, cohort.id).await?,
        active,
        rates,
    })
}

pub(crate) async fn cohort_line(
    tx: &mut PgConnection,
    cohort: &Cohort,
    now: DateTime<Utc>,
) -> sqlx::Result<CohortLine> {
    let week = Period::containing(now, cohort_zone(&cohort.timezone));
    let this_week = metrics::week_rate(&mut *tx, cohort.id, week).await?;
    let active = metrics::active_learners(&mut *tx, cohort.id, &[week.to_string()])
        .await?
        .pop()
        .map_or(0, |(_, active)| active);
    Ok(CohortLine {
        name: cohort.name.clone(),
        slug: cohort.slug.clone(),
        enrolled: metrics::enrolled(&mut *tx, cohort.id).await?,
        active,
        this_week,
    })
}
