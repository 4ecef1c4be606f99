//! The Slack edge's shared state and the steps every entry point uses: who is calling,
//! rendering replies, and answering within Slack's 3-second limit.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use uuid::Uuid;

use super::api::SlackApi;
use crate::commands::Visibility;
use crate::domain::text::clean_name;
use crate::render::Message;
use crate::render::slack::{self as render, SlackMessage};
use crate::services::identity::{Contact, Naming, Place};
use crate::services::{Caller, Services};
use crate::store;
use crate::store::outbox::Platform;

/// Slack gives up on an answer after 3 s; work still running then is answered later
/// through `response_url`.
pub const ACK_BUDGET: Duration = Duration::from_millis(2_500);
/// Longest Slack user name kept as a display name before `users.info` answers.
const NAME_MAX: usize = 80;

#[derive(Clone)]
pub struct SlackApp {
    inner: Arc<Inner>,
    ack_budget: Duration,
}

struct Inner {
    services: Services,
    api: SlackApi,
    signing_secret: Option<SecretString>,
    /// Signs button values and modal metadata.
    seal_key: Vec<u8>,
}

impl SlackApp {
    /// `seal_key` signs the values the bot hands out (the signing secret or a token will do).
    pub fn new(
        services: Services,
        api: SlackApi,
        signing_secret: Option<SecretString>,
        seal_key: &SecretString,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                services,
                api,
                signing_secret,
                seal_key: seal_key.expose_secret().as_bytes().to_vec(),
            }),
            ack_budget: ACK_BUDGET,
        }
    }

    /// Another answer deadline (tests use a short one to exercise `response_url`).
    pub fn with_ack_budget(mut self, budget: Duration) -> Self {
        self.ack_budget = budget;
        self
    }

    pub fn services(&self) -> &Services {
        &self.inner.services
    }

    pub fn api(&self) -> &SlackApi {
        &self.inner.api
    }

    pub fn signing_secret(&self) -> Option<&SecretString> {
        self.inner.signing_secret.as_ref()
    }

    pub(super) fn seal_key(&self) -> &[u8] {
        &self.inner.seal_key
    }

    /// Runs `work`; if it takes longer than the budget, answers `None` now and hands the
    /// result to `late` when it is ready.
    pub(super) async fn within_budget<T, W, L, F>(&self, work: W, late: L) -> Option<T>
    where
        T: Send + 'static,
        W: Future<Output = T> + Send + 'static,
        L: FnOnce(T) -> F + Send + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let mut task = tokio::spawn(work);
        // The deadline is checked first, so a budget of zero always answers later.
        let finished = tokio::select! {
            biased;
            _ = tokio::time::sleep(self.ack_budget) => Err(()),
            joined = &mut task => Ok(joined),
        };
        match finished {
            Ok(Ok(done)) => Some(done),
            Ok(Err(err)) => {
                tracing::error!(error = %format!("{err:#}"), "Slack handler task failed");
                None
            }
            Err(_) => {
                tracing::info!("Slack work outran the ack deadline; answering later");
                tokio::spawn(async move {
                    match task.await {
                        Ok(done) => late(done).await,
                        Err(err) => {
                            tracing::error!(error = %format!("{err:#}"), "Slack handler task failed")
                        }
                    }
                });
                None
            }
        }
    }

    /// The caller for a Slack user of workspace `team_id`, created on first contact. Their
    /// Slack profile (name, time zone) is fetched in the background for a new member.
    pub(super) async fn caller(
        &self,
        team_id: &str,
        user_id: &str,
        user_name: Option<&str>,
    ) -> Result<(Caller, bool), Message> {
        let contact = contact(team_id, user_id, user_name);
        match self.services().resolve_caller(contact).await {
            Ok(resolved) => {
                if resolved.created {
                    self.seed_profile(resolved.caller.member.id, user_id.to_owned());
                }
                Ok((resolved.caller, resolved.created))
            }
            Err(err) => Err(err.into_message("resolving a Slack caller")),
        }
    }

    /// A Slack user named in a command, recorded on first mention like a caller on first
    /// contact; a failure only means the command says it does not know them.
    pub(super) async fn ensure_mentioned(
        &self,
        community_id: Uuid,
        user_id: &str,
        user_name: Option<&str>,
    ) {
        let naming = Naming::ForNewMember(user_name);
        let found = self
            .services()
            .ensure_named(community_id, Platform::Slack, user_id, naming)
            .await;
        match found {
            Ok(Some((member, true))) => self.seed_profile(member.id, user_id.to_owned()),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "recording a mentioned Slack user"),
        }
    }

    /// A new member's Slack time zone seeds theirs until they set one.
    pub(super) fn seed_profile(&self, member_id: Uuid, user_id: String) {
        let app = self.clone();
        tokio::spawn(async move {
            let profile = match app.api().user_profile(&user_id).await {
                Ok(profile) => profile,
                Err(err) => {
                    tracing::warn!(error = %err, "users.info failed; keeping the Slack user name");
                    return;
                }
            };
            let tz = profile
                .timezone
                .as_deref()
                .filter(|tz| crate::domain::parse_timezone(tz).is_ok());
            let name = profile.display_name.and_then(|n| clean_name(&n, NAME_MAX));
            let pool = &app.services().pool;
            if let Err(err) =
                store::slack::apply_profile(pool, member_id, name.as_deref(), tz).await
            {
                tracing::error!(error = %format!("{err:#}"), "storing a Slack profile failed");
            }
        });
    }

    /// Renders `message` for this community, with real mentions of its Slack members.
    pub(super) async fn render(&self, community_id: Uuid, message: &Message) -> Vec<SlackMessage> {
        let ids = mention_ids(&self.services().pool, community_id, message).await;
        render::render(message, |id| ids.get(&id).cloned())
    }

    /// Reply bodies for a slash command or `response_url`: the first answers the request,
    /// the rest (a very long reply) follow through `response_url`.
    pub(super) async fn reply_bodies(
        &self,
        community_id: Option<Uuid>,
        message: &Message,
        visibility: Visibility,
    ) -> Vec<Value> {
        let parts = match community_id {
            Some(id) => self.render(id, message).await,
            None => render::render(message, |_| None),
        };
        let response_type = match visibility {
            Visibility::Ephemeral => "ephemeral",
            Visibility::Public => "in_channel",
        };
        parts
            .into_iter()
            .map(|part| {
                json!({
                    "response_type": response_type,
                    "text": part.text,
                    "blocks": part.blocks,
                })
            })
            .collect()
    }

    /// Shows reply bodies to `user` alone in `channel`.
    pub(super) async fn post_ephemeral(&self, channel: &str, user: &str, bodies: &[Value]) {
        for body in bodies {
            let message = SlackMessage {
                text: body["text"].as_str().unwrap_or_default().to_owned(),
                blocks: body["blocks"].as_array().cloned().unwrap_or_default(),
            };
            if let Err(err) = self.api().post_ephemeral(channel, user, &message).await {
                tracing::warn!(error = %err, "chat.postEphemeral failed");
            }
        }
    }

    /// Posts bodies to `user`'s DM with the app.
    pub(super) async fn post_to_app_dm(&self, user: &str, bodies: &[Value]) {
        let channel = match self.api().open_dm(user).await {
            Ok(channel) => channel,
            Err(err) => {
                tracing::warn!(error = %err, "conversations.open failed; a Home button's answer is lost");
                return;
            }
        };
        for body in bodies {
            let message = SlackMessage {
                text: body["text"].as_str().unwrap_or_default().to_owned(),
                blocks: body["blocks"].as_array().cloned().unwrap_or_default(),
            };
            if let Err(err) = self
                .api()
                .post_message(&channel, &message, None, None)
                .await
            {
                tracing::warn!(error = %err, "chat.postMessage of a Home button's answer failed");
            }
        }
    }

    /// Posts bodies to an interaction's `response_url`.
    pub(super) async fn respond_all(&self, response_url: &str, bodies: &[Value]) {
        if response_url.is_empty() {
            return;
        }
        for body in bodies {
            if let Err(err) = self.api().respond(response_url, body).await {
                tracing::warn!(error = %err, "answering through response_url failed");
            }
        }
    }
}

/// Slack ids of the members a message mentions.
pub async fn mention_ids(
    pool: &sqlx::PgPool,
    community_id: Uuid,
    message: &Message,
) -> HashMap<Uuid, String> {
    let mentioned: Vec<Uuid> = message.mentioned().collect();
    if mentioned.is_empty() {
        return HashMap::new();
    }
    match store::slack::user_ids(pool, community_id, &mentioned).await {
        Ok(ids) => ids.into_iter().collect(),
        Err(err) => {
            // Names instead of pings is a safe way to fail.
            tracing::warn!(error = %format!("{err:#}"), "looking up mentioned members failed");
            HashMap::new()
        }
    }
}

/// A Slack user as a contact: their workspace, id, and the user name Slack sent (a hint,
/// until `users.info` gives their display name).
pub(super) fn contact<'a>(
    team_id: &'a str,
    user_id: &'a str,
    user_name: Option<&'a str>,
) -> Contact<'a> {
    Contact {
        place: Place::SlackTeam(team_id),
        user_id,
        naming: Naming::ForNewMember(user_name),
    }
}
