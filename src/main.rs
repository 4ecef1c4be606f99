//! The `cohortbot` command line: run the bot, migrate, import and export the program.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use cohortbot::app::App;
use cohortbot::chat::shell;
use cohortbot::clock::OffsetClock;
use cohortbot::config::{LogFormat, Settings};
use cohortbot::program::{self, ProgramFile};
use cohortbot::schedule::listing;
use cohortbot::server;
use cohortbot::store::Database;
use cohortbot::telemetry::{self, LogSink};

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
    /// The data policy (config/data_policy.toml).
    Privacy {
        #[command(subcommand)]
        action: PrivacyAction,
    },
}

#[derive(Subcommand)]
enum PrivacyAction {
    /// Print the policy as the README's "Privacy" tables (Markdown).
    Policy,
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
    end_on_panic();
    if let Err(err) = real_main().await {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

/// A panic in any task or thread ends the process. Otherwise a panicked task leaves the
/// process running half-alive (the embedded database's threads keep it up), which is
/// worse than a restart by the supervisor.
fn end_on_panic() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        report(info);
        std::process::exit(101);
    }));
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
            // The shell runs unless turned off or a chat platform is configured.
            let shell = adapters.contains(&Adapter::Shell)
                || (adapters.is_empty() && !server::platform_configured(&settings));
            let sink = if shell {
                LogSink::File(&settings.log.shell_file)
            } else {
                LogSink::Stderr
            };
            telemetry::init(&settings.log, format, sink)?;
            let test_clock = settings.clock.test_clock(cfg!(debug_assertions))?;
            if shell {
                if test_clock.is_some() {
                    anyhow::bail!(
                        "[clock] is for server mode; the shell moves its clock with /clock set and /clock advance"
                    );
                }
                // The shell's clock can be moved with `/clock`; the scheduler follows it.
                let clock = OffsetClock::default();
                let app = App::start_with_clock(&settings, Arc::new(clock.clone())).await?;
                // With `http.listen` set, badges and calendars are served next to the shell.
                let (web_stop, web_stop_rx) = tokio::sync::watch::channel(false);
                let web = settings.http.listen.map(|addr| {
                    tokio::spawn(server::web_server(&app, &settings).serve(addr, web_stop_rx))
                });
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
                tracing::info!("cohortbot stopped");
                result
            } else {
                let app = match test_clock {
                    Some(clock) => {
                        tracing::warn!(
                            now = %cohortbot::clock::Clock::now(&clock),
                            rate = clock.rate(),
                            "running on a test clock ([clock]): not for production"
                        );
                        App::start_with_clock(&settings, Arc::new(clock)).await?
                    }
                    None => App::start(&settings).await?,
                };
                let result = server::run(&app, &settings).await;
                app.stop().await;
                match &result {
                    Ok(()) => tracing::info!("cohortbot stopped"),
                    Err(err) => {
                        tracing::error!(error = %format!("{err:#}"), "cohortbot stopped on an error")
                    }
                }
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
        Command::Privacy {
            action: PrivacyAction::Policy,
        } => {
            print!("{}", cohortbot::privacy::policy()?.markdown());
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
            // A broken file is reported before the database is opened or migrated.
            let program = match &action {
                ProgramAction::Import { file } => Some(read_program(file)?),
                ProgramAction::Export => None,
            };
            let db = Database::open(&settings.database).await?;
            db.migrate().await?;
            let result = program_command(&db, action, program).await;
            db.close().await;
            result
        }
    }
}

fn read_program(file: &std::path::Path) -> Result<ProgramFile> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    ProgramFile::parse(&text, &file.display().to_string())
}

async fn program_command(
    db: &Database,
    action: ProgramAction,
    program: Option<ProgramFile>,
) -> Result<()> {
    match action {
        ProgramAction::Import { file } => {
            let program = program.context("the program file was read first")?;
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
