//! Waking-hours overlap between IANA zones, measured over one reference week.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;

/// Quarter-hour slots in a week.
const SLOTS: usize = 7 * 24 * 4;
const WORDS: usize = SLOTS.div_ceil(64);

/// Local waking hours, `[start, end)` in minutes after midnight, on quarter-hours.
/// Every zone uses the same local window; the program file sets it (default 09:00–18:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WakingHours {
    pub start_minute: u32,
    pub end_minute: u32,
}

impl Default for WakingHours {
    fn default() -> Self {
        Self {
            start_minute: 9 * 60,
            end_minute: 18 * 60,
        }
    }
}

impl WakingHours {
    /// Parses `HH:MM-HH:MM`: quarter-hours, start before end, within one day.
    pub fn parse(text: &str) -> Result<Self, String> {
        let minute = |part: &str| -> Option<u32> {
            let (h, m) = part.trim().split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
        };
        let window = text
            .split_once('-')
            .and_then(|(a, b)| Some((minute(a)?, minute(b)?)));
        match window {
            None => Err(format!("`{text}` is not a time window like `09:00-18:00`")),
            Some((start, end)) if start % 15 != 0 || end % 15 != 0 => Err(format!(
                "`{text}`: waking hours start and end on a quarter-hour"
            )),
            Some((start, end)) if end < start + 60 => Err(format!(
                "`{text}`: waking hours end at least an hour after they start, on the same day"
            )),
            Some((start_minute, end_minute)) => Ok(Self {
                start_minute,
                end_minute,
            }),
        }
    }

    /// Whether a local time of day falls inside the window.
    pub fn contains(&self, hour: u32, minute: u32) -> bool {
        (self.start_minute..self.end_minute).contains(&(hour * 60 + minute))
    }
}

impl std::fmt::Display for WakingHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, b) = (self.start_minute, self.end_minute);
        write!(f, "{:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60)
    }
}

/// The quarter-hours of a reference week (in UTC) that fall in a zone's waking hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WakingMask([u64; WORDS]);

impl WakingMask {
    /// Evaluated slot by slot, so DST changes inside the week are honoured.
    pub fn of(zone: Tz, week_start: DateTime<Utc>, hours: WakingHours) -> Self {
        let mut bits = [0u64; WORDS];
        for slot in 0..SLOTS {
            let at = (week_start + Duration::minutes(15 * slot as i64)).with_timezone(&zone);
            if hours.contains(at.hour(), at.minute()) {
                bits[slot / 64] |= 1 << (slot % 64);
            }
        }
        Self(bits)
    }

    /// Shared waking time, in whole hours per day averaged over the week.
    pub fn overlap_hours(&self, other: &WakingMask) -> u32 {
        let quarters: u32 = self
            .0
            .iter()
            .zip(other.0.iter())
            .map(|(a, b)| (a & b).count_ones())
            .sum();
        quarters / (4 * 7)
    }
}

/// Masks per zone, computed once each.
#[derive(Debug, Default)]
pub struct ZoneTable {
    week_start: DateTime<Utc>,
    hours: WakingHours,
    masks: HashMap<Tz, WakingMask>,
}

impl ZoneTable {
    pub fn new(week_start: DateTime<Utc>, hours: WakingHours) -> Self {
        Self {
            week_start,
            hours,
            masks: HashMap::new(),
        }
    }

    pub fn mask(&mut self, zone: Tz) -> WakingMask {
        let (week_start, hours) = (self.week_start, self.hours);
        *self
            .masks
            .entry(zone)
            .or_insert_with(|| WakingMask::of(zone, week_start, hours))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn week() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap()
    }

    fn overlap_in(a: &str, b: &str, hours: WakingHours) -> u32 {
        let a = WakingMask::of(a.parse().unwrap(), week(), hours);
        let b = WakingMask::of(b.parse().unwrap(), week(), hours);
        a.overlap_hours(&b)
    }

    fn overlap(a: &str, b: &str) -> u32 {
        overlap_in(a, b, WakingHours::default())
    }

    #[test]
    fn the_window_is_configurable_to_the_quarter_hour() {
        let early = WakingHours::parse("07:30-16:00").unwrap();
        assert_eq!(early.to_string(), "07:30-16:00");
        assert_eq!(overlap_in("Europe/Berlin", "Europe/Berlin", early), 8);
        // Berlin 07:30-16:00 is New York 01:30-10:00: 07:30-10:00 NY is shared, 2.5 h.
        assert_eq!(overlap_in("Europe/Berlin", "America/New_York", early), 2);
        assert_eq!(WakingHours::parse("9:00-18:00"), Ok(WakingHours::default()));
        assert_eq!(
            WakingHours::parse("00:00-24:00").map(|h| h.end_minute),
            Ok(24 * 60)
        );
        for bad in [
            "18:00-09:00",
            "09:00-09:30",
            "09:10-18:00",
            "9-18",
            "25:00-26:00",
            "",
        ] {
            assert!(WakingHours::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn same_zone_shares_the_whole_day_and_far_zones_share_none() {
        assert_eq!(overlap("Europe/Berlin", "Europe/Berlin"), 9);
        assert_eq!(overlap("Europe/Berlin", "Europe/London"), 8);
        assert_eq!(overlap("Europe/Berlin", "America/New_York"), 3);
        assert_eq!(overlap("Asia/Tokyo", "America/Denver"), 1);
        assert_eq!(overlap("Asia/Tokyo", "America/New_York"), 0);
    }

    #[test]
    fn half_hour_zones_count_partial_hours() {
        // Kolkata is UTC+5:30, Berlin UTC+1 in early March: 4.5 h shared, floored.
        assert_eq!(overlap("Asia/Kolkata", "Europe/Berlin"), 4);
    }
}
