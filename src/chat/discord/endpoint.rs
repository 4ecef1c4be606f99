//! HTTP interactions: `POST /discord/interactions`, Ed25519-verified, answered within
//! Discord's 3 seconds (deferred with a follow-up when the services take longer).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::Value;
use serenity::model::application::Interaction;

use super::handler::{Answer, Handler};
use super::respond;

/// Requests signed longer ago (or further ahead) than this are refused as replays.
const MAX_SKEW_SECS: i64 = 300;

pub struct Endpoint {
    handler: Arc<Handler>,
    key: VerifyingKey,
    defer_after: Duration,
}

impl Endpoint {
    /// `public_key` is the application's hex public key from the developer portal.
    pub fn new(
        handler: Arc<Handler>,
        public_key: &str,
        defer_after: Duration,
    ) -> anyhow::Result<Self> {
        let bytes: [u8; 32] = hex::decode(public_key.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| anyhow::anyhow!("discord.public_key must be 64 hex digits"))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|e| anyhow::anyhow!("discord.public_key is not an Ed25519 key: {e}"))?;
        Ok(Self {
            handler,
            key,
            defer_after,
        })
    }
}

pub fn routes(endpoint: Endpoint) -> Router {
    Router::new()
        .route("/discord/interactions", post(interactions))
        .with_state(Arc::new(endpoint))
}

async fn interactions(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = endpoint.handler.services.clock.now().timestamp();
    if let Err(reason) = verify(&endpoint.key, &headers, &body, now) {
        tracing::info!(reason, "Discord interaction refused");
        return (StatusCode::UNAUTHORIZED, "invalid request signature").into_response();
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(interaction) => interaction,
        Err(err) => {
            // A PING is answered even if a newer payload shape trips the model.
            let raw: Option<Value> = serde_json::from_slice(&body).ok();
            if raw.as_ref().and_then(|v| v["type"].as_u64()) == Some(1) {
                return axum::Json(serde_json::json!({ "type": 1 })).into_response();
            }
            tracing::warn!(error = %err, "unreadable Discord interaction");
            return (StatusCode::BAD_REQUEST, "unreadable interaction").into_response();
        }
    };
    let token = interaction.token().to_owned();
    match endpoint
        .handler
        .answer(interaction, endpoint.defer_after)
        .await
    {
        Answer::Now(reply) => {
            if !reply.followups.is_empty() {
                respond::spawn_followups(&endpoint.handler, token, reply.followups);
            }
            axum::Json(reply.response).into_response()
        }
        Answer::Deferred { initial, later } => {
            respond::spawn_finish(&endpoint.handler, token, &initial, later);
            axum::Json(initial).into_response()
        }
    }
}

/// Checks `X-Signature-Ed25519` over `X-Signature-Timestamp` + body, and the timestamp's age.
pub fn verify(
    key: &VerifyingKey,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<(), &'static str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signature = header("x-signature-ed25519").ok_or("no signature")?;
    let timestamp = header("x-signature-timestamp").ok_or("no timestamp")?;
    let signed_at: i64 = timestamp.parse().map_err(|_| "bad timestamp")?;
    if (now - signed_at).abs() > MAX_SKEW_SECS {
        return Err("stale timestamp");
    }
    let bytes: [u8; 64] = hex::decode(signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or("malformed signature")?;
    let mut message = Vec::with_capacity(timestamp.len() + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.extend_from_slice(body);
    key.verify_strict(&message, &Signature::from_bytes(&bytes))
        .map_err(|_| "bad signature")
}
