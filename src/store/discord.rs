//! Discord-only state: DM channels (opened once, reused), closed DMs, and the Discord ids
//! the sender needs to mention members or find a fallback channel.

use std::collections::HashMap;

use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone, Default)]
    pub struct DmState {
        pub channel_id: Option<String>,
        pub closed_at: Option<DateTime<Utc>>,
    }
}

pub async fn dm_state(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<DmState> {
    let state: Option<DmState> = sqlx::query_as(
        "SELECT channel_id, closed_at FROM discord_dm_channels WHERE member_id = $1",
    )
    .bind(member_id)
    .fetch_optional(ex)
    .await?;
    Ok(state.unwrap_or_default())
}

pub async fn save_dm_channel(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    channel_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO discord_dm_channels (member_id, channel_id, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (member_id) DO UPDATE SET channel_id = EXCLUDED.channel_id, updated_at = EXCLUDED.updated_at",
    )
    .bind(member_id)
    .bind(channel_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Forgets a DM channel Discord no longer knows, so the next post opens a new one.
pub async fn forget_dm_channel(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE discord_dm_channels SET channel_id = NULL WHERE member_id = $1")
        .bind(member_id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn mark_dms_closed(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO discord_dm_channels (member_id, closed_at, updated_at) VALUES ($1, $2, $2)
         ON CONFLICT (member_id) DO UPDATE SET closed_at = EXCLUDED.closed_at, updated_at = EXCLUDED.updated_at",
    )
    .bind(member_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Discord user ids of the given members (members of other platforms are left out).
pub async fn user_ids(
    ex: impl PgExecutor<'_>,
    member_ids: &[Uuid],
) -> sqlx::Result<HashMap<Uuid, String>> {
    if member_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, platform_user_id FROM members WHERE id = ANY($1) AND platform = 'discord'",
    )
    .bind(member_ids)
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The channel of the member's most recent cohort (as a learner, else a cohort role), where
/// a post goes when their DMs are closed.
pub async fn fallback_channel(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT channel FROM (
             SELECT c.channel, 0 AS rank, e.joined_at AS at FROM enrollments e
             JOIN cohorts c ON c.id = e.cohort_id
             WHERE e.member_id = $1 AND e.status = 'active' AND c.channel IS NOT NULL
             UNION ALL
             SELECT c.channel, 1, r.granted_at FROM member_roles r
             JOIN cohorts c ON c.id = r.cohort_id
             WHERE r.member_id = $1 AND c.channel IS NOT NULL) t
         ORDER BY rank, at DESC LIMIT 1",
    )
    .bind(member_id)
    .fetch_optional(ex)
    .await
}

/// The community of a Discord guild.
pub async fn community_by_guild(
    ex: impl PgExecutor<'_>,
    guild_id: &str,
) -> sqlx::Result<Option<(Uuid, String)>> {
    sqlx::query_as("SELECT id, slug FROM communities WHERE discord_guild_id = $1")
        .bind(guild_id)
        .fetch_optional(ex)
        .await
}

/// The Discord guild of a community, if it has one.
pub async fn guild_of(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT discord_guild_id FROM communities WHERE id = $1")
        .bind(community_id)
        .fetch_optional(ex)
        .await
        .map(Option::flatten)
}

/// What a DM interaction (which has no guild) tells about its community.
#[derive(Debug, Default, Clone, Copy)]
pub struct DmHint<'a> {
    /// A cohort the button was for.
    pub cohort: Option<&'a str>,
    /// Another Discord user the button names (the learner of a Reply or Verify).
    pub other_user: Option<&'a str>,
    /// A kept Yes/No question of this member's (its short id).
    pub question: Option<&'a str>,
}

/// The communities where this Discord user is a member and that fit the hint, at most two:
/// one means the DM's community is known, two that it is ambiguous.
pub async fn dm_communities(
    ex: impl PgExecutor<'_>,
    discord_user_id: &str,
    hint: DmHint<'_>,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT c.id, c.slug FROM members m JOIN communities c ON c.id = m.community_id
          WHERE m.platform = 'discord' AND m.platform_user_id = $1
            AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM cohorts k
                                              WHERE k.community_id = c.id AND k.slug = $2))
            AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM members o
                                              WHERE o.community_id = c.id AND o.platform = 'discord'
                                                AND o.platform_user_id = $3))
            AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM questions q
                                              WHERE q.id = $4 AND q.member_id = m.id))
          ORDER BY c.slug LIMIT 2",
    )
    .bind(discord_user_id)
    .bind(hint.cohort)
    .bind(hint.other_user)
    .bind(hint.question)
    .fetch_all(ex)
    .await
}

/// The Discord role ids seen on the member's last member event, if any was seen.
pub async fn seen_roles(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
) -> sqlx::Result<Option<Vec<String>>> {
    sqlx::query_scalar("SELECT role_ids FROM discord_member_roles WHERE member_id = $1")
        .bind(member_id)
        .fetch_optional(ex)
        .await
}

pub async fn save_seen_roles(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    role_ids: &[String],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO discord_member_roles (member_id, role_ids, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (member_id) DO UPDATE SET role_ids = EXCLUDED.role_ids,
                                               updated_at = EXCLUDED.updated_at",
    )
    .bind(member_id)
    .bind(role_ids)
    .bind(now)
    .execute(ex)
    .await
    .map(drop)
}
