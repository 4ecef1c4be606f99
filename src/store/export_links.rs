//! `/stats export` links: what each random token exports, for whom, until when.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::store::pg_row;

crate::store::row::text_enum! {
    /// A CSV `/stats export` writes.
    pub enum Dataset {
        Weekly = "weekly",
        Funnel = "funnel",
        Checkins = "checkins",
        Attendance = "attendance",
        Milestones = "milestones",
        Impact = "impact",
    }
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct ExportLink {
        pub community_id: Uuid,
        pub member_id: Uuid,
        pub dataset: Dataset,
        pub cohort_ids: Vec<Uuid>,
        pub first_period: String,
        pub last_period: String,
        /// When the link was made: the attendance file lists sessions started by then.
        pub created_at: DateTime<Utc>,
    }
}

pub struct NewLink<'a> {
    pub token: &'a str,
    pub community_id: Uuid,
    pub member_id: Uuid,
    pub dataset: Dataset,
    pub cohort_ids: &'a [Uuid],
    pub first_period: &'a str,
    pub last_period: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// Records a link, sweeping the community's expired ones in the same statement.
pub async fn create(
    ex: impl PgExecutor<'_>,
    link: &NewLink<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH swept AS (DELETE FROM export_links WHERE community_id = $2 AND expires_at <= $9)
         INSERT INTO export_links (token, community_id, member_id, dataset, cohort_ids,
                                   first_period, last_period, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(link.token)
    .bind(link.community_id)
    .bind(link.member_id)
    .bind(link.dataset)
    .bind(link.cohort_ids)
    .bind(link.first_period)
    .bind(link.last_period)
    .bind(link.expires_at)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// The link `token` names, unless it is unknown or expired at `now`.
pub async fn live(
    ex: impl PgExecutor<'_>,
    token: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<ExportLink>> {
    sqlx::query_as(
        "SELECT community_id, member_id, dataset, cohort_ids, first_period, last_period,
                created_at
           FROM export_links WHERE token = $1 AND expires_at > $2",
    )
    .bind(token)
    .bind(now)
    .fetch_optional(ex)
    .await
}
