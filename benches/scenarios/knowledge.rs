//! `kb`: `/kb search` over 10,000 entries, end to end (parse + `Services::handle`), on the
//! server and on the embedded database. The corpus is made-up text with natural word
//! frequencies (see `VOCABULARY`); the queries mix single words, phrases, exclusions, `or`,
//! questions typed in full and misses (which also suggest the closest title).

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

use super::{COMMUNITY, Server, Size, import_example, ms, percentile, progress, row, utc, verdict};

static ENTRIES: Size = Size::new(10_000, 100);
static QUERIES: Size = Size::new(500, 50);
/// The ceiling for the server: 20 ms at the 95th percentile.
const CEILING: Duration = Duration::from_millis(20);

/// Words in the corpus: the program's own vocabulary first (the most frequent), then
/// made-up words to `VOCABULARY`. Words are drawn log-uniformly (frequency ∝ 1/rank, as in
/// natural text), so the commonest words are in most entries and rare ones in a few.
const VOCABULARY: usize = 2_000;
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "pe", "da", "fi", "go", "hu", "ja", "ke", "li",
    "mo", "nu", "pi", "ra",
];
/// The program's words, the head of the vocabulary.
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
            format!("`/kb search` over {ENTRIES} entries, {label} ({QUERIES} queries, end to end)"),
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
    let mut runs = Vec::with_capacity(QUERIES.n());
    let mut by_shape: Vec<Vec<Duration>> = vec![Vec::new(); 10];
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
            by_shape[i % 10].push(took);
        }
    }
    progress(format!(
        "kb ({label}): {found} of {QUERIES} queries found entries"
    ));
    // Where the tail comes from, by the shape of query (see `queries`).
    let shapes = [
        "phrase",
        "exclusion",
        "question",
        "typo",
        "or",
        "three words",
        "three words",
        "one word",
        "one word",
        "one word",
    ];
    for (shape, mut took) in shapes.iter().zip(by_shape) {
        took.sort_unstable();
        progress(format!(
            "kb ({label}): {shape}: median {} · p95 {}",
            ms(percentile(&took, 0.5)),
            ms(percentile(&took, 0.95))
        ));
    }
    ensure!(
        found > QUERIES.n() / 4,
        "many queries should find something"
    );
    runs.sort_unstable();
    Ok((percentile(&runs, 0.5), percentile(&runs, 0.95)))
}

/// The corpus's words, most frequent first.
fn vocabulary() -> Vec<String> {
    let mut words: Vec<String> = WORDS.iter().map(|w| (*w).to_owned()).collect();
    let mut k = 0;
    while words.len() < VOCABULARY {
        let n = SYLLABLES.len();
        words.push(format!(
            "{}{}{}",
            SYLLABLES[k % n],
            SYLLABLES[(k / n) % n],
            SYLLABLES[(k / (n * n)) % n]
        ));
        k += 1;
    }
    words
}

/// A word index (1-based) drawn log-uniformly from `u` in [0, 1).
fn zipf_index(u: f64) -> usize {
    let index = ((VOCABULARY as f64 + 1.0).ln() * u).exp().floor() as usize;
    index.clamp(1, VOCABULARY)
}

/// 10,000 entries of pseudo-random sentences: titles of 5 words, bodies of 60, two tags
/// each; repeatable (a hash of the entry number and the word's place).
async fn fill(pool: &PgPool, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let words = vocabulary();
    sqlx::query(
        "WITH w AS (SELECT $1::text[] AS w),
              -- The word for a hash: log-uniform over the vocabulary, as `zipf_index`.
              pick AS (SELECT ln(cardinality(w.w) + 1.0) AS span FROM w),
              e AS (SELECT i, md5('kb-' || i)::uuid AS id FROM generate_series(1, $2::int) i)
         INSERT INTO kb_entries (id, community_id, slug, kind, title, body, tags, visibility,
                                 verify_every_days, verified_at, created_at, updated_at)
         SELECT e.id, c.id, 'entry-' || e.i,
                (ARRAY['faq', 'playbook', 'decision', 'clinic_note'])[1 + e.i % 4],
                initcap(array_to_string(ARRAY(
                    SELECT w.w[least(cardinality(w.w), greatest(1, floor(exp(pick.span * (abs(hashtext(e.i || ':t' || k)) % 1000000) / 1000000.0))::int))]
                      FROM generate_series(1, 5) k), ' ')),
                array_to_string(ARRAY(
                    SELECT w.w[least(cardinality(w.w), greatest(1, floor(exp(pick.span * (abs(hashtext(e.i || ':b' || k)) % 1000000) / 1000000.0))::int))]
                      FROM generate_series(1, 60) k), ' ') || '.',
                ARRAY[w.w[1 + abs(hashtext(e.i || ':g1')) % 61], w.w[1 + abs(hashtext(e.i || ':g2')) % 61]],
                'community', 90, $3, $3, $3
           FROM e, w, pick, communities c WHERE c.slug = $4",
    )
    .bind(&words)
    .bind(ENTRIES.n() as i32)
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

/// What members type: one to three words, a phrase, an exclusion, a typo, a question; the
/// words drawn as the corpus's are, so common words are searched most.
fn queries() -> Vec<String> {
    let words = vocabulary();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut word = move || words[zipf_index(next()) - 1].clone();
    (0..QUERIES.n())
        .map(|i| match i % 10 {
            0 => format!("\"{} {}\"", word(), word()),
            1 => format!("{} -{}", word(), word()),
            2 => format!("how do I get a {} {}?", word(), word()),
            3 => format!("{}x", word()),
            4 => format!("{} or {}", word(), word()),
            5 | 6 => format!("{} {} {}", word(), word(), word()),
            _ => word(),
        })
        .collect()
}
