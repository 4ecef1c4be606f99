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

/// How long a connection Slack asked us to replace stays open: it still acknowledges the
/// envelopes it received while the new one opens, so a refresh loses nothing.
const LINGER: Duration = Duration::from_secs(10);

/// Why a connection ended.
#[derive(Debug, PartialEq, Eq)]
enum Ended {
    /// Slack asked for a new connection (`disconnect`) or closed this one.
    Reconnect,
    /// Socket Mode was turned off for the app in Slack's settings: reconnecting cannot work.
    Disabled,
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
    // Counts "hello"s: a replaced connection closes once its successor has said hello.
    let (connected, _) = watch::channel(0u64);
    loop {
        if *stop.borrow() {
            return Ok(());
        }
        match connection(&app, &app_token, &mut stop, &connected).await {
            Ok(Ended::Stopped) => return Ok(()),
            Ok(Ended::Disabled) => {
                tracing::error!(
                    "Socket Mode is turned off for this app in Slack (link_disabled), so cohortbot \
                     stops using it. Turn Socket Mode on under the app's settings and restart."
                );
                return Ok(());
            }
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
    connected: &watch::Sender<u64>,
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
                Some(Ok(Frame::Text(text))) => match on_message(app, &text, &acks) {
                    Some(Signal::Hello) => {
                        connected.send_modify(|n| *n += 1);
                    }
                    Some(Signal::Replace) => {
                        // The successor opens first; this one acks what it holds meanwhile.
                        drop(acks);
                        let successor = connected.subscribe();
                        tokio::spawn(linger(write, pending, successor));
                        return Ok(Ended::Reconnect);
                    }
                    Some(Signal::Disabled) => {
                        let _ = write.send(Frame::Close(None)).await;
                        return Ok(Ended::Disabled);
                    }
                    None => {}
                },
                // Pings are answered by tungstenite itself.
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Keeps a replaced connection open until its successor has said hello and its last acks
/// are sent, or [`LINGER`] has passed, then closes it.
async fn linger<W>(
    mut write: W,
    mut pending: mpsc::Receiver<String>,
    mut successor: watch::Receiver<u64>,
) where
    W: SinkExt<Frame> + Unpin,
{
    successor.mark_unchanged();
    let deadline = tokio::time::sleep(LINGER);
    tokio::pin!(deadline);
    let (mut acked_all, mut replaced) = (false, false);
    while !(acked_all && replaced) {
        tokio::select! {
            _ = &mut deadline => break,
            ack = pending.recv(), if !acked_all => match ack {
                Some(ack) => {
                    if write.send(Frame::Text(ack)).await.is_err() {
                        break;
                    }
                }
                None => acked_all = true,
            },
            changed = successor.changed(), if !replaced => {
                replaced = true;
                if changed.is_err() {
                    break;
                }
            }
        }
    }
    let _ = write.send(Frame::Close(None)).await;
}

/// What a message means for its connection.
#[derive(Debug, PartialEq, Eq)]
enum Signal {
    Hello,
    Replace,
    Disabled,
}

/// Handles one message; envelopes are answered on their own task so a slow one does not
/// hold up the acks of the others.
fn on_message(app: &SlackApp, text: &str, acks: &mpsc::Sender<String>) -> Option<Signal> {
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
            Some(Signal::Hello)
        }
        "disconnect" if message["reason"] == "link_disabled" => Some(Signal::Disabled),
        "disconnect" => {
            let reason = message["reason"].as_str().unwrap_or_default();
            tracing::info!(reason, "Socket Mode: Slack asked for a new connection");
            Some(Signal::Replace)
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
