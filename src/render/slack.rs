//! Slack rendering: mrkdwn text and Block Kit blocks, with user text escaped and within
//! Slack's limits (3,000 characters per text object, 50 blocks per message).

use serde_json::{Value, json};
use uuid::Uuid;

use super::{Action, ActionKind, Fragment, Message};
use crate::commands::catalog;
use crate::domain::text::strip_invisible;

/// Longest text object Slack accepts in a block.
pub const TEXT_MAX: usize = 3_000;
/// Most blocks in one message.
pub const BLOCKS_MAX: usize = 50;
/// Most blocks in a Home tab (or a modal).
pub const VIEW_BLOCKS_MAX: usize = 100;
/// Most elements in one `actions` block.
const ACTIONS_MAX: usize = 25;
/// Longest button label (plain text) Slack accepts.
const LABEL_MAX: usize = 75;

/// `action_id`s of the bot's buttons; the interaction handler dispatches on them.
pub const CHECK_IN_ACTION: &str = "cohortbot_checkin";
pub const REPLY_ACTION: &str = "cohortbot_reply";
pub const MILESTONE_VERIFY_ACTION: &str = "cohortbot_milestone_verify";
pub const MILESTONE_CHANGES_ACTION: &str = "cohortbot_milestone_changes";
pub const REVIEW_CLAIM_ACTION: &str = "cohortbot_review_claim";
pub const ANSWER_ACTION: &str = "cohortbot_answer";
pub const BLOCKER_ACTION: &str = "cohortbot_blocker";
pub const CIRCLE_ACTION: &str = "cohortbot_circle";
pub const FORM_ACTION: &str = "cohortbot_form";
pub const RUN_ACTION: &str = "cohortbot_run";

/// The slash command every catalog command lives under on Slack.
pub const SLASH_COMMAND: &str = "/cohort";

/// One Slack message: the notification/fallback `text` and its `blocks`.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackMessage {
    pub text: String,
    pub blocks: Vec<Value>,
}

/// Renders `message`; a long one becomes several messages, split at line boundaries.
/// `slack_id` gives a mentioned member's Slack user id; unknown members are named, not pinged.
pub fn render(message: &Message, slack_id: impl Fn(Uuid) -> Option<String>) -> Vec<SlackMessage> {
    let text = mrkdwn(message, &slack_id);
    let sections: Vec<Value> = chunks(&text, TEXT_MAX)
        .into_iter()
        .map(|chunk| json!({ "type": "section", "text": { "type": "mrkdwn", "text": chunk } }))
        .collect();
    let buttons: Vec<Value> = message.actions().map(button).collect();
    let action_blocks: Vec<Value> = buttons
        .chunks(ACTIONS_MAX)
        .map(|elements| json!({ "type": "actions", "elements": elements }))
        .collect();

    let mut out = Vec::new();
    let mut blocks: Vec<Value> = Vec::new();
    for block in sections.into_iter().chain(action_blocks) {
        if blocks.len() == BLOCKS_MAX {
            out.push(finish(std::mem::take(&mut blocks)));
        }
        blocks.push(block);
    }
    if !blocks.is_empty() || out.is_empty() {
        out.push(finish(blocks));
    }
    out
}

/// A Home tab of `sections` (each a message with its buttons), a divider between them,
/// within Slack's 100 blocks: what does not fit is cut at a section's block, and a last
/// line (`more`, given how many sections were cut) says where the rest is.
pub fn home_view(
    sections: &[Message],
    more: impl Fn(usize) -> Message,
    slack_id: impl Fn(Uuid) -> Option<String>,
) -> Value {
    let mut blocks: Vec<Value> = Vec::new();
    let mut left_out = 0;
    for (i, section) in sections.iter().enumerate() {
        let mut these: Vec<Value> = render(section, &slack_id)
            .into_iter()
            .flat_map(|m| m.blocks)
            .collect();
        if i > 0 {
            these.insert(0, json!({ "type": "divider" }));
        }
        // One block stays free for the note on what was left out.
        let room = VIEW_BLOCKS_MAX - 1 - blocks.len();
        if left_out > 0 || these.len() > room {
            these.truncate(room);
            left_out += 1;
        }
        blocks.extend(these);
    }
    if left_out > 0 {
        blocks.push(json!({
            "type": "context",
            "elements": [{ "type": "mrkdwn", "text": mrkdwn(&more(left_out), &slack_id) }],
        }));
    }
    json!({ "type": "home", "blocks": blocks })
}

/// The whole message as one mrkdwn string (for slash command replies and fallbacks).
pub fn mrkdwn(message: &Message, slack_id: &impl Fn(Uuid) -> Option<String>) -> String {
    let mut out = String::new();
    for fragment in &message.0 {
        match fragment {
            Fragment::Text(s) => out.push_str(&escape(s)),
            Fragment::Strong(s) => {
                let inner = neutralise(&escape(s));
                if inner.trim().is_empty() {
                    out.push_str(&inner);
                } else {
                    out.push('*');
                    out.push_str(&inner);
                    out.push('*');
                }
            }
            Fragment::Code(s) => {
                out.push('`');
                out.push_str(&code_text(&slash_command(s)));
                out.push('`');
            }
            Fragment::User(s) => out.push_str(&user_text(s)),
            Fragment::Highlight(s) => {
                let inner = user_text(s);
                if inner.trim().is_empty() {
                    out.push_str(&inner);
                } else {
                    out.push('*');
                    out.push_str(&inner);
                    out.push('*');
                }
            }
            Fragment::Mention { member_id, name } => match slack_id(*member_id) {
                Some(id) if is_slack_id(&id) => {
                    out.push_str("<@");
                    out.push_str(&id);
                    out.push('>');
                }
                _ => {
                    out.push('@');
                    out.push_str(&user_text(name));
                }
            },
            // The button goes into an `actions` block; the text already names the command.
            Fragment::Channel(c) if is_slack_channel_id(c) => {
                out.push_str("<#");
                out.push_str(c);
                out.push('>');
            }
            Fragment::Channel(c) => {
                out.push('`');
                out.push_str(&code_text(&format!("#{c}")));
                out.push('`');
            }
            Fragment::Action(_) => {}
        }
    }
    out
}

/// Inside inline code Slack formats nothing, so `*`, `_` and `~` keep their characters (a
/// cron copied from a reply must work when pasted back). Only a backtick would end the span:
/// it becomes a look-alike, and a line break a space.
fn code_text(s: &str) -> String {
    let kept: String = strip_invisible(s)
        .chars()
        .map(|c| match c {
            '`' => 'ˋ',
            '\n' => ' ',
            c => c,
        })
        .filter(|c| !c.is_control())
        .collect();
    escape(&kept)
}

/// Escapes text typed by a person: no mention, link or formatting survives.
pub fn user_text(s: &str) -> String {
    neutralise(&escape(
        &strip_invisible(s).replace(|c: char| c.is_control() && c != '\n', ""),
    ))
}

/// The three characters Slack requires escaped in any text; with them escaped, `<!channel>`,
/// `<!here>`, `<@U…>` and `<https://…|label>` are shown as typed and never parsed.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// mrkdwn has no escape character, so the formatting markers are swapped for look-alikes:
/// `*bold*`, `_italic_`, `~strike~` and `` `code` `` in user text cannot open or close a span.
fn neutralise(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '*' => '∗',
            '_' => '＿',
            '~' => '∼',
            '`' => 'ˋ',
            _ => c,
        })
        .collect()
}

/// Every command is a subcommand of `/cohort` on Slack, so `/checkin 4 …` reads
/// `/cohort checkin 4 …`; `/cohort list` stays as it is.
fn slash_command(code: &str) -> String {
    let Some(rest) = code.strip_prefix('/') else {
        return code.to_owned();
    };
    let word = rest.split_whitespace().next().unwrap_or_default();
    if word == SLASH_COMMAND.trim_start_matches('/') || !catalog::top_level_words().contains(&word)
    {
        return code.to_owned();
    }
    format!("{SLASH_COMMAND} {rest}")
}

/// Public and private channel ids (`C0123ABC`, `G0123ABC`): Slack shows them as links.
fn is_slack_channel_id(id: &str) -> bool {
    matches!(id.chars().next(), Some('C' | 'G')) && is_slack_id(id)
}

/// Slack user ids are upper-case letters and digits (`U0123ABC`, `W0123ABC`).
pub fn is_slack_id(id: &str) -> bool {
    id.len() >= 2
        && id.len() <= 32
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn button(action: &Action) -> Value {
    let action_id = match action.kind {
        ActionKind::CheckIn { .. } => CHECK_IN_ACTION,
        ActionKind::ReplyToCheckin { .. } => REPLY_ACTION,
        ActionKind::VerifyMilestone { .. } => MILESTONE_VERIFY_ACTION,
        ActionKind::RequestMilestoneChanges { .. } => MILESTONE_CHANGES_ACTION,
        ActionKind::ClaimReview { .. } => REVIEW_CLAIM_ACTION,
        ActionKind::Answer { .. } => ANSWER_ACTION,
        ActionKind::Blocker { .. } => BLOCKER_ACTION,
        ActionKind::Form { .. } => FORM_ACTION,
        ActionKind::CircleRequest { .. } | ActionKind::CircleJoin { .. } => CIRCLE_ACTION,
        ActionKind::Run { .. } => RUN_ACTION,
    };
    let label: String = action.label.chars().take(LABEL_MAX).collect();
    let mut button = json!({
        "type": "button",
        "action_id": action_id,
        "text": { "type": "plain_text", "text": label },
        "value": serde_json::to_string(&action.kind).unwrap_or_default(),
    });
    // "No" is the quiet choice; every other button is the thing to do.
    if !matches!(
        action.kind,
        ActionKind::Answer { yes: false, .. }
            | ActionKind::Blocker {
                resolved: false,
                ..
            }
            | ActionKind::CircleRequest { approve: false, .. }
    ) {
        button["style"] = json!("primary");
    }
    button
}

fn finish(blocks: Vec<Value>) -> SlackMessage {
    // The fallback is what notifications show; the first section is enough for that.
    let text = blocks
        .iter()
        .find_map(|b| b["text"]["text"].as_str())
        .unwrap_or_default()
        .to_owned();
    SlackMessage { text, blocks }
}

/// Splits rendered text into pieces of at most `max` characters, at line breaks where it can,
/// else at spaces, and never inside an escape (`&amp;`) or a mention (`<@U…>`).
pub fn chunks(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for line in text.split('\n') {
        let line_len = line.chars().count();
        let needed = if current.is_empty() {
            line_len
        } else {
            line_len + 1
        };
        if current_len + needed <= max {
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(line);
            current_len += needed;
            continue;
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        let mut rest = line;
        while rest.chars().count() > max {
            let cut = cut_point(rest, max);
            out.push(rest[..cut].to_owned());
            rest = &rest[cut..];
        }
        current = rest.to_owned();
        current_len = rest.chars().count();
    }
    if !current.trim().is_empty() || out.is_empty() {
        out.push(current);
    }
    out.retain(|c| !c.is_empty());
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// A byte index at most `max` characters into `s` (which is longer), after a space if one
/// is near, and outside any `&…;` or `<…>`.
fn cut_point(s: &str, max: usize) -> usize {
    let hard = s.char_indices().nth(max).map_or(s.len(), |(i, _)| i);
    let head = &s[..hard];
    let mut cut = match head.rfind(' ') {
        Some(i) if i > hard / 2 => i + 1,
        _ => hard,
    };
    // Back off to the start of an entity or mention cut in two.
    let open = head[..cut].rfind(['&', '<']);
    let close = head[..cut].rfind([';', '>']);
    if let Some(open) = open
        && close.is_none_or(|c| c < open)
        && open > 0
    {
        cut = open;
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn more(n: usize) -> Message {
        Message::new().text(format!("…and {n} more"))
    }

    #[test]
    fn a_home_within_the_limit_is_whole_with_dividers_between_sections() {
        let sections = [
            Message::new()
                .text("one")
                .action("Go", ActionKind::ClaimReview { number: 1 }),
            Message::new().text("two"),
        ];
        let view = home_view(&sections, more, |_| None);
        let kinds: Vec<&str> = view["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["type"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["section", "actions", "divider", "section"]);
        assert_eq!(view["type"], "home");
    }

    #[test]
    fn a_home_over_a_hundred_blocks_is_cut_and_says_how_much_is_left_out() {
        // 60 sections of a text and a button (3 blocks each with its divider), one of them
        // longer than a text block holds: far over Slack's 100.
        let mut sections: Vec<Message> = (0..60)
            .map(|i| {
                Message::new()
                    .text(format!("learner {i}"))
                    .action(format!("Claim #{i}"), ActionKind::ClaimReview { number: i })
            })
            .collect();
        sections[1] = Message::new().text("x".repeat(TEXT_MAX * 3));
        let view = home_view(&sections, more, |_| None);
        let blocks = view["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), VIEW_BLOCKS_MAX);
        let last = blocks.last().unwrap();
        assert_eq!(last["type"], "context");
        // 99 blocks hold section 0 (2 blocks), section 1 (a divider and 3 text blocks) and
        // 31 more (3 each); the last 27 sections do not fit.
        assert_eq!(last["elements"][0]["text"], "…and 27 more");
        assert!(blocks[..99].iter().all(|b| b["type"] != "context"));
    }

    #[test]
    fn channels_are_links_when_they_are_ids() {
        let msg = Message::new()
            .channel("C0SPRING1")
            .text(" and ")
            .channel("spring_makers");
        assert_eq!(mrkdwn(&msg, &|_| None), "<#C0SPRING1> and `#spring_makers`");
    }
    use proptest::prelude::*;

    fn none(_: Uuid) -> Option<String> {
        None
    }

    #[test]
    fn user_text_cannot_ping_link_or_format() {
        let msg = Message::new().text("From ").user(
            "<!channel> <!here> <@U123> <https://evil.example|click> *bold* _it_ ~s~ `c` & more",
        );
        let text = mrkdwn(&msg, &none);
        assert_eq!(
            text,
            "From &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; ∗bold∗ ＿it＿ ∼s∼ ˋcˋ &amp; more"
        );
    }

    #[test]
    fn mentions_use_the_slack_id_and_only_for_real_ids() {
        let id = Uuid::new_v4();
        let msg = Message::new()
            .mention(id, "Sam")
            .text(" and ")
            .mention(Uuid::nil(), "<!channel>");
        let text = mrkdwn(&msg, &|m| (m == id).then(|| "U0SAM".to_owned()));
        assert_eq!(text, "<@U0SAM> and @&lt;!channel&gt;");
        let forged = mrkdwn(&Message::new().mention(id, "x"), &|_| {
            Some("U1>|<!here".into())
        });
        assert_eq!(forged, "@x");
    }

    #[test]
    fn bot_formatting_and_commands_read_as_slash_cohort() {
        let msg = Message::new()
            .strong("Spring *Makers*")
            .text(" — try ")
            .code("/checkin 4 did it")
            .text(" or ")
            .code("/cohort list")
            .text(" or ")
            .code("cohort:x");
        assert_eq!(
            mrkdwn(&msg, &none),
            "*Spring ∗Makers∗* — try `/cohort checkin 4 did it` or `/cohort list` or `cohort:x`"
        );
    }

    #[test]
    fn actions_become_buttons_with_a_text_fallback() {
        let msg = Message::new().text("Check-in time!").action(
            "Check in",
            ActionKind::CheckIn {
                cohort: "spring".into(),
                period: "2027-W10".into(),
            },
        );
        let out = render(&msg, none);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].text, "Check-in time!");
        assert_eq!(out[0].blocks[0]["type"], "section");
        let button = &out[0].blocks[1]["elements"][0];
        assert_eq!(button["action_id"], CHECK_IN_ACTION);
        assert_eq!(button["text"]["text"], "Check in");
        let kind: ActionKind = serde_json::from_str(button["value"].as_str().unwrap()).unwrap();
        assert_eq!(
            kind,
            ActionKind::CheckIn {
                cohort: "spring".into(),
                period: "2027-W10".into()
            }
        );
    }

    #[test]
    fn long_digests_split_within_limits_at_line_boundaries() {
        let mut msg = Message::new();
        for i in 0..4_000 {
            msg = msg
                .text(format!("line {i:04} "))
                .user("x".repeat(40))
                .line();
        }
        let out = render(&msg, none);
        assert!(out.len() > 1, "split into {} messages", out.len());
        let mut lines = 0;
        for m in &out {
            assert!(m.blocks.len() <= BLOCKS_MAX);
            for b in &m.blocks {
                let t = b["text"]["text"].as_str().unwrap();
                assert!(t.chars().count() <= TEXT_MAX);
                assert!(t.starts_with("line "), "{}", &t[..20]);
                lines += t.lines().count();
            }
        }
        assert_eq!(lines, 4_000);
    }

    #[test]
    fn a_long_line_is_cut_outside_escapes() {
        let text = escape(&"<".repeat(5_000));
        for chunk in chunks(&text, TEXT_MAX) {
            assert!(chunk.chars().count() <= TEXT_MAX);
            assert!(chunk.starts_with("&lt;") && chunk.ends_with("&lt;"));
        }
    }

    #[test]
    fn empty_messages_still_render_one_message() {
        let out = render(&Message::new(), none);
        assert_eq!(out.len(), 1);
    }

    proptest! {
        #[test]
        fn no_user_text_yields_a_special_sequence(s in "[<>&!@#|*_~`a-zA-Z0-9 \\n:/.-]{0,200}") {
            let msg = Message::new().text("Hi ").user(&s).strong("ok").user(&s);
            for m in render(&msg, none) {
                let all = serde_json::to_string(&m.blocks).unwrap() + &m.text;
                prop_assert!(!all.contains("<!"), "{all}");
                prop_assert!(!all.contains("<@"), "{all}");
                prop_assert!(!all.contains("<http"), "{all}");
            }
            let text = user_text(&s);
            prop_assert!(!text.contains(['<', '>', '*', '_', '~', '`']));
        }
    }
}
