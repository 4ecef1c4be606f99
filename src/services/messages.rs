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
