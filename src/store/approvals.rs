//! Approval policies, requests, their approvers and votes, and approvers' delegates.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::store::pg_row;

crate::store::row::text_enum! {
    /// What a request is for (`approval_requests.kind`, `approval_policies.kind`).
    pub enum Kind {
        Scope = "scope",
        DataUsage = "data_usage",
        Tool = "tool",
        Connector = "connector",
        Publish = "publish",
        Custom = "custom",
    }
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Scope,
        Kind::DataUsage,
        Kind::Tool,
        Kind::Connector,
        Kind::Publish,
        Kind::Custom,
    ];

    /// How people say it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Scope => "project scope",
            Kind::DataUsage => "data usage",
            Kind::Tool => "tool",
            Kind::Connector => "connector",
            Kind::Publish => "publish",
            Kind::Custom => "request",
        }
    }
}

crate::store::row::text_enum! {
    /// Where a request stands (`approval_requests.status`).
    pub enum Status {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        Expired = "expired",
        Withdrawn = "withdrawn",
    }
}

crate::store::row::text_enum! {
    /// Why someone was asked to vote (`approval_approvers.via`).
    pub enum Via {
        Policy = "policy",
        Delegate = "delegate",
        Escalation = "escalation",
    }
}

pg_row! {
    /// A kind's policy, as the program file says it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Policy {
        pub kind: Kind,
        pub approvers: Vec<String>,
        pub rule: String,
        pub max_rejections: i32,
        pub escalate_after_hours: Option<i32>,
        pub escalate_to: Vec<String>,
        pub expires_after_days: i32,
    }
}

impl Policy {
    /// The policy of a kind the program file says nothing about: any one steward decides,
    /// one "no" rejects, unanswered for two weeks it expires.
    pub fn default_for(kind: Kind) -> Policy {
        Policy {
            kind,
            approvers: vec![crate::domain::Role::Steward.as_str().to_owned()],
            rule: "any".into(),
            max_rejections: 1,
            escalate_after_hours: None,
            escalate_to: Vec::new(),
            expires_after_days: DEFAULT_EXPIRES_AFTER_DAYS,
        }
    }
}

/// How long a request waits for a decision when the policy does not say.
pub const DEFAULT_EXPIRES_AFTER_DAYS: i32 = 14;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Request {
        pub id: Uuid,
        pub community_id: Uuid,
        pub number: i32,
        pub kind: Kind,
        pub title: String,
        pub justification: String,
        pub data_class: String,
        pub links: Option<String>,
        pub requester_id: Uuid,
        pub requester_name: String,
        pub rule: String,
        pub max_rejections: i32,
        pub escalate_to: Vec<String>,
        pub status: Status,
        pub created_at: DateTime<Utc>,
        pub escalate_at: Option<DateTime<Utc>>,
        pub escalated_at: Option<DateTime<Utc>>,
        pub expires_at: DateTime<Utc>,
        pub decided_at: Option<DateTime<Utc>>,
    }
}

const COLUMNS: &str = "r.id, r.community_id, r.number, r.kind, r.title, r.justification,
     r.data_class, r.links, r.requester_id, m.display_name AS requester_name, r.rule,
     r.max_rejections, r.escalate_to, r.status, r.created_at, r.escalate_at, r.escalated_at,
     r.expires_at, r.decided_at";

/// A request about to be filed, its policy already copied in.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub community_id: Uuid,
    pub kind: Kind,
    pub title: &'a str,
    pub justification: &'a str,
    pub data_class: &'a str,
    pub links: Option<&'a str>,
    pub requester_id: Uuid,
    pub policy: &'a Policy,
    pub created_at: DateTime<Utc>,
    pub escalate_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

pg_row! {
    /// Someone asked to vote, with their vote once they cast it.
    #[derive(Debug, Clone)]
    pub struct Approver {
        pub member_id: Uuid,
        pub display_name: String,
        pub via: Via,
        pub standing_in_for: Option<String>,
        pub approve: Option<bool>,
        pub comment: Option<String>,
    }
}

/// Replaces the community's policy for `policy.kind`; false when it was already so.
pub async fn save_policy(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    policy: &Policy,
) -> sqlx::Result<bool> {
    let changed = sqlx::query(
        "INSERT INTO approval_policies (community_id, kind, approvers, rule, max_rejections,
             escalate_after_hours, escalate_to, expires_after_days)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (community_id, kind) DO UPDATE SET approvers = EXCLUDED.approvers,
             rule = EXCLUDED.rule, max_rejections = EXCLUDED.max_rejections,
             escalate_after_hours = EXCLUDED.escalate_after_hours,
             escalate_to = EXCLUDED.escalate_to, expires_after_days = EXCLUDED.expires_after_days
         WHERE (approval_policies.approvers, approval_policies.rule,
                approval_policies.max_rejections, approval_policies.escalate_after_hours,
                approval_policies.escalate_to, approval_policies.expires_after_days)
               IS DISTINCT FROM (EXCLUDED.approvers, EXCLUDED.rule, EXCLUDED.max_rejections,
                EXCLUDED.escalate_after_hours, EXCLUDED.escalate_to, EXCLUDED.expires_after_days)",
    )
    .bind(community_id)
    .bind(policy.kind)
    .bind(&policy.approvers)
    .bind(&policy.rule)
    .bind(policy.max_rejections)
    .bind(policy.escalate_after_hours)
    .bind(&policy.escalate_to)
    .bind(policy.expires_after_days)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

const POLICY_COLUMNS: &str =
    "kind, approvers, rule, max_rejections, escalate_after_hours, escalate_to, expires_after_days";

/// The community's policies from its program file, by kind.
pub async fn policies(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Vec<Policy>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {POLICY_COLUMNS} FROM approval_policies WHERE community_id = $1 ORDER BY kind"
    )))
    .bind(community_id)
    .fetch_all(ex)
    .await
}

/// The policy for `kind`: the program file's, else [`Policy::default_for`].
pub async fn policy(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    kind: Kind,
) -> sqlx::Result<Policy> {
    let found: Option<Policy> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {POLICY_COLUMNS} FROM approval_policies WHERE community_id = $1 AND kind = $2"
    )))
    .bind(community_id)
    .bind(kind)
    .fetch_optional(ex)
    .await?;
    Ok(found.unwrap_or_else(|| Policy::default_for(kind)))
}

/// The members an approver list names: holders of a role it names (in the community or any
/// of its cohorts) and the people it names by user id, by name.
pub async fn resolve(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    entries: &[String],
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM members m
          WHERE m.community_id = $1
            AND (m.platform_user_id = ANY($2)
                 OR EXISTS (SELECT 1 FROM member_roles r
                             WHERE r.member_id = m.id AND r.role = ANY($2)))
          ORDER BY m.display_name, m.id",
    )
    .bind(community_id)
    .bind(entries)
    .fetch_all(ex)
    .await
}

/// Of `members`, those away (entirely, not a mentor's pause) at `now`.
pub async fn away(
    ex: impl PgExecutor<'_>,
    members: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT DISTINCT member_id FROM absences
          WHERE member_id = ANY($1) AND scope = 'all' AND starts_at <= $2
            AND (ends_at IS NULL OR ends_at > $2)",
    )
    .bind(members)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// The delegates of `members`: (member, delegate, delegate's name).
pub async fn delegates_of(
    ex: impl PgExecutor<'_>,
    members: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, Uuid, String)>> {
    sqlx::query_as(
        "SELECT d.member_id, d.delegate_id, m.display_name FROM approval_delegates d
           JOIN members m ON m.id = d.delegate_id WHERE d.member_id = ANY($1)",
    )
    .bind(members)
    .fetch_all(ex)
    .await
}

/// Sets (`Some`) or clears `member_id`'s delegate.
/// Sets or clears the member's delegate; false when that changed nothing (the same
/// delegate again, or none to clear).
pub async fn set_delegate(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member_id: Uuid,
    delegate: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let changed = match delegate {
        Some(delegate_id) => sqlx::query(
            "INSERT INTO approval_delegates (member_id, community_id, delegate_id, set_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (member_id) DO UPDATE SET delegate_id = EXCLUDED.delegate_id,
                 set_at = EXCLUDED.set_at
             WHERE approval_delegates.delegate_id IS DISTINCT FROM EXCLUDED.delegate_id",
        )
        .bind(member_id)
        .bind(community_id)
        .bind(delegate_id)
        .bind(now)
        .execute(ex)
        .await?
        .rows_affected(),
        None => sqlx::query("DELETE FROM approval_delegates WHERE member_id = $1")
            .bind(member_id)
            .execute(ex)
            .await?
            .rows_affected(),
    };
    Ok(changed > 0)
}

/// Files a request with the community's next number, and returns the number; call
/// [`lock_numbering`] first.
pub async fn insert(ex: impl PgExecutor<'_>, new: &NewRequest<'_>) -> sqlx::Result<i32> {
    sqlx::query_scalar(
        "INSERT INTO approval_requests (id, community_id, number, kind, title, justification,
             data_class, links, requester_id, rule, max_rejections, escalate_to, created_at,
             escalate_at, expires_at)
         SELECT $1, $2, coalesce(max(number), 0) + 1, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                $12, $13, $14
           FROM approval_requests WHERE community_id = $2
         RETURNING number",
    )
    .bind(Uuid::new_v4())
    .bind(new.community_id)
    .bind(new.kind)
    .bind(new.title)
    .bind(new.justification)
    .bind(new.data_class)
    .bind(new.links)
    .bind(new.requester_id)
    .bind(&new.policy.rule)
    .bind(new.policy.max_rejections)
    .bind(&new.policy.escalate_to)
    .bind(new.created_at)
    .bind(new.escalate_at)
    .bind(new.expires_at)
    .fetch_one(ex)
    .await
}

/// Asks `members` to vote on `request_id`; those already asked are left as they are.
pub async fn add_approvers(
    ex: impl PgExecutor<'_>,
    request_id: Uuid,
    members: &[(Uuid, Via, Option<Uuid>)],
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Uuid>> {
    let ids: Vec<Uuid> = members.iter().map(|m| m.0).collect();
    let vias: Vec<&str> = members.iter().map(|m| m.1.as_str()).collect();
    let instead: Vec<Option<Uuid>> = members.iter().map(|m| m.2).collect();
    sqlx::query_scalar(
        "INSERT INTO approval_approvers (request_id, member_id, via, standing_in_for, asked_at)
         SELECT $1, m, v, s, $5 FROM unnest($2::uuid[], $3::text[], $4::uuid[]) AS t(m, v, s)
         ON CONFLICT DO NOTHING RETURNING member_id",
    )
    .bind(request_id)
    .bind(&ids)
    .bind(&vias)
    .bind(&instead)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// The request numbered `number`; `lock` holds its row until the transaction ends, so
/// votes on one request are counted one after the other and none is lost.
pub async fn by_number(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    number: i32,
    lock: bool,
) -> sqlx::Result<Option<Request>> {
    let lock = if lock { "FOR UPDATE OF r" } else { "" };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM approval_requests r JOIN members m ON m.id = r.requester_id
          WHERE r.community_id = $1 AND r.number = $2 {lock}"
    )))
    .bind(community_id)
    .bind(number)
    .fetch_optional(ex)
    .await
}

/// Everyone asked to vote on `request_id`, with their votes, in the order they were asked.
pub async fn approvers(ex: impl PgExecutor<'_>, request_id: Uuid) -> sqlx::Result<Vec<Approver>> {
    sqlx::query_as(
        "SELECT a.member_id, m.display_name, a.via, s.display_name AS standing_in_for,
                v.approve, v.comment
           FROM approval_approvers a
           JOIN members m ON m.id = a.member_id
           LEFT JOIN members s ON s.id = a.standing_in_for
           LEFT JOIN approval_votes v ON v.request_id = a.request_id AND v.member_id = a.member_id
          WHERE a.request_id = $1
          ORDER BY a.asked_at, m.display_name, m.id",
    )
    .bind(request_id)
    .fetch_all(ex)
    .await
}

/// Records a vote; false when this approver already voted.
pub async fn vote(
    ex: impl PgExecutor<'_>,
    request_id: Uuid,
    member_id: Uuid,
    approve: bool,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO approval_votes (request_id, member_id, approve, comment, voted_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(request_id)
    .bind(member_id)
    .bind(approve)
    .bind(comment)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// The requester's pending request of `kind` with the same title (the same words: case
/// and spaces aside), by number.
pub async fn pending_like(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    requester_id: Uuid,
    kind: Kind,
    title: &str,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar(
        "SELECT number FROM approval_requests
          WHERE community_id = $1 AND requester_id = $2 AND kind = $3 AND status = 'pending'
            AND same_words(title, $4)
          ORDER BY number LIMIT 1",
    )
    .bind(community_id)
    .bind(requester_id)
    .bind(kind.as_str())
    .bind(title)
    .fetch_optional(ex)
    .await
}

/// Closes a pending request as `status`; false when it was no longer pending.
pub async fn close(
    ex: impl PgExecutor<'_>,
    request_id: Uuid,
    status: Status,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE approval_requests SET status = $2, decided_at = $3
          WHERE id = $1 AND status = 'pending'",
    )
    .bind(request_id)
    .bind(status)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Open requests waiting for this member's vote.
    WaitingFor(Uuid),
    /// This member's own requests, open or not, newest first.
    FiledBy(Uuid),
    /// Every open request in the community.
    Open,
}

/// Up to `limit` requests of the listing.
pub async fn list(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    listing: Listing,
    limit: i64,
) -> sqlx::Result<Vec<Request>> {
    let (filter, member) = match listing {
        Listing::WaitingFor(member) => (
            "r.status = 'pending' AND EXISTS (SELECT 1 FROM approval_approvers a
               WHERE a.request_id = r.id AND a.member_id = $2
                 AND NOT EXISTS (SELECT 1 FROM approval_votes v
                                  WHERE v.request_id = r.id AND v.member_id = $2))",
            Some(member),
        ),
        Listing::FiledBy(member) => ("r.requester_id = $2", Some(member)),
        Listing::Open => ("r.status = 'pending' AND $2::uuid IS NULL", None),
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM approval_requests r JOIN members m ON m.id = r.requester_id
          WHERE r.community_id = $1 AND {filter}
          ORDER BY r.created_at DESC, r.number DESC LIMIT $3"
    )))
    .bind(community_id)
    .bind(member)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Marks the open requests whose escalation is due as escalated, and returns them; a row
/// another process is escalating is skipped, so each escalates once.
pub async fn take_due_escalations(
    ex: impl PgExecutor<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Request>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH due AS (
            UPDATE approval_requests SET escalated_at = $1
             WHERE id IN (SELECT id FROM approval_requests
                           WHERE status = 'pending' AND escalated_at IS NULL
                             AND escalate_at <= $1 AND expires_at > $1
                           ORDER BY escalate_at LIMIT 100 FOR UPDATE SKIP LOCKED)
            RETURNING *)
         SELECT {COLUMNS} FROM due r JOIN members m ON m.id = r.requester_id
          ORDER BY r.community_id, r.number"
    )))
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Closes the open requests whose time ran out as expired, and returns them; each once.
pub async fn take_due_expiries(
    ex: impl PgExecutor<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Request>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH due AS (
            UPDATE approval_requests SET status = 'expired', decided_at = $1
             WHERE id IN (SELECT id FROM approval_requests
                           WHERE status = 'pending' AND expires_at <= $1
                           ORDER BY expires_at LIMIT 100 FOR UPDATE SKIP LOCKED)
            RETURNING *)
         SELECT {COLUMNS} FROM due r JOIN members m ON m.id = r.requester_id
          ORDER BY r.community_id, r.number"
    )))
    .bind(now)
    .fetch_all(ex)
    .await
}

pg_row! {
    /// An open request some approver has not answered.
    #[derive(Debug, Clone)]
    pub struct Unanswered {
        pub community_id: Uuid,
        pub number: i32,
        pub title: String,
        /// The policy's leads: who hears about it.
        pub escalate_to: Vec<String>,
        /// The approvers who have not voted, by name.
        pub waiting_on: Vec<String>,
        pub created_at: DateTime<Utc>,
    }
}

/// Open requests some approver has not answered, by community, oldest first within; one
/// expiring at `now` (in a pass running beside this one) is left out.
pub async fn unanswered(
    ex: impl PgExecutor<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Unanswered>> {
    sqlx::query_as(
        "SELECT r.community_id, r.number, r.title, r.escalate_to,
                array_agg(m.display_name ORDER BY m.display_name) AS waiting_on, r.created_at
           FROM approval_requests r
           JOIN approval_approvers a ON a.request_id = r.id
           JOIN members m ON m.id = a.member_id
          WHERE r.status = 'pending' AND r.expires_at > $1
            AND NOT EXISTS (SELECT 1 FROM approval_votes v
                             WHERE v.request_id = r.id AND v.member_id = a.member_id)
          GROUP BY r.id
          ORDER BY r.community_id, r.created_at",
    )
    .bind(now)
    .fetch_all(ex)
    .await
}
