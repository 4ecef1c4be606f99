//! Discord modals, drawn from the catalog's forms. Field ids are the command's option
//! names, so a submit binds like typed options.

use serde_json::{Value, json};

use crate::commands::forms::{Field, FormSpec, Input};

/// Discord's limits: a modal title and a field label, a placeholder, a text input's value.
const TITLE_MAX: usize = 45;
const LABEL_MAX: usize = 45;
const PLACEHOLDER_MAX: usize = 100;
const INPUT_MAX: usize = 4_000;

mod style {
    pub const SHORT: u8 = 1;
    pub const PARAGRAPH: u8 = 2;
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// Characters needed for any number in `min..=max`.
fn digits(min: i64, max: i64) -> usize {
    min.to_string().len().max(max.to_string().len())
}

fn input(field: &Field, initial: Option<&str>) -> Value {
    let (style, max) = match field.input {
        Input::Paragraph { max } => (style::PARAGRAPH, max),
        Input::Line { max } => (style::SHORT, max),
        Input::Scale { min, max }
        | Input::Number {
            min,
            max,
            decimal: false,
        } => (style::SHORT, digits(min, max)),
        // Room for a decimal part to the hundredth: `167.75`.
        Input::Number {
            min,
            max,
            decimal: true,
        } => (style::SHORT, digits(min, max) + 3),
    };
    let mut component = json!({
        "type": 4, "custom_id": field.name, "label": clip(field.label, LABEL_MAX),
        "style": style, "required": field.required, "max_length": max.min(INPUT_MAX),
    });
    if let Some(placeholder) = field.placeholder {
        component["placeholder"] = json!(clip(placeholder, PLACEHOLDER_MAX));
    }
    if let Some(initial) = initial {
        let value: String = initial.chars().take(max.min(INPUT_MAX)).collect();
        component["value"] = json!(value);
    }
    json!({ "type": 1, "components": [component] })
}

/// The modal for `form`; `subject` (a cohort's name) follows the title when given, and
/// `initial` pre-fills fields by name.
pub fn modal(
    form: &'static FormSpec,
    custom_id: &str,
    subject: Option<&str>,
    initial: &[(&str, String)],
) -> Value {
    let title = match subject {
        Some(subject) => format!("{}: {subject}", form.title),
        None => form.title.to_owned(),
    };
    let components: Vec<Value> = form
        .fields()
        .map(|field| {
            let value = initial
                .iter()
                .find(|(name, _)| *name == field.name)
                .map(|(_, v)| v.as_str());
            input(&field, value)
        })
        .collect();
    json!({ "custom_id": custom_id, "title": clip(&title, TITLE_MAX), "components": components })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::forms::{FORMS, FormId, form};

    #[test]
    fn modals_fit_discords_limits_and_invite_lines() {
        let long_name = "A very long cohort name that goes on and on";
        let checkin = modal(form(FormId::Checkin), "id", Some(long_name), &[]);
        assert_eq!(
            checkin["title"].as_str().unwrap().chars().count(),
            TITLE_MAX
        );
        let progress = &checkin["components"][0]["components"][0];
        assert_eq!(progress["style"], style::PARAGRAPH);
        assert_eq!(progress["max_length"], 4_000);
        assert_eq!(checkin["components"][1]["components"][0]["max_length"], 1);
        for form in FORMS {
            let m = modal(form, "id", None, &[]);
            for row in m["components"].as_array().unwrap() {
                let label = row["components"][0]["label"].as_str().unwrap();
                assert!(label.chars().count() <= LABEL_MAX, "{label}");
            }
        }
    }
}
