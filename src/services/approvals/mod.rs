//! Approvals: `/approve request` files a request under its kind's policy (a copy kept with
//! it), the policy's approvers vote by DM buttons or `/approve yes|no`, and the rule
//! ([`crate::domain::approval::decide`]) closes it. Escalation, expiry and the weekly
//! reminder of unanswered requests run on the scheduler ([`scheduled`]).
//!
//! The requester never approves their own request. An approver who is away is replaced by
//! their delegate (`/approve delegate`), or skipped. Votes on one request are counted under
//! its row lock, so two at once are both counted. Every vote and change of state is in the
//! audit log, by number and kind: never the request's text.

pub mod messages;
pub mod scheduled;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::lookup::{arg, find_member};
use super::{Destination, Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::domain::Role;
use crate::domain::approval::{Decision, Rule, Tally, decide};
use crate::store::approvals::{
    self as store, Approver, Kind, Listing, NewRequest, Request, Status, Via,
};
use crate::store::roles;
use messages::{Asked, Listed};

/// How many requests `/approve list` shows.
const LISTED: i64 = 20;

/// Someone chosen to vote, and why.
#[derive(Debug, Clone)]
pub(crate) struct Chosen {
    pub member_id: Uuid,
    pub name: String,
    pub via: Via,
    /// The away approver a delegate stands in for: (id, name).
    pub standing_in_for: Option<(Uuid, String)>,
}

/// The members `entries` name who can vote on `requester`'s request now: each one away is
/// replaced by their delegate when the delegate is here, else skipped (their names are the
/// second part). Never the requester, never anyone twice.
pub(crate) async fn choose(
    tx: &mut PgConnection,
    community_id: Uuid,
    entries: &[String],
    requester: Uuid,
    via: Via,
    now: DateTime<Utc>,
) -> sqlx::Result<(Vec<Chosen>, Vec<String>)> {
    let named: Vec<(Uuid, String)> = store::resolve(&mut *tx, community_id, entries)
        .await?
        .into_iter()
        .filter(|(id, _)| *id != requester)
        .collect();
    let ids: Vec<Uuid> = named.iter().map(|(id, _)| *id).collect();
    let delegates = store::delegates_of(&mut *tx, &ids).await?;
    let mut everyone = ids.clone();
    everyone.extend(delegates.iter().map(|(_, delegate, _)| *delegate));
    let away = store::away(&mut *tx, &everyone, now).await?;
    let mut chosen: Vec<Chosen> = Vec::new();
    let mut skipped = Vec::new();
    let taken = |chosen: &[Chosen], id: Uuid| chosen.iter().any(|c| c.member_id == id);
    for (id, name) in &named {
        if !away.contains(id) {
            if !taken(&chosen, *id) {
                chosen.push(Chosen {
                    member_id: *id,
                    name: name.clone(),
                    via,
                    standing_in_for: None,
                });
            }
            continue;
        }
        let stand_in = delegates
            .iter()
            .find(|(member, delegate, _)| {
                member == id && *delegate != requester && !away.contains(delegate)
            })
            .map(|(_, delegate, delegate_name)| (*delegate, delegate_name.clone()));
        match stand_in {
            // Someone already voting in their own right keeps one vote.
            Some((delegate, _)) if taken(&chosen, delegate) || ids.contains(&delegate) => {}
            Some((delegate, delegate_name)) => chosen.push(Chosen {
                member_id: delegate,
                name: delegate_name,
                via: Via::Delegate,
                standing_in_for: Some((*id, name.clone())),
            }),
            None => skipped.push(name.clone()),
        }
    }
    Ok((chosen, skipped))
}

fn rule_of(request: &Request) -> ServiceResult<Rule> {
    Ok(request
        .rule
        .parse()
        .map_err(|err: String| anyhow::anyhow!(err))
        .with_context(|| format!("reading request #{}'s stored rule", request.number))?)
}

fn direct(member_id: Uuid, name: &str) -> Destination {
    Destination::Direct {
        member_id,
        display_name: name.to_owned(),
    }
}

/// The DM asking `chosen` to vote on `request`.
pub(crate) fn ask_post(
    request: &Request,
    rule: Rule,
    chosen: &Chosen,
) -> (Destination, crate::render::Message) {
    let why = match (&chosen.via, &chosen.standing_in_for) {
        (Via::Delegate, Some((_, name))) => Asked::StandingInFor(name),
        (Via::Escalation, _) => Asked::Escalated,
        _ => Asked::ByPolicy,
    };
    (
        direct(chosen.member_id, &chosen.name),
        messages::ask(request, rule, why),
    )
}

/// What a new request says.
pub(crate) struct Filing<'a> {
    pub kind: Kind,
    pub title: &'a str,
    pub justification: &'a str,
    pub data_class: &'a str,
    pub links: Option<&'a str>,
}

/// A request just filed: who was asked, who was skipped, and the rule.
pub(crate) struct Filed {
    pub request: Request,
    pub rule: Rule,
    pub chosen: Vec<Chosen>,
    pub skipped: Vec<String>,
}

impl Filed {
    /// The requester's reply.
    pub fn reply(&self) -> crate::render::Message {
        let asked: Vec<&str> = self.chosen.iter().map(|c| c.name.as_str()).collect();
        let skipped: Vec<&str> = self.skipped.iter().map(String::as_str).collect();
        messages::filed(&self.request, &asked, &skipped, self.rule)
    }

    /// The DMs asking the approvers, added to `outcome`.
    pub fn with_asks(&self, mut outcome: Outcome) -> Outcome {
        for person in &self.chosen {
            let (to, message) = ask_post(&self.request, self.rule, person);
            outcome = outcome.with_post(to, message);
        }
        outcome
    }
}

/// Files the caller's request under its kind's policy and asks its approvers (the DMs are
/// the caller's to send, [`Filed::with_asks`]); refused when too few can decide. Takes the
/// community's numbering lock.
pub(crate) async fn file(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    filing: &Filing<'_>,
) -> ServiceResult<Filed> {
    let community_id = inv.caller.community_id;
    let me = &inv.caller.member;
    let kind = filing.kind;
    // The numbering lock first: two requests filed at once take two numbers.
    crate::store::communities::lock_numbering(&mut *tx, community_id).await?;
    let policy = store::policy(&mut *tx, community_id, kind).await?;
    let rule: Rule = policy
        .rule
        .parse()
        .map_err(|err: String| anyhow::anyhow!(err))
        .with_context(|| format!("reading the {} policy's rule", kind.as_str()))?;
    let (chosen, skipped) =
        choose(tx, community_id, &policy.approvers, me.id, Via::Policy, now).await?;
    let needed = rule.needed(chosen.len() as u32);
    if chosen.is_empty() || (chosen.len() as u32) < needed {
        let skipped: Vec<&str> = skipped.iter().map(String::as_str).collect();
        return refuse(messages::not_enough_approvers(
            kind,
            needed.max(1),
            chosen.len(),
            &skipped,
        ));
    }
    let new = NewRequest {
        community_id,
        kind,
        title: filing.title,
        justification: filing.justification,
        data_class: filing.data_class,
        links: filing.links.filter(|l| !l.trim().is_empty()),
        requester_id: me.id,
        policy: &policy,
        created_at: now,
        escalate_at: policy
            .escalate_after_hours
            .map(|hours| now + Duration::hours(i64::from(hours))),
        expires_at: now + Duration::days(i64::from(policy.expires_after_days)),
    };
    let number = store::insert(&mut *tx, &new).await?;
    let request = store::by_number(&mut *tx, community_id, number, false)
        .await?
        .context("reading back the request just filed")?;
    let rows: Vec<(Uuid, Via, Option<Uuid>)> = chosen
        .iter()
        .map(|c| (c.member_id, c.via, c.standing_in_for.as_ref().map(|s| s.0)))
        .collect();
    store::add_approvers(&mut *tx, request.id, &rows, now).await?;
    audit_caller(
        tx,
        inv,
        "approval.requested",
        json!({ "request": number, "kind": kind.as_str(), "data_class": filing.data_class,
                "approvers": chosen.iter().map(|c| c.member_id).collect::<Vec<_>>() }),
        now,
    )
    .await?;
    Ok(Filed {
        request,
        rule,
        chosen,
        skipped,
    })
}

/// `/approve request <kind> <data> <title> <justification…> [links:]`.
pub async fn request(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let kind: Kind = arg(inv, "kind")?
        .parse()
        .map_err(|err: String| anyhow::anyhow!(err))
        .context("the catalog's approval kinds")?;
    let filing = Filing {
        kind,
        title: arg(inv, "title")?,
        justification: arg(inv, "justification")?,
        data_class: arg(inv, "data")?,
        links: inv.args.text("links"),
    };
    // The same request sent twice (a double tap, a retyped line) asks the approvers once.
    // The numbering lock that filing takes is taken first, so two at once see each other.
    let community = inv.caller.community_id;
    crate::store::communities::lock_numbering(&mut *tx, community).await?;
    let me = inv.caller.member.id;
    if let Some(number) = store::pending_like(&mut *tx, community, me, kind, filing.title).await? {
        return refuse(messages::already_requested(number));
    }
    let filed = file(tx, now, inv, &filing).await?;
    let mut reply = filed.reply();
    if inv.title_may_be_cut(filing.title) {
        reply = reply.push(messages::title_may_be_cut(&filed.request, filing.title));
    }
    Ok(filed.with_asks(Outcome::reply(reply, inv.spec.visibility)))
}

/// The request the command names, locked for the transaction when `lock`.
async fn request_arg(
    tx: &mut PgConnection,
    inv: &Invocation,
    lock: bool,
) -> ServiceResult<Request> {
    let number = inv.args.int("request").context("request is required")?;
    let found = match i32::try_from(number) {
        Ok(n) => store::by_number(&mut *tx, inv.caller.community_id, n, lock).await?,
        Err(_) => None,
    };
    match found {
        Some(request) => Ok(request),
        None => refuse(messages::unknown_request(number)),
    }
}

fn tally(approvers: &[Approver]) -> Tally {
    Tally {
        approvers: approvers.len() as u32,
        approvals: approvers.iter().filter(|a| a.approve == Some(true)).count() as u32,
        rejections: approvers
            .iter()
            .filter(|a| a.approve == Some(false))
            .count() as u32,
    }
}

/// `/approve yes <request> [comment]` and `/approve no <request> <reason>`.
pub async fn vote(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    approve: bool,
) -> ServiceResult {
    // The row lock makes votes on one request take turns: each sees the ones before it.
    let request = request_arg(tx, inv, true).await?;
    let me = inv.caller.member.id;
    if request.requester_id == me {
        return refuse(messages::own_request(request.number));
    }
    if request.status != Status::Pending {
        return refuse(messages::closed(&request));
    }
    let mut approvers = store::approvers(&mut *tx, request.id).await?;
    let Some(mine) = approvers.iter_mut().find(|a| a.member_id == me) else {
        return refuse(messages::not_an_approver(request.number));
    };
    if let Some(earlier) = mine.approve {
        return refuse(messages::already_voted(request.number, earlier));
    }
    let comment = inv
        .args
        .text(if approve { "comment" } else { "reason" })
        .filter(|c| !c.trim().is_empty());
    store::vote(&mut *tx, request.id, me, approve, comment, now).await?;
    // The row lock holds every other vote back, so the list read above plus this vote is
    // the whole tally: no second read.
    mine.approve = Some(approve);
    mine.comment = comment.map(str::to_owned);
    audit_caller(
        tx,
        inv,
        "approval.voted",
        json!({ "request": request.number, "approve": approve }),
        now,
    )
    .await?;
    let rule = rule_of(&request)?;
    let counted = tally(&approvers);
    let max_rejections = u32::try_from(request.max_rejections).unwrap_or(1);
    let status = match decide(rule, max_rejections, counted) {
        Decision::Pending => {
            return Ok(Outcome::reply(
                messages::voted(
                    request.number,
                    approve,
                    counted.approvals,
                    rule.needed(counted.approvers),
                ),
                inv.spec.visibility,
            ));
        }
        Decision::Approved => Status::Approved,
        Decision::Rejected => Status::Rejected,
    };
    store::close(&mut *tx, request.id, status, now).await?;
    let tool =
        crate::store::tools::settle_approval(&mut *tx, request.id, status == Status::Approved)
            .await?;
    crate::store::audit::record(
        &mut *tx,
        request.community_id,
        Some(me),
        "approval.decided",
        json!({ "request": request.number, "status": status.as_str() }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::decided_by_vote(&request, status == Status::Approved),
        inv.spec.visibility,
    )
    .with_post(
        direct(request.requester_id, &request.requester_name),
        messages::outcome(&request, status == Status::Approved, &approvers, tool),
    ))
}

/// Whether the caller may read `request`: its requester, an approver, or a steward.
async fn may_see(
    tx: &mut PgConnection,
    inv: &Invocation,
    request: &Request,
    approvers: &[Approver],
) -> ServiceResult<bool> {
    let me = inv.caller.member.id;
    Ok(request.requester_id == me
        || approvers.iter().any(|a| a.member_id == me)
        || roles::holds_community_role(&mut *tx, me, Role::Steward).await?)
}

/// `/approve show <request>`.
pub async fn show(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let request = request_arg(tx, inv, false).await?;
    let approvers = store::approvers(&mut *tx, request.id).await?;
    if !may_see(tx, inv, &request, &approvers).await? {
        return refuse(messages::not_yours_to_see(request.number));
    }
    let rule = rule_of(&request)?;
    Ok(Outcome::reply(
        messages::show(&request, rule, &approvers),
        inv.spec.visibility,
    ))
}

/// `/approve withdraw <request>`: the requester takes back an open request; the approvers
/// who had not voted are told.
pub async fn withdraw(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let request = request_arg(tx, inv, true).await?;
    if request.requester_id != inv.caller.member.id {
        return refuse(messages::not_yours_to_withdraw(request.number));
    }
    if request.status != Status::Pending {
        return refuse(messages::closed(&request));
    }
    store::close(&mut *tx, request.id, Status::Withdrawn, now).await?;
    crate::store::tools::settle_approval(&mut *tx, request.id, false).await?;
    audit_caller(
        tx,
        inv,
        "approval.withdrawn",
        json!({ "request": request.number }),
        now,
    )
    .await?;
    let mut outcome = Outcome::reply(messages::withdrawn(request.number), inv.spec.visibility);
    for approver in store::approvers(&mut *tx, request.id).await? {
        if approver.approve.is_none() {
            outcome = outcome.with_post(
                direct(approver.member_id, &approver.display_name),
                messages::withdrawn_notice(&request),
            );
        }
    }
    Ok(outcome)
}

/// `/approve list [pending|mine|open]`.
pub async fn list(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let me = inv.caller.member.id;
    let (which, listing) = match inv.args.text("which").unwrap_or("pending") {
        "mine" => (Listed::Mine, Listing::FiledBy(me)),
        "open" => {
            if !roles::holds_community_role(&mut *tx, me, Role::Steward).await? {
                return refuse(messages::stewards_list_all());
            }
            (Listed::Open, Listing::Open)
        }
        _ => (Listed::Pending, Listing::WaitingFor(me)),
    };
    let requests = store::list(&mut *tx, inv.caller.community_id, listing, LISTED).await?;
    Ok(Outcome::reply(
        messages::list(which, &requests),
        inv.spec.visibility,
    ))
}

/// `/approve delegate [member]`: who decides the caller's approvals while they are away.
pub async fn delegate(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let me = &inv.caller.member;
    let Some(typed) = inv.args.text("member") else {
        store::set_delegate(&mut *tx, inv.caller.community_id, me.id, None, now).await?;
        audit_caller(tx, inv, "approval.delegate_cleared", json!({}), now).await?;
        return Ok(Outcome::reply(
            messages::delegate_cleared(),
            inv.spec.visibility,
        ));
    };
    let delegate = find_member(&mut *tx, &inv.caller, typed).await?;
    if delegate.id == me.id {
        return refuse(messages::delegate_is_you());
    }
    let community = inv.caller.community_id;
    // The same delegate again (a double tap) changes nothing and tells them nothing more.
    if !store::set_delegate(&mut *tx, community, me.id, Some(delegate.id), now).await? {
        return Ok(Outcome::reply(
            messages::delegate_already(&delegate.display_name),
            inv.spec.visibility,
        ));
    }
    audit_caller(
        tx,
        inv,
        "approval.delegate_set",
        json!({ "delegate": delegate.id }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::delegate_set(&delegate.display_name),
        inv.spec.visibility,
    )
    .with_post(
        direct(delegate.id, &delegate.display_name),
        messages::told_delegate(&me.display_name),
    ))
}
