//! The modals: the check-in form, the reply form, the replace question and the result.
//! Titles and button labels are at most 24 characters.

use serde_json::{Value, json};

use super::messages;
use crate::commands::catalog;
use crate::render::slack::escape;

/// `callback_id`s, which route a submission back to its handler.
pub const CHECKIN: &str = "cohortbot_checkin";
pub const CHECKIN_CONFIRM: &str = "cohortbot_checkin_confirm";
pub const REPLY: &str = "cohortbot_reply";
pub const MILESTONE_CHANGES: &str = "cohortbot_milestone_changes";

pub fn plain(text: &str) -> Value {
    json!({ "type": "plain_text", "text": text })
}

pub fn section(mrkdwn: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": mrkdwn } })
}

fn input(name: &str, label: &str, element: Value, optional: bool) -> Value {
    json!({ "type": "input", "block_id": name, "optional": optional, "label": plain(label), "element": element })
}

fn text_input(name: &str, max: usize, multiline: bool) -> Value {
    json!({ "type": "plain_text_input", "action_id": name, "multiline": multiline, "max_length": max })
}

pub fn checkin(cohort: &str, period: &str, metadata: String) -> Value {
    let options: Vec<Value> = (1..=5)
        .map(|n| json!({ "text": plain(&n.to_string()), "value": n.to_string() }))
        .collect();
    json!({
        "type": "modal",
        "callback_id": CHECKIN,
        "private_metadata": metadata,
        "title": plain(messages::CHECKIN_TITLE),
        "submit": plain(messages::SUBMIT),
        "close": plain(messages::CLOSE),
        "blocks": [
            section(&messages::checkin_intro(&escape(cohort), &escape(period))),
            input("progress", messages::PROGRESS_LABEL,
                  text_input("progress", catalog::PROGRESS_MAX, true), false),
            input("confidence", messages::CONFIDENCE_LABEL,
                  json!({ "type": "static_select", "action_id": "confidence",
                          "placeholder": plain(messages::CONFIDENCE_PLACEHOLDER), "options": options }), false),
            input("blockers", messages::BLOCKERS_LABEL,
                  text_input("blockers", catalog::BLOCKERS_MAX, true), true),
            input("hours", messages::HOURS_LABEL,
                  json!({ "type": "number_input", "action_id": "hours", "is_decimal_allowed": false,
                          "min_value": "0", "max_value": "168" }), true),
        ],
    })
}

pub fn reply(handle: &str, period: &str, metadata: String) -> Value {
    json!({
        "type": "modal",
        "callback_id": REPLY,
        "private_metadata": metadata,
        "title": plain(messages::REPLY_TITLE),
        "submit": plain(messages::SUBMIT),
        "close": plain(messages::CLOSE),
        "blocks": [
            section(&escape(&messages::reply_intro(handle, period))),
            input("text", messages::REPLY_LABEL, text_input("text", catalog::PROGRESS_MAX, true), false),
        ],
    })
}

pub fn milestone_changes(handle: &str, module: &str, metadata: String) -> Value {
    json!({
        "type": "modal",
        "callback_id": MILESTONE_CHANGES,
        "private_metadata": metadata,
        "title": plain(messages::CHANGES_TITLE),
        "submit": plain(messages::SUBMIT),
        "close": plain(messages::CLOSE),
        "blocks": [
            section(&escape(&messages::changes_intro(handle, module))),
            input("note", messages::CHANGES_LABEL, text_input("note", catalog::NOTE_MAX, true), false),
        ],
    })
}

pub fn confirm_replace(question: &str, metadata: String) -> Value {
    json!({
        "type": "modal",
        "callback_id": CHECKIN_CONFIRM,
        "private_metadata": metadata,
        "title": plain(messages::CHECKIN_TITLE),
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
        let views = [
            checkin("spring", "2027-W10", String::new()),
            reply("U1", "2027-W10", String::new()),
            milestone_changes("U1", "flows-101", String::new()),
            confirm_replace("?", String::new()),
            done(messages::REPLY_TITLE, "x"),
        ];
        for view in views {
            for key in ["title", "submit", "close"] {
                if let Some(text) = view[key]["text"].as_str() {
                    assert!(text.chars().count() <= 24, "{key}: {text}");
                }
            }
        }
    }
}
