//! Confidential concerns: the reports, who must not see each one, and their conversations.
//! An anonymous report has no reporter id anywhere; its reporter is found again only by the
//! SHA-256 of the relay code they hold.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::Role;
use crate::store::pg_row;

crate::store::row::text_enum! {
    /// Who may know who reported (`concerns.mode`).
    pub enum Mode {
        /// The handlers know, and may name the reporter to those they involve.
        Identified = "identified",
        /// The handlers know, and nobody else.
        Confidential = "confidential",
        /// Nobody knows, the bot included.
        Anonymous = "anonymous",
    }
}

crate::store::row::text_enum! {
    /// Where a concern stands (`concerns.status`).
    pub enum Status {
        Open = "open",
        Closed = "closed",
    }
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Concern {
        pub id: Uuid,
        pub community_id: Uuid,
        pub number: i32,
        pub category: String,
        pub mode: Mode,
        pub body: String,
        pub reporter_id: Option<Uuid>,
        pub reporter_name: Option<String>,
        pub relay_blocked_at: Option<DateTime<Utc>>,
        pub status: Status,
        pub opened_on: NaiveDate,
        pub closed_at: Option<DateTime<Utc>>,
        pub close_reason: Option<String>,
        pub closed_by_name: Option<String>,
        /// When a handler asked for its private space, if one did.
        pub space_requested_at: Option<DateTime<Utc>>,
    }
}

pg_row! {
    /// One message of a concern's conversation, oldest first.
    #[derive(Debug, Clone)]
    pub struct Said {
        /// The handler who wrote it; `None` for the reporter's own messages.
        pub author_name: Option<String>,
        pub body: String,
        pub sent_on: NaiveDate,
    }
}

const COLUMNS: &str = "c.id, c.community_id, c.number, c.category, c.mode, c.body, c.reporter_id,
     r.display_name AS reporter_name, c.relay_blocked_at, c.status, c.opened_on, c.closed_at,
     c.close_reason, b.display_name AS closed_by_name, c.space_requested_at";

const FROM: &str = "concerns c LEFT JOIN members r ON r.id = c.reporter_id
     LEFT JOIN members b ON b.id = c.closed_by";

/// A concern about to be reported.
#[derive(Debug, Clone)]
pub struct NewConcern<'a> {
    pub community_id: Uuid,
    pub category: &'a str,
    pub mode: Mode,
    pub body: &'a str,
    /// `None` exactly when anonymous.
    pub reporter_id: Option<Uuid>,
    /// SHA-256 of the relay code, exactly when anonymous.
    pub relay_hash: Option<&'a [u8]>,
    pub opened_on: NaiveDate,
}

/// Files a concern with the community's next number and returns it. Serialise numbering
/// with `communities::lock_numbering` first.
pub async fn insert(ex: impl PgExecutor<'_>, new: &NewConcern<'_>) -> sqlx::Result<(Uuid, i32)> {
    sqlx::query_as(
        "INSERT INTO concerns (id, community_id, number, category, mode, body, reporter_id,
             relay_hash, opened_on)
         SELECT $1, $2, coalesce(max(number), 0) + 1, $3, $4, $5, $6, $7, $8
           FROM concerns WHERE community_id = $2
         RETURNING id, number",
    )
    .bind(Uuid::new_v4())
    .bind(new.community_id)
    .bind(new.category)
    .bind(new.mode)
    .bind(new.body)
    .bind(new.reporter_id)
    .bind(new.relay_hash)
    .bind(new.opened_on)
    .fetch_one(ex)
    .await
}

/// Records who must not see the concern.
pub async fn exclude(
    ex: impl PgExecutor<'_>,
    concern_id: Uuid,
    members: &[Uuid],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO concern_exclusions (concern_id, member_id)
         SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING",
    )
    .bind(concern_id)
    .bind(members)
    .execute(ex)
    .await?;
    Ok(())
}

/// The community's concern handlers (holders of the role community-wide, not erased),
/// but those excluded from `concern` when given: (id, name), by name.
pub async fn handlers(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    concern: Option<Uuid>,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM member_roles r JOIN members m ON m.id = r.member_id
          WHERE r.community_id = $1 AND r.role = $2 AND r.cohort_id IS NULL
            AND m.erased_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM concern_exclusions x
                             WHERE x.concern_id = $3 AND x.member_id = m.id)
          ORDER BY m.display_name, m.id",
    )
    .bind(community_id)
    .bind(Role::ConcernHandler.as_str())
    .bind(concern)
    .fetch_all(ex)
    .await
}

/// The concern numbered `number`, unless `viewer` is excluded from it.
pub async fn by_number(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    number: i32,
    viewer: Uuid,
) -> sqlx::Result<Option<Concern>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM}
          WHERE c.community_id = $1 AND c.number = $2
            AND NOT EXISTS (SELECT 1 FROM concern_exclusions x
                             WHERE x.concern_id = c.id AND x.member_id = $3)"
    )))
    .bind(community_id)
    .bind(number)
    .bind(viewer)
    .fetch_optional(ex)
    .await
}

/// The concern read again under its row lock, for a change: a close, a block or a
/// message waits for another in flight, and then sees what it did.
pub async fn locked(ex: impl PgExecutor<'_>, concern_id: Uuid) -> sqlx::Result<Concern> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE c.id = $1 FOR UPDATE OF c"
    )))
    .bind(concern_id)
    .fetch_one(ex)
    .await
}

/// The anonymous concern whose relay code hashes to `relay_hash`.
pub async fn by_relay(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    relay_hash: &[u8],
) -> sqlx::Result<Option<Concern>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE c.community_id = $1 AND c.relay_hash = $2"
    )))
    .bind(community_id)
    .bind(relay_hash)
    .fetch_optional(ex)
    .await
}

/// The community's concerns in `status` that `viewer` may see, newest first.
pub async fn list(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    status: Status,
    viewer: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<Concern>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM}
          WHERE c.community_id = $1 AND c.status = $2
            AND NOT EXISTS (SELECT 1 FROM concern_exclusions x
                             WHERE x.concern_id = c.id AND x.member_id = $3)
          ORDER BY c.number DESC LIMIT $4"
    )))
    .bind(community_id)
    .bind(status)
    .bind(viewer)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// The concerns `reporter` reported under their name, newest first.
pub async fn reported_by(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    reporter: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<Concern>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE c.community_id = $1 AND c.reporter_id = $2
          ORDER BY c.number DESC LIMIT $3"
    )))
    .bind(community_id)
    .bind(reporter)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// The concern's conversation, oldest first.
pub async fn conversation(ex: impl PgExecutor<'_>, concern_id: Uuid) -> sqlx::Result<Vec<Said>> {
    sqlx::query_as(
        "SELECT a.display_name AS author_name, m.body, m.sent_on
           FROM concern_messages m LEFT JOIN members a ON a.id = m.author_id
          WHERE m.concern_id = $1 ORDER BY m.id",
    )
    .bind(concern_id)
    .fetch_all(ex)
    .await
}

/// Adds a message: a handler's (`author` set, with its time) or the reporter's (no author,
/// and its day only).
pub async fn add_message(
    ex: impl PgExecutor<'_>,
    concern_id: Uuid,
    author: Option<Uuid>,
    body: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO concern_messages (concern_id, author_id, body, sent_on, sent_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $2::uuid IS NULL THEN NULL ELSE $5 END)",
    )
    .bind(concern_id)
    .bind(author)
    .bind(body)
    .bind(now.date_naive())
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Closes an open concern; false when it was closed already.
pub async fn close(
    ex: impl PgExecutor<'_>,
    concern_id: Uuid,
    by: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE concerns SET status = 'closed', closed_at = $4, closed_by = $2, close_reason = $3
          WHERE id = $1 AND status = 'open'",
    )
    .bind(concern_id)
    .bind(by)
    .bind(reason)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Stops the reporter's further messages; false when they were stopped already.
pub async fn block(
    ex: impl PgExecutor<'_>,
    concern_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE concerns SET relay_blocked_at = $2 WHERE id = $1 AND relay_blocked_at IS NULL",
    )
    .bind(concern_id)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(done == 1)
}

pg_row! {
    /// Where a community's concerns' private spaces can open: its platforms, and the
    /// Discord channel its private threads open in.
    #[derive(Debug, Clone)]
    pub struct SpaceSettings {
        pub discord_guild_id: Option<String>,
        pub slack_team_id: Option<String>,
        pub concern_space_channel: Option<String>,
    }
}

pub async fn space_settings(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<SpaceSettings> {
    sqlx::query_as(
        "SELECT discord_guild_id, slack_team_id, concern_space_channel
           FROM communities WHERE id = $1",
    )
    .bind(community_id)
    .fetch_one(ex)
    .await
}

/// Records that a handler asked for the concern's private space; false when one did
/// already.
pub async fn request_space(
    ex: impl PgExecutor<'_>,
    concern_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE concerns SET space_requested_at = $2
          WHERE id = $1 AND space_requested_at IS NULL",
    )
    .bind(concern_id)
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// The community's open concerns that have a private space (asked for, made or not yet).
pub async fn open_spaces(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT id FROM concerns
          WHERE community_id = $1 AND status = 'open' AND space_requested_at IS NOT NULL
          ORDER BY number",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await
}

/// The numbers of the community's open concerns whose private space was made while
/// `member` could be in it: neither excluded from the concern nor its reporter.
pub async fn open_spaces_with(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member: Uuid,
) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar(
        "SELECT c.number FROM concerns c
          WHERE c.community_id = $1 AND c.status = 'open' AND c.space_ref IS NOT NULL
            AND c.reporter_id IS DISTINCT FROM $2
            AND NOT EXISTS (SELECT 1 FROM concern_exclusions x
                             WHERE x.concern_id = c.id AND x.member_id = $2)
          ORDER BY c.number",
    )
    .bind(community_id)
    .bind(member)
    .fetch_all(ex)
    .await
}

/// The numbers of the community's open concerns whose private space the bot put `member`
/// in, and has not taken them out of yet.
pub async fn open_spaces_holding(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    member: Uuid,
) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar(
        "SELECT c.number FROM concerns c
          WHERE c.community_id = $1 AND c.status = 'open' AND c.space_ref IS NOT NULL
            AND EXISTS (SELECT 1 FROM concern_space_members s
                         WHERE s.concern_id = c.id AND s.member_id = $2)
          ORDER BY c.number",
    )
    .bind(community_id)
    .bind(member)
    .fetch_all(ex)
    .await
}

pg_row! {
    /// A concern's private space as a platform sender reads it when it acts.
    #[derive(Debug, Clone)]
    pub struct SpaceTarget {
        pub community_id: Uuid,
        pub number: i32,
        pub category: String,
        pub status: Status,
        pub reporter_id: Option<Uuid>,
        /// The platform's id of the thread or channel, once made.
        pub space_ref: Option<String>,
        pub discord_guild_id: Option<String>,
        pub slack_team_id: Option<String>,
        pub concern_space_channel: Option<String>,
    }
}

/// The concern's space, if a handler asked for one.
pub async fn space_target(
    ex: impl PgExecutor<'_>,
    concern_id: Uuid,
) -> sqlx::Result<Option<SpaceTarget>> {
    sqlx::query_as(
        "SELECT c.community_id, c.number, c.category, c.status, c.reporter_id, c.space_ref,
                co.discord_guild_id, co.slack_team_id, co.concern_space_channel
           FROM concerns c JOIN communities co ON co.id = c.community_id
          WHERE c.id = $1 AND c.space_requested_at IS NOT NULL",
    )
    .bind(concern_id)
    .fetch_optional(ex)
    .await
}

/// Records the platform's id of the concern's space, made just now; the first one made
/// stays, so a retry that made another is told which to use.
pub async fn space_made(
    ex: impl PgExecutor<'_>,
    concern_id: Uuid,
    space_ref: &str,
) -> sqlx::Result<String> {
    sqlx::query_scalar(
        "UPDATE concerns SET space_ref = coalesce(space_ref, $2) WHERE id = $1
         RETURNING space_ref",
    )
    .bind(concern_id)
    .bind(space_ref)
    .fetch_one(ex)
    .await
}

/// Those the bot put in the concern's space (see migration 0063), with the platform ids
/// it put them in under.
pub async fn space_members(
    ex: impl PgExecutor<'_>,
    concern_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT member_id, platform_user_id FROM concern_space_members WHERE concern_id = $1
          ORDER BY platform_user_id",
    )
    .bind(concern_id)
    .fetch_all(ex)
    .await
}

/// Records that the bot is putting `members` in the concern's space, each under the
/// platform id at the same place in `users`; those recorded already stay as they are.
pub async fn space_members_adding(
    ex: impl PgExecutor<'_>,
    concern_id: Uuid,
    (ids, users): (&[Uuid], &[&str]),
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO concern_space_members (concern_id, member_id, platform_user_id)
         SELECT $1, m.id, m.user_id FROM unnest($2::uuid[], $3::text[]) AS m(id, user_id)
         ON CONFLICT DO NOTHING",
    )
    .bind(concern_id)
    .bind(ids)
    .bind(users)
    .execute(ex)
    .await
    .map(drop)
}

/// Forgets `member` as one the bot put in the concern's space: they are out of it now.
pub async fn space_member_removed(
    ex: impl PgExecutor<'_>,
    concern_id: Uuid,
    member: Uuid,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM concern_space_members WHERE concern_id = $1 AND member_id = $2")
        .bind(concern_id)
        .bind(member)
        .execute(ex)
        .await
        .map(drop)
}

/// Forgets whom the bot put in the concern's space, once it is archived: nobody will be
/// taken out of it any more.
pub async fn space_members_forget(ex: impl PgExecutor<'_>, concern_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM concern_space_members WHERE concern_id = $1")
        .bind(concern_id)
        .execute(ex)
        .await
        .map(drop)
}

/// The platform user ids of those of `members` who are on `platform`.
pub async fn platform_ids(
    ex: impl PgExecutor<'_>,
    members: &[Uuid],
    platform: &str,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT id, platform_user_id FROM members
          WHERE id = ANY($1) AND platform = $2 AND erased_at IS NULL",
    )
    .bind(members)
    .bind(platform)
    .fetch_all(ex)
    .await
}
