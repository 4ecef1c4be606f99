//! Sessions, their talks, RSVPs and attendance, recurring series and calendar feed tokens.

use crate::store::pg_row;
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, PgExecutor};
use uuid::Uuid;

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Session {
        pub id: Uuid,
        pub community_id: Uuid,
        /// The cohort the session belongs to, or else its circle (exactly one is set).
        pub cohort_id: Option<Uuid>,
        pub circle_id: Option<Uuid>,
        pub number: i32,
        pub kind: String,
        pub title: String,
        pub starts_at: DateTime<Utc>,
        pub duration_minutes: i32,
        pub location: Option<String>,
        pub slots: i32,
        pub status: String,
        pub checkin_code: String,
        pub created_by: Option<Uuid>,
        /// The iCalendar revision: raised by each move and the cancellation.
        pub sequence: i32,
        pub selection: Selection,
        /// Sign-ups close this many minutes before the start; open until it when `None`.
        pub rsvp_closes_before_minutes: Option<i32>,
    }
}

crate::store::row::text_enum! {
    /// Who gets a place (`sessions.selection`): every RSVP, or those the host picks from
    /// the sign-ups (the rest are on standby).
    pub enum Selection {
        FirstCome = "first_come",
        HostPicks = "host_picks",
    }
}

impl Session {
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.starts_at + chrono::Duration::minutes(i64::from(self.duration_minutes))
    }

    pub fn is_cancelled(&self) -> bool {
        self.status == "cancelled"
    }

    /// When sign-ups close, if before the start.
    pub fn rsvp_closes_at(&self) -> Option<DateTime<Utc>> {
        self.rsvp_closes_before_minutes
            .map(|m| self.starts_at - chrono::Duration::minutes(i64::from(m)))
    }
}

const COLUMNS: &str = "id, community_id, cohort_id, circle_id, number, kind, title, starts_at, duration_minutes, location, slots, status, checkin_code, created_by, sequence, selection, rsvp_closes_before_minutes";

/// What a new session needs.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub community_id: Uuid,
    /// A cohort's session, or (with `None`) the circle's.
    pub cohort_id: Option<Uuid>,
    pub circle_id: Option<Uuid>,
    pub kind: &'a str,
    pub title: &'a str,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub location: Option<&'a str>,
    pub slots: i32,
    pub checkin_code: &'a str,
    pub created_by: Option<Uuid>,
    pub series: Option<(Uuid, DateTime<Utc>)>,
    pub selection: Selection,
    pub rsvp_closes_before_minutes: Option<i32>,
}

/// Inserts a session with the community's next number; `None` when a series occurrence
/// already exists.
pub async fn insert(
    ex: impl PgExecutor<'_>,
    new: &NewSession<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<Session>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "INSERT INTO sessions (id, community_id, cohort_id, number, kind, title, starts_at,
             duration_minutes, location, slots, checkin_code, created_by, series_id, occurrence_at,
             created_at, circle_id, selection, rsvp_closes_before_minutes)
         SELECT $1, $2, $3, coalesce(max(number), 0) + 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                $16, $17
         FROM sessions WHERE community_id = $2
         ON CONFLICT (series_id, occurrence_at) DO NOTHING
         RETURNING {COLUMNS}"
    )))
    .bind(Uuid::new_v4())
    .bind(new.community_id)
    .bind(new.cohort_id)
    .bind(new.kind)
    .bind(new.title)
    .bind(new.starts_at)
    .bind(new.duration_minutes)
    .bind(new.location)
    .bind(new.slots)
    .bind(new.checkin_code)
    .bind(new.created_by)
    .bind(new.series.map(|s| s.0))
    .bind(new.series.map(|s| s.1))
    .bind(now)
    .bind(new.circle_id)
    .bind(new.selection.as_str())
    .bind(new.rsvp_closes_before_minutes)
    .fetch_optional(ex)
    .await
}

/// Serialises session numbering within a community until the transaction ends (the
/// next number is read from the table, so two inserts must not read it at once).
pub async fn lock_numbering(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<()> {
    super::lock_until_commit(ex, &format!("sessions:{community_id}")).await
}

/// The ticks a series already has sessions for, from `since` on.
pub async fn occurrences(
    ex: impl PgExecutor<'_>,
    series_id: Uuid,
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<DateTime<Utc>>> {
    sqlx::query_scalar(
        "SELECT occurrence_at FROM sessions WHERE series_id = $1 AND occurrence_at >= $2",
    )
    .bind(series_id)
    .bind(since)
    .fetch_all(ex)
    .await
}

/// A session by number, locked for the rest of the transaction (talk slots are counted
/// under this lock).
pub async fn by_number_locked(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    number: i32,
) -> sqlx::Result<Option<Session>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions WHERE community_id = $1 AND number = $2 FOR UPDATE"
    )))
    .bind(community_id)
    .bind(number)
    .fetch_optional(ex)
    .await
}

pub async fn by_code(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    code: &str,
) -> sqlx::Result<Option<Session>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions WHERE community_id = $1 AND checkin_code = $2
         ORDER BY starts_at DESC LIMIT 1"
    )))
    .bind(community_id)
    .bind(code)
    .fetch_optional(ex)
    .await
}

/// Whose sessions a list shows: these cohorts' and these circles'.
#[derive(Debug, Clone, Copy)]
pub struct Homes<'a> {
    pub cohorts: &'a [Uuid],
    pub circles: &'a [Uuid],
}

/// Sessions of these homes not over yet, soonest first: `limit` of them from `offset`.
pub async fn upcoming(
    ex: impl PgExecutor<'_>,
    homes: Homes<'_>,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Session>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions
         WHERE (cohort_id = ANY($1) OR circle_id = ANY($5)) AND status = 'scheduled'
           AND starts_at + make_interval(mins => duration_minutes) > $2
         ORDER BY starts_at, number LIMIT $3 OFFSET $4"
    )))
    .bind(homes.cohorts)
    .bind(now)
    .bind(limit)
    .bind(offset)
    .bind(homes.circles)
    .fetch_all(ex)
    .await
}

/// How many sessions [`upcoming`] has in all.
pub async fn upcoming_count(
    ex: impl PgExecutor<'_>,
    homes: Homes<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM sessions
         WHERE (cohort_id = ANY($1) OR circle_id = ANY($3)) AND status = 'scheduled'
           AND starts_at + make_interval(mins => duration_minutes) > $2",
    )
    .bind(homes.cohorts)
    .bind(now)
    .bind(homes.circles)
    .fetch_one(ex)
    .await
}

pg_row! {
    /// What a session belongs to, as far as sessions care: a cohort, or a circle (which has
    /// no dates and is never archived).
    #[derive(Debug, Clone)]
    pub struct Home {
        pub name: String,
        pub slug: String,
        pub channel: Option<String>,
        pub timezone: String,
        pub starts_on: Option<chrono::NaiveDate>,
        pub ends_on: Option<chrono::NaiveDate>,
        pub archived: bool,
        pub cohort_id: Option<Uuid>,
        pub circle_id: Option<Uuid>,
    }
}

impl Home {
    pub fn of_cohort(cohort: &crate::store::cohorts::Cohort) -> Self {
        Self {
            name: cohort.name.clone(),
            slug: cohort.slug.clone(),
            channel: cohort.channel.clone(),
            timezone: cohort.timezone.clone(),
            starts_on: cohort.starts_on,
            ends_on: cohort.ends_on,
            archived: cohort.archived,
            cohort_id: Some(cohort.id),
            circle_id: None,
        }
    }
}

/// The session's cohort or circle.
pub async fn home(ex: impl PgExecutor<'_>, session: &Session) -> sqlx::Result<Option<Home>> {
    sqlx::query_as(
        "SELECT name, slug, channel, timezone, starts_on, ends_on,
                archived_at IS NOT NULL AS archived, id AS cohort_id, NULL::uuid AS circle_id
           FROM cohorts WHERE id = $1
         UNION ALL
         SELECT name, slug, channel, timezone, NULL::date, NULL::date, false, NULL::uuid, id
           FROM circles WHERE id = $2",
    )
    .bind(session.cohort_id)
    .bind(session.circle_id)
    .fetch_optional(ex)
    .await
}

/// Every session of a cohort or a circle (`home`, either's id) from `since` on, cancelled
/// ones too (a calendar shows them as cancelled).
pub async fn for_calendar(
    ex: impl PgExecutor<'_>,
    home: Uuid,
    since: DateTime<Utc>,
) -> sqlx::Result<Vec<Session>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions WHERE coalesce(cohort_id, circle_id) = $1 AND starts_at >= $2
         ORDER BY starts_at, number"
    )))
    .bind(home)
    .bind(since)
    .fetch_all(ex)
    .await
}

/// Scheduled sessions whose start minus `lead` falls in `(since, until]`, and came after
/// the session was created (a session set up 3 h ahead gets no "in 24 hours" reminder).
pub async fn due_for_reminder(
    ex: impl PgExecutor<'_>,
    lead: chrono::Duration,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<Vec<Session>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions
         WHERE status = 'scheduled' AND starts_at > $2 + $1 AND starts_at <= $3 + $1
           AND starts_at - $1 >= created_at
         ORDER BY starts_at"
    )))
    .bind(lead)
    .bind(since)
    .bind(until)
    .fetch_all(ex)
    .await
}

/// Sessions that ended in `(since, until]` and were not cancelled: the ones whose feedback
/// DM is due. A session made after it ended (recorded afterwards) asks nobody.
pub async fn ended_between(
    ex: impl PgExecutor<'_>,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> sqlx::Result<Vec<Session>> {
    // The start bound lets the `starts_at` index narrow the scan: no session lasts longer
    // than the column's CHECK allows (600 minutes).
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions
         WHERE status = 'scheduled'
           AND starts_at > $1 - interval '600 minutes' AND starts_at <= $2
           AND starts_at + duration_minutes * interval '1 minute' > $1
           AND starts_at + duration_minutes * interval '1 minute' <= $2
           AND created_at <= starts_at + duration_minutes * interval '1 minute'
         ORDER BY starts_at"
    )))
    .bind(since)
    .bind(until)
    .fetch_all(ex)
    .await
}

pub async fn reschedule(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
    starts_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET starts_at = $2, sequence = sequence + 1 WHERE id = $1")
        .bind(session_id)
        .bind(starts_at)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn cancel(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET status = 'cancelled', sequence = sequence + 1 WHERE id = $1")
        .bind(session_id)
        .execute(ex)
        .await?;
    Ok(())
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Talk {
        pub id: Uuid,
        pub session_id: Uuid,
        pub speaker_id: Uuid,
        pub speaker_name: String,
        pub speaker_timezone: Option<String>,
        pub title: String,
        pub r#abstract: Option<String>,
        pub status: TalkStatus,
    }
}

crate::store::row::text_enum! {
    /// Where a talk stands in its session's lineup (`talks.status`).
    pub enum TalkStatus {
        Active = "active",
        Waitlisted = "waitlisted",
        Withdrawn = "withdrawn",
    }
}

/// Active and waitlisted talks of a session: slot order, then waitlist order.
pub async fn talks(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<Vec<Talk>> {
    sqlx::query_as(
        "SELECT t.id, t.session_id, t.speaker_id, m.display_name AS speaker_name,
                m.timezone AS speaker_timezone, t.title,
                t.abstract, t.status
         FROM talks t JOIN members m ON m.id = t.speaker_id
         WHERE t.session_id = $1 AND t.status <> 'withdrawn'
         ORDER BY t.status = 'waitlisted', t.queue_position",
    )
    .bind(session_id)
    .fetch_all(ex)
    .await
}

/// Adds a talk; false when the speaker already has one in this session.
#[allow(clippy::too_many_arguments)]
pub async fn add_talk(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    session_id: Uuid,
    speaker_id: Uuid,
    title: &str,
    r#abstract: Option<&str>,
    status: TalkStatus,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO talks (id, community_id, session_id, speaker_id, title, abstract, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (session_id, speaker_id) WHERE status <> 'withdrawn' DO NOTHING",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(session_id)
    .bind(speaker_id)
    .bind(title)
    .bind(r#abstract)
    .bind(status.as_str())
    .bind(now)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn withdraw(ex: impl PgExecutor<'_>, talk_id: Uuid) -> sqlx::Result<()> {
    sqlx::query("UPDATE talks SET status = 'withdrawn' WHERE id = $1")
        .bind(talk_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Moves a waitlisted talk into the last slot.
pub async fn promote(ex: impl PgExecutor<'_>, talk_id: Uuid) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE talks SET status = 'active', queue_position = nextval('talk_queue') WHERE id = $1",
    )
    .bind(talk_id)
    .execute(ex)
    .await?;
    Ok(())
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct MyTalk {
        pub title: String,
        pub r#abstract: Option<String>,
        pub status: TalkStatus,
        pub number: i32,
        pub session_title: String,
        pub starts_at: DateTime<Utc>,
        pub timezone: String,
        pub session_id: Uuid,
    }
}

/// The member's talks in sessions that have not started, soonest first.
pub async fn talks_of(
    ex: impl PgExecutor<'_>,
    speaker_id: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<MyTalk>> {
    sqlx::query_as(
        "SELECT t.title, t.abstract, t.status, s.number, s.title AS session_title, s.starts_at,
                c.timezone, s.id AS session_id
         FROM talks t JOIN sessions s ON s.id = t.session_id
         JOIN (SELECT id, timezone FROM cohorts UNION ALL SELECT id, timezone FROM circles) c
           ON c.id = coalesce(s.cohort_id, s.circle_id)
         WHERE t.speaker_id = $1 AND t.status <> 'withdrawn' AND s.status = 'scheduled'
           AND s.starts_at > $2
         ORDER BY s.starts_at, s.number",
    )
    .bind(speaker_id)
    .bind(now)
    .fetch_all(ex)
    .await
}

/// How an RSVP was made: typed (a command or a button), or by marking "Interested" on the
/// session's Discord event, which taking the interest back may withdraw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsvpVia {
    Typed,
    Interest,
}

/// Adds an RSVP; false when the member already has one (made either way).
pub async fn rsvp(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    session_id: Uuid,
    member_id: Uuid,
    via: RsvpVia,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO session_rsvps (community_id, session_id, member_id, created_at, via_interest)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(community_id)
    .bind(session_id)
    .bind(member_id)
    .bind(now)
    .bind(via == RsvpVia::Interest)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

pg_row! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Person {
        pub id: Uuid,
        pub display_name: String,
        pub timezone: Option<String>,
    }
}

/// Takes back an RSVP (with `RsvpVia::Interest`, only one that "Interested" made; a typed
/// one stays): `None` when there was none, else who had picked it (a host, or nobody).
pub async fn unrsvp(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
    member_id: Uuid,
    via: RsvpVia,
) -> sqlx::Result<Option<Option<Uuid>>> {
    sqlx::query_scalar(
        "DELETE FROM session_rsvps
          WHERE session_id = $1 AND member_id = $2 AND (via_interest OR NOT $3)
         RETURNING picked_by",
    )
    .bind(session_id)
    .bind(member_id)
    .bind(via == RsvpVia::Interest)
    .fetch_optional(ex)
    .await
}

pg_row! {
    /// A member signed up for a session, and whether the host picked them (a `host_picks`
    /// session; on `first_come` nobody is picked).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct SignUp {
        pub id: Uuid,
        pub display_name: String,
        pub timezone: Option<String>,
        pub picked: bool,
    }
}

impl SignUp {
    pub fn person(&self) -> Person {
        Person {
            id: self.id,
            display_name: self.display_name.clone(),
            timezone: self.timezone.clone(),
        }
    }
}

/// The session's sign-ups: picked ones first, each group in sign-up order.
pub async fn sign_ups(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<Vec<SignUp>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name, m.timezone, r.picked_at IS NOT NULL AS picked
           FROM session_rsvps r JOIN members m ON m.id = r.member_id
          WHERE r.session_id = $1
          ORDER BY r.picked_at IS NULL, r.created_at, m.display_name, m.id",
    )
    .bind(session_id)
    .fetch_all(ex)
    .await
}

/// The member's sign-up for the session: `Some(picked)` when they signed up.
pub async fn sign_up_of(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
    member_id: Uuid,
) -> sqlx::Result<Option<bool>> {
    sqlx::query_scalar(
        "SELECT picked_at IS NOT NULL FROM session_rsvps WHERE session_id = $1 AND member_id = $2",
    )
    .bind(session_id)
    .bind(member_id)
    .fetch_optional(ex)
    .await
}

/// Marks the member's sign-up picked; false when they were picked already.
pub async fn pick(
    ex: impl PgExecutor<'_>,
    session_id: Uuid,
    member_id: Uuid,
    by: Uuid,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "UPDATE session_rsvps SET picked_at = $3, picked_by = $4
          WHERE session_id = $1 AND member_id = $2 AND picked_at IS NULL",
    )
    .bind(session_id)
    .bind(member_id)
    .bind(now)
    .bind(by)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Everyone involved: speakers (active or waitlisted) and RSVPs, each once.
pub async fn involved(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<Vec<Person>> {
    sqlx::query_as(
        "SELECT m.id, m.display_name, m.timezone FROM members m
         WHERE m.id IN (SELECT speaker_id FROM talks WHERE session_id = $1 AND status <> 'withdrawn'
                        UNION SELECT member_id FROM session_rsvps WHERE session_id = $1)
         ORDER BY m.display_name, m.id",
    )
    .bind(session_id)
    .fetch_all(ex)
    .await
}

pub async fn rsvp_count(ex: impl PgExecutor<'_>, session_id: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM session_rsvps WHERE session_id = $1")
        .bind(session_id)
        .fetch_one(ex)
        .await
}

/// Records attendance; false when it was already recorded.
pub async fn attend(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    session_id: Uuid,
    member_id: Uuid,
    via: &str,
    recorded_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let result = sqlx::query(
        "INSERT INTO session_attendance (community_id, session_id, member_id, via, recorded_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(community_id)
    .bind(session_id)
    .bind(member_id)
    .bind(via)
    .bind(recorded_by)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Whether the member may host sessions of the cohort: a steward, or a lead mentor
/// community-wide or of that cohort.
pub async fn may_host(
    ex: impl PgExecutor<'_>,
    member_id: Uuid,
    cohort_id: Uuid,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM member_roles WHERE member_id = $1
             AND ((role = 'steward' AND cohort_id IS NULL)
                  OR (role = 'lead_mentor' AND (cohort_id IS NULL OR cohort_id = $2))))",
    )
    .bind(member_id)
    .bind(cohort_id)
    .fetch_one(ex)
    .await
}

/// The cohort's calendar token, created on first use.
pub async fn feed_token(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    fresh: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<String> {
    sqlx::query_scalar(
        "INSERT INTO ical_feeds (cohort_id, community_id, token, rotated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (cohort_id) DO UPDATE SET token = ical_feeds.token
         RETURNING token",
    )
    .bind(cohort_id)
    .bind(community_id)
    .bind(fresh)
    .bind(now)
    .fetch_one(ex)
    .await
}

pub async fn rotate_feed_token(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    cohort_id: Uuid,
    fresh: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO ical_feeds (cohort_id, community_id, token, rotated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (cohort_id) DO UPDATE SET token = EXCLUDED.token, rotated_at = EXCLUDED.rotated_at",
    )
    .bind(cohort_id)
    .bind(community_id)
    .bind(fresh)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pg_row! {
    #[derive(Debug, Clone)]
    /// A calendar feed's cohort (or circle: `cohort_id` is then the circle's id).
    pub struct FeedCohort {
        pub cohort_id: Uuid,
        pub cohort_name: String,
        pub timezone: String,
        pub token: String,
    }
}

/// The cohort behind a calendar URL, with its current token (compared by the caller in
/// constant time).
pub async fn feed(
    ex: impl PgExecutor<'_>,
    community_slug: &str,
    cohort_slug: &str,
) -> sqlx::Result<Option<FeedCohort>> {
    sqlx::query_as(
        "SELECT c.id AS cohort_id, c.name AS cohort_name, c.timezone, f.token
         FROM ical_feeds f JOIN cohorts c ON c.id = f.cohort_id
         JOIN communities k ON k.id = c.community_id
         WHERE k.slug = $1 AND c.slug = $2",
    )
    .bind(community_slug)
    .bind(cohort_slug)
    .fetch_optional(ex)
    .await
}

/// The circle's calendar token, created on first use (`rotate` replaces it).
pub async fn circle_feed_token(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    circle_id: Uuid,
    token: &str,
    rotate: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<String> {
    sqlx::query_scalar(
        "INSERT INTO circle_feeds (circle_id, community_id, token, rotated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (circle_id) DO UPDATE
             SET token = CASE WHEN $5 THEN EXCLUDED.token ELSE circle_feeds.token END,
                 rotated_at = CASE WHEN $5 THEN EXCLUDED.rotated_at ELSE circle_feeds.rotated_at END
         RETURNING token",
    )
    .bind(circle_id)
    .bind(community_id)
    .bind(token)
    .bind(now)
    .bind(rotate)
    .fetch_one(ex)
    .await
}

/// The circle behind a calendar URL, with its current token (compared by the caller in
/// constant time); the same row shape as a cohort's.
pub async fn circle_feed(
    ex: impl PgExecutor<'_>,
    community_slug: &str,
    circle_slug: &str,
) -> sqlx::Result<Option<FeedCohort>> {
    sqlx::query_as(
        "SELECT c.id AS cohort_id, c.name AS cohort_name, c.timezone, f.token
         FROM circle_feeds f JOIN circles c ON c.id = f.circle_id
         JOIN communities k ON k.id = c.community_id
         WHERE k.slug = $1 AND c.slug = $2",
    )
    .bind(community_slug)
    .bind(circle_slug)
    .fetch_optional(ex)
    .await
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Series {
        pub id: Uuid,
        pub community_id: Uuid,
        pub cohort_id: Uuid,
        pub kind: String,
        pub title: String,
        pub cron: String,
        pub every_weeks: i32,
        pub duration_minutes: i32,
        pub slots: i32,
        pub location: Option<String>,
        pub timezone: String,
        pub starts_on: Option<chrono::NaiveDate>,
        pub ends_on: Option<chrono::NaiveDate>,
        pub selection: Selection,
        pub rsvp_closes_before_minutes: Option<i32>,
    }
}

/// Every recurring series with its zone (its own, else its cohort's) and its cohort's dates.
pub async fn all_series(ex: impl PgExecutor<'_>) -> sqlx::Result<Vec<Series>> {
    sqlx::query_as(
        "SELECT s.id, s.community_id, s.cohort_id, s.kind, s.title, s.cron, s.every_weeks,
                s.duration_minutes, s.slots, s.location, COALESCE(s.timezone, c.timezone) AS timezone,
                c.starts_on, c.ends_on, s.selection, s.rsvp_closes_before_minutes
         FROM session_series s JOIN cohorts c ON c.id = s.cohort_id ORDER BY s.id",
    )
    .fetch_all(ex)
    .await
}
