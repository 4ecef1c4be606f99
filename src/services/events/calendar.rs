//! A cohort's (or a circle's) sessions as an RFC 5545 calendar (the `icalendar` crate does the format:
//! escaping, line folding, CRLF).

use chrono::{DateTime, Duration, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use subtle::ConstantTimeEq;

use super::messages::kind_label;
use crate::store::sessions::TalkStatus;
use crate::store::sessions::{self, Session, Talk};

/// Past sessions shown in the feed.
const PAST_DAYS: i64 = 90;

/// The calendar feed of `community`'s `cohort` for the holder of its secret `key`
/// (`/event ical`), compared in constant time. `None` for an unknown cohort and for a
/// wrong or old key alike, so a guess learns nothing.
pub async fn feed(
    pool: &sqlx::PgPool,
    now: DateTime<Utc>,
    community: &str,
    cohort: &str,
    key: &str,
) -> sqlx::Result<Option<String>> {
    let mut conn = pool.acquire().await?;
    let found = sessions::feed(&mut *conn, community, cohort).await?;
    serve(&mut conn, found, key, now).await
}

/// [`feed`] for a circle's sessions (`/event ical circle:…`).
pub async fn circle_feed(
    pool: &sqlx::PgPool,
    now: DateTime<Utc>,
    community: &str,
    circle: &str,
    key: &str,
) -> sqlx::Result<Option<String>> {
    let mut conn = pool.acquire().await?;
    let found = sessions::circle_feed(&mut *conn, community, circle).await?;
    serve(&mut conn, found, key, now).await
}

/// The feed's calendar if `key` is its token; `None` for no feed and a wrong key alike.
async fn serve(
    conn: &mut sqlx::PgConnection,
    feed: Option<sessions::FeedCohort>,
    key: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<String>> {
    let Some(feed) = feed else {
        return Ok(None);
    };
    if !bool::from(feed.token.as_bytes().ct_eq(key.as_bytes())) {
        tracing::info!(calendar = %feed.cohort_name, "calendar requested with a wrong key");
        return Ok(None);
    }
    let since = now - Duration::days(PAST_DAYS);
    let mut rows = Vec::new();
    for session in sessions::for_calendar(&mut *conn, feed.cohort_id, since).await? {
        let talks = sessions::talks(&mut *conn, session.id).await?;
        rows.push((session, talks));
    }
    Ok(Some(build(&feed.cohort_name, &feed.timezone, &rows, now)))
}

const PRODID: &str = concat!(
    "-//cohortbot//cohortbot ",
    env!("CARGO_PKG_VERSION"),
    "//EN"
);

/// `sessions` with their active talks, in start order.
pub fn build(
    cohort_name: &str,
    zone: &str,
    sessions: &[(Session, Vec<Talk>)],
    now: DateTime<Utc>,
) -> String {
    // The crate's defaults name the crate as the product; clients show PRODID when asked
    // where a feed comes from, so it names cohortbot.
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("CALSCALE", "GREGORIAN"));
    calendar.name(&format!("{cohort_name} sessions"));
    calendar.timezone(zone);
    for (session, talks) in sessions {
        let mut description = format!("{} #{}", kind_label(&session.kind), session.number);
        let active: Vec<&Talk> = talks
            .iter()
            .filter(|t| t.status == TalkStatus::Active)
            .collect();
        if !active.is_empty() {
            description.push_str("\nTalks:");
            for (i, talk) in active.iter().enumerate() {
                description.push_str(&format!(
                    "\n{}. {} — {}",
                    i + 1,
                    talk.title,
                    talk.speaker_name
                ));
            }
        }
        let mut event = Event::new();
        event
            .uid(&format!("session-{}@cohortbot", session.id))
            .timestamp(now)
            .sequence(u32::try_from(session.sequence).unwrap_or_default())
            .summary(&session.title)
            .description(&description)
            .starts(session.starts_at)
            .ends(session.ends_at())
            .status(if session.is_cancelled() {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        if let Some(location) = &session.location {
            event.location(location);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}
