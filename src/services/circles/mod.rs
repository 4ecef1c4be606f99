//! Circles of practice: listing and joining them (a private circle's leads approve, a
//! secret one is by invitation), who is in them, and their weekly prompt and intros
//! ([`scheduled`]).

pub(crate) mod messages;
pub mod scheduled;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::lookup::{arg, find_member};
use super::paging::Page;
use super::{Destination, Invocation, Outcome, ServiceError, ServiceResult, audit_caller, refuse};
use crate::domain::{Role, Slug};
use crate::store::circles::{self, Circle};
use crate::store::members::Member;
use crate::store::mentoring::stewards;
use crate::store::roles;
use crate::store::sessions::Home;

/// Circles a page of `/circle list` shows: each has a line and its description.
const CIRCLES_PER_PAGE: i64 = 8;
/// Members a page of `/circle members` shows.
const MEMBERS_PER_PAGE: i64 = 25;

/// The circle the caller names, if they may know of it. A secret circle is never offered
/// by "did you mean"; only `/circle join`, typed with its exact id, learns that it is
/// invitation-only (`reveal_secret`), so that the refusal can say why.
async fn find_circle(
    tx: &mut PgConnection,
    inv: &Invocation,
    typed: &str,
    reveal_secret: bool,
) -> ServiceResult<Circle> {
    let community = inv.caller.community_id;
    let me = inv.caller.member.id;
    if let Some(circle) = circles::find(&mut *tx, community, me, typed).await?
        && (circle.known || reveal_secret)
    {
        return Ok(circle);
    }
    let names = circles::names(&mut *tx, community, me).await?;
    let suggestion = crate::domain::suggest(
        typed,
        names
            .iter()
            .flat_map(|(slug, name)| [slug.as_str(), name.as_str()]),
    );
    refuse(messages::unknown_circle(typed, suggestion))
}

async fn is_steward(tx: &mut PgConnection, member: uuid::Uuid) -> ServiceResult<bool> {
    Ok(roles::holds_community_role(&mut *tx, member, Role::Steward).await?)
}

/// The circle's leads act on it; so do stewards, for a circle whose leads are gone.
async fn lead_or_steward(
    tx: &mut PgConnection,
    inv: &Invocation,
    circle: &Circle,
) -> ServiceResult<()> {
    if circle.is_lead() || is_steward(tx, inv.caller.member.id).await? {
        return Ok(());
    }
    refuse(messages::leads_only(&circle.name))
}

fn dm(member: &Member) -> Destination {
    Destination::Direct {
        member_id: member.id,
        display_name: member.display_name.clone(),
    }
}

pub async fn list(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let page = Page::of(inv, CIRCLES_PER_PAGE);
    let (shown, total) = circles::known(
        &mut *tx,
        inv.caller.community_id,
        inv.caller.member.id,
        page.size,
        page.offset(),
    )
    .await?;
    if total == 0 {
        return Ok(Outcome::reply(messages::no_circles(), inv.spec.visibility));
    }
    if page.past_end(total) {
        return refuse(super::messages::page_past_end(
            page.number,
            page.count(total),
        ));
    }
    let mut reply = super::messages::paged_header(
        messages::list_header(&inv.caller.community_slug),
        page.number,
        page.count(total),
    );
    for circle in &shown {
        reply = reply.line().push(messages::circle_line(circle));
    }
    if page.has_next(total) {
        reply = reply.push(super::messages::next_page(&format!(
            "/circle list page:{}",
            page.number + 1
        )));
    }
    Ok(Outcome::reply(
        reply.line().push(messages::list_footer()),
        inv.spec.visibility,
    ))
}

pub async fn join(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let typed = arg(inv, "circle")?;
    let circle = find_circle(tx, inv, typed, true).await?;
    let me = &inv.caller.member;
    if circle.is_member() {
        return refuse(messages::already_in(&circle));
    }
    let invited = circle.invite.as_deref() == Some("invitation");
    if invited || circle.visibility == "public" {
        if invited {
            circles::take_invite(&mut *tx, circle.id, me.id).await?;
        }
        return welcome(tx, now, inv, &circle, me).await;
    }
    if circle.visibility == "secret" {
        return refuse(messages::invitation_only(&circle.name));
    }
    if circle.invite.as_deref() == Some("request") {
        return refuse(messages::already_asked(&circle.name));
    }
    // A private circle: its leads decide, or the stewards when it has none.
    let mut deciders = circles::leads(&mut *tx, circle.id).await?;
    if deciders.is_empty() {
        deciders = stewards(&mut *tx, inv.caller.community_id).await?;
    }
    if deciders.is_empty() {
        return refuse(messages::nobody_to_ask(&circle.name));
    }
    if !circles::put_invite(&mut *tx, circle.id, me.id, "request", me.id, now).await? {
        return refuse(messages::already_asked(&circle.name));
    }
    audit_caller(
        tx,
        inv,
        "circle.request",
        json!({ "circle": circle.slug }),
        now,
    )
    .await?;
    let names: Vec<&str> = deciders.iter().map(|(_, name)| name.as_str()).collect();
    let mut outcome = Outcome::reply(
        messages::asked_to_join(&circle.name, &names),
        inv.spec.visibility,
    );
    let request = messages::join_request(&circle, &me.display_name, &me.platform_user_id);
    for (member_id, display_name) in deciders {
        outcome = outcome.with_post(
            Destination::Direct {
                member_id,
                display_name,
            },
            request.clone(),
        );
    }
    Ok(outcome)
}

/// Adds the caller to the circle and greets them there.
async fn welcome(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    circle: &Circle,
    member: &Member,
) -> ServiceResult {
    // Two joins at once: the second finds the row and is told it is in already.
    if !circles::add_member(&mut *tx, circle.id, member.id, "member", now).await? {
        return refuse(messages::already_in(circle));
    }
    audit_caller(
        tx,
        inv,
        "circle.join",
        json!({ "circle": circle.slug }),
        now,
    )
    .await?;
    let mut outcome = Outcome::reply(messages::joined(circle), inv.spec.visibility);
    if let Some(channel) = &circle.channel {
        outcome = outcome.with_post(
            Destination::Channel(channel.clone()),
            messages::welcome_post(&circle.name, &member.display_name),
        );
    }
    Ok(outcome)
}

pub async fn leave(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let circle = find_circle(tx, inv, arg(inv, "circle")?, false).await?;
    let me = inv.caller.member.id;
    if let Some(role) = circles::remove_member(&mut *tx, circle.id, me).await? {
        audit_caller(
            tx,
            inv,
            "circle.leave",
            json!({ "circle": circle.slug }),
            now,
        )
        .await?;
        let last_lead = role == "lead" && circles::leads(&mut *tx, circle.id).await?.is_empty();
        return Ok(Outcome::reply(
            messages::left(&circle.name, last_lead),
            inv.spec.visibility,
        ));
    }
    match circles::take_invite(&mut *tx, circle.id, me)
        .await?
        .as_deref()
    {
        Some("request") => {
            // Recorded so a lead who answers the request later is told it was withdrawn.
            let detail = json!({ "circle": circle.slug });
            audit_caller(tx, inv, "circle.withdraw", detail, now).await?;
            Ok(Outcome::reply(
                messages::request_withdrawn(&circle.name),
                inv.spec.visibility,
            ))
        }
        Some(_) => Ok(Outcome::reply(
            messages::invitation_declined(&circle.name),
            inv.spec.visibility,
        )),
        None => refuse(messages::not_in(&circle.name)),
    }
}

pub async fn members(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let circle = find_circle(tx, inv, arg(inv, "circle")?, false).await?;
    if circle.visibility != "public"
        && !circle.is_member()
        && !is_steward(tx, inv.caller.member.id).await?
    {
        return refuse(messages::members_hidden(&circle.name));
    }
    let page = Page::of(inv, MEMBERS_PER_PAGE);
    if page.past_end(circle.members) {
        return refuse(super::messages::page_past_end(
            page.number,
            page.count(circle.members),
        ));
    }
    let people = circles::members(&mut *tx, circle.id, page.size, page.offset()).await?;
    if people.is_empty() {
        return Ok(Outcome::reply(
            messages::no_members(&circle),
            inv.spec.visibility,
        ));
    }
    let mut reply = super::messages::paged_header(
        messages::members_header(&circle),
        page.number,
        page.count(circle.members),
    );
    for person in &people {
        reply = reply.line().push(messages::member_line(person));
    }
    if page.has_next(circle.members) {
        reply = reply.push(super::messages::next_page(&format!(
            "/circle members {} page:{}",
            circle.slug,
            page.number + 1
        )));
    }
    Ok(Outcome::reply(reply, inv.spec.visibility))
}

pub async fn create(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let slug = Slug::parse(arg(inv, "id")?)
        .map_err(|e| ServiceError::User(messages::invalid_circle_id(&e)))?;
    let name = arg(inv, "name")?;
    let visibility = inv.args.text("visibility").unwrap_or("public");
    let channel = inv.args.text("channel");
    let description = inv.args.text("description").unwrap_or_default();
    let lead = match inv.args.text("lead") {
        Some(handle) => Some(find_member(&mut *tx, &inv.caller, handle).await?),
        None => None,
    };
    let community = inv.caller.community_id;
    let Some(circle_id) = circles::insert(
        &mut *tx,
        community,
        slug.as_str(),
        name,
        description,
        channel,
        visibility,
        now,
    )
    .await?
    else {
        return refuse(messages::circle_exists(slug.as_str()));
    };
    if let Some(lead) = &lead {
        circles::add_member(&mut *tx, circle_id, lead.id, "lead", now).await?;
    }
    audit_caller(
        tx,
        inv,
        "circle.create",
        json!({ "circle": slug.as_str(), "visibility": visibility, "lead": lead.as_ref().map(|l| l.id) }),
        now,
    )
    .await?;
    let mut outcome = Outcome::reply(
        messages::created(name, slug.as_str(), visibility, lead.as_ref()),
        inv.spec.visibility,
    );
    if let Some(lead) = &lead
        && lead.id != inv.caller.member.id
    {
        outcome = outcome.with_post(dm(lead), messages::made_lead(name, slug.as_str()));
    }
    Ok(outcome)
}

pub async fn invite(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let circle = find_circle(tx, inv, arg(inv, "circle")?, false).await?;
    lead_or_steward(tx, inv, &circle).await?;
    let guest = find_member(&mut *tx, &inv.caller, arg(inv, "member")?).await?;
    if circles::find(&mut *tx, inv.caller.community_id, guest.id, &circle.slug)
        .await?
        .is_some_and(|c| c.is_member())
    {
        return refuse(messages::they_are_in(&guest.display_name, &circle.name));
    }
    // Inviting someone who asked is letting them in.
    if circles::take_invite(&mut *tx, circle.id, guest.id)
        .await?
        .as_deref()
        == Some("request")
    {
        return admit(tx, now, inv, &circle, &guest).await;
    }
    let me = &inv.caller.member;
    circles::put_invite(&mut *tx, circle.id, guest.id, "invitation", me.id, now).await?;
    audit_caller(
        tx,
        inv,
        "circle.invite",
        json!({ "circle": circle.slug, "member": guest.id }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::invited(&guest.display_name, &circle.name),
        inv.spec.visibility,
    )
    .with_post(dm(&guest), messages::invitation(&circle, &me.display_name)))
}

/// A session of the circle, on the sessions' own engine: RSVPs, reminders, a clinic
/// queue, announced in the circle's channel.
pub async fn schedule(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let circle = find_circle(tx, inv, arg(inv, "circle")?, false).await?;
    lead_or_steward(tx, inv, &circle).await?;
    if circle.channel.is_none() {
        return refuse(messages::no_channel(&circle.name));
    }
    let home = Home {
        name: circle.name.clone(),
        slug: circle.slug.clone(),
        channel: circle.channel.clone(),
        timezone: circle.timezone.clone(),
        starts_on: None,
        ends_on: None,
        archived: false,
        cohort_id: None,
        circle_id: Some(circle.id),
    };
    super::events::schedule_for(tx, now, inv, &home).await
}

/// Names another lead: the circle's leads pass it on, and stewards name one for a circle
/// whose last lead left.
pub async fn lead(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let circle = find_circle(tx, inv, arg(inv, "circle")?, false).await?;
    lead_or_steward(tx, inv, &circle).await?;
    let lead = find_member(&mut *tx, &inv.caller, arg(inv, "member")?).await?;
    if !circles::make_lead(&mut *tx, circle.id, lead.id, now).await? {
        return refuse(messages::already_leads(&lead.display_name, &circle.name));
    }
    // A lead needs no invitation or request of their own any more.
    circles::take_invite(&mut *tx, circle.id, lead.id).await?;
    audit_caller(
        tx,
        inv,
        "circle.lead",
        json!({ "circle": circle.slug, "member": lead.id }),
        now,
    )
    .await?;
    let made_lead = messages::made_lead(&circle.name, &circle.slug);
    Ok(if lead.id == inv.caller.member.id {
        Outcome::reply(made_lead, inv.spec.visibility)
    } else {
        Outcome::reply(
            messages::now_leads(&lead.display_name, &circle.name),
            inv.spec.visibility,
        )
        .with_post(dm(&lead), made_lead)
    })
}

/// A lead's answer to a request: `approve` lets the member in, otherwise they are told no.
pub async fn decide(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    approve: bool,
) -> ServiceResult {
    let circle = find_circle(tx, inv, arg(inv, "circle")?, false).await?;
    lead_or_steward(tx, inv, &circle).await?;
    let asker = find_member(&mut *tx, &inv.caller, arg(inv, "member")?).await?;
    // Only one of two leads answering at once takes the request; the other is told.
    match circles::take_invite(&mut *tx, circle.id, asker.id)
        .await?
        .as_deref()
    {
        Some("request") => {}
        Some(_) => {
            return Err(ServiceError::User(messages::not_a_request(
                &asker.display_name,
                &circle.name,
            )));
        }
        None => {
            // Say what became of it: the same button pressed twice, two leads answering,
            // or the member withdrawing all end here.
            let fate =
                circles::request_fate(&mut *tx, inv.caller.community_id, &circle.slug, asker.id)
                    .await?;
            let by = |actor: Option<uuid::Uuid>, name: Option<String>| {
                if actor == Some(inv.caller.member.id) {
                    messages::BY_YOU.to_owned()
                } else {
                    name.unwrap_or_else(|| messages::BY_ANOTHER_LEAD.to_owned())
                }
            };
            let (person, name) = (&asker.display_name, &circle.name);
            return refuse(match fate {
                Some((action, actor, actor_name)) if action == "circle.approve" => {
                    messages::request_approved_already(person, name, &by(actor, actor_name))
                }
                Some((action, actor, actor_name)) if action == "circle.decline" => {
                    messages::request_declined_already(person, name, &by(actor, actor_name))
                }
                Some((action, _, _)) if action == "circle.withdraw" => {
                    messages::request_was_withdrawn(person, name)
                }
                _ => messages::no_request(person, name),
            });
        }
    }
    if approve {
        return admit(tx, now, inv, &circle, &asker).await;
    }
    audit_caller(
        tx,
        inv,
        "circle.decline",
        json!({ "circle": circle.slug, "member": asker.id }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::declined(&asker.display_name, &circle.name),
        inv.spec.visibility,
    )
    .with_post(dm(&asker), messages::declined_dm(&circle.name)))
}

/// Lets `guest` into the circle on a lead's word, and tells them.
async fn admit(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    circle: &Circle,
    guest: &Member,
) -> ServiceResult {
    circles::add_member(&mut *tx, circle.id, guest.id, "member", now).await?;
    audit_caller(
        tx,
        inv,
        "circle.approve",
        json!({ "circle": circle.slug, "member": guest.id }),
        now,
    )
    .await?;
    let mut outcome = Outcome::reply(
        messages::approved(&guest.display_name, &circle.name),
        inv.spec.visibility,
    )
    .with_post(
        dm(guest),
        messages::approved_dm(circle, &inv.caller.member.display_name),
    );
    if let Some(channel) = &circle.channel {
        outcome = outcome.with_post(
            Destination::Channel(channel.clone()),
            messages::welcome_post(&circle.name, &guest.display_name),
        );
    }
    Ok(outcome)
}
