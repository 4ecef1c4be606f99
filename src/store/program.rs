//! Idempotent upserts for importing the program file, and the reads that export it.
//!
//! Each upsert returns the row id and whether it was created, updated or left unchanged,
//! so a second import of the same file can prove it changed nothing.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgArguments;
use sqlx::query::QueryAs;
use sqlx::{AssertSqlSafe, PgConnection, Postgres};
use uuid::Uuid;

use crate::store::pg_row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

/// Hours between a prompt and its nudge when the program file does not say.
pub const DEFAULT_NUDGE_AFTER_HOURS: i32 = 24;

type ChangeQuery<'q> = QueryAs<'q, Postgres, (Uuid, String), PgArguments>;

async fn run(conn: &mut PgConnection, query: ChangeQuery<'_>) -> sqlx::Result<(Uuid, Change)> {
    let (id, change) = query.fetch_one(conn).await?;
    let change = match change.as_str() {
        "created" => Change::Created,
        "updated" => Change::Updated,
        _ => Change::Unchanged,
    };
    Ok((id, change))
}

/// Wraps an `INSERT … ON CONFLICT DO UPDATE … WHERE <changed> RETURNING id, (xmax = 0)` so
/// one statement always yields the id and what happened. `lookup` finds the unchanged row.
fn upsert_sql(upsert: &str, lookup: &str) -> String {
    format!(
        "WITH up AS ({upsert} RETURNING id, (xmax = 0) AS inserted)
         SELECT id, CASE WHEN inserted THEN 'created' ELSE 'updated' END FROM up
         UNION ALL
         SELECT id, 'unchanged' FROM ({lookup}) existing WHERE NOT EXISTS (SELECT 1 FROM up)"
    )
}

/// What the store keeps of a program file's community. The program file's types map onto
/// these plain rows, so the store knows nothing of the file's format.
#[derive(Debug, Clone, Copy)]
pub struct CommunitySeed<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    /// `None` keeps an existing community's text.
    pub code_of_conduct: Option<&'a str>,
    pub discord_guild_id: Option<&'a str>,
    pub slack_team_id: Option<&'a str>,
    /// Where `/kb decide` posts decisions.
    pub governance_channel: Option<&'a str>,
    /// Where concerns' private threads open on Discord.
    pub concern_space_channel: Option<&'a str>,
}

#[derive(Debug, Clone, Copy)]
pub struct PersonSeed<'a> {
    pub platform: &'a str,
    pub user_id: &'a str,
    pub name: &'a str,
    pub timezone: Option<&'a str>,
    pub skills: &'a [String],
}

pg_row! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CircleRow {
        pub slug: String,
        pub name: String,
        pub description: String,
        pub channel: Option<String>,
        pub visibility: String,
        pub timezone: String,
        pub prompts: Vec<String>,
        pub prompt_schedule: Option<String>,
        pub intro_schedule: Option<String>,
        /// The leads' user ids: exported, while an import names them by `people`.
        pub leads: Vec<String>,
    }
}

#[derive(Debug, Clone, Copy)]
pub struct CohortSeed<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub timezone: &'a str,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
    pub channel: Option<&'a str>,
    pub nudge_after_hours: Option<i32>,
    pub discord_events: bool,
    pub interested_is_rsvp: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct TrackSeed<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
}

#[derive(Debug, Clone, Copy)]
pub struct ModuleSeed<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub capstone: bool,
    pub badge: Option<&'a str>,
}

pub async fn upsert_community(
    conn: &mut PgConnection,
    def: &CommunitySeed<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<(Uuid, Change)> {
    let sql = upsert_sql(
        "INSERT INTO communities AS t (id, slug, name, code_of_conduct, discord_guild_id, slack_team_id, created_at, governance_channel, concern_space_channel)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $10)
         ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name,
             code_of_conduct = coalesce($8, t.code_of_conduct),
             coc_version = t.coc_version + (coalesce($8, t.code_of_conduct) <> t.code_of_conduct)::int,
             discord_guild_id = EXCLUDED.discord_guild_id, slack_team_id = EXCLUDED.slack_team_id,
             governance_channel = EXCLUDED.governance_channel,
             concern_space_channel = EXCLUDED.concern_space_channel
         WHERE (t.name, t.code_of_conduct, t.discord_guild_id, t.slack_team_id, t.governance_channel, t.concern_space_channel)
               IS DISTINCT FROM (EXCLUDED.name, coalesce($8, t.code_of_conduct), EXCLUDED.discord_guild_id, EXCLUDED.slack_team_id, EXCLUDED.governance_channel, EXCLUDED.concern_space_channel)",
        "SELECT id FROM communities WHERE slug = $2",
    );
    run(
        conn,
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(Uuid::new_v4())
            .bind(def.slug)
            .bind(def.name)
            // A new community needs the text (checked by the import); an existing one
            // keeps its own when the file leaves it out.
            .bind(def.code_of_conduct.map(str::trim).unwrap_or_default())
            .bind(def.discord_guild_id)
            .bind(def.slack_team_id)
            .bind(now)
            .bind(def.code_of_conduct.map(str::trim))
            .bind(def.governance_channel)
            .bind(def.concern_space_channel),
    )
    .await
}

/// People are seeds: created when missing, never overwritten (members edit their own profile).
pub async fn insert_person(
    conn: &mut PgConnection,
    community_id: Uuid,
    def: &PersonSeed<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<(Uuid, Change)> {
    let sql = "WITH ins AS (
            INSERT INTO members (id, community_id, platform, platform_user_id, display_name, timezone, skills, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (community_id, platform, platform_user_id) DO NOTHING RETURNING id)
         SELECT id, 'created' FROM ins
         UNION ALL
         SELECT id, 'unchanged' FROM members
         WHERE community_id = $2 AND platform = $3 AND platform_user_id = $4 AND NOT EXISTS (SELECT 1 FROM ins)";
    run(
        conn,
        sqlx::query_as(sql)
            .bind(Uuid::new_v4())
            .bind(community_id)
            .bind(def.platform)
            .bind(def.user_id)
            .bind(def.name)
            .bind(def.timezone)
            .bind(def.skills)
            .bind(now),
    )
    .await
}

pub async fn upsert_circle(
    conn: &mut PgConnection,
    community_id: Uuid,
    def: &CircleRow,
    now: DateTime<Utc>,
) -> sqlx::Result<(Uuid, Change)> {
    let sql = upsert_sql(
        "INSERT INTO circles AS t (id, community_id, slug, name, description, channel, visibility,
                timezone, prompts, prompt_schedule, intro_schedule, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (community_id, slug) DO UPDATE SET name = EXCLUDED.name,
             description = EXCLUDED.description, channel = EXCLUDED.channel,
             visibility = EXCLUDED.visibility, timezone = EXCLUDED.timezone,
             prompts = EXCLUDED.prompts, prompt_schedule = EXCLUDED.prompt_schedule,
             intro_schedule = EXCLUDED.intro_schedule
         WHERE (t.name, t.description, t.channel, t.visibility, t.timezone, t.prompts,
                t.prompt_schedule, t.intro_schedule)
             IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.channel,
                EXCLUDED.visibility, EXCLUDED.timezone, EXCLUDED.prompts,
                EXCLUDED.prompt_schedule, EXCLUDED.intro_schedule)",
        "SELECT id FROM circles WHERE community_id = $2 AND slug = $3",
    );
    run(
        conn,
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(Uuid::new_v4())
            .bind(community_id)
            .bind(&def.slug)
            .bind(&def.name)
            .bind(&def.description)
            .bind(&def.channel)
            .bind(&def.visibility)
            .bind(&def.timezone)
            .bind(&def.prompts)
            .bind(&def.prompt_schedule)
            .bind(&def.intro_schedule)
            .bind(now),
    )
    .await
}

pub async fn upsert_cohort(
    conn: &mut PgConnection,
    community_id: Uuid,
    def: &CohortSeed<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<(Uuid, Change)> {
    let sql = upsert_sql(
        "INSERT INTO cohorts AS t (id, community_id, slug, name, timezone, starts_on, ends_on, channel, nudge_after_hours, created_at, discord_events, interested_is_rsvp)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (community_id, slug) DO UPDATE SET name = EXCLUDED.name, timezone = EXCLUDED.timezone,
             starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on, channel = EXCLUDED.channel,
             nudge_after_hours = EXCLUDED.nudge_after_hours, discord_events = EXCLUDED.discord_events,
             interested_is_rsvp = EXCLUDED.interested_is_rsvp
         WHERE (t.name, t.timezone, t.starts_on, t.ends_on, t.channel, t.nudge_after_hours, t.discord_events,
                t.interested_is_rsvp)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.timezone, EXCLUDED.starts_on, EXCLUDED.ends_on, EXCLUDED.channel,
                                 EXCLUDED.nudge_after_hours, EXCLUDED.discord_events, EXCLUDED.interested_is_rsvp)",
        "SELECT id FROM cohorts WHERE community_id = $2 AND slug = $3",
    );
    run(
        conn,
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(Uuid::new_v4())
            .bind(community_id)
            .bind(def.slug)
            .bind(def.name)
            .bind(def.timezone)
            .bind(def.starts_on)
            .bind(def.ends_on)
            .bind(def.channel)
            .bind(def.nudge_after_hours.unwrap_or(DEFAULT_NUDGE_AFTER_HOURS))
            .bind(now)
            .bind(def.discord_events)
            .bind(def.interested_is_rsvp),
    )
    .await
}

pub async fn upsert_schedule(
    conn: &mut PgConnection,
    community_id: Uuid,
    cohort_id: Uuid,
    kind: &str,
    cron: &str,
) -> sqlx::Result<Change> {
    let sql = "WITH up AS (
            INSERT INTO cohort_schedules AS t (community_id, cohort_id, kind, cron) VALUES ($1, $2, $3, $4)
            ON CONFLICT (cohort_id, kind) DO UPDATE SET cron = EXCLUDED.cron WHERE t.cron <> EXCLUDED.cron
            RETURNING cohort_id AS id, (xmax = 0) AS inserted)
         SELECT id, CASE WHEN inserted THEN 'created' ELSE 'updated' END FROM up
         UNION ALL
         SELECT $2, 'unchanged' WHERE NOT EXISTS (SELECT 1 FROM up)";
    let (_, change) = run(
        conn,
        sqlx::query_as(sql)
            .bind(community_id)
            .bind(cohort_id)
            .bind(kind)
            .bind(cron),
    )
    .await?;
    Ok(change)
}

pub async fn upsert_track(
    conn: &mut PgConnection,
    community_id: Uuid,
    cohort_id: Uuid,
    def: &TrackSeed<'_>,
) -> sqlx::Result<(Uuid, Change)> {
    let sql = upsert_sql(
        "INSERT INTO tracks AS t (id, community_id, cohort_id, slug, name, kind) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (cohort_id, slug) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind
         WHERE (t.name, t.kind) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind)",
        "SELECT id FROM tracks WHERE cohort_id = $3 AND slug = $4",
    );
    run(
        conn,
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(Uuid::new_v4())
            .bind(community_id)
            .bind(cohort_id)
            .bind(def.slug)
            .bind(def.name)
            .bind(def.kind),
    )
    .await
}

pub async fn upsert_module(
    conn: &mut PgConnection,
    community_id: Uuid,
    track_id: Uuid,
    position: i32,
    def: &ModuleSeed<'_>,
) -> sqlx::Result<(Uuid, Change)> {
    let sql = upsert_sql(
        "INSERT INTO modules AS t (id, community_id, track_id, slug, name, position, capstone, badge)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (track_id, slug) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position,
             capstone = EXCLUDED.capstone, badge = EXCLUDED.badge
         WHERE (t.name, t.position, t.capstone, t.badge)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.position, EXCLUDED.capstone, EXCLUDED.badge)",
        "SELECT id FROM modules WHERE track_id = $3 AND slug = $4",
    );
    run(
        conn,
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(Uuid::new_v4())
            .bind(community_id)
            .bind(track_id)
            .bind(def.slug)
            .bind(def.name)
            .bind(position)
            .bind(def.capstone)
            .bind(def.badge),
    )
    .await
}

/// Makes the module's prerequisites exactly `requires` (slugs within the same track).
/// Returns how many links were added and removed.
pub async fn set_prerequisites(
    conn: &mut PgConnection,
    community_id: Uuid,
    track_id: Uuid,
    module_id: Uuid,
    requires: &[String],
) -> sqlx::Result<(u64, u64)> {
    let removed = sqlx::query(
        "DELETE FROM module_prerequisites p USING modules m
         WHERE p.module_id = $1 AND m.id = p.requires_id AND NOT (m.slug = ANY($2))",
    )
    .bind(module_id)
    .bind(requires)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let added = sqlx::query(
        "INSERT INTO module_prerequisites (community_id, module_id, requires_id)
         SELECT $1, $2, m.id FROM modules m WHERE m.track_id = $3 AND m.slug = ANY($4)
         ON CONFLICT DO NOTHING",
    )
    .bind(community_id)
    .bind(module_id)
    .bind(track_id)
    .bind(requires)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok((added, removed))
}

pub async fn upsert_mentor_group(
    conn: &mut PgConnection,
    community_id: Uuid,
    cohort_id: Uuid,
    name: &str,
    lead_member_id: Option<Uuid>,
) -> sqlx::Result<(Uuid, Change)> {
    let sql = upsert_sql(
        "INSERT INTO mentor_groups AS t (id, community_id, cohort_id, name, lead_member_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (cohort_id, name) DO UPDATE SET lead_member_id = EXCLUDED.lead_member_id
         WHERE t.lead_member_id IS DISTINCT FROM EXCLUDED.lead_member_id",
        "SELECT id FROM mentor_groups WHERE cohort_id = $3 AND name = $4",
    );
    run(
        conn,
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(Uuid::new_v4())
            .bind(community_id)
            .bind(cohort_id)
            .bind(name)
            .bind(lead_member_id),
    )
    .await
}

// ---- Reads for export ----

pg_row! {
    #[derive(Debug)]
    pub struct CommunityRow {
        pub id: Uuid,
        pub slug: String,
        pub name: String,
        pub code_of_conduct: String,
        pub discord_guild_id: Option<String>,
        pub slack_team_id: Option<String>,
        pub governance_channel: Option<String>,
        pub concern_space_channel: Option<String>,
    }
}

pg_row! {
    #[derive(Debug)]
    pub struct PersonRow {
        pub id: Uuid,
        pub platform: String,
        pub platform_user_id: String,
        pub display_name: String,
        pub timezone: Option<String>,
        pub skills: Vec<String>,
        /// `role` or `role:cohort-slug`, already formatted for the file.
        pub roles: Vec<String>,
    }
}

pg_row! {
    #[derive(Debug)]
    pub struct ModuleRow {
        pub track_id: Uuid,
        pub slug: String,
        pub name: String,
        pub capstone: bool,
        pub badge: Option<String>,
        pub requires: Vec<String>,
    }
}

pub async fn communities(conn: &mut PgConnection) -> sqlx::Result<Vec<CommunityRow>> {
    sqlx::query_as("SELECT id, slug, name, code_of_conduct, discord_guild_id, slack_team_id, governance_channel, concern_space_channel FROM communities ORDER BY slug")
        .fetch_all(conn)
        .await
}

pub async fn people(conn: &mut PgConnection, community_id: Uuid) -> sqlx::Result<Vec<PersonRow>> {
    sqlx::query_as(
        "SELECT m.id, m.platform, m.platform_user_id, m.display_name, m.timezone, m.skills,
                coalesce(array_agg(r.role || coalesce(':' || c.slug, '') ORDER BY r.role, c.slug)
                         FILTER (WHERE r.role IS NOT NULL), '{}') AS roles
         FROM members m
         LEFT JOIN member_roles r ON r.member_id = m.id
         LEFT JOIN cohorts c ON c.id = r.cohort_id
         WHERE m.community_id = $1
         GROUP BY m.id ORDER BY m.platform, m.platform_user_id",
    )
    .bind(community_id)
    .fetch_all(conn)
    .await
}

pub async fn circles(conn: &mut PgConnection, community_id: Uuid) -> sqlx::Result<Vec<CircleRow>> {
    sqlx::query_as(
        "SELECT c.slug, c.name, c.description, c.channel, c.visibility, c.timezone, c.prompts,
                c.prompt_schedule, c.intro_schedule,
                coalesce(array_agg(m.platform_user_id ORDER BY m.platform_user_id)
                    FILTER (WHERE m.id IS NOT NULL), '{}') AS leads
         FROM circles c
         LEFT JOIN circle_members cm ON cm.circle_id = c.id AND cm.role = 'lead'
         LEFT JOIN members m ON m.id = cm.member_id
         WHERE c.community_id = $1 GROUP BY c.id ORDER BY c.slug",
    )
    .bind(community_id)
    .fetch_all(conn)
    .await
}

pub async fn schedules(
    conn: &mut PgConnection,
    cohort_id: Uuid,
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as("SELECT kind, cron FROM cohort_schedules WHERE cohort_id = $1 ORDER BY kind")
        .bind(cohort_id)
        .fetch_all(conn)
        .await
}

pub async fn modules(conn: &mut PgConnection, cohort_id: Uuid) -> sqlx::Result<Vec<ModuleRow>> {
    sqlx::query_as(
        "SELECT m.track_id, m.slug, m.name, m.capstone, m.badge,
                coalesce(array_agg(r.slug ORDER BY r.position) FILTER (WHERE r.slug IS NOT NULL), '{}') AS requires
         FROM modules m
         JOIN tracks t ON t.id = m.track_id
         LEFT JOIN module_prerequisites p ON p.module_id = m.id
         LEFT JOIN modules r ON r.id = p.requires_id
         WHERE t.cohort_id = $1
         GROUP BY m.id ORDER BY m.track_id, m.position, m.slug",
    )
    .bind(cohort_id)
    .fetch_all(conn)
    .await
}

/// A cohort's mentor groups: name, and the lead's user id.
pub async fn mentor_groups(
    conn: &mut PgConnection,
    cohort_id: Uuid,
) -> sqlx::Result<Vec<(String, Option<String>)>> {
    sqlx::query_as(
        "SELECT g.name, m.platform_user_id FROM mentor_groups g
         LEFT JOIN members m ON m.id = g.lead_member_id
         WHERE g.cohort_id = $1 ORDER BY g.name",
    )
    .bind(cohort_id)
    .fetch_all(conn)
    .await
}

/// An earned-role rule as the store keeps it.
#[derive(Debug, Clone, Copy)]
pub struct EarnedRoleSeed<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub achievement: &'a str,
    pub subject: Option<&'a str>,
    pub threshold: Option<i32>,
    pub discord_role: Option<&'a str>,
    pub slack_usergroup: Option<&'a str>,
    pub remove_when_lost: bool,
    pub announce: bool,
}

/// Adds or updates a rule by slug. A changed rule makes the community's reconciliation due,
/// so holders are re-derived under the new rule at the scheduler's next pass.
pub async fn upsert_earned_role(
    conn: &mut PgConnection,
    community_id: Uuid,
    def: &EarnedRoleSeed<'_>,
) -> sqlx::Result<(Uuid, Change)> {
    let sql = upsert_sql(
        "INSERT INTO earned_roles AS t (id, community_id, slug, name, achievement, subject, threshold,
                                        discord_role, slack_usergroup, remove_when_lost, announce)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (community_id, slug) DO UPDATE SET
             name = EXCLUDED.name, achievement = EXCLUDED.achievement, subject = EXCLUDED.subject,
             threshold = EXCLUDED.threshold, discord_role = EXCLUDED.discord_role,
             slack_usergroup = EXCLUDED.slack_usergroup,
             remove_when_lost = EXCLUDED.remove_when_lost, announce = EXCLUDED.announce
         WHERE (t.name, t.achievement, t.subject, t.threshold, t.discord_role, t.slack_usergroup,
                t.remove_when_lost, t.announce)
               IS DISTINCT FROM
               (EXCLUDED.name, EXCLUDED.achievement, EXCLUDED.subject, EXCLUDED.threshold,
                EXCLUDED.discord_role, EXCLUDED.slack_usergroup, EXCLUDED.remove_when_lost,
                EXCLUDED.announce)",
        "SELECT id FROM earned_roles WHERE community_id = $2 AND slug = $3",
    );
    let (id, change) = run(
        conn,
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(Uuid::new_v4())
            .bind(community_id)
            .bind(def.slug)
            .bind(def.name)
            .bind(def.achievement)
            .bind(def.subject)
            .bind(def.threshold)
            .bind(def.discord_role)
            .bind(def.slack_usergroup)
            .bind(def.remove_when_lost)
            .bind(def.announce),
    )
    .await?;
    if change != Change::Unchanged {
        sqlx::query("DELETE FROM earned_role_reconciliations WHERE community_id = $1")
            .bind(community_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok((id, change))
}

pg_row! {
    /// A stored earned-role rule, for export.
    #[derive(Debug, Clone)]
    pub struct EarnedRoleRow {
        pub slug: String,
        pub name: String,
        pub achievement: String,
        pub subject: Option<String>,
        pub threshold: Option<i32>,
        pub discord_role: Option<String>,
        pub slack_usergroup: Option<String>,
        pub remove_when_lost: bool,
        pub announce: bool,
    }
}

pub async fn earned_roles(
    ex: impl sqlx::PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Vec<EarnedRoleRow>> {
    sqlx::query_as(
        "SELECT slug, name, achievement, subject, threshold, discord_role, slack_usergroup,
                remove_when_lost, announce
         FROM earned_roles WHERE community_id = $1 ORDER BY slug",
    )
    .bind(community_id)
    .fetch_all(ex)
    .await
}
