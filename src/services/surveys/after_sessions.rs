//! The DM after each session: "How was it?" with five rating buttons, to those recorded as
//! attending (or, when nobody was, to those who signed up or spoke). Each session's DM is
//! claimed once in `trigger_ticks`, like the reminders, so a re-run sends nothing twice.

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use super::messages;
use crate::services::enqueue_until;
use crate::store::schedule as state;
use crate::store::sessions::{self, Session};
use crate::store::surveys;

/// How late after a session's end its DM may still go out: the evening after, not days.
const GRACE_HOURS: i64 = 6;

/// Sends the DMs of the sessions that ended in `(since, now]`; returns (sessions asked
/// about, DMs queued).
pub async fn run(pool: &PgPool, since: DateTime<Utc>, now: DateTime<Utc>) -> Result<(u32, u64)> {
    let (mut fired, mut posts) = (0, 0);
    for session in sessions::ended_between(pool, since, now).await? {
        let tick = session.ends_at();
        let key = format!("session_feedback:{}", session.id);
        if now - tick > Duration::hours(GRACE_HOURS) {
            if state::skip_late(pool, &key, session.community_id, tick, now).await? {
                tracing::warn!(trigger = %key, %tick, "session feedback missed beyond its grace window; skipped");
            }
            continue;
        }
        let sent = ask(pool, &session, &key, tick, now)
            .await
            .with_context(|| format!("asking for feedback on session {}", session.id))?;
        if let Some(sent) = sent {
            fired += 1;
            posts += sent;
        }
    }
    Ok((fired, posts))
}

/// Claims and sends one session's DMs in one transaction; `None` when already claimed.
async fn ask(
    pool: &PgPool,
    session: &Session,
    key: &str,
    tick: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<u64>> {
    let mut tx = pool.begin().await?;
    if !state::claim_one(&mut *tx, key, session.community_id, tick, now).await? {
        return Ok(None);
    }
    super::settings(&mut tx, session.community_id)
        .await
        .context("the community's survey settings")?;
    let survey = super::session_survey(&mut tx, session, now).await?;
    let body = messages::ask_session(session, &survey);
    let mut sent = 0;
    for person in surveys::session_respondents(&mut *tx, session.id).await? {
        let dm = crate::services::events::dm(&person);
        let key = format!("{key}:{}", person.id);
        // An answer after the survey closes is refused, so the DM is pointless by then.
        sent += u64::from(
            enqueue_until(
                &mut tx,
                session.community_id,
                &key,
                &dm,
                &body,
                now,
                Some(survey.closes_at),
            )
            .await?,
        );
    }
    tx.commit().await?;
    tracing::info!(
        session = session.number,
        dms = sent,
        "session feedback asked"
    );
    Ok(Some(sent))
}
