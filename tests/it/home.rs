//! `/home` and the Slack Home tab: a member's own page.

use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use serde_json::Value;
use sqlx::PgPool;

use crate::support::TestBot;

const COHORT: &str = "spring-makers-2027";

/// Lena learns in spring (Berlin), mentored by Xena, with a session coming and a review
/// waiting.
pub(crate) async fn program(pool: PgPool) -> TestBot {
    let bot = TestBot::new(pool).await;
    bot.without_seeded_mentors().await;
    bot.enroll("lena", COHORT, Some("projects")).await;
    bot.ok("lena", "/me timezone Europe/Berlin").await;
    bot.ok("lena", "/me skills sql").await;
    bot.ok("xena", "/me timezone Europe/Berlin").await;
    bot.ok("xena", "/mentor offer community 2 sql").await;
    bot.ok("ada", "/mentor approve @xena community").await;
    bot.ok("ada", &format!("/mentor match {COHORT}")).await;
    bot.ok("ada", &format!("/mentor match apply {COHORT}"))
        .await;
    // Monday's prompts go out, so the mentor has a week to look at.
    bot.set_local("2027-03-08 08:45", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-08 09:00", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await;
    assert!(
        delivered
            .iter()
            .any(|(to, body)| to == "@lena" && body.contains("check-in")),
        "{:#?}",
        *delivered
    );
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 9, 0, 0).unwrap());
    bot.ok(
        "ada",
        &format!("/event schedule {COHORT} 2027-03-12T17:00 demo_day Demo night"),
    )
    .await;
    bot.ok(
        "lena",
        "/review request https://make.powerapps.com/app/1 gallery",
    )
    .await;
    bot
}

/// What Lena's Home says after her sessions: her ladder, her mentor, the knowledge base.
const LENA_LADDER_AND_REST: &str = "\
         Your ladder in Spring Makers 2027 (Project-based):\n  \
         ▶\u{fe0f} `problem-statement` Pick a process and write the problem statement — current\n  \
         🔒 `prototype` Prototype with your mentor — locked: needs problem-statement\n  \
         🔒 `pilot` Pilot with real users — locked: needs prototype\n  \
         🔒 `demo-day` Demo day and business-impact write-up — locked: needs pilot · badge: Citizen Developer (Projects) · capstone\n\
         0 of 4 completed. Submit with `/milestone submit <module> <evidence url> [note]`.\n\
         \n\
         🧭 Mentoring\n\
         Your mentor in Spring Makers 2027: xena.\n\
         Want to build something with a peer? `/pair request <topic>` or the button.\n\
         \n\
         📚 Knowledge base\n\
         FAQs, playbooks, decisions and clinic notes: `/kb search <words>`, or ask the mentors with `/kb ask <question>`.\n\
         \n\
         Last updated Wed 10 Mar 10:00 CET.";

#[sqlx::test]
async fn a_learners_home_shows_the_week_sessions_ladder_and_mentor(pool: PgPool) {
    let bot = program(pool).await;
    let said = bot.say("lena", "/home").await;
    let top = "🏠 This week\n\
         Spring Makers 2027: ⏳ no check-in for 2027-W10 yet: `/checkin` or the button.\n\
         🔥 Spring Makers 2027: 0 weeks in a row (best 0) · freezes: 0 of 2\n\
         Last 12 weeks, oldest first: ▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}\n\
         ✅ checked in · 🏖\u{fe0f} away or day off · 🧊 freeze used · ❌ missed · ▫\u{fe0f} nothing due yet. Every 4 weeks in a row earns a freeze (you hold at most 2); a freeze covers one missed week.\n\
         \n\
         📅 Next sessions\n\
         • #3 Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin).\n\
         • #1 Lightning talks, Thu 18 Mar 2027 16:00 (Europe/Berlin).\n\
         • #2 Lightning talks, Thu 1 Apr 2027 16:00 (Europe/Berlin).\n\
         \n";
    assert_eq!(said.reply(), format!("{top}{LENA_LADDER_AND_REST}"));
    assert!(said.posts().is_empty());
    let buttons: Vec<&str> = said
        .outcome()
        .unwrap()
        .reply
        .actions()
        .map(|a| a.label.as_str())
        .collect();
    assert_eq!(
        buttons,
        [
            "Check in: Spring Makers 2027",
            "RSVP #3",
            "RSVP #1",
            "RSVP #2",
            "Ask for a pairing",
            "Search the knowledge base"
        ]
    );

    // After a check-in and an RSVP the page says so, and offers to withdraw.
    bot.ok("lena", "/checkin 4 built the gallery").await;
    bot.ok("lena", "/event rsvp 3").await;
    bot.ok("lena", "/away 2027-03-14").await;
    let said = bot.say("lena", "/home").await;
    let top = "🏠 This week\n\
         🌴 You're away until Sun 14 Mar (your last day away): prompts and nudges wait for you. Back early? `/back`.\n\
         Spring Makers 2027: ✅ checked in for 2027-W10.\n\
         🔥 Spring Makers 2027: 1 week in a row (best 1) · freezes: 0 of 2\n\
         Last 12 weeks, oldest first: ▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}✅\n\
         ✅ checked in · 🏖\u{fe0f} away or day off · 🧊 freeze used · ❌ missed · ▫\u{fe0f} nothing due yet. Every 4 weeks in a row earns a freeze (you hold at most 2); a freeze covers one missed week.\n\
         \n\
         📅 Next sessions\n\
         • #3 Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin): you're going.\n\
         • #1 Lightning talks, Thu 18 Mar 2027 16:00 (Europe/Berlin).\n\
         • #2 Lightning talks, Thu 1 Apr 2027 16:00 (Europe/Berlin).\n\
         \n";
    assert_eq!(said.reply(), format!("{top}{LENA_LADDER_AND_REST}"));
    let buttons: Vec<&str> = said
        .outcome()
        .unwrap()
        .reply
        .actions()
        .map(|a| a.label.as_str())
        .collect();
    assert_eq!(
        buttons,
        [
            "I'm back",
            "Withdraw from #3",
            "RSVP #1",
            "RSVP #2",
            "Ask for a pairing",
            "Search the knowledge base"
        ]
    );
}

#[sqlx::test]
async fn a_mentors_home_shows_their_learners_and_the_reviews_to_claim(pool: PgPool) {
    let bot = program(pool).await;
    let said = bot.say("xena", "/home").await;
    assert_eq!(
        said.reply(),
        "🧭 Your learners in Spring Makers 2027, 2027-W10: 0 of 1 checked in.\n\
         Nobody looks at risk this week. 🎉\n\
         \n\
         🔍 Reviews waiting: 1 request\n\
         • #1 lena: gallery · https://make.powerapps.com/app/1\n\
         \n\
         📚 Knowledge base\n\
         FAQs, playbooks, decisions and clinic notes: `/kb search <words>`, or ask the mentors with `/kb ask <question>`.\n\
         \n\
         Last updated Wed 10 Mar 10:00 CET."
    );
    let claim = said
        .outcome()
        .unwrap()
        .reply
        .actions()
        .find(|a| a.label == "Claim #1")
        .map(|a| a.kind.clone());
    assert_eq!(
        claim,
        Some(cohortbot::render::ActionKind::ClaimReview { number: 1 })
    );
}

#[sqlx::test]
async fn on_discord_home_is_a_private_page_whose_buttons_run_what_they_say(pool: PgPool) {
    use crate::discord_support::{BEA, DiscordBot, fixture};
    use cohortbot::chat::discord::Target;
    use cohortbot::render::ActionKind;
    use serde_json::json;

    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    d.bot
        .clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 9, 0, 0).unwrap());
    d.bot
        .ok(
            "ada",
            &format!("/event schedule {COHORT} 2027-03-12T17:00 demo_day Demo night"),
        )
        .await;
    let home = DiscordBot::as_member(d.command(20, "home", None, json!([])), BEA, "Bea");
    let (_, reply) = d.post_signed(&home, 0).await;
    assert_eq!(reply["data"]["flags"], 64, "only Bea sees it");
    assert_eq!(
        reply["data"]["content"],
        "🏠 **This week**\n\
         **Spring Makers 2027**: ⏳ no check-in for 2027-W10 yet: `/checkin` or the button.\n\
         🔥 **Spring Makers 2027**: 0 weeks in a row (best 0) · freezes: 0 of 2\n\
         Last 12 weeks, oldest first: ▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}\n\
         ✅ checked in · 🏖\u{fe0f} away or day off · 🧊 freeze used · ❌ missed · ▫\u{fe0f} nothing due yet. Every 4 weeks in a row earns a freeze (you hold at most 2); a freeze covers one missed week.\n\
         \n\
         📅 **Next sessions**\n\
         • **\\#1** Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin).\n\
         \n\
         Your ladder in **Spring Makers 2027** (**Short modules**):\n  \
         ▶\u{fe0f} `flows-101` **Your first cloud flow** — current · badge: Flow Starter\n  \
         🔒 `data-sources` **Connecting to data safely** — locked: needs flows-101\n  \
         🔒 `canvas-apps` **Building a canvas app** — locked: needs flows-101 · badge: App Builder\n  \
         🔒 `alm-basics` **Environments, solutions and handover** — locked: needs data-sources, canvas-apps\n  \
         🔒 `capstone` **Capstone: automate a real process** — locked: needs alm-basics · badge: Citizen Developer · capstone\n\
         0 of 5 completed. Submit with `/milestone submit <module> <evidence url> [note]`.\n\
         \n\
         🧭 **Mentoring**\n\
         Your lead mentor in **Spring Makers 2027**: Grace Lindqvist.\n\
         Want to build something with a peer? `/pair request <topic>` or the button.\n\
         \n\
         📚 **Knowledge base**\n\
         FAQs, playbooks, decisions and clinic notes: `/kb search <words>`, or ask the mentors with `/kb ask <question>`.\n\
         \n\
         Last updated Wed 10 Mar 09:00 UTC. Set your zone with `/me timezone <zone>` to see times in it."
    );
    let buttons: Vec<&Value> = reply["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row["components"].as_array().unwrap())
        .collect();
    let labels: Vec<&str> = buttons
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Check in: Spring Makers 2027",
            "RSVP #1",
            "Ask for a pairing",
            "Search the knowledge base"
        ]
    );
    let rsvp = buttons.iter().find(|b| b["label"] == "RSVP #1").unwrap()["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        d.ids.decode(&rsvp),
        Some(Target::Button(ActionKind::Run {
            command: "event rsvp".into(),
            options: vec![("session".into(), "1".into())],
        }))
    );

    // Pressed (and delivered twice), the button RSVPs once, as `/event rsvp 1` would.
    let mut press = DiscordBot::as_member(fixture("button"), BEA, "Bea");
    press["id"] = json!("1400000000000000031");
    press["data"]["custom_id"] = json!(rsvp);
    let rsvped = "You're on the list for **\\#1** Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin). I'll remind you a day and an hour before.";
    assert_eq!(d.run(press.clone()).await, rsvped);
    assert_eq!(d.run(press).await, rsvped);
    assert_eq!(d.bot.count("session_rsvps").await, 1);
    // "Ask for a pairing" opens the pairing form, its one field the topic.
    let pair = buttons
        .iter()
        .find(|b| b["label"] == "Ask for a pairing")
        .unwrap()["custom_id"]
        .clone();
    let mut press = DiscordBot::as_member(fixture("button"), BEA, "Bea");
    press["id"] = json!("1400000000000000033");
    press["data"]["custom_id"] = pair;
    let (_, modal) = d.post_signed(&press, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["title"], "Ask for a pairing");
    let field = &modal["data"]["components"][0]["components"][0];
    assert_eq!(
        (&field["custom_id"], &field["label"], &field["style"]),
        (&json!("topic"), &json!("What to pair on"), &json!(1))
    );
    // A signed button cannot be bent to another command: its id no longer verifies.
    let mut forged = DiscordBot::as_member(fixture("button"), BEA, "Bea");
    forged["id"] = json!("1400000000000000032");
    forged["data"]["custom_id"] = json!(rsvp.replace("event rsvp", "cohort archive"));
    assert_eq!(
        d.run(forged).await,
        "This button has expired. Type the command instead, e.g. `/checkin`."
    );
}

/// The section texts of a published Home, in order.
fn home_texts(published: &Value) -> Vec<String> {
    published["view"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["text"]["text"].as_str().map(str::to_owned))
        .collect()
}

/// The buttons of a published Home: (label, action id, value).
fn home_buttons(published: &Value) -> Vec<(String, String, String)> {
    published["view"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().unwrap().clone())
        .map(|e| {
            (
                e["text"]["text"].as_str().unwrap().to_owned(),
                e["action_id"].as_str().unwrap().to_owned(),
                e["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Slack's `block_actions` payload for pressing the button labelled `label` on a
/// published Home (recorded shape: a view container, no channel, no `response_url`).
fn press_on_home(published: &Value, label: &str) -> String {
    use crate::slack::{fixture, json_str};
    let (_, action_id, value) = home_buttons(published)
        .into_iter()
        .find(|(shown, ..)| shown == label)
        .unwrap_or_else(|| panic!("no {label} button on the Home"));
    fixture(
        "block_actions_home.json",
        &[
            ("trigger_id", crate::slack_loop::TRIGGER),
            ("action_id", &action_id),
            ("label", label),
            ("value", &json_str(&value)),
        ],
    )
}

#[sqlx::test]
async fn on_slack_the_home_tab_is_published_when_opened_and_once_after_many_changes(pool: PgPool) {
    use crate::slack::{SAM, fixture, json_str};
    use crate::slack_loop::prepared;
    use axum::http::StatusCode;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};

    let (slack, dispatcher) = prepared(pool).await;
    Mock::given(method("POST"))
        .and(path("/views.publish"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "ok": true, "view": { "id": "V0HOME0001" } })),
        )
        .mount(&slack.mock)
        .await;
    slack
        .bot
        .clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 9, 0, 0).unwrap());
    slack
        .bot
        .ok(
            "ada",
            &format!("/event schedule {COHORT} 2027-03-12T17:00 demo_day Demo night"),
        )
        .await;
    let open = |event_id: &str, tab: &str| {
        fixture(
            "app_home_opened.json",
            &[("user", SAM), ("event_id", event_id)],
        )
        .replace("\"tab\": \"home\"", &format!("\"tab\": \"{tab}\""))
    };
    let post_event = |body: String| async {
        let (status, _) = slack.post("/slack/events", "application/json", body).await;
        assert_eq!(status, StatusCode::OK);
    };

    // Opening the Home tab publishes it; the event delivered twice publishes once.
    post_event(open("Ev0HOME01", "home")).await;
    post_event(open("Ev0HOME01", "home")).await;
    dispatcher.run_once().await.unwrap();
    let published = slack.sent("views.publish").await;
    assert_eq!(published.len(), 1, "{published:#?}");
    assert_eq!(published[0]["user_id"], SAM);
    assert_eq!(published[0]["view"]["type"], "home");
    assert!(published[0]["view"]["blocks"].as_array().unwrap().len() <= 100);
    assert_eq!(
        home_texts(&published[0]),
        [
            "🏠 *This week*\n\
             *Spring Makers 2027*: ⏳ no check-in for 2027-W10 yet: `/cohort checkin` or the button.\n\
             🔥 *Spring Makers 2027*: 0 weeks in a row (best 0) · freezes: 0 of 2\n\
             Last 12 weeks, oldest first: ▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}▫\u{fe0f}\n\
             ✅ checked in · 🏖\u{fe0f} away or day off · 🧊 freeze used · ❌ missed · ▫\u{fe0f} nothing due yet. Every 4 weeks in a row earns a freeze (you hold at most 2); a freeze covers one missed week.",
            "📅 *Next sessions*\n\
             • *#1* Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin).",
            "Your ladder in *Spring Makers 2027* (*Project-based*):\n  \
             ▶\u{fe0f} `problem-statement` *Pick a process and write the problem statement* — current\n  \
             🔒 `prototype` *Prototype with your mentor* — locked: needs problem-statement\n  \
             🔒 `pilot` *Pilot with real users* — locked: needs prototype\n  \
             🔒 `demo-day` *Demo day and business-impact write-up* — locked: needs pilot · badge: Citizen Developer (Projects) · capstone\n\
             0 of 4 completed. Submit with `/cohort milestone submit &lt;module&gt; &lt;evidence url&gt; [note]`.",
            "🧭 *Mentoring*\n\
             Your lead mentor in *Spring Makers 2027*: Grace Lindqvist.\n\
             Want to build something with a peer? `/cohort pair request &lt;topic&gt;` or the button.",
            "📚 *Knowledge base*\n\
             FAQs, playbooks, decisions and clinic notes: `/cohort kb search &lt;words&gt;`, or ask the mentors with `/cohort kb ask &lt;question&gt;`.",
            "Last updated Wed 10 Mar 10:00 CET."
        ]
    );
    let buttons = home_buttons(&published[0]);
    let labels: Vec<(&str, &str)> = buttons
        .iter()
        .map(|(label, action, _)| (label.as_str(), action.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("Check in: Spring Makers 2027", "cohortbot_checkin"),
            ("RSVP #1", "cohortbot_run"),
            ("Ask for a pairing", "cohortbot_form"),
            ("Search the knowledge base", "cohortbot_form")
        ]
    );

    // The Messages tab is not the Home; and opened again unchanged, it is not published again.
    post_event(open("Ev0HOME02", "messages")).await;
    post_event(open("Ev0HOME03", "home")).await;
    dispatcher.run_once().await.unwrap();
    assert_eq!(slack.sent("views.publish").await.len(), 1);

    // Ten changes before the next publish: one publish, showing all of them.
    let answer = slack
        .command("checkin 4 built my first flow", "t-home-checkin")
        .await;
    assert!(
        answer["text"].as_str().unwrap().contains("Thanks!"),
        "{answer}"
    );
    for i in 0..9 {
        let answer = slack
            .command(
                &format!("me skills sql, flows{i}"),
                &format!("t-home-skills-{i}"),
            )
            .await;
        assert!(
            answer["text"].as_str().unwrap().contains("skills"),
            "{answer}"
        );
    }
    assert_eq!(
        slack
            .bot
            .count("outbox WHERE idempotency_key LIKE 'home:%' AND status = 'pending'")
            .await,
        1
    );
    dispatcher.run_once().await.unwrap();
    let published = slack.sent("views.publish").await;
    assert_eq!(published.len(), 2);
    assert!(
        home_texts(&published[1])[0].contains("✅ checked in for 2027-W10."),
        "{:?}",
        home_texts(&published[1])
    );

    // The RSVP button on the Home: the answer comes by DM, and the Home follows.
    let press = press_on_home(&published[1], "RSVP #1");
    let (status, body) = slack.interact(&press).await;
    assert_eq!((status, body), (StatusCode::OK, None));
    let posts = slack.sent("chat.postMessage").await;
    let answer = posts.last().unwrap();
    assert_eq!(answer["channel"], "D0SAMDM01", "the app's DM with Sam");
    assert_eq!(
        answer["text"],
        "You're on the list for *#1* Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin). I'll remind you a day and an hour before."
    );
    dispatcher.run_once().await.unwrap();
    let published = slack.sent("views.publish").await;
    assert_eq!(published.len(), 3);
    assert!(
        home_texts(&published[2])[1].contains("you're going"),
        "{:?}",
        home_texts(&published[2])
    );

    // The Home's search button opens a form; its results replace the form.
    slack
        .bot
        .ok(
            "ada",
            "/kb add faq \"Sandbox environments\" Ask the platform team for a sandbox.",
        )
        .await;
    let press = press_on_home(&published[2], "Search the knowledge base");
    let (status, _) = slack.interact(&press).await;
    assert_eq!(status, StatusCode::OK);
    let form = slack.sent("views.open").await.last().unwrap()["view"].clone();
    assert_eq!(form["title"]["text"], "Search knowledge base");
    assert_eq!(
        form["blocks"][0]["text"]["text"],
        "FAQs, playbooks, decisions and clinic notes. `\"exact phrase\"`, `-without` and `or` work."
    );
    let mut submit: Value = serde_json::from_str(&fixture(
        "view_submission.json",
        &[
            (
                "private_metadata",
                &json_str(form["private_metadata"].as_str().unwrap()),
            ),
            ("progress", "null"),
            ("confidence", "null"),
        ],
    ))
    .unwrap();
    submit["view"]["callback_id"] = serde_json::json!("cohortbot_command_form");
    submit["view"]["state"]["values"] = serde_json::json!({
        "query": { "query": { "type": "plain_text_input", "value": "sandbox" } },
    });
    let (_, answer) = slack.interact(&submit.to_string()).await;
    assert_eq!(
        answer.unwrap()["view"]["blocks"][0]["text"]["text"],
        "🔎 *Knowledge base: sandbox*\n\
         1. Sandbox environments · FAQ · `sandbox-environments`\n    \
         platform team for a *sandbox*\n\
         Read one with `/cohort kb show &lt;id&gt;`; add `share:true` to post it in this channel."
    );
}

#[sqlx::test]
async fn before_a_cohort_opens_the_home_says_when_instead_of_offering_a_check_in(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", COHORT, Some("short-modules")).await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 2, 1, 9, 0, 0).unwrap());
    let said = bot.say("sam", "/home").await;
    let reply = said.reply();
    assert!(
        reply.starts_with(
            "🏠 This week\n\
             Spring Makers 2027 starts on 2027-03-01, and check-ins open on 2027-02-15. Your first prompt comes in its first week.\n\
             🔥 Spring Makers 2027: 0 weeks in a row"
        ),
        "{reply}"
    );
    let labels: Vec<&str> = said
        .outcome()
        .unwrap()
        .reply
        .actions()
        .map(|a| a.label.as_str())
        .collect();
    assert_eq!(
        labels,
        ["Ask for a pairing", "Search the knowledge base"],
        "no Check in button"
    );
}
