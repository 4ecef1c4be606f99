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
         ON CONFLICT (community_id) WHERE retired_at IS NULL DO NOTHING",
    )
    .bind(community_id)
    .bind(fresh.as_slice())
    .execute(ex)
    .await?;
    Ok(())
}

/// Communities that issued badges before their keys were made at issue time (or before
/// RSA keys existed), and lack one.
pub async fn badged_without_keys(ex: impl PgExecutor<'_>) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT DISTINCT b.community_id FROM badges b
          WHERE NOT EXISTS (SELECT 1 FROM issuer_keys k WHERE k.community_id = b.community_id)
             OR NOT EXISTS (SELECT 1 FROM issuer_rsa_keys k WHERE k.community_id = b.community_id)",
    )
    .fetch_all(ex)
    .await
}

/// The community's current signing seed and its version, if it has issued a badge.
pub async fn signing_seed(
    ex: impl PgExecutor<'_>,
    community_slug: &str,
) -> sqlx::Result<Option<(i32, [u8; 32])>> {
    let row: Option<(i32, Vec<u8>)> = sqlx::query_as(
        "SELECT k.version, k.secret_key FROM issuer_keys k
         JOIN communities c ON c.id = k.community_id
          WHERE c.slug = $1 AND k.retired_at IS NULL",
    )
    .bind(community_slug)
    .fetch_optional(ex)
    .await?;
    // The column's CHECK keeps it at 32 bytes.
    Ok(row.and_then(|(version, bytes)| Some((version, bytes.try_into().ok()?))))
}

/// Key `version` of the community, current or retired: old credentials name it.
pub async fn seed_version(
    ex: impl PgExecutor<'_>,
    community_slug: &str,
    version: i32,
) -> sqlx::Result<Option<[u8; 32]>> {
    let seed = key_version(ex, "issuer_keys", "secret_key", community_slug, version).await?;
    Ok(seed.and_then(|bytes| bytes.try_into().ok()))
}

/// Every key version the community has had, oldest first: all may have signed a
/// credential still held.
pub async fn versions(ex: impl PgExecutor<'_>, community_slug: &str) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar(
        "SELECT k.version FROM issuer_keys k
         JOIN communities c ON c.id = k.community_id
          WHERE c.slug = $1 ORDER BY k.version",
    )
    .bind(community_slug)
    .fetch_all(ex)
    .await
}

/// Retires the community's current key and makes `fresh` the next version; the new
/// version, or None when the community has no key yet (it gets one with its first badge).
pub async fn rotate(
    conn: &mut PgConnection,
    community_id: Uuid,
    fresh: [u8; 32],
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<Option<i32>> {
    rotate_in(conn, "issuer_keys", "secret_key", community_id, &fresh, now).await
}

/// Retires the current key in `table` (whose key bytes are in `key_column`) and inserts
/// `fresh` as the next version. The names are the two constants of this module's callers,
/// never input.
async fn rotate_in(
    conn: &mut PgConnection,
    table: &'static str,
    key_column: &'static str,
    community_id: Uuid,
    fresh: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<Option<i32>> {
    let retired: Option<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET retired_at = $2
          WHERE community_id = $1 AND retired_at IS NULL
          RETURNING version"
    )))
    .bind(community_id)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(retired) = retired else {
        return Ok(None);
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {table} (community_id, {key_column}, version, created_at)
         VALUES ($1, $2, $3, $4)"
    )))
    .bind(community_id)
    .bind(fresh)
    .bind(retired + 1)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(Some(retired + 1))
}

/// Gives `community_id` an RSA key (PKCS#8 DER) unless it has one.
pub async fn ensure_rsa(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    der: &[u8],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO issuer_rsa_keys (community_id, private_key) VALUES ($1, $2)
         ON CONFLICT (community_id) WHERE retired_at IS NULL DO NOTHING",
    )
    .bind(community_id)
    .bind(der)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn has_rsa(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM issuer_rsa_keys WHERE community_id = $1 AND retired_at IS NULL)",
    )
    .bind(community_id)
    .fetch_one(ex)
    .await
}

/// The community's current RSA key, as PKCS#8 DER, and its version, if it has issued a
/// badge.
pub async fn rsa_der(
    ex: impl PgExecutor<'_>,
    community_slug: &str,
) -> sqlx::Result<Option<(i32, Vec<u8>)>> {
    sqlx::query_as(
        "SELECT k.version, k.private_key FROM issuer_rsa_keys k
         JOIN communities c ON c.id = k.community_id
          WHERE c.slug = $1 AND k.retired_at IS NULL",
    )
    .bind(community_slug)
    .fetch_optional(ex)
    .await
}

/// RSA key `version` of the community, current or retired: old RS256 credentials name it.
pub async fn rsa_der_version(
    ex: impl PgExecutor<'_>,
    community_slug: &str,
    version: i32,
) -> sqlx::Result<Option<Vec<u8>>> {
    key_version(
        ex,
        "issuer_rsa_keys",
        "private_key",
        community_slug,
        version,
    )
    .await
}

/// The bytes of key `version` in `table` (in `key_column`), current or retired. The names
/// are this module's constants, never input.
async fn key_version(
    ex: impl PgExecutor<'_>,
    table: &'static str,
    key_column: &'static str,
    community_slug: &str,
    version: i32,
) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT k.{key_column} FROM {table} k
         JOIN communities c ON c.id = k.community_id
          WHERE c.slug = $1 AND k.version = $2"
    )))
    .bind(community_slug)
    .bind(version)
    .fetch_optional(ex)
    .await
}

/// Retires the community's current RSA key and makes `fresh` (PKCS#8 DER) the next
/// version; the new version, or None when the community has no RSA key yet.
pub async fn rotate_rsa(
    conn: &mut PgConnection,
    community_id: Uuid,
    fresh: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<Option<i32>> {
    rotate_in(
        conn,
        "issuer_rsa_keys",
        "private_key",
        community_id,
        fresh,
        now,
    )
    .await
}
