//! Load benchmarks for cohortbot on a real PostgreSQL server: run them with `scripts/bench`.
//!
//! Each scenario makes its own database on the server in `DATABASE_URL`, fills it with
//! set-based SQL (`generate_series`), times the bot's own code paths, checks what they wrote,
//! and drops the database again. Results go to stdout as one Markdown table; progress to
//! stderr. Name scenarios to run only those: `scripts/bench -- scheduler digest`; set
//! BENCH_KEEP_DB=1 to keep the databases for a look with psql.
//!
//! The throwaway server of `scripts/with-postgres` runs with fsync and synchronous_commit
//! off, so a commit costs no disk flush here; on a durable server each one does.
//!
//! 1. `checkin`: `/checkin` end to end (parse + `Services::handle`) from 16 concurrent
//!    clients, against a pgbench ceiling doing the same writes in plain SQL.
//! 2. `scheduler`: scheduler passes over 1,000 cohorts and 100,000 learners in 30 zones.
//! 3. `digest`: the cohort digest of a 5,000-learner cohort with a year of history, and
//!    `/stats` over the same year.
//! 4. `cohorts`: a community with 10,000 cohorts: the shell's start, `/cohort list` pages.
//! 5. `kb`: `/kb search` over 10,000 entries, on the server and the embedded database.
//! 6. `embedded`: the embedded database's start and its single-row inserts.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use cohortbot::clock::ManualClock;
use cohortbot::commands;
use cohortbot::config::DatabaseSettings;
use cohortbot::domain::Period;
use cohortbot::program::{self, ProgramFile};
use cohortbot::render::plain;
use cohortbot::schedule::{Scheduler, TickReport};
use cohortbot::services::checkins::digest;
use cohortbot::services::{Caller, Invocation, Outcome, Services};
use cohortbot::store::{self, cohorts};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};
use tokio::sync::Barrier;
use uuid::Uuid;

#[path = "scenarios/knowledge.rs"]
mod knowledge;

#[path = "scenarios/credential.rs"]
mod credential_proof;

#[path = "scenarios/embedded.rs"]
mod embedded;

// The tests' fake Discord and backlog, so the bench measures against the same limits.
#[path = "../tests/it/backlog.rs"]
mod backlog;
#[allow(dead_code)]
#[path = "../tests/it/fake_discord.rs"]
mod fake_discord;

const PROGRAM: &str = include_str!("../config/program.example.toml");

/// `--smoke` (CI): every scenario at a small size, to prove the benchmarks still run in the
/// build the tests use. Its figures mean nothing, and its verdicts are not checked.
static SMOKE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn smoke() -> bool {
    SMOKE.load(std::sync::atomic::Ordering::Relaxed)
}

/// A scenario's size: `full` for a measurement, `smoke` for `--smoke`.
pub struct Size {
    full: usize,
    smoke: usize,
}

impl Size {
    pub const fn new(full: usize, smoke: usize) -> Self {
        Self { full, smoke }
    }

    pub fn n(&self) -> usize {
        if smoke() { self.smoke } else { self.full }
    }

    /// For SQL, which has no unsigned integers.
    pub fn i64(&self) -> i64 {
        self.n() as i64
    }

    pub fn i32(&self) -> i32 {
        self.n() as i32
    }

    pub fn u32(&self) -> u32 {
        self.n() as u32
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.n().fmt(f)
    }
}
const COMMUNITY: &str = "acme-makers";
const COHORT: &str = "spring-makers-2027";

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<()> {
    // Test runners run bench targets too (`cargo test --all-targets`, nextest's `--list`):
    // only `cargo bench`, which passes `--bench`, runs the load.
    if !std::env::args().any(|a| a == "--bench") {
        return Ok(());
    }
    SMOKE.store(
        std::env::args().any(|a| a == "--smoke"),
        std::sync::atomic::Ordering::Relaxed,
    );
    // Any other word picks scenarios by name.
    let picked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| picked.is_empty() || picked.iter().any(|p| name.contains(p));
    let server = Server::from_env()?;

    println!("| Benchmark | Result | Target |");
    println!("| --- | --- | --- |");
    if wanted("checkin") {
        checkin_scenario(&server)
            .await
            .context("checkin scenario")?;
    }
    if wanted("scheduler") {
        scheduler_scenario(&server)
            .await
            .context("scheduler scenario")?;
    }
    if wanted("digest") {
        digest_scenario(&server).await.context("digest scenario")?;
    }
    if wanted("fanout") {
        fanout_scenario(&server).await.context("fanout scenario")?;
    }
    if wanted("delivery") {
        delivery_scenario(&server)
            .await
            .context("delivery scenario")?;
    }
    if wanted("kb") {
        knowledge::scenario(&server)
            .await
            .context("knowledge-base scenario")?;
    }
    if wanted("credential") {
        credential_proof::scenario()
            .await
            .context("credential scenario")?;
    }
    if wanted("embedded") {
        embedded::scenario()
            .await
            .context("embedded-database scenario")?;
    }
    if wanted("cohorts") {
        cohorts_scenario(&server)
            .await
            .context("cohorts scenario")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// A community with 10,000 cohorts: the shell's start and `/cohort list`
// ---------------------------------------------------------------------------------------

static MANY_COHORTS: Size = Size::new(10_000, 100);

async fn cohorts_scenario(server: &Server) -> Result<()> {
    use cohortbot::chat::shell::Shell;
    use cohortbot::clock::OffsetClock;
    let db = server.create("bench_cohorts").await?;
    let now = utc(2027, 3, 8, 9, 0, 0);
    let example = import_example(&db.pool, now).await?;
    progress(format!(
        "cohorts: adding {MANY_COHORTS} cohorts, each with a track and a weekly check-in"
    ));
    sqlx::query(
        "INSERT INTO cohorts (id, community_id, slug, name, timezone, starts_on, ends_on, channel, created_at)
         SELECT md5('cohort-' || i)::uuid, $1, 'cohort-' || lpad(i::text, 5, '0'),
                'Cohort ' || i || ' of the citizen developer programme', 'Europe/Berlin',
                DATE '2027-01-04', DATE '2027-12-17', 'cohort-' || i, $2
         FROM generate_series(1, $3) AS i",
    )
    .bind(example.community)
    .bind(now)
    .bind(MANY_COHORTS.n() as i32)
    .execute(&db.pool)
    .await?;
    sqlx::query(
        "INSERT INTO tracks (id, community_id, cohort_id, slug, name, kind)
         SELECT md5('track-' || i)::uuid, $1, md5('cohort-' || i)::uuid, 'projects', 'Project-based', 'project'
         FROM generate_series(1, $2) AS i",
    )
    .bind(example.community)
    .bind(MANY_COHORTS.n() as i32)
    .execute(&db.pool)
    .await?;
    sqlx::query(
        "INSERT INTO cohort_schedules (community_id, cohort_id, kind, cron)
         SELECT $1, md5('cohort-' || i)::uuid, 'checkin', '0 9 * * MON'
         FROM generate_series(1, $2) AS i",
    )
    .bind(example.community)
    .bind(MANY_COHORTS.n() as i32)
    .execute(&db.pool)
    .await?;
    analyze(&db.pool).await?;

    // The shell's start: the caller, then the first scheduler pass and delivery, which
    // walk every cohort's schedule. The clock reads a Monday 09:00, when all of them fire.
    let clock = OffsetClock::default();
    clock.set(now);
    let services = Services::new(db.pool.clone(), Arc::new(clock.clone()));
    let started = Instant::now();
    let shell = Shell::new(services.clone(), clock, COMMUNITY, "sam").await?;
    let first = shell.catch_up().await;
    let start = started.elapsed();
    progress(format!(
        "cohorts: the shell started in {} ({} lines on start)",
        ms(start),
        first.len()
    ));

    // `/cohort list`: the first and the last page, and what each platform would send.
    let caller = services
        .shell_caller(COMMUNITY, "sam")
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
    let mut longest = (0usize, 0usize);
    let mut messages = (0usize, 0usize);
    let mut slowest = Duration::ZERO;
    // The example's own cohorts come first, so page `MANY_COHORTS / 10` is full.
    for page in ["1".to_owned(), (MANY_COHORTS.n() / 10).to_string()] {
        let line = format!("/cohort list page:{page}");
        let parsed = commands::parse(&line).map_err(|e| anyhow!("{e}"))?;
        let started = Instant::now();
        let outcome = services
            .handle(Invocation::new(caller.clone(), parsed.spec, parsed.args))
            .await;
        slowest = slowest.max(started.elapsed());
        let text = plain::render(&outcome.reply);
        ensure!(text.starts_with("Cohorts in"), "page {page}: {text}");
        let discord =
            cohortbot::render::discord::render(&outcome.reply, &Default::default(), &|_| {
                String::new()
            });
        let slack = cohortbot::render::slack::render(&outcome.reply, |_| None);
        messages = (messages.0.max(discord.len()), messages.1.max(slack.len()));
        for part in &discord {
            longest.0 = longest.0.max(part.content.chars().count());
        }
        for part in &slack {
            longest.1 = longest.1.max(part.text.chars().count());
        }
    }
    row(
        format!(
            "Shell start with {} cohorts (caller, first scheduler pass, delivery)",
            thousands(MANY_COHORTS.n() as u64)
        ),
        format!(
            "{} ({:.0}% of the 1 s ceiling)",
            ms(start),
            start.as_secs_f64() * 100.0
        ),
        format!("< 1 s {}", verdict(start < Duration::from_secs(1))),
    );
    row(
        format!(
            "`/cohort list` with {} cohorts, first and last page",
            thousands(MANY_COHORTS.n() as u64)
        ),
        format!(
            "slowest {}; a page is {} Discord and {} Slack message(s), the longest {} characters on Discord ({:.0}% of 2,000) and {} on Slack ({:.0}% of 3,000)",
            ms(slowest),
            messages.0,
            messages.1,
            thousands(longest.0 as u64),
            longest.0 as f64 / 20.0,
            thousands(longest.1 as u64),
            longest.1 as f64 / 30.0
        ),
        format!(
            "no message over the limit {}",
            verdict(longest.0 <= 2_000 && longest.1 <= 3_000)
        ),
    );
    server.drop(db).await
}

// ---------------------------------------------------------------------------------------
// The weekly prompt's fan-out: one (cohort, zone) batch of 1k, 5k and 20k learners
// ---------------------------------------------------------------------------------------

async fn fanout_scenario(server: &Server) -> Result<()> {
    let now = utc(2027, 3, 8, 9, 0, 0);
    let sizes: &[usize] = if smoke() {
        &[50]
    } else {
        &[1_000, 5_000, 20_000]
    };
    for &learners in sizes {
        let db = server.create(&format!("bench_fanout_{learners}")).await?;
        let example = import_example(&db.pool, now).await?;
        progress(format!(
            "fanout: {learners} learners in one cohort and zone"
        ));
        add_learners(&db.pool, &example, 1..=learners, now).await?;
        analyze(&db.pool).await?;
        let period = cohortbot::domain::Period::containing(now, example.zone);
        let batch = cohortbot::store::checkins::ZoneBatch {
            community_id: example.community,
            cohort_id: example.cohort,
            zone: example.zone.name().to_owned(),
            period: period.to_string(),
            body: cohortbot::render::Message::from("Time to check in."),
            deadline: period.end(example.zone),
        };
        let extras = cohortbot::store::checkins::PromptExtras {
            plan_intro: cohortbot::render::Message::from("Last week you planned: "),
            blocker_intro: cohortbot::render::Message::from("Still open: "),
            blocker_outro: cohortbot::render::Message::from("."),
            blocker_buttons: cohortbot::render::Message::from(""),
        };
        let mut tx = db.pool.begin().await?;
        let plan: String = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!(
            "EXPLAIN (FORMAT TEXT) WITH batch AS (SELECT $1::uuid AS community_id, $2::uuid AS cohort_id, $3::text AS zone, $4::text AS period, '{{}}'::jsonb AS body, $5::timestamptz AS deadline, '2000-W01'::text AS previous), {}",
            // The batch's columns are bound here; the time and the templates move down.
            cohortbot::store::checkins::ENQUEUE_PROMPTS
                .replace("$6", "$5")
                .replace("$8", "$6")
                .replace("$9", "$7")
                .replace("$10", "$8")
                .replace("$11", "$9")
        )))
        .bind(batch.community_id)
        .bind(batch.cohort_id)
        .bind(&batch.zone)
        .bind(&batch.period)
        .bind(now)
        .bind(sqlx::types::Json(&extras.plan_intro))
        .bind(sqlx::types::Json(&extras.blocker_intro))
        .bind(sqlx::types::Json(&extras.blocker_outro))
        .bind(sqlx::types::Json(&extras.blocker_buttons))
        .fetch_all(&mut *tx)
        .await?
        .join("\n");
        tx.rollback().await?;
        // A nested loop whose inner side is a CTE scan is the quadratic shape.
        let quadratic = plan.split("Nested Loop").skip(1).any(|rest| {
            rest.lines()
                .take(3)
                .filter(|l| l.contains("CTE Scan"))
                .count()
                >= 2
        });
        let start = std::time::Instant::now();
        let mut tx = db.pool.begin().await?;
        let queued = cohortbot::store::checkins::enqueue_prompts(
            &mut *tx,
            std::slice::from_ref(&batch),
            &extras,
            now,
        )
        .await?;
        tx.commit().await?;
        let took = start.elapsed();
        anyhow::ensure!(queued as usize == learners, "queued {queued} of {learners}");
        println!(
            "| `enqueue_prompts`, {learners} learners in one cohort and zone | {:.0} ms ({:.0}% of the 1 s ceiling); plan: {} | < 1 s {} |",
            took.as_secs_f64() * 1e3,
            took.as_secs_f64() * 100.0,
            if quadratic {
                "nested loop over two CTEs"
            } else {
                "no nested loop over the two sets"
            },
            verdict(took < Duration::from_secs(1) && !quadratic)
        );
        server.drop(db).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Delivery of 1,000 new DMs against the fake Discord's real limits (the tests' fake)
// ---------------------------------------------------------------------------------------

async fn delivery_scenario(server: &Server) -> Result<()> {
    use cohortbot::chat::discord::{Channels, CustomIds, DiscordSender, Rest};
    use cohortbot::clock::SystemClock;
    use cohortbot::outbox::{Dispatcher, Platform};

    static DMS: Size = Size::new(1_000, 20);
    let db = server.create("bench_delivery").await?;
    import_example(&db.pool, utc(2027, 3, 8, 9, 0, 0)).await?;
    backlog::fill(
        &db.pool,
        Platform::Discord,
        DMS.i64(),
        "700000000000000001",
        0,
    )
    .await;
    let fake = fake_discord::FakeDiscord::start().await;
    let rest = Arc::new(Rest::new(
        "bench-token",
        Some(1_100_000_000_000_000_001),
        Some(&fake.url),
        Default::default(),
    )?);
    let clock: Arc<dyn cohortbot::clock::Clock> = Arc::new(SystemClock);
    let sender = DiscordSender::new(
        rest,
        db.pool.clone(),
        clock.clone(),
        CustomIds::new(b"bench-token"),
        Channels::default(),
    );
    let dispatcher =
        Arc::new(Dispatcher::new(db.pool.clone(), clock, sender).only_platform(Platform::Discord));
    progress(format!(
        "delivery: {DMS} new DMs (a DM channel open and a message each) against the fake Discord"
    ));
    backlog::deliver(&db.pool, dispatcher, DMS.i64(), Duration::from_secs(300)).await;
    let seen = fake.seen();
    let first = seen.first().map(|s| s.at).context("no requests")?;
    let last = seen.last().map(|s| s.at).context("no requests")?;
    let limited = seen.iter().filter(|s| s.status == 429).count();
    let rate = seen.len() as f64 / (last - first).as_secs_f64();
    let share = rate / fake_discord::GLOBAL_PER_SECOND;
    println!(
        "| Fan-out of {DMS} new DMs against the fake Discord (50 requests/s global, 5 per 5 s per channel) | {} requests in {:.1} s: {rate:.1} requests/s ({:.0}% of the budget), {limited} 429s ({:.2}%) | ≥ 90% of the budget, 429s < 1% {} |",
        seen.len(),
        (last - first).as_secs_f64(),
        share * 100.0,
        limited as f64 * 100.0 / seen.len() as f64,
        verdict(share >= 0.9 && limited * 100 < seen.len())
    );
    server.drop(db).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 1. /checkin end to end, and its pgbench ceiling
// ---------------------------------------------------------------------------------------

static CLIENTS: Size = Size::new(16, 4);
static LEARNERS: Size = Size::new(16 * 1_500, 4 * 20);
/// Check-ins done (and checked) before timing starts, by learners not in `LEARNERS.n()`.
static WARMUP: Size = Size::new(16 * 25, 4 * 2);
/// Confidence 2 with a blocker: the bot also escalates to the lead mentor (one outbox row).
const CHECKIN_LINE: &str = r#"/checkin 2 built a flow blockers:"no licence" hours:3"#;
static PGBENCH_SECONDS: Size = Size::new(15, 1);

async fn checkin_scenario(server: &Server) -> Result<()> {
    // A Wednesday inside the cohort's dates, in week 2027-W10.
    let now = utc(2027, 3, 10, 10, 0, 0);
    let db = server.create("bench_checkin").await?;
    let example = import_example(&db.pool, now).await?;
    let total = LEARNERS.n() + WARMUP.n();
    progress(format!("checkin: adding {total} enrolled learners"));
    add_learners(&db.pool, &example, 1..=total, now).await?;
    add_last_week(&db.pool, &example, 1..=total, now).await?;
    analyze(&db.pool).await?;

    // The pool the bot ships with (`database.max_connections`), fewer connections than
    // clients: the bot serves many chat users through a few backends, and on two cores 16
    // busy backends spend their time queued behind each other rather than working.
    let pool_size = DatabaseSettings::default().max_connections;
    let pool = db.bot_pool(pool_size).await?;
    let services = Services::new(pool.clone(), Arc::new(ManualClock::new(now)));
    let before = Counts::read(&pool).await?;

    progress(format!(
        "checkin: {CLIENTS} clients resolving callers, warming up with {WARMUP} check-ins, then {LEARNERS} timed"
    ));
    // The barrier releases every client at once; this task waits on it too to start the clock.
    let barrier = Arc::new(Barrier::new(CLIENTS.n() + 1));
    let clients: Vec<_> = (0..CLIENTS.n())
        .map(|k| tokio::spawn(checkin_client(services.clone(), k, barrier.clone())))
        .collect();
    barrier.wait().await;
    let (started, cpu_before, machine_before) = (Instant::now(), process_cpu()?, machine_cpu()?);
    let mut latencies = Vec::with_capacity(LEARNERS.n());
    for client in clients {
        latencies.extend(client.await??);
    }
    let wall = started.elapsed();
    // CPU the bot side (this process: parsing, services, sqlx) spent per check-in.
    let cpu_per_op = (process_cpu()? - cpu_before) / LEARNERS.n() as u32;
    // And the whole machine (the bot, PostgreSQL, the kernel) per check-in.
    let machine_per_op = (machine_cpu()? - machine_before) / LEARNERS.n() as u32;

    // Every check-in wrote exactly one check-in and one escalation DM.
    let after = Counts::read(&pool).await?;
    let done = total as i64;
    ensure!(
        after.checkins - before.checkins == done && after.outbox - before.outbox == done,
        "expected {done} new check-ins and outbox rows; got {:?} → {:?}",
        before,
        after
    );
    let samples = CeilingSamples::read(&pool, &example).await?;
    pool.close().await;
    server.drop(db).await?;

    latencies.sort_unstable();
    let throughput = LEARNERS.n() as f64 / wall.as_secs_f64();
    let (p50, p99, max) = (
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1],
    );
    let same = pgbench_ceiling(server, &samples, Ceiling::SameStatements).await?;
    let minimal = pgbench_ceiling(server, &samples, Ceiling::Minimal).await?;
    row(
        format!(
            "`/checkin` end to end, {CLIENTS} clients, {} learners (pool {pool_size}, the default `database.max_connections`)",
            thousands(LEARNERS.n() as u64),
        ),
        format!(
            "{} ops/s ({} check-ins in {:.2} s; bot-side CPU {} µs per check-in)",
            thousands(throughput as u64),
            thousands(LEARNERS.n() as u64),
            wall.as_secs_f64(),
            cpu_per_op.as_micros()
        ),
        "≥ 50% of ceiling (below)".into(),
    );
    row(
        "`/checkin` latency per operation".into(),
        format!(
            "p50 {} · p99 {} · max {} (p99 {:.1} times the minimal ceiling's, {:.1} times the same statements')",
            ms(p50),
            ms(p99),
            ms(max),
            p99.as_secs_f64() / minimal.p99.as_secs_f64(),
            p99.as_secs_f64() / same.p99.as_secs_f64(),
        ),
        format!("p99 < 10 ms {}", verdict(p99 < Duration::from_millis(10))),
    );
    row(
        format!(
            "Ceiling: pgbench, same reads and writes in one transaction, {CLIENTS} clients, {PGBENCH_SECONDS} s"
        ),
        same.describe(),
        "—".into(),
    );
    row(
        "`/checkin` share of that ceiling".into(),
        format!("{:.1}%", throughput / same.tps * 100.0),
        "—".into(),
    );
    let share = throughput / minimal.tps * 100.0;
    row(
        format!(
            "Minimal ceiling: pgbench, only the check-in and its outbox row in one transaction, {CLIENTS} clients, {PGBENCH_SECONDS} s"
        ),
        minimal.describe(),
        "—".into(),
    );
    row(
        "`/checkin` share of the minimal ceiling".into(),
        format!("{share:.1}%"),
        format!("≥ 50% {}", verdict(share >= 50.0)),
    );
    // Throughput on this shared VM swings by a third between runs of one binary; the CPU
    // a transaction costs the whole machine (steal left out) swings far less, so the ratio
    // of those says more steadily where `/checkin` stands.
    row(
        "Whole-machine CPU per transaction (`/proc/stat`, steal left out)".into(),
        format!(
            "`/checkin` {} µs · same statements {} µs · minimal {} µs: the minimal ceiling's is {:.1}% of `/checkin`'s",
            machine_per_op.as_micros(),
            same.cpu_per_transaction.as_micros(),
            minimal.cpu_per_transaction.as_micros(),
            minimal.cpu_per_transaction.as_secs_f64() / machine_per_op.as_secs_f64() * 100.0
        ),
        "—".into(),
    );
    row(
        "Peak RSS of the bench process after `/checkin`".into(),
        peak_rss()?,
        "—".into(),
    );
    Ok(())
}

/// One chat client: resolves its callers and warms up (untimed), waits for the others, then
/// times each `/checkin` of its share of learners: k+1, k+1+16, …
async fn checkin_client(
    services: Services,
    k: usize,
    barrier: Arc<Barrier>,
) -> Result<Vec<Duration>> {
    // Reach the barrier even on failure, or the other clients would wait forever.
    let prepared = async {
        let warmup = callers(
            &services,
            (LEARNERS.n() + 1 + k..=LEARNERS.n() + WARMUP.n()).step_by(CLIENTS.n()),
        );
        for caller in warmup.await? {
            check_reply(&checkin(&services, caller).await?)?;
        }
        callers(&services, (1 + k..=LEARNERS.n()).step_by(CLIENTS.n())).await
    }
    .await;
    barrier.wait().await;

    let mut latencies = Vec::new();
    for caller in prepared? {
        let started = Instant::now();
        let outcome = checkin(&services, caller).await?;
        latencies.push(started.elapsed());
        check_reply(&outcome)?;
    }
    Ok(latencies)
}

/// Resolves shell callers (members exist already) outside the timed part.
async fn callers(
    services: &Services,
    learners: impl Iterator<Item = usize>,
) -> Result<Vec<Caller>> {
    let mut callers = Vec::new();
    for i in learners {
        callers.push(services.shell_caller(COMMUNITY, &format!("l{i}")).await?);
    }
    Ok(callers)
}

/// What a chat adapter does per message: parse the line, then handle the invocation.
async fn checkin(services: &Services, caller: Caller) -> Result<Outcome> {
    let parsed = commands::parse(CHECKIN_LINE).map_err(|e| anyhow!("parse failed: {e}"))?;
    Ok(services
        .handle(Invocation::new(caller, parsed.spec, parsed.args))
        .await)
}

/// `handle` never fails, so a refusal or internal error shows only in the reply.
fn check_reply(outcome: &Outcome) -> Result<()> {
    let reply = plain::render(&outcome.reply);
    ensure!(
        reply.starts_with("Thanks!") && outcome.posts.len() == 1,
        "unexpected /checkin outcome ({} posts): {reply}",
        outcome.posts.len()
    );
    Ok(())
}

/// Rows the check-ins write, to prove each did its full work.
#[derive(Debug)]
struct Counts {
    checkins: i64,
    outbox: i64,
}

impl Counts {
    async fn read(pool: &PgPool) -> Result<Self> {
        let (checkins, outbox) =
            sqlx::query_as("SELECT (SELECT count(*) FROM checkins), (SELECT count(*) FROM outbox)")
                .fetch_one(pool)
                .await?;
        Ok(Self { checkins, outbox })
    }
}

/// Real rows the bot wrote, so the pgbench script inserts payloads of the same size.
struct CeilingSamples {
    outbox_body: String,
}

impl CeilingSamples {
    async fn read(pool: &PgPool, example: &Example) -> Result<Self> {
        let outbox_body =
            sqlx::query_scalar("SELECT body::text FROM outbox WHERE member_id = $1 LIMIT 1")
                .bind(example.lead_mentor)
                .fetch_one(pool)
                .await?;
        Ok(Self { outbox_body })
    }
}

/// What pgbench measured: transactions per second, its own average latency, and the p99
/// of the per-transaction latencies it logged.
struct CeilingRun {
    tps: f64,
    /// The whole machine's CPU per transaction while pgbench ran.
    cpu_per_transaction: Duration,
    average_latency: String,
    p99: Duration,
}

impl CeilingRun {
    fn describe(&self) -> String {
        format!(
            "{} tps (pgbench's average latency {} ms, p99 {})",
            thousands(self.tps as u64),
            self.average_latency,
            ms(self.p99)
        )
    }
}

/// Which pgbench transaction a check-in is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ceiling {
    /// The statements a check-in needs, as described on [`pgbench_ceiling`].
    SameStatements,
    /// The least the write needs: the check-in and its outbox row in one transaction.
    Minimal,
}

/// The most a check-in could do on this server: pgbench, 16 clients, running in one
/// transaction the statements a check-in needs, as prepared statements (sqlx prepares and
/// caches its statements too): the member's active enrollment with its cohort, the check-in
/// insert (period unique per transaction), the lead-mentor query the bot runs, and the
/// escalation DM with the bot's own body: 6 round trips (BEGIN, 4, END), where the bot
/// makes 5 (it writes the check-in and its answered note and reads the lead mentors in one
/// statement) and sqlx pings each connection it takes back into
/// its pool. Left out is what the bot does on top: the answered note, and its command
/// tail's Home publishes and dropped question. With [`Ceiling::Minimal`], only the
/// check-in insert and the outbox insert.
async fn pgbench_ceiling(
    server: &Server,
    samples: &CeilingSamples,
    kind: Ceiling,
) -> Result<CeilingRun> {
    let now = utc(2027, 3, 10, 10, 0, 0);
    let db = server.create("bench_ceiling").await?;
    let example = import_example(&db.pool, now).await?;
    add_learners(&db.pool, &example, 1..=LEARNERS.n(), now).await?;
    add_last_week(&db.pool, &example, 1..=LEARNERS.n(), now).await?;
    analyze(&db.pool).await?;

    let member = "md5('learner-' || :m)::uuid";
    let (community, cohort, mentor) = (example.community, example.cohort, example.lead_mentor);
    let body = sql_literal(&samples.outbox_body)?;
    let enrollment = format!(
        "SELECT e.id, e.cohort_id, c.slug, c.name, t.name, e.joined_at FROM enrollments e JOIN cohorts c ON c.id = e.cohort_id LEFT JOIN tracks t ON t.id = e.track_id WHERE e.member_id = {member} AND e.status = 'active' ORDER BY e.joined_at, c.slug;"
    );
    let checkin = format!(
        "INSERT INTO checkins (id, community_id, cohort_id, member_id, period, progress, blockers, confidence, hours, created_at, updated_at) VALUES (gen_random_uuid(), '{community}', '{cohort}', {member}, 'bench-' || :client_id || '-' || :p, 'built a flow', 'no licence', 2, 3, now(), now()) RETURNING id, cohort_id, member_id, period, progress, blockers, confidence, hours, created_at, updated_at;"
    );
    let lead_mentors = format!(
        "SELECT m.id, m.display_name FROM members m WHERE m.id IN (SELECT lead_member_id FROM mentor_groups WHERE cohort_id = '{cohort}' UNION SELECT member_id FROM member_roles WHERE cohort_id = '{cohort}' AND role = 'lead_mentor') AND EXISTS (SELECT 1 FROM mentored_cohorts(m.id, {member}) x WHERE x.cohort_id = '{cohort}') ORDER BY m.display_name;"
    );
    let outbox = format!(
        "INSERT INTO outbox (community_id, idempotency_key, channel, member_id, body, next_attempt_at, created_at) VALUES ('{community}', 'invocation:' || gen_random_uuid() || ':0', NULL, '{mentor}', {body}, now(), now()) ON CONFLICT (idempotency_key) DO NOTHING;"
    );
    let statements = match kind {
        Ceiling::SameStatements => [enrollment, checkin, lead_mentors, outbox].join("\n"),
        Ceiling::Minimal => [checkin, outbox].join("\n"),
    };
    let script = format!(
        "\\set m random(1, {LEARNERS})
\\set p random(1, 2000000000)
BEGIN;
{statements}
END;
"
    );
    let script_path =
        std::env::temp_dir().join(format!("cohortbot-bench-{}.sql", std::process::id()));
    std::fs::write(&script_path, script)?;

    let count_checkins =
        || sqlx::query_scalar::<_, i64>("SELECT count(*) FROM checkins").fetch_one(&db.pool);
    let before = count_checkins().await?;
    let pgbench = find_pgbench()?;
    progress(format!(
        "ceiling: {} -c {CLIENTS} -j 2 -T {PGBENCH_SECONDS}",
        pgbench.display()
    ));
    // pgbench logs each transaction's latency there (`-l`): its p99 is the ceiling's.
    let log_dir = std::env::temp_dir().join(format!("cohortbot-pgbench-{}", std::process::id()));
    std::fs::create_dir_all(&log_dir)?;
    let log_prefix = log_dir.join("tx");
    let (url, run_path) = (db.url.clone(), script_path.clone());
    let machine_before = machine_cpu()?;
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&pgbench)
            .args(["-n", "-M", "prepared", "-j", "2", "-l"])
            .arg(format!("--log-prefix={}", log_prefix.display()))
            .args([
                "-c",
                &CLIENTS.n().to_string(),
                "-T",
                &PGBENCH_SECONDS.n().to_string(),
            ])
            .arg("-f")
            .arg(&run_path)
            .arg(&url)
            .output()
    })
    .await??;
    let machine_used = machine_cpu()? - machine_before;
    std::fs::remove_file(&script_path)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    ensure!(
        output.status.success(),
        "pgbench failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |prefix: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .with_context(|| format!("no `{prefix}` in pgbench output:\n{stdout}"))
    };
    let tps: f64 = field("tps = ")?.parse()?;
    let average_latency = field("latency average = ")?.to_owned();
    let mut latencies = logged_latencies(&log_dir)?;
    std::fs::remove_dir_all(&log_dir)?;
    latencies.sort_unstable();
    let processed: i64 = field("number of transactions actually processed: ")?.parse()?;
    // The script must really have written a check-in per transaction.
    let written = count_checkins().await? - before;
    ensure!(
        written == processed,
        "pgbench processed {processed} transactions but wrote {written} check-ins"
    );
    ensure!(
        latencies.len() as i64 == processed,
        "pgbench logged {} transactions but processed {processed}",
        latencies.len()
    );
    server.drop(db).await?;
    Ok(CeilingRun {
        tps,
        cpu_per_transaction: machine_used / processed.max(1) as u32,
        average_latency,
        p99: percentile(&latencies, 0.99),
    })
}

/// The latencies in pgbench's per-transaction logs (`-l`), one file per thread: each line
/// is `client transaction latency_µs script epoch_s epoch_µs`.
fn logged_latencies(dir: &Path) -> Result<Vec<Duration>> {
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let text = std::fs::read_to_string(&path)?;
        for line in text.lines() {
            let micros: u64 = line
                .split_whitespace()
                .nth(2)
                .and_then(|field| field.parse().ok())
                .with_context(|| format!("no latency in {}: {line}", path.display()))?;
            latencies.push(Duration::from_micros(micros));
        }
    }
    Ok(latencies)
}

/// A single-quoted SQL literal that pgbench will not mistake for a `:variable`.
fn sql_literal(text: &str) -> Result<String> {
    let colon_word = text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b':' && (w[1].is_ascii_alphanumeric() || w[1] == b'_' || w[1] == b'{'));
    ensure!(
        !colon_word,
        "literal has a `:name` pgbench would substitute: {text}"
    );
    Ok(format!("'{}'", text.replace('\'', "''")))
}

/// pgbench of the newest installed PostgreSQL (as `scripts/with-postgres` picks the
/// server), else the one on PATH.
fn find_pgbench() -> Result<PathBuf> {
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let path = entry.path().join("bin/pgbench");
            path.is_file().then_some((version, path))
        })
        .max();
    if let Some((_, path)) = newest {
        return Ok(path);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("pgbench"))
        .find(|path| path.is_file())
        .context("pgbench not found (apt-get install postgresql-contrib or postgresql)")
}

/// CPU time (user + system) this process has used so far, from /proc.
fn process_cpu() -> Result<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("/proc/self/stat")?
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    // In clock ticks of USER_HZ, which Linux fixes at 100 per second for /proc.
    Ok(Duration::from_millis(ticks * 10))
}

/// CPU time the whole machine has spent working since boot, from `/proc/stat`: user, nice,
/// system, irq and softirq, all cores together. Idle, I/O wait and steal (time the
/// hypervisor gave another guest) are left out.
fn machine_cpu() -> Result<Duration> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("cpu "))
        .context("no cpu line in /proc/stat")?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let [user, nice, system, _idle, _iowait, irq, softirq, ..] = fields[..] else {
        bail!("/proc/stat has {} cpu fields", fields.len());
    };
    // Clock ticks of USER_HZ, 100 per second, as in `process_cpu`.
    Ok(Duration::from_millis(
        (user + nice + system + irq + softirq) * 10,
    ))
}

/// The high-water mark of resident memory, VmHWM, from /proc.
fn peak_rss() -> Result<String> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .context("no VmHWM in /proc/self/status")?
        .parse()?;
    Ok(format!("{:.1} MiB", kib / 1024.0))
}

// ---------------------------------------------------------------------------------------
// 2. The scheduler: 100,000 learners in 1,000 cohorts across 30 time zones
// ---------------------------------------------------------------------------------------

static SCHED_COHORTS: Size = Size::new(1_000, 10);
static SCHED_PER_COHORT: Size = Size::new(100, 5);
/// West to east. On Monday 2027-03-08 six of them are at UTC+1 (Europe is not yet on
/// summer time, the US starts on the 14th), so one instant, 08:00Z, is 09:00 in all six.
const ZONES: [&str; 30] = [
    "Pacific/Pago_Pago",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/South_Georgia",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Warsaw",
    "Africa/Lagos",
    "Europe/Athens",
    "Africa/Cairo",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
];

async fn scheduler_scenario(server: &Server) -> Result<()> {
    let created = utc(2027, 1, 1, 0, 0, 0);
    let db = server.create("bench_scheduler").await?;
    let learners = SCHED_COHORTS.n() * SCHED_PER_COHORT.n();
    progress(format!(
        "scheduler: adding {SCHED_COHORTS} cohorts and {learners} learners"
    ));
    fill_scheduler_db(&db.pool, created).await?;
    analyze(&db.pool).await?;

    let pool = db.bot_pool(4).await?;
    let scheduler = Scheduler::new(pool.clone(), Arc::new(ManualClock::new(created)));
    let window = chrono::Duration::seconds(20);

    // (a) Idle: a Tuesday noon, nothing due. What every pass costs between ticks.
    let idle_at = utc(2027, 3, 9, 12, 0, 0);
    let mut idle = Vec::new();
    for run in 0..11 {
        let started = Instant::now();
        let report = scheduler.run_between(idle_at, idle_at + window).await?;
        ensure!(
            report == TickReport::default(),
            "idle pass did work: {report:?}"
        );
        if run > 0 {
            idle.push(started.elapsed()); // run 0 warms the connections up
        }
    }
    idle.sort_unstable();
    let idle_median = percentile(&idle, 0.5);
    row(
        format!(
            "Scheduler idle pass, {} cohorts × 30 zones, {} learners (median of {})",
            thousands(SCHED_COHORTS.n() as u64),
            thousands(learners as u64),
            idle.len()
        ),
        ms(idle_median),
        format!("< 1 s {}", verdict(idle_median < Duration::from_secs(1))),
    );

    // (b) One due tick: a 20 s pass containing Monday 08:00Z = 09:00 in the UTC+1 zones.
    let tick = utc(2027, 3, 8, 8, 0, 0);
    let due_zones: Vec<&str> = ZONES
        .iter()
        .copied()
        .filter(|z| {
            let local = tick.with_timezone(&z.parse::<Tz>().expect("known zone"));
            local.weekday() == Weekday::Mon && local.hour() == 9 && local.minute() == 0
        })
        .collect();
    let expected: i64 = sqlx::query_scalar("SELECT count(*) FROM members WHERE timezone = ANY($1)")
        .bind(&due_zones)
        .fetch_one(&pool)
        .await?;
    let mut due = Vec::new();
    let mut due_report = TickReport::default();
    for _ in 0..3 {
        reset_scheduler_output(&pool).await?;
        let started = Instant::now();
        due_report = scheduler
            .run_between(tick - window / 2, tick + window / 2)
            .await?;
        due.push(started.elapsed());
        ensure!(
            due_report.posts == expected as u64,
            "due tick queued {} prompts, expected {expected}",
            due_report.posts
        );
        check_scheduler_output(&pool, due_report.posts).await?;
    }
    due.sort_unstable();
    let due_median = percentile(&due, 0.5);
    row(
        format!(
            "Scheduler due tick, Mon 09:00 in {} zones at once (median of {})",
            due_zones.len(),
            due.len()
        ),
        format!(
            "{} ({} triggers fired, {} prompts queued; runs {})",
            ms(due_median),
            thousands(u64::from(due_report.fired)),
            thousands(due_report.posts),
            due.iter().map(|d| ms(*d)).collect::<Vec<_>>().join(", ")
        ),
        format!("< 1 s {}", verdict(due_median < Duration::from_secs(1))),
    );

    // (c) A whole Monday in one call, as after a day of downtime: ticks older than the
    // check-in grace (6 h) are recorded as skipped, not sent.
    let (day_from, day_to) = (utc(2027, 3, 7, 10, 0, 0), utc(2027, 3, 8, 23, 59, 0));
    reset_scheduler_output(&pool).await?;
    let started = Instant::now();
    let report = scheduler.run_between(day_from, day_to).await?;
    let took = started.elapsed();
    check_scheduler_output(&pool, report.posts).await?;
    row(
        "Scheduler, whole Monday in one `run_between` (Sun 10:00Z → Mon 23:59Z)".into(),
        format!(
            "{} ({} fired, {} skipped past grace, {} prompts queued)",
            ms(took),
            thousands(u64::from(report.fired)),
            thousands(u64::from(report.skipped)),
            thousands(report.posts)
        ),
        "—".into(),
    );

    // (c') The same Monday as hourly passes, so every tick is inside its grace and all
    // 100,000 learners get their prompt.
    reset_scheduler_output(&pool).await?;
    let mut total = TickReport::default();
    let mut passes = 0;
    let started = Instant::now();
    let mut since = day_from;
    while since < day_to {
        let until = (since + chrono::Duration::hours(1)).min(day_to);
        let report = scheduler.run_between(since, until).await?;
        total.fired += report.fired;
        total.skipped += report.skipped;
        total.posts += report.posts;
        passes += 1;
        since = until;
    }
    let took = started.elapsed();
    ensure!(
        total.posts == learners as u64 && total.skipped == 0,
        "hourly passes over Monday: {total:?}, expected {learners} prompts"
    );
    check_scheduler_output(&pool, total.posts).await?;
    row(
        format!("Scheduler, whole Monday as {passes} hourly passes"),
        format!(
            "{} ({} triggers fired, {} prompts, {} prompts/s)",
            ms(took),
            thousands(u64::from(total.fired)),
            thousands(total.posts),
            thousands((total.posts as f64 / took.as_secs_f64()) as u64)
        ),
        "—".into(),
    );

    pool.close().await;
    server.drop(db).await
}

/// One community; cohorts c0…c999 each with a Monday 09:00 check-in schedule, cohort zones
/// spread over `ZONES`; 100 learners each, whose own zones are spread over `ZONES` too, so
/// every cohort has learners in all 30 zones (30,000 member-local triggers).
async fn fill_scheduler_db(pool: &PgPool, now: DateTime<Utc>) -> Result<()> {
    let community = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO communities (id, slug, name, code_of_conduct, created_at)
         VALUES ($1, 'bench', 'Bench', 'Be kind.', $2)",
    )
    .bind(community)
    .bind(now)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO cohorts (id, community_id, slug, name, timezone, starts_on, ends_on, channel, created_at)
         SELECT md5('cohort-' || c)::uuid, $1, 'c' || c, 'Cohort ' || c, ($2::text[])[1 + c % 30],
                DATE '2027-01-01', DATE '2027-12-31', 'cohort-' || c, $3
         FROM generate_series(0, $4 - 1) c",
    )
    .bind(community)
    .bind(&ZONES[..])
    .bind(now)
    .bind(SCHED_COHORTS.i32())
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO cohort_schedules (community_id, cohort_id, kind, cron)
         SELECT $1, id, 'checkin', '0 9 * * MON' FROM cohorts",
    )
    .bind(community)
    .execute(pool)
    .await?;
    // Learner i is the (i % 100)-th of cohort i / 100; zones rotate per cohort.
    sqlx::query(
        "INSERT INTO members (id, community_id, platform, platform_user_id, display_name, timezone,
                              coc_accepted_at, created_at)
         SELECT md5('learner-' || i)::uuid, $1, 'shell', 'l' || i, 'Learner ' || i,
                ($2::text[])[1 + (i / $4 + i % $4) % 30], $3, $3
         FROM generate_series(0, $5 - 1) i",
    )
    .bind(community)
    .bind(&ZONES[..])
    .bind(now)
    .bind(SCHED_PER_COHORT.i32())
    .bind(SCHED_COHORTS.i32() * SCHED_PER_COHORT.i32())
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO enrollments (id, community_id, cohort_id, member_id, status, joined_at)
         SELECT gen_random_uuid(), $1, md5('cohort-' || i / $3)::uuid, md5('learner-' || i)::uuid,
                'active', $2
         FROM generate_series(0, $4 - 1) i",
    )
    .bind(community)
    .bind(now)
    .bind(SCHED_PER_COHORT.i32())
    .bind(SCHED_COHORTS.i32() * SCHED_PER_COHORT.i32())
    .execute(pool)
    .await?;
    Ok(())
}

/// Forgets claims, prompts and posts so the next pass fires again (untimed).
async fn reset_scheduler_output(pool: &PgPool) -> Result<()> {
    sqlx::raw_sql("TRUNCATE trigger_ticks, checkin_prompts, outbox")
        .execute(pool)
        .await?;
    Ok(())
}

/// Each queued prompt is one checkin_prompts row and one outbox row.
async fn check_scheduler_output(pool: &PgPool, posts: u64) -> Result<()> {
    let (prompts, outbox): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM checkin_prompts), (SELECT count(*) FROM outbox)",
    )
    .fetch_one(pool)
    .await?;
    ensure!(
        prompts as u64 == posts && outbox as u64 == posts,
        "TickReport says {posts} posts; checkin_prompts has {prompts}, outbox {outbox}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 3. The cohort digest: 5,000 learners, 52 weeks of prompts and check-ins
// ---------------------------------------------------------------------------------------

static DIGEST_LEARNERS: Size = Size::new(5_000, 50);
static DIGEST_WEEKS: Size = Size::new(52, 3);
static DIGEST_RUNS: Size = Size::new(20, 2);

async fn digest_scenario(server: &Server) -> Result<()> {
    let at = utc(2027, 3, 10, 10, 0, 0);
    let db = server.create("bench_digest").await?;
    let example = import_example(&db.pool, at).await?;
    progress(format!(
        "digest: adding {DIGEST_LEARNERS} learners with {DIGEST_WEEKS} weeks of history"
    ));
    add_learners(&db.pool, &example, 1..=DIGEST_LEARNERS.n(), at).await?;
    let cohort = cohorts::by_slug(&db.pool, example.community, COHORT)
        .await?
        .context("example cohort")?;
    let zone = example.zone;
    fill_history(&db.pool, &example, Period::containing(at, zone), at).await?;
    analyze(&db.pool).await?;

    // The reads below run on a pool opened as the bot opens its own
    // (`store::server_pool_options`), of the bot's default size.
    let bot = db.bot_pool(10).await?;
    let mut conn = bot.acquire().await?;
    let mut runs = Vec::new();
    let mut rendered = String::new();
    for run in 0..DIGEST_RUNS.n() + 2 {
        let started = Instant::now();
        let (period, message) = digest::cohort_digest(&mut conn, &cohort, zone, at).await?;
        let took = started.elapsed();
        ensure!(
            period == Period::containing(at, zone),
            "digest for {period}"
        );
        if run >= 2 {
            runs.push(took); // two warm-up runs prepare the statements
        }
        rendered = plain::render(&message);
    }
    drop(conn);
    ensure!(
        rendered.contains(&format!("of {DIGEST_LEARNERS} learners")),
        "digest does not count {DIGEST_LEARNERS} learners:\n{rendered}"
    );
    progress(format!(
        "digest: the rendered message is {} bytes long",
        thousands(rendered.len() as u64)
    ));
    runs.sort_unstable();
    let median = percentile(&runs, 0.5);
    row(
        format!(
            "Cohort digest, {} learners, {DIGEST_WEEKS} weeks of history ({DIGEST_RUNS} runs)",
            thousands(DIGEST_LEARNERS.n() as u64)
        ),
        format!(
            "median {} · max {} (message {} bytes)",
            ms(median),
            ms(runs[runs.len() - 1]),
            thousands(rendered.len() as u64)
        ),
        format!("< 50 ms {}", verdict(median < Duration::from_millis(50))),
    );
    stats_on(&bot, at).await?;
    fill_program(&db.pool, &example, at).await?;
    analyze(&db.pool).await?;
    dashboard_on(&bot, &example, at).await?;
    weekly_csv_on(&bot, &example, at).await?;
    bot.close().await;
    server.drop(db).await
}

/// What the dashboard charts beyond check-ins, for the digest's cohort: learners joined over
/// the first four weeks of the year, a lightning-talk night every week (about 60% RSVP, 70%
/// of them come), and each module of one track verified for about 70% of learners, a week
/// apart. Pseudo-random but repeatable (hashes of member and week or module).
async fn fill_program(pool: &PgPool, example: &Example, at: DateTime<Utc>) -> Result<()> {
    progress("dashboard: adding a year of sessions, attendance and milestones".to_owned());
    let year_ago = at - chrono::Duration::weeks(DIGEST_WEEKS.i64());
    for statement in [
        "UPDATE enrollments
            SET joined_at = $3 + make_interval(weeks => abs(hashtext(member_id::text)) % 4)
          WHERE cohort_id = $2",
        "INSERT INTO sessions (id, community_id, cohort_id, number, kind, title, starts_at,
                               duration_minutes, slots, checkin_code, created_at)
         SELECT gen_random_uuid(), $1, $2, 100000 + w, 'lightning_talks', 'Talks, week ' || w,
                $3 + make_interval(weeks => w, hours => 8), 60, 5, 'BENCH' || w, $3
           FROM generate_series(0, 51) w",
        "INSERT INTO session_rsvps (community_id, session_id, member_id, created_at)
         SELECT s.community_id, s.id, e.member_id, s.created_at
           FROM sessions s JOIN enrollments e ON e.cohort_id = s.cohort_id
          WHERE s.cohort_id = $2 AND s.number >= 100000
            AND abs(hashtext(e.member_id::text || s.number)) % 10 < 6",
        "INSERT INTO session_attendance (community_id, session_id, member_id, via, recorded_at)
         SELECT r.community_id, r.session_id, r.member_id, 'code', s.starts_at
           FROM session_rsvps r JOIN sessions s ON s.id = r.session_id
          WHERE s.cohort_id = $2 AND s.number >= 100000
            AND abs(hashtext(r.member_id::text || 'came' || s.number)) % 10 < 7",
        "INSERT INTO milestones (id, community_id, cohort_id, module_id, member_id, evidence_url,
                                 status, submitted_at, reviewed_at)
         SELECT gen_random_uuid(), e.community_id, e.cohort_id, d.id, e.member_id,
                'https://example.org/work', 'verified',
                e.joined_at + make_interval(days => 7 * d.position + h % 10),
                e.joined_at + make_interval(days => 7 * d.position + h % 10 + 2)
           FROM enrollments e
           JOIN modules d ON d.track_id = (SELECT id FROM tracks WHERE community_id = $1
                                            ORDER BY slug LIMIT 1),
                LATERAL (SELECT abs(hashtext(e.member_id::text || d.id::text)) AS h) x
          WHERE e.cohort_id = $2 AND x.h % 100 < 70",
    ] {
        sqlx::query(AssertSqlSafe(statement))
            .bind(example.community)
            .bind(example.cohort)
            .bind(year_ago)
            .execute(pool)
            .await
            .with_context(|| format!("filling the program: {statement}"))?;
    }
    Ok(())
}

/// The sponsor dashboard of the digest's cohort, rendered as its web route does: every
/// metric function, six charts and their tables.
async fn dashboard_on(pool: &PgPool, example: &Example, at: DateTime<Utc>) -> Result<()> {
    use cohortbot::services::dashboard::page;
    let key = store::dashboard_keys::key(pool, example.community, "bench-key", false, at).await?;
    let mut runs = Vec::new();
    let mut html = String::new();
    for run in 0..DIGEST_RUNS.n() + 2 {
        let started = Instant::now();
        html = page::render(pool, COMMUNITY, &key, Some(COHORT), at)
            .await?
            .context("the dashboard is not found")?;
        if run >= 2 {
            runs.push(started.elapsed()); // two warm-up runs prepare the statements
        }
    }
    ensure!(
        html.matches("<svg").count() == 9,
        "the dashboard does not draw nine charts:\n{html}"
    );
    ensure!(
        html.contains(&format!("<b>{DIGEST_LEARNERS}</b>")),
        "the dashboard does not count {DIGEST_LEARNERS} learners"
    );
    dashboard_parts(pool, example, at).await?;
    runs.sort_unstable();
    let median = percentile(&runs, 0.5);
    row(
        format!(
            "Dashboard page, {} learners, {} weeks charted ({DIGEST_RUNS} runs)",
            thousands(DIGEST_LEARNERS.n() as u64),
            page::WEEKS
        ),
        format!(
            "median {} · max {} (page {} bytes)",
            ms(median),
            ms(runs[runs.len() - 1]),
            thousands(html.len() as u64)
        ),
        format!("< 200 ms {}", verdict(median < Duration::from_millis(200))),
    );
    Ok(())
}

/// Where the dashboard's time goes: each metric it reads, timed once more after the runs
/// (and the year of rates and of active learners that `weekly.csv` reads).
async fn dashboard_parts(pool: &PgPool, example: &Example, at: DateTime<Utc>) -> Result<()> {
    use cohortbot::store::metrics;
    let cohort = example.cohort;
    let last = Period::containing(at, example.zone);
    let periods = weeks_ending(last, cohortbot::services::dashboard::page::WEEKS);
    let this_week = &periods[periods.len() - 1..];
    let charted_since = Period::parse(&periods[0])
        .context("first week")?
        .start(example.zone);
    let year = weeks_ending(last, DIGEST_WEEKS.n());
    // As the page reads them: in a read-only transaction without JIT.
    let mut tx = metrics::begin_read(pool).await?;
    macro_rules! timed {
        ($name:expr, $call:expr) => {{
            let started = Instant::now();
            let _ = $call.await?;
            progress(format!(
                "dashboard part: {} {}",
                $name,
                ms(started.elapsed())
            ));
        }};
    }
    timed!("enrolled", metrics::enrolled(&mut *tx, cohort));
    timed!(
        "active this week",
        metrics::active_learners(&mut *tx, cohort, this_week)
    );
    timed!(
        "12 weeks of rates",
        metrics::checkin_rates(&mut *tx, cohort, &periods)
    );
    timed!(
        "12 weeks of confidence",
        metrics::confidence(&mut *tx, cohort, &periods)
    );
    timed!("funnel", metrics::funnel(&mut *tx, cohort));
    timed!(
        "retention over the year",
        metrics::retention(&mut *tx, cohort, &year, 11)
    );
    timed!(
        "time to milestone",
        metrics::time_to_milestone(&mut *tx, cohort)
    );
    timed!("mentor load", metrics::mentor_load(&mut *tx, cohort, at));
    timed!(
        "attendance, the 12 weeks charted",
        metrics::attendance(&mut *tx, cohort, charted_since, at)
    );
    timed!("learner health", metrics::health(&mut *tx, cohort, at));
    timed!("badges", metrics::badges_issued(&mut *tx, cohort));
    timed!(
        "52 weeks of active learners",
        metrics::active_learners(&mut *tx, cohort, &year)
    );
    timed!(
        "52 weeks of rates",
        metrics::checkin_rates(&mut *tx, cohort, &year)
    );
    tx.commit().await?;
    Ok(())
}

/// `weekly.csv` of the digest's cohort over its whole history, streamed to the end as the
/// download route streams it.
async fn weekly_csv_on(pool: &PgPool, example: &Example, at: DateTime<Utc>) -> Result<()> {
    use cohortbot::services::stats::csv;
    use cohortbot::store::export_links::{Dataset, ExportLink};
    let weeks = weeks_ending(Period::containing(at, example.zone), DIGEST_WEEKS.n());
    let (first, last) = (&weeks[0], &weeks[weeks.len() - 1]);
    let mut runs = Vec::new();
    let mut bytes = 0;
    for run in 0..DIGEST_RUNS.n() + 2 {
        let link = ExportLink {
            community_id: example.community,
            member_id: Uuid::nil(),
            dataset: Dataset::Weekly,
            cohort_ids: vec![example.cohort],
            first_period: first.clone(),
            last_period: last.clone(),
            created_at: at,
        };
        let started = Instant::now();
        let (out, mut chunks) = tokio::sync::mpsc::channel(4);
        tokio::spawn(csv::write(pool.clone(), link, false, out));
        bytes = 0;
        while let Some(chunk) = chunks.recv().await {
            bytes += chunk.context("the CSV failed")?.len();
        }
        if run >= 2 {
            runs.push(started.elapsed());
        }
    }
    ensure!(bytes > 0, "an empty CSV");
    runs.sort_unstable();
    let median = percentile(&runs, 0.5);
    row(
        format!(
            "`weekly.csv`, {} learners, {DIGEST_WEEKS} weeks ({DIGEST_RUNS} runs)",
            thousands(DIGEST_LEARNERS.n() as u64)
        ),
        format!(
            "median {} · max {} ({} bytes)",
            ms(median),
            ms(runs[runs.len() - 1]),
            thousands(bytes as u64)
        ),
        format!("< 500 ms {}", verdict(median < Duration::from_millis(500))),
    );
    Ok(())
}

/// `/stats <cohort>` by the example's steward over the digest's cohort, as the shell sends
/// it: the same metric functions as the digest. The target is for the command as typed
/// (four weeks of rates); a year of weekly rates (`weeks:52`) is measured beside it.
async fn stats_on(pool: &PgPool, at: DateTime<Utc>) -> Result<()> {
    let services = Services::new(pool.clone(), Arc::new(ManualClock::new(at)));
    let caller = services
        .shell_caller(COMMUNITY, "ada")
        .await
        .map_err(|e| anyhow!("{e:?}"))?;
    for (line, shown, target) in [
        (
            format!("/stats {COHORT}"),
            "4 weeks shown",
            Some(Duration::from_millis(50)),
        ),
        (
            format!("/stats {COHORT} weeks:{}", DIGEST_WEEKS.n()),
            "a year of weeks shown",
            None,
        ),
    ] {
        let mut runs = Vec::new();
        let mut text = String::new();
        for run in 0..DIGEST_RUNS.n() + 2 {
            let parsed = commands::parse(&line).map_err(|e| anyhow!("{e}"))?;
            let started = Instant::now();
            let outcome = services
                .handle(Invocation::new(caller.clone(), parsed.spec, parsed.args))
                .await;
            let took = started.elapsed();
            text = plain::render(&outcome.reply);
            ensure!(!outcome.refused, "{line} refused: {text}");
            if run >= 2 {
                runs.push(took); // two warm-up runs prepare the statements
            }
        }
        ensure!(
            text.contains(&format!("Enrolled: {DIGEST_LEARNERS}")),
            "{line} does not count {DIGEST_LEARNERS} learners:\n{text}"
        );
        runs.sort_unstable();
        let median = percentile(&runs, 0.5);
        row(
            format!(
                "`{}`, {} learners, {shown} ({DIGEST_RUNS} runs)",
                line.replace(COHORT, "<cohort>"),
                thousands(DIGEST_LEARNERS.n() as u64)
            ),
            format!("median {} · max {}", ms(median), ms(runs[runs.len() - 1])),
            match target {
                Some(target) => format!("< {} ms {}", target.as_millis(), verdict(median < target)),
                None => "— (the target is for the command as typed)".to_owned(),
            },
        );
    }
    Ok(())
}

/// A prompt per learner per week for the 52 weeks up to `latest`; about 80% answered, with
/// confidence 1-5; about 15% of answers have a blocker, resolved a week later except in the
/// last two weeks. Pseudo-random but repeatable (a hash of member and week). Rows go in
/// week by week, as they arrive in real life, so one week's rows sit together on disk.
async fn fill_history(
    pool: &PgPool,
    example: &Example,
    latest: Period,
    at: DateTime<Utc>,
) -> Result<()> {
    let periods = weeks_ending(latest, DIGEST_WEEKS.n());
    // Prompts went out on each week's Monday morning; `at` is in the latest week.
    let sent: Vec<DateTime<Utc>> = (0..DIGEST_WEEKS.n())
        .map(|w| {
            at - chrono::Duration::weeks((DIGEST_WEEKS.n() - 1 - w) as i64)
                - chrono::Duration::days(2)
        })
        .collect();
    sqlx::query(
        "INSERT INTO checkin_prompts (community_id, cohort_id, member_id, period, sent_at)
         SELECT $1, $2, e.member_id, w.period, w.sent_at
         FROM enrollments e, unnest($3::text[], $4::timestamptz[]) AS w (period, sent_at)
         WHERE e.cohort_id = $2 AND e.status = 'active'
         ORDER BY w.sent_at, e.member_id",
    )
    .bind(example.community)
    .bind(example.cohort)
    .bind(&periods)
    .bind(&sent)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO checkins (id, community_id, cohort_id, member_id, period, progress, blockers,
                               confidence, hours, created_at, updated_at, blocker_resolved_at)
         SELECT gen_random_uuid(), p.community_id, p.cohort_id, p.member_id, p.period,
                'worked on my flow', CASE WHEN h % 100 < 15 THEN 'waiting for a licence' END,
                1 + h % 5, h % 10, p.sent_at + interval '2 hours', p.sent_at + interval '2 hours',
                CASE WHEN h % 100 < 15 AND p.period < $2 THEN p.sent_at + interval '7 days' END
         FROM (SELECT p.*, abs(hashtext(p.member_id::text || p.period)) AS h
               FROM checkin_prompts p WHERE p.cohort_id = $1) p
         WHERE h % 1000 < 800
         ORDER BY p.period, p.member_id",
    )
    .bind(example.cohort)
    .bind(&periods[DIGEST_WEEKS.n() - 2])
    .execute(pool)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Databases and data
// ---------------------------------------------------------------------------------------

/// The `count` weeks ending with `last`, oldest first.
fn weeks_ending(last: Period, count: usize) -> Vec<String> {
    let mut weeks = vec![last];
    while weeks.len() < count {
        weeks.push(weeks[weeks.len() - 1].previous());
    }
    weeks.iter().rev().map(Period::to_string).collect()
}

/// The PostgreSQL server in `DATABASE_URL`; each scenario makes its own database on it.
struct Server {
    url: String,
    options: PgConnectOptions,
}

/// One scenario's database; `pool` is for setup and checks.
struct BenchDb {
    name: String,
    options: PgConnectOptions,
    url: String,
    pool: PgPool,
}

impl Server {
    fn from_env() -> Result<Self> {
        let url = std::env::var("DATABASE_URL")
            .context("DATABASE_URL is not set; run scripts/bench, which starts a server")?;
        let options = PgConnectOptions::from_str(&url).context("DATABASE_URL")?;
        Ok(Self { url, options })
    }

    /// A new database with the bot's schema (a leftover from an aborted run is dropped).
    async fn create(&self, name: &str) -> Result<BenchDb> {
        self.admin(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
        self.admin(&format!("CREATE DATABASE {name}")).await?;
        let options = self.options.clone().database(name);
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await?;
        store::MIGRATOR.run(&pool).await?;
        Ok(BenchDb {
            name: name.to_owned(),
            options,
            url: url_with_database(&self.url, name)?,
            pool,
        })
    }

    /// Drops the database, unless BENCH_KEEP_DB is set (to look at the data afterwards).
    async fn drop(&self, db: BenchDb) -> Result<()> {
        db.pool.close().await;
        if std::env::var_os("BENCH_KEEP_DB").is_some() {
            progress(format!("keeping database {} (BENCH_KEEP_DB)", db.name));
            return Ok(());
        }
        self.admin(&format!("DROP DATABASE {} WITH (FORCE)", db.name))
            .await
    }

    /// Runs one statement on the maintenance database (CREATE/DROP DATABASE cannot run in
    /// the database itself).
    async fn admin(&self, sql: &str) -> Result<()> {
        let mut conn = PgConnection::connect_with(&self.options).await?;
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .with_context(|| sql.to_owned())?;
        conn.close().await?;
        Ok(())
    }
}

impl BenchDb {
    /// A pool opened as the bot opens its own (`store::Database::open`): only the size differs.
    async fn bot_pool(&self, size: u32) -> Result<PgPool> {
        Ok(store::server_pool_options(size)
            .connect_with(self.options.clone())
            .await?)
    }
}

/// `DATABASE_URL` naming another database, for pgbench (libpq reads the same URL syntax).
fn url_with_database(url: &str, database: &str) -> Result<String> {
    let (scheme, rest) = url.split_once("://").context("DATABASE_URL is not a URL")?;
    let (path, query) = rest
        .split_once('?')
        .map_or((rest, None), |(p, q)| (p, Some(q)));
    let authority = path.split('/').next().unwrap_or_default();
    Ok(match query {
        Some(q) => format!("{scheme}://{authority}/{database}?{q}"),
        None => format!("{scheme}://{authority}/{database}"),
    })
}

/// Ids in the example program that the scenarios need.
struct Example {
    community: Uuid,
    cohort: Uuid,
    /// The cohort's time zone, which is also its learners' (they set none).
    zone: Tz,
    lead_mentor: Uuid,
}

/// Imports config/program.example.toml as the bot does on first start.
async fn import_example(pool: &PgPool, now: DateTime<Utc>) -> Result<Example> {
    let program = ProgramFile::parse(PROGRAM, "config/program.example.toml")?;
    program::import(pool, &program, now).await?;
    let (community, cohort, zone, lead_mentor): (Uuid, Uuid, String, Uuid) = sqlx::query_as(
        "SELECT k.community_id, k.id, k.timezone, m.id
         FROM communities c JOIN cohorts k ON k.community_id = c.id
         JOIN members m ON m.community_id = c.id AND m.platform_user_id = 'grace'
         WHERE c.slug = $1 AND k.slug = $2",
    )
    .bind(COMMUNITY)
    .bind(COHORT)
    .fetch_one(pool)
    .await?;
    Ok(Example {
        community,
        cohort,
        zone: zone
            .parse()
            .map_err(|e| anyhow!("cohort zone {zone}: {e}"))?,
        lead_mentor,
    })
}

/// Shell learners `l{i}` for i in `learners`, code of conduct accepted and actively enrolled
/// in the example cohort without a group: what `/coc accept` and `/cohort join` leave behind.
/// Member ids are `md5('learner-' || i)::uuid`, so plain SQL (pgbench) can name them.
async fn add_learners(
    pool: &PgPool,
    example: &Example,
    learners: RangeInclusive<usize>,
    now: DateTime<Utc>,
) -> Result<()> {
    let (from, to) = (*learners.start() as i32, *learners.end() as i32);
    sqlx::query(
        "INSERT INTO members (id, community_id, platform, platform_user_id, display_name,
                              coc_accepted_at, created_at)
         SELECT md5('learner-' || i)::uuid, $1, 'shell', 'l' || i, 'Learner ' || i, $4, $4
         FROM generate_series($2::int, $3::int) i",
    )
    .bind(example.community)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO enrollments (id, community_id, cohort_id, member_id, status, joined_at)
         SELECT gen_random_uuid(), $1, $2, md5('learner-' || i)::uuid, 'active', $5
         FROM generate_series($3::int, $4::int) i",
    )
    .bind(example.community)
    .bind(example.cohort)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// Check-ins from four in five learners for the week before `now`'s (the cohort's first).
/// Besides being realistic, this keeps `checkins` from being analyzed while empty: the
/// statements each connection prepares would then plan sequential scans of a table that
/// grows by 24,000 rows, until autovacuum's next analyze (up to a minute later).
async fn add_last_week(
    pool: &PgPool,
    example: &Example,
    learners: RangeInclusive<usize>,
    now: DateTime<Utc>,
) -> Result<()> {
    let period = Period::containing(now, example.zone).previous().to_string();
    let at = now - chrono::Duration::weeks(1);
    sqlx::query(
        "INSERT INTO checkins (id, community_id, cohort_id, member_id, period, progress,
                               confidence, hours, created_at, updated_at)
         SELECT gen_random_uuid(), $1, $2, md5('learner-' || i)::uuid, $5, 'set up my environment',
                3, 2, $6, $6
         FROM generate_series($3::int, $4::int) i WHERE i % 5 <> 0",
    )
    .bind(example.community)
    .bind(example.cohort)
    .bind(*learners.start() as i32)
    .bind(*learners.end() as i32)
    .bind(period)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Readies the loaded tables for a timed run, as pgbench does before its own: vacuumed
/// and analysed now, and autovacuum off for the rest of the database's short life. Left
/// on, it woke once in each timed window of `/checkin` and of both its ceilings (the
/// server's log showed it: about a second of one of the two cores, and fresh statistics
/// that re-plan the prepared statements), at a random moment in each.
async fn analyze(pool: &PgPool) -> Result<()> {
    sqlx::raw_sql(
        "DO $$
         DECLARE t regclass;
         BEGIN
             FOR t IN SELECT c.oid::regclass FROM pg_class c
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = 'public' AND c.relkind = 'r'
             LOOP
                 EXECUTE format('ALTER TABLE %s SET (autovacuum_enabled = false)', t);
             END LOOP;
         END $$",
    )
    .execute(pool)
    .await?;
    // Alone: VACUUM refuses to run inside a multi-statement string.
    sqlx::raw_sql("VACUUM ANALYZE").execute(pool).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------

fn row(benchmark: String, result: String, target: String) {
    println!("| {benchmark} | {result} | {target} |");
}

fn progress(message: String) {
    eprintln!("bench: {message}");
}

fn verdict(met: bool) -> &'static str {
    if met { "✅" } else { "❌ missed" }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid UTC time")
}
