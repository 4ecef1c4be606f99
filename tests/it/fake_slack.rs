//! A fake Slack Web API that behaves like the real one under load: each method's tier as a
//! per-minute budget (with the minute scaled down for tests), `chat.postMessage` at one
//! message a second per channel with a short burst, 429 with `Retry-After`, and message
//! `metadata` kept so `conversations.history` finds a post already made. It records every
//! call it sees.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::time::Instant;

use cohortbot::chat::slack::api::SlackLimits;

/// Messages a channel takes at once before its one-a-second pace applies.
const CHANNEL_BURST: f64 = 2.0;

/// One call as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub method: String,
    pub status: u16,
}

/// A token bucket: `capacity` tokens, refilled at `per_second`.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
}

impl Bucket {
    fn take(&mut self, capacity: f64, per_second: f64, now: Instant) -> Result<(), Duration> {
        let elapsed = now.duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * per_second).min(capacity);
        self.refilled = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / per_second))
        }
    }
}

#[derive(Debug)]
struct Ledger {
    minute: Duration,
    buckets: HashMap<String, Bucket>,
    /// channel → messages, oldest first, each with its metadata.
    channels: HashMap<String, Vec<Value>>,
    seen: Vec<Seen>,
    storm_until: Option<Instant>,
    next_ts: u64,
}

#[derive(Clone)]
pub struct FakeSlack {
    ledger: Arc<Mutex<Ledger>>,
    pub url: String,
}

impl FakeSlack {
    /// Enforces Slack's tiers per `limits.minute`.
    pub async fn start(limits: SlackLimits) -> Self {
        let ledger = Arc::new(Mutex::new(Ledger {
            minute: limits.minute,
            buckets: HashMap::new(),
            channels: HashMap::new(),
            seen: Vec::new(),
            storm_until: None,
            next_ts: 1_772_352_000_000_100,
        }));
        let app = Router::new()
            .route("/{method}", post(call))
            .with_state(ledger.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { ledger, url }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap()
    }

    /// Every call answers 429 (`Retry-After: 1`) for `length` from now.
    pub fn storm(&self, length: Duration) {
        self.lock().storm_until = Some(Instant::now() + length);
    }

    /// channel → how many messages it holds.
    pub fn message_counts(&self) -> HashMap<String, usize> {
        self.lock()
            .channels
            .iter()
            .map(|(c, m)| (c.clone(), m.len()))
            .collect()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }
}

type Shared = Arc<Mutex<Ledger>>;

fn ok(mut body: Value) -> Response {
    body["ok"] = json!(true);
    axum::Json(body).into_response()
}

fn limited(wait: Duration) -> Response {
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(json!({ "ok": false, "error": "ratelimited" })),
    )
        .into_response();
    // Slack sends whole seconds.
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    response
        .headers_mut()
        .insert("retry-after", seconds.to_string().parse().unwrap());
    response
}

/// The call's arguments: JSON for write methods, a form for read methods.
fn arguments(headers: &HeaderMap, body: &Bytes) -> Value {
    let json = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        serde_json::from_slice(body).unwrap_or(Value::Null)
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        Value::Object(pairs.into_iter().map(|(k, v)| (k, json!(v))).collect())
    }
}

async fn call(
    State(ledger): State<Shared>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let args = arguments(&headers, &body);
    let mut l = ledger.lock().unwrap();
    let now = Instant::now();
    let response = answer(&mut l, now, &method, &args);
    l.seen.push(Seen {
        at: now,
        method,
        status: response.status().as_u16(),
    });
    response
}

fn answer(l: &mut Ledger, now: Instant, method: &str, args: &Value) -> Response {
    if l.storm_until.is_some_and(|t| now < t) {
        return limited(Duration::from_secs(1));
    }
    let minute = l.minute.as_secs_f64();
    let admitted = match (method, SlackLimits::tier(method)) {
        ("chat.postMessage", _) => {
            let channel = args["channel"].as_str().unwrap_or_default();
            l.buckets
                .entry(format!("channel {channel}"))
                .or_insert(Bucket {
                    tokens: CHANNEL_BURST,
                    refilled: now,
                })
                .take(CHANNEL_BURST, 1.0, now)
        }
        (_, Some(per_minute)) => {
            let per_minute = f64::from(per_minute);
            l.buckets
                .entry(method.to_owned())
                .or_insert(Bucket {
                    tokens: per_minute,
                    refilled: now,
                })
                .take(per_minute, per_minute / minute, now)
        }
        (_, None) => Ok(()),
    };
    if let Err(wait) = admitted {
        return limited(wait);
    }
    match method {
        "conversations.open" => {
            let user = args["users"].as_str().unwrap_or_default();
            ok(json!({ "channel": { "id": format!("D{user}") } }))
        }
        "chat.postMessage" => {
            let channel = args["channel"].as_str().unwrap_or_default().to_owned();
            l.next_ts += 100;
            let ts = format!("{}.{:06}", l.next_ts / 1_000_000, l.next_ts % 1_000_000);
            l.channels.entry(channel.clone()).or_default().push(json!({
                "ts": ts, "text": args["text"], "metadata": args["metadata"],
            }));
            ok(json!({ "channel": channel, "ts": ts }))
        }
        "conversations.history" => {
            let channel = args["channel"].as_str().unwrap_or_default();
            let limit: usize = args["limit"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(100);
            let messages: Vec<Value> = l
                .channels
                .get(channel)
                .map(|m| m.iter().rev().take(limit).cloned().collect())
                .unwrap_or_default();
            ok(json!({ "messages": messages }))
        }
        _ => (
            StatusCode::OK,
            axum::Json(json!({ "ok": false, "error": "unknown_method" })),
        )
            .into_response(),
    }
}
