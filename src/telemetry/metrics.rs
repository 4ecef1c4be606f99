//! Process health as Prometheus metrics, served as OpenMetrics text on `/metrics`:
//! commands, the outbox, platform requests, the scheduler, Discord's shards, the database
//! pool and the build. Program numbers (check-in rates, the funnel) are not here: they are
//! `/stats` and the dashboard, read from the database.
//!
//! No label takes a value from user input, a community or a member: every label value is
//! a `&'static str` written in the code (a command's catalog path, a platform's name, a
//! status class), or a shard number. The registry is process-wide, like the log: each
//! place that counts something reaches it without being handed it.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

/// Labels whose values the code writes.
type Fixed<const N: usize> = [(&'static str, &'static str); N];
type ShardLabel = [(&'static str, String); 1];

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandOutcome {
    Handled,
    /// The user was told no (a permission, bad input): nothing changed.
    Refused,
    /// Something broke; the user got an apology.
    Failed,
}

impl CommandOutcome {
    fn as_str(self) -> &'static str {
        match self {
            CommandOutcome::Handled => "handled",
            CommandOutcome::Refused => "refused",
            CommandOutcome::Failed => "failed",
        }
    }
}

/// What became of one outbox row's send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostFate {
    Sent,
    Retried,
    RateLimited,
    Dead,
}

impl PostFate {
    fn as_str(self) -> &'static str {
        match self {
            PostFate::Sent => "sent",
            PostFate::Retried => "retried",
            PostFate::RateLimited => "rate_limited",
            PostFate::Dead => "dead",
        }
    }
}

struct Metrics {
    registry: Registry,
    commands: Family<Fixed<2>, Counter>,
    posts: Family<Fixed<2>, Counter>,
    send_seconds: Family<Fixed<1>, Histogram>,
    requests: Family<Fixed<2>, Counter>,
    rate_limited: Family<Fixed<1>, Counter>,
    scheduler_ticks: Family<Fixed<1>, Counter>,
    scheduler_pass_seconds: Histogram,
    shard_connected: Family<ShardLabel, Gauge>,
    shard_latency_seconds: Family<ShardLabel, Gauge<f64, AtomicU64>>,
    pool_connections: Family<Fixed<1>, Gauge>,
}

/// Seconds, from a millisecond to about a minute: sends and scheduler passes.
fn seconds_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// Whether anything scrapes this process ([`enable`]).
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns counting on; serving `/metrics` does. Until then every count is a no-op, so a
/// bot nobody scrapes spends no memory on the registry (the idle server's resident set
/// has little room: see the README's Performance).
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
    LazyLock::force(&METRICS);
}

/// Where counts go: the process's registry once [`enable`]d, else nowhere.
pub struct Recorder(());

static RECORDER: Recorder = Recorder(());

/// The process's metrics.
pub fn metrics() -> &'static Recorder {
    &RECORDER
}

impl Recorder {
    fn live(&self) -> Option<&'static Metrics> {
        ENABLED.load(Ordering::Relaxed).then(|| &*METRICS)
    }

    /// `command` is the catalog's path (`cohort join`), never typed text.
    pub fn command(&self, command: &'static str, outcome: CommandOutcome) {
        if let Some(m) = self.live() {
            m.command(command, outcome);
        }
    }

    pub fn post(&self, platform: &'static str, fate: PostFate, took: Duration) {
        if let Some(m) = self.live() {
            m.post(platform, fate, took);
        }
    }

    /// One answered request (`status` is its HTTP status), or `None` when none came.
    pub fn request(&self, platform: &'static str, status: Option<u16>) {
        if let Some(m) = self.live() {
            m.request(platform, status);
        }
    }

    pub fn rate_limited(&self, platform: &'static str) {
        if let Some(m) = self.live() {
            m.rate_limited(platform);
        }
    }

    pub fn scheduler_pass(&self, fired: u32, skipped: u32, took: Duration) {
        if let Some(m) = self.live() {
            m.scheduler_pass(fired, skipped, took);
        }
    }

    pub fn shard(&self, shard: u32, connected: bool, latency: Option<Duration>) {
        if let Some(m) = self.live() {
            m.shard(shard, connected, latency);
        }
    }

    /// The OpenMetrics text, with the pool's connections as they are now (turning
    /// counting on, if nothing had).
    pub fn encode(&self, pool: &sqlx::PgPool) -> String {
        enable();
        METRICS.encode(pool)
    }
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("cohortbot");
        let commands = Family::<Fixed<2>, Counter>::default();
        registry.register(
            "commands",
            "Commands handled, by catalog path and outcome",
            commands.clone(),
        );
        let posts = Family::<Fixed<2>, Counter>::default();
        registry.register(
            "outbox_posts",
            "Outbox sends by platform and what became of them (sent, retried, rate_limited, dead)",
            posts.clone(),
        );
        let send_seconds =
            Family::<Fixed<1>, Histogram>::new_with_constructor(seconds_histogram as fn() -> _);
        registry.register(
            "outbox_send_seconds",
            "How long one outbox send took, by platform",
            send_seconds.clone(),
        );
        let requests = Family::<Fixed<2>, Counter>::default();
        registry.register(
            "platform_requests",
            "Requests to Discord's and Slack's APIs by status class (2xx … 5xx, or error when no answer came)",
            requests.clone(),
        );
        let rate_limited = Family::<Fixed<1>, Counter>::default();
        registry.register(
            "platform_rate_limited",
            "Answers of 429 (or Slack's ratelimited) from a platform",
            rate_limited.clone(),
        );
        let scheduler_ticks = Family::<Fixed<1>, Counter>::default();
        registry.register(
            "scheduler_ticks",
            "Scheduled ticks fired, and skipped (late beyond their grace, or on a day off)",
            scheduler_ticks.clone(),
        );
        let scheduler_pass_seconds = seconds_histogram();
        registry.register(
            "scheduler_pass_seconds",
            "How long one scheduler pass took",
            scheduler_pass_seconds.clone(),
        );
        let shard_connected = Family::<ShardLabel, Gauge>::default();
        registry.register(
            "discord_shard_connected",
            "1 while the Discord gateway shard is connected, else 0",
            shard_connected.clone(),
        );
        let shard_latency_seconds = Family::<ShardLabel, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "discord_shard_latency_seconds",
            "The shard's last heartbeat round trip",
            shard_latency_seconds.clone(),
        );
        let pool_connections = Family::<Fixed<1>, Gauge>::default();
        registry.register(
            "database_connections",
            "Database pool connections, idle and in use",
            pool_connections.clone(),
        );
        registry.register(
            "build",
            "The running build",
            Info::new([("version", env!("CARGO_PKG_VERSION"))]),
        );
        Self {
            registry,
            commands,
            posts,
            send_seconds,
            requests,
            rate_limited,
            scheduler_ticks,
            scheduler_pass_seconds,
            shard_connected,
            shard_latency_seconds,
            pool_connections,
        }
    }

    fn command(&self, command: &'static str, outcome: CommandOutcome) {
        self.commands
            .get_or_create(&[("command", command), ("outcome", outcome.as_str())])
            .inc();
    }

    fn post(&self, platform: &'static str, fate: PostFate, took: Duration) {
        self.posts
            .get_or_create(&[("platform", platform), ("fate", fate.as_str())])
            .inc();
        self.send_seconds
            .get_or_create(&[("platform", platform)])
            .observe(took.as_secs_f64());
    }

    fn request(&self, platform: &'static str, status: Option<u16>) {
        let class = match status {
            Some(200..=299) => "2xx",
            Some(300..=399) => "3xx",
            Some(400..=499) => "4xx",
            Some(500..=599) => "5xx",
            _ => "error",
        };
        self.requests
            .get_or_create(&[("platform", platform), ("status", class)])
            .inc();
    }

    fn rate_limited(&self, platform: &'static str) {
        self.rate_limited
            .get_or_create(&[("platform", platform)])
            .inc();
    }

    fn scheduler_pass(&self, fired: u32, skipped: u32, took: Duration) {
        self.scheduler_ticks
            .get_or_create(&[("result", "fired")])
            .inc_by(u64::from(fired));
        self.scheduler_ticks
            .get_or_create(&[("result", "skipped")])
            .inc_by(u64::from(skipped));
        self.scheduler_pass_seconds.observe(took.as_secs_f64());
    }

    fn shard(&self, shard: u32, connected: bool, latency: Option<Duration>) {
        let label = [("shard", shard.to_string())];
        self.shard_connected
            .get_or_create(&label)
            .set(i64::from(connected));
        if let Some(latency) = latency {
            self.shard_latency_seconds
                .get_or_create(&label)
                .set(latency.as_secs_f64());
        }
    }

    fn encode(&self, pool: &sqlx::PgPool) -> String {
        let idle = pool.num_idle() as i64;
        let size = i64::from(pool.size());
        self.pool_connections
            .get_or_create(&[("state", "idle")])
            .set(idle);
        self.pool_connections
            .get_or_create(&[("state", "in_use")])
            .set((size - idle).max(0));
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}
