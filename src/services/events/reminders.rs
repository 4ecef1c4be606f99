//! Session reminders, 24 h and 1 h before the start: to the speakers (with their slot), to
//! the RSVPs (on a `host_picks` session, the picked and the standby list, each told which), and the lineup to the cohort's (or circle's) channel. Each (reminder, session, start) is
//! claimed once in `trigger_ticks`, like the cron triggers, so a moved session is
//! reminded again at its new time and a re-run sends nothing twice.

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use super::{messages, when};
use crate::services::{Destination, enqueue_until};
use crate::store::schedule as state;
use crate::store::sessions::{self, Session};
use crate::store::sessions::{Selection, TalkStatus};

/// How long before the start each reminder goes out, and how late it may still go out.
const LEADS: [(i64, i64); 2] = [(24, 6 * 60), (1, 15)];

/// Sends the reminders falling in `(since, now]`; returns (reminders fired, posts queued).
pub async fn run(pool: &PgPool, since: DateTime<Utc>, now: DateTime<Utc>) -> Result<(u32, u64)> {
    let (mut fired, mut posts) = (0, 0);
    for (hours, grace_minutes) in LEADS {
        let lead = Duration::hours(hours);
        for session in sessions::due_for_reminder(pool, lead, since, now).await? {
            let tick = session.starts_at - lead;
            let key = format!("session_reminder_{hours}h:{}", session.id);
            if now - tick > Duration::minutes(grace_minutes) {
                if state::skip_late(pool, &key, session.community_id, tick, now).await? {
                    tracing::warn!(trigger = %key, %tick, "session reminder missed beyond its grace window; skipped");
                }
                continue;
            }
            let sent = remind(pool, &session, hours, &key, tick, now)
                .await
                .with_context(|| format!("reminding session {} ({hours} h)", session.id))?;
            if let Some(sent) = sent {
                fired += 1;
                posts += sent;
            }
        }
    }
    Ok((fired, posts))
}

/// Claims and sends one reminder in one transaction; `None` when already claimed.
async fn remind(
    pool: &PgPool,
    session: &Session,
    hours: i64,
    key: &str,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<u64>> {
    let mut tx = pool.begin().await?;
    if !state::claim_one(&mut *tx, key, session.community_id, tick, now).await? {
        return Ok(None);
    }
    let home = sessions::home(&mut *tx, session)
        .await?
        .context("the session's cohort or circle")?;
    let cohort_zone = when::cohort_zone(&home.timezone);
    let lead = messages::lead_label(hours);
    let talks = sessions::talks(&mut *tx, session.id).await?;
    let base = format!("{key}:{}", tick.timestamp());
    // A reminder is pointless once the session has started.
    let until = Some(session.starts_at);
    let mut sent = 0;
    let mut told = Vec::new();
    for (slot, talk) in talks
        .iter()
        .filter(|t| t.status == TalkStatus::Active)
        .enumerate()
    {
        let zone = when::zone_or(talk.speaker_timezone.as_deref(), cohort_zone);
        let body = messages::reminder_speaker(session, &lead, slot + 1, zone);
        let to = Destination::Direct {
            member_id: talk.speaker_id,
            display_name: talk.speaker_name.clone(),
        };
        let key = format!("{base}:{}", talk.speaker_id);
        sent += u64::from(
            enqueue_until(&mut tx, session.community_id, &key, &to, &body, now, until).await?,
        );
        told.push(talk.speaker_id);
    }
    let host_picks = session.selection == Selection::HostPicks;
    for sign_up in sessions::sign_ups(&mut *tx, session.id).await? {
        if told.contains(&sign_up.id) {
            continue;
        }
        let person = sign_up.person();
        let zone = when::zone_or(person.timezone.as_deref(), cohort_zone);
        // On a host_picks session, only the picked are expected; the rest are on standby.
        let body = if host_picks && !sign_up.picked {
            messages::reminder_standby(session, &lead, zone)
        } else {
            messages::reminder_rsvp(session, &lead, zone)
        };
        let key = format!("{base}:{}", person.id);
        sent += u64::from(
            enqueue_until(
                &mut tx,
                session.community_id,
                &key,
                &super::dm(&person),
                &body,
                now,
                until,
            )
            .await?,
        );
    }
    if let Some(channel) = &home.channel {
        let body = messages::lineup(session, &lead, &talks, cohort_zone);
        let to = Destination::Channel(channel.clone());
        let key = format!("{base}:channel");
        sent += u64::from(
            enqueue_until(&mut tx, session.community_id, &key, &to, &body, now, until).await?,
        );
    }
    tx.commit().await?;
    tracing::info!(
        session = session.number,
        hours,
        posts = sent,
        "session reminder sent"
    );
    Ok(Some(sent))
}
