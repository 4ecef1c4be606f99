//! What `/alumni` says, and the invitation to mentor.

use crate::render::Message;
use crate::store::alumni::Alum;

pub const CIRCLE_NAME: &str = "Alumni";
pub const CIRCLE_DESCRIPTION: &str =
    "Graduates of the program: keep building together, and help the next cohort.";

pub fn header(skill: Option<&str>) -> Message {
    let msg = Message::new().text("🎓 Alumni");
    match skill {
        Some(skill) => msg.text(" who know ").user(skill),
        None => msg,
    }
}

pub fn alum_line(alum: &Alum) -> Message {
    let mut msg = Message::new().text("• ").strong(&alum.display_name);
    if !alum.cohorts.is_empty() {
        msg = msg.text(" (").user(alum.cohorts.join(", ")).text(")");
    }
    if let Some(capstone) = &alum.capstone {
        msg = msg.text(" — built ").user(one_line(capstone));
    }
    if !alum.skills.is_empty() {
        msg = msg.text(" · ").user(alum.skills.join(", "));
    }
    msg
}

/// Characters of a capstone a directory line shows: one line per graduate.
const CAPSTONE_SHOWN: usize = 80;

fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > CAPSTONE_SHOWN {
        let cut: String = flat.chars().take(CAPSTONE_SHOWN - 1).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

pub fn nobody_listed(skill: Option<&str>) -> Message {
    match skill {
        Some(skill) => Message::new()
            .text("No listed graduate knows ")
            .user(skill)
            .text(" yet. ")
            .code("/alumni list")
            .text(" shows everyone listed."),
        None => Message::new()
            .text("No graduate is listed yet. Graduates add themselves with ")
            .code("/alumni join")
            .text("."),
    }
}

pub fn graduates_only() -> Message {
    Message::new()
        .text("The alumni directory lists graduates: you join it once your capstone is verified.")
}

pub fn listed(was_listed: bool) -> Message {
    if was_listed {
        Message::new().text("Your alumni listing is up to date.")
    } else {
        Message::new()
            .text("🎓 You're in the alumni directory, with your skills (")
            .code("/me skills")
            .text(") and your capstone. Leave it any time with ")
            .code("/alumni leave")
            .text(".")
    }
}

pub fn not_listed() -> Message {
    Message::new().text("You are not in the alumni directory, so there is nothing to remove.")
}

pub fn unlisted() -> Message {
    Message::new()
        .text("You are out of the alumni directory. Come back with ")
        .code("/alumni join")
        .text(".")
}

pub fn quarterly_invitation(quarter: &str) -> Message {
    Message::new()
        .text("🌱 A new quarter (")
        .text(quarter)
        .text(") and a new cohort of makers. You've been where they are: would you mentor one or two of them? Offer with ")
        .code("/mentor offer")
        .text(". No pressure: I ask once a quarter at most.")
}
