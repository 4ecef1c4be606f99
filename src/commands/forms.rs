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
    KbAdd,
    KbEdit,
    KbDecide,
    KbAnswer,
    KbSearch,
    PairRequest,
    Feedback,
    SurveyAnswer,
    ApprovalRequest,
    ApprovalReject,
    ToolRegister,
    ConcernReport,
    ConcernReply,
    BadgeIssue,
}

#[derive(Debug)]
pub struct FormSpec {
    pub id: FormId,
    /// The command a submit runs; options not in `fields` come from the form's context.
    pub command: CommandId,
    pub title: &'static str,
    pub fields: &'static [FieldSpec],
    /// Typing the command with none of these fields opens the form, on platforms that
    /// draw forms (`/kb add faq` on Discord or Slack): long text is written in a form.
    pub from_command: bool,
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
        /// A decimal part is allowed (hours).
        decimal: bool,
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
        from_command: false,
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
        from_command: false,
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
        from_command: false,
    },
    FormSpec {
        id: FormId::KbAdd,
        command: CommandId::KbAdd,
        title: text::KB_ADD_TITLE,
        fields: &[KB_TITLE_FIELD, KB_BODY_FIELD, KB_TAGS_FIELD, KB_ID_FIELD],
        from_command: true,
    },
    FormSpec {
        id: FormId::KbEdit,
        command: CommandId::KbEdit,
        title: text::KB_EDIT_TITLE,
        fields: &[KB_TITLE_FIELD, KB_BODY_FIELD, KB_TAGS_FIELD],
        from_command: true,
    },
    FormSpec {
        id: FormId::KbDecide,
        command: CommandId::KbDecide,
        title: text::KB_DECIDE_TITLE,
        fields: &[
            FieldSpec {
                option: "context",
                label: text::KB_CONTEXT_LABEL,
                placeholder: None,
            },
            FieldSpec {
                option: "decision",
                label: text::KB_DECISION_LABEL,
                placeholder: None,
            },
            FieldSpec {
                option: "consequences",
                label: text::KB_CONSEQUENCES_LABEL,
                placeholder: None,
            },
        ],
        from_command: true,
    },
    FormSpec {
        id: FormId::KbAnswer,
        command: CommandId::KbAnswer,
        title: text::KB_ANSWER_TITLE,
        fields: &[FieldSpec {
            option: "text",
            label: text::KB_ANSWER_LABEL,
            placeholder: Some(text::KB_ANSWER_PLACEHOLDER),
        }],
        from_command: true,
    },
    // Opened by a button (the Home's "Search"), never by typing: `/kb search` needs words.
    FormSpec {
        id: FormId::KbSearch,
        command: CommandId::KbSearch,
        title: text::KB_SEARCH_TITLE,
        fields: &[FieldSpec {
            option: "query",
            label: text::KB_SEARCH_LABEL,
            placeholder: Some(text::KB_SEARCH_PLACEHOLDER),
        }],
        from_command: false,
    },
    // Opened by the Home's "Ask for a pairing"; typed, `/pair request` takes the topic.
    FormSpec {
        id: FormId::PairRequest,
        command: CommandId::PairRequest,
        title: text::PAIR_TITLE,
        fields: &[FieldSpec {
            option: "topic",
            label: text::PAIR_TOPIC_LABEL,
            placeholder: Some(text::PAIR_TOPIC_PLACEHOLDER),
        }],
        from_command: false,
    },
    // Opened by a rating button in the DM after a session: the rating rides in the
    // button's context, the form adds the optional comment.
    FormSpec {
        id: FormId::Feedback,
        command: CommandId::Feedback,
        title: text::FEEDBACK_TITLE,
        fields: &[FieldSpec {
            option: "comment",
            label: text::SURVEY_COMMENT_LABEL,
            placeholder: Some(text::SURVEY_COMMENT_PLACEHOLDER),
        }],
        from_command: false,
    },
    // Opened by a score button in a survey's DM, like the session's.
    FormSpec {
        id: FormId::SurveyAnswer,
        command: CommandId::SurveyAnswer,
        title: text::SURVEY_TITLE,
        fields: &[FieldSpec {
            option: "comment",
            label: text::SURVEY_COMMENT_LABEL,
            placeholder: Some(text::SURVEY_COMMENT_PLACEHOLDER),
        }],
        from_command: false,
    },
    // `/approve request <kind> <data>` with nothing else opens it: a justification is
    // written in a form.
    FormSpec {
        id: FormId::ApprovalRequest,
        command: CommandId::ApproveRequest,
        title: text::APPROVAL_TITLE,
        fields: &[
            FieldSpec {
                option: "title",
                label: text::APPROVAL_TITLE_LABEL,
                placeholder: Some(text::APPROVAL_TITLE_PLACEHOLDER),
            },
            FieldSpec {
                option: "justification",
                label: text::APPROVAL_JUSTIFICATION_LABEL,
                placeholder: Some(text::APPROVAL_JUSTIFICATION_PLACEHOLDER),
            },
            FieldSpec {
                option: "links",
                label: text::APPROVAL_LINKS_LABEL,
                placeholder: None,
            },
        ],
        from_command: true,
    },
    // The category and mode come from the command's options; what happened is written here.
    FormSpec {
        id: FormId::ConcernReport,
        command: CommandId::ConcernReport,
        title: text::CONCERN_TITLE,
        fields: &[
            FieldSpec {
                option: "text",
                label: text::CONCERN_TEXT_LABEL,
                placeholder: Some(text::CONCERN_TEXT_PLACEHOLDER),
            },
            FieldSpec {
                option: "exclude",
                label: text::CONCERN_EXCLUDE_LABEL,
                placeholder: Some(text::CONCERN_EXCLUDE_PLACEHOLDER),
            },
        ],
        from_command: true,
    },
    FormSpec {
        id: FormId::ConcernReply,
        command: CommandId::ConcernReply,
        title: text::CONCERN_REPLY_TITLE,
        fields: &[FieldSpec {
            option: "text",
            label: text::CONCERN_REPLY_LABEL,
            placeholder: None,
        }],
        from_command: true,
    },
    // The module comes from the command; the people and their narratives are written here.
    FormSpec {
        id: FormId::BadgeIssue,
        command: CommandId::BadgeIssue,
        title: text::BADGE_ISSUE_TITLE,
        fields: &[FieldSpec {
            option: "entries",
            label: text::BADGE_ISSUE_LABEL,
            placeholder: Some(text::BADGE_ISSUE_PLACEHOLDER),
        }],
        from_command: true,
    },
    // Opened by the Reject button in an approver's DM: the request rides in its context.
    FormSpec {
        id: FormId::ApprovalReject,
        command: CommandId::ApproveNo,
        title: text::APPROVAL_REJECT_TITLE,
        fields: &[FieldSpec {
            option: "reason",
            label: text::APPROVAL_REASON_LABEL,
            placeholder: Some(text::APPROVAL_REASON_PLACEHOLDER),
        }],
        from_command: false,
    },
    // `/tool register <name> <kind> <data> <users>` with nothing else opens it.
    FormSpec {
        id: FormId::ToolRegister,
        command: CommandId::ToolRegister,
        title: text::TOOL_TITLE,
        fields: &[
            FieldSpec {
                option: "environment",
                label: text::TOOL_ENVIRONMENT_LABEL,
                placeholder: Some(text::TOOL_ENVIRONMENT_PLACEHOLDER),
            },
            FieldSpec {
                option: "justification",
                label: text::TOOL_JUSTIFICATION_LABEL,
                placeholder: Some(text::APPROVAL_JUSTIFICATION_PLACEHOLDER),
            },
            FieldSpec {
                option: "links",
                label: text::APPROVAL_LINKS_LABEL,
                placeholder: None,
            },
        ],
        from_command: true,
    },
];

const KB_TITLE_FIELD: FieldSpec = FieldSpec {
    option: "title",
    label: text::KB_TITLE_LABEL,
    placeholder: Some(text::KB_TITLE_PLACEHOLDER),
};
const KB_BODY_FIELD: FieldSpec = FieldSpec {
    option: "body",
    label: text::KB_BODY_LABEL,
    placeholder: Some(text::KB_BODY_PLACEHOLDER),
};
const KB_TAGS_FIELD: FieldSpec = FieldSpec {
    option: "tags",
    label: text::KB_TAGS_LABEL,
    placeholder: None,
};
const KB_ID_FIELD: FieldSpec = FieldSpec {
    option: "id",
    label: text::KB_ID_LABEL,
    placeholder: None,
};

/// The form a command opens when typed without the text it writes (`given` names the
/// options it was typed with): none of the fields the command requires, or, when it
/// requires none, none of the fields at all. `None` when it runs as typed, and so is
/// refused with what it lacks: also when a required option the form has no field for is
/// missing (`/kb add` without its kind), since that form could never be sent.
pub fn opened_by(command: CommandId, given: &[&str]) -> Option<&'static FormSpec> {
    FORMS
        .iter()
        .filter(|f| f.from_command && f.command == command)
        .filter(|f| {
            spec(command)
                .options
                .iter()
                .filter(|o| o.required && !f.field_names().any(|n| n == o.name))
                .all(|o| given.contains(&o.name))
        })
        .find(|f| {
            let fields: Vec<Field> = f.fields().collect();
            let required: Vec<&str> = fields
                .iter()
                .filter(|field| field.required)
                .map(|field| field.name)
                .collect();
            let deciding: Vec<&str> = if required.is_empty() {
                fields.iter().map(|field| field.name).collect()
            } else {
                required
            };
            !deciding.iter().any(|field| given.contains(field))
        })
}

/// Values that pre-fill a form's fields, by field name.
pub type Prefill = Vec<(&'static str, String)>;

/// A command's typed options, split for the form it opens: the form's own fields pre-fill
/// it, and the other options travel with the form to its submit.
pub fn split_typed(
    form: &'static FormSpec,
    typed: Vec<(String, String)>,
) -> (Prefill, Vec<(String, String)>) {
    let mut prefill = Vec::new();
    let mut context = Vec::new();
    for (name, value) in typed {
        match form.field_names().find(|field| *field == name) {
            Some(field) => prefill.push((field, value)),
            None => context.push((name, value)),
        }
    }
    (prefill, context)
}

/// Whether `option` of `command` is filled in by the form that command opens: such an
/// option is optional where the platform asks for options itself (Discord's slash
/// commands), since leaving it out opens the form.
pub fn filled_by_form(command: CommandId, option: &str) -> bool {
    FORMS
        .iter()
        .any(|f| f.from_command && f.command == command && f.field_names().any(|n| n == option))
}

impl FormId {
    /// A short, stable name, for ids that carry which form they submit.
    pub fn code(self) -> &'static str {
        match self {
            FormId::Checkin => "checkin",
            FormId::Reply => "reply",
            FormId::MilestoneChanges => "changes",
            FormId::KbAdd => "kba",
            FormId::KbEdit => "kbe",
            FormId::KbDecide => "kbd",
            FormId::KbAnswer => "kbq",
            FormId::KbSearch => "kbs",
            FormId::PairRequest => "pair",
            FormId::Feedback => "fbk",
            FormId::SurveyAnswer => "svy",
            FormId::ApprovalRequest => "apr",
            FormId::ApprovalReject => "apn",
            FormId::ToolRegister => "tlr",
            FormId::ConcernReport => "cnr",
            FormId::ConcernReply => "cnw",
            FormId::BadgeIssue => "bdi",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            FormId::Checkin,
            FormId::Reply,
            FormId::MilestoneChanges,
            FormId::KbAdd,
            FormId::KbEdit,
            FormId::KbDecide,
            FormId::KbAnswer,
            FormId::KbSearch,
            FormId::PairRequest,
            FormId::Feedback,
            FormId::SurveyAnswer,
            FormId::ApprovalRequest,
            FormId::ApprovalReject,
            FormId::ToolRegister,
            FormId::ConcernReport,
            FormId::ConcernReply,
            FormId::BadgeIssue,
        ]
        .into_iter()
        .find(|id| id.code() == code)
    }
}

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
        OptionKind::Int { min, max } => Input::Number {
            min,
            max,
            decimal: false,
        },
        OptionKind::Hours { max } => Input::Number {
            min: 0,
            max,
            decimal: true,
        },
        OptionKind::Text { max } => Input::Line { max },
        // Typed words, checked as typed text is: a line.
        OptionKind::KbQuery => Input::Line {
            max: super::catalog::KB_QUERY_MAX,
        },
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
        assert_eq!(
            checkin[3].input,
            Input::Number {
                min: 0,
                max: 168,
                decimal: true
            }
        );
        assert!(!checkin[3].required);
    }

    #[test]
    fn a_knowledge_command_without_its_fields_opens_its_form() {
        assert_eq!(
            opened_by(CommandId::KbAdd, &["kind"]).map(|f| f.id),
            Some(FormId::KbAdd)
        );
        // The form has no kind field: without one it could never be sent.
        assert!(opened_by(CommandId::KbAdd, &[]).is_none());
        assert!(opened_by(CommandId::KbAdd, &["tags"]).is_none());
        assert!(opened_by(CommandId::KbEdit, &[]).is_none());
        assert!(opened_by(CommandId::KbAdd, &["kind", "title"]).is_none());
        assert!(opened_by(CommandId::KbAdd, &["kind", "tags"]).is_some());
        assert!(opened_by(CommandId::KbEdit, &["entry", "tags"]).is_none());
        let (prefill, context) = split_typed(
            form(FormId::KbAdd),
            vec![
                ("kind".into(), "faq".into()),
                ("tags".into(), "flows".into()),
            ],
        );
        assert_eq!(prefill, [("tags", "flows".to_owned())]);
        assert_eq!(context, [("kind".to_owned(), "faq".to_owned())]);
        assert_eq!(
            opened_by(CommandId::KbEdit, &["entry"]).map(|f| f.id),
            Some(FormId::KbEdit)
        );
        assert!(opened_by(CommandId::KbEdit, &["entry", "every"]).is_some());
        assert!(opened_by(CommandId::Checkin, &[]).is_none());
        assert!(filled_by_form(CommandId::KbAdd, "body"));
        assert!(!filled_by_form(CommandId::KbAdd, "kind"));
        for form in FORMS {
            assert_eq!(FormId::from_code(form.id.code()), Some(form.id));
        }
    }
}
