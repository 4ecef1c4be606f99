//! Delivery of outbox rows through a platform sender: claim, send, retry, record.
//!
//! No transaction spans network I/O: rows are leased in one short transaction, sent, then
//! recorded in another. An expired lease (a crash mid-send) makes a row claimable again.
//! A 429 reschedules a post without using one of its attempts; pacing and the one-probe
//! circuit for outages live in [`gate`], shared by every request of a platform.

pub mod gate;
pub mod health;
pub mod wakeup;

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use thiserror::Error;
use tokio::sync::watch;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::clock::Clock;
use crate::render::Message;
use crate::store::outbox::{self as rows, Attempt, Claimed};
pub use crate::store::outbox::{DeadReason, Pacing, Platform, PlatformAction};
// What happened to one post: counted in the report and in the metrics alike.
use crate::telemetry::metrics::{PostFate as Fate, metrics};

/// The longest a claimed post waits for its slot in the shared budget. Slots are reserved
/// only for posts in flight, so they run about a second ahead; this guards the lease
/// against a budget row left far in the future (a clock jump on the database server).
const MAX_SLOT_WAIT: f64 = 10.0;
/// The first and the longest wait between tries to record a sent post's result.
const RECORD_RETRY_FIRST: Duration = Duration::from_millis(100);
const RECORD_RETRY_MAX: Duration = Duration::from_secs(2);

/// Waits for `requests` slots of the platform's global budget (see [`Pacing::Global`])
/// before requests made outside the outbox: command registration, the gateway's own calls.
/// A per-recipient budget belongs to a channel's posts, which only the claim spends. A
/// budget that cannot be read is not waited for: these are few, and the gate still paces.
pub async fn spend_shared_budget(pool: &PgPool, pacing: Pacing, requests: u32) {
    let Pacing::Global { key, interval } = pacing else {
        return;
    };
    match rows::reserve(pool, key, interval, requests).await {
        Ok(wait) => {
            tokio::time::sleep(Duration::from_secs_f64(wait.clamp(0.0, MAX_SLOT_WAIT))).await
        }
        Err(err) => tracing::warn!(error = %err, "could not reserve a slot in the shared budget"),
    }
}

/// Where a claimed post goes, with the platform ids a sender needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Channel(String),
    Direct {
        member_id: Uuid,
        platform: String,
        platform_user_id: String,
        display_name: String,
    },
}

/// A digest of what a platform was last told (a Home view, an event's fields), stored so
/// that a state-based action with nothing new sends nothing.
pub fn fingerprint(sent: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(sent.as_bytes()))
}

#[derive(Debug, Clone)]
pub struct OutboundPost {
    pub id: i64,
    pub community_id: Uuid,
    pub to: Recipient,
    pub message: Message,
    /// Set for a platform action instead of a post (`message` is then empty).
    pub action: Option<PlatformAction>,
    /// For a [`PlatformAction::Replace`]: the platform's id of the message to replace, as
    /// its sender returned it; `None` when that message was never sent.
    pub replaces: Option<String>,
    /// 1 on the first try.
    pub attempt: i32,
}

/// A [`PlatformAction::EarnedRole`] for a member, as both platforms' senders read it.
#[derive(Debug, Clone, Copy)]
pub struct EarnedRoleAction<'a> {
    pub rule: Uuid,
    pub check: bool,
    pub member_id: Uuid,
    pub platform_user_id: &'a str,
    pub display_name: &'a str,
}

impl OutboundPost {
    /// The earned-role action this row carries, if it is one.
    pub fn earned_role(&self) -> Option<EarnedRoleAction<'_>> {
        match (&self.action, &self.to) {
            (
                Some(PlatformAction::EarnedRole { rule, check }),
                Recipient::Direct {
                    member_id,
                    platform_user_id,
                    display_name,
                    ..
                },
            ) => Some(EarnedRoleAction {
                rule: *rule,
                check: *check,
                member_id: *member_id,
                platform_user_id,
                display_name,
            }),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub platform_message_id: String,
}

impl Delivered {
    /// A platform action this platform has no counterpart for (roles on Slack or in the
    /// shell): done, with nothing sent.
    pub fn nothing_to_do() -> Self {
        Self {
            platform_message_id: "none".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum SendError {
    /// A 429: the platform asked to wait `retry_after`. Never counts as an attempt.
    #[error("{reason}")]
    RateLimited {
        reason: String,
        retry_after: Duration,
    },
    /// Worth retrying (5xx, timeouts); `retry_after` is the platform's own wait.
    #[error("{reason}")]
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help (4xx other than 429): the row is dead-lettered.
    #[error("{0}")]
    Permanent(String),
}

/// A platform's way of posting. Implemented by the shell, Discord and Slack senders.
pub trait Sender: Send + Sync {
    fn send(
        &self,
        post: &OutboundPost,
    ) -> impl Future<Output = Result<Delivered, SendError>> + Send;

    /// The platform's name for metrics (`discord`, `slack`, `shell`).
    fn platform(&self) -> &'static str;

    /// The platform's budget, shared by every process: the claim reserves each post's
    /// slot in it, and the post waits for its slot before [`Sender::send`].
    fn pacing(&self) -> Pacing {
        Pacing::Unpaced
    }
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Real failures (not 429s) before a row is dead-lettered.
    pub max_attempts: i32,
    pub base: Duration,
    pub cap: Duration,
    /// How long a claimed row stays invisible to other dispatchers; renewed every third
    /// of it while the send is in flight.
    pub lease: Duration,
    /// A send that takes longer counts as a failed attempt (a hung request).
    pub send_timeout: Duration,
    /// Posts in flight at once: enough that request latency does not cap throughput,
    /// while the platform's gate keeps the pace.
    pub concurrency: usize,
    /// On stop, how long in-flight sends may take before their leases are released.
    pub stop_grace: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base: Duration::from_secs(2),
            cap: Duration::from_secs(600),
            lease: Duration::from_secs(60),
            send_timeout: Duration::from_secs(30),
            concurrency: 16,
            stop_grace: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with "equal jitter": half fixed, half random, capped.
    pub fn backoff(&self, attempt: i32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.clamp(1, 20).saturating_sub(1));
        let delay = exp.min(self.cap);
        let half = delay / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DispatchReport {
    pub sent: u32,
    pub retried: u32,
    /// Rescheduled after a 429, without using an attempt.
    pub rate_limited: u32,
    pub dead: u32,
    /// Leases handed back unsent because the dispatcher was stopping.
    pub released: u32,
}

impl DispatchReport {
    fn add(&mut self, fate: Fate) {
        match fate {
            Fate::Sent => self.sent += 1,
            Fate::Retried => self.retried += 1,
            Fate::RateLimited => self.rate_limited += 1,
            Fate::Dead => self.dead += 1,
        }
    }
}

pub struct Dispatcher<S> {
    inner: Arc<Inner<S>>,
    platform: Option<Platform>,
    /// This process in the registry: its leases are handed back if it dies.
    process: Option<Uuid>,
    /// Outbox wake-ups (`wakeup.rs`): a look without waiting for the poll.
    wakeup: Option<watch::Receiver<u64>>,
}

/// What a delivery task needs; shared with the spawned tasks.
struct Inner<S> {
    pool: PgPool,
    clock: Arc<dyn Clock>,
    sender: S,
    policy: RetryPolicy,
}

impl<S: Sender + 'static> Dispatcher<S> {
    pub fn new(pool: PgPool, clock: Arc<dyn Clock>, sender: S) -> Self {
        Self {
            inner: Arc::new(Inner {
                pool,
                clock,
                sender,
                policy: RetryPolicy::default(),
            }),
            platform: None,
            process: None,
            wakeup: None,
        }
    }

    /// Claims as `process` (its id in the registry), so that if it dies its leases are
    /// handed back once the others see its heartbeat stop, not when they expire.
    pub fn with_process(mut self, process: Option<Uuid>) -> Self {
        self.process = process;
        self
    }

    /// Also looks at once whenever `wakeup` says rows were added.
    pub fn with_wakeup(mut self, wakeup: &wakeup::Wakeup) -> Self {
        self.wakeup = Some(wakeup.subscribe());
        self
    }

    /// Delivers only posts bound for `platform`: DMs to its members, and channel posts of
    /// communities living on it. Without it every post is taken (tests).
    pub fn only_platform(mut self, platform: Platform) -> Self {
        self.platform = Some(platform);
        self
    }

    pub fn with_policy(self, policy: RetryPolicy) -> Self {
        let inner = Arc::into_inner(self.inner).expect("set up before delivering");
        Self {
            inner: Arc::new(Inner { policy, ..inner }),
            platform: self.platform,
            process: self.process,
            wakeup: self.wakeup,
        }
    }

    pub fn sender(&self) -> &S {
        &self.inner.sender
    }

    /// Delivers every row that is ready now, then returns.
    pub async fn run_once(&self) -> Result<DispatchReport> {
        self.drain(None).await
    }

    /// Runs until `stop` fires, polling every `every`. On stop it claims nothing more,
    /// lets in-flight sends finish within the policy's grace, and releases the rest.
    pub async fn run(&self, every: Duration, mut stop: watch::Receiver<bool>) {
        let mut wakeup = self.wakeup.clone();
        loop {
            match self.drain(Some(stop.clone())).await {
                Err(err) => {
                    tracing::error!(error = %format!("{err:#}"), "outbox dispatch failed")
                }
                Ok(report) if *stop.borrow() => {
                    tracing::info!(
                        platform = self.platform_name(),
                        sent = report.sent,
                        released = report.released,
                        "outbox dispatcher stopped"
                    );
                    return;
                }
                Ok(_) => {}
            }
            if *stop.borrow() {
                return;
            }
            let woken = async {
                match wakeup.as_mut() {
                    Some(wakeup) => {
                        // A closed channel (no listener) leaves the poll alone.
                        if wakeup.changed().await.is_err() {
                            std::future::pending::<()>().await;
                        }
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => {}
                _ = woken => {}
            }
        }
    }

    fn platform_name(&self) -> &'static str {
        self.platform.map_or("any", Platform::as_str)
    }

    /// Claims and sends with up to `concurrency` posts in flight, renewing their leases,
    /// until nothing is ready (or `stop` fires). Each send is its own task, so a slow or
    /// hung one never stalls the rest, and the claim never waits on an unpolled send.
    async fn drain(&self, mut stop: Option<watch::Receiver<bool>>) -> Result<DispatchReport> {
        let mut report = DispatchReport::default();
        let mut in_flight: JoinSet<(i64, Result<Fate>)> = JoinSet::new();
        let mut leased: HashSet<i64> = HashSet::new();
        let mut renew = tokio::time::interval(self.inner.policy.lease / 3);
        renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        renew.tick().await;
        let mut exhausted = false;
        let mut stopping = stop.as_ref().is_some_and(|s| *s.borrow());
        self.expire().await?;
        let grace = tokio::time::sleep(self.inner.policy.stop_grace);
        tokio::pin!(grace);
        loop {
            let refill = self.inner.policy.concurrency.div_ceil(2);
            if !stopping && !exhausted && in_flight.len() < refill {
                let room = (self.inner.policy.concurrency - in_flight.len()) as i64;
                // A claim that fails (the database restarting) ends this pass's claiming,
                // never the sends already in flight: they finish and are recorded.
                let claimed = match self.claim(room).await {
                    Ok(claimed) => claimed,
                    Err(err) if !in_flight.is_empty() => {
                        tracing::warn!(error = %format!("{err:#}"), "claiming outbox rows failed; finishing the sends in flight");
                        Vec::new()
                    }
                    Err(err) => return Err(err),
                };
                exhausted = claimed.is_empty();
                for row in claimed {
                    leased.insert(row.id);
                    let inner = self.inner.clone();
                    let slot = Duration::from_secs_f64(row.wait_secs.clamp(0.0, MAX_SLOT_WAIT));
                    in_flight.spawn(async move {
                        tokio::time::sleep(slot).await;
                        inner.deliver(outbound(row)).await
                    });
                }
            }
            if in_flight.is_empty() {
                return Ok(report);
            }
            let stop_changed = async {
                match stop.as_mut() {
                    Some(stop) if !stopping => stop.changed().await.is_ok(),
                    _ => std::future::pending().await,
                }
            };
            tokio::select! {
                Some(joined) = in_flight.join_next() => {
                    let (id, fate) = joined?;
                    leased.remove(&id);
                    match fate {
                        Ok(fate) => report.add(fate),
                        // Its lease runs out and it is sent again: Discord's nonce and
                        // Slack's look at the channel's history keep it from showing twice.
                        Err(err) => tracing::error!(outbox_id = id, error = %format!("{err:#}"), "could not record what happened to a post"),
                    }
                    // The recipient's next post may be claimable now.
                    exhausted = false;
                }
                _ = renew.tick() => {
                    let ids: Vec<i64> = leased.iter().copied().collect();
                    if let Err(err) = rows::renew(&self.inner.pool, &ids, self.inner.policy.lease).await {
                        tracing::warn!(error = %err, "renewing outbox leases failed");
                    }
                }
                true = stop_changed => {
                    stopping = true;
                    grace.as_mut().reset(tokio::time::Instant::now() + self.inner.policy.stop_grace);
                }
                _ = &mut grace, if stopping => {
                    in_flight.abort_all();
                    while in_flight.join_next().await.is_some() {}
                    let ids: Vec<i64> = leased.into_iter().collect();
                    rows::release(&self.inner.pool, &ids).await?;
                    report.released = ids.len() as u32;
                    return Ok(report);
                }
            }
        }
    }

    /// Dead-letters posts past their deadline. Once per pass is enough: the claim skips
    /// them anyway, this only records why they will never go out.
    async fn expire(&self) -> Result<()> {
        let platform = self.platform.map(Platform::as_str);
        let expired = rows::expire(&self.inner.pool, self.inner.clock.now(), platform).await?;
        if expired > 0 {
            tracing::warn!(posts = expired, "posts past their deadline dead-lettered");
        }
        Ok(())
    }

    async fn claim(&self, limit: i64) -> Result<Vec<Claimed>> {
        let now = self.inner.clock.now();
        let platform = self.platform.map(Platform::as_str);
        let pacing = self.inner.sender.pacing();
        Ok(rows::claim(
            &self.inner.pool,
            now,
            self.inner.policy.lease,
            limit,
            platform,
            pacing,
            self.process,
        )
        .await?)
    }
}

impl<S: Sender> Inner<S> {
    async fn deliver(&self, post: OutboundPost) -> (i64, Result<Fate>) {
        let started = std::time::Instant::now();
        let result =
            match tokio::time::timeout(self.policy.send_timeout, self.sender.send(&post)).await {
                Ok(result) => result,
                Err(_) => Err(SendError::Transient {
                    reason: format!(
                        "the send took longer than {} s",
                        self.policy.send_timeout.as_secs()
                    ),
                    retry_after: None,
                }),
            };
        let took = started.elapsed();
        let fate = self.record_surely(&post, result).await;
        if let Ok(fate) = &fate {
            metrics().post(self.sender.platform(), *fate, took);
        }
        (post.id, fate)
    }

    /// [`Inner::record`], retried while the database is away (a restart, a failover) for up
    /// to half the lease: the post went out, and forgetting that would send it again.
    async fn record_surely(
        &self,
        post: &OutboundPost,
        result: Result<Delivered, SendError>,
    ) -> Result<Fate> {
        let give_up = tokio::time::Instant::now() + self.policy.lease / 2;
        let mut wait = RECORD_RETRY_FIRST;
        loop {
            match self.record(post, result.clone()).await {
                Ok(fate) => return Ok(fate),
                Err(err) if tokio::time::Instant::now() + wait < give_up => {
                    tracing::warn!(outbox_id = post.id, error = %format!("{err:#}"), "recording a post's result failed; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(RECORD_RETRY_MAX);
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn record(
        &self,
        post: &OutboundPost,
        result: Result<Delivered, SendError>,
    ) -> Result<Fate> {
        let now = self.clock.now();
        let id = post.id;
        Ok(match result {
            Ok(delivered) => {
                rows::mark_sent(&self.pool, id, &delivered.platform_message_id, now).await?;
                // Which process delivered what, when several share the outbox.
                tracing::debug!(outbox_id = id, "post sent");
                Fate::Sent
            }
            Err(SendError::Permanent(reason)) => {
                tracing::warn!(outbox_id = id, %reason, "post rejected; dead-lettered");
                rows::mark_dead(&self.pool, id, DeadReason::Rejected, &reason).await?;
                Fate::Dead
            }
            Err(SendError::RateLimited {
                reason,
                retry_after,
            }) => {
                let at = now + chrono::Duration::from_std(retry_after)?;
                tracing::debug!(
                    outbox_id = id,
                    wait_ms = retry_after.as_millis() as u64,
                    "rate-limited; rescheduled without using an attempt"
                );
                rows::retry_later(&self.pool, id, at, &reason, Attempt::GivenBack).await?;
                Fate::RateLimited
            }
            Err(SendError::Transient { reason, .. })
                if post.attempt >= self.policy.max_attempts =>
            {
                tracing::warn!(outbox_id = id, attempts = post.attempt, %reason, "post failed too often; dead-lettered");
                rows::mark_dead(&self.pool, id, DeadReason::Attempts, &reason).await?;
                Fate::Dead
            }
            Err(SendError::Transient {
                reason,
                retry_after,
            }) => {
                let wait = retry_after.unwrap_or_else(|| self.policy.backoff(post.attempt));
                let at: DateTime<Utc> = now + chrono::Duration::from_std(wait)?;
                tracing::info!(outbox_id = id, attempt = post.attempt, wait_ms = wait.as_millis() as u64, %reason, "post will be retried");
                rows::retry_later(&self.pool, id, at, &reason, Attempt::Used).await?;
                Fate::Retried
            }
        })
    }
}

fn outbound(row: Claimed) -> OutboundPost {
    let to = match (row.channel, row.member_id) {
        (Some(channel), _) => Recipient::Channel(channel),
        (None, member_id) => Recipient::Direct {
            member_id: member_id.unwrap_or_default(),
            platform: row.platform.unwrap_or_default(),
            platform_user_id: row.platform_user_id.unwrap_or_default(),
            display_name: row.display_name.unwrap_or_default(),
        },
    };
    OutboundPost {
        id: row.id,
        community_id: row.community_id,
        to,
        message: row.body.0,
        action: row.action.map(|a| a.0),
        replaces: row.replaces,
        attempt: row.attempts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_stays_capped() {
        let policy = RetryPolicy::default();
        for attempt in 1..=30 {
            let expected = policy
                .base
                .saturating_mul(1 << (attempt.min(20) - 1))
                .min(policy.cap);
            let wait = policy.backoff(attempt);
            assert!(
                wait >= expected / 2 && wait <= expected,
                "attempt {attempt}: {wait:?}"
            );
        }
    }
}
