//! Open Badges: listing a member's credentials and revoking one. The credential documents
//! themselves are built in [`credential`] and served by `web::badges`.

pub mod bulk;
pub mod credential;
pub mod integrity;
mod messages;
pub mod rs256;
pub mod signing;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::lookup::{arg, find_member};
use super::{Destination, Invocation, Outcome, ServiceResult, refuse};
use crate::store::{audit, issuer_keys, milestones};

/// Gives every community that issued badges before keys were made at issue time its key,
/// at start, so serving a credential never writes.
pub async fn ensure_issuer_keys(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    let mut conn = pool.acquire().await?;
    for community in issuer_keys::badged_without_keys(&mut *conn).await? {
        ensure_keys(&mut conn, community).await?;
    }
    Ok(())
}

/// Gives the community its signing keys unless it has them: called where a badge is
/// issued, in that transaction, so serving a credential only reads them. The RSA key is
/// drawn only when missing: it takes a moment.
pub async fn ensure_keys(tx: &mut PgConnection, community: Uuid) -> anyhow::Result<()> {
    issuer_keys::ensure(&mut *tx, community, signing::fresh_seed()?).await?;
    if !issuer_keys::has_rsa(&mut *tx, community).await? {
        issuer_keys::ensure_rsa(&mut *tx, community, &rs256::fresh_der()?).await?;
    }
    Ok(())
}

/// `/badges [user]`: links absolute with `public_url`.
pub async fn list(
    tx: &mut PgConnection,
    inv: &Invocation,
    public_url: Option<&str>,
) -> ServiceResult {
    let member = match inv.args.text("user") {
        Some(handle) => find_member(tx, &inv.caller, handle).await?,
        None => inv.caller.member.clone(),
    };
    let mine = member.id == inv.caller.member.id;
    let badges = milestones::badges_of(&mut *tx, member.id).await?;
    Ok(Outcome::reply(
        messages::list(&member.display_name, mine, &badges, public_url),
        inv.spec.visibility,
    ))
}

/// `/badge rotate` (stewards): a new signing key from now on; the old one stays published
/// at the `kid` its credentials name.
pub async fn rotate_key(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    public_url: Option<&str>,
) -> ServiceResult {
    let community = inv.caller.community_id;
    let Some(version) =
        issuer_keys::rotate(&mut *tx, community, signing::fresh_seed()?, now).await?
    else {
        return refuse(messages::no_key_yet());
    };
    // The RSA key rotates with it: a key thought exposed is replaced in every form the
    // credentials are signed in. A community that issued before RSA keys existed got one
    // at start (`ensure_issuer_keys`), so there is always one to rotate.
    let rsa_version = issuer_keys::rotate_rsa(&mut *tx, community, &rs256::fresh_der()?, now)
        .await?
        .context("a community with a signing key has an RSA key too")?;
    audit::record(
        &mut *tx,
        community,
        Some(inv.caller.member.id),
        "badge.key_rotated",
        json!({ "version": version, "rsa_version": rsa_version }),
        now,
    )
    .await?;
    tracing::info!(
        community = %inv.caller.community_slug,
        version,
        rsa_version,
        "badge signing keys rotated"
    );
    let keys = public_url.map(|base| {
        let slug = &inv.caller.community_slug;
        messages::RotatedKeys {
            new: signing::key_url(base, slug, version),
            old: signing::key_url(base, slug, version - 1),
            new_rsa: rs256::key_url(base, slug, rsa_version),
        }
    });
    Ok(Outcome::reply(
        messages::rotated(version, rsa_version, keys),
        inv.spec.visibility,
    ))
}

pub async fn revoke(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
    public_url: Option<&str>,
) -> ServiceResult {
    let typed = arg(inv, "badge")?;
    // The id, or the link people share (`https://…/badges/<id>`), whose last part it is.
    let last = typed.trim().trim_end_matches('/').rsplit('/').next();
    let Some(Ok(id)) = last.map(Uuid::parse_str) else {
        return refuse(messages::not_a_badge_id(typed));
    };
    let reason = arg(inv, "reason")?;
    let community = inv.caller.community_id;
    let badge = match milestones::badge(&mut *tx, id).await? {
        Some(badge) if milestones::badge_community(&mut *tx, id).await? == Some(community) => badge,
        _ => return refuse(messages::not_a_badge_id(typed)),
    };
    if !milestones::revoke(&mut *tx, community, id, reason, now).await? {
        return refuse(messages::already_revoked(&badge.name));
    }
    let detail = json!({ "badge": id, "member": badge.member_id });
    audit::record(
        &mut *tx,
        community,
        Some(inv.caller.member.id),
        "badge.revoke",
        detail,
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::revoked_reply(&badge.name, &badge.member_name, &id, public_url),
        inv.spec.visibility,
    )
    .with_post(
        Destination::Direct {
            member_id: badge.member_id,
            display_name: badge.member_name.clone(),
        },
        messages::revoked_dm(&badge.name, reason),
    )
    .with_achievement(badge.member_id, None))
}
