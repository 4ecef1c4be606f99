//! `/clinic`: a queue at a running clinic, its places and waits, and mentors calling in turn.

use chrono::Duration;
use sqlx::PgPool;

use crate::support::TestBot;

/// A one-hour clinic, #1, starting 13:00 UTC (14:00 in Berlin) on Monday 8 March 2027, hosted by Ada.
async fn clinic(bot: &TestBot) {
    let said = bot
        .ok(
            "ada",
            "/event schedule spring-makers-2027 2027-03-08T14:00 clinic Flow clinic location:https://meet.example/flows",
        )
        .await;
    assert!(said.reply().contains("#1"), "{}", said.reply());
    assert_eq!(said.told(), ["#spring-makers"]);
}

fn at(bot: &TestBot, hh_mm: &str) {
    bot.clock.set(
        chrono::DateTime::parse_from_rfc3339(&format!("2027-03-08T{hh_mm}:00Z"))
            .unwrap()
            .into(),
    );
}

#[sqlx::test]
async fn learners_queue_see_their_wait_and_are_called_in_turn(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    clinic(&bot).await;
    bot.refused(
        "sam",
        "/clinic join 1 my flow fails",
        "The queue for #1 opens 30 minutes before it starts, at Mon 8 Mar 12:30 UTC. Come back then!",
    )
    .await;

    at(&bot, "12:40");
    let said = bot
        .say("sam", "/clinic join 1 my flow fails on Apply to each")
        .await;
    assert_eq!(
        said.reply(),
        "🙋 You're in the queue for #1 Flow clinic: number 1 in line, about 10 minutes (around 13:50 Europe/Berlin).\n\
         I'll DM you when you're next and when you're up. Changed your mind? `/clinic leave`."
    );
    // The queue stopped being empty: the host hears it.
    assert_eq!(
        said.dms(),
        [(
            "Ada Okafor",
            "🔔 Someone is waiting at #1 Flow clinic: Sam Carter (my flow fails on Apply to each). Call them with `/clinic next 1`."
        )]
    );
    bot.refused(
        "sam",
        "/clinic join 1 again",
        "You are already in the queue for #1, number 1 in line. `/clinic position` shows your wait.",
    )
    .await;
    let said = bot.say("priya", "/clinic join 1 dashboards").await;
    assert!(
        said.reply()
            .contains("number 2 in line, about 20 minutes (around 08:00 America/New_York)"),
        "{}",
        said.reply()
    );
    assert!(said.posts().is_empty(), "the host heard already");

    bot.refused(
        "sam",
        "/clinic next",
        "Sorry, only mentors, stewards and the session's host help at clinics.",
    )
    .await;
    let said = bot.say("ken", "/clinic next").await;
    assert_eq!(
        said.reply(),
        "Now: Sam Carter — my flow fails on Apply to each. I told them you're ready. 1 learner still waiting.\n\
         When you're done: `/clinic done note:\"…\" save:kb` (the note can become a knowledge-base draft), or `/clinic noshow`."
    );
    assert_eq!(
        said.dms(),
        [
            (
                "Sam Carter",
                "🔔 You're up at #1 Flow clinic: Ken Watanabe is ready to help with my flow fails on Apply to each. Join in https://meet.example/flows."
            ),
            (
                "Priya Raman",
                "⏳ You're next at #1 Flow clinic: be ready to share your screen."
            )
        ]
    );
    let said = bot.say("sam", "/clinic position").await;
    assert_eq!(
        said.reply(),
        "You're up at #1 Flow clinic: Ken Watanabe is helping you."
    );

    // Twenty minutes with Sam: the series' median help time is now 20 minutes.
    bot.clock.advance(Duration::minutes(20));
    bot.refused(
        "ken",
        "/clinic done save:kb",
        "To save to the knowledge base, write the note too",
    )
    .await;
    let said = bot
        .say(
            "ken",
            "/clinic done note:\"Turn on concurrency control.\nThen retry.\" save:kb",
        )
        .await;
    assert_eq!(
        said.reply(),
        "✅ Done with Sam Carter. Your note is the draft `clinic-1-my-flow-fails-on-apply-to`: check it with `/kb show clinic-1-my-flow-fails-on-apply-to`, then `/kb publish clinic-1-my-flow-fails-on-apply-to`. Next: `/clinic next 1`."
    );
    let (kind, status, body): (String, String, String) =
        sqlx::query_as("SELECT kind, status, body FROM kb_entries")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(
        (kind.as_str(), status.as_str(), body.as_str()),
        (
            "clinic_note",
            "draft",
            "Turn on concurrency control.\nThen retry."
        )
    );
    let said = bot.say("priya", "/clinic position").await;
    assert_eq!(
        said.reply(),
        "You're number 1 in line at #1 Flow clinic: about 20 minutes (around 08:20 America/New_York)."
    );

    let said = bot.say("ken", "/clinic next 1").await;
    assert!(
        said.reply().starts_with("Now: Priya Raman"),
        "{}",
        said.reply()
    );
    assert_eq!(said.told(), ["@Priya Raman"]);
    let said = bot.say("ken", "/clinic noshow").await;
    assert_eq!(
        said.reply(),
        "Marked Priya Raman as not there. Call the next learner with `/clinic next 1`."
    );
    let said = bot.say("ken", "/clinic next").await;
    assert_eq!(
        said.reply(),
        "Nobody is waiting at #1; I'll DM you when someone joins."
    );
    bot.refused(
        "ken",
        "/clinic announce Back in five minutes",
        "Nobody is waiting at #1, so there is nobody to tell.",
    )
    .await;

    // A new learner: Ken, who has helped here, hears it now too.
    let said = bot.say("maria", "/clinic join 1 approvals").await;
    assert!(
        said.reply()
            .contains("number 1 in line, about 20 minutes (around 06:20 America/Denver)"),
        "{}",
        said.reply()
    );
    assert_eq!(said.told(), ["@Ada Okafor", "@Ken Watanabe"]);
    let said = bot
        .say(
            "ken",
            "/clinic announce Back in five minutes: <@123> @everyone",
        )
        .await;
    assert_eq!(said.reply(), "Told the 1 learner waiting at #1.");
    assert_eq!(
        said.dms(),
        [(
            "María Torres",
            "📣 #1 Flow clinic, from Ken Watanabe: Back in five minutes: <@123> @everyone"
        )]
    );
    let said = bot.say("maria", "/clinic leave").await;
    assert_eq!(said.reply(), "You left the queue for #1 Flow clinic.");
    bot.refused(
        "maria",
        "/clinic position",
        "You are not in a clinic queue.",
    )
    .await;

    // After the end the queue is closed.
    at(&bot, "14:00");
    bot.refused(
        "sam",
        "/clinic join 1 one more thing",
        "Session #1 is over, so its queue is closed.",
    )
    .await;
}

#[sqlx::test]
async fn two_mentors_calling_next_at_once_get_two_different_learners(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    clinic(&bot).await;
    at(&bot, "13:05");
    bot.ok("sam", "/clinic join 1 first").await;
    bot.ok("priya", "/clinic join 1 second").await;
    bot.ok("maria", "/clinic join 1 third").await;
    let (ken, grace) = tokio::join!(
        bot.say("ken", "/clinic next 1"),
        bot.say("grace", "/clinic next 1")
    );
    let mut called: Vec<String> = [&ken, &grace]
        .iter()
        .map(|said| {
            assert!(said.reply().starts_with("Now: "), "{}", said.reply());
            said.dms()[0].0.to_owned()
        })
        .collect();
    called.sort();
    assert_eq!(called, ["Priya Raman", "Sam Carter"]);
    // María, now first in line, was told once.
    let told_next = [&ken, &grace]
        .iter()
        .flat_map(|said| said.dms())
        .filter(|(to, text)| *to == "María Torres" && text.starts_with("⏳"))
        .count();
    assert_eq!(told_next, 1);
    let helping: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT member_id) FROM clinic_queue WHERE status = 'helping'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!(helping, 2);
}
