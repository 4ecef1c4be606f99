//! `/cohort <subcommand> …`: parsed against the catalog and run by the services.

use serde::Deserialize;
use serde_json::Value;

use super::app::SlackApp;
use super::text;
use crate::commands::forms;
use crate::commands::{Args, Value as OptionValue, Visibility};
use crate::services::Invocation;

/// The fields of a slash command request that the bot uses (form body over HTTP, JSON
/// payload in Socket Mode).
#[derive(Debug, Clone, Deserialize)]
pub struct SlashCommand {
    pub team_id: String,
    pub user_id: String,
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub response_url: String,
    #[serde(default)]
    pub trigger_id: String,
}

impl SlackApp {
    /// Answers a slash command: the reply body, or `None` when it comes later through
    /// `response_url` (or there is nothing to say).
    pub async fn command(&self, cmd: SlashCommand) -> Option<Value> {
        let app = self.clone();
        let late = self.clone();
        let url = cmd.response_url.clone();
        let late_url = url.clone();
        let bodies = self
            .within_budget(
                async move { app.command_bodies(&cmd).await },
                move |bodies| async move { late.respond_all(&late_url, &bodies).await },
            )
            .await?;
        let mut bodies = bodies.into_iter();
        let first = bodies.next();
        let rest: Vec<Value> = bodies.collect();
        if !rest.is_empty() {
            let app = self.clone();
            tokio::spawn(async move { app.respond_all(&url, &rest).await });
        }
        first
    }

    async fn command_bodies(&self, cmd: &SlashCommand) -> Vec<Value> {
        let (caller, _) = match self
            .caller(&cmd.team_id, &cmd.user_id, cmd.user_name.as_deref())
            .await
        {
            Ok(found) => found,
            Err(message) => {
                return self
                    .reply_bodies(None, &message, Visibility::Ephemeral)
                    .await;
            }
        };
        let community = caller.community_id;
        if !cmd.trigger_id.is_empty()
            && let Some((form, typed)) = text::form_to_open(&cmd.text)
        {
            let typed = typed
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect();
            let (prefill, context) = forms::split_typed(form, typed);
            let opened = self
                .open_command_form(
                    &caller,
                    &cmd.user_id,
                    &cmd.trigger_id,
                    form,
                    context,
                    prefill,
                )
                .await;
            return match opened {
                // The form is the answer; the slash command itself says nothing.
                Ok(()) => Vec::new(),
                Err(message) => {
                    self.reply_bodies(Some(community), &message, Visibility::Ephemeral)
                        .await
                }
            };
        }
        let parsed = match text::parse(&cmd.text) {
            Ok(parsed) => parsed,
            Err(err) => {
                tracing::info!(community = %caller.community_slug, "Slack command did not parse");
                let message = err.0;
                return self
                    .reply_bodies(Some(community), &message, Visibility::Ephemeral)
                    .await;
            }
        };
        let mut parsed = parsed;
        self.resolve_links(community, &cmd.text, &mut parsed.args)
            .await;
        let mut invocation = Invocation::new(caller, parsed.spec, parsed.args);
        if !cmd.trigger_id.is_empty() {
            invocation.delivery_id = Some(format!("slack:{}", cmd.trigger_id));
        }
        let outcome = self.services().handle(invocation).await;
        self.reply_bodies(Some(community), &outcome.reply, outcome.visibility)
            .await
    }

    /// What Slack's markup says beyond the parsed text: a `<#C…|name>` channel option is
    /// the channel's id (so posts reach it without a `[slack.channels]` entry), and a
    /// mentioned `<@U…|name>` who never used the bot becomes a member, with their Slack
    /// display name and zone fetched as for anyone's first contact.
    async fn resolve_links(&self, community: uuid::Uuid, slack_text: &str, args: &mut Args) {
        let channels = text::links(slack_text, '#');
        let users = text::links(slack_text, '@');
        for (_, value) in args.0.iter_mut() {
            match value {
                OptionValue::Channel(name) => {
                    if let Some((id, _)) = channels.iter().find(|(_, n)| n == name) {
                        *name = id.clone();
                    }
                }
                OptionValue::User(id) => {
                    let name = users.iter().find(|(u, _)| u == id).map(|(_, n)| n.as_str());
                    self.ensure_mentioned(community, id, name).await;
                }
                _ => {}
            }
        }
    }
}
