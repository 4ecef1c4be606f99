//! Cron expressions (5 fields, crontab style) evaluated in a time zone.
//!
//! croner resolves DST consistently: a fixed-time job whose wall-clock time falls in a
//! spring-forward gap runs at the first instant after the gap, and in a fall-back overlap it
//! runs once, at the earlier instant. So every scheduled local time fires exactly once.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use thiserror::Error;

/// Most ticks enumerated for one trigger in one scheduler run (a long outage of a
/// minutely trigger is summarised, not replayed).
pub const TICKS_MAX: usize = 1_000;

#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error(
    "`{expr}` is not a cron expression: {reason}. Use five fields, minute hour day-of-month month day-of-week, like \"0 9 * * MON\""
)]
pub struct CronError {
    pub expr: String,
    pub reason: String,
}

#[derive(Clone)]
pub struct CronExpr {
    text: String,
    cron: Cron,
}

impl fmt::Debug for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CronExpr").field(&self.text).finish()
    }
}

/// The five fields, in order, with what each accepts.
const FIELDS: [(&str, &str); 5] = [
    ("minute", "0–59"),
    ("hour", "0–23"),
    ("day of month", "1–31"),
    ("month", "1–12 or JAN–DEC"),
    ("day of week", "0–7 or MON–SUN"),
];

/// Which field makes `text` unreadable: each is tried alone with the others `*`.
fn field_problem(text: &str) -> String {
    let parts: Vec<&str> = text.split_whitespace().collect();
    if parts.len() == FIELDS.len() {
        for (i, part) in parts.iter().enumerate() {
            let probe: Vec<&str> = (0..FIELDS.len())
                .map(|j| if j == i { *part } else { "*" })
                .collect();
            if Cron::from_str(&probe.join(" ")).is_err() {
                let (name, accepts) = FIELDS[i];
                return format!(
                    "the {name} field `{}` must be {accepts}",
                    crate::domain::text::preview(part)
                );
            }
        }
    }
    "it is not a schedule I understand".to_owned()
}

impl CronExpr {
    pub fn parse(text: &str) -> Result<Self, CronError> {
        let text = text.trim();
        let error = |reason: &str| CronError {
            expr: crate::domain::text::preview(text),
            reason: reason.to_owned(),
        };
        let fields = text.split_whitespace().count();
        if !text.starts_with('@') && fields != 5 {
            return Err(error(&format!("it has {fields} fields, not 5")));
        }
        // croner's own messages name its internals; the reason says which field is wrong.
        let cron = Cron::from_str(text).map_err(|_| error(&field_problem(text)))?;
        Ok(Self {
            text: text.to_owned(),
            cron,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Ticks after `after`, in order, evaluated in `tz`.
    fn ticks_after(
        &self,
        tz: Tz,
        after: DateTime<Utc>,
    ) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        let mut cursor = after.with_timezone(&tz);
        std::iter::from_fn(move || {
            let next = self.cron.find_next_occurrence(&cursor, false).ok()?;
            cursor = next;
            Some(next.with_timezone(&Utc))
        })
    }

    /// Ticks in `(after, until]`, evaluated in `tz`, at most [`TICKS_MAX`].
    pub fn ticks_between(
        &self,
        tz: Tz,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<DateTime<Utc>> {
        self.ticks_after(tz, after)
            .take_while(|t| *t <= until)
            .take(TICKS_MAX)
            .collect()
    }

    /// The next `n` ticks after `after`, in `tz`.
    pub fn next_ticks(&self, tz: Tz, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        self.ticks_after(tz, after).take(n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::{America, Asia, Europe};

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn local(ticks: &[DateTime<Utc>], tz: Tz) -> Vec<String> {
        ticks
            .iter()
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string())
            .collect()
    }

    #[test]
    fn malformed_expressions_are_explained() {
        let err = CronExpr::parse("every monday").unwrap_err();
        assert!(err.to_string().contains("it has 2 fields, not 5"), "{err}");
        let err = CronExpr::parse("0 25 * * MON").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`0 25 * * MON` is not a cron expression"),
            "{err}"
        );
        assert!(CronExpr::parse("0 9 * * MON").is_ok());
        assert!(CronExpr::parse("@daily").is_ok());
    }

    #[test]
    fn new_york_spring_forward_gap_fires_once_after_the_gap() {
        // 2027-03-14 02:00 EST jumps to 03:00 EDT; 02:30 does not exist that day.
        let cron = CronExpr::parse("30 2 * * *").unwrap();
        let ticks = cron.ticks_between(
            America::New_York,
            utc(2027, 3, 13, 0, 0),
            utc(2027, 3, 16, 12, 0),
        );
        assert_eq!(
            local(&ticks, America::New_York),
            [
                "2027-03-13 02:30 EST",
                "2027-03-14 03:00 EDT",
                "2027-03-15 02:30 EDT",
                "2027-03-16 02:30 EDT"
            ]
        );
    }

    #[test]
    fn new_york_fall_back_overlap_fires_once() {
        // 2027-11-07 01:00–02:00 happens twice.
        let cron = CronExpr::parse("30 1 * * *").unwrap();
        let ticks = cron.ticks_between(
            America::New_York,
            utc(2027, 11, 6, 0, 0),
            utc(2027, 11, 8, 12, 0),
        );
        assert_eq!(
            local(&ticks, America::New_York),
            [
                "2027-11-06 01:30 EDT",
                "2027-11-07 01:30 EDT",
                "2027-11-08 01:30 EST"
            ]
        );
    }

    #[test]
    fn berlin_transitions_fire_once_each() {
        let cron = CronExpr::parse("30 2 * * *").unwrap();
        let spring = cron.ticks_between(
            Europe::Berlin,
            utc(2027, 3, 27, 0, 0),
            utc(2027, 3, 29, 12, 0),
        );
        assert_eq!(
            local(&spring, Europe::Berlin),
            [
                "2027-03-27 02:30 CET",
                "2027-03-28 03:00 CEST",
                "2027-03-29 02:30 CEST"
            ]
        );
        let autumn = cron.ticks_between(
            Europe::Berlin,
            utc(2027, 10, 30, 0, 0),
            utc(2027, 11, 1, 12, 0),
        );
        assert_eq!(
            local(&autumn, Europe::Berlin),
            [
                "2027-10-30 02:30 CEST",
                "2027-10-31 02:30 CEST",
                "2027-11-01 02:30 CET"
            ]
        );
    }

    #[test]
    fn interval_jobs_keep_real_time_through_an_overlap() {
        // Hourly at :00 across the Berlin fall-back: 02:00 happens twice and both are real hours.
        let cron = CronExpr::parse("0 * * * *").unwrap();
        let ticks = cron.ticks_between(
            Europe::Berlin,
            utc(2027, 10, 30, 23, 30),
            utc(2027, 10, 31, 2, 30),
        );
        let gaps: Vec<i64> = ticks
            .windows(2)
            .map(|w| (w[1] - w[0]).num_minutes())
            .collect();
        assert!(
            gaps.iter().all(|g| *g == 60),
            "{:?}",
            local(&ticks, Europe::Berlin)
        );
        assert_eq!(ticks.len(), 3);
    }

    #[test]
    fn weekly_local_time_differs_per_zone() {
        let cron = CronExpr::parse("0 9 * * MON").unwrap();
        let from = utc(2027, 3, 6, 0, 0);
        let tokyo = cron.next_ticks(Asia::Tokyo, from, 1);
        let denver = cron.next_ticks(America::Denver, from, 1);
        assert_eq!(local(&tokyo, Asia::Tokyo), ["2027-03-08 09:00 JST"]);
        assert_eq!(local(&denver, America::Denver), ["2027-03-08 09:00 MST"]);
        assert_eq!((denver[0] - tokyo[0]).num_hours(), 16);
    }

    #[test]
    fn a_long_outage_is_bounded() {
        let cron = CronExpr::parse("* * * * *").unwrap();
        let ticks =
            cron.ticks_between(Europe::Berlin, utc(2027, 1, 1, 0, 0), utc(2027, 2, 1, 0, 0));
        assert_eq!(ticks.len(), TICKS_MAX);
    }
}
