//! Pacing for one platform's REST calls: a global request budget, per-route buckets learned
//! from the platform's own answers, and a circuit that lets a single probe through while
//! the platform is failing, so an outage or a 429 storm gets one backoff, not one per post.
//!
//! Every request of a platform passes [`Gate::admit`] and reports its [`Outcome`]. Waiting
//! happens here, in memory, while the outbox keeps the post's lease alive.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::health::DeliveryHealth;

/// Server errors or timeouts in a row that open the circuit.
const FAILURES_TO_OPEN: u32 = 3;
/// The first wait of an open circuit; it doubles per failed probe up to [`PROBE_CAP`].
const PROBE_BASE: Duration = Duration::from_secs(1);
const PROBE_CAP: Duration = Duration::from_secs(30);
/// Buckets remembered before the idle ones are forgotten (one per channel on Discord).
const BUCKETS_MAX: usize = 20_000;
/// A post whose route is full for longer is handed back to the outbox to retry when the
/// bucket resets, so it does not hold a delivery slot that posts to other routes could use.
pub const BUCKET_WAIT_MAX: Duration = Duration::from_millis(250);
/// How long other requests wait for a route's first answer before going ahead anyway: a
/// hung first request must not stall its route.
const LEARNING_WAIT: Duration = Duration::from_secs(1);

/// What a request's answer says about the platform's limits.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The platform answered (success or a 4xx other than 429). `bucket` carries the
    /// route's limit headers when the platform sent them.
    Answered { bucket: Option<BucketState> },
    /// A 429. `global` stops every route of the platform, otherwise only this bucket.
    RateLimited { retry_after: Duration, global: bool },
    /// 5xx, a timeout or a connection error.
    Failed,
}

/// A route's limit as the platform reported it (`X-RateLimit-Limit`, `-Remaining`,
/// `-Reset-After` on Discord).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketState {
    pub limit: u32,
    pub remaining: u32,
    pub reset_after: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Circuit {
    Closed {
        failures: u32,
    },
    /// Nothing is sent until `until`; then one request probes.
    Open {
        until: Instant,
        step: u32,
    },
    /// One probe is in flight; everyone else waits for its answer.
    Probing {
        step: u32,
    },
}

#[derive(Debug, Default)]
struct Bucket {
    /// Unknown until the first answer: then only one request is in flight for the route.
    limit: Option<u32>,
    remaining: u32,
    reset_at: Option<Instant>,
    in_flight: u32,
    /// Since when the route's first request is out.
    learning: Option<Instant>,
}

#[derive(Debug)]
struct State {
    circuit: Circuit,
    opened_at: Option<Instant>,
    buckets: HashMap<String, Bucket>,
}

pub struct Gate {
    platform: &'static str,
    budget: Option<DefaultDirectRateLimiter>,
    /// Off when another limiter (serenity's) already waits for the route buckets.
    buckets: bool,
    state: Mutex<State>,
    changed: Notify,
    health: DeliveryHealth,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

/// Permission for one request. Report its answer with [`Ticket::record`]; a ticket dropped
/// unrecorded (a cancelled request) frees its place, so a lost probe never wedges the gate.
pub struct Ticket<'a> {
    gate: &'a Gate,
    key: String,
    probe: bool,
    recorded: bool,
}

impl Gate {
    /// `per_second`: the platform's global budget (Discord: 50), or none.
    pub fn new(
        platform: &'static str,
        per_second: Option<NonZeroU32>,
        health: DeliveryHealth,
    ) -> Arc<Self> {
        Self::build(platform, per_second, true, health)
    }

    /// Only the circuit: for a client whose own limiter paces buckets and the budget.
    pub fn circuit_only(platform: &'static str, health: DeliveryHealth) -> Arc<Self> {
        Self::build(platform, None, false, health)
    }

    fn build(
        platform: &'static str,
        per_second: Option<NonZeroU32>,
        buckets: bool,
        health: DeliveryHealth,
    ) -> Arc<Self> {
        // A burst of one spaces requests evenly, so a platform that counts per second
        // never sees more than its budget in any second.
        let budget = per_second
            .map(|n| RateLimiter::direct(Quota::per_second(n).allow_burst(NonZeroU32::MIN)));
        Arc::new(Self {
            platform,
            budget,
            buckets,
            state: Mutex::new(State {
                circuit: Circuit::Closed { failures: 0 },
                opened_at: None,
                buckets: HashMap::new(),
            }),
            changed: Notify::new(),
            health,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until a request on route `key` may be sent: the circuit lets it through, its
    /// bucket has room, and the global budget has a slot. `Err(wait)` when the route's
    /// bucket stays full for longer than [`BUCKET_WAIT_MAX`]: nothing was reserved.
    pub async fn admit(&self, key: &str) -> Result<Ticket<'_>, Duration> {
        let mut probe = false;
        loop {
            // Registered before the state is read, so a change in between is not missed.
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let wait = {
                let mut state = self.lock();
                let now = Instant::now();
                match self.circuit_wait(&mut state, now, &mut probe) {
                    Some(wait) => Some(wait),
                    None if self.buckets => bucket_wait(&mut state, key, now),
                    None => None,
                }
            };
            match wait {
                None => break,
                Some(wait @ (Wait::Bucket(at) | Wait::Until(at))) => {
                    let left = at.saturating_duration_since(Instant::now());
                    if matches!(wait, Wait::Bucket(_)) && left > BUCKET_WAIT_MAX {
                        if probe {
                            // Hand the probe to the next request instead of keeping it.
                            self.finish_probe_unsent();
                        }
                        return Err(left);
                    }
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = &mut notified => {}
                    }
                }
                Some(Wait::Notified) => notified.await,
            }
        }
        let ticket = Ticket {
            gate: self,
            key: key.to_owned(),
            probe,
            recorded: false,
        };
        if let Some(budget) = &self.budget {
            budget.until_ready().await;
        }
        Ok(ticket)
    }

    fn finish_probe_unsent(&self) {
        let mut state = self.lock();
        if let Circuit::Probing { step } = state.circuit {
            state.circuit = Circuit::Open {
                until: Instant::now(),
                step,
            };
        }
        drop(state);
        self.changed.notify_waiters();
    }

    /// `None` when the circuit lets this request through (possibly as the probe).
    fn circuit_wait(&self, state: &mut State, now: Instant, probe: &mut bool) -> Option<Wait> {
        match state.circuit {
            Circuit::Closed { .. } => None,
            Circuit::Probing { .. } if *probe => None,
            Circuit::Probing { .. } => Some(Wait::Notified),
            Circuit::Open { until, .. } if now < until => Some(Wait::Until(until)),
            Circuit::Open { step, .. } => {
                state.circuit = Circuit::Probing { step };
                *probe = true;
                None
            }
        }
    }

    fn finish(&self, key: &str, probe: bool, outcome: Option<&Outcome>) {
        let mut state = self.lock();
        let now = Instant::now();
        if let Some(bucket) = state.buckets.get_mut(key) {
            bucket.in_flight = bucket.in_flight.saturating_sub(1);
            bucket.learning = None;
            match outcome {
                Some(Outcome::Answered {
                    bucket: Some(reported),
                }) => {
                    bucket.limit = Some(reported.limit);
                    // Requests admitted since this one was sent are not in the count yet.
                    bucket.remaining = reported.remaining.saturating_sub(bucket.in_flight);
                    bucket.reset_at = Some(now + reported.reset_after);
                }
                Some(Outcome::Answered { bucket: None }) if bucket.limit.is_none() => {
                    // A route without limit headers is limited by the global budget only.
                    bucket.limit = Some(u32::MAX);
                    bucket.remaining = u32::MAX;
                }
                Some(Outcome::RateLimited {
                    retry_after,
                    global: false,
                }) => {
                    bucket.limit.get_or_insert(1);
                    bucket.remaining = 0;
                    bucket.reset_at = Some(now + *retry_after);
                }
                _ => {}
            }
        }
        let before = state.circuit;
        state.circuit = match (outcome, before) {
            // A cancelled probe hands the probe to the next request.
            (None, Circuit::Probing { step }) if probe => Circuit::Open { until: now, step },
            (None, circuit) => circuit,
            (Some(Outcome::Failed), Circuit::Closed { failures })
                if failures + 1 < FAILURES_TO_OPEN =>
            {
                Circuit::Closed {
                    failures: failures + 1,
                }
            }
            (Some(Outcome::Failed), Circuit::Closed { .. }) => Circuit::Open {
                until: now + probe_wait(0),
                step: 0,
            },
            // A request sent before the circuit opened says nothing new.
            (Some(Outcome::Failed), circuit) if !probe => circuit,
            (Some(Outcome::Failed), Circuit::Probing { step } | Circuit::Open { step, .. }) => {
                Circuit::Open {
                    until: now + probe_wait(step + 1),
                    step: step + 1,
                }
            }
            (
                Some(Outcome::RateLimited {
                    retry_after,
                    global: true,
                }),
                circuit,
            ) => {
                let step = match circuit {
                    Circuit::Closed { .. } => 0,
                    Circuit::Open { step, .. } | Circuit::Probing { step } => step,
                };
                Circuit::Open {
                    until: now + *retry_after,
                    step,
                }
            }
            // A per-route 429 says the platform is up.
            (Some(Outcome::RateLimited { .. } | Outcome::Answered { .. }), _) => {
                Circuit::Closed { failures: 0 }
            }
        };
        self.report(&mut state, before, outcome, now);
        if state.buckets.len() > BUCKETS_MAX {
            state
                .buckets
                .retain(|_, b| b.in_flight > 0 || b.reset_at.is_some_and(|at| at > now));
        }
        drop(state);
        self.changed.notify_waiters();
    }

    /// Logs and publishes a change between "delivering" and "held", once per change.
    fn report(&self, state: &mut State, before: Circuit, outcome: Option<&Outcome>, now: Instant) {
        let was_closed = matches!(before, Circuit::Closed { .. });
        match (was_closed, state.circuit) {
            (true, Circuit::Open { until, .. }) => {
                state.opened_at = Some(now);
                let why = match outcome {
                    Some(Outcome::RateLimited { .. }) => "a global rate limit (429)",
                    _ => "repeated server errors or timeouts",
                };
                let wait = until.saturating_duration_since(now);
                tracing::warn!(
                    platform = self.platform,
                    wait_ms = wait.as_millis() as u64,
                    "{} delivery held after {why}: one probe at a time until it answers",
                    self.platform
                );
                self.health.set(
                    self.platform,
                    Some(format!("delivery held after {why}; probing")),
                );
            }
            (false, Circuit::Closed { .. }) => {
                let held = state
                    .opened_at
                    .take()
                    .map(|at| now.saturating_duration_since(at))
                    .unwrap_or_default();
                tracing::info!(
                    platform = self.platform,
                    held_ms = held.as_millis() as u64,
                    "{} answers again; delivery resumed",
                    self.platform
                );
                self.health.set(self.platform, None);
            }
            _ => {}
        }
    }

    /// Whether the circuit is open or probing: requests are held.
    pub fn is_open(&self) -> bool {
        !matches!(self.lock().circuit, Circuit::Closed { .. })
    }
}

enum Wait {
    Until(Instant),
    /// The route's bucket is full until then.
    Bucket(Instant),
    Notified,
}

/// `None` when route `key` has room now; reserves it.
fn bucket_wait(state: &mut State, key: &str, now: Instant) -> Option<Wait> {
    let bucket = state.buckets.entry(key.to_owned()).or_default();
    if let Some(reset_at) = bucket.reset_at
        && now >= reset_at
    {
        bucket.reset_at = None;
        bucket.remaining = bucket.limit.unwrap_or(0).saturating_sub(bucket.in_flight);
    }
    match (bucket.limit, bucket.learning) {
        (None, Some(since)) if now < since + LEARNING_WAIT => {
            return Some(Wait::Until(since + LEARNING_WAIT));
        }
        (None, Some(_)) => {}
        (None, None) => bucket.learning = Some(now),
        (Some(limit), _) if bucket.remaining == 0 => match bucket.reset_at {
            Some(at) => return Some(Wait::Bucket(at)),
            // The window's end is unknown (the last answers carried no headers): with
            // nothing in flight, start over from the limit.
            None if bucket.in_flight == 0 => bucket.remaining = limit.saturating_sub(1),
            None => return Some(Wait::Notified),
        },
        (Some(_), _) => bucket.remaining -= 1,
    }
    bucket.in_flight += 1;
    None
}

fn probe_wait(step: u32) -> Duration {
    PROBE_BASE.saturating_mul(1 << step.min(10)).min(PROBE_CAP)
}

impl Ticket<'_> {
    pub fn record(mut self, outcome: &Outcome) {
        self.recorded = true;
        self.gate.finish(&self.key, self.probe, Some(outcome));
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if !self.recorded {
            self.gate.finish(&self.key, self.probe, None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> Arc<Gate> {
        Gate::new("Test", None, DeliveryHealth::default())
    }

    #[tokio::test(start_paused = true)]
    async fn a_learned_bucket_holds_requests_until_its_reset() {
        let gate = gate();
        let first = gate.admit("post channel 1").await.unwrap();
        first.record(&Outcome::Answered {
            bucket: Some(BucketState {
                limit: 5,
                remaining: 1,
                reset_after: Duration::from_secs(5),
            }),
        });
        let start = Instant::now();
        gate.admit("post channel 1")
            .await
            .unwrap()
            .record(&Outcome::Answered {
                bucket: Some(BucketState {
                    limit: 5,
                    remaining: 0,
                    reset_after: Duration::from_secs(5),
                }),
            });
        assert_eq!(start.elapsed(), Duration::ZERO, "one left in the window");
        drop(gate.admit("post channel 2").await.unwrap());
        assert_eq!(start.elapsed(), Duration::ZERO, "other routes do not wait");
        assert_eq!(
            gate.admit("post channel 1").await.err(),
            Some(Duration::from_secs(5)),
            "a full route hands the post back with the wait"
        );
        tokio::time::sleep(Duration::from_secs(5) - BUCKET_WAIT_MAX).await;
        drop(gate.admit("post channel 1").await.unwrap());
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(5),
            "a short wait is waited"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_open_circuit_lets_one_probe_through_and_closes_on_success() {
        let gate = gate();
        for _ in 0..FAILURES_TO_OPEN {
            gate.admit("r").await.unwrap().record(&Outcome::Failed);
        }
        assert!(gate.is_open());
        let start = Instant::now();
        let probe = gate.admit("r").await.unwrap();
        assert_eq!(start.elapsed(), PROBE_BASE);
        let gate2 = gate.clone();
        let waiter = tokio::spawn(async move {
            gate2
                .admit("r")
                .await
                .unwrap()
                .record(&Outcome::Answered { bucket: None });
            Instant::now()
        });
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert!(
            !waiter.is_finished(),
            "nobody passes while the probe is out"
        );
        probe.record(&Outcome::Answered { bucket: None });
        let passed = waiter.await.unwrap();
        assert_eq!(passed - start, PROBE_BASE + Duration::from_secs(10));
        assert!(!gate.is_open());
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_probe_doubles_the_wait_and_a_dropped_probe_hands_over() {
        let gate = gate();
        gate.admit("r")
            .await
            .unwrap()
            .record(&Outcome::RateLimited {
                retry_after: Duration::from_secs(3),
                global: true,
            });
        let start = Instant::now();
        gate.admit("r").await.unwrap().record(&Outcome::Failed);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        drop(gate.admit("r").await.unwrap());
        assert_eq!(start.elapsed(), Duration::from_secs(3) + probe_wait(1));
        gate.admit("r")
            .await
            .unwrap()
            .record(&Outcome::Answered { bucket: None });
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(3) + probe_wait(1),
            "the next request probes at once"
        );
        assert!(!gate.is_open());
    }
}
