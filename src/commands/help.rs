//! `/help` and `/help <command>`, generated from the catalog.

use super::catalog::{CATALOG, CommandSpec, Permission, find};
use super::messages;
use crate::render::Message;

/// Every command by topic, one line a topic: its commands' names, so the list fits on a
/// screen (the catalog has over 150 commands). A steward sees theirs marked; anyone else
/// sees only what they may run, and how many more the stewards have.
pub fn overview(steward: bool) -> Message {
    let mut topics: Vec<(&str, Vec<&CommandSpec>)> = Vec::new();
    let mut hidden = 0;
    for command in CATALOG {
        if command.permission == Permission::Steward && !steward {
            hidden += 1;
            continue;
        }
        let topic = command.path.split(' ').next().unwrap_or(command.path);
        match topics.iter_mut().find(|(name, _)| *name == topic) {
            Some((_, commands)) => commands.push(command),
            None => topics.push((topic, vec![command])),
        }
    }
    let mut msg = Message::marked(messages::help_header());
    for (topic, commands) in &topics {
        msg = msg.line().text("  ").code(format!("/{topic}"));
        let subcommands: Vec<String> = commands
            .iter()
            .filter_map(|command| {
                let name = command.path.strip_prefix(topic)?.trim_start();
                let marker = if command.permission == Permission::Steward {
                    messages::HELP_STEWARD_MARKER
                } else {
                    ""
                };
                (!name.is_empty()).then(|| format!("{name}{marker}"))
            })
            .collect();
        // A topic that is also a command (`/checkin`) says what it does first.
        msg = msg.text(" — ");
        if let Some(root) = commands.iter().find(|command| command.path == *topic) {
            msg = msg.push(Message::marked(root.help));
            if root.permission == Permission::Steward {
                msg = msg.text(" ").text(messages::help_steward_only());
            }
            if !subcommands.is_empty() {
                msg = msg.text(" ").text(messages::help_also()).text(" ");
            }
        }
        msg = msg.text(subcommands.join(" · "));
    }
    let footer = if steward {
        messages::help_steward_legend().to_owned()
    } else {
        messages::help_more_for_stewards(hidden)
    };
    msg.line().push(Message::marked(&footer))
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
    // A command that is also a topic (`/me`) lists the topic's commands after its own help,
    // as the overview promises of `/help <topic>`.
    match group(&path) {
        Some(topic) => Some(msg.line().push(topic)),
        None => Some(msg),
    }
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
    fn overview_lists_every_command_by_topic_for_a_steward() {
        let text = render(&overview(true));
        assert!(text.starts_with(messages::help_header()), "{text}");
        for command in CATALOG {
            let topic = command.path.split(' ').next().unwrap();
            let line = text
                .lines()
                .find(|l| l.starts_with(&format!("  `/{topic}` — ")))
                .unwrap_or_else(|| panic!("no line for /{topic}: {text}"));
            let name = command.path[topic.len()..].trim_start();
            let marked = match command.permission {
                Permission::Steward => format!("{name}{}", messages::HELP_STEWARD_MARKER),
                Permission::Member => name.to_owned(),
            };
            assert!(
                name.is_empty() || line.split(" · ").any(|n| n.ends_with(&marked)),
                "{marked} in {line}"
            );
        }
        assert!(text.lines().count() < 50, "one screen: {text}");
        assert!(text.ends_with(messages::help_steward_legend()), "{text}");
    }

    #[test]
    fn a_member_sees_only_what_they_may_run() {
        let text = render(&overview(false));
        let stewards_only = CATALOG
            .iter()
            .filter(|c| c.permission == Permission::Steward)
            .count();
        assert!(!text.contains(messages::HELP_STEWARD_MARKER), "{text}");
        assert!(
            text.ends_with(&messages::help_more_for_stewards(stewards_only)),
            "{text}"
        );
        // `/outbox` has only stewards' commands: no line at all.
        assert!(!text.contains("/outbox"), "{text}");
        assert!(
            text.contains("\n  `/checkin` — Check in for this week"),
            "{text}"
        );
        assert!(text.contains("Also: reply · history"), "{text}");
        assert!(text.contains("\n  `/help` — List"), "{text}");
    }

    #[test]
    fn a_command_that_is_also_a_topic_lists_the_topics_commands() {
        let text = render(&command("me").unwrap());
        assert!(
            text.starts_with(
                "`/me`\nShow your profile, roles and enrollments.\nThe `/me` commands"
            ),
            "{text}"
        );
        assert!(text.contains("`/me timezone"), "{text}");
        assert!(text.contains("`/me name"), "{text}");
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
