//! Every message the parser and help show.

use crate::domain::text::preview;

pub fn empty() -> String {
    "Type a command, like `/help`.".into()
}

pub fn line_too_long(len: usize, max: usize) -> String {
    format!("That message is {len} characters long; commands are at most {max}.")
}

/// `quote` is the quote the user opened with, `"` or `'`.
pub fn unterminated_quote(quote: char) -> String {
    format!("A quote is not closed; put a matching `{quote}` at the end of the text.")
}

pub fn unknown_command(typed: &str, suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!("I don't know `/{}`. Did you mean `/{s}`?", preview(typed)),
        None => format!(
            "I don't know `/{}`. Type `/help` to see the commands.",
            preview(typed)
        ),
    }
}

pub fn needs_subcommand(group: &str, subcommands: &[&str]) -> String {
    format!("`/{group}` needs one of: {}.", subcommands.join(", "))
}

pub fn unknown_option(command: &str, name: &str, suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!(
            "`/{command}` has no option `{}`; did you mean `{s}`?",
            preview(name)
        ),
        None => format!("`/{command}` has no option `{}`.", preview(name)),
    }
}

pub fn duplicate_option(name: &str) -> String {
    format!("The option `{name}` is given twice.")
}

pub fn too_many_arguments(usage: &str, extra: &str) -> String {
    format!(
        "I didn't expect `{}` here. A value of several words goes in quotes, like `title:\"Spring talks\"`. Usage: `{usage}`",
        preview(extra)
    )
}

pub fn missing_option(option: &str, usage: &str) -> String {
    format!("Missing `{option}`. Usage: `{usage}`")
}

pub fn invalid_value(usage: &str, message: &str) -> String {
    format!("{message} (usage: `{usage}`)")
}

pub fn int_out_of_range(name: &str, raw: &str, min: i64, max: i64) -> String {
    format!(
        "`{name}` must be a whole number from {min} to {max}, not `{}`",
        preview(raw)
    )
}

pub fn not_a_bool(name: &str, raw: &str) -> String {
    format!("`{name}` must be yes or no, not `{}`", preview(raw))
}

pub fn not_a_user(name: &str, raw: &str) -> String {
    format!(
        "`{name}` must name one member, like `@bob`, not `{}`",
        preview(raw)
    )
}

pub fn not_a_channel(name: &str, raw: &str) -> String {
    format!(
        "`{name}` must name one channel, like `#spring-makers`, not `{}`",
        preview(raw)
    )
}

pub fn unknown_role(raw: &str, suggestion: Option<&str>) -> String {
    let roles = "steward, sponsor, lead_mentor, community_mentor, learner, alumni";
    match suggestion {
        Some(s) => format!("`{}` is not a role; did you mean `{s}`?", preview(raw)),
        None => format!("`{}` is not a role; roles are {roles}", preview(raw)),
    }
}

pub fn not_a_date(name: &str, raw: &str) -> String {
    format!(
        "`{name}` must be a date like `2027-03-01`, not `{}`",
        preview(raw)
    )
}

pub fn not_a_datetime(name: &str, raw: &str) -> String {
    format!(
        "`{name}` must be a date and time like `2027-03-01T09:00`, not `{}`",
        preview(raw)
    )
}

pub fn not_a_duration(name: &str, raw: &str) -> String {
    format!(
        "`{name}` must be a duration like `45m` or `1h30m`, not `{}`",
        preview(raw)
    )
}

pub fn not_a_choice(name: &str, raw: &str, choices: &[&str], suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!(
            "`{}` is not a valid `{name}`; did you mean `{s}`?",
            preview(raw)
        ),
        None => format!(
            "`{name}` must be one of {}, not `{}`",
            choices.join(", "),
            preview(raw)
        ),
    }
}

pub fn help_header() -> &'static str {
    "Commands (type `/help <command>` for details):"
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
    pub const REPLY_TITLE: &str = "Reply to a check-in";
    pub const REPLY_LABEL: &str = "Your reply";
    pub const CHANGES_TITLE: &str = "Request changes";
    pub const CHANGES_LABEL: &str = "What should change?";

    pub fn no_such_field(field: &str) -> String {
        format!("This form has no field `{}`.", super::preview(field))
    }

    pub fn fill_in(field: &str) -> String {
        format!("Please fill in {field}.")
    }
}
