//! Streaks, their audit trail, and what settling a week needs to know.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::domain::streak::{Event, Streak};
use crate::store::pg_row;

pg_row! {
    /// An active learner whose streak has weeks to settle.
    #[derive(Debug, Clone)]
    pub struct Unsettled {
        pub community_id: Uuid,
        pub cohort_id: Uuid,
        pub member_id: Uuid,
        pub display_name: String,
        pub cohort_name: String,
        pub channel: Option<String>,
        pub zone: String,
        pub joined_at: DateTime<Utc>,
        pub starts_on: Option<NaiveDate>,
        pub ends_on: Option<NaiveDate>,
        pub freezes_off: bool,
        pub closes_after_minutes: i32,
    }
}

/// Active learners whose streak is due to settle (its next week's check-in window has
/// closed), soonest first, up to `limit`: an index probe on `settle_after`.
pub async fn unsettled(
    ex: impl PgExecutor<'_>,
    now: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<Unsettled>> {
    sqlx::query_as(
        "SELECT s.community_id, s.cohort_id, s.member_id, m.display_name,
                c.name AS cohort_name, c.channel, coalesce(m.timezone, c.timezone) AS zone,
                e.joined_at, c.starts_on, c.ends_on, m.streak_freezes_off AS freezes_off,
                coalesce(cs.closes_after_minutes, 4319) AS closes_after_minutes
         FROM streaks s
         JOIN enrollments e ON e.cohort_id = s.cohort_id AND e.member_id = s.member_id AND e.status = 'active'
         JOIN members m ON m.id = s.member_id
         JOIN cohorts c ON c.id = s.cohort_id
         LEFT JOIN continuity_settings cs ON cs.community_id = s.community_id
         WHERE s.settle_after <= $1 AND c.archived_at IS NULL
         ORDER BY s.settle_after
         LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(ex)
    .await
}

/// The stored streak, locked for settling; created (empty) on first use.
pub async fn lock(
    conn: &mut sqlx::PgConnection,
    community_id: Uuid,
    cohort_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<(Streak, Option<String>)> {
    sqlx::query(
        "INSERT INTO streaks (community_id, cohort_id, member_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(community_id)
    .bind(cohort_id)
    .bind(member_id)
    .execute(&mut *conn)
    .await?;
    let (current, best, freezes, settled): (i32, i32, i32, Option<String>) = sqlx::query_as(
        "SELECT current, best, freezes, settled_through FROM streaks
         WHERE cohort_id = $1 AND member_id = $2 FOR UPDATE",
    )
    .bind(cohort_id)
    .bind(member_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok((
        Streak {
            current: current as u32,
            best: best as u32,
            freezes: freezes as u32,
        },
        settled,
    ))
}

/// For each of `periods`: (checked in, prompted, excused).
pub async fn weeks(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
    periods: &[String],
) -> sqlx::Result<Vec<(String, bool, bool, bool)>> {
    sqlx::query_as(
        "SELECT w,
                EXISTS (SELECT 1 FROM checkins k WHERE k.cohort_id = $1 AND k.member_id = $2 AND k.period = w),
                EXISTS (SELECT 1 FROM checkin_prompts p WHERE p.cohort_id = $1 AND p.member_id = $2 AND p.period = w),
                week_excused($1, $2, w)
         FROM unnest($3::text[]) WITH ORDINALITY AS u(w, n) ORDER BY n",
    )
    .bind(cohort_id)
    .bind(member_id)
    .bind(periods)
    .fetch_all(ex)
    .await
}

/// One audit row.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub period: String,
    pub event: Event,
    pub streak: Streak,
}

/// Writes the weeks' events, the streak after them, and when it is next due.
pub async fn save(
    conn: &mut sqlx::PgConnection,
    ids: (Uuid, Uuid, Uuid),
    events: &[Recorded],
    streak: Streak,
    settled_through: &str,
    settle_after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let (community_id, cohort_id, member_id) = ids;
    if !events.is_empty() {
        let periods: Vec<&str> = events.iter().map(|e| e.period.as_str()).collect();
        let kinds: Vec<&str> = events.iter().map(|e| e.event.as_str()).collect();
        let streaks: Vec<i32> = events.iter().map(|e| e.streak.current as i32).collect();
        let freezes: Vec<i32> = events.iter().map(|e| e.streak.freezes as i32).collect();
        sqlx::query(
            "INSERT INTO streak_events (community_id, cohort_id, member_id, period, kind, streak, freezes, created_at)
             SELECT $1, $2, $3, p, k, s, f, $8
             FROM unnest($4::text[], $5::text[], $6::int[], $7::int[]) WITH ORDINALITY AS u(p, k, s, f, n)
             ORDER BY n",
        )
        .bind(community_id)
        .bind(cohort_id)
        .bind(member_id)
        .bind(periods)
        .bind(kinds)
        .bind(streaks)
        .bind(freezes)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE streaks SET current = $3, best = $4, freezes = $5, settled_through = $6,
                settle_after = $7
         WHERE cohort_id = $1 AND member_id = $2",
    )
    .bind(cohort_id)
    .bind(member_id)
    .bind(streak.current as i32)
    .bind(streak.best as i32)
    .bind(streak.freezes as i32)
    .bind(settled_through)
    .bind(settle_after)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pg_row! {
    /// A member's streak in one cohort, for `/streak`.
    #[derive(Debug, Clone)]
    pub struct Shown {
        pub cohort_id: Uuid,
        pub cohort_name: String,
        pub zone: String,
        pub current: i32,
        pub best: i32,
        pub freezes: i32,
        pub settled_through: Option<String>,
    }
}

/// The member's streaks in their active cohorts (zero for one not settled yet).
pub async fn of_member(ex: impl PgExecutor<'_>, member_id: Uuid) -> sqlx::Result<Vec<Shown>> {
    sqlx::query_as(
        "SELECT c.id AS cohort_id, c.name AS cohort_name, coalesce(m.timezone, c.timezone) AS zone,
                coalesce(s.current, 0) AS current, coalesce(s.best, 0) AS best,
                coalesce(s.freezes, 0) AS freezes, s.settled_through
         FROM enrollments e JOIN cohorts c ON c.id = e.cohort_id JOIN members m ON m.id = e.member_id
         LEFT JOIN streaks s ON s.cohort_id = e.cohort_id AND s.member_id = e.member_id
         WHERE e.member_id = $1 AND e.status = 'active'
         ORDER BY c.name",
    )
    .bind(member_id)
    .fetch_all(ex)
    .await
}

/// The member's audit trail in a cohort for `periods` (period, kind), oldest first.
pub async fn events_in(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
    periods: &[String],
) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT period, kind FROM streak_events
         WHERE cohort_id = $1 AND member_id = $2 AND period = ANY($3) ORDER BY id",
    )
    .bind(cohort_id)
    .bind(member_id)
    .bind(periods)
    .fetch_all(ex)
    .await
}

/// Every event of the member's streak in a cohort, in order: for recomputing it.
pub async fn trail(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<Vec<Event>> {
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM streak_events WHERE cohort_id = $1 AND member_id = $2 ORDER BY id",
    )
    .bind(cohort_id)
    .bind(member_id)
    .fetch_all(ex)
    .await?;
    Ok(kinds.iter().filter_map(|k| Event::parse(k)).collect())
}

/// Weeks after `after` with a check-in: counted on `/streak` before they settle.
pub async fn checked_in_after(
    ex: impl PgExecutor<'_>,
    cohort_id: Uuid,
    member_id: Uuid,
    after: &str,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT period FROM checkins WHERE cohort_id = $1 AND member_id = $2 AND period > $3
         ORDER BY period",
    )
    .bind(cohort_id)
    .bind(member_id)
    .bind(after)
    .fetch_all(ex)
    .await
}

pub async fn set_freezes_off(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    off: bool,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE members SET streak_freezes_off = $2 WHERE id = $1")
        .bind(member_id)
        .bind(off)
        .execute(ex)
        .await?;
    Ok(())
}
