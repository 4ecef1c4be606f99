//! What the Slack edge itself says (the services say everything else).

use crate::render::Message;

pub fn form_not_valid() -> Message {
    Message::new()
        .text("That form is no longer valid, so nothing was changed. Please open it again.")
}

// Modal buttons: at most 24 characters. Titles and fields are the catalog's forms.
pub const SUBMIT: &str = "Send";
pub const CLOSE: &str = "Cancel";
pub const DONE: &str = "Done";
pub const REPLACE: &str = "Replace it";
/// Form intros are mrkdwn: `handle` is a checked Slack user id, shown as the person's name;
/// the other arguments come escaped.
pub fn changes_intro(handle: &str, module: &str) -> String {
    format!("Tell <@{handle}> what to change in *{module}*. They get your note by DM.")
}
pub fn checkin_intro(cohort: &str, period: &str) -> String {
    format!("Your check-in for *{cohort}*, {period}.")
}
pub fn reply_intro(handle: &str, period: &str) -> String {
    format!("Your reply to <@{handle}>'s check-in for {period}.")
}

pub fn kb_add_intro() -> String {
    "Write it once, for everyone who asks next. You own the entry and re-verify it.".to_owned()
}
pub fn kb_decide_intro() -> String {
    "A decision record: why, what, and what follows. It is posted to the governance channel."
        .to_owned()
}
pub fn kb_search_intro() -> String {
    "FAQs, playbooks, decisions and clinic notes. `\"exact phrase\"`, `-without` and `or` work."
        .to_owned()
}
pub fn pair_request_intro() -> String {
    "A peer with the skill is asked to pair with you, at the first hour you are both awake."
        .to_owned()
}
pub fn feedback_intro(session: &str, rating: &str) -> String {
    format!(
        "Your rating of session #{session}: *{rating} of 5*. Add a comment if you like, then *Submit*. Both are anonymous: nobody sees who wrote them."
    )
}

pub fn survey_answer_intro(survey: &str, score: &str) -> String {
    format!(
        "Your answer to survey #{survey}: *{score}*. Add a comment if you like, then *Submit*. Both are anonymous: nobody sees who wrote them."
    )
}

pub fn kb_answer_intro(number: &str) -> String {
    format!(
        "Your answer to question #{number}. It goes to them by DM and is saved as a draft FAQ you publish."
    )
}
/// `entry` comes escaped.
pub fn kb_edit_intro(entry: &str) -> String {
    format!("Editing `{entry}`. The text it replaces is kept as a revision.")
}
/// The result view of a command form that could not say which form it was (its metadata
/// was forged or lost): the app's name, not one feature's.
pub const APP_TITLE: &str = "cohortbot";

/// The message shortcut's `callback_id` (set in the app's **Interactivity & Shortcuts**).
pub const SAVE_TO_KB_CALLBACK: &str = "cohortbot_kb_save";

/// Why an earned role cannot be given as a user group: the workspace's plan has none
/// (the reason stewards read in `/outbox failed`).
pub fn no_usergroups(error: &str) -> String {
    format!(
        "this Slack workspace's plan has no user groups ({error}): earned roles with slack_usergroup cannot be given here"
    )
}

pub fn approval_request_intro(kind: &str, data: &str) -> String {
    format!(
        "A *{kind}* request touching *{data}* data. Its approvers read all of this in a DM, then approve or reject it."
    )
}

pub fn approval_reject_intro(number: &str) -> String {
    format!(
        "Rejecting request #{number}. The requester reads your reason, so say what would change your mind."
    )
}

pub fn tool_register_intro(name: &str, kind: &str) -> String {
    format!(
        "Registering the {kind} *{name}*. You own it; you'll be asked to confirm it is still in use at each review."
    )
}

pub fn concern_report_intro(category: &str, mode: &str) -> String {
    let who = match mode {
        "identified" => "the handlers will know it's you, and may say so to those they involve",
        "confidential" => "only the handlers will know it's you",
        _ => "nobody will know it's you, the bot included",
    };
    format!(
        "A *{category}* concern, *{mode}*: {who}. It goes to the concern handlers, never to anyone you name below."
    )
}

pub fn concern_reply_intro(concern: &str) -> String {
    format!("Writing on concern *{concern}*, to the concerns team.")
}

pub fn badge_issue_intro(module: &str) -> String {
    format!(
        "Verifying *{module}* for several learners. One line each: their name, a colon, then what they did; each badge carries those words."
    )
}
