//! Property tests: a form never refuses what it invites. Every text field of every form,
//! given any Unicode up to the field's limit (several lines in a paragraph), is accepted or
//! refused with a message naming the rule it broke.

use cohortbot::commands::bind::{Problem, bind};
use cohortbot::commands::catalog::spec;
use cohortbot::commands::forms::{FORMS, Input};
use proptest::prelude::*;

/// Characters people type or paste into forms: letters, CJK, emoji with joiners, line
/// breaks and tabs, bidi and zero-width characters, markdown and mention syntax.
fn typed_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        2 => proptest::char::range('\u{4E00}', '\u{9FFF}'),
        2 => proptest::char::range('\u{1F300}', '\u{1F6FF}'),
        1 => proptest::sample::select(vec![
            '\n', '\r', '\t', ' ', '\u{200D}', '\u{200B}', '\u{202E}', '\u{FEFF}', '*', '_',
            '`', '<', '>', '@', '!', '"', '\'', '\\', '#', '|', '~', '&',
        ]),
        1 => any::<char>(),
    ]
}

fn text_up_to(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(typed_char(), 0..=max).prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn form_fields_accept_what_they_invite(seed in 0usize..1000, texts in proptest::collection::vec(text_up_to(4_000), 3)) {
        for (i, form) in FORMS.iter().enumerate() {
            let command = spec(form.command);
            for field in form.fields() {
                let (max, multiline) = match field.input {
                    Input::Paragraph { max } => (max, true),
                    Input::Line { max } => (max, false),
                    Input::Scale { .. } | Input::Number { .. } => continue,
                };
                let mut text: String = texts[(seed + i) % texts.len()].chars().take(max).collect();
                if !multiline {
                    text.retain(|c| c != '\n' && c != '\r');
                }
                // The other fields are valid, so only this one can be refused.
                let mut raw: Vec<(&str, &str)> = command
                    .options
                    .iter()
                    .filter(|o| o.required && o.name != field.name)
                    .map(|o| (o.name, match o.name {
                        "confidence" => "3",
                        "learner" => "bob",
                        "module" => "flows-101",
                        "kind" if command.path == "approve request" => "tool",
                        "kind" if command.path == "tool register" => "flow",
                        "users" => "5",
                        "kind" => "faq",
                        "data" => "internal",
                        "request" => "1",
                        "question" => "1",
                        "session" | "rating" | "survey" | "score" => "1",
                        "category" => "conduct",
                        "mode" => "anonymous",
                        "concern" => "1",
                        _ => "ok",
                    }))
                    .collect();
                raw.push((field.name, &text));
                let Err(errors) = bind(command, &raw) else { continue };
                prop_assert_eq!(errors.len(), 1, "{:?}", errors);
                let message = match &errors[0].problem {
                    Problem::Invalid(message) => cohortbot::render::plain::render(message),
                    Problem::Missing => {
                        prop_assert!(text.trim().is_empty());
                        continue;
                    }
                    Problem::UnknownOption => panic!("a form field is always an option"),
                };
                let has_other_control = text
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
                let rule_broken = message.contains("can't be empty")
                    || (message.contains("control character") && has_other_control);
                prop_assert!(rule_broken, "{} refused {:?}: {}", field.name, text, message);
            }
        }
    }
}
