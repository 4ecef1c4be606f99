//! The bot removed from a community's Slack workspace or Discord server: the stewards are
//! told, the community is marked for deletion after `privacy.purge_after_days`, adding the
//! bot back calls it off, and the purge leaves no row with the community's id or its
//! members' ids in any table, and another community untouched.

use std::time::Duration as StdDuration;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use cohortbot::clock::Clock;
use cohortbot::program::{self, ProgramFile};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::milestones::complete;
use super::slack::{Slack, fixture};
use super::support::COMMUNITY;

/// Rows in any table with a uuid column holding one of `ids`, by table and column.
async fn rows_holding(pool: &PgPool, ids: &[Uuid]) -> Vec<String> {
    let columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c
           JOIN information_schema.tables t
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
            AND c.data_type = 'uuid' ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut found = Vec::new();
    for (table, column) in columns {
        let sql = format!("SELECT count(*) FROM \"{table}\" WHERE \"{column}\" = ANY ($1)");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(ids)
            .fetch_one(pool)
            .await
            .unwrap();
        if n > 0 {
            found.push(format!("{table}.{column}: {n}"));
        }
    }
    found
}

/// The rows holding the other community's id (its members' rows hold it too).
async fn other_community_rows(pool: &PgPool) -> Vec<String> {
    let other: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM communities WHERE slug = 'globex-builders'")
            .fetch_all(pool)
            .await
            .unwrap();
    rows_holding(pool, &other).await
}

async fn purge_after(pool: &PgPool) -> Option<DateTime<Utc>> {
    sqlx::query_scalar("SELECT purge_after FROM communities WHERE slug = $1")
        .bind(COMMUNITY)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn an_uninstalled_slack_app_purges_the_community_after_thirty_days(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let bot = &slack.bot;
    let other = ProgramFile::parse(super::tenancy::OTHER, "other").unwrap();
    program::import(&bot.pool, &other, bot.clock.now())
        .await
        .unwrap();
    bot.enroll("sam", "spring-makers-2027", Some("short-modules"))
        .await;
    complete(bot, "flows-101").await;
    bot.ok("sam", "/checkin 4 Built the expenses flow").await;
    bot.ok("grace", "/kudos @sam for the demo").await;
    bot.deliver().await.into_vec();
    let community: Uuid = sqlx::query_scalar("SELECT id FROM communities WHERE slug = $1")
        .bind(COMMUNITY)
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    let members: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM members WHERE community_id = $1")
        .bind(community)
        .fetch_all(&bot.pool)
        .await
        .unwrap();
    let mut ids = members.clone();
    ids.push(community);
    assert!(rows_holding(&bot.pool, &ids).await.len() > 10);
    let other_rows = other_community_rows(&bot.pool).await;

    // Slack delivers the event twice: one mark, one DM per steward.
    let removed_at = bot.clock.now();
    for _ in 0..2 {
        let (status, _) = slack
            .post(
                "/slack/events",
                "application/json",
                fixture("app_uninstalled.json", &[("event_id", "Ev0GONE01")]),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(
        purge_after(&bot.pool).await,
        Some(removed_at + Duration::days(30))
    );
    let delivered = bot.deliver().await;
    assert_eq!(
        *delivered,
        [(
            "@ada".to_owned(),
            "⚠️ I was removed from the Slack workspace of acme-makers. Its data (members, check-ins, sessions, milestones, badges, everything I keep) will be deleted for good on Wed 17 Mar 2027 09:00 UTC.\nTo keep it, add me back before then.".to_owned()
        )]
    );

    // Not a minute early.
    bot.clock
        .set(removed_at + Duration::days(30) - Duration::minutes(1));
    bot.tick().await;
    assert!(!rows_holding(&bot.pool, &[community]).await.is_empty());
    bot.clock
        .set(removed_at + Duration::days(30) + Duration::days(1));
    bot.tick().await;
    assert_eq!(rows_holding(&bot.pool, &ids).await, Vec::<String>::new());
    let other_after = other_community_rows(&bot.pool).await;
    assert_eq!(other_after, other_rows, "the other community is untouched");
    assert!(!other_after.is_empty());
}

#[sqlx::test]
async fn an_event_after_an_uninstall_calls_the_purge_off(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let post = |body: String| async {
        let (status, _) = slack.post("/slack/events", "application/json", body).await;
        assert_eq!(status, StatusCode::OK);
    };
    post(fixture(
        "app_uninstalled.json",
        &[("event_id", "Ev0GONE02")],
    ))
    .await;
    assert!(purge_after(&slack.bot.pool).await.is_some());
    slack.bot.deliver().await.into_vec();
    post(fixture(
        "app_home_opened.json",
        &[("user", super::slack::SAM), ("event_id", "Ev0BACK01")],
    ))
    .await;
    assert_eq!(purge_after(&slack.bot.pool).await, None);
    let delivered = slack.bot.deliver().await;
    assert_eq!(
        delivered.texts_to("@ada"),
        [
            "✅ I'm back in the Slack workspace of acme-makers: its data stays, and nothing will be deleted."
        ]
    );
    slack.bot.clock.advance(Duration::days(40));
    slack.bot.tick().await;
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM communities WHERE slug = $1")
        .bind(COMMUNITY)
        .fetch_one(&slack.bot.pool)
        .await
        .unwrap();
    assert_eq!(left, 1);
}

#[sqlx::test]
async fn a_guild_delete_from_the_gateway_marks_the_community(pool: PgPool) {
    use super::discord_gateway::{fake_gateway, gateway_listener, ready, run_client, until};
    use super::discord_support::{DiscordBot, GUILD};

    let d = DiscordBot::new(pool).await;
    let (listener, ws_url) = gateway_listener(&d).await;
    // Removed from the server: a GUILD_DELETE without `unavailable` (an outage sets it).
    let removed = json!({ "op": 0, "s": 2, "t": "GUILD_DELETE", "d": { "id": GUILD } });
    let (identified, _identify) = tokio::sync::oneshot::channel();
    tokio::spawn(fake_gateway(
        listener,
        vec![ready(&ws_url), removed],
        None,
        identified,
    ));
    let (stop_tx, client) = run_client(&d);
    let marked = until(async || purge_after(&d.bot.pool).await).await;
    assert_eq!(marked, d.bot.clock.now() + Duration::days(30));
    let removals: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'community.removed'")
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    assert_eq!(removals, 1);
    let told: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox o JOIN members m ON m.id = o.member_id
          WHERE m.platform_user_id = 'ada' AND o.idempotency_key LIKE 'removed:%'",
    )
    .fetch_one(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(told, 1);
    stop_tx.send(true).unwrap();
    tokio::time::timeout(StdDuration::from_secs(10), client)
        .await
        .expect("the client stops")
        .unwrap()
        .unwrap();
}
