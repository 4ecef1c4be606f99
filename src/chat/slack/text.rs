//! Slash command text as Slack sends it, turned into catalog text and parsed.

use crate::commands::forms::FormSpec;
use crate::commands::{self, ParseError, ParsedCommand, catalog};

/// `/cohort <text>`: `join spring` is `cohort join spring`; `checkin 4 …` is `checkin 4 …`;
/// nothing at all is `help`.
pub fn parse(slack_text: &str) -> Result<ParsedCommand, ParseError> {
    commands::parse(&catalog_line(slack_text))
}

/// The form the text opens (`/cohort kb add faq`), with the options typed, as
/// [`commands::parse::form_to_open`] finds it.
pub fn form_to_open(slack_text: &str) -> Option<(&'static FormSpec, Vec<(&'static str, String)>)> {
    commands::parse::form_to_open(&catalog_line(slack_text))
}

/// Slack's text as the catalog's command line.
fn catalog_line(slack_text: &str) -> String {
    let text = plain(slack_text);
    let text = text.trim();
    if text.is_empty() {
        return "help".to_owned();
    }
    let first = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    // Words that are not another command group are taken as `cohort` subcommands, so a
    // misspelt `jion` is answered with "did you mean `/cohort join`".
    let top_level = catalog::top_level_words();
    if catalog::find(&format!("cohort {first}")).is_some() || !top_level.contains(&first.as_str()) {
        format!("cohort {text}")
    } else {
        text.to_owned()
    }
}

/// The `<@U…|name>` user mentions (`sigil` `@`) or `<#C…|name>` channel links (`#`) in
/// Slack's text, as (id, name) pairs.
pub fn links(slack_text: &str, sigil: char) -> Vec<(String, String)> {
    slack_text
        .split('<')
        .skip(1)
        .filter_map(|piece| piece.split_once('>'))
        .filter_map(|(inner, _)| inner.strip_prefix(sigil))
        .filter_map(|inner| inner.split_once('|'))
        .map(|(id, name)| (id.to_owned(), name.to_owned()))
        .collect()
}

/// Undoes Slack's markup: `<@U1|ann>` stays (the parser reads it as a user), channels
/// become `#name`, links their URL, `<!here>`, `<!channel>` and `<!everyone>` `@here` and so
/// on, other special mentions their label; then `&amp;`, `&lt;` and `&gt;` are unescaped.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let inner = &rest[start + 1..start + len];
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t, Some(l)),
            None => (inner, None),
        };
        if target.starts_with('@') {
            out.push('<');
            out.push_str(inner);
            out.push('>');
        } else if let Some(channel) = target.strip_prefix('#') {
            out.push('#');
            out.push_str(label.unwrap_or(channel));
        } else if let Some(special) = target.strip_prefix('!') {
            // `<!here>` is what the member typed as "@here": their words keep the "@" (the
            // bot's own posts neutralize it). A user group's label has it already
            // (`<!subteam^S1|@helpers>`), a date's fallback text never does.
            match (special, label) {
                ("here" | "channel" | "everyone", _) => {
                    out.push('@');
                    out.push_str(special);
                }
                (_, Some(label)) => out.push_str(label),
                (special, None) => out.push_str(special),
            }
        } else {
            out.push_str(target);
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::CommandId;

    #[test]
    fn links_name_users_and_channels() {
        let text = "role grant <@U0SAM|sam> <#C0FALL|fall-makers> <!here> <@U0ANN>";
        assert_eq!(links(text, '@'), [("U0SAM".to_owned(), "sam".to_owned())]);
        assert_eq!(
            links(text, '#'),
            [("C0FALL".to_owned(), "fall-makers".to_owned())]
        );
    }

    #[test]
    fn subcommands_of_cohort_and_other_groups_both_parse() {
        assert_eq!(parse("join spring").unwrap().spec.id, CommandId::CohortJoin);
        assert_eq!(parse("cohort list").unwrap().spec.id, CommandId::CohortList);
        let checkin = parse("checkin 4 built a flow hours:3").unwrap();
        assert_eq!(checkin.spec.id, CommandId::Checkin);
        assert_eq!(checkin.args.text("progress"), Some("built a flow"));
        assert_eq!(parse("").unwrap().spec.id, CommandId::Help);
        assert_eq!(
            parse("me timezone Europe/Berlin").unwrap().spec.id,
            CommandId::MeTimezone
        );
        assert!(parse("jion x").is_err());
    }

    #[test]
    fn slack_markup_becomes_plain_text() {
        let reply =
            parse("checkin reply <@U0SAM|sam> see <https://x.example/a?b=1&amp;c=2|docs> &lt;3")
                .unwrap();
        assert_eq!(reply.args.text("learner"), Some("U0SAM"));
        assert_eq!(
            reply.args.text("text"),
            Some("see https://x.example/a?b=1&c=2 <3")
        );
        assert_eq!(plain("hi <!here> in <#C1|general>"), "hi @here in #general");
        assert_eq!(
            plain("<!channel> <!everyone|everyone> <!subteam^S1|@helpers> <!date^1|Monday>"),
            "@channel @everyone @helpers Monday"
        );
        assert_eq!(plain("a < b"), "a < b");
    }
}
