//! The Events API: URL verification, people joining channels, and the app's Home tab.

use serde_json::{Value, json};

use super::app::SlackApp;
use crate::services::ServiceError;

impl SlackApp {
    /// Answers an Events API body: the challenge for `url_verification`, `None` otherwise.
    pub async fn event(&self, payload: Value) -> Option<Value> {
        match payload["type"].as_str() {
            Some("url_verification") => Some(json!({ "challenge": payload["challenge"] })),
            Some("event_callback") => {
                let app = self.clone();
                self.within_budget(
                    async move { app.event_callback(&payload).await },
                    |_| async {},
                )
                .await;
                None
            }
            other => {
                tracing::debug!(kind = ?other, "Slack event envelope ignored");
                None
            }
        }
    }

    async fn event_callback(&self, payload: &Value) {
        let team = payload["team_id"].as_str().unwrap_or_default();
        let event_id = payload["event_id"].as_str().unwrap_or_default();
        let event = &payload["event"];
        let kind = event["type"].as_str().unwrap_or_default();
        if kind == "app_uninstalled" {
            // The token is already revoked: nothing can be sent to this workspace again,
            // so the community is marked for deletion (the stewards get a DM all the same,
            // in case the app comes back before the outbox gives up).
            if let Err(err) = self
                .services()
                .community_removed(crate::services::removal::Platform::Slack, team)
                .await
            {
                tracing::error!(error = %format!("{err:#}"), team, "could not record the app's removal from a workspace");
            }
            return;
        }
        // Any other event means the app is installed: a removal's pending deletion is
        // called off (Slack sends no event when an app is installed again).
        if let Err(err) = self
            .services()
            .community_readded(crate::services::removal::Platform::Slack, team)
            .await
        {
            tracing::error!(error = %format!("{err:#}"), team, "could not call off a community's deletion");
        }
        if !matches!(kind, "member_joined_channel" | "app_home_opened") {
            tracing::debug!(kind, "Slack event ignored");
            return;
        }
        match self.handle_event(team, event_id, kind, event).await {
            Ok(()) => {}
            Err(ServiceError::User(reason)) => {
                let reason = crate::render::plain::render(&reason);
                tracing::warn!(kind, team, %reason, "Slack event not handled");
            }
            Err(ServiceError::Internal(err)) => {
                tracing::error!(error = %format!("{err:#}"), kind, "handling a Slack event failed");
            }
        }
    }

    /// A person joining a channel, or opening the app's Home, becomes a member; opening the
    /// Home the first time also brings the services' welcome DM.
    async fn handle_event(
        &self,
        team: &str,
        event_id: &str,
        kind: &str,
        event: &Value,
    ) -> Result<(), ServiceError> {
        if event_id.is_empty() {
            tracing::warn!(kind, "Slack event without an event_id ignored");
            return Ok(());
        }
        let user = event["user"].as_str().unwrap_or_default();
        let contact = super::app::contact(team, user, None);
        let resolved = if kind == "app_home_opened" {
            let home_tab = event["tab"].as_str() == Some("home");
            self.services()
                .opened_app(contact, event_id, home_tab)
                .await?
        } else {
            Some(self.services().resolve_caller(contact).await?)
        };
        if let Some(resolved) = resolved {
            if resolved.created {
                self.seed_profile(resolved.caller.member.id, user.to_owned());
            }
            let (created, community) = (resolved.created, &resolved.caller.community_slug);
            tracing::info!(kind, created, community = %community, "Slack event handled");
        }
        Ok(())
    }
}
