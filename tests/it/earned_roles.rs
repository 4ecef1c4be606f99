//! Roles earned automatically, through the platforms' own payloads: a badge rule on
//! Discord (signed button presses and commands, asserting the role PUT and DELETE), the
//! weekly reconciliation against a role removed by hand, and a Slack user group kept by
//! read-modify-write.

use chrono::Duration;
use chrono_tz::Europe::Berlin;
use cohortbot::clock::Clock;
use cohortbot::program::{ProgramFile, import::import};
use cohortbot::store::roles;
use serde_json::{Value, json};
use sqlx::PgPool;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::discord_interactions::{
    DM_CHANNEL, MENTOR, dm_mocks, posted_to, role_requests, spring_channel_mock, spring_lead_mentor,
};
use crate::discord_support::{BEA, DiscordBot, GUILD, SPRING_CHANNEL};
use crate::mentor_roles::as_slack_user;
use crate::slack_loop::prepared;
use crate::support::EXAMPLE;

/// The Discord role and Slack user group of the test's extra rules.
const FLOW_ROLE: &str = "1200000000000000201";
const THANKED_GROUP: &str = "S0THANKED";

/// The example program with a rule on the first module's badge, and one on a kudos.
const RULES: &str = r#"
  [[community.earned_roles]]
  slug = "flow-starter"
  name = "Flow Starter"
  badge = "Flow Starter"
  discord_role = "1200000000000000201"
  remove_when_lost = true
  announce = true

  [[community.earned_roles]]
  slug = "thanked"
  name = "Thanked"
  kudos = 1
  slack_usergroup = "S0THANKED"
"#;

/// Imports the rules, keeping the platform ids the harness gave the community.
async fn with_rules(pool: &PgPool, now: chrono::DateTime<chrono::Utc>) {
    let ids: (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT discord_guild_id, slack_team_id FROM communities WHERE slug = 'acme-makers'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let program = ProgramFile::parse(&format!("{EXAMPLE}{RULES}"), "rules").unwrap();
    import(pool, &program, now).await.unwrap();
    sqlx::query(
        "UPDATE communities SET discord_guild_id = $1, slack_team_id = $2 WHERE slug = 'acme-makers'",
    )
    .bind(ids.0)
    .bind(ids.1)
    .execute(pool)
    .await
    .unwrap();
}

fn role_path() -> String {
    format!("/api/v10/guilds/{GUILD}/members/{BEA}/roles/{FLOW_ROLE}")
}

/// What Discord shows of Bea: her server roles.
async fn bea_holds(d: &DiscordBot, roles: &[&str]) {
    d.server.reset().await;
    discord_mocks(d).await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v10/guilds/{GUILD}/members/{BEA}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "user": { "id": BEA, "username": "bea" },
            "roles": roles,
            "joined_at": "2027-01-10T09:00:00.000000+00:00",
            "deaf": false, "mute": false, "flags": 0
        })))
        .mount(&d.server)
        .await;
}

async fn discord_mocks(d: &DiscordBot) {
    dm_mocks(d).await;
    spring_channel_mock(d).await;
    for verb in ["PUT", "DELETE"] {
        Mock::given(method(verb))
            .and(path(role_path()))
            .respond_with(ResponseTemplate::new(204))
            .mount(&d.server)
            .await;
    }
}

/// Mo is Spring's lead mentor and a steward: the one who hears about roles changed by hand.
async fn mo_is_steward(d: &DiscordBot) {
    spring_lead_mentor(d).await;
    let community_id = d.community_id().await;
    let now = d.bot.clock.now();
    let mo = d.bot.contact("discord", MENTOR, "Mo").await;
    let steward = cohortbot::domain::Role::Steward;
    roles::grant(&d.bot.pool, community_id, mo.id, steward, None, None, now)
        .await
        .unwrap();
}

/// Bea submits flows-101 and Mo presses Verify in his DM (interaction `id`); returns the
/// reply Mo reads.
async fn verify_flows(d: &DiscordBot, id: u64) -> String {
    use cohortbot::chat::discord::Target;
    use cohortbot::render::ActionKind;
    let verify = d.ids.encode(&Target::Button(ActionKind::VerifyMilestone {
        handle: BEA.into(),
        module: "flows-101".into(),
    }));
    let mut press = DiscordBot::in_dm("button_dm", MENTOR);
    press["id"] = json!(id.to_string());
    press["data"]["custom_id"] = json!(verify);
    let (_, reply) = d.post_signed(&press, 0).await;
    reply["data"]["content"]
        .as_str()
        .unwrap_or_else(|| panic!("{reply}"))
        .to_owned()
}

async fn earn_flow_starter(d: &DiscordBot) {
    with_rules(&d.bot.pool, d.bot.clock.now()).await;
    d.enroll(10, BEA, "Bea").await;
    mo_is_steward(d).await;
    discord_mocks(d).await;
    d.bot.set_local("2027-03-02 10:00", Berlin);
    d.submit_flows().await;
    let reply = verify_flows(d, 1_300_000_000_000_000_201).await;
    assert!(reply.contains("Verified"), "{reply}");
    d.dispatch().await;
}

fn steward_reports(dms: &[Value]) -> Vec<String> {
    dms.iter()
        .filter_map(|m| m["content"].as_str())
        .filter(|c| c.starts_with("🔧"))
        .map(str::to_owned)
        .collect()
}

#[sqlx::test]
async fn a_badge_rule_gives_the_discord_role_once_and_takes_it_back_with_the_badge(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    earn_flow_starter(&d).await;
    assert_eq!(role_requests(&d).await, ["PUT"]);
    let role_put = d
        .server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.url.path() == role_path())
        .expect("the role PUT");
    assert_eq!(role_put.method.as_str(), "PUT");
    let channel: Vec<String> = posted_to(&d, SPRING_CHANNEL)
        .await
        .iter()
        .map(|p| p["content"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        channel.contains(&format!("🏅 <@{BEA}> earned the **Flow Starter** role!")),
        "{channel:?}"
    );

    // Verify pressed again (a double click), and a scheduler pass that re-derives every
    // holder and checks the role on Discord: nothing more is sent.
    let again = verify_flows(&d, 1_300_000_000_000_000_202).await;
    assert_eq!(
        again,
        "**Your first cloud flow** is already verified. Nothing to do!"
    );
    bea_holds(&d, &[FLOW_ROLE]).await;
    d.bot.clock.advance(Duration::minutes(5));
    d.bot.tick().await;
    d.dispatch().await;
    assert!(role_requests(&d).await.is_empty());
    assert!(steward_reports(&posted_to(&d, DM_CHANNEL).await).is_empty());

    // A steward revokes the badge: the rule takes the role back.
    let badge: uuid::Uuid = sqlx::query_scalar("SELECT id FROM badges WHERE name = 'Flow Starter'")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    let revoke = DiscordBot::as_member(
        d.command(
            30,
            "badge",
            Some("revoke"),
            json!([
                { "name": "badge", "type": 3, "value": badge.to_string() },
                { "name": "reason", "type": 3, "value": "the flow was someone else's" }
            ]),
        ),
        MENTOR,
        "Mo",
    );
    let reply = d.run(revoke).await;
    assert!(reply.starts_with("Revoked"), "{reply}");
    d.dispatch().await;
    assert_eq!(role_requests(&d).await, ["DELETE"]);
    // Bea's ladder keeps the module done but no longer offers the badge as hers.
    let ladder = d.run(d.command(31, "progress", None, json!([]))).await;
    assert_eq!(
        ladder,
        "Your ladder in **Spring Makers 2027** (**Short modules**):
  ✅ `flows-101` **Your first cloud flow** — completed · badge: Flow Starter (revoked)
  ▶\u{fe0f} `data-sources` **Connecting to data safely** — current
  ▶\u{fe0f} `canvas-apps` **Building a canvas app** — current · badge: App Builder
  🔒 `alm-basics` **Environments, solutions and handover** — locked: needs data-sources, canvas-apps
  🔒 `capstone` **Capstone: automate a real process** — locked: needs alm-basics · badge: Citizen Developer · capstone
1 of 5 completed. Submit with `/milestone submit <module> <evidence url> [note]`."
    );
    let holders: i64 = sqlx::query_scalar("SELECT count(*) FROM earned_role_holders")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(holders, 0);
}

#[sqlx::test]
async fn reconciliation_puts_back_a_role_removed_by_hand_once_then_reports_and_leaves_it(
    pool: PgPool,
) {
    let d = DiscordBot::new(pool).await;
    earn_flow_starter(&d).await;
    d.bot.tick().await;
    d.dispatch().await;

    // An admin takes the role off Bea in Discord's own settings.
    bea_holds(&d, &[]).await;
    d.bot.set_local("2027-03-09 10:05", Berlin);
    d.bot.tick().await;
    d.dispatch().await;
    assert_eq!(role_requests(&d).await, ["PUT"]);
    assert_eq!(
        steward_reports(&posted_to(&d, DM_CHANNEL).await),
        [
            "🔧 Bea's earned role **Flow Starter** was missing on Discord, so I put it back. If it was removed on purpose, remove it again: I'll leave it off and tell you."
        ]
    );

    // Removed again: reported, and left off.
    bea_holds(&d, &[]).await;
    d.bot.set_local("2027-03-16 10:05", Berlin);
    d.bot.tick().await;
    d.dispatch().await;
    assert!(role_requests(&d).await.is_empty());
    assert_eq!(
        steward_reports(&posted_to(&d, DM_CHANNEL).await),
        [
            "🔧 Bea's earned role **Flow Starter** was removed on Discord again after I put it back on Tue 9 Mar 2027. I'm leaving it off. Give it back on Discord if that was a mistake."
        ]
    );

    // The week after, nothing is fought and nothing is said again.
    bea_holds(&d, &[]).await;
    d.bot.set_local("2027-03-23 10:05", Berlin);
    d.bot.tick().await;
    d.dispatch().await;
    assert!(role_requests(&d).await.is_empty());
    assert!(steward_reports(&posted_to(&d, DM_CHANNEL).await).is_empty());
    let checks = d
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "GET")
        .count();
    assert_eq!(checks, 1, "one look at Bea's roles a week");
}

fn text(answer: &Value) -> &str {
    answer["text"].as_str().unwrap_or_default()
}

/// Kudos earn Grace a place in a Slack user group: the bot reads the group and writes the
/// whole list back with her added. Two kudos at once write it once; more write nothing.
#[sqlx::test]
async fn a_kudos_rule_adds_the_member_to_the_slack_user_group_by_read_modify_write(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    with_rules(&slack.bot.pool, slack.bot.clock.now()).await;
    as_slack_user(&slack, "grace", "U0GRACE01").await;
    as_slack_user(&slack, "ken", "U0KEN0001").await;
    Mock::given(method("POST"))
        .and(path("/usergroups.users.list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true, "users": ["U0OTHER01"]
        })))
        .mount(&slack.mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/usergroups.users.update"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "usergroup": { "id": THANKED_GROUP, "users": ["U0OTHER01", "U0GRACE01"] }
        })))
        .mount(&slack.mock)
        .await;
    dispatcher.run_once().await.unwrap();

    let (sam, ken) = tokio::join!(
        slack.command(
            "kudos <@U0GRACE01|grace> for the \"intake\" review\nand the notes",
            "t-kudos-1"
        ),
        slack.command_as("U0KEN0001", "kudos <@U0GRACE01> thanks!", "t-kudos-2"),
    );
    for answer in [&sam, &ken] {
        assert_eq!(
            text(answer),
            "Your kudos to Grace Lindqvist are posted in `#spring-makers`."
        );
    }
    dispatcher.run_once().await.unwrap();
    let updates = slack.sent("usergroups.users.update").await;
    assert_eq!(
        updates,
        [json!({ "usergroup": THANKED_GROUP, "users": "U0OTHER01,U0GRACE01" })]
    );
    assert_eq!(slack.sent("usergroups.users.list").await.len(), 1);

    // More thanks: the role is held, so nothing is read or written.
    let third = slack.command("kudos <@U0GRACE01> again", "t-kudos-3").await;
    assert_eq!(
        text(&third),
        "Your kudos to Grace Lindqvist are posted in `#spring-makers`."
    );
    dispatcher.run_once().await.unwrap();
    assert_eq!(slack.sent("usergroups.users.list").await.len(), 1);
    assert_eq!(slack.sent("usergroups.users.update").await.len(), 1);
}

/// A free Slack workspace has no user groups: the action fails for good with that reason,
/// which stewards read in `/outbox failed`, instead of retrying forever.
#[sqlx::test]
async fn a_workspace_without_user_groups_gets_a_clear_reason(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    with_rules(&slack.bot.pool, slack.bot.clock.now()).await;
    as_slack_user(&slack, "grace", "U0GRACE01").await;
    Mock::given(method("POST"))
        .and(path("/usergroups.users.list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": false, "error": "paid_teams_only"
        })))
        .mount(&slack.mock)
        .await;
    let thanks = slack
        .command("kudos <@U0GRACE01> for the review", "t-kudos")
        .await;
    assert_eq!(
        text(&thanks),
        "Your kudos to Grace Lindqvist are posted in `#spring-makers`."
    );
    dispatcher.run_once().await.unwrap();
    let dead: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT status, last_error FROM outbox WHERE action->>'kind' = 'earned_role'",
    )
    .fetch_all(&slack.bot.pool)
    .await
    .unwrap();
    assert_eq!(
        dead,
        [(
            "dead".to_owned(),
            Some("this Slack workspace's plan has no user groups (paid_teams_only): earned roles with slack_usergroup cannot be given here".to_owned())
        )]
    );
    assert!(slack.sent("usergroups.users.update").await.is_empty());
}
