//! The Slack Web API over reqwest: JSON for write methods, form-encoded for read methods.
//!
//! Every call passes the outbox's [`Gate`] (one probe at a time while Slack fails or
//! rate-limits) and its method's tier budget, so the bot never relies on 429s for pacing.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use thiserror::Error;

use crate::outbox::SendError;
use crate::outbox::gate::{Gate, Outcome};
use crate::outbox::health::DeliveryHealth;
use crate::render::slack::SlackMessage;
use crate::telemetry::metrics::metrics;

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
            ApiError::RateLimited { retry_after, .. } => SendError::RateLimited {
                reason,
                retry_after: retry_after.unwrap_or(RETRY_AFTER_MISSING),
            },
            err if err.is_transient() => SendError::Transient {
                reason,
                retry_after: None,
            },
            _ => SendError::Permanent(reason),
        }
    }
}

/// The wait after a 429 that names none.
const RETRY_AFTER_MISSING: Duration = Duration::from_secs(1);

/// Slack's documented per-method tiers, in calls per minute per workspace
/// (api.slack.com/apis/rate-limits). `chat.postMessage` is "special": one message per
/// second per channel, paced by the sender. `apps.connections.open` (tier 1) is left out:
/// Slack asks for it on a refresh, and a wait there would drop events.
const TIERS: &[(&str, u32)] = &[
    ("chat.postEphemeral", 100),
    ("chat.update", 50),
    ("conversations.archive", 20),
    ("conversations.create", 20),
    ("conversations.history", 50),
    ("conversations.info", 50),
    ("conversations.invite", 50),
    ("conversations.open", 50),
    ("usergroups.list", 20),
    ("usergroups.users.list", 20),
    ("usergroups.users.update", 20),
    ("users.info", 100),
    ("views.open", 100),
    ("views.publish", 100),
    ("views.update", 100),
];

/// Slack's rate limits as the bot paces them: real tiers by default. Tests scale the
/// minute down, with a fake Slack that enforces the same scaled tiers.
#[derive(Debug, Clone, Copy)]
pub struct SlackLimits {
    /// The period a tier's count is per.
    pub minute: Duration,
}

impl Default for SlackLimits {
    fn default() -> Self {
        Self {
            minute: Duration::from_secs(60),
        }
    }
}

impl SlackLimits {
    /// The tier of `method` in calls per minute, if Slack documents one.
    pub fn tier(method: &str) -> Option<u32> {
        TIERS.iter().find(|(m, _)| *m == method).map(|(_, n)| *n)
    }

    fn limiters(self) -> HashMap<&'static str, DefaultDirectRateLimiter> {
        TIERS
            .iter()
            .filter_map(|&(method, per_minute)| {
                // Evenly spaced (a burst of one): a workspace that counts per minute never
                // sees more than the tier in any minute.
                let quota =
                    Quota::with_period(self.minute / per_minute)?.allow_burst(NonZeroU32::MIN);
                Some((method, RateLimiter::direct(quota)))
            })
            .collect()
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
    gate: Arc<Gate>,
    tiers: Arc<HashMap<&'static str, DefaultDirectRateLimiter>>,
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
            gate: Gate::circuit_only("slack", DeliveryHealth::default()),
            tiers: Arc::new(SlackLimits::default().limiters()),
        })
    }

    /// Paced at `limits` instead of Slack's real tiers.
    pub fn with_limits(mut self, limits: SlackLimits) -> Self {
        self.tiers = Arc::new(limits.limiters());
        self
    }

    /// Reports held delivery (an open circuit) to `health`.
    pub fn reporting_to(mut self, health: DeliveryHealth) -> Self {
        self.gate = Gate::circuit_only("slack", health);
        self
    }

    /// Waits for the circuit and `method`'s tier, sends, and reports the answer.
    async fn paced(
        &self,
        method: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<Value, ApiError> {
        let ticket = self
            .gate
            .admit(method)
            .await
            .map_err(|wait| ApiError::RateLimited {
                method: method.to_owned(),
                retry_after: Some(wait),
            })?;
        if let Some(tier) = self.tiers.get(method) {
            tier.until_ready().await;
        }
        let result = answer(method, request).await;
        ticket.record(&outcome(&result));
        result
    }

    /// A write method: JSON body, bot token.
    pub async fn call(&self, method: &str, body: &Value) -> Result<Value, ApiError> {
        let request = self
            .http
            .post(format!("{}/{method}", self.base))
            .bearer_auth(self.token.expose_secret());
        self.paced(method, json_body(request, body)).await
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
        self.paced(method, request).await
    }

    /// Posts `message` in `channel`, or in the thread of message `thread_ts` there.
    pub async fn post_message(
        &self,
        channel: &str,
        message: &SlackMessage,
        metadata: Option<Value>,
        thread_ts: Option<&str>,
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
        if let Some(ts) = thread_ts {
            body["thread_ts"] = json!(ts);
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

    /// Every user in the user group `group`.
    pub async fn usergroup_users(&self, group: &str) -> Result<Vec<String>, ApiError> {
        let answer = self
            .call_form("usergroups.users.list", &[("usergroup", group)])
            .await?;
        Ok(answer["users"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u.as_str().map(str::to_owned))
            .collect())
    }

    /// Replaces the user group's whole list with `users`: Slack has no add or remove.
    pub async fn set_usergroup_users(&self, group: &str, users: &[String]) -> Result<(), ApiError> {
        let body = json!({ "usergroup": group, "users": users.join(",") });
        self.call("usergroups.users.update", &body).await.map(drop)
    }

    /// Whether the workspace has user groups at all: a free plan answers with an error.
    pub async fn list_usergroups(&self) -> Result<(), ApiError> {
        self.call_form("usergroups.list", &[]).await.map(drop)
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

    /// A new private channel named `name`: its id.
    pub async fn create_private_channel(&self, name: &str) -> Result<String, ApiError> {
        let body = json!({ "name": name, "is_private": true });
        let answer = self.call("conversations.create", &body).await?;
        answer["channel"]["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| ApiError::Slack {
                method: "conversations.create".into(),
                error: "no channel id in the answer".into(),
            })
    }

    /// Adds `users` to `channel`; those in it already stay, without an error.
    pub async fn invite(&self, channel: &str, users: &[String]) -> Result<(), ApiError> {
        let body = json!({ "channel": channel, "users": users.join(",") });
        match self.call("conversations.invite", &body).await {
            Err(ApiError::Slack { error, .. }) if error == "already_in_channel" => Ok(()),
            other => other.map(drop),
        }
    }

    /// Takes `user` out of `channel`. Refusals come back as they are: whether "not in the
    /// channel" is done depends on why the caller asked.
    pub async fn kick(&self, channel: &str, user: &str) -> Result<(), ApiError> {
        let body = json!({ "channel": channel, "user": user });
        self.call("conversations.kick", &body).await.map(drop)
    }

    /// Archives `channel`; one archived already is no error.
    pub async fn archive(&self, channel: &str) -> Result<(), ApiError> {
        match self
            .call("conversations.archive", &json!({ "channel": channel }))
            .await
        {
            Err(ApiError::Slack { error, .. }) if error == "already_archived" => Ok(()),
            other => other.map(drop),
        }
    }

    pub async fn open_view(&self, trigger_id: &str, view: &Value) -> Result<(), ApiError> {
        let body = json!({ "trigger_id": trigger_id, "view": view });
        self.call("views.open", &body).await.map(drop)
    }

    /// Publishes `user`'s Home tab.
    pub async fn publish_view(&self, user: &str, view: &Value) -> Result<(), ApiError> {
        let body = json!({ "user_id": user, "view": view });
        self.call("views.publish", &body).await.map(drop)
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
        let request = json_body(self.http.post(response_url), body);
        answer("response_url", request).await.map(drop)
    }
}

/// A JSON body with the charset Slack asks for: without it Slack warns `missing_charset`
/// and may misread non-ASCII text.
fn json_body(request: reqwest::RequestBuilder, body: &Value) -> reqwest::RequestBuilder {
    request
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .body(body.to_string())
}

/// What an answer says about Slack's health: a 429 holds every method (Slack limits per
/// app and workspace, and a storm must get one probe, not one per post).
fn outcome(result: &Result<Value, ApiError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Answered { bucket: None },
        Err(ApiError::RateLimited { retry_after, .. }) => Outcome::RateLimited {
            retry_after: retry_after.unwrap_or(RETRY_AFTER_MISSING),
            global: true,
        },
        Err(err) if err.is_transient() => Outcome::Failed,
        Err(_) => Outcome::Answered { bucket: None },
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
    let response = request.send().await.map_err(|err| {
        metrics().request("slack", None);
        network(err)
    })?;
    let status = response.status();
    metrics().request("slack", Some(status.as_u16()));
    if status == StatusCode::TOO_MANY_REQUESTS {
        metrics().rate_limited("slack");
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
            metrics().rate_limited("slack");
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
