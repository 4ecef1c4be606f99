//! A backlog of posts for the delivery tests: many learners on one platform with a DM each,
//! plus posts to one channel, and a way to run a dispatcher until they are all sent.

use std::sync::Arc;
use std::time::Duration;

use cohortbot::clock::{Clock, SystemClock};
use cohortbot::outbox::{Dispatcher, Platform, Sender};
use cohortbot::render::Message;
use sqlx::PgPool;
use sqlx::types::Json;
use tokio::sync::watch;
use tokio::time::Instant;
use uuid::Uuid;

/// Moves the example community onto `platform` and queues, ready now, one DM to each of
/// `learners` new members of that platform and `channel_posts` posts to `channel`.
pub async fn fill(
    pool: &PgPool,
    platform: Platform,
    learners: i64,
    channel: &str,
    channel_posts: i64,
) {
    let (column, team, first_user) = match platform {
        Platform::Discord => ("discord_guild_id", "900000000000000001", "200000000000000"),
        Platform::Slack => ("slack_team_id", "T0ACME001", "U0"),
        Platform::Shell => unreachable!("the backlog is for a chat platform"),
    };
    let community: Uuid = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "UPDATE communities SET {column} = $1 WHERE slug = 'acme-makers' RETURNING id"
    )))
    .bind(team)
    .fetch_one(pool)
    .await
    .unwrap();
    let body = Json(Message::from("Time to check in for this week."));
    let now = SystemClock.now();
    // Discord ids are numbers, Slack's `U0` and digits.
    let user_id = match platform {
        Platform::Discord => "($5::bigint + g)::text",
        _ => "$5 || lpad(g::text, 8, '0')",
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH m AS (
             INSERT INTO members (id, community_id, platform, platform_user_id, display_name, created_at)
             SELECT gen_random_uuid(), $1, $6, {user_id}, 'Learner ' || g, $2
             FROM generate_series(1, $3) g RETURNING id)
         INSERT INTO outbox (community_id, idempotency_key, member_id, body, next_attempt_at, created_at)
         SELECT $1, 'checkin-prompt:pressure:' || m.id, m.id, $4, $2, $2 FROM m"
    )))
    .bind(community)
    .bind(now)
    .bind(learners)
    .bind(&body)
    .bind(first_user)
    .bind(platform.as_str())
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO outbox (community_id, idempotency_key, channel, body, next_attempt_at, created_at)
         SELECT $1, 'announcement:' || g, $2, $3, $4, $4 FROM generate_series(1, $5) g",
    )
    .bind(community)
    .bind(channel)
    .bind(&body)
    .bind(now)
    .bind(channel_posts)
    .execute(pool)
    .await
    .unwrap();
}

/// (sent, dead) posts.
pub async fn counts(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'dead') FROM outbox",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Runs `dispatcher` until `expected` posts are sent, failing the test if that takes longer
/// than `limit` or if anything is dead-lettered; returns when the last one went out.
pub async fn deliver<S: Sender + 'static>(
    pool: &PgPool,
    dispatcher: Arc<Dispatcher<S>>,
    expected: i64,
    limit: Duration,
) -> Instant {
    deliver_together(pool, vec![dispatcher], expected, limit).await
}

/// [`deliver`] with several dispatchers running at once, as several processes would.
pub async fn deliver_together<S: Sender + 'static>(
    pool: &PgPool,
    dispatchers: Vec<Arc<Dispatcher<S>>>,
    expected: i64,
    limit: Duration,
) -> Instant {
    let (stop, stopped) = watch::channel(false);
    let running: Vec<_> = dispatchers
        .into_iter()
        .map(|dispatcher| {
            let stopped = stopped.clone();
            tokio::spawn(async move { dispatcher.run(Duration::from_millis(100), stopped).await })
        })
        .collect();
    let start = Instant::now();
    loop {
        let (sent, dead) = counts(pool).await;
        assert_eq!(dead, 0, "nothing is dead-lettered");
        if sent >= expected {
            break;
        }
        assert!(
            start.elapsed() < limit,
            "only {sent} of {expected} delivered after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let done = Instant::now();
    stop.send(true).unwrap();
    for running in running {
        tokio::time::timeout(Duration::from_secs(15), running)
            .await
            .expect("the dispatcher stops within its grace")
            .unwrap();
    }
    done
}
