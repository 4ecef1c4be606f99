//! `/cohort <subcommand> …`: parsed against the catalog and run by the services.

use serde::Deserialize;
use serde_json::{Value, json};

use super::app::SlackApp;
use super::{messages, text, verify};
use crate::commands::Visibility;
use crate::render::Message;
use crate::services::Invocation;

/// `action_id`s of the yes/no buttons under a question such as "replace your check-in?".
pub const CONFIRM_ACTION: &str = "cohortbot_confirm";
pub const CANCEL_ACTION: &str = "cohortbot_cancel";
/// Slack's limit on a button's `value`.
const VALUE_MAX: usize = 2_000;

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
        let parsed = match text::parse(&cmd.text) {
            Ok(parsed) => parsed,
            Err(err) => {
                tracing::info!(community = %caller.community_slug, "Slack command did not parse");
                let message = Message::marked(&err.0);
                return self
                    .reply_bodies(Some(community), &message, Visibility::Ephemeral)
                    .await;
            }
        };
        let mut invocation = Invocation::new(caller, parsed.spec, parsed.args);
        if !cmd.trigger_id.is_empty() {
            invocation.delivery_id = Some(format!("slack:{}", cmd.trigger_id));
        }
        let outcome = self.services().handle(invocation).await;
        let mut bodies = self
            .reply_bodies(Some(community), &outcome.reply, outcome.visibility)
            .await;
        if outcome.needs_confirmation
            && let Some(last) = bodies.last_mut()
        {
            self.add_confirm_buttons(last, &cmd.user_id, &cmd.text);
        }
        bodies
    }

    /// Yes/no buttons carrying the sealed command, re-run confirmed on yes.
    fn add_confirm_buttons(&self, body: &mut Value, user_id: &str, command_text: &str) {
        let value = verify::seal(self.seal_key(), &json!({ "u": user_id, "t": command_text }));
        if value.len() > VALUE_MAX {
            tracing::info!("command too long to carry in a button; no confirm buttons");
            return;
        }
        let buttons = json!({
            "type": "actions",
            "elements": [
                { "type": "button", "action_id": CONFIRM_ACTION, "style": "primary",
                  "text": { "type": "plain_text", "text": messages::CONFIRM_YES }, "value": value },
                { "type": "button", "action_id": CANCEL_ACTION,
                  "text": { "type": "plain_text", "text": messages::CONFIRM_NO }, "value": "no" },
            ],
        });
        if let Some(blocks) = body["blocks"].as_array_mut() {
            blocks.push(buttons);
        }
    }

    /// The yes button: the sealed command runs again, confirmed, once per question.
    pub(super) async fn confirm(
        &self,
        team_id: &str,
        user_id: &str,
        value: &str,
        question_ts: &str,
    ) -> Vec<Value> {
        let sealed = verify::open(self.seal_key(), value);
        let command_text = sealed
            .as_ref()
            .filter(|v| v["u"] == user_id)
            .and_then(|v| v["t"].as_str());
        let Some(command_text) = command_text else {
            tracing::warn!(team_id, "confirm button with a forged or foreign value");
            return self
                .reply_bodies(
                    None,
                    &crate::chat::prompt_button::messages::button_not_valid(),
                    Visibility::Ephemeral,
                )
                .await;
        };
        let (caller, _) = match self.caller(team_id, user_id, None).await {
            Ok(found) => found,
            Err(message) => {
                return self
                    .reply_bodies(None, &message, Visibility::Ephemeral)
                    .await;
            }
        };
        let community = caller.community_id;
        let Ok(parsed) = text::parse(command_text) else {
            return self
                .reply_bodies(
                    Some(community),
                    &crate::chat::prompt_button::messages::button_not_valid(),
                    Visibility::Ephemeral,
                )
                .await;
        };
        let mut invocation = Invocation::new(caller, parsed.spec, parsed.args);
        invocation.confirmed = true;
        invocation.delivery_id = Some(format!("slack:confirm:{user_id}:{question_ts}"));
        let outcome = self.services().handle(invocation).await;
        self.reply_bodies(Some(community), &outcome.reply, outcome.visibility)
            .await
    }
}
