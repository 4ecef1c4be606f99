//! Discord's command options and form fields as catalog arguments, converted exactly as
//! typed text is.

use serenity::model::application::{
    ActionRowComponent, CommandDataOption, CommandDataOptionValue, CommandInteraction,
    ModalInteraction,
};

use super::commands::spec_for;
use super::messages;
use crate::commands::Args;
use crate::commands::bind::bind;
use crate::commands::catalog::CommandSpec;
use crate::render::Message;

/// The catalog command and its options for a slash command (or its autocomplete).
pub(super) fn resolve(
    command: &CommandInteraction,
) -> Result<(&'static CommandSpec, &[CommandDataOption]), Message> {
    let name = command.data.name.as_str();
    let (sub, options) = match command.data.options.first() {
        Some(CommandDataOption {
            name,
            value: CommandDataOptionValue::SubCommand(options),
            ..
        }) => (Some(name.as_str()), options.as_slice()),
        _ => (None, command.data.options.as_slice()),
    };
    spec_for(name, sub)
        .map(|spec| (spec, options))
        .ok_or_else(|| {
            messages::unknown_command(format!("{name} {}", sub.unwrap_or("")).trim_end())
        })
}

pub(super) fn raw_value(value: &CommandDataOptionValue) -> Option<String> {
    Some(match value {
        CommandDataOptionValue::String(s) => s.clone(),
        CommandDataOptionValue::Integer(i) => i.to_string(),
        CommandDataOptionValue::Number(n) => n.to_string(),
        CommandDataOptionValue::Boolean(b) => b.to_string(),
        CommandDataOptionValue::User(id) => id.to_string(),
        CommandDataOptionValue::Channel(id) => id.to_string(),
        CommandDataOptionValue::Autocomplete { value, .. } => value.clone(),
        _ => return None,
    })
}

/// Option text to typed values through the shared binder; the first problem is the reply.
pub(super) fn args_for(
    spec: &'static CommandSpec,
    raw: &[(String, String)],
) -> Result<Args, crate::render::Message> {
    let pairs: Vec<(&str, &str)> = raw.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    bind(spec, &pairs).map_err(|errors| errors[0].for_command(spec))
}

pub(super) fn modal_fields(modal: &ModalInteraction) -> Vec<(String, String)> {
    modal
        .data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|component| match component {
            ActionRowComponent::InputText(input) => Some((
                input.custom_id.clone(),
                input.value.clone().unwrap_or_default(),
            )),
            _ => None,
        })
        .collect()
}
