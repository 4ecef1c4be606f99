//! What the concerns feature says.

use chrono::NaiveDate;

use crate::render::Message;
use crate::store::concerns::{Concern, Mode, Said, Status};

fn day(on: NaiveDate) -> String {
    on.format("%a %-d %b %Y").to_string()
}

fn mode_says(mode: Mode) -> &'static str {
    match mode {
        Mode::Identified => {
            "identified: the handlers know it's you, and may say so to those they involve"
        }
        Mode::Confidential => "confidential: only the handlers know it's you",
        Mode::Anonymous => "anonymous: nobody knows who reported it, the bot included",
    }
}

pub fn empty_report() -> Message {
    Message::marked(
        "Your report is empty. Write what happened: what, when, where, and who was involved.",
    )
}

pub fn empty_message() -> Message {
    Message::marked("Your message is empty. Write something to send.")
}

pub fn empty_reason() -> Message {
    Message::marked(
        "A concern closes with a reason the reporter is told. Write what was done, or why nothing will be.",
    )
}

/// `stewards` by name, so the reporter knows whom to tell (empty when there are none).
pub fn no_handlers(stewards: &[String]) -> Message {
    let msg =
        Message::new().text("Nobody handles concerns in this community yet, so I kept nothing. ");
    let msg = match stewards {
        [] => msg.text("Please tell someone who runs the community"),
        [one] => msg.text("Please tell the steward, ").user(one.clone()),
        several => msg
            .text("Please tell a steward (")
            .user(crate::render::and_list(several))
            .text(")"),
    };
    msg.text(": they can name handlers with ")
        .code("/role grant @someone concern_handler")
        .text(". Your text was not stored.")
}

pub fn all_handlers_excluded() -> Message {
    Message::marked(
        "Everyone who handles concerns here is someone you excluded (or you), so nobody could read it, and I kept nothing. Please talk to a steward, or to someone outside the community you trust.",
    )
}

pub fn unknown_excluded(typed: &str, suggestion: Option<&str>) -> Message {
    let msg = Message::new()
        .text("I can't find ")
        .user(typed)
        .text(" to exclude. Write names as the community shows them, separated by commas.");
    match suggestion {
        Some(s) => msg.text(" Did you mean ").user(s).text("?"),
        None => msg,
    }
}

/// The reporter's reply to a report under their name.
pub fn reported(number: i32, mode: Mode, reached: &[&str]) -> Message {
    Message::new()
        .text("🛡️ Reported as concern ")
        .strong(format!("#{number}"))
        .text(format!(" ({}).", mode_says(mode)))
        .line()
        .text("It went to ")
        .user(crate::render::and_list(reached))
        .text(
            ", and nobody else. You'll get their answers and the outcome by DM; read it all with ",
        )
        .code(format!("/concern show {number}"))
        .text(" and write to them with ")
        .code(format!("/concern reply {number}"))
        .text(".")
}

/// The anonymous reporter's reply: the relay code, shown only here.
pub fn reported_anonymously(number: i32, code: &str, reached: &[&str]) -> Message {
    Message::new()
        .text("🛡️ Reported anonymously as concern ")
        .strong(format!("#{number}"))
        .text(". It went to ")
        .user(crate::render::and_list(reached))
        .text(", who can't tell who wrote it: nor can I.")
        .line()
        .text("Your relay code is ")
        .code(code)
        .text(". Keep it somewhere safe: it is the only way back to this report, and I can't show it again or send you answers. Read answers with ")
        .code(format!("/concern show {code}"))
        .text(" and write to the concerns team with ")
        .code(format!("/concern reply {code}"))
        .text(".")
}

/// The DM telling a handler of a new concern: no text, which stays in one place.
pub fn told_handler(number: i32, category: &str, mode: Mode, reporter: Option<&str>) -> Message {
    let msg = Message::new()
        .text("🛡️ New concern ")
        .strong(format!("#{number}"))
        .text(format!(" ({category}), "));
    let msg = match (mode, reporter) {
        (Mode::Anonymous, _) | (_, None) => msg.text("reported anonymously"),
        (Mode::Identified, Some(name)) => msg.text("reported by ").user(name),
        (Mode::Confidential, Some(name)) => msg
            .text("reported in confidence by ")
            .user(name)
            .text(" (keep their name among the handlers)"),
    };
    msg.text(". Read it with ")
        .code(format!("/concern show {number}"))
        .text(".")
}

pub fn not_a_concern(typed: &str) -> Message {
    Message::new()
        .user(typed)
        .text(" is neither a concern's number nor a relay code (those start with ")
        .code("cr-")
        .text("). See yours with ")
        .code("/concern list")
        .text(".")
}

pub fn unknown_relay_code() -> Message {
    Message::marked(
        "That relay code matches no report. Check it letter by letter: it looks like `cr-abcde-fghjk-mnpqr-stuvw`.",
    )
}

pub fn no_such_concern(number: i32) -> Message {
    Message::new()
        .text(format!("There's no concern #{number} that you can see. "))
        .text("See the ones you can with ")
        .code("/concern list")
        .text(".")
}

pub fn handlers_only(path: &str) -> Message {
    Message::new()
        .code(format!("/{path}"))
        .text(" is for concern handlers. To report a concern, use ")
        .code("/concern report")
        .text(". Stewards name handlers with ")
        .code("/role grant @someone concern_handler")
        .text(".")
}

fn status_line(concern: &Concern) -> Message {
    match (concern.status, &concern.close_reason) {
        (Status::Closed, Some(reason)) => Message::new()
            .text("Closed: ")
            .user_indented(reason, "    "),
        _ => Message::new().text("Open."),
    }
}

fn headline(concern: &Concern) -> Message {
    Message::new()
        .strong(format!("#{}", concern.number))
        .text(format!(
            " {}, opened {}",
            concern.category,
            day(concern.opened_on)
        ))
}

/// The whole concern, as a handler reads it.
pub fn shown_to_handler(concern: &Concern, said: &[Said]) -> Message {
    let who = match &concern.reporter_name {
        Some(name) => Message::new()
            .text(match concern.mode {
                Mode::Confidential => "Reported in confidence by ",
                _ => "Reported by ",
            })
            .user(name),
        None => Message::new().text("Reported anonymously"),
    };
    let mut msg = Message::new()
        .text("🛡️ ")
        .push(headline(concern))
        .line()
        .push(who)
        .text(".")
        .line()
        .text("    ")
        .user_indented(&concern.body, "    ");
    for message in said {
        let author = match &message.author_name {
            Some(name) => Message::new().user(name),
            None => Message::new().text("The reporter"),
        };
        msg = msg
            .line()
            .push(author)
            .text(format!(", {}:", day(message.sent_on)))
            .line()
            .text("    ")
            .user_indented(&message.body, "    ");
    }
    if concern.relay_blocked_at.is_some() {
        msg = msg
            .line()
            .text("The reporter's further messages are blocked.");
    }
    msg = msg.line().push(status_line(concern));
    if concern.status == Status::Open {
        msg = msg
            .line()
            .text("Answer with ")
            .code(format!("/concern reply {}", concern.number))
            .text(", close with ")
            .code(format!("/concern close {} <reason>", concern.number))
            .text(".");
    }
    msg
}

/// The concern as its reporter reads it: `code` is the relay code they typed, when anonymous.
pub fn shown_to_reporter(concern: &Concern, said: &[Said], code: Option<&str>) -> Message {
    let mut msg = Message::new()
        .text("🛡️ Your concern ")
        .push(headline(concern))
        .text(format!(" ({}).", concern.mode.as_str()))
        .line()
        .text("    ")
        .user_indented(&concern.body, "    ");
    for message in said {
        let author = match message.author_name {
            Some(_) => "The concerns team",
            None => "You",
        };
        msg = msg
            .line()
            .text(format!("{author}, {}:", day(message.sent_on)))
            .line()
            .text("    ")
            .user_indented(&message.body, "    ");
    }
    if said.iter().all(|m| m.author_name.is_none()) {
        msg = msg.line().text("No answer from the concerns team yet.");
    }
    msg = msg.line().push(status_line(concern));
    if concern.status == Status::Open && concern.relay_blocked_at.is_none() {
        let reference = code.map_or_else(|| concern.number.to_string(), str::to_owned);
        msg = msg
            .line()
            .text("Write to them with ")
            .code(format!("/concern reply {reference}"))
            .text(".");
    }
    msg
}

pub fn handler_list(concerns: &[Concern], status: Status, limit: i64) -> Message {
    let which = match status {
        Status::Open => "open",
        Status::Closed => "closed",
    };
    if concerns.is_empty() {
        return Message::new().text(format!("No {which} concern that you can see."));
    }
    let mut msg = Message::new().text(format!("🛡️ The {which} concerns you can see:"));
    for concern in concerns {
        let who = match &concern.reporter_name {
            Some(name) => Message::new().text(", from ").user(name),
            None => Message::new().text(", anonymous"),
        };
        msg = msg.line().text("  ").push(headline(concern)).push(who);
    }
    if concerns.len() as i64 >= limit {
        msg = msg.line().text(format!("Showing the newest {limit}."));
    }
    msg.line()
        .text("Read one with ")
        .code("/concern show <number>")
        .text(".")
}

pub fn own_list(concerns: &[Concern]) -> Message {
    if concerns.is_empty() {
        return Message::marked(
            "You have reported no concern under your name. Anonymous reports are not listed: nobody can tell they are yours. Read one with `/concern show <relay code>`.",
        );
    }
    let mut msg = Message::new().text("🛡️ Concerns you reported:");
    for concern in concerns {
        let state = match concern.status {
            Status::Open => "open",
            Status::Closed => "closed",
        };
        msg = msg
            .line()
            .text("  ")
            .push(headline(concern))
            .text(format!(", {state}"));
    }
    msg.line()
        .text("Anonymous reports are not listed. Read one with ")
        .code("/concern show <number>")
        .text(".")
}

pub fn closed_already(concern: &Concern) -> Message {
    Message::new()
        .text(format!("Concern #{} is closed. ", concern.number))
        .push(status_line(concern))
        .line()
        .text("Something new? Report it with ")
        .code("/concern report")
        .text(".")
}

pub fn blocked(concern: &Concern) -> Message {
    Message::new().text(format!(
        "The concerns team has stopped taking messages on concern #{}.",
        concern.number
    ))
}

pub fn blocked_already(number: i32) -> Message {
    Message::new().text(format!(
        "The reporter of concern #{number} is blocked already."
    ))
}

pub fn blocked_now(concern: &Concern) -> Message {
    let who = match concern.mode {
        Mode::Anonymous => " You still can't know who they are, and neither can I.",
        _ => "",
    };
    Message::new().text(format!(
        "🚫 The reporter of concern #{} can no longer write on it.{who}",
        concern.number
    ))
}

/// A handler's reply, once sent.
pub fn answered(concern: &Concern, text: &str) -> Message {
    let told = match concern.mode {
        Mode::Anonymous => {
            " The reporter is anonymous: they read it when they look, with their relay code. I can't tell them."
        }
        _ => " The reporter has it by DM, from the concerns team.",
    };
    Message::new()
        .text(format!(
            "📨 Written on concern #{} as the concerns team:",
            concern.number
        ))
        .line()
        .text("    ")
        .user_indented(text, "    ")
        .line()
        .text(told.trim_start())
}

/// The DM a named reporter gets with a handler's reply.
pub fn team_wrote(number: i32, text: &str) -> Message {
    Message::new()
        .text(format!(
            "🛡️ The concerns team wrote on your concern #{number}:"
        ))
        .line()
        .text("    ")
        .user_indented(text, "    ")
        .line()
        .text("Answer with ")
        .code(format!("/concern reply {number}"))
        .text(".")
}

pub fn sent_to_team(concern: &Concern, anonymous: bool) -> Message {
    let how = if anonymous {
        "Check for their answer with your relay code."
    } else {
        "Their answer comes by DM."
    };
    Message::new().text(format!(
        "📨 Sent to the concerns team on concern #{}. {how}",
        concern.number
    ))
}

/// The DM telling handlers the reporter wrote: no text here either.
pub fn reporter_wrote(number: i32) -> Message {
    Message::new()
        .text(format!(
            "🛡️ The reporter of concern #{number} wrote again. Read it with "
        ))
        .code(format!("/concern show {number}"))
        .text(".")
}

pub fn closed(concern: &Concern) -> Message {
    let told = match concern.mode {
        Mode::Anonymous => "The reporter sees the reason when they look with their relay code.",
        _ => "The reporter has the reason by DM.",
    };
    let msg = Message::new().text(format!("✅ Closed concern #{}. {told}", concern.number));
    if concern.space_requested_at.is_none() {
        return msg;
    }
    msg.text(" Its private space, ")
        .code(super::space::space_name(concern.number))
        .text(", is archived: still there to read, closed to new messages.")
}

pub fn told_reporter_closed(number: i32, reason: &str) -> Message {
    Message::new()
        .text(format!(
            "🛡️ The concerns team closed your concern #{number}:"
        ))
        .line()
        .text("    ")
        .user_indented(reason, "    ")
        .line()
        .text("Thank you for raising it. Anything new, report it with ")
        .code("/concern report")
        .text(".")
}

/// The platform a community's private spaces open on, as a user reads it.
fn space_kind(platform: &str) -> &'static str {
    match platform {
        "discord" => "a private thread on Discord",
        _ => "a private channel on Slack",
    }
}

/// A handler's reply: the space is on its way.
pub fn space_requested(number: i32, platform: &str) -> Message {
    Message::new()
        .text(format!(
            "🔒 Opening {} for concern #{number}: ",
            space_kind(platform)
        ))
        .code(super::space::space_name(number))
        .text(format!(
            ", with you and the other handlers it doesn't exclude (never the reporter). Look for it among your {} in a moment. The report's text isn't posted there, and the space is archived when the concern closes. The reporter is still answered with ",
            match platform {
                "discord" => "threads",
                _ => "channels",
            }
        ))
        .code(format!("/concern reply {number}"))
        .text(": nothing written in the space reaches them.")
}

/// A second request: the space's members are brought up to date, nothing is posted.
pub fn space_synced(number: i32) -> Message {
    Message::new()
        .text(format!(
            "🔒 Concern #{number} has its private space already, "
        ))
        .code(super::space::space_name(number))
        .text(". Any handler it doesn't exclude who isn't in it yet is added now; nothing is posted there.")
}

pub fn space_closed_concern(concern: &Concern) -> Message {
    let number = concern.number;
    let msg = Message::new().text(format!(
        "Concern #{number} is closed, so it gets no private space now."
    ));
    if concern.space_requested_at.is_none() {
        return msg;
    }
    msg.text(" Its space, ")
        .code(super::space::space_name(number))
        .text(", is archived: still there to read.")
}

pub fn space_needs_platform() -> Message {
    Message::marked(
        "This community is on neither Discord nor Slack, so there is nowhere to open a private space. Handlers read the concern with `/concern show` and answer the reporter with `/concern reply`.",
    )
}

pub fn space_needs_channel() -> Message {
    Message::marked(
        "On Discord a private space is a private thread, and it needs a channel to open in: the program file names none. A steward sets `concern_space_channel = \"…\"` for the community (a channel every handler can see, ideally a private one), imports the file, and you ask again.",
    )
}

/// The first message in a concern's space: who is in it and how to use it, never the
/// report's text, which stays in one place.
pub fn space_opened(
    number: i32,
    category: &str,
    here: &[(uuid::Uuid, String)],
    elsewhere: &[String],
) -> Message {
    let mut msg = Message::new().text(format!(
        "🔒 A private space for concern #{number} ({category}), for the handlers it doesn't exclude: "
    ));
    for (i, (id, name)) in here.iter().enumerate() {
        let joiner = match (i, here.len() - i) {
            (0, _) => "",
            (_, 1) => " and ",
            _ => ", ",
        };
        msg = msg.text(joiner).mention(*id, name.clone());
    }
    if here.is_empty() {
        msg = msg.text("nobody on this platform yet");
    }
    msg = msg
        .text(".")
        .line()
        .text("The report stays out of it: read it with ")
        .code(format!("/concern show {number}"))
        .text(". Nothing written here reaches the reporter; answer them with ")
        .code(format!("/concern reply {number}"))
        .text(".");
    if !elsewhere.is_empty() {
        msg = msg
            .line()
            .user(crate::render::and_list(elsewhere))
            .text(if elsewhere.len() == 1 {
                " handles"
            } else {
                " handle"
            })
            .text(" it too, but not on this platform, so can't be added.");
    }
    msg.line()
        .text("This space is archived when the concern closes.")
}

/// The last message in a concern's space, as it is archived.
pub fn space_archived(number: i32) -> Message {
    Message::new()
        .text(format!(
            "✅ Concern #{number} is closed, so this space is archived. The reason is in "
        ))
        .code(format!("/concern show {number}"))
        .text(".")
}
