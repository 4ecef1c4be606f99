//! Erasure requests: asked, cancelled during the grace period, or carried out by the
//! erasure job (`services::erasure::scheduled`).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::store::pg_row;

pg_row! {
    pub struct Request {
        pub id: Uuid,
        pub community_id: Uuid,
        pub number: i32,
        pub member_id: Uuid,
        pub requested_by: Uuid,
        pub requested_at: DateTime<Utc>,
        pub due_at: DateTime<Utc>,
        pub deadline: DateTime<Utc>,
    }
}

pg_row! {
    /// A request as `/privacy requests` lists it, with names as they are now (an erased
    /// member's is the tombstone's).
    pub struct Listed {
        pub number: i32,
        pub member_name: String,
        pub requester_name: String,
        pub by_themself: bool,
        pub requested_at: DateTime<Utc>,
        pub due_at: DateTime<Utc>,
        pub deadline: DateTime<Utc>,
        pub status: String,
        pub settled_at: Option<DateTime<Utc>>,
    }
}

const COLUMNS: &str =
    "id, community_id, number, member_id, requested_by, requested_at, due_at, deadline";

/// Files a request with the community's next number; call
/// `communities::lock_numbering` first. None when the member already has one waiting.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    requested_by: Uuid,
    now: DateTime<Utc>,
    due_at: DateTime<Utc>,
    deadline: DateTime<Utc>,
) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO erasure_requests (id, community_id, number, member_id, requested_by,
             requested_at, due_at, deadline, status)
         SELECT $1, $2, coalesce(max(number), 0) + 1, $3, $4, $5, $6, $7, 'waiting'
           FROM erasure_requests WHERE community_id = $2
         ON CONFLICT (member_id) WHERE status = 'waiting' DO NOTHING
         RETURNING {COLUMNS}"
    )))
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(member_id)
    .bind(requested_by)
    .bind(now)
    .bind(due_at)
    .bind(deadline)
    .fetch_optional(ex)
    .await
}

/// The member's request waiting for its grace period to end.
pub async fn waiting(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM erasure_requests WHERE member_id = $1 AND status = 'waiting'"
    )))
    .bind(member_id)
    .fetch_optional(ex)
    .await
}

/// Cancels the member's waiting request; None when there was none.
pub async fn cancel(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE erasure_requests SET status = 'cancelled', settled_at = $3, settled_by = $2
          WHERE member_id = $1 AND status = 'waiting'
          RETURNING {COLUMNS}"
    )))
    .bind(member_id)
    .bind(by)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// One request whose grace period is over, locked for this transaction; requests another
/// process is erasing are skipped.
pub async fn take_due(
    ex: impl PgExecutor<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM erasure_requests
          WHERE status = 'waiting' AND due_at <= $1
          ORDER BY due_at, id
          LIMIT 1
          FOR UPDATE SKIP LOCKED"
    )))
    .bind(now)
    .fetch_optional(ex)
    .await
}

pub async fn mark_done(ex: impl PgExecutor<'_>, id: Uuid, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query("UPDATE erasure_requests SET status = 'done', settled_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Waiting requests, then those settled since `since`, newest first; at most `limit`.
pub async fn list(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    since: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(
        "SELECT r.number, m.display_name AS member_name, b.display_name AS requester_name,
                r.requested_by = r.member_id AS by_themself, r.requested_at, r.due_at,
                r.deadline, r.status, r.settled_at
           FROM erasure_requests r
           JOIN members m ON m.id = r.member_id
           JOIN members b ON b.id = r.requested_by
          WHERE r.community_id = $1 AND (r.status = 'waiting' OR r.settled_at >= $2)
          ORDER BY r.status <> 'waiting', r.number DESC
          LIMIT $3",
    )
    .bind(community_id)
    .bind(since)
    .bind(limit)
    .fetch_all(ex)
    .await
}
