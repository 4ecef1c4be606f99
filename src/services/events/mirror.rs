//! Sessions mirrored as Discord scheduled events, for cohorts that opt in.
//!
//! One Discord event per session occurrence (not Discord's own recurrence: the bot's
//! schedules are richer, and one occurrence can move or be cancelled alone). Each change
//! queues a `MirrorSession` outbox action, written in the change's own transaction; the
//! Discord sender then makes the event match the session as it is when it is sent, so
//! actions that arrive late or twice still end in the current state, and one with nothing
//! new sends nothing. Only sessions within `HORIZON_DAYS` are mirrored, at most
//! `GUILD_MAX` per guild (Discord allows 100 scheduled or active events), soonest first:
//! the hourly pass queues sessions as they come within the horizon.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::messages;
use crate::render::Message;
use crate::services::{Invocation, Outcome, ServiceResult, refuse};
use crate::store::discord_events::{self, Mirrored};
use crate::store::outbox::{self, MIRROR_QUEUE, PlatformAction};
use crate::store::sessions::Talk;

/// How far ahead sessions are mirrored.
pub const HORIZON_DAYS: i64 = 14;
/// Most of the bot's events a guild holds at once, of Discord's 100.
pub const GUILD_MAX: i64 = 80;
/// Discord's limits for an external event.
pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 1_000;
pub const LOCATION_MAX: usize = 100;
/// The outbox key of a reconciliation starts so; `/event mirror` finds the last one by it.
const RECONCILE_KEY: &str = "discord-reconcile";
/// The reason shown in the server's audit log for each write.
pub const AUDIT_REASON: &str = "cohortbot: mirrors a program session";

/// Queues the session's mirror write, if its cohort mirrors to Discord.
pub async fn queue(
    tx: &mut PgConnection,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let Some(community) = discord_events::mirroring_community(&mut *tx, session_id).await? else {
        return Ok(());
    };
    // Each change is its own row; the sender reads the session when it sends, so rows
    // that find nothing new send nothing.
    let key = format!("discord-event:{session_id}:{}", Uuid::new_v4());
    let action = PlatformAction::MirrorSession {
        session: session_id,
    };
    outbox::enqueue_queued_action(&mut *tx, community, &key, MIRROR_QUEUE, action, now).await?;
    Ok(())
}

/// Queues sessions that came within the horizon and are not mirrored yet, soonest first
/// (the hourly pass): as many as each guild has room for, and, once it is full, those that
/// start before its latest event (after a move), which the sender swaps in for it. A
/// session left out now is looked at again next hour, as room frees.
pub async fn queue_due(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let until = now + Duration::days(HORIZON_DAYS);
    let hour = now.format("%Y%m%d%H");
    let mut queued = 0;
    let mut guilds: HashMap<String, (i64, Option<DateTime<Utc>>)> = HashMap::new();
    for due in discord_events::unmirrored(pool, now, until).await? {
        let (room, latest) = match guilds.entry(due.guild_id.clone()) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                let live = discord_events::live_count(pool, &due.guild_id, now).await?;
                let latest = discord_events::latest_live(pool, &due.guild_id, now).await?;
                new.insert((GUILD_MAX - live, latest.map(|l| l.2)))
            }
        };
        let swaps_in = latest.is_some_and(|latest| due.starts_at < latest);
        if *room <= 0 && !swaps_in {
            continue;
        }
        *room -= 1;
        let key = format!("discord-event:{}:horizon:{hour}", due.session_id);
        let action = PlatformAction::MirrorSession {
            session: due.session_id,
        };
        queued += u64::from(
            outbox::enqueue_queued_action(pool, due.community_id, &key, MIRROR_QUEUE, action, now)
                .await?,
        );
    }
    Ok(queued)
}

/// What the session's Discord event should say.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: String,
    /// Title, lineup and how to RSVP; the platform renders and escapes it.
    pub description: Message,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub cancelled: bool,
}

impl Event {
    /// The event for `session`, with the first `talks_shown` talks of its lineup.
    pub fn of(session: &Mirrored, talks: &[Talk], talks_shown: usize) -> Self {
        // A session without a place of its own is held in its cohort's channel.
        let location = match (&session.location, &session.channel) {
            (Some(place), Some(channel)) if place == channel => format!("#{channel}"),
            (Some(place), _) => place.clone(),
            (None, Some(channel)) => format!("#{channel}"),
            (None, None) => session.cohort_name.clone(),
        };
        Self {
            name: cut(&format!("#{} {}", session.number, session.title), NAME_MAX),
            description: messages::discord_event(session, talks, talks_shown),
            starts_at: session.starts_at,
            ends_at: session.starts_at + Duration::minutes(i64::from(session.duration_minutes)),
            location: cut(&location, LOCATION_MAX),
            cancelled: session.status == "cancelled",
        }
    }
}

/// The marker a session's event carries, to find it again after a crash.
pub fn marker(session_id: Uuid) -> String {
    format!("cohortbot session {session_id}")
}

/// At most `max` characters, with an ellipsis when cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Queues a reconciliation of each mirroring community's Discord events. `occasion` makes
/// the key: the date for the daily one (once a day however many passes), a fresh id at
/// start.
pub async fn queue_reconcile(
    pool: &PgPool,
    now: DateTime<Utc>,
    occasion: &str,
) -> anyhow::Result<u64> {
    let mut queued = 0;
    for (community, _) in discord_events::mirroring_communities(pool).await? {
        queued += u64::from(queue_reconcile_of(pool, community, now, occasion).await?);
    }
    Ok(queued)
}

async fn queue_reconcile_of(
    ex: impl sqlx::PgExecutor<'_>,
    community: Uuid,
    now: DateTime<Utc>,
    occasion: &str,
) -> sqlx::Result<bool> {
    let key = format!("{RECONCILE_KEY}:{community}:{occasion}");
    let action = PlatformAction::ReconcileEvents;
    outbox::enqueue_queued_action(ex, community, &key, MIRROR_QUEUE, action, now).await
}

/// `/event mirror [status|repair]` (stewards): per mirroring cohort, the sessions within
/// the horizon and how many have an event; the writes waiting and failed; the last
/// comparison with Discord. `repair` queues that comparison now.
pub async fn status(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let community = inv.caller.community_id;
    let Some(guild) = discord_events::guild_of(&mut *tx, community).await? else {
        return refuse(messages::mirror_no_guild());
    };
    let until = now + Duration::days(HORIZON_DAYS);
    let cohorts = discord_events::cohort_mirrors(&mut *tx, community, now, until).await?;
    if cohorts.is_empty() {
        return refuse(messages::mirror_no_cohort());
    }
    let visibility = inv.spec.visibility;
    if inv.args.text("action") == Some("repair") {
        let occasion = format!("manual:{}", Uuid::new_v4());
        queue_reconcile_of(&mut *tx, community, now, &occasion).await?;
        let detail = serde_json::json!({ "guild": guild });
        crate::services::audit_caller(tx, inv, "discord_events.repair", detail, now).await?;
        return Ok(Outcome::reply(messages::mirror_repair_queued(), visibility));
    }
    let live = discord_events::live_count(&mut *tx, &guild, now).await?;
    let queue =
        discord_events::mirror_queue(&mut *tx, community, MIRROR_QUEUE, RECONCILE_KEY).await?;
    let zone = super::when::zone_or(inv.caller.member.timezone.as_deref(), chrono_tz::UTC);
    Ok(Outcome::reply(
        messages::mirror_status(&messages::MirrorStatus {
            live,
            cohorts: &cohorts,
            queue: &queue,
            zone,
        }),
        visibility,
    ))
}
