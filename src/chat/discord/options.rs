//! Discord's command options and form fields as catalog arguments, converted exactly as
//! typed text is.

use serenity::model::application::{
    ActionRowComponent, CommandDataOption, CommandDataOptionValue, CommandInteraction,
    ModalInteraction,
};

use super::commands::spec_for;
use super::messages;
use crate::commands::catalog::CommandSpec;
use crate::commands::{Args, messages as parse_messages, value};
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
        CommandDataOptionValue::Autocomplete { value, .. } => value.clone(),
        _ => return None,
    })
}

/// Option text to typed values with the same conversion the text parser uses; empty
/// optional fields (a blank modal input) count as absent.
pub(super) fn args_for(
    spec: &'static CommandSpec,
    raw: &[(String, String)],
) -> Result<Args, String> {
    let mut args = Args::default();
    for (name, text) in raw {
        let Some(option) = spec.option(name) else {
            return Err(parse_messages::unknown_option(spec.path, name, None));
        };
        if text.trim().is_empty() && !option.required {
            continue;
        }
        let value = value::convert(option, text)
            .map_err(|problem| parse_messages::invalid_value(&spec.usage(), &problem))?;
        args.0.push((option.name, value));
    }
    if let Some(missing) = spec
        .options
        .iter()
        .find(|o| o.required && args.get(o.name).is_none())
    {
        return Err(parse_messages::missing_option(missing.name, &spec.usage()));
    }
    Ok(args)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::Value;
    use crate::commands::catalog::{CommandId, spec};

    fn raw(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn form_fields_convert_like_typed_options() {
        let checkin = spec(CommandId::Checkin);
        let args = args_for(
            checkin,
            &raw(&[
                ("progress", "flows"),
                ("blockers", "  "),
                ("confidence", "4"),
                ("hours", ""),
            ]),
        )
        .unwrap();
        assert_eq!(args.int("confidence"), Some(4));
        assert_eq!(args.text("progress"), Some("flows"));
        assert_eq!(args.get("blockers"), None);
        assert_eq!(args.get("hours"), None);

        let err = args_for(checkin, &raw(&[("progress", "x"), ("confidence", "9")])).unwrap_err();
        assert!(err.contains("confidence"), "{err}");
        let err = args_for(checkin, &raw(&[("progress", "x")])).unwrap_err();
        assert!(err.contains("confidence"), "{err}");
        let err = args_for(checkin, &raw(&[("confidence", "3"), ("colour", "red")])).unwrap_err();
        assert!(err.contains("colour"), "{err}");

        let grant = spec(CommandId::RoleGrant);
        let args = args_for(
            grant,
            &raw(&[("user", "222000000000000002"), ("role", "lead_mentor")]),
        )
        .unwrap();
        assert_eq!(
            args.get("user"),
            Some(&Value::User("222000000000000002".into()))
        );
    }
}
