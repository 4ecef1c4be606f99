//! Sessions mirrored as Discord scheduled events: what to mirror, and what was mirrored.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::store::pg_row;

pg_row! {
    /// A session as its Discord event shows it, with the mapping so far.
    #[derive(Debug, Clone)]
    pub struct Mirrored {
        pub session_id: Uuid,
        pub number: i32,
        pub kind: String,
        pub title: String,
        pub starts_at: DateTime<Utc>,
        pub duration_minutes: i32,
        pub location: Option<String>,
        pub status: String,
        pub cohort_name: String,
        pub channel: Option<String>,
        /// The cohort still opts in.
        pub opted_in: bool,
        pub guild_id: Option<String>,
        /// A mapping row exists (perhaps without an event id yet).
        pub mapped: bool,
        pub event_id: Option<String>,
        pub synced_hash: Option<String>,
    }
}

/// The session to mirror; `None` for a circle's session or one that is gone.
pub async fn target(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<Option<Mirrored>> {
    sqlx::query_as(
        "SELECT s.id AS session_id, s.number, s.kind, s.title, s.starts_at, s.duration_minutes,
                s.location, s.status, c.name AS cohort_name, c.channel,
                c.discord_events AS opted_in, co.discord_guild_id AS guild_id,
                d.session_id IS NOT NULL AS mapped, d.event_id, d.synced_hash
           FROM sessions s
           JOIN cohorts c ON c.id = s.cohort_id
           JOIN communities co ON co.id = s.community_id
           LEFT JOIN discord_events d ON d.session_id = s.id
          WHERE s.id = $1",
    )
    .bind(session_id)
    .fetch_optional(ex)
    .await
}

/// Whether a session's cohort mirrors its sessions to Discord: its community's id when it
/// does.
pub async fn mirroring_community(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "SELECT s.community_id FROM sessions s
           JOIN cohorts c ON c.id = s.cohort_id
           JOIN communities co ON co.id = s.community_id
          WHERE s.id = $1 AND c.discord_events AND co.discord_guild_id IS NOT NULL",
    )
    .bind(session_id)
    .fetch_optional(ex)
    .await
}

/// Takes the right to create the session's event; false when a mapping row exists (an
/// earlier attempt may have created the event before it could record it).
pub async fn claim(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
    guild_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO discord_events (session_id, guild_id, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (session_id) DO NOTHING",
    )
    .bind(session_id)
    .bind(guild_id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Records the event's id and what it now says.
pub async fn record(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
    event_id: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE discord_events SET event_id = $2, synced_hash = $3, updated_at = $4
          WHERE session_id = $1",
    )
    .bind(session_id)
    .bind(event_id)
    .bind(hash)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Forgets a mapping whose event is gone from Discord (deleted by hand).
pub async fn forget(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM discord_events WHERE session_id = $1")
        .bind(session_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Events the guild has from the bot that are still to come or running.
pub async fn live_count(
    ex: impl PgExecutor<'_>,
    guild_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM discord_events d JOIN sessions s ON s.id = d.session_id
          WHERE d.guild_id = $1 AND s.status = 'scheduled'
            AND s.starts_at + make_interval(mins => s.duration_minutes) > $2",
    )
    .bind(guild_id)
    .bind(now)
    .fetch_one(ex)
    .await
}

pg_row! {
    /// A session of an opted-in cohort not mirrored yet.
    #[derive(Debug, Clone)]
    pub struct Unmirrored {
        pub community_id: Uuid,
        pub guild_id: String,
        pub session_id: Uuid,
        pub starts_at: DateTime<Utc>,
    }
}

/// Sessions of opted-in cohorts starting before `until` and not mirrored yet, soonest
/// first.
pub async fn unmirrored(
    ex: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<Vec<Unmirrored>> {
    sqlx::query_as(
        "SELECT s.community_id, co.discord_guild_id AS guild_id, s.id AS session_id, s.starts_at
           FROM sessions s
           JOIN cohorts c ON c.id = s.cohort_id
           JOIN communities co ON co.id = s.community_id
          WHERE c.discord_events AND co.discord_guild_id IS NOT NULL
            AND s.status = 'scheduled' AND s.starts_at > $1 AND s.starts_at <= $2
            AND NOT EXISTS (SELECT 1 FROM discord_events d WHERE d.session_id = s.id)
          ORDER BY s.starts_at, s.number",
    )
    .bind(now)
    .bind(until)
    .fetch_all(ex)
    .await
}

/// The guild's live mirrored session that starts last: (session, event id, start).
pub async fn latest_live(
    ex: impl PgExecutor<'_>,
    guild_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<(Uuid, Option<String>, DateTime<Utc>)>> {
    sqlx::query_as(
        "SELECT s.id, d.event_id, s.starts_at FROM discord_events d JOIN sessions s ON s.id = d.session_id
          WHERE d.guild_id = $1 AND s.status = 'scheduled'
            AND s.starts_at + make_interval(mins => s.duration_minutes) > $2
          ORDER BY s.starts_at DESC, s.number DESC LIMIT 1",
    )
    .bind(guild_id)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// The guild's mappings: (session, event id), for reconciliation.
pub async fn mapped_in(
    ex: impl PgExecutor<'_>,
    guild_id: &str,
) -> sqlx::Result<Vec<(Uuid, Option<String>)>> {
    sqlx::query_as(
        "SELECT session_id, event_id FROM discord_events WHERE guild_id = $1 ORDER BY session_id",
    )
    .bind(guild_id)
    .fetch_all(ex)
    .await
}

/// Whether the session exists.
pub async fn session_exists(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1)")
        .bind(session_id)
        .fetch_one(ex)
        .await
}

/// Communities whose cohorts mirror to Discord: (community, guild id).
pub async fn mirroring_communities(ex: impl PgExecutor<'_>) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT DISTINCT co.id, co.discord_guild_id FROM communities co
           JOIN cohorts c ON c.community_id = co.id
          WHERE c.discord_events AND co.discord_guild_id IS NOT NULL
          ORDER BY co.id",
    )
    .fetch_all(ex)
    .await
}

/// The session a guild's event mirrors, if the bot made it: (session, its number, whether
/// its cohort takes "Interested" as an RSVP).
pub async fn session_of_event(
    ex: impl PgExecutor<'_>,
    guild_id: &str,
    event_id: &str,
) -> sqlx::Result<Option<(Uuid, i32, bool)>> {
    sqlx::query_as(
        "SELECT s.id, s.number, c.interested_is_rsvp FROM discord_events d
           JOIN sessions s ON s.id = d.session_id
           JOIN cohorts c ON c.id = s.cohort_id
          WHERE d.guild_id = $1 AND d.event_id = $2",
    )
    .bind(guild_id)
    .bind(event_id)
    .fetch_optional(ex)
    .await
}

pg_row! {
    /// One mirroring cohort, for `/event mirror`: its sessions within the horizon, how many
    /// of them have an event, and the RSVPs "Interested" made for them.
    #[derive(Debug, Clone)]
    pub struct CohortMirror {
        pub name: String,
        pub slug: String,
        pub interested_is_rsvp: bool,
        pub upcoming: i64,
        pub mirrored: i64,
        pub via_interest: i64,
    }
}

/// The community's mirroring cohorts, by name, counting sessions on and not over that
/// start before `until`.
pub async fn cohort_mirrors(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<Vec<CohortMirror>> {
    sqlx::query_as(
        "SELECT c.name, c.slug, c.interested_is_rsvp,
                count(s.id) AS upcoming, count(d.event_id) AS mirrored,
                coalesce(sum((SELECT count(*) FROM session_rsvps r
                               WHERE r.session_id = s.id AND r.via_interest)), 0)::bigint AS via_interest
           FROM cohorts c
           LEFT JOIN sessions s ON s.cohort_id = c.id AND s.status = 'scheduled'
                AND s.starts_at + make_interval(mins => s.duration_minutes) > $2
                AND s.starts_at <= $3
           LEFT JOIN discord_events d ON d.session_id = s.id
          WHERE c.community_id = $1 AND c.discord_events AND c.archived_at IS NULL
          GROUP BY c.id ORDER BY c.name, c.slug",
    )
    .bind(community_id)
    .bind(now)
    .bind(until)
    .fetch_all(ex)
    .await
}

pg_row! {
    /// The community's mirror writes in the outbox.
    #[derive(Debug, Clone)]
    pub struct MirrorQueue {
        pub waiting: i64,
        pub failed: i64,
        /// When a reconciliation last went through.
        pub reconciled_at: Option<DateTime<Utc>>,
    }
}

pub async fn mirror_queue(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    queue: &str,
    reconcile_key: &str,
) -> sqlx::Result<MirrorQueue> {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'pending') AS waiting,
                count(*) FILTER (WHERE status = 'dead') AS failed,
                max(sent_at) FILTER (WHERE status = 'sent'
                                     AND starts_with(idempotency_key, $3 || ':')) AS reconciled_at
           FROM outbox WHERE community_id = $1 AND channel = $2",
    )
    .bind(community_id)
    .bind(queue)
    .bind(reconcile_key)
    .fetch_one(ex)
    .await
}

/// The Discord server the community is linked to, if any.
pub async fn guild_of(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT discord_guild_id FROM communities WHERE id = $1")
        .bind(community_id)
        .fetch_one(ex)
        .await
}

/// The guild's events whose "Interested" list makes RSVPs and whose session has not
/// started: (session, event id), for catching up after downtime.
pub async fn interest_events(
    ex: impl PgExecutor<'_>,
    guild_id: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT s.id, d.event_id FROM discord_events d
           JOIN sessions s ON s.id = d.session_id
           JOIN cohorts c ON c.id = s.cohort_id
          WHERE d.guild_id = $1 AND d.event_id IS NOT NULL AND c.interested_is_rsvp
            AND s.status = 'scheduled' AND s.starts_at > $2
          ORDER BY s.starts_at, s.id",
    )
    .bind(guild_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// The Discord user ids of the session's RSVPs, each with whether "Interested" made it.
pub async fn rsvp_users(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
) -> sqlx::Result<Vec<(String, bool)>> {
    sqlx::query_as(
        "SELECT m.platform_user_id, r.via_interest FROM session_rsvps r
           JOIN members m ON m.id = r.member_id
          WHERE r.session_id = $1 AND m.platform = 'discord'
          ORDER BY m.platform_user_id",
    )
    .bind(session_id)
    .fetch_all(ex)
    .await
}
