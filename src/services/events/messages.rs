//! What sessions, RSVPs, attendance, reminders and the calendar link say.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::when;
use crate::domain::text::preview;
use crate::render::{Message, count};
use crate::store::sessions::{Selection, Session, SignUp, Talk, TalkStatus};

pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "lightning_talks" => "Lightning talks",
        "demo_day" => "Demo day",
        "clinic" => "Problem-solving clinic",
        "office_hours" => "Office hours",
        _ => "Session",
    }
}

/// `#3 Spring lightning talks (Lightning talks)`, the title as user text.
pub fn session_name(session: &Session) -> Message {
    let msg = Message::new()
        .strong(format!("#{}", session.number))
        .text(" ")
        .user(&session.title);
    let kind = kind_label(&session.kind);
    if session.title.eq_ignore_ascii_case(kind) {
        msg
    } else {
        msg.text(format!(" ({kind})"))
    }
}

fn place(session: &Session) -> Message {
    match &session.location {
        Some(location) => Message::new().text(", in ").user(location),
        None => Message::new(),
    }
}

pub fn hosts_only() -> Message {
    Message::new()
        .text("Sorry, only stewards, the session's host and the lead mentors of its cohort (or the leads of its circle) can do that.")
}

pub fn too_far_ahead(when: &str) -> Message {
    Message::new().text(format!(
        "{when} is more than a year away. Check the year, or schedule it closer to the time."
    ))
}

pub fn outside_cohort_dates(
    when: &str,
    cohort: &str,
    starts: Option<chrono::NaiveDate>,
    ends: Option<chrono::NaiveDate>,
) -> Message {
    let dates = match (starts, ends) {
        (Some(s), Some(e)) => format!("runs {s} to {e}"),
        (Some(s), None) => format!("starts on {s}"),
        (None, Some(e)) => format!("ends on {e}"),
        (None, None) => "has no dates".to_owned(),
    };
    Message::new()
        .text(format!("{when} is outside "))
        .strong(cohort)
        .text(format!(", which {dates}. Pick a time within its dates."))
}

pub fn no_talks_in(kind: &str) -> Message {
    Message::new()
        .code("slots")
        .text(format!(
            " are talk slots, and {} sessions have no talks: people get in line with ",
            kind_label(kind)
        ))
        .code("/clinic join")
        .text(" instead. Leave out ")
        .code("slots:")
        .text(", or schedule lightning talks or a demo day.")
}

pub fn bad_duration() -> Message {
    Message::new()
        .text("A session lasts between 5 minutes and 10 hours, like ")
        .code("duration:45m")
        .text(".")
}

/// `home` is the cohort's or the circle's name.
pub fn scheduled(session: &Session, home: &str, zone: Tz) -> Message {
    Message::new()
        .text("Scheduled ")
        .push(session_name(session))
        .text(" for ")
        .strong(home)
        .text(format!(
            ": {}, {} min, {} talk slots. Show this self check-in code during the session: ",
            when::for_channel(session.starts_at, zone),
            session.duration_minutes,
            session.slots
        ))
        .code(&session.checkin_code)
        .text(".")
        .push(sign_up_terms(session, zone))
}

/// How places are given and when sign-ups close, when either differs from the default
/// (every RSVP is a place, until the start); empty otherwise.
fn sign_up_terms(session: &Session, zone: Tz) -> Message {
    let mut msg = Message::new();
    if session.selection == Selection::HostPicks {
        msg = msg.text(" The host picks who comes from the sign-ups.");
    }
    if let Some(closes) = session.rsvp_closes_at() {
        msg = msg.text(format!(
            " Sign-ups close {}.",
            when::for_channel(closes, zone)
        ));
    }
    msg
}

/// A list line's note on sign-ups: `, the host picks, sign-ups close …`; empty for the
/// defaults (every RSVP is a place, until the start).
pub fn sign_up_note(session: &Session, zone: Tz, now: DateTime<Utc>) -> String {
    let mut note = String::new();
    if session.selection == Selection::HostPicks {
        note.push_str(", the host picks");
    }
    match session.rsvp_closes_at() {
        Some(at) if at <= now => note.push_str(", sign-ups closed"),
        Some(at) => note.push_str(&format!(", sign-ups close {}", when::for_reader(at, zone))),
        None => {}
    }
    note
}

pub fn announcement(session: &Session, zone: Tz) -> Message {
    let mut msg = Message::new()
        .text("📅 New session ")
        .push(session_name(session))
        .text(format!(
            ": {}, {} min",
            when::for_channel(session.starts_at, zone),
            session.duration_minutes
        ))
        .push(place(session))
        .text(". RSVP with ")
        .code(format!("/event rsvp {}", session.number));
    if session.slots > 0 {
        msg = msg
            .text(format!(". {} talk slots: ", session.slots))
            .code(format!(
                "/talk propose \"your title\" session:{}",
                session.number
            ));
    }
    msg.text(".").push(sign_up_terms(session, zone))
}

pub fn already_cancelled(number: i32) -> Message {
    Message::new().text(format!(
        "Session #{number} has been cancelled already, so nothing changed."
    ))
}

pub fn already_started(number: i32) -> Message {
    Message::new().text(format!(
        "Session #{number} has already started, so it can't be cancelled."
    ))
}

pub fn same_time(number: i32) -> Message {
    Message::new().text(format!("Session #{number} already starts then."))
}

pub fn moved_reply(session: &Session, zone: Tz, told: usize) -> Message {
    Message::new()
        .text("Moved ")
        .push(session_name(session))
        .text(format!(
            " to {}. I told {} involved.",
            when::for_channel(session.starts_at, zone),
            count(told as i64, "person", "people")
        ))
}

pub fn moved_dm(session: &Session, old: DateTime<Utc>, zone: Tz) -> Message {
    Message::new()
        .text("⏰ ")
        .push(session_name(session))
        .text(format!(
            " has moved from {} to {}.",
            when::for_reader(old, zone),
            when::for_reader(session.starts_at, zone)
        ))
}

pub fn moved_channel(session: &Session, zone: Tz) -> Message {
    Message::new()
        .text("⏰ ")
        .push(session_name(session))
        .text(format!(
            " has moved to {}.",
            when::for_channel(session.starts_at, zone)
        ))
}

pub fn cancelled_reply(session: &Session, told: usize) -> Message {
    Message::new()
        .text("Cancelled ")
        .push(session_name(session))
        .text(format!(
            ". I told {} involved.",
            count(told as i64, "person", "people")
        ))
}

pub fn cancelled_dm(session: &Session, zone: Tz) -> Message {
    Message::new()
        .text("❌ ")
        .push(session_name(session))
        .text(format!(
            " on {} is cancelled.",
            when::for_reader(session.starts_at, zone)
        ))
}

pub fn cancelled_channel(session: &Session, zone: Tz) -> Message {
    Message::new()
        .text("❌ ")
        .push(session_name(session))
        .text(format!(
            " on {} is cancelled.",
            when::for_channel(session.starts_at, zone)
        ))
}

pub fn already_rsvped(number: i32) -> Message {
    Message::new().text(format!(
        "You already RSVPed to session #{number}. See you there!"
    ))
}

pub fn rsvped(session: &Session, zone: Tz) -> Message {
    if session.selection == Selection::HostPicks {
        return Message::new()
            .text("You're signed up for ")
            .push(session_name(session))
            .text(format!(
                ", {}. The host picks who comes from the sign-ups: I'll DM you if you're picked, and remind you a day and an hour before either way.",
                when::for_reader(session.starts_at, zone)
            ));
    }
    Message::new()
        .text("You're on the list for ")
        .push(session_name(session))
        .text(format!(
            ", {}. I'll remind you a day and an hour before.",
            when::for_reader(session.starts_at, zone)
        ))
}

pub fn rsvp_closed(session: &Session, closed: DateTime<Utc>, zone: Tz) -> Message {
    Message::new().text(format!(
        "Sign-ups for session #{} closed {}. If you still hope to come, ask the host.",
        session.number,
        when::for_reader(closed, zone)
    ))
}

pub fn closes_too_long() -> Message {
    Message::new()
        .code("closes:")
        .text(" can be at most two weeks (")
        .code("closes:14d")
        .text(").")
}

/// `closes` is when sign-ups would have closed, in the reader's zone.
pub fn closes_already(closes: &str) -> Message {
    Message::new()
        .text("With that ")
        .code("closes:")
        .text(format!(
            ", sign-ups would already have closed ({closes}). Choose a shorter "
        ))
        .code("closes:")
        .text(" or a later time.")
}

pub fn not_host_picks(number: i32) -> Message {
    Message::new().text(format!(
        "Session #{number} is first come, first served: everyone who RSVPs has a place, so there is nobody to pick. Schedule with "
    ))
    .code("selection:host_picks")
    .text(" to choose attendees.")
}

/// `/event pick N` without names: the sign-ups, picked ones first (at most `shown`).
pub fn sign_ups(session: &Session, sign_ups: &[SignUp], shown: usize) -> Message {
    if sign_ups.is_empty() {
        return Message::new()
            .text("Nobody has signed up for ")
            .push(session_name(session))
            .text(" yet.");
    }
    let picked: Vec<&str> = sign_ups
        .iter()
        .filter(|s| s.picked)
        .map(|s| s.display_name.as_str())
        .collect();
    let standby: Vec<&str> = sign_ups
        .iter()
        .filter(|s| !s.picked)
        .map(|s| s.display_name.as_str())
        .collect();
    let list = |names: &[&str]| {
        let mut text = names
            .iter()
            .take(shown)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if names.len() > shown {
            text.push_str(&format!(" and {} more", names.len() - shown));
        }
        text
    };
    let mut msg = Message::new()
        .text(count(sign_ups.len() as i64, "sign-up", "sign-ups"))
        .text(" for ")
        .push(session_name(session))
        .text(".");
    msg = msg.line().text(format!("Picked ({}): ", picked.len()));
    msg = if picked.is_empty() {
        msg.text("nobody yet")
    } else {
        msg.user(list(&picked))
    };
    msg = msg.line().text(format!("Standby ({}): ", standby.len()));
    msg = if standby.is_empty() {
        msg.text("nobody")
    } else {
        msg.user(list(&standby))
    };
    msg.line()
        .text("Pick with ")
        .code(format!("/event pick {}", session.number))
        .text(" followed by their mentions.")
}

pub fn not_signed_up(name: &str, number: i32) -> Message {
    Message::new()
        .user(name)
        .text(format!(
            " has not signed up for session #{number}, and only sign-ups can be picked, so nobody was picked. Pick again without them, or ask them to "
        ))
        .code(format!("/event rsvp {number}"))
        .text(" first.")
}

pub fn picked_reply(number: i32, picked: &[String], already: &[String], standby: usize) -> Message {
    let mut msg = Message::new().text(format!("Session #{number}: "));
    msg = if picked.is_empty() {
        msg.text("nobody new picked")
    } else {
        msg.text("picked ").user(picked.join(", "))
    };
    if !already.is_empty() {
        msg = msg
            .text(" (already picked: ")
            .user(already.join(", "))
            .text(")");
    }
    let msg = msg.text(". Each one newly picked gets a DM. ");
    if standby == 0 {
        msg.text("Nobody is left on standby.")
    } else {
        msg.text(format!(
            "Still on standby: {standby}; their reminders say they aren't picked yet."
        ))
    }
}

/// The DM to a member the host picked.
pub fn picked_dm(session: &Session, host: &str, zone: Tz) -> Message {
    Message::new()
        .text("✅ You're in: ")
        .user(host)
        .text(" picked you for ")
        .push(session_name(session))
        .text(format!(", {}", when::for_reader(session.starts_at, zone)))
        .push(place(session))
        .text(". I'll remind you a day and an hour before. Can't come after all? ")
        .code(format!("/event unrsvp {}", session.number))
        .text(" frees your place.")
}

/// To the host who picked `name`, who withdrew.
pub fn picked_dropped_out(session: &Session, name: &str) -> Message {
    Message::new()
        .user(name)
        .text(", whom you picked, withdrew from ")
        .push(session_name(session))
        .text(", so a place is free. ")
        .code(format!("/event pick {}", session.number))
        .text(" shows who is on standby.")
}

pub fn reminder_standby(session: &Session, lead: &str, zone: Tz) -> Message {
    Message::new()
        .text("🔔 Reminder: ")
        .push(session_name(session))
        .text(format!(
            " starts {lead}, {}. You signed up, but the host has not picked you (yet): you're on standby, so check with the host before you come.",
            when::for_reader(session.starts_at, zone)
        ))
}

pub fn unrsvped(session: &Session) -> Message {
    Message::new()
        .text("You're off the list for ")
        .push(session_name(session))
        .text("; no reminders will come. ")
        .code(format!("/event rsvp {}", session.number))
        .text(" puts you back.")
}

pub fn not_rsvped(number: i32) -> Message {
    Message::new()
        .text(format!(
            "You had not RSVPed to session #{number}, so there is nothing to take back. "
        ))
        .code("/event list")
        .text(" shows the upcoming sessions.")
}

pub fn unrsvp_too_late(number: i32) -> Message {
    Message::new().text(format!(
        "Session #{number} has already started, so the list is final. Tell the host if you can't make it."
    ))
}

pub fn not_started_yet(number: i32) -> Message {
    Message::new().text(format!("Session #{number} hasn't started yet."))
}

pub fn not_a_member_name(word: &str) -> Message {
    Message::new()
        .code(preview(word))
        .text(" is not a member name; list members like ")
        .code("@sam @lee")
        .text(".")
}

pub fn attendance_recorded(number: i32, recorded: &[String], already: &[String]) -> Message {
    let mut msg = Message::new().text(format!("Attendance for session #{number}: "));
    msg = if recorded.is_empty() {
        msg.text("nobody new")
    } else {
        msg.text("recorded ").user(recorded.join(", "))
    };
    if !already.is_empty() {
        msg = msg
            .text(" (already recorded: ")
            .user(already.join(", "))
            .text(")");
    }
    msg.text(".")
}

pub fn code_for_host(session: &Session) -> Message {
    Message::new()
        .text("The self check-in code for ")
        .push(session_name(session))
        .text(" is ")
        .code(&session.checkin_code)
        .text(". It works only while the session runs: ")
        .code(format!("/event checkin {}", session.checkin_code))
        .text(".")
}

pub fn unknown_code() -> Message {
    Message::new().text("That code doesn't match any session. Check it with your host.")
}

pub fn code_expired(number: i32) -> Message {
    Message::new().text(format!(
        "Session #{number} is over, so its check-in code no longer works. Ask the host to record your attendance."
    ))
}

pub fn already_checked_in(number: i32) -> Message {
    Message::new().text(format!("You're already checked in to session #{number}."))
}

pub fn checked_in(session: &Session) -> Message {
    Message::new()
        .text("Checked in to ")
        .push(session_name(session))
        .text(". Enjoy!")
}

pub fn say_which_cohort() -> Message {
    Message::new()
        .text("Say which cohort, like ")
        .code("/event ical link spring-makers-2027")
        .text(".")
}

pub fn not_your_cohort(cohort: &str) -> Message {
    Message::new()
        .text("The calendar of ")
        .strong(cohort)
        .text(" is for its members and hosts.")
}

/// The feed's link: `path` under `public_url`, or the path alone with where it lives.
pub fn ical_link(cohort: &str, path: &str, rotated: bool, public_url: Option<&str>) -> Message {
    let lead = if rotated {
        "New calendar link for "
    } else {
        "Calendar link for "
    };
    let msg = Message::new()
        .text(lead)
        .strong(cohort)
        .text(" (add it to your calendar app; keep it to yourself): ");
    let mut msg = match public_url {
        Some(base) => msg.code(format!("{base}{path}")).text("."),
        None => msg.code(path).text(" on the bot's web address."),
    };
    if rotated {
        msg = msg.text(" The old link no longer works.");
    }
    msg
}

pub fn time_in_gap(local: &str, zone: &str) -> Message {
    Message::new().text(format!(
        "{local} doesn't exist in {zone}: the clocks skip it (daylight saving). Pick another time."
    ))
}

pub fn time_in_past(at: &str) -> Message {
    Message::new().text(format!(
        "{at} is in the past. Sessions are scheduled in the future."
    ))
}

pub fn unknown_session(number: i32) -> Message {
    Message::new()
        .text(format!("There is no session #{number}. "))
        .code("/talk list")
        .text(" shows the upcoming ones.")
}

pub fn session_in_past(number: i32) -> Message {
    Message::new().text(format!(
        "Session #{number} has already started or is over, so it takes no more sign-ups."
    ))
}

/// `in 24 hours` / `in 1 hour`.
pub fn lead_label(hours: i64) -> String {
    if hours == 1 {
        "in 1 hour".into()
    } else {
        format!("in {hours} hours")
    }
}

pub fn reminder_speaker(session: &Session, lead: &str, slot: usize, zone: Tz) -> Message {
    Message::new()
        .text("🎤 Reminder: you speak at ")
        .push(session_name(session))
        .text(format!(
            " {lead}, {}. You're talk {slot} of the lineup.",
            when::for_reader(session.starts_at, zone)
        ))
}

pub fn reminder_rsvp(session: &Session, lead: &str, zone: Tz) -> Message {
    Message::new()
        .text("🔔 Reminder: ")
        .push(session_name(session))
        .text(format!(
            " starts {lead}, {}",
            when::for_reader(session.starts_at, zone)
        ))
        .push(place(session))
        .text(".")
}

pub fn lineup(session: &Session, lead: &str, talks: &[Talk], zone: Tz) -> Message {
    let mut msg = Message::new()
        .text("📣 ")
        .push(session_name(session))
        .text(format!(
            " starts {lead}: {}",
            when::for_channel(session.starts_at, zone)
        ))
        .push(place(session))
        .text(".");
    let active: Vec<&Talk> = talks
        .iter()
        .filter(|t| t.status == TalkStatus::Active)
        .collect();
    for (i, talk) in active.iter().enumerate() {
        msg = msg
            .line()
            .text(format!("  {}. ", i + 1))
            .user(&talk.title)
            .text(" — ")
            .user(&talk.speaker_name);
    }
    msg.line()
        .text("RSVP with ")
        .code(format!("/event rsvp {}", session.number))
        .text(".")
}

/// A session's Discord event description: what it is, its lineup (the first `talks_shown`
/// talks), how to RSVP, and the marker the bot finds it by.
pub fn discord_event(
    session: &crate::store::discord_events::Mirrored,
    talks: &[Talk],
    talks_shown: usize,
) -> Message {
    let mut msg = Message::new().user(&session.title).text(format!(
        " ({}), {}.",
        kind_label(&session.kind),
        session.cohort_name
    ));
    let active: Vec<&Talk> = talks
        .iter()
        .filter(|t| t.status == TalkStatus::Active)
        .collect();
    for (i, talk) in active.iter().take(talks_shown).enumerate() {
        msg = msg
            .line()
            .text(format!("{}. ", i + 1))
            .user(&talk.title)
            .text(" — ")
            .user(&talk.speaker_name);
    }
    if active.len() > talks_shown {
        msg = msg
            .line()
            .text(format!("and {} more talks.", active.len() - talks_shown));
    }
    msg.line()
        .text("RSVP: ")
        .code(format!("/event rsvp {}", session.number))
        .line()
        .text(super::mirror::marker(session.session_id))
}

/// The DM for an RSVP made by marking "Interested" on the session's Discord event.
pub fn interest_rsvped(session: &Session, zone: Tz) -> Message {
    if session.selection == Selection::HostPicks {
        return Message::new()
            .text("⭐ You marked Interested, so you're signed up for ")
            .push(session_name(session))
            .text(format!(
                ", {}. The host picks who comes from the sign-ups: I'll DM you if you're picked. Changed your mind? Remove your interest, or ",
                when::for_reader(session.starts_at, zone)
            ))
            .code(format!("/event unrsvp {}", session.number))
            .text(".");
    }
    Message::new()
        .text("⭐ You marked Interested, so you're on the list for ")
        .push(session_name(session))
        .text(format!(
            ", {}. I'll remind you a day and an hour before. Changed your mind? Remove your interest, or ",
            when::for_reader(session.starts_at, zone)
        ))
        .code(format!("/event unrsvp {}", session.number))
        .text(".")
}

/// The DM when taking the interest back withdrew the RSVP it made.
pub fn interest_withdrawn(session: &Session) -> Message {
    Message::new()
        .text("You removed your interest, so you're off the list for ")
        .push(session_name(session))
        .text(". ")
        .code(format!("/event rsvp {}", session.number))
        .text(" puts you back.")
}

pub fn mirror_no_guild() -> Message {
    Message::new().text(
        "This community is not linked to a Discord server, so no sessions are mirrored as Discord events.",
    )
}

pub fn mirror_no_cohort() -> Message {
    Message::new()
        .text("No cohort mirrors its sessions as Discord events. Set ")
        .code("discord_events = true")
        .text(" on a cohort in the program file to start.")
}

pub fn mirror_repair_queued() -> Message {
    Message::new()
        .text("Comparing the server's events with the sessions now: edits are put back, events deleted by hand are made again while their session is on, and the bot's orphans are deleted. ")
        .code("/event mirror")
        .text(" shows the result in a minute.")
}

/// What `/event mirror` reports.
pub struct MirrorStatus<'a> {
    /// The bot's events in the guild that are to come or running.
    pub live: i64,
    pub cohorts: &'a [crate::store::discord_events::CohortMirror],
    pub queue: &'a crate::store::discord_events::MirrorQueue,
    /// The reader's zone.
    pub zone: Tz,
}

pub fn mirror_status(status: &MirrorStatus) -> Message {
    use super::mirror::{GUILD_MAX, HORIZON_DAYS};
    let mut msg = Message::new().strong("Discord events").text(format!(
        ": the bot has {} live in the server (it keeps at most {GUILD_MAX} of Discord's 100).",
        status.live
    ));
    for cohort in status.cohorts {
        msg = msg
            .line()
            .text("• ")
            .user(&cohort.name)
            .text(" (")
            .code(&cohort.slug)
            .text(format!(
                "): {} of {} in the next {HORIZON_DAYS} days mirrored",
                cohort.mirrored,
                count(cohort.upcoming, "session", "sessions"),
            ));
        msg = if cohort.interested_is_rsvp {
            msg.text(format!(
                "; Interested counts as an RSVP ({} so far).",
                count(cohort.via_interest, "RSVP", "RSVPs")
            ))
        } else {
            msg.text(".")
        };
    }
    let queue = status.queue;
    msg = msg.line().text(format!(
        "Writes waiting: {}. Failed: {}",
        queue.waiting, queue.failed
    ));
    msg = if queue.failed > 0 {
        msg.text(" (")
            .code("/outbox failed")
            .text(" lists them, ")
            .code("/outbox retry")
            .text(" sends them again).")
    } else {
        msg.text(".")
    };
    msg = msg.line();
    msg = match queue.reconciled_at {
        Some(at) => msg.text(format!(
            "Last compared with Discord: {}. ",
            when::for_reader(at, status.zone)
        )),
        None => msg.text("Not compared with Discord yet. "),
    };
    msg.code("/event mirror repair").text(" compares now.")
}
