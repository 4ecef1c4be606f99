//! `/kb` through the platforms' edges: signed Discord interactions and Slack slash commands.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

use super::discord_support::{DiscordBot, fixture};
use super::slack::{Slack, reply_text};

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
}
