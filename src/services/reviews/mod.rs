//! Lightweight reviews: request, claim, done with the structured feedback template, and
//! the escalation of requests nobody claimed.

mod messages;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::lookup::arg;
use super::{Destination, Invocation, Outcome, ServiceResult, enqueue, refuse};
use crate::store::cohorts::Cohort;
use crate::store::mentoring::OfferStatus;
use crate::store::reviews::ReviewStatus;
use crate::store::{audit, enrollments, mentoring, reviews};

/// Requests one learner may have open at once.
pub const OPEN_MAX: i64 = 3;

/// `http(s)://host…` with no spaces: anything else is refused before it is posted.
fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !r.contains(char::is_whitespace)
    })
}

fn direct(id: Uuid, name: &str) -> Destination {
    Destination::Direct {
        member_id: id,
        display_name: name.to_owned(),
    }
}

pub async fn request(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let url = arg(inv, "url")?;
    if !valid_url(url) {
        return refuse(messages::bad_url(url));
    }
    let Some(enrollment) = enrollments::active_for_member(&mut *tx, me.id)
        .await?
        .into_iter()
        .next()
    else {
        return refuse(messages::not_enrolled());
    };
    let open = reviews::open_count(&mut *tx, me.id).await?;
    if open >= OPEN_MAX {
        return refuse(messages::too_many_open(OPEN_MAX));
    }
    let topic = inv.args.text("topic");
    let note = inv.args.text("note");
    let community = inv.caller.community_id;
    let number = reviews::create(
        &mut *tx,
        community,
        enrollment.cohort_id,
        me.id,
        url,
        topic,
        note,
        now,
    )
    .await?;
    audit::record(
        &mut *tx,
        community,
        Some(me.id),
        "review.request",
        json!({ "number": number }),
        now,
    )
    .await?;
    let settings = mentoring::settings(&mut *tx, community).await?;
    let mentors = reviews::learner_mentors(&mut *tx, enrollment.cohort_id, me.id).await?;
    Ok(Outcome::reply(
        messages::requested(number, &settings.review_channel),
        inv.spec.visibility,
    )
    .with_post(
        Destination::Channel(settings.review_channel.clone()),
        messages::announcement(number, &me.display_name, url, topic, note, &mentors),
    ))
}

pub async fn claim(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let number = inv.args.int("id").context("id is required")?;
    let Some(review) = reviews::by_number(&mut *tx, inv.caller.community_id, number).await? else {
        return refuse(messages::unknown_review(number));
    };
    // A finished request says so to whoever asks, its learner included, rather than that a
    // mentor will pick it up.
    match review.status {
        ReviewStatus::Done => return refuse(messages::already_done(number)),
        ReviewStatus::Cancelled => return refuse(messages::was_cancelled(number)),
        ReviewStatus::Open | ReviewStatus::Claimed => {}
    }
    if review.learner_id == me.id {
        return refuse(messages::own_review());
    }
    match mentoring::profile(&mut *tx, me.id).await? {
        Some(p) if p.status == OfferStatus::Approved => {}
        _ => return refuse(messages::mentors_only()),
    }
    if review.status != ReviewStatus::Open
        || !reviews::claim(&mut *tx, review.id, me.id, now).await?
    {
        return refuse(messages::already_claimed(number));
    }
    crate::services::audit_caller(
        &mut *tx,
        inv,
        "review.claim",
        json!({ "number": number }),
        now,
    )
    .await?;
    Ok(
        Outcome::reply(messages::claimed(number), inv.spec.visibility).with_post(
            direct(review.learner_id, &review.learner_name),
            messages::claimed_notice(number, me.id, &me.display_name),
        ),
    )
}

/// `/review cancel`: the learner takes back a request; a mentor who claimed it is told.
pub async fn cancel(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let number = inv.args.int("id").context("id is required")?;
    let Some(review) = reviews::by_number(&mut *tx, inv.caller.community_id, number).await? else {
        return refuse(messages::unknown_review(number));
    };
    if review.learner_id != me.id {
        return refuse(messages::not_your_request(number));
    }
    let Some(claimer) = reviews::cancel(&mut *tx, review.id).await? else {
        return refuse(messages::nothing_to_cancel(number, review.status));
    };
    crate::services::audit_caller(
        &mut *tx,
        inv,
        "review.cancel",
        json!({ "number": number }),
        now,
    )
    .await?;
    let mut outcome = Outcome::reply(
        messages::cancelled(number, claimer.is_some()),
        inv.spec.visibility,
    );
    if let Some((id, name)) = claimer {
        outcome = outcome.with_post(
            direct(id, &name),
            messages::cancelled_notice(number, &me.display_name),
        );
    }
    Ok(outcome)
}

pub async fn done(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let number = inv.args.int("id").context("id is required")?;
    let Some(review) = reviews::by_number(&mut *tx, inv.caller.community_id, number).await? else {
        return refuse(messages::unknown_review(number));
    };
    if review.status == ReviewStatus::Done {
        return refuse(messages::already_done(number));
    }
    if review.status == ReviewStatus::Cancelled {
        return refuse(messages::was_cancelled(number));
    }
    if review.claimed_by != Some(me.id) {
        return refuse(messages::not_yours(number));
    }
    let (Some(works), Some(improve), Some(next)) = (
        inv.args.text("works"),
        inv.args.text("improve"),
        inv.args.text("next"),
    ) else {
        return refuse(messages::template(number));
    };
    reviews::complete(&mut *tx, review.id, works, improve, next, now).await?;
    crate::services::audit_caller(
        &mut *tx,
        inv,
        "review.done",
        json!({ "number": number }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::done(number, &review.learner_name),
        inv.spec.visibility,
    )
    .with_post(
        direct(review.learner_id, &review.learner_name),
        messages::feedback(number, &me.display_name, &review.url, works, improve, next),
    ))
}

/// The scheduled check: requests unclaimed for the configured hours are re-announced once
/// and escalated to the learner's lead mentor (or the cohort's leads). Returns posts queued.
pub async fn escalate(
    tx: &mut PgConnection,
    community_id: Uuid,
    cohort: &Cohort,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let settings = mentoring::settings(&mut *tx, community_id).await?;
    let before = now - Duration::hours(i64::from(settings.review_escalate_hours));
    let due = reviews::take_for_escalation(&mut *tx, cohort.id, before, now).await?;
    let mut queued = 0;
    for review in due {
        let hours = settings.review_escalate_hours;
        let mut posts = vec![(
            Destination::Channel(settings.review_channel.clone()),
            messages::reannouncement(review.number, &review.learner_name, &review.url, hours),
        )];
        for (lead, name) in
            reviews::escalation_leads(&mut *tx, cohort.id, review.learner_id, now).await?
        {
            posts.push((
                direct(lead, &name),
                messages::escalation(review.number, &review.learner_name, &review.url, hours),
            ));
        }
        for (i, (to, message)) in posts.iter().enumerate() {
            let key = format!("review-escalation:{}:{i}", review.id);
            queued += u64::from(enqueue(tx, community_id, &key, to, message, now).await?);
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::valid_url;

    #[test]
    fn only_http_and_https_urls_with_a_host() {
        assert!(valid_url("https://make.powerapps.com/apps/123"));
        assert!(valid_url("http://intranet/flow?id=4"));
        for bad in [
            "ftp://x",
            "javascript:alert(1)",
            "https://",
            "www.example.com",
            "https:// x",
        ] {
            assert!(!valid_url(bad), "{bad}");
        }
    }
}
