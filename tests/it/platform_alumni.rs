//! `/alumni` through Slack's edge: a graduate lists themselves with a signed slash command
//! and is found by skill.

use sqlx::PgPool;

use cohortbot::clock::Clock;
use cohortbot::domain::Role;
use cohortbot::store::{communities, members, roles};

use super::slack::{SAM, Slack};

#[sqlx::test]
async fn on_slack_a_graduate_lists_themselves_and_is_found_by_skill(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let answer = slack.command("alumni join", "t-early").await;
    assert_eq!(
        answer["text"],
        "The alumni directory lists graduates: you join it once your capstone is verified."
    );
    // The first contact fetches Sam's Slack profile in the background; the listing below
    // shows the name it brings.
    slack
        .eventually("Sam's name from Slack", || async {
            slack.member_field(SAM, "display_name").await.as_deref() == Some("Sam C")
        })
        .await;
    let community = communities::by_slug(&slack.bot.pool, "acme-makers")
        .await
        .unwrap()
        .unwrap();
    let sam = members::find(&slack.bot.pool, community.id, "slack", SAM)
        .await
        .unwrap()
        .unwrap();
    let spring: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM cohorts WHERE slug = 'spring-makers-2027'")
            .fetch_one(&slack.bot.pool)
            .await
            .unwrap();
    let now = slack.bot.clock.now();
    roles::grant(
        &slack.bot.pool,
        community.id,
        sam.id,
        Role::Alumni,
        Some(spring),
        None,
        now,
    )
    .await
    .unwrap();
    slack
        .command("me skills Power Automate, SQL", "t-skills")
        .await;
    let answer = slack
        .command(
            "alumni join capstone:\"Leave requests <!channel> *bot*\"",
            "t-join",
        )
        .await;
    assert_eq!(answer["response_type"], "ephemeral");
    assert_eq!(
        answer["text"],
        "🎓 You're in the alumni directory, with your skills (`/cohort me skills`) and your capstone. Leave it any time with `/cohort alumni leave`."
    );
    let answer = slack
        .command("alumni list \"power automate\"", "t-list")
        .await;
    assert_eq!(
        answer["text"],
        // Slack's mrkdwn has no escape for `*`: a look-alike keeps the title's stars inert,
        // and the channel ping arrived as Slack's link and is kept as its plain word.
        "🎓 Alumni who know power automate:\n• *Sam C* (Spring Makers 2027) — built Leave requests @channel ∗bot∗ · power automate, sql"
    );
}
