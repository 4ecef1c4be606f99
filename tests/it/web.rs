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
