//! The Slack sender against wiremock: request bodies, rate limits, errors, no double posts.

use std::time::{Duration, Instant};

use cohortbot::outbox::{OutboundPost, Recipient, SendError, Sender};
use cohortbot::render::Message;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::slack::Slack;

fn post(to: Recipient, attempt: i32) -> OutboundPost {
    OutboundPost {
        id: 42,
        community_id: Uuid::nil(),
        to,
        message: Message::new()
            .text("📊 ")
            .strong("Spring Makers")
            .text(" digest"),
        action: None,
        replaces: None,
        attempt,
    }
}

#[sqlx::test]
async fn a_role_change_is_done_with_nothing_sent_because_slack_has_no_roles(pool: PgPool) {
    let slack = Slack::new(pool).await;
    let mut role = post(
        Recipient::Direct {
            member_id: Uuid::nil(),
            platform: "slack".to_owned(),
            platform_user_id: "U0SAM".to_owned(),
            display_name: "Sam".to_owned(),
        },
        1,
    );
    role.message = Message::new();
    role.action = Some(cohortbot::outbox::PlatformAction::RoleChanged {
        role: cohortbot::domain::Role::Alumni,
    });
    let delivered = slack.sender().send(&role).await.unwrap();
    assert_eq!(delivered.platform_message_id, "none");
    assert!(slack.mock.received_requests().await.unwrap().is_empty());
}

fn channel(name: &str) -> Recipient {
    Recipient::Channel(name.to_owned())
}

#[sqlx::test]
async fn a_channel_post_is_json_with_blocks_metadata_and_the_bot_token(pool: PgPool) {
    let slack = Slack::new(pool).await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "ok": true, "channel": "C0SPRING1", "ts": "1772352000.000400" }),
        ))
        .expect(1)
        .mount(&slack.mock)
        .await;
    let delivered = slack
        .sender()
        .send(&post(channel("spring-makers"), 1))
        .await
        .unwrap();
    assert_eq!(delivered.platform_message_id, "C0SPRING1:1772352000.000400");
    let sent = &slack.sent("chat.postMessage").await[0];
    assert_eq!(
        sent,
        &json!({
            "channel": "C0SPRING1",
            "text": "📊 *Spring Makers* digest",
            "blocks": [{ "type": "section", "text": { "type": "mrkdwn", "text": "📊 *Spring Makers* digest" } }],
            "parse": "none",
            "unfurl_links": false,
            "unfurl_media": false,
            "metadata": { "event_type": "cohortbot_post", "event_payload": { "outbox_id": 42, "part": 0 } },
        })
    );
    let request = &slack.mock.received_requests().await.unwrap()[0];
    assert_eq!(request.headers["authorization"], "Bearer xoxb-test-token");
    assert!(
        request.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

/// Slack allows about one message per second per channel: a fan-out to one channel waits,
/// and the wait for one channel never holds up another.
#[sqlx::test]
async fn posts_to_one_channel_are_a_second_apart_and_other_channels_do_not_wait(pool: PgPool) {
    let slack = Slack::new(pool).await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "ok": true, "channel": "C0SPRING1", "ts": "1772352000.000400" }),
        ))
        .mount(&slack.mock)
        .await;
    let sender = slack.paced_sender();

    // A busy channel hands the post back with the wait (the outbox retries it then),
    // instead of holding a delivery slot.
    let started = Instant::now();
    let mut sent = 0;
    while sent < 3 {
        match sender.send(&post(channel("spring-makers"), 1)).await {
            Ok(_) => sent += 1,
            Err(SendError::RateLimited { retry_after, .. }) => {
                assert!(retry_after <= Duration::from_secs(1), "{retry_after:?}");
                tokio::time::sleep(retry_after).await;
            }
            Err(other) => panic!("{other:?}"),
        }
    }
    let one_channel = started.elapsed();
    assert!(
        one_channel >= Duration::from_millis(1_900),
        "three posts to one channel took {one_channel:?}, under two intervals of one second"
    );

    let started = Instant::now();
    sender
        .send(&post(channel("evening-builders"), 1))
        .await
        .unwrap();
    let other_channel = started.elapsed();
    assert!(
        other_channel < Duration::from_millis(900),
        "a post to another channel waited {other_channel:?}"
    );

    let channels: Vec<String> = slack
        .sent("chat.postMessage")
        .await
        .iter()
        .map(|body| body["channel"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        channels,
        ["C0SPRING1", "C0SPRING1", "C0SPRING1", "C0EVENING"]
    );
}

#[sqlx::test]
async fn a_dm_opens_the_conversation_first_and_reuses_it(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let sender = slack.sender();
    let to = Recipient::Direct {
        member_id: Uuid::nil(),
        platform: "slack".into(),
        platform_user_id: "U0SAM0001".into(),
        display_name: "Sam".into(),
    };
    sender.send(&post(to.clone(), 1)).await.unwrap();
    sender.send(&post(to, 1)).await.unwrap();
    assert_eq!(
        slack.sent("conversations.open").await,
        [json!({ "users": "U0SAM0001" })]
    );
    let posts = slack.sent("chat.postMessage").await;
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().all(|p| p["channel"] == "D0SAMDM01"));

    let shell_member = Recipient::Direct {
        member_id: Uuid::nil(),
        platform: "shell".into(),
        platform_user_id: "sam".into(),
        display_name: "Sam".into(),
    };
    assert!(matches!(
        sender.send(&post(shell_member, 1)).await,
        Err(SendError::Permanent(_))
    ));
}

#[sqlx::test]
async fn rate_limits_server_errors_and_slack_errors_map_to_retry_or_dead_letter(pool: PgPool) {
    let slack = Slack::new(pool).await;
    let sender = slack.sender();
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .and(body_string_contains("C0LIMITED"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .mount(&slack.mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .and(body_string_contains("C0BROKEN1"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&slack.mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .and(body_string_contains("C0ARCHIVE"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": false, "error": "is_archived" })),
        )
        .mount(&slack.mock)
        .await;

    match sender.send(&post(channel("C0LIMITED"), 1)).await {
        Err(SendError::RateLimited { retry_after, .. }) => {
            assert_eq!(retry_after, Duration::from_secs(1))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        sender.send(&post(channel("C0BROKEN1"), 1)).await,
        Err(SendError::Transient {
            retry_after: None,
            ..
        })
    ));
    match sender.send(&post(channel("C0ARCHIVE"), 1)).await {
        Err(SendError::Permanent(reason)) => assert!(reason.contains("is_archived"), "{reason}"),
        other => panic!("{other:?}"),
    }
    match sender.send(&post(channel("general"), 1)).await {
        Err(SendError::Permanent(reason)) => {
            assert!(reason.contains("[slack.channels]"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[sqlx::test]
async fn a_retry_finds_the_earlier_post_in_history_instead_of_posting_twice(pool: PgPool) {
    let slack = Slack::new(pool).await;
    Mock::given(method("POST"))
        .and(path("/conversations.history"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "messages": [
            { "type": "message", "ts": "1772352000.000900", "text": "other",
              "metadata": { "event_type": "cohortbot_post", "event_payload": { "outbox_id": 41, "part": 0 } } },
            { "type": "message", "ts": "1772352000.000500", "text": "digest",
              "metadata": { "event_type": "cohortbot_post", "event_payload": { "outbox_id": 42, "part": 0 } } },
        ], "has_more": false })))
        .expect(1)
        .mount(&slack.mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "ts": "1" })))
        .expect(0)
        .mount(&slack.mock)
        .await;
    let delivered = slack
        .sender()
        .send(&post(channel("spring-makers"), 2))
        .await
        .unwrap();
    assert_eq!(delivered.platform_message_id, "C0SPRING1:1772352000.000500");
    let history = &slack.sent("conversations.history").await[0];
    assert_eq!(
        history,
        &json!({ "channel": "C0SPRING1", "limit": "50", "include_all_metadata": "true" }),
        "a read method, form-encoded"
    );
}
