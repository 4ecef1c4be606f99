//! The daily sweep: deletes what the data policy keeps for a limited time (the invocation
//! replay cache, sent messages, searches that found nothing).

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use super::policy::Policy;

/// Applies every `sweep` of `policy`; the rows deleted, by table.
pub async fn run(pool: &PgPool, policy: &Policy, now: DateTime<Utc>) -> Result<Vec<(String, u64)>> {
    let mut swept = Vec::new();
    for (table, rules) in &policy.tables {
        let Some(sweep) = &rules.sweep else {
            continue;
        };
        // Names come from the policy, checked against the schema at start; quoted all the
        // same, so a name can only ever be a name.
        let status = if sweep.status.is_some() {
            " AND \"status\" = $2"
        } else {
            " AND $2::text IS NULL"
        };
        let sql = format!(
            "DELETE FROM \"{}\" WHERE \"{}\" < $1{status}",
            table.replace('"', ""),
            sweep.after.replace('"', "")
        );
        let before = now - Duration::days(i64::from(sweep.days));
        let deleted = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(before)
            .bind(sweep.status.as_deref())
            .execute(pool)
            .await
            .with_context(|| format!("sweeping {table}"))?
            .rows_affected();
        if deleted > 0 {
            tracing::info!(table = %table, deleted, "data policy sweep");
        }
        swept.push((table.clone(), deleted));
    }
    Ok(swept)
}
