//! Stewards grant and revoke program roles.

mod messages;
pub mod platform;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::lookup::{arg, find_member, optional_cohort};
use super::{Destination, Invocation, Outcome, ServiceResult, refuse};
use crate::domain::Role;
use crate::render::Message;
use crate::store::members::Member;
use crate::store::{concerns, roles};

pub async fn grant(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let role = inv.args.role("role").context("role is required")?;
    let target = find_member(&mut *tx, &inv.caller, arg(inv, "user")?).await?;
    let cohort = optional_cohort(&mut *tx, inv).await?;
    // Concerns are read community-wide (`concerns::is_handler`): a cohort's grant would
    // say "is now a concern handler in X" and give nothing.
    if role == Role::ConcernHandler && cohort.is_some() {
        return refuse(messages::concern_handler_is_community_wide());
    }
    let cohort_name = cohort.as_ref().map(|c| c.name.as_str());
    let granted = roles::grant(
        &mut *tx,
        inv.caller.community_id,
        target.id,
        role,
        cohort.as_ref().map(|c| c.id),
        Some(inv.caller.member.id),
        now,
    )
    .await?;
    if !granted {
        return refuse(messages::already_held(
            &target.display_name,
            role,
            cohort_name,
        ));
    }
    let detail = json!({ "member": target.platform_user_id, "role": role.as_str(), "cohort": cohort.as_ref().map(|c| &c.slug) });
    crate::services::audit_caller(&mut *tx, inv, "role.grant", detail, now).await?;
    let mut reply = messages::granted(&target.display_name, role, cohort_name);
    if role == Role::ConcernHandler {
        crate::services::concerns::sync_spaces(&mut *tx, inv.caller.community_id, now).await?;
        let line = messages::joining_concern_spaces;
        if let Some(spaces) = concern_spaces_line(tx, inv, &target, line).await? {
            reply = reply.push(spaces);
        }
    }
    let notice = messages::grant_notice(&inv.caller.member.display_name, role, cohort_name);
    Ok(Outcome::reply(reply, inv.spec.visibility)
        .with_post(
            Destination::Direct {
                member_id: target.id,
                display_name: target.display_name.clone(),
            },
            notice,
        )
        .with_role_changed(target.id, role))
}

pub async fn revoke(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let role = inv.args.role("role").context("role is required")?;
    let target = find_member(&mut *tx, &inv.caller, arg(inv, "user")?).await?;
    let cohort = optional_cohort(&mut *tx, inv).await?;
    let cohort_name = cohort.as_ref().map(|c| c.name.as_str());
    if role == Role::Steward
        && cohort.is_none()
        && count_stewards(&mut *tx, inv).await? <= 1
        && target.id == inv.caller.member.id
    {
        return refuse(messages::last_steward());
    }
    let revoked = roles::revoke(&mut *tx, target.id, role, cohort.as_ref().map(|c| c.id)).await?;
    if !revoked {
        return refuse(messages::not_held(&target.display_name, role, cohort_name));
    }
    let detail = json!({ "member": target.platform_user_id, "role": role.as_str(), "cohort": cohort.as_ref().map(|c| &c.slug) });
    crate::services::audit_caller(&mut *tx, inv, "role.revoke", detail, now).await?;
    let mut reply = messages::revoked(&target.display_name, role, cohort_name);
    // Concern spaces follow the community-wide role; a cohort's grant of it adds no one.
    if role == Role::ConcernHandler && cohort.is_none() {
        let community = inv.caller.community_id;
        let leaving = concerns::open_spaces_holding(&mut *tx, community, target.id).await?;
        // A re-sync calls the platform for every handler of every open space: only worth
        // it when the bot has someone to take out.
        if !leaving.is_empty() {
            crate::services::concerns::sync_spaces(&mut *tx, community, now).await?;
        }
        let maybe_in: Vec<i32> = concerns::open_spaces_with(&mut *tx, community, target.id)
            .await?
            .into_iter()
            .filter(|number| !leaving.contains(number))
            .collect();
        if !leaving.is_empty() {
            reply = reply.push(messages::leaving_concern_spaces(
                &target.display_name,
                &leaving,
            ));
        }
        if !maybe_in.is_empty() {
            reply = reply.push(messages::maybe_in_concern_spaces(
                &target.display_name,
                &maybe_in,
            ));
        }
    }
    Ok(Outcome::reply(reply, inv.spec.visibility)
        .with_post(
            Destination::Direct {
                member_id: target.id,
                display_name: target.display_name.clone(),
            },
            messages::revoke_notice(role, cohort_name),
        )
        .with_role_changed(target.id, role))
}

/// `line` naming the open concerns' private spaces that `target` is in or is joining
/// (`concerns::open_spaces_with`); `None` when there are none.
async fn concern_spaces_line(
    tx: &mut PgConnection,
    inv: &Invocation,
    target: &Member,
    line: fn(&str, &[i32]) -> Message,
) -> ServiceResult<Option<Message>> {
    let spaces = concerns::open_spaces_with(&mut *tx, inv.caller.community_id, target.id).await?;
    Ok((!spaces.is_empty()).then(|| line(&target.display_name, &spaces)))
}

async fn count_stewards(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<i64> {
    Ok(roles::count_community_role(&mut *tx, inv.caller.community_id, Role::Steward).await?)
}
