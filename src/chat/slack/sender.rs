//! The outbox's Slack sender: resolves channels and DMs, renders Block Kit, paces fan-out,
//! and never posts an outbox row twice.

mod concern_space;

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use super::api::SlackApi;
use crate::clock::{Clock, SystemClock};
use crate::outbox::gate::BUCKET_WAIT_MAX;
use crate::outbox::{
    Delivered, EarnedRoleAction, OutboundPost, Pacing, Recipient, SendError, Sender,
};
use crate::render::Message;
use crate::render::slack::{self, SlackMessage};
use crate::store;
use crate::store::outbox::PlatformAction;

/// `metadata.event_type` on every post, so a resend can find the first one.
pub const EVENT_TYPE: &str = "cohortbot_post";
/// Messages searched for an earlier copy of a retried post.
const HISTORY_SEARCHED: u32 = 50;
/// DM channel ids remembered before the cache starts over (it only saves one call).
const DM_CACHE_MAX: usize = 10_000;
/// Channels the pacer tracks before it forgets the idle ones.
const PACED_CHANNELS_MAX: usize = 10_000;

pub struct SlackSender {
    api: SlackApi,
    pool: PgPool,
    /// Cohort channel name → Slack channel id (`[slack.channels]`).
    channels: BTreeMap<String, String>,
    /// Spaces the parts of one long post; posts are spaced by the outbox claim's shared
    /// budget, at the same pace ([`Sender::pacing`]).
    pace: DefaultKeyedRateLimiter<String>,
    pace_interval: std::time::Duration,
    dms: Mutex<HashMap<String, String>>,
    clock: Arc<dyn Clock>,
    /// Held across a user group's read-modify-write: Slack replaces the whole list, so two
    /// changes at once in this process would lose one. (Reconciliation repairs a change
    /// lost to another process.)
    usergroups: tokio::sync::Mutex<()>,
}

impl SlackSender {
    /// Paced at Slack's documented one message per second per channel.
    pub fn new(api: SlackApi, pool: PgPool, channels: BTreeMap<String, String>) -> Self {
        Self {
            api,
            pool,
            channels,
            pace: RateLimiter::keyed(Quota::per_second(NonZeroU32::MIN)),
            pace_interval: Quota::per_second(NonZeroU32::MIN).replenish_interval(),
            dms: Mutex::new(HashMap::new()),
            clock: Arc::new(SystemClock),
            usergroups: tokio::sync::Mutex::new(()),
        }
    }

    /// The bot's clock, for what the sender records (a role put back).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Makes the member's place in the user group of their earned role follow whether they
    /// hold it now, by read-modify-write. A check records what it found (see
    /// [`earned_roles::to_set`](crate::services::earned_roles::to_set)).
    async fn earned_role(
        &self,
        post: &OutboundPost,
        action: EarnedRoleAction<'_>,
    ) -> Result<Delivered, SendError> {
        let db = |reason: String| SendError::Transient {
            reason,
            retry_after: None,
        };
        let target = store::earned_roles::target(&self.pool, action.rule, action.member_id)
            .await
            .map_err(|e| db(format!("reading an earned role: {e}")))?;
        let Some((target, group)) =
            target.and_then(|t| t.slack_usergroup.clone().map(|group| (t, group)))
        else {
            return Ok(Delivered::nothing_to_do());
        };
        let _writing = self.usergroups.lock().await;
        let mut users = self
            .api
            .usergroup_users(&group)
            .await
            .map_err(usergroup_error)?;
        let user = action.platform_user_id;
        let shown = users.iter().any(|u| u == user);
        let wanted = crate::services::earned_roles::to_set(
            &self.pool,
            post.community_id,
            action.rule,
            (action.member_id, action.display_name),
            "Slack",
            (target.holds, Some(shown), action.check),
            self.clock.now(),
        )
        .await
        .map_err(|e| db(format!("{e:#}")))?;
        match wanted {
            None => return Ok(Delivered::nothing_to_do()),
            Some(true) => users.push(user.to_owned()),
            Some(false) => users.retain(|u| u != user),
        }
        if users.is_empty() {
            // Slack keeps at least one member in a user group; an empty one is disabled
            // in Slack's admin pages, not by the bot.
            tracing::warn!(
                outbox_id = post.id,
                usergroup = %group,
                "the user group's last member lost the role; Slack cannot empty a group, so they stay"
            );
            return Ok(Delivered::nothing_to_do());
        }
        self.api
            .set_usergroup_users(&group, &users)
            .await
            .map_err(usergroup_error)?;
        Ok(Delivered::nothing_to_do())
    }

    /// Another pace, e.g. for tests that post many messages to one channel.
    pub fn with_pace(mut self, quota: Quota) -> Self {
        self.pace = RateLimiter::keyed(quota);
        self.pace_interval = quota.replenish_interval();
        self
    }

    /// The Slack channel id a post goes to.
    async fn channel_for(&self, to: &Recipient) -> Result<String, SendError> {
        match to {
            Recipient::Channel(name) => channel_id(&self.channels, name).ok_or_else(|| {
                SendError::Permanent(format!(
                    "channel `{name}` has no Slack id: add it to [slack.channels] or use the channel id in the program file"
                ))
            }),
            Recipient::Direct {
                platform,
                platform_user_id,
                ..
            } => {
                if platform != "slack" {
                    return Err(SendError::Permanent(format!(
                        "cannot DM a {platform} member through Slack"
                    )));
                }
                if let Some(id) = self.dm_cache().get(platform_user_id) {
                    return Ok(id.clone());
                }
                let id = self.api.open_dm(platform_user_id).await?;
                let mut cache = self.dm_cache();
                if cache.len() >= DM_CACHE_MAX {
                    cache.clear();
                }
                cache.insert(platform_user_id.clone(), id.clone());
                Ok(id)
            }
        }
    }

    fn dm_cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.dms.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Parts of this outbox row already in the channel (a crash after the send, before the
    /// record), by part number → `ts`.
    async fn already_posted(
        &self,
        channel: &str,
        outbox_id: i64,
    ) -> Result<HashMap<u64, String>, SendError> {
        let messages = self.api.history(channel, HISTORY_SEARCHED).await?;
        Ok(messages
            .iter()
            .filter(|m| m["metadata"]["event_type"] == EVENT_TYPE)
            .filter(|m| m["metadata"]["event_payload"]["outbox_id"].as_i64() == Some(outbox_id))
            .filter_map(|m| {
                let part = m["metadata"]["event_payload"]["part"].as_u64()?;
                Some((part, m["ts"].as_str()?.to_owned()))
            })
            .collect())
    }

    /// Replaces the message `sent` (`channel:ts`, as [`Sender::send`] records it) with the
    /// post's body, in one message: a replacement is a short note.
    async fn replace(&self, post: &OutboundPost, sent: &str) -> Result<Delivered, SendError> {
        let (channel, ts) = message_ref(sent)?;
        let parts = self.render(post.community_id, &post.message).await?;
        let Some(note) = parts.first() else {
            return Ok(Delivered::nothing_to_do());
        };
        self.api.update(channel, ts, note).await?;
        Ok(Delivered {
            platform_message_id: sent.to_owned(),
        })
    }

    /// Posts the body in the thread of the message `sent` (`channel:ts`).
    async fn thread_reply(&self, post: &OutboundPost, sent: &str) -> Result<Delivered, SendError> {
        let (channel, ts) = message_ref(sent)?;
        let parts = self.render(post.community_id, &post.message).await?;
        let Some(line) = parts.first() else {
            return Ok(Delivered::nothing_to_do());
        };
        let posted = self
            .api
            .post_message(channel, line, Some(metadata(post.id, 0)), Some(ts))
            .await?;
        Ok(Delivered {
            platform_message_id: format!("{channel}:{}", posted.ts),
        })
    }

    /// Publishes the member's Home tab as it is now, unless it is what they were last shown.
    async fn publish_home(&self, post: &OutboundPost) -> Result<Delivered, SendError> {
        let Recipient::Direct {
            member_id,
            platform_user_id,
            ..
        } = &post.to
        else {
            return Ok(Delivered::nothing_to_do());
        };
        let db = |reason: String| SendError::Transient {
            reason,
            retry_after: None,
        };
        // Begun before the Home is read: a change from here on queues another publish.
        let before = store::home::begin_publish(&self.pool, *member_id)
            .await
            .map_err(|e| db(format!("beginning a Home publish: {e}")))?;
        let now = self.clock.now();
        let home = match crate::services::home::build_for(&self.pool, *member_id, now).await {
            Ok(Some(home)) => home,
            Ok(None) => return Ok(Delivered::nothing_to_do()),
            Err(err) => return Err(db(format!("building a Home: {err}"))),
        };
        let mentioned: Vec<Uuid> = home
            .sections
            .iter()
            .flat_map(crate::render::Message::mentioned)
            .collect();
        let ids: HashMap<Uuid, String> =
            store::slack::user_ids(&self.pool, post.community_id, &mentioned)
                .await
                .map_err(|e| db(format!("looking up mentioned members: {e}")))?
                .into_iter()
                .collect();
        let view = slack::home_view(&home.sections, crate::services::home::messages::cut, |id| {
            ids.get(&id).cloned()
        });
        // The footer's time changes every minute; what the member can act on is the rest.
        let hash = crate::outbox::fingerprint(
            &slack::home_view(
                &home.sections[..home.sections.len().saturating_sub(1)],
                crate::services::home::messages::cut,
                |id| ids.get(&id).cloned(),
            )
            .to_string(),
        );
        if before.as_deref() == Some(hash.as_str()) {
            tracing::debug!(outbox_id = post.id, "Home unchanged; not published");
            return Ok(Delivered::nothing_to_do());
        }
        self.api.publish_view(platform_user_id, &view).await?;
        store::home::published(&self.pool, *member_id, &hash, now)
            .await
            .map_err(|e| db(format!("recording a Home publish: {e}")))?;
        Ok(Delivered::nothing_to_do())
    }

    async fn render(
        &self,
        community_id: Uuid,
        message: &Message,
    ) -> Result<Vec<SlackMessage>, SendError> {
        let mentioned: Vec<Uuid> = message.mentioned().collect();
        let ids: HashMap<Uuid, String> = if mentioned.is_empty() {
            HashMap::new()
        } else {
            store::slack::user_ids(&self.pool, community_id, &mentioned)
                .await
                .map_err(|e| SendError::Transient {
                    reason: format!("looking up mentioned members: {e}"),
                    retry_after: None,
                })?
                .into_iter()
                .collect()
        };
        Ok(slack::render(message, |id| ids.get(&id).cloned()))
    }

    /// Posts `message` in `channel` as the outbox row `post`, paced, one part at a time;
    /// on a retry, parts found posted already are not sent again. The first part's `ts`.
    async fn post_parts(
        &self,
        post: &OutboundPost,
        message: &Message,
        channel: &str,
    ) -> Result<String, SendError> {
        let parts = self.render(post.community_id, message).await?;
        let earlier = if post.attempt > 1 {
            self.already_posted(channel, post.id).await?
        } else {
            HashMap::new()
        };
        // The pacer is keyed by owned names.
        let key = channel.to_owned();
        let mut first: Option<String> = None;
        for (i, part) in parts.iter().enumerate() {
            if let Some(ts) = earlier.get(&(i as u64)) {
                tracing::info!(
                    outbox_id = post.id,
                    part = i,
                    "already posted; not resending"
                );
                first.get_or_insert_with(|| ts.clone());
                continue;
            }
            if let Err(not_until) = self.pace.check_key(&key) {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                // A busy channel hands a new post back rather than hold a delivery slot;
                // later parts of a long message wait their turn in place.
                if first.is_none() && wait > BUCKET_WAIT_MAX {
                    return Err(SendError::RateLimited {
                        reason: format!("channel {channel} takes one message a second"),
                        retry_after: wait,
                    });
                }
                self.pace.until_key_ready(&key).await;
            }
            let posted = self
                .api
                .post_message(channel, part, Some(metadata(post.id, i)), None)
                .await?;
            first.get_or_insert(posted.ts);
        }
        if self.pace.len() > PACED_CHANNELS_MAX {
            self.pace.retain_recent();
        }
        Ok(first.unwrap_or_default())
    }
}

/// The channel and `ts` of a message the outbox sent, as [`Sender::send`] records it
/// (`channel:ts`).
fn message_ref(sent: &str) -> Result<(&str, &str), SendError> {
    sent.split_once(':')
        .ok_or_else(|| SendError::Permanent(format!("`{sent}` is not a Slack message reference")))
}

/// A configured name, or a channel id written in the program file (`C0123ABC`).
pub fn channel_id(channels: &BTreeMap<String, String>, name: &str) -> Option<String> {
    let name = name.trim_start_matches('#');
    if let Some(id) = channels.get(name) {
        return Some(id.clone());
    }
    let looks_like_id = name.starts_with(['C', 'G', 'D']) && slack::is_slack_id(name);
    looks_like_id.then(|| name.to_owned())
}

fn metadata(outbox_id: i64, part: usize) -> Value {
    json!({
        "event_type": EVENT_TYPE,
        "event_payload": { "outbox_id": outbox_id, "part": part },
    })
}

/// Slack's plans without user groups answer their methods with these errors.
const NO_USERGROUPS: &[&str] = &[
    "paid_teams_only",
    "paid_only",
    "upgrade_required",
    "upgrade_require",
];

/// A user group call's error; a plan without user groups says so plainly.
fn usergroup_error(err: super::api::ApiError) -> SendError {
    match &err {
        super::api::ApiError::Slack { error, .. } if NO_USERGROUPS.contains(&error.as_str()) => {
            SendError::Permanent(super::messages::no_usergroups(error))
        }
        _ => err.into(),
    }
}

/// At start: tells the operator plainly when the program gives earned roles as Slack user
/// groups but the workspace's plan has none.
pub async fn check_usergroups(api: &SlackApi, pool: &PgPool) {
    match store::earned_roles::slack_usergroups_used(pool).await {
        Ok(false) => return,
        Ok(true) => {}
        Err(err) => {
            tracing::warn!(error = %err, "could not read the earned roles at start");
            return;
        }
    }
    match api.list_usergroups().await {
        Ok(()) => tracing::info!("Slack: user groups available for earned roles"),
        Err(super::api::ApiError::Slack { error, .. })
            if NO_USERGROUPS.contains(&error.as_str()) =>
        {
            tracing::error!(
                error = %error,
                "Slack: this workspace's plan has no user groups, so earned roles with slack_usergroup cannot be given; upgrade the plan, or remove slack_usergroup from [[community.earned_roles]]"
            )
        }
        Err(super::api::ApiError::Slack { error, .. })
            if ["missing_scope", "not_allowed_token_type"].contains(&error.as_str()) =>
        {
            tracing::error!(
                error = %error,
                "Slack: the bot token cannot read user groups; earned roles given as user groups need the usergroups:read and usergroups:write scopes"
            )
        }
        // Slack unreachable or failing: each grant still tries, and retries, on its own.
        Err(err) => tracing::warn!(
            error = %err,
            "Slack: could not check for user groups at start; earned roles are given when earned, with retries"
        ),
    }
}

impl Sender for SlackSender {
    fn platform(&self) -> &'static str {
        "slack"
    }

    /// One message a second per channel (and per DM), for every process together.
    fn pacing(&self) -> Pacing {
        Pacing::PerRecipient {
            key: "slack",
            interval: self.pace_interval,
        }
    }

    async fn send(&self, post: &OutboundPost) -> Result<Delivered, SendError> {
        if let Some(action) = post.earned_role() {
            return self.earned_role(post, action).await;
        }
        match (post.action, post.replaces.as_deref()) {
            (None, _) => {}
            (Some(PlatformAction::PublishHome), _) => return self.publish_home(post).await,
            (Some(PlatformAction::ConcernSpace { concern, announce }), _) => {
                return self.concern_space(post, concern, announce).await;
            }
            (Some(PlatformAction::Replace { .. }), Some(sent)) => {
                return self.replace(post, sent).await;
            }
            (Some(PlatformAction::ThreadReply { .. }), Some(sent)) => {
                return self.thread_reply(post, sent).await;
            }
            // Slack has no roles a bot can assign (program roles live only in the program),
            // and a message never sent has nothing to replace.
            (Some(_), _) => return Ok(Delivered::nothing_to_do()),
        }
        let channel = self.channel_for(&post.to).await?;
        let first = self.post_parts(post, &post.message, &channel).await?;
        Ok(Delivered {
            platform_message_id: format!("{channel}:{first}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_resolve_by_name_or_id() {
        let map = BTreeMap::from([("spring-makers".to_owned(), "C0SPRING".to_owned())]);
        assert_eq!(
            channel_id(&map, "#spring-makers").as_deref(),
            Some("C0SPRING")
        );
        assert_eq!(channel_id(&map, "C0123ABC").as_deref(), Some("C0123ABC"));
        assert_eq!(channel_id(&map, "general"), None);
        assert_eq!(channel_id(&map, "Cafe"), None);
    }
}
