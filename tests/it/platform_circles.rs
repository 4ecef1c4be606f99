//! `/circle` through the platforms' edges: a request to join a private circle, signed, and
//! the lead's Approve and Decline buttons pressed from the DM the bot sent.

use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use cohortbot::store::{circles, communities, members};

use super::discord_interactions::{DM_CHANNEL, MENTOR, dm_mocks, posted_to, spring_lead_mentor};
use super::discord_support::{BEA, DiscordBot};

const CIRCLE_CHANNEL: &str = "700000000000000042";

/// A private circle "Low-code UX" whose lead is the member `lead_user` on `platform`.
async fn private_circle(pool: &PgPool, platform: &str, lead_user: &str, channel: &str) -> Uuid {
    let community = communities::by_slug(pool, "acme-makers")
        .await
        .unwrap()
        .unwrap();
    let now = chrono::Utc::now();
    let circle = circles::insert(
        pool,
        community.id,
        "low-code-ux",
        "Low-code UX",
        "Usability testing for the apps we build",
        Some(channel),
        "private",
        now,
    )
    .await
    .unwrap()
    .unwrap();
    let lead = members::find(pool, community.id, platform, lead_user)
        .await
        .unwrap()
        .unwrap();
    assert!(
        circles::add_member(pool, circle, lead.id, "lead", now)
            .await
            .unwrap()
    );
    circle
}

fn join(d: &DiscordBot, id: u64) -> Value {
    d.command(
        id,
        "circle",
        Some("join"),
        json!([{ "name": "circle", "type": 3, "value": "Low-code UX" }]),
    )
}

/// The messages the bot posted to the DM channel, in order.
async fn dm_posts(d: &DiscordBot) -> Vec<Value> {
    posted_to(d, DM_CHANNEL).await
}

#[sqlx::test]
async fn on_discord_a_lead_approves_a_request_with_the_button_in_their_dm(pool: PgPool) {
    use cohortbot::chat::discord::Target;
    use cohortbot::render::ActionKind;
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    private_circle(&d.bot.pool, "discord", MENTOR, CIRCLE_CHANNEL).await;
    dm_mocks(&d).await;
    Mock::given(method("POST"))
        .and(path(format!("/api/v10/channels/{CIRCLE_CHANNEL}/messages")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "1500000000000000099" })),
        )
        .mount(&d.server)
        .await;

    // Bea asks by the circle's name; Discord delivers the interaction twice.
    let request = join(&d, 41);
    let (_, reply) = d.post_signed(&request, 0).await;
    assert_eq!(reply["data"]["flags"], 64);
    assert_eq!(
        reply["data"]["content"],
        "**Low-code UX** is private, so I asked Mo to let you in. You will get a DM with their answer."
    );
    let (_, again) = d.post_signed(&request, 0).await;
    assert_eq!(again["data"]["content"], reply["data"]["content"]);
    d.dispatch().await;
    let sent = dm_posts(&d).await;
    assert_eq!(sent.len(), 1, "one request, one DM: {sent:#?}");
    assert_eq!(
        sent[0]["content"],
        // An `@` in code is kept from pinging by a zero-width space on Discord.
        "🙋 Bea asks to join **Low-code UX**.\nApprove with `/circle approve low-code-ux @\u{200b}111000000000000001` or decline with `/circle decline low-code-ux @\u{200b}111000000000000001`."
    );
    assert_eq!(
        sent[0]["allowed_mentions"],
        json!({ "parse": [], "users": [] })
    );
    let buttons = sent[0]["components"][0]["components"].as_array().unwrap();
    let labels: Vec<&str> = buttons
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Approve", "Decline"]);
    let approve = buttons[0]["custom_id"].as_str().unwrap().to_owned();
    assert_eq!(
        d.ids.decode(&approve),
        Some(Target::Button(ActionKind::CircleRequest {
            circle: "low-code-ux".into(),
            handle: BEA.into(),
            approve: true,
        }))
    );

    // A forged button (another member in a signed id's place) changes nothing.
    let mut forged = DiscordBot::in_dm("button_dm", MENTOR);
    forged["data"]["custom_id"] = json!(approve.replace(BEA, "111000000000000009"));
    assert_eq!(
        d.run(forged).await,
        "This button has expired. Type the command instead, e.g. `/checkin`."
    );
    // Bea cannot approve herself.
    let mut own = DiscordBot::in_dm("button_dm", BEA);
    own["id"] = json!("1400000000000000001");
    own["data"]["custom_id"] = json!(approve);
    assert_eq!(
        d.run(own).await,
        "Sorry, only the leads of **Low-code UX** (and stewards) can do that."
    );

    let mut press = DiscordBot::in_dm("button_dm", MENTOR);
    press["id"] = json!("1400000000000000002");
    press["data"]["custom_id"] = json!(approve);
    assert_eq!(
        d.run(press.clone()).await,
        "✅ Bea is now in **Low-code UX**. I told them."
    );
    // Pressed again (a new interaction): nothing left to answer.
    press["id"] = json!("1400000000000000003");
    assert_eq!(
        d.run(press).await,
        "Bea is already in **Low-code UX**: you let them in."
    );
    d.dispatch().await;
    let sent = dm_posts(&d).await;
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert_eq!(
        sent[1]["content"],
        format!("✅ Mo let you into **Low-code UX**. Say hello in <#{CIRCLE_CHANNEL}>.")
    );
    let welcome = posted_to(&d, CIRCLE_CHANNEL).await;
    assert_eq!(welcome.len(), 1);
    assert_eq!(welcome[0]["content"], "👋 Bea joined **Low-code UX**.");
    assert_eq!(
        welcome[0]["allowed_mentions"],
        json!({ "parse": [], "users": [] })
    );
}

#[sqlx::test]
async fn on_slack_a_lead_declines_with_the_button_once_however_often_it_is_pressed(pool: PgPool) {
    use crate::slack_loop::{block_actions, grace_on_slack, prepared};
    let (slack, dispatcher) = prepared(pool).await;
    grace_on_slack(&slack).await;
    private_circle(&slack.bot.pool, "slack", "U0GRACE01", "C0LOWCODE1").await;

    let answer = slack.command("circle join low-code-ux", "t-circle").await;
    assert_eq!(
        answer["text"],
        "*Low-code UX* is private, so I asked Grace Lindqvist to let you in. You will get a DM with their answer."
    );
    assert_eq!(answer["response_type"], "ephemeral");
    dispatcher.run_once().await.unwrap();
    let posts = slack.sent("chat.postMessage").await;
    let request = posts
        .iter()
        .find(|p| p["text"].as_str().unwrap_or_default().starts_with("🙋"))
        .expect("the request DM");
    assert_eq!(
        request["text"],
        "🙋 Sam C asks to join *Low-code UX*.\nApprove with `/cohort circle approve low-code-ux @U0SAM0001` or decline with `/cohort circle decline low-code-ux @U0SAM0001`."
    );
    let buttons = request["blocks"].as_array().unwrap().last().unwrap()["elements"]
        .as_array()
        .unwrap()
        .clone();
    let labels: Vec<(&str, Option<&str>)> = buttons
        .iter()
        .map(|b| (b["text"]["text"].as_str().unwrap(), b["style"].as_str()))
        .collect();
    assert_eq!(
        labels,
        [("Approve", Some("primary")), ("Decline", None)],
        "declining is the quiet choice"
    );
    assert_eq!(buttons[1]["action_id"], "cohortbot_circle");

    // Grace presses Decline; Slack delivers the press twice, then she presses it again.
    let mut press: Value = serde_json::from_str(&block_actions(
        &slack,
        "cohortbot_circle",
        buttons[1]["value"].as_str().unwrap(),
    ))
    .unwrap();
    press["user"]["id"] = json!("U0GRACE01");
    slack.interact(&press.to_string()).await;
    slack.interact(&press.to_string()).await;
    press["trigger_id"] = json!("13345224609.8534564800.dddddddddddddddddddddddddddddddd");
    slack.interact(&press.to_string()).await;
    dispatcher.run_once().await.unwrap();
    let answers: Vec<String> = slack
        .sent("response")
        .await
        .iter()
        .map(|a| a["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        answers,
        [
            "Declined Sam C's request to join *Low-code UX*. I told them.",
            "Declined Sam C's request to join *Low-code UX*. I told them.",
            "Sam C's request to join *Low-code UX* was already declined by you, and they were told."
        ]
    );
    let told: Vec<String> = slack
        .sent("chat.postMessage")
        .await
        .iter()
        .map(|p| p["text"].as_str().unwrap_or_default().to_owned())
        .filter(|t| t.starts_with("Your request"))
        .collect();
    assert_eq!(
        told,
        [
            "Your request to join *Low-code UX* was not accepted this time. A steward can tell you more."
        ]
    );
}
