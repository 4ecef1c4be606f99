//! Database access: opening the database and small query functions over `impl PgExecutor`.
//!
//! The embedded database serves one connection at a time, so no function here takes a
//! second connection while holding one: callers pass a transaction or the pool.

pub mod absences;
pub mod alumni;
pub mod approvals;
pub mod audit;
pub mod checkins;
pub mod circles;
pub mod clinics;
pub mod cluster;
pub mod cohorts;
pub mod command_tail;
pub mod communities;
pub mod concerns;
pub mod council;
pub mod dashboard_keys;
pub mod data_exports;
pub mod days_off;
pub mod digests;
pub mod discord;
pub mod discord_events;
pub mod earned_roles;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod enrollments;
pub mod erasures;
pub mod export_links;
pub mod home;
pub mod inactive;
pub mod invocations;
pub mod issuer_keys;
pub mod knowledge;
pub mod kudos;
pub mod members;
pub mod mentoring;
pub mod metrics;
mod migrations;
pub mod milestones;
pub mod outbox;
pub mod pairings;
pub mod program;
pub mod questions;
pub mod recognition;
pub mod relink;
pub mod reviews;
pub mod roles;
mod row;
pub mod schedule;
pub mod sessions;
pub mod slack;
pub mod streaks;
pub mod suggest;
pub mod surveys;
pub mod tools;

use std::time::Duration;

use anyhow::{Context, Result};
use secrecy::ExposeSecret;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use crate::config::DatabaseSettings;

pub use migrations::MIGRATOR;
pub(crate) use row::pg_row;

/// The pool plus, for the embedded database, the server that must outlive it.
pub struct Database {
    pub pool: PgPool,
    #[cfg(feature = "embedded")]
    embedded: Option<embedded::EmbeddedServer>,
}

impl Database {
    /// Connects to `database.url`, or starts the embedded database when it is unset.
    pub async fn open(settings: &DatabaseSettings) -> Result<Self> {
        match &settings.url {
            Some(url) => {
                let pool = server_pool_options(settings.max_connections)
                    .connect(url.expose_secret())
                    .await
                    .context("connecting to the PostgreSQL server in database.url")?;
                Ok(Self::from_pool(pool))
            }
            None => Self::open_embedded(settings).await,
        }
    }

    pub fn from_pool(pool: PgPool) -> Self {
        Self {
            pool,
            #[cfg(feature = "embedded")]
            embedded: None,
        }
    }

    #[cfg(feature = "embedded")]
    async fn open_embedded(settings: &DatabaseSettings) -> Result<Self> {
        let dir = settings.embedded_dir.clone();
        let server = tokio::task::spawn_blocking(move || embedded::EmbeddedServer::start(&dir))
            .await
            .context("embedded database start-up task")??;
        // One connection: the embedded server accepts no more.
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect(&server.url())
            .await
            .context("connecting to the embedded database")?;
        Ok(Self {
            pool,
            embedded: Some(server),
        })
    }

    #[cfg(not(feature = "embedded"))]
    async fn open_embedded(_: &DatabaseSettings) -> Result<Self> {
        anyhow::bail!(
            "no database configured: set COHORTBOT__DATABASE__URL=postgres://user:password@host/db (this build has no embedded database)"
        )
    }

    pub async fn migrate(&self) -> Result<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .context("running database migrations")?;
        let known = MIGRATOR.iter().count();
        tracing::info!(migrations = known, "database schema is up to date");
        // The data policy must name only what the schema has: a start with a stale policy
        // would sweep or erase by a wrong name.
        crate::privacy::policy()?.verify(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool before the embedded server, which waits for its client to leave.
    pub async fn close(self) {
        self.pool.close().await;
        #[cfg(feature = "embedded")]
        if let Some(server) = self.embedded
            && let Err(err) = tokio::task::spawn_blocking(move || server.shutdown()).await
        {
            tracing::warn!(error = %err, "embedded database shutdown task failed");
        }
    }
}

/// A connection idle longer than this is pinged before it is handed out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// The pool for a PostgreSQL server. sqlx pings every connection it hands out by default:
/// on a busy pool that is one round trip in ten of a `/checkin`, to learn what the
/// statement would learn anyway. A connection that sat idle may have been closed by a
/// server restart or a proxy meanwhile, so that one is still pinged, and replaced when
/// the ping fails; one in use a moment ago is not.
pub fn server_pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for < PING_AFTER_IDLE {
                    return Ok(true);
                }
                // A failed ping closes the connection; the pool opens another.
                sqlx::Connection::ping(conn).await?;
                Ok(true)
            })
        })
}

/// Serialises everyone who takes the lock named `key` until their transactions end: a
/// transaction-scoped advisory lock on the key's hash. For a check-then-insert that two
/// requests at once must not both pass (the same kudos twice, the next number of a
/// sequence), where no row exists yet to lock.
pub async fn lock_until_commit(ex: impl sqlx::PgExecutor<'_>, key: &str) -> sqlx::Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(key)
        .execute(ex)
        .await?;
    Ok(())
}

/// True when `err` is a unique-constraint violation (a concurrent duplicate).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
