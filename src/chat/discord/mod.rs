//! The Discord adapter: outbox sender, interactions (gateway and HTTP), command registration.
//!
//! `discord.token` starts the outbox sender, command registration and (unless only HTTP
//! interactions are configured) the gateway; `discord.public_key` adds
//! `POST /discord/interactions` to the HTTP server.

pub mod autocomplete;
pub mod commands;
pub mod custom_id;
pub mod endpoint;
pub mod gateway;
pub mod handler;
pub mod identify;
pub mod interest_catch_up;
mod members;
pub mod messages;
pub mod modals;
mod options;
pub mod respond;
pub mod rest;
pub mod scheduled_events;
pub mod sender;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use secrecy::ExposeSecret;
use serenity::http::{LightMethod, Route};
use serenity::model::id::{ApplicationId, GuildId, RoleId};
use tokio::sync::watch;
use tokio::task::JoinSet;

pub use custom_id::{CustomIds, FormTarget, Target};
pub use handler::{Answer, Handler, Reply};
pub use rest::{Rest, RestError};
pub use sender::{Channels, DiscordSender};

use crate::config::DiscordSettings;
use crate::domain::Role;
use crate::outbox::health::DeliveryHealth;
use crate::outbox::{Dispatcher, Platform};
use crate::services::Services;

/// How often the Discord outbox dispatcher looks for posts.
const DISPATCH_EVERY: Duration = Duration::from_secs(2);
/// Services slower than this get a deferred answer (Discord's limit is 3 s).
pub const DEFER_AFTER: Duration = Duration::from_millis(2_000);

/// `[discord.roles]` as program role → Discord role id.
pub fn role_map(settings: &DiscordSettings) -> Result<BTreeMap<Role, RoleId>> {
    settings
        .roles
        .iter()
        .map(|(role, id)| {
            let role: Role = role
                .parse()
                .map_err(|()| anyhow::anyhow!("[discord.roles]: `{role}` is not a program role"))?;
            let id: u64 = id.parse().ok().filter(|n| *n > 0).with_context(|| {
                format!("[discord.roles] {}: `{id}` is not a role id", role.as_str())
            })?;
            Ok((role, RoleId::new(id)))
        })
        .collect()
}

fn application_id(settings: &DiscordSettings) -> Result<Option<u64>> {
    settings
        .application_id
        .as_deref()
        .map(|id| {
            id.parse::<u64>()
                .context("discord.application_id must be a number")
        })
        .transpose()
}

/// The REST client when a token is configured.
pub fn rest(settings: &DiscordSettings, health: &DeliveryHealth) -> Result<Option<Arc<Rest>>> {
    let Some(token) = &settings.token else {
        return Ok(None);
    };
    let rest = Rest::new(
        token.expose_secret(),
        application_id(settings)?,
        settings.api_base.as_deref(),
        health.clone(),
    )?;
    Ok(Some(Arc::new(rest)))
}

/// The interaction handler for these settings.
pub fn handler(
    settings: &DiscordSettings,
    services: &Services,
    rest: Option<Arc<Rest>>,
) -> Result<Handler> {
    Ok(Handler::new(
        services.clone(),
        custom_ids(settings)?,
        rest,
        role_map(settings)?,
    ))
}

/// Custom ids are signed with a key derived from the token (or the public key).
pub fn custom_ids(settings: &DiscordSettings) -> Result<CustomIds> {
    match (&settings.token, &settings.public_key) {
        (Some(token), _) => Ok(CustomIds::new(token.expose_secret().as_bytes())),
        (None, Some(key)) => Ok(CustomIds::new(key.as_bytes())),
        (None, None) => bail!("Discord needs discord.token or discord.public_key"),
    }
}

/// Replaces the application's commands with the catalog's: in each of `guild_ids`
/// (instant), or globally when there are none. Returns how many commands were sent.
pub async fn register_commands(rest: &Rest, guild_ids: &[String]) -> Result<usize> {
    let app = ApplicationId::new(
        rest.application_id()
            .context("discord.application_id is needed to register commands")?,
    );
    let body = serde_json::Value::Array(commands::registration());
    let count = body.as_array().map_or(0, Vec::len);
    if guild_ids.is_empty() {
        rest.call(
            Route::Commands {
                application_id: app,
            },
            LightMethod::Put,
            Some(&body),
        )
        .await
        .map_err(|e| anyhow::anyhow!("registering global commands: {e}"))?;
    }
    for guild in guild_ids {
        let guild_id = GuildId::new(
            guild
                .parse()
                .with_context(|| format!("discord.guild_ids: `{guild}` is not a guild id"))?,
        );
        rest.call(
            Route::GuildCommands {
                application_id: app,
                guild_id,
            },
            LightMethod::Put,
            Some(&body),
        )
        .await
        .map_err(|e| anyhow::anyhow!("registering commands in guild {guild}: {e}"))?;
    }
    Ok(count)
}

/// Server mode: starts what `[discord]` configures as background tasks, and returns the
/// HTTP interactions route to merge into the web server when `public_key` is set.
pub fn spawn(
    settings: &DiscordSettings,
    services: &Services,
    tasks: &mut JoinSet<Result<()>>,
    stop: watch::Receiver<bool>,
    leadership: crate::cluster::Leadership,
) -> Result<Option<axum::Router>> {
    if settings.token.is_none() && settings.public_key.is_none() {
        return Ok(None);
    }
    if settings.token.is_some() && settings.application_id.is_none() {
        bail!(
            "discord.application_id is required with discord.token (command registration, interaction follow-ups)"
        );
    }
    let rest = rest(settings, &services.delivery)?;
    let handler = Arc::new(handler(settings, services, rest.clone())?);
    if let Some(rest) = rest {
        let sender = DiscordSender::new(
            rest.clone(),
            services.pool.clone(),
            services.clock.clone(),
            custom_ids(settings)?,
            Channels(settings.channels.clone()),
        )
        .with_roles(role_map(settings)?);
        let dispatcher = Dispatcher::new(services.pool.clone(), services.clock.clone(), sender)
            .only_platform(Platform::Discord)
            .with_process(leadership.process())
            .with_wakeup(&services.outbox_wakeup);
        let dispatch_stop = stop.clone();
        tasks.spawn(async move {
            dispatcher.run(DISPATCH_EVERY, dispatch_stop).await;
            Ok(())
        });
        let guilds = settings.guild_ids.clone();
        let registering = rest.clone();
        let (pool, clock) = (services.pool.clone(), services.clock.clone());
        let mut leader_stop = stop.clone();
        // Detached: the server stops when any of `tasks` ends, and this one is done early.
        // Leader-only: with several processes, the one that leads registers the commands
        // and compares the Discord events once, when it comes to lead (at its start, or when
        // it takes over from a leader that died).
        tokio::spawn(async move {
            if !leadership.until_leader(&mut leader_stop).await {
                return;
            }
            let requests = u32::try_from(guilds.len().max(1)).unwrap_or(u32::MAX);
            crate::outbox::spend_shared_budget(&pool, rest::shared_budget(), requests).await;
            // A failed registration leaves the previous commands; the bot still runs.
            match register_commands(&registering, &guilds).await {
                Ok(n) => tracing::info!(
                    commands = n,
                    guilds = guilds.len(),
                    "Discord commands registered"
                ),
                Err(err) => {
                    tracing::error!(error = %format!("{err:#}"), "Discord command registration failed")
                }
            }
            // Events may have drifted while the bot was down (or without a leader).
            let occasion = format!("leader:{}", uuid::Uuid::new_v4());
            if let Err(err) =
                crate::services::events::mirror::queue_reconcile(&pool, clock.now(), &occasion)
                    .await
            {
                tracing::warn!(error = %format!("{err:#}"), "could not queue the Discord events' reconciliation");
            }
        });
        if settings.public_key.is_none() || settings.member_events {
            let shards: gateway::Shards = settings.shards.parse()?;
            let gateway_handler = handler.clone();
            let member_events = settings.member_events;
            let gateway_stop = stop.clone();
            tasks.spawn(async move {
                gateway::run(gateway_handler, &rest, shards, member_events, gateway_stop).await
            });
        }
    }
    match &settings.public_key {
        Some(key) => Ok(Some(endpoint::routes(endpoint::Endpoint::new(
            handler,
            key,
            DEFER_AFTER,
        )?))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_map_names_bad_entries() {
        let mut settings = DiscordSettings::default();
        settings.roles.insert("lead_mentor".into(), "555".into());
        assert_eq!(
            role_map(&settings).unwrap(),
            BTreeMap::from([(Role::LeadMentor, RoleId::new(555))])
        );
        settings.roles.insert("wizard".into(), "1".into());
        assert!(
            role_map(&settings)
                .unwrap_err()
                .to_string()
                .contains("wizard")
        );
        settings.roles.remove("wizard");
        settings.roles.insert("steward".into(), "abc".into());
        assert!(role_map(&settings).unwrap_err().to_string().contains("abc"));
    }
}
