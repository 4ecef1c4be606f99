//! Discord rendering: markdown with escaped user text, real mentions only for `Mention`
//! fragments, buttons for actions, and content split at Discord's 2,000-character limit.

use std::collections::HashMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{ActionKind, Fragment, Message};
use crate::domain::text::strip_invisible;

/// Discord's limit on message content, in characters.
pub const CONTENT_MAX: usize = 2_000;
/// Characters of code per span: even with every `@` doubled by its zero-width space, a
/// span stays within one message.
const CODE_PART_MAX: usize = 900;
/// Buttons per action row, and rows per message.
const ROW_MAX: usize = 5;
const BUTTON_LABEL_MAX: usize = 80;
/// Zero-width space: after `@` it stops `@everyone`/`@here` from pinging.
const ZWSP: char = '\u{200B}';

/// One Discord message: content, who it may ping, and its buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscordMessage {
    pub content: String,
    /// Discord user ids this message mentions on purpose; nobody else is pinged.
    pub mention_user_ids: Vec<String>,
    pub buttons: Vec<Button>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub custom_id: String,
}

impl DiscordMessage {
    /// The JSON body for message create, interaction responses and webhook edits.
    /// `allowed_mentions` is always present, so nothing pings unless named here.
    pub fn to_json(&self) -> Value {
        let mut body = json!({
            "content": self.content,
            "allowed_mentions": { "parse": [], "users": self.mention_user_ids },
        });
        if !self.buttons.is_empty() {
            body["components"] = components(&self.buttons);
        }
        body
    }
}

/// Buttons as action rows of primary buttons.
pub fn components(buttons: &[Button]) -> Value {
    let rows: Vec<Value> = buttons
        .chunks(ROW_MAX)
        .take(ROW_MAX)
        .map(|row| {
            let row: Vec<Value> = row
                .iter()
                .map(|b| json!({ "type": 2, "style": 1, "label": b.label, "custom_id": b.custom_id }))
                .collect();
            json!({ "type": 1, "components": row })
        })
        .collect();
    Value::Array(rows)
}

/// What a rendered piece is, for splitting: never inside `Atom`, preferably at `Newline`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Newline,
    Space(char),
    Atom(String),
    Mention { text: String, user_id: String },
}

impl Piece {
    fn push_to(&self, out: &mut String) {
        match self {
            Piece::Newline => out.push('\n'),
            Piece::Space(c) => out.push(*c),
            Piece::Atom(s) | Piece::Mention { text: s, .. } => out.push_str(s),
        }
    }

    fn len(&self) -> usize {
        match self {
            Piece::Newline | Piece::Space(_) => 1,
            Piece::Atom(s) | Piece::Mention { text: s, .. } => s.chars().count(),
        }
    }
}

/// Renders `message` as one or more Discord messages (buttons on the last one).
/// `discord_ids` maps member ids to Discord user ids for `Mention` fragments; a member
/// without one is named as escaped `@name` text. `custom_id` encodes a button's action.
pub fn render(
    message: &Message,
    discord_ids: &HashMap<Uuid, String>,
    custom_id: &dyn Fn(&ActionKind) -> String,
) -> Vec<DiscordMessage> {
    let mut pieces = Vec::new();
    let mut buttons = Vec::new();
    for fragment in &message.0 {
        match fragment {
            Fragment::Text(s) | Fragment::User(s) => escape_into(s, &mut pieces),
            // One piece each, so a split between messages never leaves a `**` or a
            // backtick open; a code span too long for one message becomes several spans.
            Fragment::Strong(s) | Fragment::Highlight(s) => {
                let mut inner = Vec::new();
                escape_into(s, &mut inner);
                let mut atom = String::from("**");
                for piece in inner {
                    piece.push_to(&mut atom);
                }
                atom.push_str("**");
                pieces.push(Piece::Atom(atom));
            }
            Fragment::Code(s) => {
                let chars: Vec<char> = s.chars().collect();
                for part in chars.chunks(CODE_PART_MAX) {
                    pieces.push(Piece::Atom(code(&part.iter().collect::<String>())));
                }
            }
            Fragment::Mention { member_id, name } => match discord_ids.get(member_id) {
                Some(user_id) => pieces.push(Piece::Mention {
                    text: format!("<@{user_id}>"),
                    user_id: user_id.clone(),
                }),
                None => escape_into(&format!("@{name}"), &mut pieces),
            },
            // A snowflake is a channel link; a configured name is shown as `#name`.
            Fragment::Channel(c) if !c.is_empty() && c.chars().all(|ch| ch.is_ascii_digit()) => {
                pieces.push(Piece::Atom(format!("<#{c}>")));
            }
            Fragment::Channel(c) => pieces.push(Piece::Atom(code(&format!("#{c}")))),
            Fragment::Action(action) => {
                if buttons.len() < ROW_MAX * ROW_MAX {
                    buttons.push(Button {
                        label: action.label.chars().take(BUTTON_LABEL_MAX).collect(),
                        custom_id: custom_id(&action.kind),
                    });
                }
            }
        }
    }
    let mut messages: Vec<DiscordMessage> = split(pieces)
        .into_iter()
        .map(|chunk| {
            let mut mention_user_ids: Vec<String> = Vec::new();
            let mut content = String::new();
            for piece in chunk {
                piece.push_to(&mut content);
                if let Piece::Mention { user_id, .. } = piece
                    && !mention_user_ids.contains(&user_id)
                {
                    mention_user_ids.push(user_id);
                }
            }
            DiscordMessage {
                content,
                mention_user_ids,
                buttons: Vec::new(),
            }
        })
        .collect();
    if messages.is_empty() {
        messages.push(DiscordMessage {
            content: String::new(),
            mention_user_ids: Vec::new(),
            buttons: Vec::new(),
        });
    }
    if let Some(last) = messages.last_mut() {
        last.buttons = buttons;
    }
    messages
}

/// Escapes text so it renders literally: markdown markers get a backslash, `@` gets a
/// zero-width space (no `@everyone`/`@here`), `<` is escaped (no `<@id>`, `<@&role>`,
/// `<#channel>` or `</command:id>` markup), and line-start block markers are neutralised.
fn escape_into(text: &str, out: &mut Vec<Piece>) {
    // Indentation before a fragment (an indented quote of user text) still leaves it at
    // the start of its line: Discord reads `   > text` as a quote too.
    let mut at_line_start = matches!(
        out.iter().rev().find(|p| !matches!(p, Piece::Space(_))),
        None | Some(Piece::Newline)
    );
    for c in strip_invisible(text).chars() {
        let piece = match c {
            '\n' => Piece::Newline,
            ' ' | '\t' => Piece::Space(c),
            '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' | '<' => Piece::Atom(format!("\\{c}")),
            '#' | '>' | '-' | '+' if at_line_start => Piece::Atom(format!("\\{c}")),
            '@' => Piece::Atom(format!("@{ZWSP}")),
            c if c.is_control() => continue,
            c => Piece::Atom(c.to_string()),
        };
        at_line_start = match &piece {
            Piece::Newline => true,
            Piece::Space(_) => at_line_start,
            _ => false,
        };
        out.push(piece);
    }
}

/// Inline code that survives backticks inside; `@` still gets a zero-width space.
fn code(s: &str) -> String {
    let inner: String = strip_invisible(s)
        .chars()
        .filter(|c| !c.is_control())
        .flat_map(|c| if c == '@' { vec!['@', ZWSP] } else { vec![c] })
        .collect();
    if inner.contains('`') {
        format!("`` {} ``", inner.replace("``", "` `"))
    } else {
        format!("`{inner}`")
    }
}

/// Greedy split into chunks of at most [`CONTENT_MAX`] characters, cutting at the last
/// line break, else the last space, else between two pieces; the cut break is dropped.
fn split(pieces: Vec<Piece>) -> Vec<Vec<Piece>> {
    let mut chunks = Vec::new();
    let mut current: Vec<Piece> = Vec::new();
    let mut len = 0;
    for piece in pieces {
        let piece_len = piece.len();
        while len + piece_len > CONTENT_MAX && !current.is_empty() {
            let cut = current
                .iter()
                .rposition(|p| *p == Piece::Newline)
                .or_else(|| current.iter().rposition(|p| matches!(p, Piece::Space(_))));
            let rest = match cut {
                Some(at) if at > 0 => {
                    let mut rest = current.split_off(at);
                    rest.remove(0);
                    rest
                }
                _ => Vec::new(),
            };
            chunks.push(std::mem::take(&mut current));
            current = rest;
            len = current.iter().map(Piece::len).sum();
        }
        // A single piece longer than the limit (only a huge code span) is cut by characters.
        if piece_len > CONTENT_MAX {
            let text = match piece {
                Piece::Atom(s) | Piece::Mention { text: s, .. } => s,
                _ => unreachable!("breaks are one character"),
            };
            let chars: Vec<char> = text.chars().collect();
            for part in chars.chunks(CONTENT_MAX) {
                chunks.push(vec![Piece::Atom(part.iter().collect())]);
            }
            continue;
        }
        len += piece_len;
        current.push(piece);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_are_links_when_they_are_ids() {
        let msg = Message::new()
            .channel("150000000000000001")
            .text(" and ")
            .channel("spring-makers");
        let out = render(&msg, &HashMap::new(), &|_| String::new());
        assert_eq!(out[0].content, "<#150000000000000001> and `#spring-makers`");
    }
    use proptest::prelude::*;

    fn plain(message: &Message) -> Vec<DiscordMessage> {
        render(message, &HashMap::new(), &|_| "id".to_owned())
    }

    #[test]
    fn a_split_never_leaves_bold_or_code_open() {
        // Bold text that would straddle the 2,000-character cut, and a code span longer
        // than a whole message.
        let msg = Message::new()
            .text("x ".repeat(995))
            .strong("Spring Makers 2027 and friends")
            .text(" ")
            .code("@".repeat(3_000));
        let out = plain(&msg);
        assert!(out.len() >= 3, "{}", out.len());
        let unescaped = |c: &str, marker: &str| {
            c.replace(&format!("\\{marker}"), "")
                .matches(marker)
                .count()
        };
        for part in &out {
            assert!(part.content.chars().count() <= CONTENT_MAX);
            assert_eq!(unescaped(&part.content, "**") % 2, 0, "{}", part.content);
            assert_eq!(unescaped(&part.content, "`") % 2, 0, "{}", part.content);
        }
        let all: String = out.iter().map(|p| p.content.as_str()).collect();
        assert!(all.contains("**Spring Makers 2027 and friends**"));
        assert_eq!(all.matches('@').count(), 3_000);
    }

    #[test]
    fn user_text_cannot_ping_or_format() {
        let msg = Message::new()
            .text("Talk: ")
            .user("@everyone free pizza <@&123> <@123> **bold** [x](http://e.vil) # h");
        let out = plain(&msg);
        assert_eq!(out.len(), 1);
        let content = &out[0].content;
        assert_eq!(
            content,
            "Talk: @\u{200B}everyone free pizza \\<@\u{200B}&123> \\<@\u{200B}123> \\*\\*bold\\*\\* \\[x\\](http://e.vil) # h"
        );
        assert!(out[0].mention_user_ids.is_empty());
        assert_eq!(
            out[0].to_json()["allowed_mentions"],
            json!({ "parse": [], "users": [] })
        );
    }

    #[test]
    fn line_start_markers_are_escaped() {
        let out = plain(&Message::new().user("# title\n> quote\n- item\nnot-a-list"));
        assert_eq!(out[0].content, "\\# title\n\\> quote\n\\- item\nnot-a-list");
        // Indented by the message's own text, a quoted line is still at its line's start.
        let indented = plain(
            &Message::new()
                .text("Why:")
                .line()
                .text("    ")
                .user("> quote"),
        );
        assert_eq!(indented[0].content, "Why:\n    \\> quote");
    }

    #[test]
    fn mentions_ping_only_the_named_member() {
        let ada = Uuid::new_v4();
        let bob = Uuid::new_v4();
        let ids = HashMap::from([(ada, "111".to_owned())]);
        let msg = Message::new()
            .mention(ada, "Ada")
            .text(" and ")
            .mention(bob, "Bob_the_*builder*");
        let out = render(&msg, &ids, &|_| String::new());
        assert_eq!(
            out[0].content,
            "<@111> and @\u{200B}Bob\\_the\\_\\*builder\\*"
        );
        assert_eq!(out[0].mention_user_ids, ["111"]);
        assert_eq!(
            out[0].to_json()["allowed_mentions"],
            json!({ "parse": [], "users": ["111"] })
        );
    }

    #[test]
    fn actions_become_buttons_on_the_last_message() {
        let msg = Message::new().text("Time to check in.").action(
            "Check in",
            ActionKind::CheckIn {
                cohort: "c".into(),
                period: "2027-W09".into(),
            },
        );
        let out = render(&msg, &HashMap::new(), &|kind| match kind {
            ActionKind::CheckIn { cohort, period } => format!("ci:{cohort}:{period}"),
            _ => "other".into(),
        });
        assert_eq!(
            out[0].to_json()["components"],
            json!([{ "type": 1, "components": [
                { "type": 2, "style": 1, "label": "Check in", "custom_id": "ci:c:2027-W09" }
            ]}])
        );
    }

    #[test]
    fn code_keeps_backticks_inside() {
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("/checkin reply @bob"), "`/checkin reply @\u{200B}bob`");
    }

    #[test]
    fn long_content_splits_at_line_breaks() {
        let mut msg = Message::new();
        let uid = Uuid::new_v4();
        let ids = HashMap::from([(uid, "42".to_owned())]);
        for i in 0..300 {
            msg = msg
                .mention(uid, "x")
                .text(format!(" line {i:03} with some words"))
                .line();
        }
        let out = render(&msg, &ids, &|_| String::new());
        assert!(out.len() > 1);
        for part in &out {
            assert!(part.content.chars().count() <= CONTENT_MAX);
            assert!(
                part.content.starts_with("<@42> line"),
                "{}",
                &part.content[..20]
            );
            assert_eq!(part.mention_user_ids, ["42"]);
        }
        let joined: String = out.iter().map(|m| m.content.clone() + "\n").collect();
        assert_eq!(joined.matches("<@42>").count(), 300);
    }

    proptest! {
        #[test]
        fn no_user_text_pings_or_escapes_its_fragment(
            prefix in "[a-z ]{0,20}",
            user in "(@everyone|@here|<@&[0-9]{1,5}>|<@!?[0-9]{1,5}>|<#[0-9]{1,5}>|[ -~\n]){0,400}",
        ) {
            let msg = Message::new().text(prefix).user(user);
            for part in plain(&msg) {
                prop_assert!(part.content.chars().count() <= CONTENT_MAX);
                prop_assert!(!part.content.contains("@everyone"));
                prop_assert!(!part.content.contains("@here"));
                // Every `<` from user text is escaped, so no mention markup can form.
                let bytes = part.content.as_bytes();
                for (i, b) in bytes.iter().enumerate() {
                    if *b == b'<' {
                        let backslashes = bytes[..i].iter().rev().take_while(|c| **c == b'\\').count();
                        prop_assert!(backslashes % 2 == 1, "unescaped < in {:?}", part.content);
                    }
                }
                prop_assert!(part.mention_user_ids.is_empty());
            }
        }
    }
}
