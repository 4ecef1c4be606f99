//! Tool reviews on the scheduler: at each tool's review date its owner and backup get one
//! DM; a review left unanswered for [`UNANSWERED_DAYS`] goes to the stewards, once. Both
//! are state changes taken with `FOR UPDATE SKIP LOCKED` and written with their DMs, so
//! each happens once however many processes run the scheduler.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool};

use super::messages;
use crate::domain::Role;
use crate::services::{Destination, enqueue};
use crate::store::tools as store;

/// How long an owner has to answer a review before the stewards hear of it.
pub const UNANSWERED_DAYS: i64 = 30;

/// One pass: due reviews, then unanswered ones. The number of posts queued.
pub async fn run(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    let mut posts = remind(&mut tx, now).await.context("tool reviews")?;
    posts += tell_stewards(&mut tx, now)
        .await
        .context("unanswered tool reviews")?;
    tx.commit().await?;
    Ok(posts)
}

async fn remind(tx: &mut PgConnection, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut posts = 0;
    for tool in store::take_due_reviews(&mut *tx, now).await? {
        let settings = store::settings(&mut *tx, tool.community_id).await?;
        let message = messages::review_due(&tool, settings.review_days, UNANSWERED_DAYS);
        let mut owners = vec![(tool.owner_id, tool.owner_name.clone())];
        if let (Some(id), Some(name)) = (tool.backup_owner_id, &tool.backup_name) {
            owners.push((id, name.clone()));
        }
        for (member_id, display_name) in owners {
            let key = format!("tool:review:{}:{}:{member_id}", tool.id, tool.review_due_at);
            let to = Destination::Direct {
                member_id,
                display_name,
            };
            if enqueue(tx, tool.community_id, &key, &to, &message, now).await? {
                posts += 1;
            }
        }
        tracing::info!(tool = tool.number, community = %tool.community_id, "tool review due");
    }
    Ok(posts)
}

async fn tell_stewards(tx: &mut PgConnection, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut posts = 0;
    let before = now - Duration::days(UNANSWERED_DAYS);
    for tool in store::take_unreviewed(&mut *tx, before, now).await? {
        let stewards = crate::store::approvals::resolve(
            &mut *tx,
            tool.community_id,
            &[Role::Steward.as_str().to_owned()],
        )
        .await?;
        let message = messages::unreviewed(&tool);
        for (member_id, display_name) in stewards {
            let key = format!(
                "tool:unreviewed:{}:{}:{member_id}",
                tool.id, tool.review_due_at
            );
            let to = Destination::Direct {
                member_id,
                display_name,
            };
            if enqueue(tx, tool.community_id, &key, &to, &message, now).await? {
                posts += 1;
            }
        }
        tracing::info!(tool = tool.number, community = %tool.community_id, "tool review unanswered; stewards told");
    }
    Ok(posts)
}
