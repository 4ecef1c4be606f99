//! `GET /dashboard/<community>?key=…[&cohort=…]`: the sponsor dashboard
//! (`services::dashboard::page`). A wrong or rotated key, an unknown community and an
//! unknown cohort all get the same 404. The page is private to whoever holds the link:
//! not cached, not indexed, not referred, and its policy lets nothing load or run.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::messages;
use crate::services::Services;
use crate::services::dashboard::page;

pub fn routes(services: &Services) -> Router {
    Router::new()
        .route("/dashboard/{community}", get(dashboard))
        .with_state(services.clone())
}

#[derive(Debug, Deserialize)]
struct Params {
    key: Option<String>,
    cohort: Option<String>,
}

async fn dashboard(
    State(services): State<Services>,
    Path(community): Path<String>,
    Query(params): Query<Params>,
) -> Response {
    let now = services.clock.now();
    let key = params.key.unwrap_or_default();
    let rendered = page::render(
        &services.pool,
        &community,
        &key,
        params.cohort.as_deref(),
        now,
    )
    .await;
    match rendered {
        Ok(Some(html)) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
                (header::REFERRER_POLICY, "no-referrer".to_owned()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                (
                    header::HeaderName::from_static("x-robots-tag"),
                    "noindex, nofollow".to_owned(),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    page::CONTENT_SECURITY_POLICY.clone(),
                ),
            ],
            html,
        )
            .into_response(),
        Ok(None) => {
            tracing::info!("dashboard refused: unknown community or cohort, or wrong key");
            (StatusCode::NOT_FOUND, messages::NO_SUCH_DASHBOARD).into_response()
        }
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "rendering the dashboard failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                messages::DASHBOARD_UNAVAILABLE,
            )
                .into_response()
        }
    }
}
