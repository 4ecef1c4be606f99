//! Time source. Services read "now" from a clock so the shell and tests can move time.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A clock that reads `start` at the real moment `at` and runs `rate` times as fast as the
/// system's: server mode's test clock (`[clock]`, debug builds only). Processes given the
/// same `start`, `at` and `rate` read the same time.
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    start: DateTime<Utc>,
    at: DateTime<Utc>,
    rate: f64,
}

impl ScaledClock {
    pub fn new(start: DateTime<Utc>, at: DateTime<Utc>, rate: f64) -> Self {
        Self { start, at, rate }
    }

    pub fn rate(&self) -> f64 {
        self.rate
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        let real = (Utc::now() - self.at)
            .num_microseconds()
            .unwrap_or(i64::MAX);
        self.start + Duration::microseconds((real as f64 * self.rate) as i64)
    }
}

/// The system clock moved by an offset: time keeps flowing, but the shell can jump it
/// forward (`/clock advance 7d`) or to a moment (`/clock set …`).
#[derive(Debug, Clone, Default)]
pub struct OffsetClock(Arc<Mutex<Duration>>);

impl OffsetClock {
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = to - Utc::now();
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_clock_runs_rate_times_as_fast_from_its_start() {
        let start = "2027-03-08T03:59:30Z".parse().unwrap();
        let clock = ScaledClock::new(start, Utc::now() - Duration::seconds(10), 720.0);
        let elapsed = clock.now() - start;
        // Ten real seconds at 720 times: two hours, give or take the test's own time.
        assert!(elapsed >= Duration::hours(2), "{elapsed}");
        assert!(
            elapsed < Duration::hours(2) + Duration::minutes(2),
            "{elapsed}"
        );
    }
}
