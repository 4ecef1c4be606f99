//! `GET /metrics`: the process's health as OpenMetrics text (`telemetry::metrics`), on its
//! own listener (`metrics.listen`, no token) or on the main one behind a bearer token
//! (`metrics.token`). A missing or wrong token gets 401 and a log line.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use subtle::ConstantTimeEq;

use crate::telemetry::metrics::metrics;

/// The OpenMetrics text format's media type.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone)]
struct Scrape {
    pool: PgPool,
    /// `None` on the metrics' own listener.
    token: Option<std::sync::Arc<SecretString>>,
}

/// `/metrics`, asking for `Authorization: Bearer <token>` when `token` is set. Counting
/// starts here: a process that serves no metrics counts nothing.
pub fn routes(pool: PgPool, token: Option<SecretString>) -> Router {
    crate::telemetry::metrics::enable();
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(Scrape {
            pool,
            token: token.map(std::sync::Arc::new),
        })
}

async fn scrape(State(scrape): State<Scrape>, headers: HeaderMap) -> Response {
    if let Some(token) = &scrape.token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !bool::from(given.as_bytes().ct_eq(token.expose_secret().as_bytes())) {
            tracing::warn!("metrics scrape refused: missing or wrong bearer token");
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                super::messages::METRICS_TOKEN_NEEDED,
            )
                .into_response();
        }
    }
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        metrics().encode(&scrape.pool),
    )
        .into_response()
}
