//! Tracing setup: pretty locally, JSON in production, a file while the shell owns the terminal.
//!
//! Errors are logged as `error = %format!("{err:#}")` (the cause chain), never with `?err`:
//! the Debug form of an anyhow error symbolises its backtrace when `RUST_BACKTRACE` is set,
//! which loaded the binary's debug info and cost about 40 MiB of resident memory in a
//! retry loop (measured with `scripts/idle-rss`).

use std::fs::OpenOptions;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

pub mod metrics;

pub enum LogSink<'a> {
    Stderr,
    File(&'a Path),
}

/// Installs the global subscriber. `RUST_LOG` wins over the configured filter.
pub fn init(settings: &LogSettings, format: LogFormat, sink: LogSink<'_>) -> Result<()> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.filter))
        .with_context(|| format!("invalid log filter `{}`", settings.filter))?;
    // PostgreSQL's notices ("relation _sqlx_migrations already exists, skipping" on every
    // start) are the server's chatter, not the bot's news; a filter naming sqlx still wins.
    let filter = if filter.to_string().contains("sqlx") {
        filter
    } else {
        filter.add_directive("sqlx::postgres::notice=warn".parse()?)
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let result = match (sink, format) {
        // Colours only for a person at a terminal, never in a file or a journal.
        (LogSink::Stderr, LogFormat::Pretty) => builder
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr)
            .try_init(),
        (LogSink::Stderr, LogFormat::Json) => {
            builder.json().with_writer(std::io::stderr).try_init()
        }
        (LogSink::File(path), format) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating log directory {}", dir.display()))?;
            }
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening log file {}", path.display()))?;
            let builder = builder.with_ansi(false).with_writer(Mutex::new(file));
            match format {
                LogFormat::Pretty => builder.try_init(),
                LogFormat::Json => builder.json().try_init(),
            }
        }
    };
    result.map_err(|e| anyhow::anyhow!("installing the log subscriber: {e}"))
}
