//! Check-in periods: the ISO week in a member's time zone, written `2027-W10`.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// The Monday that starts the week.
    monday: NaiveDate,
}

impl Period {
    /// The week that contains `at` on the wall clock of `tz`.
    pub fn containing(at: DateTime<Utc>, tz: Tz) -> Self {
        let date = at.with_timezone(&tz).date_naive();
        Self {
            monday: date - Duration::days(date.weekday().num_days_from_monday().into()),
        }
    }

    /// When the week ends on the wall clock of `tz`: the next Monday's midnight, or the
    /// first instant after it when a DST gap skips midnight.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        let next = (self.monday + Duration::days(7))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists");
        super::window::wall_clock(tz, next)
    }

    /// When the week starts on the wall clock of `tz`: its Monday's midnight, or the first
    /// instant after it when a DST gap skips midnight.
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        self.previous().end(tz)
    }

    pub fn previous(self) -> Self {
        Self {
            monday: self.monday - Duration::days(7),
        }
    }

    /// The month a week belongs to, by its Thursday (as ISO weeks belong to years).
    pub fn month(self) -> (i32, u32) {
        let thursday = self.monday + Duration::days(3);
        (thursday.year(), thursday.month())
    }

    /// The week a local date falls in.
    pub fn of_day(day: NaiveDate) -> Self {
        Self {
            monday: day - Duration::days(day.weekday().num_days_from_monday().into()),
        }
    }

    /// The Monday that starts the week.
    pub fn monday(self) -> NaiveDate {
        self.monday
    }

    /// `2027-W10`
    pub fn parse(text: &str) -> Option<Self> {
        let (year, week) = text.split_once("-W")?;
        let monday =
            NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)?;
        Some(Self { monday })
    }
}

/// A day off as typed: one date, or every day of an ISO week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrWeek {
    Day(NaiveDate),
    Week(Period),
}

impl DayOrWeek {
    /// `2027-03-29` or `2027-W13` (the `W` in either case).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(week) = Period::parse(&text.replacen("-w", "-W", 1)) {
            return Some(Self::Week(week));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(Self::Day)
    }

    pub fn days(self) -> Vec<NaiveDate> {
        match self {
            Self::Day(day) => vec![day],
            Self::Week(week) => (0..7).map(|d| week.monday + Duration::days(d)).collect(),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let week = self.monday.iso_week();
        write!(f, "{}-W{:02}", week.year(), week.week())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::{America, Asia};

    #[test]
    fn the_week_depends_on_the_members_zone() {
        // Sunday 2027-03-07 20:00 in Denver is already Monday in Tokyo.
        let at = Utc.with_ymd_and_hms(2027, 3, 8, 3, 0, 0).unwrap();
        assert_eq!(
            Period::containing(at, America::Denver).to_string(),
            "2027-W09"
        );
        assert_eq!(Period::containing(at, Asia::Tokyo).to_string(), "2027-W10");
    }

    #[test]
    fn weeks_round_trip_and_step_back_across_years() {
        let p = Period::parse("2027-W01").unwrap();
        assert_eq!(p.to_string(), "2027-W01");
        assert_eq!(p.previous().to_string(), "2026-W53");
        assert_eq!(Period::parse("2027-W10").unwrap().month(), (2027, 3));
        assert!(Period::parse("2027-10").is_none());
    }

    #[test]
    fn a_day_off_is_a_date_or_a_whole_iso_week() {
        let week = DayOrWeek::parse("2026-w53").unwrap().days();
        assert_eq!(week.len(), 7);
        assert_eq!(week[0].to_string(), "2026-12-28");
        assert_eq!(week[6].to_string(), "2027-01-03");
        assert_eq!(
            DayOrWeek::parse(" 2027-03-29 ").unwrap().days(),
            vec![NaiveDate::from_ymd_opt(2027, 3, 29).unwrap()]
        );
        for bad in ["2027-W54", "2027-02-30", "easter", "2027-W", ""] {
            assert!(DayOrWeek::parse(bad).is_none(), "{bad}");
        }
    }
}
