//! Streaks: settling each week once its check-in window has closed (on the scheduler),
//! celebrating every fourth week in the cohort's channel, and `/streak`.

mod messages;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{PgConnection, PgPool};

use super::{Destination, Invocation, Outcome, ServiceResult, enqueue};
use crate::domain::streak::{Event, Streak, Week};
use crate::domain::{CheckinWindow, Period, parse_timezone};
use crate::store::streaks::{self, Recorded, Unsettled};

/// Learners read per scheduler pass; the rest wait for the next pass.
const SETTLE_BATCH: i64 = 200;
/// Time a pass spends settling streaks at most.
const SETTLE_BUDGET: std::time::Duration = std::time::Duration::from_millis(150);
/// Weeks settled at most in one go (a member back after a very long gap).
const WEEKS_MAX: usize = 60;
/// Weeks `/streak` draws.
const WEEKS_SHOWN: usize = 12;

/// The newest week whose check-in window has closed by `now` in `zone`.
fn last_closed(window: CheckinWindow, zone: Tz, now: DateTime<Utc>) -> Period {
    let mut week = Period::containing(now, zone);
    while window.bounds(week, zone).1 > now {
        week = week.previous();
    }
    week
}

/// Settles the streaks due (their week's window has closed); returns the celebrations
/// queued. At most `SETTLE_BUDGET` of work per pass: when a whole community's week closes
/// at once, the rest waits for the next passes instead of delaying this pass's ticks.
pub async fn settle(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let started = std::time::Instant::now();
    let mut posts = 0;
    for learner in streaks::unsettled(pool, now, SETTLE_BATCH).await? {
        let mut tx = pool.begin().await?;
        posts += settle_one(&mut tx, &learner, now).await?;
        tx.commit().await?;
        if started.elapsed() > SETTLE_BUDGET {
            break;
        }
    }
    Ok(posts)
}

async fn settle_one(
    tx: &mut PgConnection,
    learner: &Unsettled,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let ids = (learner.community_id, learner.cohort_id, learner.member_id);
    // Locked: two processes settling the same learner take turns, and the second finds
    // the weeks already settled.
    let (mut streak, settled) = streaks::lock(&mut *tx, ids.0, ids.1, ids.2).await?;
    let zone = parse_timezone(&learner.zone).unwrap_or(Tz::UTC);
    let window = CheckinWindow {
        opens_before: 0,
        closes_after: i64::from(learner.closes_after_minutes),
    };
    let last = last_closed(window, zone, now);
    let joined = Period::containing(learner.joined_at, zone);
    let first = match settled.as_deref().and_then(Period::parse) {
        Some(done) => done.next(),
        None => learner
            .starts_on
            .map(Period::of_day)
            .map_or(joined, |start| start.max(joined)),
    };
    let end = learner
        .ends_on
        .map(Period::of_day)
        .map_or(last, |e| e.min(last));
    let mut periods = Vec::new();
    let mut week = first;
    while week <= end && periods.len() < WEEKS_MAX {
        periods.push(week.to_string());
        week = week.next();
    }
    let mut recorded = Vec::new();
    let mut milestones = Vec::new();
    for (period, checked_in, prompted, excused) in
        streaks::weeks(&mut *tx, learner.cohort_id, learner.member_id, &periods).await?
    {
        let outcome = match (checked_in, prompted, excused) {
            (true, _, _) => Week::CheckedIn,
            // A week nobody asked them about (before the first prompt, a day off that
            // skipped it) is not theirs to miss.
            (false, false, _) => continue,
            (false, true, true) => Week::Excused,
            (false, true, false) => Week::Missed,
        };
        let mut after = streak;
        for event in streak.settle(outcome, !learner.freezes_off) {
            // Each row carries the numbers right after it.
            after.apply(event);
            recorded.push(Recorded {
                period: period.clone(),
                event,
                streak: after,
            });
        }
        if outcome == Week::CheckedIn && streak.is_milestone() {
            milestones.push((period, streak.current));
        }
    }
    let through = if periods.len() == WEEKS_MAX {
        periods.last().cloned().unwrap_or_else(|| last.to_string())
    } else {
        last.to_string()
    };
    // Due again when the week after the last one settled has closed its window.
    let next_due = Period::parse(&through).map_or(last, Period::next);
    let settle_after = window.bounds(next_due, zone).1;
    streaks::save(
        &mut *tx,
        ids,
        &recorded,
        streak,
        &through,
        settle_after,
        now,
    )
    .await?;
    // A streak can earn a role, or lose one; in the same transaction as the streak.
    let mut posts = crate::services::earned_roles::settle_and_announce(
        &mut *tx,
        learner.community_id,
        Some(learner.member_id),
        learner.channel.as_deref(),
        now,
    )
    .await?;
    // A streak is celebrated in the channel; a broken one is never announced.
    if let Some(channel) = &learner.channel {
        for (period, weeks) in milestones {
            let key = format!(
                "streak-milestone:{}:{}:{period}",
                learner.cohort_id, learner.member_id
            );
            let body = messages::milestone(&learner.display_name, weeks, &learner.cohort_name);
            let to = Destination::Channel(channel.clone());
            posts +=
                u64::from(enqueue(&mut *tx, learner.community_id, &key, &to, &body, now).await?);
        }
    }
    Ok(posts)
}

/// `/streak [cohort:] [freezes:on|off]`: the caller's streaks, and their freeze choice.
pub async fn show(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let mut reply = crate::render::Message::new();
    if let Some(choice) = inv.args.text("freezes") {
        let off = choice == "off";
        streaks::set_freezes_off(&mut *tx, me.id, off).await?;
        reply = reply.push(messages::freezes_set(off)).line();
    }
    let mut shown = streaks::of_member(&mut *tx, me.id).await?;
    if let Some(typed) = inv.args.text("cohort") {
        let cohort = super::lookup::find_cohort(tx, inv, typed).await?;
        let had_any = !shown.is_empty();
        shown.retain(|s| s.cohort_id == cohort.id);
        // A member with streaks elsewhere asked about the wrong cohort: say so, not "join one".
        if shown.is_empty() && had_any {
            return Ok(Outcome::reply(
                reply.push(messages::no_streak_in(&cohort.name)),
                inv.spec.visibility,
            ));
        }
    }
    if shown.is_empty() {
        return Ok(Outcome::reply(
            reply.push(messages::no_cohort()),
            inv.spec.visibility,
        ));
    }
    for (i, row) in shown.iter().enumerate() {
        let zone = parse_timezone(&row.zone).unwrap_or(Tz::UTC);
        let this_week = Period::containing(now, zone);
        let mut weeks = vec![this_week];
        while weeks.len() < WEEKS_SHOWN {
            let earlier = weeks.last().map_or(this_week, |w| w.previous());
            weeks.push(earlier);
        }
        weeks.reverse();
        let periods: Vec<String> = weeks.iter().map(Period::to_string).collect();
        let events = streaks::events_in(&mut *tx, row.cohort_id, me.id, &periods).await?;
        // Weeks not settled yet: a check-in counts at once (it is never undone) and a week
        // away or not asked about is neutral, so they extend the streak up to the first
        // prompted week without a check-in (still open, or soon missed).
        let settled = row.settled_through.as_deref().and_then(Period::parse);
        let open: Vec<String> = weeks
            .iter()
            .filter(|w| settled.is_none_or(|s| **w > s))
            .map(Period::to_string)
            .collect();
        let unsettled = streaks::weeks(&mut *tx, row.cohort_id, me.id, &open).await?;
        let mut provisional = 0;
        for (_, checked_in, prompted, excused) in &unsettled {
            match (checked_in, prompted, excused) {
                (true, _, _) => provisional += 1,
                // Not asked, or excused: neutral, as when the week settles.
                (false, false, _) | (false, true, true) => {}
                (false, true, false) => break,
            }
        }
        let symbols: Vec<messages::Mark> = periods
            .iter()
            .map(|p| {
                let kinds: Vec<Event> = events
                    .iter()
                    .filter(|(period, _)| period == p)
                    .filter_map(|(_, k)| Event::parse(k))
                    .collect();
                let pending = unsettled.iter().find(|(w, ..)| w == p);
                messages::Mark::of(&kinds, pending.map(|(_, c, _, e)| (*c, *e)))
            })
            .collect();
        let current = row.current as u32 + provisional;
        let figures = messages::Figures {
            cohort: &row.cohort_name,
            current,
            best: (row.best as u32).max(current),
            freezes: row.freezes as u32,
        };
        if i > 0 {
            reply = reply.line();
        }
        reply = reply.push(messages::streak(&figures, &symbols));
    }
    Ok(Outcome::reply(
        reply.line().push(messages::legend()),
        inv.spec.visibility,
    ))
}

/// The stored streak against one replayed from its audit trail (they must agree).
pub async fn recomputed(
    tx: &mut PgConnection,
    cohort_id: uuid::Uuid,
    member_id: uuid::Uuid,
) -> sqlx::Result<Streak> {
    Ok(Streak::replay(
        streaks::trail(&mut *tx, cohort_id, member_id).await?,
    ))
}
