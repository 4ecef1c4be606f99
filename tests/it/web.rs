//! The HTTP side's own routes.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cohortbot::web::WebServer;
use sqlx::PgPool;
use tower::ServiceExt;

use crate::support::TestBot;

async fn get(router: axum::Router, path: &str) -> (StatusCode, String) {
    let response = router
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[sqlx::test]
async fn health_follows_the_database(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let router = WebServer::new(&bot.services).into_router();
    assert_eq!(
        get(router.clone(), "/healthz").await,
        (StatusCode::OK, "ok\n".to_owned())
    );

    bot.pool.close().await;
    let (status, body) = get(router.clone(), "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("database"), "{body}");

    let (status, _) = get(router, "/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn health_names_a_platform_whose_delivery_is_held_and_clears_it_once_it_answers(
    pool: PgPool,
) {
    use cohortbot::outbox::gate::{Gate, Outcome};
    let bot = TestBot::new(pool).await;
    let router = WebServer::new(&bot.services).into_router();
    let gate = Gate::new("discord", None, bot.services.delivery.clone());
    for _ in 0..3 {
        gate.admit("POST channels/1/messages")
            .await
            .unwrap()
            .record(&Outcome::Failed);
    }
    assert_eq!(
        get(router.clone(), "/healthz").await,
        (
            StatusCode::OK,
            "ok\ndiscord: delivery held after repeated server errors or timeouts; probing\n"
                .to_owned()
        )
    );
    // The probe (after the circuit's first wait) gets an answer: delivery flows again.
    gate.admit("POST channels/1/messages")
        .await
        .unwrap()
        .record(&Outcome::Answered { bucket: None });
    assert_eq!(
        get(router, "/healthz").await,
        (StatusCode::OK, "ok\n".to_owned())
    );
}

#[tokio::test]
async fn health_answers_503_within_a_second_when_the_database_hangs() {
    // A "database" that accepts connections and never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let pool = PgPool::connect_lazy(&format!("postgres://bot@127.0.0.1:{port}/cohortbot")).unwrap();
    let services = cohortbot::services::Services::new(
        pool,
        std::sync::Arc::new(cohortbot::clock::SystemClock),
    );
    let router = WebServer::new(&services).into_router();
    // The reason proves the health check's own 1 s bound answered, not the pool's 30 s one.
    let (status, body) = get(router, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "database did not answer within 1000 ms\n");
}
