//! What autocomplete and Tab completion offer: a community's modules, upcoming sessions,
//! cohorts, tracks and members matching typed text.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// Modules of the community's tracks whose id or name contains `typed` (any case), one row
/// per id: (slug, name).
pub async fn modules(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    typed: &str,
    limit: i64,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT ON (slug) slug, name FROM modules
          WHERE community_id = $1
            AND (strpos(lower(slug), lower($2)) > 0 OR strpos(lower(name), lower($2)) > 0)
          ORDER BY slug LIMIT $3",
    )
    .bind(community_id)
    .bind(typed)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Scheduled sessions of the community that have not ended, soonest first, whose number
/// starts with or title contains `typed`: (number, title, starts_at).
pub async fn sessions(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    typed: &str,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<(i32, String, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT number, title, starts_at FROM sessions
          WHERE community_id = $1 AND status = 'scheduled'
            AND starts_at + make_interval(mins => duration_minutes) > $3
            AND (starts_with(number::text, $2) OR strpos(lower(title), lower($2)) > 0)
          ORDER BY starts_at, number LIMIT $4",
    )
    .bind(community_id)
    .bind(typed)
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Values the shell completes: live cohort slugs, track slugs and member handles of a
/// community, a thousand of each at most.
pub async fn completion_values(
    ex: &sqlx::PgPool,
    community_id: Uuid,
) -> sqlx::Result<(Vec<String>, Vec<String>, Vec<String>)> {
    let cohorts = sqlx::query_scalar(
        "SELECT slug FROM cohorts WHERE community_id = $1 AND archived_at IS NULL ORDER BY slug LIMIT 1000",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await?;
    let tracks = sqlx::query_scalar(
        "SELECT DISTINCT slug FROM tracks WHERE community_id = $1 ORDER BY slug LIMIT 1000",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await?;
    let members = sqlx::query_scalar(
        "SELECT platform_user_id FROM members WHERE community_id = $1 ORDER BY 1 LIMIT 1000",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await?;
    Ok((cohorts, tracks, members))
}
