//! The whole Slack loop: prompt DM with a Check in button → modal → check-in → digest.

use std::sync::Arc;

use axum::http::StatusCode;
use chrono_tz::Europe::Berlin;
use cohortbot::outbox::Dispatcher;
use cohortbot::render::slack::BLOCKS_MAX;
use serde_json::Value;
use sqlx::PgPool;

use crate::slack::{SAM, Slack, fixture, json_str};

pub(crate) const TRIGGER: &str = "13345224609.8534564800.6f8ab1f53e13d0cd15f96106292d5536";

pub(crate) fn block_actions(slack: &Slack, action_id: &str, value: &str) -> String {
    fixture(
        "block_actions.json",
        &[
            ("trigger_id", TRIGGER),
            ("response_url", &slack.response_url()),
            ("action_id", action_id),
            ("value", &json_str(value)),
        ],
    )
}

pub(crate) fn view_submission(metadata: &str, progress: &str, confidence: &str) -> String {
    fixture(
        "view_submission.json",
        &[
            ("private_metadata", &json_str(metadata)),
            ("progress", &json_str(progress)),
            ("confidence", &json_str(confidence)),
        ],
    )
}

pub(crate) async fn prepared(
    pool: PgPool,
) -> (Slack, Dispatcher<cohortbot::chat::slack::SlackSender>) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    slack.command("coc accept", "t-coc").await;
    let joined = slack
        .command("join spring-makers-2027 track:projects", "t-join")
        .await;
    assert!(
        joined["text"].as_str().unwrap().contains("You're in!"),
        "{joined}"
    );
    slack
        .eventually("the seeded time zone", || async {
            slack.member_field(SAM, "timezone").await.is_some()
        })
        .await;
    let dispatcher = Dispatcher::new(
        slack.bot.pool.clone(),
        Arc::new(slack.bot.clock.clone()),
        slack.sender(),
    )
    .only_platform(cohortbot::outbox::Platform::Slack);
    (slack, dispatcher)
}

/// Runs the scheduler up to `when` (Berlin time) and delivers the outbox through Slack.
pub(crate) async fn reach(
    slack: &Slack,
    dispatcher: &Dispatcher<cohortbot::chat::slack::SlackSender>,
    before: &str,
    when: &str,
) {
    slack.bot.set_local(before, Berlin);
    slack.bot.tick().await;
    slack.bot.set_local(when, Berlin);
    slack.bot.tick().await;
    dispatcher.run_once().await.unwrap();
}

pub(crate) async fn prompt_button(slack: &Slack) -> Value {
    let posts = slack.sent("chat.postMessage").await;
    let prompt = posts
        .iter()
        .find(|p| {
            p["channel"] == "D0SAMDM01" && p["text"].as_str().unwrap().contains("check-in time")
        })
        .expect("the prompt DM");
    let blocks = prompt["blocks"].as_array().unwrap();
    assert!(blocks.len() <= BLOCKS_MAX);
    blocks.last().unwrap()["elements"][0].clone()
}

/// Presses the prompt's Check in button; returns the check-in form it opened.
pub(crate) async fn open_checkin_form(slack: &Slack) -> Value {
    let button = prompt_button(slack).await;
    slack
        .interact(&block_actions(
            slack,
            "cohortbot_checkin",
            button["value"].as_str().unwrap(),
        ))
        .await;
    slack.sent("views.open").await[0]["view"].clone()
}

/// The program seeds Grace as the lead mentor; here she is a Slack member.
pub(crate) async fn grace_on_slack(slack: &Slack) {
    sqlx::query("UPDATE members SET platform = 'slack', platform_user_id = 'U0GRACE01' WHERE platform_user_id = 'grace'")
        .execute(&slack.bot.pool)
        .await
        .unwrap();
}

#[sqlx::test]
async fn prompt_button_modal_checkin_and_digest(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    reach(&slack, &dispatcher, "2027-03-08 08:45", "2027-03-08 09:00").await;
    assert_eq!(slack.sent("conversations.open").await[0]["users"], SAM);
    let button = prompt_button(&slack).await;
    assert_eq!(button["action_id"], "cohortbot_checkin");
    assert_eq!(button["text"]["text"], "Check in");

    // The button opens the check-in modal on the click's trigger.
    let value = button["value"].as_str().unwrap();
    let (status, body) = slack
        .interact(&block_actions(&slack, "cohortbot_checkin", value))
        .await;
    assert_eq!((status, body), (StatusCode::OK, None));
    let opened = &slack.sent("views.open").await[0];
    assert_eq!(opened["trigger_id"], TRIGGER);
    let view = &opened["view"];
    assert_eq!(view["callback_id"], "cohortbot_checkin");
    assert!(view["title"]["text"].as_str().unwrap().chars().count() <= 24);
    let metadata = view["private_metadata"].as_str().unwrap();

    // Submitting it is `/checkin 4 … hours:3`.
    let submission = view_submission(metadata, "automated the leave request", "4");
    let (status, answer) = slack.interact(&submission).await;
    assert_eq!(status, StatusCode::OK);
    let answer = answer.unwrap();
    assert_eq!(answer["response_action"], "update");
    let shown = answer["view"]["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap();
    assert!(shown.starts_with("Thanks! Your check-in for *Spring Makers 2027*, 2027-W10, is recorded: confidence 4/5, 3 h."), "{shown}");
    let (progress, confidence, hours): (String, i16, Option<f32>) =
        sqlx::query_as("SELECT progress, confidence, hours FROM checkins")
            .fetch_one(&slack.bot.pool)
            .await
            .unwrap();
    assert_eq!(
        (progress.as_str(), confidence, hours),
        ("automated the leave request", 4, Some(3.0))
    );

    // The prompt loses its button: it is answered, through the outbox like any post.
    assert!(slack.sent("chat.update").await.is_empty());
    dispatcher.run_once().await.unwrap();
    let updates = slack.sent("chat.update").await;
    assert_eq!(updates.len(), 1, "{updates:?}");
    let update = &updates[0];
    assert_eq!(
        (&update["channel"], &update["ts"]),
        (&"D0SAMDM01".into(), &"1772352000.000100".into())
    );
    assert!(
        update["text"]
            .as_str()
            .unwrap()
            .starts_with("✅ You checked in to *Spring Makers 2027* for 2027-W10."),
        "{update}"
    );
    assert!(
        update["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["type"] != "actions")
    );

    // Slack resubmitting the same view changes nothing.
    slack.interact(&submission).await;
    dispatcher.run_once().await.unwrap();
    assert_eq!(slack.sent("chat.update").await.len(), 1);
    assert_eq!(slack.bot.count("checkins").await, 1);
    assert_eq!(slack.bot.count("checkin_revisions").await, 0);

    reach(&slack, &dispatcher, "2027-03-12 15:55", "2027-03-12 16:00").await;
    let posts = slack.sent("chat.postMessage").await;
    let digest = posts
        .iter()
        .find(|p| p["channel"] == "C0SPRING1" && p["text"].as_str().unwrap().contains("Check-ins"))
        .expect("the digest in the cohort channel");
    let text = digest["text"].as_str().unwrap();
    assert!(text.contains("*Spring Makers 2027* — 2027-W10"), "{text}");
    assert!(text.contains("Check-ins: 1 of 1 learner (100%)"), "{text}");
    assert!(text.contains("Confidence: 4.0 average"), "{text}");
}

#[sqlx::test]
async fn forged_or_stale_buttons_and_forms_change_nothing(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    reach(&slack, &dispatcher, "2027-03-08 08:45", "2027-03-08 09:00").await;
    let button = prompt_button(&slack).await;
    let value = button["value"].as_str().unwrap();

    // Another cohort, one the member was never prompted for.
    let forged = value.replace("spring-makers-2027", "evening-builders-2027");
    slack
        .interact(&block_actions(&slack, "cohortbot_checkin", &forged))
        .await;
    slack
        .interact(&block_actions(&slack, "cohortbot_checkin", "{not json"))
        .await;
    assert!(
        slack.sent("views.open").await.is_empty(),
        "no modal for a forged button"
    );
    let answers = slack.sent("response").await;
    assert_eq!(answers.len(), 2);
    assert!(
        answers
            .iter()
            .all(|a| a["text"].as_str().unwrap().contains("no longer valid"))
    );

    // A tampered modal: the metadata's signature no longer matches.
    slack
        .interact(&block_actions(&slack, "cohortbot_checkin", value))
        .await;
    let metadata = slack.sent("views.open").await[0]["view"]["private_metadata"]
        .as_str()
        .unwrap()
        .to_owned();
    let tampered = metadata.replace("2027-W10", "2027-W11");
    let (_, answer) = slack.interact(&view_submission(&tampered, "x", "4")).await;
    let shown = answer.unwrap()["view"]["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(shown.contains("no longer valid"), "{shown}");
    // Bad values come back as field errors.
    let (_, answer) = slack.interact(&view_submission(&metadata, "x", "9")).await;
    let answer = answer.unwrap();
    assert_eq!(answer["response_action"], "errors");
    let error = answer["errors"]["confidence"].as_str().unwrap();
    assert!(error.contains('9'), "{error}");
    assert_eq!(slack.bot.count("checkins").await, 0);

    // Once the week's window has closed (Wednesday night of the week after), the old
    // button is stale.
    reach(&slack, &dispatcher, "2027-03-18 08:45", "2027-03-18 09:00").await;
    slack
        .interact(&block_actions(&slack, "cohortbot_checkin", value))
        .await;
    let last = slack.sent("response").await.pop().unwrap();
    assert!(
        last["text"]
            .as_str()
            .unwrap()
            .contains("2027-W10, which has closed"),
        "{last}"
    );
    assert_eq!(slack.bot.count("checkins").await, 0);
}

#[sqlx::test]
async fn a_mentor_replies_to_a_low_confidence_checkin_through_the_reply_modal(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    grace_on_slack(&slack).await;
    slack.bot.set_local("2027-03-09 10:00", Berlin);
    let said = slack
        .command(
            "checkin 1 stuck on licences blockers:\"no premium licence\"",
            "t-low",
        )
        .await;
    assert!(
        said["text"].as_str().unwrap().contains("lead mentor"),
        "{said}"
    );
    dispatcher.run_once().await.unwrap();
    let posts = slack.sent("chat.postMessage").await;
    let escalation = posts
        .iter()
        .find(|p| p["text"].as_str().unwrap().contains("no premium licence"))
        .expect("the escalation DM");
    let button = &escalation["blocks"].as_array().unwrap().last().unwrap()["elements"][0];
    assert_eq!(button["action_id"], "cohortbot_reply");

    let mut click: Value = serde_json::from_str(&block_actions(
        &slack,
        "cohortbot_reply",
        button["value"].as_str().unwrap(),
    ))
    .unwrap();
    click["user"]["id"] = "U0GRACE01".into();
    slack.interact(&click.to_string()).await;
    let view = slack.sent("views.open").await[0]["view"].clone();
    assert_eq!(view["callback_id"], "cohortbot_reply");
    let mut submission: Value = serde_json::from_str(&view_submission(
        view["private_metadata"].as_str().unwrap(),
        "-",
        "1",
    ))
    .unwrap();
    submission["user"]["id"] = "U0GRACE01".into();
    submission["view"]["callback_id"] = "cohortbot_reply".into();
    submission["view"]["state"]["values"] = serde_json::json!({
        "text": { "text": { "type": "plain_text_input", "value": "Let's pair on Thursday <!here>" } }
    });
    let (status, answer) = slack.interact(&submission.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    let shown = answer.unwrap()["view"]["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(shown.starts_with("Sent to"), "{shown}");
    assert_eq!(slack.bot.count("checkin_replies").await, 1);

    dispatcher.run_once().await.unwrap();
    let posts = slack.sent("chat.postMessage").await;
    let delivered = posts.last().unwrap();
    let text = delivered["text"].as_str().unwrap();
    assert!(
        text.contains("Let's pair on Thursday &lt;!here&gt;"),
        "{text}"
    );

    // A learner cannot use the form to answer their own check-in.
    let mut forged = submission.clone();
    forged["user"]["id"] = SAM.into();
    let (_, answer) = slack.interact(&forged.to_string()).await;
    let shown = answer.unwrap()["view"]["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(shown.contains("no longer valid"), "{shown}");
    assert_eq!(slack.bot.count("checkin_replies").await, 1);
}

#[sqlx::test]
async fn a_question_is_answered_with_yes_no_buttons_once(pool: PgPool) {
    let (slack, _dispatcher) = prepared(pool).await;
    slack.command("checkin 3 first try", "t-first").await;
    let question = slack.command("checkin 4 second try", "t-second").await;
    assert!(
        question["text"]
            .as_str()
            .unwrap()
            .contains("Replace it with this one?"),
        "{question}"
    );
    let buttons = &question["blocks"].as_array().unwrap().last().unwrap()["elements"];
    // The buttons carry only the question's id.
    assert_eq!(buttons[0]["action_id"], "cohortbot_answer");
    assert_eq!(buttons[1]["action_id"], "cohortbot_answer");
    let value: Value = serde_json::from_str(buttons[0]["value"].as_str().unwrap()).unwrap();
    assert_eq!(value["type"], "answer", "{value}");
    assert_eq!(value["yes"], true);
    assert_eq!(value["question"].as_str().unwrap().len(), 8);
    let yes = block_actions(
        &slack,
        "cohortbot_answer",
        buttons[0]["value"].as_str().unwrap(),
    );

    // Someone else pressing it changes nothing.
    let mut foreign: Value = serde_json::from_str(&yes).unwrap();
    foreign["user"]["id"] = "U0OTHER01".into();
    slack.interact(&foreign.to_string()).await;
    assert!(
        slack.sent("response").await[0]["text"]
            .as_str()
            .unwrap()
            .contains("expired or was already answered")
    );

    slack.interact(&yes).await;
    slack.interact(&yes).await;
    let answers = slack.sent("response").await;
    assert_eq!(answers.len(), 3);
    assert!(
        answers[1]["text"]
            .as_str()
            .unwrap()
            .contains("is updated: confidence 4/5"),
        "{}",
        answers[1]
    );
    assert_eq!(answers[1]["replace_original"], true);
    assert_eq!(
        answers[1], answers[2],
        "a second press replays the first answer"
    );
    assert_eq!(slack.bot.count("checkin_revisions").await, 1);
    let progress: String = sqlx::query_scalar("SELECT progress FROM checkins")
        .fetch_one(&slack.bot.pool)
        .await
        .unwrap();
    assert_eq!(progress, "second try");
}

#[sqlx::test]
async fn a_second_modal_check_in_asks_before_replacing_the_first(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    reach(&slack, &dispatcher, "2027-03-08 08:45", "2027-03-08 09:00").await;
    let metadata = open_checkin_form(&slack).await["private_metadata"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = view_submission(&metadata, "first answer", "2");
    slack.interact(&first).await;

    // The same form again (a second view): the services ask before replacing.
    let second =
        view_submission(&metadata, "better answer", "5").replace("V0CHECKIN1", "V0CHECKIN2");
    let (_, answer) = slack.interact(&second).await;
    let answer = answer.unwrap();
    let view = &answer["view"];
    assert_eq!(view["callback_id"], "cohortbot_checkin_confirm");
    assert_eq!(view["submit"]["text"], "Replace it");
    assert!(
        view["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("confidence 2/5")
    );

    let mut confirm: Value = serde_json::from_str(&second).unwrap();
    confirm["view"]["callback_id"] = "cohortbot_checkin_confirm".into();
    confirm["view"]["private_metadata"] = view["private_metadata"].clone();
    confirm["view"]["state"]["values"] = serde_json::json!({});
    let (_, answer) = slack.interact(&confirm.to_string()).await;
    let shown = answer.unwrap()["view"]["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(shown.contains("is updated: confidence 5/5"), "{shown}");
    let (progress, confidence): (String, i16) =
        sqlx::query_as("SELECT progress, confidence FROM checkins")
            .fetch_one(&slack.bot.pool)
            .await
            .unwrap();
    assert_eq!((progress.as_str(), confidence), ("better answer", 5));
    assert_eq!(slack.bot.count("checkin_revisions").await, 1);
}

async fn milestone_status(slack: &Slack) -> String {
    sqlx::query_scalar(
        "SELECT s.status FROM milestones s JOIN modules m ON m.id = s.module_id WHERE m.slug = 'flows-101'",
    )
    .fetch_one(&slack.bot.pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_mentor_answers_a_milestone_with_its_buttons(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    slack.command("coc accept", "t-coc").await;
    let joined = slack
        .command("join spring-makers-2027 track:short-modules", "t-join")
        .await;
    assert!(
        joined["text"].as_str().unwrap().contains("You're in!"),
        "{joined}"
    );
    grace_on_slack(&slack).await;
    let dispatcher = Dispatcher::new(
        slack.bot.pool.clone(),
        Arc::new(slack.bot.clock.clone()),
        slack.sender(),
    )
    .only_platform(cohortbot::outbox::Platform::Slack);
    let submit = "milestone submit flows-101 https://example.org/flow";
    slack.command(submit, "t-submit-1").await;
    dispatcher.run_once().await.unwrap();
    let posts = slack.sent("chat.postMessage").await;
    let request = posts
        .iter()
        .find(|p| {
            p["text"]
                .as_str()
                .unwrap()
                .contains("https://example.org/flow")
        })
        .expect("the mentor's DM");
    let buttons = &request["blocks"].as_array().unwrap().last().unwrap()["elements"];
    assert_eq!(buttons[0]["action_id"], "cohortbot_milestone_verify");
    assert_eq!(buttons[1]["action_id"], "cohortbot_milestone_changes");

    // Request changes opens a note form; its submission asks the learner.
    let press = |action: &str, value: &Value, user: &str| {
        let mut click: Value =
            serde_json::from_str(&block_actions(&slack, action, value.as_str().unwrap())).unwrap();
        click["user"]["id"] = user.into();
        click.to_string()
    };
    slack
        .interact(&press(
            "cohortbot_milestone_changes",
            &buttons[1]["value"],
            "U0GRACE01",
        ))
        .await;
    let view = slack.sent("views.open").await[0]["view"].clone();
    assert_eq!(view["callback_id"], "cohortbot_milestone_changes");
    let mut submission: Value = serde_json::from_str(&view_submission(
        view["private_metadata"].as_str().unwrap(),
        "-",
        "1",
    ))
    .unwrap();
    submission["user"]["id"] = "U0GRACE01".into();
    submission["view"]["callback_id"] = "cohortbot_milestone_changes".into();
    submission["view"]["state"]["values"] = serde_json::json!({
        "note": { "note": { "type": "plain_text_input", "value": "Add a screenshot <!channel>" } }
    });
    let (status, answer) = slack.interact(&submission.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    let shown = answer.unwrap()["view"]["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(shown.contains("for changes"), "{shown}");
    assert_eq!(milestone_status(&slack).await, "changes_requested");

    // Resubmitted: Verify by the learner changes nothing; by the mentor it verifies.
    slack.command(submit, "t-submit-2").await;
    slack
        .interact(&press(
            "cohortbot_milestone_verify",
            &buttons[0]["value"],
            SAM,
        ))
        .await;
    assert_eq!(milestone_status(&slack).await, "submitted");
    let mut by_mentor: Value = serde_json::from_str(&press(
        "cohortbot_milestone_verify",
        &buttons[0]["value"],
        "U0GRACE01",
    ))
    .unwrap();
    by_mentor["trigger_id"] = "13345224609.8534564800.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into();
    slack.interact(&by_mentor.to_string()).await;
    assert_eq!(milestone_status(&slack).await, "verified");
}

/// A whole week on Slack through signed requests only: join and accept by slash command,
/// the Monday prompt and its Check in button, the modal with several lines of CJK and
/// emoji, the lead mentor's Reply modal, a second check-in confirmed in its view, and
/// Friday's digest.
#[sqlx::test]
async fn a_whole_week_on_slack_through_signed_requests(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    grace_on_slack(&slack).await;
    reach(&slack, &dispatcher, "2027-03-08 08:45", "2027-03-08 09:00").await;
    let opened = open_checkin_form(&slack).await;
    assert!(
        opened["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("*Spring Makers 2027*"),
        "{opened}"
    );
    let metadata = opened["private_metadata"].as_str().unwrap().to_owned();

    // Several lines and 4,000 characters of CJK and emoji, with a blocker.
    let progress: String = format!("進捗:\n\t- フローを作った 🚀\n{}", "試験🙂".repeat(1000))
        .chars()
        .take(4000)
        .collect();
    let mut submission: Value =
        serde_json::from_str(&view_submission(&metadata, &progress, "2")).unwrap();
    submission["view"]["state"]["values"]["blockers"]["blockers"]["value"] =
        "No licence\nfor premium connectors".into();
    let (_, answer) = slack.interact(&submission.to_string()).await;
    assert_eq!(
        answer.unwrap()["view"]["blocks"][0]["text"]["text"],
        "Thanks! Your check-in for *Spring Makers 2027*, 2027-W10, is recorded: confidence 2/5, 3 h. Your lead mentor will get in touch about what's blocking you."
    );
    let stored: String = sqlx::query_scalar("SELECT progress FROM checkins")
        .fetch_one(&slack.bot.pool)
        .await
        .unwrap();
    assert_eq!(stored, progress, "kept as typed, lines and all");

    // Grace's notice carries Reply; her form sends several lines back to Sam.
    dispatcher.run_once().await.unwrap();
    let posts = slack.sent("chat.postMessage").await;
    let notice = posts
        .iter()
        .find(|p| {
            p["text"]
                .as_str()
                .unwrap()
                .contains("No licence\nfor premium connectors")
        })
        .expect("the lead mentor's notice");
    let reply = &notice["blocks"].as_array().unwrap().last().unwrap()["elements"][0];
    assert_eq!(reply["action_id"], "cohortbot_reply");
    let mut click: Value = serde_json::from_str(&block_actions(
        &slack,
        "cohortbot_reply",
        reply["value"].as_str().unwrap(),
    ))
    .unwrap();
    click["user"]["id"] = "U0GRACE01".into();
    slack.interact(&click.to_string()).await;
    let form = slack.sent("views.open").await[1]["view"].clone();
    assert_eq!(form["callback_id"], "cohortbot_reply");
    let mut answer: Value = serde_json::from_str(&view_submission(
        form["private_metadata"].as_str().unwrap(),
        "-",
        "1",
    ))
    .unwrap();
    answer["user"]["id"] = "U0GRACE01".into();
    answer["view"]["id"] = "V0REPLY01".into();
    answer["view"]["callback_id"] = "cohortbot_reply".into();
    answer["view"]["state"]["values"] = serde_json::json!({
        "text": { "text": { "type": "plain_text_input", "value": "Let's pair on Thursday.\nI'll bring a licence." } }
    });
    let (_, sent) = slack.interact(&answer.to_string()).await;
    assert_eq!(
        sent.unwrap()["view"]["blocks"][0]["text"]["text"],
        "Sent to Sam C, on their check-in for 2027-W10."
    );
    dispatcher.run_once().await.unwrap();
    let delivered = slack.sent("chat.postMessage").await.last().unwrap().clone();
    assert_eq!(
        delivered["text"],
        "Grace Lindqvist replied to your check-in for 2027-W10:\nLet's pair on Thursday.\nI'll bring a licence."
    );

    // A second check-in asks in its view; confirming replaces the first.
    let mut second = submission.clone();
    second["view"]["id"] = "V0CHECKIN2".into();
    second["view"]["state"]["values"]["confidence"]["confidence"]["selected_option"]["value"] =
        "4".into();
    let (_, asked) = slack.interact(&second.to_string()).await;
    let asked = asked.unwrap();
    assert_eq!(asked["view"]["callback_id"], "cohortbot_checkin_confirm");
    let mut confirm = second.clone();
    confirm["view"]["callback_id"] = "cohortbot_checkin_confirm".into();
    confirm["view"]["private_metadata"] = asked["view"]["private_metadata"].clone();
    confirm["view"]["state"]["values"] = serde_json::json!({});
    let (_, done) = slack.interact(&confirm.to_string()).await;
    assert_eq!(
        done.unwrap()["view"]["blocks"][0]["text"]["text"],
        "Thanks! Your check-in for *Spring Makers 2027*, 2027-W10, is updated: confidence 4/5, 3 h. Your lead mentor will get in touch about what's blocking you."
    );

    // Friday 16:00: the digest in the cohort channel.
    reach(&slack, &dispatcher, "2027-03-12 15:55", "2027-03-12 16:00").await;
    let posts = slack.sent("chat.postMessage").await;
    let digest = posts
        .iter()
        .find(|p| p["channel"] == "C0SPRING1" && p["text"].as_str().unwrap().contains("Check-ins"))
        .expect("the digest in the cohort channel");
    let text = digest["text"].as_str().unwrap();
    assert!(
        text.starts_with("📊 *Spring Makers 2027* — 2027-W10"),
        "{text}"
    );
    assert!(text.contains("Check-ins: 1 of 1 learner (100%)"), "{text}");
    assert!(text.contains("Confidence: 4.0 average"), "{text}");
}
