//! Lightning talks: proposals into a session's slots, the waitlist and its promotion on a
//! withdrawal, and the lists.

mod messages;

use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::PgConnection;

use super::events::{self, when};
use super::lookup::{arg, find_cohort};
use super::messages as shared;
use super::paging::Page;
use super::{Destination, Invocation, Outcome, ServiceResult, refuse};
use crate::store::cohorts;
use crate::store::sessions::TalkStatus;
use crate::store::sessions::{self, Session};

pub async fn propose(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let session = match inv.args.int("session") {
        Some(number) => events::find_session(tx, inv, number).await?,
        None => next_session_with_slots(tx, inv, now).await?,
    };
    events::open_for_signup(&session, now)?;
    if session.slots == 0 || !events::TALK_KINDS.contains(&session.kind.as_str()) {
        return refuse(messages::no_talk_slots(session.number));
    }
    let title = arg(inv, "title")?;
    let talks = sessions::talks(&mut *tx, session.id).await?;
    if let Some(mine) = talks.iter().find(|t| t.speaker_id == me.id) {
        return refuse(messages::one_talk_per_session(session.number, &mine.title));
    }
    let active = talks
        .iter()
        .filter(|t| t.status == TalkStatus::Active)
        .count();
    let waitlisted = active >= session.slots as usize;
    let status = if waitlisted {
        TalkStatus::Waitlisted
    } else {
        TalkStatus::Active
    };
    let added = sessions::add_talk(
        &mut *tx,
        inv.caller.community_id,
        session.id,
        me.id,
        title,
        inv.args.text("abstract"),
        status,
        now,
    )
    .await?;
    if !added {
        return refuse(messages::one_talk_per_session(session.number, title));
    }
    audit_talk(tx, inv, "talk.propose", &session, status.as_str(), now).await?;
    // The lineup is in the session's Discord event.
    events::mirror::queue(tx, session.id, now).await?;
    let zone = my_zone(tx, inv, &session).await?;
    let reply = if waitlisted {
        let place = talks
            .iter()
            .filter(|t| t.status == TalkStatus::Waitlisted)
            .count()
            + 1;
        messages::waitlisted(&session, title, place, zone)
    } else {
        messages::slotted(&session, title, active + 1, zone)
    };
    // The abstract as read back: a title typed without quotes ends at its first word, and
    // this is where the speaker sees it.
    let reply = match inv.args.text("abstract") {
        Some(summary) => reply.line().push(messages::abstract_read_back(
            title,
            summary,
            session.number,
            inv.title_may_be_cut(title),
        )),
        None => reply,
    };
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

pub async fn withdraw(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let me = &inv.caller.member;
    let session = match inv.args.int("session") {
        Some(number) => events::find_session(tx, inv, number).await?,
        None => {
            let mine = sessions::talks_of(&mut *tx, me.id, now).await?;
            match mine.as_slice() {
                [] => return refuse(messages::no_talks()),
                [one] => events::find_session(tx, inv, i64::from(one.number)).await?,
                several => {
                    let numbers: Vec<i32> = several.iter().map(|t| t.number).collect();
                    return refuse(messages::which_talk(&numbers));
                }
            }
        }
    };
    events::open_for_signup(&session, now)?;
    let talks = sessions::talks(&mut *tx, session.id).await?;
    let Some(mine) = talks.iter().find(|t| t.speaker_id == me.id) else {
        return refuse(messages::no_talk_in(session.number));
    };
    sessions::withdraw(&mut *tx, mine.id).await?;
    audit_talk(
        tx,
        inv,
        "talk.withdraw",
        &session,
        mine.status.as_str(),
        now,
    )
    .await?;
    events::mirror::queue(tx, session.id, now).await?;
    let mut outcome = Outcome::reply(
        messages::withdrawn(&session, &mine.title),
        inv.spec.visibility,
    );
    let first_waiting = talks.iter().find(|t| t.status == TalkStatus::Waitlisted);
    if let (true, Some(next)) = (mine.status == TalkStatus::Active, first_waiting) {
        sessions::promote(&mut *tx, next.id).await?;
        let slot = talks
            .iter()
            .filter(|t| t.status == TalkStatus::Active)
            .count();
        let home = events::home_of(tx, &session).await?;
        let zone = when::zone_or(
            next.speaker_timezone.as_deref(),
            when::cohort_zone(&home.timezone),
        );
        outcome = outcome.with_post(
            Destination::Direct {
                member_id: next.speaker_id,
                display_name: next.speaker_name.clone(),
            },
            messages::promoted(&session, &next.title, slot, zone),
        );
    }
    Ok(outcome)
}

pub async fn list(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let cohorts = match inv.args.text("cohort") {
        Some(typed) => vec![find_cohort(tx, inv, typed).await?],
        None => {
            let mine = cohorts::enrolled(&mut *tx, me.id).await?;
            if mine.is_empty() {
                cohorts::list(&mut *tx, inv.caller.community_id).await?
            } else {
                mine
            }
        }
    };
    let ids: Vec<_> = cohorts.iter().map(|c| c.id).collect();
    // The circles the member is in list their sessions too, unless a cohort was asked for.
    let circles = if inv.args.text("cohort").is_some() {
        Vec::new()
    } else {
        crate::store::circles::of_member(&mut *tx, me.id).await?
    };
    let circle_ids: Vec<_> = circles.iter().map(|(id, _)| *id).collect();
    let homes = sessions::Homes {
        cohorts: &ids,
        circles: &circle_ids,
    };
    let total = sessions::upcoming_count(&mut *tx, homes, now).await?;
    if total == 0 {
        return Ok(Outcome::reply(messages::no_sessions(), inv.spec.visibility));
    }
    let page = Page::of(inv, events::LIST_PAGE);
    if page.past_end(total) {
        return refuse(shared::page_past_end(page.number, page.count(total)));
    }
    let upcoming = sessions::upcoming(&mut *tx, homes, now, page.size, page.offset()).await?;
    let mut reply = shared::paged_header(messages::list_header(), page.number, page.count(total));
    for session in &upcoming {
        let home_zone = events::listed_zone(session, &cohorts, &circles)
            .context("listed session's cohort or circle")?;
        let zone = when::zone_or(me.timezone.as_deref(), when::cohort_zone(home_zone));
        let talks = sessions::talks(&mut *tx, session.id).await?;
        let rsvps = sessions::rsvp_count(&mut *tx, session.id).await?;
        reply = reply.push(messages::list_entry(session, &talks, rsvps, zone, now));
    }
    if page.has_next(total) {
        let cohort = inv
            .args
            .text("cohort")
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        reply = reply.push(shared::next_page(&format!(
            "/{}{cohort} page:{}",
            inv.spec.path,
            page.number + 1
        )));
    }
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

pub async fn mine(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let talks = sessions::talks_of(&mut *tx, me.id, now).await?;
    if talks.is_empty() {
        return Ok(Outcome::reply(messages::no_talks(), inv.spec.visibility));
    }
    let mut reply = messages::mine_header();
    for talk in &talks {
        let place = sessions::talks(&mut *tx, talk.session_id)
            .await?
            .iter()
            .filter(|t| t.status == talk.status)
            .position(|t| t.speaker_id == me.id)
            .map_or(0, |p| p + 1);
        let zone = when::zone_or(me.timezone.as_deref(), when::cohort_zone(&talk.timezone));
        reply = reply.push(messages::mine_entry(talk, place, zone));
    }
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

/// The soonest session with talk slots in the caller's cohorts, locked.
async fn next_session_with_slots(
    tx: &mut PgConnection,
    inv: &Invocation,
    now: DateTime<Utc>,
) -> ServiceResult<Session> {
    let ids: Vec<_> = cohorts::enrolled(&mut *tx, inv.caller.member.id)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let circles: Vec<_> = crate::store::circles::of_member(&mut *tx, inv.caller.member.id)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let homes = sessions::Homes {
        cohorts: &ids,
        circles: &circles,
    };
    let next = sessions::upcoming(&mut *tx, homes, now, events::SEARCH_AHEAD, 0)
        .await?
        .into_iter()
        .find(|s| {
            s.slots > 0 && s.starts_at > now && events::TALK_KINDS.contains(&s.kind.as_str())
        });
    match next {
        Some(session) => events::find_session(tx, inv, i64::from(session.number)).await,
        None => refuse(messages::no_session_for_talks()),
    }
}

async fn my_zone(tx: &mut PgConnection, inv: &Invocation, session: &Session) -> ServiceResult<Tz> {
    let home = events::home_of(tx, session).await?;
    Ok(when::zone_or(
        inv.caller.member.timezone.as_deref(),
        when::cohort_zone(&home.timezone),
    ))
}

async fn audit_talk(
    tx: &mut PgConnection,
    inv: &Invocation,
    action: &str,
    session: &Session,
    status: &str,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    let detail = json!({ "session": session.number, "status": status });
    super::audit_caller(tx, inv, action, detail, now).await
}
