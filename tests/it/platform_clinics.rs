//! `/clinic` through Discord's edge: a learner lines up with a signed command, a mentor
//! calls them, and the DM the bot sends says they are up.

use serde_json::json;
use sqlx::PgPool;

use super::discord_interactions::{DM_CHANNEL, MENTOR, dm_mocks, posted_to, spring_lead_mentor};
use super::discord_support::DiscordBot;

#[sqlx::test]
async fn on_discord_a_learner_lines_up_once_and_hears_when_they_are_up(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    dm_mocks(&d).await;
    let said = d
        .bot
        .ok(
            "ada",
            "/event schedule spring-makers-2027 2027-03-08T14:00 clinic Flow clinic location:\"Room 4 / Teams\"",
        )
        .await;
    assert_eq!(said.told(), ["#spring-makers"]);
    d.bot.clock.set(
        chrono::DateTime::parse_from_rfc3339("2027-03-08T12:45:00Z")
            .unwrap()
            .into(),
    );
    // A topic with quotes, markdown, a mention and CJK, as Discord sends it.
    let topic = "“Apply to each” 失败了 🙂 **why** <@&555> @everyone";
    let join = d.command(
        51,
        "clinic",
        Some("join"),
        json!([
            { "name": "session", "type": 4, "value": 1 },
            { "name": "topic", "type": 3, "value": topic },
        ]),
    );
    let (_, reply) = d.post_signed(&join, 0).await;
    assert_eq!(reply["data"]["flags"], 64);
    assert_eq!(
        reply["data"]["content"],
        "🙋 You're in the queue for #1 Flow clinic: number 1 in line, about 10 minutes (around 12:55 UTC).\nI'll DM you when you're next and when you're up. Changed your mind? `/clinic leave`."
    );
    // Redelivered: the same reply, one place in line.
    let (_, again) = d.post_signed(&join, 0).await;
    assert_eq!(again["data"]["content"], reply["data"]["content"]);
    // A second join (a new interaction) is refused, naming the place.
    let mut twice = join.clone();
    twice["id"] = json!("52");
    assert_eq!(
        d.run(twice).await,
        "You are already in the queue for #1, number 1 in line. `/clinic position` shows your wait."
    );
    let places: i64 = sqlx::query_scalar("SELECT count(*) FROM clinic_queue")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(places, 1);

    let next = DiscordBot::as_member(
        d.command(53, "clinic", Some("next"), json!([])),
        MENTOR,
        "Mo",
    );
    let content = d.run(next).await;
    assert!(content.starts_with("Now: Bea — "), "{content}");
    d.dispatch().await;
    let sent = posted_to(&d, DM_CHANNEL).await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(
        sent[0]["content"],
        "🔔 You're up at #1 Flow clinic: Mo is ready to help with “Apply to each” 失败了 🙂 \\*\\*why\\*\\* \\<@\u{200b}&555> @\u{200b}everyone. Join in Room 4 / Teams."
    );
    assert_eq!(
        sent[0]["allowed_mentions"],
        json!({ "parse": [], "users": [] })
    );
}
