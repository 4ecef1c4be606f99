//! Several bot processes on one PostgreSQL, as separate OS processes of the built binary:
//! one leader at a time (commands registered once), a killed leader replaced within the
//! lease's TTL and half of it, a clean SIGTERM that resigns and deregisters, and shards a
//! live process runs refused to a second one.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::delivery_slack::database_url;
use crate::discord_support::APP;
use crate::support::TestBot;

/// The lease's TTL in these runs; renewed every second.
const TTL: Duration = Duration::from_secs(2);

/// Discord as the processes see it: command registration answers, the gateway is down
/// (so each process keeps retrying it, as in an outage, and runs everything else).
async fn discord() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!("/api/v10/applications/{APP}/commands")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v10/gateway/bot"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    server
}

fn start(pool: &PgPool, dir: &std::path::Path, api: &str, shards: &str, name: &str) -> Child {
    let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
    Command::new(env!("CARGO_BIN_EXE_cohortbot"))
        .current_dir(dir)
        .arg("run")
        .env("COHORTBOT__DATABASE__URL", database_url(pool))
        .env("COHORTBOT__DISCORD__TOKEN", "test-token")
        .env("COHORTBOT__DISCORD__APPLICATION_ID", APP)
        .env("COHORTBOT__DISCORD__API_BASE", api)
        .env("COHORTBOT__DISCORD__SHARDS", shards)
        .env(
            "COHORTBOT__CLUSTER__LEASE_TTL_SECS",
            TTL.as_secs().to_string(),
        )
        .env("COHORTBOT__CLUSTER__HEARTBEAT_SECS", "1")
        .env("COHORTBOT__LOG__FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn log_of(dir: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default()
}

async fn until<T>(what: &str, limit: Duration, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn leader(pool: &PgPool) -> Option<(Uuid, i32)> {
    sqlx::query_as(
        "SELECT l.holder, p.pid FROM leader_lease l JOIN bot_processes p ON p.id = l.holder
          WHERE l.expires_at > now()",
    )
    .fetch_optional(pool)
    .await
    .unwrap()
}

async fn registrations(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .count()
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn wait_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(started.elapsed() < limit, "the process did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[sqlx::test]
async fn two_processes_elect_one_leader_and_the_survivor_takes_over(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let api = discord().await;
    let dir = tempfile::tempdir().unwrap();
    let a = start(&bot.pool, dir.path(), &api.uri(), "0-0/2", "a");
    let b = start(&bot.pool, dir.path(), &api.uri(), "1-1/2", "b");
    let (holder, pid) = until("a leader", Duration::from_secs(30), async || {
        let live: i64 = sqlx::query_scalar("SELECT count(*) FROM bot_processes")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
        if live < 2 {
            return None;
        }
        leader(&bot.pool).await
    })
    .await;
    // The leader registers the commands; the other process does not.
    until("the registration", Duration::from_secs(10), async || {
        (registrations(&api).await >= 1).then_some(())
    })
    .await;
    tokio::time::sleep(TTL).await;
    assert_eq!(
        registrations(&api).await,
        1,
        "registered once, by the leader"
    );
    assert_eq!(
        leader(&bot.pool).await.map(|l| l.0),
        Some(holder),
        "one leader, kept"
    );

    // kill -9 the leader: its lease expires, and the other process takes over.
    let (mut gone, mut survivor, survivor_name) = if pid == a.id() as i32 {
        (a, b, "b")
    } else {
        (b, a, "a")
    };
    gone.kill().unwrap();
    gone.wait().unwrap();
    let killed = Instant::now();
    let (next, next_pid) = until("a new leader", Duration::from_secs(15), async || {
        leader(&bot.pool).await.filter(|l| l.0 != holder)
    })
    .await;
    let took_over = killed.elapsed();
    eprintln!("leader replaced {took_over:?} after the kill (TTL {TTL:?})");
    assert_eq!(next_pid, survivor.id() as i32);
    assert!(
        took_over <= TTL + TTL / 2 + Duration::from_millis(500),
        "took over after {took_over:?}"
    );
    // Coming to lead, it registers the commands (once).
    until(
        "the new leader's registration",
        Duration::from_secs(10),
        async || (registrations(&api).await == 2).then_some(()),
    )
    .await;

    // SIGTERM: the survivor resigns the lease, leaves the registry and exits cleanly.
    terminate(&survivor);
    let status = wait_exit(&mut survivor, Duration::from_secs(20));
    let log = log_of(dir.path(), survivor_name);
    assert!(status.success(), "{status}: {log}");
    assert!(log.contains("leader lease released"), "{log}");
    assert!(
        log.contains(
            "stopped: nothing more claimed, the leader lease resigned, the process deregistered"
        ),
        "{log}"
    );
    assert_eq!(leader(&bot.pool).await, None);
    let left: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM bot_processes")
        .fetch_all(&bot.pool)
        .await
        .unwrap();
    assert_eq!(
        left,
        [holder],
        "only the killed process's row is left: {next}"
    );
}

#[sqlx::test]
async fn a_process_is_refused_shards_a_live_process_runs(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let api = discord().await;
    let dir = tempfile::tempdir().unwrap();
    let mut first = start(&bot.pool, dir.path(), &api.uri(), "0-1/2", "first");
    let (id, pid): (Uuid, i32) = until("the first process", Duration::from_secs(30), async || {
        sqlx::query_as("SELECT id, pid FROM bot_processes")
            .fetch_optional(&bot.pool)
            .await
            .unwrap()
    })
    .await;
    let mut second = start(&bot.pool, dir.path(), &api.uri(), "1-1/2", "second");
    let status = wait_exit(&mut second, Duration::from_secs(30));
    let log = log_of(dir.path(), "second");
    assert!(!status.success(), "{log}");
    assert!(
        log.contains(&format!(
            "another cohortbot already runs these Discord shards: process {id} on "
        )) && log.contains(&format!("(pid {pid}, started "))
            && log.contains("it runs shards 0-1 of 2, and this one would run shards 1-1 of 2 too"),
        "{log}"
    );
    let live: i64 = sqlx::query_scalar("SELECT count(*) FROM bot_processes")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(live, 1, "the refused process left no row");
    terminate(&first);
    assert!(wait_exit(&mut first, Duration::from_secs(20)).success());
}
