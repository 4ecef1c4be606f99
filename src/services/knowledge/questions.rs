//! `/kb ask` and `/kb answer`: a question the knowledge base cannot answer goes to the
//! mentors with an **Answer** button; the answer reaches the asker by DM and becomes a draft
//! FAQ its author publishes, so the next person finds it.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::{hits, just_taken, mentor_or_steward, messages, slug_for};
use crate::commands::Visibility;
use crate::services::lookup::arg;
use crate::services::{Destination, Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::store::circles;
use crate::store::knowledge::{self, NewEntry};

pub async fn ask(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let question = arg(inv, "question")?;
    let me = &inv.caller.member;
    let community = inv.caller.community_id;
    if !inv.args.bool("anyway").unwrap_or(false) {
        let found = hits(tx, inv, question).await?;
        if !found.is_empty() {
            return Ok(Outcome::reply(
                messages::ask_found(question, &found),
                Visibility::Ephemeral,
            ));
        }
    }
    let circle = match inv.args.text("circle") {
        Some(typed) => Some(circle_to_ask(tx, inv, typed).await?),
        None => None,
    };
    let hearers = match &circle {
        Some(circle) => {
            knowledge::circle_hearers(&mut *tx, circle.id, me.id, CIRCLE_HEARERS_MAX).await?
        }
        None => knowledge::question_hearers(&mut *tx, community, me.id).await?,
    };
    if hearers.is_empty() {
        return refuse(messages::nobody_to_ask());
    }
    // The same question sent twice (a double tap, a second try) reaches the mentors once.
    let circle_id = circle.as_ref().map(|c| c.id);
    if let Some(number) = knowledge::open_question_like(tx, me.id, question, circle_id).await? {
        tracing::info!(number, "the same open question asked again");
        return Ok(Outcome::reply(
            messages::asked_already(number),
            Visibility::Ephemeral,
        ));
    }
    let number = knowledge::insert_question(
        &mut *tx,
        community,
        me.id,
        question,
        circle.as_ref().map(|c| c.id),
        now,
    )
    .await?;
    audit_caller(tx, inv, "kb.ask", json!({ "question": number }), now).await?;
    let circle_name = circle.as_ref().map(|c| c.name.as_str());
    let mut outcome = Outcome::reply(
        messages::asked(number, hearers.len(), circle_name),
        inv.spec.visibility,
    );
    let dm = messages::question_dm(number, &me.display_name, question, circle_name);
    for (member_id, display_name) in hearers {
        outcome = outcome.with_post(
            Destination::Direct {
                member_id,
                display_name,
            },
            dm.clone(),
        );
    }
    Ok(outcome)
}

/// How many of a circle's people hear a question asked of it: its leads and its earliest
/// members, so a large circle is asked without flooding it.
const CIRCLE_HEARERS_MAX: i64 = 20;

/// The circle a question is asked of: one the asker may know of, and, unless it is
/// public, is in.
async fn circle_to_ask(
    tx: &mut PgConnection,
    inv: &Invocation,
    typed: &str,
) -> ServiceResult<circles::Circle> {
    let me = inv.caller.member.id;
    let found = circles::find(&mut *tx, inv.caller.community_id, me, typed).await?;
    match found {
        Some(circle) if circle.known && (circle.visibility == "public" || circle.is_member()) => {
            Ok(circle)
        }
        Some(circle) if circle.known => refuse(messages::members_ask_this_circle(&circle.name)),
        _ => refuse(crate::services::circles::messages::unknown_circle(
            typed, None,
        )),
    }
}

pub async fn answer(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let me = &inv.caller.member;
    let community = inv.caller.community_id;
    let number = inv.args.int("question").unwrap_or_default();
    let text = arg(inv, "text")?;
    let Some(question) = knowledge::question_for_update(&mut *tx, community, number).await? else {
        if !mentor_or_steward(tx, me.id).await? {
            return refuse(messages::only_mentors_answer());
        }
        return refuse(messages::unknown_question(number));
    };
    // A circle's question is its members' to answer, as well as the mentors'.
    let in_circle = match question.circle_id {
        Some(circle) => circles::of_member(&mut *tx, me.id)
            .await?
            .iter()
            .any(|(id, _)| *id == circle),
        None => false,
    };
    if !in_circle && !mentor_or_steward(tx, me.id).await? {
        return refuse(messages::only_mentors_answer());
    }
    if question.answered {
        return refuse(messages::already_answered(
            number,
            question.answerer_name.as_deref(),
            question.entry_slug.as_deref(),
        ));
    }
    let slug = slug_for(tx, community, &question.question).await?;
    let inserted = knowledge::insert(
        &mut *tx,
        &NewEntry {
            community_id: community,
            slug: &slug,
            kind: "faq",
            title: &question.question,
            body: text,
            tags: &[],
            owner_id: Some(me.id),
            visibility: "community",
            cohort_id: None,
            circle_id: question.circle_id,
            verify_every_days: 90,
            draft: true,
        },
        now,
    )
    .await;
    let entry_id = just_taken(inserted, &slug)?;
    knowledge::mark_answered(&mut *tx, number, me.id, entry_id, now).await?;
    audit_caller(
        tx,
        inv,
        "kb.answer",
        json!({ "question": number, "entry": slug }),
        now,
    )
    .await?;
    let outcome = Outcome::reply(messages::answer_saved(number, &slug), inv.spec.visibility);
    Ok(match (question.asker_id, question.asker_name) {
        (Some(member_id), Some(display_name)) => outcome.with_post(
            Destination::Direct {
                member_id,
                display_name,
            },
            messages::answered_dm(number, &question.question, &me.display_name, text),
        ),
        _ => outcome,
    })
}
