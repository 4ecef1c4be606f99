//! `/relink <member> <account>` (stewards): a member whose platform account changed (a new
//! Slack user after a workspace move, a new Discord account) gets their history back on
//! the new account. Their member row keeps its id, so check-ins, milestones, badges (whose
//! credentials name the member id, not the account), roles, seats and kudos all follow;
//! only the account id changes, and what the platform cached about the old account goes.
//!
//! The new account may already have its own row, made when it first used the bot. That row
//! goes if it holds no history yet; otherwise the relink is refused, since merging two
//! histories would have to choose between their check-ins, enrollments and votes.

pub mod messages;

use serde_json::json;
use sqlx::PgConnection;

use super::lookup::arg;
use super::{Destination, Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::store::outbox::PlatformAction;
use crate::store::{earned_roles, members, relink as store, roles};
use chrono::{DateTime, Utc};

/// `/relink <member> <account>`.
pub async fn relink(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let community = inv.caller.community_id;
    let platform = inv.caller.member.platform.as_str();
    let typed = arg(inv, "member")?.trim();
    let account = arg(inv, "account")?;
    // The old account may be gone from the platform: found by name or id, on this platform.
    let named = members::named(&mut *tx, community, typed).await?;
    let mut candidates = Vec::new();
    for (id, _) in &named {
        if let Some(member) = members::by_id(&mut *tx, *id).await?
            && member.platform == platform
        {
            candidates.push(member);
        }
    }
    let old = match candidates.as_slice() {
        [one] => one.clone(),
        [] => {
            let names = members::display_names(&mut *tx, community).await?;
            let suggestion = crate::domain::suggest(typed, names.iter().map(String::as_str));
            return refuse(messages::unknown(typed, suggestion));
        }
        several => {
            let ids: Vec<&str> = several
                .iter()
                .map(|m| m.platform_user_id.as_str())
                .collect();
            return refuse(messages::ambiguous(typed, &ids));
        }
    };
    if old.platform_user_id == account {
        return refuse(messages::same_account(&old.display_name));
    }
    let existing = members::find(&mut *tx, community, platform, account).await?;
    let unused = match &existing {
        Some(new) => {
            let history = store::history_of(&mut *tx, new.id).await?;
            if !history.is_empty() {
                return refuse(messages::new_account_has_history(
                    &new.display_name,
                    &history,
                ));
            }
            Some(new.id)
        }
        None => None,
    };
    store::relink(&mut *tx, old.id, account, unused).await?;
    audit_caller(
        tx,
        inv,
        "member.relinked",
        json!({ "member": old.id, "replaced_row": unused }),
        now,
    )
    .await?;
    tracing::info!(member = %old.id, "member relinked to a new platform account");
    let mut outcome = Outcome::reply(messages::relinked(&old.display_name), inv.spec.visibility)
        .with_post(
            Destination::Direct {
                member_id: old.id,
                display_name: old.display_name.clone(),
            },
            messages::told_member(&inv.caller.member.display_name),
        );
    // The platform roles follow to the new account: each program role mirrored again, and
    // each earned role checked on the platform (a check gives it where it is missing).
    let mut held: Vec<crate::domain::Role> = roles::held_by(&mut *tx, old.id)
        .await?
        .iter()
        .filter_map(roles::HeldRole::role)
        .collect();
    held.sort_unstable();
    held.dedup();
    for role in held {
        outcome = outcome.with_role_changed(old.id, role);
    }
    for rule in earned_roles::rules_held_by(&mut *tx, old.id).await? {
        outcome
            .actions
            .push((old.id, PlatformAction::EarnedRole { rule, check: true }));
    }
    Ok(outcome)
}
