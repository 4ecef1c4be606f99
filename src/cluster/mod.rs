//! Several bot processes on one PostgreSQL. Each registers itself (`bot_processes`, with a
//! heartbeat and its Discord shards), and one at a time holds the leader lease
//! (`leader_lease`), which guards the work that must run once for the whole bot: Discord
//! command registration, the Discord events' reconciliation, and the scheduler's
//! housekeeping (streaks, weekly sweeps, the hourly mirror pass).
//!
//! A lease row, not an advisory lock (as Oban and River do it): a lock lives as long as
//! one connection, and a pooled connection that breaks drops it without the process
//! noticing. The lease is renewed at half its TTL, on the database's clock, and released
//! on shutdown; a killed leader's lease simply expires.

pub mod lease;
pub mod registry;

use tokio::sync::watch;
use uuid::Uuid;

/// Whether this process may do leader-only work.
#[derive(Debug, Clone)]
pub enum Leadership {
    /// The only process: the shell, tests, an embedded database (one connection, one
    /// process).
    Sole,
    /// Decided by the lease: true while this process (`process` in the registry) holds it.
    Lease {
        process: Uuid,
        held: watch::Receiver<bool>,
    },
}

impl Leadership {
    /// This process's id in the registry, when there is one (server mode).
    pub fn process(&self) -> Option<Uuid> {
        match self {
            Leadership::Sole => None,
            Leadership::Lease { process, .. } => Some(*process),
        }
    }

    pub fn is_leader(&self) -> bool {
        match self {
            Leadership::Sole => true,
            Leadership::Lease { held, .. } => *held.borrow(),
        }
    }

    /// Waits until this process leads; false when `stop` fires first.
    pub async fn until_leader(&self, stop: &mut watch::Receiver<bool>) -> bool {
        let Leadership::Lease { held, .. } = self else {
            return true;
        };
        let mut held = held.clone();
        tokio::select! {
            led = held.wait_for(|held| *held) => led.is_ok(),
            _ = stop.wait_for(|stopped| *stopped) => false,
        }
    }
}
