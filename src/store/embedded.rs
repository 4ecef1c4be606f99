//! The embedded PostgreSQL 17 (pglite-oxide, WASM), guarded by a pid lock file.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use pglite_oxide::PgliteServer;

/// Startup settings that bound the WASM PostgreSQL's memory. The whole shared memory
/// segment is touched at startup and WASM linear memory never shrinks, so every megabyte
/// of it is a megabyte of the shell's resident set for its whole life: pglite-oxide's
/// defaults (shared_buffers 128MB, wal_buffers 4MB, max_connections 100) held ~150 MiB.
/// A chat bot's database is small, and a page that misses these buffers is read from the
/// host's page cache through a WASI call. 1MB instead of 8MB takes 7 MiB off the idle shell
/// (the same debug binary on kept data); `scripts/bench -- embedded kb` (release) found
/// single-row inserts as fast (3,482 against 3,204 a second) and the start as quick (123 ms
/// against 123). `/kb search` over 10,000 entries, the largest read the bench makes, took
/// about 8% longer at p95 (23–26 ms against 22–23) while a miss still read every entry;
/// since migration 0062 its p95 is 15–18 ms. Durability settings are left as they are.
const MEMORY_SETTINGS: [(&str, &str); 3] = [
    ("shared_buffers", "1MB"),
    ("wal_buffers", "256kB"),
    // Single-user mode runs one backend; this only sizes the lock and process tables.
    ("max_connections", "5"),
];

pub struct EmbeddedServer {
    server: PgliteServer,
    // Held for the life of the server: a second process sees it and stops.
    _lock: File,
}

impl EmbeddedServer {
    /// Takes the lock next to `dir`, then installs (first time) and starts the server.
    pub fn start(dir: &Path) -> Result<Self> {
        let lock = take_lock(dir)?;
        let server = PgliteServer::builder()
            .path(dir)
            .postgres_configs(MEMORY_SETTINGS)
            .start()
            .with_context(|| format!("starting the embedded database in {}", dir.display()))?;
        tracing::info!(dir = %dir.display(), "embedded database ready");
        Ok(Self {
            server,
            _lock: lock,
        })
    }

    pub fn url(&self) -> String {
        self.server.database_url()
    }

    pub fn shutdown(self) {
        if let Err(err) = self.server.shutdown() {
            tracing::warn!(error = %err, "embedded database did not shut down cleanly");
        }
    }
}

fn lock_path(dir: &Path) -> PathBuf {
    dir.with_extension("lock")
}

fn take_lock(dir: &Path) -> Result<File> {
    let path = lock_path(dir);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("opening lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            let pid = if pid.is_empty() { "unknown" } else { pid };
            bail!(
                "cohortbot is already running (pid {pid}) with the embedded database in {}; stop it first, or set database.url to share a PostgreSQL server",
                dir.display()
            );
        }
        Err(TryLockError::Error(err)) => {
            return Err(err).with_context(|| format!("locking {}", path.display()));
        }
    }
    file.set_len(0)?;
    file.rewind()?;
    write!(file, "{}", std::process::id())?;
    file.flush()?;
    Ok(file)
}
