//! The bot's server pool skips the ping on a connection in use a moment ago, and still
//! replaces one that died while idle (a server restart, a proxy's idle timeout).

use std::time::Duration;

use cohortbot::store::server_pool_options;
use sqlx::PgPool;

async fn backend_pid(pool: &PgPool) -> i32 {
    sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(pool)
        .await
        .expect("backend pid")
}

#[sqlx::test(migrations = false)]
async fn a_connection_killed_while_idle_is_replaced_not_handed_out(test_pool: PgPool) {
    let options = (*test_pool.connect_options()).clone();
    let pool = server_pool_options(1)
        .connect_with(options)
        .await
        .expect("bot pool");
    let first = backend_pid(&pool).await;
    // Reused at once, without a ping: the same backend answers.
    assert_eq!(backend_pid(&pool).await, first);

    let killed: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(first)
        .fetch_one(&test_pool)
        .await
        .expect("terminate the bot's connection");
    assert!(killed, "the bot's backend was terminated");
    // Idle past the ping threshold: the dead connection is pinged, dropped and replaced.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let second = tokio::time::timeout(Duration::from_secs(10), backend_pid(&pool))
        .await
        .expect("a fresh connection within 10 s");
    assert_ne!(second, first, "a new backend serves the pool");
    pool.close().await;
}
