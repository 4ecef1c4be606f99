//! The outbox's Discord sender against wiremock: the exact requests, DMs, closed DMs,
//! rate limits and rejections.

use cohortbot::clock::Clock;
use cohortbot::render::{ActionKind, Message};
use cohortbot::store::outbox;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::discord_support::{BEA, DiscordBot, SPRING_CHANNEL};

const DM_CHANNEL: &str = "800000000000000001";

async fn discord_member(d: &DiscordBot, user_id: &str, name: &str) -> Uuid {
    d.bot.add_member("discord", user_id, name).await
}

async fn enqueue(
    d: &DiscordBot,
    key: &str,
    channel: Option<&str>,
    member: Option<Uuid>,
    message: &Message,
) {
    let community = d.community_id().await;
    outbox::enqueue(
        &d.bot.pool,
        community,
        key,
        channel,
        member,
        message,
        d.bot.clock.now(),
        None,
    )
    .await
    .unwrap();
}

fn created(id: &str, channel: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": id, "channel_id": channel, "type": 0, "content": "", "attachments": [], "embeds": [],
        "mentions": [], "mention_roles": [], "pinned": false, "mention_everyone": false, "tts": false,
        "timestamp": "2027-02-15T09:00:00.000000+00:00", "edited_timestamp": null, "flags": 0, "components": [],
        "author": { "id": "1100000000000000001", "username": "cohortbot", "discriminator": "0000", "global_name": null, "avatar": null, "bot": true }
    }))
}

async fn bodies(d: &DiscordBot, at: &str) -> Vec<Value> {
    d.server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == at)
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

async fn outbox_row(
    d: &DiscordBot,
) -> (String, Option<String>, i32, chrono::DateTime<chrono::Utc>) {
    sqlx::query_as(
        "SELECT status, last_error, attempts, next_attempt_at FROM outbox ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&d.bot.pool)
    .await
    .unwrap()
}

fn channel_path(channel: &str) -> String {
    format!("/api/v10/channels/{channel}/messages")
}

#[sqlx::test]
async fn a_channel_post_pings_only_its_mention_and_escapes_user_text(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let bea = discord_member(&d, BEA, "Bea").await;
    Mock::given(method("POST"))
        .and(path(channel_path(SPRING_CHANNEL)))
        .respond_with(created("1500000000000000001", SPRING_CHANNEL))
        .expect(1)
        .mount(&d.server)
        .await;
    let message = Message::new()
        .text("Next talk by ")
        .mention(bea, "Bea")
        .text(": ")
        .user("@everyone free pizza <@&123> <@123>");
    enqueue(&d, "talk", Some("spring-makers"), None, &message).await;

    let report = d.dispatch().await;

    assert_eq!(report.sent, 1);
    let sent = bodies(&d, &channel_path(SPRING_CHANNEL)).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM outbox")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(
        sent,
        [json!({
            "content": format!("Next talk by <@{BEA}>: @\u{200B}everyone free pizza \\<@\u{200B}&123> \\<@\u{200B}123>"),
            "allowed_mentions": { "parse": [], "users": [BEA] },
            "nonce": format!("cb{id}-0"),
            "enforce_nonce": true,
        })]
    );
    let (status, _, _, _) = outbox_row(&d).await;
    assert_eq!(status, "sent");
    let message_id: String = sqlx::query_scalar("SELECT platform_message_id FROM outbox")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(message_id, format!("{SPRING_CHANNEL}:1500000000000000001"));
}

#[sqlx::test]
async fn dms_open_one_channel_and_carry_a_signed_button(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let bea = discord_member(&d, BEA, "Bea").await;
    Mock::given(method("POST"))
        .and(path("/api/v10/users/@me/channels"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": DM_CHANNEL, "type": 1, "last_message_id": null, "flags": 0,
            "recipients": [{ "id": BEA, "username": "bea", "discriminator": "0", "global_name": "Bea", "avatar": null }]
        })))
        .expect(1)
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path(channel_path(DM_CHANNEL)))
        .respond_with(created("1500000000000000002", DM_CHANNEL))
        .expect(2)
        .mount(&d.server)
        .await;
    let prompt = Message::new().text("Time to check in.").action(
        "Check in",
        ActionKind::CheckIn {
            cohort: "spring-makers-2027".into(),
            period: "2027-W09".into(),
        },
    );
    enqueue(&d, "p1", None, Some(bea), &prompt).await;
    enqueue(&d, "p2", None, Some(bea), &Message::from("Second.")).await;

    assert_eq!(d.dispatch().await.sent, 2);

    assert_eq!(
        bodies(&d, "/api/v10/users/@me/channels").await,
        [json!({ "recipient_id": BEA })]
    );
    let sent = bodies(&d, &channel_path(DM_CHANNEL)).await;
    let button = &sent[0]["components"][0]["components"][0];
    assert_eq!(button["label"], "Check in");
    assert_eq!(button["type"], 2);
    let custom_id = button["custom_id"].as_str().unwrap();
    assert_eq!(
        d.ids.decode(custom_id),
        Some(cohortbot::chat::discord::Target::Button(
            cohortbot::render::ActionKind::CheckIn {
                cohort: "spring-makers-2027".into(),
                period: "2027-W09".into()
            }
        ))
    );
    assert_eq!(
        sent[0]["allowed_mentions"],
        json!({ "parse": [], "users": [] })
    );
    assert_ne!(sent[0]["nonce"], sent[1]["nonce"]);
}

#[sqlx::test]
async fn closed_dms_fall_back_to_the_cohort_channel_from_then_on(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    d.forget_outbox().await;
    let bea: Uuid = sqlx::query_scalar("SELECT id FROM members WHERE platform_user_id = $1")
        .bind(BEA)
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v10/users/@me/channels"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": DM_CHANNEL, "type": 1 })),
        )
        .expect(1)
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path(channel_path(DM_CHANNEL)))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({ "message": "Cannot send messages to this user", "code": 50007 }),
        ))
        .expect(1)
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path(channel_path(SPRING_CHANNEL)))
        .respond_with(created("1500000000000000003", SPRING_CHANNEL))
        .expect(2)
        .mount(&d.server)
        .await;
    enqueue(
        &d,
        "dm1",
        None,
        Some(bea),
        &Message::from("Time to check in."),
    )
    .await;
    assert_eq!(d.dispatch().await.sent, 1);
    enqueue(&d, "dm2", None, Some(bea), &Message::from("A nudge.")).await;
    assert_eq!(d.dispatch().await.sent, 1);

    let fallback = bodies(&d, &channel_path(SPRING_CHANNEL)).await;
    assert_eq!(
        fallback[0]["content"],
        format!("<@{BEA}> Time to check in.")
    );
    assert_eq!(
        fallback[0]["allowed_mentions"],
        json!({ "parse": [], "users": [BEA] })
    );
    assert_eq!(fallback[1]["content"], format!("<@{BEA}> A nudge."));
    let closed: bool = sqlx::query_scalar(
        "SELECT closed_at IS NOT NULL FROM discord_dm_channels WHERE member_id = $1",
    )
    .bind(bea)
    .fetch_one(&d.bot.pool)
    .await
    .unwrap();
    assert!(closed);
}

#[sqlx::test]
async fn rate_limits_and_server_errors_retry_and_rejections_dead_letter(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let route = channel_path(SPRING_CHANNEL);
    Mock::given(method("POST"))
        .and(path(route.clone()))
        .respond_with(ResponseTemplate::new(429).set_body_json(
            json!({ "message": "You are being rate limited.", "retry_after": 0.3, "global": false }),
        ))
        .up_to_n_times(1)
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path(route.clone()))
        .respond_with(ResponseTemplate::new(502).set_body_string("bad gateway"))
        .up_to_n_times(1)
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path(route.clone()))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({ "message": "Invalid Form Body", "code": 50035 })),
        )
        .mount(&d.server)
        .await;
    enqueue(
        &d,
        "post",
        Some("spring-makers"),
        None,
        &Message::from("Hello"),
    )
    .await;
    let start = d.bot.clock.now();

    assert_eq!(d.dispatch().await.rate_limited, 1);
    let (status, error, attempts, next) = outbox_row(&d).await;
    assert_eq!(status, "pending");
    assert_eq!(next - start, chrono::Duration::milliseconds(300));
    assert!(error.unwrap().contains("429"));
    assert_eq!(attempts, 0, "a 429 uses no attempt");

    // The route's bucket is held in real time, as Discord holds it.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    d.bot.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(d.dispatch().await.retried, 1);
    let (_, error, _, _) = outbox_row(&d).await;
    assert!(error.unwrap().contains("502"));

    d.bot.clock.advance(chrono::Duration::minutes(10));
    assert_eq!(d.dispatch().await.dead, 1);
    let (status, error, attempts, _) = outbox_row(&d).await;
    assert_eq!(status, "dead");
    assert_eq!(attempts, 2, "the 502 and the 400; the 429 did not count");
    assert_eq!(
        error.unwrap(),
        "Discord 400 (code 50035): Invalid Form Body"
    );
}

#[sqlx::test]
async fn a_channel_without_a_discord_id_dead_letters_with_the_reason(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    enqueue(&d, "post", Some("general"), None, &Message::from("Hello")).await;
    assert_eq!(d.dispatch().await.dead, 1);
    let (_, error, _, _) = outbox_row(&d).await;
    assert!(error.unwrap().contains("[discord.channels]"));
    assert!(d.server.received_requests().await.unwrap().is_empty());
}

#[sqlx::test]
async fn a_dm_channel_discord_dropped_is_reopened_on_retry(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let bea = discord_member(&d, BEA, "Bea").await;
    cohortbot::store::discord::save_dm_channel(
        &d.bot.pool,
        bea,
        "800000000000000009",
        d.bot.clock.now(),
    )
    .await
    .unwrap();
    Mock::given(method("POST"))
        .and(path(channel_path("800000000000000009")))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({ "message": "Unknown Channel", "code": 10003 })),
        )
        .expect(1)
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v10/users/@me/channels"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": DM_CHANNEL, "type": 1 })),
        )
        .expect(1)
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path(channel_path(DM_CHANNEL)))
        .respond_with(created("1500000000000000004", DM_CHANNEL))
        .expect(1)
        .mount(&d.server)
        .await;
    enqueue(&d, "dm", None, Some(bea), &Message::from("Hello")).await;

    assert_eq!(d.dispatch().await.retried, 1);
    d.bot.clock.advance(chrono::Duration::seconds(1));
    assert_eq!(d.dispatch().await.sent, 1);
}
