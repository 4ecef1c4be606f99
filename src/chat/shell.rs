//! The local shell adapter: type commands as a member of a demo community, like Hubot's shell.
//!
//! Every bot post is printed with a label saying where it went. With piped stdin it runs one
//! command per line, prints only output, and exits at the end of input.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{Editor, ExternalPrinter, Helper};
use tokio::io::AsyncBufReadExt;

use crate::clock::OffsetClock;
use crate::commands::{self, Visibility, catalog};
use crate::domain::Role;
use crate::domain::parse_timezone;
use crate::outbox::{Delivered, Dispatcher, OutboundPost, Platform, Recipient, SendError, Sender};
use crate::render::{Message, plain};
use crate::schedule::Scheduler;
use crate::services::{Caller, Invocation, Outcome, ServiceError, Services};

mod text {
    //! What the shell itself says.
    pub const BANNER: &str = "cohortbot shell. Type /help for commands, /as NAME [--role ROLE] to switch member, /quit to leave.";
    pub fn now_acting_as(name: &str, community: &str) -> String {
        format!("You are now @{name} in {community}.")
    }
    pub fn role_given(role: &str) -> String {
        format!("(shell) gave you the {role} role.")
    }
    pub fn as_usage() -> &'static str {
        "Usage: /as NAME [--role ROLE], e.g. /as bob --role mentor"
    }
    pub fn clock_usage() -> String {
        "Usage: /clock, /clock advance 7d, /clock set 2027-03-01T09:00 [Europe/Berlin]".to_owned()
    }
    /// The time in the member's zone first: that is when their prompts arrive.
    pub fn clock_now(now: chrono::DateTime<chrono::Utc>, zone: Option<chrono_tz::Tz>) -> String {
        match zone.filter(|z| *z != chrono_tz::UTC) {
            Some(zone) => format!(
                "(shell) the clock reads {} {} ({} UTC)",
                now.with_timezone(&zone).format("%a %Y-%m-%d %H:%M"),
                zone.name(),
                now.format("%H:%M")
            ),
            None => format!(
                "(shell) the clock reads {}",
                now.format("%a %Y-%m-%d %H:%M UTC")
            ),
        }
    }
    pub fn skipped(count: u32) -> String {
        format!(
            "(shell) skipped {count} scheduled {} passed too long ago to be useful (prompts, nudges, digests); the log names each.",
            if count == 1 { "run that" } else { "runs that" }
        )
    }
    /// Appended to `/help`: what only the shell understands.
    pub const SHELL_HELP: &str = "Shell only:\n  /as NAME [--role ROLE]: act as another member (created if new), e.g. /as bob --role mentor\n  /clock [advance 7d | set 2027-03-01T09:00 [Europe/Berlin]]: show or move the bot's clock; scheduled posts due meanwhile appear\n  /quit: leave (your data stays)";
    pub fn unknown_role(role: &str) -> String {
        format!(
            "`{role}` is not a role; roles are steward, sponsor, lead_mentor, community_mentor (mentor), learner, alumni"
        )
    }
}

/// The shell's state: which member you are acting as.
pub struct Shell {
    services: Services,
    community: String,
    caller: Caller,
    pump: Arc<Pump>,
    clock: OffsetClock,
}

/// The scheduler and the outbox, run after each line and by the idle timer.
struct Pump {
    scheduler: Scheduler,
    dispatcher: Dispatcher<ShellSender>,
}

impl Pump {
    async fn catch_up(&self) -> Vec<String> {
        let skipped = match self.scheduler.tick().await {
            Ok(report) => report.skipped,
            Err(err) => {
                tracing::error!(error = %format!("{err:#}"), "shell scheduler pass failed");
                0
            }
        };
        if let Err(err) = self.dispatcher.run_once().await {
            tracing::error!(error = %format!("{err:#}"), "shell delivery failed");
        }
        let mut out = self.dispatcher.sender().take();
        // A jump of the clock passes many ticks; none is dropped without a word.
        if skipped > 0 {
            out.push(text::skipped(skipped));
        }
        out
    }
}

/// How often an idle interactive shell runs the scheduler and the outbox.
const IDLE_PUMP: std::time::Duration = std::time::Duration::from_secs(20);

/// What a typed line asks the shell to do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
}

impl Shell {
    /// `clock` is the clock the services run on, which `/clock` moves.
    pub async fn new(
        services: Services,
        clock: OffsetClock,
        community: &str,
        member: &str,
    ) -> Result<Self> {
        let caller = services
            .shell_caller(community, member)
            .await
            .map_err(into_anyhow)?;
        let pump = Arc::new(Pump {
            dispatcher: Dispatcher::new(
                services.pool.clone(),
                services.clock.clone(),
                ShellSender::default(),
            )
            // Posts for Discord or Slack members and communities wait for their platform.
            .only_platform(Platform::Shell),
            scheduler: Scheduler::new(services.pool.clone(), services.clock.clone()),
        });
        Ok(Self {
            services,
            community: community.to_owned(),
            caller,
            pump,
            clock,
        })
    }

    /// This community's cohorts, tracks and members, for Tab completion.
    pub async fn completion_values(&self) -> Values {
        let pool = &self.services.pool;
        let community = self.caller.community_id;
        match crate::store::suggest::completion_values(pool, community).await {
            Ok((cohorts, tracks, members)) => Values {
                cohorts,
                tracks,
                members,
            },
            Err(err) => {
                tracing::warn!(error = %err, "reading values for Tab completion");
                Values::default()
            }
        }
    }

    pub fn prompt(&self) -> String {
        format!(
            "{}@{}> ",
            self.caller.member.platform_user_id, self.community
        )
    }

    /// Runs one typed line and returns what to print, including any posts the scheduler
    /// and the outbox produced meanwhile.
    pub async fn execute(&mut self, line: &str) -> (Vec<String>, Next) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return (Vec::new(), Next::Continue);
        }
        // A bare yes or no answers the open question, as `/yes` and `/no` do.
        let line = match line.to_lowercase().as_str() {
            "yes" | "y" => "/yes",
            "no" | "n" => "/no",
            _ => line,
        };
        let word = line.split_whitespace().next().unwrap_or_default();
        let mut out = match word {
            "/quit" | "/exit" => return (Vec::new(), Next::Quit),
            "/as" => self.switch_member(line).await,
            "/clock" => self.move_clock(line),
            "/help" if is_shell_word(line) => vec![text::SHELL_HELP.to_owned()],
            _ => match commands::parse(line) {
                Err(err) => vec![label("only you", &err.0)],
                Ok(parsed) => {
                    let help = parsed.spec.id == catalog::CommandId::Help
                        && parsed.args.get("command").is_none();
                    let mut out = self
                        .invoke(Invocation::new(
                            self.caller.clone(),
                            parsed.spec,
                            parsed.args,
                        ))
                        .await;
                    if help {
                        out.push(text::SHELL_HELP.to_owned());
                    }
                    out
                }
            },
        };
        out.extend(self.catch_up().await);
        (out, Next::Continue)
    }

    async fn invoke(&mut self, invocation: Invocation) -> Vec<String> {
        let outcome = self.services.handle(invocation).await;
        self.refresh_caller().await;
        vec![render_reply(&outcome)]
    }

    /// Runs the scheduler up to now and delivers the outbox.
    pub async fn catch_up(&self) -> Vec<String> {
        self.pump.catch_up().await
    }

    /// `/clock`, `/clock advance 7d`, `/clock set 2027-03-01T09:00 [Europe/Berlin]`.
    fn move_clock(&self, line: &str) -> Vec<String> {
        let words: Vec<&str> = line.split_whitespace().skip(1).collect();
        let result = match words.as_slice() {
            [] => Ok(()),
            ["advance", amount] => humantime::parse_duration(amount)
                .map_err(|_| text::clock_usage())
                .and_then(|d| chrono::Duration::from_std(d).map_err(|_| text::clock_usage()))
                .map(|d| self.clock.advance(d)),
            ["set", when, zone @ ..] => {
                parse_moment(when, zone.first().copied()).map(|at| self.clock.set(at))
            }
            _ => Err(text::clock_usage()),
        };
        let zone = self
            .caller
            .member
            .timezone
            .as_deref()
            .and_then(|z| parse_timezone(z).ok());
        match result {
            Ok(()) => vec![text::clock_now(self.services.clock.now(), zone)],
            Err(message) => vec![message],
        }
    }

    /// `/as NAME [--role ROLE]`: become (and if needed create) another member.
    async fn switch_member(&mut self, line: &str) -> Vec<String> {
        let words: Vec<&str> = line.split_whitespace().skip(1).collect();
        let (name, role) = match words.as_slice() {
            [name] => (*name, None),
            [name, "--role", role] => (*name, Some(*role)),
            _ => return vec![text::as_usage().to_owned()],
        };
        let role = match role.map(str::parse::<Role>) {
            Some(Err(())) => return vec![text::unknown_role(role.unwrap_or_default())],
            Some(Ok(role)) => Some(role),
            None => None,
        };
        let caller = match self.services.shell_caller(&self.community, name).await {
            Ok(caller) => caller,
            Err(err) => return vec![service_error_text(err)],
        };
        let mut out = vec![text::now_acting_as(
            &caller.member.platform_user_id,
            &self.community,
        )];
        if let Some(role) = role {
            match self.services.shell_grant(&caller, role).await {
                Ok(true) => out.push(text::role_given(role.label())),
                Ok(false) => {}
                Err(err) => out.push(service_error_text(err)),
            }
        }
        self.caller = caller;
        out
    }

    /// Picks up profile changes (time zone, code of conduct) made by the last command.
    async fn refresh_caller(&mut self) {
        let user = self.caller.member.platform_user_id.clone();
        match self.services.shell_caller(&self.community, &user).await {
            Ok(caller) => self.caller = caller,
            Err(err) => tracing::warn!(error = %err, "refreshing the shell member failed"),
        }
    }
}

/// `/help as`, `/help /clock`: the shell's own commands.
fn is_shell_word(line: &str) -> bool {
    let topic = line.split_whitespace().nth(1).unwrap_or_default();
    matches!(topic.trim_start_matches('/'), "as" | "clock" | "quit")
}

fn into_anyhow(err: ServiceError) -> anyhow::Error {
    match err {
        ServiceError::Internal(err) => err,
        user @ ServiceError::User(_) => anyhow::anyhow!("{user}"),
    }
}

fn service_error_text(err: ServiceError) -> String {
    plain::render(&err.into_message("shell command"))
}

/// `[where] text`, with continuation lines indented under the label.
fn label(place: &str, message: &Message) -> String {
    let text = plain::render(message);
    let prefix = format!("[{place}] ");
    let indent = " ".repeat(prefix.chars().count());
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(if line.is_empty() { "" } else { &indent });
        } else {
            out.push_str(&prefix);
        }
        out.push_str(line);
    }
    out
}

fn render_reply(outcome: &Outcome) -> String {
    let place = match outcome.visibility {
        Visibility::Ephemeral => "only you",
        Visibility::Public => "public reply",
    };
    label(place, &outcome.reply)
}

/// The shell's platform: a delivered post is a labelled line on the terminal.
#[derive(Default, Clone)]
pub struct ShellSender {
    printed: Arc<Mutex<Vec<String>>>,
}

impl ShellSender {
    /// Lines delivered since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.printed.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Sender for ShellSender {
    fn platform(&self) -> &'static str {
        "shell"
    }

    async fn send(&self, post: &OutboundPost) -> Result<Delivered, SendError> {
        // The shell has no roles, and a printed line cannot be replaced.
        if post.action.is_some() {
            return Ok(Delivered::nothing_to_do());
        }
        let place = match &post.to {
            Recipient::Channel(channel) => format!("#{channel}"),
            Recipient::Direct { display_name, .. } => format!("DM → {display_name}"),
        };
        self.printed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(label(&place, &post.message));
        Ok(Delivered {
            platform_message_id: format!("shell-{}", post.id),
        })
    }
}

/// Runs the shell until `/quit` or end of input.
pub async fn run(
    services: Services,
    clock: OffsetClock,
    community: &str,
    member: &str,
    history: PathBuf,
) -> Result<()> {
    let mut shell = Shell::new(services, clock, community, member).await?;
    // Deliver what was due while the bot was down.
    for text in shell.catch_up().await {
        if !show(&text) {
            return Ok(());
        }
    }
    if std::io::stdin().is_terminal() {
        interactive(&mut shell, history).await
    } else {
        piped(&mut shell).await
    }
}

async fn piped(shell: &mut Shell) -> Result<()> {
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await.context("reading stdin")? {
        let (output, next) = shell.execute(&line).await;
        if !output.iter().all(|text| show(text)) || next == Next::Quit {
            break;
        }
    }
    Ok(())
}

/// Writes a reply; false once stdout is closed (`cohortbot | head`), so the shell ends
/// quietly where `println!` would panic.
fn show(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").and_then(|()| out.flush()).is_ok()
}

async fn interactive(shell: &mut Shell, history: PathBuf) -> Result<()> {
    let mut editor: Editor<CatalogCompleter, FileHistory> =
        // Tab lists the candidates (and completes what they share), as a shell does.
        Editor::with_config(
            rustyline::Config::builder()
                .completion_type(rustyline::CompletionType::List)
                .build(),
        )
        .context("starting line editor")?;
    editor.set_helper(Some(CatalogCompleter {
        values: shell.completion_values().await,
    }));
    if let Some(dir) = history.parent() {
        std::fs::create_dir_all(dir).ok();
    }
    // A missing history file is normal on the first run.
    let _ = editor.load_history(&history);
    show(text::BANNER);
    // Start-up is over: give back the pages only it used (with the embedded database, the
    // mapped compiled PostgreSQL too). Typing and the idle pump map back what they run.
    tokio::task::spawn_blocking(crate::memory::release_startup_pages)
        .await
        .context("giving back start-up memory")?;
    // Scheduled posts appear above the prompt while the user is idle.
    let idle_pump = match editor.create_external_printer() {
        Ok(mut printer) => {
            let pump = shell.pump.clone();
            Some(tokio::spawn(async move {
                loop {
                    tokio::time::sleep(IDLE_PUMP).await;
                    for text in pump.catch_up().await {
                        let _ = printer.print(format!("{text}\n"));
                    }
                }
            }))
        }
        Err(err) => {
            tracing::warn!(error = %err, "no external printer; scheduled posts appear after the next command");
            None
        }
    };
    loop {
        let prompt = shell.prompt();
        // Cohorts and members made by the last line complete on this one.
        editor.set_helper(Some(CatalogCompleter {
            values: shell.completion_values().await,
        }));
        let (returned, read) = tokio::task::spawn_blocking(move || {
            let read = editor.readline(&prompt);
            (editor, read)
        })
        .await
        .context("line editor task")?;
        editor = returned;
        match read {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let (output, next) = shell.execute(&line).await;
                if !output.iter().all(|text| show(text)) || next == Next::Quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(err) => return Err(err).context("reading a line"),
        }
    }
    if let Some(task) = idle_pump {
        task.abort();
    }
    if let Err(err) = editor.save_history(&history) {
        tracing::warn!(error = %err, file = %history.display(), "could not save shell history");
    }
    Ok(())
}

/// Tab completion of command words, option names and their values.
pub struct CatalogCompleter {
    values: Values,
}

/// What option values complete to: this community's cohorts, tracks and members, read
/// before each prompt (the completer itself cannot wait on the database).
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub cohorts: Vec<String>,
    pub tracks: Vec<String>,
    pub members: Vec<String>,
}

/// Candidates for the word being typed at the end of `line`, and where that word starts.
pub fn complete(line: &str, values: &Values) -> (usize, Vec<String>) {
    let start = line.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let typed = &line[start..];
    let before: Vec<&str> = line[..start].split_whitespace().collect();
    let mut candidates: Vec<String> = match before.as_slice() {
        [] => {
            let mut words: Vec<String> = catalog::top_level_words()
                .iter()
                .map(|w| format!("/{w}"))
                .collect();
            words.extend(["/as".to_owned(), "/quit".to_owned()]);
            words
        }
        [first, rest @ ..] => {
            let group = first.trim_start_matches('/');
            let (path, args) = match rest.first() {
                Some(sub) if catalog::find(&format!("{group} {sub}")).is_some() => {
                    (format!("{group} {sub}"), &rest[1..])
                }
                _ => (group.to_owned(), rest),
            };
            let mut words: Vec<String> = Vec::new();
            if rest.is_empty() {
                words.extend(catalog::subcommands(group).iter().map(|s| s.to_string()));
            }
            if let Some(spec) = catalog::find(&path) {
                words.extend(option_candidates(spec, args, typed, values));
            }
            words
        }
    };
    candidates.retain(|c| c.to_lowercase().starts_with(&typed.to_lowercase()));
    (start, candidates)
}

/// Option names, and the values of the option the typed word fills: `name:` gives that
/// option, otherwise the next positional one.
fn option_candidates(
    spec: &catalog::CommandSpec,
    args: &[&str],
    typed: &str,
    values: &Values,
) -> Vec<String> {
    let named = |word: &str| {
        word.split_once(':')
            .and_then(|(name, _)| spec.options.iter().find(|o| o.name == name))
    };
    if let Some(option) = named(typed) {
        return option_values(option, values)
            .into_iter()
            .map(|v| format!("{}:{v}", option.name))
            .collect();
    }
    let mut words: Vec<String> = spec
        .options
        .iter()
        .map(|o| format!("{}:", o.name))
        .collect();
    let filled = args.iter().filter(|w| named(w).is_none()).count();
    if let Some(option) = spec.options.iter().filter(|o| !o.named_only).nth(filled) {
        words.extend(option_values(option, values));
    }
    words
}

fn option_values(option: &catalog::OptionSpec, values: &Values) -> Vec<String> {
    use catalog::OptionKind;
    match option.kind {
        OptionKind::Cohort => values.cohorts.clone(),
        OptionKind::User => values.members.iter().map(|m| format!("@{m}")).collect(),
        OptionKind::TimeZone => chrono_tz::TZ_VARIANTS
            .iter()
            .map(|tz| tz.name().to_owned())
            .collect(),
        OptionKind::Role => crate::domain::Role::ALL
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        OptionKind::Choice(choices) => choices.iter().map(|c| (*c).to_owned()).collect(),
        OptionKind::Bool => vec!["yes".to_owned(), "no".to_owned()],
        OptionKind::Text { .. } if option.name == "track" => values.tracks.clone(),
        _ => Vec::new(),
    }
}

impl Completer for CatalogCompleter {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, words) = complete(&line[..pos], &self.values);
        // A finished word gets its trailing space; `name:` waits for its value.
        let pairs = words
            .into_iter()
            .map(|w| {
                let replacement = if w.ends_with(':') {
                    w.clone()
                } else {
                    format!("{w} ")
                };
                Pair {
                    display: w,
                    replacement,
                }
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for CatalogCompleter {
    type Hint = String;
}

impl Highlighter for CatalogCompleter {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for CatalogCompleter {}

impl Helper for CatalogCompleter {}

/// A local date-time in a zone (UTC when none is given); in a DST overlap, the earlier one.
fn parse_moment(when: &str, zone: Option<&str>) -> Result<chrono::DateTime<chrono::Utc>, String> {
    use chrono::TimeZone;
    let naive = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
    ]
    .iter()
    .find_map(|f| {
        chrono::NaiveDateTime::parse_from_str(when, f)
            .ok()
            .or_else(|| {
                chrono::NaiveDate::parse_from_str(when, f)
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
            })
    })
    .ok_or_else(text::clock_usage)?;
    let tz = match zone {
        Some(z) => parse_timezone(z).map_err(|e| e.to_string())?,
        None => chrono_tz::Tz::UTC,
    };
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| format!("{when} does not exist in {} (a DST gap)", tz.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_commands_subcommands_and_options() {
        let none = Values::default();
        assert_eq!(complete("/coh", &none), (0, vec!["/cohort".to_owned()]));
        let (start, words) = complete("/cohort j", &none);
        assert_eq!((start, words), (8, vec!["join".to_owned()]));
        let (_, words) = complete("/cohort join spring tr", &none);
        assert_eq!(words, ["track:"]);
    }

    #[test]
    fn completes_values_of_the_option_being_typed() {
        let values = Values {
            cohorts: vec!["spring-makers-2027".into(), "evening-builders-2027".into()],
            tracks: vec!["projects".into(), "short-modules".into()],
            members: vec!["grace".into(), "ken".into()],
        };
        let (start, words) = complete("/cohort join sp", &values);
        assert_eq!((start, words), (13, vec!["spring-makers-2027".to_owned()]));
        // The second positional option of `/cohort join` is the track.
        let (_, words) = complete("/cohort join spring-makers-2027 p", &values);
        assert_eq!(words, ["projects"]);
        let (_, words) = complete("/cohort join spring-makers-2027 track:s", &values);
        assert_eq!(words, ["track:short-modules"]);
        let (_, words) = complete("/me timezone Europe/Be", &values);
        assert_eq!(
            words,
            ["Europe/Belfast", "Europe/Belgrade", "Europe/Berlin"]
        );
        let (_, words) = complete("/role grant @g", &values);
        assert_eq!(words, ["@grace"]);
        let (_, words) = complete("/role grant @grace lead", &values);
        assert_eq!(words, ["lead_mentor"]);
        let (_, words) = complete("/schedule set spring-makers-2027 d", &values);
        assert_eq!(words, ["digest"]);
    }

    #[test]
    fn labels_indent_continuation_lines() {
        let msg = Message::from("one\ntwo");
        assert_eq!(label("#x", &msg), "[#x] one\n     two");
    }

    #[test]
    fn clock_moments_are_local_and_dst_aware() {
        let at = parse_moment("2027-03-01T09:00", Some("Europe/Berlin")).unwrap();
        assert_eq!(at.to_rfc3339(), "2027-03-01T08:00:00+00:00");
        assert!(
            parse_moment("2027-03-28T02:30", Some("Europe/Berlin"))
                .unwrap_err()
                .contains("DST gap")
        );
        assert!(parse_moment("soon", None).is_err());
    }
}
