//! The bot removed from a community's Discord server (`GUILD_DELETE`) or Slack workspace
//! (`app_uninstalled`): the community is marked for deletion after
//! `privacy.purge_after_days`, and the stewards are told; added back before then, the mark
//! is lifted. The leader's daily housekeeping purges what is due: every row of the
//! community, in every table.

pub mod messages;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{Destination, Services, enqueue};

/// The platform the bot was removed from (or added back to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Discord,
    Slack,
}

impl Platform {
    fn column(self) -> &'static str {
        match self {
            Platform::Discord => "discord_guild_id",
            Platform::Slack => "slack_team_id",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Platform::Discord => "Discord server",
            Platform::Slack => "Slack workspace",
        }
    }
}

impl Services {
    /// The bot was removed from the server or workspace `platform_id`; the purge date, or
    /// None when no community is linked to it or it was marked already.
    pub async fn community_removed(
        &self,
        platform: Platform,
        platform_id: &str,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let now = self.clock.now();
        let purge_at = now + self.purge_after;
        let mut tx = self.pool.begin().await?;
        // A community linked to both platforms still has the other: nothing is purged.
        let marked: Option<(Uuid, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE communities SET removed_at = $2, purge_after = $3
              WHERE {} = $1 AND purge_after IS NULL
                AND num_nonnulls(discord_guild_id, slack_team_id) = 1
              RETURNING id, slug",
            platform.column()
        )))
        .bind(platform_id)
        .bind(now)
        .bind(purge_at)
        .fetch_optional(&mut *tx)
        .await
        .context("marking the community for deletion")?;
        let Some((community, slug)) = marked else {
            tracing::info!(
                platform = platform.name(),
                platform_id,
                "bot removed; no community to mark for deletion"
            );
            return Ok(None);
        };
        crate::store::audit::record(
            &mut *tx,
            community,
            None,
            "community.removed",
            json!({ "platform": platform.name(), "purge_after": purge_at }),
            now,
        )
        .await?;
        let told = tell_stewards(
            &mut tx,
            community,
            &format!("removed:{community}:{}", now.timestamp()),
            &messages::removed(platform.name(), &slug, purge_at),
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(community = %slug, platform = platform.name(), purge_after = %purge_at,
            stewards_told = told, "bot removed: the community's data is deleted on the purge date unless the bot is added back");
        Ok(Some(purge_at))
    }

    /// The bot is in the server or workspace again: a pending purge is called off. True
    /// when there was one.
    pub async fn community_readded(
        &self,
        platform: Platform,
        platform_id: &str,
    ) -> anyhow::Result<bool> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let kept: Option<(Uuid, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE communities SET removed_at = NULL, purge_after = NULL
              WHERE {} = $1 AND purge_after IS NOT NULL
              RETURNING id, slug",
            platform.column()
        )))
        .bind(platform_id)
        .fetch_optional(&mut *tx)
        .await
        .context("lifting the community's deletion")?;
        let Some((community, slug)) = kept else {
            return Ok(false);
        };
        crate::store::audit::record(
            &mut *tx,
            community,
            None,
            "community.readded",
            json!({ "platform": platform.name() }),
            now,
        )
        .await?;
        tell_stewards(
            &mut tx,
            community,
            &format!("readded:{community}:{}", now.timestamp()),
            &messages::readded(platform.name(), &slug),
            now,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(community = %slug, platform = platform.name(), "bot added back: the community's deletion is called off");
        Ok(true)
    }
}

async fn tell_stewards(
    tx: &mut PgConnection,
    community: Uuid,
    key: &str,
    message: &crate::render::Message,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let stewards = crate::store::mentoring::stewards(&mut *tx, community).await?;
    for (member_id, display_name) in &stewards {
        let to = Destination::Direct {
            member_id: *member_id,
            display_name: display_name.clone(),
        };
        enqueue(
            tx,
            community,
            &format!("{key}:{member_id}"),
            &to,
            message,
            now,
        )
        .await?;
    }
    Ok(stewards.len())
}

/// Purges every community whose purge date has come: each in its own transaction, taken
/// with `FOR UPDATE SKIP LOCKED`. The number purged.
pub async fn purge_due(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut purged = 0;
    loop {
        let mut tx = pool.begin().await?;
        let due: Option<(Uuid, String)> = sqlx::query_as(
            "SELECT id, slug FROM communities
              WHERE purge_after <= $1
              ORDER BY purge_after LIMIT 1
              FOR UPDATE SKIP LOCKED",
        )
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((community, slug)) = due else {
            break;
        };
        let rows = purge(&mut tx, community)
            .await
            .with_context(|| format!("purging community {slug}"))?;
        tx.commit().await?;
        purged += 1;
        tracing::warn!(community = %slug, rows, "community purged: the bot was removed and not added back");
    }
    Ok(purged)
}

/// Deletes every row of `community`: from each table with a `community_id` column, rows
/// that others point at without `ON DELETE CASCADE` after those others (enrollments before
/// their mentor groups and tracks), then the community row, whose cascades take the rest.
pub async fn purge(tx: &mut PgConnection, community: Uuid) -> anyhow::Result<u64> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.table_name::text FROM information_schema.columns c
           JOIN information_schema.tables t
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
            AND c.column_name = 'community_id' AND c.table_name <> 'communities'
          ORDER BY 1",
    )
    .fetch_all(&mut *tx)
    .await?;
    // (child, parent) for every foreign key that blocks deleting the parent first.
    let blocking: Vec<(String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
          WHERE contype = 'f' AND confdeltype IN ('a', 'r') AND conrelid <> confrelid
            AND connamespace = 'public'::regnamespace",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut rows = 0;
    for table in children_first(tables, &blocking) {
        // Names come from the schema itself; quoted, so a name can only be a name.
        let sql = format!(
            "DELETE FROM \"{}\" WHERE community_id = $1",
            table.replace('"', "")
        );
        rows += sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(community)
            .execute(&mut *tx)
            .await
            .with_context(|| format!("deleting the community's rows in {table}"))?
            .rows_affected();
    }
    rows += sqlx::query("DELETE FROM communities WHERE id = $1")
        .bind(community)
        .execute(&mut *tx)
        .await
        .context("deleting the community")?
        .rows_affected();
    Ok(rows)
}

/// `tables` ordered so that each comes before every table it blocks (a `(child, parent)`
/// pair): the children's rows go first. Tables in a cycle keep their order at the end.
fn children_first(mut tables: Vec<String>, blocking: &[(String, String)]) -> Vec<String> {
    let mut ordered = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        // A table no remaining table still points at may go now.
        let free = tables.iter().position(|t| {
            !blocking
                .iter()
                .any(|(child, parent)| parent == t && child != t && tables.contains(child))
        });
        match free {
            Some(i) => ordered.push(tables.remove(i)),
            None => {
                ordered.append(&mut tables);
            }
        }
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_pointed_at_go_after_the_rows_pointing_at_them() {
        let tables = ["mentor_groups", "members", "enrollments", "tracks", "kudos"]
            .map(String::from)
            .to_vec();
        let blocking = [
            ("enrollments", "mentor_groups"),
            ("enrollments", "tracks"),
            ("mentor_groups", "members"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()));
        let ordered = children_first(tables, &blocking);
        let at = |t: &str| ordered.iter().position(|o| o == t).unwrap();
        assert!(at("enrollments") < at("mentor_groups"));
        assert!(at("enrollments") < at("tracks"));
        assert!(at("mentor_groups") < at("members"));
        assert_eq!(ordered.len(), 5);
    }
}
