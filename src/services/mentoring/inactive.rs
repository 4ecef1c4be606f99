//! Inactive mentors: learners say privately when a mentor is unreachable; a daily check
//! flags mentors who left learners waiting, with a one-step re-match for stewards.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::super::lookup::{arg, find_cohort, find_member};
use super::super::{Destination, Invocation, Outcome, ServiceResult, enqueue, refuse};
use super::{Tier, messages, record};
use crate::store::cohorts::Cohort;
use crate::store::{inactive as store, mentoring};

/// `/mentor unreachable`: counts toward the mentor's inactivity flag; the mentor is not told.
pub async fn unreachable(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let me = &inv.caller.member;
    let Some((cohort, mentor)) = store::mentors_of_learner(&mut *tx, me.id)
        .await?
        .into_iter()
        .next()
    else {
        return refuse(messages::no_mentor_to_report());
    };
    store::report(
        &mut *tx,
        inv.caller.community_id,
        cohort,
        me.id,
        mentor,
        now,
    )
    .await?;
    record(tx, inv, "mentor.unreachable", json!({}), now).await?;
    Ok(Outcome::reply(
        messages::unreachable_noted(),
        inv.spec.visibility,
    ))
}

/// The scheduled check; returns the posts queued.
pub async fn check(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let days = mentoring::settings(&mut *tx, community_id)
        .await?
        .inactive_days;
    let quiet_since = now - Duration::days(i64::from(days));
    let mut queued = 0;
    for silent in store::silent_mentors(&mut *tx, cohort.id, quiet_since, now).await? {
        if !store::flag(&mut *tx, community_id, cohort.id, silent.mentor_id, now).await? {
            continue;
        }
        tracing::info!(cohort = %cohort.slug, mentor = %silent.mentor_id, "mentor flagged as inactive");
        let message = messages::inactive_flag(cohort, &silent, days);
        for (id, name) in
            store::flag_recipients(&mut *tx, community_id, cohort.id, silent.mentor_id, now).await?
        {
            let key = format!(
                "inactive:{}:{}:{id}:{}",
                cohort.id,
                silent.mentor_id,
                now.timestamp()
            );
            let to = Destination::Direct {
                member_id: id,
                display_name: name,
            };
            queued += u64::from(enqueue(tx, community_id, &key, &to, &message, now).await?);
        }
    }
    Ok(queued)
}

/// `/mentor rematch <user> <cohort>`: each of the mentor's learners goes to the best other
/// mentor with room; the flag is resolved.
pub async fn rematch(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let mentor = find_member(&mut *tx, &inv.caller, arg(inv, "user")?).await?;
    let cohort = find_cohort(&mut *tx, inv, arg(inv, "cohort")?).await?;
    let learners = store::mentored_learners(&mut *tx, cohort.id, mentor.id).await?;
    if learners.is_empty() {
        return refuse(messages::no_learners_to_move(&mentor.display_name, &cohort));
    }
    // Nobody moves to this mentor, nor to another who is flagged as inactive.
    let mut exclude = store::flagged(&mut *tx, cohort.id).await?;
    exclude.push(mentor.id);
    let community = inv.caller.community_id;
    let mut outcome = Outcome::reply(crate::render::Message::new(), inv.spec.visibility);
    let mut moved = 0;
    for &(learner, tier) in &learners {
        if tier == Tier::Lead {
            // A lead's learners leave the lead's group for another lead's.
            mentoring::set_group(&mut *tx, cohort.id, learner, None).await?;
        }
        mentoring::end_mentorship(&mut *tx, cohort.id, learner, tier, now).await?;
        let posts = super::matching::place(
            &mut *tx,
            community,
            &cohort,
            learner,
            &[tier],
            &exclude,
            now,
        )
        .await?;
        let placed = mentoring::mentor_in_tier(&mut *tx, cohort.id, learner, tier)
            .await?
            .is_some();
        moved += usize::from(placed);
        for (to, message) in posts {
            outcome = outcome.with_post(to, message);
        }
    }
    store::resolve(&mut *tx, cohort.id, mentor.id, now).await?;
    record(
        tx,
        inv,
        "mentor.rematch",
        json!({ "mentor": mentor.platform_user_id, "cohort": cohort.slug, "moved": moved }),
        now,
    )
    .await?;
    outcome.reply = messages::rematched(&mentor.display_name, &cohort, moved, learners.len());
    Ok(outcome.with_post(
        Destination::Direct {
            member_id: mentor.id,
            display_name: mentor.display_name.clone(),
        },
        messages::rematch_notice(&cohort),
    ))
}
