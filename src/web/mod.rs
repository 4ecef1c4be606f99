//! The small HTTP side. Each feature contributes its own `Router` (Slack and Discord
//! endpoints, iCal feeds, badges); this module adds health and serves them on one listener.

pub mod badges;
pub mod dashboard;
pub mod exports;
pub mod health;
pub mod ical;
mod messages;
pub mod metrics;
pub mod my_data;
pub mod verify;

use std::net::SocketAddr;

use anyhow::{Context, Result};
use axum::Router;
use tokio::sync::watch;

use crate::services::Services;

pub struct WebServer {
    router: Router,
    /// The setting its address comes from, for errors and the log.
    setting: &'static str,
}

impl WebServer {
    pub fn new(services: &Services) -> Self {
        Self {
            router: health::routes(services.pool.clone(), services.delivery.clone()),
            setting: "http.listen",
        }
    }

    /// A server of `routes` alone, on the address in `setting` (the metrics' own listener).
    pub fn only(routes: Router, setting: &'static str) -> Self {
        Self {
            router: routes,
            setting,
        }
    }

    /// Adds a feature's routes (each already carries its own state).
    pub fn merge(mut self, routes: Router) -> Self {
        self.router = self.router.merge(routes);
        self
    }

    pub fn into_router(self) -> Router {
        self.router
    }

    /// Serves until `stop` turns true; in-flight requests finish first.
    pub async fn serve(self, addr: SocketAddr, mut stop: watch::Receiver<bool>) -> Result<()> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr} ({})", self.setting))?;
        tracing::info!(%addr, setting = self.setting, "HTTP server listening");
        axum::serve(listener, self.router)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            })
            .await
            .context("serving HTTP")
    }
}
