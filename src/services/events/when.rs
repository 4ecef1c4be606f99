//! Session times: parsed in a zone, stored in UTC, shown in the reader's zone.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::domain::parse_timezone;

/// A local wall-clock time in `zone`, or `None` inside a DST gap. In an overlap the
/// earlier instant wins, as in the scheduler.
pub fn from_local(naive: NaiveDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// `Thu 11 Mar 2027 17:00 (Europe/Berlin)`: for one reader, in their zone.
pub fn for_reader(at: DateTime<Utc>, zone: Tz) -> String {
    format!(
        "{} ({})",
        at.with_timezone(&zone).format("%a %-d %b %Y %H:%M"),
        zone.name()
    )
}

/// `Thu 11 Mar 2027 16:00 Europe/London (15:00 UTC)`: for a channel read by many.
pub fn for_channel(at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone);
    let utc_day = if local.date_naive() == at.date_naive() {
        at.format("%H:%M UTC").to_string()
    } else {
        at.format("%a %H:%M UTC").to_string()
    };
    format!(
        "{} {} ({utc_day})",
        local.format("%a %-d %b %Y %H:%M"),
        zone.name()
    )
}

/// A member's zone, else the fallback (the cohort's).
pub fn zone_or(member_zone: Option<&str>, fallback: Tz) -> Tz {
    member_zone
        .and_then(|z| parse_timezone(z).ok())
        .unwrap_or(fallback)
}

/// A cohort's stored zone, UTC if it no longer parses.
pub fn cohort_zone(name: &str) -> Tz {
    parse_timezone(name).unwrap_or(Tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::London;

    #[test]
    fn channel_times_show_the_zone_and_utc() {
        let at = Utc.with_ymd_and_hms(2027, 3, 11, 16, 0, 0).unwrap();
        assert_eq!(
            for_channel(at, London),
            "Thu 11 Mar 2027 16:00 Europe/London (16:00 UTC)"
        );
        assert_eq!(
            for_reader(at, chrono_tz::Asia::Tokyo),
            "Fri 12 Mar 2027 01:00 (Asia/Tokyo)"
        );
    }

    #[test]
    fn a_time_in_the_spring_gap_does_not_exist() {
        let naive = NaiveDateTime::parse_from_str("2027-03-28 01:30", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(from_local(naive, London), None);
    }
}
