//! What the council feature says.

use chrono::{DateTime, Utc};

use crate::render::{Message, count};
use crate::store::council::{Candidate, Election, Phase, Seat, Settings};

fn when(at: DateTime<Utc>) -> String {
    at.format("%a %-d %b %Y %H:%M UTC").to_string()
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%a %-d %b %Y").to_string()
}

fn seats(n: i32) -> String {
    count(n, "seat", "seats")
}

pub fn no_council() -> Message {
    Message::marked(
        "This community has no council. Stewards define one in the program file's `[community.council]` (seats, term_days, channel).",
    )
}

pub fn already_open(election: &Election) -> Message {
    Message::new()
        .text(format!(
            "Council election #{} is already under way ({}). See it with ",
            election.number,
            phase_words(election.status)
        ))
        .code("/council show")
        .text(".")
}

fn phase_words(phase: Phase) -> &'static str {
    match phase {
        Phase::Nominating => "taking nominations",
        Phase::Voting => "voting",
        Phase::Decided => "decided",
    }
}

pub fn no_empty_seat(next: Option<DateTime<Utc>>) -> Message {
    let msg = Message::new().text("Every council seat is filled. ");
    match next {
        Some(at) => msg.text(format!("The next election opens by itself on {}.", day(at))),
        None => msg,
    }
}

fn timeline(election: &Election) -> String {
    format!(
        "Nominations until {}, then voting until {}.",
        when(election.voting_opens_at),
        when(election.voting_closes_at)
    )
}

pub fn opened(settings: &Settings, election: &Election) -> Message {
    Message::new()
        .text(format!(
            "🏛️ Opened council election #{} for {} of the ",
            election.number,
            seats(election.seats)
        ))
        .user(&settings.name)
        .text(format!(". {} I announced it in ", timeline(election)))
        .channel(&settings.channel)
        .text(".")
}

pub fn nominations_open(settings: &Settings, election: &Election) -> Message {
    let what = if election.founding {
        "the first council"
    } else {
        "the council"
    };
    Message::new()
        .text("🏛️ ")
        .user(&settings.name)
        .text(format!(
            ": nominations are open for {} on {what}, until {}. Stand with ",
            seats(election.seats),
            when(election.voting_opens_at)
        ))
        .code("/council nominate <why you'd like to serve>")
        .text(", or nominate someone else with its ")
        .code("member")
        .text(format!(
            " option. Voting follows until {}; terms are {} days.",
            when(election.voting_closes_at),
            settings.term_days
        ))
}

pub fn no_election(wanted: Phase) -> Message {
    let what = match wanted {
        Phase::Voting => "voting",
        _ => "nominations",
    };
    Message::new()
        .text(format!("No council election is open for {what} now. "))
        .code("/council show")
        .text(" says when the next one opens.")
}

pub fn wrong_phase(election: &Election, current: Phase, wanted: Phase) -> Message {
    match (current, wanted) {
        (Phase::Nominating, Phase::Voting) => Message::new().text(format!(
            "Voting in council election #{} opens on {}; nominations are open until then.",
            election.number,
            when(election.voting_opens_at)
        )),
        (Phase::Voting, Phase::Nominating) => Message::new()
            .text(format!(
                "Nominations for council election #{} closed; voting is open until {}. Vote with ",
                election.number,
                when(election.voting_closes_at)
            ))
            .code("/council vote <names>")
            .text("."),
        _ => Message::new()
            .text(format!(
                "Council election #{} is decided. ",
                election.number
            ))
            .code("/council show")
            .text(" has the council as it is."),
    }
}

pub fn already_standing(name: &str) -> Message {
    Message::new()
        .user(name)
        .text(" is already standing in this election.")
}

pub fn standing(
    settings: &Settings,
    election: &Election,
    statement: &str,
    updated: bool,
) -> Message {
    let head = if updated {
        "🏛️ Your statement is updated. You are standing for the "
    } else {
        "🏛️ You are standing for the "
    };
    let msg = Message::new().text(head).user(&settings.name);
    let msg = if statement.is_empty() {
        msg.text(". Add a few words on why with ")
            .code("/council nominate <why you'd like to serve>")
            .text(": voters read them.")
    } else {
        msg.text(". Voters read:")
            .line()
            .text("    ")
            .user_indented(statement, "    ")
    };
    msg.line().text(format!(
        "Voting opens {} and closes {}.",
        when(election.voting_opens_at),
        when(election.voting_closes_at)
    ))
}

pub fn nominated(name: &str, election: &Election) -> Message {
    Message::new()
        .text("🏛️ You nominated ")
        .user(name)
        .text(format!(
            ". I asked them by DM; they stand once they accept, before {}.",
            when(election.voting_opens_at)
        ))
}

pub fn asked_to_stand(by: &str, settings: &Settings, election: &Election) -> Message {
    Message::new()
        .text("🏛️ ")
        .user(by)
        .text(" nominated you for the ")
        .user(&settings.name)
        .text(format!(
            " ({} to fill, terms of {} days). To stand, type ",
            seats(election.seats),
            settings.term_days
        ))
        .code("/council nominate <why you'd like to serve>")
        .text(format!(
            " before {}. Not this time? Nothing to do.",
            when(election.voting_opens_at)
        ))
}

pub fn not_standing(typed: &str, standing: &[&str]) -> Message {
    Message::new()
        .user(typed)
        .text(" is not standing in this election. The candidates are ")
        .user(crate::render::and_list(standing))
        .text("; separate names with commas.")
}

pub fn empty_ballot() -> Message {
    Message::marked(
        "Name at least one candidate, separated by commas: `/council vote Ada Okafor, Grace`.",
    )
}

pub fn voted(settings: &Settings, election: &Election, chosen: &[&str]) -> Message {
    Message::new()
        .text("🗳️ Your ballot for the ")
        .user(&settings.name)
        .text(" approves ")
        .user(crate::render::and_list(chosen))
        .text(format!(
            ". Vote again to change it, until {}. Ballots are secret: only totals are shown, after the close.",
            when(election.voting_closes_at)
        ))
}

pub fn nobody_stood(settings: &Settings, election: &Election) -> Message {
    Message::new()
        .text("🏛️ ")
        .user(&settings.name)
        .text(format!(
            ": nobody stood in election #{}, so its {} stay empty. A steward can open another with ",
            election.number,
            seats(election.seats)
        ))
        .code("/council open")
        .text(".")
}

pub fn voting_open(settings: &Settings, election: &Election, standing: &[&str]) -> Message {
    Message::new()
        .text("🗳️ ")
        .user(&settings.name)
        .text(format!(
            ": voting is open until {} for {}. Standing: ",
            when(election.voting_closes_at),
            seats(election.seats)
        ))
        .user(crate::render::and_list(standing))
        .text(". Approve as many as you like with ")
        .code("/council vote <names, separated by commas>")
        .text("; read their statements with ")
        .code("/council show")
        .text(".")
}

pub fn you_won(settings: &Settings, start: DateTime<Utc>, end: DateTime<Utc>) -> Message {
    Message::new()
        .text("🎉 You were elected to the ")
        .user(&settings.name)
        .text(format!(
            ". Your term runs from {} to {}.",
            day(start),
            day(end)
        ))
}

pub fn results(
    settings: &Settings,
    election: &Election,
    standing: &[&Candidate],
    winners: usize,
    voters: i64,
) -> Message {
    let mut msg = Message::new()
        .text("🏛️ ")
        .user(&settings.name)
        .text(format!(
            ": election #{} is decided, {} voted.",
            election.number,
            count(voters, "member", "members")
        ));
    for (rank, candidate) in standing.iter().enumerate() {
        let mark = if rank < winners { "✅" } else { "•" };
        msg = msg
            .line()
            .text(format!("{mark} "))
            .user(&candidate.name)
            .text(format!(
                ": {}",
                count(candidate.approvals, "approval", "approvals")
            ));
    }
    let empty = usize::try_from(election.seats)
        .unwrap_or_default()
        .saturating_sub(winners);
    msg = msg.line().text(format!(
        "The new terms start {}.",
        day(election.term_starts_at)
    ));
    if empty > 0 {
        msg = msg
            .text(if empty == 1 {
                " 1 seat stays empty; a steward can open another election with ".to_owned()
            } else {
                format!(" {empty} seats stay empty; a steward can open another election with ")
            })
            .code("/council open")
            .text(".");
    }
    msg
}

pub fn rotation(settings: &Settings, welcome: &[&str], thanks: &[&str]) -> Message {
    let mut msg = Message::new()
        .text("🏛️ ")
        .user(&settings.name)
        .text(" changes today.");
    if !welcome.is_empty() {
        msg = msg
            .text(" Welcome ")
            .user(crate::render::and_list(welcome))
            .text("!");
    }
    if !thanks.is_empty() {
        msg = msg
            .text(" Thank you ")
            .user(crate::render::and_list(thanks))
            .text(" for serving.");
    }
    msg
}

pub fn shown(
    settings: &Settings,
    seats_held: &[Seat],
    election: Option<&Election>,
    candidates: &[Candidate],
    next: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Message {
    let sitting: Vec<&Seat> = seats_held.iter().filter(|s| s.seated).collect();
    let mut msg = Message::new()
        .text("🏛️ ")
        .user(&settings.name)
        .text(format!(
            ": {}, terms of {} days.",
            seats(settings.seats),
            settings.term_days
        ));
    if sitting.is_empty() {
        msg = msg.line().text("Nobody sits on it yet.");
    }
    for seat in &sitting {
        msg = msg
            .line()
            .text("• ")
            .user(&seat.name)
            .text(format!(", until {}", day(seat.ends_at)));
    }
    for seat in seats_held.iter().filter(|s| !s.seated && s.starts_at > now) {
        msg = msg.line().text("• ").user(&seat.name).text(format!(
            ", elected: from {} to {}",
            day(seat.starts_at),
            day(seat.ends_at)
        ));
    }
    match election {
        Some(election) => {
            msg = msg.line().text(format!(
                "Election #{} for {}: {}.",
                election.number,
                seats(election.seats),
                phase_words(election.status)
            ));
            msg = msg.text(format!(" {}", timeline(election)));
            let standing: Vec<&Candidate> = candidates.iter().filter(|c| c.accepted).collect();
            if standing.is_empty() {
                msg = msg.line().text("Nobody is standing yet.");
            }
            for candidate in standing {
                msg = msg.line().text("  ").user(&candidate.name);
                if !candidate.statement.is_empty() {
                    msg = msg.text(": ").user_indented(&candidate.statement, "    ");
                }
            }
            let asked = candidates.iter().filter(|c| !c.accepted).count();
            if asked > 0 {
                msg = msg.line().text(format!(
                    "{} nominated, not yet accepted.",
                    count(asked as i64, "person", "people")
                ));
            }
            msg = match election.status {
                Phase::Nominating => msg
                    .line()
                    .text("Stand with ")
                    .code("/council nominate <why>")
                    .text("."),
                _ => msg
                    .line()
                    .text("Vote with ")
                    .code("/council vote <names, separated by commas>")
                    .text("."),
            };
        }
        None => {
            if let Some(at) = next {
                msg = msg
                    .line()
                    .text(format!("The next election opens {}.", day(at)));
            } else if sitting.len() < usize::try_from(settings.seats).unwrap_or_default() {
                msg = msg
                    .line()
                    .text("Seats are empty: a steward can open an election with ")
                    .code("/council open")
                    .text(".");
            }
        }
    }
    msg
}

pub fn term_moved(
    settings: &Settings,
    start: DateTime<Utc>,
    was: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Message {
    Message::new()
        .text("🏛️ The ")
        .user(&settings.name)
        .text(format!(
            "'s terms are now {} days, so yours, from {}, ends on {} instead of {}.",
            settings.term_days,
            day(start),
            day(end),
            day(was)
        ))
}
