//! Host picks: on a `host_picks` session an RSVP is a sign-up, and the host chooses who
//! comes (`/event pick`). The picked hear so by DM; reminders tell the picked and the
//! standby list apart (`reminders.rs`).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use super::{audit_session, hosted_session, messages, named_members, when};
use crate::services::{Destination, Invocation, Outcome, ServiceResult, refuse};
use crate::store::sessions::{self, Selection};

/// Names `/event pick N` lists in each group before "and N more".
const LISTED: usize = 50;

/// `/event pick <session> [users]`: without names, the sign-ups; with names, picks them.
pub async fn pick(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let (session, home) = hosted_session(tx, inv).await?;
    if session.selection != Selection::HostPicks {
        return refuse(messages::not_host_picks(session.number));
    }
    if session.is_cancelled() {
        return refuse(messages::already_cancelled(session.number));
    }
    let sign_ups = sessions::sign_ups(&mut *tx, session.id).await?;
    let Some(typed) = inv.args.text("users") else {
        return Ok(Outcome::reply(
            messages::sign_ups(&session, &sign_ups, LISTED),
            inv.spec.visibility,
        ));
    };
    if session.starts_at <= now {
        return refuse(messages::session_in_past(session.number));
    }
    let people = named_members(tx, inv, typed).await?;
    if let Some(stranger) = people
        .iter()
        .find(|p| !sign_ups.iter().any(|s| s.id == p.id))
    {
        return refuse(messages::not_signed_up(
            &stranger.display_name,
            session.number,
        ));
    }
    let host = &inv.caller.member;
    let cohort_zone = when::cohort_zone(&home.timezone);
    let (mut picked, mut already) = (Vec::new(), Vec::new());
    let mut dms = Vec::new();
    for person in &people {
        if sessions::pick(&mut *tx, session.id, person.id, host.id, now).await? {
            picked.push(person.display_name.clone());
            let zone = when::zone_or(person.timezone.as_deref(), cohort_zone);
            let to = Destination::Direct {
                member_id: person.id,
                display_name: person.display_name.clone(),
            };
            dms.push((to, messages::picked_dm(&session, &host.display_name, zone)));
        } else {
            already.push(person.display_name.clone());
        }
    }
    audit_session(tx, inv, "session.pick", &session, now).await?;
    let was_picked = sign_ups.iter().filter(|s| s.picked).count();
    let standby = sign_ups.len() - was_picked - picked.len();
    let mut outcome = Outcome::reply(
        messages::picked_reply(session.number, &picked, &already, standby),
        inv.spec.visibility,
    );
    for (to, message) in dms {
        outcome = outcome.with_post(to, message);
    }
    Ok(outcome)
}
