//! The council through Discord: a member stands and votes with signed slash commands, the
//! announcements are posted through Discord REST, and winning gives the council's Discord
//! role (an earned role) by a REST call, once. On Slack, the winner joins its user group.

use chrono::Duration;
use serde_json::{Value, json};
use sqlx::PgPool;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use super::discord_interactions::{
    MENTOR, dm_mocks, posted_to, spring_channel_mock, spring_lead_mentor,
};
use super::discord_support::{BEA, DiscordBot, GUILD, SPRING_CHANNEL};
use super::platform_approvals::{deliver_slack, slack_dms};
use super::slack::{SAM, Slack, reply_text};

/// The example program's council role.
const COUNCIL_ROLE: &str = "1200000000000000103";

fn council_role_path() -> String {
    format!("/api/v10/guilds/{GUILD}/members/{BEA}/roles/{COUNCIL_ROLE}")
}

/// The contents posted in Spring's channel since the last look.
async fn spring_posts(d: &DiscordBot) -> Vec<String> {
    posted_to(d, SPRING_CHANNEL)
        .await
        .iter()
        .map(|p| p["content"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test]
async fn on_discord_members_stand_and_vote_and_the_winner_gets_the_council_role(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    dm_mocks(&d).await;
    spring_channel_mock(&d).await;
    Mock::given(method("PUT"))
        .and(path(council_role_path()))
        .respond_with(ResponseTemplate::new(204))
        .mount(&d.server)
        .await;
    // This community announces council news in Spring's channel.
    sqlx::query("UPDATE council_settings SET channel = 'spring-makers'")
        .execute(&d.bot.pool)
        .await
        .unwrap();
    d.bot.ok("ada", "/council open").await;

    let stand = d.command(
        90,
        "council",
        Some("nominate"),
        json!([{ "name": "statement", "type": 3,
                 "value": "I run the **Teams** clinic; <@&555> and @everyone welcome." }]),
    );
    assert_eq!(
        d.run(stand).await,
        "🏛️ You are standing for the Community Council. Voters read:\n    I run the \\*\\*Teams\\*\\* clinic; \\<@\u{200b}&555> and @\u{200b}everyone welcome.\nVoting opens Mon 22 Feb 2027 09:00 UTC and closes Mon 1 Mar 2027 09:00 UTC."
    );
    d.bot.ok("grace", "/council nominate Mentor voice.").await;
    let early = d.command(
        91,
        "council",
        Some("vote"),
        json!([{ "name": "candidates", "type": 3, "value": "Bea" }]),
    );
    assert_eq!(
        d.run(early).await,
        "Voting in council election #1 opens on Mon 22 Feb 2027 09:00 UTC; nominations are open until then."
    );
    d.dispatch().await;
    assert_eq!(
        spring_posts(&d).await,
        [
            "🏛️ Community Council: nominations are open for 4 seats on the first council, until Mon 22 Feb 2027 09:00 UTC. Stand with `/council nominate <why you'd like to serve>`, or nominate someone else with its `member` option. Voting follows until Mon 1 Mar 2027 09:00 UTC; terms are 182 days."
        ]
    );

    d.bot.clock.advance(Duration::days(7));
    d.bot.tick().await;
    d.server.reset().await;
    dm_mocks(&d).await;
    spring_channel_mock(&d).await;
    Mock::given(method("PUT"))
        .and(path(council_role_path()))
        .respond_with(ResponseTemplate::new(204))
        .mount(&d.server)
        .await;
    d.dispatch().await;
    let voting = spring_posts(&d).await;
    assert!(
        voting.contains(&"🗳️ Community Council: voting is open until Mon 1 Mar 2027 09:00 UTC for 4 seats. Standing: Bea and Grace Lindqvist. Approve as many as you like with `/council vote <names, separated by commas>`; read their statements with `/council show`.".to_owned()),
        "{voting:?}"
    );
    // Bea approves both; Mo, Bea only; the same vote delivered twice is one ballot.
    let vote = d.command(
        92,
        "council",
        Some("vote"),
        json!([{ "name": "candidates", "type": 3, "value": "Bea, Grace" }]),
    );
    let voted = d.run(vote.clone()).await;
    assert_eq!(
        voted,
        "🗳️ Your ballot for the Community Council approves Bea and Grace Lindqvist. Vote again to change it, until Mon 1 Mar 2027 09:00 UTC. Ballots are secret: only totals are shown, after the close."
    );
    assert_eq!(d.run(vote).await, voted);
    let mo = DiscordBot::as_member(
        d.command(
            93,
            "council",
            Some("vote"),
            json!([{ "name": "candidates", "type": 3, "value": format!("<@{BEA}>") }]),
        ),
        MENTOR,
        "Mo",
    );
    assert!(
        d.run(mo)
            .await
            .starts_with("🗳️ Your ballot for the Community Council approves Bea.")
    );
    let ballots: i64 = sqlx::query_scalar("SELECT count(*) FROM council_ballots")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(ballots, 3);

    // The close: results in the channel, Bea's DM, and the council role by one REST call.
    d.bot.clock.advance(Duration::days(7));
    d.bot.tick().await;
    d.dispatch().await;
    d.dispatch().await;
    let posts = spring_posts(&d).await;
    assert!(
        posts.contains(&"🏛️ Community Council: election #1 is decided, 2 members voted.\n✅ Bea: 2 approvals\n✅ Grace Lindqvist: 1 approval\nThe new terms start Mon 1 Mar 2027. 2 seats stay empty; a steward can open another election with `/council open`.".to_owned()),
        "{posts:?}"
    );
    assert!(
        posts.contains(
            &"🏛️ Community Council changes today. Welcome Bea and Grace Lindqvist!".to_owned()
        ),
        "{posts:?}"
    );
    let dms: Vec<String> = posted_to(&d, super::discord_interactions::DM_CHANNEL)
        .await
        .iter()
        .map(|p| p["content"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        dms.contains(&"🎉 You were elected to the Community Council. Your term runs from Mon 1 Mar 2027 to Mon 30 Aug 2027.".to_owned()),
        "{dms:?}"
    );
    let role_calls: Vec<String> = d
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == council_role_path())
        .map(|r| r.method.to_string())
        .collect();
    assert_eq!(role_calls, ["PUT"]);
}

/// On Slack: Sam stands and votes with the slash command, and winning adds him to the
/// council's user group by reading the group and writing it back with him in it.
#[sqlx::test]
async fn on_slack_the_winner_joins_the_council_user_group(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
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
            "ok": true, "usergroup": { "id": "S0COUNCIL", "users": ["U0OTHER01", SAM] }
        })))
        .mount(&slack.mock)
        .await;
    let bot = &slack.bot;
    // This community announces council news in Spring's channel.
    sqlx::query("UPDATE council_settings SET channel = 'spring-makers'")
        .execute(&bot.pool)
        .await
        .unwrap();
    bot.ok("ada", "/council open").await;
    bot.deliver_to(&["#spring-makers"]).await;
    let stood = slack
        .command(
            "council nominate Ops lead; I'd keep *reviews* short.",
            "t-stand",
        )
        .await;
    assert_eq!(
        reply_text(&stood),
        "🏛️ You are standing for the Community Council. Voters read:\n    Ops lead; I'd keep ∗reviews∗ short.\nVoting opens Mon 22 Feb 2027 09:00 UTC and closes Mon 1 Mar 2027 09:00 UTC."
    );
    bot.clock.advance(Duration::days(7));
    bot.tick().await;
    bot.deliver_to(&["#spring-makers"]).await;
    let voted = slack
        .command("council vote <@U0SAM0001|sam>", "t-vote")
        .await;
    assert!(
        reply_text(&voted).starts_with("🗳️ Your ballot for the Community Council approves Sam C."),
        "{voted}"
    );
    bot.clock.advance(Duration::days(7));
    bot.tick().await;
    // Everything goes out through the Slack Web API: the channel's posts, Sam's DM, and
    // the user group.
    deliver_slack(&slack).await;
    let posted: Vec<Value> = slack_dms(&slack, "C0SPRING1").await;
    let texts: Vec<&str> = posted.iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        [
            "🏛️ Community Council: election #1 is decided, 1 member voted.\n✅ Sam C: 1 approval\nThe new terms start Mon 1 Mar 2027. 3 seats stay empty; a steward can open another election with `/cohort council open`.",
            "🏛️ Community Council changes today. Welcome Sam C!",
        ]
    );
    deliver_slack(&slack).await;
    let dms = slack_dms(&slack, "D0SAMDM01").await;
    assert_eq!(
        dms.last().unwrap()["text"],
        "🎉 You were elected to the Community Council. Your term runs from Mon 1 Mar 2027 to Mon 30 Aug 2027."
    );
    assert_eq!(
        slack.sent("usergroups.users.update").await,
        [json!({ "usergroup": "S0COUNCIL", "users": format!("U0OTHER01,{SAM}") })]
    );
}
