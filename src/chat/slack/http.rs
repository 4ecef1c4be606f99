//! HTTP mode: `/slack/commands`, `/slack/interactions` and `/slack/events`, each verified
//! against the signing secret before anything else.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::Value;

use super::app::SlackApp;
use super::commands::SlashCommand;
use super::verify;

pub fn routes(app: SlackApp) -> Router {
    Router::new()
        .route("/slack/commands", post(commands))
        .route("/slack/interactions", post(interactions))
        .route("/slack/events", post(events))
        .with_state(app)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn verified(app: &SlackApp, headers: &HeaderMap, body: &[u8]) -> Result<(), StatusCode> {
    let Some(secret) = app.signing_secret() else {
        tracing::warn!("Slack request refused: no signing secret configured");
        return Err(StatusCode::UNAUTHORIZED);
    };
    let now = app.services().clock.now().timestamp();
    verify::verify(
        secret.expose_secret().as_bytes(),
        header(headers, "x-slack-request-timestamp"),
        header(headers, "x-slack-signature"),
        body,
        now,
    )
    .map_err(|rejected| {
        tracing::warn!(%rejected, "Slack request refused");
        StatusCode::UNAUTHORIZED
    })?;
    if let Some(retry) = header(headers, "x-slack-retry-num") {
        tracing::info!(
            retry,
            reason = header(headers, "x-slack-retry-reason").unwrap_or_default(),
            "Slack redelivery"
        );
    }
    Ok(())
}

fn answer(body: Option<Value>) -> Response {
    match body {
        Some(body) => axum::Json(body).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

fn bad_request(what: &str, err: impl std::fmt::Display) -> Response {
    tracing::warn!(error = %err, "unreadable Slack {what}");
    StatusCode::BAD_REQUEST.into_response()
}

#[derive(Deserialize)]
struct SslCheck {
    ssl_check: String,
}

async fn commands(State(app): State<SlackApp>, headers: HeaderMap, body: Bytes) -> Response {
    // Slack checks the certificate of a command URL with an unsigned `ssl_check=1` POST
    // and expects 200; it carries nothing to act on.
    if serde_urlencoded::from_bytes::<SslCheck>(&body).is_ok_and(|c| c.ssl_check == "1") {
        tracing::debug!("Slack ssl_check answered");
        return StatusCode::OK.into_response();
    }
    if let Err(refused) = verified(&app, &headers, &body) {
        return refused.into_response();
    }
    match serde_urlencoded::from_bytes::<SlashCommand>(&body) {
        Ok(cmd) => answer(app.command(cmd).await),
        Err(err) => bad_request("slash command", err),
    }
}

#[derive(Deserialize)]
struct InteractionForm {
    payload: String,
}

async fn interactions(State(app): State<SlackApp>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = verified(&app, &headers, &body) {
        return refused.into_response();
    }
    let payload = serde_urlencoded::from_bytes::<InteractionForm>(&body)
        .map_err(|e| e.to_string())
        .and_then(|f| serde_json::from_str::<Value>(&f.payload).map_err(|e| e.to_string()));
    match payload {
        Ok(payload) => answer(app.interaction(payload).await),
        Err(err) => bad_request("interaction", err),
    }
}

async fn events(State(app): State<SlackApp>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = verified(&app, &headers, &body) {
        return refused.into_response();
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(payload) => answer(app.event(payload).await),
        Err(err) => bad_request("event", err),
    }
}
