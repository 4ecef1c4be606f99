//! Finishing an interaction after the first answer: the deferred reply (edit of the
//! original response) and follow-up messages, through the interaction webhook.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::handler::{Handler, Reply};

/// Follow-ups need the first answer to have reached Discord.
const FOLLOWUP_DELAY: Duration = Duration::from_millis(500);

/// Waits for a deferred reply and puts it in place of the "thinking…" message. A private
/// reply (a refusal) to a publicly deferred command cannot become private by an edit, so
/// the public placeholder is deleted and the reply follows privately.
pub fn spawn_finish(
    handler: &Arc<Handler>,
    token: String,
    initial: &Value,
    later: tokio::task::JoinHandle<Reply>,
) {
    let handler = Arc::clone(handler);
    let deferred_public = initial["type"] == 5 && initial["data"]["flags"].is_null();
    tokio::spawn(async move {
        let reply = match later.await {
            Ok(reply) => reply,
            Err(err) => {
                tracing::error!(error = %err, "deferred interaction task failed");
                return;
            }
        };
        let Some(rest) = handler.rest() else {
            tracing::warn!("no discord.token: cannot send a deferred reply");
            return;
        };
        let data = reply.response.get("data").cloned().unwrap_or(Value::Null);
        let private = !data["flags"].is_null();
        let mut followups = reply.followups;
        let sent = if deferred_public && private {
            followups.insert(0, data);
            rest.http()
                .delete_original_interaction_response(&token)
                .await
        } else {
            rest.http()
                .edit_original_interaction_response(&token, &data, Vec::new())
                .await
                .map(|_| ())
        };
        if let Err(err) = sent {
            tracing::warn!(error = %err, "could not send the deferred reply");
        }
        send_followups(&handler, &token, followups).await;
    });
}

pub fn spawn_followups(handler: &Arc<Handler>, token: String, followups: Vec<Value>) {
    let handler = Arc::clone(handler);
    tokio::spawn(async move {
        tokio::time::sleep(FOLLOWUP_DELAY).await;
        send_followups(&handler, &token, followups).await;
    });
}

async fn send_followups(handler: &Handler, token: &str, followups: Vec<Value>) {
    let Some(rest) = handler.rest() else {
        return;
    };
    for body in followups {
        if let Err(err) = rest
            .http()
            .create_followup_message(token, &body, Vec::new())
            .await
        {
            tracing::warn!(error = %err, "could not send a follow-up message");
        }
    }
}
