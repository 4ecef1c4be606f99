//! Server-mode wiring: the Slack dispatcher, the HTTP routes and Socket Mode, from settings.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Result;
use axum::Router;
use tokio::sync::watch;

use super::api::SlackApi;
use super::app::SlackApp;
use super::sender::SlackSender;
use super::{http, socket};
use crate::config::SlackSettings;
use crate::outbox::{Dispatcher, Platform};
use crate::services::Services;

/// How often the Slack dispatcher looks for posts to deliver.
const DISPATCH_EVERY: Duration = Duration::from_secs(2);

pub type Task = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

/// What a configured Slack needs from the server: routes to serve and tasks to run.
pub struct Running {
    /// Set in HTTP mode (`signing_secret`).
    pub routes: Option<Router>,
    pub tasks: Vec<Task>,
}

/// Nothing when `slack.bot_token` is unset.
pub fn start(
    settings: &SlackSettings,
    services: &Services,
    stop: watch::Receiver<bool>,
    process: Option<uuid::Uuid>,
) -> Result<Option<Running>> {
    let Some(token) = settings.bot_token.clone() else {
        return Ok(None);
    };
    let api =
        SlackApi::new(&settings.api_base, token.clone())?.reporting_to(services.delivery.clone());
    let sender = SlackSender::new(
        api.clone(),
        services.pool.clone(),
        settings.channels.clone(),
    )
    .with_clock(services.clock.clone());
    let dispatcher = Dispatcher::new(services.pool.clone(), services.clock.clone(), sender)
        .only_platform(Platform::Slack)
        .with_process(process)
        .with_wakeup(&services.outbox_wakeup);
    let dispatch_stop = stop.clone();
    let (checking, pool) = (api.clone(), services.pool.clone());
    let mut tasks: Vec<Task> = vec![Box::pin(async move {
        // Beside the dispatcher, not before it: a slow answer must not hold up posts.
        tokio::spawn(async move { super::sender::check_usergroups(&checking, &pool).await });
        dispatcher.run(DISPATCH_EVERY, dispatch_stop).await;
        Ok(())
    })];
    let seal_key = settings.signing_secret.as_ref().unwrap_or(&token);
    let app = SlackApp::new(
        services.clone(),
        api,
        settings.signing_secret.clone(),
        seal_key,
    );
    if let Some(app_token) = settings.app_token.clone() {
        tracing::info!("Slack: Socket Mode");
        tasks.push(Box::pin(socket::run(app.clone(), app_token, stop)));
    }
    let routes = settings.signing_secret.is_some().then(|| {
        tracing::info!("Slack: HTTP endpoints under /slack");
        http::routes(app)
    });
    Ok(Some(Running { routes, tasks }))
}
