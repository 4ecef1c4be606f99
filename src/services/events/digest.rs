//! The cohort digest's lines about milestones verified this week and the coming sessions.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sqlx::PgConnection;

use super::{messages, when};
use crate::render::Message;
use crate::store::cohorts::Cohort;
use crate::store::{milestones, sessions};

/// Sessions in the digest's "coming up" line.
const UPCOMING_SHOWN: i64 = 3;

/// Empty when there is nothing to say, so quiet cohorts' digests are unchanged.
pub async fn section(
    tx: &mut PgConnection,
    cohort: &Cohort,
    zone: Tz,
    at: DateTime<Utc>,
) -> sqlx::Result<Message> {
    let verified =
        milestones::verified_between(&mut *tx, cohort.id, at - Duration::days(7), at).await?;
    let upcoming: Vec<_> = sessions::upcoming(
        &mut *tx,
        sessions::Homes {
            cohorts: &[cohort.id],
            circles: &[],
        },
        at,
        UPCOMING_SHOWN,
        0,
    )
    .await?
    .into_iter()
    .filter(|s| s.starts_at > at && s.starts_at <= at + Duration::days(7))
    .collect();
    let mut msg = Message::new();
    if verified > 0 {
        msg = msg
            .line()
            .text(format!("🏅 Milestones verified this week: {verified}"));
    }
    if !upcoming.is_empty() {
        msg = msg.line().text("📅 Coming up:");
        for session in &upcoming {
            msg = msg
                .line()
                .text("  ")
                .push(messages::session_name(session))
                .text(format!(", {}", when::for_channel(session.starts_at, zone)));
        }
    }
    Ok(msg)
}
