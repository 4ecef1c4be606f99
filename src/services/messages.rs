//! Messages shared by every service.

use crate::domain::text::preview;
use crate::render::Message;

pub fn internal_error() -> Message {
    Message::new().text(
        "Sorry, something went wrong on my side. It has been logged; please try again in a moment.",
    )
}

pub fn stewards_only(command: &str) -> Message {
    Message::new()
        .text("Sorry, only stewards can use ")
        .code(format!("/{command}"))
        .text(".")
}

pub fn no_such_help(path: &str) -> Message {
    Message::new()
        .text("There is no command ")
        .code(format!("/{}", preview(path)))
        .text(". Type ")
        .code("/help")
        .text(" to see them all.")
}

pub fn unknown_cohort(typed: &str, suggestion: Option<&str>) -> Message {
    let msg = Message::new()
        .text("I don't know a cohort called ")
        .code(preview(typed))
        .text(" here.");
    match suggestion {
        Some(s) => msg.text(" Did you mean ").code(s).text("?"),
        None => msg
            .text(" Type ")
            .code("/cohort list")
            .text(" to see them."),
    }
}

/// A post to a cohort that has nowhere to post is refused before anything is recorded.
pub fn cohort_has_no_channel(name: &str, slug: &str) -> Message {
    Message::new()
        .strong(name)
        .text(" has no channel yet, so nobody would see that post. A steward can give it one with ")
        .code(format!("/cohort set {slug} channel:#…"))
        .text(".")
}

pub fn cohort_archived(name: &str) -> Message {
    Message::new()
        .strong(name)
        .text(" is archived: it takes no new members, sessions or schedules.")
}

pub fn unknown_member(typed: &str, suggestion: Option<&str>) -> Message {
    let msg = Message::new()
        .text("I don't know a member ")
        .code(format!("@{}", preview(typed)))
        .text(" in this community.");
    match suggestion {
        Some(s) => msg.text(" Did you mean ").code(format!("@{s}")).text("?"),
        None => msg,
    }
}

pub fn already_handled() -> Message {
    Message::new().text("I already handled this request.")
}
