//! Discord people as members: created and renamed on contact, and program roles kept in
//! step with the mapped Discord roles (both ways).

use serenity::model::id::{GuildId, RoleId};
use serenity::model::user::User;

use anyhow::Context as _;

use super::handler::Handler;
use crate::domain::Role;
use crate::render::Message;
use crate::services::Caller;
use crate::services::identity::{Contact, Naming, Place};
use crate::services::roles::platform::HeldRoles;
use crate::store::discord::DmHint;
use crate::store::outbox::Platform;
use crate::store::{self, members};

impl Handler {
    /// The community of the guild and the member, created or renamed on first contact. A DM
    /// (no guild) belongs to the one community where the user is a member that fits `hint`;
    /// it carries no server nickname, so it does not rename.
    pub(super) async fn caller(
        &self,
        guild: Option<GuildId>,
        user: &User,
        nick: Option<&str>,
        hint: DmHint<'_>,
    ) -> Result<Caller, Message> {
        let guild = guild.map(|g| g.to_string());
        let user_id = user.id.to_string();
        let contact = match &guild {
            Some(guild) => Contact {
                place: Place::DiscordGuild(guild),
                user_id: &user_id,
                naming: Naming::Current(display_name(user, nick)),
            },
            None => Contact {
                place: Place::DiscordDm(hint),
                user_id: &user_id,
                naming: Naming::ForNewMember(None),
            },
        };
        match self.services.resolve_caller(contact).await {
            Ok(resolved) => Ok(resolved.caller),
            Err(err) => Err(err.into_message("resolving a Discord caller")),
        }
    }

    /// A Discord user in the community, created or renamed (members named in options, and
    /// gateway member events).
    pub(super) async fn ensure_member(
        &self,
        community_id: uuid::Uuid,
        user: &User,
        nick: Option<&str>,
    ) -> anyhow::Result<members::Member> {
        let naming = Naming::Current(display_name(user, nick));
        let user_id = user.id.to_string();
        let found = self
            .services
            .ensure_named(community_id, Platform::Discord, &user_id, naming)
            .await
            .map_err(|err| anyhow::anyhow!("{err:#}"))?;
        let (member, _) = found.context("a Discord user id that is not a snowflake")?;
        Ok(member)
    }

    /// Gateway member events: the member is created or renamed, and the services keep the
    /// mapped program roles in step with their Discord roles.
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
        let held: Vec<String> = role_ids.iter().map(ToString::to_string).collect();
        let mapped: Vec<(Role, String)> = self
            .roles
            .iter()
            .map(|(role, id)| (*role, id.to_string()))
            .collect();
        let seen = HeldRoles {
            community_id,
            member: &member,
            held: &held,
            mapped: &mapped,
        };
        self.services
            .platform_roles_seen(seen, "discord")
            .await
            .map_err(|err| anyhow::anyhow!("{err:#}"))
    }
}

/// Server nickname, else global display name, else user name; the services clean it.
fn display_name<'a>(user: &'a User, nick: Option<&'a str>) -> &'a str {
    nick.or(user.global_name.as_deref()).unwrap_or(&user.name)
}
