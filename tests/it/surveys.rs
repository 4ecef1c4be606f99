//! Surveys as people meet them on Slack: the DM after a session with five rating buttons,
//! a button's form with a comment, `/cohort survey send` to a cohort, answers from many
//! people at once, and results that hide small groups.

use axum::http::StatusCode;
use chrono_tz::Europe::Berlin;
use serde_json::{Value, json};
use sqlx::PgPool;

use cohortbot::outbox::{Dispatcher, Platform};

use super::slack::{SAM, Slack, fixture, json_str, reply_text};
use super::slack_loop::block_actions;

const SPRING: &str = "spring-makers-2027";

/// `user` presses the button whose value is `value` in a DM, then submits the form it
/// opened (Slack's view `view_id`) with `comment`: the bot's answer to the submit.
async fn press_and_submit(
    slack: &Slack,
    user: &str,
    value: &str,
    view_id: &str,
    comment: Option<&str>,
) -> Value {
    let press = block_actions(slack, "cohortbot_form", value).replace(SAM, user);
    let (status, _) = slack.interact(&press).await;
    assert_eq!(status, StatusCode::OK);
    let view = slack
        .sent("views.open")
        .await
        .pop()
        .expect("the button opened a form")["view"]
        .clone();
    let metadata = view["private_metadata"].as_str().unwrap().to_owned();
    let mut submit: Value = serde_json::from_str(
        &fixture(
            "view_submission.json",
            &[
                ("private_metadata", &json_str(&metadata)),
                ("progress", "null"),
                ("confidence", "null"),
            ],
        )
        .replace(SAM, user),
    )
    .unwrap();
    submit["view"]["callback_id"] = view["callback_id"].clone();
    submit["view"]["id"] = json!(view_id);
    submit["view"]["state"]["values"] = json!({
        "comment": { "comment": { "type": "plain_text_input", "value": comment } },
    });
    let (status, answer) = slack.interact(&submit.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    answer.unwrap_or(Value::Null)
}

/// The text of a modal's answer: an error on the comment field, or the closing message.
fn submit_text(answer: &Value) -> String {
    if let Some(error) = answer["errors"]["comment"].as_str() {
        return format!("error: {error}");
    }
    answer["view"]["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text in {answer}"))
        .to_owned()
}

/// Delivers the queued Slack posts through the Web API on wiremock.
async fn deliver_slack(slack: &Slack) {
    let dispatcher = Dispatcher::new(
        slack.bot.pool.clone(),
        slack.bot.services.clock.clone(),
        slack.sender(),
    )
    .only_platform(Platform::Slack);
    dispatcher.run_once().await.unwrap();
}

#[sqlx::test]
async fn after_a_session_those_who_came_rate_it_from_a_dm_once_and_anonymously(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let bot = &slack.bot;
    bot.enroll("lee", SPRING, Some("projects")).await;
    bot.enroll("kim", SPRING, Some("projects")).await;
    assert!(reply_text(&slack.command("coc accept", "t-coc").await).contains("code of conduct"));
    assert!(
        reply_text(
            &slack
                .command(&format!("cohort join {SPRING} track:projects"), "t-join")
                .await
        )
        .contains("You're in!")
    );
    bot.set_local("2027-03-03 09:00", Berlin);
    bot.ok(
        "ada",
        &format!("/event schedule {SPRING} 2027-03-03T17:00 lightning_talks Demo night"),
    )
    .await;
    let number: i32 = sqlx::query_scalar("SELECT number FROM sessions")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    bot.ok("lee", &format!("/event rsvp {number}")).await;
    assert!(
        reply_text(
            &slack
                .command(&format!("event rsvp {number}"), "t-rsvp")
                .await
        )
        .contains("#1")
    );

    // Before it starts: nothing to rate yet.
    let early = slack
        .command(&format!("feedback {number} 5"), "t-early")
        .await;
    assert_eq!(
        reply_text(&early),
        "Session #1 has not started yet: rate it once you have been."
    );

    // The session runs 17:00–18:00; a pass during it asks nobody, the one after it asks
    // the two who signed up (nobody recorded attendance), and a second pass nobody again.
    bot.set_local("2027-03-03 17:30", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-03 18:05", Berlin);
    let report = bot.tick().await;
    // (The hourly review escalation fires too, with nothing to post.)
    assert_eq!(report.posts, 2, "{report:?}");
    assert_eq!(bot.tick().await.posts, 0);
    deliver_slack(&slack).await;
    // The channel's posts (the welcomes, the session's announcement) went out too.
    let dms: Vec<Value> = slack
        .sent("chat.postMessage")
        .await
        .into_iter()
        .filter(|m| m["channel"] == "D0SAMDM01")
        .collect();
    assert_eq!(dms.len(), 1, "{dms:#?}");
    let dm = &dms[0];
    assert_eq!(
        dm["blocks"][0]["text"]["text"],
        "🗳️ How was *#1* Demo night (Lightning talks)?\nRate it from 1 (poor) to 5 (great); you can add a comment for the hosts. Answers are anonymous: nobody, stewards included, can see who gave which answer. Or type `/cohort feedback 1 &lt;1–5&gt; [comment]`. Open for 14 days."
    );
    let buttons = dm["blocks"][1]["elements"].as_array().unwrap();
    let labels: Vec<&str> = buttons
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["1", "2", "3", "4", "5"]);
    let lee_dm = bot.deliver().await;
    assert_eq!(lee_dm.len(), 1);
    assert_eq!(lee_dm[0].0, "@lee");
    assert!(
        lee_dm[0].1.starts_with("🗳️ How was #1 Demo night"),
        "{}",
        lee_dm[0].1
    );

    // Sam presses 4: the form says what was chosen; a comment over 1,000 characters is
    // refused naming the limit, and nothing is stored.
    let four = buttons[3]["value"].as_str().unwrap();
    let long: String = "進捗は順調です🙂".repeat(500);
    let refused = press_and_submit(&slack, SAM, four, "V0LONG", Some(&long)).await;
    assert_eq!(
        submit_text(&refused),
        "error: comment is 4000 characters long; the limit is 1000"
    );
    let intro =
        slack.sent("views.open").await.pop().unwrap()["view"]["blocks"][0]["text"]["text"].clone();
    assert_eq!(
        intro,
        "Your rating of session #1: *4 of 5*. Add a comment if you like, then *Submit*. Both are anonymous: nobody sees who wrote them."
    );
    let comment = "Loved the \"flows\" demo!\n次回もお願いします 🙏\n<!channel> @here *bold*";
    let answered = press_and_submit(&slack, SAM, four, "V0RATE1", Some(comment)).await;
    assert_eq!(
        submit_text(&answered),
        "✅ Thank you: your answer and comment are in for survey #1. Answers are anonymous: nobody, stewards included, can see who gave which answer."
    );
    // Slack delivering the same submit twice gets the same answer, stored once.
    let redelivered = press_and_submit(&slack, SAM, four, "V0RATE1", Some(comment)).await;
    assert_eq!(submit_text(&redelivered), submit_text(&answered));
    // Pressing again, and typing another rating: each person answers once.
    let again = press_and_submit(&slack, SAM, four, "V0RATE2", Some(comment)).await;
    assert_eq!(
        submit_text(&again),
        "You already answered survey #1, and each person answers once. Answers are anonymous, so they cannot be changed."
    );
    let typed = slack
        .command(&format!("feedback {number} 1"), "t-typed")
        .await;
    assert_eq!(
        reply_text(&typed),
        "You already answered survey #1, and each person answers once. Answers are anonymous, so they cannot be changed."
    );

    // Stored without the member: the row holds a 32-byte key, the score, the comment as
    // written, and no department (Sam set none); nothing in the audit log names it.
    let (key, score, stored): (Vec<u8>, i16, String) =
        sqlx::query_as("SELECT respondent, score, comment FROM survey_responses")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!((key.len(), score, stored.as_str()), (32, 4, comment));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action LIKE 'survey%' OR detail::text LIKE '%survey%'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(audited, 0);

    // Kim signed up for nothing: refused, saying how to be recorded.
    bot.refused(
        "kim",
        &format!("/feedback {number} 5"),
        "Feedback on session #1 comes from those who went: you are not recorded as attending, signed up or speaking. If you were there, ask its host to record you with `/event attended 1 @you`.",
    )
    .await;

    // The host sees one answer: too few to show, so no score and no comment yet.
    let said = bot.say("ada", "/survey results 1").await;
    assert_eq!(
        said.reply(),
        "#1 session 1 (open, from 3 Mar 2027): 1 answer so far; results show from 5."
    );
}
