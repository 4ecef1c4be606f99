//! Gateway mode against a local fake gateway: serenity's client connects, identifies with
//! GUILDS and GUILD_SCHEDULED_EVENTS only, and its INTERACTION_CREATE, GUILD_MEMBER_UPDATE
//! and GUILD_SCHEDULED_EVENT_USER_ADD events reach the handler.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use cohortbot::chat::discord::gateway::{self, Shards};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message as Frame;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, ResponseTemplate};

use super::discord_support::{APP, DiscordBot, fixture};

/// serenity identifies with `compress: true` and inflates each binary frame on its own.
pub(crate) fn frame(payload: &Value) -> Frame {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(payload.to_string().as_bytes()).unwrap();
    Frame::Binary(encoder.finish().unwrap())
}

pub(crate) fn bot_user() -> Value {
    json!({ "id": APP, "username": "cohortbot", "discriminator": "0000", "global_name": null,
            "avatar": null, "bot": true, "public_flags": 0, "flags": 0, "verified": true,
            "mfa_enabled": false })
}

/// The READY the fake gateway sends first, for one shard of the test guild.
pub(crate) fn ready(ws_url: &str) -> Value {
    json!({ "op": 0, "s": 1, "t": "READY", "d": {
        "v": 10, "user": bot_user(), "guilds": [{ "id": super::discord_support::GUILD, "unavailable": true }],
        "session_id": "fake-session", "resume_gateway_url": ws_url, "shard": [0, 1],
        "application": { "id": APP, "flags": 0 }
    }})
}

pub(crate) async fn until<T>(mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..200 {
        if let Some(found) = probe().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out");
}

/// A local listener for the fake gateway, which Discord's `/gateway` names.
pub(crate) async fn gateway_listener(d: &DiscordBot) -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}", listener.local_addr().unwrap());
    Mock::given(method("GET"))
        .and(path("/api/v10/gateway"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "url": ws_url })))
        .mount(&d.server)
        .await;
    (listener, ws_url)
}

type Client = tokio::task::JoinHandle<anyhow::Result<()>>;

/// The gateway client on one shard; it stops when the sender sends `true`.
pub(crate) fn run_client(d: &DiscordBot) -> (tokio::sync::watch::Sender<bool>, Client) {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let (handler, rest) = (d.handler.clone(), Arc::clone(&d.rest));
    let client = tokio::spawn(async move {
        gateway::run(handler, &rest, Shards::Count(1), false, stop_rx).await
    });
    (stop_tx, client)
}

#[sqlx::test]
async fn gateway_events_reach_the_same_handler(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let (listener, ws_url) = gateway_listener(&d).await;
    Mock::given(method("POST"))
        .and(path_regex(
            "^/api/v10/interactions/1300000000000000001/[^/]+/callback$",
        ))
        .respond_with(ResponseTemplate::new(204))
        .mount(&d.server)
        .await;

    let ready = ready(&ws_url);
    let mut member_update = fixture("guild_member_update");
    member_update = json!({ "op": 0, "s": 3, "t": "GUILD_MEMBER_UPDATE", "d": member_update });
    let interaction =
        json!({ "op": 0, "s": 2, "t": "INTERACTION_CREATE", "d": fixture("slash_command") });
    let (identified, identify) = tokio::sync::oneshot::channel();
    tokio::spawn(fake_gateway(
        listener,
        vec![ready, interaction, member_update],
        None,
        identified,
    ));

    let (stop_tx, client) = run_client(&d);

    let callback: Value = until(async || {
        let requests = d.server.received_requests().await.unwrap();
        let found = requests
            .iter()
            .find(|r| r.url.path().ends_with("/callback"))?;
        Some(serde_json::from_slice(&found.body).unwrap())
    })
    .await;
    assert_eq!(callback["type"], 4);
    assert_eq!(callback["data"]["flags"], 64);
    assert!(
        callback["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Europe/Berlin"),
        "{callback}"
    );

    let role: String = until(async || {
        sqlx::query_scalar(
            "SELECT r.role FROM member_roles r JOIN members m ON m.id = r.member_id
             WHERE m.platform_user_id = '222000000000000002'",
        )
        .fetch_optional(&d.bot.pool)
        .await
        .unwrap()
    })
    .await;
    assert_eq!(role, "lead_mentor");

    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), client)
        .await
        .expect("the client stops")
        .unwrap()
        .unwrap();
    let identify = tokio::time::timeout(Duration::from_secs(10), identify)
        .await
        .unwrap()
        .unwrap();
    // GUILDS and GUILD_SCHEDULED_EVENTS (1 << 16): no privileged intent unless configured.
    assert_eq!(identify["d"]["intents"], 1 | 1 << 16);
    assert_eq!(identify["d"]["token"], "Bot test-token");
}

/// A fake gateway that says hello, hands over the IDENTIFY payload, sends `events`, then
/// closes with `close` (if any) or stays open until the client leaves.
pub(crate) async fn fake_gateway(
    listener: TcpListener,
    events: Vec<Value>,
    close: Option<u16>,
    identified: tokio::sync::oneshot::Sender<Value>,
) {
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
    ws.send(frame(
        &json!({ "op": 10, "d": { "heartbeat_interval": 45000 } }),
    ))
    .await
    .unwrap();
    let identify = loop {
        match ws.next().await {
            Some(Ok(Frame::Text(text))) => {
                let payload: Value = serde_json::from_str(&text).unwrap();
                if payload["op"] == 2 {
                    break payload;
                }
            }
            Some(Ok(_)) => {}
            other => panic!("connection ended before IDENTIFY: {other:?}"),
        }
    };
    identified.send(identify).unwrap();
    for event in &events {
        ws.send(frame(event)).await.unwrap();
    }
    if let Some(code) = close {
        let frame = CloseFrame {
            code: code.into(),
            reason: "Disallowed intent(s).".into(),
        };
        ws.send(Frame::Close(Some(frame))).await.unwrap();
    }
    while let Some(Ok(_)) = ws.next().await {}
}

async fn gateway_answers(d: &DiscordBot, ws_url: &str) {
    let body = json!({ "url": ws_url, "shards": 1, "session_start_limit":
        { "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1 } });
    Mock::given(method("GET"))
        .and(path("/api/v10/gateway/bot"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&d.server)
        .await;
    // serenity asks /gateway/bot for the shard count and /gateway for the URL.
    Mock::given(method("GET"))
        .and(path("/api/v10/gateway"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "url": ws_url })))
        .mount(&d.server)
        .await;
}

#[sqlx::test]
async fn an_outage_at_start_is_retried_until_the_gateway_answers(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}", listener.local_addr().unwrap());
    // Discord is down for the first request, then back.
    Mock::given(method("GET"))
        .and(path("/api/v10/gateway/bot"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&d.server)
        .await;
    gateway_answers(&d, &ws_url).await;
    let (identified, identify) = tokio::sync::oneshot::channel();
    tokio::spawn(fake_gateway(listener, Vec::new(), None, identified));

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let (handler, rest) = (d.handler.clone(), Arc::clone(&d.rest));
    let client =
        tokio::spawn(
            async move { gateway::run(handler, &rest, Shards::Auto, false, stop_rx).await },
        );
    until(async || {
        let requests = d.server.received_requests().await.unwrap();
        let asked = requests
            .iter()
            .filter(|r| r.url.path() == "/api/v10/gateway/bot")
            .count();
        (asked >= 2).then_some(())
    })
    .await;
    assert!(!client.is_finished(), "an outage does not stop the bot");
    let identify = tokio::time::timeout(Duration::from_secs(10), identify)
        .await
        .expect("the retry identifies")
        .unwrap();
    assert_eq!(identify["d"]["token"], "Bot test-token");
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), client)
        .await
        .expect("the client stops")
        .unwrap()
        .unwrap();
}

#[sqlx::test]
async fn intents_the_portal_does_not_grant_stop_the_gateway_with_the_reason(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}", listener.local_addr().unwrap());
    gateway_answers(&d, &ws_url).await;
    let (identified, _identify) = tokio::sync::oneshot::channel();
    tokio::spawn(fake_gateway(listener, Vec::new(), Some(4014), identified));
    let (_stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let (handler, rest) = (d.handler.clone(), Arc::clone(&d.rest));
    let result = tokio::time::timeout(
        Duration::from_secs(20),
        gateway::run(handler, &rest, Shards::Auto, true, stop_rx),
    )
    .await
    .expect("a refusal is not retried");
    let err = format!("{:#}", result.unwrap_err());
    assert!(
        err.contains("Discord refused the gateway connection"),
        "{err}"
    );
}

#[sqlx::test]
async fn interested_on_a_mirrored_event_arrives_by_the_gateway_as_one_rsvp(pool: PgPool) {
    let d = crate::discord_events::mirrored(pool).await;
    sqlx::query("UPDATE cohorts SET interested_is_rsvp = true WHERE slug = 'spring-makers-2027'")
        .execute(&d.bot.pool)
        .await
        .unwrap();
    d.run(crate::discord_events::schedule(
        &d,
        61,
        "2027-03-12T17:00",
        "Demo night",
    ))
    .await;
    d.dispatch().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}", listener.local_addr().unwrap());
    gateway_answers(&d, &ws_url).await;
    let ready = ready(&ws_url);
    // Bea marks Interested; the event comes twice (a resumed session replays it).
    let add = |s: u64| {
        json!({ "op": 0, "s": s, "t": "GUILD_SCHEDULED_EVENT_USER_ADD",
                "d": fixture("guild_scheduled_event_user_add") })
    };
    let (identified, _identify) = tokio::sync::oneshot::channel();
    tokio::spawn(fake_gateway(
        listener,
        vec![ready, add(2), add(3)],
        None,
        identified,
    ));
    let (stop_tx, client) = run_client(&d);
    let dm_key = "interest:%";
    until(async || {
        let dms: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbox WHERE idempotency_key LIKE $1")
                .bind(dm_key)
                .fetch_one(&d.bot.pool)
                .await
                .unwrap();
        (dms >= 1).then_some(())
    })
    .await;
    // Both deliveries handled, one RSVP and one DM.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rsvps: Vec<(String, bool)> = sqlx::query_as(
        "SELECT m.platform_user_id, r.via_interest FROM session_rsvps r
           JOIN members m ON m.id = r.member_id",
    )
    .fetch_all(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(rsvps, [("111000000000000001".to_owned(), true)]);
    let dms: Vec<Value> =
        sqlx::query_scalar("SELECT body FROM outbox WHERE idempotency_key LIKE $1")
            .bind(dm_key)
            .fetch_all(&d.bot.pool)
            .await
            .unwrap();
    assert_eq!(dms.len(), 1, "{dms:#?}");
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), client)
        .await
        .expect("the client stops")
        .unwrap()
        .unwrap();
}

/// One user of an event's Interested list, as `GET …/scheduled-events/{id}/users` lists it.
fn interested_user(id: &str) -> Value {
    let mut entry = fixture("guild_scheduled_event_users")[0].clone();
    entry["user"]["id"] = json!(id);
    entry["user"]["username"] = json!(format!("maker{id}"));
    entry["user"]["global_name"] = Value::Null;
    entry
}

#[sqlx::test]
async fn interest_changed_while_the_bot_was_down_is_caught_up_at_ready(pool: PgPool) {
    use super::discord_interactions::MENTOR;
    use super::discord_support::BEA;
    use wiremock::matchers::{query_param, query_param_is_missing};
    const CAL: &str = "333000000000000003";
    let d = crate::discord_events::mirrored(pool).await;
    sqlx::query("UPDATE cohorts SET interested_is_rsvp = true WHERE slug = 'spring-makers-2027'")
        .execute(&d.bot.pool)
        .await
        .unwrap();
    d.run(crate::discord_events::schedule(
        &d,
        61,
        "2027-03-12T17:00",
        "Demo night",
    ))
    .await;
    d.dispatch().await;
    let event = "1300000000000000001";
    let services = &d.bot.services;
    // Before the outage: Cal marked Interested, Mo typed his RSVP.
    assert!(
        services
            .interest(super::discord_support::GUILD, event, CAL, true)
            .await
            .unwrap()
    );
    d.run(DiscordBot::as_member(
        d.command(
            62,
            "event",
            Some("rsvp"),
            json!([{ "name": "session", "type": 4, "value": 1 }]),
        ),
        MENTOR,
        "Mo",
    ))
    .await;
    // While the bot was down: Cal took it back; 100 makers and Bea marked it. Discord
    // lists them 100 to a page, by user id.
    let users = format!(
        "/api/v10/guilds/{}/scheduled-events/{event}/users",
        super::discord_support::GUILD
    );
    let first_page: Vec<Value> = (1..=100)
        .map(|n| interested_user(&format!("4000000000000{n:05}")))
        .collect();
    Mock::given(method("GET"))
        .and(path(users.clone()))
        .and(query_param("limit", "100"))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&first_page))
        .mount(&d.server)
        .await;
    Mock::given(method("GET"))
        .and(path(users.clone()))
        .and(query_param("limit", "100"))
        .and(query_param("after", "400000000000000100"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("guild_scheduled_event_users")),
        )
        .mount(&d.server)
        .await;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}", listener.local_addr().unwrap());
    gateway_answers(&d, &ws_url).await;
    let (identified, _identify) = tokio::sync::oneshot::channel();
    tokio::spawn(fake_gateway(
        listener,
        vec![ready(&ws_url)],
        None,
        identified,
    ));
    let (stop_tx, client) = run_client(&d);
    // Caught up when Cal's RSVP is withdrawn (the last step).
    until(async || {
        let cal: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM session_rsvps r JOIN members m ON m.id = r.member_id
              WHERE m.platform_user_id = $1",
        )
        .bind(CAL)
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
        (cal == 0).then_some(())
    })
    .await;
    let rsvps: Vec<(String, bool)> = sqlx::query_as(
        "SELECT m.platform_user_id, r.via_interest FROM session_rsvps r
           JOIN members m ON m.id = r.member_id ORDER BY m.platform_user_id",
    )
    .fetch_all(&d.bot.pool)
    .await
    .unwrap();
    let mut expected: Vec<(String, bool)> =
        vec![(BEA.to_owned(), true), (MENTOR.to_owned(), false)];
    expected.extend((1..=100).map(|n| (format!("4000000000000{n:05}"), true)));
    expected.sort();
    assert_eq!(rsvps, expected, "Mo's typed RSVP stays");
    let paged: Vec<Option<String>> = d
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == users)
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "after")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(paged, [None, Some("400000000000000100".to_owned())]);
    // Each change told its member once: Cal's mark and withdrawal, and 101 new RSVPs.
    let told: Vec<(String, Value)> = sqlx::query_as(
        "SELECT m.platform_user_id, o.body FROM outbox o JOIN members m ON m.id = o.member_id
          WHERE o.idempotency_key LIKE 'interest:%' ORDER BY m.platform_user_id, o.id",
    )
    .fetch_all(&d.bot.pool)
    .await
    .unwrap();
    let rsvped = "⭐ You marked Interested, so you're on the list for #1 Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin). I'll remind you a day and an hour before. Changed your mind? Remove your interest, or `/event unrsvp 1`.";
    let said: Vec<(String, String)> = told
        .into_iter()
        .map(|(who, body)| {
            let message: cohortbot::render::Message = serde_json::from_value(body).unwrap();
            (who, cohortbot::render::plain::render(&message))
        })
        .collect();
    let mut expected: Vec<(String, String)> = vec![
        (BEA.to_owned(), rsvped.to_owned()),
        (CAL.to_owned(), rsvped.to_owned()),
        (CAL.to_owned(), "You removed your interest, so you're off the list for #1 Demo night (Demo day). `/event rsvp 1` puts you back.".to_owned()),
    ];
    expected.extend((1..=100).map(|n| (format!("4000000000000{n:05}"), rsvped.to_owned())));
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(said, expected);
    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), client)
        .await
        .expect("the client stops")
        .unwrap()
        .unwrap();
}
