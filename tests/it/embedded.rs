//! The embedded database (pglite-oxide) behind `cargo run`: smoke, restart and the lock.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use cohortbot::config::DatabaseSettings;
use cohortbot::store::Database;

fn settings(dir: &Path) -> DatabaseSettings {
    DatabaseSettings {
        embedded_dir: dir.join("pg"),
        ..DatabaseSettings::default()
    }
}

#[tokio::test]
async fn the_embedded_database_migrates_and_round_trips_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&settings(dir.path())).await.unwrap();
    db.migrate().await.unwrap();
    let slug: String = sqlx::query_scalar(
        "INSERT INTO communities (id, slug, name, code_of_conduct, created_at)
         VALUES (gen_random_uuid(), 'smoke', 'Smoke', 'Be kind', now()) RETURNING slug",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(slug, "smoke");
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(version.starts_with("17."), "{version}");
    db.close().await;
}

/// What continuity's SQL relies on works in the WASM build too: named time zones (streaks
/// settle on each member's wall clock) and ISO week strings both ways.
#[tokio::test]
async fn the_embedded_database_knows_time_zones_and_iso_weeks() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&settings(dir.path())).await.unwrap();
    db.migrate().await.unwrap();
    let (local_week, monday, week_before): (String, chrono::NaiveDate, String) = sqlx::query_as(
        "SELECT to_char(timestamptz '2027-03-07 16:30+00' AT TIME ZONE 'Asia/Tokyo', 'IYYY-\"W\"IW'),
                to_date('2027-W01', 'IYYY-\"W\"IW'),
                to_char(to_date('2027-W01', 'IYYY-\"W\"IW') - 7, 'IYYY-\"W\"IW')",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    // Sunday 16:30 UTC is already Monday in Tokyo.
    assert_eq!(local_week, "2027-W10");
    assert_eq!(monday, chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap());
    assert_eq!(week_before, "2026-W53");
    db.close().await;
}

/// The real binary on the embedded database in `dir`, with the example program.
pub fn cohortbot(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cohortbot"));
    cmd.current_dir(dir)
        .env_remove("COHORTBOT__DATABASE__URL")
        .env("COHORTBOT__DATABASE__EMBEDDED_DIR", dir.join("pg"))
        .env(
            "COHORTBOT__PROGRAM__FILE",
            concat!(env!("CARGO_MANIFEST_DIR"), "/config/program.example.toml"),
        )
        .env("COHORTBOT__LOG__SHELL_FILE", dir.join("cohortbot.log"))
        .env("COHORTBOT__SHELL__HISTORY_FILE", dir.join("history"));
    cmd
}

/// Runs the shell in `dir` with `input` on stdin; returns what it printed.
pub fn run_shell(dir: &Path, input: &str) -> String {
    let mut child = cohortbot(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn enrollment_survives_a_restart_of_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_shell(
        dir.path(),
        "/coc accept\n/cohort join evening-builders-2027\n",
    );
    assert!(
        first.contains("[#evening-builders] Please welcome Sam Carter"),
        "{first}"
    );

    let second = run_shell(dir.path(), "/me\n");
    assert!(
        second.contains("Cohorts: Evening Builders 2027 (Short modules)"),
        "{second}"
    );
    // The program is imported on the first start only.
    let log = std::fs::read_to_string(dir.path().join("cohortbot.log")).unwrap();
    assert_eq!(
        log.matches("imported the program on first start").count(),
        1,
        "{log}"
    );
}

#[test]
fn a_second_process_on_the_same_embedded_database_is_told_who_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = cohortbot(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first process has started: it answers a command.
    let mut stdin = first.stdin.take().unwrap();
    stdin.write_all(b"/me\n").unwrap();
    let mut stdout = first.stdout.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    while !seen.contains("Cohorts:") {
        let n = std::io::Read::read(&mut stdout, &mut buf).unwrap();
        assert!(n > 0, "first process exited early: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }

    let second = cohortbot(dir.path()).stdin(Stdio::null()).output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success());
    assert!(
        stderr.contains(&format!(
            "cohortbot is already running (pid {})",
            first.id()
        )),
        "{stderr}"
    );

    drop(stdin);
    assert!(first.wait().unwrap().success());
}

#[test]
fn the_whole_check_in_flow_works_in_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_shell(
        dir.path(),
        "/coc accept\n/cohort join spring-makers-2027 track:projects\n/clock set 2027-03-08T09:01 Europe/Berlin\n\
         /checkin 3 mapped the approval process\n/checkin 4 mapped it and built a prototype\nyes\n\
         /clock set 2027-03-12T16:01 Europe/Berlin\n",
    );
    assert!(
        out.contains("[DM → Sam Carter] It's check-in time for Spring Makers 2027 (2027-W10)!"),
        "{out}"
    );
    assert!(out.contains("[only you] Thanks! Your check-in for Spring Makers 2027, 2027-W10, is recorded: confidence 3/5."), "{out}");
    assert!(
        out.contains("Replace it with this one? Answer `/yes` or `/no`."),
        "{out}"
    );
    assert!(out.contains("is updated: confidence 4/5."), "{out}");
    assert!(
        out.contains("[#spring-makers] 📊 Spring Makers 2027 — 2027-W10\n"),
        "{out}"
    );
}

#[test]
fn schedule_list_shows_next_times_in_utc_and_local_time() {
    let dir = tempfile::tempdir().unwrap();
    run_shell(dir.path(), "/quit\n");
    let output = cohortbot(dir.path())
        .args(["schedule", "list"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("spring-makers-2027 checkin \"0 9 * * MON\" (each learner's local time)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Europe/Berlin (08:00 UTC)")
            || stdout.contains("Europe/Berlin (07:00 UTC)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("evening-builders-2027 digest \"0 19 * * THU\""),
        "{stdout}"
    );
}

/// Full-text search in the WASM build, for the knowledge base (issue 20). The built-in
/// `english` configuration fails there: its stop-word file is not in pglite's file system.
/// A snowball dictionary declared without a stop-word list needs no file, so the same
/// stemming configuration works on both databases.
#[tokio::test]
async fn the_embedded_database_stems_with_a_snowball_dictionary_but_not_english() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&settings(dir.path())).await.unwrap();
    db.migrate().await.unwrap();
    let english = sqlx::query_scalar::<_, String>("SELECT to_tsvector('english', 'running')::text")
        .fetch_one(&db.pool)
        .await
        .unwrap_err()
        .to_string();
    assert!(english.contains("english.stop"), "{english}");
    crate::search_facts::a_snowball_configuration_searches(&db.pool).await;
    db.close().await;
}

/// The knowledge base on the embedded database, as a newcomer meets it in `cargo run`: the
/// migration's weighted search column, ranking and snippets work in the WASM build.
#[test]
fn the_knowledge_base_searches_in_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_shell(
        dir.path(),
        "/kb add faq \"Licences for makers\" Ask the service desk.\n\
         /kb add faq \"Leaving\" Your licences are reclaimed when you leave.\n\
         /kb search licence\n/kb search \"unclosed -\n",
    );
    assert!(
        out.contains(
            "[only you] 🔎 Knowledge base: licence\n           \
             1. Licences for makers · FAQ · `licences-for-makers`\n               \
             Ask the service desk.\n           \
             2. Leaving · FAQ · `leaving`\n               \
             Your licences are reclaimed when you leave\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("Nothing in the knowledge base matches `\"unclosed -`."),
        "{out}"
    );
}

/// Circles and a clinic queue on the embedded database, in the shell: the circles'
/// visibility queries, and the queue's interval arithmetic and median (`percentile_cont`)
/// work in the WASM build. The clinic is scheduled ten minutes from the real clock.
#[test]
fn circles_and_a_clinic_queue_work_in_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let today = chrono::Utc::now();
    let starts = (today + chrono::Duration::minutes(10)).format("%Y-%m-%dT%H:%M");
    let input = format!(
        "/circle join data literacy\n\
         /circle members automation-governance\n\
         /as ada\n\
         /cohort create clinic-test UTC Clinic test\n\
         /cohort set clinic-test starts:{} ends:{} channel:#clinic\n\
         /event schedule clinic-test {starts} clinic Flow clinic\n\
         /as sam\n\
         /clinic join 1 my flow fails\n\
         /as ken\n\
         /clinic next\n",
        (today - chrono::Duration::days(1)).format("%Y-%m-%d"),
        (today + chrono::Duration::days(30)).format("%Y-%m-%d"),
    );
    let out = run_shell(dir.path(), &input);
    for expected in [
        "Welcome to Data Literacy Circle! Say hello in `#data-literacy`.",
        "Automation Governance Circle is private: only its members see who is in it.",
        "🙋 You're in the queue for #1 Flow clinic: number 1 in line, about 10 minutes",
        "[DM → Ada Okafor] 🔔 Someone is waiting at #1 Flow clinic: Sam Carter (my flow fails).",
        "Now: Sam Carter — my flow fails. I told them you're ready. Nobody else is waiting.",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}
