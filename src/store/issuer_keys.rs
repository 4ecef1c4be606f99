//! The per-community Ed25519 seed that signs Open Badges credentials.

use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// Gives `community_id` a signing seed unless it has one. Called where a badge is issued,
/// inside that transaction, so a request for a credential only ever reads the key.
/// Concurrent first issues agree on one key: the losing insert does nothing.
pub async fn ensure(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    fresh: [u8; 32],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO issuer_keys (community_id, secret_key) VALUES ($1, $2)
         ON CONFLICT (community_id) DO NOTHING",
    )
    .bind(community_id)
    .bind(fresh.as_slice())
    .execute(ex)
    .await?;
    Ok(())
}

/// Communities that issued badges before keys were made at issue time, and have none.
pub async fn badged_without_key(ex: impl PgExecutor<'_>) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT DISTINCT b.community_id FROM badges b
          WHERE NOT EXISTS (SELECT 1 FROM issuer_keys k WHERE k.community_id = b.community_id)",
    )
    .fetch_all(ex)
    .await
}

/// The community's 32-byte signing seed, if it has issued a badge.
pub async fn signing_seed(
    conn: &mut PgConnection,
    community_slug: &str,
) -> sqlx::Result<Option<[u8; 32]>> {
    let seed: Option<Vec<u8>> = sqlx::query_scalar(
        "SELECT k.secret_key FROM issuer_keys k
         JOIN communities c ON c.id = k.community_id WHERE c.slug = $1",
    )
    .bind(community_slug)
    .fetch_optional(&mut *conn)
    .await?;
    // The column's CHECK keeps it at 32 bytes.
    Ok(seed.and_then(|bytes| bytes.try_into().ok()))
}
