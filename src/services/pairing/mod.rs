//! `/pair`: a pairing session with an available community mentor, matched by skill and
//! time-zone overlap, at a time inside both people's waking hours; and the follow-up.

mod messages;

use chrono::{DateTime, Duration, DurationRound, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::lookup::arg;
use super::mentoring::Tier;
use super::mentoring::matching::{load_inputs, reasons};
use super::{Destination, Invocation, Outcome, ServiceResult, enqueue, refuse};
use crate::commands::Value;
use crate::domain::parse_timezone;
use crate::matching::waking::WakingHours;
use crate::matching::{self, Placement, Scorer};
use crate::store::absences::Scope;
use crate::store::cohorts::{self, Cohort};
use crate::store::{enrollments, pairings};

fn zone_of(timezone: Option<&str>) -> Tz {
    timezone
        .and_then(|z| parse_timezone(z).ok())
        .unwrap_or(chrono_tz::UTC)
}

/// Whether the hour from `at` lies wholly inside `zone`'s waking hours.
fn awake(at: DateTime<Utc>, zone: Tz, hours: WakingHours) -> bool {
    let start = at.with_timezone(&zone);
    let last = (at + Duration::minutes(59)).with_timezone(&zone);
    hours.contains(start.hour(), start.minute()) && hours.contains(last.hour(), last.minute())
}

/// The first whole hour at least a day ahead in both people's waking hours (a week's
/// search); a day ahead when there is none.
fn first_shared_hour(now: DateTime<Utc>, a: Tz, b: Tz, hours: WakingHours) -> DateTime<Utc> {
    let start = (now + Duration::days(1))
        .duration_trunc(Duration::hours(1))
        .map_or(now + Duration::days(1), |t| t + Duration::hours(1));
    (0..24 * 7)
        .map(|h| start + Duration::hours(h))
        .find(|t| awake(*t, a, hours) && awake(*t, b, hours))
        .unwrap_or(start)
}

pub async fn request(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let topic = arg(inv, "topic")?;
    let Some(enrollment) = enrollments::active_for_member(&mut *tx, me.id)
        .await?
        .into_iter()
        .next()
    else {
        return refuse(messages::not_enrolled());
    };
    let cohort: Cohort =
        cohorts::by_slug(&mut *tx, inv.caller.community_id, &enrollment.cohort_slug)
            .await?
            .ok_or_else(|| anyhow::anyhow!("enrolled cohort vanished"))?;
    let my_zone = zone_of(me.timezone.as_deref());
    let when = match inv.args.get("when") {
        Some(Value::DateTime(local)) => {
            let Some(at) = local.and_local_timezone(my_zone).earliest() else {
                return refuse(messages::no_such_time());
            };
            let at = at.with_timezone(&Utc);
            if at <= now {
                return refuse(messages::time_in_past());
            }
            Some(at)
        }
        _ => None,
    };
    let away = crate::store::absences::open(&mut *tx, me.id, Some(Scope::All), now).await?;
    if away.iter().any(|a| a.started(now)) {
        return refuse(messages::away());
    }
    let mut inputs = load_inputs(tx, inv.caller.community_id, &cohort, now).await?;
    let Some(at) = inputs.learners.iter().position(|l| l.member_id == me.id) else {
        return refuse(messages::not_enrolled());
    };
    // The topic counts as a skill wanted; any available community mentor may pair.
    let mut person = inputs.problem_base.learners[at].clone();
    let topic_skill = topic.to_lowercase().replace(['-', '_'], " ");
    if !person.skills.contains(&topic_skill) {
        person.skills.push(topic_skill);
    }
    inputs.problem_base.learners = vec![person];
    inputs.load.clear();
    let mut problem = inputs.problem(Tier::Community);
    // A pair that did not meet is re-matched with someone else, when anyone else is free.
    let not_met = pairings::not_met_mentors(&mut *tx, me.id).await?;
    let mentors = inputs.mentors_of(Tier::Community);
    let someone_else = mentors.iter().any(|m| !not_met.contains(&m.member_id));
    for (slot, mentor) in problem.mentors.iter_mut().zip(mentors) {
        slot.capacity = u32::from(!(someone_else && not_met.contains(&mentor.member_id)));
    }
    if problem.mentors.is_empty() {
        return refuse(messages::no_mentors());
    }
    let scorer = Scorer::new(&problem, inputs.weights, now);
    let placed = matching::solve(&problem, &scorer, matching::DEFAULT_PRUNE);
    let Placement::Matched { mentor, score } = &placed.placements[0] else {
        return refuse(messages::no_suitable_mentor());
    };
    let mentor_row = inputs.mentors_of(Tier::Community)[*mentor].clone();
    let why = reasons(
        &problem.learners[0],
        &problem.mentors[*mentor].person,
        score,
    );
    let mentor_zone = zone_of(mentor_row.timezone.as_deref());
    let proposed =
        when.unwrap_or_else(|| first_shared_hour(now, my_zone, mentor_zone, inputs.weights.waking));
    let number = pairings::create(
        &mut *tx,
        inv.caller.community_id,
        cohort.id,
        me.id,
        mentor_row.member_id,
        topic,
        proposed,
        now,
    )
    .await?;
    crate::services::audit_caller(
        &mut *tx,
        inv,
        "pair.request",
        json!({ "number": number }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::requested(number, &mentor_row.display_name),
        inv.spec.visibility,
    )
    .with_post(
        Destination::Direct {
            member_id: me.id,
            display_name: me.display_name.clone(),
        },
        messages::learner_dm(
            number,
            topic,
            mentor_row.member_id,
            &mentor_row.display_name,
            proposed.with_timezone(&my_zone),
            &why,
        ),
    )
    .with_post(
        Destination::Direct {
            member_id: mentor_row.member_id,
            display_name: mentor_row.display_name.clone(),
        },
        messages::mentor_dm(
            number,
            topic,
            me.id,
            &me.display_name,
            proposed.with_timezone(&mentor_zone),
        ),
    ))
}

pub async fn met(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let number = inv
        .args
        .int("id")
        .ok_or_else(|| anyhow::anyhow!("id is required"))?;
    let yes = arg(inv, "answer")? == "yes";
    let Some(pairing) = pairings::by_number(&mut *tx, inv.caller.community_id, number).await?
    else {
        return refuse(messages::unknown(number));
    };
    let learner_side = if pairing.learner_id == me.id {
        true
    } else if pairing.mentor_id == me.id {
        false
    } else {
        return refuse(messages::not_yours(number));
    };
    if pairing.cancelled {
        return refuse(messages::was_cancelled(number));
    }
    // "We met" before the time counts a session that has not happened toward the mentor's.
    if now < pairing.proposed_at {
        let at = pairing
            .proposed_at
            .with_timezone(&zone_of(me.timezone.as_deref()));
        return refuse(messages::not_met_yet(number, at));
    }
    let already = if learner_side {
        pairing.learner_met
    } else {
        pairing.mentor_met
    };
    if already.is_some() {
        return refuse(messages::already_answered(number));
    }
    pairings::answer(&mut *tx, pairing.id, learner_side, yes).await?;
    crate::services::audit_caller(
        &mut *tx,
        inv,
        "pair.met",
        json!({ "number": number, "met": yes }),
        now,
    )
    .await?;
    let other_said = if learner_side {
        pairing.mentor_met
    } else {
        pairing.learner_met
    };
    Ok(Outcome::reply(
        messages::answered(yes, learner_side, &pairing.topic, other_said),
        inv.spec.visibility,
    ))
}

/// `/pair cancel`: either side calls off a session that has not happened; the other is told.
pub async fn cancel(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let number = inv
        .args
        .int("id")
        .ok_or_else(|| anyhow::anyhow!("id is required"))?;
    let Some(pairing) = pairings::by_number(&mut *tx, inv.caller.community_id, number).await?
    else {
        return refuse(messages::unknown(number));
    };
    let (other_id, other_name) = if pairing.learner_id == me.id {
        (pairing.mentor_id, &pairing.mentor_name)
    } else if pairing.mentor_id == me.id {
        (pairing.learner_id, &pairing.learner_name)
    } else {
        return refuse(messages::not_yours_to_cancel(number));
    };
    if pairing.cancelled {
        return refuse(messages::was_cancelled(number));
    }
    // Once the time has passed, "it didn't happen" is an answer: it steers the next
    // request to someone else, which a cancellation would not.
    if pairing.proposed_at <= now {
        return refuse(messages::too_late_to_cancel(number));
    }
    if !pairings::cancel(&mut *tx, pairing.id, me.id, now).await? {
        return refuse(messages::already_answered(number));
    }
    crate::services::audit_caller(
        &mut *tx,
        inv,
        "pair.cancel",
        json!({ "number": number }),
        now,
    )
    .await?;
    Ok(
        Outcome::reply(messages::cancelled(number, other_name), inv.spec.visibility).with_post(
            Destination::Direct {
                member_id: other_id,
                display_name: other_name.clone(),
            },
            messages::cancelled_notice(
                number,
                &pairing.topic,
                &me.display_name,
                other_id == pairing.learner_id,
            ),
        ),
    )
}

/// A day after each pairing's proposed time, both are asked once whether they met.
pub async fn follow_up(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let due =
        pairings::take_for_follow_up(&mut *tx, cohort.id, now - Duration::days(1), now).await?;
    let mut queued = 0;
    for p in due {
        for (i, (id, name, other, answered)) in [
            (p.learner_id, &p.learner_name, &p.mentor_name, p.learner_met),
            (p.mentor_id, &p.mentor_name, &p.learner_name, p.mentor_met),
        ]
        .into_iter()
        .enumerate()
        {
            // Someone who already said whether they met is not asked.
            if answered.is_some() {
                continue;
            }
            let to = Destination::Direct {
                member_id: id,
                display_name: name.clone(),
            };
            let key = format!("pair-follow-up:{}:{i}", p.id);
            let message = messages::did_you_meet(p.number, other, &p.topic);
            queued += u64::from(enqueue(tx, community_id, &key, &to, &message, now).await?);
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_proposed_hour_suits_both_zones() {
        // Berlin and New York share 15:00–18:00 Berlin time in early March.
        let now = Utc.with_ymd_and_hms(2027, 3, 1, 7, 20, 0).unwrap();
        let (berlin, new_york) = (chrono_tz::Europe::Berlin, chrono_tz::America::New_York);
        let at = first_shared_hour(now, berlin, new_york, WakingHours::default());
        assert_eq!(at, Utc.with_ymd_and_hms(2027, 3, 2, 14, 0, 0).unwrap());
        // An early-shift program (06:00–15:00) shares 12:00–15:00 Berlin time.
        let early = WakingHours::parse("06:00-15:00").unwrap();
        let at = first_shared_hour(now, berlin, new_york, early);
        assert_eq!(at, Utc.with_ymd_and_hms(2027, 3, 2, 11, 0, 0).unwrap());
    }
}
