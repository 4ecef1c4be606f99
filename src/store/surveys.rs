//! Surveys and their anonymous answers (migration 0044), and the satisfaction metric.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::store::pg_row;
use crate::store::sessions::Person;

crate::store::row::text_enum! {
    /// What a survey asks (`surveys.kind`).
    pub enum SurveyKind {
        /// "How was the session?", 1–5, DM'd to those who came when it ends.
        Session = "session",
        /// "How likely are you to recommend the program?", 0–10.
        Nps = "nps",
        /// A steward's own question, 1–5.
        Pulse = "pulse",
    }
}

impl SurveyKind {
    /// The scores an answer may take.
    pub fn scale(self) -> (i64, i64) {
        match self {
            SurveyKind::Nps => (0, 10),
            SurveyKind::Session | SurveyKind::Pulse => (1, 5),
        }
    }
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Survey {
        pub id: Uuid,
        pub community_id: Uuid,
        pub number: i32,
        pub kind: SurveyKind,
        pub cohort_id: Option<Uuid>,
        pub session_id: Option<Uuid>,
        pub question: Option<String>,
        pub created_by: Option<Uuid>,
        pub created_at: DateTime<Utc>,
        pub closes_at: DateTime<Utc>,
        /// A session survey's session number, as people type it.
        pub session_number: Option<i32>,
    }
}

const COLUMNS: &str = "id, community_id, number, kind, cohort_id, session_id, question, created_by,
     created_at, closes_at, (SELECT number FROM sessions WHERE sessions.id = session_id) AS session_number";

/// The community's survey secret (`fresh` becomes it when there is none yet) and its
/// smallest shown group. The upsert locks the community's row until the transaction ends,
/// which is what keeps two surveys made at once from taking the same number.
pub async fn settings(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    fresh: &[u8],
) -> sqlx::Result<(Vec<u8>, i32)> {
    sqlx::query_as(
        "INSERT INTO survey_settings (community_id, secret) VALUES ($1, $2)
         ON CONFLICT (community_id) DO UPDATE
             SET secret = coalesce(survey_settings.secret, EXCLUDED.secret)
         RETURNING secret, min_group",
    )
    .bind(community_id)
    .bind(fresh)
    .fetch_one(ex)
    .await
}

/// The smallest shown group, for reports (the default when nothing was set).
pub async fn min_group(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<i64> {
    let set = stored_min_group(ex, community_id).await?;
    Ok(i64::from(set.unwrap_or(DEFAULT_MIN_GROUP)))
}

/// The smallest shown group, when a row exists (set by the program file or made with the
/// secret), for the program file's export.
pub async fn stored_min_group(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar("SELECT min_group FROM survey_settings WHERE community_id = $1")
        .bind(community_id)
        .fetch_optional(ex)
        .await
}

/// The smallest shown group unless the program file says otherwise.
pub const DEFAULT_MIN_GROUP: i32 = 5;

/// Sets the smallest shown group (the program file's `insight.min_group`); true when it
/// changed.
pub async fn save_min_group(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    min_group: i32,
) -> sqlx::Result<bool> {
    let changed = sqlx::query(
        "INSERT INTO survey_settings (community_id, min_group) VALUES ($1, $2)
         ON CONFLICT (community_id) DO UPDATE SET min_group = EXCLUDED.min_group
             WHERE survey_settings.min_group <> EXCLUDED.min_group",
    )
    .bind(community_id)
    .bind(min_group)
    .execute(ex)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// What a new survey needs.
pub struct NewSurvey<'a> {
    pub community_id: Uuid,
    pub kind: SurveyKind,
    pub cohort_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub question: Option<&'a str>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

/// Adds a survey with the community's next number. Call [`settings`] first in the same
/// transaction: its row lock serialises the numbering.
pub async fn insert(ex: impl PgExecutor<'_>, new: &NewSurvey<'_>) -> sqlx::Result<Survey> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO surveys (id, community_id, number, kind, cohort_id, session_id, question,
                              created_by, created_at, closes_at)
         SELECT $1, $2, coalesce(max(number), 0) + 1, $3, $4, $5, $6, $7, $8, $9
           FROM surveys WHERE community_id = $2
         RETURNING {COLUMNS}"
    )))
    .bind(Uuid::new_v4())
    .bind(new.community_id)
    .bind(new.kind)
    .bind(new.cohort_id)
    .bind(new.session_id)
    .bind(new.question)
    .bind(new.created_by)
    .bind(new.created_at)
    .bind(new.closes_at)
    .fetch_one(ex)
    .await
}

pub async fn by_number(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    number: i32,
) -> sqlx::Result<Option<Survey>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM surveys WHERE community_id = $1 AND number = $2"
    )))
    .bind(community_id)
    .bind(number)
    .fetch_optional(ex)
    .await
}

pub async fn of_session(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<Option<Survey>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM surveys WHERE session_id = $1"
    )))
    .bind(session_id)
    .fetch_optional(ex)
    .await
}

/// The surveys of `cohorts`, and of the sessions `host` created when given, made since
/// `since`, newest first, at most `limit`.
pub async fn of_cohorts(
    ex: impl PgExecutor<'_>,
    cohorts: &[Uuid],
    host: Option<Uuid>,
    since: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<Survey>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM surveys
          WHERE (cohort_id = ANY ($1)
                 OR session_id IN (SELECT id FROM sessions WHERE created_by = $2))
            AND created_at >= $3
          ORDER BY created_at DESC, number DESC LIMIT $4"
    )))
    .bind(cohorts)
    .bind(host)
    .bind(since)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// Records an answer, with the department `member_id` is in now (the member's id itself
/// is not kept); false when this respondent already answered.
pub async fn answer(
    ex: impl PgExecutor<'_>,
    survey_id: Uuid,
    respondent: &[u8],
    score: i16,
    comment: Option<&str>,
    member_id: Uuid,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO survey_responses (survey_id, respondent, score, comment, department)
         VALUES ($1, $2, $3, $4, (SELECT department FROM members WHERE id = $5))
         ON CONFLICT DO NOTHING",
    )
    .bind(survey_id)
    .bind(respondent)
    .bind(score)
    .bind(comment)
    .bind(member_id)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pg_row! {
    /// One department's answers to one survey (`metric_satisfaction`).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct SatisfactionGroup {
        pub survey_id: Uuid,
        pub department: Option<String>,
        pub answers: i64,
        pub score_sum: i64,
        pub unhappy: i64,
        pub neutral: i64,
        pub happy: i64,
    }
}

/// The answers to `surveys` by department, departments in name order (none last).
pub async fn satisfaction(
    ex: impl PgExecutor<'_>,
    surveys: &[Uuid],
) -> sqlx::Result<Vec<SatisfactionGroup>> {
    sqlx::query_as(
        "SELECT survey_id, department, answers, score_sum, unhappy, neutral, happy
           FROM metric_satisfaction($1) ORDER BY survey_id, department NULLS LAST",
    )
    .bind(surveys)
    .fetch_all(ex)
    .await
}

/// A survey's comments, in the order of their respondent keys: random to a reader, so the
/// order says nothing of who answered when.
pub async fn comments(ex: impl PgExecutor<'_>, survey_id: Uuid) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT comment FROM survey_responses WHERE survey_id = $1 AND comment IS NOT NULL
         ORDER BY respondent",
    )
    .bind(survey_id)
    .fetch_all(ex)
    .await
}

/// Whether `member_id` was at the session: recorded as attending, signed up, or speaking.
pub async fn took_part(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM session_attendance WHERE session_id = $1 AND member_id = $2)
             OR EXISTS (SELECT 1 FROM session_rsvps WHERE session_id = $1 AND member_id = $2)
             OR EXISTS (SELECT 1 FROM talks WHERE session_id = $1 AND speaker_id = $2
                          AND status <> 'withdrawn')",
    )
    .bind(session_id)
    .bind(member_id)
    .fetch_one(ex)
    .await
}

/// Who is asked about a session: those recorded as attending when anyone was, else those
/// who signed up or spoke.
pub async fn session_respondents(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
) -> sqlx::Result<Vec<Person>> {
    sqlx::query_as(
        "WITH attended AS (SELECT member_id FROM session_attendance WHERE session_id = $1),
              involved AS (SELECT speaker_id AS member_id FROM talks
                            WHERE session_id = $1 AND status <> 'withdrawn'
                           UNION SELECT member_id FROM session_rsvps WHERE session_id = $1)
         SELECT m.id, m.display_name, m.timezone FROM members m
          WHERE m.id IN (SELECT member_id FROM attended
                         UNION ALL
                         SELECT member_id FROM involved WHERE NOT EXISTS (SELECT 1 FROM attended))
          ORDER BY m.display_name, m.id",
    )
    .bind(session_id)
    .fetch_all(ex)
    .await
}

/// Whether `member_id` is an active or finished learner of the cohort: who a cohort's
/// survey asks, and who may answer it.
pub async fn in_cohort(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM enrollments WHERE cohort_id = $1 AND member_id = $2
                          AND status IN ('active', 'completed'))",
    )
    .bind(cohort_id)
    .bind(member_id)
    .fetch_one(ex)
    .await
}

/// The learners a cohort's survey asks (see [`in_cohort`]).
pub async fn cohort_respondents(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
) -> sqlx::Result<Vec<Person>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name, m.timezone FROM enrollments e JOIN members m ON m.id = e.member_id
          WHERE e.cohort_id = $1 AND e.status IN ('active', 'completed')
          ORDER BY m.display_name, m.id",
    )
    .bind(cohort_id)
    .fetch_all(ex)
    .await
}

/// Whether `member_id` made the session: its host, who reads its feedback.
pub async fn created_session(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND created_by = $2)")
        .bind(session_id)
        .bind(member_id)
        .fetch_one(ex)
        .await
}
