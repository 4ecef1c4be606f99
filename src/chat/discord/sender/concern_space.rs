//! A concern's private space on Discord: a private thread (type 12, not invitable) in the
//! community's `concern_space_channel`, with the handlers added one by one; archived and
//! locked when the concern closes. `services::concerns::space` decides what it holds.

use serde_json::{Value, json};
use serenity::http::{LightMethod, Route};
use serenity::model::id::{ChannelId, UserId};

use super::super::messages;
use super::super::rest::{RestError, UNKNOWN_CHANNEL};
use super::{DiscordSender, send_error};
use crate::outbox::{Delivered, OutboundPost, SendError};
use crate::services::concerns::space::{self, Opening, Plan, SpaceMember};

/// Discord's type for a private thread.
const PRIVATE_THREAD: u8 = 12;
/// Discord's JSON error code for "Missing Permissions".
const MISSING_PERMISSIONS: i64 = 50013;
/// The longest a thread stays open without a message (a week): a concern can take time.
const AUTO_ARCHIVE_MINUTES: u32 = 10_080;

impl DiscordSender {
    /// Makes the concern's thread match the concern.
    pub(super) async fn concern_space(
        &self,
        post: &OutboundPost,
        concern: uuid::Uuid,
        announce: bool,
    ) -> Result<Delivered, SendError> {
        let plan = space::plan(&self.pool, concern, "discord", announce).await?;
        match plan {
            Plan::Nothing => Ok(Delivered::nothing_to_do()),
            Plan::Open { existing, opening } => {
                self.open_space(post, concern, existing, opening).await
            }
            Plan::Archive { space, message } => {
                // Nobody is taken out of a closed concern's thread any more.
                space::archived(&self.pool, concern).await?;
                let Some(thread) = thread_id(&space) else {
                    return Ok(Delivered::nothing_to_do());
                };
                match self.post(post.id, thread, &message, None).await {
                    Ok(_) => {}
                    // Deleted by hand: nothing left to archive.
                    Err(RestError::Rejected {
                        code: Some(UNKNOWN_CHANNEL),
                        ..
                    }) => return Ok(Delivered::nothing_to_do()),
                    Err(err) => return Err(send_error(err)),
                }
                self.archive(post, thread).await?;
                Ok(Delivered {
                    platform_message_id: space,
                })
            }
        }
    }

    /// Archives and locks the thread, so a handler cannot reopen it by writing; a bot
    /// without Manage Threads may not lock, and archives only.
    async fn archive(&self, post: &OutboundPost, thread: ChannelId) -> Result<(), SendError> {
        let route = || Route::Channel { channel_id: thread };
        let locked = json!({ "archived": true, "locked": true });
        match self
            .rest
            .call(route(), LightMethod::Patch, Some(&locked))
            .await
        {
            Ok(_) => Ok(()),
            Err(RestError::Rejected {
                code: Some(MISSING_PERMISSIONS),
                ..
            }) => {
                tracing::info!(
                    outbox_id = post.id,
                    "no Manage Threads permission: the concern's thread is archived, not locked"
                );
                let archived = json!({ "archived": true });
                self.rest
                    .call(route(), LightMethod::Patch, Some(&archived))
                    .await
                    .map(drop)
                    .map_err(send_error)
            }
            Err(err) => Err(send_error(err)),
        }
    }

    async fn open_space(
        &self,
        post: &OutboundPost,
        concern: uuid::Uuid,
        existing: Option<String>,
        opening: Opening,
    ) -> Result<Delivered, SendError> {
        let thread = match existing.as_deref().and_then(thread_id) {
            Some(thread) => thread,
            None => {
                let parent = opening.parent.as_deref().unwrap_or_default();
                let parent_id = self
                    .channels
                    .resolve(parent)
                    .ok_or_else(|| SendError::Permanent(messages::unknown_channel(parent)))?;
                let body = json!({
                    "name": space::space_name(opening.number),
                    "type": PRIVATE_THREAD,
                    // Only moderators add people: a handler cannot bring in someone the
                    // reporter excluded.
                    "invitable": false,
                    "auto_archive_duration": AUTO_ARCHIVE_MINUTES,
                });
                let made = self
                    .rest
                    .call(
                        Route::ChannelThreads {
                            channel_id: parent_id,
                        },
                        LightMethod::Post,
                        Some(&body),
                    )
                    .await
                    .map_err(send_error)?;
                let id = made.get("id").and_then(Value::as_str).ok_or_else(|| {
                    SendError::Permanent("Discord made a thread with no id".into())
                })?;
                let kept = space::made(&self.pool, concern, id).await?;
                thread_id(&kept)
                    .ok_or_else(|| SendError::Permanent(format!("`{kept}` is not a thread id")))?
            }
        };
        self.take_out(post, concern, thread, &opening.remove)
            .await?;
        space::adding(&self.pool, concern, &opening.members).await?;
        for member in &opening.members {
            let Some(user_id) = user_id(&member.user) else {
                continue;
            };
            let route = Route::ChannelThreadMember {
                channel_id: thread,
                user_id,
            };
            match self.rest.call(route, LightMethod::Put, None).await {
                Ok(_) => {}
                // Someone who left the server, or cannot see the parent channel: the
                // others still get their space.
                Err(RestError::Rejected { status, code, .. }) => tracing::warn!(
                    outbox_id = post.id,
                    status,
                    ?code,
                    "a concern handler could not be added to the concern's private thread; check they can see concern_space_channel"
                ),
                Err(err) => return Err(send_error(err)),
            }
        }
        if let Some(message) = &opening.message {
            self.post(post.id, thread, message, None)
                .await
                .map_err(send_error)?;
        }
        Ok(Delivered {
            platform_message_id: thread.to_string(),
        })
    }

    /// Takes out those the bot put in who are no longer handlers here, one by one. One
    /// Discord refuses (no Manage Threads, say) is logged and kept for the next re-sync;
    /// the others still go.
    async fn take_out(
        &self,
        post: &OutboundPost,
        concern: uuid::Uuid,
        thread: ChannelId,
        members: &[SpaceMember],
    ) -> Result<(), SendError> {
        for member in members {
            if let Some(user_id) = user_id(&member.user) {
                let route = Route::ChannelThreadMember {
                    channel_id: thread,
                    user_id,
                };
                match self.rest.call(route, LightMethod::Delete, None).await {
                    Ok(_) => {}
                    // Out already: they left the thread, or the server.
                    Err(RestError::Rejected { status: 404, .. }) => {}
                    Err(RestError::Rejected { status, code, .. }) => {
                        tracing::warn!(
                            outbox_id = post.id,
                            status,
                            ?code,
                            "a former concern handler could not be taken out of the concern's private thread"
                        );
                        continue;
                    }
                    Err(err) => return Err(send_error(err)),
                }
            }
            space::removed(&self.pool, concern, member).await?;
        }
        Ok(())
    }
}

fn user_id(user: &str) -> Option<UserId> {
    user.parse::<u64>().ok().filter(|n| *n > 0).map(UserId::new)
}

fn thread_id(space: &str) -> Option<ChannelId> {
    space
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .map(ChannelId::new)
}
