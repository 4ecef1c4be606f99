//! Program roles held by members, community-wide or in one cohort.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::Role;
use crate::store::pg_row;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct HeldRole {
        pub role: String,
        pub cohort_slug: Option<String>,
    }
}

impl HeldRole {
    pub fn role(&self) -> Option<Role> {
        self.role.parse().ok()
    }
}

/// Grants a role; false when the member already held it.
pub async fn grant(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    role: Role,
    cohort_id: Option<Uuid>,
    granted_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO member_roles (id, community_id, member_id, role, cohort_id, granted_at, granted_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (member_id, role, cohort_id) DO NOTHING",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(member_id)
    .bind(role.as_str())
    .bind(cohort_id)
    .bind(now)
    .bind(granted_by)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Revokes a role; false when the member did not hold it.
pub async fn revoke(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    role: Role,
    cohort_id: Option<Uuid>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "DELETE FROM member_roles WHERE member_id = $1 AND role = $2 AND cohort_id IS NOT DISTINCT FROM $3",
    )
    .bind(member_id)
    .bind(role.as_str())
    .bind(cohort_id)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() > 0)
}

pub async fn held_by(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<Vec<HeldRole>> {
    sqlx::query_as(
        "SELECT r.role, c.slug AS cohort_slug
         FROM member_roles r LEFT JOIN cohorts c ON c.id = r.cohort_id
         WHERE r.member_id = $1 ORDER BY r.role, c.slug NULLS FIRST",
    )
    .bind(member_id)
    .fetch_all(ex)
    .await
}

/// Whether the member holds `role` community-wide.
pub async fn holds_community_role(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    role: Role,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM member_roles WHERE member_id = $1 AND role = $2 AND cohort_id IS NULL)",
    )
    .bind(member_id)
    .bind(role.as_str())
    .fetch_one(ex)
    .await
}

/// How many members hold `role` community-wide.
pub async fn count_community_role(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    role: Role,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM member_roles WHERE community_id = $1 AND role = $2 AND cohort_id IS NULL")
        .bind(community_id)
        .bind(role.as_str())
        .fetch_one(ex)
        .await
}
