//! The platforms' forms never refuse what they invite: several lines, tabs, 4,000 characters
//! of CJK and emoji, through Discord's signed interactions and Slack's signed view
//! submissions, asserted on the requests the bot sends.

use axum::http::StatusCode;
use cohortbot::chat::discord::Target;
use cohortbot::render::ActionKind;
use serde_json::{Value, json};
use sqlx::PgPool;

use super::discord_interactions::{dm_mocks, spring_lead_mentor};
use super::discord_support::{BEA, DiscordBot, fixture};
use super::slack_loop::{open_checkin_form, prepared, reach, view_submission};

const MENTOR: &str = "222000000000000002";

/// `chars` characters over several lines, in CJK and emoji, with a tab.
fn long_answer(chars: usize) -> String {
    let line = "今週は承認フローを作った🚀\t完了✅\n";
    let mut text: String = line.repeat(chars / line.chars().count() + 1);
    text = text.chars().take(chars - 1).collect();
    text.push('終');
    assert_eq!(text.chars().count(), chars);
    text
}

fn modal_rows(values: &[(&str, &str)]) -> Value {
    let rows: Vec<Value> = values
        .iter()
        .enumerate()
        .map(|(i, (id, value))| {
            json!({ "type": 1, "id": i * 2 + 1, "components": [
                { "type": 4, "id": i * 2 + 2, "custom_id": id, "value": value }
            ]})
        })
        .collect();
    Value::Array(rows)
}

async fn sent_messages(d: &DiscordBot) -> Vec<Value> {
    d.server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/messages"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[sqlx::test]
async fn discord_forms_take_several_lines_and_four_thousand_characters(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    spring_lead_mentor(&d).await;
    d.forget_outbox().await;
    dm_mocks(&d).await;
    d.prompted(BEA, "2027-W07").await;

    // The Check in button opens a form whose text fields are paragraphs of 4,000.
    let mut press = DiscordBot::as_member(fixture("button"), BEA, "Bea");
    press["data"]["custom_id"] = json!(d.ids.encode(&Target::Button(ActionKind::CheckIn {
        cohort: "spring-makers-2027".into(),
        period: "2027-W07".into(),
    })));
    let (_, form) = d.post_signed(&press, 0).await;
    assert_eq!(form["type"], 9, "{form}");
    let fields: Vec<(&str, u64, u64, bool)> = form["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let input = &row["components"][0];
            (
                input["custom_id"].as_str().unwrap(),
                input["style"].as_u64().unwrap(),
                input["max_length"].as_u64().unwrap(),
                input["required"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("progress", 2, 4000, true),
            ("confidence", 1, 1, true),
            ("blockers", 2, 500, false),
            // Room for a decimal part: `167.75`.
            ("hours", 1, 6, false),
            ("next", 2, 1000, false),
        ]
    );

    let progress = long_answer(4000);
    let mut submit = DiscordBot::as_member(fixture("modal_submit"), BEA, "Bea");
    submit["id"] = json!("1300000000000000040");
    submit["data"]["custom_id"] = form["data"]["custom_id"].clone();
    submit["data"]["components"] = modal_rows(&[
        ("progress", &progress),
        ("confidence", "2"),
        ("blockers", "no licence yet\n\twaiting on IT"),
        ("hours", ""),
    ]);
    let (_, reply) = d.post_signed(&submit, 0).await;
    let said = reply["data"]["content"].as_str().unwrap();
    assert!(said.starts_with("Thanks!"), "{said}");
    assert!(!said.contains("control character"), "{said}");
    let (stored, blockers): (String, Option<String>) =
        sqlx::query_as("SELECT progress, blockers FROM checkins")
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    assert_eq!(stored, progress);
    assert_eq!(blockers.as_deref(), Some("no licence yet\n\twaiting on IT"));

    // The lead mentor's notice keeps the blocker's line break, and the Reply form takes
    // several lines too; the learner's DM keeps them.
    d.dispatch().await;
    let notice = sent_messages(&d).await.pop().unwrap();
    let content = notice["content"].as_str().unwrap();
    assert!(
        content.contains("no licence yet\n\twaiting on IT"),
        "{content}"
    );
    let reply_button = notice["components"][0]["components"][0]["custom_id"].clone();
    let mut press = DiscordBot::as_member(fixture("button"), MENTOR, "Mo");
    press["id"] = json!("1300000000000000041");
    press["data"]["custom_id"] = reply_button;
    let (_, form) = d.post_signed(&press, 0).await;
    let input = &form["data"]["components"][0]["components"][0];
    assert_eq!(
        (input["style"].as_u64(), input["max_length"].as_u64()),
        (Some(2), Some(4000))
    );
    let mut answer = DiscordBot::as_member(fixture("modal_submit"), MENTOR, "Mo");
    answer["id"] = json!("1300000000000000042");
    answer["data"]["custom_id"] = form["data"]["custom_id"].clone();
    answer["data"]["components"] = modal_rows(&[(
        "text",
        "Two things:\r\n1. ask IT for the licence\r\n2. pair with me on Thursday",
    )]);
    let (_, reply) = d.post_signed(&answer, 0).await;
    let said = reply["data"]["content"].as_str().unwrap();
    assert!(said.starts_with("Sent to"), "{said}");
    d.dispatch().await;
    let delivered = sent_messages(&d).await.pop().unwrap();
    let content = delivered["content"].as_str().unwrap();
    assert!(
        content.ends_with("Two things:\n1. ask IT for the licence\n2. pair with me on Thursday"),
        "{content}"
    );

    // One character over the form's limit is refused by name, not as a "control character".
    let mut over = submit.clone();
    over["id"] = json!("1300000000000000043");
    over["data"]["components"] =
        modal_rows(&[("progress", &long_answer(4001)), ("confidence", "2")]);
    let (_, reply) = d.post_signed(&over, 0).await;
    let said = reply["data"]["content"].as_str().unwrap();
    assert!(
        said.contains("4001 characters long; the limit is 4000"),
        "{said}"
    );
}

/// A Slack input block: id, element type, multiline, max length, optional.
type SlackInput<'a> = (&'a str, &'a str, Option<bool>, Option<u64>, bool);

#[sqlx::test]
async fn slack_forms_take_several_lines_up_to_their_limit(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    reach(&slack, &dispatcher, "2027-03-08 08:45", "2027-03-08 09:00").await;
    let view = open_checkin_form(&slack).await;
    // The header names the cohort, not its id; the fields are the catalog's.
    assert_eq!(
        view["blocks"][0]["text"]["text"],
        "Your check-in for *Spring Makers 2027*, 2027-W10."
    );
    let inputs: Vec<SlackInput> = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|b| {
            (
                b["block_id"].as_str().unwrap(),
                b["element"]["type"].as_str().unwrap(),
                b["element"]["multiline"].as_bool(),
                b["element"]["max_length"].as_u64(),
                b["optional"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        inputs,
        [
            (
                "progress",
                "plain_text_input",
                Some(true),
                Some(3000),
                false
            ),
            ("confidence", "static_select", None, None, false),
            ("blockers", "plain_text_input", Some(true), Some(500), true),
            ("hours", "number_input", None, None, true),
            ("next", "plain_text_input", Some(true), Some(1000), true),
        ]
    );
    // Nobody's week is whole hours.
    assert_eq!(
        view["blocks"][4]["element"]["is_decimal_allowed"], true,
        "{}",
        view["blocks"][4]
    );

    let progress = long_answer(3000);
    let metadata = view["private_metadata"].as_str().unwrap();
    let mut submission: Value =
        serde_json::from_str(&view_submission(metadata, &progress, "3")).unwrap();
    submission["view"]["state"]["values"]["blockers"]["blockers"]["value"] =
        json!("the licence\nand the data rules");
    let (status, answer) = slack.interact(&submission.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    let answer = answer.unwrap();
    assert_eq!(answer["response_action"], "update", "{answer}");
    let shown = answer["view"]["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap();
    assert!(shown.starts_with("Thanks!"), "{shown}");
    let (stored, blockers): (String, Option<String>) =
        sqlx::query_as("SELECT progress, blockers FROM checkins")
            .fetch_one(&slack.bot.pool)
            .await
            .unwrap();
    assert_eq!(stored, progress);
    assert_eq!(blockers.as_deref(), Some("the licence\nand the data rules"));

    // A field's problem is shown under that field, in words that name the rule.
    let mut bad: Value = serde_json::from_str(&view_submission(metadata, "  \n ", "3")).unwrap();
    bad["view"]["id"] = json!("V0CHECKIN9");
    let (_, answer) = slack.interact(&bad.to_string()).await;
    assert_eq!(
        answer.unwrap(),
        json!({ "response_action": "errors", "errors": { "progress": "progress can't be empty" } })
    );
    assert_eq!(slack.bot.count("checkins").await, 1);
}
