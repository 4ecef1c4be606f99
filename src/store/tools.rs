//! The tool registry: tools, their owners and reviews, and the community's thresholds.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::store::pg_row;

crate::store::row::text_enum! {
    /// Where a tool stands (`tools.status`).
    pub enum Status {
        PendingApproval = "pending_approval",
        Active = "active",
        NotApproved = "not_approved",
        Retired = "retired",
    }
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::PendingApproval,
        Status::Active,
        Status::NotApproved,
        Status::Retired,
    ];

    /// How people say it.
    pub fn label(self) -> &'static str {
        match self {
            Status::PendingApproval => "waiting for approval",
            Status::Active => "active",
            Status::NotApproved => "not approved",
            Status::Retired => "retired",
        }
    }
}

pg_row! {
    /// The community's thresholds and review interval (the program file's `[community.tools]`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        pub review_days: i32,
        pub approval_over_users: i32,
        pub approval_data: Vec<String>,
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            review_days: 180,
            approval_over_users: 20,
            approval_data: vec!["confidential".into(), "personal".into()],
        }
    }
}

impl Settings {
    /// Whether registering a tool of this size and data needs an approval first.
    pub fn needs_approval(&self, users: i32, data_class: &str) -> bool {
        users > self.approval_over_users || self.approval_data.iter().any(|d| d == data_class)
    }
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Tool {
        pub id: Uuid,
        pub community_id: Uuid,
        pub number: i32,
        pub name: String,
        pub kind: String,
        pub owner_id: Uuid,
        pub owner_name: String,
        pub backup_owner_id: Option<Uuid>,
        pub backup_name: Option<String>,
        pub environment: String,
        pub data_class: String,
        pub users_estimate: i32,
        pub status: Status,
        pub approval_number: Option<i32>,
        pub registered_at: DateTime<Utc>,
        pub review_due_at: DateTime<Utc>,
    }
}

const COLUMNS: &str = "t.id, t.community_id, t.number, t.name, t.kind, t.owner_id,
     o.display_name AS owner_name, t.backup_owner_id, b.display_name AS backup_name,
     t.environment, t.data_class, t.users_estimate, t.status,
     (SELECT r.number FROM approval_requests r WHERE r.id = t.approval_request_id) AS approval_number,
     t.registered_at, t.review_due_at";

const FROM: &str = "tools t JOIN members o ON o.id = t.owner_id
     LEFT JOIN members b ON b.id = t.backup_owner_id";

/// The community's settings; the defaults when the program file says nothing.
pub async fn settings(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Settings> {
    Ok(stored_settings(ex, community_id).await?.unwrap_or_default())
}

/// The settings the program file gave, if it gave any.
pub async fn stored_settings(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Option<Settings>> {
    sqlx::query_as(
        "SELECT review_days, approval_over_users, approval_data FROM tool_settings
          WHERE community_id = $1",
    )
    .bind(community_id)
    .fetch_optional(ex)
    .await
}

/// Saves the settings; false when they were already so.
pub async fn save_settings(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    settings: &Settings,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO tool_settings (community_id, review_days, approval_over_users, approval_data)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (community_id) DO UPDATE SET review_days = EXCLUDED.review_days,
             approval_over_users = EXCLUDED.approval_over_users,
             approval_data = EXCLUDED.approval_data
         WHERE (tool_settings.review_days, tool_settings.approval_over_users,
                tool_settings.approval_data)
               IS DISTINCT FROM (EXCLUDED.review_days, EXCLUDED.approval_over_users,
                EXCLUDED.approval_data)",
    )
    .bind(community_id)
    .bind(settings.review_days)
    .bind(settings.approval_over_users)
    .bind(&settings.approval_data)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(done > 0)
}

/// A tool about to be registered.
#[derive(Debug, Clone)]
pub struct NewTool<'a> {
    pub community_id: Uuid,
    pub name: &'a str,
    pub kind: &'a str,
    pub owner_id: Uuid,
    pub backup_owner_id: Option<Uuid>,
    pub environment: &'a str,
    pub data_class: &'a str,
    pub users_estimate: i32,
    pub justification: &'a str,
    pub links: Option<&'a str>,
    pub status: Status,
    pub approval_request_id: Option<Uuid>,
    pub now: DateTime<Utc>,
    pub review_due_at: DateTime<Utc>,
}

/// Registers a tool with the community's next number; `None` when a live tool already has
/// its name. Serialise numbering with `communities::lock_numbering` first.
pub async fn insert(ex: impl PgExecutor<'_>, new: &NewTool<'_>) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar(
        "INSERT INTO tools (id, community_id, number, name, kind, owner_id, backup_owner_id,
             environment, data_class, users_estimate, justification, links, status,
             approval_request_id, registered_at, confirmed_at, review_due_at)
         SELECT $1, $2, coalesce(max(number), 0) + 1, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                $12, $13, $14, $14, $15
           FROM tools WHERE community_id = $2
         ON CONFLICT (community_id, lower(name)) WHERE status <> 'retired' DO NOTHING
         RETURNING number",
    )
    .bind(Uuid::new_v4())
    .bind(new.community_id)
    .bind(new.name)
    .bind(new.kind)
    .bind(new.owner_id)
    .bind(new.backup_owner_id)
    .bind(new.environment)
    .bind(new.data_class)
    .bind(new.users_estimate)
    .bind(new.justification)
    .bind(new.links)
    .bind(new.status)
    .bind(new.approval_request_id)
    .bind(new.now)
    .bind(new.review_due_at)
    .fetch_optional(ex)
    .await
}

/// The tool numbered `number`, or live and named `name` (any case).
pub async fn find(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    typed: &str,
) -> sqlx::Result<Option<Tool>> {
    let number: Option<i32> = typed.trim_start_matches('#').parse().ok();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM}
          WHERE t.community_id = $1
            AND (t.number = $2 OR (lower(t.name) = lower($3) AND t.status <> 'retired'))
          ORDER BY t.number = $2 DESC LIMIT 1"
    )))
    .bind(community_id)
    .bind(number)
    .bind(typed)
    .fetch_optional(ex)
    .await
}

/// Names of the community's live tools, for suggestions.
pub async fn names(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT name FROM tools WHERE community_id = $1 AND status <> 'retired'")
        .bind(community_id)
        .fetch_all(ex)
        .await
}

/// What `/tool list` filters by.
#[derive(Debug, Clone)]
pub enum Filter {
    All,
    Owner(Uuid),
    Status(Status),
    DataClass(String),
}

/// Up to `limit` tools, newest first; retired ones only when asked for by status.
pub async fn list(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    filter: &Filter,
    limit: i64,
) -> sqlx::Result<Vec<Tool>> {
    let (owner, status, data) = match filter {
        Filter::All => (None, None, None),
        Filter::Owner(id) => (Some(*id), None, None),
        Filter::Status(status) => (None, Some(status.as_str()), None),
        Filter::DataClass(data) => (None, None, Some(data.as_str())),
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM}
          WHERE t.community_id = $1
            AND ($2::uuid IS NULL OR t.owner_id = $2 OR t.backup_owner_id = $2)
            AND CASE WHEN $3::text IS NULL THEN t.status <> 'retired' ELSE t.status = $3 END
            AND ($4::text IS NULL OR t.data_class = $4)
          ORDER BY t.number DESC LIMIT $5"
    )))
    .bind(community_id)
    .bind(owner)
    .bind(status)
    .bind(data)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// The owner's review: the tool is kept for another interval, and will be asked about again.
pub async fn confirm(
    ex: impl PgExecutor<'_>,
    tool_id: Uuid,
    now: DateTime<Utc>,
    next_review: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE tools SET confirmed_at = $2, review_due_at = $3, reminded_at = NULL,
             stewards_told_at = NULL
          WHERE id = $1",
    )
    .bind(tool_id)
    .bind(now)
    .bind(next_review)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn retire(
    ex: impl PgExecutor<'_>,
    tool_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE tools SET status = 'retired', retired_at = $2 WHERE id = $1")
        .bind(tool_id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// The tool waiting for `request_id` becomes active (approved) or not approved; `None`
/// when no tool waits for it.
pub async fn settle_approval(
    ex: impl PgExecutor<'_>,
    request_id: Uuid,
    approved: bool,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar(
        "UPDATE tools SET status = CASE WHEN $2 THEN 'active' ELSE 'not_approved' END
          WHERE approval_request_id = $1 AND status = 'pending_approval' RETURNING number",
    )
    .bind(request_id)
    .bind(approved)
    .fetch_optional(ex)
    .await
}

/// Marks the active tools whose review is due as reminded, and returns them; each once.
pub async fn take_due_reviews(
    ex: impl PgExecutor<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Tool>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH due AS (
            UPDATE tools SET reminded_at = $1
             WHERE id IN (SELECT id FROM tools
                           WHERE status = 'active' AND review_due_at <= $1 AND reminded_at IS NULL
                           ORDER BY review_due_at LIMIT 100 FOR UPDATE SKIP LOCKED)
            RETURNING *)
         SELECT {COLUMNS} FROM due t JOIN members o ON o.id = t.owner_id
           LEFT JOIN members b ON b.id = t.backup_owner_id
          ORDER BY t.community_id, t.number"
    )))
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Marks the tools whose review reminder went unanswered since `before` as told to the
/// stewards, and returns them; each once per review.
pub async fn take_unreviewed(
    ex: impl PgExecutor<'_>,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Tool>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH due AS (
            UPDATE tools SET stewards_told_at = $2
             WHERE id IN (SELECT id FROM tools
                           WHERE status = 'active' AND reminded_at <= $1
                             AND stewards_told_at IS NULL
                           ORDER BY reminded_at LIMIT 100 FOR UPDATE SKIP LOCKED)
            RETURNING *)
         SELECT {COLUMNS} FROM due t JOIN members o ON o.id = t.owner_id
           LEFT JOIN members b ON b.id = t.backup_owner_id
          ORDER BY t.community_id, t.number"
    )))
    .bind(before)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// A tool's free text: its justification and links.
pub async fn text_of(
    ex: impl PgExecutor<'_>,
    tool_id: Uuid,
) -> sqlx::Result<(String, Option<String>)> {
    sqlx::query_as("SELECT justification, links FROM tools WHERE id = $1")
        .bind(tool_id)
        .fetch_one(ex)
        .await
}
