//! Clinic queues: learners line up at a running clinic or office-hours session with a
//! topic, see their place and an estimated wait, and a mentor calls them in turn.
//!
//! A queue opens 30 minutes before its session starts and closes when it ends. The wait is
//! the learner's place times the median time a helper spent with each learner in the
//! session's series (ten minutes before there is any). The session's row is locked by each
//! command, so places are counted on a settled line; calling the next learner also skips
//! rows locked by a concurrent call, so two helpers calling at once get two learners.

pub(crate) mod messages;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::events::find_session;
use super::events::when::zone_or;
use super::lookup::arg;
use super::{Destination, Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::domain::Role;
use crate::store::clinics::{self, OPENS_BEFORE_MINUTES, Place};
use crate::store::knowledge::{self, NewEntry};
use crate::store::roles;
use crate::store::sessions::Session;

/// The wait per learner ahead before any clinic of the series has finished helping one.
const DEFAULT_HELP_MINUTES: f64 = 10.0;
/// Session kinds that keep a queue.
const QUEUE_KINDS: &[&str] = &["clinic", "office_hours"];

fn dm(member_id: uuid::Uuid, display_name: &str) -> Destination {
    Destination::Direct {
        member_id,
        display_name: display_name.to_owned(),
    }
}

/// Why the session's queue is not open at `now`, if it is not.
fn queue_closed(session: &Session, now: DateTime<Utc>) -> Option<crate::render::Message> {
    if !QUEUE_KINDS.contains(&session.kind.as_str()) {
        return Some(messages::not_a_clinic(session.number));
    }
    if session.is_cancelled() {
        return Some(messages::cancelled(session.number));
    }
    let opens = session.starts_at - Duration::minutes(OPENS_BEFORE_MINUTES);
    if now < opens {
        return Some(messages::not_open_yet(session.number, opens));
    }
    if now >= session.ends_at() {
        return Some(messages::over(session.number));
    }
    None
}

/// The wait before someone at `position` is called, from the series' median help time.
async fn estimated_wait(
    tx: &mut PgConnection,
    session: uuid::Uuid,
    position: i64,
) -> ServiceResult<Duration> {
    let per_learner = clinics::median_help_minutes(&mut *tx, session)
        .await?
        .unwrap_or(DEFAULT_HELP_MINUTES);
    Ok(Duration::seconds(
        (per_learner * 60.0 * position as f64).round() as i64,
    ))
}

pub async fn join(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let session = find_session(tx, inv, inv.args.int("session").unwrap_or_default()).await?;
    if let Some(reason) = queue_closed(&session, now) {
        return refuse(reason);
    }
    let me = &inv.caller.member;
    let topic = arg(inv, "topic")?;
    let was_empty = clinics::waiting_count(&mut *tx, session.id).await? == 0;
    let Some(id) = clinics::join(
        &mut *tx,
        inv.caller.community_id,
        session.id,
        me.id,
        topic,
        now,
    )
    .await?
    else {
        let place = clinics::open_place_of(&mut *tx, me.id, now)
            .await?
            .filter(|p| p.session_id == session.id);
        return refuse(messages::already_queued(session.number, place.as_ref()));
    };
    audit_caller(
        tx,
        inv,
        "clinic.join",
        json!({ "session": session.number }),
        now,
    )
    .await?;
    let place = clinics::place(&mut *tx, id).await?;
    let wait = estimated_wait(tx, session.id, place.position).await?;
    let zone = zone_or(me.timezone.as_deref(), chrono_tz::UTC);
    let mut outcome = Outcome::reply(
        messages::joined(&place, wait, now, zone),
        inv.spec.visibility,
    );
    if place.position == 1 {
        clinics::take_next_notice(&mut *tx, session.id, now).await?;
    }
    // The helpers hear when the line stops being empty, not at every join.
    if was_empty {
        for (member_id, name) in clinics::helpers(&mut *tx, session.id).await? {
            outcome = outcome.with_post(dm(member_id, &name), messages::queue_started(&place));
        }
    }
    Ok(outcome)
}

pub async fn position(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let me = &inv.caller.member;
    let Some(place) = clinics::open_place_of(&mut *tx, me.id, now).await? else {
        return refuse(messages::not_queued());
    };
    if place.status == "helping" {
        return Ok(Outcome::reply(
            messages::being_helped(&place),
            inv.spec.visibility,
        ));
    }
    let wait = estimated_wait(tx, place.session_id, place.position).await?;
    let zone = zone_or(me.timezone.as_deref(), chrono_tz::UTC);
    Ok(Outcome::reply(
        messages::position(&place, wait, now, zone),
        inv.spec.visibility,
    ))
}

pub async fn leave(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let Some(place) = clinics::open_place_of(&mut *tx, me.id, now).await? else {
        return refuse(messages::not_queued());
    };
    // Lock the line so the next learner's notice is counted on it.
    find_session(tx, inv, i64::from(place.session_number)).await?;
    clinics::finish(&mut *tx, place.id, "left", None, now).await?;
    audit_caller(
        tx,
        inv,
        "clinic.leave",
        json!({ "session": place.session_number }),
        now,
    )
    .await?;
    let outcome = Outcome::reply(messages::left(&place), inv.spec.visibility);
    notify_next(tx, place.session_id, now, outcome).await
}

/// Tells the learner now first in line, once, that they are next.
async fn notify_next(
    tx: &mut PgConnection,
    session: uuid::Uuid,
    now: DateTime<Utc>,
    outcome: Outcome,
) -> ServiceResult {
    let Some(id) = clinics::take_next_notice(&mut *tx, session, now).await? else {
        return Ok(outcome);
    };
    let next = clinics::place(&mut *tx, id).await?;
    Ok(outcome.with_post(
        dm(next.member_id, &next.display_name),
        messages::you_are_next(&next),
    ))
}

/// Mentors of any kind and stewards help at clinics; so does the session's host.
async fn may_help(
    tx: &mut PgConnection,
    inv: &Invocation,
    session: Option<&Session>,
) -> ServiceResult<()> {
    let me = inv.caller.member.id;
    if session.is_some_and(|s| s.created_by == Some(me)) {
        return Ok(());
    }
    for role in [Role::Steward, Role::LeadMentor, Role::CommunityMentor] {
        if roles::holds_anywhere(&mut *tx, me, role).await? {
            return Ok(());
        }
    }
    refuse(messages::helpers_only())
}

/// The session a helper names, or the one clinic whose queue is open now.
async fn helper_session(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult<Session> {
    if let Some(number) = inv.args.int("session") {
        return find_session(tx, inv, number).await;
    }
    let open = clinics::open_sessions(&mut *tx, inv.caller.community_id, now).await?;
    match open.as_slice() {
        [(number, _)] => find_session(tx, inv, i64::from(*number)).await,
        [] => refuse(messages::no_open_clinic()),
        several => refuse(messages::which_clinic(several)),
    }
}

pub async fn next(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let session = helper_session(tx, now, inv).await?;
    may_help(tx, inv, Some(&session)).await?;
    if let Some(reason) = queue_closed(&session, now) {
        return refuse(reason);
    }
    let me = &inv.caller.member;
    // Calling the next learner finishes the one this helper was with.
    let finished = match clinics::helping(&mut *tx, me.id).await? {
        Some(current) => {
            clinics::finish(&mut *tx, current.id, "done", None, now).await?;
            Some(current)
        }
        None => None,
    };
    let Some(id) = clinics::call_next(&mut *tx, session.id, me.id, now).await? else {
        return Ok(Outcome::reply(
            messages::nobody_waiting(session.number, finished.as_ref()),
            inv.spec.visibility,
        ));
    };
    let called = clinics::place(&mut *tx, id).await?;
    audit_caller(
        tx,
        inv,
        "clinic.next",
        json!({ "session": session.number, "learner": called.member_id }),
        now,
    )
    .await?;
    let left = clinics::waiting_count(&mut *tx, session.id).await?;
    let outcome = Outcome::reply(
        messages::called(&called, finished.as_ref(), left),
        inv.spec.visibility,
    )
    .with_post(
        dm(called.member_id, &called.display_name),
        messages::you_are_up(&called, &me.display_name),
    );
    notify_next(tx, session.id, now, outcome).await
}

pub async fn done(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    may_help(tx, inv, None).await?;
    finish_current(tx, now, inv, "done").await
}

pub async fn noshow(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    may_help(tx, inv, None).await?;
    finish_current(tx, now, inv, "noshow").await
}

/// Ends the helper's current learner as `status`; a note with `save:kb` becomes a draft
/// clinic note in the knowledge base, owned by the helper.
async fn finish_current(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    status: &str,
) -> ServiceResult {
    let me = &inv.caller.member;
    let Some(current) = clinics::helping(&mut *tx, me.id).await? else {
        return refuse(messages::helping_nobody());
    };
    let note = inv.args.text("note");
    let save = inv.args.text("save").is_some();
    if save && note.is_none() {
        return refuse(messages::save_needs_a_note());
    }
    clinics::finish(&mut *tx, current.id, status, note, now).await?;
    audit_caller(
        tx,
        inv,
        &format!("clinic.{status}"),
        json!({ "session": current.session_number, "learner": current.member_id }),
        now,
    )
    .await?;
    let saved = match (save, note) {
        (true, Some(note)) => Some(save_note(tx, now, inv, &current, note).await?),
        _ => None,
    };
    let reply = if status == "noshow" {
        messages::marked_noshow(&current)
    } else {
        messages::finished(&current, saved.as_deref())
    };
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

/// A clinic note, as a draft only its author and the stewards read until it is published:
/// a learner's question may need tidying before everyone reads it.
async fn save_note(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    place: &Place,
    note: &str,
) -> ServiceResult<String> {
    let community = inv.caller.community_id;
    let title = messages::note_title(place);
    let slug = super::knowledge::slug_for(tx, community, &title).await?;
    let inserted = knowledge::insert(
        &mut *tx,
        &NewEntry {
            community_id: community,
            slug: &slug,
            kind: "clinic_note",
            title: &title,
            body: note,
            tags: &["clinic".to_owned()],
            owner_id: Some(inv.caller.member.id),
            visibility: "community",
            cohort_id: None,
            circle_id: place.circle_id,
            verify_every_days: 90,
            draft: true,
        },
        now,
    )
    .await;
    super::knowledge::just_taken(inserted, &slug)?;
    Ok(slug)
}

pub async fn announce(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let session = helper_session(tx, now, inv).await?;
    may_help(tx, inv, Some(&session)).await?;
    let text = arg(inv, "text")?;
    let waiting = clinics::waiting(&mut *tx, session.id).await?;
    if waiting.is_empty() {
        return refuse(messages::nobody_to_tell(session.number));
    }
    audit_caller(
        tx,
        inv,
        "clinic.announce",
        json!({ "session": session.number }),
        now,
    )
    .await?;
    let message = messages::announcement(&session, &inv.caller.member.display_name, text);
    let mut outcome = Outcome::reply(
        messages::announced(session.number, waiting.len()),
        inv.spec.visibility,
    );
    for place in &waiting {
        outcome = outcome.with_post(dm(place.member_id, &place.display_name), message.clone());
    }
    Ok(outcome)
}
