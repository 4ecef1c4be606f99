//! Cohort days off, one row per day: a listed ISO week is its seven days.

use chrono::NaiveDate;
use sqlx::PgExecutor;
use uuid::Uuid;

crate::store::row::text_enum! {
    /// Where a day off came from (`cohort_days_off.source`).
    pub enum Source {
        /// The program file: its rows are replaced by each import.
        Program = "program",
        /// `/cohort dayoff add`: kept across imports.
        Command = "command",
    }
}

/// Adds `days` with `label`; days already off keep their label. Returns the days added.
pub async fn add(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    days: &[NaiveDate],
    label: &str,
    source: Source,
) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "INSERT INTO cohort_days_off (community_id, cohort_id, day, label, source)
         SELECT $1, $2, d, $4, $5 FROM unnest($3::date[]) AS d
         ON CONFLICT (cohort_id, day) DO NOTHING",
    )
    .bind(community_id)
    .bind(cohort_id)
    .bind(days)
    .bind(label)
    .bind(source)
    .execute(ex)
    .await?
    .rows_affected())
}

/// Removes `days`; returns how many were off.
pub async fn remove(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    days: &[NaiveDate],
) -> sqlx::Result<u64> {
    Ok(
        sqlx::query("DELETE FROM cohort_days_off WHERE cohort_id = $1 AND day = ANY($2)")
            .bind(cohort_id)
            .bind(days)
            .execute(ex)
            .await?
            .rows_affected(),
    )
}

/// Forgets the days the program file set, before an import sets them again.
pub async fn clear_program(ex: impl PgExecutor<'_>, cohort_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM cohort_days_off WHERE cohort_id = $1 AND source = 'program'")
        .bind(cohort_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// The cohort's days off from `from` on, in order.
pub async fn list(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    from: NaiveDate,
    limit: i64,
) -> sqlx::Result<Vec<(NaiveDate, String)>> {
    sqlx::query_as(
        "SELECT day, label FROM cohort_days_off WHERE cohort_id = $1 AND day >= $2
         ORDER BY day LIMIT $3",
    )
    .bind(cohort_id)
    .bind(from)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Every cohort's days off between two dates, for one scheduler pass.
pub async fn between(
    ex: impl PgExecutor<'_>,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<(Uuid, NaiveDate, String)>> {
    sqlx::query_as("SELECT cohort_id, day, label FROM cohort_days_off WHERE day BETWEEN $1 AND $2")
        .bind(from)
        .bind(to)
        .fetch_all(ex)
        .await
}

/// The days the program file set, in order, for export.
pub async fn from_program(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
) -> sqlx::Result<Vec<(NaiveDate, String)>> {
    sqlx::query_as(
        "SELECT day, label FROM cohort_days_off WHERE cohort_id = $1 AND source = 'program'
         ORDER BY day",
    )
    .bind(cohort_id)
    .fetch_all(ex)
    .await
}
