//! `GET /me/export/<token>`: a member's `cohortbot-export-v1.json`, built when the link is
//! opened. An unknown and an expired token get the same 404, which says how to get a new
//! link. Never cached, never sent as a referrer.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::messages;
use crate::services::Services;
use crate::services::my_data::document;
use crate::store::data_exports;

pub fn routes(services: &Services) -> Router {
    Router::new()
        .route("/me/export/{token}", get(download))
        .with_state(services.clone())
}

async fn download(State(services): State<Services>, Path(token): Path<String>) -> Response {
    let now = services.clock.now();
    let member = match data_exports::live(&services.pool, &token, now).await {
        Ok(Some(member)) => member,
        Ok(None) => {
            tracing::info!("data export link unknown or expired");
            return (StatusCode::NOT_FOUND, messages::NO_SUCH_DATA_EXPORT).into_response();
        }
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "reading a data export link failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                messages::EXPORT_UNAVAILABLE,
            )
                .into_response();
        }
    };
    let body = match document::build(&services.pool, member, now).await {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "building a data export failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                messages::EXPORT_UNAVAILABLE,
            )
                .into_response();
        }
    };
    tracing::info!("data export downloaded");
    let text = serde_json::to_string_pretty(&body).unwrap_or_default();
    (
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.json\"", document::SCHEMA),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::REFERRER_POLICY, "no-referrer".to_owned()),
            (
                header::HeaderName::from_static("x-robots-tag"),
                "noindex".to_owned(),
            ),
        ],
        text,
    )
        .into_response()
}
