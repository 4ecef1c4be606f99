//! What the role commands say.

use crate::domain::Role;
use crate::render::Message;

fn scope(msg: Message, cohort: Option<&str>) -> Message {
    match cohort {
        Some(c) => msg.text(" in ").strong(c),
        None => msg,
    }
}

pub fn granted(display_name: &str, role: Role, cohort: Option<&str>) -> Message {
    scope(
        Message::new()
            .user(display_name)
            .text(" is now ")
            .text(role.article())
            .strong(role.noun()),
        cohort,
    )
    .text(".")
}

pub fn already_held(display_name: &str, role: Role, cohort: Option<&str>) -> Message {
    scope(
        Message::new()
            .user(display_name)
            .text(" is already ")
            .text(role.article())
            .strong(role.noun()),
        cohort,
    )
    .text(".")
}

pub fn grant_notice(granter: &str, role: Role, cohort: Option<&str>) -> Message {
    scope(
        Message::new()
            .user(granter)
            .text(" made you ")
            .text(role.article())
            .strong(role.noun()),
        cohort,
    )
    .text(". Type ")
    .code("/help")
    .text(" to see what you can do.")
}

/// A cohort named for the concern handler's role, which is community-wide.
pub fn concern_handler_is_community_wide() -> Message {
    Message::new()
        .text("The ")
        .strong(Role::ConcernHandler.label())
        .text(" role is community-wide: concerns can come from anyone, in any cohort. Grant it again without the ")
        .code("cohort")
        .text(" option.")
}

/// After a concern handler's role is granted: the open concerns' private spaces the bot
/// is adding them to.
pub fn joining_concern_spaces(display_name: &str, numbers: &[i32]) -> Message {
    Message::new()
        .text("\nThe bot is adding ")
        .user(display_name)
        .text(" to ")
        .text(concern_spaces(numbers))
        .text(".")
}

/// "the private space of concern #1", "the private spaces of concerns #1 and #2".
fn concern_spaces(numbers: &[i32]) -> String {
    let listed: Vec<String> = numbers.iter().map(|n| format!("#{n}")).collect();
    let spaces = if numbers.len() == 1 {
        "the private space of concern "
    } else {
        "the private spaces of concerns "
    };
    format!("{spaces}{}", crate::render::and_list(&listed))
}

/// After a concern handler's role is revoked: the open concerns' private spaces the bot
/// put them in, which it is taking them out of.
pub fn leaving_concern_spaces(display_name: &str, numbers: &[i32]) -> Message {
    Message::new()
        .text("\nThe bot is taking ")
        .user(display_name)
        .text(" out of ")
        .text(concern_spaces(numbers))
        .text(".")
}

/// After a concern handler's role is revoked: the open concerns' private spaces they may
/// be in without the bot having put them there (by hand, or before it kept track), which
/// only someone on the platform can take them out of.
pub fn maybe_in_concern_spaces(display_name: &str, numbers: &[i32]) -> Message {
    Message::new()
        .text("\n")
        .user(display_name)
        .text(" may be in ")
        .text(concern_spaces(numbers))
        .text(" without the bot having added them: if so, remove them there.")
}

pub fn revoked(display_name: &str, role: Role, cohort: Option<&str>) -> Message {
    scope(
        Message::new()
            .user(display_name)
            .text(" is no longer ")
            .text(role.article())
            .strong(role.noun()),
        cohort,
    )
    .text(".")
}

pub fn not_held(display_name: &str, role: Role, cohort: Option<&str>) -> Message {
    scope(
        Message::new()
            .user(display_name)
            .text(" is not ")
            .text(role.article())
            .strong(role.noun()),
        cohort,
    )
    .text(", so there is nothing to revoke.")
}

pub fn revoke_notice(role: Role, cohort: Option<&str>) -> Message {
    scope(
        Message::new()
            .text("You are no longer ")
            .text(role.article())
            .strong(role.noun()),
        cohort,
    )
    .text(". Thank you for everything you did.")
}

pub fn last_steward() -> Message {
    Message::new().text("You're the last steward. Grant the role to someone else first, so the community keeps one.")
}
