//! The secret in each community's dashboard link (`/dashboard link|rotate`).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::store::pg_row;

/// The community's dashboard key: the current one, or `fresh` when there is none yet or
/// when `rotate` replaces it (which breaks every link given out before).
pub async fn key(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    fresh: &str,
    rotate: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<String> {
    sqlx::query_scalar(
        "INSERT INTO dashboard_keys (community_id, token, rotated_at) VALUES ($1, $2, $3)
         ON CONFLICT (community_id) DO UPDATE
             SET token = CASE WHEN $4 THEN EXCLUDED.token ELSE dashboard_keys.token END,
                 rotated_at = CASE WHEN $4 THEN EXCLUDED.rotated_at
                                   ELSE dashboard_keys.rotated_at END
         RETURNING token",
    )
    .bind(community_id)
    .bind(fresh)
    .bind(now)
    .bind(rotate)
    .fetch_one(ex)
    .await
}

pg_row! {
    /// The community behind a dashboard URL, with its key (compared by the caller in
    /// constant time).
    #[derive(Debug, Clone)]
    pub struct DashboardCommunity {
        pub community_id: Uuid,
        pub name: String,
        pub token: String,
    }
}

pub async fn community(
    ex: impl PgExecutor<'_>,
    community_slug: &str,
) -> sqlx::Result<Option<DashboardCommunity>> {
    sqlx::query_as(
        "SELECT k.id AS community_id, k.name, d.token
           FROM dashboard_keys d JOIN communities k ON k.id = d.community_id
          WHERE k.slug = $1",
    )
    .bind(community_slug)
    .fetch_optional(ex)
    .await
}
