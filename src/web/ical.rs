//! `GET /ical/<community>/<cohort>.ics?key=…` (and `/ical/<community>/circles/<circle>.ics`):
//! a cohort's (or circle's) sessions as iCalendar, from the
//! events service (which checks the key); a wrong or old key gets the same 404 as an
//! unknown cohort.

use super::messages;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::services::Services;
use crate::services::events::calendar;

pub fn routes(services: &Services) -> Router {
    Router::new()
        .route("/ical/{community}/{file}", get(feed))
        .route("/ical/{community}/circles/{file}", get(circle_feed))
        .with_state(services.clone())
}

#[derive(Debug, Deserialize)]
struct Key {
    key: Option<String>,
}

async fn feed(
    State(services): State<Services>,
    Path((community, file)): Path<(String, String)>,
    Query(Key { key }): Query<Key>,
) -> Response {
    respond(render(&services, &community, &file, key.as_deref()).await)
}

/// The calendar, or the same 404 for an unknown feed and a wrong key.
fn respond(found: anyhow::Result<Option<String>>) -> Response {
    match found {
        Ok(Some(body)) => (
            [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
            body,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, messages::NO_SUCH_CALENDAR).into_response(),
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "calendar feed failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                messages::CALENDAR_UNAVAILABLE,
            )
                .into_response()
        }
    }
}

async fn circle_feed(
    State(services): State<Services>,
    Path((community, file)): Path<(String, String)>,
    Query(Key { key }): Query<Key>,
) -> Response {
    let now = services.clock.now();
    let found = match (file.strip_suffix(".ics"), key.as_deref()) {
        (Some(circle), Some(key)) => {
            calendar::circle_feed(&services.pool, now, &community, circle, key)
                .await
                .map_err(anyhow::Error::from)
        }
        _ => Ok(None),
    };
    respond(found)
}

async fn render(
    services: &Services,
    community: &str,
    file: &str,
    key: Option<&str>,
) -> anyhow::Result<Option<String>> {
    let (Some(cohort), Some(key)) = (file.strip_suffix(".ics"), key) else {
        return Ok(None);
    };
    let now = services.clock.now();
    Ok(calendar::feed(&services.pool, now, community, cohort, key).await?)
}
