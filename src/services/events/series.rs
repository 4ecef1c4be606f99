//! Recurring sessions: each pass turns a series' cron ticks of the coming weeks into
//! sessions, once per tick (`UNIQUE (series_id, occurrence_at)`), so an occurrence that
//! was moved or cancelled is never created again.

use anyhow::Result;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sqlx::PgPool;

use super::{new_code, when};
use crate::schedule::CronExpr;
use crate::store::sessions::{self, NewSession, Series};

/// How far ahead occurrences exist (the 24 h reminder needs them a day ahead; the
/// calendar shows a month).
const HORIZON_DAYS: i64 = 28;

/// Creates the occurrences due in `(now, now + horizon]`; returns how many were new.
pub async fn materialize(pool: &PgPool, now: DateTime<Utc>) -> Result<u64> {
    let mut created = 0;
    for series in sessions::all_series(pool).await? {
        let Ok(cron) = CronExpr::parse(&series.cron) else {
            tracing::warn!(series = %series.id, cron = %series.cron, "session series cron not understood; skipped");
            continue;
        };
        let zone = when::cohort_zone(&series.timezone);
        let existing = sessions::occurrences(pool, series.id, now).await?;
        for tick in cron.ticks_between(zone, now, now + Duration::days(HORIZON_DAYS)) {
            let day = tick.with_timezone(&zone).date_naive();
            if existing.contains(&tick) || !in_season(&series, day) || !in_rotation(&series, day) {
                continue;
            }
            let code = new_code();
            let new = NewSession {
                community_id: series.community_id,
                cohort_id: Some(series.cohort_id),
                circle_id: None,
                kind: &series.kind,
                title: &series.title,
                starts_at: tick,
                duration_minutes: series.duration_minutes,
                location: series.location.as_deref(),
                slots: series.slots,
                checkin_code: &code,
                created_by: None,
                series: Some((series.id, tick)),
                selection: series.selection,
                rsvp_closes_before_minutes: series.rsvp_closes_before_minutes,
            };
            let mut tx = pool.begin().await?;
            sessions::lock_numbering(&mut *tx, series.community_id).await?;
            if sessions::insert(&mut *tx, &new, now).await?.is_some() {
                created += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(created)
}

fn in_season(series: &Series, day: NaiveDate) -> bool {
    series.starts_on.is_none_or(|s| day >= s) && series.ends_on.is_none_or(|e| day <= e)
}

/// `every_weeks = 2`: weeks counted from the cohort's first week (or the Unix epoch's).
fn in_rotation(series: &Series, day: NaiveDate) -> bool {
    if series.every_weeks <= 1 {
        return true;
    }
    let anchor = series
        .starts_on
        .unwrap_or(NaiveDate::from_ymd_opt(1970, 1, 5).unwrap_or_default());
    let monday = |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
    let weeks = (monday(day) - monday(anchor)).num_days().div_euclid(7);
    weeks.rem_euclid(i64::from(series.every_weeks)) == 0
}
