//! Every message the parser and help show.

use crate::domain::text::preview;
use crate::render::Message;

pub fn empty() -> Message {
    Message::new()
        .text("Type a command, like ")
        .code("/help")
        .text(".")
}

pub fn line_too_long(len: usize, max: usize) -> Message {
    Message::new().text(format!(
        "That message is {len} characters long; commands are at most {max}."
    ))
}

/// `quote` is the quote the user opened with, `"` or `'`.
pub fn unterminated_quote(quote: char) -> Message {
    Message::new()
        .text("A quote is not closed; put a matching ")
        .code(quote.to_string())
        .text(" at the end of the text.")
}

pub fn unknown_command(typed: &str, suggestion: Option<&str>) -> Message {
    let msg = Message::new()
        .text("I don't know ")
        .code(format!("/{}", preview(typed)));
    match suggestion {
        Some(s) => msg.text(". Did you mean ").code(format!("/{s}")).text("?"),
        None => msg
            .text(". Type ")
            .code("/help")
            .text(" to see the commands."),
    }
}

pub fn needs_subcommand(group: &str, subcommands: &[&str]) -> Message {
    Message::new()
        .code(format!("/{group}"))
        .text(format!(" needs one of: {}.", subcommands.join(", ")))
}

pub fn unknown_option(command: &str, name: &str, suggestion: Option<&str>) -> Message {
    let msg = Message::new()
        .code(format!("/{command}"))
        .text(" has no option ")
        .code(preview(name));
    match suggestion {
        Some(s) => msg.text("; did you mean ").code(s).text("?"),
        None => msg.text("."),
    }
}

pub fn duplicate_option(name: &str) -> Message {
    Message::new()
        .text("The option ")
        .code(name)
        .text(" is given twice.")
}

pub fn too_many_arguments(usage: &str, extra: &str) -> Message {
    Message::new()
        .text("I didn't expect ")
        .code(preview(extra))
        .text(" here. A value of several words goes in quotes, like ")
        .code("title:\"Spring talks\"")
        .text(". Usage: ")
        .code(usage)
}

/// A required option left out, with its choices when it has a few (`/kb add`'s kind), so
/// the next try needs no `/help`.
pub fn missing_option(option: &str, choices: &[&str], usage: &str) -> Message {
    let said = Message::new().text("Missing ").code(option);
    let said = match choices {
        [] => said,
        _ => said.text(format!(": one of {}", choices.join(", "))),
    };
    said.text(". Usage: ").code(usage)
}

/// A value's problem, with the command's usage.
pub fn invalid_value(usage: &str, problem: &Message) -> Message {
    problem.clone().text(" (usage: ").code(usage).text(")")
}

/// "`name` must be …, not `raw`": the shape of every value error.
fn must_be(name: &str, what: Message, raw: &str) -> Message {
    must(name, "be", what, raw)
}

fn must(name: &str, verb: &str, what: Message, raw: &str) -> Message {
    Message::new()
        .code(name)
        .text(format!(" must {verb} "))
        .push(what)
        .text(", not ")
        .code(preview(raw))
}

pub fn hours_out_of_range(name: &str, raw: &str, max: i64) -> Message {
    let what = Message::new().text(format!(
        "a number of hours from 0 to {}, like `1.5`",
        grouped(max)
    ));
    must_be(name, what, raw)
}

pub fn int_out_of_range(name: &str, raw: &str, min: i64, max: i64) -> Message {
    let what = Message::new().text(format!(
        "a whole number from {} to {}",
        grouped(min),
        grouped(max)
    ));
    must_be(name, what, raw)
}

/// A number with its thousands grouped (`1,000,000`), so a bound is read at a glance.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if n < 0 { format!("-{out}") } else { out }
}

pub fn not_a_bool(name: &str, raw: &str) -> Message {
    must_be(name, Message::new().text("yes or no"), raw)
}

pub fn not_a_user(name: &str, raw: &str) -> Message {
    let what = Message::new().text("one member, like ").code("@bob");
    must(name, "name", what, raw)
}

pub fn not_a_channel(name: &str, raw: &str) -> Message {
    let what = Message::new()
        .text("one channel, like ")
        .code("#spring-makers");
    must(name, "name", what, raw)
}

pub fn unknown_role(raw: &str, suggestion: Option<&str>) -> Message {
    let roles = "steward, sponsor, lead_mentor, community_mentor, learner, alumni, concern_handler";
    let msg = Message::new().code(preview(raw)).text(" is not a role");
    match suggestion {
        Some(s) => msg.text("; did you mean ").code(s).text("?"),
        None => msg.text(format!("; roles are {roles}")),
    }
}

pub fn not_a_date(name: &str, raw: &str) -> Message {
    let what = Message::new().text("a date like ").code("2027-03-01");
    must_be(name, what, raw)
}

pub fn not_a_datetime(name: &str, raw: &str) -> Message {
    let what = Message::new()
        .text("a date and time like ")
        .code("2027-03-01T09:00");
    must_be(name, what, raw)
}

pub fn not_a_duration(name: &str, raw: &str) -> Message {
    let what = Message::new()
        .text("a duration like ")
        .code("45m")
        .text(", ")
        .code("1h30m")
        .text(" or ")
        .code("90")
        .text(" (minutes)");
    must_be(name, what, raw)
}

/// A session is named by its number, which people do not know by heart: where to find it.
pub fn not_a_session(name: &str, raw: &str) -> Message {
    let what = Message::new()
        .text("a session's number as ")
        .code("/event list")
        .text(" shows it, like ")
        .code("3");
    must_be(name, what, raw)
}

pub fn not_a_choice(name: &str, raw: &str, choices: &[&str], suggestion: Option<&str>) -> Message {
    match suggestion {
        Some(s) => Message::new()
            .code(preview(raw))
            .text(" is not a valid ")
            .code(name)
            .text("; did you mean ")
            .code(s)
            .text("?"),
        None => {
            let what = Message::new().text(format!("one of {}", choices.join(", ")));
            must_be(name, what, raw)
        }
    }
}

pub fn help_header() -> &'static str {
    "Commands by topic. Type `/help <topic>` for its commands and their options, or `/help <command>` for one:"
}

/// After a steward-only command's name in the `/help` overview.
pub const HELP_STEWARD_MARKER: &str = "*";

/// Before the subcommands of a topic that is a command itself.
pub fn help_also() -> &'static str {
    "Also:"
}

pub fn help_steward_legend() -> &'static str {
    "* stewards only"
}

pub fn help_more_for_stewards(count: usize) -> String {
    format!(
        "Stewards have {count} more commands for running the program; `/help <topic>` lists them too."
    )
}

pub fn help_group_header(group: &str) -> String {
    format!("The `/{group}` commands (type `/help {group} <command>` for details):")
}

pub fn help_steward_only() -> &'static str {
    "Stewards only."
}

/// What the forms say. Titles stay within Slack's 24 characters, labels within Discord's 45.
pub mod form {
    pub const CHECKIN_TITLE: &str = "Weekly check-in";
    pub const PROGRESS_LABEL: &str = "What did you do this week?";
    pub const PROGRESS_PLACEHOLDER: &str = "A few lines are fine: what you built, learned, tried";
    pub const CONFIDENCE_LABEL: &str = "How confident do you feel?";
    pub const CONFIDENCE_PLACEHOLDER: &str = "1 (stuck) to 5 (flying)";
    pub const BLOCKERS_LABEL: &str = "Anything in your way?";
    pub const HOURS_LABEL: &str = "Hours spent this week";
    pub const PLAN_LABEL: &str = "Plan for next week";
    pub const PLAN_PLACEHOLDER: &str = "Next week's prompt reminds you of it";
    pub const REPLY_TITLE: &str = "Reply to a check-in";
    pub const REPLY_LABEL: &str = "Your reply";
    pub const CHANGES_TITLE: &str = "Request changes";
    pub const CHANGES_LABEL: &str = "What should change?";
    pub const KB_ADD_TITLE: &str = "Add to knowledge base";
    pub const KB_EDIT_TITLE: &str = "Edit knowledge entry";
    pub const KB_TITLE_LABEL: &str = "Title";
    pub const KB_TITLE_PLACEHOLDER: &str = "The question people ask, or what the page is about";
    pub const KB_BODY_LABEL: &str = "Answer or steps";
    pub const KB_BODY_PLACEHOLDER: &str = "Several lines are fine; links too";
    pub const KB_TAGS_LABEL: &str = "Tags (comma-separated)";
    pub const KB_ID_LABEL: &str = "Id (made from the title if empty)";
    pub const KB_DECIDE_TITLE: &str = "Record a decision";
    pub const KB_ANSWER_TITLE: &str = "Answer a question";
    pub const KB_ANSWER_LABEL: &str = "Your answer";
    pub const KB_ANSWER_PLACEHOLDER: &str = "It goes to them by DM and becomes a draft FAQ";
    pub const KB_SEARCH_TITLE: &str = "Search knowledge base";
    pub const KB_SEARCH_LABEL: &str = "Words to look for";
    pub const KB_SEARCH_PLACEHOLDER: &str = "licence for premium connectors";
    pub const PAIR_TITLE: &str = "Ask for a pairing";
    pub const PAIR_TOPIC_LABEL: &str = "What to pair on";
    pub const PAIR_TOPIC_PLACEHOLDER: &str = "power-automate";
    pub const FEEDBACK_TITLE: &str = "Session feedback";
    pub const SURVEY_TITLE: &str = "Survey answer";
    pub const SURVEY_COMMENT_LABEL: &str = "A comment (optional; anonymous too)";
    pub const SURVEY_COMMENT_PLACEHOLDER: &str = "What worked, what to change";
    pub const KB_CONTEXT_LABEL: &str = "Context: why decide now?";
    pub const KB_DECISION_LABEL: &str = "Decision";
    pub const KB_CONSEQUENCES_LABEL: &str = "Consequences";
    pub const APPROVAL_TITLE: &str = "Ask for an approval";
    pub const APPROVAL_TITLE_LABEL: &str = "What do you ask to do?";
    pub const APPROVAL_TITLE_PLACEHOLDER: &str = "Share the expenses flow with Finance";
    pub const APPROVAL_JUSTIFICATION_LABEL: &str = "Why, for whom, what it changes";
    pub const APPROVAL_JUSTIFICATION_PLACEHOLDER: &str =
        "Several lines are fine: the need, who uses it, the data it reads";
    pub const APPROVAL_LINKS_LABEL: &str = "Links (optional)";
    pub const TOOL_TITLE: &str = "Register a tool";
    pub const TOOL_ENVIRONMENT_LABEL: &str = "Where does it run?";
    pub const TOOL_ENVIRONMENT_PLACEHOLDER: &str = "Power Platform: Finance-Prod";
    pub const TOOL_JUSTIFICATION_LABEL: &str = "What it does, for whom";
    pub const APPROVAL_REJECT_TITLE: &str = "Reject a request";
    pub const APPROVAL_REASON_LABEL: &str = "Why? The requester reads this";
    pub const APPROVAL_REASON_PLACEHOLDER: &str = "What would have to change for a yes";
    pub const CONCERN_TITLE: &str = "Report a concern";
    pub const CONCERN_TEXT_LABEL: &str = "What happened?";
    pub const CONCERN_TEXT_PLACEHOLDER: &str =
        "Several lines are fine: what, when, where, who was involved";
    pub const CONCERN_EXCLUDE_LABEL: &str = "Who must not see it? (optional)";
    pub const CONCERN_EXCLUDE_PLACEHOLDER: &str = "Names, separated by commas";
    pub const CONCERN_REPLY_TITLE: &str = "Write on a concern";
    pub const CONCERN_REPLY_LABEL: &str = "Your message";
    pub const BADGE_ISSUE_TITLE: &str = "Issue badges";
    pub const BADGE_ISSUE_LABEL: &str = "One line per person: name, colon, what they did";
    pub const BADGE_ISSUE_PLACEHOLDER: &str = "Sam Carter: built the expenses flow with Finance";

    use crate::render::Message;

    pub fn no_such_field(field: &str) -> Message {
        Message::new()
            .text("This form has no field ")
            .code(super::preview(field))
            .text(".")
    }

    pub fn fill_in(field: &str) -> Message {
        Message::new().text(format!("Please fill in {field}."))
    }
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        let cases = [
            (0, "0"),
            (5, "5"),
            (999, "999"),
            (1_000, "1,000"),
            (1_000_000, "1,000,000"),
            (-12_345, "-12,345"),
            (i64::MIN, "-9,223,372,036,854,775,808"),
        ];
        for (n, text) in cases {
            assert_eq!(grouped(n), text);
        }
    }
}
