//! A fake Discord REST API that behaves like the real one under load: a global budget of
//! 50 requests/s, 5 messages per 5 s per channel, `X-RateLimit-*` headers on every answer,
//! 429 bodies with `retry_after` and `global`, nonce deduplication, and injected faults
//! (global 429 storms, 500s, hangs, latency). It records every request it sees.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};
use tokio::time::Instant;

pub const GLOBAL_PER_SECOND: f64 = 50.0;
pub const CHANNEL_LIMIT: u32 = 5;
pub const CHANNEL_WINDOW: Duration = Duration::from_secs(5);

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Default)]
struct Window {
    started: Option<Instant>,
    used: u32,
}

#[derive(Debug)]
struct Ledger {
    tokens: f64,
    refilled: Instant,
    windows: HashMap<String, Window>,
    nonces: HashMap<String, String>,
    /// (channel, content) of every message created once.
    messages: Vec<(String, String)>,
    seen: Vec<Seen>,
    storm_until: Option<Instant>,
    errors_until: Option<Instant>,
    hang_next: usize,
    latency: Duration,
    /// Requests inside their latency right now, and the most there ever were at once.
    in_flight: usize,
    most_in_flight: usize,
    next_id: u64,
}

#[derive(Clone)]
pub struct FakeDiscord {
    state: Arc<Mutex<Ledger>>,
    pub url: String,
}

impl FakeDiscord {
    pub async fn start() -> Self {
        Self::serve(None).await
    }

    /// Also what a `cohortbot run` asks for besides messages: the gateway's address (with
    /// `shards` and `max_concurrency` 1) and command registration. Anything else is
    /// recorded and answered 404, as Discord answers an unknown route.
    pub async fn start_for_processes(ws_url: &str, shards: u64) -> Self {
        Self::serve(Some((ws_url.to_owned(), shards))).await
    }

    async fn serve(gateway: Option<(String, u64)>) -> Self {
        let now = Instant::now();
        let state = Arc::new(Mutex::new(Ledger {
            tokens: GLOBAL_PER_SECOND,
            refilled: now,
            windows: HashMap::new(),
            nonces: HashMap::new(),
            messages: Vec::new(),
            seen: Vec::new(),
            storm_until: None,
            errors_until: None,
            hang_next: 0,
            latency: Duration::ZERO,
            in_flight: 0,
            most_in_flight: 0,
            next_id: 1_500_000_000_000_000_000,
        }));
        let mut app = Router::new()
            .route("/api/v10/users/@me/channels", post(open_dm))
            .route("/api/v10/channels/{channel}/messages", post(create_message));
        if let Some((ws_url, shards)) = gateway {
            let gateway_bot = json!({ "url": ws_url, "shards": shards, "session_start_limit":
                { "total": 1000, "remaining": 990, "reset_after": 14_400_000, "max_concurrency": 1 } });
            let gateway = json!({ "url": ws_url });
            app = app
                .route(
                    "/api/v10/gateway/bot",
                    get(move |state| answer_with(state, "gateway", gateway_bot.clone())),
                )
                .route(
                    "/api/v10/gateway",
                    get(move |state| answer_with(state, "gateway", gateway.clone())),
                )
                .route(
                    "/api/v10/applications/{app}/commands",
                    put(|state| answer_with(state, "commands", json!([]))),
                )
                .route(
                    "/api/v10/interactions/{id}/{token}/callback",
                    post(interaction_callback),
                )
                .fallback(unknown_route);
        }
        let app = app.with_state(state.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { state, url }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.state.lock().unwrap()
    }

    /// Every request answers a global 429 (`retry_after` 1 s) for `length` from now.
    pub fn storm(&self, length: Duration) {
        self.lock().storm_until = Some(Instant::now() + length);
    }

    /// Every request answers 500 for `length` from now.
    pub fn outage(&self, length: Duration) {
        self.lock().errors_until = Some(Instant::now() + length);
    }

    /// The next `n` requests never answer.
    pub fn hang_next(&self, n: usize) {
        self.lock().hang_next = n;
    }

    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    pub fn messages(&self) -> Vec<(String, String)> {
        self.lock().messages.clone()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// The most requests that were waiting for their answer at once.
    pub fn most_in_flight(&self) -> usize {
        self.lock().most_in_flight
    }
}

type Shared = Arc<Mutex<Ledger>>;

/// Fails unless under 1% of `seen` were 429s; returns how many were.
pub fn assert_under_one_percent_429s(seen: &[Seen]) -> usize {
    let limited = seen.iter().filter(|s| s.status == 429).count();
    assert!(
        limited * 100 < seen.len(),
        "{limited} of {} requests were 429s",
        seen.len()
    );
    limited
}

/// What the fake decides before a request's own work: an injected fault or a limit.
enum Verdict {
    Hang,
    Answer(Response),
    Proceed { bucket: HeaderMap },
}

fn admit(state: &Shared, route: &str, limit: u32, window: Duration) -> Verdict {
    let mut s = state.lock().unwrap();
    let now = Instant::now();
    let (verdict, status) = decide(&mut s, now, route, limit, window);
    s.seen.push(Seen {
        at: now,
        route: route.to_owned(),
        status,
    });
    verdict
}

fn decide(
    s: &mut Ledger,
    now: Instant,
    route: &str,
    limit: u32,
    window: Duration,
) -> (Verdict, u16) {
    if s.hang_next > 0 {
        s.hang_next -= 1;
        return (Verdict::Hang, 0);
    }
    if s.errors_until.is_some_and(|t| now < t) {
        let body = json!({ "message": "500: Internal Server Error", "code": 0 });
        return (
            Verdict::Answer((StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()),
            500,
        );
    }
    let elapsed = now.duration_since(s.refilled).as_secs_f64();
    s.tokens = (s.tokens + elapsed * GLOBAL_PER_SECOND).min(GLOBAL_PER_SECOND);
    s.refilled = now;
    let storming = s.storm_until.is_some_and(|t| now < t);
    if storming || s.tokens < 1.0 {
        let retry_after = if storming {
            1.0
        } else {
            (1.0 - s.tokens) / GLOBAL_PER_SECOND
        };
        let body = json!({ "message": "You are being rate limited.", "retry_after": retry_after, "global": true });
        let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
        let h = response.headers_mut();
        h.insert("x-ratelimit-global", HeaderValue::from_static("true"));
        h.insert("x-ratelimit-scope", HeaderValue::from_static("global"));
        h.insert("retry-after", HeaderValue::from(retry_after.ceil() as u64));
        return (Verdict::Answer(response), 429);
    }
    s.tokens -= 1.0;
    let w = s.windows.entry(route.to_owned()).or_default();
    if w.started.is_none_or(|t| now >= t + window) {
        w.started = Some(now);
        w.used = 0;
    }
    let reset_after = (w.started.unwrap() + window)
        .saturating_duration_since(now)
        .as_secs_f64();
    let mut headers = HeaderMap::new();
    headers.insert("x-ratelimit-limit", HeaderValue::from(limit));
    headers.insert(
        "x-ratelimit-bucket",
        HeaderValue::from_str(&format!("b{:x}", route.len())).unwrap(),
    );
    headers.insert(
        "x-ratelimit-reset-after",
        HeaderValue::from_str(&format!("{reset_after:.3}")).unwrap(),
    );
    if w.used >= limit {
        headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
        headers.insert("x-ratelimit-scope", HeaderValue::from_static("user"));
        let body = json!({ "message": "You are being rate limited.", "retry_after": reset_after, "global": false });
        let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
        response.headers_mut().extend(headers);
        return (Verdict::Answer(response), 429);
    }
    w.used += 1;
    headers.insert("x-ratelimit-remaining", HeaderValue::from(limit - w.used));
    (Verdict::Proceed { bucket: headers }, 200)
}

async fn latency(state: &Shared) {
    let latency = {
        let mut s = state.lock().unwrap();
        s.in_flight += 1;
        s.most_in_flight = s.most_in_flight.max(s.in_flight);
        s.latency
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    state.lock().unwrap().in_flight -= 1;
}

async fn open_dm(State(state): State<Shared>, Json(body): Json<Value>) -> Response {
    latency(&state).await;
    let headers = match admit(&state, "dm-open", 1_000, Duration::from_secs(1)) {
        Verdict::Hang => return std::future::pending().await,
        Verdict::Answer(response) => return response,
        Verdict::Proceed { bucket } => bucket,
    };
    let recipient = body["recipient_id"].as_str().unwrap_or_default();
    // A DM channel id derived from the user id, as stable as Discord's.
    let id = format!("9{recipient}");
    (headers, Json(json!({ "id": id, "type": 1 }))).into_response()
}

/// A route with a fixed answer, inside the global budget like every request.
async fn answer_with(State(state): State<Shared>, route: &'static str, body: Value) -> Response {
    match admit(&state, route, 1_000, Duration::from_secs(1)) {
        Verdict::Hang => std::future::pending().await,
        Verdict::Answer(response) => response,
        Verdict::Proceed { bucket } => (bucket, Json(body)).into_response(),
    }
}

/// An interaction's answer, recorded as `callback <interaction id>`: 204, as Discord
/// answers (callbacks are outside the global rate limit).
async fn interaction_callback(
    State(state): State<Shared>,
    Path((id, _token)): Path<(String, String)>,
) -> Response {
    state.lock().unwrap().seen.push(Seen {
        at: Instant::now(),
        route: format!("callback {id}"),
        status: 204,
    });
    StatusCode::NO_CONTENT.into_response()
}

async fn unknown_route(State(state): State<Shared>, uri: Uri) -> Response {
    state.lock().unwrap().seen.push(Seen {
        at: Instant::now(),
        route: format!("unknown {}", uri.path()),
        status: 404,
    });
    let body = json!({ "message": "404: Not Found", "code": 0 });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

async fn create_message(
    State(state): State<Shared>,
    Path(channel): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    latency(&state).await;
    let route = format!("messages {channel}");
    let headers = match admit(&state, &route, CHANNEL_LIMIT, CHANNEL_WINDOW) {
        Verdict::Hang => return std::future::pending().await,
        Verdict::Answer(response) => return response,
        Verdict::Proceed { bucket } => bucket,
    };
    let mut s = state.lock().unwrap();
    let nonce = body["nonce"].as_str().unwrap_or_default().to_owned();
    let id = match s.nonces.get(&nonce) {
        // `enforce_nonce`: a repeat returns the first message.
        Some(id) => id.clone(),
        None => {
            s.next_id += 1;
            let id = s.next_id.to_string();
            s.nonces.insert(nonce, id.clone());
            let content = body["content"].as_str().unwrap_or_default().to_owned();
            s.messages.push((channel.clone(), content));
            id
        }
    };
    (
        headers,
        Json(json!({ "id": id, "channel_id": channel, "type": 0 })),
    )
        .into_response()
}
