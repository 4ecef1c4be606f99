//! Approvals through the platforms' edges: `/approve request` opens a form on Discord and
//! on Slack, its submit files the request, the approvers' DMs carry Approve and Reject
//! buttons, and the requester's DM carries the outcome. Asserted on the requests the bot
//! sends to Discord REST and the Slack Web API (wiremock).

use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

use cohortbot::chat::discord::Target;
use cohortbot::domain::Role;
use cohortbot::outbox::{Dispatcher, Platform};

use super::discord_interactions::{DM_CHANNEL, MENTOR, dm_mocks, posted_to, spring_lead_mentor};
use super::discord_support::{BEA, DiscordBot};
use super::platform_knowledge::{modal_inputs, modal_submit};
use super::slack::{SAM, Slack, fixture, json_str, reply_text};
use super::slack_loop::block_actions;

/// Several lines of CJK, emoji, quotes, markdown and mentions, as a form sends them.
const WHY: &str = "财务团队需要从 Teams 提交报销单 🧾\n\"Receipts\" list: **names** and amounts — not @everyone, not <@&555>\n\n> reviewed with `IT`";

/// Who each DM the bot opened on Discord went to, in order.
async fn dm_recipients(d: &DiscordBot) -> Vec<String> {
    d.server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/api/v10/users/@me/channels")
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            body["recipient_id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Bea files a tool request through the form: the command, then the form's submit.
async fn file_on_discord(d: &DiscordBot, id: u64, title: &str, why: &str) -> String {
    let command = d.command(
        id,
        "approve",
        Some("request"),
        json!([
            { "name": "kind", "type": 3, "value": "tool" },
            { "name": "data", "type": 3, "value": "confidential" },
        ]),
    );
    let (_, modal) = d.post_signed(&command, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    let custom_id = modal["data"]["custom_id"].as_str().unwrap().to_owned();
    let submit = modal_submit(
        id + 1,
        &custom_id,
        &[("title", title), ("justification", why), ("links", "")],
    );
    d.run(submit).await
}

#[sqlx::test]
async fn on_discord_a_request_is_filed_in_a_form_and_decided_with_the_dm_buttons(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    // Mo, a Discord lead mentor, is among the tool policy's approvers.
    spring_lead_mentor(&d).await;
    dm_mocks(&d).await;

    let command = d.command(
        71,
        "approve",
        Some("request"),
        json!([
            { "name": "kind", "type": 3, "value": "tool" },
            { "name": "data", "type": 3, "value": "confidential" },
        ]),
    );
    let (_, modal) = d.post_signed(&command, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["title"], "Ask for an approval");
    let inputs: Vec<(String, u64, bool, u64)> = modal["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let input = &row["components"][0];
            (
                input["custom_id"].as_str().unwrap().to_owned(),
                input["style"].as_u64().unwrap(),
                input["required"].as_bool().unwrap(),
                input["max_length"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        inputs,
        [
            ("title".to_owned(), 1, true, 120),
            ("justification".to_owned(), 2, true, 2000),
            ("links".to_owned(), 1, false, 500),
        ]
    );
    assert_eq!(
        modal_inputs(&modal),
        [
            ("title".to_owned(), String::new()),
            ("justification".to_owned(), String::new()),
            ("links".to_owned(), String::new()),
        ]
    );
    let custom_id = modal["data"]["custom_id"].as_str().unwrap().to_owned();

    // 2,001 characters of CJK and emoji: one over the limit, refused naming it.
    let long = "审🙂".repeat(1000) + "!";
    let too_long = modal_submit(
        72,
        &custom_id,
        &[("title", "Expenses flow"), ("justification", &long)],
    );
    assert_eq!(
        d.run(too_long).await,
        "`justification` is 2001 characters long; the limit is 2000 (usage: `/approve request <kind> <data> <title> <justification…> [links:…]`)"
    );
    let submit = modal_submit(
        73,
        &custom_id,
        &[
            ("title", "Expenses flow for *Finance*"),
            ("justification", WHY),
            ("links", "https://example.org/design"),
        ],
    );
    let filed = d.run(submit.clone()).await;
    assert_eq!(
        filed,
        "📨 Filed **\\#1** Expenses flow for \\*Finance\\* (tool, confidential data). I asked Ada Okafor, Grace Lindqvist, María Torres and Mo to decide, by DM. It needs 2 approvers to approve; one rejection rejects it.\nYou'll hear the outcome here. Unanswered, it expires on Mon 8 Mar 2027 09:00 UTC. Follow it with `/approve show 1` or withdraw it with `/approve withdraw 1`."
    );
    // Discord delivering the submit twice files one request, answered the same.
    assert_eq!(d.run(submit).await, filed);
    assert_eq!(d.bot.count("approval_requests").await, 1);
    let justification: String = sqlx::query_scalar("SELECT justification FROM approval_requests")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(justification, WHY, "every line kept as written");

    // Mo's DM (the shell approvers' go to the shell): escaped, pinging nobody, two buttons.
    d.dispatch().await;
    assert_eq!(dm_recipients(&d).await, [MENTOR]);
    let sent = posted_to(&d, DM_CHANNEL).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(
        sent[0]["content"],
        "🗳️ Approval request **\\#1** Expenses flow for \\*Finance\\* (tool, confidential data) from Bea.\nWhy: 财务团队需要从 Teams 提交报销单 🧾\n    \"Receipts\" list: \\*\\*names\\*\\* and amounts — not @\u{200B}everyone, not \\<@\u{200B}&555>\n    \n    \\> reviewed with \\`IT\\`\nLinks: https://example.org/design\nIt needs 2 approvers to approve; one rejection rejects it. Open until Mon 8 Mar 2027 09:00 UTC. Or type `/approve yes 1 [note]` or `/approve no 1 <reason>`."
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
    assert_eq!(labels, ["Approve", "Reject"]);
    let approve = buttons[0]["custom_id"].as_str().unwrap().to_owned();

    // A forged button id is refused; Bea cannot approve her own request.
    let mut forged = DiscordBot::in_dm("button_dm", MENTOR);
    forged["data"]["custom_id"] = json!(approve.replace("approve", "approvf"));
    assert_eq!(
        d.run(forged).await,
        "This button has expired. Type the command instead, e.g. `/checkin`."
    );
    let mut own = DiscordBot::in_dm("button_dm", BEA);
    own["id"] = json!("1400000000000000011");
    own["data"]["custom_id"] = json!(approve);
    assert_eq!(
        d.run(own).await,
        "Request #1 is yours, and nobody approves their own request. Its approvers have it."
    );

    // Ada approves in the shell; Mo's button is the second approval, which decides it.
    d.bot.ok("ada", "/approve yes 1").await;
    let mut press = DiscordBot::in_dm("button_dm", MENTOR);
    press["id"] = json!("1400000000000000012");
    press["data"]["custom_id"] = json!(approve);
    assert_eq!(
        d.run(press.clone()).await,
        "✅ You approved request #1, which makes it approved. I told Bea."
    );
    press["id"] = json!("1400000000000000013");
    assert_eq!(
        d.run(press).await,
        "Request #1 is already approved (since Mon 15 Feb 2027 09:00 UTC), so nothing changed."
    );
    d.dispatch().await;
    assert_eq!(dm_recipients(&d).await, [MENTOR, BEA]);
    let sent = posted_to(&d, DM_CHANNEL).await;
    assert_eq!(
        sent[1]["content"],
        "✅ Your request **\\#1** Expenses flow for \\*Finance\\* (tool, confidential data) is approved.\n✅ Ada Okafor\n✅ Mo"
    );

    // A second request: Mo's Reject button opens a form for the reason, which Bea reads.
    let filed = file_on_discord(&d, 81, "Share the flow with Sales", "Sales asked for it.").await;
    assert!(filed.starts_with("📨 Filed **\\#2** "), "{filed}");
    d.dispatch().await;
    let sent = posted_to(&d, DM_CHANNEL).await;
    let reject = sent[2]["components"][0]["components"][1]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut press = DiscordBot::in_dm("button_dm", MENTOR);
    press["id"] = json!("1400000000000000021");
    press["data"]["custom_id"] = json!(reject);
    let (_, form) = d.post_signed(&press, 0).await;
    assert_eq!(form["type"], 9, "{form}");
    assert_eq!(form["data"]["title"], "Reject a request");
    assert_eq!(modal_inputs(&form), [("reason".to_owned(), String::new())]);
    let mut submit = DiscordBot::in_dm("modal_submit_dm", MENTOR);
    submit["id"] = json!("1400000000000000022");
    submit["data"]["custom_id"] = form["data"]["custom_id"].clone();
    submit["data"]["components"] = json!([{ "type": 1, "id": 1, "components": [
        { "type": 4, "id": 2, "custom_id": "reason",
          "value": "Sales data is confidential.\nAsk for the anonymised view instead 🙏" }
    ]}]);
    assert_eq!(
        d.run(submit).await,
        "❌ You rejected request #2, which makes it rejected. I told Bea."
    );
    d.dispatch().await;
    let sent = posted_to(&d, DM_CHANNEL).await;
    assert_eq!(
        sent.last().unwrap()["content"],
        "❌ Your request **\\#2** Share the flow with Sales (tool, confidential data) is rejected.\n❌ Mo: Sales data is confidential.\n    Ask for the anonymised view instead 🙏\nChange what they asked, then ask again with `/approve request`."
    );
    // Every DM went to Mo or Bea; none to a channel.
    let recipients = dm_recipients(&d).await;
    assert!(
        recipients.iter().all(|r| r == MENTOR || r == BEA),
        "{recipients:?}"
    );
    let decoded = d.ids.decode(&approve);
    assert!(matches!(decoded, Some(Target::Button(_))), "{decoded:?}");
}

/// Delivers the queued Slack posts through the Web API on wiremock.
pub(crate) async fn deliver_slack(slack: &Slack) {
    Dispatcher::new(
        slack.bot.pool.clone(),
        slack.bot.services.clock.clone(),
        slack.sender(),
    )
    .only_platform(Platform::Slack)
    .run_once()
    .await
    .unwrap();
}

/// The DMs posted to `channel` through `chat.postMessage`.
pub(crate) async fn slack_dms(slack: &Slack, channel: &str) -> Vec<Value> {
    slack
        .sent("chat.postMessage")
        .await
        .into_iter()
        .filter(|m| m["channel"] == channel)
        .collect()
}

#[sqlx::test]
async fn on_slack_a_steward_decides_from_the_dm_and_the_requester_hears_it(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let bot = &slack.bot;
    // Slack Sam is a steward: a scope request (no policy in the file) is any steward's.
    slack.command("me", "t-first").await;
    slack
        .eventually("Sam's Slack profile", || async {
            slack.member_field(SAM, "display_name").await.as_deref() == Some("Sam C")
        })
        .await;
    bot.grant_role("slack", SAM, Role::Steward).await;

    // Lee files in the shell; Sam is asked on Slack.
    let filed = bot
        .say(
            "lee",
            "/approve request scope internal \"Onboarding bot\" Greets new joiners. links:https://example.org/bot",
        )
        .await;
    assert_eq!(filed.told(), ["@Ada Okafor", "@Sam C"]);
    assert!(filed.reply().starts_with("📨 Filed #1 Onboarding bot (project scope, internal data). I asked Ada Okafor and Sam C to decide, by DM."), "{}", filed.reply());
    deliver_slack(&slack).await;
    let dms = slack_dms(&slack, "D0SAMDM01").await;
    assert_eq!(dms.len(), 1, "{dms:#?}");
    assert_eq!(
        dms[0]["blocks"][0]["text"]["text"],
        "🗳️ Approval request *#1* Onboarding bot (project scope, internal data) from lee.\nWhy: Greets new joiners.\nLinks: https://example.org/bot\nIt needs any one approver to approve; one rejection rejects it. Open until Mon 1 Mar 2027 09:00 UTC. Or type `/cohort approve yes 1 [note]` or `/cohort approve no 1 &lt;reason&gt;`."
    );
    let buttons = dms[0]["blocks"][1]["elements"].as_array().unwrap();
    let labels: Vec<&str> = buttons
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Approve", "Reject"]);

    // Sam presses Reject: a form for the reason; its submit rejects, and Lee hears why.
    let reject = buttons[1]["value"].as_str().unwrap();
    let press = block_actions(&slack, "cohortbot_form", reject);
    let (status, _) = slack.interact(&press).await;
    assert_eq!(status, StatusCode::OK);
    let view = slack.sent("views.open").await.pop().unwrap()["view"].clone();
    assert_eq!(view["title"]["text"], "Reject a request");
    assert_eq!(
        view["blocks"][0]["text"]["text"],
        "Rejecting request #1. The requester reads your reason, so say what would change your mind."
    );
    let metadata = view["private_metadata"].as_str().unwrap().to_owned();
    let mut submit: Value = serde_json::from_str(&fixture(
        "view_submission.json",
        &[
            ("private_metadata", &json_str(&metadata)),
            ("progress", "null"),
            ("confidence", "null"),
        ],
    ))
    .unwrap();
    submit["view"]["callback_id"] = view["callback_id"].clone();
    submit["view"]["id"] = json!("V0APPNO1");
    submit["view"]["state"]["values"] = json!({
        "reason": { "reason": { "type": "plain_text_input",
            "value": "Use the <!channel> HR bot instead.\n数据 stays in HR 🙏" } },
    });
    let (status, answer) = slack.interact(&submit.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer.unwrap()["view"]["blocks"][0]["text"]["text"],
        "❌ You rejected request #1, which makes it rejected. I told lee."
    );
    let to_lee = bot.deliver().await;
    assert_eq!(
        *to_lee,
        [
            (
                "@ada".to_owned(),
                "🗳️ Approval request #1 Onboarding bot (project scope, internal data) from lee.\nWhy: Greets new joiners.\nLinks: https://example.org/bot\nIt needs any one approver to approve; one rejection rejects it. Open until Mon 1 Mar 2027 09:00 UTC. Or type `/approve yes 1 [note]` or `/approve no 1 <reason>`.".to_owned()
            ),
            (
                "@lee".to_owned(),
                "❌ Your request #1 Onboarding bot (project scope, internal data) is rejected.\n❌ Sam C: Use the <!channel> HR bot instead.\n    数据 stays in HR 🙏\nChange what they asked, then ask again with `/approve request`.".to_owned()
            ),
        ]
    );

    // The Approve button, pressed after the decision: refused with the outcome.
    let approve = buttons[0]["value"].as_str().unwrap();
    let (status, _) = slack
        .interact(&block_actions(&slack, "cohortbot_run", approve))
        .await;
    assert_eq!(status, StatusCode::OK);
    slack
        .eventually("the refusal at the response URL", || async {
            slack.sent("response").await.iter().any(|m| {
                m["text"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Request #1 is already rejected"))
            })
        })
        .await;

    // Filing on Slack: `/cohort approve request` with only its kind and data opens the form.
    let opened = slack
        .command("approve request publish public", "t-apr")
        .await;
    assert_eq!(opened, Value::Null, "{opened}");
    let view = slack.sent("views.open").await.pop().unwrap()["view"].clone();
    assert_eq!(view["title"]["text"], "Ask for an approval");
    assert_eq!(
        view["blocks"][0]["text"]["text"],
        "A *publish* request touching *public* data. Its approvers read all of this in a DM, then approve or reject it."
    );

    // Typed on one line without quotes, the title is its first word: the reply says so.
    // The same line again, and again with other spacing, asks nobody twice.
    let typed = slack
        .command(
            "approve request custom internal Payroll bot for HR",
            "t-typed",
        )
        .await;
    assert_eq!(
        reply_text(&typed),
        "📨 Filed *#2* Payroll (request, internal data). I asked Ada Okafor to decide, by DM. It needs any one approver to approve; one rejection rejects it.\n\
         You'll hear the outcome here. Unanswered, it expires on Mon 1 Mar 2027 09:00 UTC. Follow it with `/cohort approve show 2` or withdraw it with `/cohort approve withdraw 2`.\n\
         Is your title longer than Payroll? A title of several words goes in quotes: withdraw this one with `/cohort approve withdraw 2` and file it again as `/cohort approve request custom internal \"Payroll …\" …`."
    );
    let again = slack
        .command(
            "approve request custom internal  payroll  bot for HR",
            "t-typed-2",
        )
        .await;
    assert_eq!(
        reply_text(&again),
        "You already asked this: request #2 is waiting for its approvers. Follow it with `/cohort approve show 2`."
    );
    assert_eq!(bot.count("approval_requests").await, 2);
}

#[sqlx::test]
async fn on_discord_and_slack_a_tool_is_registered_through_its_form(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let command = d.command(
        91,
        "tool",
        Some("register"),
        json!([
            { "name": "name", "type": 3, "value": "Room finder 🏢" },
            { "name": "kind", "type": 3, "value": "app" },
            { "name": "data", "type": 3, "value": "internal" },
            { "name": "users", "type": 4, "value": 12 },
        ]),
    );
    let (_, modal) = d.post_signed(&command, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["title"], "Register a tool");
    let custom_id = modal["data"]["custom_id"].as_str().unwrap().to_owned();
    assert_eq!(
        modal_inputs(&modal)
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>(),
        ["environment", "justification", "links"]
    );
    let submit = modal_submit(
        92,
        &custom_id,
        &[
            ("environment", "Power Apps: Facilities"),
            (
                "justification",
                "Finds a free room.\nBooks it in Outlook — no @here pings.",
            ),
            ("links", ""),
        ],
    );
    assert_eq!(
        d.run(submit.clone()).await,
        "🧰 Registered **\\#1** Room finder 🏢 (app, internal data, about 12 users) in Power Apps: Facilities. You own it. I'll ask you on Sat 14 Aug 2027 whether it is still in use and still as registered. See it with `/tool show 1`."
    );
    // The same submit delivered twice registers one tool.
    d.run(submit).await;
    assert_eq!(d.bot.count("tools").await, 1);
    let show = d.command(
        93,
        "tool",
        Some("show"),
        json!([{ "name": "tool", "type": 3, "value": "room finder 🏢" }]),
    );
    assert_eq!(
        d.run(show).await,
        "🧰 **\\#1** Room finder 🏢 (app, internal data, about 12 users): active.\nOwner: Bea · backup: none · runs in Power Apps: Facilities\nWhy: Finds a free room.\n    Books it in Outlook — no @\u{200B}here pings.\nRegistered Mon 15 Feb 2027; next review Sat 14 Aug 2027."
    );

    // On Slack, the same command with only its first options opens the form.
    let slack = Slack::new(d.bot.pool.clone()).await;
    slack.mount_defaults("Europe/Berlin").await;
    let opened = slack
        .command("tool register \"Desk booking\" flow public 30", "t-tool")
        .await;
    assert_eq!(opened, Value::Null, "{opened}");
    let view = slack.sent("views.open").await.pop().unwrap()["view"].clone();
    assert_eq!(view["title"]["text"], "Register a tool");
    assert_eq!(
        view["blocks"][0]["text"]["text"],
        "Registering the flow *Desk booking*. You own it; you'll be asked to confirm it is still in use at each review."
    );
    let metadata = view["private_metadata"].as_str().unwrap().to_owned();
    let mut submit: Value = serde_json::from_str(&fixture(
        "view_submission.json",
        &[
            ("private_metadata", &json_str(&metadata)),
            ("progress", "null"),
            ("confidence", "null"),
        ],
    ))
    .unwrap();
    submit["view"]["callback_id"] = view["callback_id"].clone();
    submit["view"]["id"] = json!("V0TOOL01");
    submit["view"]["state"]["values"] = json!({
        "environment": { "environment": { "type": "plain_text_input", "value": "Teams" } },
        "justification": { "justification": { "type": "plain_text_input",
            "value": "Books desks.\nThirty people on the 3rd floor." } },
        "links": { "links": { "type": "plain_text_input", "value": null } },
    });
    let (status, answer) = slack.interact(&submit.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    let text = answer.unwrap()["view"]["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    // Thirty users is over the example's threshold of 20: it waits for a `tool` approval.
    assert!(
        text.starts_with("🧰 Registered *#2* Desk booking (flow, public data, about 30 users), waiting for approval because more than 20 people use it. It becomes active once approved.\n📨 Filed *#1* Register tool: Desk booking (tool, public data)."),
        "{text}"
    );
}
