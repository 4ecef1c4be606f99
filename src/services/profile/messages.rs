//! What the profile commands say.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::CocStanding;
use crate::render::Message;
use crate::store::enrollments::ActiveEnrollment;
use crate::store::members::Member;
use crate::store::roles::HeldRole;

/// `pairings`: pairing sessions requested, and met.
pub fn profile(
    member: &Member,
    coc: CocStanding,
    roles: &[HeldRole],
    enrollments: &[ActiveEnrollment],
    pairings: (i64, i64),
    earned: &[String],
) -> Message {
    // The account as the platform shows it: on Slack and Discord a mention (their own
    // handle, where the raw id would mean nothing), in the shell its name.
    let mut msg = Message::new()
        .strong(member.display_name.clone())
        .text(" (")
        .mention(member.id, member.platform_user_id.clone())
        .text(")");
    msg = msg.line().text("Time zone: ");
    msg = match &member.timezone {
        Some(tz) => msg.text(tz.clone()),
        None => msg
            .text("not set — use ")
            .code("/me timezone Europe/Berlin"),
    };
    msg = msg.line().text("Skills: ");
    msg = if member.skills.is_empty() {
        msg.text("none yet — use ")
            .code("/me skills power automate, sql")
    } else {
        msg.user(member.skills.join(", "))
    };
    msg = msg.line().text("Code of conduct: ");
    msg = match coc {
        CocStanding::Current { at } => msg.text(format!("accepted {}", at.format("%Y-%m-%d"))),
        CocStanding::Earlier { at } => msg
            .text(format!(
                "accepted {}, and it has changed since; see ",
                at.format("%Y-%m-%d")
            ))
            .code("/coc"),
        CocStanding::NotAccepted => msg.text("not accepted yet"),
    };
    msg = msg.line().text("Roles: ");
    if roles.is_empty() {
        msg = msg.text("none");
    }
    for (i, held) in roles.iter().enumerate() {
        let label = held.role().map_or(held.role.as_str(), |r| r.label());
        msg = msg.text(if i == 0 { "" } else { ", " }).text(label);
        if let Some(cohort) = &held.cohort_slug {
            msg = msg.text(" in ").code(cohort);
        }
    }
    if !earned.is_empty() {
        msg = msg.line().text("Earned roles: ").text(earned.join(", "));
    }
    msg = msg.line().text("Cohorts: ");
    if enrollments.is_empty() {
        msg = msg.text("none — see ").code("/cohort list");
    }
    for (i, e) in enrollments.iter().enumerate() {
        msg = msg
            .text(if i == 0 { "" } else { "; " })
            .strong(&e.cohort_name);
        if let Some(track) = &e.track_name {
            msg = msg.text(format!(" ({track})"));
        }
        msg = msg.text(format!(", joined {}", e.joined_at.format("%Y-%m-%d")));
        if e.cohort_archived {
            msg = msg.text(", archived");
        }
    }
    let (requested, met) = pairings;
    if requested > 0 {
        msg = msg.line().text(format!(
            "Pairing sessions: {requested} requested, {met} met"
        ));
    }
    msg
}

pub fn timezone_set(tz: Tz, now: DateTime<Utc>) -> Message {
    let local = now.with_timezone(&tz);
    Message::new()
        .text("Your time zone is now ")
        .strong(tz.name())
        .text(format!(
            " (it's {} there now).",
            local.format("%H:%M on %A")
        ))
}

pub fn timezone_shown(tz: Option<Tz>, now: DateTime<Utc>) -> Message {
    match tz {
        Some(tz) => Message::new()
            .text("Your time zone is ")
            .strong(tz.name())
            .text(format!(
                " (it's {} there now). Change it with ",
                now.with_timezone(&tz).format("%H:%M on %A")
            ))
            .code("/me timezone <zone>")
            .text("."),
        None => Message::new()
            .text("You have not set a time zone, so prompts follow each cohort's. Set yours with ")
            .code("/me timezone Europe/Berlin")
            .text(" (any IANA zone)."),
    }
}

pub fn name_set(name: &str) -> Message {
    Message::new()
        .text("You're now shown as ")
        .user(name)
        .text(".")
}

pub fn name_like_a_mention(name: &str) -> Message {
    Message::new()
        .code(name)
        .text(" can't be your name: one that starts with ")
        .code("@")
        .text(" or ")
        .code("#")
        .text(" reads like a mention or a channel. Try your name as people know you: ")
        .code("/me name <your name>")
        .text(".")
}

/// `taken` is another member's name as shown.
pub fn name_taken(taken: &str) -> Message {
    Message::new()
        .text("Someone else in this community is already shown as ")
        .strong(taken)
        .text(". Please pick a name people can tell apart, for example with your team or a last initial.")
}

pub fn skills_set(skills: &[String]) -> Message {
    Message::new()
        .text("Your skills: ")
        .user(skills.join(", "))
        .text(".")
}

pub fn too_many_skills(count: usize, max: usize) -> Message {
    Message::from(format!("That's {count} skills; please list at most {max}."))
}

pub fn skill_too_long(skill: &str, max: usize) -> Message {
    Message::new()
        .text("The skill ")
        .code(crate::domain::text::preview(skill))
        .text(format!(
            " is too long; keep each skill under {max} characters."
        ))
}

pub fn no_skills() -> Message {
    Message::new()
        .text("List at least one skill, separated by commas, like ")
        .code("/me skills power automate, sql")
        .text(".")
}
