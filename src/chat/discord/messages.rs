//! What the Discord adapter itself says (to members, and in dead-letter reasons).

use crate::render::Message;

/// The message context command (a message's **Apps** menu) that opens the knowledge-base
/// form filled with the message.
pub const SAVE_TO_KB: &str = "Save to knowledge base";

/// A form's context did not fit in Discord's 100-character id.
pub fn form_context_too_long() -> Message {
    Message::new()
        .text("Those options don't fit in a form. Give the title and the text in the command itself, like ")
        .code("/kb add faq title:… body:…")
        .text(".")
}

/// The buttons under a yes/no question.
pub fn unknown_channel(channel: &str) -> String {
    format!(
        "no Discord channel for `{channel}`: use the channel id as the cohort's channel, or map the name in [discord.channels]"
    )
}

pub fn no_fallback_channel(member: &str, channel: Option<&str>) -> String {
    match channel {
        Some(channel) => format!(
            "{member}'s DMs are closed and their cohort channel `{channel}` has no Discord id ([discord.channels])"
        ),
        None => format!("{member}'s DMs are closed and they are in no cohort with a channel"),
    }
}

pub fn not_a_discord_user(id: &str) -> String {
    format!("`{id}` is not a Discord user id")
}

pub fn community_without_guild() -> String {
    "the community has no Discord guild (discord_guild_id in the program file)".to_owned()
}

pub fn not_a_discord_member(member: &str, platform: &str) -> String {
    format!("{member} is a {platform} member, not a Discord one")
}

/// A form whose id is forged or from an older version of the bot.
pub fn form_expired() -> Message {
    Message::new()
        .text("This form is no longer valid, so nothing was changed. Please run the command again.")
}

pub fn expired() -> Message {
    Message::new()
        .text("This button has expired. Type the command instead, e.g. ")
        .code("/checkin")
        .text(".")
}

pub fn unknown_command(name: &str) -> Message {
    Message::new()
        .text("I don't know the command ")
        .code(format!("/{name}"))
        .text(" (the server's command list may be out of date). Try ")
        .code("/help")
        .text(".")
}

pub fn unsupported() -> Message {
    Message::new().text("cohortbot doesn't handle that kind of interaction.")
}

pub fn kept() -> Message {
    Message::new().text("OK, nothing changed.")
}
