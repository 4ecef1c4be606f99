//! IDENTIFY pacing across processes. Discord allows one IDENTIFY per 5 s in each bucket
//! (shard id % `max_concurrency`), or it invalidates the session; serenity spaces its own
//! shards' IDENTIFYs but knows nothing of other processes (twilight's gateway queue and
//! discord.js's ShardingManager solve this with a shared queue). Here the queue is a row
//! per bucket in PostgreSQL: before its gateway starts, a process reserves a slot for each
//! of its shards, and waits for the first.
//!
//! Not covered: an IDENTIFY serenity makes again after a reconnect that could not resume
//! (serenity has no hook before it). Those are rare (a RESUME is the norm) and come one
//! shard at a time; the gateway logs each READY with its shard, which counts them.

use std::time::Duration;

use serde_json::Value;
use serenity::http::{LightMethod, Route};
use sqlx::PgPool;

use super::gateway::Shards;
use super::rest::Rest;
use crate::store::cluster;

/// Discord's 5 s between IDENTIFYs in a bucket, plus a margin: the time from a process's
/// reservation to its IDENTIFY reaching Discord varies by a few milliseconds per process.
pub const SPACING: Duration = Duration::from_millis(5_250);

/// Reserves this process's IDENTIFY slots and waits for the first; returns the wait.
pub async fn wait_for_slot(rest: &Rest, pool: &PgPool, shards: &Shards) -> Duration {
    // This call and serenity's own, just after, are in the bot's shared budget.
    crate::outbox::spend_shared_budget(pool, super::rest::shared_budget(), 2).await;
    // Discord says how many buckets there are. When it cannot be asked (a 429 or a blip
    // that serenity's own call, just after, may not meet), the slots are still reserved,
    // as if there were one bucket: starting unpaced once let two processes IDENTIFY 40 ms
    // apart.
    let info = match rest.call(Route::GatewayBot, LightMethod::Get, None).await {
        Ok(info) => info,
        Err(err) => {
            tracing::warn!(error = %err, "could not read the gateway's buckets; pacing as if there were one");
            Value::Null
        }
    };
    let (bucket, slots) = slots(shards, &info);
    let wait = match cluster::reserve_identify(pool, bucket, slots, SPACING).await {
        Ok(seconds) => Duration::from_secs_f64(seconds.max(0.0)),
        Err(err) => {
            tracing::warn!(error = %err, "could not reserve an IDENTIFY slot; starting unpaced");
            return Duration::ZERO;
        }
    };
    if !wait.is_zero() {
        tracing::info!(
            wait_ms = wait.as_millis() as u64,
            bucket,
            "another process identified lately: waiting for this one's IDENTIFY slot"
        );
        tokio::time::sleep(wait).await;
    }
    wait
}

/// The bucket of the process's first shard, and how many slots its shards take there.
fn slots(shards: &Shards, info: &Value) -> (i32, i32) {
    let concurrency = info["session_start_limit"]["max_concurrency"]
        .as_u64()
        .filter(|n| *n > 0)
        .unwrap_or(1);
    let (first, count) = match shards {
        Shards::Auto => (0, info["shards"].as_u64().filter(|n| *n > 0).unwrap_or(1)),
        Shards::Count(n) => (0, u64::from(*n)),
        Shards::Range { first, last, .. } => (u64::from(*first), u64::from(last - first + 1)),
    };
    let bucket = i32::try_from(first % concurrency).unwrap_or(0);
    let slots = i32::try_from(count.div_ceil(concurrency)).unwrap_or(i32::MAX);
    (bucket, slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_process_reserves_one_slot_per_shard_in_its_first_shards_bucket() {
        let one = json!({ "shards": 4, "session_start_limit": { "max_concurrency": 1 } });
        let range = Shards::Range {
            first: 2,
            last: 3,
            total: 4,
        };
        assert_eq!(slots(&range, &one), (0, 2));
        assert_eq!(slots(&Shards::Auto, &one), (0, 4));
        let sixteen = json!({ "shards": 64, "session_start_limit": { "max_concurrency": 16 } });
        assert_eq!(slots(&range, &sixteen), (2, 1));
        assert_eq!(slots(&Shards::Count(64), &sixteen), (0, 4));
        // Unknown buckets (the gateway's answer could not be read): paced as one bucket.
        assert_eq!(slots(&range, &Value::Null), (0, 2));
    }
}
