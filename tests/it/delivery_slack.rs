//! Delivery under pressure on Slack, against a fake Slack that enforces the method tiers and
//! one message a second per channel; and `cohortbot run` stopped by SIGTERM mid fan-out.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use cohortbot::chat::slack::SlackSender;
use cohortbot::chat::slack::api::{SlackApi, SlackLimits};
use cohortbot::clock::SystemClock;
use cohortbot::outbox::{Dispatcher, Platform, RetryPolicy};
use secrecy::SecretString;
use sqlx::PgPool;
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

use super::backlog;
use super::fake_slack::FakeSlack;
use super::support::TestBot;

const CHANNEL: &str = "C0SPRING1";
const TOKEN: &str = "xoxb-test-token";

/// Slack's tiers with the minute scaled to a second, so a test of 1,000 DMs takes seconds;
/// the fake enforces the same scaled tiers.
fn scaled() -> SlackLimits {
    SlackLimits {
        minute: Duration::from_secs(1),
    }
}

fn dispatcher(
    pool: &PgPool,
    fake: &FakeSlack,
    limits: SlackLimits,
) -> Arc<Dispatcher<SlackSender>> {
    let api = SlackApi::new(&fake.url, SecretString::from(TOKEN))
        .unwrap()
        .with_limits(limits);
    let sender = SlackSender::new(api, pool.clone(), BTreeMap::new());
    Arc::new(
        Dispatcher::new(pool.clone(), Arc::new(SystemClock), sender)
            .only_platform(Platform::Slack)
            .with_policy(RetryPolicy {
                base: Duration::from_millis(500),
                ..RetryPolicy::default()
            }),
    )
}

/// Every post reached Slack once: one message in each learner's DM, and `channel_posts`
/// in the cohort channel.
fn assert_each_delivered_once(fake: &FakeSlack, learners: usize, channel_posts: usize) {
    let mut counts = fake.message_counts();
    assert_eq!(counts.remove(CHANNEL).unwrap_or(0), channel_posts);
    assert_eq!(counts.len(), learners, "one DM channel per learner");
    assert!(counts.values().all(|n| *n == 1), "no DM was posted twice");
}

#[sqlx::test]
async fn slacks_tiers_deliver_1000_dms_and_60_posts_to_one_channel_at_one_a_second(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    backlog::fill(&bot.pool, Platform::Slack, 1_000, CHANNEL, 60).await;
    let fake = FakeSlack::start(scaled()).await;

    let start = Instant::now();
    backlog::deliver(
        &bot.pool,
        dispatcher(&bot.pool, &fake, scaled()),
        1_060,
        Duration::from_secs(150),
    )
    .await;

    assert_each_delivered_once(&fake, 1_000, 60);
    let seen = fake.seen();
    let limited = seen.iter().filter(|s| s.status == 429).count();
    assert!(
        limited * 100 < seen.len(),
        "{limited} of {} calls were 429s",
        seen.len()
    );
    let opens = seen
        .iter()
        .filter(|s| s.method == "conversations.open")
        .count();
    assert_eq!(opens, 1_000, "one conversations.open per learner");
    // 60 posts at one a second cannot take less than 59 s: the channel was never rushed.
    assert!(start.elapsed() >= Duration::from_secs(59));
}

/// Three dispatchers, each with its own Slack client and pacer, as three processes would
/// have: the claim's per-channel budget keeps one channel at one message a second for all
/// of them together.
#[sqlx::test]
async fn three_dispatchers_post_to_one_channel_one_second_apart_together(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    backlog::fill(&bot.pool, Platform::Slack, 0, CHANNEL, 8).await;
    let fake = FakeSlack::start(scaled()).await;

    let dispatchers = (0..3)
        .map(|_| dispatcher(&bot.pool, &fake, scaled()))
        .collect();
    backlog::deliver_together(&bot.pool, dispatchers, 8, Duration::from_secs(30)).await;

    assert_each_delivered_once(&fake, 0, 8);
    let posts: Vec<_> = fake
        .seen()
        .into_iter()
        .filter(|s| s.method == "chat.postMessage")
        .collect();
    assert!(
        posts.iter().all(|s| s.status == 200),
        "no post was refused: {posts:?}"
    );
    for pair in posts.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(950),
            "two posts {gap:?} apart: {posts:?}"
        );
    }
}

#[sqlx::test]
async fn a_15_second_slack_429_storm_loses_nothing_and_gets_one_probe_per_retry_after(
    pool: PgPool,
) {
    let bot = TestBot::new(pool).await;
    backlog::fill(&bot.pool, Platform::Slack, 500, CHANNEL, 0).await;
    let fake = FakeSlack::start(scaled()).await;
    let storming = fake.clone();
    let storm = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(2)).await;
        storming.storm(Duration::from_secs(15));
        Instant::now()
    });

    backlog::deliver(
        &bot.pool,
        dispatcher(&bot.pool, &fake, scaled()),
        500,
        Duration::from_secs(120),
    )
    .await;
    let storm_start = storm.await.unwrap();

    assert_each_delivered_once(&fake, 500, 0);
    let during = fake
        .seen()
        .iter()
        .filter(|s| {
            s.at > storm_start + Duration::from_millis(500)
                && s.at < storm_start + Duration::from_secs(15)
        })
        .count();
    assert!(
        during <= 16,
        "{during} calls during a 15 s storm with Retry-After 1"
    );
    assert!(during >= 8, "the bot kept probing ({during})");
}

/// The test database's URL: the server in `DATABASE_URL`, this test's database.
pub(crate) fn database_url(pool: &PgPool) -> String {
    let mut url = url::Url::parse(&std::env::var("DATABASE_URL").unwrap()).unwrap();
    url.set_path(pool.connect_options().get_database().unwrap());
    url.to_string()
}

#[sqlx::test]
async fn cohortbot_run_stops_on_sigterm_within_the_grace_and_a_restart_sends_the_rest_once(
    pool: PgPool,
) {
    let bot = TestBot::new(pool).await;
    backlog::fill(&bot.pool, Platform::Slack, 20, CHANNEL, 0).await;
    // Real tiers: `conversations.open` at 50 a minute, so the fan-out is slow enough to
    // stop in the middle.
    let fake = FakeSlack::start(SlackLimits::default()).await;
    let mut bot_process = tokio::process::Command::new(env!("CARGO_BIN_EXE_cohortbot"))
        .args(["--log-format", "json", "run"])
        .env("COHORTBOT__DATABASE__URL", database_url(&bot.pool))
        .env("COHORTBOT__SLACK__BOT_TOKEN", TOKEN)
        .env("COHORTBOT__SLACK__API_BASE", &fake.url)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while backlog::counts(&bot.pool).await.0 < 2 {
        assert!(Instant::now() < deadline, "cohortbot run sent nothing");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let status = std::process::Command::new("kill")
        .args(["-TERM", &bot_process.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let terminated = Instant::now();
    let exit = tokio::time::timeout(Duration::from_secs(15), bot_process.wait())
        .await
        .expect("cohortbot run exits within the grace")
        .unwrap();
    assert!(exit.success(), "exit status {exit}");
    assert!(
        terminated.elapsed() < Duration::from_secs(12),
        "took {:?}",
        terminated.elapsed()
    );
    let mut log = String::new();
    bot_process
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .await
        .unwrap();
    assert!(log.contains("outbox dispatcher stopped"), "{log}");
    assert!(
        log.contains("cohortbot stopped"),
        "a line on shutdown: {log}"
    );

    let (sent, dead) = backlog::counts(&bot.pool).await;
    assert!(sent < 20, "stopped mid fan-out ({sent} sent)");
    assert_eq!(dead, 0);
    let leased: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE status = 'pending' AND lease_until IS NOT NULL",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(leased, 0, "every unsent lease was handed back");

    // The restart sends the rest, each once, at Slack's real tiers.
    backlog::deliver(
        &bot.pool,
        dispatcher(&bot.pool, &fake, SlackLimits::default()),
        20,
        Duration::from_secs(60),
    )
    .await;
    assert_each_delivered_once(&fake, 20, 0);
}
