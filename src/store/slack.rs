//! Slack's view of communities and members: workspace lookup, user ids, seeded time zones.

use sqlx::{AssertSqlSafe, PgExecutor};
use uuid::Uuid;

use super::communities::Community;

/// The community living in the Slack workspace `team_id`.
pub async fn community_by_team(
    ex: impl PgExecutor<'_>,
    team_id: &str,
) -> sqlx::Result<Option<Community>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {} FROM communities WHERE slack_team_id = $1",
        super::communities::COLUMNS
    )))
    .bind(team_id)
    .fetch_optional(ex)
    .await
}

/// Slack user ids of the given members (those on Slack), for real mentions.
pub async fn user_ids(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT id, platform_user_id FROM members
         WHERE community_id = $1 AND platform = 'slack' AND id = ANY($2)",
    )
    .bind(community_id)
    .bind(member_ids)
    .fetch_all(ex)
    .await
}

/// Takes the profile Slack reports for a new member: its name unless the member chose one
/// with `/me name` in the meantime, its time zone unless they chose one (their own choice
/// wins).
pub async fn apply_profile(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    display_name: Option<&str>,
    timezone: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE members SET display_name = CASE WHEN display_name = platform_name
                                                THEN COALESCE($2, display_name)
                                                ELSE display_name END,
                            platform_name = COALESCE($2, platform_name),
                            timezone = COALESCE(timezone, $3)
         WHERE id = $1 AND platform = 'slack'",
    )
    .bind(member_id)
    .bind(display_name)
    .bind(timezone)
    .execute(ex)
    .await?;
    Ok(())
}
