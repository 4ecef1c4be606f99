//! The erasure job: each request whose grace period is over is carried out in its own
//! transaction, taken with `FOR UPDATE SKIP LOCKED`, so it runs once however many
//! processes run the scheduler, and one failing request does not hold back the others.

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

use super::messages;
use crate::services::{Destination, enqueue};
use crate::store::erasures;

/// Carries out every request now due; the number of posts queued.
pub async fn run(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let policy = crate::privacy::policy()?;
    let mut posts = 0;
    loop {
        let mut tx = pool.begin().await?;
        let Some(request) = erasures::take_due(&mut *tx, now).await? else {
            break;
        };
        let erased = crate::privacy::erase::apply(&mut tx, policy, request.member_id, now)
            .await
            .with_context(|| {
                format!(
                    "erasure request {} of community {}",
                    request.number, request.community_id
                )
            })?;
        erasures::mark_done(&mut *tx, request.id, now).await?;
        crate::store::audit::record(
            &mut *tx,
            request.community_id,
            None,
            "privacy.erased",
            json!({ "request": request.number }),
            now,
        )
        .await?;
        // The steward who asked hears it is done; a steward erased meanwhile gets nothing
        // (the outbox queues no post to a tombstone).
        if request.requested_by != request.member_id
            && let Some(steward) =
                crate::store::members::by_id(&mut *tx, request.requested_by).await?
        {
            let to = Destination::Direct {
                member_id: steward.id,
                display_name: steward.display_name,
            };
            let key = format!("erasure:done:{}", request.id);
            let done = messages::done_for_steward(request.number);
            if enqueue(&mut tx, request.community_id, &key, &to, &done, now).await? {
                posts += 1;
            }
        }
        tx.commit().await?;
        let rows: u64 = erased.rows.iter().map(|(_, n)| n).sum();
        tracing::info!(
            request = request.number,
            community = %request.community_id,
            rows,
            tables = erased.rows.len(),
            cancelled_posts = erased.cancelled_posts,
            blanked_posts = erased.blanked_posts,
            cohorts_left = erased.cohorts_left,
            badges_revoked = erased.badges_revoked,
            "member data erased"
        );
    }
    Ok(posts)
}
