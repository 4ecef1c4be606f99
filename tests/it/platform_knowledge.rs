//! `/kb` through the platforms' edges: signed Discord interactions and Slack slash commands.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

use super::discord_support::{BEA, DiscordBot, fixture};
use super::slack::{Slack, fixture as slack_fixture, json_str, reply_text};

/// `/kb add` from Bea with `options`.
fn add(d: &DiscordBot, id: u64, options: Value) -> Value {
    d.command(id, "kb", Some("add"), options)
}

fn faq(title: &str, body: &str) -> Value {
    json!([
        { "name": "kind", "type": 3, "value": "faq" },
        { "name": "title", "type": 3, "value": title },
        { "name": "body", "type": 3, "value": body },
    ])
}

#[sqlx::test]
async fn discord_members_add_search_and_read_entries(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    // 4,000 characters of CJK and emoji: the body's whole limit, taken as sent.
    let body = format!("{} {}", "数据政策🙂".repeat(600), "行".repeat(999));
    assert_eq!(body.chars().count(), 4_000);
    let command = add(&d, 31, faq("数据政策 for makers", &body));
    let (status, reply) = d.post_signed(&command, 0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply["type"], 4);
    assert_eq!(reply["data"]["flags"], 64, "only Bea sees it");
    assert_eq!(
        reply["data"]["content"],
        "📘 Added 数据政策 for makers as `for-makers`. You own it: I'll ask you to re-verify it every 90 days. Share it with `/kb show for-makers share:true`."
    );
    // Discord redelivers: the same interaction is one entry, answered the same.
    let (_, again) = d.post_signed(&command, 0).await;
    assert_eq!(again["data"]["content"], reply["data"]["content"]);
    assert_eq!(d.bot.count("kb_entries").await, 1);
    // A one-word title in its own field is the whole title: no question about it.
    assert_eq!(
        d.run(add(&d, 35, faq("VPN", "Ask IT for access.\nThen restart.")))
            .await,
        "📘 Added VPN as `vpn`. You own it: I'll ask you to re-verify it every 90 days. Share it with `/kb show vpn share:true`."
    );

    let too_long = add(&d, 32, faq("Too long", &format!("{body}!")));
    assert_eq!(
        d.run(too_long).await,
        "`body` is 4001 characters long; the limit is 4000 (usage: `/kb add <kind> <title> <body…> [tags:…] [id:…] [visibility:…] [cohort:…] [every:…]`)"
    );

    let search = d.command(
        33,
        "kb",
        Some("search"),
        json!([{ "name": "query", "type": 3, "value": "数据政策 for makers" }]),
    );
    let content = d.run(search).await;
    assert!(
        content.starts_with("🔎 **Knowledge base: 数据政策 for makers**\n1. 数据政策 for makers · FAQ · `for-makers`\n    数据政策🙂数据政策🙂"),
        "{content}"
    );
    // A script without spaces is one word to the parser: the result shows the body's
    // opening, cut to one line of a message.
    let snippet = content.lines().nth(2).unwrap();
    assert_eq!(snippet.chars().count(), 4 + 240, "{snippet}");
    assert!(snippet.ends_with('…'), "{snippet}");

    // Autocomplete offers entries Bea may read, by title or id.
    let mut typing = fixture("autocomplete");
    typing["data"]["name"] = json!("kb");
    typing["data"]["options"] = json!([{ "name": "show", "type": 1, "options": [
        { "name": "entry", "type": 3, "value": "MAKERS", "focused": true }
    ]}]);
    let (_, choices) = d.post_signed(&typing, 0).await;
    assert_eq!(
        choices["data"]["choices"],
        json!([{ "name": "数据政策 for makers (for-makers)", "value": "for-makers" }])
    );
}

#[sqlx::test]
async fn a_shared_entry_is_public_on_discord_and_pings_nobody(pool: PgPool) {
    let d = DiscordBot::with_defer(pool, Duration::from_secs(2)).await;
    d.bot
        .ok(
            "ken",
            "/kb add faq \"Pinging *everyone*\" Never write @everyone, <@&555> or <@123>. id:pings",
        )
        .await;
    let share = d.command(
        41,
        "kb",
        Some("show"),
        json!([
            { "name": "entry", "type": 3, "value": "pings" },
            { "name": "share", "type": 5, "value": true },
        ]),
    );
    let (status, reply) = d.post_signed(&share, 0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        reply,
        json!({ "type": 4, "data": {
            "content": "📘 **FAQ**: **Pinging \\*everyone\\***\nNever write @\u{200B}everyone, \\<@\u{200B}&555> or \\<@\u{200B}123>.\nId: `pings`\nOwner: Ken Watanabe · verified 15 Feb 2027 · revision 1",
            "allowed_mentions": { "parse": [], "users": [] },
        }}),
        "public: no ephemeral flag"
    );
    let uses: i32 = sqlx::query_scalar("SELECT uses FROM kb_entries")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(uses, 1);
}

#[sqlx::test]
async fn a_slow_share_is_deferred_in_public(pool: PgPool) {
    let d = DiscordBot::with_defer(pool, Duration::from_millis(200)).await;
    d.bot.ok("ken", "/kb add faq Proxy Use the proxy.").await;
    // Another transaction holds this delivery id, so the service waits on its row lock.
    let blocker = d.hold_delivery("42").await;
    let share = d.command(
        42,
        "kb",
        Some("show"),
        json!([
            { "name": "entry", "type": 3, "value": "proxy" },
            { "name": "share", "type": 5, "value": true },
        ]),
    );
    let (_, reply) = d.post_signed(&share, 0).await;
    assert_eq!(reply, json!({ "type": 5, "data": {} }), "a public deferral");
    let private = d.command(
        43,
        "kb",
        Some("show"),
        json!([{ "name": "entry", "type": 3, "value": "proxy" }]),
    );
    let blocker_private = d.hold_delivery("43").await;
    let (_, reply) = d.post_signed(&private, 0).await;
    assert_eq!(reply, json!({ "type": 5, "data": { "flags": 64 } }));
    blocker.rollback().await.unwrap();
    blocker_private.rollback().await.unwrap();
}

#[sqlx::test]
async fn two_adds_of_one_id_at_once_make_one_entry_and_a_polite_refusal(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let with_id = |title: &str, body: &str| {
        let mut options = faq(title, body);
        options
            .as_array_mut()
            .unwrap()
            .push(json!({ "name": "id", "type": 3, "value": "vpn-access" }));
        options
    };
    let first = add(&d, 51, with_id("VPN access", "Open a ticket."));
    let second = DiscordBot::as_member(
        add(&d, 52, with_id("VPN", "Ask IT.")),
        "111000000000000009",
        "Cai",
    );
    let (a, b) = tokio::join!(d.run(first), d.run(second));
    let mut replies = [a, b];
    replies.sort_by_key(|r| !r.starts_with("📘"));
    assert!(replies[0].starts_with("📘 Added VPN"), "{replies:?}");
    assert!(
        replies[1].starts_with("`vpn-access` is already taken by the entry VPN")
            || replies[1].starts_with("`vpn-access` was taken by another entry a moment ago."),
        "{replies:?}"
    );
    assert_eq!(d.bot.count("kb_entries").await, 1);
}

#[sqlx::test]
async fn slack_members_search_with_syntax_and_share_in_channel(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    slack
        .bot
        .ok(
            "ken",
            "/kb add playbook \"Buying a connector\" Raise a purchase order <!channel> *first*. id:connector",
        )
        .await;
    slack
        .bot
        .ok("ken", "/kb add faq Orders Orders purchase nothing.")
        .await;

    // Slack sends `"` as typed and `<`/`>` escaped; the phrase is kept.
    let answer = slack
        .command("kb search \"purchase order\" -nothing", "t-search")
        .await;
    assert_eq!(answer["response_type"], "ephemeral");
    assert_eq!(
        reply_text(&answer),
        "🔎 *Knowledge base: \"purchase order\" -nothing*\n1. Buying a connector · Playbook · `connector`\n    Raise a *purchase* *order* &lt;!channel&gt; ∗first\nRead one with `/cohort kb show &lt;id&gt;`; add `share:true` to post it in this channel."
    );

    let answer = slack
        .command("kb show connector share:true", "t-share")
        .await;
    assert_eq!(answer["response_type"], "in_channel");
    assert_eq!(
        reply_text(&answer),
        "📘 *Playbook*: *Buying a connector*\nRaise a purchase order &lt;!channel&gt; ∗first∗.\nId: `connector`\nOwner: Ken Watanabe · verified 15 Feb 2027 · revision 1"
    );
    let answer = slack.command("kb show conector", "t-miss").await;
    assert_eq!(
        reply_text(&answer),
        "I don't know a knowledge-base entry called `conector`. Did you mean `connector` (Buying a connector)?"
    );

    // A title typed without quotes ends at its first word: the reply says so, and how to
    // mend it.
    let answer = slack
        .command("kb add faq How to share a flow with your team", "t-cut")
        .await;
    assert_eq!(
        reply_text(&answer),
        "📘 Added How as `how`. You own it: I'll ask you to re-verify it every 90 days. Share it with `/cohort kb show how share:true`.\n\
         Is your title longer than How? A title of several words goes in quotes. Change this one with `/cohort kb edit how title:\"How …\"`."
    );
}

/// A Discord modal submit of `custom_id` with `fields` (id, value), from Bea.
pub(crate) fn modal_submit(id: u64, custom_id: &str, fields: &[(&str, &str)]) -> Value {
    let mut body = fixture("modal_submit");
    body["id"] = json!(id.to_string());
    body["data"]["custom_id"] = json!(custom_id);
    body["data"]["components"] = fields
        .iter()
        .enumerate()
        .map(|(i, (name, value))| {
            json!({ "type": 1, "id": i * 2 + 1, "components": [
                { "type": 4, "id": i * 2 + 2, "custom_id": name, "value": value }
            ]})
        })
        .collect();
    body
}

/// The (custom id, value) of each text input in a modal response.
pub(crate) fn modal_inputs(modal: &Value) -> Vec<(String, String)> {
    modal["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let input = &row["components"][0];
            (
                input["custom_id"].as_str().unwrap().to_owned(),
                input["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Several lines of CJK, emoji, quotes, markdown and mentions, as a form sends them.
const FORM_BODY: &str = "1. 打开 **管理中心** 🙂\n2. Pick \"Edit owners\" — don't ping @everyone or <@&555>\n\n> quoted `code`";

#[sqlx::test]
async fn on_discord_kb_add_without_its_text_opens_a_form_whose_submit_adds_it(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let command = add(
        &d,
        61,
        json!([
            { "name": "kind", "type": 3, "value": "playbook" },
            { "name": "tags", "type": 3, "value": "flows" },
        ]),
    );
    let (_, modal) = d.post_signed(&command, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["title"], "Add to knowledge base");
    let inputs: Vec<(String, u64, bool)> = modal["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let input = &row["components"][0];
            (
                input["custom_id"].as_str().unwrap().to_owned(),
                input["style"].as_u64().unwrap(),
                input["required"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        inputs,
        [
            ("title".to_owned(), 1, true),
            ("body".to_owned(), 2, true),
            ("tags".to_owned(), 1, false),
            ("id".to_owned(), 1, false),
        ]
    );
    // What the command already said fills its field; the kind travels with the form.
    assert_eq!(
        modal_inputs(&modal)[2],
        ("tags".to_owned(), "flows".to_owned())
    );
    let custom_id = modal["data"]["custom_id"].as_str().unwrap();

    let submit = modal_submit(
        62,
        custom_id,
        &[
            ("title", "Reset a flow's owner"),
            ("body", FORM_BODY),
            ("tags", "flows"),
            ("id", ""),
        ],
    );
    let first = d.run(submit.clone()).await;
    assert_eq!(
        first,
        "📘 Added Reset a flow's owner as `reset-a-flow-s-owner`. You own it: I'll ask you to re-verify it every 90 days. Share it with `/kb show reset-a-flow-s-owner share:true`."
    );
    // The same submit again (a redelivery) is one entry, answered the same.
    assert_eq!(d.run(submit).await, first);
    let (body, tags): (String, Vec<String>) = sqlx::query_as("SELECT body, tags FROM kb_entries")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(body, FORM_BODY);
    assert_eq!(tags, ["flows"]);

    // Shown, every line is there and nothing pings or formats.
    let show = d.command(
        63,
        "kb",
        Some("show"),
        json!([{ "name": "entry", "type": 3, "value": "reset-a-flow-s-owner" }]),
    );
    let (_, shown) = d.post_signed(&show, 0).await;
    assert_eq!(
        shown["data"]["content"],
        "📘 **Playbook**: **Reset a flow's owner**\n1. 打开 \\*\\*管理中心\\*\\* 🙂\n2. Pick \"Edit owners\" — don't ping @\u{200B}everyone or \\<@\u{200B}&555>\n\n\\> quoted \\`code\\`\nTags: flows · Id: `reset-a-flow-s-owner`\nOwner: Bea · verified 15 Feb 2027 · revision 1\nPost it in the channel with `/kb show reset-a-flow-s-owner share:true`."
    );
    assert_eq!(
        shown["data"]["allowed_mentions"],
        json!({ "parse": [], "users": [] })
    );
    // A forged form id changes nothing.
    let forged = modal_submit(64, &custom_id.replace("kba", "kbe"), &[("title", "x")]);
    assert_eq!(
        d.run(forged).await,
        "This form is no longer valid, so nothing was changed. Please run the command again."
    );
    assert_eq!(d.bot.count("kb_entries").await, 1);
}

#[sqlx::test]
async fn on_discord_kb_edit_opens_the_entry_in_a_form_for_its_owner_only(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.run(add(
        &d,
        71,
        faq("VPN access", "Open a ticket.\nChoose Remote access."),
    ))
    .await;
    let edit = d.command(
        72,
        "kb",
        Some("edit"),
        json!([{ "name": "entry", "type": 3, "value": "vpn-access" }]),
    );
    let someone_else = DiscordBot::as_member(edit.clone(), "111000000000000009", "Cai");
    assert_eq!(
        d.run(someone_else).await,
        "Only the owner of `vpn-access` or a steward can use `/kb edit` on it. Its owner is Bea."
    );
    let (_, modal) = d.post_signed(&edit, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["title"], "Edit knowledge entry: vpn-access");
    assert_eq!(
        modal_inputs(&modal),
        [
            ("title".to_owned(), "VPN access".to_owned()),
            (
                "body".to_owned(),
                "Open a ticket.\nChoose Remote access.".to_owned()
            ),
            ("tags".to_owned(), String::new()),
        ]
    );
    let custom_id = modal["data"]["custom_id"].as_str().unwrap();
    // Only the body changed: one new revision, the title stays.
    let submit = modal_submit(
        73,
        custom_id,
        &[
            ("title", "VPN access"),
            ("body", "Open a ticket.\nIt takes a day."),
            ("tags", ""),
        ],
    );
    assert_eq!(
        d.run(submit).await,
        "✏️ Updated `vpn-access` (revision 2); the earlier text is kept as a revision."
    );
    let unchanged = modal_submit(
        74,
        custom_id,
        &[
            ("title", "VPN access"),
            ("body", "Open a ticket.\nIt takes a day."),
            ("tags", ""),
        ],
    );
    assert!(d.run(unchanged).await.starts_with("Say what to change"));
    assert_eq!(d.bot.count("kb_revisions").await, 2);
}

#[sqlx::test]
async fn on_discord_save_to_knowledge_base_fills_the_form_from_the_message(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let (status, modal) = d.post_signed(&fixture("message_command"), 0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(
        modal_inputs(&modal),
        [
            ("title".to_owned(), "To reset a flow's owner:".to_owned()),
            (
                "body".to_owned(),
                "To reset a flow's owner:\n1. Open the **admin centre**\n2. Pick the flow, then *Edit owners*\nPing @everyone if it fails <@&555>\n\nFrom the chat: https://discord.com/channels/900000000000000001/700000000000000001/1400000000000000009".to_owned()
            ),
            ("tags".to_owned(), String::new()),
            ("id".to_owned(), String::new()),
        ]
    );
    let custom_id = modal["data"]["custom_id"].as_str().unwrap();
    let inputs = modal_inputs(&modal);
    let submit = modal_submit(
        81,
        custom_id,
        &[
            ("title", "Resetting a flow's owner"),
            ("body", &inputs[1].1),
            ("tags", "flows, admin"),
            ("id", "flow-owner"),
        ],
    );
    assert!(
        d.run(submit)
            .await
            .starts_with("📘 Added Resetting a flow's owner as `flow-owner`."),
    );
    let kind: String = sqlx::query_scalar("SELECT kind FROM kb_entries")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(kind, "faq");
}

#[sqlx::test]
async fn on_slack_kb_add_and_the_message_shortcut_open_the_form(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;

    // `/cohort kb add` without a kind: the form has no kind field, so it could never be
    // sent. No form opens; the answer says what is missing and which kinds there are.
    let answer = slack.command("kb add", "t-kb-add-bare").await;
    assert_eq!(
        reply_text(&answer),
        "Missing `kind`: one of faq, playbook, decision, clinic_note. Usage: `/cohort kb add &lt;kind&gt; &lt;title&gt; &lt;body…&gt; [tags:…] [id:…] [visibility:…] [cohort:…] [every:…]`"
    );
    assert!(slack.sent("views.open").await.is_empty());
    let answer = slack.command("kb add tags:flows", "t-kb-add-tags").await;
    assert!(reply_text(&answer).starts_with("Missing `kind`"));
    assert!(slack.sent("views.open").await.is_empty());

    // `/cohort kb add faq`: the form is the answer.
    let answer = slack.command("kb add faq", "t-kb-add").await;
    assert_eq!(answer, Value::Null, "nothing but the form");
    let view = slack.sent("views.open").await[0]["view"].clone();
    assert_eq!(view["callback_id"], "cohortbot_command_form");
    assert_eq!(view["title"]["text"], "Add to knowledge base");
    let blocks: Vec<(&str, bool)> = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .skip(1)
        .map(|b| {
            (
                b["block_id"].as_str().unwrap(),
                b["element"]["multiline"] == true,
            )
        })
        .collect();
    assert_eq!(
        blocks,
        [
            ("title", false),
            ("body", true),
            ("tags", false),
            ("id", false)
        ]
    );
    let metadata = view["private_metadata"].as_str().unwrap().to_owned();
    let submit = kb_view_submission(&metadata, "V0KBADD01", "Reset a flow's owner", FORM_BODY);
    let (status, answer) = slack.interact(&submit).await;
    assert_eq!(status, StatusCode::OK);
    let answer = answer.unwrap();
    assert_eq!(answer["response_action"], "update");
    assert_eq!(
        answer["view"]["blocks"][0]["text"]["text"],
        "📘 Added Reset a flow's owner as `reset-a-flow-s-owner`. You own it: I'll ask you to re-verify it every 90 days. Share it with `/cohort kb show reset-a-flow-s-owner share:true`."
    );
    let body: String = sqlx::query_scalar("SELECT body FROM kb_entries")
        .fetch_one(&slack.bot.pool)
        .await
        .unwrap();
    assert_eq!(body, FORM_BODY);
    // Metadata sealed for Sam is refused for anyone else; the view cannot say which form
    // it was, so it carries the app's name.
    let foreign = submit.replace("U0SAM0001", "U0EVE0001");
    let (_, answer) = slack.interact(&foreign).await;
    let answer = answer.unwrap();
    assert_eq!(answer["view"]["title"]["text"], "cohortbot");
    assert!(
        answer["view"]["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("no longer valid")
    );

    // The message shortcut fills the form with the message and its permalink.
    let shortcut = slack_fixture(
        "message_action.json",
        &[
            ("callback_id", "cohortbot_kb_save"),
            ("trigger_id", "13345224609.8534564800.kbsave"),
            ("response_url", &slack.response_url()),
        ],
    );
    let (status, answer) = slack.interact(&shortcut).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer, None);
    let opened = slack.sent("views.open").await;
    assert_eq!(opened.len(), 2);
    assert_eq!(opened[1]["trigger_id"], "13345224609.8534564800.kbsave");
    let view = &opened[1]["view"];
    let initial = |block: usize| view["blocks"][block]["element"]["initial_value"].clone();
    assert_eq!(initial(1), "To reset a flow's owner:");
    assert_eq!(
        initial(2),
        "To reset a flow's owner:\n1. Open the *admin centre*\n2. Pick the flow & @channel <b>\n\nFrom the chat: https://acme-makers.slack.com/archives/C0SPRING1/p1771144930000200"
    );
}

/// A Slack view submission of the knowledge-base form, from Sam.
fn kb_view_submission(metadata: &str, view_id: &str, title: &str, body: &str) -> String {
    let mut payload: Value = serde_json::from_str(&slack_fixture(
        "view_submission.json",
        &[
            ("private_metadata", &json_str(metadata)),
            ("progress", "null"),
            ("confidence", "null"),
        ],
    ))
    .unwrap();
    payload["view"]["id"] = json!(view_id);
    payload["view"]["callback_id"] = json!("cohortbot_command_form");
    let input = |value: Option<&str>| json!({ "type": "plain_text_input", "value": value });
    payload["view"]["state"]["values"] = json!({
        "title": { "title": input(Some(title)) },
        "body": { "body": input(Some(body)) },
        "tags": { "tags": input(None) },
        "id": { "id": input(None) },
    });
    payload.to_string()
}

#[sqlx::test]
async fn on_discord_a_steward_records_a_decision_in_a_form_and_it_is_posted(pool: PgPool) {
    use cohortbot::domain::Role;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    const GOVERNANCE: &str = "700000000000000042";
    let d = DiscordBot::new(pool).await;
    sqlx::query("UPDATE communities SET governance_channel = $1")
        .bind(GOVERNANCE)
        .execute(&d.bot.pool)
        .await
        .unwrap();
    let decide = d.command(
        91,
        "kb",
        Some("decide"),
        json!([{ "name": "title", "type": 3, "value": "Dataverse for shared data" }]),
    );
    assert_eq!(
        d.run(decide.clone()).await,
        "Sorry, only stewards can use `/kb decide`."
    );
    d.bot.grant_role("discord", BEA, Role::Steward).await;

    let mut decide = decide;
    decide["id"] = json!("92");
    let (_, modal) = d.post_signed(&decide, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["title"], "Record a decision");
    let fields: Vec<String> = modal_inputs(&modal).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["context", "decision", "consequences"]);
    let custom_id = modal["data"]["custom_id"].as_str().unwrap();
    let submit = modal_submit(
        93,
        custom_id,
        &[
            (
                "context",
                "Lists hit their limits.\nTwo apps broke in March.",
            ),
            ("decision", "Shared data goes in **Dataverse**."),
            ("consequences", "Makers need premium licences <@&555>."),
        ],
    );
    assert_eq!(
        d.run(submit).await,
        "📜 Recorded the decision Dataverse for shared data as `dataverse-for-shared-data`. It is posted in <#700000000000000042>."
    );
    Mock::given(method("POST"))
        .and(path(format!("/api/v10/channels/{GOVERNANCE}/messages")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "1500000000000000091" })),
        )
        .expect(1)
        .mount(&d.server)
        .await;
    d.dispatch().await;
    let posted = super::discord_interactions::posted_to(&d, GOVERNANCE).await;
    assert_eq!(posted.len(), 1);
    assert_eq!(
        posted[0]["content"],
        format!(
            "📜 **Decision**: **Dataverse for shared data** (`dataverse-for-shared-data`)\n**Context**: Lists hit their limits.\n  Two apps broke in March.\n**Decision**: Shared data goes in \\*\\*Dataverse\\*\\*.\n**Consequences**: Makers need premium licences \\<@\u{200B}&555>.\nRecorded by <@{BEA}> · `/kb show dataverse-for-shared-data`"
        )
    );
    assert_eq!(
        posted[0]["allowed_mentions"],
        json!({ "parse": [], "users": [BEA] })
    );
}

#[sqlx::test]
async fn on_discord_the_answer_button_opens_a_form_whose_answer_reaches_the_asker(pool: PgPool) {
    use super::discord_interactions::{MENTOR, spring_lead_mentor};
    use cohortbot::chat::discord::Target;
    use cohortbot::render::ActionKind;
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    let said = d
        .bot
        .say("sam", "/kb ask How do I reset a flow's owner?")
        .await;
    assert!(
        said.reply()
            .starts_with("❓ Nothing in the knowledge base answers that yet")
    );
    // Mo's DM carries the Answer button.
    let (to_mo, dm) = said
        .outcome()
        .unwrap()
        .posts
        .iter()
        .find_map(|p| match &p.to {
            cohortbot::services::Destination::Direct { display_name, .. }
                if display_name == "Mo" =>
            {
                Some((display_name.clone(), p.message.clone()))
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(to_mo, "Mo");
    assert_eq!(said.dms().len(), 4, "Mo and the program's three mentors");
    let kind = dm.actions().next().unwrap().kind.clone();
    assert!(matches!(&kind, ActionKind::Form { form, .. } if form == "kbq"));

    let mut press = DiscordBot::in_dm("button_dm", MENTOR);
    press["data"]["custom_id"] = json!(d.ids.encode(&Target::Button(kind)));
    let (_, modal) = d.post_signed(&press, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["title"], "Answer a question");
    assert_eq!(modal_inputs(&modal), [("text".to_owned(), String::new())]);

    let mut submit = DiscordBot::in_dm("modal_submit_dm", MENTOR);
    submit["data"]["custom_id"] = modal["data"]["custom_id"].clone();
    submit["data"]["components"] = json!([{ "type": 1, "id": 1, "components": [
        { "type": 4, "id": 2, "custom_id": "text",
          "value": "1. Open the admin centre\n2. Pick the flow, then **Edit owners** 🙂" }
    ]}]);
    let reply = d.run(submit).await;
    assert!(
        reply.starts_with("💡 Thanks! Your answer to #1 is on its way, and saved as the draft `how-do-i-reset-a-flow-s-owner`."),
        "{reply}"
    );
    let (body, status): (String, String) = sqlx::query_as("SELECT body, status FROM kb_entries")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(
        body,
        "1. Open the admin centre\n2. Pick the flow, then **Edit owners** 🙂"
    );
    assert_eq!(status, "draft");
    let to_sam: String = sqlx::query_scalar(
        "SELECT o.body::text FROM outbox o JOIN members m ON m.id = o.member_id
          WHERE m.platform_user_id = 'sam'",
    )
    .fetch_one(&d.bot.pool)
    .await
    .unwrap();
    assert!(to_sam.contains("Your question #1"), "{to_sam}");
}

#[sqlx::test]
async fn on_slack_the_answer_button_opens_a_form_whose_answer_is_saved(pool: PgPool) {
    use super::slack_loop::block_actions;
    use cohortbot::domain::Role;
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    slack.command("me", "t-first").await;
    slack
        .bot
        .grant_role("slack", "U0SAM0001", Role::CommunityMentor)
        .await;
    let said = slack
        .bot
        .say("lin", "/kb ask Where do I request a sandbox?")
        .await;
    assert_eq!(
        said.dms().len(),
        4,
        "Slack Sam and the program's three mentors"
    );
    let kind = said.outcome().unwrap().posts[0]
        .message
        .actions()
        .next()
        .unwrap()
        .kind
        .clone();
    let value = serde_json::to_string(&kind).unwrap();
    let (status, _) = slack
        .interact(&block_actions(&slack, "cohortbot_form", &value))
        .await;
    assert_eq!(status, StatusCode::OK);
    let view = slack.sent("views.open").await[0]["view"].clone();
    assert_eq!(view["title"]["text"], "Answer a question");
    assert_eq!(
        view["blocks"][0]["text"]["text"],
        "Your answer to question #1. It goes to them by DM and is saved as a draft FAQ you publish."
    );
    let metadata = view["private_metadata"].as_str().unwrap().to_owned();
    let mut submit: Value =
        serde_json::from_str(&kb_view_submission(&metadata, "V0KBANS01", "", "")).unwrap();
    submit["view"]["state"]["values"] = json!({
        "text": { "text": { "type": "plain_text_input", "value": "Ask the platform team in #it-help.\nIt takes two days." } },
    });
    let (_, answer) = slack.interact(&submit.to_string()).await;
    assert_eq!(
        answer.unwrap()["view"]["blocks"][0]["text"]["text"],
        "💡 Thanks! Your answer to #1 is on its way, and saved as the draft `where-do-i-request-a-sandbox`. Check it with `/cohort kb show where-do-i-request-a-sandbox`, then `/cohort kb publish where-do-i-request-a-sandbox` so the next person finds it."
    );
}

/// The same question sent twice at once (a double tap) reaches the mentors once; the
/// second send says so.
#[sqlx::test]
async fn the_same_question_twice_at_once_asks_the_mentors_once(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let (a, b) = tokio::join!(
        slack.command("kb ask How do I connect to SharePoint lists?", "t-ask-1"),
        slack.command("kb ask how do I  connect to SharePoint lists?", "t-ask-2")
    );
    let mut replies = [reply_text(&a), reply_text(&b)];
    replies.sort_by_key(|r| r.starts_with("You asked"));
    assert_eq!(
        replies,
        [
            "❓ Nothing in the knowledge base answers that yet, so I asked 3 mentors (question #1). The answer comes to you by DM.",
            "You asked this already (question #1), and it is still open: the people I asked have it, and the answer comes to you by DM. I didn't ask them again."
        ]
    );
    assert_eq!(slack.bot.count("kb_questions").await, 1);
    // One DM to each of the three mentors.
    let dms = slack
        .bot
        .count("outbox WHERE member_id IS NOT NULL AND body::text LIKE '%#1%SharePoint%'")
        .await;
    assert_eq!(dms, 3);
}
