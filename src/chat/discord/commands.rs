//! The catalog as Discord application commands, and Discord's command names back to the
//! catalog. Every mapping between the two lives here.
//!
//! Discord cannot run a command that has subcommands, so a catalog command that is also a
//! group (`/me`, `/coc`, `/checkin`) becomes a subcommand of its own group: `/me show`,
//! `/coc show`, `/checkin submit`.

use serde_json::{Value, json};

use crate::commands::catalog::{
    self, CATALOG, CommandSpec, OptionKind, OptionSpec, SESSION_NUMBERS,
};
use crate::commands::forms;
use crate::domain::Role;
use crate::domain::slug::SLUG_MAX;

/// The subcommand name a group's own command gets on Discord.
fn bare_subcommand(group: &str) -> &'static str {
    match group {
        "checkin" => "submit",
        "away" => "start",
        _ => "show",
    }
}

const DESCRIPTION_MAX: usize = 100;
/// Discord's limit on options (and subcommands) per command.
pub const OPTIONS_MAX: usize = 25;
const CHOICES_MAX: usize = 25;

/// Discord application command option types.
mod option_type {
    pub const SUB_COMMAND: u8 = 1;
    pub const STRING: u8 = 3;
    pub const INTEGER: u8 = 4;
    /// Any double between -2^53 and 2^53.
    pub const NUMBER: u8 = 10;
    pub const BOOLEAN: u8 = 5;
    pub const USER: u8 = 6;
    pub const CHANNEL: u8 = 7;
}

/// Text channels a post can go to: guild text and announcement channels.
const POSTABLE_CHANNEL_TYPES: [u8; 2] = [0, 5];

fn has_children(word: &str) -> bool {
    !catalog::subcommands(word).is_empty()
}

/// The catalog command a Discord command (and subcommand) stands for.
pub fn spec_for(name: &str, sub: Option<&str>) -> Option<&'static CommandSpec> {
    match sub {
        None => catalog::find(name).filter(|_| !has_children(name)),
        Some(sub) if sub == bare_subcommand(name) && catalog::find(name).is_some() => {
            catalog::find(name)
        }
        Some(sub) => catalog::find(&format!("{name} {sub}")),
    }
}

/// How a catalog command is typed on Discord, e.g. `me show` for `me`.
pub fn discord_path(spec: &CommandSpec) -> String {
    if !spec.path.contains(' ') && has_children(spec.path) {
        format!("{} {}", spec.path, bare_subcommand(spec.path))
    } else {
        spec.path.to_owned()
    }
}

fn description(text: &str) -> String {
    let text = text.replace('`', "");
    if text.chars().count() <= DESCRIPTION_MAX {
        return text;
    }
    let cut: String = text.chars().take(DESCRIPTION_MAX - 1).collect();
    format!("{cut}…")
}

fn option(spec: &OptionSpec, required: bool) -> Value {
    let mut option = json!({
        "name": spec.name,
        "description": description(spec.help),
        "required": required,
    });
    if spec.kind.autocompletes() {
        option["autocomplete"] = json!(true);
    }
    let kind = match spec.kind {
        OptionKind::Text { max } | OptionKind::Paragraph { max } => text_up_to(&mut option, max),
        OptionKind::Module => text_up_to(&mut option, SLUG_MAX),
        OptionKind::KbEntry => text_up_to(&mut option, catalog::KB_NAME_MAX),
        OptionKind::KbQuery => text_up_to(&mut option, catalog::KB_QUERY_MAX),
        OptionKind::Circle => text_up_to(&mut option, catalog::NAME_MAX),
        OptionKind::Int { min, max } => int_range(&mut option, min, max),
        OptionKind::Hours { max } => {
            option["min_value"] = json!(0);
            option["max_value"] = json!(max);
            option_type::NUMBER
        }
        OptionKind::Session => int_range(&mut option, SESSION_NUMBERS.0, SESSION_NUMBERS.1),
        OptionKind::Bool => option_type::BOOLEAN,
        OptionKind::User => option_type::USER,
        OptionKind::Channel => {
            option["channel_types"] = json!(POSTABLE_CHANNEL_TYPES);
            option_type::CHANNEL
        }
        OptionKind::Cohort | OptionKind::TimeZone => option_type::STRING,
        OptionKind::Role => {
            option["choices"] = choices(Role::ALL.iter().map(|r| r.as_str()));
            option_type::STRING
        }
        OptionKind::Choice(values) => {
            option["choices"] = choices(values.iter().copied());
            option_type::STRING
        }
        OptionKind::Date | OptionKind::DateTime | OptionKind::Duration => option_type::STRING,
    };
    option["type"] = json!(kind);
    option
}

fn text_up_to(option: &mut Value, max: usize) -> u8 {
    option["max_length"] = json!(max.min(6000));
    option_type::STRING
}

fn int_range(option: &mut Value, min: i64, max: i64) -> u8 {
    option["min_value"] = json!(min);
    option["max_value"] = json!(max);
    option_type::INTEGER
}

fn choices<'a>(values: impl Iterator<Item = &'a str>) -> Value {
    values
        .take(CHOICES_MAX)
        .map(|v| json!({ "name": v, "value": v }))
        .collect()
}

/// Discord wants required options first; the catalog's order is kept otherwise. An option
/// a form fills in is optional here: leaving it out opens the form.
fn options(spec: &CommandSpec) -> Vec<Value> {
    let required = |o: &OptionSpec| o.required && !forms::filled_by_form(spec.id, o.name);
    let (first, rest): (Vec<&OptionSpec>, Vec<&OptionSpec>) =
        spec.options.iter().partition(|o| required(o));
    first
        .into_iter()
        .chain(rest)
        .map(|o| option(o, required(o)))
        .collect()
}

/// The body of a bulk overwrite (`PUT /applications/{id}[/guilds/{id}]/commands`).
pub fn registration() -> Vec<Value> {
    let mut words: Vec<&str> = CATALOG
        .iter()
        .filter_map(|c| c.path.split(' ').next())
        .collect();
    words.sort_unstable();
    words.dedup();
    words
        .into_iter()
        .map(|word| {
            let own = catalog::find(word);
            let children: Vec<&CommandSpec> = catalog::subcommands(word)
                .into_iter()
                .filter_map(|sub| catalog::find(&format!("{word} {sub}")))
                .collect();
            let mut command = json!({ "name": word, "type": 1, "dm_permission": false });
            if children.is_empty() {
                let spec = own.expect("a word with no children is a command");
                command["description"] = json!(description(spec.help));
                command["options"] = json!(options(spec));
                return command;
            }
            command["description"] = json!(description(
                &own.map(|s| s.help.to_owned())
                    .unwrap_or_else(|| format!("{word} commands")),
            ));
            let mut subs: Vec<Value> = Vec::new();
            if let Some(spec) = own {
                subs.push(subcommand(bare_subcommand(word), spec));
            }
            for spec in children {
                let name = spec.path.rsplit(' ').next().unwrap_or(spec.path);
                subs.push(subcommand(name, spec));
            }
            command["options"] = json!(subs);
            command
        })
        .chain(std::iter::once(save_to_kb()))
        .collect()
}

/// Message command types: a context-menu entry on a message (no description, no options).
const MESSAGE_COMMAND: u8 = 3;

/// "Save to knowledge base" in a message's Apps menu: opens the add form filled with it.
fn save_to_kb() -> Value {
    json!({ "name": super::messages::SAVE_TO_KB, "type": MESSAGE_COMMAND, "dm_permission": false })
}

fn subcommand(name: &str, spec: &CommandSpec) -> Value {
    json!({
        "type": option_type::SUB_COMMAND,
        "name": name,
        "description": description(spec.help),
        "options": options(spec),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_name(name: &str) -> bool {
        (1..=32).contains(&name.chars().count())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    }

    fn check_options(path: &str, options: &[Value]) {
        assert!(options.len() <= OPTIONS_MAX, "{path}: too many options");
        let mut seen_optional = false;
        let mut names = std::collections::HashSet::new();
        for option in options {
            let name = option["name"].as_str().unwrap();
            assert!(valid_name(name), "{path}: option name {name}");
            assert!(names.insert(name), "{path}: duplicate {name}");
            let desc = option["description"].as_str().unwrap();
            assert!((1..=DESCRIPTION_MAX).contains(&desc.chars().count()));
            if option["type"] == option_type::SUB_COMMAND {
                check_options(
                    &format!("{path} {name}"),
                    option["options"].as_array().unwrap(),
                );
                continue;
            }
            let required = option["required"].as_bool().unwrap();
            assert!(
                !(required && seen_optional),
                "{path}: required {name} after optional"
            );
            seen_optional |= !required;
            if let Some(choices) = option["choices"].as_array() {
                assert!(choices.len() <= CHOICES_MAX);
            }
        }
    }

    #[test]
    fn the_whole_catalog_registers_within_discord_limits() {
        let commands = registration();
        assert!(commands.len() <= 100);
        let mut names = std::collections::HashSet::new();
        for command in &commands {
            let name = command["name"].as_str().unwrap();
            if command["type"] == MESSAGE_COMMAND {
                assert!((1..=32).contains(&name.chars().count()), "{name}");
                assert!(names.insert(name));
                continue;
            }
            assert!(valid_name(name), "{name}");
            assert!(names.insert(name));
            let desc = command["description"].as_str().unwrap();
            assert!(
                (1..=DESCRIPTION_MAX).contains(&desc.chars().count()),
                "{name}"
            );
            check_options(name, command["options"].as_array().unwrap());
        }
    }

    #[test]
    fn every_catalog_command_maps_there_and_back() {
        for spec in CATALOG {
            let path = discord_path(spec);
            let mut words = path.split(' ');
            let (name, sub) = (words.next().unwrap(), words.next());
            let back = spec_for(name, sub).unwrap_or_else(|| panic!("{path}"));
            assert_eq!(back.id, spec.id, "{path}");
        }
        assert_eq!(discord_path(catalog::find("me").unwrap()), "me show");
        assert_eq!(
            discord_path(catalog::find("checkin").unwrap()),
            "checkin submit"
        );
        assert_eq!(discord_path(catalog::find("help").unwrap()), "help");
        assert!(spec_for("me", None).is_none());
    }

    #[test]
    fn option_kinds_map_to_discord_types() {
        let checkin = registration()
            .into_iter()
            .find(|c| c["name"] == "checkin")
            .unwrap();
        let submit = &checkin["options"][0];
        assert_eq!(submit["name"], "submit");
        assert_eq!(
            submit["options"][0],
            json!({ "name": "confidence", "description": "how confident you feel, 1 (stuck) to 5 (flying)",
                    "required": true, "type": 4, "min_value": 1, "max_value": 5 })
        );
        let cohort = submit["options"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == "cohort")
            .unwrap();
        assert_eq!(cohort["autocomplete"], true);
        let grant = registration()
            .into_iter()
            .find(|c| c["name"] == "role")
            .unwrap();
        assert_eq!(
            grant["options"][0]["options"][1]["choices"]
                .as_array()
                .unwrap()
                .len(),
            7
        );
    }
}
