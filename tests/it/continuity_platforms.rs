//! Absences and days off through the platforms' own payloads: signed Discord interactions
//! and signed Slack slash commands, asserting the replies and the requests the bot sends.

use chrono_tz::Europe::Berlin;
use serde_json::{Value, json};
use sqlx::PgPool;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::discord_interactions::{DM_CHANNEL, dm_mocks, posted_to, spring_channel_mock};
use crate::discord_support::{BEA, DiscordBot, SPRING_CHANNEL};
use crate::mentor_roles::{ADA, as_slack_user};
use crate::slack_loop::{prepared, reach};

fn away(d: &DiscordBot, id: u64, options: Value) -> Value {
    DiscordBot::as_member(d.command(id, "away", Some("start"), options), BEA, "Bea")
}

#[sqlx::test]
async fn away_and_back_on_discord_through_signed_interactions(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    dm_mocks(&d).await;
    spring_channel_mock(&d).await;
    d.enroll(10, BEA, "Bea").await;
    d.dispatch().await;
    assert_eq!(posted_to(&d, SPRING_CHANNEL).await.len(), 1);

    // Friday: away all next week, with a note that tries to ping everyone.
    d.bot.set_local("2027-02-26 12:00", Berlin);
    d.bot.tick().await;
    let command = away(
        &d,
        20,
        json!([
            { "name": "until", "type": 3, "value": "2027-03-05" },
            { "name": "from", "type": 3, "value": "2027-03-01" },
            { "name": "note", "type": 3, "value": "planning @everyone **now**" }
        ]),
    );
    let reply = d.run(command.clone()).await;
    assert_eq!(
        reply,
        "You'll be away **Mon 1 Mar 2027** through **Fri 5 Mar 2027**. Nothing changes until then: prompts and nudges keep coming until your first day away.\nPlans changed? `/back` cancels it, and `/away list` shows it."
    );
    // The same interaction delivered twice is one absence, and the same answer.
    assert_eq!(d.run(command).await, reply);
    let absences: i64 = sqlx::query_scalar("SELECT count(*) FROM absences")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(absences, 1);
    // The note is shown as typed, but cannot ping or format.
    let list = d
        .run(DiscordBot::as_member(
            d.command(21, "away", Some("list"), json!([])),
            BEA,
            "Bea",
        ))
        .await;
    assert!(list.starts_with("**Your absences**\n• **Mon 1 Mar 2027** through **Fri 5 Mar 2027** — planning @\u{200b}everyone \\*\\*now\\*\\*"), "{list}");

    // Monday: no prompt for Bea.
    d.bot.set_local("2027-03-01 08:45", Berlin);
    d.bot.tick().await;
    d.bot.set_local("2027-03-01 09:00", Berlin);
    assert_eq!(d.bot.tick().await.posts, 0);
    d.dispatch().await;
    assert!(posted_to(&d, DM_CHANNEL).await.is_empty());

    // Back on Wednesday; next Monday's prompt comes by DM.
    d.bot.set_local("2027-03-03 10:00", Berlin);
    let back = d
        .run(DiscordBot::as_member(
            d.command(22, "back", None, json!([])),
            BEA,
            "Bea",
        ))
        .await;
    assert_eq!(
        back,
        "👋 Welcome back! Nothing happened in your cohorts that needs you. Your next check-in prompt comes as usual."
    );
    d.bot.set_local("2027-03-08 09:00", Berlin);
    d.bot.tick().await;
    d.dispatch().await;
    let dms = posted_to(&d, DM_CHANNEL).await;
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(
        dms[0]["content"]
            .as_str()
            .unwrap()
            .starts_with("It's check-in time for **Spring Makers 2027** (2027-W10)!"),
        "{}",
        dms[0]
    );
}

fn text(answer: &Value) -> &str {
    answer["text"].as_str().unwrap_or_default()
}

#[sqlx::test]
async fn away_back_and_a_day_off_on_slack_through_signed_commands(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    reach(&slack, &dispatcher, "2027-02-26 11:00", "2027-02-26 12:00").await;
    let welcomes = slack.sent("chat.postMessage").await;

    // The same /away twice at once (a double click, two devices): one is set, one refused.
    let (first, second) = tokio::join!(
        slack.command("away 2027-03-09 from:2027-03-03", "t-away-1"),
        slack.command("away 2027-03-09 from:2027-03-03", "t-away-2"),
    );
    let mut answers = [text(&first).to_owned(), text(&second).to_owned()];
    answers.sort();
    assert_eq!(
        answers,
        [
            "You'll be away *Wed 3 Mar 2027* through *Tue 9 Mar 2027*. Nothing changes until then: prompts and nudges keep coming until your first day away.\nPlans changed? `/cohort back` cancels it, and `/cohort away list` shows it.",
            "You're already away *Wed 3 Mar 2027* through *Tue 9 Mar 2027*. Pick days that don't overlap it, or end it first with `/cohort back`."
        ]
    );

    // A steward marks Friday 12 March off; its digest is skipped.
    as_slack_user(&slack, "ada", ADA).await;
    let added = slack
        .command_as(
            ADA,
            "cohort dayoff add spring-makers-2027 2027-03-12 Founders' day",
            "t-dayoff",
        )
        .await;
    assert_eq!(
        text(&added),
        "*Spring Makers 2027* is off *Fri 12 Mar 2027*. Prompts, nudges and digests due then are skipped, with the reason recorded."
    );
    let refused = slack
        .command(
            "cohort dayoff add spring-makers-2027 2027-03-19",
            "t-dayoff-2",
        )
        .await;
    assert!(text(&refused).contains("steward"), "{refused}");

    // Monday: Sam is away, so nothing goes to him.
    reach(&slack, &dispatcher, "2027-03-08 08:00", "2027-03-08 09:00").await;
    let after = slack.sent("chat.postMessage").await;
    assert_eq!(after.len(), welcomes.len(), "{after:?}");

    // /back, then the digest day off: nothing posted on Friday 12 March.
    slack.bot.set_local("2027-03-09 10:00", Berlin);
    let back = slack.command("back", "t-back").await;
    assert_eq!(
        text(&back),
        "👋 Welcome back! While you were away:\n• 1 session held: Lightning talks\nYour next check-in prompt comes as usual."
    );
    reach(&slack, &dispatcher, "2027-03-12 15:00", "2027-03-12 16:00").await;
    let after = slack.sent("chat.postMessage").await;
    assert_eq!(after.len(), welcomes.len(), "{after:?}");
}

/// A late check-in on Slack edits the digest already in the channel (`chat.update`) and
/// adds one line in its thread; the edit is retried after a 500 and lands once.
#[sqlx::test]
async fn a_late_check_in_on_slack_edits_the_posted_digest_once_through_a_500(pool: PgPool) {
    use wiremock::matchers::body_partial_json;
    let (slack, dispatcher) = prepared(pool).await;
    reach(&slack, &dispatcher, "2027-03-08 08:45", "2027-03-08 09:00").await;
    reach(&slack, &dispatcher, "2027-03-12 15:55", "2027-03-12 16:00").await;
    let posts = slack.sent("chat.postMessage").await;
    let digest = posts
        .iter()
        .find(|p| p["channel"] == "C0SPRING1" && text(p).contains("Check-ins"))
        .expect("the digest");
    assert!(
        text(digest).contains("Check-ins: 0 of 1 learner (0%)"),
        "{digest}"
    );

    // Slack fails the first edit of the channel's digest.
    Mock::given(method("POST"))
        .and(path("/chat.update"))
        .and(body_partial_json(json!({ "channel": "C0SPRING1" })))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&slack.mock)
        .await;

    slack.bot.set_local("2027-03-16 10:00", Berlin);
    let answer = slack
        .command("checkin 3 finished the intake flow week:last", "t-late")
        .await;
    assert_eq!(
        text(&answer),
        "Thanks! Your check-in for *Spring Makers 2027*, 2027-W10, is recorded: confidence 3/5. It came late, and still counts."
    );
    for minutes in [0, 2, 10, 30] {
        slack
            .bot
            .set_local(&format!("2027-03-16 10:{minutes:02}"), Berlin);
        dispatcher.run_once().await.unwrap();
    }
    let edits: Vec<Value> = slack
        .sent("chat.update")
        .await
        .into_iter()
        .filter(|u| u["channel"] == "C0SPRING1")
        .collect();
    assert_eq!(edits.len(), 2, "a 500, then the edit: {edits:?}");
    assert_eq!(edits[0], edits[1]);
    assert_eq!(edits[1]["ts"], "1772352000.000100");
    assert!(
        text(&edits[1]).contains("Check-ins: 1 of 1 learner (100%)"),
        "{}",
        edits[1]
    );
    let thread: Vec<Value> = slack
        .sent("chat.postMessage")
        .await
        .into_iter()
        .filter(|p| p.get("thread_ts").is_some())
        .collect();
    assert_eq!(thread.len(), 1, "{thread:?}");
    assert_eq!(
        (
            &thread[0]["channel"],
            &thread[0]["thread_ts"],
            text(&thread[0])
        ),
        (
            &json!("C0SPRING1"),
            &json!("1772352000.000100"),
            "updated: +1 late check-in"
        )
    );
}

/// The plan Bea makes in her check-in form comes back as next week's pre-filled progress;
/// sending it unchanged is accepted.
#[sqlx::test]
async fn the_discord_form_is_pre_filled_with_last_weeks_plan(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    dm_mocks(&d).await;
    spring_channel_mock(&d).await;
    d.enroll(10, BEA, "Bea").await;
    d.bot.set_local("2027-03-01 08:45", Berlin);
    d.bot.tick().await;
    d.bot.set_local("2027-03-01 09:00", Berlin);
    d.bot.tick().await;
    d.dispatch().await;

    let plan = "Publish the intake flow\nand show it to my team 🚀";
    let submit_form = |id: &str, custom_id: &Value, progress: &str, next: Option<&str>| {
        let mut submit = DiscordBot::in_dm("modal_submit_dm", BEA);
        submit["id"] = json!(id);
        submit["data"]["custom_id"] = custom_id.clone();
        let mut rows = vec![
            json!({ "type": 1, "components": [{ "type": 4, "custom_id": "progress", "value": progress }] }),
            json!({ "type": 1, "components": [{ "type": 4, "custom_id": "confidence", "value": "4" }] }),
        ];
        if let Some(next) = next {
            rows.push(json!({ "type": 1, "components": [{ "type": 4, "custom_id": "next", "value": next }] }));
        }
        submit["data"]["components"] = json!(rows);
        submit
    };
    let open_form = |id: &str, button: &str| {
        let mut press = DiscordBot::in_dm("button_dm", BEA);
        press["id"] = json!(id);
        press["data"]["custom_id"] = json!(button);
        press
    };
    let button = |prompt: &Value| {
        prompt["components"][0]["components"][0]["custom_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    let first = posted_to(&d, DM_CHANNEL).await;
    let (_, modal) = d
        .post_signed(
            &open_form("1300000000000000401", &button(first.last().unwrap())),
            0,
        )
        .await;
    assert_eq!(modal["type"], 9, "{modal}");
    let progress = &modal["data"]["components"][0]["components"][0];
    assert!(progress.get("value").is_none(), "no plan yet: {progress}");
    let (_, answer) = d
        .post_signed(
            &submit_form(
                "1300000000000000402",
                &modal["data"]["custom_id"],
                "Built the flow",
                Some(plan),
            ),
            0,
        )
        .await;
    assert!(
        answer["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Thanks!"),
        "{answer}"
    );

    // Next Monday: the prompt quotes the plan, and its form starts from it.
    d.bot.set_local("2027-03-08 09:00", Berlin);
    d.bot.tick().await;
    d.dispatch().await;
    let prompts = posted_to(&d, DM_CHANNEL).await;
    let prompt = prompts.last().unwrap();
    assert!(
        prompt["content"].as_str().unwrap().ends_with(
            "\nLast week you planned: Publish the intake flow\nand show it to my team 🚀"
        ),
        "{prompt}"
    );
    let (_, modal) = d
        .post_signed(&open_form("1300000000000000403", &button(prompt)), 0)
        .await;
    let progress = &modal["data"]["components"][0]["components"][0];
    assert_eq!(progress["value"], plan, "{progress}");
    let (_, answer) = d
        .post_signed(
            &submit_form(
                "1300000000000000404",
                &modal["data"]["custom_id"],
                plan,
                None,
            ),
            0,
        )
        .await;
    assert!(
        answer["data"]["content"]
            .as_str()
            .unwrap()
            .starts_with("Thanks! Your check-in for **Spring Makers 2027**, 2027-W10, is recorded"),
        "{answer}"
    );
    let stored: String =
        sqlx::query_scalar("SELECT progress FROM checkins WHERE period = '2027-W10'")
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    assert_eq!(stored, plan);
}

/// `/streak` on Slack: a check-in counts at once, and the row of weeks shows it.
#[sqlx::test]
async fn the_streak_on_slack_counts_this_weeks_check_in(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    reach(&slack, &dispatcher, "2027-03-08 08:45", "2027-03-08 09:00").await;
    slack
        .command("checkin 4 built the intake flow", "t-ci")
        .await;
    let shown = slack.command("streak", "t-streak").await;
    assert_eq!(
        text(&shown),
        "🔥 *Spring Makers 2027*: 1 week in a row (best 1) · freezes: 0 of 2\nLast 12 weeks, oldest first: ▫️▫️▫️▫️▫️▫️▫️▫️▫️▫️▫️✅\n✅ checked in · 🏖️ away or day off · 🧊 freeze used · ❌ missed · ▫️ nothing due yet. Every 4 weeks in a row earns a freeze (you hold at most 2); a freeze covers one missed week."
    );
    let off = slack.command("streak freezes:off", "t-streak-off").await;
    assert!(
        text(&off).starts_with("Freezes are off: a missed week now ends your streak"),
        "{off}"
    );
}

/// The blocker a prompt repeats has Resolved and Still blocked buttons. On Slack: Still
/// blocked tells the lead mentor (once a day, however often it is pressed), and Resolved
/// closes it.
#[sqlx::test]
async fn a_prompts_open_blocker_answers_to_its_buttons_on_slack(pool: PgPool) {
    use crate::slack_loop::{block_actions, grace_on_slack};
    let (slack, dispatcher) = prepared(pool).await;
    grace_on_slack(&slack).await;
    reach(&slack, &dispatcher, "2027-03-08 08:45", "2027-03-08 09:00").await;
    slack.bot.set_local("2027-03-09 10:00", Berlin);
    let answer = slack
        .command(
            "checkin 2 tried the connector blockers:\"no licence for the <!channel> connector\"",
            "t-blocked",
        )
        .await;
    assert!(text(&answer).starts_with("Thanks!"), "{answer}");
    dispatcher.run_once().await.unwrap();

    // Next Monday's prompt repeats the blocker, with its two buttons.
    reach(&slack, &dispatcher, "2027-03-15 08:45", "2027-03-15 09:00").await;
    let posts = slack.sent("chat.postMessage").await;
    let prompt = posts
        .iter()
        .find(|p| p["channel"] == "D0SAMDM01" && text(p).contains("2027-W11"))
        .expect("the week 11 prompt");
    assert!(
        text(prompt).contains("Still open from before: no licence for the @channel connector (sorted? `/cohort checkin resolved`; still stuck? `/cohort checkin stuck` tells your lead mentor)"),
        "{prompt}"
    );
    let buttons = prompt["blocks"].as_array().unwrap().last().unwrap()["elements"]
        .as_array()
        .unwrap()
        .clone();
    let labels: Vec<&str> = buttons
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Check in", "Resolved", "Still blocked"]);
    let value = |i: usize| buttons[i]["value"].as_str().unwrap().to_owned();

    // Still blocked: Slack delivering the same press twice, then a second press (a new
    // trigger). Grace hears it once.
    let still = block_actions(&slack, "cohortbot_blocker", &value(2));
    slack.interact(&still).await;
    slack.interact(&still).await;
    let mut pressed_again: Value = serde_json::from_str(&still).unwrap();
    pressed_again["trigger_id"] = json!("13345224609.8534564800.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    slack.interact(&pressed_again.to_string()).await;
    dispatcher.run_once().await.unwrap();
    let answers: Vec<String> = slack
        .sent("response")
        .await
        .iter()
        .map(|a| text(a).to_owned())
        .collect();
    assert_eq!(
        answers,
        [
            "Told Grace Lindqvist that you're still blocked; their reply comes to you here. Once it's sorted, `/cohort checkin resolved`.",
            "Told Grace Lindqvist that you're still blocked; their reply comes to you here. Once it's sorted, `/cohort checkin resolved`.",
            "Your mentors already heard today that you're still blocked. They'll reply with `/cohort checkin reply`; if it's urgent, ask in the cohort channel."
        ]
    );
    let told: Vec<String> = slack
        .sent("chat.postMessage")
        .await
        .iter()
        .map(|p| text(p).to_owned())
        .filter(|t| t.starts_with("🚧"))
        .collect();
    assert_eq!(
        told,
        [
            "🚧 Sam C (*Spring Makers 2027*) is still blocked, since 2027-W10: no licence for the @channel connector\nReply with `/cohort checkin reply @U0SAM0001 …`"
        ]
    );

    // Resolved: off the list of open blockers.
    let mut resolved: Value =
        serde_json::from_str(&block_actions(&slack, "cohortbot_blocker", &value(1))).unwrap();
    resolved["trigger_id"] = json!("13345224609.8534564800.cccccccccccccccccccccccccccccccc");
    slack.interact(&resolved.to_string()).await;
    let answers = slack.sent("response").await;
    assert_eq!(
        text(&answers[3]),
        "🎉 Marked resolved in *Spring Makers 2027*: no licence for the @channel connector\nYour mentors no longer see it as open. Stuck on something new? Say so in your next `/cohort checkin`."
    );
    let open: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM checkins WHERE blockers IS NOT NULL AND blocker_resolved_at IS NULL",
    )
    .fetch_one(&slack.bot.pool)
    .await
    .unwrap();
    assert_eq!(open, 0);
}

/// On Discord: the prompt's Resolved button, pressed in the DM, through a signed payload.
#[sqlx::test]
async fn a_prompts_blocker_is_resolved_by_its_discord_button(pool: PgPool) {
    use cohortbot::chat::discord::Target;
    use cohortbot::render::ActionKind;
    let d = DiscordBot::new(pool).await;
    dm_mocks(&d).await;
    spring_channel_mock(&d).await;
    d.enroll(10, BEA, "Bea").await;
    d.bot.set_local("2027-03-09 10:00", Berlin);
    let checkin = d.command(
        20,
        "checkin",
        Some("submit"),
        json!([
            { "name": "confidence", "type": 4, "value": 2 },
            { "name": "progress", "type": 3, "value": "tried the connector" },
            { "name": "blockers", "type": 3, "value": "no licence, **again**" }
        ]),
    );
    assert!(d.run(checkin).await.starts_with("Thanks!"));
    d.bot.set_local("2027-03-15 08:45", Berlin);
    d.bot.tick().await;
    d.bot.set_local("2027-03-15 09:00", Berlin);
    d.bot.tick().await;
    d.dispatch().await;
    let resolved = d.ids.encode(&Target::Button(ActionKind::Blocker {
        cohort: "spring-makers-2027".into(),
        resolved: true,
    }));
    let prompt = posted_to(&d, DM_CHANNEL)
        .await
        .into_iter()
        .find(|m| m["content"].as_str().unwrap().contains("2027-W11"))
        .expect("the week 11 prompt");
    let labels: Vec<(&str, &str)> = prompt["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["label"].as_str().unwrap(),
                b["custom_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(labels[1], ("Resolved", resolved.as_str()));
    assert_eq!(labels[2].0, "Still blocked");

    let mut press = DiscordBot::in_dm("button_dm", BEA);
    press["id"] = json!("1300000000000000901");
    press["data"]["custom_id"] = json!(resolved);
    let (_, reply) = d.post_signed(&press, 0).await;
    assert_eq!(
        reply["data"]["content"],
        "🎉 Marked resolved in **Spring Makers 2027**: no licence, \\*\\*again\\*\\*\nYour mentors no longer see it as open. Stuck on something new? Say so in your next `/checkin`."
    );
    // A second press (a new interaction): nothing is open any more.
    press["id"] = json!("1300000000000000902");
    let (_, again) = d.post_signed(&press, 0).await;
    assert_eq!(
        again["data"]["content"],
        "You have no open blocker in **Spring Makers 2027**. Stuck on something? Add it to your check-in: `/checkin 3 … blockers:…`."
    );
}
