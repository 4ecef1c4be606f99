//! Server mode: the scheduler, the HTTP side and every configured platform adapter in one
//! process, until a stop signal or a background task failing for good.

use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::app::App;
use crate::chat::{discord, slack};
use crate::cluster::{lease, registry};
use crate::config::Settings;
use crate::schedule::Scheduler;
use crate::web::{self, WebServer};

/// How often the scheduler looks for due ticks (cron has minute granularity).
pub const SCHEDULER_EVERY: Duration = Duration::from_secs(20);

/// How long after start the server gives back the memory only start-up needed: by then the
/// adapters have made their first connection attempts and the leader its command
/// registration. Whatever still runs later maps its pages back, so a slow start costs a
/// few minor faults, not correctness.
const STARTUP_SETTLES: Duration = Duration::from_secs(5);

/// Whether a chat platform is configured, so `run` starts the server instead of the shell.
pub fn platform_configured(settings: &Settings) -> bool {
    settings.discord.token.is_some()
        || settings.discord.public_key.is_some()
        || settings.slack.bot_token.is_some()
}

/// The platform-neutral HTTP side: health, calendar feeds and badges.
pub fn web_server(app: &App, settings: &Settings) -> WebServer {
    WebServer::new(&app.services)
        .merge(web::ical::routes(&app.services))
        .merge(web::exports::routes(&app.services))
        .merge(web::my_data::routes(&app.services))
        .merge(web::dashboard::routes(&app.services))
        .merge(web::badges::routes(
            app.services.pool.clone(),
            settings.http.public_url.clone(),
        ))
        .merge(web::verify::routes(
            app.services.pool.clone(),
            settings.http.public_url.clone(),
        ))
}

/// Runs until Ctrl-C or SIGTERM, then stops every task and waits for them.
pub async fn run(app: &App, settings: &Settings) -> Result<()> {
    // Counting starts before anything runs, so a scrape sees the first scheduler pass.
    if settings.metrics.listen.is_some() || settings.metrics.token.is_some() {
        crate::telemetry::metrics::enable();
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut background = JoinSet::new();
    let pool = app.services.pool.clone();
    // Registered first: a process whose shards another live process runs stops here.
    let me = uuid::Uuid::new_v4();
    let beat = settings.cluster.heartbeat();
    let shards = gateway_shards(settings)?;
    registry::register(&pool, me, registry::shard_range(shards.as_ref()), beat).await?;
    background.spawn(registry::keep_alive(
        pool.clone(),
        me,
        beat,
        stop_rx.clone(),
    ));
    let (leadership, holding) = lease::hold(
        pool.clone(),
        me,
        settings.cluster.lease_ttl(),
        stop_rx.clone(),
    );
    background.spawn(holding);
    let scheduler = Scheduler::new(pool.clone(), app.services.clock.clone())
        .with_leadership(leadership.clone());
    // The embedded database has one connection, which a LISTEN would keep: it polls.
    if settings.database.url.is_some() {
        background.spawn(crate::outbox::wakeup::listen(
            pool.clone(),
            app.services.outbox_wakeup.clone(),
            stop_rx.clone(),
        ));
    }
    let scheduler_stop = stop_rx.clone();
    // A test clock running faster is looked at as often in its own time.
    let rate = settings.clock.rate.filter(|r| *r > 1.0).unwrap_or(1.0);
    let scheduler_every = SCHEDULER_EVERY
        .div_f64(rate)
        .max(std::time::Duration::from_millis(250));
    background.spawn(async move {
        scheduler.run(scheduler_every, scheduler_stop).await;
        Ok(())
    });
    let mut web = web_server(app, settings);
    if let Some(slack) =
        slack::run::start(&settings.slack, &app.services, stop_rx.clone(), Some(me))?
    {
        background.extend(slack.tasks);
        if let Some(routes) = slack.routes {
            web = web.merge(routes);
        }
        if settings.slack.signing_secret.is_some() && settings.http.listen.is_none() {
            tracing::warn!(
                "slack.signing_secret is set but http.listen is not: no Slack endpoints"
            );
        }
    }
    let discord_routes = discord::spawn(
        &settings.discord,
        &app.services,
        &mut background,
        stop_rx.clone(),
        leadership,
    )?;
    if let Some(addr) = settings.metrics.listen {
        let metrics = web::metrics::routes(pool.clone(), None);
        background.spawn(WebServer::only(metrics, "metrics.listen").serve(addr, stop_rx.clone()));
    }
    if let Some(addr) = settings.http.listen {
        if let Some(routes) = discord_routes {
            web = web.merge(routes);
        }
        if let Some(token) = settings.metrics.token.clone() {
            web = web.merge(web::metrics::routes(pool.clone(), Some(token)));
        }
        background.spawn(web.serve(addr, stop_rx.clone()));
    } else {
        if discord_routes.is_some() {
            tracing::warn!(
                "discord.public_key is set but http.listen is not: no HTTP interactions endpoint"
            );
        }
        if settings.metrics.token.is_some() {
            tracing::warn!("metrics.token is set but http.listen is not: no /metrics there");
        }
    }
    tracing::info!("server mode: running until a stop signal");
    // Not in `background`: a finished task there means the server stops.
    tokio::spawn(async {
        tokio::time::sleep(STARTUP_SETTLES).await;
        if let Err(err) = tokio::task::spawn_blocking(crate::memory::release_startup_pages).await {
            tracing::warn!(error = %err, "giving back start-up memory failed");
        }
    });
    let mut result = tokio::select! {
        result = stop_signal() => result,
        Some(joined) = background.join_next() => {
            joined.context("a background task panicked").and_then(|r| r)
        }
    };
    // Stop claiming; the dispatchers finish what they sent, the lease is resigned and
    // the process leaves the registry, each as its task ends.
    let _ = stop_tx.send(true);
    while let Some(joined) = background.join_next().await {
        if let Err(err) = joined.context("a background task panicked").and_then(|r| r) {
            result = result.and(Err(err));
        }
    }
    tracing::info!(process = %me, "stopped: nothing more claimed, the leader lease resigned, the process deregistered");
    result
}

/// The Discord shards this process runs a gateway for, if it runs one.
fn gateway_shards(settings: &Settings) -> Result<Option<discord::gateway::Shards>> {
    let discord = &settings.discord;
    let gateway =
        discord.token.is_some() && (discord.public_key.is_none() || discord.member_events);
    if !gateway {
        return Ok(None);
    }
    Ok(Some(discord.shards.parse()?))
}

/// Ctrl-C, or SIGTERM from a container runtime.
pub async fn stop_signal() -> Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("waiting for Ctrl-C"),
        _ = term.recv() => Ok(()),
    }
}
