//! The outbox: posts commit with their state, are delivered once, retried and dead-lettered.

use std::time::Duration;

use cohortbot::outbox::{Dispatcher, SendError};
use sqlx::PgPool;

use crate::support::TestBot;

/// The test community's id, which the store's own calls take.
async fn community_id(bot: &TestBot) -> uuid::Uuid {
    sqlx::query_scalar("SELECT id FROM communities")
        .fetch_one(&bot.pool)
        .await
        .unwrap()
}

/// Queues `text` for #general under `key`, as a service does; false when the key is taken.
async fn post_to_general(
    ex: impl sqlx::PgExecutor<'_>,
    community: uuid::Uuid,
    key: &str,
    text: String,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    let body = cohortbot::render::Message::from(text);
    cohortbot::store::outbox::enqueue(ex, community, key, Some("general"), None, &body, now, None)
        .await
        .unwrap()
}

#[sqlx::test]
async fn posts_are_written_with_the_state_and_delivered_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;
    bot.ok("sam", "/cohort join evening-builders-2027").await;
    assert_eq!(bot.count("outbox").await, 1);

    let delivered = bot.deliver().await;
    assert_eq!(
        delivered,
        [(
            "#evening-builders".to_owned(),
            "Please welcome Sam Carter to Evening Builders 2027 (Short modules track)! 🎉"
                .to_owned()
        )]
    );
    assert!(
        bot.deliver().await.is_empty(),
        "a sent row is never sent again"
    );

    let (status, message_id): (String, String) =
        sqlx::query_as("SELECT status, platform_message_id FROM outbox")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(status, "sent");
    assert!(message_id.starts_with("rec-"));
}

#[sqlx::test]
async fn a_refused_command_leaves_no_outbox_row(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;
    bot.ok("sam", "/cohort join evening-builders-2027").await;
    bot.refused(
        "sam",
        "/cohort join evening-builders-2027",
        "You're already in Evening Builders 2027.",
    )
    .await;
    assert_eq!(bot.count("outbox").await, 1);
}

#[sqlx::test]
async fn a_redelivered_invocation_runs_once_and_replays_the_reply(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;
    let first = bot
        .say_delivered("sam", "/cohort join evening-builders-2027", "interaction-1")
        .await;
    let again = bot
        .say_delivered("sam", "/cohort join evening-builders-2027", "interaction-1")
        .await;

    assert_eq!(
        again.reply(),
        first.reply(),
        "the first reply is replayed, not 'already in'"
    );
    assert!(again.posts().is_empty());
    assert_eq!(first.told(), ["#evening-builders"]);
    assert_eq!(bot.count("enrollments").await, 1);
    assert_eq!(bot.count("outbox").await, 1);
}

#[sqlx::test]
async fn transient_failures_are_retried_honouring_retry_after_then_delivered_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("ada", "/role grant @sam community_mentor").await;
    bot.sender.fail_with([
        SendError::Transient {
            reason: "HTTP 500".into(),
            retry_after: None,
        },
        SendError::Transient {
            reason: "HTTP 500".into(),
            retry_after: None,
        },
        SendError::RateLimited {
            reason: "HTTP 429".into(),
            retry_after: Duration::from_secs(30),
        },
    ]);

    assert!(bot.deliver().await.is_empty());
    bot.clock.advance(chrono::Duration::seconds(2));
    assert!(bot.deliver().await.is_empty(), "first backoff is 1–2 s");
    bot.clock.advance(chrono::Duration::seconds(4));
    assert!(
        bot.deliver().await.is_empty(),
        "second backoff is 2–4 s; the 429 comes back"
    );
    bot.clock.advance(chrono::Duration::seconds(29));
    assert!(
        bot.deliver().await.is_empty(),
        "retry_after of 30 s is honoured"
    );
    bot.clock.advance(chrono::Duration::seconds(1));
    let delivered = bot.deliver().await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].0, "@sam");
    assert_eq!(
        bot.sender
            .attempts
            .load(std::sync::atomic::Ordering::SeqCst),
        // Four tries of the notice, then the grant's role action (nothing to do here).
        5
    );

    let (attempts, status): (i32, String) = sqlx::query_as("SELECT attempts, status FROM outbox")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(
        (attempts, status.as_str()),
        (3, "sent"),
        "four sends, but the 429 used no attempt"
    );
}

#[sqlx::test]
async fn permanent_failures_are_dead_lettered_and_visible_to_stewards(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("ada", "/role grant @sam community_mentor").await;
    bot.sender
        .fail_with([SendError::Permanent("HTTP 403: Missing Access".into())]);
    assert!(bot.deliver().await.is_empty());
    bot.clock.advance(chrono::Duration::hours(1));
    assert!(bot.deliver().await.is_empty(), "a dead row is not retried");

    let said = bot.say("ada", "/outbox failed").await;
    assert!(
        said.reply().starts_with("1 failed post (newest first):"),
        "{}",
        said.reply()
    );
    assert!(
        said.reply()
            .contains("→ DM to Sam Carter, refused by the platform (queued 2027-02-15 09:00 UTC): HTTP 403: Missing Access")
            && said.reply().ends_with(
                "Queue one again with `/outbox retry <number>`, or all of them with `/outbox retry all`."
            ),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/outbox failed").await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards can use `/outbox failed`."
    );
}

#[sqlx::test]
async fn a_crash_between_claim_and_send_delivers_after_the_lease_expires(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("ada", "/role grant @sam community_mentor").await;
    // A dispatcher claims the row for a second and dies before sending or recording it.
    let now = cohortbot::clock::Clock::now(&bot.clock);
    let claimed = cohortbot::store::outbox::claim(
        &bot.pool,
        now,
        std::time::Duration::from_secs(1),
        10,
        None,
        cohortbot::store::outbox::Pacing::Unpaced,
        None,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);

    // Moving the bot's clock does not end a lease: it runs on the database's clock.
    bot.clock.advance(chrono::Duration::hours(1));
    assert!(
        bot.deliver().await.is_empty(),
        "the lease hides the row from other dispatchers"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(bot.deliver().await.len(), 1);
    assert!(bot.deliver().await.is_empty());
}

#[sqlx::test]
async fn two_dispatchers_deliver_each_of_a_thousand_posts_exactly_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let community = community_id(&bot).await;
    let now = cohortbot::clock::Clock::now(&bot.clock);
    for i in 0..1_000 {
        post_to_general(
            &bot.pool,
            community,
            &format!("k{i}"),
            format!("post {i}"),
            now,
        )
        .await;
    }
    let clock = std::sync::Arc::new(bot.clock.clone());
    let a = Dispatcher::new(bot.pool.clone(), clock.clone(), bot.sender.clone());
    let b = Dispatcher::new(bot.pool.clone(), clock, bot.sender.clone());
    let (ra, rb) = tokio::join!(a.run_once(), b.run_once());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.sent + rb.sent, 1_000);

    let mut texts: Vec<String> = bot.sender.take().into_iter().map(|(_, t)| t).collect();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 1_000, "every post once, none twice");
}

#[sqlx::test]
async fn a_platform_dispatcher_takes_only_its_own_communities_posts(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;
    bot.ok("sam", "/cohort join evening-builders-2027").await;
    let dispatcher = |platform| {
        Dispatcher::new(
            bot.pool.clone(),
            std::sync::Arc::new(bot.clock.clone()),
            bot.sender.clone(),
        )
        .only_platform(platform)
    };

    // The example community lives in the shell: neither platform's dispatcher touches it.
    dispatcher(cohortbot::outbox::Platform::Discord)
        .run_once()
        .await
        .unwrap();
    dispatcher(cohortbot::outbox::Platform::Slack)
        .run_once()
        .await
        .unwrap();
    assert!(bot.sender.take().is_empty());

    sqlx::query("UPDATE communities SET slack_team_id = 'T0001'")
        .execute(&bot.pool)
        .await
        .unwrap();
    dispatcher(cohortbot::outbox::Platform::Discord)
        .run_once()
        .await
        .unwrap();
    assert!(bot.sender.take().is_empty());
    let report = dispatcher(cohortbot::outbox::Platform::Slack)
        .run_once()
        .await
        .unwrap();
    assert_eq!(report.sent, 1);
    assert_eq!(bot.sender.take().len(), 1);
}

/// `count` dead posts of `kind` to Sam, dead for `reason`, optionally with a deadline.
async fn dead_posts(
    bot: &TestBot,
    kind: &str,
    reason: &str,
    count: i64,
    deadline: Option<chrono::DateTime<chrono::Utc>>,
) {
    sqlx::query(
        "INSERT INTO outbox (community_id, idempotency_key, member_id, body, status, dead_reason,
                             attempts, next_attempt_at, created_at, deadline, last_error)
         SELECT m.community_id, $1 || ':' || g, m.id, '[{\"Text\":\"Hello\"}]', 'dead', $2, 8,
                $3, $3, $4, 'HTTP 503'
         FROM members m, generate_series(1, $5) g WHERE m.platform_user_id = 'sam'",
    )
    .bind(kind)
    .bind(reason)
    .bind(cohortbot::clock::Clock::now(&bot.clock))
    .bind(deadline)
    .bind(count)
    .execute(&bot.pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn stewards_page_filter_and_retry_dead_posts_and_late_ones_stay_dead(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;
    bot.deliver().await;
    let now = cohortbot::clock::Clock::now(&bot.clock);
    dead_posts(
        &bot,
        "checkin-prompt",
        "attempts",
        15,
        Some(now + chrono::Duration::days(2)),
    )
    .await;
    dead_posts(
        &bot,
        "checkin-nudge",
        "deadline",
        1,
        Some(now - chrono::Duration::hours(1)),
    )
    .await;

    let said = bot.say("ada", "/outbox failed").await;
    assert!(
        said.reply()
            .starts_with("16 failed posts (newest first), page 1 of 2:"),
        "{}",
        said.reply()
    );
    assert_eq!(said.reply().matches("\n• #").count(), 15);
    assert!(
        said.reply().contains("\nMore: `/outbox failed page:2`"),
        "{}",
        said.reply()
    );
    let said = bot.say("ada", "/outbox failed page:2").await;
    assert!(
        said.reply().starts_with("16 failed posts (newest first), page 2 of 2:\n• #1 checkin-prompt → DM to Sam Carter, failed 8 times"),
        "{}",
        said.reply()
    );
    let said = bot.say("ada", "/outbox failed page:3").await;
    assert_eq!(said.reply(), "There is no page 3: the list has 2 pages.");
    let said = bot.say("ada", "/outbox failed reason:deadline").await;
    assert!(
        said.reply().starts_with("1 failed post (newest first):\n• #16 checkin-nudge → DM to Sam Carter, too late to be useful"),
        "{}",
        said.reply()
    );
    let said = bot.say("ada", "/outbox failed kind:digest").await;
    assert_eq!(said.reply(), "No failed posts match that filter.");

    // Bad input changes nothing.
    let before = bot.count("outbox WHERE status = 'dead'").await;
    for (line, reply) in [
        (
            "/outbox retry banana",
            "I can't read `banana` as a post. Give its number from `/outbox failed` (like `42`) or `all`.",
        ),
        (
            "/outbox retry 999",
            "There is no failed post #999. `/outbox failed` lists them.",
        ),
        (
            "/outbox retry 1 reason:attempts",
            "`reason` and `kind` choose among many posts; use them with `/outbox retry all`.",
        ),
        (
            "/outbox retry all kind:digest",
            "No failed posts match that filter.",
        ),
        (
            "/outbox retry all",
            "Sorry, only stewards can use `/outbox retry`.",
        ),
    ] {
        let who = if line == "/outbox retry all" {
            "sam"
        } else {
            "ada"
        };
        assert_eq!(bot.say(who, line).await.reply(), reply, "{line}");
    }
    assert_eq!(bot.count("outbox WHERE status = 'dead'").await, before);

    let said = bot.say("ada", "/outbox retry #1").await;
    assert_eq!(
        said.reply(),
        "Queued 1 post again; delivery starts within seconds."
    );
    let said = bot.say("ada", "/outbox retry all").await;
    assert_eq!(
        said.reply(),
        "Queued 14 posts again; delivery starts within seconds. 1 post is past its deadline and stayed dead: it is too late for it."
    );
    // One at a time to Sam, in order, but all of them in one pass.
    let delivered = bot.deliver().await;
    assert_eq!(delivered, vec![("@sam".to_owned(), "Hello".to_owned()); 15]);
    let said = bot.say("ada", "/outbox failed").await;
    assert!(
        said.reply()
            .starts_with("1 failed post (newest first):\n• #16 checkin-nudge"),
        "{}",
        said.reply()
    );
    let audited: i64 = bot.count("audit_log WHERE action = 'outbox.retry'").await;
    assert_eq!(audited, 2, "each retry that did something is audited");
}

/// The harness itself: a reply nobody read fails the test that dropped it.
#[sqlx::test]
#[should_panic(expected = "the test never looked")]
async fn an_unread_reply_fails_the_test(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let _unread = bot.say("sam", "/me").await;
}

/// The harness itself: posts nobody read fail the test, even when the reply was read.
#[sqlx::test]
#[should_panic(expected = "the bot posted after sam: /cohort join evening-builders-2027")]
async fn unread_posts_fail_the_test(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.ok("sam", "/coc accept").await;
    let said = bot.say("sam", "/cohort join evening-builders-2027").await;
    assert!(said.reply().contains("You're in!"));
}

#[sqlx::test]
async fn a_listening_dispatcher_sends_at_once_instead_of_at_its_next_poll(pool: PgPool) {
    use cohortbot::outbox::wakeup::{self, Wakeup};
    let bot = TestBot::new(pool).await;
    let community = community_id(&bot).await;
    let wakeup = Wakeup::default();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let listening = tokio::spawn(wakeup::listen(
        bot.pool.clone(),
        wakeup.clone(),
        stop_rx.clone(),
    ));
    let dispatcher = Dispatcher::new(
        bot.pool.clone(),
        std::sync::Arc::new(bot.clock.clone()),
        bot.sender.clone(),
    )
    .with_wakeup(&wakeup);
    // A poll every ten minutes: anything sent sooner was woken.
    let running =
        tokio::spawn(async move { dispatcher.run(Duration::from_secs(600), stop_rx).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut latencies = Vec::new();
    for i in 0..3 {
        let now = cohortbot::clock::Clock::now(&bot.clock);
        let committed = std::time::Instant::now();
        post_to_general(
            &bot.pool,
            community,
            &format!("wake-{i}"),
            format!("post {i}"),
            now,
        )
        .await;
        let sent = loop {
            let sent = bot.sender.take();
            if !sent.is_empty() {
                break sent;
            }
            assert!(
                committed.elapsed() < Duration::from_secs(5),
                "not woken: post {i} waited for the poll"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        latencies.push(committed.elapsed());
        assert_eq!(sent, [("#general".to_owned(), format!("post {i}"))]);
    }
    eprintln!("commit to send, woken by NOTIFY: {latencies:?}");
    stop_tx.send(true).unwrap();
    running.await.unwrap();
    listening.await.unwrap().unwrap();
}

/// Wake-ups only from a connection that added outbox rows (migration 0065). Every
/// command's tail runs an outbox insert, so a NOTIFY per statement woke every dispatcher
/// of every process after each command, for a claim that found nothing. The trigger reads
/// the count PostgreSQL keeps for its statistics, which a connection carries over from its
/// own earlier transactions until it flushes them (about a second): the quiet steps run
/// on connections that added nothing yet. Notifications from separate transactions are
/// never folded, so counting them after a post that must wake counts the ones before.
#[sqlx::test]
async fn only_writes_that_add_outbox_rows_wake_the_dispatchers(pool: PgPool) {
    use cohortbot::outbox::wakeup;
    use sqlx::Connection;
    use sqlx::postgres::{PgConnection, PgListener};
    let bot = TestBot::new(pool).await;
    let community = community_id(&bot).await;
    let mut listener = PgListener::connect_with(&bot.pool).await.unwrap();
    listener.listen(wakeup::CHANNEL).await.unwrap();
    let now = cohortbot::clock::Clock::now(&bot.clock);
    let enqueue = async |conn: &mut PgConnection, key: &str| {
        post_to_general(conn, community, key, format!("post {key}"), now).await
    };
    let fresh = async || {
        PgConnection::connect_with(&bot.pool.connect_options())
            .await
            .unwrap()
    };
    let mut notified = async || {
        let mut count = 0;
        while tokio::time::timeout(Duration::from_millis(500), listener.recv())
            .await
            .is_ok_and(|received| received.is_ok())
        {
            count += 1;
        }
        count
    };

    // Commands that queue nothing: their tails insert no row (and the bot's connections
    // have added none: setting up queued nothing).
    assert_eq!(bot.count("outbox").await, 0);
    bot.ok("sam", "/coc accept").await;
    let said = bot.say("sam", "/cohort list").await;
    assert!(
        said.reply()
            .starts_with("Cohorts in Acme Citizen Developers:")
    );
    assert!(enqueue(&mut fresh().await, "wake-first").await);
    assert_eq!(notified().await, 1, "only the post woke the dispatchers");

    // The same key again adds nothing, so it wakes nobody.
    assert!(!enqueue(&mut fresh().await, "wake-first").await);
    assert!(enqueue(&mut fresh().await, "wake-second").await);
    assert_eq!(notified().await, 1, "the duplicate woke the dispatchers");

    // A command that posts wakes them once.
    let said = bot.say("sam", "/cohort join evening-builders-2027").await;
    assert!(said.reply().contains("Welcome to Evening Builders 2027"));
    assert_eq!(said.channel_posts().len(), 1);
    assert_eq!(
        notified().await,
        1,
        "the command's post did not wake them once"
    );
}
