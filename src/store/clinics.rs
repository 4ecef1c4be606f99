//! Clinic queues: who waits at which session, who is being helped and by whom, and how long
//! helping took.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use super::pg_row;

pg_row! {
    /// A place in a queue, with its session and its learner.
    #[derive(Debug, Clone)]
    pub struct Place {
        pub id: i64,
        pub session_id: Uuid,
        pub session_number: i32,
        pub session_title: String,
        pub location: Option<String>,
        /// The circle whose session it is, if any: its notes belong to that circle.
        pub circle_id: Option<Uuid>,
        pub member_id: Uuid,
        pub display_name: String,
        pub topic: String,
        pub status: String,
        pub helper_name: Option<String>,
        /// Learners waiting ahead of this one, plus one (0 when not waiting).
        pub position: i64,
    }
}

const PLACE: &str = "q.id, q.session_id, s.number AS session_number, s.title AS session_title,
       s.location, s.circle_id, q.member_id, m.display_name, q.topic, q.status, h.display_name AS helper_name,
       CASE WHEN q.status = 'waiting' THEN
         (SELECT count(*) FROM clinic_queue w WHERE w.session_id = q.session_id
             AND w.status = 'waiting' AND (w.joined_at, w.id) <= (q.joined_at, q.id))
       ELSE 0 END AS position
  FROM clinic_queue q
  JOIN sessions s ON s.id = q.session_id
  JOIN members m ON m.id = q.member_id
  LEFT JOIN members h ON h.id = q.helper_id";

/// Puts the member in the session's queue; `None` when they are in it already.
pub async fn join(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    session_id: Uuid,
    member_id: Uuid,
    topic: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "INSERT INTO clinic_queue (community_id, session_id, member_id, topic, joined_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (session_id, member_id) WHERE status IN ('waiting', 'helping') DO NOTHING
         RETURNING id",
    )
    .bind(community_id)
    .bind(session_id)
    .bind(member_id)
    .bind(topic)
    .bind(now)
    .fetch_optional(ex)
    .await
}

pub async fn place(ex: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Place> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PLACE} WHERE q.id = $1"
    )))
    .bind(id)
    .fetch_one(ex)
    .await
}

/// The member's open place (waiting or being helped) in a session that has not ended,
/// the latest first: a place left in a queue that closed is forgotten.
pub async fn open_place_of(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Place>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PLACE} WHERE q.member_id = $1 AND q.status IN ('waiting', 'helping')
            AND s.starts_at + make_interval(mins => s.duration_minutes) > $2
         ORDER BY q.joined_at DESC LIMIT 1"
    )))
    .bind(member_id)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// Everyone waiting in the session, in line.
pub async fn waiting(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<Vec<Place>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PLACE} WHERE q.session_id = $1 AND q.status = 'waiting'
         ORDER BY q.joined_at, q.id"
    )))
    .bind(session_id)
    .fetch_all(ex)
    .await
}

/// Calls the first learner waiting whom no concurrent call has taken: two helpers calling
/// at once get two different learners, neither waiting for the other.
pub async fn call_next(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
    helper_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "UPDATE clinic_queue SET status = 'helping', called_at = $3, helper_id = $2
         WHERE id = (SELECT id FROM clinic_queue WHERE session_id = $1 AND status = 'waiting'
                      ORDER BY joined_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING id",
    )
    .bind(session_id)
    .bind(helper_id)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// The learner the helper is helping now, if any.
pub async fn helping(ex: impl PgExecutor<'_>, helper_id: Uuid) -> sqlx::Result<Option<Place>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PLACE} WHERE q.helper_id = $1 AND q.status = 'helping'
         ORDER BY q.called_at DESC LIMIT 1"
    )))
    .bind(helper_id)
    .fetch_optional(ex)
    .await
}

/// Ends a place as `status` (`done`, `noshow`, `left`), with the helper's note.
pub async fn finish(
    ex: impl PgExecutor<'_>,
    id: i64,
    status: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE clinic_queue SET status = $2, finished_at = $3, note = $4
         WHERE id = $1 AND status IN ('waiting', 'helping')",
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .bind(note)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(done > 0)
}

/// The first learner waiting, if they have not been told they are next: marked told.
pub async fn take_next_notice(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "UPDATE clinic_queue SET next_notice_at = $2
         WHERE id = (SELECT id FROM clinic_queue WHERE session_id = $1 AND status = 'waiting'
                      ORDER BY joined_at, id LIMIT 1)
           AND next_notice_at IS NULL
         RETURNING id",
    )
    .bind(session_id)
    .bind(now)
    .fetch_optional(ex)
    .await
}

/// Minutes a helper spent with each learner, as the median over the finished places of
/// the session's series (of the session alone when it has none); `None` before any.
pub async fn median_help_minutes(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
) -> sqlx::Result<Option<f64>> {
    sqlx::query_scalar(
        "SELECT percentile_cont(0.5) WITHIN GROUP
                  (ORDER BY extract(epoch FROM q.finished_at - q.called_at) / 60)::float8
         FROM clinic_queue q JOIN sessions s ON s.id = q.session_id
         JOIN sessions this ON this.id = $1
         WHERE q.status = 'done' AND q.called_at IS NOT NULL
           AND (s.id = this.id OR s.series_id = this.series_id)",
    )
    .bind(session_id)
    .fetch_one(ex)
    .await
}

/// Who hears that a session's queue is no longer empty: its host, and everyone who has
/// helped in it.
pub async fn helpers(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String)>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name FROM members m
         WHERE m.id = (SELECT created_by FROM sessions WHERE id = $1)
            OR m.id IN (SELECT helper_id FROM clinic_queue WHERE session_id = $1)
         ORDER BY m.display_name",
    )
    .bind(session_id)
    .fetch_all(ex)
    .await
}

/// How many learners wait in the session's line.
pub async fn waiting_count(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM clinic_queue WHERE session_id = $1 AND status = 'waiting'",
    )
    .bind(session_id)
    .fetch_one(ex)
    .await
}

/// How long before its start a clinic's queue opens.
pub const OPENS_BEFORE_MINUTES: i64 = 30;

/// Numbers and titles of the community's clinic and office-hours sessions whose queue is
/// open at `now`, soonest first.
pub async fn open_sessions(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(i32, String)>> {
    sqlx::query_as(
        "SELECT number, title FROM sessions
         WHERE community_id = $1 AND kind IN ('clinic', 'office_hours') AND status = 'scheduled'
           AND starts_at - make_interval(mins => $3) <= $2
           AND starts_at + make_interval(mins => duration_minutes) > $2
         ORDER BY starts_at, number",
    )
    .bind(community_id)
    .bind(now)
    .bind(OPENS_BEFORE_MINUTES as i32)
    .fetch_all(ex)
    .await
}
