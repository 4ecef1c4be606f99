//! Concerns through the platforms' edges. On Discord, `/concern report` opens a form whose
//! submit files an anonymous report: the handler not excluded gets a DM through Discord
//! REST, and no table row and no log line written for it names the reporter. On Slack, the
//! same through a view submission: an excluded handler never receives anything.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use sqlx::PgPool;

use cohortbot::domain::Role;

use super::discord_interactions::{DM_CHANNEL, MENTOR, dm_mocks, posted_to, spring_lead_mentor};
use super::discord_support::{BEA, DiscordBot};
use super::platform_approvals::{deliver_slack, slack_dms};
use super::platform_knowledge::modal_submit;
use super::slack::{SAM, Slack, fixture, json_str, reply_text};

/// A second Slack member.
const LEE: &str = "U0LEE0001";

/// Several lines of CJK, emoji, quotes, markdown and mentions, as a form sends them.
const WHAT: &str = "实验室的电源插座冒火花 🔌⚡\n\"Nobody\" reports it: **twice** this week, @everyone saw — <@&555>\n\n> please check";

/// Log lines, kept as the process writes them.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// Every log line from here on, at debug and above, as JSON with its spans' fields.
    fn install() -> Self {
        let captured = Captured::default();
        let writer = captured.clone();
        tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || writer.clone())
            .init();
        captured
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Every row of every table, as text.
async fn every_row(pool: &PgPool) -> BTreeSet<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut rows = BTreeSet::new();
    for table in tables {
        let texts: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT '{table}: ' || t::text FROM {table} t"
        )))
        .fetch_all(pool)
        .await
        .unwrap();
        rows.extend(texts);
    }
    rows
}

#[sqlx::test]
async fn an_anonymous_concern_leaves_no_member_id_in_any_table_or_log_line(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    dm_mocks(&d).await;
    // Mo (Discord) and Grace (the shell) handle concerns.
    d.bot
        .grant_role("discord", MENTOR, Role::ConcernHandler)
        .await;
    d.bot
        .grant_role("shell", "grace", Role::ConcernHandler)
        .await;
    // Bea has used the bot before: she is a member already.
    let hello = d.command(80, "concern", Some("list"), json!([]));
    assert_eq!(
        d.run(hello).await,
        "You have reported no concern under your name. Anonymous reports are not listed: nobody can tell they are yours. Read one with `/concern show <relay code>`."
    );
    let bea: uuid::Uuid = sqlx::query_scalar("SELECT id FROM members WHERE platform_user_id = $1")
        .bind(BEA)
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    let before = every_row(&d.bot.pool).await;
    let logs = Captured::install();

    let command = d.command(
        81,
        "concern",
        Some("report"),
        json!([
            { "name": "category", "type": 3, "value": "safety" },
            { "name": "mode", "type": 3, "value": "anonymous" },
        ]),
    );
    let (_, modal) = d.post_signed(&command, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    assert_eq!(modal["data"]["title"], "Report a concern");
    let inputs: Vec<(String, String, u64, bool, u64)> = modal["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let input = &row["components"][0];
            (
                input["custom_id"].as_str().unwrap().to_owned(),
                input["label"].as_str().unwrap().to_owned(),
                input["style"].as_u64().unwrap(),
                input["required"].as_bool().unwrap(),
                input["max_length"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        inputs,
        [
            (
                "text".to_owned(),
                "What happened?".to_owned(),
                2,
                true,
                4000
            ),
            (
                "exclude".to_owned(),
                "Who must not see it? (optional)".to_owned(),
                1,
                false,
                500
            ),
        ]
    );
    let custom_id = modal["data"]["custom_id"].as_str().unwrap().to_owned();
    // One character over Discord's own limit of 4,000, in CJK and emoji: refused, naming it.
    let long = "报🔌".repeat(2000) + "!";
    assert_eq!(
        d.run(modal_submit(82, &custom_id, &[("text", &long)]))
            .await,
        "`text` is 4001 characters long; the limit is 4000 (usage: `/concern report <category> <mode> <text…> [exclude:…]`)"
    );
    // Exactly 4,000 goes through, excluding Grace by her first name.
    let submit = modal_submit(
        83,
        &custom_id,
        &[
            (
                "text",
                &format!("{WHAT}\n{}", "报".repeat(4000 - WHAT.chars().count() - 1)),
            ),
            ("exclude", "grace"),
        ],
    );
    let reply = d.run(submit.clone()).await;
    let code = reply
        .split("Your relay code is `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .expect(&reply)
        .to_owned();
    assert_eq!(
        reply,
        format!(
            "🛡️ Reported anonymously as concern **\\#1**. It went to Mo, who can't tell who wrote it: nor can I.\nYour relay code is `{code}`. Keep it somewhere safe: it is the only way back to this report, and I can't show it again or send you answers. Read answers with `/concern show {code}` and write to the concerns team with `/concern reply {code}`."
        )
    );
    // Discord delivering the submit twice files one report, answered the same.
    assert_eq!(d.run(submit).await, reply);
    assert_eq!(d.bot.count("concerns").await, 1);
    d.dispatch().await;
    // Mo's DM, through Discord REST; Grace (excluded) gets nothing.
    let dms = posted_to(&d, DM_CHANNEL).await;
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert_eq!(
        dms[0]["content"],
        "🛡️ New concern **\\#1** (safety), reported anonymously. Read it with `/concern show 1`."
    );
    assert_eq!(
        dms[0]["allowed_mentions"],
        json!({ "parse": [], "users": [] })
    );
    let (outbox_to,): (Vec<String>,) = sqlx::query_as(
        "SELECT array_agg(m.display_name) FROM outbox o JOIN members m ON m.id = o.member_id
          WHERE o.body::text LIKE '%New concern%'",
    )
    .fetch_one(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(outbox_to, ["Mo"]);

    // Mo reads it through Discord: the text as written, pinging nobody.
    let show = DiscordBot::as_member(
        d.command(
            84,
            "concern",
            Some("show"),
            json!([{ "name": "concern", "type": 3, "value": "1" }]),
        ),
        MENTOR,
        "Mo",
    );
    let (_, shown) = d.post_signed(&show, 0).await;
    let content = shown["data"]["content"].as_str().unwrap();
    assert!(content.starts_with("🛡️ **\\#1** safety, opened Mon 15 Feb 2027\nReported anonymously.\n    实验室的电源插座冒火花 🔌⚡\n    \"Nobody\" reports it: \\*\\*twice\\*\\* this week, @\u{200b}everyone saw — \\<@\u{200b}&555>\n    \n    \\> please check"), "{content}");
    assert_eq!(
        shown["data"]["allowed_mentions"],
        json!({ "parse": [], "users": [] })
    );
    // Bea, holding the code, reads it as its reporter.
    let mine = d.command(
        85,
        "concern",
        Some("show"),
        json!([{ "name": "concern", "type": 3, "value": code }]),
    );
    assert!(
        d.run(mine)
            .await
            .starts_with("🛡️ Your concern **\\#1** safety")
    );

    // No row written since, and no log line, names Bea.
    let after = every_row(&d.bot.pool).await;
    let written: Vec<&String> = after.difference(&before).collect();
    assert!(
        written.iter().any(|row| row.starts_with("concerns: ")),
        "{written:?}"
    );
    let bea_id = bea.to_string();
    let naming: Vec<&&String> = written
        .iter()
        .filter(|row| row.contains(&bea_id) || row.contains(BEA) || row.contains("Bea"))
        .collect();
    assert!(naming.is_empty(), "rows naming the reporter: {naming:#?}");
    let lines = logs.text();
    assert!(lines.contains("command handled"), "{lines}");
    assert!(lines.contains("concern report"), "{lines}");
    for line in lines.lines() {
        assert!(
            !line.contains(&bea_id) && !line.contains(BEA) && !line.contains("Bea"),
            "a log line names the reporter: {line}"
        );
    }
}

#[sqlx::test]
async fn on_slack_an_excluded_handler_never_receives_and_the_reporter_hears_back_by_dm(
    pool: PgPool,
) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let bot = &slack.bot;
    slack.command("me", "t-first").await;
    slack
        .eventually("Sam's Slack profile", || async {
            slack.member_field(SAM, "display_name").await.as_deref() == Some("Sam C")
        })
        .await;
    // Lee (Slack) and Grace (the shell) handle concerns.
    bot.add_member("slack", LEE, "Lee Park").await;
    bot.grant_role("slack", LEE, Role::ConcernHandler).await;
    bot.grant_role("shell", "grace", Role::ConcernHandler).await;

    // The command with its category and mode opens the form.
    let opened = slack
        .command("concern report conduct identified", "t-concern")
        .await;
    assert_eq!(opened, Value::Null, "{opened}");
    let view = slack.sent("views.open").await.pop().unwrap()["view"].clone();
    assert_eq!(view["title"]["text"], "Report a concern");
    assert_eq!(
        view["blocks"][0]["text"]["text"],
        "A *conduct* concern, *identified*: the handlers will know it's you, and may say so to those they involve. It goes to the concern handlers, never to anyone you name below."
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
    submit["view"]["id"] = json!("V0CONCERN1");
    submit["view"]["state"]["values"] = json!({
        "text": { "text": { "type": "plain_text_input", "value": WHAT } },
        "exclude": { "exclude": { "type": "plain_text_input", "value": "lee park" } },
    });
    // Slack retrying the submission, and the retry arriving while the first runs: one report.
    let body = submit.to_string();
    let (first, second) = tokio::join!(slack.interact(&body), slack.interact(&body));
    let text_of = |answer: Option<Value>| {
        answer.unwrap()["view"]["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (first, second) = (text_of(first.1), text_of(second.1));
    assert_eq!(
        first,
        "🛡️ Reported as concern *#1* (identified: the handlers know it's you, and may say so to those they involve).\nIt went to Grace Lindqvist, and nobody else. You'll get their answers and the outcome by DM; read it all with `/cohort concern show 1` and write to them with `/cohort concern reply 1`."
    );
    assert!(
        second == first || second == "I already handled this request.",
        "{second}"
    );
    assert_eq!(bot.count("concerns").await, 1);
    let excluded: i64 = sqlx::query_scalar("SELECT count(*) FROM concern_exclusions")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(excluded, 1);

    // Grace hears of it in the shell; Lee, excluded, never does on Slack.
    let told = bot.deliver().await;
    assert_eq!(
        told.texts_to("@grace"),
        ["🛡️ New concern #1 (conduct), reported by Sam C. Read it with `/concern show 1`."]
    );
    deliver_slack(&slack).await;
    let opened_dms: Vec<Value> = slack.sent("conversations.open").await;
    assert!(
        opened_dms.iter().all(|open| open["users"] != LEE),
        "{opened_dms:?}"
    );
    // Lee cannot read it either, on Slack.
    let lee_show = slack.command_as(LEE, "concern show 1", "t-lee-show").await;
    assert_eq!(
        reply_text(&lee_show),
        "There's no concern #1 that you can see. See the ones you can with `/cohort concern list`."
    );

    // Grace answers in the shell; Sam has it by Slack DM, the broadcast escaped.
    let answered = bot
        .say(
            "grace",
            "/concern reply 1 Thanks Sam. <!channel> won't see this; we'll talk Monday.",
        )
        .await;
    assert_eq!(
        answered.reply(),
        "📨 Written on concern #1 as the concerns team:\n    Thanks Sam. <!channel> won't see this; we'll talk Monday.\nThe reporter has it by DM, from the concerns team."
    );
    assert_eq!(
        answered.dms(),
        [(
            "Sam C",
            "🛡️ The concerns team wrote on your concern #1:\n    Thanks Sam. <!channel> won't see this; we'll talk Monday.\nAnswer with `/concern reply 1`."
        )]
    );
    deliver_slack(&slack).await;
    let dms = slack_dms(&slack, "D0SAMDM01").await;
    let last = dms.last().unwrap();
    assert_eq!(
        last["text"],
        "🛡️ The concerns team wrote on your concern #1:\n    Thanks Sam. &lt;!channel&gt; won't see this; we'll talk Monday.\nAnswer with `/cohort concern reply 1`."
    );
    assert!(
        slack
            .sent("conversations.open")
            .await
            .iter()
            .all(|open| open["users"] != LEE)
    );
}
