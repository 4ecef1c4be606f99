//! Questions waiting for a member's yes or no: the command that asked, kept server-side.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use sqlx::types::Json;
use uuid::Uuid;

/// A kept command: its catalog path and its options as typed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub command: String,
    pub options: Vec<(String, String)>,
}

/// A kept command as stored: path, options, expiry.
type KeptRow = (String, Json<Vec<(String, String)>>, DateTime<Utc>);

/// Keeps the member's question under `id`, replacing any older one of theirs.
pub async fn save(
    ex: impl PgExecutor<'_>,
    id: &str,
    member_id: Uuid,
    kept: &Kept,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO questions (id, member_id, command, options, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (member_id) DO UPDATE SET id = EXCLUDED.id, command = EXCLUDED.command,
             options = EXCLUDED.options, created_at = EXCLUDED.created_at,
             expires_at = EXCLUDED.expires_at",
    )
    .bind(id)
    .bind(member_id)
    .bind(&kept.command)
    .bind(Json(&kept.options))
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// Takes the member's open question (the one with `id`, when given) if it has not expired;
/// an expired one is removed all the same.
pub async fn take(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    id: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Kept>> {
    let row: Option<KeptRow> = sqlx::query_as(
        "DELETE FROM questions WHERE member_id = $1 AND ($2::text IS NULL OR id = $2)
         RETURNING command, options, expires_at",
    )
    .bind(member_id)
    .bind(id)
    .fetch_optional(ex)
    .await?;
    Ok(row
        .filter(|(_, _, expires_at)| *expires_at > now)
        .map(|(command, options, _)| Kept {
            command,
            options: options.0,
        }))
}

/// Drops the member's open question, if any; returns the command that asked it.
pub async fn drop_open(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String, DateTime<Utc>)> =
        sqlx::query_as("DELETE FROM questions WHERE member_id = $1 RETURNING command, expires_at")
            .bind(member_id)
            .fetch_optional(ex)
            .await?;
    Ok(row
        .filter(|(_, expires_at)| *expires_at > now)
        .map(|(command, _)| command))
}
