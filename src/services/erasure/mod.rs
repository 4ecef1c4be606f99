//! Erasure requests: `/me data delete` (confirmed by typing the community's name) and
//! `/me data cancel` for a member's own data, `/privacy erase|cancel|requests` for
//! stewards acting on a member's behalf. A request waits [`GRACE_DAYS`], cancellable,
//! then the erasure job ([`scheduled`]) applies the data policy.

pub mod messages;
pub mod scheduled;

use chrono::{DateTime, Duration, Months, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::lookup::arg;
use super::lookup::find_member;
use super::{Destination, Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::render::Message;
use crate::store::erasures::{self, Request};
use crate::store::members::Member;

/// Days a request waits before the erasure runs: time to change one's mind.
pub const GRACE_DAYS: i64 = 7;
/// Settled requests `/privacy requests` still lists.
const LISTED_DAYS: i64 = 90;
const LISTED_MAX: i64 = 25;

/// `/me data delete confirm:<community>`.
pub async fn request_own(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let slug = inv.caller.community_slug.as_str();
    match inv.args.text("confirm") {
        Some(typed) if typed.trim().eq_ignore_ascii_case(slug) => {}
        typed => return refuse(messages::confirm_first(slug, typed)),
    }
    let request = file(tx, now, inv, &inv.caller.member).await?;
    Ok(Outcome::reply(
        messages::asked_own(slug, request.due_at),
        inv.spec.visibility,
    ))
}

/// `/me data cancel`.
pub async fn cancel_own(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    if stop(tx, now, inv, inv.caller.member.id).await?.is_none() {
        return refuse(messages::nothing_waiting_own());
    }
    Ok(Outcome::reply(
        messages::cancelled_own(),
        inv.spec.visibility,
    ))
}

/// `/privacy erase <member>` (stewards): the member is told, and can cancel.
pub async fn erase(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let member = find_member(&mut *tx, &inv.caller, arg(inv, "member")?).await?;
    let request = file(tx, now, inv, &member).await?;
    let told = messages::told_of_request(
        &inv.caller.member.display_name,
        &inv.caller.community_slug,
        request.due_at,
    );
    Ok(reply_and_tell(
        inv,
        messages::asked_for(&member.display_name, &request),
        &member,
        told,
    ))
}

/// `/privacy cancel <member>` (stewards): the member is told.
pub async fn cancel(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let member = find_member(&mut *tx, &inv.caller, arg(inv, "member")?).await?;
    let Some(request) = stop(tx, now, inv, member.id).await? else {
        return refuse(messages::nothing_waiting_for(&member.display_name));
    };
    Ok(reply_and_tell(
        inv,
        messages::cancelled_for(&member.display_name, request.number),
        &member,
        messages::told_of_cancel(&inv.caller.member.display_name),
    ))
}

/// Cancels `member_id`'s waiting request for the caller; None when there is none.
async fn stop(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    member_id: uuid::Uuid,
) -> ServiceResult<Option<Request>> {
    let Some(request) = erasures::cancel(&mut *tx, member_id, inv.caller.member.id, now).await?
    else {
        return Ok(None);
    };
    audit_caller(
        tx,
        inv,
        "privacy.erasure_cancelled",
        json!({ "request": request.number }),
        now,
    )
    .await?;
    tracing::info!(request = request.number, community = %inv.caller.community_id,
        by_member = member_id == inv.caller.member.id, "erasure request cancelled");
    Ok(Some(request))
}

/// A steward's reply, and a DM telling the member, unless the steward acted for themself.
fn reply_and_tell(inv: &Invocation, reply: Message, member: &Member, told: Message) -> Outcome {
    let outcome = Outcome::reply(reply, inv.spec.visibility);
    if member.id == inv.caller.member.id {
        return outcome;
    }
    outcome.with_post(
        Destination::Direct {
            member_id: member.id,
            display_name: member.display_name.clone(),
        },
        told,
    )
}

/// `/privacy requests` (stewards).
pub async fn requests(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let listed = erasures::list(
        &mut *tx,
        inv.caller.community_id,
        now - Duration::days(LISTED_DAYS),
        LISTED_MAX,
    )
    .await?;
    Ok(Outcome::reply(
        messages::requests(&listed, now),
        inv.spec.visibility,
    ))
}

/// Files a request for `member`, asked by the caller; refused when one waits already.
async fn file(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    member: &Member,
) -> ServiceResult<Request> {
    crate::store::communities::lock_numbering(&mut *tx, inv.caller.community_id).await?;
    // Erasure ends every role; the last steward's would leave nobody to grant one again,
    // which on Discord or Slack has no way back. Removing the role is refused the same way.
    let stewards = crate::store::mentoring::stewards(&mut *tx, inv.caller.community_id).await?;
    if let [(only, _)] = stewards.as_slice()
        && *only == member.id
    {
        tracing::info!(community = %inv.caller.community_id, "erasure of the last steward refused");
        return refuse(messages::last_steward(
            (member.id != inv.caller.member.id).then_some(member.display_name.as_str()),
        ));
    }
    let due = now + Duration::days(GRACE_DAYS);
    // The GDPR's one month to answer a request (Art. 12(3)), from the day it was asked.
    let deadline = now
        .checked_add_months(Months::new(1))
        .unwrap_or(now + Duration::days(31));
    let Some(request) = erasures::insert(
        &mut *tx,
        inv.caller.community_id,
        member.id,
        inv.caller.member.id,
        now,
        due,
        deadline,
    )
    .await?
    else {
        // The member has a request waiting: filed earlier, or just now by someone else (the
        // numbering lock made this one wait for it).
        let waiting = erasures::waiting(&mut *tx, member.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("an erasure request vanished while filing another"))?;
        return refuse(messages::already_waiting(
            (member.id != inv.caller.member.id).then_some(member.display_name.as_str()),
            &waiting,
        ));
    };
    audit_caller(
        tx,
        inv,
        "privacy.erasure_requested",
        json!({ "request": request.number, "member": member.id }),
        now,
    )
    .await?;
    tracing::info!(request = request.number, community = %inv.caller.community_id, due = %due, "erasure requested");
    Ok(request)
}
