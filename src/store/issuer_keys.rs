//! The per-community Ed25519 seed that signs Open Badges credentials.

use sqlx::PgConnection;

/// The community's 32-byte signing seed, created with `fresh()` on first use. `None`
/// when the community does not exist. Concurrent first uses agree on one key: the
/// losing insert does nothing and both read the winner.
pub async fn signing_seed(
    conn: &mut PgConnection,
    community_slug: &str,
    fresh: impl FnOnce() -> [u8; 32],
) -> sqlx::Result<Option<[u8; 32]>> {
    if let Some(seed) = stored(conn, community_slug).await? {
        return Ok(Some(seed));
    }
    sqlx::query(
        "INSERT INTO issuer_keys (community_id, secret_key)
         SELECT id, $2 FROM communities WHERE slug = $1
         ON CONFLICT (community_id) DO NOTHING",
    )
    .bind(community_slug)
    .bind(fresh().as_slice())
    .execute(&mut *conn)
    .await?;
    stored(conn, community_slug).await
}

async fn stored(conn: &mut PgConnection, community_slug: &str) -> sqlx::Result<Option<[u8; 32]>> {
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
