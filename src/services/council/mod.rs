//! The council: `/council show|open|nominate|vote`. A steward opens the first election;
//! nominations, then approval voting, each have a window; the winners' terms are staggered
//! so each later election refills about half the seats, and opens by itself before the
//! terms it refills end ([`scheduled`]). A seat is an earned-role achievement, so the
//! council's platform role or user group follows the seats through the outbox.
//!
//! Ballots are secret: the audit log and the replies say that someone voted, never for
//! whom, and totals are shown only once voting closes.

pub mod messages;
pub mod scheduled;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::lookup::{arg, find_member};
use super::{Destination, Invocation, Outcome, ServiceResult, audit_caller, enqueue, refuse};
use crate::store::council::{self as store, Election, NewElection, Phase, Seat, Settings};

fn direct(member_id: Uuid, name: &str) -> Destination {
    Destination::Direct {
        member_id,
        display_name: name.to_owned(),
    }
}

async fn settings_of(tx: &mut PgConnection, inv: &Invocation) -> ServiceResult<Settings> {
    match store::settings(&mut *tx, inv.caller.community_id).await? {
        Some(settings) => Ok(settings),
        None => refuse(messages::no_council()),
    }
}

/// How many of the `seats` are taken at `at` by terms already decided.
pub(crate) fn held_at(seats: &[Seat], at: DateTime<Utc>) -> i32 {
    let held = seats
        .iter()
        .filter(|s| s.starts_at <= at && at < s.ends_at)
        .count();
    i32::try_from(held).unwrap_or(i32::MAX)
}

/// The windows of an election opening `now` whose terms start at `term_start`, or at its
/// close when `None` (the first election).
pub(crate) fn windows(
    settings: &Settings,
    now: DateTime<Utc>,
    term_start: Option<DateTime<Utc>>,
) -> (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>) {
    let voting = Duration::days(i64::from(settings.voting_days));
    let nominating = Duration::days(i64::from(settings.nomination_days));
    match term_start {
        // The nominations take what is left before voting: less when the bot was down.
        Some(start) => {
            let voting_opens = (start - voting).max(now + Duration::hours(1));
            (
                voting_opens,
                start.max(voting_opens + Duration::hours(1)),
                start,
            )
        }
        None => {
            let voting_opens = now + nominating;
            let closes = voting_opens + voting;
            (voting_opens, closes, closes)
        }
    }
}

/// Opens an election for `seats` seats and queues its announcement. Takes the community's
/// numbering lock, and refuses nothing: callers check there is no open election under it.
pub(crate) async fn open_election(
    tx: &mut PgConnection,
    community_id: Uuid,
    settings: &Settings,
    new: NewElection,
    now: DateTime<Utc>,
) -> anyhow::Result<Election> {
    let election = store::insert_election(&mut *tx, &new).await?;
    crate::store::audit::record(
        &mut *tx,
        community_id,
        None,
        "council.election_opened",
        json!({ "election": election.number, "seats": election.seats }),
        now,
    )
    .await?;
    let key = format!("council:{}:nominations", election.id);
    let to = Destination::Channel(settings.channel.clone());
    enqueue(
        tx,
        community_id,
        &key,
        &to,
        &messages::nominations_open(settings, &election),
        now,
    )
    .await?;
    tracing::info!(election = election.number, community = %community_id, "council election opened");
    Ok(election)
}

/// `/council show`.
pub async fn show(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let settings = settings_of(tx, inv).await?;
    let community = inv.caller.community_id;
    let seats = store::seats(&mut *tx, community).await?;
    let election = store::open_election(&mut *tx, community).await?;
    let candidates = match &election {
        Some(election) => store::candidates(&mut *tx, election.id).await?,
        None => Vec::new(),
    };
    let covered = store::covered_until(&mut *tx, community).await?;
    let next = scheduled::next_refill(&settings, &seats, covered).map(|(opens, _)| opens);
    Ok(Outcome::reply(
        messages::shown(&settings, &seats, election.as_ref(), &candidates, next, now),
        inv.spec.visibility,
    ))
}

/// `/council open` (stewards): an election for the seats empty when it closes.
pub async fn open(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let settings = settings_of(tx, inv).await?;
    let community = inv.caller.community_id;
    crate::store::communities::lock_numbering(&mut *tx, community).await?;
    if let Some(election) = store::open_election(&mut *tx, community).await? {
        return refuse(messages::already_open(&election));
    }
    let seats = store::seats(&mut *tx, community).await?;
    let (voting_opens_at, voting_closes_at, term_starts_at) = windows(&settings, now, None);
    let empty = settings.seats - held_at(&seats, term_starts_at);
    if empty <= 0 {
        let covered = store::covered_until(&mut *tx, community).await?;
        let next = scheduled::next_refill(&settings, &seats, covered).map(|(opens, _)| opens);
        return refuse(messages::no_empty_seat(next));
    }
    let new = NewElection {
        community_id: community,
        seats: empty,
        founding: seats.is_empty(),
        nominations_open_at: now,
        voting_opens_at,
        voting_closes_at,
        term_starts_at,
    };
    let election = open_election(tx, community, &settings, new, now).await?;
    audit_caller(
        tx,
        inv,
        "council.opened_by_steward",
        json!({ "election": election.number }),
        now,
    )
    .await?;
    Ok(Outcome::reply(
        messages::opened(&settings, &election),
        inv.spec.visibility,
    ))
}

/// The open election in `phase`, locked; refused with its dates otherwise.
async fn election_in(
    tx: &mut PgConnection,
    inv: &Invocation,
    phase: Phase,
) -> ServiceResult<Election> {
    let Some(election) = store::open_election(&mut *tx, inv.caller.community_id).await? else {
        return refuse(messages::no_election(phase));
    };
    // The phase read under the lock: a close running now is waited for.
    let current = store::lock_election(&mut *tx, election.id).await?;
    if current != phase {
        return refuse(messages::wrong_phase(&election, current, phase));
    }
    Ok(election)
}

/// `/council nominate [statement…] [member:@someone]`.
pub async fn nominate(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    inv: &Invocation,
) -> ServiceResult {
    let settings = settings_of(tx, inv).await?;
    let election = election_in(tx, inv, Phase::Nominating).await?;
    let me = &inv.caller.member;
    let statement = inv.args.text("statement").unwrap_or_default().trim();
    let nominee = match inv.args.text("member") {
        Some(typed) => find_member(&mut *tx, &inv.caller, typed).await?,
        None => me.clone(),
    };
    let own = nominee.id == me.id;
    let candidates = store::candidates(&mut *tx, election.id).await?;
    let already = candidates.iter().find(|c| c.member_id == nominee.id);
    if !own && already.is_some_and(|c| c.accepted) {
        return refuse(messages::already_standing(&nominee.display_name));
    }
    let statement = if own { statement } else { "" };
    store::nominate(
        &mut *tx,
        election.id,
        nominee.id,
        me.id,
        statement,
        own,
        now,
    )
    .await?;
    audit_caller(
        tx,
        inv,
        if own {
            "council.stands"
        } else {
            "council.nominated"
        },
        json!({ "election": election.number, "member": nominee.id }),
        now,
    )
    .await?;
    if own {
        let updated = already.is_some_and(|c| c.accepted);
        return Ok(Outcome::reply(
            messages::standing(&settings, &election, statement, updated),
            inv.spec.visibility,
        ));
    }
    let outcome = Outcome::reply(
        messages::nominated(&nominee.display_name, &election),
        inv.spec.visibility,
    );
    // Asked once: a second nomination of someone already asked tells nobody again.
    Ok(if already.is_some() {
        outcome
    } else {
        outcome.with_post(
            direct(nominee.id, &nominee.display_name),
            messages::asked_to_stand(&me.display_name, &settings, &election),
        )
    })
}

/// `/council vote <names, separated by commas>`: replaces the caller's ballot.
pub async fn vote(tx: &mut PgConnection, now: DateTime<Utc>, inv: &Invocation) -> ServiceResult {
    let settings = settings_of(tx, inv).await?;
    let election = election_in(tx, inv, Phase::Voting).await?;
    let standing: Vec<store::Candidate> = store::candidates(&mut *tx, election.id)
        .await?
        .into_iter()
        .filter(|c| c.accepted)
        .collect();
    let typed = arg(inv, "candidates")?;
    let mut chosen: Vec<&store::Candidate> = Vec::new();
    for name in super::lookup::people_typed(typed) {
        let lower = name.to_lowercase();
        // A full name, a first name, or a handle or mention.
        let found = standing.iter().find(|c| {
            c.name.to_lowercase() == lower
                || c.platform_user_id.to_lowercase() == lower
                || c.name.split_whitespace().next().map(str::to_lowercase) == Some(lower.clone())
        });
        match found {
            Some(candidate) if !chosen.iter().any(|c| c.member_id == candidate.member_id) => {
                chosen.push(candidate);
            }
            Some(_) => {}
            None => {
                let names: Vec<&str> = standing.iter().map(|c| c.name.as_str()).collect();
                return refuse(messages::not_standing(&name, &names));
            }
        }
    }
    if chosen.is_empty() {
        return refuse(messages::empty_ballot());
    }
    let ids: Vec<Uuid> = chosen.iter().map(|c| c.member_id).collect();
    store::cast(&mut *tx, election.id, inv.caller.member.id, &ids, now).await?;
    // Secret ballot: that they voted, not for whom.
    audit_caller(
        tx,
        inv,
        "council.voted",
        json!({ "election": election.number }),
        now,
    )
    .await?;
    let names: Vec<&str> = chosen.iter().map(|c| c.name.as_str()).collect();
    Ok(Outcome::reply(
        messages::voted(&settings, &election, &names),
        inv.spec.visibility,
    ))
}

/// The program file changed the term length: terms not yet ended are rescaled, and each
/// member whose term dates moved is told by DM. A term that would now have ended already
/// ends at the next scheduler pass.
pub async fn terms_changed(
    conn: &mut PgConnection,
    community_id: Uuid,
    before: &Settings,
    after: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    if before.term_days == after.term_days {
        return Ok(());
    }
    let moved = store::rescale_terms(
        &mut *conn,
        community_id,
        before.term_days,
        after.term_days,
        now,
    )
    .await?;
    for (seat, was) in moved {
        let key = format!(
            "council:term-moved:{}:{}",
            seat.id,
            seat.ends_at.timestamp()
        );
        let to = direct(seat.member_id, &seat.name);
        let message = messages::term_moved(after, seat.starts_at, was, seat.ends_at);
        enqueue(conn, community_id, &key, &to, &message, now).await?;
    }
    Ok(())
}
