//! The skill ladder (modules and prerequisites), milestone submissions and badges.

use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct LadderModule {
        pub id: Uuid,
        pub slug: String,
        pub name: String,
        pub capstone: bool,
        pub badge: Option<String>,
        /// Slugs of the modules it requires.
        pub requires: Vec<String>,
        /// The member's submission status, if any.
        pub status: Option<MilestoneStatus>,
        /// The badge the member earned for it was revoked (the module stays verified).
        pub badge_revoked: bool,
    }
}

crate::store::row::text_enum! {
    /// Where a learner's submission of a module stands (`milestones.status`).
    pub enum MilestoneStatus {
        Submitted = "submitted",
        ChangesRequested = "changes_requested",
        Verified = "verified",
        Withdrawn = "withdrawn",
    }
}

/// The modules of the member's track in a cohort, in ladder order, with their status.
pub async fn ladder(
    ex: impl PgExecutor<'_>,
    track_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<Vec<LadderModule>> {
    sqlx::query_as(
        "SELECT m.id, m.slug, m.name, m.capstone, m.badge,
                coalesce((SELECT array_agg(r.slug ORDER BY r.position) FROM module_prerequisites p
                          JOIN modules r ON r.id = p.requires_id WHERE p.module_id = m.id), '{}') AS requires,
                (SELECT s.status FROM milestones s WHERE s.module_id = m.id AND s.member_id = $2) AS status,
                EXISTS (SELECT 1 FROM milestones s JOIN badges b ON b.milestone_id = s.id
                         WHERE s.module_id = m.id AND s.member_id = $2
                           AND b.revoked_at IS NOT NULL) AS badge_revoked
         FROM modules m WHERE m.track_id = $1 ORDER BY m.position",
    )
    .bind(track_id)
    .bind(member_id)
    .fetch_all(ex)
    .await
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Enrolled {
        pub cohort_id: Uuid,
        pub cohort_slug: String,
        pub cohort_name: String,
        pub channel: Option<String>,
        pub track_id: Option<Uuid>,
        pub track_name: Option<String>,
    }
}

/// The member's active enrollments with their tracks.
pub async fn enrollments(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<Vec<Enrolled>> {
    sqlx::query_as(
        "SELECT c.id AS cohort_id, c.slug AS cohort_slug, c.name AS cohort_name, c.channel,
                e.track_id, t.name AS track_name
         FROM enrollments e JOIN cohorts c ON c.id = e.cohort_id LEFT JOIN tracks t ON t.id = e.track_id
         WHERE e.member_id = $1 AND e.status = 'active' ORDER BY c.slug",
    )
    .bind(member_id)
    .fetch_all(ex)
    .await
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Milestone {
        pub id: Uuid,
        pub cohort_id: Uuid,
        pub module_id: Uuid,
        pub member_id: Uuid,
        pub evidence_url: String,
        pub note: Option<String>,
        pub impact: Option<String>,
        pub status: MilestoneStatus,
        pub hours_saved_per_month: Option<i32>,
        pub processes_replaced: Option<i32>,
        pub users_reached: Option<i32>,
    }
}

impl Milestone {
    /// A capstone's impact as submitted.
    pub fn impact(&self) -> Impact<'_> {
        Impact {
            note: self.impact.as_deref(),
            hours_saved_per_month: self.hours_saved_per_month,
            processes_replaced: self.processes_replaced,
            users_reached: self.users_reached,
        }
    }
}

/// What a capstone did for the business: the numbers and the note, each optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Impact<'a> {
    pub note: Option<&'a str>,
    pub hours_saved_per_month: Option<i32>,
    pub processes_replaced: Option<i32>,
    pub users_reached: Option<i32>,
}

const COLUMNS: &str = "id, cohort_id, module_id, member_id, evidence_url, note, impact, status, hours_saved_per_month, processes_replaced, users_reached";

pub async fn find(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    module_id: Uuid,
) -> sqlx::Result<Option<Milestone>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM milestones WHERE member_id = $1 AND module_id = $2 FOR UPDATE"
    )))
    .bind(member_id)
    .bind(module_id)
    .fetch_optional(ex)
    .await
}

/// What a learner submits.
#[derive(Debug, Clone)]
pub struct Submission<'a> {
    pub community_id: Uuid,
    pub cohort_id: Uuid,
    pub module_id: Uuid,
    pub member_id: Uuid,
    pub evidence_url: &'a str,
    pub note: Option<&'a str>,
    pub impact: Option<&'a str>,
    /// A capstone's numbers, and whether its learner shows it by name.
    pub hours_saved_per_month: Option<i32>,
    pub processes_replaced: Option<i32>,
    pub users_reached: Option<i32>,
    pub showcase: bool,
}

impl Submission<'_> {
    /// The capstone's impact as submitted.
    pub fn impact(&self) -> Impact<'_> {
        Impact {
            note: self.impact,
            hours_saved_per_month: self.hours_saved_per_month,
            processes_replaced: self.processes_replaced,
            users_reached: self.users_reached,
        }
    }
}

/// Submits, or resubmits after a request for changes.
pub async fn submit(
    ex: impl PgExecutor<'_>,
    s: &Submission<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Milestone> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO milestones (id, community_id, cohort_id, module_id, member_id, evidence_url,
             note, impact, status, submitted_at, hours_saved_per_month, processes_replaced,
             users_reached, showcase)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'submitted', $9, $10, $11, $12, $13)
         ON CONFLICT (member_id, module_id) DO UPDATE SET evidence_url = EXCLUDED.evidence_url,
             note = EXCLUDED.note, impact = EXCLUDED.impact, status = 'submitted',
             hours_saved_per_month = EXCLUDED.hours_saved_per_month,
             processes_replaced = EXCLUDED.processes_replaced,
             users_reached = EXCLUDED.users_reached, showcase = EXCLUDED.showcase,
             submitted_at = EXCLUDED.submitted_at, reviewed_by = NULL, reviewed_at = NULL,
             review_note = NULL
         RETURNING {COLUMNS}"
    )))
    .bind(Uuid::new_v4())
    .bind(s.community_id)
    .bind(s.cohort_id)
    .bind(s.module_id)
    .bind(s.member_id)
    .bind(s.evidence_url)
    .bind(s.note)
    .bind(s.impact)
    .bind(now)
    .bind(s.hours_saved_per_month)
    .bind(s.processes_replaced)
    .bind(s.users_reached)
    .bind(s.showcase)
    .fetch_one(ex)
    .await
}

/// Takes back a submission still waiting for review; whether there was one.
pub async fn withdraw(ex: impl PgExecutor<'_>, milestone_id: Uuid) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE milestones SET status = 'withdrawn' WHERE id = $1 AND status = 'submitted'",
    )
    .bind(milestone_id)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn review(
    ex: impl PgExecutor<'_>,
    milestone_id: Uuid,
    status: MilestoneStatus,
    reviewer: Uuid,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE milestones SET status = $2, reviewed_by = $3, review_note = $4, reviewed_at = $5
         WHERE id = $1",
    )
    .bind(milestone_id)
    .bind(status.as_str())
    .bind(reviewer)
    .bind(note)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Whether `mentor` mentors `learner` in `cohort` (group lead, or cohort lead mentor).
pub async fn mentors_in(
    ex: impl PgExecutor<'_>,
    mentor: Uuid,
    learner: Uuid,
    cohort: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM mentored_cohorts($1, $2) WHERE cohort_id = $3)",
    )
    .bind(mentor)
    .bind(learner)
    .bind(cohort)
    .fetch_one(ex)
    .await
}

/// Milestones verified in a cohort in `[from, to)`.
pub async fn verified_between(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM milestones WHERE cohort_id = $1 AND status = 'verified'
           AND reviewed_at >= $2 AND reviewed_at < $3",
    )
    .bind(cohort_id)
    .bind(from)
    .bind(to)
    .fetch_one(ex)
    .await
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Badge {
        pub id: Uuid,
        pub name: String,
        pub issued_at: DateTime<Utc>,
        pub revoked_at: Option<DateTime<Utc>>,
        pub revoked_reason: Option<String>,
        pub member_id: Uuid,
        pub member_name: String,
        pub module_slug: String,
        pub module_name: String,
        pub cohort_slug: String,
        pub cohort_name: String,
        pub community_slug: String,
        pub community_name: String,
        pub evidence_url: String,
        /// What the mentor wrote about this person's work, when they issued it in bulk.
        pub narrative: Option<String>,
        /// The holder asked for their data to be erased: the credential is gone.
        pub holder_erased: bool,
    }
}

const BADGE_SELECT: &str = "SELECT b.id, b.name, b.issued_at, b.revoked_at, b.revoked_reason,
        b.member_id, p.display_name AS member_name, m.slug AS module_slug, m.name AS module_name,
        c.slug AS cohort_slug, c.name AS cohort_name, k.slug AS community_slug,
        k.name AS community_name, s.evidence_url, b.narrative,
        p.erased_at IS NOT NULL AS holder_erased
    FROM badges b JOIN milestones s ON s.id = b.milestone_id JOIN modules m ON m.id = s.module_id
    JOIN cohorts c ON c.id = s.cohort_id JOIN communities k ON k.id = b.community_id
    JOIN members p ON p.id = b.member_id";

pub async fn issue(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    milestone_id: Uuid,
    name: &str,
    narrative: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<Uuid> {
    sqlx::query_scalar(
        "INSERT INTO badges (id, community_id, member_id, milestone_id, name, issued_at, narrative)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (milestone_id) DO UPDATE SET name = badges.name RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(member_id)
    .bind(milestone_id)
    .bind(name)
    .bind(now)
    .bind(narrative)
    .fetch_one(ex)
    .await
}

/// A badge by id, from any community: its public URL is its only key.
pub async fn badge(ex: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<Badge>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{BADGE_SELECT} WHERE b.id = $1"
    )))
    .bind(id)
    .fetch_optional(ex)
    .await
}

pub async fn badges_of(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<Vec<Badge>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{BADGE_SELECT} WHERE b.member_id = $1 ORDER BY b.issued_at, b.id"
    )))
    .bind(member_id)
    .fetch_all(ex)
    .await
}

/// Revokes a badge of the community; false when it is not there or already revoked.
pub async fn revoke(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE badges SET revoked_at = $3, revoked_reason = $4
         WHERE id = $2 AND community_id = $1 AND revoked_at IS NULL",
    )
    .bind(community_id)
    .bind(id)
    .bind(now)
    .bind(reason)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The community a badge belongs to.
pub async fn badge_community(ex: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar("SELECT community_id FROM badges WHERE id = $1")
        .bind(id)
        .fetch_optional(ex)
        .await
}

/// A community's name by its slug, for its issuer profile.
pub async fn issuer_name(ex: impl PgExecutor<'_>, community: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT name FROM communities WHERE slug = $1")
        .bind(community)
        .fetch_optional(ex)
        .await
}

/// A module that awards a badge, by community, cohort and module slugs: (cohort name,
/// module name, badge name).
pub async fn achievement(
    ex: impl PgExecutor<'_>,
    community: &str,
    cohort: &str,
    module: &str,
) -> sqlx::Result<Option<(String, String, String)>> {
    sqlx::query_as(
        "SELECT c.name, m.name, m.badge FROM modules m JOIN tracks t ON t.id = m.track_id
           JOIN cohorts c ON c.id = t.cohort_id JOIN communities k ON k.id = c.community_id
          WHERE k.slug = $1 AND c.slug = $2 AND m.slug = $3 AND m.badge IS NOT NULL
          LIMIT 1",
    )
    .bind(community)
    .bind(cohort)
    .bind(module)
    .fetch_optional(ex)
    .await
}
