//! Discord REST through serenity's `Http`: its routes, token and rate limiter, with the
//! response status mapped to "retry" or "rejected" for the outbox.
//!
//! serenity turns every error response into one opaque error and drops the 429 body and
//! headers, so requests the outbox retries are built with serenity's `Request` and their
//! responses read here.
//!
//! Every call passes the outbox's [`Gate`]. With serenity's limiter off (`api_base`: a test
//! fake or a REST proxy) the gate paces everything: Discord's global 50 requests/s and the
//! per-route buckets from the `X-RateLimit-*` headers. With serenity's limiter on, serenity
//! waits for buckets and the gate only holds the circuit, so nothing waits twice.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use reqwest::header::HeaderMap;
use serde_json::Value;
use serenity::http::{Http, HttpBuilder, LightMethod, Request, Route};
use serenity::model::id::ApplicationId;

use crate::outbox::gate::{BucketState, Gate, Outcome};
use crate::outbox::health::DeliveryHealth;
use crate::telemetry::metrics::metrics;

/// How long one REST call may take before it counts as a (retryable) timeout.
const TIMEOUT: Duration = Duration::from_secs(15);
/// Discord's global limit for a bot: 50 requests per second.
const GLOBAL_PER_SECOND: std::num::NonZeroU32 = std::num::NonZeroU32::new(50).unwrap();
/// The bot's share of it, for every process together: 4% under the limit, so the few
/// milliseconds between a slot and its request never put a 51st in one second.
const SHARED_PER_SECOND: u32 = 48;

/// Discord's global budget as every process shares it (`send_pacing`): the outbox's posts,
/// command registration and the gateway's start all take their slots in it.
pub fn shared_budget() -> crate::outbox::Pacing {
    crate::outbox::Pacing::Global {
        key: "discord",
        interval: Duration::from_secs(1) / SHARED_PER_SECOND,
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RestError {
    /// 429: Discord asked to wait `retry_after`.
    RateLimited {
        reason: String,
        retry_after: Duration,
    },
    /// 5xx, timeouts and connection errors: worth retrying.
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Any other 4xx: Discord said no (`code` is Discord's JSON error code).
    Rejected {
        status: u16,
        code: Option<i64>,
        message: String,
    },
}

impl std::fmt::Display for RestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestError::Transient { reason, .. } | RestError::RateLimited { reason, .. } => {
                f.write_str(reason)
            }
            RestError::Rejected {
                status,
                code,
                message,
            } => match code {
                Some(code) => write!(f, "Discord {status} (code {code}): {message}"),
                None => write!(f, "Discord {status}: {message}"),
            },
        }
    }
}

/// Discord's JSON error code for "Cannot send messages to this user".
pub const DMS_CLOSED: i64 = 50007;
/// "Unknown Channel": e.g. a stored DM channel Discord has dropped.
pub const UNKNOWN_CHANNEL: i64 = 10003;

pub struct Rest {
    http: Arc<Http>,
    token: String,
    application_id: Option<u64>,
    client: reqwest::Client,
    proxy: Option<String>,
    authorization: String,
    gate: Arc<Gate>,
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rest")
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

impl Rest {
    /// `api_base` (tests, a proxy) turns serenity's rate limiter off, as serenity ignores the
    /// proxy inside it; the outbox then paces requests from 429 answers.
    pub fn new(
        token: &str,
        application_id: Option<u64>,
        api_base: Option<&str>,
        health: DeliveryHealth,
    ) -> Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .use_rustls_tls()
            .build()
            .context("building the Discord HTTP client")?;
        let mut builder = HttpBuilder::new(token).client(client.clone());
        if let Some(id) = application_id {
            builder = builder.application_id(ApplicationId::new(id));
        }
        if let Some(base) = api_base {
            builder = builder.proxy(base).ratelimiter_disabled(true);
        }
        let authorization = if token.starts_with("Bot ") {
            token.to_owned()
        } else {
            format!("Bot {token}")
        };
        let gate = match api_base {
            Some(_) => Gate::new("discord", Some(GLOBAL_PER_SECOND), health),
            None => Gate::circuit_only("discord", health),
        };
        Ok(Self {
            gate,
            http: Arc::new(builder.build()),
            token: token.to_owned(),
            application_id,
            client,
            proxy: api_base.map(str::to_owned),
            authorization,
        })
    }

    pub fn http(&self) -> &Arc<Http> {
        &self.http
    }

    pub fn application_id(&self) -> Option<u64> {
        self.application_id
    }

    /// Another `Http` like this one, for serenity's gateway client (which takes ownership).
    pub fn build_http(&self) -> Http {
        let mut builder = HttpBuilder::new(&self.token).client(self.client.clone());
        if let Some(id) = self.application_id {
            builder = builder.application_id(ApplicationId::new(id));
        }
        if let Some(base) = &self.proxy {
            builder = builder.proxy(base).ratelimiter_disabled(true);
        }
        builder.build()
    }

    /// Sends one request and returns the JSON answer (`Null` for 204).
    pub async fn call(
        &self,
        route: Route<'_>,
        method: LightMethod,
        body: Option<&Value>,
    ) -> Result<Value, RestError> {
        self.call_with_reason(route, method, body, None).await
    }

    /// A GET with query parameters (a page of a list).
    pub async fn get_with_query(
        &self,
        route: Route<'_>,
        query: Vec<(&'static str, String)>,
    ) -> Result<Value, RestError> {
        self.admitted(route, LightMethod::Get, None, None, Some(query))
            .await
    }

    /// [`Rest::call`] with a reason for the server's audit log.
    pub async fn call_with_reason(
        &self,
        route: Route<'_>,
        method: LightMethod,
        body: Option<&Value>,
        reason: Option<&str>,
    ) -> Result<Value, RestError> {
        self.admitted(route, method, body, reason, None).await
    }

    /// Sends once the gate admits the route.
    async fn admitted(
        &self,
        route: Route<'_>,
        method: LightMethod,
        body: Option<&Value>,
        reason: Option<&str>,
        query: Option<Vec<(&'static str, String)>>,
    ) -> Result<Value, RestError> {
        // Method and path with its ids: the unit Discord's buckets are reported for.
        let key = format!("{method:?} {}", route.path());
        let ticket = self
            .gate
            .admit(&key)
            .await
            .map_err(|wait| RestError::RateLimited {
                reason: format!("Discord route {key} is at its limit (not sent)"),
                retry_after: wait,
            })?;
        let (outcome, result) = self.send(route, method, body, reason, query).await;
        ticket.record(&outcome);
        result
    }

    async fn send(
        &self,
        route: Route<'_>,
        method: LightMethod,
        body: Option<&Value>,
        reason: Option<&str>,
        query: Option<Vec<(&'static str, String)>>,
    ) -> (Outcome, Result<Value, RestError>) {
        let failed = |err: RestError| (Outcome::Failed, Err(err));
        let mut request = Request::new(route, method).params(query);
        if let Some(reason) = reason {
            let mut headers = HeaderMap::new();
            // Discord reads the reason URL-encoded.
            if let Ok(value) = reqwest::header::HeaderValue::from_str(&url_encoded(reason)) {
                headers.insert("X-Audit-Log-Reason", value);
            }
            request = request.headers(Some(headers));
        }
        if let Some(body) = body {
            request = request.body(Some(
                serde_json::to_vec(body).expect("JSON values serialise"),
            ));
        }
        let response = match &self.http.ratelimiter {
            Some(limiter) => match limiter.perform(request).await {
                Ok(response) => response,
                Err(err) => {
                    metrics().request("discord", None);
                    return failed(transient(err));
                }
            },
            None => {
                let built = request
                    .build(&self.client, &self.authorization, self.proxy.as_deref())
                    .map_err(transient)
                    .and_then(|b| b.build().map_err(transient));
                let built = match built {
                    Ok(built) => built,
                    Err(err) => return failed(err),
                };
                match self.client.execute(built).await {
                    Ok(response) => response,
                    Err(err) => {
                        metrics().request("discord", None);
                        return failed(transient(err));
                    }
                }
            }
        };
        let status = response.status();
        metrics().request("discord", Some(status.as_u16()));
        let headers = response.headers().clone();
        let text = match response.text().await {
            Ok(text) => text,
            Err(err) => return failed(transient(err)),
        };
        let json: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        let message = json
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error"))
            .to_owned();
        if status.as_u16() == 429 {
            metrics().rate_limited("discord");
            let retry_after = json
                .get("retry_after")
                .and_then(Value::as_f64)
                .or_else(|| header_f64(&headers, "retry-after"))
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
                .unwrap_or(Duration::from_secs(1));
            let global = json.get("global").and_then(Value::as_bool) == Some(true)
                || headers.contains_key("x-ratelimit-global");
            let scope = if global { "global " } else { "" };
            return (
                Outcome::RateLimited {
                    retry_after,
                    global,
                },
                Err(RestError::RateLimited {
                    reason: format!("Discord 429 ({scope}rate limit): {message}"),
                    retry_after,
                }),
            );
        }
        if status.is_server_error() {
            return failed(RestError::Transient {
                reason: format!("Discord {}: {message}", status.as_u16()),
                retry_after: None,
            });
        }
        let outcome = Outcome::Answered {
            bucket: bucket_state(&headers),
        };
        if status.is_success() {
            return (outcome, Ok(json));
        }
        (
            outcome,
            Err(RestError::Rejected {
                status: status.as_u16(),
                code: json.get("code").and_then(Value::as_i64),
                message,
            }),
        )
    }
}

fn header_f64(headers: &HeaderMap, name: &str) -> Option<f64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The route's bucket from `X-RateLimit-Limit`, `-Remaining` and `-Reset-After`.
fn bucket_state(headers: &HeaderMap) -> Option<BucketState> {
    let limit = header_f64(headers, "x-ratelimit-limit")?;
    let remaining = header_f64(headers, "x-ratelimit-remaining")?;
    let reset_after = header_f64(headers, "x-ratelimit-reset-after")?;
    (limit >= 1.0 && remaining >= 0.0 && reset_after.is_finite() && reset_after >= 0.0).then(|| {
        BucketState {
            limit: limit as u32,
            remaining: remaining as u32,
            reset_after: Duration::from_secs_f64(reset_after),
        }
    })
}

fn transient(err: impl std::fmt::Display) -> RestError {
    RestError::Transient {
        reason: format!("Discord request failed: {err}"),
        retry_after: None,
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn url_encoded(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
