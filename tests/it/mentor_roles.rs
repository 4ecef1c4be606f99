//! Holding a mentor role is being an approved mentor, however the role was given: a
//! steward's `/role grant` on Slack, the program file, a Discord role.

use serde_json::Value;
use sqlx::PgPool;

use crate::slack::Slack;
use crate::slack_loop::{block_actions, prepared};
use crate::support::TestBot;

pub(crate) const ADA: &str = "U0ADA0001";
const MO: &str = "U0MO00001";

fn text(answer: &Value) -> &str {
    answer["text"].as_str().unwrap_or_default()
}

pub(crate) async fn as_slack_user(slack: &Slack, handle: &str, id: &str) {
    sqlx::query(
        "UPDATE members SET platform = 'slack', platform_user_id = $2 WHERE platform_user_id = $1",
    )
    .bind(handle)
    .bind(id)
    .execute(&slack.bot.pool)
    .await
    .unwrap();
}

#[sqlx::test]
async fn a_mentor_granted_on_slack_can_claim_reviews_pause_and_see_stats(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    as_slack_user(&slack, "ada", ADA).await;
    // Review requests go to the mentors' Slack channel.
    sqlx::query("UPDATE mentoring_settings SET review_channel = 'C0MENTORS'")
        .execute(&slack.bot.pool)
        .await
        .unwrap();
    let hello = slack.command_as(MO, "help", "t-mo").await;
    assert!(text(&hello).contains("/cohort"), "{hello}");
    let granted = slack
        .command_as(
            ADA,
            &format!("role grant <@{MO}|mo> community_mentor"),
            "t-grant",
        )
        .await;
    assert!(text(&granted).contains("community mentor"), "{granted}");

    let stats = slack.command_as(MO, "mentor stats", "t-stats").await;
    assert!(!text(&stats).contains("not an approved mentor"), "{stats}");

    // Sam asks for a review; the new mentor claims it with the button in the mentors' post.
    let asked = slack
        .command(
            "review request https://make.powerapps.com/app/1 canvas",
            "t-review",
        )
        .await;
    assert!(
        text(&asked).starts_with("Review #1 requested and posted in <#C0MENTORS>."),
        "{asked}"
    );
    dispatcher.run_once().await.unwrap();
    let posts = slack.sent("chat.postMessage").await;
    let request = posts
        .iter()
        .find(|p| text(p).contains("Review #1"))
        .unwrap_or_else(|| panic!("the review request reaches the mentors: {posts:?}"));
    let button = &request["blocks"].as_array().unwrap().last().unwrap()["elements"][0];
    assert_eq!(button["action_id"], "cohortbot_review_claim");
    let mut click: Value = serde_json::from_str(&block_actions(
        &slack,
        "cohortbot_review_claim",
        button["value"].as_str().unwrap(),
    ))
    .unwrap();
    click["user"]["id"] = MO.into();
    slack.interact(&click.to_string()).await;
    let claimed: Option<String> = sqlx::query_scalar(
        "SELECT m.platform_user_id FROM reviews r JOIN members m ON m.id = r.claimed_by",
    )
    .fetch_one(&slack.bot.pool)
    .await
    .unwrap();
    assert_eq!(claimed.as_deref(), Some(MO));

    let paused = slack.command_as(MO, "mentor pause", "t-pause").await;
    assert!(text(&paused).starts_with("Paused."), "{paused}");

    // Taking the role away ends the approval.
    slack
        .command_as(
            ADA,
            &format!("role revoke <@{MO}|mo> community_mentor"),
            "t-revoke",
        )
        .await;
    let stats = slack.command_as(MO, "mentor stats", "t-stats-2").await;
    assert!(text(&stats).contains("not an approved mentor"), "{stats}");
}

#[sqlx::test]
async fn the_program_files_mentors_can_mentor_from_the_start(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    for (who, tier) in [("grace", "lead"), ("ken", "community")] {
        let said = bot.say(who, "/mentor stats").await;
        assert!(
            !said.reply().contains("not an approved mentor"),
            "{who}: {}",
            said.reply()
        );
        let said = bot
            .say("ada", &format!("/mentor approve @{who} {tier}"))
            .await;
        assert!(
            said.reply().contains("already an approved"),
            "{}",
            said.reply()
        );
    }
    // A role granted by a steward is the approval too.
    bot.ok("lin", "/help").await;
    let said = bot.say("ada", "/role grant @lin community_mentor").await;
    assert_eq!(said.told(), ["@lin"]);
    assert!(
        said.reply().contains("community mentor"),
        "{}",
        said.reply()
    );
    let said = bot.say("lin", "/mentor pause").await;
    assert!(said.reply().starts_with("Paused."), "{}", said.reply());
}
