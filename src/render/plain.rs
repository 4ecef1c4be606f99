//! Plain-text rendering for the shell and logs.

use super::{Fragment, Message};
use crate::domain::text::strip_invisible;

/// Renders a message as terminal text. Control characters in user text are dropped so
/// typed text cannot move the cursor or recolour the terminal.
pub fn render(message: &Message) -> String {
    render_with(message, true)
}

/// Renders a message for a plain-text field that shows no formatting (Slack's field
/// errors), where code marks would show as stray backticks.
pub fn render_unmarked(message: &Message) -> String {
    render_with(message, false)
}

fn render_with(message: &Message, code_marks: bool) -> String {
    let mut out = String::new();
    for fragment in &message.0 {
        match fragment {
            Fragment::Text(s) | Fragment::Strong(s) => out.push_str(s),
            Fragment::Code(s) if !code_marks => out.push_str(s),
            Fragment::Code(s) => {
                out.push('`');
                out.push_str(s);
                out.push('`');
            }
            // Line breaks and tabs are the person's own layout (a playbook, a multi-line
            // check-in); other control characters could move the cursor or recolour.
            Fragment::User(s) | Fragment::Highlight(s) => out.extend(
                strip_invisible(s)
                    .chars()
                    .filter(|c| !c.is_control() || matches!(c, '\n' | '\t')),
            ),
            Fragment::Mention { name, .. } => {
                out.push('@');
                out.extend(strip_invisible(name).chars().filter(|c| !c.is_control()));
            }
            // The surrounding text names the command; the shell has no buttons.
            Fragment::Channel(c) => {
                out.push_str("`#");
                out.extend(strip_invisible(c).chars().filter(|c| !c.is_control()));
                out.push('`');
            }
            Fragment::Action(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_loses_terminal_escapes() {
        let msg = Message::new().text("hi ").user("\u{1b}[31mbob").code("/me");
        assert_eq!(render(&msg), "hi [31mbob`/me`");
    }
}
