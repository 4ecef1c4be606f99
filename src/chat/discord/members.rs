//! Discord people as members: created and renamed on contact, and program roles kept in
//! step with the mapped Discord roles (both ways).

use serde_json::json;
use serenity::model::id::{GuildId, RoleId};
use serenity::model::user::User;

use super::handler::Handler;
use super::messages;
use crate::commands::catalog::NAME_MAX;
use crate::render::Message;
use crate::services::Caller;
use crate::store::discord::DmHint;
use crate::store::{self, members};

impl Handler {
    /// The community of the guild and the member, created or renamed on first contact. A DM
    /// (no guild) belongs to the one community where the user is a member that fits `hint`.
    pub(super) async fn caller(
        &self,
        guild: Option<GuildId>,
        user: &User,
        nick: Option<&str>,
        hint: DmHint<'_>,
    ) -> Result<Caller, Message> {
        let internal = |what: &'static str| {
            move |err: sqlx::Error| {
                tracing::error!(error = %err, "{what}");
                crate::services::messages::internal_error()
            }
        };
        let pool = &self.services.pool;
        let Some(guild) = guild else {
            return self.dm_caller(user, hint).await;
        };
        let community = store::discord::community_by_guild(pool, &guild.to_string())
            .await
            .map_err(internal("looking up the guild's community"))?;
        let Some((community_id, community_slug)) = community else {
            tracing::info!(guild = %guild, "interaction from a guild with no community");
            return Err(messages::unknown_guild());
        };
        let member = self
            .ensure_member(community_id, user, nick)
            .await
            .map_err(internal("recording the Discord member"))?;
        Ok(Caller {
            community_id,
            community_slug,
            member,
        })
    }

    /// A DM carries no guild and no server nickname, so the member must exist already and is
    /// not renamed.
    async fn dm_caller(&self, user: &User, hint: DmHint<'_>) -> Result<Caller, Message> {
        let pool = &self.services.pool;
        let user_id = user.id.to_string();
        let internal = |err: sqlx::Error| {
            tracing::error!(error = %err, "resolving a DM's community");
            crate::services::messages::internal_error()
        };
        let found = store::discord::dm_communities(pool, &user_id, hint)
            .await
            .map_err(internal)?;
        let (community_id, community_slug) = match found.as_slice() {
            [one] => one.clone(),
            [] => return Err(messages::guild_only()),
            _ => {
                tracing::info!("DM interaction fits several communities");
                return Err(messages::dm_ambiguous());
            }
        };
        let member = members::find(pool, community_id, "discord", &user_id)
            .await
            .map_err(internal)?
            .ok_or_else(messages::guild_only)?;
        Ok(Caller {
            community_id,
            community_slug,
            member,
        })
    }

    pub(super) async fn ensure_member(
        &self,
        community_id: uuid::Uuid,
        user: &User,
        nick: Option<&str>,
    ) -> sqlx::Result<members::Member> {
        let name = display_name(user, nick);
        members::ensure(
            &self.services.pool,
            community_id,
            "discord",
            &user.id.to_string(),
            &name,
            self.services.clock.now(),
        )
        .await
    }

    /// Gateway member events: keep the display name and the mapped program roles in step
    /// with Discord (community-wide roles only; cohort roles stay the program's business).
    /// A mapped Discord role added grants the program role, one removed revokes it.
    pub async fn sync_member(
        &self,
        guild: GuildId,
        user: &User,
        nick: Option<&str>,
        role_ids: &[RoleId],
    ) -> anyhow::Result<()> {
        let pool = &self.services.pool;
        let Some((community_id, _)) =
            store::discord::community_by_guild(pool, &guild.to_string()).await?
        else {
            return Ok(());
        };
        if user.bot {
            return Ok(());
        }
        let member = self.ensure_member(community_id, user, nick).await?;
        let now = self.services.clock.now();
        // The roles, their audit rows and what was seen change together or not at all.
        let mut tx = pool.begin().await?;
        let seen = store::discord::seen_roles(&mut *tx, member.id).await?;
        let had = |id: &RoleId| seen.as_ref().map(|ids| ids.contains(&id.to_string()));
        for (role, discord_role) in &self.roles {
            let has = role_ids.contains(discord_role);
            // Only what changed in Discord: the first event seen grants but never revokes.
            let changed = match (has, had(discord_role)) {
                (true, Some(true)) | (false, None | Some(false)) => false,
                (true, _) => {
                    store::roles::grant(&mut *tx, community_id, member.id, *role, None, None, now)
                        .await?
                }
                (false, Some(true)) => {
                    store::roles::revoke(&mut tx, member.id, *role, None).await?
                }
            };
            if changed {
                let action = if has { "role.grant" } else { "role.revoke" };
                let detail = json!({ "member": member.platform_user_id, "role": role.as_str(), "via": "discord" });
                store::audit::record(&mut *tx, community_id, Some(member.id), action, detail, now)
                    .await?;
            }
        }
        let ids: Vec<String> = role_ids.iter().map(ToString::to_string).collect();
        store::discord::save_seen_roles(&mut *tx, member.id, &ids, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Server nickname, else global display name, else user name.
fn display_name(user: &User, nick: Option<&str>) -> String {
    let name = nick.or(user.global_name.as_deref()).unwrap_or(&user.name);
    crate::domain::text::clean_name(name, NAME_MAX).unwrap_or_else(|| user.name.clone())
}
