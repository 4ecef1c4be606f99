//! Program roles held by members, community-wide or in one cohort.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
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
///
/// A mentor role is the approval to mentor, however it was given (the program file,
/// `/role grant`, a Discord role, `/mentor approve`), so the same statement approves the
/// member's mentor profile, creating it with the tier's defaults when there is none. A lead
/// stays lead when also given the community role.
pub async fn grant(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    role: Role,
    cohort_id: Option<Uuid>,
    granted_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let tier = role.mentor_tier();
    sqlx::query_scalar(
        "WITH granted AS (
             INSERT INTO member_roles (id, community_id, member_id, role, cohort_id, granted_at, granted_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (member_id, role, cohort_id) DO NOTHING
             RETURNING 1),
         approved AS (
             INSERT INTO mentor_profiles
                 (member_id, community_id, tier, capacity, skills, status, offered_at, decided_at, decided_by)
             SELECT m.id, m.community_id, $8, $9, m.skills, 'approved', $6, $6, $7
               FROM members m WHERE m.id = $3 AND $8::text IS NOT NULL
             ON CONFLICT (member_id) DO UPDATE SET
                 status = 'approved', decline_reason = NULL,
                 decided_at = EXCLUDED.decided_at, decided_by = EXCLUDED.decided_by,
                 tier = CASE WHEN mentor_profiles.tier = 'lead' THEN 'lead' ELSE EXCLUDED.tier END
               WHERE mentor_profiles.status <> 'approved'
                  OR (EXCLUDED.tier = 'lead' AND mentor_profiles.tier <> 'lead')
             RETURNING 1)
         SELECT EXISTS (SELECT 1 FROM granted)",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(member_id)
    .bind(role.as_str())
    .bind(cohort_id)
    .bind(now)
    .bind(granted_by)
    .bind(tier.map(|t| t.as_str()))
    .bind(tier.map_or(0, |t| t.default_capacity()))
    .fetch_one(ex)
    .await
}

/// Revokes a role; false when the member did not hold it. Losing the last mentor role ends
/// the approval to mentor (the profile, pauses and lists are kept for a later approval);
/// losing the lead role leaves a community mentor.
pub async fn revoke(
    conn: &mut PgConnection,
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
    .execute(&mut *conn)
    .await?;
    let revoked = result.rows_affected() > 0;
    if revoked && role.mentor_tier().is_some() {
        sqlx::query(
            "UPDATE mentor_profiles p SET
                 status = CASE WHEN r.lead OR r.community THEN 'approved' ELSE 'declined' END,
                 tier = CASE WHEN r.lead THEN 'lead' WHEN r.community THEN 'community' ELSE p.tier END
               FROM (SELECT bool_or(role = 'lead_mentor') AS lead,
                            bool_or(role = 'community_mentor') AS community
                       FROM member_roles WHERE member_id = $1) r
              WHERE p.member_id = $1 AND p.status = 'approved'",
        )
        .bind(member_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(revoked)
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

/// Whether the member holds `role` community-wide or in any cohort: what a platform's
/// one server role for it mirrors.
pub async fn holds_anywhere(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    role: Role,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM member_roles WHERE member_id = $1 AND role = $2)",
    )
    .bind(member_id)
    .bind(role.as_str())
    .fetch_one(ex)
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
