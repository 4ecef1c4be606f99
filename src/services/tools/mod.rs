//! The tool registry: `/tool register` records a tool its registrant owns; above the
//! program's thresholds (more users, or more sensitive data) it files an approval of kind
//! `tool` and waits for it (the approvals settle the tool, [`crate::store::tools::settle_approval`]).
//! `/tool list|show|confirm|retire`. Reviews run on the scheduler ([`scheduled`]).

pub mod messages;
pub mod scheduled;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::approvals::{self, Filing};
use super::lookup::{arg, find_member};
use super::{Destination, Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::domain::Role;
use crate::store::approvals::Kind;
use crate::store::roles;
use crate::store::tools::{self as store, Filter, NewTool, Status, Tool};

/// How many tools `/tool list` shows.
const LISTED: i64 = 25;

fn direct(member_id: uuid::Uuid, name: &str) -> Destination {
    Destination::Direct {
        member_id,
        display_name: name.to_owned(),
    }
}

/// `/tool register <name> <kind> <data> <users> <environment> <justification…> [backup:] [links:]`.
pub async fn register(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let community_id = inv.caller.community_id;
    let me = &inv.caller.member;
    let name = arg(inv, "name")?.trim();
    let data_class = arg(inv, "data")?;
    let users = inv.args.int("users").context("users is required")?;
    let users = i32::try_from(users).context("users is bounded by the catalog")?;
    let justification = arg(inv, "justification")?;
    let links = inv.args.text("links").filter(|l| !l.trim().is_empty());
    let backup = match inv.args.text("backup") {
        Some(typed) => Some(find_member(&mut *tx, &inv.caller, typed).await?),
        None => None,
    };
    if backup.as_ref().is_some_and(|b| b.id == me.id) {
        return refuse(messages::backup_is_you());
    }
    // One numbering lock for the tool and its approval, taken before the name check so two
    // registrations of one name at once meet here.
    crate::store::communities::lock_numbering(&mut *tx, community_id).await?;
    if let Some(existing) = store::find(&mut *tx, community_id, name).await?
        && existing.status != Status::Retired
        && existing.name.to_lowercase() == name.to_lowercase()
    {
        return refuse(messages::name_taken(&existing));
    }
    let settings = store::settings(&mut *tx, community_id).await?;
    let filed = if settings.needs_approval(users, data_class) {
        let title = messages::approval_title(name);
        let filing = Filing {
            kind: Kind::Tool,
            title: &title,
            justification,
            data_class,
            links,
        };
        Some(approvals::file(tx, now, inv, &filing).await?)
    } else {
        None
    };
    let new = NewTool {
        community_id,
        name,
        kind: arg(inv, "kind")?,
        owner_id: me.id,
        backup_owner_id: backup.as_ref().map(|b| b.id),
        environment: arg(inv, "environment")?,
        data_class,
        users_estimate: users,
        justification,
        links,
        status: if filed.is_some() {
            Status::PendingApproval
        } else {
            Status::Active
        },
        approval_request_id: filed.as_ref().map(|f| f.request.id),
        now,
        review_due_at: now + Duration::days(i64::from(settings.review_days)),
    };
    let Some(number) = store::insert(&mut *tx, &new).await? else {
        // The lock makes this unreachable short of a name differing only in case folding
        // the database does differently; say so plainly all the same.
        return refuse(messages::name_taken_plain(name));
    };
    let tool = store::find(&mut *tx, community_id, &number.to_string())
        .await?
        .context("reading back the tool just registered")?;
    audit_caller(
        tx,
        inv,
        "tool.registered",
        json!({ "tool": number, "kind": tool.kind, "data_class": tool.data_class,
                "status": tool.status.as_str(),
                "approval": filed.as_ref().map(|f| f.request.number) }),
        now,
    )
    .await?;
    let mut outcome = match &filed {
        Some(filed) => filed.with_asks(Outcome::reply(
            messages::waiting_for_approval(&tool, &settings, filed.reply()),
            inv.spec.visibility,
        )),
        None => Outcome::reply(messages::registered(&tool), inv.spec.visibility),
    };
    if let Some(backup) = &backup {
        outcome = outcome.with_post(
            direct(backup.id, &backup.display_name),
            messages::told_backup(&me.display_name, &tool),
        );
    }
    Ok(outcome)
}

/// The tool the command names; a typo gets the closest name.
async fn tool_arg(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<Tool> {
    let typed = arg(inv, "tool")?;
    if let Some(tool) = store::find(&mut *tx, inv.caller.community_id, typed).await? {
        return Ok(tool);
    }
    let names = store::names(&mut *tx, inv.caller.community_id).await?;
    let suggestion = crate::domain::suggest(typed, names.iter().map(String::as_str));
    refuse(messages::unknown_tool(typed, suggestion))
}

fn owns(tool: &Tool, member: uuid::Uuid) -> bool {
    tool.owner_id == member || tool.backup_owner_id == Some(member)
}

/// `/tool list [owner:] [status:] [data:]`.
pub async fn list(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let filter = if let Some(typed) = inv.args.text("owner") {
        Filter::Owner(find_member(&mut *tx, &inv.caller, typed).await?.id)
    } else if let Some(status) = inv.args.text("status") {
        Filter::Status(
            status
                .parse()
                .map_err(|err: String| anyhow::anyhow!(err))
                .context("the catalog's tool statuses")?,
        )
    } else if let Some(data) = inv.args.text("data") {
        Filter::DataClass(data.to_owned())
    } else {
        Filter::All
    };
    let tools = store::list(&mut *tx, inv.caller.community_id, &filter, LISTED).await?;
    Ok(Outcome::reply(
        messages::list(&tools, LISTED),
        inv.spec.visibility,
    ))
}

/// `/tool show <tool>`.
pub async fn show(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult {
    let tool = tool_arg(tx, inv).await?;
    let (justification, links) = store::text_of(&mut *tx, tool.id).await?;
    Ok(Outcome::reply(
        messages::show(&tool, &justification, links.as_deref()),
        inv.spec.visibility,
    ))
}

/// `/tool confirm <tool>`: its owner or backup says it is still in use, as registered.
pub async fn confirm(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let tool = tool_arg(tx, inv).await?;
    if !owns(&tool, inv.caller.member.id) {
        return refuse(messages::owners_only(&tool, "confirm"));
    }
    if tool.status != Status::Active {
        return refuse(messages::not_active(&tool));
    }
    let settings = store::settings(&mut *tx, inv.caller.community_id).await?;
    let next = now + Duration::days(i64::from(settings.review_days));
    store::confirm(&mut *tx, tool.id, now, next).await?;
    audit_caller(
        tx,
        inv,
        "tool.confirmed",
        json!({ "tool": tool.number }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::confirmed(&tool, next),
        inv.spec.visibility,
    ))
}

/// `/tool retire <tool>`: its owner, backup or a steward takes it out of use.
pub async fn retire(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let tool = tool_arg(tx, inv).await?;
    let me = inv.caller.member.id;
    if !owns(&tool, me) && !roles::holds_community_role(&mut *tx, me, Role::Steward).await? {
        return refuse(messages::owners_only(&tool, "retire"));
    }
    if tool.status == Status::Retired {
        return refuse(messages::already_retired(&tool));
    }
    store::retire(&mut *tx, tool.id, now).await?;
    audit_caller(tx, inv, "tool.retired", json!({ "tool": tool.number }), now).await?;
    let mut outcome = Outcome::reply(messages::retired(&tool), inv.spec.visibility);
    if tool.owner_id != me {
        outcome = outcome.with_post(
            direct(tool.owner_id, &tool.owner_name),
            messages::retired_by(&inv.caller.member.display_name, &tool),
        );
    }
    Ok(outcome)
}
