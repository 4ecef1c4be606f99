//! Typed runtime settings: `config/cohortbot.toml`, overridden by `COHORTBOT__SECTION__KEY`.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

/// The defaults shipped in the repository, used when no config file exists (e.g. in an image).
const DEFAULT_FILE: &str = include_str!("../config/cohortbot.toml");
const ENV_PREFIX: &str = "COHORTBOT__";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub database: DatabaseSettings,
    #[serde(default)]
    pub program: ProgramSettings,
    #[serde(default)]
    pub shell: ShellSettings,
    #[serde(default)]
    pub log: LogSettings,
    #[serde(default)]
    pub http: HttpSettings,
    #[serde(default)]
    pub discord: DiscordSettings,
    #[serde(default)]
    pub slack: SlackSettings,
    #[serde(default)]
    pub cluster: ClusterSettings,
    #[serde(default)]
    pub clock: ClockSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
    #[serde(default)]
    pub privacy: PrivacySettings,
}

/// What happens to a community's data when the bot is removed from it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySettings {
    /// Days after the bot is removed from a Discord server or Slack workspace before the
    /// community's data is deleted for good; adding the bot back before then keeps it.
    #[serde(deserialize_with = "lenient")]
    pub purge_after_days: u32,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self {
            purge_after_days: 30,
        }
    }
}

/// A test clock for server mode, so a test can run a Monday morning across time zones in
/// seconds: the bot's time is `start` at the real moment `at` (by default, when the process
/// starts), and runs `rate` times as fast. Processes given the same three share one
/// timeline. Only debug builds (the tests') accept it; a release build refuses to start.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ClockSettings {
    /// RFC 3339 times, read by [`ClockSettings::test_clock`] so a mistake names the form.
    pub start: Option<String>,
    pub at: Option<String>,
    #[serde(deserialize_with = "lenient_option")]
    pub rate: Option<f64>,
}

/// `clock.{name}`'s time, or why it is not one.
fn rfc3339(name: &str, text: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| {
            anyhow::anyhow!(
                "clock.{name} must be a time like 2027-03-08T09:00:00Z (RFC 3339), not `{text}`: {e}"
            )
        })
}

/// The fastest test clock: a day in under nine seconds.
const CLOCK_RATE_MAX: f64 = 10_000.0;

impl ClockSettings {
    /// The test clock these settings ask for, if any. `allowed` is whether this build takes
    /// one (`cfg!(debug_assertions)`); otherwise any of them is refused.
    pub fn test_clock(&self, allowed: bool) -> Result<Option<crate::clock::ScaledClock>> {
        if self.start.is_none() && self.at.is_none() && self.rate.is_none() {
            return Ok(None);
        }
        if !allowed {
            bail!(
                "[clock] (COHORTBOT__CLOCK__*) is a test setting, and this release build runs on the real clock only: remove it from the settings"
            );
        }
        let Some(start) = self.start.as_deref() else {
            bail!(
                "clock.at and clock.rate need clock.start: the time the bot's clock reads at the moment `at`"
            );
        };
        let start = rfc3339("start", start)?;
        let rate = self.rate.unwrap_or(1.0);
        if !(rate.is_finite() && rate > 0.0 && rate <= CLOCK_RATE_MAX) {
            bail!("clock.rate must be above 0 and at most {CLOCK_RATE_MAX}, not {rate}");
        }
        let at = match self.at.as_deref() {
            Some(at) => rfc3339("at", at)?,
            None => chrono::Utc::now(),
        };
        Ok(Some(crate::clock::ScaledClock::new(start, at, rate)))
    }
}

/// Several processes on one PostgreSQL (`src/cluster`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterSettings {
    /// How long the leader lease lasts unrenewed, in seconds; renewed at half of it. A
    /// killed leader is replaced within this plus half of it.
    #[serde(deserialize_with = "lenient")]
    pub lease_ttl_secs: u64,
    /// How often a process records that it is alive, in seconds; three missed beats and
    /// the others take it for dead.
    #[serde(deserialize_with = "lenient")]
    pub heartbeat_secs: u64,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            lease_ttl_secs: 30,
            heartbeat_secs: 10,
        }
    }
}

impl ClusterSettings {
    pub fn lease_ttl(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.lease_ttl_secs.max(2))
    }

    pub fn heartbeat(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.heartbeat_secs.max(1))
    }
}

/// Prometheus metrics of the process's health (`/metrics`, OpenMetrics text): off unless
/// one of these is set.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    /// A listener of its own for `/metrics`, e.g. `127.0.0.1:9464`. It asks for no token,
    /// so keep it on a private address.
    #[serde(deserialize_with = "lenient_option")]
    pub listen: Option<std::net::SocketAddr>,
    /// Serves `/metrics` on `http.listen` as well, to requests that carry
    /// `Authorization: Bearer <token>`.
    pub token: Option<SecretString>,
}

/// The small HTTP side: Slack and Discord endpoints, health, iCal feeds, badges.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Address to listen on, e.g. `0.0.0.0:8080`. Unset: no HTTP server.
    #[serde(deserialize_with = "lenient_option")]
    pub listen: Option<std::net::SocketAddr>,
    /// How the outside world reaches this server (behind a reverse proxy), for links the bot
    /// posts, e.g. `https://cohortbot.example.org`.
    pub public_url: Option<String>,
}

/// Discord: gateway mode when `token` is set, HTTP interactions when `public_key` is set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiscordSettings {
    pub token: Option<SecretString>,
    pub application_id: Option<String>,
    /// Hex Ed25519 public key from the developer portal, for HTTP interactions.
    pub public_key: Option<String>,
    /// Register commands in these guilds (instant) instead of globally (comma-separated in env).
    #[serde(deserialize_with = "comma_list")]
    pub guild_ids: Vec<String>,
    /// `auto`, or a shard count.
    pub shards: String,
    /// Where REST calls go; tests point it at a local mock.
    pub api_base: Option<String>,
    /// Program role → Discord role id, e.g. `lead_mentor = "1234"`.
    pub roles: std::collections::BTreeMap<String, String>,
    /// Cohort channel name (the program file's `channel`) → Discord channel id. A `channel`
    /// that is already a numeric id needs no entry.
    pub channels: std::collections::BTreeMap<String, String>,
    /// Also ask for the privileged GUILD_MEMBERS intent (enable it in the developer portal):
    /// member joins and role changes then sync into the program.
    #[serde(deserialize_with = "lenient")]
    pub member_events: bool,
}

impl Default for DiscordSettings {
    fn default() -> Self {
        Self {
            token: None,
            application_id: None,
            public_key: None,
            guild_ids: Vec::new(),
            shards: "auto".into(),
            api_base: None,
            roles: Default::default(),
            channels: Default::default(),
            member_events: false,
        }
    }
}

/// Slack: HTTP mode when `signing_secret` is set, Socket Mode when `app_token` is set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlackSettings {
    /// Bot token, `xoxb-…`.
    pub bot_token: Option<SecretString>,
    pub signing_secret: Option<SecretString>,
    /// App-level token for Socket Mode, `xapp-…`.
    pub app_token: Option<SecretString>,
    /// Web API base; tests point it at a local mock.
    pub api_base: String,
    /// Cohort channel name → Slack channel id, e.g. `spring-makers = "C0123ABC"`. A cohort
    /// whose `channel` is already an id needs no entry.
    pub channels: std::collections::BTreeMap<String, String>,
}

impl Default for SlackSettings {
    fn default() -> Self {
        Self {
            bot_token: None,
            signing_secret: None,
            app_token: None,
            api_base: "https://slack.com/api".into(),
            channels: Default::default(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// A PostgreSQL 15+ server. Without it the embedded database is used.
    pub url: Option<SecretString>,
    #[serde(deserialize_with = "lenient")]
    pub max_connections: u32,
    /// Data directory of the embedded database.
    pub embedded_dir: PathBuf,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 10,
            embedded_dir: PathBuf::from(".cohortbot/pg"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProgramSettings {
    /// Imported on first start, when the database holds no community yet.
    pub file: PathBuf,
}

impl Default for ProgramSettings {
    fn default() -> Self {
        Self {
            file: PathBuf::from("config/program.example.toml"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShellSettings {
    /// Community slug the shell acts in.
    pub community: String,
    /// Who you are when the shell starts (a shell user id).
    pub member: String,
    pub history_file: PathBuf,
}

impl Default for ShellSettings {
    fn default() -> Self {
        Self {
            community: "acme-makers".into(),
            member: "sam".into(),
            history_file: PathBuf::from(".cohortbot/shell-history"),
        }
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pretty" => Ok(Self::Pretty),
            "json" => Ok(Self::Json),
            other => Err(format!("unknown log format `{other}` (use pretty or json)")),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// An `EnvFilter` directive; `RUST_LOG` wins when set.
    pub filter: String,
    #[serde(deserialize_with = "lenient")]
    pub format: LogFormat,
    /// Where the shell writes logs, so they do not interleave with the conversation.
    pub shell_file: PathBuf,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            filter: "info".into(),
            format: LogFormat::Pretty,
            shell_file: PathBuf::from(".cohortbot/cohortbot.log"),
        }
    }
}

impl Settings {
    /// Reads `path` (or the shipped defaults when it does not exist) and applies env overrides.
    pub fn load(path: &Path) -> Result<Self> {
        let (text, origin) = match std::fs::read_to_string(path) {
            Ok(text) => (text, path.display().to_string()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                (DEFAULT_FILE.to_owned(), "built-in defaults".to_owned())
            }
            Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
        };
        Self::from_sources(&text, &origin, std::env::vars())
    }

    /// Parses config text, then applies `COHORTBOT__SECTION__KEY` overrides from `env`.
    pub fn from_sources(
        text: &str,
        origin: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self> {
        // Typed parse of the file alone first, so errors name the file's key and line.
        toml::from_str::<Settings>(text)
            .map_err(|e| anyhow::anyhow!("invalid config in {origin}: {e}"))?;
        let mut table: toml::Table = toml::from_str(text)?;
        let mut overridden = Vec::new();
        for (name, value) in env {
            let Some(path) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            // Any depth: `SLACK__CHANNELS__MENTORS` is `slack.channels.mentors`.
            let parts: Vec<String> = path.split("__").map(str::to_lowercase).collect();
            let (Some(key), [_, ..]) = (parts.last(), &parts[..parts.len() - 1]) else {
                bail!("environment variable {name} must look like {ENV_PREFIX}SECTION__KEY");
            };
            if parts.iter().any(String::is_empty) {
                bail!("environment variable {name} must look like {ENV_PREFIX}SECTION__KEY");
            }
            let mut section = &mut table;
            for part in &parts[..parts.len() - 1] {
                let entry = section
                    .entry(part.clone())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                let Some(inner) = entry.as_table_mut() else {
                    bail!("environment variable {name}: `{part}` is not a section");
                };
                section = inner;
            }
            section.insert(key.clone(), toml::Value::String(value));
            overridden.push(name);
        }
        Settings::deserialize(table).map_err(|e| {
            anyhow::anyhow!(
                "invalid config from environment ({}): {e}",
                overridden.join(", ")
            )
        })
    }
}

/// Accepts a value in its TOML type or as a string (environment variables are strings).
fn lenient<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + FromStr,
    T::Err: std::fmt::Display,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        Text(String),
        Native(T),
    }
    match Either::<T>::deserialize(deserializer)? {
        Either::Native(value) => Ok(value),
        Either::Text(text) => text.parse().map_err(serde::de::Error::custom),
    }
}

/// `lenient` for optional values.
fn lenient_option<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + FromStr,
    T::Err: std::fmt::Display,
{
    lenient(deserializer).map(Some)
}

/// A TOML array of strings, or one comma-separated string (from the environment).
fn comma_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        List(Vec<String>),
    }
    Ok(match Either::deserialize(deserializer)? {
        Either::List(list) => list,
        Either::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_test_clock_is_taken_only_by_a_debug_build_and_only_whole() {
        let clock = |pairs: &[(&str, &str)]| {
            Settings::from_sources(DEFAULT_FILE, "test", env(pairs))
                .unwrap()
                .clock
        };
        assert!(clock(&[]).test_clock(false).unwrap().is_none());
        let monday = clock(&[
            ("COHORTBOT__CLOCK__START", "2027-03-08T03:59:30Z"),
            ("COHORTBOT__CLOCK__AT", "2026-12-04T12:00:00Z"),
            ("COHORTBOT__CLOCK__RATE", "720"),
        ]);
        let refused = monday.test_clock(false).unwrap_err().to_string();
        assert!(
            refused
                .contains("is a test setting, and this release build runs on the real clock only"),
            "{refused}"
        );
        let taken = monday.test_clock(true).unwrap().unwrap();
        assert_eq!(taken.rate(), 720.0);
        let no_start = clock(&[("COHORTBOT__CLOCK__RATE", "60")]).test_clock(true);
        assert!(
            no_start
                .unwrap_err()
                .to_string()
                .contains("need clock.start")
        );
        for rate in ["0", "-1", "NaN", "100000"] {
            let err = clock(&[
                ("COHORTBOT__CLOCK__START", "2027-03-08T03:59:30Z"),
                ("COHORTBOT__CLOCK__RATE", rate),
            ])
            .test_clock(true)
            .unwrap_err()
            .to_string();
            assert!(err.contains("clock.rate must be above 0"), "{rate}: {err}");
        }
        let bad_date = clock(&[("COHORTBOT__CLOCK__START", "next monday")])
            .test_clock(true)
            .unwrap_err()
            .to_string();
        assert!(
            bad_date.starts_with(
                "clock.start must be a time like 2027-03-08T09:00:00Z (RFC 3339), not `next monday`"
            ),
            "{bad_date}"
        );
    }

    #[test]
    fn shipped_defaults_parse() {
        let settings = Settings::from_sources(DEFAULT_FILE, "defaults", env(&[])).unwrap();
        assert!(settings.database.url.is_none());
        assert_eq!(
            settings.database.embedded_dir,
            PathBuf::from(".cohortbot/pg")
        );
    }

    #[test]
    fn environment_overrides_file_and_secrets_are_redacted() {
        let settings = Settings::from_sources(
            "[database]\nmax_connections = 3\n",
            "test",
            env(&[
                ("COHORTBOT__DATABASE__URL", "postgres://u:hunter2@db/x"),
                ("COHORTBOT__DATABASE__MAX_CONNECTIONS", "7"),
                ("COHORTBOT__LOG__FORMAT", "json"),
                ("UNRELATED", "1"),
            ]),
        )
        .unwrap();
        assert_eq!(settings.database.max_connections, 7);
        assert_eq!(settings.log.format, LogFormat::Json);
        let url = settings.database.url.as_ref().unwrap();
        assert_eq!(url.expose_secret(), "postgres://u:hunter2@db/x");
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[test]
    fn invalid_file_names_the_key_and_line() {
        let err = Settings::from_sources(
            "[database]\nembedded_dir = \"x\"\nmax_connections = \"ten\"\n",
            "cohortbot.toml",
            env(&[]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("max_connections"), "{err}");
    }

    #[test]
    fn platform_sections_come_from_the_environment() {
        let settings = Settings::from_sources(
            "",
            "test",
            env(&[
                ("COHORTBOT__HTTP__LISTEN", "127.0.0.1:8080"),
                ("COHORTBOT__DISCORD__GUILD_IDS", "1, 2"),
                ("COHORTBOT__DISCORD__TOKEN", "sekrit-token"),
                ("COHORTBOT__SLACK__SIGNING_SECRET", "sekrit-signing"),
            ]),
        )
        .unwrap();
        assert_eq!(
            settings.http.listen,
            Some("127.0.0.1:8080".parse().unwrap())
        );
        assert_eq!(settings.discord.guild_ids, ["1", "2"]);
        let debug = format!("{settings:?}");
        assert!(!debug.contains("sekrit"), "{debug}");
    }

    #[test]
    fn unknown_key_is_rejected() {
        let err = Settings::from_sources("[database]\nurll = \"x\"\n", "f", env(&[]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("urll") && err.contains("line 2"), "{err}");
    }

    #[test]
    fn nested_keys_come_from_the_environment() {
        let settings = Settings::from_sources(
            "",
            "f",
            env(&[
                ("COHORTBOT__SLACK__CHANNELS__MENTORS", "C0MENTORS"),
                ("COHORTBOT__DISCORD__CHANNELS__SPRING-MAKERS", "1500"),
            ]),
        )
        .unwrap();
        assert_eq!(settings.slack.channels["mentors"], "C0MENTORS");
        assert_eq!(settings.discord.channels["spring-makers"], "1500");
        assert!(Settings::from_sources("", "f", env(&[("COHORTBOT__SLACK", "x")])).is_err());
        assert!(Settings::from_sources("", "f", env(&[("COHORTBOT__SLACK____X", "x")])).is_err());
    }

    #[test]
    fn bad_environment_override_names_the_variable() {
        let err = Settings::from_sources(
            "",
            "f",
            env(&[("COHORTBOT__DATABASE__MAX_CONNECTIONS", "lots")]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("COHORTBOT__DATABASE__MAX_CONNECTIONS"),
            "{err}"
        );
    }
}
