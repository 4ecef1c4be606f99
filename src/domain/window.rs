//! A week's check-in window: it opens before the week (a weekday and time of the week
//! before, like `FRI 12:00`) and closes after it (a weekday and time of the week after,
//! like `WED 23:59`), on the member's wall clock.

use std::fmt;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::Period;

const MINUTES_PER_DAY: i64 = 24 * 60;
const MINUTES_PER_WEEK: i64 = 7 * MINUTES_PER_DAY;

/// How early and how late a week's check-in counts, in minutes around the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckinWindow {
    /// Minutes before the week's Monday 00:00.
    pub opens_before: i64,
    /// Minutes after the week's end (the next Monday 00:00).
    pub closes_after: i64,
}

impl Default for CheckinWindow {
    /// Friday 12:00 of the week before to Wednesday 23:59 of the week after.
    fn default() -> Self {
        Self {
            opens_before: 3 * MINUTES_PER_DAY - 12 * 60,
            closes_after: 2 * MINUTES_PER_DAY + 23 * 60 + 59,
        }
    }
}

/// When a check-in came, against its week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    Early,
    OnTime,
    Late,
}

impl Timing {
    pub fn as_str(self) -> &'static str {
        match self {
            Timing::Early => "early",
            Timing::OnTime => "on_time",
            Timing::Late => "late",
        }
    }
}

/// Where `at` falls against a week's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Before the window opens, which is at `opens`.
    NotYet {
        opens: DateTime<Utc>,
    },
    Open(Timing),
    /// After the window closed, at `closed`.
    Closed {
        closed: DateTime<Utc>,
    },
}

/// A wall-clock instant in `zone`, or the first real one after it in a DST gap (some
/// zones skip midnight itself).
pub fn wall_clock(zone: Tz, naive: chrono::NaiveDateTime) -> DateTime<Utc> {
    (0..=2)
        .find_map(|h| {
            zone.from_local_datetime(&(naive + Duration::hours(h)))
                .earliest()
        })
        .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
}

impl CheckinWindow {
    /// When `week`'s window opens and closes in `zone`, counted on the wall clock (so a
    /// DST change inside the window moves neither end).
    pub fn bounds(self, week: Period, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let monday = week.monday().and_time(NaiveTime::MIN);
        let opens = wall_clock(zone, monday - Duration::minutes(self.opens_before));
        let next_monday = monday + Duration::days(7);
        let closes = wall_clock(zone, next_monday + Duration::minutes(self.closes_after));
        (opens, closes)
    }

    pub fn fit(self, week: Period, zone: Tz, at: DateTime<Utc>) -> Fit {
        let (opens, closes) = self.bounds(week, zone);
        if at < opens {
            return Fit::NotYet { opens };
        }
        if at > closes {
            return Fit::Closed { closed: closes };
        }
        let starts = wall_clock(zone, week.monday().and_time(NaiveTime::MIN));
        let ends = week.end(zone);
        Fit::Open(if at < starts {
            Timing::Early
        } else if at >= ends {
            Timing::Late
        } else {
            Timing::OnTime
        })
    }

    /// `FRI 12:00` (of the week before) as minutes before the week's Monday 00:00.
    pub fn parse_opens(text: &str) -> Result<i64, String> {
        let minutes = weekday_time(text)?;
        Ok(MINUTES_PER_WEEK - minutes)
    }

    /// `WED 23:59` (of the week after) as minutes after the week's end.
    pub fn parse_closes(text: &str) -> Result<i64, String> {
        weekday_time(text)
    }

    /// The opening as the program file writes it.
    pub fn opens_text(self) -> String {
        WeekdayTime(MINUTES_PER_WEEK - self.opens_before).to_string()
    }

    pub fn closes_text(self) -> String {
        WeekdayTime(self.closes_after).to_string()
    }
}

/// `MON 00:00`..`SUN 23:59` as minutes after Monday 00:00.
fn weekday_time(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not a weekday and time like `FRI 12:00`");
    let (day, time) = text.trim().split_once(' ').ok_or_else(bad)?;
    let day: Weekday = day.parse().map_err(|_| bad())?;
    let time = NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| bad())?;
    let minutes = i64::from(time.hour()) * 60 + i64::from(time.minute());
    Ok(i64::from(day.num_days_from_monday()) * MINUTES_PER_DAY + minutes)
}

struct WeekdayTime(i64);

impl fmt::Display for WeekdayTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = Weekday::try_from((self.0.div_euclid(MINUTES_PER_DAY) % 7) as u8)
            .unwrap_or(Weekday::Mon);
        let minutes = self.0.rem_euclid(MINUTES_PER_DAY);
        let name = day.to_string().to_uppercase();
        write!(f, "{name} {:02}:{:02}", minutes / 60, minutes % 60)
    }
}

impl Period {
    pub fn next(self) -> Self {
        Period::of_day(self.monday() + Duration::days(7))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{Asia, Europe};

    fn at(zone: Tz, text: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        wall_clock(zone, naive)
    }

    #[test]
    fn the_default_window_runs_from_friday_noon_to_wednesday_night() {
        let window = CheckinWindow::default();
        assert_eq!(window.opens_text(), "FRI 12:00");
        assert_eq!(window.closes_text(), "WED 23:59");
        assert_eq!(
            CheckinWindow::parse_opens("fri 12:00"),
            Ok(window.opens_before)
        );
        assert_eq!(
            CheckinWindow::parse_closes("WED 23:59"),
            Ok(window.closes_after)
        );
        let w10 = Period::parse("2027-W10").unwrap();
        let tokyo = Asia::Tokyo;
        assert!(matches!(
            window.fit(w10, tokyo, at(tokyo, "2027-03-05 11:59")),
            Fit::NotYet { .. }
        ));
        assert_eq!(
            window.fit(w10, tokyo, at(tokyo, "2027-03-05 12:00")),
            Fit::Open(Timing::Early)
        );
        assert_eq!(
            window.fit(w10, tokyo, at(tokyo, "2027-03-08 00:00")),
            Fit::Open(Timing::OnTime)
        );
        assert_eq!(
            window.fit(w10, tokyo, at(tokyo, "2027-03-16 10:00")),
            Fit::Open(Timing::Late)
        );
        assert!(matches!(
            window.fit(w10, tokyo, at(tokyo, "2027-03-18 00:00")),
            Fit::Closed { .. }
        ));
    }

    #[test]
    fn the_window_keeps_to_the_wall_clock_across_dst_and_iso_week_53() {
        let window = CheckinWindow::default();
        let berlin = Europe::Berlin;
        // Berlin springs forward on Sunday 2027-03-28: the window still closes at 23:59.
        let w12 = Period::parse("2027-W12").unwrap();
        let (_, closes) = window.bounds(w12, berlin);
        assert_eq!(closes, at(berlin, "2027-03-31 23:59"));
        // 2026 has 53 ISO weeks; the one after W53 is 2027-W01.
        let w53 = Period::parse("2026-W53").unwrap();
        assert_eq!(w53.next().to_string(), "2027-W01");
        let (opens, _) = window.bounds(w53, berlin);
        assert_eq!(opens, at(berlin, "2026-12-25 12:00"));
        for bad in ["FRIDAY", "FRI 25:00", "12:00", ""] {
            assert!(CheckinWindow::parse_opens(bad).is_err(), "{bad}");
        }
    }
}
