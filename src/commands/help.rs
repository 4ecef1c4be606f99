//! `/help` and `/help <command>`, generated from the catalog.

use super::catalog::{CATALOG, Permission, find};
use super::messages;
use crate::render::Message;

pub fn overview() -> Message {
    let mut msg = Message::marked(messages::help_header());
    for command in CATALOG {
        msg = msg
            .line()
            .text("  ")
            .code(command.usage())
            .text(" — ")
            .push(Message::marked(command.help));
        if command.permission == Permission::Steward {
            msg = msg.text(" ").text(messages::help_steward_only());
        }
    }
    msg
}

/// Help for one command, or `None` when `path` names no command.
pub fn command(path: &str) -> Option<Message> {
    let path = path.trim().trim_start_matches('/').to_lowercase();
    let command = find(&path)?;
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
}
