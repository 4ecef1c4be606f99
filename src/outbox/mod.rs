//! Delivery of outbox rows through a platform sender: claim, send, retry, record.
//!
//! No transaction spans network I/O: rows are leased in one short transaction, sent, then
//! recorded in another. An expired lease (a crash mid-send) makes a row claimable again.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use thiserror::Error;
use uuid::Uuid;

use crate::clock::Clock;
use crate::render::Message;
use crate::store::outbox::{self as rows, Claimed};

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

#[derive(Debug, Clone)]
pub struct OutboundPost {
    pub id: i64,
    pub community_id: Uuid,
    pub to: Recipient,
    pub message: Message,
    /// 1 on the first try.
    pub attempt: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub platform_message_id: String,
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum SendError {
    /// Worth retrying (5xx, timeouts, 429); `retry_after` is the platform's own wait.
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
}

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts before a row is dead-lettered.
    pub max_attempts: i32,
    pub base: Duration,
    pub cap: Duration,
    /// How long a claimed row stays invisible to other dispatchers.
    pub lease: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base: Duration::from_secs(2),
            cap: Duration::from_secs(600),
            lease: Duration::from_secs(60),
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
    pub dead: u32,
}

pub struct Dispatcher<S> {
    pool: PgPool,
    clock: Arc<dyn Clock>,
    sender: S,
    policy: RetryPolicy,
    batch: i64,
    platform: Option<&'static str>,
}

impl<S: Sender> Dispatcher<S> {
    pub fn new(pool: PgPool, clock: Arc<dyn Clock>, sender: S) -> Self {
        Self {
            pool,
            clock,
            sender,
            policy: RetryPolicy::default(),
            batch: 32,
            platform: None,
        }
    }

    /// Delivers only posts of communities on `platform` (`discord` or `slack`), so each
    /// platform's dispatcher runs at its own pace. Without it every post is taken.
    pub fn only_platform(mut self, platform: &'static str) -> Self {
        self.platform = Some(platform);
        self
    }

    pub fn sender(&self) -> &S {
        &self.sender
    }

    /// Delivers every row that is ready now, batch by batch.
    pub async fn run_once(&self) -> Result<DispatchReport> {
        let mut report = DispatchReport::default();
        loop {
            let now = self.clock.now();
            let lease_until = now + chrono::Duration::from_std(self.policy.lease)?;
            let claimed =
                rows::claim(&self.pool, now, lease_until, self.batch, self.platform).await?;
            if claimed.is_empty() {
                return Ok(report);
            }
            for row in claimed {
                self.deliver(row, &mut report).await?;
            }
        }
    }

    /// Runs until `stop` fires, polling every `every`.
    pub async fn run(&self, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(err) = self.run_once().await {
                tracing::error!(error = %format!("{err:#}"), "outbox dispatch failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => return,
            }
        }
    }

    async fn deliver(&self, row: Claimed, report: &mut DispatchReport) -> Result<()> {
        let post = outbound(row);
        let result = self.sender.send(&post).await;
        let now = self.clock.now();
        match result {
            Ok(delivered) => {
                rows::mark_sent(&self.pool, post.id, &delivered.platform_message_id, now).await?;
                report.sent += 1;
            }
            Err(SendError::Permanent(reason)) => {
                tracing::warn!(outbox_id = post.id, %reason, "post rejected; dead-lettered");
                rows::mark_dead(&self.pool, post.id, &reason).await?;
                report.dead += 1;
            }
            Err(SendError::Transient { reason, .. })
                if post.attempt >= self.policy.max_attempts =>
            {
                tracing::warn!(outbox_id = post.id, attempts = post.attempt, %reason, "post failed too often; dead-lettered");
                rows::mark_dead(&self.pool, post.id, &reason).await?;
                report.dead += 1;
            }
            Err(SendError::Transient {
                reason,
                retry_after,
            }) => {
                let wait = retry_after.unwrap_or_else(|| self.policy.backoff(post.attempt));
                let at: DateTime<Utc> = now + chrono::Duration::from_std(wait)?;
                tracing::info!(outbox_id = post.id, attempt = post.attempt, wait_ms = wait.as_millis() as u64, %reason, "post will be retried");
                rows::retry_later(&self.pool, post.id, at, &reason).await?;
                report.retried += 1;
            }
        }
        Ok(())
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
