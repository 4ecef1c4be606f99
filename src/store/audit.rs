//! The audit log: who changed what, when.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pub async fn record(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    actor: Option<Uuid>,
    action: &str,
    detail: serde_json::Value,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (community_id, actor_member_id, action, detail, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(community_id)
    .bind(actor)
    .bind(action)
    .bind(detail)
    .bind(at)
    .execute(ex)
    .await?;
    Ok(())
}
