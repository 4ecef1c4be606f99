//! The forms platforms show (Discord modals, Slack modals): which command each one runs and
//! its fields. A field's kind, limit and whether it is required come from the command's own
//! option, so a form never invites text the command then refuses, and no adapter keeps a
//! limit of its own.

use super::catalog::{CommandId, OptionKind, OptionSpec, spec};
use super::messages::form as text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormId {
    Checkin,
    Reply,
    MilestoneChanges,
}

#[derive(Debug)]
pub struct FormSpec {
    pub id: FormId,
    /// The command a submit runs; options not in `fields` come from the form's context.
    pub command: CommandId,
    pub title: &'static str,
    pub fields: &'static [FieldSpec],
}

#[derive(Debug)]
pub struct FieldSpec {
    /// The command option this field fills, also the field's id on every platform.
    pub option: &'static str,
    pub label: &'static str,
    pub placeholder: Option<&'static str>,
}

/// How a platform should draw a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Line {
        max: usize,
    },
    Paragraph {
        max: usize,
    },
    /// A few whole numbers: a menu where the platform has one.
    Scale {
        min: i64,
        max: i64,
    },
    Number {
        min: i64,
        max: i64,
    },
}

/// One field, resolved against its command option.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub placeholder: Option<&'static str>,
    pub required: bool,
    pub input: Input,
}

/// Up to this many choices, a whole-number field is a menu.
const SCALE_MAX_CHOICES: i64 = 10;

pub static FORMS: &[FormSpec] = &[
    FormSpec {
        id: FormId::Checkin,
        command: CommandId::Checkin,
        title: text::CHECKIN_TITLE,
        fields: &[
            FieldSpec {
                option: "progress",
                label: text::PROGRESS_LABEL,
                placeholder: Some(text::PROGRESS_PLACEHOLDER),
            },
            FieldSpec {
                option: "confidence",
                label: text::CONFIDENCE_LABEL,
                placeholder: Some(text::CONFIDENCE_PLACEHOLDER),
            },
            FieldSpec {
                option: "blockers",
                label: text::BLOCKERS_LABEL,
                placeholder: None,
            },
            FieldSpec {
                option: "hours",
                label: text::HOURS_LABEL,
                placeholder: None,
            },
            FieldSpec {
                option: "next",
                label: text::PLAN_LABEL,
                placeholder: Some(text::PLAN_PLACEHOLDER),
            },
        ],
    },
    FormSpec {
        id: FormId::Reply,
        command: CommandId::CheckinReply,
        title: text::REPLY_TITLE,
        fields: &[FieldSpec {
            option: "text",
            label: text::REPLY_LABEL,
            placeholder: None,
        }],
    },
    FormSpec {
        id: FormId::MilestoneChanges,
        command: CommandId::MilestoneChanges,
        title: text::CHANGES_TITLE,
        fields: &[FieldSpec {
            option: "note",
            label: text::CHANGES_LABEL,
            placeholder: None,
        }],
    },
];

pub fn form(id: FormId) -> &'static FormSpec {
    FORMS
        .iter()
        .find(|f| f.id == id)
        .expect("every FormId has a FormSpec")
}

impl FormSpec {
    pub fn fields(&'static self) -> impl Iterator<Item = Field> {
        let command = spec(self.command);
        self.fields.iter().map(move |field| {
            let option = command
                .option(field.option)
                .expect("a form field names one of its command's options");
            Field {
                name: option.name,
                label: field.label,
                placeholder: field.placeholder,
                required: option.required,
                input: input_for(option),
            }
        })
    }

    pub fn field_names(&'static self) -> impl Iterator<Item = &'static str> {
        self.fields.iter().map(|f| f.option)
    }
}

fn input_for(option: &OptionSpec) -> Input {
    match option.kind {
        OptionKind::Paragraph { max } => Input::Paragraph { max },
        OptionKind::Int { min, max } if max - min < SCALE_MAX_CHOICES => Input::Scale { min, max },
        OptionKind::Int { min, max } => Input::Number { min, max },
        OptionKind::Text { max } => Input::Line { max },
        other => unreachable!("no form field of kind {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_field_is_an_option_of_its_command() {
        for form in FORMS {
            let fields: Vec<Field> = form.fields().collect();
            assert_eq!(fields.len(), form.fields.len());
        }
        let checkin: Vec<Field> = form(FormId::Checkin).fields().collect();
        assert!(
            matches!(checkin[0].input, Input::Paragraph { max } if max == crate::commands::catalog::PROGRESS_MAX)
        );
        assert!(checkin[0].required);
        assert_eq!(checkin[1].input, Input::Scale { min: 1, max: 5 });
        assert_eq!(checkin[3].input, Input::Number { min: 0, max: 168 });
        assert!(!checkin[3].required);
    }
}
