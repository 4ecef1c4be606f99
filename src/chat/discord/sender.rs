//! The outbox's Discord sender: channel posts and DMs with `allowed_mentions` on every
//! message, nonces against double posts, and a channel fallback when DMs are closed.

mod concern_space;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{Value, json};
use serenity::http::{LightMethod, Route};
use serenity::model::id::{ChannelId, GuildId, MessageId, RoleId, UserId};
use sqlx::PgPool;
use uuid::Uuid;

use super::custom_id::{CustomIds, Target};
use super::messages;
use super::rest::{DMS_CLOSED, Rest, RestError, UNKNOWN_CHANNEL};
use crate::clock::Clock;
use crate::domain::Role;
use crate::outbox::{
    Delivered, EarnedRoleAction, OutboundPost, Pacing, PlatformAction, Recipient, SendError, Sender,
};
use crate::render::{Message, discord};
use crate::store;

/// Where cohort channels are on Discord: the program file's `channel` is either a numeric
/// channel id or a name listed in `[discord.channels]`.
#[derive(Debug, Clone, Default)]
pub struct Channels(pub BTreeMap<String, String>);

impl Channels {
    pub fn resolve(&self, channel: &str) -> Option<ChannelId> {
        let channel = channel.trim_start_matches('#');
        let id = self.0.get(channel).map(String::as_str).unwrap_or(channel);
        id.parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(ChannelId::new)
    }
}

#[derive(Clone)]
pub struct DiscordSender {
    rest: Arc<Rest>,
    pool: PgPool,
    clock: Arc<dyn Clock>,
    ids: CustomIds,
    channels: Channels,
    /// `[discord.roles]`: the server role each program role is mirrored to.
    roles: BTreeMap<Role, RoleId>,
}

impl DiscordSender {
    pub fn new(
        rest: Arc<Rest>,
        pool: PgPool,
        clock: Arc<dyn Clock>,
        ids: CustomIds,
        channels: Channels,
    ) -> Self {
        Self {
            rest,
            pool,
            clock,
            ids,
            channels,
            roles: BTreeMap::new(),
        }
    }

    /// Mirrors these program roles to Discord server roles.
    pub fn with_roles(mut self, roles: BTreeMap<Role, RoleId>) -> Self {
        self.roles = roles;
        self
    }

    /// Edits the message `sent` (`channel:message`) to the post's body, without the buttons
    /// it had: an answered prompt cannot be pressed again.
    async fn replace(&self, post: &OutboundPost, sent: &str) -> Result<Delivered, SendError> {
        let ids = message_ref(sent);
        let Some((channel, message)) = ids else {
            // Rows sent before messages were recorded with their channel cannot be edited.
            tracing::info!(
                outbox_id = post.id,
                "no channel recorded for the message; not replaced"
            );
            return Ok(Delivered::nothing_to_do());
        };
        let member_ids: Vec<Uuid> = post.message.mentioned().collect();
        let discord_ids = store::discord::user_ids(&self.pool, &member_ids)
            .await
            .map_err(db_send_error)?;
        let Some(note) = render(&post.message, &discord_ids, &self.ids)
            .into_iter()
            .next()
        else {
            return Ok(Delivered::nothing_to_do());
        };
        let mut body = note.to_json();
        body["components"] = json!([]);
        let route = Route::ChannelMessage {
            channel_id: ChannelId::new(channel),
            message_id: MessageId::new(message),
        };
        self.rest
            .call(route, LightMethod::Patch, Some(&body))
            .await
            .map_err(send_error)?;
        Ok(Delivered {
            platform_message_id: sent.to_owned(),
        })
    }

    /// Gives or takes the mapped server role so it matches the program role as it is now.
    async fn mirror_role(
        &self,
        post: &OutboundPost,
        member_id: Uuid,
        platform_user_id: &str,
        role: Role,
    ) -> Result<Delivered, SendError> {
        let Some(role_id) = self.roles.get(&role) else {
            return Ok(Delivered::nothing_to_do());
        };
        let (guild, user_id) = self.guild_member(post, platform_user_id).await?;
        let holds = store::roles::holds_anywhere(&self.pool, member_id, role)
            .await
            .map_err(db_send_error)?;
        let method = if holds {
            LightMethod::Put
        } else {
            LightMethod::Delete
        };
        self.set_role(guild, user_id, *role_id, method).await
    }

    /// The community's guild and the member's user id, both as Discord ids.
    async fn guild_member(
        &self,
        post: &OutboundPost,
        platform_user_id: &str,
    ) -> Result<(GuildId, UserId), SendError> {
        let user_id = platform_user_id
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| SendError::Permanent(messages::not_a_discord_user(platform_user_id)))?;
        let guild = store::discord::guild_of(&self.pool, post.community_id)
            .await
            .map_err(db_send_error)?
            .and_then(|g| g.parse::<u64>().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| SendError::Permanent(messages::community_without_guild()))?;
        Ok((GuildId::new(guild), UserId::new(user_id)))
    }

    /// Adds (`Put`) or removes (`Delete`) a server role; both are idempotent on Discord.
    async fn set_role(
        &self,
        guild_id: GuildId,
        user_id: UserId,
        role_id: RoleId,
        method: LightMethod,
    ) -> Result<Delivered, SendError> {
        let route = Route::GuildMemberRole {
            guild_id,
            user_id,
            role_id,
        };
        self.rest
            .call(route, method, None)
            .await
            .map_err(send_error)?;
        Ok(Delivered::nothing_to_do())
    }

    /// Makes the member's earned role follow whether they hold it now. A check reads the
    /// member first (see [`earned_roles::to_set`](crate::services::earned_roles::to_set)).
    async fn earned_role(
        &self,
        post: &OutboundPost,
        action: EarnedRoleAction<'_>,
    ) -> Result<Delivered, SendError> {
        let target = store::earned_roles::target(&self.pool, action.rule, action.member_id)
            .await
            .map_err(db_send_error)?;
        let Some((target, role_id)) = target.and_then(|t| {
            let id = t.discord_role.as_deref()?.parse::<u64>().ok()?;
            Some((t, RoleId::new(id)))
        }) else {
            return Ok(Delivered::nothing_to_do());
        };
        let (guild, user_id) = self.guild_member(post, action.platform_user_id).await?;
        // Only a check of a holder reads the member; otherwise the role is set as held.
        let shown = if action.check && target.holds {
            let route = Route::GuildMember {
                guild_id: guild,
                user_id,
            };
            let member = self
                .rest
                .call(route, LightMethod::Get, None)
                .await
                .map_err(send_error)?;
            let role = role_id.to_string();
            Some(
                member["roles"]
                    .as_array()
                    .is_some_and(|roles| roles.iter().any(|r| r.as_str() == Some(role.as_str()))),
            )
        } else {
            None
        };
        let wanted = crate::services::earned_roles::to_set(
            &self.pool,
            post.community_id,
            action.rule,
            (action.member_id, action.display_name),
            "Discord",
            (target.holds, shown, action.check),
            self.clock.now(),
        )
        .await
        .map_err(|err| SendError::Transient {
            reason: format!("{err:#}"),
            retry_after: None,
        })?;
        match wanted {
            None => Ok(Delivered::nothing_to_do()),
            Some(true) => {
                self.set_role(guild, user_id, role_id, LightMethod::Put)
                    .await
            }
            Some(false) => {
                self.set_role(guild, user_id, role_id, LightMethod::Delete)
                    .await
            }
        }
    }

    /// Posts the body as a reply to the message `sent` (`channel:message`).
    async fn thread_reply(&self, post: &OutboundPost, sent: &str) -> Result<Delivered, SendError> {
        let ids = message_ref(sent);
        let Some((channel, message)) = ids else {
            tracing::info!(
                outbox_id = post.id,
                "no channel recorded for the message; no reply"
            );
            return Ok(Delivered::nothing_to_do());
        };
        let id = self
            .post(
                post.id,
                ChannelId::new(channel),
                &post.message,
                Some(message),
            )
            .await
            .map_err(send_error)?;
        Ok(Delivered {
            platform_message_id: id,
        })
    }

    /// Posts `message` to `channel_id` as one or more messages, the first as a reply to
    /// `reply_to` when given; returns the first id.
    async fn post(
        &self,
        outbox_id: i64,
        channel_id: ChannelId,
        message: &Message,
        reply_to: Option<u64>,
    ) -> Result<String, RestError> {
        let member_ids: Vec<Uuid> = message.mentioned().collect();
        let discord_ids = store::discord::user_ids(&self.pool, &member_ids)
            .await
            .map_err(db_error)?;
        let parts = render(message, &discord_ids, &self.ids);
        let mut first = None;
        for (i, part) in parts.iter().enumerate() {
            let mut body = part.to_json();
            // The same nonce on a resend makes Discord return the first message instead
            // of posting twice (a crash after sending, before recording).
            body["nonce"] = json!(format!("cb{outbox_id}-{i}"));
            body["enforce_nonce"] = json!(true);
            if let (Some(message_id), 0) = (reply_to, i) {
                // A reply that still posts if the original was deleted meanwhile.
                body["message_reference"] =
                    json!({ "message_id": message_id.to_string(), "fail_if_not_exists": false });
            }
            let created = self
                .rest
                .call(
                    Route::ChannelMessages { channel_id },
                    LightMethod::Post,
                    Some(&body),
                )
                .await?;
            if first.is_none() {
                first = created.get("id").and_then(Value::as_str).map(str::to_owned);
            }
        }
        // Where and which, so a later action can edit it (Slack records `channel:ts`).
        Ok(format!("{channel_id}:{}", first.unwrap_or_default()))
    }

    /// The member's DM channel: the stored one, or a new one (stored for reuse, because
    /// opening many DM channels quickly gets a bot flagged).
    async fn dm_channel(&self, member_id: Uuid, user_id: &str) -> Result<ChannelId, SendError> {
        let state = store::discord::dm_state(&self.pool, member_id)
            .await
            .map_err(db_send_error)?;
        if let Some(id) = state
            .channel_id
            .as_deref()
            .and_then(|c| c.parse::<u64>().ok())
        {
            return Ok(ChannelId::new(id));
        }
        let created = self
            .rest
            .call(
                Route::UserMeDmChannels,
                LightMethod::Post,
                Some(&json!({ "recipient_id": user_id })),
            )
            .await
            .map_err(send_error)?;
        let id = created
            .get("id")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| SendError::Transient {
                reason: "Discord returned a DM channel without an id".into(),
                retry_after: None,
            })?;
        store::discord::save_dm_channel(&self.pool, member_id, &id.to_string(), self.clock.now())
            .await
            .map_err(db_send_error)?;
        Ok(ChannelId::new(id))
    }

    /// A DM that cannot be delivered goes to the member's cohort channel, pinging only them.
    async fn fallback(
        &self,
        post: &OutboundPost,
        member_id: Uuid,
        display_name: &str,
    ) -> Result<Delivered, SendError> {
        let channel = store::discord::fallback_channel(&self.pool, member_id)
            .await
            .map_err(db_send_error)?;
        let Some(channel_id) = channel.as_deref().and_then(|c| self.channels.resolve(c)) else {
            return Err(SendError::Permanent(messages::no_fallback_channel(
                display_name,
                channel.as_deref(),
            )));
        };
        let message = Message::new()
            .mention(member_id, display_name)
            .text(" ")
            .push(post.message.clone());
        let id = self
            .post(post.id, channel_id, &message, None)
            .await
            .map_err(send_error)?;
        Ok(Delivered {
            platform_message_id: id,
        })
    }

    async fn direct(
        &self,
        post: &OutboundPost,
        member_id: Uuid,
        user_id: &str,
        display_name: &str,
    ) -> Result<Delivered, SendError> {
        let state = store::discord::dm_state(&self.pool, member_id)
            .await
            .map_err(db_send_error)?;
        if state.closed_at.is_some() {
            return self.fallback(post, member_id, display_name).await;
        }
        let channel_id = match self.dm_channel(member_id, user_id).await {
            Err(SendError::Permanent(reason)) => {
                tracing::info!(outbox_id = post.id, %reason, "cannot open a DM; posting in the cohort channel");
                return self.fallback(post, member_id, display_name).await;
            }
            other => other?,
        };
        match self.post(post.id, channel_id, &post.message, None).await {
            Ok(id) => Ok(Delivered {
                platform_message_id: id,
            }),
            Err(RestError::Rejected {
                code: Some(DMS_CLOSED),
                ..
            }) => {
                tracing::info!(
                    outbox_id = post.id,
                    "member's DMs are closed; posting in the cohort channel from now on"
                );
                store::discord::mark_dms_closed(&self.pool, member_id, self.clock.now())
                    .await
                    .map_err(db_send_error)?;
                self.fallback(post, member_id, display_name).await
            }
            Err(RestError::Rejected {
                code: Some(UNKNOWN_CHANNEL),
                ..
            }) => {
                store::discord::forget_dm_channel(&self.pool, member_id)
                    .await
                    .map_err(db_send_error)?;
                Err(SendError::Transient {
                    reason: "the stored DM channel is gone; a new one opens on retry".into(),
                    retry_after: Some(std::time::Duration::from_secs(1)),
                })
            }
            Err(err) => Err(send_error(err)),
        }
    }
}

/// The channel and message ids of a message the outbox sent, as `post` records them
/// (`channel:message`); `None` for rows recorded before the channel was.
fn message_ref(sent: &str) -> Option<(u64, u64)> {
    let (channel, message) = sent.split_once(':')?;
    Some((channel.parse().ok()?, message.parse().ok()?))
}

impl Sender for DiscordSender {
    fn platform(&self) -> &'static str {
        "discord"
    }

    /// Discord's global budget, shared by every process of the bot: serenity's own limiter
    /// (or a REST proxy's) sees only this process.
    fn pacing(&self) -> Pacing {
        super::rest::shared_budget()
    }

    async fn send(&self, post: &OutboundPost) -> Result<Delivered, SendError> {
        if let (
            Some(PlatformAction::RoleChanged { role }),
            Recipient::Direct {
                member_id,
                platform_user_id,
                ..
            },
        ) = (&post.action, &post.to)
        {
            return self
                .mirror_role(post, *member_id, platform_user_id, *role)
                .await;
        }
        if let Some(action) = post.earned_role() {
            return self.earned_role(post, action).await;
        }
        match (post.action, post.replaces.as_deref()) {
            (None, _) => {}
            (Some(PlatformAction::MirrorSession { session }), _) => {
                let writer = super::scheduled_events::EventWriter {
                    rest: &self.rest,
                    pool: &self.pool,
                    clock: &self.clock,
                };
                return writer.sync(session).await;
            }
            (Some(PlatformAction::ConcernSpace { concern, announce }), _) => {
                return self.concern_space(post, concern, announce).await;
            }
            (Some(PlatformAction::ReconcileEvents), _) => {
                let Some(guild) = store::discord::guild_of(&self.pool, post.community_id)
                    .await
                    .map_err(|e| SendError::Transient {
                        reason: format!("reading the community's Discord server: {e}"),
                        retry_after: None,
                    })?
                else {
                    return Ok(Delivered::nothing_to_do());
                };
                let writer = super::scheduled_events::EventWriter {
                    rest: &self.rest,
                    pool: &self.pool,
                    clock: &self.clock,
                };
                return writer.reconcile(&guild).await;
            }
            (Some(PlatformAction::Replace { .. }), Some(sent)) => {
                return self.replace(post, sent).await;
            }
            (Some(PlatformAction::ThreadReply { .. }), Some(sent)) => {
                return self.thread_reply(post, sent).await;
            }
            // A message never sent has nothing to replace.
            (Some(_), _) => return Ok(Delivered::nothing_to_do()),
        }
        match &post.to {
            Recipient::Channel(channel) => {
                let channel_id = self
                    .channels
                    .resolve(channel)
                    .ok_or_else(|| SendError::Permanent(messages::unknown_channel(channel)))?;
                let id = self
                    .post(post.id, channel_id, &post.message, None)
                    .await
                    .map_err(send_error)?;
                Ok(Delivered {
                    platform_message_id: id,
                })
            }
            Recipient::Direct {
                member_id,
                platform,
                platform_user_id,
                display_name,
            } => {
                if platform != "discord" {
                    return Err(SendError::Permanent(messages::not_a_discord_member(
                        display_name,
                        platform,
                    )));
                }
                self.direct(post, *member_id, platform_user_id, display_name)
                    .await
            }
        }
    }
}

/// Renders with signed custom ids for the buttons.
pub fn render(
    message: &Message,
    discord_ids: &HashMap<Uuid, String>,
    ids: &CustomIds,
) -> Vec<discord::DiscordMessage> {
    discord::render(message, discord_ids, &|kind| {
        ids.encode(&Target::Button(kind.clone()))
    })
}

pub(super) fn send_error(err: RestError) -> SendError {
    match err {
        RestError::RateLimited {
            reason,
            retry_after,
        } => SendError::RateLimited {
            reason,
            retry_after,
        },
        RestError::Transient {
            reason,
            retry_after,
        } => SendError::Transient {
            reason,
            retry_after,
        },
        rejected @ RestError::Rejected { .. } => SendError::Permanent(rejected.to_string()),
    }
}

fn db_error(err: sqlx::Error) -> RestError {
    RestError::Transient {
        reason: format!("database: {err}"),
        retry_after: None,
    }
}

fn db_send_error(err: sqlx::Error) -> SendError {
    send_error(db_error(err))
}
