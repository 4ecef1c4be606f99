//! Several bot processes on one PostgreSQL, as separate OS processes of the built binary:
//! one leader at a time (commands registered once), a killed leader replaced within the
//! lease's TTL and half of it, a clean SIGTERM that resigns and deregisters, and shards a
//! live process runs refused to a second one.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
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

/// A running `cohortbot run`, killed when dropped: a failing assertion never leaves a
/// process behind holding the test database.
pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

impl std::ops::Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

fn start(pool: &PgPool, dir: &std::path::Path, api: &str, shards: &str, name: &str) -> Running {
    start_on(&database_url(pool), dir, api, shards, name, &[])
}

/// [`start`] on the database at `url`, with more environment: `env` comes last, so it wins.
pub(crate) fn start_on(
    url: &str,
    dir: &std::path::Path,
    api: &str,
    shards: &str,
    name: &str,
    env: &[(&str, &str)],
) -> Running {
    let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
    Command::new(env!("CARGO_BIN_EXE_cohortbot"))
        .current_dir(dir)
        .arg("run")
        .env("COHORTBOT__DATABASE__URL", url)
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
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map(Running)
        .unwrap()
}

pub(crate) fn log_of(dir: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default()
}

pub(crate) async fn until<T>(
    what: &str,
    limit: Duration,
    mut probe: impl AsyncFnMut() -> Option<T>,
) -> T {
    let started = Instant::now();
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn leader(pool: &PgPool) -> Option<(Uuid, i32)> {
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

pub(crate) fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

pub(crate) fn wait_exit(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
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

/// The first `shards` IDENTIFYs the gateway records, in order, asserting that they are one
/// per shard.
pub(crate) async fn each_shard_identifies(
    identified: &mut tokio::sync::mpsc::UnboundedReceiver<(u64, Instant)>,
    shards: u64,
) -> Vec<(u64, Instant)> {
    let mut timeline = Vec::new();
    for _ in 0..shards {
        let next = tokio::time::timeout(Duration::from_secs(40), identified.recv())
            .await
            .expect("each process identifies")
            .unwrap();
        timeline.push(next);
    }
    let mut seen: Vec<u64> = timeline.iter().map(|(shard, _)| *shard).collect();
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..shards).collect::<Vec<_>>(),
        "each shard identifies once"
    );
    timeline
}

/// Each identified shard's open connection: a dispatch sent here reaches that shard.
pub(crate) type ShardSessions =
    Arc<std::sync::Mutex<HashMap<u64, tokio::sync::mpsc::UnboundedSender<serde_json::Value>>>>;

/// Starts [`recording_gateway`] on a free port: its `ws://` address, the IDENTIFYs it
/// records, and the identified shards' sessions.
pub(crate) async fn start_recording_gateway() -> (
    String,
    tokio::sync::mpsc::UnboundedReceiver<(u64, Instant)>,
    ShardSessions,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}", listener.local_addr().unwrap());
    let (identified_tx, identified) = tokio::sync::mpsc::unbounded_channel();
    let sessions = ShardSessions::default();
    tokio::spawn(recording_gateway(
        listener,
        ws_url.clone(),
        identified_tx,
        sessions.clone(),
    ));
    (ws_url, identified, sessions)
}

/// A gateway for several processes: hello on each connection, then the shard and time of
/// each IDENTIFY recorded and answered with READY for that shard, whose session then takes
/// dispatches from `sessions`; connections stay open.
async fn recording_gateway(
    listener: tokio::net::TcpListener,
    ws_url: String,
    identified: tokio::sync::mpsc::UnboundedSender<(u64, Instant)>,
    sessions: ShardSessions,
) {
    use crate::discord_gateway::{bot_user, frame};
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message as Frame;
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        let (identified, ws_url, sessions) = (identified.clone(), ws_url.clone(), sessions.clone());
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async(tcp).await else {
                return;
            };
            let hello = serde_json::json!({ "op": 10, "d": { "heartbeat_interval": 45000 } });
            if ws.send(frame(&hello)).await.is_err() {
                return;
            }
            let (dispatch_tx, mut dispatches) = tokio::sync::mpsc::unbounded_channel();
            let mut sequence = 1;
            loop {
                let message = tokio::select! {
                    message = ws.next() => message,
                    Some(event) = dispatches.recv() => {
                        sequence += 1;
                        let (name, data): (String, serde_json::Value) = serde_json::from_value(event).unwrap();
                        let dispatch = serde_json::json!({ "op": 0, "s": sequence, "t": name, "d": data });
                        let _ = ws.send(frame(&dispatch)).await;
                        continue;
                    }
                };
                let Some(Ok(message)) = message else { return };
                let text = match message {
                    Frame::Text(text) => text,
                    // Answer a client's close at once, as Discord does.
                    Frame::Close(_) => {
                        let _ = ws.close(None).await;
                        return;
                    }
                    _ => continue,
                };
                let payload: serde_json::Value = serde_json::from_str(&text).unwrap();
                if payload["op"] != 2 {
                    continue;
                }
                let shard = payload["d"]["shard"][0].as_u64().unwrap();
                let total = payload["d"]["shard"][1].as_u64().unwrap();
                let _ = identified.send((shard, Instant::now()));
                let ready = serde_json::json!({ "op": 0, "s": 1, "t": "READY", "d": {
                    "v": 10, "user": bot_user(), "guilds": [],
                    "session_id": format!("session-{shard}"), "resume_gateway_url": ws_url,
                    "shard": [shard, total], "application": { "id": APP, "flags": 0 } } });
                let _ = ws.send(frame(&ready)).await;
                sessions.lock().unwrap().insert(shard, dispatch_tx.clone());
            }
        });
    }
}

#[sqlx::test]
async fn two_processes_started_together_identify_five_seconds_apart(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let (ws_url, mut identified, _sessions) = start_recording_gateway().await;
    let api = crate::fake_discord::FakeDiscord::start_for_processes(&ws_url, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let mut a = start(&bot.pool, dir.path(), &api.url, "0-0/2", "a");
    let mut b = start(&bot.pool, dir.path(), &api.url, "1-1/2", "b");
    let timeline = each_shard_identifies(&mut identified, 2).await;
    let apart = timeline[1].1 - timeline[0].1;
    eprintln!(
        "IDENTIFYs of shards {:?}, {apart:?} apart",
        [timeline[0].0, timeline[1].0]
    );
    assert!(
        apart >= Duration::from_secs(5),
        "IDENTIFYs {apart:?} apart: Discord wants 5 s within a bucket"
    );
    // No third IDENTIFY.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        identified.try_recv().is_err(),
        "{}\n{}",
        log_of(dir.path(), "a"),
        log_of(dir.path(), "b")
    );
    let waited = [log_of(dir.path(), "a"), log_of(dir.path(), "b")]
        .iter()
        .filter(|log| log.contains("waiting for this one's IDENTIFY slot"))
        .count();
    assert_eq!(waited, 1, "the later process waited for its slot");
    for child in [&mut a, &mut b] {
        terminate(child);
    }
    for child in [&mut a, &mut b] {
        let status = wait_exit(child, Duration::from_secs(20));
        assert!(status.success(), "{status}");
    }
}
