//! A concern's private space on Slack: a private channel of its own, with the handlers
//! invited; archived when the concern closes. `services::concerns::space` decides what it
//! holds.

use super::SlackSender;
use crate::chat::slack::api::ApiError;
use crate::outbox::{Delivered, OutboundPost, SendError};
use crate::services::concerns::space::{self, Opening, Plan, SpaceMember};

/// What Slack answers about a channel archived, deleted, or left by hand.
const GONE: &[&str] = &["is_archived", "channel_not_found", "not_in_channel"];

/// What `conversations.kick` answers about someone out of the channel already (left by
/// hand, or never joined) or gone from the workspace: they are out.
const OUT_ALREADY: &[&str] = &["not_in_channel", "user_not_found", "cant_kick_self"];

/// Names tried after the first is taken (`concern-4-2`, …): a channel made by hand, or
/// one from a community the workspace had before.
const NAME_TRIES: u32 = 5;

impl SlackSender {
    /// Makes the concern's private channel match the concern.
    pub(super) async fn concern_space(
        &self,
        post: &OutboundPost,
        concern: uuid::Uuid,
        announce: bool,
    ) -> Result<Delivered, SendError> {
        let plan = space::plan(&self.pool, concern, "slack", announce).await?;
        match plan {
            Plan::Nothing => Ok(Delivered::nothing_to_do()),
            Plan::Open { existing, opening } => {
                let channel = match existing {
                    Some(channel) => channel,
                    None => {
                        let made = self.create(opening.number).await?;
                        space::made(&self.pool, concern, &made).await?
                    }
                };
                self.take_out(post, concern, &channel, &opening.remove)
                    .await?;
                space::adding(&self.pool, concern, &opening.members).await?;
                self.invite(post, &channel, &opening).await?;
                if let Some(message) = &opening.message {
                    self.post_parts(post, message, &channel).await?;
                }
                Ok(Delivered {
                    platform_message_id: channel,
                })
            }
            Plan::Archive { space, message } => {
                // Nobody is taken out of a closed concern's space any more.
                space::archived(&self.pool, concern).await?;
                // One short line in a quiet channel: no pacing, and a retry after the
                // archive failed may say it twice.
                for (i, part) in self
                    .render(post.community_id, &message)
                    .await?
                    .iter()
                    .enumerate()
                {
                    let metadata = Some(super::metadata(post.id, i));
                    match self.api.post_message(&space, part, metadata, None).await {
                        Ok(_) => {}
                        Err(ApiError::Slack { error, .. }) if GONE.contains(&error.as_str()) => {
                            tracing::info!(outbox_id = post.id, %error, "the concern's private channel is gone already");
                            return Ok(Delivered::nothing_to_do());
                        }
                        Err(err) => return Err(err.into()),
                    }
                }
                self.api.archive(&space).await?;
                Ok(Delivered {
                    platform_message_id: space,
                })
            }
        }
    }

    /// A new private channel for concern `number`, under the first free name.
    async fn create(&self, number: i32) -> Result<String, SendError> {
        let base = space::space_name(number);
        for n in 1..=NAME_TRIES {
            let name = if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            match self.api.create_private_channel(&name).await {
                Err(ApiError::Slack { error, .. }) if error == "name_taken" => continue,
                other => return Ok(other?),
            }
        }
        Err(SendError::Permanent(format!(
            "Slack: every name from {base} to {base}-{NAME_TRIES} is taken; rename or archive those channels"
        )))
    }

    /// Takes out those the bot put in who are no longer handlers here, one by one. One Slack
    /// refuses for good (a missing scope, say) is logged and kept for the next re-sync; the
    /// others still go.
    async fn take_out(
        &self,
        post: &OutboundPost,
        concern: uuid::Uuid,
        channel: &str,
        members: &[SpaceMember],
    ) -> Result<(), SendError> {
        for member in members {
            match self.api.kick(channel, &member.user).await {
                Ok(()) => {}
                Err(ApiError::Slack { error, .. }) if OUT_ALREADY.contains(&error.as_str()) => {}
                Err(err) if err.is_transient() => return Err(err.into()),
                Err(err) => {
                    tracing::warn!(
                        outbox_id = post.id,
                        error = %err,
                        "Slack refused to take a former concern handler out of the concern's private channel"
                    );
                    continue;
                }
            }
            space::removed(&self.pool, concern, member).await?;
        }
        Ok(())
    }

    /// Invites the handlers; one Slack refuses (deactivated, say) is logged, and the space
    /// still opens for the others.
    async fn invite(
        &self,
        post: &OutboundPost,
        channel: &str,
        opening: &Opening,
    ) -> Result<(), SendError> {
        if opening.members.is_empty() {
            return Ok(());
        }
        let users: Vec<String> = opening.members.iter().map(|m| m.user.clone()).collect();
        match self.api.invite(channel, &users).await {
            Ok(()) => Ok(()),
            Err(err) if err.is_transient() => Err(err.into()),
            Err(err) => {
                tracing::warn!(
                    outbox_id = post.id,
                    error = %err,
                    "Slack refused to invite the concern handlers to the concern's private channel"
                );
                Ok(())
            }
        }
    }
}
