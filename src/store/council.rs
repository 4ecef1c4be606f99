//! The council: its settings, elections, candidates, ballots and seats.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::store::pg_row;

pg_row! {
    /// The program file's `[community.council]`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settings {
        pub name: String,
        pub seats: i32,
        pub term_days: i32,
        pub nomination_days: i32,
        pub voting_days: i32,
        pub channel: String,
    }
}

crate::store::row::text_enum! {
    /// Where an election stands (`council_elections.status`).
    pub enum Phase {
        Nominating = "nominating",
        Voting = "voting",
        Decided = "decided",
    }
}

pg_row! {
    #[derive(Debug, Clone)]
    pub struct Election {
        pub id: Uuid,
        pub community_id: Uuid,
        pub number: i32,
        pub seats: i32,
        pub founding: bool,
        pub nominations_open_at: DateTime<Utc>,
        pub voting_opens_at: DateTime<Utc>,
        pub voting_closes_at: DateTime<Utc>,
        pub term_starts_at: DateTime<Utc>,
        pub status: Phase,
    }
}

pg_row! {
    /// Someone nominated: standing once `accepted`.
    #[derive(Debug, Clone)]
    pub struct Candidate {
        pub member_id: Uuid,
        pub name: String,
        pub platform_user_id: String,
        pub statement: String,
        pub accepted: bool,
        /// Approvals so far (counted only once voting closes).
        pub approvals: i64,
    }
}

pg_row! {
    /// A seat, held now or from a later date.
    #[derive(Debug, Clone)]
    pub struct Seat {
        pub id: Uuid,
        pub community_id: Uuid,
        pub member_id: Uuid,
        pub name: String,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub seated: bool,
    }
}

const ELECTION: &str = "id, community_id, number, seats, founding, nominations_open_at,
     voting_opens_at, voting_closes_at, term_starts_at, status";

/// The settings the program file gave, if it gave any.
pub async fn settings(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Option<Settings>> {
    sqlx::query_as(
        "SELECT name, seats, term_days, nomination_days, voting_days, channel
           FROM council_settings WHERE community_id = $1",
    )
    .bind(community_id)
    .fetch_optional(ex)
    .await
}

/// Saves the settings; false when they were already so.
pub async fn save_settings(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    s: &Settings,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO council_settings (community_id, name, seats, term_days, nomination_days,
             voting_days, channel)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (community_id) DO UPDATE SET name = EXCLUDED.name, seats = EXCLUDED.seats,
             term_days = EXCLUDED.term_days, nomination_days = EXCLUDED.nomination_days,
             voting_days = EXCLUDED.voting_days, channel = EXCLUDED.channel
         WHERE (council_settings.name, council_settings.seats, council_settings.term_days,
                council_settings.nomination_days, council_settings.voting_days,
                council_settings.channel)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.seats, EXCLUDED.term_days,
                EXCLUDED.nomination_days, EXCLUDED.voting_days, EXCLUDED.channel)",
    )
    .bind(community_id)
    .bind(&s.name)
    .bind(s.seats)
    .bind(s.term_days)
    .bind(s.nomination_days)
    .bind(s.voting_days)
    .bind(&s.channel)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(done > 0)
}

/// The communities with a council.
pub async fn communities(ex: impl PgExecutor<'_>) -> sqlx::Result<Vec<Uuid>> {
    sqlx::query_scalar("SELECT community_id FROM council_settings ORDER BY community_id")
        .fetch_all(ex)
        .await
}

/// The election not yet decided, if any.
pub async fn open_election(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Option<Election>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ELECTION} FROM council_elections
          WHERE community_id = $1 AND status <> 'decided' ORDER BY number DESC LIMIT 1"
    )))
    .bind(community_id)
    .fetch_optional(ex)
    .await
}

/// The latest election's term start: every seat ending by then is being refilled.
pub async fn covered_until(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar("SELECT max(term_starts_at) FROM council_elections WHERE community_id = $1")
        .bind(community_id)
        .fetch_one(ex)
        .await
}

/// An election about to open.
#[derive(Debug, Clone)]
pub struct NewElection {
    pub community_id: Uuid,
    pub seats: i32,
    pub founding: bool,
    pub nominations_open_at: DateTime<Utc>,
    pub voting_opens_at: DateTime<Utc>,
    pub voting_closes_at: DateTime<Utc>,
    pub term_starts_at: DateTime<Utc>,
}

/// Opens an election with the community's next number. Serialise with
/// `communities::lock_numbering` first.
pub async fn insert_election(ex: impl PgExecutor<'_>, new: &NewElection) -> sqlx::Result<Election> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO council_elections (id, community_id, number, seats, founding,
             nominations_open_at, voting_opens_at, voting_closes_at, term_starts_at, status)
         SELECT $1, $2, coalesce(max(number), 0) + 1, $3, $4, $5, $6, $7, $8, 'nominating'
           FROM council_elections WHERE community_id = $2
         RETURNING {ELECTION}"
    )))
    .bind(Uuid::new_v4())
    .bind(new.community_id)
    .bind(new.seats)
    .bind(new.founding)
    .bind(new.nominations_open_at)
    .bind(new.voting_opens_at)
    .bind(new.voting_closes_at)
    .bind(new.term_starts_at)
    .fetch_one(ex)
    .await
}

/// The elections whose phase is over, locked: each is moved on by one pass only.
pub async fn take_due(conn: &mut PgConnection, now: DateTime<Utc>) -> sqlx::Result<Vec<Election>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ELECTION} FROM council_elections
          WHERE (status = 'nominating' AND voting_opens_at <= $1)
             OR (status = 'voting' AND voting_closes_at <= $1)
          ORDER BY community_id, number
          FOR UPDATE SKIP LOCKED"
    )))
    .bind(now)
    .fetch_all(conn)
    .await
}

pub async fn set_phase(ex: impl PgExecutor<'_>, election: Uuid, phase: Phase) -> sqlx::Result<()> {
    sqlx::query("UPDATE council_elections SET status = $2 WHERE id = $1")
        .bind(election)
        .bind(phase)
        .execute(ex)
        .await?;
    Ok(())
}

/// Locks the election for a nomination or a ballot, so they serialise with its close.
pub async fn lock_election(ex: impl PgExecutor<'_>, election: Uuid) -> sqlx::Result<Phase> {
    sqlx::query_scalar("SELECT status FROM council_elections WHERE id = $1 FOR UPDATE")
        .bind(election)
        .fetch_one(ex)
        .await
}

/// The election's candidates, with approvals when `count` (after the close), most first.
pub async fn candidates(ex: impl PgExecutor<'_>, election: Uuid) -> sqlx::Result<Vec<Candidate>> {
    sqlx::query_as(
        "SELECT c.member_id, m.display_name AS name, m.platform_user_id, c.statement,
                c.accepted_at IS NOT NULL AS accepted,
                (SELECT count(*) FROM council_ballots b
                  WHERE b.election_id = c.election_id AND b.candidate_id = c.member_id) AS approvals
           FROM council_candidates c JOIN members m ON m.id = c.member_id
          WHERE c.election_id = $1 AND m.erased_at IS NULL
          ORDER BY approvals DESC, c.accepted_at NULLS LAST, m.display_name, m.id",
    )
    .bind(election)
    .fetch_all(ex)
    .await
}

/// Records a nomination. `accept` when the member nominates themselves: they stand, with
/// their statement. Returns whether they were new to the list.
pub async fn nominate(
    ex: impl PgExecutor<'_>,
    election: Uuid,
    member: Uuid,
    by: Uuid,
    statement: &str,
    accept: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "INSERT INTO council_candidates (election_id, member_id, statement, nominated_by,
             nominated_at, accepted_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN $5 END)
         ON CONFLICT (election_id, member_id) DO UPDATE
            SET statement = CASE WHEN $6 THEN EXCLUDED.statement ELSE council_candidates.statement END,
                accepted_at = coalesce(council_candidates.accepted_at, EXCLUDED.accepted_at)
         RETURNING xmax = 0",
    )
    .bind(election)
    .bind(member)
    .bind(statement)
    .bind(by)
    .bind(now)
    .bind(accept)
    .fetch_one(ex)
    .await
}

/// Replaces the voter's ballot with approvals of `candidates`.
pub async fn cast(
    conn: &mut PgConnection,
    election: Uuid,
    voter: Uuid,
    candidates: &[Uuid],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM council_ballots WHERE election_id = $1 AND voter_id = $2")
        .bind(election)
        .bind(voter)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO council_ballots (election_id, voter_id, candidate_id, cast_at)
         SELECT $1, $2, unnest($3::uuid[]), $4",
    )
    .bind(election)
    .bind(voter)
    .bind(candidates)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// How many members have cast a ballot.
pub async fn voters(ex: impl PgExecutor<'_>, election: Uuid) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(DISTINCT voter_id) FROM council_ballots WHERE election_id = $1",
    )
    .bind(election)
    .fetch_one(ex)
    .await
}

/// Gives a seat to a winner.
pub async fn seat(
    ex: impl PgExecutor<'_>,
    community_id: Uuid,
    election: Uuid,
    member: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO council_seats (id, community_id, member_id, election_id, starts_at, ends_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::new_v4())
    .bind(community_id)
    .bind(member)
    .bind(election)
    .bind(starts_at)
    .bind(ends_at)
    .execute(ex)
    .await?;
    Ok(())
}

const SEAT: &str = "s.id, s.community_id, s.member_id, m.display_name AS name, s.starts_at,
     s.ends_at, s.seated";

/// Seats held now or later (not yet ended), by when they end.
pub async fn seats(ex: impl PgExecutor<'_>, community_id: Uuid) -> sqlx::Result<Vec<Seat>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SEAT} FROM council_seats s JOIN members m ON m.id = s.member_id
          WHERE s.community_id = $1 AND s.left_at IS NULL AND m.erased_at IS NULL
          ORDER BY s.ends_at, s.starts_at, m.display_name"
    )))
    .bind(community_id)
    .fetch_all(ex)
    .await
}

/// Starts the terms due to start and ends those due to end: (joined, left).
pub async fn rotate(
    conn: &mut PgConnection,
    now: DateTime<Utc>,
) -> sqlx::Result<(Vec<Seat>, Vec<Seat>)> {
    let left: Vec<Seat> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE council_seats s SET seated = false, left_at = $1
           FROM members m
          WHERE m.id = s.member_id AND s.left_at IS NULL AND s.ends_at <= $1
         RETURNING {SEAT}"
    )))
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let joined: Vec<Seat> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE council_seats s SET seated = true
           FROM members m
          WHERE m.id = s.member_id AND NOT s.seated AND s.left_at IS NULL
            AND s.starts_at <= $1 AND m.erased_at IS NULL
         RETURNING {SEAT}"
    )))
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    Ok((joined, left))
}

/// Stretches or shortens every term not yet ended by `new_days / old_days` (a half term
/// stays half of one), and returns the seats whose end moved, with their old end.
pub async fn rescale_terms(
    conn: &mut PgConnection,
    community_id: Uuid,
    old_days: i32,
    new_days: i32,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<(Seat, DateTime<Utc>)>> {
    let moved: Vec<(Uuid, DateTime<Utc>)> = sqlx::query_as(
        "WITH old AS (SELECT id, ends_at FROM council_seats
                       WHERE community_id = $1 AND left_at IS NULL AND ends_at > $4
                       FOR UPDATE)
         UPDATE council_seats s
            SET ends_at = s.starts_at + (s.ends_at - s.starts_at) * $3::float8 / $2::float8
           FROM old
          WHERE s.id = old.id
            AND s.starts_at + (s.ends_at - s.starts_at) * $3::float8 / $2::float8 <> old.ends_at
         RETURNING s.id, old.ends_at",
    )
    .bind(community_id)
    .bind(old_days)
    .bind(new_days)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let seats = seats(&mut *conn, community_id).await?;
    Ok(moved
        .into_iter()
        .filter_map(|(id, was)| seats.iter().find(|s| s.id == id).map(|s| (s.clone(), was)))
        .collect())
}
