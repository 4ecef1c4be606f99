//! What the ladder, submissions, reviews, celebrations and graduation say.

use uuid::Uuid;

use super::Standing;
use crate::domain::text::preview;
use crate::render::{ActionKind, Message, count};
use crate::store::members::Member;
use crate::store::milestones::{Enrolled, Impact, LadderModule, Submission};

pub fn ladder(enrolled: &Enrolled, rows: &[(&LadderModule, Standing)]) -> Message {
    let mut msg = Message::new()
        .text("Your ladder in ")
        .strong(&enrolled.cohort_name);
    if let Some(track) = &enrolled.track_name {
        msg = msg.text(" (").strong(track).text(")");
    }
    msg = msg.text(":");
    let done = rows
        .iter()
        .filter(|(_, s)| *s == Standing::Completed)
        .count();
    for (module, standing) in rows {
        let (mark, label) = match standing {
            Standing::Completed => ("✅", "completed".to_owned()),
            Standing::Submitted => ("⏳", "waiting for your mentor".to_owned()),
            Standing::ChangesRequested => ("✏️", "changes requested".to_owned()),
            Standing::Current => ("▶️", "current".to_owned()),
            Standing::Locked(missing) => ("🔒", format!("locked: needs {}", missing.join(", "))),
        };
        msg = msg
            .line()
            .text(format!("  {mark} "))
            .code(&module.slug)
            .text(" ")
            .strong(&module.name)
            .text(format!(" — {label}"));
        // A revoked badge is no longer the learner's to show, though the module stays done.
        match &module.badge {
            Some(badge) if module.badge_revoked => {
                msg = msg.text(format!(" · badge: {badge} (revoked)"));
            }
            Some(badge) => msg = msg.text(format!(" · badge: {badge}")),
            None => {}
        }
        if module.capstone {
            msg = msg.text(" · capstone");
        }
    }
    msg.line()
        .text(format!("{done} of {} completed. Submit with ", rows.len()))
        .code("/milestone submit <module> <evidence url> [note]")
        .text(".")
}

pub fn impact_only_for_capstones(slug: &str) -> Message {
    Message::new()
        .text("A business-impact note goes with a capstone, and ")
        .code(slug)
        .text(" is not one.")
}

pub fn already_verified(module: &str) -> Message {
    Message::new()
        .strong(module)
        .text(" is already verified. Nothing to do!")
}

/// `slug` is the module's id, for the command that takes the submission back.
pub fn already_submitted(module: &str, slug: &str) -> Message {
    Message::new()
        .strong(module)
        .text(" is already waiting for your mentor's review. To send something else, take it back with ")
        .code(format!("/milestone withdraw {slug}"))
        .text(" and submit again.")
}

pub fn locked(module: &str, missing: &[String]) -> Message {
    Message::new()
        .strong(module)
        .text(" is locked until these are verified: ")
        .code(missing.join(", "))
        .text(". ")
        .code("/progress")
        .text(" shows your ladder.")
}

pub fn submitted(module: &str, mentors: &[String]) -> Message {
    let msg = Message::new()
        .text("Submitted ")
        .strong(module)
        .text(" for verification. ");
    if mentors.is_empty() {
        msg.text("Your cohort has no lead mentor yet, so a steward will review it.")
    } else {
        msg.user(mentors.join(", "))
            .text(" will review it and I'll tell you.")
    }
}

pub fn review_request(
    learner: &Member,
    cohort: &str,
    module: &LadderModule,
    submission: &Submission<'_>,
) -> Message {
    let handle = &learner.platform_user_id;
    let mut msg = Message::new()
        .user(&learner.display_name)
        .text(" (")
        .strong(cohort)
        .text(") submitted ")
        .strong(&module.name)
        .text(": ")
        .user(submission.evidence_url);
    if let Some(note) = submission.note {
        msg = msg.line().text("Note: ").user(note);
    }
    if let Some(impact) = impact_line(submission.impact()) {
        msg = msg.line().push(impact);
    }
    msg.line()
        .text("Verify with ")
        .code(format!("/milestone verify @{handle} {}", module.slug))
        .text(" or ask for changes with ")
        .code(format!("/milestone changes @{handle} {} …", module.slug))
        .action(
            "Verify",
            ActionKind::VerifyMilestone {
                handle: handle.clone(),
                module: module.slug.clone(),
            },
        )
        .action(
            "Request changes",
            ActionKind::RequestMilestoneChanges {
                handle: handle.clone(),
                module: module.slug.clone(),
            },
        )
}

pub fn nothing_to_withdraw(module: &str) -> Message {
    Message::new()
        .text("You have no submission of ")
        .strong(module)
        .text(" waiting for review, so there is nothing to withdraw. See where you stand with ")
        .code("/progress")
        .text(".")
}

pub fn withdrawn(module: &str) -> Message {
    Message::new()
        .text("Withdrew your submission of ")
        .strong(module)
        .text(". Submit again whenever it's ready with ")
        .code("/milestone submit")
        .text(".")
}

pub fn withdrawn_notice(learner: &str, module: &str) -> Message {
    Message::new()
        .user(learner)
        .text(" withdrew their submission of ")
        .strong(module)
        .text(", so there is nothing to review for now.")
}

pub fn verified_reply(learner: &str, module: &str, graduated: bool) -> Message {
    let msg = Message::new()
        .text("Verified ")
        .strong(module)
        .text(" for ")
        .user(learner)
        .text(".");
    if graduated {
        msg.text(" That was their capstone: they have graduated. 🎓")
    } else {
        msg
    }
}

/// With the bot's public address the badge page is a link; without it, `/badges` lists it.
pub fn verified_dm(
    module: &str,
    badge: Option<(&Uuid, &str)>,
    public_url: Option<&str>,
) -> Message {
    let msg = Message::new()
        .text("✅ Your milestone ")
        .strong(module)
        .text(" is verified. Well done!");
    match badge {
        Some((id, name)) => {
            let msg = msg.text(" You earned the Open Badge ").strong(name);
            match public_url {
                Some(url) => msg
                    .text(format!(": {url}/badges/{id} (share it anywhere; "))
                    .code("/badges")
                    .text(" lists yours)."),
                None => msg.text("; ").code("/badges").text(" lists yours."),
            }
        }
        None => msg,
    }
}

pub fn celebration(learner: &Member, module: &str, cohort: &str) -> Message {
    Message::new()
        .text("🎉 ")
        .mention(learner.id, &learner.display_name)
        .text(" completed ")
        .strong(module)
        .text(" in ")
        .strong(cohort)
        .text("!")
}

pub fn graduation(learner: &Member, cohort: &str, impact: Impact<'_>) -> Message {
    let msg = Message::new()
        .text("🎓 ")
        .mention(learner.id, &learner.display_name)
        .text(" finished the capstone and graduated from ")
        .strong(cohort)
        .text("! Congratulations!");
    match impact_line(impact) {
        Some(impact) => msg.line().push(impact),
        None => msg,
    }
}

/// "Business impact: saves 12 hours a month · replaced 2 processes · used by 40 people.
/// <note>", or `None` when the capstone says nothing of its impact.
pub fn impact_line(impact: Impact<'_>) -> Option<Message> {
    let mut numbers = Vec::new();
    if let Some(hours) = impact.hours_saved_per_month {
        numbers.push(format!("saves {} a month", count(hours, "hour", "hours")));
    }
    if let Some(processes) = impact.processes_replaced {
        numbers.push(format!(
            "replaced {}",
            count(processes, "process", "processes")
        ));
    }
    if let Some(users) = impact.users_reached {
        numbers.push(format!("used by {}", count(users, "person", "people")));
    }
    if numbers.is_empty() && impact.note.is_none() {
        return None;
    }
    let mut msg = Message::new().text("Business impact: ");
    if !numbers.is_empty() {
        msg = msg.text(numbers.join(" · "));
        if impact.note.is_some() {
            msg = msg.text(". ");
        }
    }
    if let Some(note) = impact.note {
        msg = msg.user(note);
    }
    Some(msg)
}

pub fn mentor_invitation(cohort: &str) -> Message {
    Message::new()
        .text("🎓 You graduated from ")
        .strong(cohort)
        .text(" and are now alumni. Would you help the next cohort? Offer to mentor with ")
        .code("/mentor offer")
        .text(".")
        .line()
        .text("You're in the Alumni circle too (")
        .code("/circle members alumni")
        .text("), and ")
        .code("/alumni join")
        .text(" lists you in the alumni directory, where others find you by skill.")
        .line()
        .text("Will people keep using what you built? Register it with ")
        .code("/tool register <name> <kind> <data> <users>")
        .text(", so it has an owner, a backup and a review.")
}

pub fn changes_reply(learner: &str, module: &str) -> Message {
    Message::new()
        .text("Asked ")
        .user(learner)
        .text(" for changes to ")
        .strong(module)
        .text(".")
}

pub fn changes_dm(mentor: &str, module: &LadderModule, note: &str) -> Message {
    Message::new()
        .user(mentor)
        .text(" asked for changes to your milestone ")
        .strong(&module.name)
        .text(":")
        .line()
        .user(note)
        .line()
        .text("Resubmit with ")
        .code(format!("/milestone submit {} <evidence url>", module.slug))
        .text(".")
}

pub fn not_your_own() -> Message {
    Message::new().text("You can't verify or review your own milestone; your mentor does that.")
}

pub fn unknown_module(typed: &str, suggestion: Option<&str>) -> Message {
    let msg = Message::new()
        .text("There is no module ")
        .code(preview(typed))
        .text(" on the ladder.");
    match suggestion {
        Some(s) => msg.text(" Did you mean ").code(s).text("?"),
        None => msg.text(" ").code("/progress").text(" lists the modules."),
    }
}

pub fn not_their_mentor(learner: &str) -> Message {
    Message::new()
        .text("Only ")
        .user(learner)
        .text("'s mentors, or a steward, can review their milestones.")
}

pub fn nothing_submitted(learner: &str, module: &str) -> Message {
    Message::new()
        .user(learner)
        .text(" has nothing waiting for review on ")
        .strong(module)
        .text(".")
}

pub fn not_enrolled_in(cohort: &str) -> Message {
    Message::new()
        .text("You're not in ")
        .strong(cohort)
        .text(".")
}

pub fn not_enrolled() -> Message {
    Message::new()
        .text("You're not in a cohort yet, so there is no ladder. ")
        .code("/cohort list")
        .text(" shows them.")
}

pub fn which_cohort(path: &str, slugs: &[String]) -> Message {
    Message::new()
        .text("You're in several cohorts. Say which one, e.g. ")
        .code(format!(
            "/{path} cohort:{}",
            slugs.first().map_or("", String::as_str)
        ))
        .text(".")
}

pub fn no_track(cohort: &str) -> Message {
    Message::new()
        .text("You joined ")
        .strong(cohort)
        .text(" without a track, so there is no ladder. Rejoin with a track: ")
        .code("/cohort join <cohort> track:<track>")
        .text(".")
}

pub fn not_a_link(typed: &str) -> Message {
    Message::new()
        .code(preview(typed))
        .text(" is not a web link. Evidence must be an http:// or https:// link, like ")
        .code("https://example.org/my-flow")
        .text(".")
}
