//! Outbox rows: enqueue with an idempotency key, claim with a lease, record the result.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use sqlx::types::Json;
use uuid::Uuid;

use crate::render::Message;
use crate::store::pg_row;

/// Adds a post unless one with the same key exists; true when added. After `deadline` the
/// post is pointless: it is dead-lettered instead of sent.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    key: &str,
    channel: Option<&str>,
    member_id: Option<Uuid>,
    body: &Message,
    now: DateTime<Utc>,
    deadline: Option<DateTime<Utc>>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO outbox (community_id, idempotency_key, channel, member_id, body, next_attempt_at, created_at, deadline)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(community_id)
    .bind(key)
    .bind(channel)
    .bind(member_id)
    .bind(Json(body))
    .bind(now)
    .bind(deadline)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Something a platform does for a member besides posting, sent through the outbox so it
/// happens once, after the change that caused it commits, and is retried like a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlatformAction {
    /// The member's program role changed (granted or revoked; the platform reads which when
    /// it acts, so actions that arrive out of order still end in the current state). On
    /// Discord, the mapped server role follows; platforms without roles have nothing to do.
    RoleChanged { role: crate::domain::Role },
    /// The message the outbox sent as row `of` is replaced by this row's body: an answered
    /// check-in prompt loses its button. Nothing to do when that row was never sent. The
    /// rows share a recipient, so this one is claimed only after row `of` is settled.
    Replace { of: i64 },
    /// This row's body is posted in the thread of the message the outbox sent as row `of`
    /// (a Slack thread, a Discord reply): a late check-in's "updated" line under the
    /// digest it changed. Nothing to do when that row was never sent.
    ThreadReply { of: i64 },
    /// The member's earned role under `rule` follows whether they hold it now (a Discord
    /// role, a Slack user group). With `check`, the platform first reads what the member
    /// has, and a role missing there is put back once, then reported and left off.
    EarnedRole { rule: Uuid, check: bool },
    /// The member's Slack Home tab is published again, from what is true when it is sent
    /// (`services::home`). Changes made before it is sent share it (store/home.rs); other
    /// platforms have no Home tab, so nothing to do.
    PublishHome,
    /// The session's Discord scheduled event is made to match the session as it is when
    /// this is sent: created, moved or cancelled (`services::events::mirror`). Queued on
    /// the `MIRROR_QUEUE` pseudo-channel, so a community's mirror writes go one at a time.
    MirrorSession { session: Uuid },
    /// The community's Discord events are compared with the sessions they mirror: drift
    /// repaired, events lost re-made, the bot's orphans deleted (at start and daily).
    ReconcileEvents,
    /// The concern's private space is made to match the concern as it is when this is
    /// sent (`services::concerns::space`): opened for the handlers it does not exclude
    /// while it is open and has none, archived once it is closed. Queued on
    /// `CONCERN_SPACE_QUEUE`, so it goes by the community's platform, not the asker's.
    /// With `announce` (the first request), the space's first message says what it is
    /// for, posted once however often the row is retried (by the outbox row's id, as any
    /// post); without (a second request), missing handlers are added and nothing posted.
    ConcernSpace { concern: Uuid, announce: bool },
}

/// The queue a community's Discord event writes share (no channel by that name exists).
pub const MIRROR_QUEUE: &str = "discord-events";

/// The queue concerns' private spaces are written on (no channel by that name exists).
pub const CONCERN_SPACE_QUEUE: &str = "concern-spaces";

/// Adds a platform action for `member_id` unless one with the same key exists.
pub async fn enqueue_action(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    key: &str,
    member_id: Uuid,
    action: PlatformAction,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    insert_action(ex, community_id, key, (None, Some(member_id)), action, now).await
}

/// Adds a platform action that concerns no member, queued with `queue`'s other rows.
pub async fn enqueue_queued_action(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    key: &str,
    queue: &str,
    action: PlatformAction,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    insert_action(ex, community_id, key, (Some(queue), None), action, now).await
}

/// An action row addressed to a channel (or queue) or to a member (exactly one), with an
/// empty body; false when a row with the key exists.
async fn insert_action(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    key: &str,
    (channel, member_id): (Option<&str>, Option<Uuid>),
    action: PlatformAction,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO outbox (community_id, idempotency_key, channel, member_id, body, action, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(community_id)
    .bind(key)
    .bind(channel)
    .bind(member_id)
    .bind(Json(Message::new()))
    .bind(Json(action))
    .bind(now)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

pg_row! {
    /// A claimed row, joined with what the sender needs to address a DM.
    #[derive(Debug, Clone)]
    pub struct Claimed {
        pub id: i64,
        pub community_id: Uuid,
        pub channel: Option<String>,
        pub member_id: Option<Uuid>,
        pub platform: Option<String>,
        pub platform_user_id: Option<String>,
        pub display_name: Option<String>,
        pub body: Json<Message>,
        pub action: Option<Json<PlatformAction>>,
        /// For a [`PlatformAction::Replace`], the platform's id of the message it replaces,
        /// when that was sent.
        pub replaces: Option<String>,
        /// Including this one.
        pub attempts: i32,
        /// How long until the post's slot in its platform's shared budget.
        pub wait_secs: f64,
    }
}

/// Which platform delivers a post: DMs go by the member's platform, channel posts by the
/// community's (a community on neither is the shell's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Shell,
    Discord,
    Slack,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Shell => "shell",
            Platform::Discord => "discord",
            Platform::Slack => "slack",
        }
    }
}

/// The part of a claim or expiry that keeps to one platform's posts (`$platform` is the
/// given parameter number); true for every post when it is NULL. A member's row is their
/// platform's; a channel's (posts, and actions queued by channel such as a concern's
/// space) is the community's home platform, Discord for a community on both, as
/// `services::concerns::space::home_platform` decides. Were either dispatcher free to claim
/// those, a channel post would land on a random platform, and the concern-space action
/// Slack's sender claimed would be done as "not mine" and never reach Discord.
fn platform_filter(param: u8) -> String {
    format!(
        "(${param}::text IS NULL OR CASE WHEN outbox.member_id IS NOT NULL
            THEN EXISTS (SELECT 1 FROM members m WHERE m.id = outbox.member_id AND m.platform = ${param})
            ELSE EXISTS (SELECT 1 FROM communities c WHERE c.id = outbox.community_id
                 AND CASE ${param} WHEN 'discord' THEN c.discord_guild_id IS NOT NULL
                                   WHEN 'slack' THEN c.slack_team_id IS NOT NULL
                                                     AND c.discord_guild_id IS NULL
                                   ELSE c.discord_guild_id IS NULL AND c.slack_team_id IS NULL END) END)"
    )
}

/// How a claim debits its platform's budget, shared by every process through
/// `send_pacing` (migration 0039) on the database's clock: pacing is about the platform's
/// real seconds, which a test clock moved ahead must not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// Nothing to pace (the shell).
    Unpaced,
    /// One budget for every request of the bot (Discord's global 50 a second), under `key`:
    /// a post takes `interval`, a DM to a member with no saved DM channel two (it is opened
    /// first).
    Global {
        key: &'static str,
        interval: std::time::Duration,
    },
    /// One budget per channel, and per member for DMs (Slack's one message a second per
    /// channel), under `key` and the channel or member.
    PerRecipient {
        key: &'static str,
        interval: std::time::Duration,
    },
}

impl Pacing {
    fn mode(self) -> (Option<&'static str>, Option<&'static str>, f64) {
        match self {
            Pacing::Unpaced => (None, None, 0.0),
            Pacing::Global { key, interval } => (Some("global"), Some(key), interval.as_secs_f64()),
            Pacing::PerRecipient { key, interval } => {
                (Some("recipient"), Some(key), interval.as_secs_f64())
            }
        }
    }
}

/// Reserves `requests` slots of `interval` in the shared budget under `key` for requests
/// made outside the outbox (command registration, the gateway's start); returns the wait
/// until the first, in seconds.
pub async fn reserve(
    ex: impl PgExecutor<'_>,
    key: &str,
    interval: std::time::Duration,
    requests: u32,
) -> sqlx::Result<f64> {
    let spend = interval.as_secs_f64() * f64::from(requests);
    sqlx::query_scalar(
        "INSERT INTO send_pacing AS s (key, next_at) VALUES ($1, clock_timestamp() + make_interval(secs => $2))
         ON CONFLICT (key) DO UPDATE
            SET next_at = greatest(s.next_at, clock_timestamp()) + make_interval(secs => $2)
         RETURNING greatest(extract(epoch FROM next_at - clock_timestamp())::float8 - $2, 0)",
    )
    .bind(key)
    .bind(spend)
    .fetch_one(ex)
    .await
}

/// Leases up to `limit` ready rows for `lease` of the database's clock (a lease is about a
/// real process sending in real time, so a test clock moved ahead never breaks one), and
/// reserves each one's slot in its
/// platform's shared budget (see [`Pacing`]): [`Claimed::wait_secs`] says how long to wait
/// before sending. Committed on return: no transaction is held while sending. `SKIP LOCKED`
/// lets several dispatchers share the table; the budget's row lock orders their slots.
pub async fn claim(
    ex: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    lease: std::time::Duration,
    limit: i64,
    platform: Option<&str>,
    pacing: Pacing,
    process: Option<Uuid>,
) -> sqlx::Result<Vec<Claimed>> {
    let (mode, key, interval) = pacing.mode();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH ready AS (
             SELECT id FROM outbox
             WHERE status = 'pending' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= now())
               AND (deadline IS NULL OR deadline > $1)
               AND {}
               -- One post per recipient at a time, in order: two DMs never race to open
               -- the same DM channel, and a member reads posts in the order they were made.
               -- It also means no two claims ever hold one channel's budget row at once.
               -- (Each is one look into a partial index: never an anti-join over a
               -- channel's whole backlog.)
               AND (outbox.member_id IS NULL OR outbox.id = (SELECT min(e.id) FROM outbox e
                        WHERE e.status = 'pending' AND e.member_id = outbox.member_id))
               AND (outbox.channel IS NULL OR outbox.id = (SELECT min(e.id) FROM outbox e
                        WHERE e.status = 'pending' AND e.channel = outbox.channel))
             ORDER BY next_attempt_at, id
             LIMIT $3
             FOR UPDATE SKIP LOCKED),
         priced AS (
             SELECT o.id,
                    CASE $5::text WHEN 'global' THEN $6::text
                                  WHEN 'recipient' THEN $6 || ' ' || coalesce(o.channel, o.member_id::text) END AS budget,
                    CASE WHEN $5 = 'global' AND o.member_id IS NOT NULL
                              AND NOT EXISTS (SELECT 1 FROM discord_dm_channels d
                                              WHERE d.member_id = o.member_id AND d.channel_id IS NOT NULL)
                         THEN 2 ELSE 1 END * $7::float8 AS spend
             FROM ready JOIN outbox o ON o.id = ready.id),
         -- Another process's claim waits here and then reads the row as that one left it.
         budgets AS (
             SELECT key, next_at FROM send_pacing WHERE key IN (SELECT budget FROM priced) FOR UPDATE),
         slotted AS (
             SELECT p.id, p.budget, p.spend,
                    greatest(b.next_at, clock_timestamp())
                      + make_interval(secs => sum(p.spend) OVER (PARTITION BY p.budget ORDER BY p.id) - p.spend) AS send_at
             FROM priced p LEFT JOIN budgets b ON b.key = p.budget
             WHERE p.budget IS NOT NULL),
         advanced AS (
             INSERT INTO send_pacing (key, next_at)
             SELECT budget, max(send_at + make_interval(secs => spend)) FROM slotted GROUP BY budget
             ON CONFLICT (key) DO UPDATE SET next_at = greatest(send_pacing.next_at, EXCLUDED.next_at)),
         leased AS (
             UPDATE outbox o SET lease_until = now() + $2, leased_by = $8, attempts = o.attempts + 1
             FROM ready WHERE o.id = ready.id
             RETURNING o.id, o.community_id, o.channel, o.member_id, o.body, o.action, o.attempts)
         SELECT l.id, l.community_id, l.channel, l.member_id, m.platform, m.platform_user_id, m.display_name,
                l.body, l.action,
                (SELECT p.platform_message_id FROM outbox p
                  WHERE p.id = (l.action->>'of')::bigint AND p.status = 'sent') AS replaces,
                l.attempts,
                coalesce(greatest(extract(epoch FROM s.send_at - clock_timestamp())::float8, 0), 0) AS wait_secs
         FROM leased l LEFT JOIN members m ON m.id = l.member_id LEFT JOIN slotted s ON s.id = l.id
         ORDER BY l.id",
        platform_filter(4)
    )))
    .bind(now)
    .bind(lease)
    .bind(limit)
    .bind(platform)
    .bind(mode)
    .bind(key)
    .bind(interval)
    .bind(process)
    .fetch_all(ex)
    .await
}

/// Queues `action` (a [`PlatformAction::Replace`] or [`PlatformAction::ThreadReply`] with
/// any `of`) on the row with key `target_key`, to that row's own recipient, in one
/// statement: nothing when that row does not exist or `key` is taken. Sharing the
/// recipient, it is claimed only after that row is settled.
pub async fn enqueue_on(
    ex: impl PgExecutor<'_>,
    key: &str,
    target_key: &str,
    action: PlatformAction,
    body: &Message,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let statement = enqueue_on_statement(
        &OnPlaceholders {
            key: "$1",
            body: "$2",
            action: "$3",
            target_key: "$4",
            now: "$5",
        },
        "",
    );
    let result = sqlx::query(sqlx::AssertSqlSafe(statement))
        .bind(key)
        .bind(Json(body))
        .bind(Json(action))
        .bind(target_key)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Where [`enqueue_on_statement`]'s values come from: the caller's placeholders.
pub(crate) struct OnPlaceholders<'a> {
    pub key: &'a str,
    pub body: &'a str,
    /// The action's JSON, as serde writes it; only its `of` is filled in, with the target's
    /// id.
    pub action: &'a str,
    pub target_key: &'a str,
    pub now: &'a str,
}

/// The insert [`enqueue_on`] runs, with the caller's placeholders, so a statement that
/// writes more (a check-in's) queues the same action in its own round trip. `condition`,
/// if not empty, is ANDed to the target's lookup.
pub(crate) fn enqueue_on_statement(on: &OnPlaceholders<'_>, condition: &str) -> String {
    let OnPlaceholders {
        key,
        body,
        action,
        target_key,
        now,
    } = on;
    let condition = if condition.is_empty() {
        String::new()
    } else {
        format!(" AND {condition}")
    };
    format!(
        "INSERT INTO outbox (community_id, idempotency_key, member_id, channel, body, action,
                             next_attempt_at, created_at)
         SELECT p.community_id, {key}, p.member_id, p.channel, {body},
                {action}::jsonb || jsonb_build_object('of', p.id), {now}, {now}
           FROM outbox p WHERE p.idempotency_key = {target_key}{condition}
         ON CONFLICT (idempotency_key) DO NOTHING"
    )
}

/// When the row with key `key` was queued, if it exists (a digest's time, to render it
/// again as it was).
pub async fn queued_at(ex: impl PgExecutor<'_>, key: &str) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar("SELECT created_at FROM outbox WHERE idempotency_key = $1")
        .bind(key)
        .fetch_optional(ex)
        .await
}

/// Dead-letters ready posts whose deadline has passed; returns how many.
pub async fn expire(
    ex: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    platform: Option<&str>,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE outbox SET status = 'dead', dead_reason = 'deadline', lease_until = NULL,
                last_error = 'its deadline passed before it could be delivered'
                  || coalesce(' (last error: ' || last_error || ')', '')
         WHERE status = 'pending' AND deadline <= $1
           AND (lease_until IS NULL OR lease_until <= now()) AND {}",
        platform_filter(2)
    )))
    .bind(now)
    .bind(platform)
    .execute(ex)
    .await?
    .rows_affected())
}

/// Extends the leases of posts still being sent to `lease` from now (the database's clock).
pub async fn renew(
    ex: impl PgExecutor<'_>,
    ids: &[i64],
    lease: std::time::Duration,
) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE outbox SET lease_until = now() + $2 WHERE id = ANY($1) AND status = 'pending'",
    )
    .bind(ids)
    .bind(lease)
    .execute(ex)
    .await?;
    Ok(())
}

/// Hands leases back unsent (a stopping dispatcher): claimable again at once. The attempt
/// stays counted, so a resend checks whether the first one got through.
/// Hands back the leases held by processes whose heartbeat is older than `stale_after` (or
/// that left the registry): a killed process's posts go out at once, not when their
/// leases expire. The count handed back.
pub async fn release_dead_processes(
    ex: impl PgExecutor<'_>,
    stale_after: std::time::Duration,
) -> sqlx::Result<u64> {
    let result = sqlx::query(
        "UPDATE outbox o SET lease_until = NULL, leased_by = NULL
          WHERE o.status = 'pending' AND o.leased_by IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM bot_processes p
                            WHERE p.id = o.leased_by AND p.heartbeat_at > now() - $1)",
    )
    .bind(stale_after)
    .execute(ex)
    .await?;
    Ok(result.rows_affected())
}

pub async fn release(ex: impl PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query("UPDATE outbox SET lease_until = NULL WHERE id = ANY($1) AND status = 'pending'")
        .bind(ids)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn mark_sent(
    ex: impl PgExecutor<'_>,
    id: i64,
    platform_message_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'sent', platform_message_id = $2, sent_at = $3, lease_until = NULL, last_error = NULL
         WHERE id = $1",
    )
    .bind(id)
    .bind(platform_message_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Whether a rescheduled post's claim counts as one of its attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// A real failure (5xx, a timeout).
    Used,
    /// A 429 or a full route: the platform asked to wait, nothing failed.
    GivenBack,
}

/// Puts a claimed post back to be tried at `at`, with the error that sent it back.
pub async fn retry_later(
    ex: impl PgExecutor<'_>,
    id: i64,
    at: DateTime<Utc>,
    error: &str,
    attempt: Attempt,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET next_attempt_at = $2, lease_until = NULL, last_error = $3,
                attempts = CASE WHEN $4 THEN greatest(attempts - 1, 0) ELSE attempts END
         WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .bind(error)
    .bind(attempt == Attempt::GivenBack)
    .execute(ex)
    .await?;
    Ok(())
}

/// Why a post was dead-lettered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadReason {
    /// The platform refused it (a 4xx other than 429).
    Rejected,
    /// It failed `max_attempts` times (5xx, timeouts).
    Attempts,
    /// Its deadline passed first.
    Deadline,
    /// Dead before reasons were recorded.
    Unknown,
}

impl DeadReason {
    pub const ALL: [DeadReason; 4] = [
        DeadReason::Rejected,
        DeadReason::Attempts,
        DeadReason::Deadline,
        DeadReason::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeadReason::Rejected => "rejected",
            DeadReason::Attempts => "attempts",
            DeadReason::Deadline => "deadline",
            DeadReason::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

pub async fn mark_dead(
    ex: impl PgExecutor<'_>,
    id: i64,
    reason: DeadReason,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'dead', dead_reason = $2, lease_until = NULL, last_error = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(reason.as_str())
    .bind(error)
    .execute(ex)
    .await?;
    Ok(())
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct DeadRow {
        pub id: i64,
        pub kind: String,
        pub channel: Option<String>,
        pub display_name: Option<String>,
        pub attempts: i32,
        pub dead_reason: String,
        pub last_error: Option<String>,
        pub created_at: DateTime<Utc>,
        /// Dead posts matching the filter, on every page.
        pub total: i64,
    }
}

/// Which dead posts to list or retry.
#[derive(Debug, Clone, Default)]
pub struct DeadFilter {
    /// The key's first part, e.g. `checkin-prompt`.
    pub kind: Option<String>,
    pub reason: Option<DeadReason>,
}

/// `filter` as SQL over `outbox o`, its kind and reason in parameters `$kind` and
/// `$kind + 1`.
fn dead_filter_sql(kind: u8) -> String {
    let reason = kind + 1;
    format!(
        "(${kind}::text IS NULL OR split_part(o.idempotency_key, ':', 1) = ${kind})
         AND (${reason}::text IS NULL OR o.dead_reason = ${reason})"
    )
}

/// One page of dead posts, newest first, each row carrying the filtered total.
pub async fn dead(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    filter: &DeadFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<DeadRow>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT o.id, split_part(o.idempotency_key, ':', 1) AS kind, o.channel, m.display_name,
                o.attempts, o.dead_reason, o.last_error, o.created_at,
                count(*) OVER () AS total
         FROM outbox o LEFT JOIN members m ON m.id = o.member_id
         WHERE o.community_id = $1 AND o.status = 'dead' AND {}
         ORDER BY o.id DESC LIMIT $4 OFFSET $5",
        dead_filter_sql(2)
    )))
    .bind(community_id)
    .bind(filter.kind.as_deref())
    .bind(filter.reason.map(DeadReason::as_str))
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await
}

/// How many dead posts match, for an empty page's message.
pub async fn dead_count(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    filter: &DeadFilter,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM outbox o WHERE o.community_id = $1 AND o.status = 'dead' AND {}",
        dead_filter_sql(2)
    )))
    .bind(community_id)
    .bind(filter.kind.as_deref())
    .bind(filter.reason.map(DeadReason::as_str))
    .fetch_one(ex)
    .await
}

/// What a retry did: posts requeued, and matching posts left dead because their deadline
/// has passed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Requeued {
    pub requeued: u64,
    pub expired: u64,
}

/// Requeues dead posts (`id`, or every match of `filter`) whose deadline has not passed,
/// with their attempts reset.
pub async fn requeue_dead(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    id: Option<i64>,
    filter: &DeadFilter,
    now: DateTime<Utc>,
) -> sqlx::Result<Requeued> {
    let (requeued, expired): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH matching AS (
             SELECT id, deadline FROM outbox o
             WHERE o.community_id = $1 AND o.status = 'dead' AND ($2::bigint IS NULL OR o.id = $2)
               AND {}
             FOR UPDATE),
         requeued AS (
             UPDATE outbox o SET status = 'pending', dead_reason = NULL, attempts = 0,
                    next_attempt_at = $5, lease_until = NULL
             FROM matching WHERE o.id = matching.id AND (matching.deadline IS NULL OR matching.deadline > $5)
             RETURNING o.id)
         SELECT (SELECT count(*) FROM requeued),
                (SELECT count(*) FROM matching WHERE deadline <= $5)",
        dead_filter_sql(3)
    )))
    .bind(community_id)
    .bind(id)
    .bind(filter.kind.as_deref())
    .bind(filter.reason.map(DeadReason::as_str))
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(Requeued {
        requeued: requeued as u64,
        expired: expired as u64,
    })
}
