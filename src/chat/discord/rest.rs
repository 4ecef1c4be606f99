//! Discord REST through serenity's `Http`: its routes, token and rate limiter, with the
//! response status mapped to "retry" or "rejected" for the outbox.
//!
//! serenity turns every error response into one opaque error and drops the 429 body and
//! headers, so requests the outbox retries are built with serenity's `Request` and their
//! responses read here.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;
use serenity::http::{Http, HttpBuilder, LightMethod, Request, Route};
use serenity::model::id::ApplicationId;

/// How long one REST call may take before it counts as a (retryable) timeout.
const TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, PartialEq)]
pub enum RestError {
    /// 429, 5xx, timeouts and connection errors: worth retrying.
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
            RestError::Transient { reason, .. } => f.write_str(reason),
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
    pub fn new(token: &str, application_id: Option<u64>, api_base: Option<&str>) -> Result<Self> {
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
        Ok(Self {
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
        let mut request = Request::new(route, method);
        if let Some(body) = body {
            request = request.body(Some(
                serde_json::to_vec(body).expect("JSON values serialise"),
            ));
        }
        let response = match &self.http.ratelimiter {
            Some(limiter) => limiter.perform(request).await.map_err(transient)?,
            None => {
                let built = request
                    .build(&self.client, &self.authorization, self.proxy.as_deref())
                    .map_err(transient)?
                    .build()
                    .map_err(transient)?;
                self.client.execute(built).await.map_err(transient)?
            }
        };
        let status = response.status();
        let header_wait = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<f64>().ok());
        let text = response.text().await.map_err(transient)?;
        let json: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if status.is_success() {
            return Ok(json);
        }
        let message = json
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error"))
            .to_owned();
        if status.as_u16() == 429 || status.is_server_error() {
            let body_wait = json.get("retry_after").and_then(Value::as_f64);
            let retry_after = body_wait
                .or(header_wait)
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64);
            return Err(RestError::Transient {
                reason: format!("Discord {}: {message}", status.as_u16()),
                retry_after,
            });
        }
        Err(RestError::Rejected {
            status: status.as_u16(),
            code: json.get("code").and_then(Value::as_i64),
            message,
        })
    }
}

fn transient(err: impl std::fmt::Display) -> RestError {
    RestError::Transient {
        reason: format!("Discord request failed: {err}"),
        retry_after: None,
    }
}
