//! The modals: the check-in form, the reply form, the replace question and the result.
//! Titles and button labels are at most 24 characters.

use serde_json::{Value, json};

use super::messages;
use crate::commands::forms::{Field, FormId, FormSpec, Input};

/// `callback_id`s, which route a submission back to its handler.
pub const CHECKIN: &str = "cohortbot_checkin";
pub const CHECKIN_CONFIRM: &str = "cohortbot_checkin_confirm";
pub const REPLY: &str = "cohortbot_reply";
pub const MILESTONE_CHANGES: &str = "cohortbot_milestone_changes";
/// A form a command opened (`/cohort kb add faq`); its metadata says which.
pub const COMMAND_FORM: &str = "cohortbot_command_form";

pub fn plain(text: &str) -> Value {
    json!({ "type": "plain_text", "text": text })
}

pub fn section(mrkdwn: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": mrkdwn } })
}

/// Slack's limits: a text input's value, a placeholder.
const INPUT_MAX: usize = 3_000;
const PLACEHOLDER_MAX: usize = 150;

fn clipped(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The input element for a catalog field, pre-filled with `initial` when given.
fn element(field: &Field, initial: Option<&str>) -> Value {
    let mut element = match field.input {
        Input::Paragraph { max } | Input::Line { max } => {
            let multiline = matches!(field.input, Input::Paragraph { .. });
            let max = max.min(INPUT_MAX);
            let mut input = json!({ "type": "plain_text_input", "action_id": field.name,
                                    "multiline": multiline, "max_length": max });
            if let Some(initial) = initial {
                input["initial_value"] = json!(clipped(initial, max));
            }
            input
        }
        Input::Scale { min, max } => {
            let options: Vec<Value> = (min..=max)
                .map(|n| json!({ "text": plain(&n.to_string()), "value": n.to_string() }))
                .collect();
            let mut select =
                json!({ "type": "static_select", "action_id": field.name, "options": options });
            if let Some(chosen) = initial.and_then(|v| options.iter().find(|o| o["value"] == v)) {
                select["initial_option"] = chosen.clone();
            }
            select
        }
        Input::Number { min, max, decimal } => {
            let mut number = json!({ "type": "number_input", "action_id": field.name,
                                     "is_decimal_allowed": decimal,
                                     "min_value": min.to_string(), "max_value": max.to_string() });
            if let Some(initial) = initial {
                number["initial_value"] = json!(initial);
            }
            number
        }
    };
    if let Some(placeholder) = field.placeholder {
        element["placeholder"] = plain(&clipped(placeholder, PLACEHOLDER_MAX));
    }
    element
}

/// The modal for `form`: an intro section (mrkdwn), then its fields, pre-filled from
/// `initial` by name.
pub fn modal(
    form: &'static FormSpec,
    intro: &str,
    initial: &[(&str, String)],
    metadata: String,
) -> Value {
    let mut blocks = vec![section(intro)];
    for field in form.fields() {
        let value = initial
            .iter()
            .find(|(name, _)| *name == field.name)
            .map(|(_, v)| v.as_str());
        blocks.push(
            json!({ "type": "input", "block_id": field.name, "optional": !field.required,
                            "label": plain(field.label), "element": element(&field, value) }),
        );
    }
    json!({
        "type": "modal",
        "callback_id": callback_id(form.id),
        "private_metadata": metadata,
        "title": plain(form.title),
        "submit": plain(messages::SUBMIT),
        "close": plain(messages::CLOSE),
        "blocks": blocks,
    })
}

pub fn callback_id(form: FormId) -> &'static str {
    match form {
        FormId::Checkin => CHECKIN,
        FormId::Reply => REPLY,
        FormId::MilestoneChanges => MILESTONE_CHANGES,
        FormId::KbAdd
        | FormId::KbEdit
        | FormId::KbDecide
        | FormId::KbAnswer
        | FormId::KbSearch
        | FormId::PairRequest
        | FormId::Feedback
        | FormId::SurveyAnswer
        | FormId::ApprovalRequest
        | FormId::ApprovalReject
        | FormId::ToolRegister
        | FormId::ConcernReport
        | FormId::ConcernReply
        | FormId::BadgeIssue => COMMAND_FORM,
    }
}

/// The submitted values of `form`'s fields, by name: a menu's chosen value, an input's text.
/// Fields left empty are absent.
pub fn submitted(form: &'static FormSpec, view: &Value) -> Vec<(&'static str, String)> {
    form.field_names()
        .filter_map(|name| {
            let field = &view["state"]["values"][name][name];
            let value = field["selected_option"]["value"]
                .as_str()
                .or_else(|| field["value"].as_str())?;
            Some((name, value.to_owned()))
        })
        .collect()
}

pub fn confirm_replace(question: &str, metadata: String) -> Value {
    json!({
        "type": "modal",
        "callback_id": CHECKIN_CONFIRM,
        "private_metadata": metadata,
        "title": plain(crate::commands::forms::form(FormId::Checkin).title),
        "submit": plain(messages::REPLACE),
        "close": plain(messages::CLOSE),
        "blocks": [section(question)],
    })
}

pub fn done(title: &str, text: &str) -> Value {
    json!({
        "type": "modal",
        "title": plain(title),
        "close": plain(messages::DONE),
        "blocks": [section(text)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modal_titles_and_labels_fit_slacks_limits() {
        let mut views: Vec<Value> = crate::commands::forms::FORMS
            .iter()
            .map(|form| modal(form, "intro", &[], String::new()))
            .collect();
        views.extend([
            confirm_replace("?", String::new()),
            done("Reply to a check-in", "x"),
        ]);
        for view in views {
            for key in ["title", "submit", "close"] {
                if let Some(text) = view[key]["text"].as_str() {
                    assert!(text.chars().count() <= 24, "{key}: {text}");
                }
            }
        }
    }
}
