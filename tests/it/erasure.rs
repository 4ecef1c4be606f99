//! Erasure: `/me data delete` confirmed by the community's name, 7 days to cancel, then
//! the data policy applied: the member's words gone from every table, a tombstone in
//! their place, their badges revoked (410 Gone), and the program's numbers unchanged.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use cohortbot::clock::Clock;
use serde_json::Value;
use sqlx::PgPool;

use super::milestones::{badged, complete, get, learner};
use super::support::{COMMUNITY, PUBLIC_URL, TestBot};

const SPRING: &str = "spring-makers-2027";

/// What a sponsor sees for Spring Makers at `now`: the whole dashboard page.
async fn dashboard(bot: &TestBot, now: DateTime<Utc>) -> String {
    let community: uuid::Uuid = sqlx::query_scalar("SELECT id FROM communities WHERE slug = $1")
        .bind(COMMUNITY)
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    let key = cohortbot::store::dashboard_keys::key(&bot.pool, community, "a-key", false, now)
        .await
        .unwrap();
    cohortbot::services::dashboard::page::render(&bot.pool, COMMUNITY, &key, Some(SPRING), now)
        .await
        .unwrap()
        .expect("the dashboard")
}

/// Every table whose rows, as text, contain `needle`, with how many.
async fn tables_holding(pool: &PgPool, needle: &str) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut found = Vec::new();
    for table in tables {
        let sql = format!("SELECT count(*) FROM \"{table}\" t WHERE strpos(t::text, $1) > 0");
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(needle)
            .fetch_one(pool)
            .await
            .unwrap();
        if n > 0 {
            found.push((table, n));
        }
    }
    found
}

#[sqlx::test]
async fn a_member_erases_their_data_after_a_week_and_the_numbers_stay(pool: PgPool) {
    let (bot, badge) = badged(pool).await;
    bot.ok("sam", "/me skills excel, SAM-SKILL").await;
    bot.ok(
        "sam",
        "/checkin 4 SAM-PROGRESS on the *expenses* flow 🙂 blockers:SAM-BLOCKER",
    )
    .await;
    bot.ok("grace", "/checkin reply @sam GRACE-REPLY-TO-SAM")
        .await;
    bot.ok("sam", "/kudos @grace SAM-KUDOS for the review")
        .await;
    bot.ok("grace", "/kudos @sam GRACE-KUDOS-ABOUT-SAM").await;
    // Everything so far went out: the mentor's and the channel's posts name Sam.
    let delivered = bot.deliver().await;
    assert!(
        delivered
            .iter()
            .any(|(to, text)| to == "@grace" && text.contains("Sam Carter"))
    );
    let sam: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM members WHERE display_name = 'Sam Carter'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    let asked_at = bot.clock.now();
    let numbers_before = dashboard(&bot, asked_at).await;
    let stats_before = bot
        .say("ada", &format!("/stats {SPRING}"))
        .await
        .reply()
        .to_owned();

    // Deleting needs the community's name typed: once without, once wrong.
    let said = bot.say("sam", "/me data delete").await;
    assert!(said.refused());
    assert_eq!(
        said.reply(),
        "Deleting your data cannot be undone once it runs. Your check-ins, notes, skills and other words are blanked or deleted, your name becomes \"Former member\", your badges are revoked, and you leave your cohorts. The program's numbers keep counting what you did, without you.\nTo go ahead, type `/me data delete confirm:acme-makers`. It runs after 7 days, and `/me data cancel` stops it until then."
    );
    let said = bot.say("sam", "/me data delete confirm:acme").await;
    assert!(said.refused());
    assert!(
        said.reply().starts_with(
            "That is not this community's handle, `acme-makers`: you typed acme. Deleting"
        ),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/me data delete confirm:acme-makers").await;
    assert!(!said.refused(), "{}", said.reply());
    assert_eq!(
        said.reply(),
        "🗑️ Your data in acme-makers will be erased at Wed 17 Mar 2027 09:00 UTC. Your check-ins, notes, skills and other words are blanked or deleted, your name becomes \"Former member\", your badges are revoked, and you leave your cohorts. The program's numbers keep counting what you did, without you.\nChanged your mind? `/me data cancel` stops it until then. Want a copy first? `/me data export`."
    );
    assert!(said.posts().is_empty());
    bot.refused(
        "sam",
        "/me data delete confirm:acme-makers",
        "Your data is already to be erased, at Wed 17 Mar 2027 09:00 UTC. Nothing more to do.",
    )
    .await;
    let said = bot.say("ada", "/privacy requests").await;
    assert_eq!(
        said.reply(),
        "Erasure requests\n#1 Sam Carter · ⏳ runs Wed 17 Mar 2027 09:00 UTC · deadline Sat 10 Apr 2027 · asked Wed 10 Mar 2027 by themself"
    );

    // Not before the week is over.
    bot.clock
        .set(asked_at + Duration::days(7) - Duration::minutes(1));
    bot.tick().await;
    let name: String = sqlx::query_scalar("SELECT display_name FROM members WHERE id = $1")
        .bind(sam)
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(name, "Sam Carter");

    bot.clock.set(asked_at + Duration::days(7));
    bot.tick().await;
    let (name, skills, erased): (String, Vec<String>, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT display_name, skills, erased_at FROM members WHERE id = $1")
            .bind(sam)
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(name, "Former member");
    assert!(skills.is_empty());
    assert_eq!(erased, Some(asked_at + Duration::days(7)));

    // Nothing they wrote, or anyone wrote about them, is left anywhere; nor their name.
    for needle in [
        "Sam Carter",
        "SAM-SKILL",
        "SAM-PROGRESS",
        "SAM-BLOCKER",
        "GRACE-REPLY-TO-SAM",
        "SAM-KUDOS",
        "GRACE-KUDOS-ABOUT-SAM",
        "https://example.org/flows-101",
    ] {
        assert_eq!(tables_holding(&bot.pool, needle).await, [], "{needle}");
    }
    let done: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'privacy.erased' AND detail = '{\"request\": 1}'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(done, 1);

    // The badge is gone for good, and its status list says why.
    let (status, _, body) = get(&bot, &format!("/badges/{badge}.json"), None).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(
        body,
        "This badge was revoked: its holder's data was erased at their request.\n"
    );
    let (status, _, _) = get(&bot, &format!("/badges/{badge}"), None).await;
    assert_eq!(status, StatusCode::GONE);
    let (_, _, list) = get(&bot, &format!("/badges/{badge}/status"), None).await;
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(
        list["revokedCredentials"],
        serde_json::json!([{
            "id": format!("{PUBLIC_URL}/badges/{badge}"),
            "revocationReason": "erased at the holder's request",
        }])
    );

    // The program's numbers for those weeks are what they were.
    // Only the "enrolled now" counts drop, since the member left their cohorts; every
    // count of what happened (check-ins, badges, mentor load) is what it was.
    let numbers_after = dashboard(&bot, asked_at).await;
    let before: Vec<&str> = numbers_before.split('<').collect();
    let after: Vec<&str> = numbers_after.split('<').collect();
    assert_eq!(before.len(), after.len());
    let changed: Vec<String> = (0..before.len())
        .filter(|i| before[*i] != after[*i])
        .map(|i| format!("{} -> {}", before[i - 3..=i].join("<"), after[i]))
        .collect();
    assert_eq!(
        changed,
        [
            "/h2><section class=\"tiles\" aria-label=\"Headline numbers\"><div class=\"tile\">Enrolled<b>1 -> b>0",
            // The cohorts table's Enrolled column.
            "/th><td>2027-W10</td><td>1 -> td>0",
        ],
        "the dashboard changed"
    );
    bot.clock.set(asked_at);
    let stats_after = bot
        .say("ada", &format!("/stats {SPRING}"))
        .await
        .reply()
        .to_owned();
    assert!(
        stats_before.contains("\nEnrolled: 1 · active this week: 1\n"),
        "{stats_before}"
    );
    assert_eq!(
        stats_after,
        stats_before.replace("Enrolled: 1 ·", "Enrolled: 0 ·"),
        "only the enrolled-now count drops"
    );

    // The list says it is done, under the tombstone's name.
    bot.clock.set(asked_at + Duration::days(8));
    let said = bot.say("ada", "/privacy requests").await;
    assert_eq!(
        said.reply(),
        "Erasure requests\n#1 Former member · ✅ erased Wed 17 Mar 2027 · asked Wed 10 Mar 2027 by themself"
    );

    // Coming back, they are someone new: their export holds nothing of before.
    let said = bot.say("sam", "/me data export").await;
    let reply = said.reply().to_owned();
    let start = reply.find(PUBLIC_URL).unwrap() + PUBLIC_URL.len();
    let path = reply[start..].split_whitespace().next().unwrap().to_owned();
    let response = tower::ServiceExt::oneshot(
        cohortbot::web::my_data::routes(&bot.services),
        axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_ne!(doc["member"]["id"], Value::String(sam.to_string()));
    assert_eq!(doc["checkins"], serde_json::json!([]));
    assert_eq!(doc["badges"], serde_json::json!([]));
    assert_eq!(doc["enrollments"], serde_json::json!([]));
}

#[sqlx::test]
async fn a_steward_erases_on_a_members_behalf_and_either_can_cancel(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", SPRING, Some("projects")).await;
    bot.refused("grace", "/privacy erase @sam", "only stewards")
        .await;
    bot.refused("sam", "/privacy requests", "only stewards")
        .await;
    bot.refused(
        "sam",
        "/me data cancel",
        "You have no erasure waiting, so there is nothing to cancel. To ask for one: `/me data delete`.",
    )
    .await;

    let said = bot.say("ada", "/privacy erase @sam").await;
    assert_eq!(
        said.reply(),
        "🗑️ Erasure request #1 for Sam Carter: it runs at Mon 22 Feb 2027 09:00 UTC, and must be done by Mon 15 Mar 2027 (a month from today). They are told, and `/me data cancel` or `/privacy cancel` stops it until then."
    );
    assert_eq!(
        said.dms(),
        [(
            "Sam Carter",
            "Ada Okafor, a steward, asked to erase your data in acme-makers on your behalf. It runs at Mon 22 Feb 2027 09:00 UTC. Your check-ins, notes, skills and other words are blanked or deleted, your name becomes \"Former member\", your badges are revoked, and you leave your cohorts. The program's numbers keep counting what you did, without you.\nIf you did not ask for this, `/me data cancel` stops it. Want a copy first? `/me data export`."
        )]
    );
    bot.refused(
        "ada",
        "/privacy erase @sam",
        "Sam Carter's data is already to be erased (request #1), at Mon 22 Feb 2027 09:00 UTC.",
    )
    .await;
    let said = bot.say("sam", "/me data cancel").await;
    assert_eq!(said.reply(), "✅ Cancelled: your data stays as it is.");
    assert!(said.posts().is_empty());
    bot.refused(
        "ada",
        "/privacy cancel @sam",
        "Sam Carter has no erasure waiting, so there is nothing to cancel. `/privacy requests` lists them.",
    )
    .await;

    bot.ok("ada", "/privacy erase @sam").await;
    let said = bot.say("ada", "/privacy cancel @sam").await;
    assert_eq!(
        said.reply(),
        "✅ Erasure request #2 for Sam Carter is cancelled; they are told."
    );
    assert_eq!(
        said.dms(),
        [(
            "Sam Carter",
            "Ada Okafor, a steward, cancelled the erasure of your data: it stays as it is. To ask again: `/me data delete`."
        )]
    );

    // A week later nothing was erased, and the list shows both, cancelled.
    bot.clock.advance(Duration::days(8));
    bot.tick().await;
    let name: String =
        sqlx::query_scalar("SELECT display_name FROM members WHERE platform_user_id = 'sam'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(name, "Sam Carter");
    let said = bot.say("ada", "/privacy requests").await;
    assert_eq!(
        said.reply(),
        "Erasure requests\n#2 Sam Carter · ↩️ cancelled Mon 15 Feb 2027 · asked Mon 15 Feb 2027 by Ada Okafor\n#1 Sam Carter · ↩️ cancelled Mon 15 Feb 2027 · asked Mon 15 Feb 2027 by Ada Okafor"
    );

    // A steward's request runs like a member's; the steward hears it is done.
    bot.ok("ada", "/privacy erase @sam").await;
    bot.clock.advance(Duration::days(7));
    let report = bot.tick().await;
    assert!(report.posts >= 1);
    let delivered = bot.deliver().await;
    assert_eq!(
        delivered.texts_to("@ada"),
        [
            "🗑️ Erasure request #3 is done: the member is now \"Former member\", their words are gone, and their badges are revoked."
        ]
    );
}

#[sqlx::test]
async fn two_scheduler_passes_at_once_erase_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", SPRING, Some("projects")).await;
    bot.ok("sam", "/me data delete confirm:acme-makers").await;
    bot.clock.advance(Duration::days(7));
    let now = bot.clock.now();
    let (a, b) = tokio::join!(
        cohortbot::services::erasure::scheduled::run(&bot.pool, now),
        cohortbot::services::erasure::scheduled::run(&bot.pool, now),
    );
    a.unwrap();
    b.unwrap();
    let erased: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'privacy.erased'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(erased, 1);
    // No more posts are queued for the tombstone: the weekly prompt skips it.
    let member: uuid::Uuid = sqlx::query_scalar("SELECT member_id FROM erasure_requests")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    let queued = cohortbot::store::outbox::enqueue(
        &bot.pool,
        sqlx::query_scalar("SELECT community_id FROM members WHERE id = $1")
            .bind(member)
            .fetch_one(&bot.pool)
            .await
            .unwrap(),
        "a-post-to-nobody",
        None,
        Some(member),
        &cohortbot::render::Message::new().text("hello"),
        now,
        None,
    )
    .await
    .unwrap();
    assert!(!queued, "a post to an erased member is not queued");
}

#[sqlx::test]
async fn on_discord_and_slack_the_name_typed_confirms_and_a_repeat_files_one(pool: PgPool) {
    use super::discord_support::DiscordBot;
    use super::slack::{Slack, reply_text};
    use serde_json::json;

    let d = DiscordBot::new(pool).await;
    let delete = |id: u64, confirm: Option<&str>| {
        let mut options = vec![json!({ "name": "action", "type": 3, "value": "delete" })];
        if let Some(confirm) = confirm {
            options.push(json!({ "name": "confirm", "type": 3, "value": confirm }));
        }
        d.command(id, "me", Some("data"), Value::Array(options))
    };
    assert_eq!(
        d.run(delete(71, None)).await,
        "Deleting your data cannot be undone once it runs. Your check-ins, notes, skills and other words are blanked or deleted, your name becomes \"Former member\", your badges are revoked, and you leave your cohorts. The program's numbers keep counting what you did, without you.\nTo go ahead, type `/me data delete confirm:acme-makers`. It runs after 7 days, and `/me data cancel` stops it until then."
    );
    // A name with markdown and a mention is shown as typed, and pings nobody.
    assert_eq!(
        d.run(delete(72, Some("**acme** @everyone"))).await,
        "That is not this community's handle, `acme-makers`: you typed \\*\\*acme\\*\\* @\u{200B}everyone. Deleting your data cannot be undone once it runs. Your check-ins, notes, skills and other words are blanked or deleted, your name becomes \"Former member\", your badges are revoked, and you leave your cohorts. The program's numbers keep counting what you did, without you.\nTo go ahead, type `/me data delete confirm:acme-makers`. It runs after 7 days, and `/me data cancel` stops it until then."
    );
    let confirmed = delete(73, Some("Acme-Makers"));
    let (first, second) = tokio::join!(
        d.run(confirmed.clone()),
        d.run(delete(74, Some("acme-makers")))
    );
    let mut replies = [first, second];
    replies.sort();
    assert_eq!(
        replies,
        [
            "Your data is already to be erased, at Mon 22 Feb 2027 09:00 UTC. Nothing more to do.".to_owned(),
            "🗑️ Your data in acme-makers will be erased at Mon 22 Feb 2027 09:00 UTC. Your check-ins, notes, skills and other words are blanked or deleted, your name becomes \"Former member\", your badges are revoked, and you leave your cohorts. The program's numbers keep counting what you did, without you.\nChanged your mind? `/me data cancel` stops it until then. Want a copy first? `/me data export`.".to_owned(),
        ]
    );
    assert_eq!(d.bot.count("erasure_requests").await, 1);
    let cancel = d.command(
        75,
        "me",
        Some("data"),
        json!([{ "name": "action", "type": 3, "value": "cancel" }]),
    );
    assert_eq!(
        d.run(cancel).await,
        "✅ Cancelled: your data stays as it is."
    );

    // On Slack the same words, as a private reply; Slack's retry of one command files once.
    let slack = Slack::new(d.bot.pool.clone()).await;
    slack.mount_defaults("Europe/Berlin").await;
    let answer = slack
        .command("me data delete confirm:acme-makers", "t-erase")
        .await;
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    assert!(
        reply_text(&answer).starts_with(
            "🗑️ Your data in acme-makers will be erased at Mon 22 Feb 2027 09:00 UTC."
        ),
        "{answer}"
    );
    let again = slack
        .command("me data delete confirm:acme-makers", "t-erase")
        .await;
    assert_eq!(reply_text(&again), reply_text(&answer));
    let waiting: i64 =
        sqlx::query_scalar("SELECT count(*) FROM erasure_requests WHERE status = 'waiting'")
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    assert_eq!(waiting, 1);
}

#[sqlx::test]
async fn the_only_steward_cannot_be_erased_until_another_is_made(pool: PgPool) {
    use super::slack::{SAM, Slack, reply_text};
    use cohortbot::domain::Role;

    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    slack.command("me", "t-first").await;
    // Sam becomes the community's only steward.
    slack.bot.grant_role("slack", SAM, Role::Steward).await;
    sqlx::query(
        "DELETE FROM member_roles r USING members m
          WHERE m.id = r.member_id AND r.role = 'steward' AND m.platform <> 'slack'",
    )
    .execute(&slack.bot.pool)
    .await
    .unwrap();
    let refused = "You are the community's only steward, and erasing the data ends the role: nobody would be left to grant it again. First make someone else a steward with `/cohort role grant &lt;member&gt; steward`, then ask again.";
    let own = slack
        .command("me data delete confirm:acme-makers", "t-own")
        .await;
    assert_eq!(reply_text(&own), refused);
    assert_eq!(slack.bot.count("erasure_requests").await, 0);

    // Another steward, and it is filed.
    slack.bot.grant_role("shell", "ada", Role::Steward).await;
    let own = slack
        .command("me data delete confirm:acme-makers", "t-own-2")
        .await;
    assert!(
        reply_text(&own).starts_with("🗑️ Your data in acme-makers will be erased"),
        "{own}"
    );
    assert_eq!(slack.bot.count("erasure_requests").await, 1);
}

/// Everyone in the example program, each with a history in many tables (a mentor's
/// replies, a lead's group, approvals, a tool, kudos, a badge, a delegate), is erased
/// without an error: the policy's SQL fits every table it touches.
#[sqlx::test]
async fn everyone_in_a_busy_community_can_be_erased(pool: PgPool) {
    let bot = learner(pool).await;
    complete(&bot, "flows-101").await;
    bot.ok(
        "sam",
        "/checkin 3 stuck on the connector blockers:\"the API key\"",
    )
    .await;
    bot.ok("grace", "/checkin reply @sam try the vault").await;
    bot.ok("sam", "/kudos @grace for the review").await;
    bot.ok("ken", "/kudos @sam nice demo").await;
    bot.ok(
        "sam",
        "/approve request data_usage personal \"Expenses\" Reads names from HR.",
    )
    .await;
    bot.ok("grace", "/approve no 1 not with names").await;
    bot.ok(
        "grace",
        "/tool register \"Room finder\" app internal 5 Teams Finds rooms. backup:sam",
    )
    .await;
    bot.ok("grace", "/approve delegate @ken").await;
    bot.ok("maria", "/me skills power automate, sql").await;
    // Delivered a week before: posts still queued for others go out as written.
    bot.deliver().await.into_vec();
    // Another steward stays: the community's only one cannot be erased.
    bot.ok("zoe", "/me").await;
    bot.grant_role("shell", "zoe", cohortbot::domain::Role::Steward)
        .await;
    let people = ["sam", "grace", "ken", "maria", "priya", "ada"];
    for person in people {
        bot.ok("ada", &format!("/privacy erase @{person}")).await;
    }
    bot.clock.advance(Duration::days(7));
    let now = bot.clock.now();
    cohortbot::services::erasure::scheduled::run(&bot.pool, now)
        .await
        .unwrap();
    let erased: Vec<String> = sqlx::query_scalar(
        "SELECT m.display_name FROM erasure_requests r JOIN members m ON m.id = r.member_id
          WHERE r.status = 'done' AND m.erased_at IS NOT NULL",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(erased, vec!["Former member"; people.len()]);
    for needle in [
        "Sam Carter",
        "Grace Lindqvist",
        "try the vault",
        "Finds rooms",
        "not with names",
    ] {
        assert_eq!(tables_holding(&bot.pool, needle).await, [], "{needle}");
    }
    // Grace's vote stays, without her name or her note.
    let shown = bot.say("zoe", "/approve show 1").await;
    let mut lines: Vec<&str> = shown.reply().lines().collect();
    // Both approvers are now "Former member", so their order is the ids'.
    lines[3..].sort_unstable();
    assert_eq!(
        lines,
        [
            "🗳️ #1 (erased with its author's data) (data usage, personal data) from Former member, filed Wed 10 Mar 2027 09:00 UTC: rejected.",
            "Why: (erased with its author's data)",
            "It needs every approver to approve; one rejection rejects it.",
            "⏳ Former member",
            "❌ Former member",
        ]
    );
}
