//! The scheduler's part of the council: each pass moves elections whose window ended on
//! (nominations to voting, voting to a decision), starts and ends terms, and opens the
//! next election when the terms it refills are near their end.
//!
//! Every step is a state change taken under a row lock (`FOR UPDATE SKIP LOCKED`, or the
//! community's numbering lock) and written with its posts in one transaction, so each
//! happens once however many processes run the scheduler.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};

use super::{direct, held_at, messages, open_election, windows};
use crate::services::{Destination, earned_roles, enqueue};
use crate::store::council::{self as store, Election, NewElection, Phase, Seat, Settings};

/// When the next election opens, and when the terms it refills end: the earliest end of a
/// seat not yet covered by an election (`covered`, the latest election's term start).
pub fn next_refill(
    settings: &Settings,
    seats: &[Seat],
    covered: Option<DateTime<Utc>>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let term_start = seats
        .iter()
        .map(|s| s.ends_at)
        .filter(|end| covered.is_none_or(|c| *end > c))
        .min()?;
    let lead = Duration::days(i64::from(settings.nomination_days + settings.voting_days));
    Some((term_start - lead, term_start))
}

/// One pass. The number of posts queued.
pub async fn run(pool: &PgPool, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await?;
    let mut posts = advance(&mut tx, now)
        .await
        .context("moving council elections on")?;
    posts += rotate(&mut tx, now)
        .await
        .context("rotating council seats")?;
    tx.commit().await?;
    for community in store::communities(pool).await? {
        let mut tx = pool.begin().await?;
        posts += open_due(&mut tx, community, now)
            .await
            .with_context(|| format!("opening the next council election of {community}"))?;
        tx.commit().await?;
    }
    Ok(posts)
}

async fn announce(
    tx: &mut PgConnection,
    election: &Election,
    settings: &Settings,
    what: &str,
    message: &crate::render::Message,
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    let key = format!("council:{}:{what}", election.id);
    let to = Destination::Channel(settings.channel.clone());
    Ok(u64::from(
        enqueue(tx, election.community_id, &key, &to, message, now).await?,
    ))
}

async fn advance(tx: &mut PgConnection, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let mut posts = 0;
    for election in store::take_due(&mut *tx, now).await? {
        let Some(settings) = store::settings(&mut *tx, election.community_id).await? else {
            continue;
        };
        let candidates = store::candidates(&mut *tx, election.id).await?;
        let standing: Vec<&store::Candidate> = candidates.iter().filter(|c| c.accepted).collect();
        match election.status {
            Phase::Nominating if standing.is_empty() => {
                store::set_phase(&mut *tx, election.id, Phase::Decided).await?;
                posts += announce(
                    tx,
                    &election,
                    &settings,
                    "nobody",
                    &messages::nobody_stood(&settings, &election),
                    now,
                )
                .await?;
            }
            Phase::Nominating => {
                store::set_phase(&mut *tx, election.id, Phase::Voting).await?;
                let names: Vec<&str> = standing.iter().map(|c| c.name.as_str()).collect();
                posts += announce(
                    tx,
                    &election,
                    &settings,
                    "voting",
                    &messages::voting_open(&settings, &election, &names),
                    now,
                )
                .await?;
            }
            Phase::Voting => posts += decide(tx, &election, &settings, &standing, now).await?,
            Phase::Decided => {}
        }
        crate::store::audit::record(
            &mut *tx,
            election.community_id,
            None,
            "council.election_moved_on",
            json!({ "election": election.number, "from": election.status.as_str() }),
            now,
        )
        .await?;
    }
    Ok(posts)
}

/// Closes the vote: the most approved win (ties to whoever stood first), each with at
/// least one approval. In the first election, the lower half of the winners serve half a
/// term, so later elections each refill about half the council.
async fn decide(
    tx: &mut PgConnection,
    election: &Election,
    settings: &Settings,
    standing: &[&store::Candidate],
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    store::set_phase(&mut *tx, election.id, Phase::Decided).await?;
    let seats = usize::try_from(election.seats).unwrap_or_default();
    let winners: Vec<&&store::Candidate> = standing
        .iter()
        .filter(|c| c.approvals > 0)
        .take(seats)
        .collect();
    let full = Duration::days(i64::from(settings.term_days));
    let full_terms = if election.founding {
        winners.len().div_ceil(2)
    } else {
        winners.len()
    };
    let start = election.term_starts_at;
    let mut posts = 0;
    for (rank, winner) in winners.iter().enumerate() {
        let end = if rank < full_terms {
            start + full
        } else {
            start + full / 2
        };
        store::seat(
            &mut *tx,
            election.community_id,
            election.id,
            winner.member_id,
            start,
            end,
        )
        .await?;
        let key = format!("council:{}:won:{}", election.id, winner.member_id);
        let to = direct(winner.member_id, &winner.name);
        let message = messages::you_won(settings, start, end);
        posts += u64::from(enqueue(tx, election.community_id, &key, &to, &message, now).await?);
    }
    let voters = store::voters(&mut *tx, election.id).await?;
    posts += announce(
        tx,
        election,
        settings,
        "results",
        &messages::results(settings, election, standing, winners.len(), voters),
        now,
    )
    .await?;
    tracing::info!(election = election.number, community = %election.community_id,
                   winners = winners.len(), "council election decided");
    Ok(posts)
}

/// Starts and ends the terms due: the seats' earned roles follow, and the channel hears.
async fn rotate(tx: &mut PgConnection, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let (joined, left) = store::rotate(&mut *tx, now).await?;
    let mut posts = 0;
    let mut communities: Vec<uuid::Uuid> =
        joined.iter().chain(&left).map(|s| s.community_id).collect();
    communities.sort_unstable();
    communities.dedup();
    for community in communities {
        let here = |seats: &[Seat]| -> Vec<Seat> {
            seats
                .iter()
                .filter(|s| s.community_id == community)
                .cloned()
                .collect()
        };
        let (came, went) = (here(&joined), here(&left));
        for seat in came.iter().chain(&went) {
            posts += earned_roles::settle_and_announce(
                &mut *tx,
                community,
                Some(seat.member_id),
                None,
                now,
            )
            .await?;
            crate::store::audit::record(
                &mut *tx,
                community,
                None,
                if seat.seated {
                    "council.term_started"
                } else {
                    "council.term_ended"
                },
                json!({ "member": seat.member_id }),
                now,
            )
            .await?;
        }
        let Some(settings) = store::settings(&mut *tx, community).await? else {
            continue;
        };
        // Someone re-elected ends one term and starts the next: they stay, unannounced.
        let stays = |s: &Seat, others: &[Seat]| others.iter().any(|o| o.member_id == s.member_id);
        let welcome: Vec<&str> = came
            .iter()
            .filter(|s| !stays(s, &went))
            .map(|s| s.name.as_str())
            .collect();
        let thanks: Vec<&str> = went
            .iter()
            .filter(|s| !stays(s, &came))
            .map(|s| s.name.as_str())
            .collect();
        if welcome.is_empty() && thanks.is_empty() {
            continue;
        }
        let key = format!("council:rotation:{community}:{}", now.timestamp());
        let to = Destination::Channel(settings.channel.clone());
        let message = messages::rotation(&settings, &welcome, &thanks);
        posts += u64::from(enqueue(tx, community, &key, &to, &message, now).await?);
    }
    Ok(posts)
}

/// Opens the community's next election when the terms it refills end within the windows.
async fn open_due(
    tx: &mut PgConnection,
    community: uuid::Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    // Under the numbering lock, so two processes open it once.
    crate::store::communities::lock_numbering(&mut *tx, community).await?;
    if store::open_election(&mut *tx, community).await?.is_some() {
        return Ok(0);
    }
    let Some(settings) = store::settings(&mut *tx, community).await? else {
        return Ok(0);
    };
    let seats = store::seats(&mut *tx, community).await?;
    let covered = store::covered_until(&mut *tx, community).await?;
    let Some((opens, term_start)) = next_refill(&settings, &seats, covered) else {
        return Ok(0);
    };
    if now < opens {
        return Ok(0);
    }
    let empty = settings.seats - held_at(&seats, term_start);
    if empty <= 0 {
        return Ok(0);
    }
    let (voting_opens_at, voting_closes_at, term_starts_at) =
        windows(&settings, now, Some(term_start));
    let new = NewElection {
        community_id: community,
        seats: empty,
        founding: false,
        nominations_open_at: now,
        voting_opens_at,
        voting_closes_at,
        term_starts_at,
    };
    open_election(tx, community, &settings, new, now).await?;
    Ok(1)
}
