//! Roles earned by achievements. A change that can earn or lose one (a milestone verified,
//! a badge revoked, kudos, a streak settled) settles the member's rules in its own
//! transaction, which writes the platform actions and announcements to the outbox. A
//! weekly reconciliation re-derives every holder and checks the platform for roles changed
//! by hand: the first removal is repaired, a second is reported and left alone.

mod messages;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{Destination, Post, enqueue};
use crate::store::earned_roles::{self, Missing};
use crate::store::outbox::{self, PlatformAction};
use crate::store::{audit, mentoring};

/// Settles the community's earned roles for `member` (every member when `None`), writing
/// one platform action per change to the outbox. Returns the announcements in `channel` of
/// each role earned under a rule that asks for one, each with an outbox key of its own,
/// for the caller to send with its other posts.
pub async fn settle(
    tx: &mut PgConnection,
    community_id: Uuid,
    member: Option<Uuid>,
    channel: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(String, Post)>> {
    let changes = earned_roles::settle(&mut *tx, community_id, member, now).await?;
    let mut announcements = Vec::new();
    for change in &changes {
        let (verb, action) = if change.granted {
            ("grant", "earned_role.grant")
        } else {
            ("revoke", "earned_role.revoke")
        };
        let key = format!("earned-role:{}:{verb}", change.grant_id);
        let role = PlatformAction::EarnedRole {
            rule: change.rule_id,
            check: false,
        };
        outbox::enqueue_action(&mut *tx, community_id, &key, change.member_id, role, now).await?;
        // Nobody acted: the rule did, for the member.
        let detail = serde_json::json!({
            "rule": change.rule_id, "role": change.name, "member": change.member_id
        });
        audit::record(&mut *tx, community_id, None, action, detail, now).await?;
        if let (true, true, Some(channel)) = (change.granted, change.announce, channel) {
            let post = Post {
                to: Destination::Channel(channel.to_owned()),
                message: messages::earned(change.member_id, &change.display_name, &change.name),
            };
            announcements.push((format!("earned-role:{}:announce", change.grant_id), post));
        }
    }
    Ok(announcements)
}

/// [`settle`], sending its announcements at once: for changes that are no command's.
pub async fn settle_and_announce(
    tx: &mut PgConnection,
    community_id: Uuid,
    member: Option<Uuid>,
    channel: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let mut posts = 0;
    for (key, post) in settle(&mut *tx, community_id, member, channel, now).await? {
        posts +=
            u64::from(enqueue(&mut *tx, community_id, &key, &post.to, &post.message, now).await?);
    }
    Ok(posts)
}

/// The weekly reconciliation, for every community that is due: re-derives the holders
/// (repairing what a lost transaction or a changed rule left behind, without announcing),
/// and asks each platform to check the roles of those who already held one. Returns the
/// outbox rows written.
pub async fn reconcile_due(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut tx = pool.begin().await?;
    let mut written = 0;
    for community_id in earned_roles::claim_reconciliations(&mut tx, now).await? {
        let checked = earned_roles::holders_before(&mut *tx, community_id, now).await?;
        // Nothing is announced: a rule added to a running program would otherwise flood
        // the channels with everyone who already earned it.
        written += settle(&mut tx, community_id, None, None, now).await?.len();
        let week = now.format("%G-W%V");
        for (rule, member) in checked {
            let key = format!("earned-role-check:{rule}:{member}:{week}");
            let check = PlatformAction::EarnedRole { rule, check: true };
            let added =
                outbox::enqueue_action(&mut *tx, community_id, &key, member, check, now).await?;
            written += usize::from(added);
        }
    }
    tx.commit()
        .await
        .context("committing the earned roles reconciliation")?;
    Ok(written)
}

/// What a platform sender does with `member`'s earned role under `rule`: `holds` is whether
/// the program says they hold it, `shown` what the platform showed (`None` when it was not
/// read). A `check` of a holder records what it found: a role missing is put back the first
/// time, then reported to stewards and left off. Returns the state to set on the platform,
/// or `None` when there is nothing to do.
pub async fn to_set(
    pool: &PgPool,
    community_id: Uuid,
    rule: Uuid,
    member: (Uuid, &str),
    platform: &str,
    (holds, shown, check): (bool, Option<bool>, bool),
    now: DateTime<Utc>,
) -> anyhow::Result<Option<bool>> {
    match (check && holds, shown) {
        (true, Some(true)) => {
            earned_roles::found_present(pool, rule, member.0).await?;
            Ok(None)
        }
        (true, Some(false)) => Ok(
            found_missing(pool, community_id, rule, member, platform, now)
                .await?
                .then_some(true),
        ),
        (_, Some(shown)) if shown == holds => Ok(None),
        _ => Ok(Some(holds)),
    }
}

/// A check found `member`'s earned role missing: put it back the first time, report and
/// leave it off the second. True when the sender should restore it. Stewards are told
/// either way, in the same transaction that records it.
async fn found_missing(
    pool: &PgPool,
    community_id: Uuid,
    rule: Uuid,
    member: (Uuid, &str),
    platform: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await?;
    let Some(target) = earned_roles::target(&mut *tx, rule, member.0).await? else {
        return Ok(false);
    };
    let (verdict, body, action) =
        match earned_roles::found_missing(&mut *tx, rule, member.0, now).await? {
            None | Some(Missing::AlreadyLeftOff) => return Ok(false),
            Some(Missing::Restore) => (
                true,
                messages::restored(member.1, &target.name, platform),
                "earned_role.restored",
            ),
            Some(Missing::LeaveOff { restored_at }) => (
                false,
                messages::left_off(member.1, &target.name, platform, restored_at),
                "earned_role.left_off",
            ),
        };
    let detail = serde_json::json!({
        "rule": rule, "role": target.name, "platform": platform, "member": member.0
    });
    audit::record(&mut *tx, community_id, None, action, detail, now).await?;
    for (steward, display_name) in mentoring::stewards(&mut *tx, community_id).await? {
        let key = format!(
            "earned-role-report:{rule}:{}:{action}:{steward}:{}",
            member.0,
            now.timestamp()
        );
        let to = Destination::Direct {
            member_id: steward,
            display_name,
        };
        enqueue(&mut tx, community_id, &key, &to, &body, now).await?;
    }
    tx.commit()
        .await
        .context("recording an earned role found missing")?;
    Ok(verdict)
}
