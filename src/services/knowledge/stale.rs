//! The weekly reminder of entries past their verification date: each owner gets one DM
//! listing theirs, each entry once per interval; entries whose owner left go to the
//! stewards.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::messages;
use crate::services::{Destination, enqueue};
use crate::store::knowledge::{self, Overdue};
use crate::store::mentoring;

/// Sweeps each community whose week has come; returns the DMs written.
pub async fn remind_due(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    let mut written = 0;
    let week = now.format("%G-W%V");
    for community in knowledge::claim_stale_sweeps(&mut tx, now).await? {
        let overdue = knowledge::take_unreminded(&mut tx, community, now).await?;
        let mut by_owner: BTreeMap<Uuid, (String, Vec<Overdue>)> = BTreeMap::new();
        let mut unowned = Vec::new();
        for entry in overdue {
            match (entry.owner_id, entry.owner_name.clone()) {
                (Some(owner), Some(name)) => by_owner
                    .entry(owner)
                    .or_insert_with(|| (name, Vec::new()))
                    .1
                    .push(entry),
                _ => unowned.push(entry),
            }
        }
        for (owner, (name, entries)) in by_owner {
            let to = Destination::Direct {
                member_id: owner,
                display_name: name,
            };
            let key = format!("kb-stale:{owner}:{week}");
            let message = messages::stale_reminder(&entries);
            written += u64::from(enqueue(&mut tx, community, &key, &to, &message, now).await?);
        }
        if !unowned.is_empty() {
            let message = messages::unowned_reminder(&unowned);
            for (steward, name) in mentoring::stewards(&mut *tx, community).await? {
                let to = Destination::Direct {
                    member_id: steward,
                    display_name: name,
                };
                let key = format!("kb-stale-unowned:{steward}:{week}");
                written += u64::from(enqueue(&mut tx, community, &key, &to, &message, now).await?);
            }
        }
    }
    tx.commit()
        .await
        .context("committing the knowledge-base stale sweep")?;
    Ok(written)
}
