//! Host picks and sign-ups that close before the start, through signed Discord
//! interactions: the host sees the sign-ups and picks attendees, the picked hear so by
//! DM, reminders tell the picked from the standby list, and a late RSVP is refused.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use sqlx::PgPool;

use super::discord_interactions::{
    DM_CHANNEL, MENTOR, dm_mocks, posted_to, spring_channel_mock, spring_lead_mentor,
};
use super::discord_support::{BEA, DiscordBot, SPRING_CHANNEL};

const CAL: &str = "333000000000000003";
const DEV: &str = "333000000000000004";
const EVE: &str = "333000000000000005";
const LU: &str = "333000000000000006";

fn as_mo(d: &DiscordBot, id: u64, sub: &str, options: Value) -> Value {
    DiscordBot::as_member(d.command(id, "event", Some(sub), options), MENTOR, "Mo")
}

fn rsvp(d: &DiscordBot, id: u64, user: &str, nick: &str) -> Value {
    DiscordBot::as_member(
        d.command(
            id,
            "event",
            Some("rsvp"),
            json!([{ "name": "session", "type": 4, "value": 1 }]),
        ),
        user,
        nick,
    )
}

fn pick(d: &DiscordBot, id: u64, users: Option<&str>) -> Value {
    let mut options = vec![json!({ "name": "session", "type": 4, "value": 1 })];
    if let Some(users) = users {
        options.push(json!({ "name": "users", "type": 3, "value": users }));
    }
    as_mo(d, id, "pick", Value::Array(options))
}

/// The texts of the DMs sent, sorted (deliveries run in parallel).
async fn dms(d: &DiscordBot) -> Vec<String> {
    let mut texts: Vec<String> = posted_to(d, DM_CHANNEL)
        .await
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect();
    texts.sort();
    texts
}

async fn channel_posts(d: &DiscordBot) -> Vec<String> {
    posted_to(d, SPRING_CHANNEL)
        .await
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_owned())
        .collect()
}

#[sqlx::test]
async fn a_host_picks_from_the_sign_ups_and_reminders_tell_picked_from_standby(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    spring_channel_mock(&d).await;
    dm_mocks(&d).await;
    d.bot
        .clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 9, 0, 0).unwrap());

    // Friday 17:00 Berlin (16:00 UTC); sign-ups close two hours before.
    let scheduled = d
        .run(as_mo(
            &d,
            61,
            "schedule",
            json!([
                { "name": "cohort", "type": 3, "value": "spring-makers-2027" },
                { "name": "when", "type": 3, "value": "2027-03-12T17:00" },
                { "name": "kind", "type": 3, "value": "demo_day" },
                { "name": "title", "type": 3, "value": "Demo night" },
                { "name": "selection", "type": 3, "value": "host_picks" },
                { "name": "closes", "type": 3, "value": "2h" },
            ]),
        ))
        .await;
    let code: String = sqlx::query_scalar("SELECT checkin_code FROM sessions WHERE number = 1")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(
        scheduled,
        format!(
            "Scheduled **\\#1** Demo night (Demo day) for **Spring Makers 2027**: Fri 12 Mar 2027 17:00 Europe/Berlin (16:00 UTC), 60 min, 0 talk slots. Show this self check-in code during the session: `{code}`. The host picks who comes from the sign-ups. Sign-ups close Fri 12 Mar 2027 15:00 Europe/Berlin (14:00 UTC)."
        )
    );
    d.dispatch().await;
    assert_eq!(
        channel_posts(&d).await,
        [
            "📅 New session **\\#1** Demo night (Demo day): Fri 12 Mar 2027 17:00 Europe/Berlin (16:00 UTC), 60 min, in spring-makers. RSVP with `/event rsvp 1`. The host picks who comes from the sign-ups. Sign-ups close Fri 12 Mar 2027 15:00 Europe/Berlin (14:00 UTC)."
        ]
    );

    // Four sign up; each is told the host picks.
    for (i, (user, nick)) in [(BEA, "Bea"), (CAL, "Cal"), (DEV, "Dev"), (EVE, "Eve")]
        .into_iter()
        .enumerate()
    {
        let reply = d.run(rsvp(&d, 70 + i as u64, user, nick)).await;
        assert_eq!(
            reply,
            "You're signed up for **\\#1** Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin). The host picks who comes from the sign-ups: I'll DM you if you're picked, and remind you a day and an hour before either way."
        );
    }

    // The host sees the sign-ups; a sign-up cannot pick.
    assert_eq!(
        d.run(pick(&d, 80, None)).await,
        "4 sign-ups for **\\#1** Demo night (Demo day).\nPicked (0): nobody yet\nStandby (4): Bea, Cal, Dev, Eve\nPick with `/event pick 1` followed by their mentions."
    );
    let not_host = DiscordBot::as_member(
        d.command(
            81,
            "event",
            Some("pick"),
            json!([{ "name": "session", "type": 4, "value": 1 },
                   { "name": "users", "type": 3, "value": format!("<@{BEA}>") }]),
        ),
        BEA,
        "Bea",
    );
    assert_eq!(
        d.run(not_host).await,
        "Sorry, only stewards, the session's host and the lead mentors of its cohort (or the leads of its circle) can do that."
    );
    // Someone who did not sign up refuses the whole pick.
    assert_eq!(
        d.run(pick(&d, 82, Some(&format!("<@{BEA}> <@{MENTOR}>"))))
            .await,
        "Mo has not signed up for session #1, and only sign-ups can be picked, so nobody was picked. Pick again without them, or ask them to `/event rsvp 1` first."
    );
    // Bea and Cal; the same interaction delivered twice picks once and answers the same.
    let both = pick(&d, 83, Some(&format!("<@{BEA}>, <@{CAL}>")));
    let first = d.run(both.clone()).await;
    assert_eq!(
        first,
        "Session #1: picked Bea, Cal. Each one newly picked gets a DM. Still on standby: 2; their reminders say they aren't picked yet."
    );
    assert_eq!(d.run(both).await, first);
    // Two presses at once pick Dev once: one says so, the other finds it done.
    let (a, b) = tokio::join!(
        d.run(pick(&d, 84, Some(&format!("<@{DEV}>")))),
        d.run(pick(&d, 85, Some(&format!("<@{DEV}>"))))
    );
    let mut answers = vec![a, b];
    answers.sort();
    assert_eq!(
        answers,
        [
            "Session #1: nobody new picked (already picked: Dev). Each one newly picked gets a DM. Still on standby: 1; their reminders say they aren't picked yet.",
            "Session #1: picked Dev. Each one newly picked gets a DM. Still on standby: 1; their reminders say they aren't picked yet.",
        ]
    );
    assert_eq!(
        d.run(pick(&d, 86, None)).await,
        "4 sign-ups for **\\#1** Demo night (Demo day).\nPicked (3): Bea, Cal, Dev\nStandby (1): Eve\nPick with `/event pick 1` followed by their mentions."
    );
    d.dispatch().await;
    let picked = "✅ You're in: Mo picked you for **\\#1** Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin), in spring-makers. I'll remind you a day and an hour before. Can't come after all? `/event unrsvp 1` frees your place.";
    assert_eq!(dms(&d).await, [picked, picked, picked]);
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT m.display_name FROM outbox o JOIN members m ON m.id = o.member_id
          WHERE o.status = 'sent' ORDER BY m.display_name",
    )
    .fetch_all(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(told, ["Bea", "Cal", "Dev"]);

    // The day before: the picked are reminded as coming, Eve as standby.
    d.bot
        .clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 15, 55, 0).unwrap());
    d.bot.tick().await;
    d.bot
        .clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 16, 0, 0).unwrap());
    d.bot.tick().await;
    d.dispatch().await;
    let coming = "🔔 Reminder: **\\#1** Demo night (Demo day) starts in 24 hours, Fri 12 Mar 2027 17:00 (Europe/Berlin), in spring-makers.";
    let mut expected = vec![
        picked.to_owned(),
        picked.to_owned(),
        picked.to_owned(),
        coming.to_owned(),
        coming.to_owned(),
        coming.to_owned(),
        "🔔 Reminder: **\\#1** Demo night (Demo day) starts in 24 hours, Fri 12 Mar 2027 17:00 (Europe/Berlin). You signed up, but the host has not picked you (yet): you're on standby, so check with the host before you come.".to_owned(),
    ];
    expected.sort();
    assert_eq!(dms(&d).await, expected);
    let standby_to: String = sqlx::query_scalar(
        "SELECT m.display_name FROM outbox o JOIN members m ON m.id = o.member_id
          WHERE o.body::text LIKE '%standby%'",
    )
    .fetch_one(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(standby_to, "Eve");
    assert_eq!(
        channel_posts(&d).await[1..],
        [
            "📣 **\\#1** Demo night (Demo day) starts in 24 hours: Fri 12 Mar 2027 17:00 Europe/Berlin (16:00 UTC), in spring-makers.\nRSVP with `/event rsvp 1`."
        ]
    );

    // Sign-ups closed at 15:00 Berlin: Lu is too late, in her own words.
    d.bot
        .clock
        .set(Utc.with_ymd_and_hms(2027, 3, 12, 14, 30, 0).unwrap());
    assert_eq!(
        d.run(rsvp(&d, 90, LU, "Lu")).await,
        "Sign-ups for session #1 closed Fri 12 Mar 2027 15:00 (Europe/Berlin). If you still hope to come, ask the host."
    );
    let sign_ups: i64 = sqlx::query_scalar("SELECT count(*) FROM session_rsvps")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(sign_ups, 4);

    // Dev, picked, drops out: the place is free, and Mo, who picked him, hears so.
    let dropped = DiscordBot::as_member(
        d.command(
            91,
            "event",
            Some("unrsvp"),
            json!([{ "name": "session", "type": 4, "value": 1 }]),
        ),
        DEV,
        "Dev",
    );
    assert_eq!(
        d.run(dropped).await,
        "You're off the list for **\\#1** Demo night (Demo day); no reminders will come. `/event rsvp 1` puts you back."
    );
    d.dispatch().await;
    expected.push("Dev, whom you picked, withdrew from **\\#1** Demo night (Demo day), so a place is free. `/event pick 1` shows who is on standby.".to_owned());
    expected.sort();
    assert_eq!(dms(&d).await, expected);
    let host_told: String = sqlx::query_scalar(
        "SELECT m.display_name FROM outbox o JOIN members m ON m.id = o.member_id
          WHERE o.body::text LIKE '%whom you picked%'",
    )
    .fetch_one(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(host_told, "Mo");
}

#[sqlx::test]
async fn on_slack_a_host_picks_by_mention_and_the_picked_hear_by_dm(pool: PgPool) {
    use super::slack::{SAM, reply_text};
    let (slack, dispatcher) = super::slack_loop::prepared(pool).await;
    dispatcher.run_once().await.unwrap();
    let before = slack.sent("chat.postMessage").await.len();
    slack
        .bot
        .grant_role("slack", SAM, cohortbot::domain::Role::Steward)
        .await;
    slack
        .bot
        .clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 9, 0, 0).unwrap());
    let scheduled = slack
        .command(
            "event schedule spring-makers-2027 2027-03-12T17:00 demo_day Demo night selection:host_picks closes:1d",
            "t-schedule",
        )
        .await;
    let text = reply_text(&scheduled);
    assert!(
        text.ends_with("The host picks who comes from the sign-ups. Sign-ups close Thu 11 Mar 2027 17:00 Europe/Berlin (16:00 UTC)."),
        "{text}"
    );
    let signed = reply_text(&slack.command("event rsvp 1", "t-rsvp").await);
    assert!(
        signed.starts_with("You're signed up for *#1* Demo night"),
        "{signed}"
    );
    // Slack sends the mention as a link; it names the member.
    let picked = reply_text(
        &slack
            .command("event pick 1 <@U0SAM0001|sam>", "t-pick")
            .await,
    );
    assert_eq!(
        picked,
        "Session #1: picked Sam C. Each one newly picked gets a DM. Nobody is left on standby."
    );
    let listed = reply_text(&slack.command("event list", "t-list").await);
    assert!(
        listed.contains(
            ", 1 RSVP, the host picks, sign-ups close Thu 11 Mar 2027 17:00 (Europe/Berlin)"
        ),
        "{listed}"
    );
    // Not linked to Discord: /event mirror says so.
    let mirror = reply_text(&slack.command("event mirror", "t-mirror").await);
    assert_eq!(
        mirror,
        "This community is not linked to a Discord server, so no sessions are mirrored as Discord events."
    );
    dispatcher.run_once().await.unwrap();
    let sent = slack.sent("chat.postMessage").await;
    let texts: Vec<&str> = sent[before..]
        .iter()
        .map(|m| m["blocks"][0]["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 2, "{texts:#?}");
    assert!(
        texts[0].starts_with("📅 New session *#1* Demo night"),
        "{texts:#?}"
    );
    assert_eq!(
        texts[1],
        "✅ You're in: Sam C picked you for *#1* Demo night (Demo day), Fri 12 Mar 2027 17:00 (Europe/Berlin), in spring-makers. I'll remind you a day and an hour before. Can't come after all? `/cohort event unrsvp 1` frees your place."
    );
    // Sam picked himself: withdrawing, he is not told of his own free place.
    let withdrawn = reply_text(&slack.command("event unrsvp 1", "t-unrsvp").await);
    assert!(
        withdrawn.starts_with("You're off the list for *#1* Demo night"),
        "{withdrawn}"
    );
    dispatcher.run_once().await.unwrap();
    assert_eq!(slack.sent("chat.postMessage").await.len(), before + 2);
}
