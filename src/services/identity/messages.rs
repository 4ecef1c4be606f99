//! What a caller is told when the platform cannot say which community or member they are.

use crate::render::Message;

pub fn unknown_guild() -> Message {
    Message::new()
        .text("This server is not set up for cohortbot yet. A steward sets its Discord server id (")
        .code("discord_guild_id")
        .text(") in the program file.")
}

pub fn guild_only() -> Message {
    Message::new().text("Use cohortbot's commands in your community's server, not in DMs.")
}

pub fn dm_ambiguous() -> Message {
    Message::new().text(
        "You're in more than one community here, and this button doesn't say which. Please type the command in your community's server instead.",
    )
}

pub fn workspace_not_connected() -> Message {
    Message::new()
        .text("This Slack workspace is not connected to a cohortbot community yet. A steward can connect it by setting ")
        .code("slack_team_id")
        .text(" on the community in the program file.")
}

pub fn not_a_platform_user() -> Message {
    Message::new().text("I could not tell who you are; please try again.")
}

pub fn shell_name_one_word() -> Message {
    Message::new()
        .text("A shell user name is one word, like ")
        .code("bob")
        .text(".")
}

/// The first DM to someone who opens the bot's page (Slack's App Home) before doing anything.
pub fn welcome() -> Message {
    Message::new()
        .text("Hi! I run this community's cohorts and mentoring. Type ")
        .code("/help")
        .text(" to see what I can do, or ")
        .code("/cohort list")
        .text(" to find a cohort.")
}
