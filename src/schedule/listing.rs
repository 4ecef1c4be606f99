//! Next fire times of cohort schedules, for `/schedule list` and `cohortbot schedule list`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::cron::CronExpr;
use super::kinds::{Scope, TriggerKind};
use super::runner::in_season;
use crate::store::cohorts::Cohort;
use crate::store::schedule::ScheduleRow;

#[derive(Debug, Clone)]
pub struct Upcoming {
    pub cohort_slug: String,
    pub cohort_name: String,
    pub kind: String,
    pub cron: String,
    pub zone: Tz,
    /// Whether each learner gets it at their own local time (shown in the cohort's zone).
    pub member_local: bool,
    pub next: Vec<DateTime<Utc>>,
}

pub fn upcoming(rows: &[ScheduleRow], now: DateTime<Utc>, count: usize) -> Vec<Upcoming> {
    rows.iter()
        .map(|row| {
            let zone = crate::services::events::when::cohort_zone(&row.cohort.timezone);
            let next = CronExpr::parse(&row.cron)
                .map(|cron| next_in_season(&cron, &row.cohort, now, count))
                .unwrap_or_default();
            Upcoming {
                cohort_slug: row.cohort.slug.clone(),
                cohort_name: row.cohort.name.clone(),
                kind: row.kind.clone(),
                cron: row.cron.clone(),
                zone,
                member_local: TriggerKind::parse(&row.kind)
                    .is_some_and(|k| k.scope() == Scope::MemberLocal),
                next,
            }
        })
        .collect()
}

/// The next `count` times `cron` fires for `cohort` after `now`, in the cohort's zone:
/// from the season's first day when it is still ahead, since ticks outside the season do
/// not fire. `/schedule set` and `/schedule list` both show these, so they agree.
pub fn next_in_season(
    cron: &CronExpr,
    cohort: &Cohort,
    now: DateTime<Utc>,
    count: usize,
) -> Vec<DateTime<Utc>> {
    let zone = crate::services::events::when::cohort_zone(&cohort.timezone);
    let from = cohort
        .starts_on
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| d.and_local_timezone(zone).earliest())
        .map(|start| start.with_timezone(&Utc) - chrono::Duration::seconds(1))
        .filter(|start| *start > now)
        .unwrap_or(now);
    cron.next_ticks(zone, from, count)
        .into_iter()
        .filter(|at| in_season(cohort, zone, *at))
        .collect()
}

/// `Mon 2027-03-01 09:00 Europe/Berlin (08:00 UTC)`; the UTC date too when it differs
/// (`Tue 2027-03-02 07:00 Pacific/Auckland (Mon 2027-03-01 18:00 UTC)`), and UTC once for a
/// UTC cohort.
pub fn local_and_utc(at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    if zone == Tz::UTC {
        return format!("{} UTC", at.format("%a %Y-%m-%d %H:%M"));
    }
    let utc = if local.date_naive() == at.date_naive() {
        at.format("%H:%M").to_string()
    } else {
        at.format("%a %Y-%m-%d %H:%M").to_string()
    };
    format!(
        "{} {} ({utc} UTC)",
        local.format("%a %Y-%m-%d %H:%M"),
        zone.name()
    )
}

/// Plain text for the command line.
pub fn render(upcoming: &[Upcoming]) -> String {
    let mut out = String::new();
    for u in upcoming {
        let whose = if u.member_local {
            " (each learner's local time)"
        } else {
            ""
        };
        out.push_str(&format!(
            "{} {} \"{}\"{whose}\n",
            u.cohort_slug, u.kind, u.cron
        ));
        for at in &u.next {
            out.push_str(&format!("    {}\n", local_and_utc(*at, u.zone)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn utc_is_said_once_and_its_date_when_it_differs() {
        let at = Utc.with_ymd_and_hms(2027, 3, 1, 18, 0, 0).unwrap();
        assert_eq!(local_and_utc(at, Tz::UTC), "Mon 2027-03-01 18:00 UTC");
        assert_eq!(
            local_and_utc(at, chrono_tz::Europe::Berlin),
            "Mon 2027-03-01 19:00 Europe/Berlin (18:00 UTC)"
        );
        assert_eq!(
            local_and_utc(at, chrono_tz::Pacific::Auckland),
            "Tue 2027-03-02 07:00 Pacific/Auckland (Mon 2027-03-01 18:00 UTC)"
        );
    }
}
