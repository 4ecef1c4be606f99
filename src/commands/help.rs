//! `/help` and `/help <command>`, generated from the catalog.

use super::catalog::{CATALOG, CommandSpec, Permission, find};
use super::messages;
use crate::render::Message;

pub fn overview() -> Message {
    CATALOG
        .iter()
        .fold(Message::marked(messages::help_header()), listed)
}

/// `msg` with a line for `command`: its usage, its help, and who may use it.
fn listed(msg: Message, command: &CommandSpec) -> Message {
    let msg = msg
        .line()
        .text("  ")
        .code(command.usage())
        .text(" — ")
        .push(Message::marked(command.help));
    if command.permission == Permission::Steward {
        msg.text(" ").text(messages::help_steward_only())
    } else {
        msg
    }
}

/// Help for one command, the commands of a group (`/help survey`), or `None` when `path`
/// names neither.
pub fn command(path: &str) -> Option<Message> {
    let path = path.trim().trim_start_matches('/').to_lowercase();
    let Some(command) = find(&path) else {
        return group(&path);
    };
    let mut msg = Message::new()
        .code(command.usage())
        .line()
        .push(Message::marked(command.help));
    if command.permission == Permission::Steward {
        msg = msg.text(" ").text(messages::help_steward_only());
    }
    for option in command.options {
        let need = if option.required {
            "required"
        } else {
            "optional"
        };
        msg = msg
            .line()
            .text("  ")
            .code(option.name)
            .text(format!(" ({need}): "))
            .push(Message::marked(option.help));
    }
    Some(msg)
}

/// The commands whose path starts with the words of `path`, one line each, or `None` when
/// no command does.
fn group(path: &str) -> Option<Message> {
    let prefix = format!("{path} ");
    let mut members = CATALOG
        .iter()
        .filter(|command| !path.is_empty() && command.path.starts_with(&prefix))
        .peekable();
    members.peek()?;
    // `path` is a group of the catalog here, not what the caller typed.
    Some(members.fold(Message::marked(&messages::help_group_header(path)), listed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::plain::render;

    #[test]
    fn overview_lists_every_command() {
        let text = render(&overview());
        for command in CATALOG {
            assert!(text.contains(&command.usage()), "{}", command.path);
        }
    }

    #[test]
    fn command_help_lists_options() {
        let text = render(&command("cohort join").unwrap());
        assert!(text.contains("`track` (optional)"), "{text}");
        assert!(command("nope").is_none());
    }

    #[test]
    fn a_group_lists_its_commands_and_nothing_else() {
        let text = render(&command("/Survey").unwrap());
        let listed: Vec<&str> = text.lines().skip(1).collect();
        let expected: Vec<&CommandSpec> = CATALOG
            .iter()
            .filter(|c| c.path.starts_with("survey "))
            .collect();
        assert_eq!(listed.len(), expected.len(), "{text}");
        for (line, command) in listed.iter().zip(expected) {
            assert!(line.contains(&command.usage()), "{line}");
        }
        assert!(text.starts_with("The `/survey` commands"), "{text}");
        // A word that only begins a group's name, or a blank, is not a group.
        assert!(command("surv").is_none());
        assert!(command(" ").is_none());
    }
}
