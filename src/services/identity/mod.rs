//! Resolves who is calling, the same way on every platform: the community from where they
//! are (a Discord server or DM, a Slack workspace, the shell's community), and the member,
//! created on first contact. Discord's gateway and HTTP interactions, Slack's HTTP and Socket
//! Mode and the shell all come through here, so no adapter has its own rule.

pub mod messages;

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Caller, ServiceResult, Services, refuse};
use crate::commands::catalog::NAME_MAX;
use crate::domain::text::clean_name;
use crate::domain::{Role, clean_line};
use crate::render::Message;
use crate::store::discord::DmHint;
use crate::store::members::Member;
use crate::store::outbox::Platform;
use crate::store::{self, audit, communities, invocations, members, outbox, roles};

/// Longest platform user id or shell handle.
const USER_ID_MAX: usize = 80;

/// Where the platform says the caller is; it decides the community.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    /// The shell, in its configured community.
    Shell { community: &'a str },
    /// A Discord server.
    DiscordGuild(&'a str),
    /// A Discord DM carries no server: it belongs to the one community where the user is
    /// already a member that fits the hint.
    DiscordDm(DmHint<'a>),
    /// A Slack workspace.
    SlackTeam(&'a str),
}

impl Place<'_> {
    fn platform(&self) -> Platform {
        match self {
            Place::Shell { .. } => Platform::Shell,
            Place::DiscordGuild(_) | Place::DiscordDm(_) => Platform::Discord,
            Place::SlackTeam(_) => Platform::Slack,
        }
    }
}

/// What the platform says a person is called.
#[derive(Debug, Clone, Copy)]
pub enum Naming<'a> {
    /// Their current name there (a Discord server nickname or display name): the member
    /// takes it on every contact, so names follow renames.
    Current(&'a str),
    /// A name for a new member only, when the platform's is a hint that may be outdated
    /// (Slack's `user_name`; the profile fetched afterwards corrects it) or absent.
    ForNewMember(Option<&'a str>),
}

/// One person on one platform, as a payload names them.
#[derive(Debug, Clone, Copy)]
pub struct Contact<'a> {
    pub place: Place<'a>,
    pub user_id: &'a str,
    pub naming: Naming<'a>,
}

/// The caller, and whether this contact created them.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub caller: Caller,
    pub created: bool,
}

impl Services {
    /// The community and member of `contact`, creating the member on first contact.
    pub async fn resolve_caller(&self, contact: Contact<'_>) -> ServiceResult<Resolved> {
        let mut tx = self.pool.begin().await?;
        let resolved = self.resolve_in(&mut tx, contact).await?;
        tx.commit().await.context("committing a caller")?;
        Ok(resolved)
    }

    /// The shell's caller `user_id` in `community`; shorthand for [`Self::resolve_caller`].
    pub async fn shell_caller(&self, community: &str, user_id: &str) -> ServiceResult<Caller> {
        let contact = Contact {
            place: Place::Shell { community },
            user_id,
            naming: Naming::ForNewMember(None),
        };
        Ok(self.resolve_caller(contact).await?.caller)
    }

    /// A person named in a command (`/role grant @new`), recorded in the caller's community
    /// as if they had made contact, so the command finds them. `None` when the id is not
    /// one of the platform's.
    pub async fn ensure_named(
        &self,
        community_id: Uuid,
        platform: Platform,
        user_id: &str,
        naming: Naming<'_>,
    ) -> ServiceResult<Option<(Member, bool)>> {
        let Ok(user_id) = checked_user_id(platform, user_id) else {
            return Ok(None);
        };
        let mut tx = self.pool.begin().await?;
        let found = self
            .member_in(&mut tx, community_id, platform, &user_id, naming)
            .await?;
        tx.commit().await.context("committing a named member")?;
        Ok(Some(found))
    }

    /// Someone opened the bot's own page (Slack's App Home): a new member gets one welcome
    /// DM, and opening its Home tab (not its Messages tab) publishes their Home. The
    /// platform's event id makes a redelivered event a no-op.
    pub async fn opened_app(
        &self,
        contact: Contact<'_>,
        event_id: &str,
        home_tab: bool,
    ) -> ServiceResult<Option<Resolved>> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let resolved = self.resolve_in(&mut tx, contact).await?;
        let (community_id, member_id) = (resolved.caller.community_id, resolved.caller.member.id);
        let platform = contact.place.platform().as_str();
        let delivery = format!("{platform}:event:{event_id}");
        if !invocations::begin(&mut *tx, community_id, &delivery, now).await? {
            tracing::info!(platform, "app opened event already handled");
            return Ok(None);
        }
        if resolved.created {
            let key = format!("{platform}:welcome:{member_id}");
            let welcome = messages::welcome();
            outbox::enqueue(
                &mut *tx,
                community_id,
                &key,
                None,
                Some(member_id),
                &welcome,
                now,
                None,
            )
            .await?;
        }
        // Opening the Home tab shows it as it is now.
        if home_tab {
            super::home::refresh(&mut tx, community_id, &[member_id], now).await?;
        }
        tx.commit()
            .await
            .context("committing an app-opened event")?;
        Ok(Some(resolved))
    }

    async fn resolve_in(
        &self,
        tx: &mut PgConnection,
        contact: Contact<'_>,
    ) -> ServiceResult<Resolved> {
        let platform = contact.place.platform();
        let user_id = checked_user_id(platform, contact.user_id)?;
        let (community_id, community_slug) = match contact.place {
            Place::Shell { community } => {
                let found = communities::by_slug(&mut *tx, community).await?.with_context(|| {
                    format!("community `{community}` (shell.community) does not exist; import a program file that defines it")
                })?;
                (found.id, found.slug)
            }
            Place::DiscordGuild(guild) => {
                let Some(found) = store::discord::community_by_guild(&mut *tx, guild).await? else {
                    tracing::info!(guild, "interaction from a guild with no community");
                    return refuse(messages::unknown_guild());
                };
                found
            }
            Place::DiscordDm(hint) => {
                let found = store::discord::dm_communities(&mut *tx, &user_id, hint).await?;
                match <[_; 1]>::try_from(found) {
                    Ok([one]) => one,
                    Err(found) if found.is_empty() => return refuse(messages::guild_only()),
                    Err(_) => {
                        tracing::info!("DM interaction fits several communities");
                        return refuse(messages::dm_ambiguous());
                    }
                }
            }
            Place::SlackTeam(team) => {
                let Some(found) = store::slack::community_by_team(&mut *tx, team).await? else {
                    tracing::warn!(team, "Slack workspace has no community");
                    return refuse(messages::workspace_not_connected());
                };
                (found.id, found.slug)
            }
        };
        let (member, created) = self
            .member_in(tx, community_id, platform, &user_id, contact.naming)
            .await?;
        Ok(Resolved {
            caller: Caller {
                community_id,
                community_slug,
                member,
            },
            created,
        })
    }

    /// The member `user_id` of the community, created (or renamed, for a current name).
    async fn member_in(
        &self,
        tx: &mut PgConnection,
        community_id: Uuid,
        platform: Platform,
        user_id: &str,
        naming: Naming<'_>,
    ) -> ServiceResult<(Member, bool)> {
        let platform = platform.as_str();
        let now = self.clock.now();
        let existing = members::find(&mut *tx, community_id, platform, user_id).await?;
        let member = match (existing, naming) {
            // The platform sends the same name with every contact: the member follows it
            // only once it changes, so a name chosen with `/me name` stays until they
            // rename themselves there.
            (Some(member), Naming::Current(name)) => match clean_name(name, NAME_MAX) {
                Some(name) if member.platform_name.as_deref() != Some(name.as_str()) => {
                    members::follow_platform_name(&mut *tx, member.id, &name).await?
                }
                _ => member,
            },
            (Some(member), Naming::ForNewMember(_)) => member,
            (None, naming) => {
                let name = match naming {
                    Naming::Current(name) => first_name(user_id, Some(name)),
                    Naming::ForNewMember(name) => first_name(user_id, name),
                };
                let created = members::create_if_absent(
                    &mut *tx,
                    community_id,
                    platform,
                    user_id,
                    &name,
                    now,
                )
                .await?;
                match created {
                    Some(member) => return Ok((member, true)),
                    // Another first contact created them in between.
                    None => members::find(&mut *tx, community_id, platform, user_id)
                        .await?
                        .context("a member created concurrently vanished")?,
                }
            }
        };
        Ok((member, false))
    }

    /// Gives the caller a role directly: the shell's `/as NAME --role ROLE`, for local trials.
    pub async fn shell_grant(&self, caller: &Caller, role: Role) -> ServiceResult<bool> {
        let mut tx = self.pool.begin().await?;
        let now = self.clock.now();
        let granted = roles::grant(
            &mut *tx,
            caller.community_id,
            caller.member.id,
            role,
            None,
            None,
            now,
        )
        .await?;
        if granted {
            let detail = serde_json::json!({ "member": caller.member.platform_user_id, "role": role.as_str(), "via": "shell" });
            audit::record(
                &mut *tx,
                caller.community_id,
                Some(caller.member.id),
                "role.grant",
                detail,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(granted)
    }
}

/// The platform's user id, checked for its shape: a Discord snowflake, a Slack id, or a
/// shell handle of one word (a leading `@` dropped).
fn checked_user_id(platform: Platform, user_id: &str) -> ServiceResult<String> {
    let valid = match platform {
        Platform::Discord => {
            !user_id.is_empty()
                && user_id.len() <= 20
                && user_id.bytes().all(|b| b.is_ascii_digit())
        }
        Platform::Slack => crate::render::slack::is_slack_id(user_id),
        Platform::Shell => {
            let handle = clean_line("user", user_id.trim_start_matches('@'), USER_ID_MAX)
                .map_err(|e| super::ServiceError::User(Message::marked(&e.to_string())))?;
            if handle.contains(char::is_whitespace) {
                return refuse(messages::shell_name_one_word());
            }
            return Ok(handle);
        }
    };
    if !valid {
        tracing::warn!(
            platform = platform.as_str(),
            "payload without a valid user id"
        );
        return refuse(messages::not_a_platform_user());
    }
    Ok(user_id.to_owned())
}

/// The name a new member starts with: the platform's name, cleaned, else their id.
fn first_name(user_id: &str, name: Option<&str>) -> String {
    name.and_then(|n| clean_name(n, NAME_MAX))
        .unwrap_or_else(|| user_id.to_owned())
}

/// The caller a member would be, by id: for work done on their behalf (publishing their
/// Home). `None` when they are gone.
pub async fn caller_by_id(tx: &mut PgConnection, member_id: Uuid) -> ServiceResult<Option<Caller>> {
    let Some(member) = members::by_id(&mut *tx, member_id).await? else {
        return Ok(None);
    };
    let community = communities::by_id(&mut *tx, member.community_id)
        .await?
        .context("a member's community")?;
    Ok(Some(Caller {
        community_id: community.id,
        community_slug: community.slug,
        member,
    }))
}
