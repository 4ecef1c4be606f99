//! Gateway mode: serenity's client and shard manager, feeding the same handler.
//!
//! Intents: GUILDS only (not privileged). With `discord.member_events` also GUILD_MEMBERS,
//! which is privileged: enable "Server Members Intent" in the developer portal first, or
//! Discord closes the connection (4014).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use serenity::all::{
    Context, EventHandler, GatewayIntents, Guild, GuildMemberUpdateEvent,
    GuildScheduledEventUserAddEvent, GuildScheduledEventUserRemoveEvent, Interaction, Member,
    Ready, UnavailableGuild,
};
use serenity::client::ClientBuilder;
use tokio::sync::watch;

use super::handler::{Answer, Handler};
use super::respond;
use super::rest::Rest;
use crate::services::removal;

/// Answer by this time, or defer: Discord allows 3 s from the event.
const DEFER_AFTER: Duration = Duration::from_millis(2_000);
/// Back-off between gateway start attempts during an outage.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(60);

/// `discord.shards`: `auto`, a count `N`, or a range of a total `FIRST-LAST/TOTAL` (shards
/// FIRST to LAST inclusive of TOTAL), so several processes can split one bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shards {
    Auto,
    Count(u32),
    Range { first: u32, last: u32, total: u32 },
}

impl std::str::FromStr for Shards {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Shards::Auto);
        }
        if let Some((range, total)) = s.split_once('/') {
            let (first, last) = range
                .split_once('-')
                .context("discord.shards range looks like `0-1/4`")?;
            let (first, last, total): (u32, u32, u32) = (
                first.trim().parse()?,
                last.trim().parse()?,
                total.trim().parse()?,
            );
            if first > last || last >= total {
                bail!("discord.shards `{s}`: need FIRST <= LAST < TOTAL");
            }
            return Ok(Shards::Range { first, last, total });
        }
        match s.parse::<u32>() {
            Ok(n) if n > 0 => Ok(Shards::Count(n)),
            _ => bail!("discord.shards must be `auto`, a count, or `FIRST-LAST/TOTAL`, not `{s}`"),
        }
    }
}

struct Events {
    handler: Arc<Handler>,
}

impl Events {
    /// "Interested" marked (`added`) or taken back on a scheduled event.
    async fn interest(
        &self,
        guild: serenity::all::GuildId,
        event: serenity::all::ScheduledEventId,
        user: serenity::all::UserId,
        added: bool,
    ) {
        let (guild, event, user) = (guild.to_string(), event.to_string(), user.to_string());
        if let Err(err) = self
            .handler
            .services
            .interest(&guild, &event, &user, added)
            .await
        {
            tracing::warn!(error = %crate::render::plain::render(&err.into_message("interest")),
                added, "could not apply an Interested change to the RSVPs");
        }
    }
}

#[serenity::async_trait]
impl EventHandler for Events {
    async fn ready(&self, _ctx: Context, ready: Ready) {
        tracing::info!(user = %ready.user.name, guilds = ready.guilds.len(), shard = ?ready.shard, "Discord gateway ready");
        // A new session: Interested marks made while the bot was away were not replayed.
        let Some(rest) = self.handler.rest.clone() else {
            return;
        };
        for guild in ready.guilds.iter().map(|g| g.id) {
            let handler = self.handler.clone();
            let rest = rest.clone();
            tokio::spawn(async move {
                match super::interest_catch_up::catch_up(&handler, &rest, guild).await {
                    Ok(done) if done.rsvped + done.withdrawn > 0 => tracing::info!(
                        %guild, events = done.events, rsvped = done.rsvped,
                        withdrawn = done.withdrawn, "Interested caught up after downtime"),
                    Ok(_) => {}
                    Err(err) => tracing::warn!(%guild, error = %format!("{err:#}"),
                        "could not catch up Interested after downtime"),
                }
            });
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let id = interaction.id();
        let token = interaction.token().to_owned();
        let (first, later) = match self.handler.answer(interaction, DEFER_AFTER).await {
            Answer::Now(reply) => (reply.response.clone(), Err(reply.followups)),
            Answer::Deferred { initial, later } => (initial, Ok(later)),
        };
        if let Err(err) = ctx
            .http
            .create_interaction_response(id, &token, &first, Vec::new())
            .await
        {
            tracing::warn!(error = %err, "could not answer a Discord interaction");
            return;
        }
        match later {
            Ok(later) => respond::spawn_finish(&self.handler, token, &first, later),
            Err(followups) if !followups.is_empty() => {
                respond::spawn_followups(&self.handler, token, followups)
            }
            Err(_) => {}
        }
    }

    /// `unavailable` false (or absent) means the bot was removed from the server, not an
    /// outage: the community is marked for deletion and its stewards told.
    async fn guild_delete(
        &self,
        _ctx: Context,
        incomplete: UnavailableGuild,
        _full: Option<Guild>,
    ) {
        if incomplete.unavailable {
            return;
        }
        let guild = incomplete.id.to_string();
        if let Err(err) = self
            .handler
            .services
            .community_removed(removal::Platform::Discord, &guild)
            .await
        {
            tracing::error!(error = %format!("{err:#}"), %guild, "could not record the bot's removal from a server");
        }
    }

    /// A server the bot is (again) in: a pending deletion of its community is called off.
    async fn guild_create(&self, _ctx: Context, guild: Guild, _is_new: Option<bool>) {
        let id = guild.id.to_string();
        if let Err(err) = self
            .handler
            .services
            .community_readded(removal::Platform::Discord, &id)
            .await
        {
            tracing::error!(error = %format!("{err:#}"), guild = %id, "could not call off a community's deletion");
        }
    }

    async fn guild_member_addition(&self, _ctx: Context, member: Member) {
        if let Err(err) = self
            .handler
            .sync_member(
                member.guild_id,
                &member.user,
                member.nick.as_deref(),
                &member.roles,
            )
            .await
        {
            tracing::warn!(error = %format!("{err:#}"), "could not record a joining member");
        }
    }

    async fn guild_scheduled_event_user_add(
        &self,
        _ctx: Context,
        subscribed: GuildScheduledEventUserAddEvent,
    ) {
        self.interest(
            subscribed.guild_id,
            subscribed.scheduled_event_id,
            subscribed.user_id,
            true,
        )
        .await;
    }

    async fn guild_scheduled_event_user_remove(
        &self,
        _ctx: Context,
        unsubscribed: GuildScheduledEventUserRemoveEvent,
    ) {
        self.interest(
            unsubscribed.guild_id,
            unsubscribed.scheduled_event_id,
            unsubscribed.user_id,
            false,
        )
        .await;
    }

    async fn guild_member_update(
        &self,
        _ctx: Context,
        _old: Option<Member>,
        _new: Option<Member>,
        event: GuildMemberUpdateEvent,
    ) {
        if let Err(err) = self
            .handler
            .sync_member(
                event.guild_id,
                &event.user,
                event.nick.as_deref(),
                &event.roles,
            )
            .await
        {
            tracing::warn!(error = %format!("{err:#}"), "could not sync a member update");
        }
    }
}

/// Connects and runs until `stop` fires.
pub async fn run(
    handler: Arc<Handler>,
    rest: &Rest,
    shards: Shards,
    member_events: bool,
    mut stop: watch::Receiver<bool>,
) -> Result<()> {
    // Scheduled-event intents are not privileged: "Interested" on the sessions' events
    // (services/events/interest.rs) needs them, and a server without mirrored events sends
    // none.
    let mut intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_SCHEDULED_EVENTS;
    if member_events {
        intents |= GatewayIntents::GUILD_MEMBERS;
    }
    let mut wait = RETRY_FIRST;
    loop {
        let mut client = ClientBuilder::new_with_http(rest.build_http(), intents)
            .event_handler(Events {
                handler: handler.clone(),
            })
            .await
            .context("building the Discord gateway client")?;
        let manager = client.shard_manager.clone();
        let shards = shards.clone();
        let pool = handler.services.pool.clone();
        let started = async move {
            // Other processes may be identifying: wait for this one's turn.
            super::identify::wait_for_slot(rest, &pool, &shards).await;
            match shards {
                Shards::Auto => client.start_autosharded().await,
                Shards::Count(n) => client.start_shards(n).await,
                // serenity reads the range's end as the last shard, inclusive ("up to and
                // including"), though it takes a `Range`: `first..last + 1` started one
                // shard too many, which another process already ran.
                Shards::Range { first, last, total } => {
                    client.start_shard_range(first..last, total).await
                }
            }
        };
        let began = tokio::time::Instant::now();
        let reporting = tokio::spawn(report_shards(manager.clone()));
        let result = tokio::select! {
            result = started => result,
            () = async { let _ = stop.wait_for(|s| *s).await; } => {
                reporting.abort();
                manager.shutdown_all().await;
                return Ok(());
            }
        };
        reporting.abort();
        // A bad token or intents the portal does not grant will not fix themselves; an
        // outage (no /gateway/bot, a dropped start) will, so the bot waits and tries again.
        if let Err(err) = result {
            if is_fatal(&err) {
                return Err(err).context("Discord refused the gateway connection");
            }
            tracing::warn!(error = %err, wait_s = wait.as_secs(), "Discord gateway failed; retrying");
        }
        if began.elapsed() > RETRY_MAX {
            wait = RETRY_FIRST; // it ran for a while: this is a new outage
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|s| *s) => return Ok(()),
        }
        wait = (wait * 2).min(RETRY_MAX);
    }
}

/// Errors that retrying cannot cure.
fn is_fatal(err: &serenity::Error) -> bool {
    use serenity::gateway::GatewayError;
    matches!(
        err,
        serenity::Error::Gateway(
            GatewayError::InvalidAuthentication
                | GatewayError::InvalidGatewayIntents
                | GatewayError::DisallowedGatewayIntents
        )
    )
}

/// How often the shards' connection and heartbeat latency are copied into the metrics.
const SHARD_REPORT_EVERY: Duration = Duration::from_secs(10);

/// Copies each running shard's stage and heartbeat round trip into the metrics, until
/// aborted with its client.
async fn report_shards(manager: std::sync::Arc<serenity::gateway::ShardManager>) {
    let mut every = tokio::time::interval(SHARD_REPORT_EVERY);
    loop {
        every.tick().await;
        let runners = manager.runners.lock().await;
        for (id, runner) in runners.iter() {
            let connected = matches!(runner.stage, serenity::gateway::ConnectionStage::Connected);
            crate::telemetry::metrics::metrics().shard(id.0, connected, runner.latency);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_settings_parse() {
        assert_eq!("auto".parse::<Shards>().unwrap(), Shards::Auto);
        assert_eq!("4".parse::<Shards>().unwrap(), Shards::Count(4));
        assert_eq!(
            "2-3/8".parse::<Shards>().unwrap(),
            Shards::Range {
                first: 2,
                last: 3,
                total: 8
            }
        );
        for bad in ["0", "3-2/8", "0-8/8", "lots", "1-/2"] {
            assert!(bad.parse::<Shards>().is_err(), "{bad}");
        }
    }
}
