//! The Slack Web API over reqwest: JSON for write methods, form-encoded for read methods.

use std::time::Duration;

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use thiserror::Error;

use crate::outbox::SendError;
use crate::render::slack::SlackMessage;

/// How long one Web API call may take before it counts as a transient failure.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("Slack rate-limited {method}")]
    RateLimited {
        method: String,
        retry_after: Option<Duration>,
    },
    #[error("Slack {method} failed: {error}")]
    Slack { method: String, error: String },
    #[error("Slack {method} answered HTTP {status}")]
    Status { method: String, status: StatusCode },
    #[error("calling Slack {method}: {source}")]
    Network {
        method: String,
        #[source]
        source: reqwest::Error,
    },
}

/// `ok: false` errors that go away by themselves.
const TRANSIENT_ERRORS: &[&str] = &[
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
];

impl ApiError {
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::RateLimited { .. } | ApiError::Network { .. } => true,
            ApiError::Status { status, .. } => status.is_server_error(),
            ApiError::Slack { error, .. } => TRANSIENT_ERRORS.contains(&error.as_str()),
        }
    }
}

impl From<ApiError> for SendError {
    fn from(err: ApiError) -> Self {
        let reason = err.to_string();
        match err {
            ApiError::RateLimited { retry_after, .. } => SendError::Transient {
                reason,
                retry_after,
            },
            err if err.is_transient() => SendError::Transient {
                reason,
                retry_after: None,
            },
            _ => SendError::Permanent(reason),
        }
    }
}

/// A profile as `users.info` reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub display_name: Option<String>,
    pub timezone: Option<String>,
}

/// A posted message: its channel id and `ts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub channel: String,
    pub ts: String,
}

#[derive(Clone)]
pub struct SlackApi {
    http: reqwest::Client,
    base: String,
    token: SecretString,
}

impl std::fmt::Debug for SlackApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackApi")
            .field("base", &self.base)
            .finish()
    }
}

impl SlackApi {
    /// `base` is e.g. `https://slack.com/api`; `token` the bot token (`xoxb-…`).
    pub fn new(base: &str, token: SecretString) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .user_agent(concat!("cohortbot/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token,
        })
    }

    /// A write method: JSON body, bot token.
    pub async fn call(&self, method: &str, body: &Value) -> Result<Value, ApiError> {
        let request = self
            .http
            .post(format!("{}/{method}", self.base))
            .bearer_auth(self.token.expose_secret())
            .json(body);
        answer(method, request).await
    }

    /// A read method: Slack ignores JSON bodies here, so arguments are form-encoded.
    pub async fn call_form(&self, method: &str, form: &[(&str, &str)]) -> Result<Value, ApiError> {
        self.call_form_with(method, form, &self.token).await
    }

    async fn call_form_with(
        &self,
        method: &str,
        form: &[(&str, &str)],
        token: &SecretString,
    ) -> Result<Value, ApiError> {
        let request = self
            .http
            .post(format!("{}/{method}", self.base))
            .bearer_auth(token.expose_secret())
            .form(form);
        answer(method, request).await
    }

    pub async fn post_message(
        &self,
        channel: &str,
        message: &SlackMessage,
        metadata: Option<Value>,
    ) -> Result<Posted, ApiError> {
        let mut body = json!({
            "channel": channel,
            "text": message.text,
            "blocks": message.blocks,
            // No automatic linking of names or channels: only explicit `<@U…>` pings.
            "parse": "none",
            "unfurl_links": false,
            "unfurl_media": false,
        });
        if let Some(metadata) = metadata {
            body["metadata"] = metadata;
        }
        let answer = self.call("chat.postMessage", &body).await?;
        Ok(Posted {
            channel: str_field(&answer, "channel").unwrap_or(channel).to_owned(),
            ts: str_field(&answer, "ts").unwrap_or_default().to_owned(),
        })
    }

    pub async fn post_ephemeral(
        &self,
        channel: &str,
        user: &str,
        message: &SlackMessage,
    ) -> Result<(), ApiError> {
        let body = json!({
            "channel": channel,
            "user": user,
            "text": message.text,
            "blocks": message.blocks,
            "parse": "none",
        });
        self.call("chat.postEphemeral", &body).await.map(drop)
    }

    pub async fn update(
        &self,
        channel: &str,
        ts: &str,
        message: &SlackMessage,
    ) -> Result<(), ApiError> {
        let body = json!({
            "channel": channel,
            "ts": ts,
            "text": message.text,
            "blocks": message.blocks,
            "parse": "none",
        });
        self.call("chat.update", &body).await.map(drop)
    }

    /// The DM channel with `user`, opened if needed.
    pub async fn open_dm(&self, user: &str) -> Result<String, ApiError> {
        let answer = self
            .call("conversations.open", &json!({ "users": user }))
            .await?;
        answer["channel"]["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ApiError::Slack {
                method: "conversations.open".into(),
                error: "no channel id in the answer".into(),
            })
    }

    pub async fn open_view(&self, trigger_id: &str, view: &Value) -> Result<(), ApiError> {
        let body = json!({ "trigger_id": trigger_id, "view": view });
        self.call("views.open", &body).await.map(drop)
    }

    pub async fn user_profile(&self, user: &str) -> Result<Profile, ApiError> {
        let answer = self.call_form("users.info", &[("user", user)]).await?;
        let user = &answer["user"];
        let non_empty = |v: &Value| {
            v.as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(Profile {
            display_name: non_empty(&user["profile"]["display_name"])
                .or_else(|| non_empty(&user["real_name"])),
            timezone: non_empty(&user["tz"]),
        })
    }

    /// The channel's latest messages with their metadata, newest first.
    pub async fn history(&self, channel: &str, limit: u32) -> Result<Vec<Value>, ApiError> {
        let limit = limit.to_string();
        let answer = self
            .call_form(
                "conversations.history",
                &[
                    ("channel", channel),
                    ("limit", &limit),
                    ("include_all_metadata", "true"),
                ],
            )
            .await?;
        Ok(answer["messages"].as_array().cloned().unwrap_or_default())
    }

    /// A one-use Socket Mode URL; needs the app-level token (`xapp-…`).
    pub async fn open_socket(&self, app_token: &SecretString) -> Result<String, ApiError> {
        let answer = self
            .call_form_with("apps.connections.open", &[], app_token)
            .await?;
        str_field(&answer, "url")
            .map(str::to_owned)
            .ok_or_else(|| ApiError::Slack {
                method: "apps.connections.open".into(),
                error: "no url in the answer".into(),
            })
    }

    /// Posts a reply to an interaction's `response_url` (valid for 30 minutes, 5 uses).
    pub async fn respond(&self, response_url: &str, body: &Value) -> Result<(), ApiError> {
        let request = self.http.post(response_url).json(body);
        answer("response_url", request).await.map(drop)
    }
}

fn str_field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

async fn answer(method: &str, request: reqwest::RequestBuilder) -> Result<Value, ApiError> {
    let network = |source| ApiError::Network {
        method: method.to_owned(),
        source,
    };
    let response = request.send().await.map_err(network)?;
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        return Err(ApiError::RateLimited {
            method: method.to_owned(),
            retry_after,
        });
    }
    if !status.is_success() {
        return Err(ApiError::Status {
            method: method.to_owned(),
            status,
        });
    }
    let text = response.text().await.map_err(network)?;
    // A response_url answers with a bare `ok`, not JSON.
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|_| json!({ "ok": true }));
    if body["ok"].as_bool() == Some(false) {
        let error = str_field(&body, "error")
            .unwrap_or("unknown_error")
            .to_owned();
        if error == "ratelimited" {
            return Err(ApiError::RateLimited {
                method: method.to_owned(),
                retry_after: None,
            });
        }
        return Err(ApiError::Slack {
            method: method.to_owned(),
            error,
        });
    }
    Ok(body)
}
