//! `GET /export/<token>[?excel=1]`: the CSV a `/stats export` link names, streamed as it is
//! written (`services::stats::csv`). An unknown and an expired token get the same 404, which
//! says how to get a new link. `excel=1` starts the file with a byte-order mark, so Excel
//! reads it as UTF-8.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use tokio::sync::mpsc;

use super::messages;
use crate::services::Services;
use crate::services::stats::csv;
use crate::store::export_links;

/// Chunks written ahead of a slow client.
const CHUNKS_AHEAD: usize = 4;

pub fn routes(services: &Services) -> Router {
    Router::new()
        .route("/export/{token}", get(download))
        .with_state(services.clone())
}

#[derive(Debug, Deserialize)]
struct Options {
    excel: Option<String>,
}

async fn download(
    State(services): State<Services>,
    Path(token): Path<String>,
    Query(options): Query<Options>,
) -> Response {
    let now = services.clock.now();
    let link = match export_links::live(&services.pool, &token, now).await {
        Ok(Some(link)) => link,
        Ok(None) => {
            tracing::info!("export link unknown or expired");
            return (StatusCode::NOT_FOUND, messages::NO_SUCH_EXPORT).into_response();
        }
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "reading an export link failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                messages::EXPORT_UNAVAILABLE,
            )
                .into_response();
        }
    };
    tracing::info!(dataset = link.dataset.as_str(), "export downloaded");
    let disposition = format!("attachment; filename=\"{}\"", csv::file_name(&link));
    let bom = options.excel.as_deref() == Some("1");
    let (out, chunks) = mpsc::channel(CHUNKS_AHEAD);
    tokio::spawn(csv::write(services.pool.clone(), link, bom, out));
    let body = futures_util::stream::unfold(chunks, |mut chunks| async move {
        chunks.recv().await.map(|chunk| (chunk, chunks))
    });
    (
        [
            (
                header::CONTENT_TYPE,
                "text/csv; charset=utf-8; header=present".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::REFERRER_POLICY, "no-referrer".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
