//! Typed option values, and conversion of option text into them.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use super::catalog::{
    KB_NAME_MAX, KB_QUERY_MAX, NAME_MAX, OptionKind, OptionSpec, SESSION_NUMBERS,
};
use super::messages;
use crate::domain::slug::SLUG_MAX;
use crate::domain::text::clean_paragraph;
use crate::domain::{Role, clean_line, parse_typed_timezone, suggest};
use crate::render::Message;

/// Longest user handle or mention accepted.
const USER_MAX: usize = 80;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    /// Hours, to the hundredth.
    Hours(f64),
    Bool(bool),
    /// A platform user id or shell handle, without `@` or mention markup.
    User(String),
    /// A cohort id (slug) as typed; the service resolves it within the community.
    Cohort(String),
    Role(Role),
    /// A channel id or name, without `#` or link markup.
    Channel(String),
    TimeZone(Tz),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Duration(std::time::Duration),
    Choice(&'static str),
}

impl Value {
    /// This value as option text.
    pub fn to_raw(&self) -> String {
        match self {
            Value::Text(s) | Value::User(s) | Value::Cohort(s) | Value::Channel(s) => s.clone(),
            Value::Int(n) => n.to_string(),
            Value::Hours(h) => h.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Role(r) => r.as_str().to_owned(),
            Value::TimeZone(tz) => tz.name().to_owned(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::DateTime(t) => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
            Value::Duration(d) => humantime::format_duration(*d).to_string(),
            Value::Choice(c) => (*c).to_owned(),
        }
    }
}

/// Parsed options of one invocation, by option name, and how they were given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args(pub Vec<(&'static str, Value)>, pub(crate) Given);

/// How options were given: one typed line split by the parser (the shell, a Slack slash
/// command), or a field each (Discord's options, a form, a button).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Given {
    #[default]
    Fields,
    Line,
}

impl Args {
    /// The options came as one typed line, where an unquoted text ends at its first word.
    pub fn typed_as_line(&self) -> bool {
        self.1 == Given::Line
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            Value::Text(s) | Value::User(s) | Value::Cohort(s) | Value::Channel(s) => Some(s),
            Value::Choice(s) => Some(s),
            _ => None,
        }
    }

    /// The options as text that [`convert`] turns back into the same values: what a kept
    /// command stores until its question is answered.
    pub fn to_raw(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.to_raw()))
            .collect()
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub fn hours(&self, name: &str) -> Option<f64> {
        match self.get(name)? {
            Value::Hours(h) => Some(*h),
            _ => None,
        }
    }

    pub fn role(&self, name: &str) -> Option<Role> {
        match self.get(name)? {
            Value::Role(r) => Some(*r),
            _ => None,
        }
    }

    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        match self.get(name)? {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub fn timezone(&self, name: &str) -> Option<Tz> {
        match self.get(name)? {
            Value::TimeZone(tz) => Some(*tz),
            _ => None,
        }
    }
}

/// Converts the text typed for `option` into its typed value, or a message saying why not.
pub fn convert(option: &OptionSpec, raw: &str) -> Result<Value, Message> {
    let name = option.name;
    let text = |max| {
        clean_line(name, raw, max)
            .map(Value::Text)
            .map_err(domain_error)
    };
    let int_in = |typed: &str, min, max| match typed.trim().parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Value::Int(n)),
        _ => Err(messages::int_out_of_range(name, raw, min, max)),
    };
    let int = |min, max| int_in(raw, min, max);
    match option.kind {
        OptionKind::Text { max } => text(max),
        OptionKind::Paragraph { max } => clean_paragraph(name, raw, max)
            .map(Value::Text)
            .map_err(domain_error),
        OptionKind::Module => text(SLUG_MAX),
        OptionKind::KbEntry => clean_line(name, raw, KB_NAME_MAX)
            .map(|s| Value::Text(s.to_lowercase()))
            .map_err(domain_error),
        OptionKind::KbQuery => text(KB_QUERY_MAX),
        OptionKind::Circle => text(NAME_MAX),
        OptionKind::Int { min, max } => int(min, max),
        OptionKind::Hours { max } => hours(raw, max)
            .map(Value::Hours)
            .ok_or_else(|| messages::hours_out_of_range(name, raw, max)),
        // Sessions are shown as `#3`, so `#3` is accepted as typed.
        OptionKind::Session => {
            let typed = raw.trim();
            let number = typed.strip_prefix('#').unwrap_or(typed);
            match number.parse::<i64>() {
                Ok(n) if (SESSION_NUMBERS.0..=SESSION_NUMBERS.1).contains(&n) => Ok(Value::Int(n)),
                _ => Err(messages::not_a_session(name, raw)),
            }
        }
        OptionKind::Bool => match raw.trim().to_lowercase().as_str() {
            "true" | "yes" | "on" | "y" => Ok(Value::Bool(true)),
            "false" | "no" | "off" | "n" => Ok(Value::Bool(false)),
            _ => Err(messages::not_a_bool(name, raw)),
        },
        OptionKind::User => parse_user(raw)
            .map(Value::User)
            .ok_or_else(|| messages::not_a_user(name, raw)),
        OptionKind::Channel => parse_channel(raw)
            .map(Value::Channel)
            .ok_or_else(|| messages::not_a_channel(name, raw)),
        OptionKind::Cohort => clean_line(name, raw, USER_MAX)
            .map(|s| Value::Cohort(s.to_lowercase()))
            .map_err(domain_error),
        OptionKind::Role => raw.parse::<Role>().map(Value::Role).map_err(|()| {
            messages::unknown_role(raw, suggest(raw, Role::ALL.iter().map(|r| r.as_str())))
        }),
        OptionKind::TimeZone => parse_typed_timezone(raw)
            .map(Value::TimeZone)
            .map_err(domain_error),
        OptionKind::Date => NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map(Value::Date)
            .map_err(|_| messages::not_a_date(name, raw)),
        OptionKind::DateTime => ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(raw.trim(), f).ok())
            .map(Value::DateTime)
            .ok_or_else(|| messages::not_a_datetime(name, raw)),
        // A bare number is minutes, as people say "90".
        OptionKind::Duration => match raw.trim().parse::<u64>() {
            Ok(minutes) => minutes
                .checked_mul(60)
                .map(std::time::Duration::from_secs)
                .ok_or(()),
            Err(_) => humantime::parse_duration(raw.trim()).map_err(|_| ()),
        }
        .map(Value::Duration)
        .map_err(|()| messages::not_a_duration(name, raw)),
        OptionKind::Choice(choices) => {
            let typed = raw.trim().to_lowercase();
            choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(&typed))
                .map(|c| Value::Choice(c))
                .ok_or_else(|| {
                    messages::not_a_choice(
                        name,
                        raw,
                        choices,
                        suggest(&typed, choices.iter().copied()),
                    )
                })
        }
    }
}

/// A domain check's refusal as a message. Domain errors quote what was typed through
/// `preview` (a typed backtick becomes a look-alike), so their backticks are their own code
/// marks and never the user's.
fn domain_error(err: impl std::fmt::Display) -> Message {
    Message::marked(&err.to_string())
}

/// `@bob`, `bob`, Discord `<@123>` / `<@!123>` and Slack `<@U123|bob>` all name one user.
/// A member as typed: a platform mention (its id), a handle (`@bob`), or a name as shown
/// (`"Sam Carter"`, `María O'Neil (Finance)`), which the services look up.
fn parse_user(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let inner = raw
        .strip_prefix("<@")
        .and_then(|s| s.strip_suffix('>'))
        .map(|s| s.trim_start_matches('!').split('|').next().unwrap_or(""))
        .unwrap_or_else(|| raw.trim_start_matches('@'));
    // A handle (`@bob`) is one word; a name may have several.
    let handle = raw.starts_with('@') || raw.starts_with("<@");
    let valid = !inner.is_empty()
        && inner.chars().count() <= USER_MAX
        && !(handle && inner.contains(char::is_whitespace))
        && inner
            .chars()
            .all(|c| !c.is_control() && !matches!(c, '<' | '>' | '`' | '@' | '#'));
    valid.then(|| inner.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `#spring`, `spring`, Discord `<#123>` and Slack `<#C123|spring>` all name one channel:
/// a link gives its id, text its name.
fn parse_channel(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let inner = raw
        .strip_prefix("<#")
        .and_then(|s| s.strip_suffix('>'))
        .map(|s| s.split('|').next().unwrap_or(""))
        .unwrap_or_else(|| raw.trim_start_matches('#'));
    // Discord and Slack channel names: lowercase letters, digits, `-` and `_`, at most 80.
    let valid = !inner.is_empty()
        && inner.chars().count() <= 80
        && inner
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'));
    valid.then(|| inner.to_owned())
}

/// `1.5`, `1,5` or `2` hours, from 0 to `max`, to the hundredth; `None` for anything else.
fn hours(raw: &str, max: i64) -> Option<f64> {
    let typed = raw.trim().replace(',', ".");
    // Digits and one point only: `f64` would also read `1e2`, `inf` and `NaN`.
    let plain = typed.chars().all(|c| c.is_ascii_digit() || c == '.')
        && typed.chars().filter(|&c| c == '.').count() <= 1;
    let hours: f64 = typed.parse().ok().filter(|_| plain)?;
    let hours = (hours * 100.0).round() / 100.0;
    (0.0..=max as f64).contains(&hours).then_some(hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_take_a_decimal_point_or_comma() {
        let hours = OptionSpec {
            kind: OptionKind::Hours { max: 168 },
            ..*crate::commands::catalog::find("checkin")
                .unwrap()
                .option("hours")
                .unwrap()
        };
        for (typed, expected) in [("2.5", 2.5), ("1,25", 1.25), (" 3 ", 3.0), ("0.333", 0.33)] {
            assert_eq!(
                convert(&hours, typed),
                Ok(Value::Hours(expected)),
                "{typed}"
            );
        }
        for typed in ["-1", "168.5", "1e2", "NaN", "inf", "1.2.3", "two"] {
            let refused = convert(&hours, typed).unwrap_err();
            assert_eq!(
                crate::render::plain::render(&refused),
                format!(
                    "`hours` must be a number of hours from 0 to 168, like `1.5`, not `{typed}`"
                ),
                "{typed}"
            );
        }
    }

    #[test]
    fn a_session_named_by_title_is_pointed_to_its_number_and_minutes_are_a_duration() {
        let option = |kind| OptionSpec {
            name: "x",
            kind,
            required: true,
            rest: false,
            named_only: false,
            help: "",
        };
        let refused = convert(&option(OptionKind::Session), "Lightning talks").unwrap_err();
        assert_eq!(
            crate::render::plain::render(&refused),
            "`x` must be a session's number as `/event list` shows it, like `3`, not `Lightning talks`"
        );
        let ninety = convert(&option(OptionKind::Duration), " 90 ");
        assert_eq!(
            ninety,
            Ok(Value::Duration(std::time::Duration::from_secs(5400)))
        );
        let refused = convert(&option(OptionKind::Duration), "99999999999999999999").unwrap_err();
        assert!(
            crate::render::plain::render(&refused)
                .ends_with("or `90` (minutes), not `99999999999999999999`"),
            "{refused:?}"
        );
    }

    #[test]
    fn sessions_are_typed_as_shown() {
        let session = OptionSpec {
            name: "session",
            kind: OptionKind::Session,
            required: true,
            rest: false,
            named_only: false,
            help: "",
        };
        assert_eq!(convert(&session, "#3"), Ok(Value::Int(3)));
        assert_eq!(convert(&session, " 3 "), Ok(Value::Int(3)));
        assert!(
            crate::render::plain::render(&convert(&session, "#").unwrap_err()).contains("not `#`")
        );
        assert!(convert(&session, "##3").is_err());
    }

    /// A kept question stores its options as text; binding that text again must give the
    /// same values, for every kind of option.
    #[test]
    fn values_survive_their_text_form() {
        let samples: &[(OptionKind, &str)] = &[
            (OptionKind::Text { max: 100 }, "  two words “quoted” 🚀 "),
            (
                OptionKind::Paragraph { max: 4000 },
                "line one\n\tline two\n進捗あり",
            ),
            (OptionKind::Int { min: 1, max: 5 }, "4"),
            (OptionKind::Bool, "yes"),
            (OptionKind::User, "<@!123456789012345678>"),
            (OptionKind::Cohort, "Spring-Makers-2027"),
            (OptionKind::Role, "lead_mentor"),
            (OptionKind::Channel, "<#C0123|spring>"),
            (OptionKind::TimeZone, "europe/berlin"),
            (OptionKind::Date, "2027-03-01"),
            (OptionKind::DateTime, "2027-03-01 09:30"),
            (OptionKind::Duration, "1h30m"),
            (OptionKind::Choice(&["checkin", "digest"]), "DIGEST"),
            (OptionKind::Module, "flows-101"),
            (OptionKind::Session, "#3"),
        ];
        for (kind, raw) in samples {
            let option = OptionSpec {
                name: "x",
                kind: *kind,
                required: true,
                rest: false,
                named_only: false,
                help: "",
            };
            let value = convert(&option, raw).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
            assert_eq!(
                convert(&option, &value.to_raw()),
                Ok(value.clone()),
                "{raw}"
            );
        }
    }

    #[test]
    fn channels_in_every_platform_shape() {
        for raw in ["#spring", "spring", " #spring "] {
            assert_eq!(parse_channel(raw).as_deref(), Some("spring"));
        }
        assert_eq!(parse_channel("<#123>").as_deref(), Some("123"));
        assert_eq!(parse_channel("<#C0123|spring>").as_deref(), Some("C0123"));
        assert_eq!(parse_channel("#two words"), None);
        assert_eq!(parse_channel("<!here>"), None);
        assert_eq!(parse_channel("#"), None);
    }

    #[test]
    fn users_in_every_platform_shape() {
        for raw in ["@bob", "bob", "<@bob>"] {
            assert_eq!(parse_user(raw).as_deref(), Some("bob"));
        }
        assert_eq!(parse_user("<@!123>").as_deref(), Some("123"));
        assert_eq!(parse_user("<@U123|bob>").as_deref(), Some("U123"));
        assert_eq!(parse_user("@everyone here"), None);
        assert_eq!(
            parse_user(" María  O'Neil (Finance) ").as_deref(),
            Some("María O'Neil (Finance)")
        );
        assert_eq!(parse_user("Sam <@U1>"), None);
        assert_eq!(parse_user("@"), None);
    }
}
