//! The one binder: option or field text from any platform (Discord options, a modal's
//! fields, Slack view state) to typed arguments, converted as the shell converts typed text
//! and refused with the same messages.

use super::catalog::CommandSpec;
use super::messages;
use super::value::{Args, convert};
use crate::render::Message;

/// Why one value could not be bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    UnknownOption,
    Missing,
    Invalid(Message),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindError {
    pub field: String,
    pub problem: Problem,
}

impl BindError {
    /// Said next to the field in a form.
    pub fn for_field(&self) -> Message {
        match &self.problem {
            Problem::UnknownOption => messages::form::no_such_field(&self.field),
            Problem::Missing => messages::form::fill_in(&self.field),
            Problem::Invalid(message) => message.clone(),
        }
    }

    /// Said as a reply to a command: with its usage line.
    pub fn for_command(&self, spec: &CommandSpec) -> Message {
        match &self.problem {
            Problem::UnknownOption => messages::unknown_option(spec.path, &self.field, None),
            Problem::Missing => {
                let option = spec.options.iter().find(|o| o.name == self.field);
                let choices = option.map_or(&[][..], |o| o.choices());
                messages::missing_option(&self.field, choices, &spec.usage())
            }
            Problem::Invalid(message) => messages::invalid_value(&spec.usage(), message),
        }
    }
}

/// Binds `raw` (name, text) pairs to `spec`'s options. Blank values of optional options
/// count as absent, as an empty form field is. Every problem is reported, in option order.
pub fn bind(spec: &'static CommandSpec, raw: &[(&str, &str)]) -> Result<Args, Vec<BindError>> {
    let mut errors: Vec<BindError> = raw
        .iter()
        .filter(|(name, _)| spec.option(name).is_none())
        .map(|(name, _)| BindError {
            field: (*name).to_owned(),
            problem: Problem::UnknownOption,
        })
        .collect();
    let mut args = Args::default();
    for option in spec.options {
        let given = raw
            .iter()
            .find(|(name, _)| *name == option.name)
            .map(|(_, text)| *text)
            .filter(|text| option.required || !text.trim().is_empty());
        match given {
            Some(text) => match convert(option, text) {
                Ok(value) => args.0.push((option.name, value)),
                Err(message) => errors.push(BindError {
                    field: option.name.to_owned(),
                    problem: Problem::Invalid(message),
                }),
            },
            None if option.required => errors.push(BindError {
                field: option.name.to_owned(),
                problem: Problem::Missing,
            }),
            None => {}
        }
    }
    if errors.is_empty() {
        Ok(args)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::Value;
    use crate::commands::catalog::{CommandId, spec};

    #[test]
    fn fields_bind_like_typed_options() {
        let checkin = spec(CommandId::Checkin);
        let args = bind(
            checkin,
            &[
                ("progress", "flows\nand tables"),
                ("blockers", "  "),
                ("confidence", "4"),
                ("hours", ""),
            ],
        )
        .unwrap();
        assert_eq!(args.int("confidence"), Some(4));
        assert_eq!(args.text("progress"), Some("flows\nand tables"));
        assert_eq!(args.get("blockers"), None);
        assert_eq!(args.get("hours"), None);

        let errors = bind(
            checkin,
            &[("progress", "x"), ("confidence", "9"), ("hours", "500")],
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["confidence", "hours"]);
        let said = crate::render::plain::render(&errors[0].for_command(checkin));
        assert!(said.contains("usage"), "{said}");

        let errors = bind(checkin, &[("confidence", "3"), ("colour", "red")]).unwrap_err();
        assert_eq!(errors[0].problem, Problem::UnknownOption);
        assert_eq!(errors[1].field, "progress");
        let said = crate::render::plain::render(&errors[1].for_field());
        assert_eq!(said, "Please fill in progress.");

        let grant = spec(CommandId::RoleGrant);
        let args = bind(
            grant,
            &[("user", "222000000000000002"), ("role", "lead_mentor")],
        )
        .unwrap();
        assert_eq!(
            args.get("user"),
            Some(&Value::User("222000000000000002".into()))
        );
    }
}
