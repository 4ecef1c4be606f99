//! What `/relink` says.

use crate::render::Message;

pub fn unknown(typed: &str, suggestion: Option<&str>) -> Message {
    let msg = Message::new().text("I know no member ").user(typed).text(
        " on this platform. Give the name the bot shows for them, or their old account's id.",
    );
    match suggestion {
        Some(s) => msg.text(" Did you mean ").user(s).text("?"),
        None => msg,
    }
}

pub fn ambiguous(typed: &str, ids: &[&str]) -> Message {
    Message::new()
        .text("Several members are called ")
        .user(typed)
        .text("; give the old account's id instead: ")
        .code(ids.join(", "))
        .text(".")
}

pub fn same_account(name: &str) -> Message {
    Message::new()
        .user(name)
        .text(" already uses that account. Nothing to do.")
}

pub fn new_account_has_history(name: &str, tables: &[String]) -> Message {
    Message::new()
        .text("The new account (")
        .user(name)
        .text(") has a history of its own already (")
        .text(tables.join(", "))
        .text("), so relinking would merge two histories, and I won't choose between them. Ask them which to keep; erase the other with ")
        .code("/privacy erase")
        .text(" first, if that's the one to drop.")
}

pub fn relinked(name: &str) -> Message {
    Message::new()
        .text("🔗 ")
        .user(name)
        .text(" now uses the new account. Their check-ins, milestones, badges, roles and everything else came with them; I told them by DM there. Their platform roles follow shortly.")
}

pub fn told_member(by: &str) -> Message {
    Message::new()
        .text("🔗 ")
        .user(by)
        .text(" linked your history to this account: your check-ins, milestones, badges and roles from your previous account are yours here. Type ")
        .code("/me")
        .text(" to see them.")
}
