//! Socket Mode against a local websocket server: hello → envelope → ack → disconnect →
//! reconnect with a fresh URL.

use std::time::Duration;

use cohortbot::chat::slack::socket;
use futures_util::{SinkExt, StreamExt};
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message as Frame;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::slack::{SAM, Slack, TEAM};

async fn next_json<S>(socket: &mut S) -> Value
where
    S: StreamExt<Item = Result<Frame, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within 5 s")
            .expect("the socket is open")
            .unwrap();
        if let Frame::Text(text) = frame {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

#[sqlx::test]
async fn envelopes_are_acked_and_a_disconnect_reconnects(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!(
        "ws://{}/link/?ticket=1234&app_id=A0COHORT1",
        listener.local_addr().unwrap()
    );
    Mock::given(method("POST"))
        .and(path("/apps.connections.open"))
        .and(header("authorization", "Bearer xapp-1-test"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "url": ws_url })),
        )
        .expect(2)
        .mount(&slack.mock)
        .await;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let client = tokio::spawn(socket::run(
        slack.app.clone(),
        SecretString::from("xapp-1-test"),
        stop_rx,
    ));

    let (tcp, _) = listener.accept().await.unwrap();
    let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
    let hello = json!({ "type": "hello", "num_connections": 1,
        "debug_info": { "host": "applink-1", "approximate_connection_time": 18060 },
        "connection_info": { "app_id": "A0COHORT1" } });
    ws.send(Frame::Text(hello.to_string())).await.unwrap();
    let envelope = json!({
        "envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
        "type": "slash_commands",
        "accepts_response_payload": true,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": {
            "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": TEAM, "team_domain": "acme-makers",
            "channel_id": "C0SPRING1", "channel_name": "spring-makers", "user_id": SAM,
            "user_name": "sam", "command": "/cohort", "text": "list", "api_app_id": "A0COHORT1",
            "is_enterprise_install": "false", "response_url": slack.response_url(),
            "trigger_id": "13345224609.738474920.8088930838d88f008e0"
        }
    });
    ws.send(Frame::Text(envelope.to_string())).await.unwrap();
    let ack = next_json(&mut ws).await;
    assert_eq!(ack["envelope_id"], "57d6a792-4d35-4d0b-b6aa-3361493e1caf");
    assert_eq!(ack["payload"]["response_type"], "ephemeral");
    assert!(
        ack["payload"]["text"]
            .as_str()
            .unwrap()
            .contains("Spring Makers 2027")
    );

    let disconnect = json!({ "type": "disconnect", "reason": "refresh_requested",
        "debug_info": { "host": "applink-1" } });
    ws.send(Frame::Text(disconnect.to_string())).await.unwrap();

    // A second connection, on a URL fetched afresh.
    let (tcp, _) = tokio::time::timeout(Duration::from_secs(5), listener.accept())
        .await
        .expect("the client reconnects")
        .unwrap();
    let mut second = tokio_tungstenite::accept_async(tcp).await.unwrap();
    second.send(Frame::Text(hello.to_string())).await.unwrap();
    let event = json!({
        "envelope_id": "b1b2c3d4-0000-4000-8000-000000000001",
        "type": "events_api",
        "accepts_response_payload": false,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": {
            "team_id": TEAM, "api_app_id": "A0COHORT1", "type": "event_callback",
            "event_id": "Ev0SOCKET1", "event_time": 1772352000,
            "event": { "type": "member_joined_channel", "user": "U0SOCK001", "channel": "C0SPRING1",
                       "channel_type": "C", "team": TEAM, "event_ts": "1772352000.000200" }
        }
    });
    second.send(Frame::Text(event.to_string())).await.unwrap();
    let ack = next_json(&mut second).await;
    assert_eq!(
        ack,
        json!({ "envelope_id": "b1b2c3d4-0000-4000-8000-000000000001" })
    );
    assert_eq!(
        slack
            .bot
            .count("members WHERE platform_user_id = 'U0SOCK001'")
            .await,
        1
    );

    stop_tx.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), client)
        .await
        .expect("the client stops")
        .unwrap()
        .unwrap();
}

/// Slack's refresh: the new connection opens while the old one still acknowledges what it
/// received; `link_disabled` stops Socket Mode instead of reconnecting forever.
#[sqlx::test]
async fn a_refresh_overlaps_connections_and_link_disabled_stops(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_url = format!("ws://{}/link/?ticket=1", listener.local_addr().unwrap());
    Mock::given(method("POST"))
        .and(path("/apps.connections.open"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "url": ws_url })),
        )
        .expect(2)
        .mount(&slack.mock)
        .await;
    let (_stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let client = tokio::spawn(socket::run(
        slack.app.clone(),
        SecretString::from("xapp-1-test"),
        stop_rx,
    ));
    let hello = json!({ "type": "hello", "num_connections": 1 }).to_string();
    let (tcp, _) = listener.accept().await.unwrap();
    let mut first = tokio_tungstenite::accept_async(tcp).await.unwrap();
    first.send(Frame::Text(hello.clone())).await.unwrap();
    let envelope = json!({
        "envelope_id": "e-refresh-1", "type": "slash_commands", "accepts_response_payload": true,
        "payload": {
            "token": "x", "team_id": TEAM, "channel_id": "C0SPRING1", "user_id": SAM,
            "user_name": "sam", "command": "/cohort", "text": "list",
            "response_url": slack.response_url(), "trigger_id": "1.2.3"
        }
    });
    first.send(Frame::Text(envelope.to_string())).await.unwrap();
    first
        .send(Frame::Text(
            json!({ "type": "disconnect", "reason": "refresh_requested" }).to_string(),
        ))
        .await
        .unwrap();

    // The new connection is opened while the first is still open for its ack.
    let (tcp, _) = tokio::time::timeout(Duration::from_secs(5), listener.accept())
        .await
        .expect("the client opens a new connection")
        .unwrap();
    let mut second = tokio_tungstenite::accept_async(tcp).await.unwrap();
    let ack = next_json(&mut first).await;
    assert_eq!(ack["envelope_id"], "e-refresh-1");
    // Once the new one says hello, the old one is closed.
    second.send(Frame::Text(hello)).await.unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match first.next().await {
                None | Some(Ok(Frame::Close(_))) | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the replaced connection is closed");

    second
        .send(Frame::Text(
            json!({ "type": "disconnect", "reason": "link_disabled" }).to_string(),
        ))
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(5), client)
        .await
        .expect("Socket Mode stops on link_disabled")
        .unwrap()
        .unwrap();
}
