//! What the enrollment commands say.

use chrono::{DateTime, Utc};

use crate::domain::CocStanding;
use crate::render::Message;
use crate::store::cohorts::{Cohort, Track};

pub fn no_cohorts() -> Message {
    Message::new().text("This community has no cohorts yet.")
}

/// Before the page number and colon.
pub fn cohort_list_header(community: &str) -> Message {
    Message::new().text("Cohorts in ").strong(community)
}

pub fn cohort_line(cohort: &Cohort, tracks: &[&Track], enrolled: bool) -> Message {
    let mut msg = Message::new()
        .text("• ")
        .strong(&cohort.name)
        .text(" (")
        .code(&cohort.slug)
        .text(")");
    if let (Some(start), Some(end)) = (cohort.starts_on, cohort.ends_on) {
        msg = msg.text(format!(" {start} → {end}"));
    }
    msg = msg.text(format!(", {}", cohort.timezone));
    if !tracks.is_empty() {
        msg = msg.text(". Tracks: ");
        for (i, track) in tracks.iter().enumerate() {
            if i > 0 {
                msg = msg.text(", ");
            }
            msg = msg.code(&track.slug).text(format!(" ({})", track.name));
        }
    }
    if enrolled {
        msg = msg.text(" ← you're in");
    }
    msg
}

pub fn already_enrolled(cohort: &Cohort) -> Message {
    Message::new()
        .text("You're already in ")
        .strong(&cohort.name)
        .text(".")
}

pub fn choose_track(cohort: &Cohort, tracks: &[Track]) -> Message {
    let mut msg = Message::new()
        .strong(&cohort.name)
        .text(" has several tracks. Choose one:");
    for track in tracks {
        msg = msg
            .line()
            .text("  ")
            .code(format!("/cohort join {} track:{}", cohort.slug, track.slug))
            .text(format!(" — {}", track.name));
    }
    msg
}

pub fn unknown_track(cohort: &Cohort, typed: &str, suggestion: Option<&str>) -> Message {
    let msg = Message::new()
        .strong(&cohort.name)
        .text(" has no track ")
        .code(crate::domain::text::preview(typed))
        .text(".");
    match suggestion {
        Some(s) => msg.text(" Did you mean ").code(s).text("?"),
        None => msg
            .text(" Type ")
            .code("/cohort list")
            .text(" to see the tracks."),
    }
}

pub fn no_tracks(cohort: &Cohort) -> Message {
    Message::new()
        .strong(&cohort.name)
        .text(" has no tracks; join without ")
        .code("track")
        .text(".")
}

pub fn accept_coc_first(
    community: &str,
    code_of_conduct: &str,
    cohort: &Cohort,
    standing: CocStanding,
) -> Message {
    let msg = match standing {
        CocStanding::Earlier { at } => Message::new().text(format!(
            "The code of conduct has changed since you accepted it on {}. ",
            at.format("%Y-%m-%d")
        )),
        CocStanding::NotAccepted | CocStanding::Current { .. } => Message::new(),
    };
    msg.text("Before you join ")
        .strong(&cohort.name)
        .text(", please read the ")
        .strong(community)
        .text(" code of conduct:")
        .line()
        .line()
        .text(code_of_conduct)
        .line()
        .line()
        .text("Type ")
        .code("/coc accept")
        .text(" to accept it and finish joining.")
}

/// `zone` is the member's own time zone, when they have set one.
pub fn joined(cohort: &Cohort, track: Option<&Track>, zone: Option<&str>) -> Message {
    let msg = Message::new()
        .text("You're in! Welcome to ")
        .strong(&cohort.name);
    let msg = match track {
        Some(t) => msg.text(", track ").strong(&t.name),
        None => msg,
    };
    match zone {
        Some(zone) => msg
            .text(format!(
                ". Your prompts follow your own time zone, {zone}; change it with "
            ))
            .code("/me timezone")
            .text("."),
        None => msg
            .text(". Set your time zone with ")
            .code("/me timezone")
            .text(" so prompts arrive at your local time."),
    }
}

pub fn welcome_post(display_name: &str, cohort: &Cohort, track: Option<&Track>) -> Message {
    let msg = Message::new()
        .text("Please welcome ")
        .user(display_name)
        .text(" to ")
        .strong(&cohort.name);
    match track {
        Some(t) => msg.text(format!(" ({} track)! 🎉", t.name)),
        None => msg.text("! 🎉"),
    }
}

pub fn not_enrolled_anywhere() -> Message {
    Message::new()
        .text("You're not enrolled in any cohort. Type ")
        .code("/cohort list")
        .text(" to find one.")
}

pub fn not_enrolled_in(cohort: &Cohort) -> Message {
    Message::new()
        .text("You're not enrolled in ")
        .strong(&cohort.name)
        .text(".")
}

pub fn which_cohort_to_leave(slugs: &[String]) -> Message {
    let mut msg = Message::new().text("You're in several cohorts. Say which one to leave:");
    for slug in slugs {
        msg = msg.line().text("  ").code(format!("/cohort leave {slug}"));
    }
    msg
}

/// An archived cohort takes nobody back, so its leaver is not invited to.
pub fn left(cohort_name: &str, archived: bool) -> Message {
    let msg = Message::new().text("You've left ").strong(cohort_name);
    if archived {
        msg.text(". It is archived; your check-ins and milestones in it are kept.")
    } else {
        msg.text(". Your check-ins and milestones are kept; you're welcome back any time.")
    }
}

pub fn coc(community: &str, code_of_conduct: &str, standing: CocStanding) -> Message {
    let msg = Message::new()
        .strong(format!("{community} code of conduct"))
        .line()
        .text(code_of_conduct)
        .line();
    match standing {
        CocStanding::Current { at } => {
            msg.text(format!("You accepted it on {}.", at.format("%Y-%m-%d")))
        }
        CocStanding::Earlier { at } => msg
            .text(format!(
                "It has changed since you accepted it on {}. Type ",
                at.format("%Y-%m-%d")
            ))
            .code("/coc accept")
            .text(" to accept this version."),
        CocStanding::NotAccepted => msg.text("Type ").code("/coc accept").text(" to accept it."),
    }
}

pub fn coc_already_accepted(at: DateTime<Utc>) -> Message {
    Message::new().text(format!(
        "You already accepted the code of conduct on {}. Thank you!",
        at.format("%Y-%m-%d")
    ))
}

pub fn coc_accepted() -> Message {
    Message::new().text("Thank you for accepting the code of conduct.")
}

/// Accepted with no join waiting: what to do next.
pub fn coc_accepted_next() -> Message {
    coc_accepted()
        .text(" Next, find a cohort with ")
        .code("/cohort list")
        .text(" and join it with ")
        .code("/cohort join")
        .text(".")
}

pub fn invalid_cohort_id(problem: &str) -> Message {
    Message::marked(problem)
}

pub fn cohort_exists(slug: &str) -> Message {
    Message::new()
        .text("A cohort with the id ")
        .code(slug)
        .text(" already exists.")
}

pub fn cohort_created(cohort: &Cohort) -> Message {
    Message::new()
        .text("Created cohort ")
        .strong(&cohort.name)
        .text(" (")
        .code(&cohort.slug)
        .text(format!(", {}). Members can join with ", cohort.timezone))
        .code(format!("/cohort join {}", cohort.slug))
        .text(".")
        .line()
        .push(still_missing(cohort, 0, 0))
}

/// What a cohort still needs before it runs by itself, and the command for each; a
/// finished cohort gets a short all-set line.
pub fn still_missing(cohort: &Cohort, tracks: i64, schedules: i64) -> Message {
    let slug = &cohort.slug;
    let mut steps: Vec<(&str, String)> = Vec::new();
    if cohort.channel.is_none() {
        steps.push((
            "a channel for its posts",
            format!("/cohort set {slug} channel:#…"),
        ));
    }
    if cohort.starts_on.is_none() || cohort.ends_on.is_none() {
        steps.push((
            "its dates",
            format!("/cohort set {slug} starts:YYYY-MM-DD ends:YYYY-MM-DD"),
        ));
    }
    if tracks == 0 {
        steps.push(("a track", format!("/cohort track {slug} <id> <name>")));
    }
    if schedules == 0 {
        steps.push((
            "a weekly check-in",
            format!("/schedule set {slug} checkin \"0 9 * * MON\""),
        ));
    }
    if steps.is_empty() {
        return Message::new().text("It has everything it needs to run.");
    }
    let mut msg = Message::new().text("Still to do:");
    for (what, command) in steps {
        msg = msg.line().text(format!("• {what}: ")).code(command);
    }
    msg
}

pub fn nothing_to_change(slug: &str) -> Message {
    Message::new()
        .text("Say what to change, like ")
        .code(format!(
            "/cohort set {slug} channel:#… starts:2027-09-01 ends:2027-12-15"
        ))
        .text(". It also takes ")
        .code("timezone:")
        .text(" and ")
        .code("name:")
        .text(".")
}

pub fn ends_before_start(starts: chrono::NaiveDate, ends: chrono::NaiveDate) -> Message {
    Message::new().text(format!(
        "The cohort would end on {ends}, before it starts on {starts}. Check the dates."
    ))
}

pub fn too_long(starts: chrono::NaiveDate, ends: chrono::NaiveDate, max_days: i64) -> Message {
    Message::new().text(format!(
        "{starts} to {ends} is longer than a cohort runs (at most {max_days} days). Check the years."
    ))
}

pub fn cohort_updated(cohort: &Cohort) -> Message {
    let mut msg = Message::new()
        .text("Updated ")
        .strong(&cohort.name)
        .text(" (")
        .code(&cohort.slug)
        .text(format!("): {}", cohort.timezone));
    if let (Some(start), Some(end)) = (cohort.starts_on, cohort.ends_on) {
        msg = msg.text(format!(", {start} → {end}"));
    }
    if let Some(channel) = &cohort.channel {
        msg = msg.text(", posts to ").channel(channel);
    }
    msg.text(".")
}

pub fn track_exists(cohort: &Cohort, slug: &str) -> Message {
    Message::new()
        .strong(&cohort.name)
        .text(" already has a track ")
        .code(slug)
        .text(".")
}

pub fn track_added(cohort: &Cohort, track: &Track) -> Message {
    Message::new()
        .text("Added the project track ")
        .strong(&track.name)
        .text(" (")
        .code(&track.slug)
        .text(") to ")
        .strong(&cohort.name)
        .text(". Learners pick it with ")
        .code(format!("/cohort join {} track:{}", cohort.slug, track.slug))
        .text(".")
}

pub fn already_archived(cohort: &Cohort) -> Message {
    Message::new()
        .strong(&cohort.name)
        .text(" is already archived.")
}

pub fn archived(cohort: &Cohort, schedules: i64, learners: i64) -> Message {
    Message::new()
        .text("Archived ")
        .strong(&cohort.name)
        .text(format!(
            ": {} stopped, and nobody new can join. Its {} and their records stay.",
            crate::render::count(schedules, "schedule", "schedules"),
            crate::render::count(learners, "learner", "learners"),
        ))
}

pub fn archived_hidden(count: i64) -> Message {
    Message::new().text(format!(
        "({} not shown.)",
        crate::render::count(count, "archived cohort", "archived cohorts")
    ))
}
