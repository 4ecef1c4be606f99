//! Circles of practice: who is in them, requests and invitations, the weekly prompt's
//! rotation, and the intros made between members.

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, PgExecutor};
use uuid::Uuid;

use super::pg_row;

pg_row! {
    /// A circle as the member `viewer` sees it.
    #[derive(Debug, Clone)]
    pub struct Circle {
        pub id: Uuid,
        pub slug: String,
        pub name: String,
        pub description: String,
        pub channel: Option<String>,
        pub visibility: String,
        /// The zone its schedules and sessions are shown in by default.
        pub timezone: String,
        pub members: i64,
        /// The viewer's place in it: `lead`, `member`, or none.
        pub role: Option<String>,
        /// The viewer's open `request` or `invitation`, if any.
        pub invite: Option<String>,
        /// Whether the viewer may know the circle exists (see `KNOWN_TO_VIEWER`).
        pub known: bool,
    }
}

impl Circle {
    pub fn is_member(&self) -> bool {
        self.role.is_some()
    }

    pub fn is_lead(&self) -> bool {
        self.role.as_deref() == Some("lead")
    }
}

/// Whether `viewer` may know the circle exists: a secret circle is known to its members, to
/// those invited, and to stewards.
const KNOWN_TO_VIEWER: &str = "(c.visibility <> 'secret'
   OR EXISTS (SELECT 1 FROM circle_members n WHERE n.circle_id = c.id AND n.member_id = $2)
   OR EXISTS (SELECT 1 FROM circle_invites i WHERE i.circle_id = c.id AND i.member_id = $2
                 AND i.kind = 'invitation')
   OR EXISTS (SELECT 1 FROM member_roles r WHERE r.member_id = $2 AND r.role = 'steward'
                 AND r.cohort_id IS NULL))";

/// `$1` is the community, `$2` the viewer.
static COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "c.id, c.slug, c.name, c.description, c.channel, c.visibility, c.timezone,
       (SELECT count(*) FROM circle_members n WHERE n.circle_id = c.id) AS members,
       (SELECT n.role FROM circle_members n WHERE n.circle_id = c.id AND n.member_id = $2) AS role,
       (SELECT i.kind FROM circle_invites i WHERE i.circle_id = c.id AND i.member_id = $2) AS invite,
       {KNOWN_TO_VIEWER} AS known
  FROM circles c"
    )
});

/// The circles `viewer` may know of, by id: `limit` of them from `offset`, and how many
/// there are.
pub async fn known(
    ex: &mut sqlx::PgConnection,
    community_id: Uuid,
    viewer: Uuid,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<Circle>, i64)> {
    let rows: Vec<Circle> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {} WHERE c.community_id = $1 AND {KNOWN_TO_VIEWER}
         ORDER BY c.slug LIMIT $3 OFFSET $4",
        *COLUMNS
    )))
    .bind(community_id)
    .bind(viewer)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *ex)
    .await?;
    let total: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT count(*) FROM circles c WHERE c.community_id = $1 AND {KNOWN_TO_VIEWER}"
    )))
    .bind(community_id)
    .bind(viewer)
    .fetch_one(&mut *ex)
    .await?;
    Ok((rows, total))
}

/// The circle named `typed` (its id, with spaces for hyphens, or its name in any case), as
/// `viewer` sees it, whether
/// or not they may know of it (`known`): the caller decides what a secret circle reveals.
pub async fn find(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    viewer: Uuid,
    typed: &str,
) -> sqlx::Result<Option<Circle>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {} WHERE c.community_id = $1
            AND (c.slug = lower(replace(trim($3), ' ', '-')) OR lower(c.name) = lower(trim($3)))
         ORDER BY c.slug = lower(replace(trim($3), ' ', '-')) DESC LIMIT 1",
        *COLUMNS
    )))
    .bind(community_id)
    .bind(viewer)
    .bind(typed)
    .fetch_optional(ex)
    .await
}

/// Ids and names of the circles `viewer` may know of, for "did you mean" and autocomplete.
pub async fn names(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    viewer: Uuid,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT c.slug, c.name FROM circles c WHERE c.community_id = $1 AND {KNOWN_TO_VIEWER}
         ORDER BY c.slug"
    )))
    .bind(community_id)
    .bind(viewer)
    .fetch_all(ex)
    .await
}

/// A new circle; `None` when its id is taken.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    slug: &str,
    name: &str,
    description: &str,
    channel: Option<&str>,
    visibility: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar(
        "INSERT INTO circles (id, community_id, slug, name, description, channel, visibility, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (community_id, slug) DO NOTHING RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(slug)
    .bind(name)
    .bind(description)
    .bind(channel)
    .bind(visibility)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// Adds the member as `role`; false when they were in it already.
pub async fn add_member(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
    member_id: Uuid,
    role: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let added = sqlx::query(
        "INSERT INTO circle_members (circle_id, member_id, role, joined_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING",
    )
    .bind(circle_id)
    .bind(member_id)
    .bind(role)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(added > 0)
}

/// Makes `member_id` a lead of the circle (a member already in it is promoted); whether
/// anything changed.
pub async fn make_lead(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
    member_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let changed = sqlx::query(
        "INSERT INTO circle_members (circle_id, member_id, role, joined_at) VALUES ($1, $2, 'lead', $3)
         ON CONFLICT (circle_id, member_id) DO UPDATE SET role = 'lead'
         WHERE circle_members.role <> 'lead'",
    )
    .bind(circle_id)
    .bind(member_id)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Removes the member; the role they had, if they were in it.
pub async fn remove_member(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "DELETE FROM circle_members WHERE circle_id = $1 AND member_id = $2 RETURNING role",
    )
    .bind(circle_id)
    .bind(member_id)
    .fetch_optional(ex)
    .await
}

/// Records a request or an invitation; false when one is open already.
pub async fn put_invite(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
    member_id: Uuid,
    kind: &str,
    by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let put = sqlx::query(
        "INSERT INTO circle_invites (circle_id, member_id, kind, by_member, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(circle_id)
    .bind(member_id)
    .bind(kind)
    .bind(by)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(put > 0)
}

/// Takes the member's open request or invitation, saying which it was: only one of two
/// concurrent approvals gets it.
pub async fn take_invite(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "DELETE FROM circle_invites WHERE circle_id = $1 AND member_id = $2 RETURNING kind",
    )
    .bind(circle_id)
    .bind(member_id)
    .fetch_optional(ex)
    .await
}

/// What last became of a member's request to join a circle, from the audit log: the
/// action (`circle.request`, `circle.withdraw`, `circle.approve` or `circle.decline`),
/// and who took it.
pub async fn request_fate(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    circle_slug: &str,
    member_id: Uuid,
) -> sqlx::Result<Option<(String, Option<Uuid>, Option<String>)>> {
    sqlx::query_as(
        "SELECT a.action, a.actor_member_id, m.display_name
           FROM audit_log a LEFT JOIN members m ON m.id = a.actor_member_id
          WHERE a.community_id = $1 AND a.detail->>'circle' = $2
            AND ((a.action IN ('circle.approve', 'circle.decline')
                  AND a.detail->>'member' = $3::text)
                 OR (a.action IN ('circle.request', 'circle.withdraw')
                     AND a.actor_member_id = $3))
          ORDER BY a.at DESC, a.id DESC LIMIT 1",
    )
    .bind(community_id)
    .bind(circle_slug)
    .bind(member_id)
    .fetch_optional(ex)
    .await
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct CircleMember {
        pub member_id: Uuid,
        pub display_name: String,
        pub platform_user_id: String,
        pub role: String,
    }
}

/// The circle's people, leads first: `limit` of them from `offset`.
pub async fn members(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<CircleMember>> {
    sqlx::query_as(
        "SELECT m.id AS member_id, m.display_name, m.platform_user_id, cm.role
         FROM circle_members cm JOIN members m ON m.id = cm.member_id
         WHERE cm.circle_id = $1
         ORDER BY cm.role = 'lead' DESC, lower(m.display_name), m.id LIMIT $2 OFFSET $3",
    )
    .bind(circle_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await
}

/// Whether the member leads the circle.
pub async fn is_lead(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM circle_members
                         WHERE circle_id = $1 AND member_id = $2 AND role = 'lead')",
    )
    .bind(circle_id)
    .bind(member_id)
    .fetch_one(ex)
    .await
}

/// The circles the member is in, with their zones (for listing their sessions).
pub async fn of_member(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT c.id, c.timezone FROM circle_members cm JOIN circles c ON c.id = cm.circle_id
         WHERE cm.member_id = $1 ORDER BY c.slug",
    )
    .bind(member_id)
    .fetch_all(ex)
    .await
}

/// The circle's leads, as DM destinations.
pub async fn leads(ex: impl PgExecutor<'_>, circle_id: Uuid) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM circle_members cm JOIN members m ON m.id = cm.member_id
         WHERE cm.circle_id = $1 AND cm.role = 'lead' ORDER BY m.display_name",
    )
    .bind(circle_id)
    .fetch_all(ex)
    .await
}

pg_row! {
    /// A circle with a prompt or intro schedule, for the scheduler.
    #[derive(Debug, Clone)]
    pub struct Scheduled {
        pub id: Uuid,
        pub community_id: Uuid,
        pub slug: String,
        pub name: String,
        pub channel: Option<String>,
        pub timezone: String,
        pub prompt_schedule: Option<String>,
        pub intro_schedule: Option<String>,
    }
}

pub async fn scheduled(ex: impl PgExecutor<'_>) -> sqlx::Result<Vec<Scheduled>> {
    sqlx::query_as(
        "SELECT id, community_id, slug, name, channel, timezone, prompt_schedule, intro_schedule
         FROM circles
         WHERE (prompt_schedule IS NOT NULL AND cardinality(prompts) > 0 AND channel IS NOT NULL)
            OR intro_schedule IS NOT NULL
         ORDER BY id",
    )
    .fetch_all(ex)
    .await
}

/// The next prompt in the circle's rotation, counted as posted.
pub async fn next_prompt(ex: impl PgExecutor<'_>, circle_id: Uuid) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "UPDATE circles SET prompts_sent = prompts_sent + 1
         WHERE id = $1 AND cardinality(prompts) > 0
         RETURNING prompts[(prompts_sent - 1) % cardinality(prompts) + 1]",
    )
    .bind(circle_id)
    .fetch_optional(ex)
    .await
}

pg_row! {
    /// A member as intros score them.
    #[derive(Debug, Clone)]
    pub struct IntroPerson {
        pub member_id: Uuid,
        pub display_name: String,
        pub timezone: Option<String>,
        pub skills: Vec<String>,
        pub department: Option<String>,
    }
}

/// The circle's members who can be introduced: not away now.
pub async fn intro_people(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<IntroPerson>> {
    sqlx::query_as(
        "SELECT m.id AS member_id, m.display_name, m.timezone, m.skills, m.department
         FROM circle_members cm JOIN members m ON m.id = cm.member_id
         WHERE cm.circle_id = $1
           AND NOT EXISTS (SELECT 1 FROM absences a WHERE a.member_id = m.id
                              AND a.scope = 'all' AND a.starts_at <= $2
                              AND (a.ends_at IS NULL OR a.ends_at > $2))
         ORDER BY m.id",
    )
    .bind(circle_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Every pair introduced in the circle before.
pub async fn intro_history(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    sqlx::query_as("SELECT a, b FROM circle_intros WHERE circle_id = $1")
        .bind(circle_id)
        .fetch_all(ex)
        .await
}

pub async fn record_intro(
    ex: impl PgExecutor<'_>,
    circle_id: Uuid,
    tick: DateTime<Utc>,
    a: Uuid,
    b: Uuid,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO circle_intros (circle_id, tick, a, b) VALUES ($1, $2, $3, $4)")
        .bind(circle_id)
        .bind(tick)
        .bind(a)
        .bind(b)
        .execute(ex)
        .await?;
    Ok(())
}
