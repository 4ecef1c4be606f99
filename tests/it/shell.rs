//! The shell as a newcomer meets it: its own commands in `/help`, a clock in local time
//! that reports what it skips, and text that keeps its line breaks.

use std::sync::Arc;

use cohortbot::chat::shell::Shell;
use cohortbot::clock::OffsetClock;
use cohortbot::services::Services;
use sqlx::PgPool;

use crate::support::TestBot;

async fn shell(pool: PgPool, member: &str) -> Shell {
    let bot = TestBot::new(pool).await;
    let clock = OffsetClock::default();
    let services = Services::new(bot.pool.clone(), Arc::new(clock.clone()));
    Shell::new(services, clock, "acme-makers", member)
        .await
        .unwrap()
}

#[sqlx::test]
async fn help_names_the_shells_own_commands(pool: PgPool) {
    let mut shell = shell(pool, "sam").await;
    let (out, _) = shell.execute("/help").await;
    let shell_help = out.last().unwrap();
    assert!(shell_help.starts_with("Shell only:"), "{out:?}");
    for command in ["/as NAME [--role ROLE]", "/clock", "/quit"] {
        assert!(shell_help.contains(command), "{shell_help}");
    }
    let (out, _) = shell.execute("/help clock").await;
    assert_eq!(out.len(), 1);
    assert_eq!(&out[0], shell_help);
}

#[sqlx::test]
async fn the_clock_reads_local_time_and_reports_what_it_skips(pool: PgPool) {
    let mut shell = shell(pool, "sam").await;
    let (out, _) = shell.execute("/me timezone Europe/Berlin").await;
    assert_eq!(out.len(), 1, "{out:?}");
    let (out, _) = shell
        .execute("/clock set 2027-03-08T07:00 Europe/Berlin")
        .await;
    assert_eq!(
        out[0],
        "(shell) the clock reads Mon 2027-03-08 07:00 Europe/Berlin (06:00 UTC)"
    );
    // A month's jump passes weekly prompts and digests long after their time.
    let (out, _) = shell.execute("/clock advance 30d").await;
    assert_eq!(
        out[0],
        "(shell) the clock reads Wed 2027-04-07 08:00 Europe/Berlin (06:00 UTC)"
    );
    let skipped = out.last().unwrap();
    assert!(
        skipped.starts_with("(shell) skipped ")
            && skipped.contains("scheduled runs that passed too long ago"),
        "{out:?}"
    );
}

#[sqlx::test]
async fn the_mentor_guide_keeps_its_line_breaks(pool: PgPool) {
    let mut shell = shell(pool, "grace").await;
    let (out, _) = shell.execute("/mentor guide").await;
    assert_eq!(out.len(), 1, "{out:?}");
    let lines: Vec<&str> = out[0].lines().collect();
    assert_eq!(lines[0], "[only you] Mentor playbook");
    assert!(
        lines[1]
            .trim_start()
            .starts_with("Coaching: ask before you tell."),
        "{out:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.trim_start().starts_with("Feedback template:")),
        "{out:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.trim_start().starts_with("Etiquette:")),
        "{out:?}"
    );
}
