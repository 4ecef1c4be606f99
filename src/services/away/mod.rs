//! Absences: `/away`, `/away set`, `/away list`, `/back`, and the welcome back on a
//! member's first morning back. A mentor's pause (`/mentor pause`) is an absence of scope
//! `mentoring`, so every rule that skips a paused mentor also skips a mentor who is away.

mod messages;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use super::lookup::{arg, find_member};
use super::{Destination, Invocation, Outcome, ServiceResult, audit_caller, enqueue, refuse};
use crate::domain::{Role, parse_timezone};
use crate::store::absences::{self, Absence, NewAbsence, Scope};
use crate::store::members::Member;
use crate::store::{cohorts, roles};

/// The welcome back waits for the member's morning: this long after local midnight.
const WELCOME_AFTER_MIDNIGHT_HOURS: i64 = 9;

/// The instant `day` begins in `zone` (its first real instant where DST skips midnight).
pub(crate) fn start_of_day(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    crate::domain::window::wall_clock(zone, day.and_time(chrono::NaiveTime::MIN))
}

/// The zone a member's days are in: their own, else their first cohort's, else UTC.
pub(crate) async fn home_zone(tx: &mut PgConnection, member: &Member) -> sqlx::Result<Tz> {
    if let Some(tz) = member
        .timezone
        .as_deref()
        .and_then(|z| parse_timezone(z).ok())
    {
        return Ok(tz);
    }
    let enrolled = cohorts::enrolled(&mut *tx, member.id).await?;
    Ok(enrolled
        .first()
        .and_then(|c| parse_timezone(&c.timezone).ok())
        .unwrap_or(Tz::UTC))
}

fn direct(member: &Member) -> Destination {
    Destination::Direct {
        member_id: member.id,
        display_name: member.display_name.clone(),
    }
}

/// `/away <until> [from:] [note:]`: the caller is away.
pub async fn away(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = inv.caller.member.clone();
    let absence = set(tx, now, inv, &me).await?;
    let reply = if absence.started(now) {
        messages::away_now(&absence)
    } else {
        messages::away_later(&absence)
    };
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

/// `/away set @member <from> <until>`: a steward records someone's absence; they are told.
pub async fn set_for(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let member = find_member(&mut *tx, &inv.caller, arg(inv, "user")?).await?;
    let absence = set(tx, now, inv, &member).await?;
    let mut outcome = Outcome::reply(
        messages::set_for(&member.display_name, &absence),
        inv.spec.visibility,
    );
    if member.id != inv.caller.member.id {
        outcome = outcome.with_post(
            direct(&member),
            messages::told_away(&inv.caller.member.display_name, &absence),
        );
    }
    Ok(outcome)
}

/// Checks and records an absence of `member` from the command's `from`/`until`.
async fn set(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    member: &Member,
) -> ServiceResult<Absence> {
    let zone = home_zone(tx, member).await?;
    let today = now.with_timezone(&zone).date_naive();
    let until = inv
        .args
        .date("until")
        .ok_or_else(|| super::ServiceError::User(messages::needs_until()))?;
    let from = inv.args.date("from").unwrap_or(today);
    // This week may be excused after the fact (off sick since Monday); earlier weeks are
    // history and stay as they were.
    let this_monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    if until < today {
        return refuse(messages::already_over(until));
    }
    // A steward recording someone else's absence is told of theirs, not of "yours".
    let other = (member.id != inv.caller.member.id).then_some(member.display_name.as_str());
    if until < from {
        return refuse(messages::ends_before_start(from, until, other));
    }
    if from < this_monday {
        return refuse(messages::starts_too_early(this_monday));
    }
    let settings = absences::settings(&mut *tx, inv.caller.community_id).await?;
    let days = (until - from).num_days() + 1;
    if days > i64::from(settings.absence_max_days) {
        return refuse(messages::too_long(days, settings.absence_max_days));
    }
    absences::lock_member(&mut *tx, member.id).await?;
    if let Some(overlapping) = absences::overlapping(&mut *tx, member.id, from, until, now).await? {
        return refuse(messages::overlaps(&overlapping, other));
    }
    let note = inv.args.text("note");
    let new = NewAbsence {
        community_id: inv.caller.community_id,
        member_id: member.id,
        scope: Scope::All,
        first_day: from,
        last_day: Some(until),
        zone: zone.name(),
        starts_at: start_of_day(zone, from),
        ends_at: Some(start_of_day(zone, until + Days::new(1))),
        note,
        set_by: inv.caller.member.id,
    };
    let absence = absences::insert(&mut *tx, &new, now).await?;
    let detail = json!({ "member": member.platform_user_id, "from": from, "until": until });
    audit_caller(tx, inv, "away.set", detail, now).await?;
    Ok(absence)
}

/// `/back`: ends the caller's current absence (and a mentoring pause) today and says what
/// they missed; with none current, cancels the next one.
pub async fn back(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let zone = home_zone(tx, me).await?;
    let yesterday = now.with_timezone(&zone).date_naive() - Days::new(1);
    let open = absences::open(&mut *tx, me.id, None, now).await?;
    let (current, upcoming): (Vec<&Absence>, Vec<&Absence>) =
        open.iter().partition(|a| a.started(now));
    if current.is_empty() {
        let Some(next) = upcoming.first() else {
            return refuse(messages::not_away());
        };
        absences::cancel(&mut *tx, next.id).await?;
        audit_caller(tx, inv, "away.cancel", json!({}), now).await?;
        return Ok(Outcome::reply(
            messages::cancelled(next),
            inv.spec.visibility,
        ));
    }
    let mut missed = None;
    let mut pause_ended = false;
    for absence in &current {
        absences::end(&mut *tx, absence.id, yesterday, now).await?;
        match absence.scope {
            Scope::All => {
                absences::mark_welcomed(&mut *tx, absence.id, now).await?;
                missed = Some(absences::missed(&mut *tx, me.id, absence.starts_at, now).await?);
            }
            Scope::Mentoring => pause_ended = true,
        }
    }
    audit_caller(tx, inv, "away.back", json!({}), now).await?;
    let reply = match &missed {
        Some(missed) => messages::welcome_back(missed),
        None => messages::pause_over(),
    };
    let mut outcome = Outcome::reply(reply, inv.spec.visibility);
    if pause_ended {
        outcome = super::mentoring::tell_learners_back(tx, me, outcome).await?;
    }
    Ok(outcome)
}

/// `/away list`: the caller's own absences; a mentor also sees their learners', a steward
/// everyone's.
pub async fn list(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let mine = absences::open_of(&mut *tx, &[me.id], now).await?;
    let steward = roles::holds_community_role(&mut *tx, me.id, Role::Steward).await?;
    let others = if steward {
        absences::open_in_community(&mut *tx, inv.caller.community_id, me.id, now).await?
    } else {
        let people = absences::mentees(&mut *tx, me.id).await?;
        absences::open_of(&mut *tx, &people, now).await?
    };
    Ok(Outcome::reply(
        messages::list(&mine, &others, steward, now),
        inv.spec.visibility,
    ))
}

/// Welcomes back, once each, the members whose absence ended by this morning: what they
/// missed (sessions, mentor replies, new talks) in one DM. Returns the DMs queued.
pub async fn welcome_returning(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    let due_before = now - chrono::Duration::hours(WELCOME_AFTER_MIDNIGHT_HOURS);
    let mut sent = 0;
    for returning in absences::to_welcome(&mut *tx, due_before).await? {
        let missed = absences::missed(
            &mut *tx,
            returning.member_id,
            returning.starts_at,
            returning.ends_at,
        )
        .await?;
        absences::mark_welcomed(&mut *tx, returning.id, now).await?;
        let to = Destination::Direct {
            member_id: returning.member_id,
            display_name: returning.display_name.clone(),
        };
        let key = format!("welcome-back:{}", returning.id);
        let body = messages::welcome_back(&missed);
        sent += u64::from(enqueue(&mut tx, returning.community_id, &key, &to, &body, now).await?);
    }
    tx.commit().await?;
    if sent > 0 {
        tracing::info!(sent, "welcomed members back");
    }
    Ok(sent)
}
