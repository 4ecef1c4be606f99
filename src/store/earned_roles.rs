//! Earned roles: who should hold each rule's platform role (`earns_role`, one SQL
//! definition), who the bot gave it to, and what reconciliation found on the platform.

use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::store::pg_row;

pg_row! {
    /// A role given or taken by a settlement.
    #[derive(Debug, Clone)]
    pub struct Change {
        pub rule_id: Uuid,
        pub member_id: Uuid,
        /// The grant's id: outbox keys derive from it.
        pub grant_id: Uuid,
        pub granted: bool,
        pub name: String,
        pub announce: bool,
        pub display_name: String,
    }
}

/// Re-derives the community's earned roles for `member` (or every member when `None`)
/// inside the caller's transaction: the member who now earns a rule's role becomes its
/// holder, and a holder who no longer does loses it when the rule says so. Returns what
/// changed. Concurrent settlements of one member give each change once: the holder row's
/// key decides which of them inserts or deletes it.
pub async fn settle(
    conn: &mut PgConnection,
    community_id: Uuid,
    member: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Change>> {
    // Two statements, not `($2 IS NULL OR m.id = $2)`: a cached generic plan for that
    // would scan every member of the community on each single-member settlement.
    let members = match member {
        Some(_) => "m.id = $2",
        None => "$2::uuid IS NULL",
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH judged AS (
             SELECT r.id AS rule_id, m.id AS member_id, r.remove_when_lost,
                    earns_role(r, m.id) AS earns, h.member_id IS NOT NULL AS holds
             FROM earned_roles r
             JOIN members m ON m.community_id = r.community_id
             LEFT JOIN earned_role_holders h ON h.rule_id = r.id AND h.member_id = m.id
             WHERE r.community_id = $1 AND {members}),
         granted AS (
             INSERT INTO earned_role_holders (rule_id, community_id, member_id, grant_id, earned_at)
             SELECT rule_id, $1, member_id, gen_random_uuid(), $3
             FROM judged WHERE earns AND NOT holds
             ON CONFLICT (rule_id, member_id) DO NOTHING
             RETURNING rule_id, member_id, grant_id, true AS granted),
         removed AS (
             DELETE FROM earned_role_holders h USING judged j
             WHERE h.rule_id = j.rule_id AND h.member_id = j.member_id
               AND j.holds AND NOT j.earns AND j.remove_when_lost
             RETURNING h.rule_id, h.member_id, h.grant_id, false AS granted),
         changed AS (SELECT * FROM granted UNION ALL SELECT * FROM removed)
         SELECT c.rule_id, c.member_id, c.grant_id, c.granted, r.name, r.announce, m.display_name
         FROM changed c
         JOIN earned_roles r ON r.id = c.rule_id
         JOIN members m ON m.id = c.member_id
         ORDER BY r.slug, m.display_name"
    )))
    .bind(community_id)
    .bind(member)
    .bind(now)
    .fetch_all(conn)
    .await
}

pg_row! {
    /// What a platform needs to give or check one member's earned role.
    #[derive(Debug, Clone)]
    pub struct Target {
        pub name: String,
        pub discord_role: Option<String>,
        pub slack_usergroup: Option<String>,
        /// The member holds it as far as the program is concerned.
        pub holds: bool,
        pub restored_at: Option<DateTime<Utc>>,
        pub left_off_at: Option<DateTime<Utc>>,
    }
}

/// The rule's platform role and whether `member_id` should hold it now; `None` when the
/// rule is gone.
pub async fn target(
    ex: impl PgExecutor<'_>,
    rule_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<Option<Target>> {
    sqlx::query_as(
        "SELECT r.name, r.discord_role, r.slack_usergroup, h.member_id IS NOT NULL AS holds,
                h.restored_at, h.left_off_at
         FROM earned_roles r
         LEFT JOIN earned_role_holders h ON h.rule_id = r.id AND h.member_id = $2
         WHERE r.id = $1",
    )
    .bind(rule_id)
    .bind(member_id)
    .fetch_optional(ex)
    .await
}

/// What reconciliation found for a holder whose role was missing on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The first time: put it back.
    Restore,
    /// Removed again after it was put back: report it, and leave it off.
    LeaveOff { restored_at: DateTime<Utc> },
    /// Already reported as left off: nothing more to say.
    AlreadyLeftOff,
}

/// Records that a holder's role was found missing on the platform, and says what to do.
/// Returns `None` when the member no longer holds the role.
pub async fn found_missing(
    ex: impl PgExecutor<'_>,
    rule_id: Uuid,
    member_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Missing>> {
    type Marks = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let before: Option<Marks> = sqlx::query_as(
        "WITH before AS (
             SELECT restored_at, left_off_at FROM earned_role_holders
             WHERE rule_id = $1 AND member_id = $2),
         marked AS (
             UPDATE earned_role_holders h SET
                 restored_at = coalesce(h.restored_at, $3),
                 left_off_at = CASE WHEN h.restored_at IS NOT NULL THEN coalesce(h.left_off_at, $3) END
             WHERE rule_id = $1 AND member_id = $2)
         SELECT restored_at, left_off_at FROM before",
    )
    .bind(rule_id)
    .bind(member_id)
    .bind(now)
    .fetch_optional(ex)
    .await?;
    Ok(
        before.map(|(restored, left_off)| match (restored, left_off) {
            (None, _) => Missing::Restore,
            (Some(restored_at), None) => Missing::LeaveOff { restored_at },
            (Some(_), Some(_)) => Missing::AlreadyLeftOff,
        }),
    )
}

/// A holder found holding the role again (an admin gave it back): the next removal by hand
/// counts as a first one again.
pub async fn found_present(
    ex: impl PgExecutor<'_>,
    rule_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE earned_role_holders SET left_off_at = NULL, restored_at = NULL
         WHERE rule_id = $1 AND member_id = $2 AND left_off_at IS NOT NULL",
    )
    .bind(rule_id)
    .bind(member_id)
    .execute(ex)
    .await?;
    Ok(())
}

/// How often each community's earned roles are re-derived and checked on the platform.
pub const RECONCILE_EVERY: Duration = Duration::days(7);

/// Claims the communities whose reconciliation is due (never done, a rule changed, or a
/// week since the last), marking them done as of `now` in the caller's transaction, so
/// concurrent schedulers claim each once.
pub async fn claim_reconciliations(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "INSERT INTO earned_role_reconciliations AS done (community_id, last_at)
         SELECT DISTINCT community_id, $1 FROM earned_roles
         ON CONFLICT (community_id) DO UPDATE SET last_at = EXCLUDED.last_at
         WHERE done.last_at <= $1 - $2::interval
         RETURNING community_id",
    )
    .bind(now)
    .bind(RECONCILE_EVERY)
    .fetch_all(conn)
    .await
}

/// Holders of the community's roles who earned them before `before` and whose platform
/// has a role for the rule, as (rule, member): those reconciliation checks there.
pub async fn holders_before(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    before: DateTime<Utc>,
) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    sqlx::query_as(
        "SELECT h.rule_id, h.member_id FROM earned_role_holders h
         JOIN earned_roles r ON r.id = h.rule_id
         JOIN members m ON m.id = h.member_id
         WHERE h.community_id = $1 AND h.earned_at < $2
           AND CASE m.platform WHEN 'discord' THEN r.discord_role IS NOT NULL
                               WHEN 'slack' THEN r.slack_usergroup IS NOT NULL
                               ELSE false END
         ORDER BY h.rule_id, h.member_id",
    )
    .bind(community_id)
    .bind(before)
    .fetch_all(ex)
    .await
}

/// Whether any rule gives its role as a Slack user group.
pub async fn slack_usergroups_used(ex: impl PgExecutor<'_>) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM earned_roles WHERE slack_usergroup IS NOT NULL)",
    )
    .fetch_one(ex)
    .await
}

/// The names of the earned roles `member_id` holds, by name.
pub async fn held_by(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT r.name FROM earned_role_holders h JOIN earned_roles r ON r.id = h.rule_id
         WHERE h.member_id = $1 ORDER BY r.name",
    )
    .bind(member_id)
    .fetch_all(ex)
    .await
}

/// The rules whose role the member holds.
pub async fn rules_held_by(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar("SELECT rule_id FROM earned_role_holders WHERE member_id = $1 ORDER BY 1")
        .bind(member_id)
        .fetch_all(ex)
        .await
}
