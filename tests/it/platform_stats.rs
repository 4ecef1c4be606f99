//! `/stats` through Discord's and Slack's edges: a signed slash command from someone
//! without the role is refused and says who may; once a sponsor, the same person gets the
//! cohort's numbers, privately, and a redelivery gets the same reply.

use chrono_tz::Europe::Berlin;
use serde_json::json;
use sqlx::PgPool;

use cohortbot::clock::Clock;
use cohortbot::domain::Role;
use cohortbot::store::{communities, members, roles};

use super::discord_support::{BEA, DiscordBot};
use super::slack::{SAM, Slack};
use super::support::TestBot;

const SPRING: &str = "spring-makers-2027";

const REFUSED: &str = "`/stats` shows the program's numbers to stewards, sponsors and lead mentors. If you need them, ask a steward for the sponsor role.";

/// Lee and Kim in Spring Makers, prompted on Monday 2027-03-08; Lee checks in, Kim late.
async fn a_week_with_a_late_answer(bot: &TestBot) {
    for learner in ["lee", "kim"] {
        bot.enroll(learner, SPRING, Some("projects")).await;
    }
    bot.set_local("2027-03-08 08:45", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-08 09:00", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-09 10:00", Berlin);
    bot.ok("lee", "/checkin 4 built the intake flow").await;
    bot.set_local("2027-03-16 10:00", Berlin);
    bot.ok("kim", "/checkin 2 caught up week:last").await;
}

/// Makes the platform member a sponsor of the whole program.
async fn make_sponsor(bot: &TestBot, platform: &str, user_id: &str) {
    let community = communities::by_slug(&bot.pool, "acme-makers")
        .await
        .unwrap()
        .unwrap();
    let member = members::find(&bot.pool, community.id, platform, user_id)
        .await
        .unwrap()
        .expect("the member, made at first contact");
    let now = bot.clock.now();
    roles::grant(
        &bot.pool,
        community.id,
        member.id,
        Role::Sponsor,
        None,
        None,
        now,
    )
    .await
    .unwrap();
}

const NUMBERS: &str = "📈 Spring Makers 2027 — 2027-W11\n\
    Enrolled: 2 · active this week: 0\n\
    Check-in rate: no prompts yet this week\n\
    Weekly check-in rate: 2027-W10 100% · 2027-W11 —\n\
    Funnel: joined 2 → accepted the code of conduct 2 → first check-in 2 → first module verified 0 → capstone submitted 0 → graduated 0 → offered to mentor 0";

#[sqlx::test]
async fn on_discord_a_sponsor_reads_the_numbers_and_others_are_told_who_may(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    a_week_with_a_late_answer(&d.bot).await;
    let options = json!([
        { "name": "cohort", "type": 3, "value": SPRING },
        { "name": "weeks", "type": 4, "value": 2 },
    ]);
    let (_, refused) = d
        .post_signed(&d.command(71, "stats", None, options.clone()), 0)
        .await;
    assert_eq!(refused["data"]["flags"], 64);
    assert_eq!(refused["data"]["content"], REFUSED);

    make_sponsor(&d.bot, "discord", BEA).await;
    let stats = d.command(72, "stats", None, options);
    let (_, reply) = d.post_signed(&stats, 0).await;
    assert_eq!(reply["data"]["flags"], 64, "only the sponsor sees it");
    // Discord's markdown: the cohort's name in double stars.
    assert_eq!(
        reply["data"]["content"],
        NUMBERS.replace("Spring Makers 2027", "**Spring Makers 2027**")
    );
    // Redelivered: the same reply.
    let (_, again) = d.post_signed(&stats, 0).await;
    assert_eq!(again["data"]["content"], reply["data"]["content"]);
    // Asking for a year and more is refused by its bounds.
    let too_long = d.command(
        73,
        "stats",
        None,
        json!([{ "name": "weeks", "type": 4, "value": 53 }]),
    );
    let content = d.run(too_long).await;
    assert!(content.contains("weeks"), "{content}");
    assert!(content.contains("52"), "{content}");
}

#[sqlx::test]
async fn on_slack_a_sponsor_reads_the_numbers_and_others_are_told_who_may(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    a_week_with_a_late_answer(&slack.bot).await;
    let refused = slack
        .command("stats spring-makers-2027 weeks:2", "t-refused")
        .await;
    assert_eq!(refused["response_type"], "ephemeral");
    assert_eq!(
        refused["text"],
        "`/cohort stats` shows the program's numbers to stewards, sponsors and lead mentors. If you need them, ask a steward for the sponsor role."
    );

    make_sponsor(&slack.bot, "slack", SAM).await;
    let answer = slack
        .command("stats spring-makers-2027 weeks:2", "t-stats")
        .await;
    assert_eq!(answer["response_type"], "ephemeral");
    // Slack's mrkdwn: the cohort's name in single stars.
    assert_eq!(
        answer["text"],
        NUMBERS.replace("Spring Makers 2027", "*Spring Makers 2027*")
    );
    let again = slack
        .command("stats spring-makers-2027 weeks:2", "t-stats")
        .await;
    assert_eq!(again["text"], answer["text"]);
}
