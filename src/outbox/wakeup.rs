//! Wake-ups: adding outbox rows NOTIFYs `cohortbot_outbox` (a statement trigger,
//! migration 0037). On a server, one task per process LISTENs and wakes every dispatcher at
//! once, instead of at its next poll. Polling stays the source of truth: notifications sent
//! while the listener reconnects are lost, and the embedded database (one connection,
//! which a LISTEN would hold) only polls.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::watch;

/// The channel the outbox trigger notifies.
pub const CHANNEL: &str = "cohortbot_outbox";
/// How long to wait before listening again after the connection broke.
const RELISTEN_AFTER: Duration = Duration::from_secs(1);

/// A counter bumped at each notification; each dispatcher watches it. A watch, not a
/// `Notify`: a dispatcher busy sending when the notification came still sees it changed
/// the next time it waits.
#[derive(Debug, Clone)]
pub struct Wakeup(Arc<watch::Sender<u64>>);

impl Default for Wakeup {
    fn default() -> Self {
        Self(Arc::new(watch::channel(0).0))
    }
}

impl Wakeup {
    pub fn wake(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// What a dispatcher waits on.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

/// Listens until `stop`, waking `wakeup` at each notification.
pub async fn listen(
    pool: PgPool,
    wakeup: Wakeup,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "could not listen for outbox wake-ups; polling meanwhile");
                tokio::select! {
                    _ = tokio::time::sleep(RELISTEN_AFTER) => continue,
                    _ = stop.wait_for(|stopped| *stopped) => return Ok(()),
                }
            }
        };
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "could not listen for outbox wake-ups; polling meanwhile");
            tokio::select! {
                _ = tokio::time::sleep(RELISTEN_AFTER) => continue,
                _ = stop.wait_for(|stopped| *stopped) => return Ok(()),
            }
        }
        // Rows added while nobody listened are found by this first look.
        wakeup.wake();
        loop {
            tokio::select! {
                received = listener.try_recv() => match received {
                    Ok(Some(_)) => wakeup.wake(),
                    // The connection broke; sqlx listens again on the next call.
                    Ok(None) => {
                        tracing::info!("outbox wake-ups reconnected");
                        wakeup.wake();
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "outbox wake-ups lost; listening again");
                        break;
                    }
                },
                _ = stop.wait_for(|stopped| *stopped) => return Ok(()),
            }
        }
    }
}
