//! The binary as an operator runs it: quiet on a closed pipe, plain logs off a terminal,
//! and a broken program file reported before the database is touched.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::delivery_slack::database_url;
use crate::support::TestBot;

fn cohortbot(pool: &PgPool, dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cohortbot"));
    cmd.current_dir(dir)
        .env("COHORTBOT__DATABASE__URL", database_url(pool))
        .env("COHORTBOT__LOG__SHELL_FILE", dir.join("cohortbot.log"))
        .env("COHORTBOT__SHELL__HISTORY_FILE", dir.join("history"))
        .env("RUST_LOG", "info");
    cmd
}

#[sqlx::test]
async fn the_shell_ends_quietly_when_its_output_is_closed(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = cohortbot(&bot.pool, dir.path())
        .args(["run", "--adapter", "shell"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `cohortbot | head -0`: the reader is gone before the first reply.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let input = "/help\n".repeat(200);
    // The shell may stop reading once it cannot write; a refused write is fine here.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the shell kept running with its output closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[sqlx::test]
async fn logs_off_a_terminal_have_no_colours(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let dir = tempfile::tempdir().unwrap();
    let output = cohortbot(&bot.pool, dir.path())
        .args(["--log-format", "pretty", "migrate"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("migrations applied"), "{stderr}");
    assert!(stderr.contains("INFO"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn a_broken_program_file_is_reported_before_the_database_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("program.toml");
    std::fs::write(&file, "[community\nslug = ").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cohortbot"))
        .current_dir(dir.path())
        // Nothing listens here: opening the database first would fail on the connection.
        .env(
            "COHORTBOT__DATABASE__URL",
            "postgres://nobody@127.0.0.1:9/none",
        )
        .args(["program", "import"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("program.toml"), "{stderr}");
    assert!(!stderr.to_lowercase().contains("connect"), "{stderr}");
}
