//! The process registry and the leader lease, on the database's clock.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::store::pg_row;

/// The lease's one row: leader-only work is one job for the whole bot.
const LEASE: &str = "leader";

pg_row! {
    /// A live process, as the registry has it.
    #[derive(Debug, Clone)]
    pub struct Process {
        pub id: Uuid,
        pub host: String,
        pub pid: i32,
        pub shard_first: Option<i32>,
        pub shard_last: Option<i32>,
        pub shard_total: Option<i32>,
        pub started_at: DateTime<Utc>,
    }
}

/// Processes whose heartbeat is younger than `stale_after`.
pub async fn live(
    ex: impl PgExecutor<'_>,
    stale_after: std::time::Duration,
) -> sqlx::Result<Vec<Process>> {
    sqlx::query_as(
        "SELECT id, host, pid, shard_first, shard_last, shard_total, started_at
           FROM bot_processes WHERE heartbeat_at > now() - $1 ORDER BY started_at, id",
    )
    .bind(stale_after)
    .fetch_all(ex)
    .await
}

/// The shards a process runs: (first, last, total); `None` without a gateway.
pub type ShardRange = Option<(i32, i32, Option<i32>)>;

pub async fn register(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    host: &str,
    pid: i32,
    shards: ShardRange,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO bot_processes (id, host, pid, shard_first, shard_last, shard_total,
                                    started_at, heartbeat_at)
         VALUES ($1, $2, $3, $4, $5, $6, now(), now())",
    )
    .bind(id)
    .bind(host)
    .bind(pid)
    .bind(shards.map(|s| s.0))
    .bind(shards.map(|s| s.1))
    .bind(shards.and_then(|s| s.2))
    .execute(ex)
    .await?;
    Ok(())
}

/// Serialises registrations, so two processes starting together see each other.
pub async fn lock_registry(ex: impl PgExecutor<'_>) -> sqlx::Result<()> {
    super::lock_until_commit(ex, "bot_processes").await
}

/// Refreshes the heartbeat; false when the row is gone (deleted as stale by hand).
pub async fn heartbeat(ex: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<bool> {
    let result = sqlx::query("UPDATE bot_processes SET heartbeat_at = now() WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Removes the process, and rows of processes dead for longer than `forget_after`.
pub async fn deregister(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    forget_after: std::time::Duration,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM bot_processes WHERE id = $1 OR heartbeat_at < now() - $2")
        .bind(id)
        .bind(forget_after)
        .execute(ex)
        .await?;
    Ok(())
}

/// Takes the lease if it is free or expired, or renews it if `holder` has it; true when
/// `holder` holds it afterwards. One statement, so two processes never both win.
pub async fn acquire_lease(
    ex: impl PgExecutor<'_>,
    holder: Uuid,
    ttl: std::time::Duration,
) -> sqlx::Result<bool> {
    let held: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO leader_lease AS l (name, holder, acquired_at, expires_at)
         VALUES ($1, $2, now(), now() + $3)
         ON CONFLICT (name) DO UPDATE
            SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at,
                acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at
                                   ELSE EXCLUDED.acquired_at END
          WHERE l.holder = EXCLUDED.holder OR l.expires_at <= now()
         RETURNING holder",
    )
    .bind(LEASE)
    .bind(holder)
    .bind(ttl)
    .fetch_optional(ex)
    .await?;
    Ok(held == Some(holder))
}

/// Gives the lease up, if `holder` has it.
pub async fn release_lease(ex: impl PgExecutor<'_>, holder: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM leader_lease WHERE name = $1 AND holder = $2")
        .bind(LEASE)
        .bind(holder)
        .execute(ex)
        .await?;
    Ok(())
}

/// Reserves `slots` IDENTIFYs in `bucket`, `spacing` apart, after those already reserved;
/// returns the seconds to wait before the first. One statement: the row lock orders two
/// processes that start together.
pub async fn reserve_identify(
    ex: impl PgExecutor<'_>,
    bucket: i32,
    slots: i32,
    spacing: std::time::Duration,
) -> sqlx::Result<f64> {
    sqlx::query_scalar(
        "INSERT INTO identify_buckets AS b (bucket, next_at) VALUES ($1, now() + $2 * $3)
         ON CONFLICT (bucket) DO UPDATE SET next_at = greatest(b.next_at, now()) + $2 * $3
         RETURNING extract(epoch FROM greatest(next_at - $2 * $3 - now(), interval '0'))::float8",
    )
    .bind(bucket)
    .bind(slots)
    .bind(spacing)
    .fetch_one(ex)
    .await
}
