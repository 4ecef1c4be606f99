//! Alumni: the opt-in directory, the quarterly invitations to mentor, and the alumni circle.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::pg_row;

/// Whether the member graduated (holds the alumni role) in the community.
pub async fn is_alum(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM member_roles WHERE member_id = $1 AND role = 'alumni')",
    )
    .bind(member_id)
    .fetch_one(ex)
    .await
}

/// Lists the member (or changes their title); whether they were listed before.
pub async fn list_me(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    capstone_title: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "INSERT INTO alumni_directory (member_id, community_id, capstone_title, listed_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (member_id) DO UPDATE
             SET capstone_title = coalesce(EXCLUDED.capstone_title, alumni_directory.capstone_title)
         RETURNING (xmax <> 0)",
    )
    .bind(member_id)
    .bind(community_id)
    .bind(capstone_title)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// Takes the member out of the directory; whether they were in it.
pub async fn unlist_me(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<bool> {
    let gone = sqlx::query("DELETE FROM alumni_directory WHERE member_id = $1")
        .bind(member_id)
        .execute(ex)
        .await?
        .rows_affected();
    Ok(gone > 0)
}

pg_row! {
    /// A listed graduate, with what they built.
    #[derive(Debug, Clone)]
    pub struct Alum {
        pub display_name: String,
        pub skills: Vec<String>,
        /// Their cohorts, by name.
        pub cohorts: Vec<String>,
        /// Their own title, else the first line of their capstone's note.
        pub capstone: Option<String>,
    }
}

/// Listed graduates, those with `skill` (as stored, normalised) when given: `limit` from
/// `offset`, by name, and how many there are.
pub async fn directory(
    ex: &mut sqlx::PgConnection,
    community_id: Uuid,
    skill: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<Alum>, i64)> {
    let filter = "d.community_id = $1 AND ($2::text IS NULL OR $2 = ANY (m.skills))";
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT m.display_name, m.skills,
                ARRAY(SELECT c.name FROM member_roles r JOIN cohorts c ON c.id = r.cohort_id
                       WHERE r.member_id = m.id AND r.role = 'alumni' ORDER BY c.name) AS cohorts,
                coalesce(d.capstone_title,
                    (SELECT nullif(split_part(s.note, E'\\n', 1), '') FROM milestones s
                       JOIN modules o ON o.id = s.module_id
                      WHERE s.member_id = m.id AND s.status = 'verified' AND o.capstone
                      ORDER BY s.reviewed_at DESC LIMIT 1)) AS capstone
         FROM alumni_directory d JOIN members m ON m.id = d.member_id
         WHERE {filter}
         ORDER BY lower(m.display_name), m.id LIMIT $3 OFFSET $4"
    )))
    .bind(community_id)
    .bind(skill)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *ex)
    .await?;
    let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM alumni_directory d JOIN members m ON m.id = d.member_id WHERE {filter}"
    )))
    .bind(community_id)
    .bind(skill)
    .fetch_one(&mut *ex)
    .await?;
    Ok((rows, total))
}

/// The community's alumni circle, if the program made one.
pub async fn circle_of(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT alumni_circle_id FROM communities WHERE id = $1")
        .bind(community_id)
        .fetch_one(ex)
        .await
}

pub async fn set_circle(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    circle_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE communities SET alumni_circle_id = $2 WHERE id = $1")
        .bind(community_id)
        .bind(circle_id)
        .execute(ex)
        .await
        .map(drop)
}

/// Records the quarter's invitation; false when the member had it already.
pub async fn claim_invitation(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    quarter: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let claimed = sqlx::query(
        "INSERT INTO alumni_invitations (member_id, quarter, sent_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(member_id)
    .bind(quarter)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(claimed > 0)
}

pg_row! {
    /// A graduate who may be invited to mentor this quarter.
    #[derive(Debug, Clone)]
    pub struct Invitee {
        pub community_id: Uuid,
        pub member_id: Uuid,
        pub display_name: String,
        pub timezone: Option<String>,
    }
}

/// Graduates without this quarter's invitation who neither mentor, nor offered to, nor are
/// away now.
pub async fn uninvited(
    ex: impl PgExecutor<'_>,
    quarter: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Invitee>> {
    sqlx::query_as(
        "SELECT DISTINCT m.community_id, m.id AS member_id, m.display_name, m.timezone
         FROM member_roles r JOIN members m ON m.id = r.member_id
         WHERE r.role = 'alumni'
           AND NOT EXISTS (SELECT 1 FROM alumni_invitations i
                            WHERE i.member_id = m.id AND i.quarter = $1)
           AND NOT EXISTS (SELECT 1 FROM member_roles o WHERE o.member_id = m.id
                            AND o.role IN ('lead_mentor', 'community_mentor'))
           AND NOT EXISTS (SELECT 1 FROM mentor_profiles p WHERE p.member_id = m.id)
           AND NOT EXISTS (SELECT 1 FROM absences a WHERE a.member_id = m.id
                            AND a.starts_at <= $2 AND (a.ends_at IS NULL OR a.ends_at > $2))
         ORDER BY m.id",
    )
    .bind(quarter)
    .bind(now)
    .fetch_all(ex)
    .await
}
