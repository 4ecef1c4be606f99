//! The check-in and reply forms (Discord modals). Field ids are the catalog's option names,
//! so a submit converts like typed options.

use serde_json::{Value, json};

use crate::commands::catalog::{BLOCKERS_MAX, NOTE_MAX, PROGRESS_MAX};

mod text {
    //! What the forms say.
    pub const CHECKIN_TITLE: &str = "Weekly check-in";
    pub const PROGRESS: &str = "What did you do this week?";
    pub const BLOCKERS: &str = "Anything blocking you? (optional)";
    pub const CONFIDENCE: &str = "Confidence, 1 (stuck) to 5 (flying)";
    pub const HOURS: &str = "Hours spent this week (optional)";
    pub const REPLY_TITLE: &str = "Reply to the check-in";
    pub const REPLY: &str = "Your reply";
    pub const CHANGES_TITLE: &str = "Request changes to a milestone";
    pub const CHANGES: &str = "What should change?";
}

const SHORT: u8 = 1;
const PARAGRAPH: u8 = 2;
/// Discord's limit on a modal title.
const TITLE_MAX: usize = 45;

fn input(id: &str, label: &str, style: u8, required: bool, max: usize) -> Value {
    json!({ "type": 1, "components": [{
        "type": 4, "custom_id": id, "label": label, "style": style,
        "required": required, "max_length": max.min(4000),
    }]})
}

/// The check-in form for `cohort` (its slug is shown in the title).
pub fn checkin(custom_id: &str, cohort: &str) -> Value {
    let title: String = format!("{}: {cohort}", text::CHECKIN_TITLE)
        .chars()
        .take(TITLE_MAX)
        .collect();
    json!({
        "custom_id": custom_id,
        "title": title,
        "components": [
            input("progress", text::PROGRESS, PARAGRAPH, true, PROGRESS_MAX),
            input("blockers", text::BLOCKERS, PARAGRAPH, false, BLOCKERS_MAX),
            input("confidence", text::CONFIDENCE, SHORT, true, 1),
            input("hours", text::HOURS, SHORT, false, 3),
        ],
    })
}

pub fn reply(custom_id: &str) -> Value {
    json!({
        "custom_id": custom_id,
        "title": text::REPLY_TITLE,
        "components": [input("text", text::REPLY, PARAGRAPH, true, PROGRESS_MAX)],
    })
}

/// The note a mentor sends with **Request changes**.
pub fn milestone_changes(custom_id: &str) -> Value {
    json!({
        "custom_id": custom_id,
        "title": text::CHANGES_TITLE,
        "components": [input("note", text::CHANGES, PARAGRAPH, true, NOTE_MAX)],
    })
}
