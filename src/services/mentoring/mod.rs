//! The mentor pipeline: offers, approval, pauses, the playbook, do-not-match lists and stats.

pub mod inactive;
pub mod matching;
mod messages;
pub mod recognition;
pub mod rotation;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::away;
use super::lookup::{arg, find_member};
use super::paging::Page;
use super::profile::parse_skills;
use super::{Destination, Invocation, Outcome, ServiceResult, refuse};
use crate::commands::Value;
use crate::domain::{Role, parse_timezone};
use crate::store::absences::{self, NewAbsence, Scope};
use crate::store::members::Member;
use crate::store::mentoring::OfferStatus;
use crate::store::{mentoring as store, roles};

/// Mentor tiers as stored and typed.
pub use crate::domain::role::Tier;

fn direct(member: &Member) -> Destination {
    Destination::Direct {
        member_id: member.id,
        display_name: member.display_name.clone(),
    }
}

/// The member's local date (UTC without a zone).
pub(crate) fn today_for(timezone: Option<&str>, now: DateTime<Utc>) -> NaiveDate {
    match timezone.and_then(|z| parse_timezone(z).ok()) {
        Some(tz) => now.with_timezone(&tz).date_naive(),
        None => now.date_naive(),
    }
}

/// The audit row for something the caller did.
pub(crate) use super::audit_caller as record;

pub async fn offer(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let tier = inv
        .args
        .text("tier")
        .and_then(Tier::parse)
        .unwrap_or(Tier::Community);
    let capacity = inv
        .args
        .int("capacity")
        .map_or(tier.default_capacity(), |c| c as i32);
    let skills = match inv.args.text("skills") {
        Some(text) => parse_skills(text)?,
        None if !me.skills.is_empty() => me.skills.clone(),
        None => return refuse(messages::offer_needs_skills()),
    };
    let existing = store::profile(&mut *tx, me.id).await?;
    // The same offer again changes nothing and tells no steward twice.
    if let Some(p) = existing.as_ref().filter(|p| {
        p.status == OfferStatus::Pending
            && p.tier == tier
            && p.capacity == capacity
            && p.skills == skills
    }) {
        return refuse(messages::offer_already_waiting(p.tier, capacity, &skills));
    }
    // An approved mentor changing terms within their tier (or offering a lower one: a lead
    // stays lead, as their role says) stays approved; anything else (a first offer, a
    // higher tier, an offer after a decline) waits for a steward.
    let keeps_approval = existing.as_ref().is_some_and(|p| {
        p.status == OfferStatus::Approved && (p.tier == tier || p.tier == Tier::Lead)
    });
    let (status, tier) = if keeps_approval {
        let held = existing.as_ref().map_or(tier, |p| p.tier);
        (OfferStatus::Approved, held)
    } else {
        (OfferStatus::Pending, tier)
    };
    store::offer(
        &mut *tx,
        inv.caller.community_id,
        me.id,
        tier,
        capacity,
        &skills,
        status,
        now,
    )
    .await?;
    record(
        tx,
        inv,
        "mentor.offer",
        json!({ "tier": tier.as_str(), "capacity": capacity, "skills": skills }),
        now,
    )
    .await?;
    if keeps_approval {
        return Ok(Outcome::reply(
            messages::offer_updated(tier, capacity, &skills),
            inv.spec.visibility,
        ));
    }
    let mut outcome = Outcome::reply(
        messages::offer_recorded(tier, capacity, &skills),
        inv.spec.visibility,
    );
    for (id, name) in store::stewards(&mut *tx, inv.caller.community_id).await? {
        if id == me.id {
            continue;
        }
        outcome = outcome.with_post(
            Destination::Direct {
                member_id: id,
                display_name: name,
            },
            messages::offer_for_stewards(me, tier, capacity, &skills),
        );
    }
    Ok(outcome)
}

pub async fn approve(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let target = find_member(&mut *tx, &inv.caller, arg(inv, "user")?).await?;
    let tier = Tier::parse(arg(inv, "tier")?).context("tier is a parsed choice")?;
    let Some(profile) = store::profile(&mut *tx, target.id).await? else {
        return refuse(messages::no_offer(&target.display_name));
    };
    if profile.status == OfferStatus::Approved && profile.tier == tier {
        return refuse(messages::already_approved(&target.display_name, tier));
    }
    // Approving an approved mentor again with the other tier corrects the tier: they hold
    // one mentor role, not both, and are not welcomed a second time.
    let was = (profile.status == OfferStatus::Approved).then_some(profile.tier);
    store::decide(
        &mut *tx,
        target.id,
        OfferStatus::Approved,
        tier,
        inv.caller.member.id,
        None,
        now,
    )
    .await?;
    roles::grant(
        &mut *tx,
        inv.caller.community_id,
        target.id,
        tier.role(),
        None,
        Some(inv.caller.member.id),
        now,
    )
    .await?;
    let mut detail = json!({ "member": target.platform_user_id, "tier": tier.as_str() });
    if let Some(was) = was {
        roles::revoke(&mut *tx, target.id, was.role(), None).await?;
        detail["was"] = json!(was.as_str());
    }
    record(tx, inv, "mentor.approve", detail, now).await?;
    let steward = &inv.caller.member.display_name;
    let outcome = match was {
        None => Outcome::reply(
            messages::approved(&target.display_name, tier),
            inv.spec.visibility,
        )
        .with_post(direct(&target), messages::approved_notice(steward, tier)),
        Some(was) => Outcome::reply(
            messages::tier_changed(&target.display_name, was, tier),
            inv.spec.visibility,
        )
        .with_post(
            direct(&target),
            messages::tier_changed_notice(steward, tier),
        )
        .with_role_changed(target.id, was.role()),
    };
    Ok(outcome.with_role_changed(target.id, tier.role()))
}

pub async fn decline(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let target = find_member(&mut *tx, &inv.caller, arg(inv, "user")?).await?;
    let reason = inv.args.text("reason");
    let Some(profile) = store::profile(&mut *tx, target.id).await? else {
        return refuse(messages::no_offer(&target.display_name));
    };
    if profile.status != OfferStatus::Pending {
        return refuse(messages::nothing_pending(&target.display_name));
    }
    store::decide(
        &mut *tx,
        target.id,
        OfferStatus::Declined,
        profile.tier,
        inv.caller.member.id,
        reason,
        now,
    )
    .await?;
    record(
        tx,
        inv,
        "mentor.decline",
        json!({ "member": target.platform_user_id }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::declined(&target.display_name),
        inv.spec.visibility,
    )
    .with_post(direct(&target), messages::declined_notice(reason)))
}

/// `/mentor pause [until]`: an absence of scope `mentoring` from today. A second pause
/// moves the end of the current one.
pub async fn pause(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    approved_profile(tx, me).await?;
    let until = match inv.args.get("until") {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    };
    let zone = away::home_zone(tx, me).await?;
    let today = now.with_timezone(&zone).date_naive();
    if until.is_some_and(|d| d < today) {
        return refuse(messages::pause_in_past());
    }
    let ends_at = until.map(|d| away::start_of_day(zone, d + chrono::Days::new(1)));
    let current = absences::open(&mut *tx, me.id, Some(Scope::Mentoring), now)
        .await?
        .into_iter()
        .find(|a| a.started(now));
    if let Some(current) = current {
        if current.last_day == until {
            return refuse(messages::already_paused());
        }
        absences::set_last_day(&mut *tx, current.id, until, ends_at).await?;
        record(tx, inv, "mentor.pause", json!({ "until": until }), now).await?;
        // A new end date for a break the learners already know about: nobody is told twice.
        return Ok(Outcome::reply(
            messages::pause_extended(until),
            inv.spec.visibility,
        ));
    }
    let new = NewAbsence {
        community_id: inv.caller.community_id,
        member_id: me.id,
        scope: Scope::Mentoring,
        first_day: today,
        last_day: until,
        zone: zone.name(),
        starts_at: now,
        ends_at,
        note: None,
        set_by: me.id,
    };
    absences::insert(&mut *tx, &new, now).await?;
    record(tx, inv, "mentor.pause", json!({ "until": until }), now).await?;
    let mut outcome = Outcome::reply(messages::paused(until), inv.spec.visibility);
    // Each learner hears once who covers: their other mentor in that cohort, else a steward.
    for (cohort, learner, name, tier) in store::active_learners_of(&mut *tx, me.id).await? {
        let cover = store::other_mentor(&mut *tx, cohort, learner, tier).await?;
        outcome = outcome.with_post(
            Destination::Direct {
                member_id: learner,
                display_name: name,
            },
            messages::cover_notice(&me.display_name, until, cover.as_ref()),
        );
    }
    Ok(outcome)
}

/// `/mentor resume`: ends the current mentoring pause (an alias of `/back` for mentors).
pub async fn resume(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    approved_profile(tx, me).await?;
    let current = absences::open(&mut *tx, me.id, Some(Scope::Mentoring), now)
        .await?
        .into_iter()
        .find(|a| a.started(now));
    let Some(current) = current else {
        return refuse(messages::not_paused());
    };
    let zone = away::home_zone(tx, me).await?;
    let yesterday = now.with_timezone(&zone).date_naive() - chrono::Days::new(1);
    absences::end(&mut *tx, current.id, yesterday, now).await?;
    record(tx, inv, "mentor.resume", json!({}), now).await?;
    let outcome = Outcome::reply(messages::resumed(), inv.spec.visibility);
    tell_learners_back(tx, me, outcome).await
}

/// The learners who were told about a mentor's break hear that it is over.
pub(crate) async fn tell_learners_back(
    tx: &mut PgConnection,
    me: &Member,
    mut outcome: Outcome,
) -> ServiceResult {
    for (_, learner, name, _) in store::active_learners_of(&mut *tx, me.id).await? {
        outcome = outcome.with_post(
            Destination::Direct {
                member_id: learner,
                display_name: name,
            },
            messages::back_notice(&me.display_name),
        );
    }
    Ok(outcome)
}

pub(crate) async fn approved_profile(
    tx: &mut PgConnection,
    me: &Member,
) -> ServiceResult<store::MentorProfile> {
    match store::profile(&mut *tx, me.id).await? {
        Some(p) if p.status == OfferStatus::Approved => Ok(p),
        _ => refuse(messages::not_a_mentor()),
    }
}

pub async fn guide(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let settings = store::settings(&mut *tx, inv.caller.community_id).await?;
    Ok(Outcome::reply(
        messages::guide(&settings.guide),
        inv.spec.visibility,
    ))
}

pub async fn avoid(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    if let Some(of) = inv.args.text("of") {
        // Only the member and stewards see a list; the listed people never learn of it.
        if !roles::holds_community_role(&mut *tx, me.id, Role::Steward).await? {
            return refuse(messages::avoid_list_private());
        }
        let owner = find_member(&mut *tx, &inv.caller, of).await?;
        let list = store::avoid_list(&mut *tx, owner.id).await?;
        return Ok(Outcome::reply(
            messages::avoid_list_of(&owner.display_name, &list),
            inv.spec.visibility,
        ));
    }
    let Some(user) = inv.args.text("user") else {
        let list = store::avoid_list(&mut *tx, me.id).await?;
        return Ok(Outcome::reply(
            messages::avoid_list(&list),
            inv.spec.visibility,
        ));
    };
    let other = find_member(&mut *tx, &inv.caller, user).await?;
    if other.id == me.id {
        return refuse(messages::avoid_self());
    }
    let added = store::add_avoid(&mut *tx, inv.caller.community_id, me.id, other.id, now).await?;
    // The audit log is steward-readable; the other person is never notified.
    record(
        tx,
        inv,
        "mentor.avoid",
        json!({ "avoid": other.platform_user_id }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::avoided(&other.display_name, added),
        inv.spec.visibility,
    ))
}

/// `/mentor offers`: what waits for a steward's decision.
pub async fn offers(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let pending = store::pending_offers(&mut *tx, inv.caller.community_id).await?;
    Ok(Outcome::reply(
        messages::pending_offers(&pending),
        inv.spec.visibility,
    ))
}

/// Learners a page of `/mentor learners` shows: a cohort's lead mentor may lead hundreds,
/// and each line carries a check-in, so ten keep a page within one Discord message.
const LEARNERS_PER_PAGE: i64 = 10;

/// `/mentor learners`: a mentor's learners with each one's latest check-in.
pub async fn learners(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let me = &inv.caller.member;
    approved_profile(tx, me).await?;
    let page = Page::of(inv, LEARNERS_PER_PAGE);
    let total = store::learner_count(&mut *tx, me.id).await?;
    if total == 0 {
        return Ok(Outcome::reply(
            messages::no_learners_of_mine(),
            inv.spec.visibility,
        ));
    }
    if page.past_end(total) {
        return refuse(super::messages::page_past_end(
            page.number,
            page.count(total),
        ));
    }
    let learners =
        store::learners_with_checkins(&mut *tx, me.id, now, page.size, page.offset()).await?;
    let mut reply = super::messages::paged_header(
        messages::my_learners_header(total),
        page.number,
        page.count(total),
    )
    .push(messages::my_learners(&learners));
    if page.has_next(total) {
        reply = reply.push(super::messages::next_page(&format!(
            "/mentor learners page:{}",
            page.number + 1
        )));
    }
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

pub async fn stats(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let profile = approved_profile(tx, me).await?;
    let learners = store::active_learners_of(&mut *tx, me.id).await?;
    let kudos = crate::store::kudos::received_count(&mut *tx, me.id).await?;
    let reviews_done = crate::store::reviews::done_by(&mut *tx, me.id).await?;
    let reviews_open = crate::store::reviews::open_for(&mut *tx, me.id).await?;
    let response = crate::store::reviews::mean_claim_hours(&mut *tx, me.id).await?;
    let paused = absences::open(&mut *tx, me.id, None, now)
        .await?
        .iter()
        .any(|a| a.started(now));
    let activity = messages::Activity {
        kudos,
        reviews_done,
        reviews_open,
        mean_claim_hours: response,
        pairings: crate::store::pairings::met_count(&mut *tx, me.id).await?,
    };
    Ok(Outcome::reply(
        messages::stats(&profile, paused, &learners, &activity),
        inv.spec.visibility,
    ))
}

pub async fn set_department(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let department = arg(inv, "department")?.trim().to_owned();
    store::set_department(&mut *tx, inv.caller.member.id, &department).await?;
    record(
        tx,
        inv,
        "member.department",
        json!({ "department": department }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::department_set(&department),
        inv.spec.visibility,
    ))
}
