//! Platform deliveries already handled, so a redelivery is answered without running again.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use sqlx::types::Json;
use uuid::Uuid;

/// Records the delivery; false when it was seen before (this waits for a concurrent first
/// delivery to commit or roll back, so exactly one of them runs).
pub async fn begin(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    delivery_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO invocations (community_id, delivery_id, received_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(community_id)
    .bind(delivery_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn store_reply<T: serde::Serialize + Sync>(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    delivery_id: &str,
    reply: &T,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE invocations SET reply = $3 WHERE community_id = $1 AND delivery_id = $2")
        .bind(community_id)
        .bind(delivery_id)
        .bind(Json(reply))
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn stored_reply<T: serde::de::DeserializeOwned + Send + Unpin + 'static>(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    delivery_id: &str,
) -> sqlx::Result<Option<T>> {
    let row: Option<Option<Json<T>>> = sqlx::query_scalar(
        "SELECT reply FROM invocations WHERE community_id = $1 AND delivery_id = $2",
    )
    .bind(community_id)
    .bind(delivery_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.flatten().map(|j| j.0))
}
