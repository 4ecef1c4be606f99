//! Members: a person on one platform inside one community.

use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, PgExecutor};
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Member {
        pub id: Uuid,
        pub community_id: Uuid,
        pub platform: String,
        pub platform_user_id: String,
        pub display_name: String,
        /// The name the platform last gave them; `display_name` follows it only when it
        /// changes, so a name chosen with `/me name` stays (migration 0066).
        pub platform_name: Option<String>,
        pub timezone: Option<String>,
        pub skills: Vec<String>,
        pub coc_accepted_at: Option<DateTime<Utc>>,
        /// The code of conduct version accepted (see `communities.coc_version`).
        pub coc_version: Option<i32>,
    }
}

const COLUMNS: &str = "id, community_id, platform, platform_user_id, display_name, platform_name, timezone, skills, coc_accepted_at, coc_version";

/// The member renamed themselves on their platform: they are shown by the new name, and
/// it is the one later contacts are compared with.
pub async fn follow_platform_name(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    name: &str,
) -> sqlx::Result<Member> {
    sqlx::query_as(AssertSqlSafe(format!(
        "UPDATE members SET display_name = $2, platform_name = $2 WHERE id = $1
         RETURNING {COLUMNS}"
    )))
    .bind(member_id)
    .bind(name)
    .fetch_one(ex)
    .await
}

/// Creates the member unless they exist, shown by the name the platform gave (or the bot
/// made up); `None` when they did (so of two first contacts at once, exactly one creates).
pub async fn create_if_absent(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    platform: &str,
    platform_user_id: &str,
    display_name: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "INSERT INTO members (id, community_id, platform, platform_user_id, display_name,
                              platform_name, created_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6)
         ON CONFLICT (community_id, platform, platform_user_id) DO NOTHING
         RETURNING {COLUMNS}"
    )))
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(platform)
    .bind(platform_user_id)
    .bind(display_name)
    .bind(now)
    .fetch_optional(ex)
    .await
}

pub async fn find(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    platform: &str,
    platform_user_id: &str,
) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE community_id = $1 AND platform = $2 AND platform_user_id = $3"
    )))
    .bind(community_id)
    .bind(platform)
    .bind(platform_user_id)
    .fetch_optional(ex)
    .await
}

/// A member by id.
pub async fn by_id(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members WHERE id = $1"
    )))
    .bind(member_id)
    .fetch_optional(ex)
    .await
}

/// The members a person typed by platform id, full name or first name (any case), on any
/// of the community's platforms: (id, name). A name several members share gives them all.
pub async fn named(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    typed: &str,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT id, display_name FROM members
          WHERE community_id = $1 AND erased_at IS NULL
            AND lower($2) IN (lower(platform_user_id), lower(display_name),
                              lower(split_part(display_name, ' ', 1)))
          ORDER BY display_name, id",
    )
    .bind(community_id)
    .bind(typed)
    .fetch_all(ex)
    .await
}

/// The names of the community's members on every platform, for "did you mean" suggestions.
pub async fn display_names(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT display_name FROM members
          WHERE community_id = $1 AND erased_at IS NULL ORDER BY 1",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await
}

/// Platform user ids in the community, for "did you mean" suggestions.
pub async fn user_ids(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    platform: &str,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT platform_user_id FROM members
          WHERE community_id = $1 AND platform = $2 AND erased_at IS NULL ORDER BY 1",
    )
    .bind(community_id)
    .bind(platform)
    .fetch_all(ex)
    .await
}

pub async fn set_display_name(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    name: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE members SET display_name = $2 WHERE id = $1")
        .bind(member_id)
        .bind(name)
        .execute(ex)
        .await?;
    Ok(())
}

/// Members of the community on `platform` whose handle is `typed` ignoring case, or who
/// are shown as `typed` ignoring case and runs of spaces: a handle first, at most three.
pub async fn by_handle_or_name(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    platform: &str,
    typed: &str,
) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM members
          WHERE community_id = $1 AND platform = $2 AND erased_at IS NULL
            AND (lower(platform_user_id) = lower($3)
                 OR same_words(display_name, $3))
          ORDER BY lower(platform_user_id) = lower($3) DESC, display_name, platform_user_id
          LIMIT 3"
    )))
    .bind(community_id)
    .bind(platform)
    .bind(typed)
    .fetch_all(ex)
    .await
}

/// Another member of the community already shown as `name`, ignoring case and runs of
/// spaces: their name, as shown.
pub async fn shown_as_by_another(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    name: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT display_name FROM members
          WHERE community_id = $1 AND id <> $2
            AND same_words(display_name, $3)
          LIMIT 1",
    )
    .bind(community_id)
    .bind(member_id)
    .bind(name)
    .fetch_optional(ex)
    .await
}

pub async fn set_timezone(ex: impl PgExecutor<'_>, member_id: Uuid, tz: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE members SET timezone = $2 WHERE id = $1")
        .bind(member_id)
        .bind(tz)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn set_skills(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    skills: &[String],
) -> sqlx::Result<()> {
    sqlx::query("UPDATE members SET skills = $2 WHERE id = $1")
        .bind(member_id)
        .bind(skills)
        .execute(ex)
        .await?;
    Ok(())
}

/// Records that the member accepted `version` of the code of conduct.
pub async fn accept_coc(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    version: i32,
    at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE members SET coc_accepted_at = $3, coc_version = $2
         WHERE id = $1 AND coc_version IS DISTINCT FROM $2",
    )
    .bind(member_id)
    .bind(version)
    .bind(at)
    .execute(ex)
    .await?;
    Ok(())
}
