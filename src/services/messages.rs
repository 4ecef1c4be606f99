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

/// `suggestion` is the command path nearest to what was typed.
pub fn no_such_help(path: &str, suggestion: Option<&str>) -> Message {
    let msg = Message::new()
        .text("There is no command ")
        .code(format!("/{}", preview(path)))
        .text(".");
    let msg = match suggestion {
        Some(s) => msg
            .text(" Did you mean ")
            .code(format!("/help {s}"))
            .text("?"),
        None => msg,
    };
    msg.text(" Type ").code("/help").text(" to see them all.")
}

pub fn unknown_cohort(typed: &str, suggestion: Option<&str>) -> Message {
    unknown_named("cohort", typed, suggestion, "/cohort list")
}

/// "I don't know a `what` called …": a near miss suggested, else the command that lists
/// them.
pub fn unknown_named(what: &str, typed: &str, suggestion: Option<&str>, list: &str) -> Message {
    let msg = Message::new()
        .text(format!("I don't know a {what} called "))
        .code(preview(typed))
        .text(" here.");
    match suggestion {
        Some(s) => msg.text(" Did you mean ").code(s).text("?"),
        None => msg.text(" Type ").code(list).text(" to see them."),
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

/// `members`: each one's id and platform handle.
pub fn several_members_named(typed: &str, members: &[(uuid::Uuid, &str)]) -> Message {
    let mut msg = Message::new()
        .text("Several members are shown as ")
        .strong(preview(typed))
        .text(". Please name one by their handle: ");
    for (i, (id, handle)) in members.iter().enumerate() {
        if i > 0 {
            msg = msg.text(", ");
        }
        msg = msg.mention(*id, *handle);
    }
    msg.text(".")
}

pub fn already_handled() -> Message {
    Message::new().text("I already handled this request.")
}

/// `page` does not exist: the list has `pages`.
pub fn page_past_end(page: i64, pages: i64) -> Message {
    Message::new().text(format!(
        "There is no page {page}: the list has {}.",
        crate::render::count(pages, "page", "pages")
    ))
}

/// A list's header with ", page 2 of 5" when it has several pages, and a colon.
pub fn paged_header(header: Message, page: i64, pages: i64) -> Message {
    if pages > 1 {
        header.text(format!(", page {page} of {pages}:"))
    } else {
        header.text(":")
    }
}

/// The line that shows how to see the next page: `command` with its `page:` option.
pub fn next_page(command: &str) -> Message {
    Message::new().line().text("More: ").code(command)
}

/// The question a one-word title typed without quotes gets (see
/// [`crate::services::Invocation::title_may_be_cut`]), on a line of its own; the caller
/// adds how to mend it.
pub fn title_may_be_cut(title: &str) -> Message {
    Message::new()
        .line()
        .text("Is your title longer than ")
        .user(title)
        .text("? A title of several words goes in quotes")
}

/// `what` lives on the bot's web address, which it has none of. The address is the
/// operator's setting, not a steward's: the reply says who sets it and that a steward can
/// pass it on, so nobody is sent in a circle.
pub fn no_public_url(what: &str) -> Message {
    Message::new()
        .text(format!(
            "{what} on this bot's web address, and it has none yet. Whoever runs the bot sets "
        ))
        .code("http.public_url")
        .text(" (and ")
        .code("http.listen")
        .text(") in its configuration; a steward can pass this on to them.")
}

/// A button or form that no longer applies (forged, stale, or someone else's).
pub fn button_not_valid() -> Message {
    Message::new().text(
        "That button is no longer valid, so nothing was changed. Please use the newest message from me.",
    )
}
