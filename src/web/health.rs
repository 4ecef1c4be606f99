//! `GET /healthz`: 200 when the database answers within a second, 503 with the reason when it
//! does not (for load balancers and container health checks). A platform whose delivery is
//! held by an outage is named in the body but keeps 200: restarting the bot cannot fix it.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use sqlx::PgPool;

use crate::outbox::health::DeliveryHealth;

/// Probes commonly time out at 2–3 s; the answer must come well before.
const DATABASE_WAIT: Duration = Duration::from_secs(1);

#[derive(Clone)]
struct Health {
    pool: PgPool,
    delivery: DeliveryHealth,
}

pub fn routes(pool: PgPool, delivery: DeliveryHealth) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .with_state(Health { pool, delivery })
}

async fn health(State(health): State<Health>) -> (StatusCode, String) {
    let database =
        tokio::time::timeout(DATABASE_WAIT, sqlx::query("SELECT 1").execute(&health.pool)).await;
    let failure = match database {
        Ok(Ok(_)) => None,
        Ok(Err(err)) => Some(format!("database unreachable: {err}")),
        Err(_) => Some(format!(
            "database did not answer within {} ms",
            DATABASE_WAIT.as_millis()
        )),
    };
    let held: String = health
        .delivery
        .held()
        .into_iter()
        .map(|(platform, reason)| format!("{platform}: {reason}\n"))
        .collect();
    match failure {
        Some(reason) => {
            tracing::warn!(%reason, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, format!("{reason}\n{held}"))
        }
        None => (StatusCode::OK, format!("ok\n{held}")),
    }
}
