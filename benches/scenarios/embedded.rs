//! `embedded`: what the embedded database (pglite-oxide, PostgreSQL 17 in WASM) costs the
//! shell that `cargo run` opens on it: its start on a fresh data directory and on the one it
//! kept, and single-row inserts through the bot's one-connection pool. Issue 23 holds the
//! embedded default to its speed while its memory came down: a start under 1 s and at least
//! 2,000 inserts/s.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use cohortbot::config::DatabaseSettings;
use cohortbot::store::{Database, audit};
use serde_json::json;

use super::{Size, import_example, ms, progress, row, thousands, utc, verdict};

static INSERTS: Size = Size::new(5_000, 200);
/// The longest a start on kept data may take: the shell's prompt follows it.
const START_CEILING: Duration = Duration::from_secs(1);
/// The fewest single-row inserts a second the embedded database must take.
const INSERTS_FLOOR: f64 = 2_000.0;

pub async fn scenario() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let settings = DatabaseSettings {
        embedded_dir: dir.path().join("pg"),
        ..DatabaseSettings::default()
    };
    progress("embedded: first start on a fresh data directory".into());
    let (db, fresh) = timed_open(&settings).await?;
    let at = utc(2027, 3, 10, 10, 0, 0);
    let example = import_example(&db.pool, at).await?;

    progress(format!("embedded: {INSERTS} single-row inserts"));
    let started = Instant::now();
    for i in 0..INSERTS.n() {
        let detail = json!({ "bench": i });
        audit::record(
            &db.pool,
            example.community,
            None,
            "bench.insert",
            detail,
            at,
        )
        .await?;
    }
    let inserting = started.elapsed();
    db.close().await;

    // The start every later `cargo run` makes: the data directory is kept.
    let (db, kept) = timed_open(&settings).await?;
    let (kept_rows,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM audit_log WHERE action = 'bench.insert'")
            .fetch_one(&db.pool)
            .await?;
    db.close().await;
    ensure!(
        kept_rows == INSERTS.i64(),
        "the restarted database holds {kept_rows} of the {INSERTS} inserted rows"
    );

    row(
        "Embedded database, first start on a fresh data directory (install, start, migrate)".into(),
        ms(fresh),
        "—".into(),
    );
    row(
        "Embedded database, start on its kept data (start, migrations checked), the shell's start"
            .into(),
        format!(
            "{} ({:.0}% of the ceiling)",
            ms(kept),
            kept.as_secs_f64() / START_CEILING.as_secs_f64() * 100.0
        ),
        format!("< 1 s {}", verdict(kept < START_CEILING)),
    );
    let rate = INSERTS.n() as f64 / inserting.as_secs_f64();
    row(
        format!("Embedded database, {INSERTS} single-row inserts through the bot's pool"),
        format!(
            "{}/s ({:.1} times the floor; all {INSERTS} there after a restart)",
            thousands(rate as u64),
            rate / INSERTS_FLOOR
        ),
        format!("≥ 2,000/s {}", verdict(rate >= INSERTS_FLOOR)),
    );
    Ok(())
}

/// Opens (installing on first use) and migrates the embedded database, as the shell does
/// before its prompt; how long that took.
async fn timed_open(settings: &DatabaseSettings) -> Result<(Database, Duration)> {
    let started = Instant::now();
    let db = Database::open(settings)
        .await
        .context("opening the embedded database")?;
    db.migrate().await?;
    Ok((db, started.elapsed()))
}
