//! The migrations embedded in the bot are the ones sqlx itself reads from `migrations/`.

use cohortbot::store::{Database, MIGRATOR};
use sqlx::PgPool;

/// `#[sqlx::test]` has applied `migrations/` through sqlx's own file reader. The bot's list
/// must name, number and checksum every one the same way, or a database migrated by one
/// would be refused by the other.
#[sqlx::test]
async fn the_embedded_list_matches_what_sqlx_applied_from_the_directory(pool: PgPool) {
    let applied: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(
        "SELECT version, description, checksum FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let embedded: Vec<(i64, String, Vec<u8>)> = MIGRATOR
        .iter()
        .map(|m| (m.version, m.description.to_string(), m.checksum.to_vec()))
        .collect();
    assert_eq!(applied, embedded);

    // Running the bot's migrator on top validates every checksum and applies nothing.
    Database::from_pool(pool.clone()).migrate().await.unwrap();
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, embedded.len() as i64);
}
