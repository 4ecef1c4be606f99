//! Concerns' private spaces through the platforms' edges. On Discord, `/concern space`
//! opens a private thread (type 12, not invitable) in the program's channel for the
//! handlers the concern does not exclude, survives a 500 without a second thread or a
//! second opening message, and is archived when the concern closes (locked too when the
//! bot may). On Slack,
//! the same as a private channel: created, the handlers invited, archived on close. On
//! both, a handler named after the space opened is added when the role is granted, and one
//! whose role is revoked is taken out of the spaces the bot put them in.

use serde_json::{Value, json};
use sqlx::PgPool;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, ResponseTemplate};

use cohortbot::domain::Role;

use super::discord_interactions::{MENTOR, bea_is_steward, dm_mocks, spring_lead_mentor};
use super::discord_support::{BEA, DiscordBot, fixture};
use super::platform_approvals::{deliver_slack, slack_dms};
use super::slack::{SAM, Slack, TEAM, reply_text};

/// The channel the program names for concerns' threads, and the thread Discord makes.
const CONCERNS_CHANNEL: &str = "700000000000000009";
const THREAD: &str = "1500000000000000444";

/// What Sam reports: quotes, markdown, a role mention, on one shell line.
const WHAT: &str = "Bea's \"jokes\" about beginners in #help, **twice** this week <@&555>";

async fn thread_mocks(d: &DiscordBot) {
    Mock::given(method("POST"))
        .and(path(format!(
            "/api/v10/channels/{CONCERNS_CHANNEL}/threads"
        )))
        .respond_with(ResponseTemplate::new(201).set_body_json(fixture("private_thread")))
        .mount(&d.server)
        .await;
    // Adding Mo fails once with a 500, as Discord sometimes does, then works.
    thread_member_mock(d, "PUT", MENTOR).await;
    Mock::given(method("POST"))
        .and(path(format!("/api/v10/channels/{THREAD}/messages")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({ "id": "1500000000000000445", "channel_id": THREAD, "type": 0 }),
            ),
        )
        .mount(&d.server)
        .await;
    // The bot has no Manage Threads, so Discord refuses to lock the thread.
    Mock::given(method("PATCH"))
        .and(path(format!("/api/v10/channels/{THREAD}")))
        .and(body_partial_json(json!({ "locked": true })))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({ "message": "Missing Permissions", "code": 50013 })),
        )
        .with_priority(1)
        .mount(&d.server)
        .await;
    let mut archived = fixture("private_thread");
    archived["thread_metadata"]["archived"] = json!(true);
    Mock::given(method("PATCH"))
        .and(path(format!("/api/v10/channels/{THREAD}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(archived))
        .mount(&d.server)
        .await;
}

/// Discord's answers to adding (`PUT`) or removing (`DELETE`) `user` in the thread: one
/// 500, as Discord sometimes answers, then a 204.
async fn thread_member_mock(d: &DiscordBot, verb: &str, user: &str) {
    let member = || {
        Mock::given(method(verb)).and(path(format!(
            "/api/v10/channels/{THREAD}/thread-members/{user}"
        )))
    };
    member()
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({ "message": "500: Internal Server Error", "code": 0 })),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&d.server)
        .await;
    member()
        .respond_with(ResponseTemplate::new(204))
        .mount(&d.server)
        .await;
}

/// Every request about threads, in order: method, path, body.
async fn thread_requests(d: &DiscordBot) -> Vec<(String, String, Value)> {
    d.server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().contains(THREAD) || r.url.path().ends_with("/threads"))
        .map(|r| {
            (
                r.method.to_string(),
                r.url.path().to_owned(),
                serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            )
        })
        .collect()
}

/// Sam reports [`WHAT`] in confidence in the shell, with `exclusion` appended: whom it
/// told.
async fn sam_reports(d: &DiscordBot, exclusion: &str) -> Vec<String> {
    let reported = d
        .bot
        .say(
            "sam",
            &format!("/concern report conduct confidential {WHAT}{exclusion}"),
        )
        .await;
    assert!(
        reported
            .reply()
            .starts_with("🛡️ Reported as concern #1 (confidential"),
        "{}",
        reported.reply()
    );
    reported
        .dms()
        .iter()
        .map(|(to, _)| (*to).to_owned())
        .collect()
}

/// Mo is made the one concern handler, Sam reports to him, and Mo asks for the concern's
/// space on Discord: Mo's reply.
async fn mo_handles_sams_report_and_asks_for_a_space(d: &DiscordBot) -> String {
    d.bot
        .grant_role("discord", MENTOR, Role::ConcernHandler)
        .await;
    assert_eq!(sam_reports(d, "").await, ["Mo"]);
    let space = concern_command(
        d,
        92,
        "space",
        json!([{ "name": "concern", "type": 4, "value": 1 }]),
    );
    d.run(space).await
}

fn concern_command(d: &DiscordBot, id: u64, sub: &str, options: Value) -> Value {
    DiscordBot::as_member(d.command(id, "concern", Some(sub), options), MENTOR, "Mo")
}

#[sqlx::test]
async fn on_discord_a_concern_gets_a_private_thread_for_its_handlers_archived_when_it_closes(
    pool: PgPool,
) {
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    dm_mocks(&d).await;
    thread_mocks(&d).await;
    sqlx::query("UPDATE communities SET concern_space_channel = $1")
        .bind(CONCERNS_CHANNEL)
        .execute(&d.bot.pool)
        .await
        .unwrap();
    // Bea has used the bot; she, Mo (Discord) and Grace (the shell) handle concerns.
    let hello = d.command(90, "concern", Some("list"), json!([]));
    assert_eq!(
        d.run(hello).await,
        "You have reported no concern under your name. Anonymous reports are not listed: nobody can tell they are yours. Read one with `/concern show <relay code>`."
    );
    for (platform, who) in [("discord", MENTOR), ("discord", BEA), ("shell", "grace")] {
        d.bot.grant_role(platform, who, Role::ConcernHandler).await;
    }
    // Sam reports Bea, in confidence, excluding her.
    assert_eq!(
        sam_reports(&d, " exclude:Bea").await,
        ["Grace Lindqvist", "Mo"]
    );

    // Bea, excluded, cannot open a space on it: for her it does not exist.
    let bea = d.command(
        91,
        "concern",
        Some("space"),
        json!([{ "name": "concern", "type": 4, "value": 1 }]),
    );
    assert_eq!(
        d.run(bea).await,
        "There's no concern #1 that you can see. See the ones you can with `/concern list`."
    );

    // Mo opens it; Discord delivering the command twice opens one.
    let space = concern_command(
        &d,
        92,
        "space",
        json!([{ "name": "concern", "type": 4, "value": 1 }]),
    );
    let reply = d.run(space.clone()).await;
    assert_eq!(
        reply,
        "🔒 Opening a private thread on Discord for concern #1: `concern-1`, with you and the other handlers it doesn't exclude (never the reporter). Look for it among your threads in a moment. The report's text isn't posted there, and the space is archived when the concern closes. The reporter is still answered with `/concern reply 1`: nothing written in the space reaches them."
    );
    assert_eq!(d.run(space).await, reply);

    // The first pass makes the thread and meets the 500; the retry adds Mo and announces.
    d.dispatch().await;
    d.bot.clock.advance(chrono::Duration::minutes(5));
    d.dispatch().await;
    let requests = thread_requests(&d).await;
    let add_mo = (
        "PUT".to_owned(),
        format!("/api/v10/channels/{THREAD}/thread-members/{MENTOR}"),
        Value::Null,
    );
    let opening = "🔒 A private space for concern #1 (conduct), for the handlers it doesn't exclude: <@222000000000000002>.\nThe report stays out of it: read it with `/concern show 1`. Nothing written here reaches the reporter; answer them with `/concern reply 1`.\nGrace Lindqvist handles it too, but not on this platform, so can't be added.\nThis space is archived when the concern closes.";
    // One thread, Mo added (Bea, excluded, never), one opening that pings Mo alone.
    assert_eq!(
        requests,
        [
            (
                "POST".to_owned(),
                format!("/api/v10/channels/{CONCERNS_CHANNEL}/threads"),
                json!({ "name": "concern-1", "type": 12, "invitable": false,
                        "auto_archive_duration": 10080 }),
            ),
            add_mo.clone(),
            add_mo.clone(),
            (
                "POST".to_owned(),
                format!("/api/v10/channels/{THREAD}/messages"),
                json!({ "content": opening,
                        "allowed_mentions": { "parse": [], "users": [MENTOR] },
                        "nonce": requests[3].2["nonce"], "enforce_nonce": true }),
            ),
        ]
    );
    for words in ["jokes", "beginners", "twice", "Sam"] {
        assert!(!opening.contains(words), "{words}");
    }

    // Asked again, Mo is added again (a no-op for Discord) and nothing is said.
    let again = concern_command(
        &d,
        93,
        "space",
        json!([{ "name": "concern", "type": 4, "value": 1 }]),
    );
    assert_eq!(
        d.run(again).await,
        "🔒 Concern #1 has its private space already, `concern-1`. Any handler it doesn't exclude who isn't in it yet is added now; nothing is posted there."
    );
    d.dispatch().await;
    let more = thread_requests(&d).await;
    assert_eq!(more[requests.len()..], [add_mo]);

    // Closing it says so in the thread, then archives it (and would lock it, were the bot
    // allowed to).
    let close = concern_command(
        &d,
        94,
        "close",
        json!([
            { "name": "concern", "type": 4, "value": 1 },
            { "name": "reason", "type": 3, "value": "Spoke with Bea;\nit stopped." },
        ]),
    );
    assert_eq!(
        d.run(close).await,
        "✅ Closed concern #1. The reporter has the reason by DM. Its private space, `concern-1`, is archived: still there to read, closed to new messages."
    );
    d.dispatch().await;
    let last = thread_requests(&d).await;
    assert_eq!(
        last[more.len()..],
        [
            (
                "POST".to_owned(),
                format!("/api/v10/channels/{THREAD}/messages"),
                json!({ "content": "✅ Concern #1 is closed, so this space is archived. The reason is in `/concern show 1`.",
                        "allowed_mentions": { "parse": [], "users": [] },
                        "nonce": last[more.len()].2["nonce"], "enforce_nonce": true }),
            ),
            (
                "PATCH".to_owned(),
                format!("/api/v10/channels/{THREAD}"),
                json!({ "archived": true, "locked": true }),
            ),
            (
                "PATCH".to_owned(),
                format!("/api/v10/channels/{THREAD}"),
                json!({ "archived": true }),
            ),
        ]
    );
    let recorded: Option<String> = sqlx::query_scalar("SELECT space_ref FROM concerns")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(recorded.as_deref(), Some(THREAD));
    // Sam has the reason in the shell, lines kept; Grace heard of the report there.
    let delivered = d.bot.deliver().await;
    assert_eq!(
        delivered.texts_to("@sam"),
        [
            "🛡️ The concerns team closed your concern #1:\n    Spoke with Bea;\n    it stopped.\nThank you for raising it. Anything new, report it with `/concern report`."
        ]
    );
    assert_eq!(
        delivered.texts_to("@grace"),
        [
            "🛡️ New concern #1 (conduct), reported in confidence by Sam Carter (keep their name among the handlers). Read it with `/concern show 1`."
        ]
    );
}

/// Two Slack members who handle concerns.
const LEE: &str = "U0LEE0001";
const KIM: &str = "U0KIM0001";
const PRIVATE_CHANNEL: &str = "C0CONCERN1";

/// A community on both platforms keeps its channel rows on its home platform, Discord:
/// Slack's dispatcher, run first, claims neither the space's action nor the cohort
/// channel's welcome, and the thread still opens on Discord. (Before, Slack's sender could
/// claim the action, find the space was not its platform's, and mark it done.)
#[sqlx::test]
async fn on_both_platforms_channel_rows_go_to_discord_whichever_dispatcher_runs_first(
    pool: PgPool,
) {
    let d = DiscordBot::new(pool).await;
    // The same community on Slack too (the Slack harness imports the program again, which
    // has no guild id: it is put back).
    let guild: String = sqlx::query_scalar("SELECT discord_guild_id FROM communities")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    let slack = Slack::new(d.bot.pool.clone()).await;
    slack.mount_defaults("Europe/Berlin").await;
    sqlx::query("UPDATE communities SET discord_guild_id = $1, concern_space_channel = $2")
        .bind(&guild)
        .bind(CONCERNS_CHANNEL)
        .execute(&d.bot.pool)
        .await
        .unwrap();
    spring_lead_mentor(&d).await;
    dm_mocks(&d).await;
    thread_mocks(&d).await;
    let opened = mo_handles_sams_report_and_asks_for_a_space(&d).await;
    assert!(
        opened.starts_with("🔒 Opening a private thread on Discord for concern #1"),
        "{opened}"
    );
    let channel_rows = pending_channel_rows(&d.bot.pool).await;
    assert!(channel_rows >= 1);

    deliver_slack(&slack).await;
    assert!(slack.sent("conversations.create").await.is_empty());
    assert!(slack.sent("chat.postMessage").await.is_empty());
    assert_eq!(
        pending_channel_rows(&d.bot.pool).await,
        channel_rows,
        "Slack claimed none of them"
    );

    d.dispatch().await;
    d.bot.clock.advance(chrono::Duration::minutes(5));
    d.dispatch().await;
    let requests = thread_requests(&d).await;
    assert_eq!(
        requests[0].1,
        format!("/api/v10/channels/{CONCERNS_CHANNEL}/threads"),
        "{requests:?}"
    );
    assert_eq!(space_members(&d.bot.pool).await, 1);
}

/// Outbox rows for no member (channel posts, and actions queued by channel) not sent yet.
async fn pending_channel_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE member_id IS NULL AND status = 'pending'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Slack's answers to making, filling and archiving a private channel; `concern-1` is
/// taken already (a channel someone made by hand).
async fn channel_mocks(slack: &Slack) {
    let ok = |body: Value| ResponseTemplate::new(200).set_body_json(body);
    Mock::given(method("POST"))
        .and(path("/conversations.create"))
        .and(body_partial_json(json!({ "name": "concern-1" })))
        .respond_with(ok(json!({ "ok": false, "error": "name_taken" })))
        .mount(&slack.mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/conversations.create"))
        .and(body_partial_json(json!({ "name": "concern-1-2" })))
        .respond_with(ok(json!({ "ok": true, "channel": {
            "id": PRIVATE_CHANNEL, "name": "concern-1-2", "is_channel": true, "is_group": false,
            "is_im": false, "is_mpim": false, "is_private": true, "created": 1_771_146_000,
            "is_archived": false, "is_general": false, "unlinked": 0,
            "name_normalized": "concern-1-2", "is_shared": false, "is_org_shared": false,
            "is_pending_ext_shared": false, "pending_shared": [], "context_team_id": TEAM,
            "creator": "U0BOT0001", "is_ext_shared": false, "shared_team_ids": [TEAM],
            "is_member": true, "last_read": "0000000000.000000",
            "topic": { "value": "", "creator": "", "last_set": 0 },
            "purpose": { "value": "", "creator": "", "last_set": 0 },
            "previous_names": [], "priority": 0 } })))
        .mount(&slack.mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/conversations.invite"))
        .respond_with(ok(
            json!({ "ok": true, "channel": { "id": PRIVATE_CHANNEL } }),
        ))
        .mount(&slack.mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/conversations.archive"))
        .respond_with(ok(json!({ "ok": true })))
        .mount(&slack.mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/conversations.kick"))
        .respond_with(ok(json!({ "ok": true })))
        .mount(&slack.mock)
        .await;
}

/// Slack's channel answers mounted; Lee and Kim handle concerns, and Maria reports
/// anonymously in the shell, excluding Kim: Lee alone is told.
async fn lee_and_kim_handle_marias_report(slack: &Slack) {
    slack.mount_defaults("Europe/Berlin").await;
    channel_mocks(slack).await;
    let bot = &slack.bot;
    for (id, name) in [(LEE, "Lee Park"), (KIM, "Kim Ito")] {
        bot.add_member("slack", id, name).await;
        bot.grant_role("slack", id, Role::ConcernHandler).await;
    }
    let reported = bot
        .say(
            "maria",
            "/concern report safety anonymous The lab's power strip sparks. exclude:Kim",
        )
        .await;
    assert!(
        reported
            .reply()
            .starts_with("🛡️ Reported anonymously as concern #1. It went to Lee Park,"),
        "{}",
        reported.reply()
    );
    assert_eq!(reported.dms().len(), 1);
}

/// Maria's report (Lee and Kim handle it, Kim excluded), Sam a steward, and Lee's private
/// channel for it opened and delivered.
async fn lee_opens_marias_space_with_sam_as_steward(slack: &Slack) {
    lee_and_kim_handle_marias_report(slack).await;
    slack.bot.add_member("slack", SAM, "Sam Carter").await;
    slack.bot.grant_role("slack", SAM, Role::Steward).await;
    let opened = slack.command_as(LEE, "concern space 1", "t-space").await;
    assert!(
        reply_text(&opened).starts_with("🔒 Opening a private channel on Slack for concern #1"),
        "{opened}"
    );
    deliver_slack(slack).await;
}

#[sqlx::test]
async fn on_slack_a_concern_gets_a_private_channel_for_its_handlers_archived_when_it_closes(
    pool: PgPool,
) {
    let slack = Slack::new(pool).await;
    lee_and_kim_handle_marias_report(&slack).await;
    let bot = &slack.bot;

    // Kim cannot ask for a space; Lee asks twice at once: one opens it, one brings it up
    // to date.
    let kim = slack.command_as(KIM, "concern space 1", "t-kim").await;
    assert_eq!(
        reply_text(&kim),
        "There's no concern #1 that you can see. See the ones you can with `/cohort concern list`."
    );
    let (first, second) = tokio::join!(
        slack.command_as(LEE, "concern space 1", "t-space-1"),
        slack.command_as(LEE, "concern space 1", "t-space-2"),
    );
    let mut replies = [reply_text(&first), reply_text(&second)];
    replies.sort();
    assert_eq!(
        replies,
        [
            "🔒 Concern #1 has its private space already, `concern-1`. Any handler it doesn't exclude who isn't in it yet is added now; nothing is posted there.".to_owned(),
            "🔒 Opening a private channel on Slack for concern #1: `concern-1`, with you and the other handlers it doesn't exclude (never the reporter). Look for it among your channels in a moment. The report's text isn't posted there, and the space is archived when the concern closes. The reporter is still answered with `/cohort concern reply 1`: nothing written in the space reaches them.".to_owned(),
        ]
    );
    deliver_slack(&slack).await;
    deliver_slack(&slack).await;
    let created = slack.sent("conversations.create").await;
    assert_eq!(
        created,
        [
            json!({ "name": "concern-1", "is_private": true }),
            json!({ "name": "concern-1-2", "is_private": true }),
        ]
    );
    // Lee alone is invited (Kim is excluded), by the first request and again by the second.
    let invited = slack.sent("conversations.invite").await;
    assert_eq!(
        invited,
        [
            json!({ "channel": PRIVATE_CHANNEL, "users": LEE }),
            json!({ "channel": PRIVATE_CHANNEL, "users": LEE }),
        ]
    );
    let said: Vec<String> = slack_dms(&slack, PRIVATE_CHANNEL)
        .await
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        said,
        [
            "🔒 A private space for concern #1 (safety), for the handlers it doesn't exclude: <@U0LEE0001>.\nThe report stays out of it: read it with `/cohort concern show 1`. Nothing written here reaches the reporter; answer them with `/cohort concern reply 1`.\nThis space is archived when the concern closes."
        ]
    );

    // Lee closes it: the channel is told, then archived.
    let closed = slack
        .command_as(LEE, "concern close 1 The strip was replaced.", "t-close")
        .await;
    assert_eq!(
        reply_text(&closed),
        "✅ Closed concern #1. The reporter sees the reason when they look with their relay code. Its private space, `concern-1`, is archived: still there to read, closed to new messages."
    );
    let after = slack.command_as(LEE, "concern space 1", "t-after").await;
    assert_eq!(
        reply_text(&after),
        "Concern #1 is closed, so it gets no private space now. Its space, `concern-1`, is archived: still there to read."
    );
    deliver_slack(&slack).await;
    let said = slack_dms(&slack, PRIVATE_CHANNEL).await;
    assert_eq!(
        said.last().unwrap()["text"],
        "✅ Concern #1 is closed, so this space is archived. The reason is in `/cohort concern show 1`."
    );
    assert_eq!(
        slack.sent("conversations.archive").await,
        [json!({ "channel": PRIVATE_CHANNEL })]
    );
    let told = bot.deliver().await;
    assert!(told.texts_to("@maria").is_empty());
}

/// A handler named after a concern's space opened is invited to it as soon as a steward
/// grants the role on Slack; the handler the concern excludes is still left out.
#[sqlx::test]
async fn on_slack_a_handler_named_later_is_invited_to_the_open_spaces(pool: PgPool) {
    let slack = Slack::new(pool).await;
    lee_opens_marias_space_with_sam_as_steward(&slack).await;
    slack.bot.add_member("slack", "U0ANN0001", "Ann Lee").await;
    assert_eq!(
        slack.sent("conversations.invite").await,
        [json!({ "channel": PRIVATE_CHANNEL, "users": LEE })]
    );

    // Sam, a steward, names Ann a handler: the open space gets her, with Lee again (a
    // no-op on Slack); Kim stays out.
    let granted = slack
        .command("role grant <@U0ANN0001|ann> concern_handler", "t-grant")
        .await;
    assert_eq!(
        reply_text(&granted),
        "Ann Lee is now a *concern handler*.\nThe bot is adding Ann Lee to the private space \
         of concern #1."
    );
    deliver_slack(&slack).await;
    assert_eq!(
        slack.sent("conversations.invite").await,
        [
            json!({ "channel": PRIVATE_CHANNEL, "users": LEE }),
            json!({ "channel": PRIVATE_CHANNEL, "users": "U0LEE0001,U0ANN0001" }),
        ]
    );
    // Nothing is posted in the space about it: its one message is still the opening.
    assert_eq!(slack_dms(&slack, PRIVATE_CHANNEL).await.len(), 1);
}

/// A steward who takes the role from a handler the bot put in an open concern's space is
/// told the bot is taking them out, and it does, once; a handler the concern excludes was
/// never in it, so nothing is said or done of them. Someone out of the channel already
/// (left by hand) is done with, not retried; a space the bot has no record of putting
/// them in (made before it kept one) is named for the steward to check by hand.
#[sqlx::test]
async fn on_slack_revoking_a_handler_takes_them_out_of_the_open_spaces(pool: PgPool) {
    let slack = Slack::new(pool).await;
    lee_opens_marias_space_with_sam_as_steward(&slack).await;

    // Concerns are handled community-wide: a cohort's grant of the role is refused, and
    // nothing was queued for the space.
    let refused = slack
        .command(
            "role grant <@U0LEE0001|lee> concern_handler cohort:spring-makers-2027",
            "t-cohort-grant",
        )
        .await;
    assert_eq!(
        reply_text(&refused),
        "The *concern handler* role is community-wide: concerns can come from anyone, in any \
         cohort. Grant it again without the `cohort` option."
    );
    deliver_slack(&slack).await;
    assert_eq!(
        slack.sent("conversations.invite").await,
        [json!({ "channel": PRIVATE_CHANNEL, "users": LEE })]
    );
    let revoked = slack
        .command(
            "role revoke <@U0LEE0001|lee> concern_handler cohort:spring-makers-2027",
            "t-cohort-revoke",
        )
        .await;
    assert_eq!(
        reply_text(&revoked),
        "Lee Park is not a *concern handler* in *Spring Makers 2027*, so there is nothing to revoke."
    );
    let revoked = slack
        .command("role revoke <@U0LEE0001|lee> concern_handler", "t-revoke")
        .await;
    assert_eq!(
        reply_text(&revoked),
        "Lee Park is no longer a *concern handler*.\nThe bot is taking Lee Park out of the \
         private space of concern #1."
    );
    let revoked = slack
        .command("role revoke <@U0KIM0001|kim> concern_handler", "t-revoke-2")
        .await;
    assert_eq!(
        reply_text(&revoked),
        "Kim Ito is no longer a *concern handler*."
    );
    // Lee's revoke queued a re-sync, which takes him out; Kim was in no space, so hers
    // queued none.
    deliver_slack(&slack).await;
    assert_eq!(
        slack.sent("conversations.kick").await,
        [json!({ "channel": PRIVATE_CHANNEL, "user": LEE })]
    );
    assert_eq!(space_members(&slack.bot.pool).await, 0);
    // Nothing is posted in the space about it, and no one else is invited.
    assert_eq!(slack_dms(&slack, PRIVATE_CHANNEL).await.len(), 1);
    assert_eq!(slack.sent("conversations.invite").await.len(), 1);

    // Lee is named again and invited; he leaves the channel by hand, then loses the role:
    // Slack answers `not_in_channel`, and the bot is done with him.
    let granted = slack
        .command("role grant <@U0LEE0001|lee> concern_handler", "t-regrant")
        .await;
    assert_eq!(
        reply_text(&granted),
        "Lee Park is now a *concern handler*.\nThe bot is adding Lee Park to the private space \
         of concern #1."
    );
    deliver_slack(&slack).await;
    assert_eq!(
        slack.sent("conversations.invite").await[1],
        json!({ "channel": PRIVATE_CHANNEL, "users": LEE })
    );
    assert_eq!(space_members(&slack.bot.pool).await, 1);
    Mock::given(method("POST"))
        .and(path("/conversations.kick"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": false, "error": "not_in_channel" })),
        )
        .with_priority(1)
        .mount(&slack.mock)
        .await;
    let revoked = slack
        .command("role revoke <@U0LEE0001|lee> concern_handler", "t-revoke-3")
        .await;
    assert_eq!(
        reply_text(&revoked),
        "Lee Park is no longer a *concern handler*.\nThe bot is taking Lee Park out of the \
         private space of concern #1."
    );
    deliver_slack(&slack).await;
    deliver_slack(&slack).await;
    assert_eq!(slack.sent("conversations.kick").await.len(), 2);
    assert_eq!(space_members(&slack.bot.pool).await, 0);

    // A space the bot kept no record for: it takes no one out, and the steward is told
    // where to look.
    slack
        .command("role grant <@U0LEE0001|lee> concern_handler", "t-regrant-2")
        .await;
    deliver_slack(&slack).await;
    sqlx::query("DELETE FROM concern_space_members")
        .execute(&slack.bot.pool)
        .await
        .unwrap();
    let revoked = slack
        .command("role revoke <@U0LEE0001|lee> concern_handler", "t-revoke-4")
        .await;
    assert_eq!(
        reply_text(&revoked),
        "Lee Park is no longer a *concern handler*.\nLee Park may be in the private space of \
         concern #1 without the bot having added them: if so, remove them there."
    );
    deliver_slack(&slack).await;
    assert_eq!(slack.sent("conversations.kick").await.len(), 2);
}

/// A handler who has their data erased is taken out of the open spaces the bot put them
/// in, under the Slack id they were put in with (their member row is anonymised by then);
/// after that no table holds that id. A closed concern's space forgets whom it held.
#[sqlx::test]
async fn on_slack_an_erased_handler_is_taken_out_of_the_open_spaces(pool: PgPool) {
    let slack = Slack::new(pool).await;
    lee_opens_marias_space_with_sam_as_steward(&slack).await;
    let bot = &slack.bot;
    assert_eq!(space_members(&bot.pool).await, 1);

    let asked = slack
        .command_as(LEE, "me data delete confirm:acme-makers", "t-erase")
        .await;
    assert!(
        reply_text(&asked).starts_with("🗑️ Your data in acme-makers will be erased at "),
        "{asked}"
    );
    deliver_slack(&slack).await;
    bot.clock.advance(chrono::Duration::days(7));
    bot.tick().await;
    let name: String =
        sqlx::query_scalar("SELECT display_name FROM members WHERE platform_user_id = $1")
            .bind(LEE)
            .fetch_optional(&bot.pool)
            .await
            .unwrap()
            .unwrap_or_else(|| "anonymised".to_owned());
    assert_eq!(name, "anonymised", "the erasure ran");
    assert_eq!(space_members(&bot.pool).await, 1, "kept until he is out");

    deliver_slack(&slack).await;
    assert_eq!(
        slack.sent("conversations.kick").await,
        [json!({ "channel": PRIVATE_CHANNEL, "user": LEE })]
    );
    assert_eq!(space_members(&bot.pool).await, 0);
    let holding: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM concern_space_members t WHERE strpos(t::text, $1) > 0",
    )
    .bind(LEE)
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(holding, 0);
    // Nothing is posted in the space about it.
    assert_eq!(slack_dms(&slack, PRIVATE_CHANNEL).await.len(), 1);
}

/// Closing a concern forgets whom the bot put in its space, once it archives it.
#[sqlx::test]
async fn on_slack_an_archived_space_forgets_whom_it_held(pool: PgPool) {
    let slack = Slack::new(pool).await;
    lee_opens_marias_space_with_sam_as_steward(&slack).await;
    assert_eq!(space_members(&slack.bot.pool).await, 1);
    let closed = slack
        .command_as(LEE, "concern close 1 Fixed.", "t-close")
        .await;
    assert!(
        reply_text(&closed).starts_with("✅ Closed concern #1."),
        "{closed}"
    );
    deliver_slack(&slack).await;
    assert_eq!(
        slack.sent("conversations.archive").await,
        [json!({ "channel": PRIVATE_CHANNEL })]
    );
    assert_eq!(space_members(&slack.bot.pool).await, 0);
    // Revoking the role now takes him out of nothing.
    let revoked = slack
        .command("role revoke <@U0LEE0001|lee> concern_handler", "t-revoke")
        .await;
    assert_eq!(
        reply_text(&revoked),
        "Lee Park is no longer a *concern handler*."
    );
    deliver_slack(&slack).await;
    assert!(slack.sent("conversations.kick").await.is_empty());
}

/// How many people the bot has on record as put in concerns' spaces.
async fn space_members(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM concern_space_members")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A handler named after a concern's thread opened is added to it as soon as a steward
/// grants the role on Discord, with nothing posted in the thread; revoking the role takes
/// them out of it again, through a 500, and leaves the other handler in.
#[sqlx::test]
async fn on_discord_a_handler_named_later_is_added_to_the_open_threads(pool: PgPool) {
    const RAY: &str = "222000000000000077";
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    dm_mocks(&d).await;
    thread_mocks(&d).await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "/api/v10/channels/{THREAD}/thread-members/{RAY}"
        )))
        .respond_with(ResponseTemplate::new(204))
        .mount(&d.server)
        .await;
    sqlx::query("UPDATE communities SET concern_space_channel = $1")
        .bind(CONCERNS_CHANNEL)
        .execute(&d.bot.pool)
        .await
        .unwrap();
    bea_is_steward(&d).await;
    assert!(
        mo_handles_sams_report_and_asks_for_a_space(&d)
            .await
            .starts_with("🔒 Opening a private thread")
    );
    // Adding Mo meets one 500, then the retry adds him and announces.
    d.dispatch().await;
    d.bot.clock.advance(chrono::Duration::minutes(5));
    d.dispatch().await;
    let opened = thread_requests(&d).await;
    assert_eq!(opened.len(), 4, "{opened:?}");

    // Bea, a steward, grants or revokes Ray's role.
    let ray_as_handler = |id: u64, subcommand: &str| {
        DiscordBot::with_resolved_user(
            d.command(
                id,
                "role",
                Some(subcommand),
                json!([
                    { "name": "user", "type": 6, "value": RAY },
                    { "name": "role", "type": 3, "value": "concern_handler" }
                ]),
            ),
            RAY,
            "Ray",
        )
    };
    // She names Ray a handler: the thread gets him (and Mo again, a no-op).
    assert_eq!(
        d.run(ray_as_handler(93, "grant")).await,
        "Ray is now a **concern handler**.\nThe bot is adding Ray to the private space of \
         concern #1."
    );
    d.dispatch().await;
    let added = thread_requests(&d).await;
    let put = |who: &str| {
        (
            "PUT".to_owned(),
            format!("/api/v10/channels/{THREAD}/thread-members/{who}"),
            Value::Null,
        )
    };
    assert_eq!(added[opened.len()..], [put(MENTOR), put(RAY)]);

    // Bea takes the role back: the bot takes Ray out of the thread, and leaves Mo in. The
    // first DELETE meets a 500; the retry takes him out.
    thread_member_mock(&d, "DELETE", RAY).await;
    assert_eq!(
        d.run(ray_as_handler(94, "revoke")).await,
        "Ray is no longer a **concern handler**.\nThe bot is taking Ray out of the private \
         space of concern #1."
    );
    d.dispatch().await;
    d.bot.clock.advance(chrono::Duration::minutes(5));
    d.dispatch().await;
    let removed = thread_requests(&d).await;
    let delete = |who: &str| {
        (
            "DELETE".to_owned(),
            format!("/api/v10/channels/{THREAD}/thread-members/{who}"),
            Value::Null,
        )
    };
    // The 500 stops the re-sync before anyone is added; the retry takes Ray out, then
    // adds Mo again (a no-op on Discord).
    assert_eq!(
        removed[added.len()..],
        [delete(RAY), delete(RAY), put(MENTOR)]
    );
    let kept: Vec<String> = sqlx::query_scalar(
        "SELECT m.platform_user_id FROM concern_space_members s JOIN members m ON m.id = s.member_id",
    )
    .fetch_all(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(kept, [MENTOR]);
}
