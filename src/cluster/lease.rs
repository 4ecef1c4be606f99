//! Holding the leader lease: try every half TTL; renew while held; release on stop.

use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::watch;
use uuid::Uuid;

use super::Leadership;
use crate::store::cluster;

/// Starts holding the lease for `me`; the handle says whether it is held now.
pub fn hold(
    pool: PgPool,
    me: Uuid,
    ttl: Duration,
    stop: watch::Receiver<bool>,
) -> (
    Leadership,
    impl std::future::Future<Output = anyhow::Result<()>>,
) {
    let (held_tx, held_rx) = watch::channel(false);
    (
        Leadership::Lease {
            process: me,
            held: held_rx,
        },
        run(pool, me, ttl, held_tx, stop),
    )
}

async fn run(
    pool: PgPool,
    me: Uuid,
    ttl: Duration,
    held: watch::Sender<bool>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let every = ttl / 2;
    loop {
        // A renewal that fails steps down at once: by the time the database answers again
        // the lease may have expired and gone to another process.
        let now_held = match cluster::acquire_lease(&pool, me, ttl).await {
            Ok(now_held) => now_held,
            Err(err) => {
                tracing::warn!(error = %err, "could not renew the leader lease; not leading until it is");
                false
            }
        };
        if now_held != *held.borrow() {
            if now_held {
                tracing::info!(process = %me, "this process leads: it holds the leader lease");
            } else {
                tracing::warn!(process = %me, "leader lease lost");
            }
            held.send_replace(now_held);
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
    }
    if held.send_replace(false) {
        cluster::release_lease(&pool, me).await?;
        tracing::info!(process = %me, "leader lease released");
    }
    Ok(())
}
