//! Turns `/cohort join spring-makers track:projects` into a typed invocation.
//!
//! Options are given by position or as `name:value`; quotes group words; the last text
//! option may take the rest of the line.

use thiserror::Error;

use super::catalog::{self, CommandSpec};
use super::forms::{self, FormSpec};
use super::messages;
use super::value::{Args, Given, Value, convert};
use crate::domain::suggest;
use crate::render::Message;

/// Longest line accepted, a little over the longest text option.
pub const LINE_MAX: usize = 4_000;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", crate::render::plain::render(.0))]
pub struct ParseError(pub Message);

#[derive(Debug, Clone)]
pub struct ParsedCommand {
    pub spec: &'static CommandSpec,
    pub args: Args,
}

#[derive(Debug, PartialEq, Eq)]
struct Token {
    text: String,
    /// Where the token is in the trimmed line, quotes included: a paragraph is taken from
    /// the line as typed, not from its tokens.
    span: std::ops::Range<usize>,
    /// Set when the token is `name:value` with the name unquoted.
    named: Option<(String, String)>,
}

pub fn parse(line: &str) -> Result<ParsedCommand, ParseError> {
    let len = line.chars().count();
    if len > LINE_MAX {
        return Err(ParseError(messages::line_too_long(len, LINE_MAX)));
    }
    if let Some(parsed) = search_as_typed(line)? {
        return Ok(parsed);
    }
    let tokens = tokenize(line)?;
    let (spec, consumed) = resolve_command(&tokens)?;
    let args = bind_options(spec, line.trim(), &tokens[consumed..])?;
    Ok(ParsedCommand { spec, args })
}

/// A command whose one option is a search query takes the rest of the line exactly as
/// typed: its quotes, minus signs and `or` are search syntax, not the parser's, and an
/// unclosed quote is the search's to forgive. `None` for any other line.
fn search_as_typed(line: &str) -> Result<Option<ParsedCommand>, ParseError> {
    let line = line.trim();
    let mut words = line.splitn(3, char::is_whitespace);
    let (Some(group), Some(sub)) = (words.next(), words.next()) else {
        return Ok(None);
    };
    let path = format!(
        "{} {}",
        group.strip_prefix('/').unwrap_or(group).to_lowercase(),
        sub.to_lowercase()
    );
    let Some(spec) = catalog::find(&path) else {
        return Ok(None);
    };
    let [option] = spec.options else {
        return Ok(None);
    };
    let query = words.next().unwrap_or_default().trim();
    if option.kind != catalog::OptionKind::KbQuery || query.is_empty() {
        return Ok(None);
    }
    let value = convert(option, query)
        .map_err(|m| ParseError(messages::invalid_value(&spec.usage(), &m)))?;
    Ok(Some(ParsedCommand {
        spec,
        args: Args(vec![(option.name, value)], Given::Line),
    }))
}

fn tokenize(line: &str) -> Result<Vec<Token>, ParseError> {
    let mut tokens = Vec::new();
    let line = line.trim();
    let mut chars = line.char_indices().peekable();
    while chars.peek().is_some() {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let Some(&(start, _)) = chars.peek() else {
            break;
        };
        let mut text = String::new();
        let mut quoted_any = false;
        let mut name_end = None;
        while let Some(&(_, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            // A quote opens only at the start of a word or of a value (`name:"…"`), so
            // apostrophes inside words ("Let's") stay as typed.
            let opens_quote = text.is_empty() || (name_end.is_some() && text.ends_with(':'));
            match c {
                _ if opens_quote && closing_quotes(c).is_some() => {
                    let closing = closing_quotes(c).unwrap_or_default();
                    quoted_any = true;
                    let mut closed = false;
                    while let Some((_, q)) = chars.next() {
                        // A single quote is also an apostrophe (`'Don't panic'`): it closes
                        // only where a word ends.
                        let word_ends = chars.peek().is_none_or(|&(_, n)| !n.is_alphanumeric());
                        if closing.contains(&q) && (word_ends || !matches!(q, '\'' | '’')) {
                            closed = true;
                            break;
                        }
                        // Inside double quotes `\"` is a quote and `\\` one backslash; any
                        // other backslash is text (`C:\temp`, a regex), never dropped.
                        if q == '\\'
                            && c == '"'
                            && let Some((_, escaped)) =
                                chars.next_if(|&(_, n)| n == '"' || n == '\\')
                        {
                            text.push(escaped);
                            continue;
                        }
                        text.push(q);
                    }
                    if !closed {
                        let close = closing.first().copied().unwrap_or(c);
                        return Err(ParseError(messages::unterminated_quote(close)));
                    }
                }
                ':' if name_end.is_none() && !quoted_any => {
                    name_end = Some(text.len());
                    text.push(c);
                }
                _ => text.push(c),
            }
        }
        let named = name_end.and_then(|at| {
            let (name, value) = (&text[..at], &text[at + 1..]);
            // `https://…` is a value, not an option called `https`.
            let is_name = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
                && !value.starts_with("//");
            is_name.then(|| (name.to_owned(), value.to_owned()))
        });
        let end = chars.peek().map_or(line.len(), |&(at, _)| at);
        tokens.push(Token {
            text,
            span: start..end,
            named,
        });
    }
    Ok(tokens)
}

/// Finds the command the leading words name; returns it and how many tokens it used.
fn resolve_command(tokens: &[Token]) -> Result<(&'static CommandSpec, usize), ParseError> {
    let Some(first) = tokens.first() else {
        return Err(ParseError(messages::empty()));
    };
    let group = first
        .text
        .strip_prefix('/')
        .unwrap_or(&first.text)
        .to_lowercase();
    let subcommands = catalog::subcommands(&group);
    let second = tokens
        .get(1)
        .filter(|t| t.named.is_none())
        .map(|t| t.text.to_lowercase());

    if let Some(word) = &second
        && let Some(spec) = catalog::find(&format!("{group} {word}"))
    {
        return Ok((spec, 2));
    }
    match catalog::find(&group) {
        // `/me bogus`: a group that takes no options only accepts its subcommands.
        Some(spec) if spec.options.is_empty() && !subcommands.is_empty() && second.is_some() => {
            let word = second.unwrap_or_default();
            Err(unknown_subcommand(&group, &word, &subcommands))
        }
        Some(spec) => Ok((spec, 1)),
        None if !subcommands.is_empty() => match second {
            Some(word) => Err(unknown_subcommand(&group, &word, &subcommands)),
            None => Err(ParseError(messages::needs_subcommand(&group, &subcommands))),
        },
        None => {
            let words = catalog::top_level_words();
            Err(ParseError(messages::unknown_command(
                &group,
                suggest(&group, words.iter().copied()),
            )))
        }
    }
}

fn unknown_subcommand(group: &str, word: &str, subcommands: &[&'static str]) -> ParseError {
    let typed = format!("{group} {word}");
    let suggestion = suggest(word, subcommands.iter().copied()).map(|s| format!("{group} {s}"));
    ParseError(messages::unknown_command(&typed, suggestion.as_deref()))
}

/// The form a typed line opens on a platform that draws forms (`/kb add faq`: a command
/// given none of its form's fields), with the options it was typed with; `None` for a line
/// that runs as typed or does not parse, which `parse` then explains.
pub fn form_to_open(line: &str) -> Option<(&'static FormSpec, Vec<(&'static str, String)>)> {
    let tokens = tokenize(line).ok()?;
    let (spec, consumed) = resolve_command(&tokens).ok()?;
    let raw = raw_options(spec, line.trim(), &tokens[consumed..]).ok()?;
    let given: Vec<&str> = raw.iter().map(|(name, _)| *name).collect();
    forms::opened_by(spec.id, &given).map(|form| (form, raw))
}

fn bind_options(
    spec: &'static CommandSpec,
    line: &str,
    tokens: &[Token],
) -> Result<Args, ParseError> {
    let usage = spec.usage();
    let raw = raw_options(spec, line, tokens)?;
    let mut args = Args(Vec::new(), Given::Line);
    for option in spec.options {
        match raw.iter().find(|(n, _)| *n == option.name) {
            Some((_, text)) => {
                let value: Value = convert(option, text)
                    .map_err(|m| ParseError(messages::invalid_value(&usage, &m)))?;
                args.0.push((option.name, value));
            }
            None if option.required => {
                return Err(ParseError(messages::missing_option(
                    option.name,
                    option.choices(),
                    &usage,
                )));
            }
            None => {}
        }
    }
    Ok(args)
}

/// The option each token gives, as typed: named ones by name, the rest by position.
/// `line` is the trimmed line the tokens were read from.
fn raw_options(
    spec: &'static CommandSpec,
    line: &str,
    tokens: &[Token],
) -> Result<Vec<(&'static str, String)>, ParseError> {
    let usage = spec.usage();
    let mut raw: Vec<(&'static str, String)> = Vec::new();
    // Each with its place among the tokens, so a paragraph can tell it is one run of words.
    let mut positional: Vec<(usize, &Token)> = Vec::new();
    // The named text option being typed, which the words after it continue, and where its
    // value starts in the line.
    let mut continued: Option<(usize, usize)> = None;

    for (place, token) in tokens.iter().enumerate() {
        let named = match &token.named {
            // `Session:2`, capitalised as phones do: the option, when that is its exact name
            // and a value follows; otherwise (`Note: …` in prose) text, as before.
            Some((name, value)) if name.chars().any(|c| c.is_ascii_uppercase()) => spec
                .option(&name.to_ascii_lowercase())
                .filter(|_| !value.is_empty())
                .map(|option| (option, value)),
            Some((name, value)) => match spec.option(name) {
                Some(option) => Some((option, value)),
                None => {
                    let names = spec.options.iter().map(|o| o.name);
                    let suggestion = suggest(name, names);
                    // Free text says `todo: call IT` or `so: it works`: a word no option is
                    // close to is text for a command that takes the rest of the line. A
                    // near miss (`blocker:` for `blockers:`) is still asked about.
                    if suggestion.is_none() && spec.options.iter().any(|o| o.rest) {
                        None
                    } else {
                        return Err(ParseError(messages::unknown_option(
                            spec.path, name, suggestion,
                        )));
                    }
                }
            },
            None => None,
        };
        match named {
            Some((option, value)) => {
                if raw.iter().any(|(n, _)| *n == option.name) {
                    return Err(ParseError(messages::duplicate_option(option.name)));
                }
                raw.push((option.name, value.clone()));
                // Only once the words the command takes by position have begun (or when
                // it takes none): `/checkin blockers:none 3 Done` still reads 3 and Done.
                // A quoted value ends at its quote: `title:"VPN access" Open a ticket`.
                let by_position_begun = !positional.is_empty()
                    || spec
                        .options
                        .iter()
                        .all(|o| o.named_only || raw.iter().any(|(n, _)| *n == o.name));
                let start = token.span.end - value.len();
                let unquoted = line.get(start..token.span.end) == Some(value.as_str());
                continued = (takes_words(option) && by_position_begun && unquoted)
                    .then_some((raw.len() - 1, start));
            }
            // `exclude:Kim Ito`: the words after a text option are its own, as people
            // write, not stray words of the paragraph before it.
            None => match continued {
                Some((at, start)) => raw[at].1 = line[start..token.span.end].to_owned(),
                None => positional.push((place, token)),
            },
        }
    }

    // Positional words fill the options not named, in declaration order.
    let mut positional = positional.into_iter();
    for option in spec.options {
        if option.named_only || raw.iter().any(|(n, _)| *n == option.name) {
            continue;
        }
        let value = if option.rest {
            let words: Vec<(usize, &Token)> = positional.by_ref().collect();
            rest_value(option, line, &words)
        } else {
            positional.next().map(|(_, token)| token.text.clone())
        };
        if let Some(value) = value {
            raw.push((option.name, value));
        }
    }
    if let Some((_, extra)) = positional.next() {
        return Err(ParseError(messages::too_many_arguments(
            &usage,
            &extra.text,
        )));
    }
    Ok(raw)
}

/// Whether a named option's value may run over several words: free text does, a number,
/// a choice, a date or a name of something does not.
fn takes_words(option: &catalog::OptionSpec) -> bool {
    matches!(
        option.kind,
        catalog::OptionKind::Text { .. } | catalog::OptionKind::Paragraph { .. }
    )
}

/// The value of an option that takes the rest of the line, as typed: its words need no
/// quotes, so the quotes in them are part of the text (`Intro to "Power Automate"`). A
/// paragraph (a check-in, a concern, a narrative) is prose: when its words are one run, it
/// is the line from its first word to its last, spacing and line breaks included. A line
/// of text (a name, a title) is those words, one space apart. A value typed wholly inside
/// quotes is what the quotes hold; words split by a named option are joined by one space.
fn rest_value(
    option: &catalog::OptionSpec,
    line: &str,
    words: &[(usize, &Token)],
) -> Option<String> {
    let (first, last) = (words.first()?, words.last()?);
    let one_run = last.0 - first.0 + 1 == words.len();
    let typed = &line[first.1.span.start..last.1.span.end];
    let wholly_quoted = words.len() == 1 && is_wholly_quoted(typed);
    if !one_run || wholly_quoted {
        return Some(
            words
                .iter()
                .map(|(_, token)| token.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    Some(match option.kind {
        catalog::OptionKind::Paragraph { .. } => typed.to_owned(),
        _ => typed.split_whitespace().collect::<Vec<_>>().join(" "),
    })
}

/// `"Fall Makers"`, `'Fall Makers'` or `“Fall Makers”`: one quoted word, the quotes only
/// grouping.
fn is_wholly_quoted(typed: &str) -> bool {
    let mut chars = typed.chars();
    match (chars.next(), chars.next_back()) {
        (Some(open), Some(close)) => closing_quotes(open).is_some_and(|c| c.contains(&close)),
        _ => false,
    }
}

/// The quotes that close one opened by `open`, when `open` is a quote. Phones and macOS
/// type curly quotes for straight ones, and German writes „so“.
fn closing_quotes(open: char) -> Option<&'static [char]> {
    match open {
        '"' => Some(&['"']),
        '\'' => Some(&['\'']),
        '“' => Some(&['”', '“']),
        '‘' => Some(&['’']),
        '„' => Some(&['“', '”']),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::CommandId;
    use crate::domain::Role;

    fn ok(line: &str) -> ParsedCommand {
        parse(line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    fn err(line: &str) -> String {
        parse(line).unwrap_err().to_string()
    }

    #[test]
    fn a_typed_paragraph_keeps_its_quotes_spacing_and_line_breaks() {
        let line =
            "/checkin 3 He said \"ship it\",  then   'maybe'.\n\nSecond *paragraph* <@&1> it's";
        assert_eq!(
            ok(line).args.text("progress"),
            Some("He said \"ship it\",  then   'maybe'.\n\nSecond *paragraph* <@&1> it's")
        );
        // Options named after the paragraph are still options.
        let cmd = ok("/checkin 3 \"Done\" and more blockers:none");
        assert_eq!(cmd.args.text("progress"), Some("\"Done\" and more"));
        assert_eq!(cmd.args.text("blockers"), Some("none"));
        // A name-like word inside the prose that no option is close to stays prose.
        let cmd = ok("/checkin 3 todo: call \"IT\"");
        assert_eq!(cmd.args.text("progress"), Some("todo: call \"IT\""));
        // Other options that take the rest of the line still group by quotes.
        let cmd = ok(r#"/cohort create fall-27 Europe/Berlin "Fall \"Makers\"""#);
        assert_eq!(cmd.args.text("name"), Some("Fall \"Makers\""));
    }

    #[test]
    fn words_after_a_named_text_option_are_its_own() {
        // The paragraph before it stays as typed, quotes included.
        let cmd = ok(
            "/concern report conduct confidential Jo said \"just google it\" twice. exclude:Kim Ito, Lee Park",
        );
        assert_eq!(
            cmd.args.text("text"),
            Some("Jo said \"just google it\" twice.")
        );
        assert_eq!(cmd.args.text("exclude"), Some("Kim Ito, Lee Park"));
        let cmd = ok("/checkin 3 Done blockers:waiting on  IT");
        assert_eq!(cmd.args.text("progress"), Some("Done"));
        assert_eq!(cmd.args.text("blockers"), Some("waiting on  IT"));
        // Before the words taken by position, a named option is one word (or quoted).
        let cmd = ok("/checkin blockers:none 3 Done well");
        assert_eq!(cmd.args.text("blockers"), Some("none"));
        assert_eq!(cmd.args.text("progress"), Some("Done well"));
        // A quoted value ends at its quote.
        let cmd = ok("/checkin 3 Done blockers:\"IT\" and more");
        assert_eq!(cmd.args.text("blockers"), Some("IT"));
        assert_eq!(cmd.args.text("progress"), Some("Done and more"));
    }

    #[test]
    fn backslashes_in_quotes_are_kept_unless_they_escape_a_quote() {
        let cmd = ok(r#"/checkin 3 "C:\temp\new and \"quoted\" and \\ and \n""#);
        assert_eq!(
            cmd.args.text("progress"),
            Some(r#"C:\temp\new and "quoted" and \ and \n"#)
        );
        let cmd = ok(r#"/checkin 3 "ends with a backslash\\""#);
        assert_eq!(cmd.args.text("progress"), Some(r"ends with a backslash\"));
    }

    #[test]
    fn positional_and_named_options() {
        let cmd = ok("/cohort join spring-makers-2027 track:projects");
        assert_eq!(cmd.spec.id, CommandId::CohortJoin);
        assert_eq!(cmd.args.text("cohort"), Some("spring-makers-2027"));
        assert_eq!(cmd.args.text("track"), Some("projects"));
        let cmd = ok("cohort join track:projects spring-makers-2027");
        assert_eq!(cmd.args.text("cohort"), Some("spring-makers-2027"));
    }

    #[test]
    fn misspelled_option_gets_a_suggestion() {
        assert_eq!(
            err("/cohort join spring trak:projects"),
            "`/cohort join` has no option `trak`; did you mean `track`?"
        );
    }

    #[test]
    fn a_word_with_a_colon_in_free_text_is_text_unless_it_is_close_to_an_option() {
        let cmd = ok("/checkin 3 todo: call IT so:it works blockers:\"none yet\"");
        assert_eq!(cmd.args.text("progress"), Some("todo: call IT so:it works"));
        assert_eq!(cmd.args.text("blockers"), Some("none yet"));
        assert_eq!(
            err("/checkin 3 built it blocker:licence"),
            "`/checkin` has no option `blocker`; did you mean `blockers`?"
        );
        // A command without free text still refuses an unknown option.
        assert_eq!(
            err("/cohort join spring weekday:monday"),
            "`/cohort join` has no option `weekday`."
        );
    }

    #[test]
    fn misspelled_command_gets_a_suggestion() {
        assert_eq!(
            err("/cohort jion spring"),
            "I don't know `/cohort jion`. Did you mean `/cohort join`?"
        );
        assert_eq!(err("/hlep"), "I don't know `/hlep`. Did you mean `/help`?");
        assert_eq!(
            err("/me bogus"),
            "I don't know `/me bogus`. Type `/help` to see the commands."
        );
        assert!(err("/cohort").contains("list, join, leave, create"));
    }

    #[test]
    fn a_knowledge_command_without_its_text_opens_a_form() {
        let (form, raw) = form_to_open("/kb add faq").unwrap();
        assert_eq!(form.id, forms::FormId::KbAdd);
        assert_eq!(raw, [("kind", "faq".to_owned())]);
        let (form, raw) = form_to_open("kb edit vpn every:30").unwrap();
        assert_eq!(form.id, forms::FormId::KbEdit);
        assert_eq!(
            raw,
            [("every", "30".to_owned()), ("entry", "vpn".to_owned())]
        );
        assert!(form_to_open("/kb add faq Title body").is_none());
        assert!(form_to_open("/kb search x").is_none());
        assert!(form_to_open("/kb add faq 'unclosed").is_none());
    }

    #[test]
    fn a_search_keeps_its_quotes_and_forgives_an_unclosed_one() {
        let cmd = ok(r#"/kb search "purchase order" -draft"#);
        assert_eq!(cmd.args.text("query"), Some(r#""purchase order" -draft"#));
        assert_eq!(ok("/KB Search ' -").args.text("query"), Some("' -"));
        assert!(err("/kb search").starts_with("Missing `query`"));
    }

    #[test]
    fn rest_option_takes_the_line_and_quotes_group() {
        let cmd = ok("/me skills power automate, sql");
        assert_eq!(cmd.args.text("skills"), Some("power automate, sql"));
        let cmd = ok(r#"/cohort create fall-27 Europe/Berlin "Fall \"Makers\"""#);
        assert_eq!(cmd.args.text("name"), Some("Fall \"Makers\""));
        assert_eq!(
            cmd.args.timezone("timezone"),
            Some(chrono_tz::Europe::Berlin)
        );
        // Quotes inside the words are text: they were typed, not needed to group.
        let cmd = ok(r#"/me name 山田 "Taro" 太郎"#);
        assert_eq!(cmd.args.text("name"), Some(r#"山田 "Taro" 太郎"#));
        let cmd = ok("/me skills 'Power Automate'   flows, SQL");
        assert_eq!(cmd.args.text("skills"), Some("'Power Automate' flows, SQL"));
        // A line of text is one line: words typed across a break are one space apart.
        let cmd = ok("/me name Ada\nOkafor");
        assert_eq!(cmd.args.text("name"), Some("Ada Okafor"));
    }

    #[test]
    fn curly_quotes_group_as_straight_ones_do() {
        let cmd = ok("/talk propose “Smart quotes title” what phones type session:2");
        assert_eq!(cmd.args.text("title"), Some("Smart quotes title"));
        assert_eq!(cmd.args.text("abstract"), Some("what phones type"));
        let cmd = ok("/talk propose „Große Flows“ wie es geht");
        assert_eq!(cmd.args.text("title"), Some("Große Flows"));
        let cmd = ok("/talk propose ‘Don’t panic’ it's fine");
        assert_eq!(cmd.args.text("title"), Some("Don’t panic"));
        assert_eq!(cmd.args.text("abstract"), Some("it's fine"));
        let cmd = ok("/talk propose 'Let's go' now");
        assert_eq!(cmd.args.text("title"), Some("Let's go"));
        assert_eq!(
            err("/talk propose “Unclosed title"),
            "A quote is not closed; put a matching `”` at the end of the text."
        );
        // An apostrophe inside a word is still a letter.
        let cmd = ok("/checkin 3 didn’t finish");
        assert_eq!(cmd.args.text("progress"), Some("didn’t finish"));
    }

    #[test]
    fn a_capitalised_option_name_is_the_option_when_it_is_exact() {
        let cmd = ok("/talk propose Misc Session:2");
        assert_eq!(cmd.args.int("session"), Some(2));
        assert_eq!(cmd.args.text("abstract"), None);
        // Prose keeps its capitalised words: no value, or no such option.
        let cmd = ok("/checkin 3 Next: publish it. Todo:call IT");
        assert_eq!(
            cmd.args.text("progress"),
            Some("Next: publish it. Todo:call IT")
        );
        assert_eq!(cmd.args.text("next"), None);
    }

    #[test]
    fn typed_values_are_checked() {
        assert!(err("/me timezone Europe/Berln").contains("did you mean `Europe/Berlin`?"));
        assert_eq!(
            ok("/role grant @bob mentor").args.role("role"),
            Some(Role::CommunityMentor)
        );
        assert!(err("/role grant @bob wizard").contains("is not a role"));
        assert!(err("/role grant").starts_with("Missing `user`"));
        assert!(err("/cohort leave a b").contains("A value of several words goes in quotes"));
        assert_eq!(
            err("/me name 'Sam"),
            "A quote is not closed; put a matching `'` at the end of the text."
        );
        assert!(err("/cohort leave a b").starts_with("I didn't expect `b` here"));
        assert!(err("/cohort join x track:a track:b").contains("given twice"));
        assert!(err("/me skills \"unterminated").contains("quote"));
    }

    #[test]
    fn over_long_text_is_refused_with_its_length() {
        let name = "x".repeat(1_000);
        let e = err(&format!("/cohort create fall-27 UTC {name}"));
        assert!(
            e.contains("1000 characters") && e.contains("limit is 100"),
            "{e}"
        );
        assert!(err(&"y".repeat(LINE_MAX + 1)).contains("at most 4000"));
    }

    #[test]
    fn apostrophes_inside_words_are_text() {
        let cmd = ok("/checkin reply @sam Let's pair, I'll bring a licence");
        assert_eq!(
            cmd.args.text("text"),
            Some("Let's pair, I'll bring a licence")
        );
        let cmd = ok("/checkin 3 done blockers:'no licence'");
        assert_eq!(cmd.args.text("blockers"), Some("no licence"));
        assert_eq!(cmd.args.text("progress"), Some("done"));
    }

    #[test]
    fn urls_are_values_not_option_names() {
        let cmd = ok("/me skills https://example.com/x");
        assert_eq!(cmd.args.text("skills"), Some("https://example.com/x"));
    }
}
