//! Waking-hours overlap between IANA zones, measured over one reference week.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;

/// Quarter-hour slots in a week.
const SLOTS: usize = 7 * 24 * 4;
const WORDS: usize = SLOTS.div_ceil(64);

/// Local waking hours, `[start, end)` in hours.
pub const WAKING_START: u32 = 9;
pub const WAKING_END: u32 = 18;

/// The quarter-hours of a reference week (in UTC) that fall in a zone's waking hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WakingMask([u64; WORDS]);

impl WakingMask {
    /// Evaluated slot by slot, so DST changes inside the week are honoured.
    pub fn of(zone: Tz, week_start: DateTime<Utc>) -> Self {
        let mut bits = [0u64; WORDS];
        for slot in 0..SLOTS {
            let at = week_start + Duration::minutes(15 * slot as i64);
            let hour = at.with_timezone(&zone).hour();
            if (WAKING_START..WAKING_END).contains(&hour) {
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
    masks: HashMap<Tz, WakingMask>,
}

impl ZoneTable {
    pub fn new(week_start: DateTime<Utc>) -> Self {
        Self {
            week_start,
            masks: HashMap::new(),
        }
    }

    pub fn mask(&mut self, zone: Tz) -> WakingMask {
        let week_start = self.week_start;
        *self
            .masks
            .entry(zone)
            .or_insert_with(|| WakingMask::of(zone, week_start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn week() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap()
    }

    fn overlap(a: &str, b: &str) -> u32 {
        let a = WakingMask::of(a.parse().unwrap(), week());
        let b = WakingMask::of(b.parse().unwrap(), week());
        a.overlap_hours(&b)
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
