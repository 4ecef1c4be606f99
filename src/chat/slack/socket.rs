//! Socket Mode, for bots behind a firewall: Slack pushes the same payloads as HTTP mode over
//! a websocket the bot opens, and each envelope is acknowledged by its `envelope_id`.

use std::time::Duration;

use anyhow::{Context as _, Result};
use futures_util::{SinkExt, StreamExt};
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message as Frame;

use super::app::SlackApp;
use super::commands::SlashCommand;

/// Waits between failed connection attempts, doubling up to the cap.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_CAP: Duration = Duration::from_secs(60);

/// Why a connection ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// Slack asked for a new connection (`disconnect`) or closed this one.
    Reconnect,
    Stopped,
}

/// Keeps a Socket Mode connection open until `stop` turns true, reconnecting with a fresh
/// URL whenever Slack asks or the connection drops.
pub async fn run(
    app: SlackApp,
    app_token: SecretString,
    mut stop: watch::Receiver<bool>,
) -> Result<()> {
    let mut wait = RETRY_FIRST;
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        match connection(&app, &app_token, &mut stop).await {
            Ok(Ended::Stopped) => return Ok(()),
            Ok(Ended::Reconnect) => {
                wait = RETRY_FIRST;
                tracing::info!("Socket Mode: reconnecting with a fresh URL");
            }
            Err(err) => {
                tracing::warn!(error = %format!("{err:#}"), wait_s = wait.as_secs(), "Socket Mode connection failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.changed() => return Ok(()),
                }
                wait = (wait * 2).min(RETRY_CAP);
            }
        }
    }
}

async fn connection(
    app: &SlackApp,
    app_token: &SecretString,
    stop: &mut watch::Receiver<bool>,
) -> Result<Ended> {
    let url = app
        .api()
        .open_socket(app_token)
        .await
        .context("apps.connections.open")?;
    // The URL is one-use and must be used exactly as given.
    let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .context("connecting the Socket Mode websocket")?;
    let (mut write, mut read) = socket.split();
    let (acks, mut pending) = mpsc::channel::<String>(64);
    loop {
        tokio::select! {
            _ = stop.changed() => {
                let _ = write.send(Frame::Close(None)).await;
                return Ok(Ended::Stopped);
            }
            Some(ack) = pending.recv() => {
                write.send(Frame::Text(ack)).await.context("sending an ack")?;
            }
            frame = read.next() => match frame {
                None | Some(Ok(Frame::Close(_))) => return Ok(Ended::Reconnect),
                Some(Err(err)) => return Err(err).context("reading the Socket Mode websocket"),
                Some(Ok(Frame::Text(text))) => {
                    if on_message(app, &text, &acks) == Some(Ended::Reconnect) {
                        let _ = write.send(Frame::Close(None)).await;
                        return Ok(Ended::Reconnect);
                    }
                }
                // Pings are answered by tungstenite itself.
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Handles one message; envelopes are answered on their own task so a slow one does not
/// hold up the acks of the others.
fn on_message(app: &SlackApp, text: &str, acks: &mpsc::Sender<String>) -> Option<Ended> {
    let message: Value = match serde_json::from_str(text) {
        Ok(message) => message,
        Err(err) => {
            tracing::warn!(error = %err, "unreadable Socket Mode message");
            return None;
        }
    };
    match message["type"].as_str().unwrap_or_default() {
        "hello" => {
            tracing::info!("Socket Mode connected");
            None
        }
        "disconnect" => {
            let reason = message["reason"].as_str().unwrap_or_default();
            tracing::info!(reason, "Socket Mode: Slack asked for a new connection");
            Some(Ended::Reconnect)
        }
        kind => {
            let Some(envelope_id) = message["envelope_id"].as_str().map(str::to_owned) else {
                tracing::debug!(kind, "Socket Mode message ignored");
                return None;
            };
            let app = app.clone();
            let acks = acks.clone();
            let kind = kind.to_owned();
            tokio::spawn(async move {
                let payload = message["payload"].clone();
                let answer = envelope(&app, &kind, payload).await;
                let mut ack = json!({ "envelope_id": envelope_id });
                if let Some(answer) = answer {
                    ack["payload"] = answer;
                }
                let _ = acks.send(ack.to_string()).await;
            });
            None
        }
    }
}

/// The same handlers as HTTP mode, by envelope type.
async fn envelope(app: &SlackApp, kind: &str, payload: Value) -> Option<Value> {
    match kind {
        "slash_commands" => match serde_json::from_value::<SlashCommand>(payload) {
            Ok(cmd) => app.command(cmd).await,
            Err(err) => {
                tracing::warn!(error = %err, "unreadable Socket Mode slash command");
                None
            }
        },
        "interactive" => app.interaction(payload).await,
        "events_api" => app.event(payload).await,
        other => {
            tracing::debug!(kind = other, "Socket Mode envelope ignored");
            None
        }
    }
}
