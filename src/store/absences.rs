//! Members' absences (away, and mentors' pauses), the continuity settings, and cohort days
//! off.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::CheckinWindow;
use crate::store::pg_row;

crate::store::row::text_enum! {
    /// What an absence excuses (`absences.scope`).
    pub enum Scope {
        /// Away entirely: no prompts, nudges, matches, pairings or flags.
        All = "all",
        /// A mentor's pause: no mentoring, still a learner.
        Mentoring = "mentoring",
    }
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Absence {
        pub id: Uuid,
        pub member_id: Uuid,
        pub scope: Scope,
        pub first_day: NaiveDate,
        /// `None` for a pause that lasts until the mentor resumes.
        pub last_day: Option<NaiveDate>,
        pub starts_at: DateTime<Utc>,
        pub ends_at: Option<DateTime<Utc>>,
        pub note: Option<String>,
    }
}

impl Absence {
    pub fn started(&self, now: DateTime<Utc>) -> bool {
        self.starts_at <= now
    }
}

const COLUMNS: &str = "id, member_id, scope, first_day, last_day, starts_at, ends_at, note";

/// A new absence, its days already turned into instants in the member's zone.
#[derive(Debug, Clone)]
pub struct NewAbsence<'a> {
    pub community_id: Uuid,
    pub member_id: Uuid,
    pub scope: Scope,
    pub first_day: NaiveDate,
    pub last_day: Option<NaiveDate>,
    pub zone: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub note: Option<&'a str>,
    pub set_by: Uuid,
}

/// Locks the member's row for the transaction, so two absences set at once for one member
/// are checked for overlap one after the other.
pub async fn lock_member(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("SELECT 1 FROM members WHERE id = $1 FOR UPDATE")
        .bind(member_id)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn insert(
    ex: impl PgExecutor<'_>,
    new: &NewAbsence<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Absence> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO absences (id, community_id, member_id, scope, first_day, last_day, zone,
                               starts_at, ends_at, note, set_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         RETURNING {COLUMNS}"
    )))
    .bind(Uuid::new_v4())
    .bind(new.community_id)
    .bind(new.member_id)
    .bind(new.scope)
    .bind(new.first_day)
    .bind(new.last_day)
    .bind(new.zone)
    .bind(new.starts_at)
    .bind(new.ends_at)
    .bind(new.note)
    .bind(new.set_by)
    .bind(now)
    .fetch_one(ex)
    .await
}

/// The member's absences not over at `now` (current first, then upcoming), of `scope` or
/// of any scope.
pub async fn open(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    scope: Option<Scope>,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Absence>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM absences
         WHERE member_id = $1 AND ($2::text IS NULL OR scope = $2)
           AND (ends_at IS NULL OR ends_at > $3)
         ORDER BY starts_at"
    )))
    .bind(member_id)
    .bind(scope)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// The member's open absence whose days overlap `first..=last`, if any (the one to name
/// when refusing a new one).
pub async fn overlapping(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    first: NaiveDate,
    last: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Absence>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM absences
         WHERE member_id = $1 AND (ends_at IS NULL OR ends_at > $4)
           AND first_day <= $3 AND (last_day IS NULL OR last_day >= $2)
         ORDER BY starts_at LIMIT 1"
    )))
    .bind(member_id)
    .bind(first)
    .bind(last)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// Ends a started absence at `now`; its days run through `last_day` (for the week counts).
pub async fn end(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    last_day: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE absences SET ends_at = $3, last_day = greatest(first_day, $2) WHERE id = $1",
    )
    .bind(id)
    .bind(last_day)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Removes an absence that has not started: it never happened.
pub async fn cancel(ex: impl PgExecutor<'_>, id: Uuid) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM absences WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Moves an absence's last day (a mentor extending a pause).
pub async fn set_last_day(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    last_day: Option<NaiveDate>,
    ends_at: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE absences SET last_day = $2, ends_at = $3 WHERE id = $1")
        .bind(id)
        .bind(last_day)
        .bind(ends_at)
        .execute(ex)
        .await?;
    Ok(())
}

/// Marks the member told what they missed; `false` when someone already did.
pub async fn mark_welcomed(
    ex: impl PgExecutor<'_>,
    id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    Ok(
        sqlx::query("UPDATE absences SET welcomed_at = $2 WHERE id = $1 AND welcomed_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(ex)
            .await?
            .rows_affected()
            == 1,
    )
}

pg_row! {
    /// An absence that ended and whose member has not been welcomed back.
    #[derive(Debug, Clone)]
    pub struct Returning {
        pub id: Uuid,
        pub community_id: Uuid,
        pub member_id: Uuid,
        pub display_name: String,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
    }
}

/// Absences over by `due_before` (their first morning back has come) whose member has not
/// been welcomed back, locked so two processes never welcome one member twice.
pub async fn to_welcome(
    ex: impl PgExecutor<'_>,
    due_before: DateTime<Utc>,
) -> sqlx::Result<Vec<Returning>> {
    sqlx::query_as(
        "SELECT a.id, a.community_id, a.member_id, m.display_name, a.starts_at, a.ends_at
         FROM absences a JOIN members m ON m.id = a.member_id
         WHERE a.welcomed_at IS NULL AND a.scope = 'all' AND a.ends_at <= $1
         ORDER BY a.ends_at
         FOR UPDATE OF a SKIP LOCKED",
    )
    .bind(due_before)
    .fetch_all(ex)
    .await
}

pg_row! {
    /// What a member missed while away, counted for the welcome back.
    #[derive(Debug, Clone, Default)]
    pub struct Missed {
        pub sessions: Vec<String>,
        pub replies: i64,
        pub talks: Vec<String>,
    }
}

/// Sessions of the member's cohorts held while they were away, mentor replies that came
/// to them, and talks proposed in their cohorts' upcoming sessions.
pub async fn missed(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<Missed> {
    sqlx::query_as(
        "WITH mine AS (SELECT cohort_id FROM enrollments WHERE member_id = $1 AND status = 'active')
         SELECT
           ARRAY(SELECT s.title FROM sessions s
                  WHERE s.cohort_id IN (SELECT cohort_id FROM mine) AND s.status = 'scheduled'
                    AND s.starts_at >= $2 AND s.starts_at < $3
                  ORDER BY s.starts_at LIMIT 10) AS sessions,
           (SELECT count(*) FROM checkin_replies r JOIN checkins k ON k.id = r.checkin_id
             WHERE k.member_id = $1 AND r.created_at >= $2 AND r.created_at < $3) AS replies,
           ARRAY(SELECT t.title FROM talks t JOIN sessions s ON s.id = t.session_id
                  WHERE s.cohort_id IN (SELECT cohort_id FROM mine) AND t.status = 'active'
                    AND t.speaker_id <> $1 AND t.created_at >= $2 AND t.created_at < $3
                    AND s.starts_at >= $3
                  ORDER BY s.starts_at, t.queue_position LIMIT 10) AS talks",
    )
    .bind(member_id)
    .bind(from)
    .bind(until)
    .fetch_one(ex)
    .await
}

pg_row! {
    /// An open absence of someone the viewer may see, for `/away list`.
    #[derive(Debug, Clone)]
    pub struct Listed {
        pub display_name: String,
        pub scope: Scope,
        pub first_day: NaiveDate,
        pub last_day: Option<NaiveDate>,
        pub starts_at: DateTime<Utc>,
        pub note: Option<String>,
    }
}

/// Open absences of the members in `members` (the viewer's people), soonest first.
pub async fn open_of(
    ex: impl PgExecutor<'_>,
    members: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(
        "SELECT m.display_name, a.scope, a.first_day, a.last_day, a.starts_at, a.note
         FROM absences a JOIN members m ON m.id = a.member_id
         WHERE a.member_id = ANY($1) AND (a.ends_at IS NULL OR a.ends_at > $2)
         ORDER BY a.starts_at, m.display_name",
    )
    .bind(members)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// Open absences of the community's members but `except` (what a steward sees).
pub async fn open_in_community(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    except: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(
        "SELECT m.display_name, a.scope, a.first_day, a.last_day, a.starts_at, a.note
         FROM absences a JOIN members m ON m.id = a.member_id
         WHERE a.community_id = $1 AND a.member_id <> $3 AND (a.ends_at IS NULL OR a.ends_at > $2)
         ORDER BY a.starts_at, m.display_name LIMIT 100",
    )
    .bind(community_id)
    .bind(now)
    .bind(except)
    .fetch_all(ex)
    .await
}

/// Everyone the member mentors, in any cohort (a lead sees their people's absences).
pub async fn mentees(ex: impl PgExecutor<'_>, mentor_id: Uuid) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar(
        "SELECT DISTINCT e.member_id FROM enrollments e
         WHERE e.status = 'active' AND e.member_id <> $1
           AND EXISTS (SELECT 1 FROM mentored_cohorts($1, e.member_id) x WHERE x.cohort_id = e.cohort_id)",
    )
    .bind(mentor_id)
    .fetch_all(ex)
    .await
}

/// The community's continuity settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub absence_max_days: i32,
    pub away_days_excuse: i32,
    pub window: CheckinWindow,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            absence_max_days: 90,
            away_days_excuse: 3,
            window: CheckinWindow::default(),
        }
    }
}

pub async fn settings(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Settings> {
    Ok(stored_settings(ex, community_id).await?.unwrap_or_default())
}

/// The settings row, if the program file set one.
pub async fn stored_settings(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Option<Settings>> {
    let row: Option<(i32, i32, i32, i32)> = sqlx::query_as(
        "SELECT absence_max_days, away_days_excuse, opens_before_minutes, closes_after_minutes
         FROM continuity_settings WHERE community_id = $1",
    )
    .bind(community_id)
    .fetch_optional(ex)
    .await?;
    Ok(row.map(|(max, excuse, opens, closes)| Settings {
        absence_max_days: max,
        away_days_excuse: excuse,
        window: CheckinWindow {
            opens_before: i64::from(opens),
            closes_after: i64::from(closes),
        },
    }))
}

/// Saves the settings; `false` when they were already these.
pub async fn save_settings(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    settings: Settings,
) -> sqlx::Result<bool> {
    Ok(sqlx::query(
        "INSERT INTO continuity_settings (community_id, absence_max_days, away_days_excuse,
                                          opens_before_minutes, closes_after_minutes)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (community_id) DO UPDATE
           SET absence_max_days = EXCLUDED.absence_max_days, away_days_excuse = EXCLUDED.away_days_excuse,
               opens_before_minutes = EXCLUDED.opens_before_minutes,
               closes_after_minutes = EXCLUDED.closes_after_minutes
           WHERE (continuity_settings.absence_max_days, continuity_settings.away_days_excuse,
                  continuity_settings.opens_before_minutes, continuity_settings.closes_after_minutes)
                 IS DISTINCT FROM (EXCLUDED.absence_max_days, EXCLUDED.away_days_excuse,
                                   EXCLUDED.opens_before_minutes, EXCLUDED.closes_after_minutes)",
    )
    .bind(community_id)
    .bind(settings.absence_max_days)
    .bind(settings.away_days_excuse)
    .bind(settings.window.opens_before as i32)
    .bind(settings.window.closes_after as i32)
    .execute(ex)
    .await?
    .rows_affected()
        == 1)
}
