//! Communities: one per Discord guild or Slack workspace.

use crate::store::pg_row;
use sqlx::{AssertSqlSafe, PgExecutor};
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Community {
        pub id: Uuid,
        pub slug: String,
        pub name: String,
        pub code_of_conduct: String,
        /// Raised each time the text changes.
        pub coc_version: i32,
    }
}

pub const COLUMNS: &str = "id, slug, name, code_of_conduct, coc_version";

pub async fn by_slug(ex: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<Community>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM communities WHERE slug = $1"
    )))
    .bind(slug)
    .fetch_optional(ex)
    .await
}

pub async fn by_id(ex: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<Community>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM communities WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub async fn count(ex: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM communities")
        .fetch_one(ex)
        .await
}

/// Serialises a community's numbering of requests (approvals, tools, erasures) until the transaction ends, so two
/// requests filed at once take different numbers. `NO KEY UPDATE` leaves the community's
/// foreign-key checks (`KEY SHARE`) unblocked.
pub async fn lock_numbering(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("SELECT 1 FROM communities WHERE id = $1 FOR NO KEY UPDATE")
        .bind(community_id)
        .execute(ex)
        .await?;
    Ok(())
}
