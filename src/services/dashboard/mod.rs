//! The sponsor dashboard: `/dashboard link` (sponsors and stewards) and `/dashboard rotate`
//! (stewards) hand out its secret link; `page` renders what the link shows.

pub mod charts;
pub mod messages;
pub mod page;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;

use super::{Invocation, Outcome, ServiceResult, audit_caller, refuse};
use crate::domain::Role;
use crate::services::events::new_token;
use crate::store::{dashboard_keys, roles};

/// Whether `member` may have the dashboard link: stewards, and sponsors of any cohort.
pub async fn may_open(tx: &mut PgConnection, member: uuid::Uuid) -> sqlx::Result<bool> {
    Ok(
        roles::holds_community_role(&mut *tx, member, Role::Steward).await?
            || roles::holds_anywhere(&mut *tx, member, Role::Sponsor).await?,
    )
}

/// `/dashboard link`, or `/dashboard rotate` when `rotate`: the community's dashboard link,
/// after a new key when rotating.
pub async fn link(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    public_url: Option<&str>,
    rotate: bool,
) -> ServiceResult {
    let me = inv.caller.member.id;
    let allowed = if rotate {
        roles::holds_community_role(&mut *tx, me, Role::Steward).await?
    } else {
        may_open(tx, me).await?
    };
    if !allowed {
        tracing::info!(
            rotate,
            "dashboard link refused: neither steward nor sponsor"
        );
        return refuse(if rotate {
            super::messages::stewards_only("dashboard rotate")
        } else {
            messages::not_allowed()
        });
    }
    let Some(public_url) = public_url else {
        return refuse(messages::no_public_url());
    };
    let community = inv.caller.community_id;
    let key = dashboard_keys::key(&mut *tx, community, &new_token()?, rotate, now).await?;
    // Who was given the link, and who broke the old ones: the key itself is not kept here.
    let action = if rotate {
        "dashboard.rotate"
    } else {
        "dashboard.link"
    };
    audit_caller(tx, inv, action, json!({}), now).await?;
    let url = format!(
        "{public_url}/dashboard/{}?key={key}",
        inv.caller.community_slug
    );
    Ok(Outcome::reply(
        messages::link(&url, rotate),
        inv.spec.visibility,
    ))
}
