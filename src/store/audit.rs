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

crate::store::pg_row! {
    /// One audit row, with its actor's name.
    #[derive(Debug, Clone)]
    pub struct Entry {
        pub at: DateTime<Utc>,
        pub actor_name: Option<String>,
        pub action: String,
        pub detail: serde_json::Value,
        /// How many rows the whole listing has, every page together.
        pub total: i64,
    }
}

/// One page of the community's audit log, newest first: by `actor` and from `since` when
/// given; with the number of rows in all pages.
pub async fn page(
    ex: &mut sqlx::PgConnection,
    community_id: Uuid,
    actor: Option<Uuid>,
    since: Option<DateTime<Utc>>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<Entry>, i64)> {
    let entries: Vec<Entry> = sqlx::query_as(
        "SELECT a.at, m.display_name AS actor_name, a.action, a.detail, count(*) OVER () AS total
           FROM audit_log a LEFT JOIN members m ON m.id = a.actor_member_id
          WHERE a.community_id = $1
            AND ($2::uuid IS NULL OR a.actor_member_id = $2)
            AND ($3::timestamptz IS NULL OR a.at >= $3)
          ORDER BY a.at DESC, a.id DESC LIMIT $4 OFFSET $5",
    )
    .bind(community_id)
    .bind(actor)
    .bind(since)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *ex)
    .await?;
    let total = match entries.first() {
        Some(entry) => entry.total,
        // A page past the end has no row to carry the count.
        None if offset > 0 => {
            sqlx::query_scalar(
                "SELECT count(*) FROM audit_log
                  WHERE community_id = $1
                    AND ($2::uuid IS NULL OR actor_member_id = $2)
                    AND ($3::timestamptz IS NULL OR at >= $3)",
            )
            .bind(community_id)
            .bind(actor)
            .bind(since)
            .fetch_one(&mut *ex)
            .await?
        }
        None => 0,
    };
    Ok((entries, total))
}
