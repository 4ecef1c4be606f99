//! The `cohortbot` command line: run the bot, migrate, import and export the program.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use cohortbot::app::App;
use cohortbot::chat::{shell, slack};
use cohortbot::clock::OffsetClock;
use cohortbot::config::{LogFormat, Settings};
use cohortbot::program::{self, ProgramFile};
use cohortbot::schedule::{Scheduler, listing};
use cohortbot::store::Database;
use cohortbot::telemetry::{self, LogSink};
use cohortbot::web::WebServer;

/// How often the scheduler looks for due ticks (cron has minute granularity).
const SCHEDULER_EVERY: Duration = Duration::from_secs(20);

#[derive(Parser)]
#[command(
    version,
    about = "Runs citizen-developer cohorts and mentorship programs from chat"
)]
struct Cli {
    /// Runtime settings; `COHORTBOT__SECTION__KEY` environment variables override them.
    #[arg(long, global = true, default_value = "config/cohortbot.toml")]
    config: PathBuf,
    /// Log format (default from config: pretty).
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormatArg>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormatArg {
    Pretty,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Start the configured adapters (the default); the shell when none is configured.
    Run {
        /// Choose adapters explicitly (repeatable).
        #[arg(long = "adapter", value_enum)]
        adapters: Vec<Adapter>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Show each schedule's next fire times, in UTC and local time.
    Schedule {
        #[command(subcommand)]
        action: ScheduleAction,
    },
    /// Import or export the program file.
    Program {
        #[command(subcommand)]
        action: ProgramAction,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Adapter {
    Shell,
    None,
}

#[derive(Subcommand)]
enum ScheduleAction {
    /// List every cohort schedule with its next three times.
    List,
}

#[derive(Subcommand)]
enum ProgramAction {
    /// Upsert a program file into the database (safe to repeat).
    Import { file: PathBuf },
    /// Print the program in the database as a program file.
    Export,
}

#[tokio::main]
async fn main() {
    if let Err(err) = real_main().await {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

async fn real_main() -> Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(&cli.config)?;
    let format = match cli.log_format {
        Some(LogFormatArg::Pretty) => LogFormat::Pretty,
        Some(LogFormatArg::Json) => LogFormat::Json,
        None => settings.log.format,
    };
    let command = cli.command.unwrap_or(Command::Run {
        adapters: Vec::new(),
    });
    match command {
        Command::Run { adapters } => {
            // The shell runs unless turned off or a platform (Discord) is configured.
            let shell = adapters.contains(&Adapter::Shell)
                || (adapters.is_empty()
                    && settings.discord.token.is_none()
                    && settings.discord.public_key.is_none());
            let sink = if shell {
                LogSink::File(&settings.log.shell_file)
            } else {
                LogSink::Stderr
            };
            telemetry::init(&settings.log, format, sink)?;
            if shell {
                // The shell's clock can be moved with `/clock`; the scheduler follows it.
                let clock = OffsetClock::default();
                let app = App::start_with_clock(&settings, Arc::new(clock.clone())).await?;
                // With `http.listen` set, badges and calendars are served next to the shell.
                let (web_stop, web_stop_rx) = tokio::sync::watch::channel(false);
                let web = settings
                    .http
                    .listen
                    .map(|addr| tokio::spawn(web_server(&app, &settings).serve(addr, web_stop_rx)));
                let result = shell::run(
                    app.services.clone(),
                    clock,
                    &settings.shell.community,
                    &settings.shell.member,
                    settings.shell.history_file.clone(),
                )
                .await;
                let _ = web_stop.send(true);
                if let Some(web) = web {
                    let _ = web.await;
                }
                app.stop().await;
                result
            } else {
                let app = App::start(&settings).await?;
                let scheduler =
                    Scheduler::new(app.services.pool.clone(), app.services.clock.clone());
                let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
                let mut background = tokio::task::JoinSet::new();
                let scheduler_stop = stop_rx.clone();
                background.spawn(async move {
                    scheduler.run(SCHEDULER_EVERY, scheduler_stop).await;
                    Ok(())
                });
                let mut web = web_server(&app, &settings);
                if let Some(slack) =
                    slack::run::start(&settings.slack, &app.services, stop_rx.clone())?
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
                let discord_routes = cohortbot::chat::discord::spawn(
                    &settings.discord,
                    &app.services,
                    &mut background,
                    stop_rx.clone(),
                )?;
                if let Some(addr) = settings.http.listen {
                    if let Some(routes) = discord_routes {
                        web = web.merge(routes);
                    }
                    background.spawn(web.serve(addr, stop_rx.clone()));
                } else if discord_routes.is_some() {
                    tracing::warn!(
                        "discord.public_key is set but http.listen is not: no HTTP interactions endpoint"
                    );
                }
                tracing::info!("server mode: running until a stop signal");
                let mut result = tokio::select! {
                    result = stop_signal() => result,
                    Some(joined) = background.join_next() => {
                        joined.context("a background task panicked").and_then(|r| r)
                    }
                };
                let _ = stop_tx.send(true);
                while let Some(joined) = background.join_next().await {
                    if let Err(err) = joined.context("a background task panicked").and_then(|r| r) {
                        result = result.and(Err(err));
                    }
                }
                app.stop().await;
                result
            }
        }
        Command::Schedule {
            action: ScheduleAction::List,
        } => {
            telemetry::init(&settings.log, format, LogSink::Stderr)?;
            let db = Database::open(&settings.database).await?;
            db.migrate().await?;
            let rows = cohortbot::store::schedule::schedules(&db.pool, None).await;
            db.close().await;
            print!(
                "{}",
                listing::render(&listing::upcoming(&rows?, chrono::Utc::now(), 3))
            );
            Ok(())
        }
        Command::Migrate => {
            telemetry::init(&settings.log, format, LogSink::Stderr)?;
            let db = Database::open(&settings.database).await?;
            db.migrate().await?;
            db.close().await;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Program { action } => {
            telemetry::init(&settings.log, format, LogSink::Stderr)?;
            let db = Database::open(&settings.database).await?;
            db.migrate().await?;
            let result = program_command(&db, action).await;
            db.close().await;
            result
        }
    }
}

async fn program_command(db: &Database, action: ProgramAction) -> Result<()> {
    match action {
        ProgramAction::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let program = ProgramFile::parse(&text, &file.display().to_string())?;
            let report = program::import(&db.pool, &program, chrono::Utc::now()).await?;
            eprintln!("imported {}: {report}", file.display());
        }
        ProgramAction::Export => {
            let program = program::export::export(&db.pool).await?;
            print!("{}", program.to_toml()?);
        }
    }
    Ok(())
}

/// Ctrl-C, or SIGTERM from a container runtime.
async fn stop_signal() -> Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("waiting for Ctrl-C"),
        _ = term.recv() => Ok(()),
    }
}

/// The HTTP side: health, calendar feeds and badges.
fn web_server(app: &App, settings: &Settings) -> WebServer {
    WebServer::new(&app.services)
        .merge(cohortbot::web::ical::routes(&app.services))
        .merge(cohortbot::web::badges::routes(
            app.services.pool.clone(),
            settings.http.public_url.clone(),
        ))
}
