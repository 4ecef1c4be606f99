//! Weekly check-ins: recording answers, mentor replies, history with privacy, and the
//! scheduled prompts, nudges and digests.

pub mod blockers;
pub mod button;
pub mod digest;
mod messages;
pub mod scheduled;

use anyhow::Context;
use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::lookup::{arg, find_cohort, find_member};
use super::{Destination, Invocation, Outcome, ServiceResult, refuse};
use crate::commands::Visibility;
use crate::domain::{CheckinWindow, Fit, Period, Timing, parse_timezone};
use crate::render::Message;
use crate::store::checkins::{self, Answer, Mentor};
use crate::store::cohorts::{self, Cohort};
use crate::store::members::Member;
use crate::store::mentoring;
use crate::store::{absences, audit};
use messages::Heard;

/// Confidence at or below this notifies the lead mentor.
const LOW_CONFIDENCE: i16 = 2;
/// Check-ins open this many days before the cohort starts (onboarding weeks), and close this
/// many after it ends; outside that, a check-in is almost surely a mistake.
const CHECKIN_OPENS_DAYS_BEFORE: u64 = 14;
const CHECKIN_CLOSES_DAYS_AFTER: u64 = 7;
/// Check-ins shown by `/checkin history`.
const HISTORY_MAX: i64 = 12;

/// The zone a member's weeks and local times follow: their own, else the cohort's.
pub fn member_zone(member: &Member, cohort: &Cohort) -> Tz {
    member
        .timezone
        .as_deref()
        .and_then(|tz| parse_timezone(tz).ok())
        .or_else(|| parse_timezone(&cohort.timezone).ok())
        .unwrap_or(Tz::UTC)
}

/// Why `cohort` takes no check-in today (in `zone`): archived, not started yet, or over;
/// `None` while it does.
pub fn not_open(cohort: &Cohort, zone: Tz, now: DateTime<Utc>) -> Option<Message> {
    // Archiving stops the cohort's prompts whatever its dates say.
    if cohort.archived {
        return Some(messages::archived(&cohort.name));
    }
    let today = now.with_timezone(&zone).date_naive();
    if let Some(starts) = cohort.starts_on {
        let opens = starts - chrono::Days::new(CHECKIN_OPENS_DAYS_BEFORE);
        if today < opens {
            return Some(messages::not_started(&cohort.name, starts, opens));
        }
    }
    match cohort.ends_on {
        Some(ends) if today > ends + chrono::Days::new(CHECKIN_CLOSES_DAYS_AFTER) => {
            Some(messages::ended(&cohort.name, ends))
        }
        _ => None,
    }
}

pub async fn record(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let member = &inv.caller.member;
    let cohort = enrolled_cohort(tx, inv, now).await?;
    let zone = member_zone(member, &cohort);
    if let Some(closed) = not_open(&cohort, zone, now) {
        return refuse(closed);
    }
    let current = Period::containing(now, zone);
    // This week is the common case: on time by definition, so the window is read only for
    // a `week` option, or once this week turns out to be answered already.
    let (week, mut timing) = match inv.args.text("week") {
        None => (current, Timing::OnTime),
        Some(typed) => {
            let settings = absences::settings(&mut *tx, inv.caller.community_id).await?;
            explicit_week(typed, &cohort, current, zone, settings.window, now)?
        }
    };
    let mut period = week.to_string();
    let confidence = inv
        .args
        .int("confidence")
        .context("confidence is required")?;
    let hours = inv.args.hours("hours");
    let answer = Answer {
        progress: arg(inv, "progress")?.to_owned(),
        blockers: inv.args.text("blockers").map(str::to_owned),
        confidence: confidence as i16,
        hours: hours.map(|h| h as f32),
        plan: inv.args.text("next").map(str::to_owned),
    };
    let slot = checkins::Slot {
        community_id: inv.caller.community_id,
        cohort_id: cohort.id,
        member_id: member.id,
        period: &period,
        timing,
    };

    let escalates = answer.blockers.is_some() || answer.confidence <= LOW_CONFIDENCE;
    // Insert first, with everything a new check-in writes: the common case is one round
    // trip, and a concurrent duplicate is safe.
    let mut inserted = insert_new(tx, inv, &cohort, slot, &answer, escalates, now).await?;
    if inserted.is_none() && inv.args.text("week").is_none() {
        // This week is answered; once next week's window is open, this one may be early.
        let settings = absences::settings(&mut *tx, inv.caller.community_id).await?;
        let next = current.next();
        let next_open = matches!(settings.window.fit(next, zone, now), Fit::Open(_));
        let next_period = next.to_string();
        if next_open
            && checkins::find(&mut *tx, cohort.id, member.id, &next_period)
                .await?
                .is_none()
        {
            if !inv.confirmed {
                let question = messages::confirm_early(&period, &next_period);
                let mut outcome = Outcome::reply(question, Visibility::Ephemeral);
                outcome.needs_confirmation = true;
                return Ok(outcome);
            }
            let early = checkins::Slot {
                period: &next_period,
                timing: Timing::Early,
                ..slot
            };
            inserted = insert_new(tx, inv, &cohort, early, &answer, escalates, now).await?;
            (period, timing) = (next_period.clone(), Timing::Early);
        }
    }
    let (checkin, replaced, lead_mentors) = match inserted {
        Some(new) => (new.checkin, false, Some(new.lead_mentors)),
        None => {
            let old = checkins::find(&mut *tx, cohort.id, member.id, &period)
                .await?
                .context("the conflicting check-in")?;
            if !inv.confirmed {
                let mut outcome = Outcome::reply(
                    messages::confirm_replace(&period, old.confidence),
                    Visibility::Ephemeral,
                );
                outcome.needs_confirmation = true;
                return Ok(outcome);
            }
            let checkin = checkins::replace(&mut *tx, old.id, &answer, now).await?;
            if answer.blockers.is_none() {
                checkins::resolve_earlier_blockers(&mut *tx, cohort.id, member.id, &period, now)
                    .await?;
            }
            // A replaced answer is audited: a mentor may have read the one it replaces.
            let detail = json!({ "cohort": cohort.slug, "period": period, "replaced": true });
            let community = inv.caller.community_id;
            let actor = Some(member.id);
            audit::record(&mut *tx, community, actor, "checkin.record", detail, now).await?;
            (checkin, true, None)
        }
    };
    if !replaced && timing == Timing::Late {
        digest::late_checkin(tx, &cohort, &checkin.period, checkin.id, now).await?;
    }

    let (heard, hearers) = if escalates {
        let community = inv.caller.community_id;
        who_hears(tx, cohort.id, member.id, community, lead_mentors, now).await?
    } else {
        (Heard::Nobody, Vec::new())
    };
    let reply = messages::recorded(&cohort.name, &period, confidence, hours, replaced, heard)
        .push(messages::timing_note(timing));
    // The lead mentors get the notice with a Reply button; a cover or a steward, the same
    // facts with what they can do.
    let (learner, period, blockers) = (
        &member.display_name,
        &checkin.period,
        answer.blockers.as_deref(),
    );
    let handle = &member.platform_user_id;
    let notice = match heard {
        Heard::LeadMentor => {
            messages::escalation(learner, handle, &cohort.name, period, confidence, blockers)
        }
        Heard::CoveringMentor => {
            messages::escalation_to_cover(learner, &cohort.name, period, confidence, blockers)
        }
        Heard::Stewards | Heard::Nobody => messages::escalation_to_steward(
            learner,
            &cohort.name,
            &cohort.slug,
            period,
            confidence,
            blockers,
        ),
    };
    let notices = hearers
        .into_iter()
        .map(|(id, name)| (id, name, notice.clone()));
    let mut outcome = Outcome::reply(reply, inv.spec.visibility);
    for (member_id, display_name, notice) in notices {
        outcome = outcome.with_post(
            Destination::Direct {
                member_id,
                display_name,
            },
            notice,
        );
    }
    Ok(outcome)
}

/// Who hears about a learner's blocker, and who they are: the lead mentors (read here
/// unless `lead_mentors` were read already); with every lead mentor away, the learner's
/// covering community mentor; with no lead mentor at all, the stewards (never the learner
/// themself), so a blocker never goes unheard.
pub(super) async fn who_hears(
    tx: &mut PgConnection,
    cohort_id: Uuid,
    learner_id: Uuid,
    community_id: Uuid,
    lead_mentors: Option<Vec<Mentor>>,
    now: DateTime<Utc>,
) -> sqlx::Result<(Heard, Vec<(Uuid, String)>)> {
    let leads = match lead_mentors {
        Some(read) => read,
        None => checkins::lead_mentors(&mut *tx, cohort_id, learner_id, now).await?,
    };
    if !leads.is_empty() {
        let leads = leads.into_iter().map(|m| (m.id, m.display_name)).collect();
        return Ok((Heard::LeadMentor, leads));
    }
    if let Some(cover) = checkins::covering_mentor(&mut *tx, cohort_id, learner_id, now).await? {
        return Ok((Heard::CoveringMentor, vec![(cover.id, cover.display_name)]));
    }
    let stewards: Vec<(Uuid, String)> = mentoring::stewards(&mut *tx, community_id)
        .await?
        .into_iter()
        .filter(|(id, _)| *id != learner_id)
        .collect();
    let heard = if stewards.is_empty() {
        Heard::Nobody
    } else {
        Heard::Stewards
    };
    Ok((heard, stewards))
}

/// The week a `week` option names (`last`, `next`, an ISO week, or a prompt form's own
/// week) and whether a check-in now comes early, on time or late for it; refused outside
/// that week's window, naming it.
fn explicit_week(
    typed: &str,
    cohort: &Cohort,
    current: Period,
    zone: chrono_tz::Tz,
    window: CheckinWindow,
    now: DateTime<Utc>,
) -> ServiceResult<(Period, Timing)> {
    let typed = typed.trim();
    let period = if typed.eq_ignore_ascii_case("last") {
        current.previous()
    } else if typed.eq_ignore_ascii_case("next") {
        current.next()
    } else {
        match Period::parse(&typed.to_uppercase()) {
            Some(p) => p,
            None => return refuse(messages::bad_week(typed)),
        }
    };
    // A week outside the cohort's check-ins never opens: say so, not when its window would.
    let sunday = period.monday() + chrono::Days::new(6);
    if let Some(ends) = cohort.ends_on
        && period.monday() > ends + chrono::Days::new(CHECKIN_CLOSES_DAYS_AFTER)
    {
        return refuse(messages::week_after_cohort(
            &period.to_string(),
            &cohort.name,
            ends,
        ));
    }
    if let Some(starts) = cohort.starts_on
        && sunday < starts - chrono::Days::new(CHECKIN_OPENS_DAYS_BEFORE)
    {
        return refuse(messages::week_before_cohort(
            &period.to_string(),
            &cohort.name,
            starts,
        ));
    }
    // The year only when it is not this one, as people write dates.
    let this_year = now.with_timezone(&zone).year();
    let local = |at: DateTime<Utc>| {
        let at = at.with_timezone(&zone);
        let format = if at.year() == this_year {
            "%a %-d %b %H:%M"
        } else {
            "%a %-d %b %Y %H:%M"
        };
        at.format(format).to_string()
    };
    match window.fit(period, zone, now) {
        Fit::Open(timing) => Ok((period, timing)),
        Fit::NotYet { opens } => refuse(messages::window_not_open(
            &period.to_string(),
            &local(opens),
        )),
        Fit::Closed { closed } => refuse(messages::window_closed(
            &period.to_string(),
            &local(closed),
            &current.to_string(),
        )),
    }
}

/// Inserts the check-in in `slot` with what a new one writes beside it (the week's prompt,
/// if it was posted, replaced by a note that it is answered, however the check-in came: the
/// prompt's button, its form, or a typed `/checkin`); `None` when the week has a check-in
/// already.
///
/// A new check-in writes no audit row. The audit log is the stewards' record of changes to
/// what others rely on (roles, approvals, erasures, a replaced answer a mentor may have
/// read); a learner's weekly answer is their own program data, and the check-in row already
/// says who answered which week and when. Audited, 1,000 learners put 1,000 rows a week in
/// `/audit`, burying its governance entries, and the row cost each `/checkin` about a fifth
/// of its database time (measured: the closing note of issue 23).
async fn insert_new(
    tx: &mut PgConnection,
    inv: &Invocation,
    cohort: &Cohort,
    slot: checkins::Slot<'_>,
    answer: &Answer,
    escalates: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<checkins::Inserted>> {
    let (member, period) = (inv.caller.member.id, slot.period);
    let effects = checkins::Effects {
        prompt_key: &checkins::prompt_key(cohort.id, member, period),
        answered_key: &format!("checkin-answered:{}:{member}:{period}", cohort.id),
        answered_note: &messages::prompt_answered(&cohort.name, period),
        escalates,
    };
    checkins::insert_with_effects(&mut *tx, slot, answer, &effects, now).await
}

/// The cohort a check-in is for: the `cohort` option, else the member's only cohort, else
/// the one cohort whose prompt for this week is still open (the prompt's own example
/// `/checkin 4 …` then works for a learner in several cohorts).
async fn enrolled_cohort(
    tx: &mut PgConnection,
    inv: &Invocation,
    now: DateTime<Utc>,
) -> ServiceResult<Cohort> {
    let mut active = cohorts::enrolled(&mut *tx, inv.caller.member.id).await?;
    match inv.args.text("cohort") {
        Some(typed) => {
            let cohort = find_cohort(tx, inv, typed).await?;
            match active.into_iter().find(|c| c.id == cohort.id) {
                Some(cohort) => Ok(cohort),
                None => refuse(messages::not_in_a_cohort()),
            }
        }
        None => match active.len() {
            0 => refuse(messages::not_in_a_cohort()),
            1 => Ok(active.remove(0)),
            _ => {
                // A cohort that takes no check-in today (archived, not started, over) is
                // not the one meant: joining next term's cohort must not make every
                // `/checkin` of this term ask which cohort.
                let member = &inv.caller.member;
                let taking: Vec<usize> = (0..active.len())
                    .filter(|&i| {
                        not_open(&active[i], member_zone(member, &active[i]), now).is_none()
                    })
                    .collect();
                if let [only] = taking.as_slice() {
                    return Ok(active.swap_remove(*only));
                }
                if taking.is_empty() {
                    // None takes a check-in today: the one opening soonest (else any) is
                    // refused with when it opens, rather than asking which one first.
                    let today = now.date_naive();
                    let soonest = (0..active.len())
                        .min_by_key(|&i| {
                            let c = &active[i];
                            (
                                c.archived,
                                c.starts_on.is_none_or(|s| s <= today),
                                c.starts_on,
                            )
                        })
                        .context("several active cohorts")?;
                    return Ok(active.swap_remove(soonest));
                }
                let mut open = Vec::new();
                for cohort in &active {
                    let period = Period::containing(now, member_zone(&inv.caller.member, cohort));
                    if checkins::prompt_open(
                        &mut *tx,
                        cohort.id,
                        inv.caller.member.id,
                        &period.to_string(),
                    )
                    .await?
                    {
                        open.push(cohort.id);
                    }
                }
                match open.as_slice() {
                    [only] => Ok(active
                        .into_iter()
                        .find(|c| c.id == *only)
                        .context("the prompted cohort is active")?),
                    _ => refuse(messages::which_cohort(
                        &active.iter().map(|c| c.slug.clone()).collect::<Vec<_>>(),
                    )),
                }
            }
        },
    }
}

pub async fn reply(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let mentor = &inv.caller.member;
    let learner = find_member(tx, &inv.caller, arg(inv, "learner")?).await?;
    if !checkins::is_mentor_of(&mut *tx, mentor.id, learner.id).await? {
        return refuse(messages::not_your_learner(&learner.platform_user_id));
    }
    let Some(checkin) = checkins::latest_mentored(&mut *tx, mentor.id, learner.id).await? else {
        return refuse(messages::nothing_to_reply_to(&learner.display_name));
    };
    let text = arg(inv, "text")?;
    checkins::add_reply(
        &mut *tx,
        inv.caller.community_id,
        checkin.id,
        mentor.id,
        text,
        now,
    )
    .await?;
    let detail = json!({ "learner": learner.platform_user_id, "period": checkin.period });
    audit::record(
        &mut *tx,
        inv.caller.community_id,
        Some(mentor.id),
        "checkin.reply",
        detail,
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::reply_sent(&learner.display_name, &checkin.period),
        inv.spec.visibility,
    )
    .with_post(
        Destination::Direct {
            member_id: learner.id,
            display_name: learner.display_name.clone(),
        },
        messages::reply_delivered(&mentor.display_name, &checkin.period, text),
    ))
}

/// Learners see their own check-ins; mentors their learners'. Stewards who are not the
/// mentor see only the digest's totals.
pub async fn history(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let subject = match inv.args.text("learner") {
        None => me.clone(),
        Some(handle) => {
            let learner = find_member(tx, &inv.caller, handle).await?;
            if learner.id != me.id && !checkins::is_mentor_of(&mut *tx, me.id, learner.id).await? {
                return refuse(messages::not_your_learner(&learner.platform_user_id));
            }
            learner
        }
    };
    let rows = checkins::history(&mut *tx, subject.id, HISTORY_MAX).await?;
    if rows.is_empty() {
        let learner = (subject.id != me.id).then_some(subject.display_name.as_str());
        let reply = messages::no_history(learner);
        return Ok(Outcome::reply(reply, inv.spec.visibility));
    }
    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let replies = checkins::replies_for(&mut *tx, &ids).await?;
    let mut reply = messages::history_header(&subject.display_name);
    for row in &rows {
        reply = reply.line().push(messages::history_line(row));
        for r in replies.iter().filter(|r| r.checkin_id == row.id) {
            reply = reply.push(messages::history_reply(&r.mentor_name, &r.body));
        }
    }
    Ok(Outcome::reply(reply, inv.spec.visibility))
}
