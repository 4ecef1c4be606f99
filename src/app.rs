//! Start-up wiring: settings → database → migrations → first-start program import → services.

use std::sync::Arc;

use anyhow::{Context, Result};

use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::program::{self, ProgramFile};
use crate::services::Services;
use crate::store::{Database, communities};

pub struct App {
    pub db: Database,
    pub services: Services,
}

impl App {
    pub async fn start(settings: &Settings) -> Result<Self> {
        Self::start_with_clock(settings, Arc::new(SystemClock)).await
    }

    pub async fn start_with_clock(settings: &Settings, clock: Arc<dyn Clock>) -> Result<Self> {
        let db = Database::open(&settings.database).await?;
        db.migrate().await?;
        let services = Services::new(db.pool.clone(), clock)
            .with_public_url(settings.http.public_url.as_deref())
            .with_purge_after_days(settings.privacy.purge_after_days);
        import_on_first_start(&services, settings).await?;
        crate::services::badges::ensure_issuer_keys(&services.pool).await?;
        Ok(Self { db, services })
    }

    pub async fn stop(self) {
        self.db.close().await;
    }
}

/// A new database gets the program file, so `cargo run` has a community to act in.
async fn import_on_first_start(services: &Services, settings: &Settings) -> Result<()> {
    if communities::count(&services.pool).await? > 0 {
        return Ok(());
    }
    let path = &settings.program.file;
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(file = %path.display(), "no program file; starting with an empty database");
            return Ok(());
        }
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    let program = ProgramFile::parse(&text, &path.display().to_string())?;
    let report = program::import(&services.pool, &program, services.clock.now()).await?;
    tracing::info!(file = %path.display(), %report, "imported the program on first start");
    Ok(())
}
