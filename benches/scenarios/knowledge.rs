//! `kb`: `/kb search` over 10,000 entries, end to end (parse + `Services::handle`), on the
//! server and on the embedded database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use cohortbot::clock::ManualClock;
use cohortbot::commands;
use cohortbot::config::DatabaseSettings;
use cohortbot::render::plain;
use cohortbot::services::{Invocation, Services};
use cohortbot::store::Database;
use sqlx::PgPool;

use super::{COMMUNITY, Server, import_example, ms, percentile, progress, row, utc, verdict};

const ENTRIES: i64 = 10_000;
const QUERIES: usize = 500;
/// The ceiling for the server: 20 ms at the 95th percentile.
const CEILING: Duration = Duration::from_millis(20);

/// The words entries are written with: a citizen-developer program's vocabulary.
const WORDS: &[&str] = &[
    "approval",
    "flow",
    "licence",
    "sandbox",
    "environment",
    "connector",
    "premium",
    "dataverse",
    "sharepoint",
    "teams",
    "power",
    "apps",
    "automate",
    "governance",
    "policy",
    "data",
    "loss",
    "prevention",
    "owner",
    "solution",
    "export",
    "import",
    "canvas",
    "model",
    "driven",
    "table",
    "column",
    "view",
    "form",
    "gallery",
    "formula",
    "delegation",
    "limit",
    "trigger",
    "schedule",
    "email",
    "outlook",
    "excel",
    "report",
    "dashboard",
    "security",
    "role",
    "access",
    "request",
    "ticket",
    "service",
    "desk",
    "manager",
    "budget",
    "training",
    "cohort",
    "mentor",
    "review",
    "capstone",
    "badge",
    "deploy",
    "production",
    "test",
    "backup",
    "restore",
    "retention",
];

pub async fn scenario(server: &Server) -> Result<()> {
    let at = utc(2027, 3, 10, 10, 0, 0);
    let db = server.create("bench_kb").await?;
    let server_result = measure(&db.pool, at, "server").await?;
    server.drop(db).await?;

    let dir = tempfile::tempdir()?;
    let settings = DatabaseSettings {
        embedded_dir: dir.path().join("pg"),
        ..DatabaseSettings::default()
    };
    let embedded = Database::open(&settings)
        .await
        .context("opening the embedded database")?;
    embedded.migrate().await?;
    let embedded_result = measure(&embedded.pool, at, "embedded").await?;
    embedded.close().await;

    for (label, (median, p95)) in [
        ("PostgreSQL 15 server", server_result),
        ("embedded database (pglite, WASM)", embedded_result),
    ] {
        let ratio = p95.as_secs_f64() / CEILING.as_secs_f64();
        row(
            format!("`/kb search` over 10,000 entries, {label} ({QUERIES} queries, end to end)"),
            format!(
                "median {} · p95 {} ({:.0}% of the ceiling)",
                ms(median),
                ms(p95),
                ratio * 100.0
            ),
            format!("p95 < 20 ms {}", verdict(p95 < CEILING)),
        );
    }
    Ok(())
}

/// Fills `pool` with the example program and 10,000 entries, then times the queries.
async fn measure(
    pool: &PgPool,
    at: chrono::DateTime<chrono::Utc>,
    label: &str,
) -> Result<(Duration, Duration)> {
    import_example(pool, at).await?;
    progress(format!("kb ({label}): adding {ENTRIES} entries"));
    fill(pool, at).await?;
    let clock = ManualClock::new(at);
    let services = Services::new(pool.clone(), Arc::new(clock));
    let caller = services.shell_caller(COMMUNITY, "sam").await?;
    let queries = queries();
    let mut runs = Vec::with_capacity(QUERIES);
    let mut found = 0;
    for (i, query) in queries.iter().enumerate() {
        let parsed = commands::parse(&format!("/kb search {query}"))
            .map_err(|e| anyhow::anyhow!("parse failed: {e}"))?;
        let started = Instant::now();
        let outcome = services
            .handle(Invocation::new(caller.clone(), parsed.spec, parsed.args))
            .await;
        let took = started.elapsed();
        let reply = plain::render(&outcome.reply);
        ensure!(
            reply.starts_with("🔎") || reply.starts_with("Nothing in the knowledge base"),
            "`/kb search {query}`: {reply}"
        );
        found += usize::from(reply.starts_with("🔎"));
        // The first few prepare the statements.
        if i >= 5 {
            runs.push(took);
        }
    }
    progress(format!(
        "kb ({label}): {found} of {QUERIES} queries found entries"
    ));
    ensure!(found > QUERIES / 2, "most queries should find something");
    runs.sort_unstable();
    Ok((percentile(&runs, 0.5), percentile(&runs, 0.95)))
}

/// 10,000 entries of pseudo-random sentences from `WORDS`: titles of 5 words, bodies of 60,
/// two tags each; repeatable (a hash of the entry number).
async fn fill(pool: &PgPool, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let words: Vec<String> = WORDS.iter().map(|w| (*w).to_owned()).collect();
    sqlx::query(
        "WITH w AS (SELECT $1::text[] AS w),
              e AS (SELECT i, md5('kb-' || i)::uuid AS id FROM generate_series(1, $2::int) i)
         INSERT INTO kb_entries (id, community_id, slug, kind, title, body, tags, visibility,
                                 verify_every_days, verified_at, created_at, updated_at)
         SELECT e.id, c.id, 'entry-' || e.i,
                (ARRAY['faq', 'playbook', 'decision', 'clinic_note'])[1 + e.i % 4],
                initcap(array_to_string(ARRAY(
                    SELECT w.w[1 + abs(hashtext(e.i || ':t' || k)) % cardinality(w.w)]
                      FROM generate_series(1, 5) k), ' ')),
                array_to_string(ARRAY(
                    SELECT w.w[1 + abs(hashtext(e.i || ':b' || k)) % cardinality(w.w)]
                      FROM generate_series(1, 60) k), ' ') || '.',
                ARRAY[w.w[1 + abs(hashtext(e.i || ':g1')) % cardinality(w.w)],
                      w.w[1 + abs(hashtext(e.i || ':g2')) % cardinality(w.w)]],
                'community', 90, $3, $3, $3
           FROM e, w, communities c WHERE c.slug = $4",
    )
    .bind(&words)
    .bind(ENTRIES as i32)
    .bind(at)
    .bind(COMMUNITY)
    .execute(pool)
    .await
    .context("adding entries")?;
    sqlx::query(
        "INSERT INTO kb_names (community_id, name, entry_id, is_alias)
         SELECT community_id, slug, id, false FROM kb_entries",
    )
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE kb_entries").execute(pool).await?;
    sqlx::query("ANALYZE kb_names").execute(pool).await?;
    Ok(())
}

/// What members type: one to three words, a phrase, an exclusion, a typo, a question.
fn queries() -> Vec<String> {
    let word = |n: usize| WORDS[n % WORDS.len()];
    (0..QUERIES)
        .map(|i| match i % 10 {
            0 => format!("\"{} {}\"", word(i * 7), word(i * 7 + 1)),
            1 => format!("{} -{}", word(i * 3), word(i * 5 + 2)),
            2 => format!("how do I get a {} {}?", word(i * 11), word(i * 13)),
            3 => format!("{}x", word(i)),
            4 => format!("{} or {}", word(i * 17), word(i * 19)),
            5 | 6 => format!("{} {} {}", word(i), word(i * 23), word(i * 29)),
            _ => word(i * 31).to_owned(),
        })
        .collect()
}
