//! Next fire times of cohort schedules, for `/schedule list` and `cohortbot schedule list`.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::cron::CronExpr;
use super::kinds::{Scope, TriggerKind};
use crate::domain::parse_timezone;
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
            let zone = parse_timezone(&row.cohort.timezone).unwrap_or(Tz::UTC);
            let next = CronExpr::parse(&row.cron)
                .map(|c| c.next_ticks(zone, now, count))
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

/// `Mon 2027-03-01 09:00 Europe/Berlin (08:00 UTC)`
pub fn local_and_utc(at: DateTime<Utc>, zone: Tz) -> String {
    format!(
        "{} {} ({} UTC)",
        at.with_timezone(&zone).format("%a %Y-%m-%d %H:%M"),
        zone.name(),
        at.format("%H:%M")
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
