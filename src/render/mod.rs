//! Messages the bot says, kept structured until the edge renders them for a platform.

pub mod discord;
pub mod html;
pub mod plain;
pub mod slack;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One piece of a message. User-supplied text is kept apart so each platform can escape it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fragment {
    /// The bot's own words.
    Text(String),
    /// The bot's own words, emphasised.
    Strong(String),
    /// A command, id or value shown as code.
    Code(String),
    /// Text a person typed: never trusted, always escaped.
    User(String),
    /// Text a person typed, emphasised (a search's matched words): escaped like `User`,
    /// then made bold by the renderer, so the emphasis is the bot's and the text stays inert.
    Highlight(String),
    /// A member the post means to notify: a real mention on Discord and Slack (and the only
    /// kind a post may ping), `@name` elsewhere.
    Mention { member_id: Uuid, name: String },
    /// A channel, by its configured name or platform id: a link where the platform has one
    /// (`<#C0123>` on Slack, `<#123…>` on Discord), `#name` elsewhere.
    Channel(String),
    /// Something the reader can do from the post: a button on Discord and Slack. The text
    /// around it always says the equivalent command, so the shell needs no button.
    Action(Action),
}

/// A button's meaning. Pressing it leads to the same catalog command the text names, with
/// the fields filled in through a form (a Discord modal or a Slack view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub label: String,
    pub kind: ActionKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActionKind {
    /// Opens the check-in form for `cohort` (a slug) and `period` (ISO week).
    CheckIn { cohort: String, period: String },
    /// Opens a reply form to `learner`'s check-in; `handle` is what `/checkin reply @…` takes.
    ReplyToCheckin { handle: String, period: String },
    /// Verifies `handle`'s milestone for `module` (`/milestone verify @… module`).
    VerifyMilestone { handle: String, module: String },
    /// Opens a form asking for changes to `handle`'s milestone (`/milestone changes …`).
    RequestMilestoneChanges { handle: String, module: String },
    /// Claims review `number` (`/review claim …`).
    ClaimReview { number: i64 },
    /// Answers the kept question `question` (`/yes` or `/no`).
    Answer { question: String, yes: bool },
    /// Answers the open blocker a check-in prompt for `cohort` shows: resolved
    /// (`/checkin resolved`) or still blocked (`/checkin stuck`).
    Blocker { cohort: String, resolved: bool },
    /// Opens the form of a command (`form`, a `FormId` code) with `context` (options as
    /// typed text) filled in; its submit runs the command, as typing it would.
    Form {
        form: String,
        context: Vec<(String, String)>,
    },
    /// A lead's answer to `handle`'s request to join `circle` (`/circle approve` or
    /// `/circle decline`).
    CircleRequest {
        circle: String,
        handle: String,
        approve: bool,
    },
    /// Accepts an invitation to `circle` (`/circle join`).
    CircleJoin { circle: String },
    /// Runs the catalog command at `command` (its path, like `event rsvp`) with `options`
    /// as typed text, at once: a button for a command that needs nothing typed (`/back`,
    /// `/event rsvp 3`).
    Run {
        command: String,
        options: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message(pub Vec<Fragment>);

impl Message {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn text(mut self, s: impl Into<String>) -> Self {
        self.0.push(Fragment::Text(s.into()));
        self
    }

    /// Bold text. Spaces at either end stay outside the markers: `** #3 **` is not bold on
    /// either platform and would show its asterisks.
    pub fn strong(mut self, s: impl Into<String>) -> Self {
        let s = s.into();
        let core = s.trim();
        if core.is_empty() {
            return self.text(s);
        }
        let start = s.len() - s.trim_start().len();
        let end = start + core.len();
        if start > 0 {
            self.0.push(Fragment::Text(s[..start].to_owned()));
        }
        self.0.push(Fragment::Strong(core.to_owned()));
        if end < s.len() {
            self.0.push(Fragment::Text(s[end..].to_owned()));
        }
        self
    }

    pub fn code(mut self, s: impl Into<String>) -> Self {
        self.0.push(Fragment::Code(s.into()));
        self
    }

    pub fn channel(mut self, s: impl Into<String>) -> Self {
        self.0.push(Fragment::Channel(s.into()));
        self
    }

    pub fn user(mut self, s: impl Into<String>) -> Self {
        self.0.push(Fragment::User(s.into()));
        self
    }

    /// Typed text shown in bold (see [`Fragment::Highlight`]).
    pub fn highlight(mut self, s: impl Into<String>) -> Self {
        self.0.push(Fragment::Highlight(s.into()));
        self
    }

    /// User text in a list: each of its lines after the first starts with `indent`, so a
    /// multi-line answer stays under its bullet instead of falling back to the margin.
    pub fn user_indented(mut self, s: &str, indent: &str) -> Self {
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                self = self.line().text(indent);
            }
            self = self.user(line);
        }
        self
    }

    pub fn mention(mut self, member_id: Uuid, name: impl Into<String>) -> Self {
        self.0.push(Fragment::Mention {
            member_id,
            name: name.into(),
        });
        self
    }

    pub fn action(mut self, label: impl Into<String>, kind: ActionKind) -> Self {
        self.0.push(Fragment::Action(Action {
            label: label.into(),
            kind,
        }));
        self
    }

    /// The buttons in this message, in order.
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.0.iter().filter_map(|f| match f {
            Fragment::Action(a) => Some(a),
            _ => None,
        })
    }

    /// Members this message means to notify; the only ones a platform may ping.
    pub fn mentioned(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.0.iter().filter_map(|f| match f {
            Fragment::Mention { member_id, .. } => Some(*member_id),
            _ => None,
        })
    }

    pub fn line(self) -> Self {
        self.text("\n")
    }

    /// Appends another message.
    pub fn push(mut self, other: Message) -> Self {
        self.0.extend(other.0);
        self
    }
}

impl Message {
    /// Text written with backticks around code, as the catalog's help and the parser's
    /// messages are: each `span` becomes a code fragment, so every platform shows code
    /// formatting (Slack with `/cohort` in front) instead of literal backticks. Typed text
    /// quoted in these messages has its backticks replaced (see `domain::text::preview`),
    /// so only markup remains.
    pub fn marked(s: &str) -> Self {
        let mut msg = Message::new();
        let parts: Vec<&str> = s.split('`').collect();
        // An odd number of backticks leaves the last one as text.
        let closed = if parts.len().is_multiple_of(2) {
            parts.len() - 1
        } else {
            parts.len()
        };
        for (i, part) in parts.iter().enumerate().take(closed) {
            if i % 2 == 1 {
                msg = msg.code(*part);
            } else if !part.is_empty() {
                msg = msg.text(*part);
            }
        }
        if closed < parts.len() {
            msg = msg.text(format!("`{}", parts[closed..].join("`")));
        }
        msg
    }
}

impl From<&str> for Message {
    fn from(s: &str) -> Self {
        Message::new().text(s)
    }
}

impl From<String> for Message {
    fn from(s: String) -> Self {
        Message::new().text(s)
    }
}

/// `1 person`, `2 people`: a count with the noun that agrees with it.
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "lena", "lena and omar", "lena, omar and pia".
pub fn and_list(items: &[impl AsRef<str>]) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn and_list_joins_with_commas_then_and() {
        assert_eq!(and_list(&[] as &[&str]), "");
        assert_eq!(and_list(&["lena"]), "lena");
        assert_eq!(and_list(&["lena", "omar"]), "lena and omar");
        assert_eq!(
            and_list(&["lena".to_owned(), "omar".to_owned(), "pia".to_owned()]),
            "lena, omar and pia"
        );
    }

    #[test]
    fn marked_text_becomes_code_fragments() {
        assert_eq!(
            Message::marked("Missing `progress`. Usage: `/checkin <confidence>`").0,
            [
                Fragment::Text("Missing ".into()),
                Fragment::Code("progress".into()),
                Fragment::Text(". Usage: ".into()),
                Fragment::Code("/checkin <confidence>".into()),
            ]
        );
        assert_eq!(
            Message::marked("a `b` c `d").0,
            [
                Fragment::Text("a ".into()),
                Fragment::Code("b".into()),
                Fragment::Text(" c ".into()),
                Fragment::Text("`d".into()),
            ]
        );
        assert_eq!(Message::marked("plain").0, [Fragment::Text("plain".into())]);
    }

    #[test]
    fn bold_keeps_its_spaces_outside_the_markers() {
        let msg = Message::new().strong(" #3 ").text("x").strong("  ");
        assert_eq!(
            msg.0,
            [
                Fragment::Text(" ".into()),
                Fragment::Strong("#3".into()),
                Fragment::Text(" ".into()),
                Fragment::Text("x".into()),
                Fragment::Text("  ".into()),
            ]
        );
    }
}
