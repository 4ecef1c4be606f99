//! Surveys as people meet them on Slack: the DM after a session with five rating buttons,
//! a button's form with a comment, `/cohort survey send` to a cohort, answers from many
//! people at once, and results that hide small groups.

use axum::http::StatusCode;
use chrono_tz::Europe::Berlin;
use serde_json::{Value, json};
use sqlx::PgPool;

use cohortbot::domain::Role;
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
        "✅ Thank you: your rating and comment on session #1 are in. Answers are anonymous: nobody, stewards included, can see who gave which answer."
    );
    // Slack delivering the same submit twice gets the same answer, stored once.
    let redelivered = press_and_submit(&slack, SAM, four, "V0RATE1", Some(comment)).await;
    assert_eq!(submit_text(&redelivered), submit_text(&answered));
    // Pressing again, and typing another rating: each person answers once.
    let again = press_and_submit(&slack, SAM, four, "V0RATE2", Some(comment)).await;
    assert_eq!(
        submit_text(&again),
        "You already rated session #1, and each person rates a session once. Ratings are anonymous, so they cannot be changed."
    );
    let typed = slack
        .command(&format!("feedback {number} 1"), "t-typed")
        .await;
    assert_eq!(
        reply_text(&typed),
        "You already rated session #1, and each person rates a session once. Ratings are anonymous, so they cannot be changed."
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

    // A session's survey answered by number takes its own scale; an unknown number is
    // refused saying where numbers come from.
    let nine = slack.command("survey answer 1 9", "t-nine").await;
    assert_eq!(
        reply_text(&nine),
        "Survey #1 takes a score from 1 to 5, like `/cohort survey answer 1 5`."
    );
    bot.refused(
        "kim",
        "/survey answer 9 1",
        "There is no survey #9. A survey's number is in the DM that asks it; stewards and sponsors see the recent ones with `/survey results`.",
    )
    .await;

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
        "#1 feedback on session #1 (open, from 3 Mar 2027): 1 answer so far; results show from 5."
    );

    // A learner who hosts a session (as a circle's lead does) finds its feedback listed,
    // with no number to know; one who hosts nothing is told where feedback shows.
    bot.refused(
        "kim",
        "/survey results",
        "Survey results are for stewards, sponsors and lead mentors. A session's host finds its feedback listed here once the session is over and its people have been asked.",
    )
    .await;
    sqlx::query(
        "UPDATE sessions SET created_by = (SELECT id FROM members WHERE platform_user_id = 'kim')",
    )
    .execute(&bot.pool)
    .await
    .unwrap();
    let said = bot.say("kim", "/survey results").await;
    assert_eq!(
        said.reply(),
        "🗳️ Recent surveys:\n• #1 feedback on session #1 (open, from 3 Mar 2027): 1 answer so far; results show from 5.\nOne survey, by department: `/survey results <number>`."
    );
}

/// Fifteen Slack learners of the spring cohort: four in Finance, five in Ops, six in Sales.
const LEARNERS: [(&str, &str); 15] = [
    ("U0FIN0001", "Finance"),
    ("U0FIN0002", "Finance"),
    ("U0FIN0003", "Finance"),
    ("U0FIN0004", "Finance"),
    ("U0OPS0001", "Ops"),
    ("U0OPS0002", "Ops"),
    ("U0OPS0003", "Ops"),
    ("U0OPS0004", "Ops"),
    ("U0OPS0005", "Ops"),
    ("U0SAL0001", "Sales"),
    ("U0SAL0002", "Sales"),
    ("U0SAL0003", "Sales"),
    ("U0SAL0004", "Sales"),
    ("U0SAL0005", "Sales"),
    ("U0SAL0006", "Sales"),
];

#[sqlx::test]
async fn an_nps_hides_a_department_of_four_and_its_smallest_sibling(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let bot = &slack.bot;
    bot.set_local("2027-03-08 10:00", Berlin);
    for (user, department) in LEARNERS {
        let t = |step: &str| format!("t-{step}-{user}");
        let coc = slack.command_as(user, "coc accept", &t("coc")).await;
        assert!(reply_text(&coc).contains("code of conduct"));
        let join = slack
            .command_as(
                user,
                &format!("cohort join {SPRING} track:projects"),
                &t("join"),
            )
            .await;
        assert!(reply_text(&join).contains("You're in!"), "{join}");
        let set = slack
            .command_as(user, &format!("me department {department}"), &t("dept"))
            .await;
        assert!(reply_text(&set).contains(department), "{set}");
    }
    slack.command("me", "t-sam").await;
    bot.grant_role("slack", SAM, Role::Steward).await;

    // A pulse without its question, and an NPS with one: each refused, saying how.
    let no_question = slack
        .command(&format!("survey send {SPRING} pulse"), "t-pulse")
        .await;
    assert_eq!(
        reply_text(&no_question),
        "A pulse asks your question. Write it after the kind, like `/cohort survey send spring-makers-2027 pulse How clear was this week's module?`: it is answered from 1 (not at all) to 5 (very much)."
    );
    let sent = slack
        .command(&format!("survey send {SPRING} nps"), "t-send")
        .await;
    assert_eq!(
        reply_text(&sent),
        "🗳️ Survey #1 went to 15 learners of Spring Makers 2027 by DM, open for 14 days. Results: `/cohort survey results 1`, shown once 5 have answered; smaller groups stay hidden."
    );
    deliver_slack(&slack).await;
    let asks: Vec<Value> = slack
        .sent("chat.postMessage")
        .await
        .into_iter()
        .filter(|m| {
            m["text"]
                .as_str()
                .unwrap_or_default()
                .starts_with("🗳️ Survey #1")
        })
        .collect();
    assert_eq!(asks.len(), 15);
    let scores: Vec<&str> = asks[0]["blocks"][1]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        scores,
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]
    );

    // Answers, two at a time: Finance detractors, Ops passives, Sales promoters.
    for pair in LEARNERS.chunks(2) {
        let answer = |(user, department): (&'static str, &'static str)| {
            let score = match department {
                "Finance" => 3,
                "Ops" => 8,
                _ => 10,
            };
            let line = if user == "U0SAL0001" {
                format!("survey answer 1 {score} Great program: 期待以上 🎉 <!here> *bold*")
            } else {
                format!("survey answer 1 {score}")
            };
            let slack = &slack;
            async move {
                slack
                    .command_as(user, &line, &format!("t-answer-{user}"))
                    .await
            }
        };
        let replies = match pair {
            [a, b] => {
                let (a, b) = tokio::join!(answer(*a), answer(*b));
                vec![a, b]
            }
            [a] => vec![answer(*a).await],
            _ => unreachable!(),
        };
        for reply in replies {
            assert!(
                reply_text(&reply).starts_with("✅ Thank you: your answer"),
                "{reply}"
            );
        }
    }
    // 0–10 takes no 11, and a learner of another cohort is not asked.
    let eleven = slack
        .command_as("U0FIN0001", "survey answer 1 11", "t-11")
        .await;
    assert_eq!(
        reply_text(&eleven),
        "`score` must be a whole number from 0 to 10, not `11` (usage: `/cohort survey answer &lt;survey&gt; &lt;score&gt; [comment…]`)"
    );
    bot.refused(
        "kim",
        "/survey answer 1 9",
        "Survey #1 asks other people: the learners of its cohort, or those at its session.",
    )
    .await;

    // The steward reads the comment with its broadcast disarmed and its markup shown, not
    // applied.
    let results = slack.command("survey results 1", "t-results").await;
    assert_eq!(
        reply_text(&results),
        "*#1 NPS* (open, from 8 Mar 2027): NPS +13 from 15 answers (promoters 6 · passives 5 · detractors 4)\nBy department:\n• Sales: NPS +100 from 6 answers (promoters 6 · passives 0 · detractors 0)\n• 2 departments hidden: under 5 answers, or hidden with one that was, so no group's answers can be worked out from the total.\nComments, in no particular order:\n› Great program: 期待以上 🎉 @here ∗bold∗"
    );

    // A sponsor reads the same numbers without the comment, on the dashboard too.
    bot.grant_role("slack", "U0OPS0001", Role::Sponsor).await;
    let sponsor = slack
        .command_as("U0OPS0001", "survey results", "t-list")
        .await;
    assert_eq!(
        reply_text(&sponsor),
        "🗳️ Recent surveys:\n• *#1 NPS* (open, from 8 Mar 2027): NPS +13 from 15 answers (promoters 6 · passives 5 · detractors 4)\nOne survey, by department: `/cohort survey results &lt;number&gt;`."
    );
    let link = slack
        .command_as("U0OPS0001", "dashboard link", "t-link")
        .await;
    let base = super::dashboard::serve(bot).await;
    let page = reqwest::get(format!("{base}{}", super::dashboard::dashboard_path(&link)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<th scope=\"row\">#1 NPS</th><td>2027-03-08</td><td>15</td><td>+13</td><td>6</td><td>5</td><td>4</td>"),
        "{page}"
    );
    assert!(!page.contains("期待以上"), "no comment on the dashboard");
}

/// `learner` submits `module` on Slack and Grace (on Slack) verifies it.
async fn verified(slack: &Slack, learner: &str, module: &str, extra: &str) -> Value {
    let submit = slack
        .command_as(
            learner,
            &format!("milestone submit {module} https://example.org/{module} {extra}"),
            &format!("t-submit-{learner}-{module}"),
        )
        .await;
    assert!(reply_text(&submit).starts_with("Submitted"), "{submit}");
    let verify = slack
        .command_as(
            "U0GRACE01",
            &format!("milestone verify <@{learner}> {module}"),
            &format!("t-verify-{learner}-{module}"),
        )
        .await;
    assert!(reply_text(&verify).starts_with("Verified"), "{verify}");
    verify
}

#[sqlx::test]
async fn a_capstones_impact_adds_up_on_the_dashboard_and_names_only_who_chose_to(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let bot = &slack.bot;
    super::slack_loop::grace_on_slack(&slack).await;
    bot.set_local("2027-03-08 10:00", Berlin);
    for learner in ["U0MAX0001", "U0LIN0001"] {
        slack
            .command_as(learner, "coc accept", &format!("t-coc-{learner}"))
            .await;
        let joined = slack
            .command_as(
                learner,
                &format!("cohort join {SPRING} track:short-modules"),
                &format!("t-join-{learner}"),
            )
            .await;
        assert!(reply_text(&joined).contains("You're in!"), "{joined}");
    }
    // Numbers go with a capstone only.
    let early = slack
        .command_as(
            "U0MAX0001",
            "milestone submit flows-101 https://example.org/f hours_saved:3",
            "t-early",
        )
        .await;
    assert_eq!(
        reply_text(&early),
        "A business-impact note goes with a capstone, and `flows-101` is not one."
    );
    for learner in ["U0MAX0001", "U0LIN0001"] {
        for module in ["flows-101", "data-sources", "canvas-apps", "alm-basics"] {
            verified(&slack, learner, module, "").await;
        }
    }
    // Max shows their capstone; Lin keeps theirs to numbers. (The learners are not Sam:
    // the command fixture's user is replaced everywhere in its text, mentions included.)
    let graduated = verified(
        &slack,
        "U0MAX0001",
        "capstone",
        "The team's weekly report impact:\"Replaced the emailed spreadsheet <!channel>\" hours_saved:12 processes:2 users:40 showcase:yes",
    )
    .await;
    assert!(reply_text(&graduated).contains("graduated"), "{graduated}");
    bot.set_local("2027-03-08 11:00", Berlin);
    verified(
        &slack,
        "U0LIN0001",
        "capstone",
        "impact:\"=HYPERLINK(x) private\" hours_saved:5 users:8",
    )
    .await;
    deliver_slack(&slack).await;
    // The broadcast in the note arrives from Slack as its label, `channel`, and stays text.
    let graduation: Vec<String> = slack
        .sent("chat.postMessage")
        .await
        .iter()
        .filter_map(|m| m["text"].as_str())
        .filter(|t| t.contains("finished the capstone"))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        graduation,
        [
            "🎓 <@U0MAX0001> finished the capstone and graduated from *Spring Makers 2027*! Congratulations!\nBusiness impact: saves 12 hours a month · replaced 2 processes · used by 40 people. Replaced the emailed spreadsheet @channel",
            "🎓 <@U0LIN0001> finished the capstone and graduated from *Spring Makers 2027*! Congratulations!\nBusiness impact: saves 5 hours a month · used by 8 people. =HYPERLINK(x) private",
        ]
    );

    // The dashboard adds the hours up and names Max, whose note it shows; Lin is a number.
    // (Every Slack user here is "Sam C" to the wiremock `users.info`.)
    slack.command("me", "t-sam").await;
    bot.grant_role("slack", SAM, Role::Sponsor).await;
    let link = slack.command("dashboard link", "t-link").await;
    let base = super::dashboard::serve(bot).await;
    let page = reqwest::get(format!("{base}{}", super::dashboard::dashboard_path(&link)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Hours saved per month<b>17</b><small>by verified capstones</small>"),
        "{page}"
    );
    assert!(
        page.contains(
            "<tr><th scope=\"row\">Sam C</th><td>2027-03-08</td><td>12</td><td>2</td><td>40</td><td>Replaced the emailed spreadsheet @channel</td></tr>\
             <tr><th scope=\"row\">Capstone 2</th><td>2027-03-08</td><td>5</td><td>—</td><td>8</td><td></td></tr>\
             <tr><th scope=\"row\">Total of 2</th><td></td><td>17</td><td>2</td><td>48</td><td></td></tr>"
        ),
        "{page}"
    );
    assert!(!page.contains("HYPERLINK"), "Lin's note stays private");

    // The impact export: the same rows, Lin's name and note left out.
    let reply = slack.command("stats export impact", "t-export").await;
    let path = super::platform_stats::export_path(&reply_text(&reply));
    let (status, _, body) = super::platform_stats::download(bot, &path).await;
    assert_eq!(status, 200);
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let shown: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| {
            let mut r: Vec<&str> = r.iter().map(String::as_str).collect();
            r.remove(2); // verified_at, a timestamp
            r
        })
        .collect();
    assert_eq!(
        shown,
        [
            vec![
                "Spring Makers 2027",
                "1",
                "12",
                "2",
                "40",
                "Sam C",
                "Replaced the emailed spreadsheet @channel"
            ],
            vec!["Spring Makers 2027", "2", "5", "", "8", "", ""],
        ]
    );
    assert!(body.starts_with("cohort,capstone,verified_at,hours_saved_per_month,processes_replaced,users_reached,learner,note\r\n"));
}

/// On Discord: a pulse's DM with five score buttons, a button opening the comment form as
/// a modal, its submit answered, and a second press refused.
#[sqlx::test]
async fn on_discord_a_pulse_is_answered_from_its_dm_buttons_and_form(pool: PgPool) {
    use crate::discord_interactions::{DM_CHANNEL, dm_mocks, posted_to};
    use crate::discord_support::{BEA, DiscordBot};
    let d = DiscordBot::new(pool).await;
    dm_mocks(&d).await;
    d.enroll(10, BEA, "Bea").await;
    let said = d
        .bot
        .say(
            "ada",
            &format!("/survey send {SPRING} pulse How clear was this week's module?"),
        )
        .await;
    assert_eq!(
        said.reply(),
        "🗳️ Survey #1 went to 1 learner of Spring Makers 2027 by DM, open for 14 days. Results: `/survey results 1`, shown once 5 have answered; smaller groups stay hidden.\n\
         ⚠️ Only 1 learner can answer, fewer than the 5 it takes, so its results will stay hidden."
    );
    assert_eq!(said.dms().len(), 1);
    d.dispatch().await;
    let dm = posted_to(&d, DM_CHANNEL)
        .await
        .pop()
        .expect("the survey's DM");
    assert_eq!(
        dm["content"],
        "🗳️ Survey #1: How clear was this week's module?\nAnswer from 1 (not at all) to 5 (very much); you can add a comment. Answers are anonymous: nobody, stewards included, can see who gave which answer. Or type `/survey answer 1 <1–5> [comment]`. Open for 14 days."
    );
    let buttons: Vec<(String, String)> = dm["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["label"].as_str().unwrap().to_owned(),
                b["custom_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let labels: Vec<&str> = buttons.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, ["1", "2", "3", "4", "5"]);

    let press = |id: &str, custom_id: &str| {
        let mut press = DiscordBot::in_dm("button_dm", BEA);
        press["id"] = json!(id);
        press["data"]["custom_id"] = json!(custom_id);
        press
    };
    let (_, modal) = d
        .post_signed(&press("1300000000000000701", &buttons[3].1), 0)
        .await;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["title"], "Survey answer");
    let field = &modal["data"]["components"][0]["components"][0];
    assert_eq!(
        (
            &field["custom_id"],
            &field["label"],
            &field["style"],
            &field["required"],
            &field["max_length"]
        ),
        (
            &json!("comment"),
            &json!("A comment (optional; anonymous too)"),
            &json!(2),
            &json!(false),
            &json!(1000)
        )
    );
    let mut submit = DiscordBot::in_dm("modal_submit_dm", BEA);
    submit["id"] = json!("1300000000000000702");
    submit["data"]["custom_id"] = modal["data"]["custom_id"].clone();
    submit["data"]["components"] = json!([{ "type": 1, "components": [{
        "type": 4, "custom_id": "comment",
        "value": "Clear, mostly.\nThe **connector** part was fast @everyone 🚀" }] }]);
    let (_, answer) = d.post_signed(&submit, 0).await;
    assert_eq!(
        answer["data"]["content"],
        "✅ Thank you: your answer and comment are in for survey #1. Answers are anonymous: nobody, stewards included, can see who gave which answer."
    );
    let comment: String = sqlx::query_scalar("SELECT comment FROM survey_responses")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(
        comment,
        "Clear, mostly.\nThe **connector** part was fast @everyone 🚀"
    );
    // Another press of the same DM: the form opens, and its submit is refused.
    let (_, again) = d
        .post_signed(&press("1300000000000000703", &buttons[0].1), 0)
        .await;
    assert_eq!(again["type"], 9, "{again}");
    submit["id"] = json!("1300000000000000704");
    submit["data"]["custom_id"] = again["data"]["custom_id"].clone();
    let (_, refused) = d.post_signed(&submit, 0).await;
    assert_eq!(
        refused["data"]["content"],
        "You already answered survey #1, and each person answers once. Answers are anonymous, so they cannot be changed."
    );
}

#[sqlx::test]
async fn a_rating_typed_on_slack_names_the_session_rated_not_the_survey_number(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let bot = &slack.bot;
    assert!(reply_text(&slack.command("coc accept", "t-coc").await).contains("code of conduct"));
    let join = slack
        .command(&format!("cohort join {SPRING} track:projects"), "t-join")
        .await;
    assert!(reply_text(&join).contains("You're in!"), "{join}");
    // Three sessions, so the one Sam rates is #3 while its survey is the first: #1.
    bot.set_local("2027-03-01 09:00", Berlin);
    for day in ["03", "04", "05"] {
        bot.ok(
            "ada",
            &format!("/event schedule {SPRING} 2027-03-{day}T17:00 lightning_talks Talks {day}"),
        )
        .await;
    }
    let rsvp = slack.command("event rsvp 3", "t-rsvp").await;
    assert!(reply_text(&rsvp).contains("#3"), "{rsvp}");
    bot.set_local("2027-03-05 18:30", Berlin);

    let rated = slack
        .command(
            "feedback 3 4 The *demos* were \"great\"\nmore please",
            "t-rate",
        )
        .await;
    assert_eq!(
        reply_text(&rated),
        "✅ Thank you: your rating and comment on session #3 are in. Answers are anonymous: nobody, stewards included, can see who gave which answer."
    );
    let survey: i32 = sqlx::query_scalar("SELECT number FROM surveys")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(survey, 1);
    let again = slack.command("feedback 3 2", "t-again").await;
    assert_eq!(
        reply_text(&again),
        "You already rated session #3, and each person rates a session once. Ratings are anonymous, so they cannot be changed."
    );
    // Fifteen days on, the ratings have closed.
    bot.set_local("2027-03-20 19:00", Berlin);
    let late = slack.command("survey answer 1 5", "t-late").await;
    assert_eq!(
        reply_text(&late),
        "Ratings of session #3 have closed: they are taken for 14 days after it."
    );
}
