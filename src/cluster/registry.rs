//! The process registry: each server process registers with its Discord shards, keeps a
//! heartbeat, and leaves on shutdown. A process whose shards overlap a live one's is
//! refused at start, naming the other.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use sqlx::PgPool;
use tokio::sync::watch;
use uuid::Uuid;

use crate::chat::discord::gateway::Shards;
use crate::store::cluster::{self, Process, ShardRange};

/// Missing this many heartbeats makes a process dead to the others.
const STALE_BEATS: u32 = 3;
/// Rows of processes dead this long are removed by the next process that leaves.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);
/// "Every shard" for `auto`, whose count Discord decides.
const ALL_SHARDS: i32 = i32::MAX;

/// The shards as stored: `auto` is every shard.
pub fn shard_range(shards: Option<&Shards>) -> ShardRange {
    match shards? {
        Shards::Auto => Some((0, ALL_SHARDS, None)),
        Shards::Count(n) => {
            let n = i32::try_from(*n).unwrap_or(ALL_SHARDS);
            Some((0, n - 1, Some(n)))
        }
        Shards::Range { first, last, total } => Some((
            i32::try_from(*first).unwrap_or(0),
            i32::try_from(*last).unwrap_or(ALL_SHARDS),
            i32::try_from(*total).ok(),
        )),
    }
}

/// How another process's shards clash with these; `None` when they don't.
fn clash(mine: (i32, i32, Option<i32>), theirs: (i32, i32, Option<i32>)) -> Option<String> {
    let show = |(first, last, total): (i32, i32, Option<i32>)| match total {
        None => "every shard (`auto`)".to_owned(),
        Some(total) => format!("shards {first}-{last} of {total}"),
    };
    if let (Some(a), Some(b)) = (mine.2, theirs.2)
        && a != b
    {
        return Some(format!(
            "it runs {}, this one {}: every process must use the same total",
            show(theirs),
            show(mine)
        ));
    }
    (mine.0 <= theirs.1 && theirs.0 <= mine.1).then(|| {
        format!(
            "it runs {}, and this one would run {} too",
            show(theirs),
            show(mine)
        )
    })
}

fn describe(process: &Process) -> String {
    format!(
        "process {} on {} (pid {}, started {})",
        process.id,
        process.host,
        process.pid,
        process.started_at.format("%Y-%m-%d %H:%M:%S UTC")
    )
}

/// Registers this process, refusing shards a live process already runs.
pub async fn register(pool: &PgPool, me: Uuid, shards: ShardRange, beat: Duration) -> Result<()> {
    let host = hostname();
    let mut tx = pool.begin().await?;
    cluster::lock_registry(&mut *tx).await?;
    if let Some(mine) = shards {
        for other in cluster::live(&mut *tx, beat * STALE_BEATS).await? {
            let Some(first) = other.shard_first else {
                continue;
            };
            let theirs = (first, other.shard_last.unwrap_or(first), other.shard_total);
            if let Some(why) = clash(mine, theirs) {
                bail!(
                    "another cohortbot already runs these Discord shards: {} — {why}. Give each process its own range with discord.shards = \"FIRST-LAST/TOTAL\", or stop the other first.",
                    describe(&other)
                );
            }
        }
    }
    let pid = i32::try_from(std::process::id()).unwrap_or(0);
    cluster::register(&mut *tx, me, &host, pid, shards)
        .await
        .context("registering this process")?;
    tx.commit().await?;
    tracing::info!(process = %me, %host, pid, ?shards, "process registered");
    Ok(())
}

/// Beats every `beat` until `stop`, then leaves the registry.
pub async fn keep_alive(
    pool: PgPool,
    me: Uuid,
    beat: Duration,
    mut stop: watch::Receiver<bool>,
) -> Result<()> {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(beat) => {}
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
        match cluster::heartbeat(&pool, me).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(process = %me, "this process's registry row is gone"),
            Err(err) => tracing::warn!(error = %err, "could not record the heartbeat"),
        }
        match crate::store::outbox::release_dead_processes(&pool, beat * STALE_BEATS).await {
            Ok(0) => {}
            Ok(posts) => tracing::warn!(
                posts,
                "posts leased by a process that stopped beating handed back for delivery"
            ),
            Err(err) => tracing::warn!(error = %err, "could not hand back a dead process's posts"),
        }
    }
    cluster::deregister(&pool, me, FORGET_AFTER).await?;
    Ok(())
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_clash_when_they_overlap_or_disagree_on_the_total() {
        assert!(clash((0, 0, Some(3)), (1, 1, Some(3))).is_none());
        assert!(clash((1, 2, Some(3)), (0, 0, Some(3))).is_none());
        let overlap = clash((1, 2, Some(3)), (2, 2, Some(3))).unwrap();
        assert!(overlap.contains("shards 2-2 of 3"), "{overlap}");
        let total = clash((0, 0, Some(2)), (1, 1, Some(3))).unwrap();
        assert!(total.contains("same total"), "{total}");
        // `auto` runs every shard: it clashes with any range.
        assert!(clash((0, ALL_SHARDS, None), (2, 2, Some(3))).is_some());
        assert_eq!(shard_range(Some(&Shards::Count(2))), Some((0, 1, Some(2))));
        assert_eq!(shard_range(None), None);
    }
}
