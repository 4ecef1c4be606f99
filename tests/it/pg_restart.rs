//! PostgreSQL restarted under a running bot: two `cohortbot run` processes deliver a
//! fan-out while their database server is restarted, on a private server of this test's own
//! (the shared test server cannot be restarted under the other tests). Every post reaches
//! Discord exactly once, and both processes keep running.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use tokio::time::Instant;

use crate::backlog;
use crate::cluster::{
    Running, log_of, start_on, start_recording_gateway, terminate, until, wait_exit,
};
use crate::fake_discord::{FakeDiscord, assert_under_one_percent_429s};
use crate::support::TestBot;
use cohortbot::outbox::Platform;

const LEARNERS: i64 = 300;

/// A PostgreSQL server of this test's own: a data directory and a socket directory in a
/// temporary directory, no TCP listener, stopped and removed when dropped.
struct PrivateServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl PrivateServer {
    fn start() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
            .filter(|bin| bin.join("initdb").exists())
            .max()
            .expect("a PostgreSQL server under /usr/lib/postgresql (scripts/test installs one)");
        // Short: a socket's path is limited to about 107 bytes.
        let dir = tempfile::Builder::new()
            .prefix("cb-pg")
            .tempdir_in("/tmp")
            .unwrap();
        std::fs::create_dir(dir.path().join("sock")).unwrap();
        let server = Self {
            dir,
            bin,
            port: 20_000 + (std::process::id() % 20_000) as u16,
        };
        if server.as_root() {
            // initdb and postgres refuse to run as root.
            let owned = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(server.dir.path())
                .status()
                .unwrap();
            assert!(owned.success());
        }
        server.pg(
            "initdb",
            &[
                "--no-sync",
                "-D",
                &server.data(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        server.pg_ctl("start");
        server
    }

    fn as_root(&self) -> bool {
        let id = Command::new("id").arg("-u").output().unwrap();
        String::from_utf8_lossy(&id.stdout).trim() == "0"
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn socket_dir(&self) -> PathBuf {
        self.dir.path().join("sock")
    }

    fn url(&self) -> String {
        format!(
            "postgres://postgres@localhost/postgres?host={}&port={}",
            self.socket_dir().display(),
            self.port
        )
    }

    fn pg(&self, program: &str, args: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if self.as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let output = command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{} {args:?}: {}{}",
            program.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `pg_ctl start`, `restart` or `stop`, fast, waiting until it is done.
    fn pg_ctl(&self, action: &str) {
        let options = format!(
            "-c fsync=off -c listen_addresses='' -k {} -p {}",
            self.socket_dir().display(),
            self.port
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        let data = self.data();
        let mut args = vec![action, "-D", &data, "-w", "-t", "60", "-s"];
        if action != "stop" {
            args.extend(["-l", &log, "-o", &options]);
        }
        if action != "start" {
            args.extend(["-m", "fast"]);
        }
        self.pg("pg_ctl", &args);
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let data = self.data();
        let _ = Command::new(if self.as_root() { "runuser" } else { "true" })
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["stop", "-D", &data, "-m", "immediate", "-w", "-s"])
            .status();
    }
}

fn logs(dir: &Path) -> String {
    ["a", "b"].map(|name| log_of(dir, name)).join("\n")
}

#[tokio::test]
async fn postgres_restarted_mid_fan_out_loses_nothing_and_sends_nothing_twice() {
    let server = PrivateServer::start();
    let pool: PgPool = PgPoolOptions::new()
        .max_connections(4)
        .connect(&server.url())
        .await
        .unwrap();
    cohortbot::store::MIGRATOR.run(&pool).await.unwrap();
    let bot = TestBot::new(pool).await;

    let (ws_url, _identified, _sessions) = start_recording_gateway().await;
    let fake = FakeDiscord::start_for_processes(&ws_url, 2).await;
    // Slow answers keep posts in flight while the server goes away.
    fake.set_latency(Duration::from_millis(100));
    let dir = tempfile::tempdir().unwrap();
    let url = server.url();
    let mut running: Vec<Running> = ["a", "b"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            start_on(
                &url,
                dir.path(),
                &fake.url,
                &format!("{i}-{i}/2"),
                name,
                &[],
            )
        })
        .collect();
    until(
        "both processes registered",
        Duration::from_secs(30),
        async || {
            let live: i64 = sqlx::query_scalar("SELECT count(*) FROM bot_processes")
                .fetch_one(&bot.pool)
                .await
                .ok()?;
            (live == 2).then_some(())
        },
    )
    .await;

    backlog::fill(&bot.pool, Platform::Discord, LEARNERS, "0", 0).await;
    until("a third delivered", Duration::from_secs(60), async || {
        let sent = backlog::counts(&bot.pool).await.0;
        (sent >= LEARNERS / 3).then_some(())
    })
    .await;
    let restart = Instant::now();
    server.pg_ctl("restart");
    let restarted_in = restart.elapsed();

    // The test's own pool reconnects too.
    let mut delivered = 0;
    let waited = Instant::now();
    while delivered < LEARNERS {
        assert!(
            waited.elapsed() < Duration::from_secs(90),
            "{delivered} of {LEARNERS} delivered\n{}",
            logs(dir.path())
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        if let Ok(counts) = sqlx::query_as::<_, (i64, i64)>(
            "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'dead') FROM outbox",
        )
        .fetch_one(&bot.pool)
        .await
        {
            assert_eq!(counts.1, 0, "nothing dead-lettered");
            delivered = counts.0;
        }
    }
    let recovered_in = waited.elapsed();
    for child in &running {
        assert!(
            child.0.id() > 0
                && matches!(Command::new("kill").args(["-0", &child.0.id().to_string()]).status(), Ok(s) if s.success()),
            "a process died with its database\n{}",
            logs(dir.path())
        );
    }
    for child in &running {
        terminate(child);
    }
    for child in &mut running {
        let status = wait_exit(child, Duration::from_secs(20));
        assert!(status.success(), "{status}\n{}", logs(dir.path()));
    }

    // Exactly once, and not even a resend that Discord's nonce would have caught: each
    // post that went out during the restart was recorded once the server was back.
    let seen = fake.seen();
    assert_under_one_percent_429s(&seen);
    let created = seen
        .iter()
        .filter(|s| s.route.starts_with("messages ") && s.status == 200)
        .count();
    assert_eq!(created, LEARNERS as usize, "one message request per post");
    let mut channels: Vec<String> = fake.messages().into_iter().map(|(c, _)| c).collect();
    channels.sort();
    channels.dedup();
    assert_eq!(channels.len(), LEARNERS as usize, "one DM per learner");
    let logs = logs(dir.path());
    assert!(
        logs.contains("retrying"),
        "the restart was felt (a record retried): {logs}"
    );
    eprintln!(
        "PostgreSQL restarted in {restarted_in:.1?}; every post delivered {recovered_in:.1?} after"
    );
}
