//! Cohorts and their tracks, always looked up within one community.

use crate::store::pg_row;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{AssertSqlSafe, PgExecutor};
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Cohort {
        pub id: Uuid,
        pub slug: String,
        pub name: String,
        pub timezone: String,
        pub starts_on: Option<NaiveDate>,
        pub ends_on: Option<NaiveDate>,
        pub channel: Option<String>,
        pub nudge_after_hours: i32,
        pub archived: bool,
    }
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Track {
        pub id: Uuid,
        pub cohort_id: Uuid,
        pub slug: String,
        pub name: String,
        pub kind: String,
    }
}

const COLUMNS: &str = "id, slug, name, timezone, starts_on, ends_on, channel, nudge_after_hours, \
                       archived_at IS NOT NULL AS archived";

/// Whether the cohort's sessions are mirrored as Discord scheduled events, and whether
/// "Interested" on them is an RSVP.
pub async fn discord_event_options(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
) -> sqlx::Result<(bool, bool)> {
    sqlx::query_as("SELECT discord_events, interested_is_rsvp FROM cohorts WHERE id = $1")
        .bind(cohort_id)
        .fetch_one(ex)
        .await
}

pub async fn list(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Vec<Cohort>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cohorts WHERE community_id = $1 ORDER BY starts_on NULLS LAST, slug"
    )))
    .bind(community_id)
    .fetch_all(ex)
    .await
}

/// One page of the community's live (not archived) cohorts, in `list` order.
pub async fn live_page(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Cohort>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cohorts WHERE community_id = $1 AND archived_at IS NULL
         ORDER BY starts_on NULLS LAST, slug LIMIT $2 OFFSET $3"
    )))
    .bind(community_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await
}

/// How many of the community's cohorts are live, and how many archived.
pub async fn counts(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE archived_at IS NULL), count(*) FILTER (WHERE archived_at IS NOT NULL)
         FROM cohorts WHERE community_id = $1",
    )
    .bind(community_id)
    .fetch_one(ex)
    .await
}

pub async fn by_slug(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    slug: &str,
) -> sqlx::Result<Option<Cohort>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM cohorts WHERE community_id = $1 AND slug = $2"
    )))
    .bind(community_id)
    .bind(slug)
    .fetch_optional(ex)
    .await
}

/// Cohorts the member is actively enrolled in.
pub async fn enrolled(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<Vec<Cohort>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {} FROM cohorts c JOIN enrollments e ON e.cohort_id = c.id
         WHERE e.member_id = $1 AND e.status = 'active' ORDER BY c.slug",
        COLUMNS
            .split(", ")
            .map(|col| format!("c.{col}"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
    .bind(member_id)
    .fetch_all(ex)
    .await
}

/// Creates a cohort; `None` when the slug is already taken in this community.
pub async fn create(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    slug: &str,
    name: &str,
    timezone: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Cohort>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "INSERT INTO cohorts (id, community_id, slug, name, timezone, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (community_id, slug) DO NOTHING
         RETURNING {COLUMNS}"
    )))
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(slug)
    .bind(name)
    .bind(timezone)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// What `/cohort set` changes; `None` keeps the current value.
#[derive(Debug, Default)]
pub struct CohortChanges<'a> {
    pub name: Option<&'a str>,
    pub timezone: Option<&'a str>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub channel: Option<&'a str>,
}

pub async fn update(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    changes: &CohortChanges<'_>,
) -> sqlx::Result<Cohort> {
    sqlx::query_as(AssertSqlSafe(format!(
        "UPDATE cohorts SET name = coalesce($2, name), timezone = coalesce($3, timezone),
             starts_on = coalesce($4, starts_on), ends_on = coalesce($5, ends_on),
             channel = coalesce($6, channel)
         WHERE id = $1 RETURNING {COLUMNS}"
    )))
    .bind(id)
    .bind(changes.name)
    .bind(changes.timezone)
    .bind(changes.starts_on)
    .bind(changes.ends_on)
    .bind(changes.channel)
    .fetch_one(ex)
    .await
}

/// Archives a cohort; whether it was not archived already.
pub async fn archive(ex: impl PgExecutor<'_>, id: Uuid, now: DateTime<Utc>) -> sqlx::Result<bool> {
    let done =
        sqlx::query("UPDATE cohorts SET archived_at = $2 WHERE id = $1 AND archived_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(ex)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds a track to a cohort; `None` when the cohort already has one with this id.
pub async fn add_track(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    slug: &str,
    name: &str,
    kind: &str,
) -> sqlx::Result<Option<Track>> {
    sqlx::query_as(
        "INSERT INTO tracks (id, community_id, cohort_id, slug, name, kind)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (cohort_id, slug) DO NOTHING
         RETURNING id, cohort_id, slug, name, kind",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(cohort_id)
    .bind(slug)
    .bind(name)
    .bind(kind)
    .fetch_optional(ex)
    .await
}

/// How many tracks and schedules a cohort has.
pub async fn setup_counts(ex: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM tracks WHERE cohort_id = $1),
                (SELECT count(*) FROM cohort_schedules WHERE cohort_id = $1)",
    )
    .bind(id)
    .fetch_one(ex)
    .await
}

/// Tracks of these cohorts, ordered by cohort and slug.
pub async fn tracks_of(ex: impl PgExecutor<'_>, cohort_ids: &[Uuid]) -> sqlx::Result<Vec<Track>> {
    sqlx::query_as(
        "SELECT id, cohort_id, slug, name, kind FROM tracks WHERE cohort_id = ANY($1) ORDER BY cohort_id, slug",
    )
    .bind(cohort_ids)
    .fetch_all(ex)
    .await
}

/// Tracks of every cohort in the community, ordered by cohort and slug.
pub async fn tracks(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Vec<Track>> {
    sqlx::query_as(
        "SELECT id, cohort_id, slug, name, kind FROM tracks WHERE community_id = $1 ORDER BY cohort_id, slug",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await
}
