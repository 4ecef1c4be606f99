//! Answers to the open blocker a check-in prompt shows (its Resolved and Still blocked
//! buttons, or `/checkin resolved` and `/checkin stuck`): resolved takes it off the
//! mentors' list of who is stuck; still blocked tells the lead mentor again, once a day.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::messages;
use crate::services::lookup::optional_cohort;
use crate::services::mentoring::today_for;
use crate::services::{Destination, Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::store::checkins::{self, OpenBlocker};

/// The caller's open blocker: in the named cohort, or the only cohort with one.
async fn open_blocker(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<OpenBlocker> {
    let cohort = optional_cohort(&mut *tx, inv).await?;
    let member = &inv.caller.member;
    let mut open =
        checkins::open_blockers(&mut *tx, member.id, cohort.as_ref().map(|c| c.id)).await?;
    match (open.len(), cohort) {
        (1, _) => Ok(open.remove(0)),
        (0, cohort) => refuse(messages::no_open_blocker(
            cohort.as_ref().map(|c| c.name.as_str()),
        )),
        _ => {
            let slugs: Vec<String> = open.into_iter().map(|b| b.cohort_slug).collect();
            refuse(messages::which_blocker(&slugs))
        }
    }
}

/// `/checkin resolved [cohort]`.
pub async fn resolved(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let blocker = open_blocker(tx, inv).await?;
    let member = &inv.caller.member;
    checkins::resolve_blockers(&mut *tx, blocker.cohort_id, member.id, now).await?;
    let detail = json!({ "cohort": blocker.cohort_slug, "period": blocker.period });
    audit_caller(tx, inv, "checkin.blocker_resolved", detail, now).await?;
    Ok(Outcome::reply(
        messages::blocker_resolved(&blocker.cohort_name, &blocker.blockers),
        inv.spec.visibility,
    ))
}

/// `/checkin stuck [cohort]`: the lead mentors hear it (a covering mentor while they are
/// all away, the stewards when the cohort has none), at most once a day per blocker.
pub async fn stuck(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let blocker = open_blocker(tx, inv).await?;
    let member = &inv.caller.member;
    let community = inv.caller.community_id;
    let (_, heard) =
        super::who_hears(tx, blocker.cohort_id, member.id, community, None, now).await?;
    if heard.is_empty() {
        return refuse(messages::nobody_to_tell(&blocker.cohort_name));
    }
    let today = today_for(member.timezone.as_deref(), now);
    let notice = messages::still_blocked(
        &member.display_name,
        &member.platform_user_id,
        &blocker.cohort_name,
        &blocker.period,
        &blocker.blockers,
    );
    let mut told = Vec::new();
    for (mentor_id, display_name) in heard {
        let key = format!("still-blocked:{}:{mentor_id}:{today}", blocker.checkin_id);
        let to = Destination::Direct {
            member_id: mentor_id,
            display_name: display_name.clone(),
        };
        if crate::services::enqueue(&mut *tx, community, &key, &to, &notice, now).await? {
            told.push(display_name);
        }
    }
    if told.is_empty() {
        return refuse(messages::already_told_today());
    }
    let detail = json!({ "cohort": blocker.cohort_slug, "period": blocker.period });
    audit_caller(tx, inv, "checkin.still_blocked", detail, now).await?;
    Ok(Outcome::reply(
        messages::told_still_blocked(&told),
        inv.spec.visibility,
    ))
}
