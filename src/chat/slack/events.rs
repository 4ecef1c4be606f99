//! The Events API: URL verification, people joining channels, and the app's Home tab.

use serde_json::{Value, json};

use super::app::SlackApp;
use super::messages;
use crate::store;

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
        if !matches!(kind, "member_joined_channel" | "app_home_opened") {
            tracing::debug!(kind, "Slack event ignored");
            return;
        }
        if let Err(err) = self.handle_event(team, event_id, kind, event).await {
            tracing::error!(error = %format!("{err:#}"), kind, "handling a Slack event failed");
        }
    }

    async fn handle_event(
        &self,
        team: &str,
        event_id: &str,
        kind: &str,
        event: &Value,
    ) -> anyhow::Result<()> {
        let pool = &self.services().pool;
        let now = self.services().clock.now();
        let Some(community) = store::slack::community_by_team(pool, team).await? else {
            tracing::warn!(team, kind, "Slack event from a workspace with no community");
            return Ok(());
        };
        if event_id.is_empty() {
            tracing::warn!(kind, "Slack event without an event_id ignored");
            return Ok(());
        }
        let user = event["user"].as_str().unwrap_or_default();
        // First contact creates the member and seeds their profile from Slack (idempotent,
        // and on its own connection: nothing below may wait for a second one).
        let (caller, created) = match self.caller(team, user, None).await {
            Ok(found) => found,
            Err(_) => return Ok(()),
        };
        // Slack redelivers an event it thinks was not acknowledged; run each one once. The
        // event id is recorded in the transaction of the work, so a failure leaves the
        // redelivery to do it.
        let delivery = format!("slack:event:{event_id}");
        let mut tx = pool.begin().await?;
        if !store::invocations::begin(&mut *tx, community.id, &delivery, now).await? {
            tracing::info!(kind, "Slack event already handled");
            return Ok(());
        }
        tracing::info!(kind, created, community = %caller.community_slug, "Slack event handled");
        if kind == "app_home_opened" && created {
            let key = format!("slack:welcome:{}", caller.member.id);
            store::outbox::enqueue(
                &mut *tx,
                community.id,
                &key,
                None,
                Some(caller.member.id),
                &messages::welcome(),
                now,
                None,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
