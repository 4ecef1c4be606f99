//! What `/circle` says, and the circles' prompts and intros.

use crate::render::{ActionKind, Message, count};
use crate::store::circles::{Circle, CircleMember};
use crate::store::members::Member;

fn visibility_label(visibility: &str) -> &'static str {
    match visibility {
        "private" => "private: leads approve who joins",
        "secret" => "secret: by invitation",
        _ => "public",
    }
}

pub fn unknown_circle(typed: &str, suggestion: Option<&str>) -> Message {
    crate::services::messages::unknown_named("circle", typed, suggestion, "/circle list")
}

pub fn no_circles() -> Message {
    Message::new()
        .text("This community has no circles yet. A steward can start one with ")
        .code("/circle create")
        .text(".")
}

/// Before the page number and colon.
pub fn list_header(community: &str) -> Message {
    Message::new()
        .text("Circles of practice in ")
        .strong(community)
}

pub fn circle_line(circle: &Circle) -> Message {
    let mut msg = Message::new()
        .text("• ")
        .strong(&circle.name)
        .text(" (")
        .code(&circle.slug)
        .text(format!(
            ") · {} · {}",
            visibility_label(&circle.visibility),
            count(circle.members, "member", "members")
        ));
    msg = match (circle.role.as_deref(), circle.invite.as_deref()) {
        (Some("lead"), _) => msg.text(" ← you lead it"),
        (Some(_), _) => msg.text(" ← you're in"),
        (None, Some("request")) => msg.text(" ← you asked to join"),
        (None, Some(_)) => msg.text(" ← you're invited"),
        (None, None) => msg,
    };
    if !circle.description.is_empty() {
        msg = msg.line().text("  ").user(&circle.description);
    }
    msg
}

pub fn list_footer() -> Message {
    Message::new()
        .text("Join one with ")
        .code("/circle join <circle>")
        .text("; see who is in it with ")
        .code("/circle members <circle>")
        .text(".")
}

pub fn already_in(circle: &Circle) -> Message {
    Message::new()
        .text("You are already in ")
        .strong(&circle.name)
        .text(". To leave it, type ")
        .code(format!("/circle leave {}", circle.slug))
        .text(".")
}

pub fn invitation_only(name: &str) -> Message {
    Message::new()
        .strong(name)
        .text(" is by invitation only: ask one of its leads to invite you.")
}

pub fn already_asked(name: &str) -> Message {
    Message::new()
        .text("You already asked to join ")
        .strong(name)
        .text(": you will get a DM when a lead answers.")
}

pub fn nobody_to_ask(name: &str) -> Message {
    Message::new()
        .strong(name)
        .text(" is private and has no leads or stewards to approve you yet. Please ask a steward.")
}

pub fn asked_to_join(name: &str, deciders: &[&str]) -> Message {
    Message::new()
        .strong(name)
        .text(" is private, so I asked ")
        .user(deciders.join(", "))
        .text(" to let you in. You will get a DM with their answer.")
}

/// The DM to a private circle's leads, with buttons that answer it.
pub fn join_request(circle: &Circle, name: &str, handle: &str) -> Message {
    Message::new()
        .text("🙋 ")
        .user(name)
        .text(" asks to join ")
        .strong(&circle.name)
        .text(".")
        .line()
        .text("Approve with ")
        .code(format!("/circle approve {} @{handle}", circle.slug))
        .text(" or decline with ")
        .code(format!("/circle decline {} @{handle}", circle.slug))
        .text(".")
        .action(
            "Approve",
            ActionKind::CircleRequest {
                circle: circle.slug.clone(),
                handle: handle.to_owned(),
                approve: true,
            },
        )
        .action(
            "Decline",
            ActionKind::CircleRequest {
                circle: circle.slug.clone(),
                handle: handle.to_owned(),
                approve: false,
            },
        )
}

pub fn joined(circle: &Circle) -> Message {
    let msg = Message::new()
        .text("Welcome to ")
        .strong(&circle.name)
        .text("!");
    match &circle.channel {
        Some(channel) => msg.text(" Say hello in ").channel(channel).text("."),
        None => msg,
    }
}

pub fn welcome_post(circle: &str, name: &str) -> Message {
    Message::new()
        .text("👋 ")
        .user(name)
        .text(" joined ")
        .strong(circle)
        .text(".")
}

pub fn left(name: &str, last_lead: bool) -> Message {
    let msg = Message::new().text("You left ").strong(name).text(".");
    if last_lead {
        msg.text(" You were its last lead: a steward can name a new one with ")
            .code("/circle lead <circle> @someone")
            .text(".")
    } else {
        msg
    }
}

pub fn request_withdrawn(name: &str) -> Message {
    Message::new()
        .text("I withdrew your request to join ")
        .strong(name)
        .text(".")
}

pub fn invitation_declined(name: &str) -> Message {
    Message::new()
        .text("I declined your invitation to ")
        .strong(name)
        .text(" for you.")
}

pub fn not_in(name: &str) -> Message {
    Message::new()
        .text("You are not in ")
        .strong(name)
        .text(", so there is nothing to leave.")
}

pub fn members_hidden(name: &str) -> Message {
    Message::new()
        .strong(name)
        .text(" is private: only its members see who is in it.")
}

pub fn no_members(circle: &Circle) -> Message {
    Message::new()
        .strong(&circle.name)
        .text(" has nobody in it yet. Join with ")
        .code(format!("/circle join {}", circle.slug))
        .text(".")
}

/// Before the page number and colon.
pub fn members_header(circle: &Circle) -> Message {
    Message::new().text("Who is in ").strong(&circle.name)
}

pub fn member_line(person: &CircleMember) -> Message {
    let msg = Message::new().text("• ").user(&person.display_name);
    if person.role == "lead" {
        msg.text(" (lead)")
    } else {
        msg
    }
}

pub fn invalid_circle_id(reason: &str) -> Message {
    Message::new()
        .text("That circle id won't work: ")
        .text(reason)
}

pub fn circle_exists(slug: &str) -> Message {
    Message::new()
        .text("A circle with the id ")
        .code(slug)
        .text(" exists already. Pick another id, or see it with ")
        .code(format!("/circle members {slug}"))
        .text(".")
}

pub fn created(name: &str, slug: &str, visibility: &str, lead: Option<&Member>) -> Message {
    let msg = Message::new()
        .text("Created ")
        .strong(name)
        .text(" (")
        .code(slug)
        .text(format!("), {}.", visibility_label(visibility)));
    match lead {
        Some(lead) => msg.text(" Its lead is ").user(&lead.display_name).text("."),
        None => msg,
    }
}

pub fn made_lead(name: &str, slug: &str) -> Message {
    Message::new()
        .text("You now lead ")
        .strong(name)
        .text(". Invite people with ")
        .code(format!("/circle invite {slug} @someone"))
        .text("; requests to join come to you by DM.")
}

pub fn no_channel(name: &str) -> Message {
    Message::new()
        .strong(name)
        .text(" has no channel to announce a session in. A steward can give it one in the program file (`channel = \"…\"`).")
}

pub fn already_leads(person: &str, circle: &str) -> Message {
    Message::new()
        .user(person)
        .text(" already leads ")
        .strong(circle)
        .text(".")
}

pub fn now_leads(person: &str, circle: &str) -> Message {
    Message::new()
        .text("⭐ ")
        .user(person)
        .text(" now leads ")
        .strong(circle)
        .text(". I told them.")
}

pub fn leads_only(name: &str) -> Message {
    Message::new()
        .text("Sorry, only the leads of ")
        .strong(name)
        .text(" (and stewards) can do that.")
}

pub fn they_are_in(person: &str, circle: &str) -> Message {
    Message::new()
        .user(person)
        .text(" is already in ")
        .strong(circle)
        .text(".")
}

pub fn invited(person: &str, circle: &str) -> Message {
    Message::new()
        .text("I invited ")
        .user(person)
        .text(" to ")
        .strong(circle)
        .text(": they get a DM with a Join button.")
}

pub fn invitation(circle: &Circle, by: &str) -> Message {
    let mut msg = Message::new()
        .text("✉️ ")
        .user(by)
        .text(" invites you to join ")
        .strong(&circle.name)
        .text(".");
    if !circle.description.is_empty() {
        msg = msg.line().user(&circle.description);
    }
    msg.line()
        .text("Join with ")
        .code(format!("/circle join {}", circle.slug))
        .text(", or say no with ")
        .code(format!("/circle leave {}", circle.slug))
        .text(".")
        .action(
            "Join",
            ActionKind::CircleJoin {
                circle: circle.slug.clone(),
            },
        )
}

pub fn not_a_request(person: &str, circle: &str) -> Message {
    Message::new()
        .user(person)
        .text(" was invited to ")
        .strong(circle)
        .text(" and joins with their own Join button; there is no request to answer.")
}

pub fn no_request(person: &str, circle: &str) -> Message {
    Message::new()
        .text("There is no open request from ")
        .user(person)
        .text(" to join ")
        .strong(circle)
        .text(".")
}

/// Who answered a request, when it was the caller.
pub const BY_YOU: &str = "you";
/// Who answered a request, when their name is gone (erased).
pub const BY_ANOTHER_LEAD: &str = "another lead";

pub fn request_approved_already(person: &str, circle: &str, by: &str) -> Message {
    Message::new()
        .user(person)
        .text(" is already in ")
        .strong(circle)
        .text(": ")
        .user(by)
        .text(" let them in.")
}

pub fn request_declined_already(person: &str, circle: &str, by: &str) -> Message {
    Message::new()
        .user(person)
        .text("'s request to join ")
        .strong(circle)
        .text(" was already declined by ")
        .user(by)
        .text(", and they were told.")
}

pub fn request_was_withdrawn(person: &str, circle: &str) -> Message {
    Message::new()
        .user(person)
        .text(" withdrew their request to join ")
        .strong(circle)
        .text(", so there is nothing to answer.")
}

pub fn approved(person: &str, circle: &str) -> Message {
    Message::new()
        .text("✅ ")
        .user(person)
        .text(" is now in ")
        .strong(circle)
        .text(". I told them.")
}

pub fn approved_dm(circle: &Circle, by: &str) -> Message {
    let msg = Message::new()
        .text("✅ ")
        .user(by)
        .text(" let you into ")
        .strong(&circle.name)
        .text(".");
    match &circle.channel {
        Some(channel) => msg.text(" Say hello in ").channel(channel).text("."),
        None => msg,
    }
}

pub fn declined(person: &str, circle: &str) -> Message {
    Message::new()
        .text("Declined ")
        .user(person)
        .text("'s request to join ")
        .strong(circle)
        .text(". I told them.")
}

pub fn declined_dm(circle: &str) -> Message {
    Message::new()
        .text("Your request to join ")
        .strong(circle)
        .text(" was not accepted this time. A steward can tell you more.")
}

/// The weekly conversation prompt, in the circle's channel.
pub fn prompt_post(circle: &str, prompt: &str) -> Message {
    Message::new()
        .text("💬 ")
        .strong(circle)
        .text(": this week's conversation")
        .line()
        .user(prompt)
}

/// An intro DM: who to meet, and why the scorer paired them.
pub fn intro_dm(
    circle: &str,
    other: (uuid::Uuid, &str),
    shared: &[&str],
    overlap_hours: Option<u32>,
) -> Message {
    let mut msg = Message::new()
        .text("👋 An intro from ")
        .strong(circle)
        .text(": meet ")
        .mention(other.0, other.1)
        .text(".");
    if !shared.is_empty() {
        msg = msg
            .line()
            .text("You both know ")
            .user(shared.join(", "))
            .text(".");
    }
    if let Some(hours) = overlap_hours {
        msg = msg.line().text(format!(
            "Your working days overlap by {}.",
            count(i64::from(hours), "hour", "hours")
        ));
    }
    msg.line()
        .text("Send them a message and find half an hour to compare notes.")
}
