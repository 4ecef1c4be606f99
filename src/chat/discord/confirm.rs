//! Yes/No questions on Discord: a command that asks ("replace this week's check-in?") keeps
//! its options in the database; the Yes button runs it confirmed, No drops it.

use serde_json::{Value, json};
use serenity::model::application::ComponentInteraction;

use super::custom_id::Target;
use super::handler::{Handler, Reply, message_response, response_type};
use super::messages;
use crate::commands::Visibility;
use crate::commands::catalog::{self, CommandSpec};
use crate::store;
use crate::store::discord::DmHint;

/// How long a Yes/No question stays answerable.
const CONFIRMATION_TTL: chrono::Duration = chrono::Duration::minutes(15);

impl Handler {
    /// Keeps the command and returns the Yes/No buttons for its question.
    pub(super) async fn ask(
        &self,
        member_id: uuid::Uuid,
        spec: &CommandSpec,
        raw: &[(String, String)],
    ) -> sqlx::Result<Value> {
        let mut conn = self.services.pool.acquire().await?;
        let now = self.services.clock.now();
        let id = store::discord::save_confirmation(&mut conn, member_id, spec.path, raw, now)
            .await?
            .to_string();
        let yes = self.ids.encode(&Target::Confirm {
            pending: id.clone(),
        });
        let no = self.ids.encode(&Target::Cancel { pending: id });
        Ok(json!([{ "type": 1, "components": [
            { "type": 2, "style": 3, "label": messages::YES, "custom_id": yes },
            { "type": 2, "style": 2, "label": messages::NO, "custom_id": no },
        ]}]))
    }

    /// The answer to a Yes/No question: runs (or drops) the kept command and replaces the
    /// question with the result.
    pub(super) async fn answer_question(
        &self,
        component: &ComponentInteraction,
        pending: &str,
        yes: bool,
    ) -> Reply {
        let nick = component.member.as_ref().and_then(|m| m.nick.as_deref());
        let hint = DmHint {
            confirmation: pending.parse().ok(),
            ..DmHint::default()
        };
        let caller = match self
            .caller(component.guild_id, &component.user, nick, hint)
            .await
        {
            Ok(caller) => caller,
            Err(message) => return Reply::only(message_response(&message, Visibility::Ephemeral)),
        };
        let since = self.services.clock.now() - CONFIRMATION_TTL;
        let kept = match pending.parse::<uuid::Uuid>() {
            Ok(id) => {
                store::discord::take_confirmation(&self.services.pool, id, caller.member.id, since)
                    .await
            }
            Err(_) => Ok(None),
        };
        let (command, raw) = match kept {
            Ok(Some(kept)) => kept,
            Ok(None) => {
                return Reply::only(message_response(
                    &messages::expired(),
                    Visibility::Ephemeral,
                ));
            }
            Err(err) => {
                tracing::error!(error = %format!("{err:#}"), "reading a kept command");
                return Reply::only(message_response(
                    &crate::services::messages::internal_error(),
                    Visibility::Ephemeral,
                ));
            }
        };
        let mut reply = match (yes, catalog::find(&command)) {
            (true, Some(spec)) => {
                self.invoke(caller, spec, &raw, component.id.to_string(), true)
                    .await
            }
            _ => Reply::only(message_response(&messages::kept(), Visibility::Ephemeral)),
        };
        // Replace the question (and its buttons) with the result.
        reply.response["type"] = json!(response_type::UPDATE_MESSAGE);
        if let Some(data) = reply.response["data"].as_object_mut() {
            data.remove("flags");
            data.insert("components".into(), json!([]));
        }
        reply
    }
}
