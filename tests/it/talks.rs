//! Sessions and lightning talks: scheduling, the waitlist, RSVPs, attendance, reminders
//! across time zones, moves and cancellations, recurring sessions and the iCal feed.

use std::io::BufReader;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use sqlx::PgPool;
use tower::ServiceExt;

use crate::support::TestBot;

const SPRING: &str = "spring-makers-2027";

/// Sam, Lee and Kim in Spring Makers; Ada (steward) schedules session #1 with two talk
/// slots on Thursday 2027-03-11 16:00 Berlin (15:00 UTC).
async fn with_session(pool: PgPool) -> TestBot {
    let bot = TestBot::new(pool).await;
    for learner in ["sam", "lee", "kim"] {
        bot.enroll(learner, SPRING, Some("short-modules")).await;
    }
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap());
    let said = bot
        .say(
            "ada",
            "/event schedule spring-makers-2027 2027-03-11T16:00 lightning_talks Spring lightning talks slots:2",
        )
        .await;
    assert!(said.reply().starts_with("Scheduled #1 Spring lightning talks (Lightning talks) for Spring Makers 2027: Thu 11 Mar 2027 16:00 Europe/Berlin (15:00 UTC), 60 min, 2 talk slots."), "{}", said.reply());
    let posts = said.channel_posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].0, "spring-makers");
    assert!(
        posts[0]
            .1
            .starts_with("📅 New session #1 Spring lightning talks"),
        "{}",
        posts[0].1
    );
    bot
}

async fn talk_statuses(bot: &TestBot) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT m.platform_user_id, t.status FROM talks t JOIN members m ON m.id = t.speaker_id
         ORDER BY t.status, t.queue_position",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_full_session_waitlists_and_a_withdrawal_promotes_the_first_waiting_speaker(
    pool: PgPool,
) {
    let bot = with_session(pool).await;
    let said = bot
        .say(
            "sam",
            "/talk propose \"Approvals in Teams\" how we cut email by half",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Your talk Approvals in Teams has slot 1 of 2 in #1 Spring lightning talks (Lightning talks), Thu 11 Mar 2027 16:00 (Europe/Berlin). I'll remind you a day and an hour before.\nAbstract: how we cut email by half"
    );
    bot.ok("lee", "/talk propose \"Excel to Dataverse\" session:1")
        .await;
    let said = bot.say("kim", "/talk propose \"My first app\"").await;
    assert!(
        said.reply()
            .contains("is full, so your talk My first app is number 1 on the waitlist."),
        "{}",
        said.reply()
    );

    let list = bot
        .say("ada", "/talk list spring-makers-2027")
        .await
        .reply()
        .to_owned();
    assert!(
        list.contains("2 of 2 talk slots taken, 1 waiting"),
        "{list}"
    );
    assert!(
        list.contains("1. Approvals in Teams — Sam Carter"),
        "{list}"
    );
    assert!(list.contains("waitlist 1. My first app — kim"), "{list}");

    let said = bot.say("sam", "/talk withdraw").await;
    assert_eq!(
        said.reply(),
        "Your talk Approvals in Teams is withdrawn from #1 Spring lightning talks (Lightning talks)."
    );
    assert_eq!(
        said.dms(),
        [(
            "kim",
            "🎉 A slot opened up: your talk My first app now has slot 2 in #1 Spring lightning talks (Lightning talks), Thu 11 Mar 2027 16:00 (Europe/Berlin)."
        )]
    );
    assert_eq!(
        talk_statuses(&bot).await,
        [
            ("lee".to_owned(), "active".to_owned()),
            ("kim".to_owned(), "active".to_owned()),
            ("sam".to_owned(), "withdrawn".to_owned()),
        ]
    );
    let mine = bot.say("kim", "/talk mine").await.reply().to_owned();
    assert!(
        mine.contains("My first app in #1 Spring lightning talks"),
        "{mine}"
    );
    assert!(mine.ends_with(": slot 2"), "{mine}");
}

#[sqlx::test]
async fn one_active_talk_per_speaker_per_session(pool: PgPool) {
    let bot = with_session(pool).await;
    bot.ok("sam", "/talk propose \"First\"").await;
    let said = bot.say("sam", "/talk propose \"Second\" session:1").await;
    assert_eq!(
        said.reply(),
        "You already have a talk in session #1: First. One talk per speaker per session; `/talk withdraw` it first to propose another."
    );
    assert_eq!(bot.count("talks").await, 1);
}

#[sqlx::test]
async fn bad_talk_input_is_explained_and_changes_nothing(pool: PgPool) {
    let bot = with_session(pool).await;
    let long = "x".repeat(101);
    let said = bot.say("sam", &format!("/talk propose \"{long}\"")).await;
    assert!(
        said.reply()
            .contains("`title` is 101 characters long; the limit is 100"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/talk propose \"\"").await;
    assert!(
        said.reply().contains("`title` can't be empty"),
        "{}",
        said.reply()
    );
    let said = bot
        .say("sam", &format!("/talk propose Title {}", "y".repeat(1001)))
        .await;
    assert!(
        said.reply().contains("the limit is 1000"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/talk propose Title session:99").await;
    assert_eq!(
        said.reply(),
        "There is no session #99. `/talk list` shows the upcoming ones."
    );
    // A clinic has a line, not talk slots: its slots are refused, and a talk goes to the
    // lightning talks even when the clinic comes first.
    let said = bot
        .say(
            "ada",
            "/event schedule spring-makers-2027 2027-03-09T12:00 clinic \"Chart clinic\" slots:2",
        )
        .await;
    assert_eq!(
        said.reply(),
        "`slots` are talk slots, and Problem-solving clinic sessions have no talks: people get in line with `/clinic join` instead. Leave out `slots:`, or schedule lightning talks or a demo day."
    );
    bot.ok(
        "ada",
        "/event schedule spring-makers-2027 2027-03-09T12:00 clinic \"Chart clinic\"",
    )
    .await;
    let said = bot.say("sam", "/talk propose Charts session:2").await;
    assert_eq!(
        said.reply(),
        "Session #2 has no talk slots. `/talk list` shows sessions that do."
    );
    let said = bot.say("sam", "/talk propose \"Charts in flows\"").await;
    assert!(
        said.reply()
            .starts_with("Your talk Charts in flows has slot 1 of 2 in #1 Spring lightning talks"),
        "{}",
        said.reply()
    );
    assert!(said.told().is_empty(), "{:?}", said.told());
    bot.ok("sam", "/talk withdraw 1").await;
    // A title typed without quotes ends at its first word: the reply reads the rest back
    // as the abstract, and says how to give the longer title.
    let said = bot
        .say("sam", "/talk propose Power Automate tips for beginners")
        .await;
    assert_eq!(
        said.reply(),
        "Your talk Power has slot 1 of 2 in #1 Spring lightning talks (Lightning talks), Thu 11 Mar 2027 16:00 (Europe/Berlin). I'll remind you a day and an hour before.\nAbstract: Automate tips for beginners\nIs your title longer than Power? A title of several words goes in quotes: take this one back with `/talk withdraw 1` and propose it again as `/talk propose \"Power …\" …`."
    );
    bot.ok("sam", "/talk withdraw 1").await;

    // A session that has started takes no more talks or RSVPs.
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 15, 5, 0).unwrap());
    let said = bot.say("sam", "/talk propose \"Too late\" session:1").await;
    assert_eq!(
        said.reply(),
        "Session #1 has already started or is over, so it takes no more sign-ups."
    );
    let said = bot.say("sam", "/event rsvp 1").await;
    assert_eq!(
        said.reply(),
        "Session #1 has already started or is over, so it takes no more sign-ups."
    );
    assert_eq!(bot.count("talks WHERE title = 'Too late'").await, 0);
    assert_eq!(bot.count("session_rsvps").await, 0);
}

#[sqlx::test]
async fn only_hosts_schedule_and_times_must_exist_and_be_ahead(pool: PgPool) {
    let bot = with_session(pool).await;
    let said = bot
        .say(
            "sam",
            "/event schedule spring-makers-2027 2027-04-01T16:00 clinic Help",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards, the session's host and the lead mentors of its cohort (or the leads of its circle) can do that."
    );
    let said = bot
        .say(
            "ada",
            "/event schedule spring-makers-2027 2027-02-01T16:00 clinic Help",
        )
        .await;
    assert!(said.reply().contains("is in the past"), "{}", said.reply());
    // 02:30 on 2027-03-28 does not exist in Berlin (clocks jump from 02:00 to 03:00).
    let said = bot
        .say(
            "ada",
            "/event schedule spring-makers-2027 2027-03-28T02:30 clinic Help",
        )
        .await;
    assert_eq!(
        said.reply(),
        "2027-03-28 02:30:00 doesn't exist in Europe/Berlin: the clocks skip it (daylight saving). Pick another time."
    );
    // The cohort's lead mentor may schedule, in her own zone if she says so.
    let said = bot
        .say(
            "grace",
            "/event schedule spring-makers-2027 2027-04-01T10:00 office_hours Office hours timezone:America/New_York duration:30m",
        )
        .await;
    assert_eq!(said.told(), ["#spring-makers"]);
    assert!(
        said.reply()
            .contains("Thu 1 Apr 2027 16:00 Europe/Berlin (14:00 UTC), 30 min, 0 talk slots"),
        "{}",
        said.reply()
    );
    assert_eq!(bot.count("sessions").await, 2);
}

#[sqlx::test]
async fn reminders_reach_speakers_and_rsvps_at_the_right_local_times(pool: PgPool) {
    let bot = with_session(pool).await;
    bot.ok("sam", "/talk propose \"Approvals in Teams\"").await;
    bot.ok("lee", "/talk propose \"Excel to Dataverse\"").await;
    // Ken is in Tokyo and María in Denver; Lee speaks and also RSVPs (told once).
    for who in ["ken", "maria", "lee"] {
        let said = bot.say(who, "/event rsvp 1").await;
        assert!(
            said.reply().starts_with("You're on the list"),
            "{}",
            said.reply()
        );
    }
    let said = bot.say("ken", "/event rsvp 1").await;
    assert_eq!(
        said.reply(),
        "You already RSVPed to session #1. See you there!"
    );
    assert_eq!(bot.count("session_rsvps").await, 3);

    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 14, 0, 0).unwrap());
    bot.tick().await;
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
    ])
    .await;
    // One minute before the 24 h mark: nothing yet.
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 14, 59, 0).unwrap());
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());

    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 15, 0, 0).unwrap());
    bot.tick().await;
    let mut sent = bot.deliver().await.into_vec();
    sent.sort();
    let to: Vec<&str> = sent.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(to, ["#spring-makers", "@ken", "@lee", "@maria", "@sam"]);
    let text = |who: &str| sent.iter().find(|(to, _)| to == who).unwrap().1.clone();
    assert_eq!(
        text("@sam"),
        "🎤 Reminder: you speak at #1 Spring lightning talks (Lightning talks) in 24 hours, Thu 11 Mar 2027 16:00 (Europe/Berlin). You're talk 1 of the lineup."
    );
    assert!(text("@lee").contains("You're talk 2 of the lineup."));
    assert_eq!(
        text("@ken"),
        "🔔 Reminder: #1 Spring lightning talks (Lightning talks) starts in 24 hours, Fri 12 Mar 2027 00:00 (Asia/Tokyo), in spring-makers."
    );
    assert!(
        text("@maria").contains("Thu 11 Mar 2027 08:00 (America/Denver)"),
        "{}",
        text("@maria")
    );
    let lineup = text("#spring-makers");
    assert!(
        lineup.starts_with("📣 #1 Spring lightning talks (Lightning talks) starts in 24 hours: Thu 11 Mar 2027 16:00 Europe/Berlin (15:00 UTC)"),
        "{lineup}"
    );
    assert!(
        lineup.contains("1. Approvals in Teams — Sam Carter\n  2. Excel to Dataverse — lee"),
        "{lineup}"
    );

    // The same tick again sends nothing; the 1 h reminder comes at 14:00 UTC next day.
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 14, 0, 0).unwrap());
    bot.tick().await;
    let sent = bot.deliver().await;
    assert_eq!(sent.len(), 5, "{sent:?}");
    assert!(
        sent.iter().all(|(_, text)| text.contains("in 1 hour")),
        "{sent:?}"
    );
}

#[sqlx::test]
async fn a_moved_session_tells_everyone_once_and_reminds_at_the_new_time(pool: PgPool) {
    let bot = with_session(pool).await;
    bot.ok("sam", "/talk propose \"Approvals in Teams\"").await;
    bot.ok("sam", "/event rsvp 1").await;
    bot.ok("ken", "/event rsvp 1").await;
    let said = bot.say("sam", "/event move 1 2027-03-12T10:00").await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards, the session's host and the lead mentors of its cohort (or the leads of its circle) can do that."
    );
    let said = bot.say("ada", "/event move 1 2027-03-12T10:00").await;
    assert!(
        said.reply().ends_with("I told 2 people involved."),
        "{}",
        said.reply()
    );
    let dms = said.dms();
    assert_eq!(dms.len(), 2, "{dms:?}");
    assert!(dms.contains(&(
        "Ken Watanabe",
        "⏰ #1 Spring lightning talks (Lightning talks) has moved from Fri 12 Mar 2027 00:00 (Asia/Tokyo) to Fri 12 Mar 2027 18:00 (Asia/Tokyo)."
    )), "{dms:?}");
    assert_eq!(said.channel_posts().len(), 1);

    // No reminder at the old time; one at the new.
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 14, 0, 0).unwrap());
    bot.tick().await;
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "@ken",
        "@sam",
    ])
    .await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 15, 0, 0).unwrap());
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 9, 0, 0).unwrap());
    bot.tick().await;
    assert_eq!(bot.deliver().await.len(), 3);
}

#[sqlx::test]
async fn a_cancelled_session_tells_everyone_once_and_sends_no_reminders(pool: PgPool) {
    let bot = with_session(pool).await;
    bot.ok("sam", "/talk propose \"Approvals in Teams\"").await;
    bot.ok("sam", "/event rsvp 1").await;
    bot.ok("maria", "/event rsvp 1").await;
    let said = bot.say("ada", "/event cancel 1").await;
    assert_eq!(
        said.reply(),
        "Cancelled #1 Spring lightning talks (Lightning talks). I told 2 people involved."
    );
    let mut dms = said.dms();
    dms.sort();
    assert_eq!(
        dms,
        [
            (
                "María Torres",
                "❌ #1 Spring lightning talks (Lightning talks) on Thu 11 Mar 2027 08:00 (America/Denver) is cancelled."
            ),
            (
                "Sam Carter",
                "❌ #1 Spring lightning talks (Lightning talks) on Thu 11 Mar 2027 16:00 (Europe/Berlin) is cancelled."
            ),
        ]
    );
    let said = bot.say("ada", "/event cancel 1").await;
    assert_eq!(
        said.reply(),
        "Session #1 has been cancelled already, so nothing changed."
    );
    assert!(said.posts().is_empty());
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "@maria",
        "@sam",
    ])
    .await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 14, 0, 0).unwrap());
    bot.tick().await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 15, 0, 0).unwrap());
    bot.tick().await;
    let sent = bot.deliver().await;
    assert!(
        sent.iter().all(|(_, text)| !text.contains("#1 Spring")),
        "{sent:?}"
    );
}

#[sqlx::test]
async fn attendance_by_host_and_by_code_only_while_the_session_runs(pool: PgPool) {
    let bot = with_session(pool).await;
    let code: String = sqlx::query_scalar("SELECT checkin_code FROM sessions WHERE number = 1")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    let said = bot.say("ada", "/event code 1").await;
    assert!(
        said.reply().contains(&format!("is `{code}`")),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/event code 1").await;
    assert!(
        said.reply().starts_with("Sorry, only stewards"),
        "{}",
        said.reply()
    );

    let said = bot.say("sam", &format!("/event checkin {code}")).await;
    assert_eq!(said.reply(), "Session #1 hasn't started yet.");

    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 15, 10, 0).unwrap());
    let said = bot
        .say("sam", &format!("/event checkin {}", code.to_lowercase()))
        .await;
    assert_eq!(
        said.reply(),
        "Checked in to #1 Spring lightning talks (Lightning talks). Enjoy!"
    );
    let said = bot.say("sam", &format!("/event checkin {code}")).await;
    assert_eq!(said.reply(), "You're already checked in to session #1.");
    let said = bot.say("lee", "/event checkin WRONG1").await;
    assert_eq!(
        said.reply(),
        "That code doesn't match any session. Check it with your host."
    );

    let said = bot.say("ada", "/event attended 1 @lee @nobody").await;
    assert!(
        said.reply().starts_with("I don't know a member `@nobody`"),
        "{}",
        said.reply()
    );
    assert_eq!(bot.count("session_attendance").await, 1);
    let said = bot.say("ada", "/event attended 1 @lee, @sam").await;
    assert_eq!(
        said.reply(),
        "Attendance for session #1: recorded lee (already recorded: Sam Carter)."
    );

    // After the end the code no longer works, and nothing is recorded.
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 16, 0, 0).unwrap());
    let said = bot.say("kim", &format!("/event checkin {code}")).await;
    assert_eq!(
        said.reply(),
        "Session #1 is over, so its check-in code no longer works. Ask the host to record your attendance."
    );
    assert_eq!(bot.count("session_attendance").await, 2);
}

#[sqlx::test]
async fn recurring_lightning_talks_come_from_the_program_every_other_thursday(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap());
    bot.tick().await;
    let starts = series_starts(&bot).await;
    // 16:00 Berlin: 15:00 UTC in winter; the cohort's first week (from 2027-03-01) counts.
    assert_eq!(
        starts,
        [
            Utc.with_ymd_and_hms(2027, 3, 4, 15, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 18, 15, 0, 0).unwrap(),
        ]
    );
    // Cancelling one occurrence does not bring it back on the next pass.
    bot.ok("ada", "/event cancel 1").await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 2, 0, 0, 0).unwrap());
    bot.tick().await;
    assert_eq!(bot.count("sessions").await, 2);
    let status: String = sqlx::query_scalar("SELECT status FROM sessions WHERE number = 1")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(status, "cancelled");
}

/// When the program's recurring sessions start, soonest first.
async fn series_starts(bot: &TestBot) -> Vec<chrono::DateTime<Utc>> {
    sqlx::query_scalar(
        "SELECT starts_at FROM sessions WHERE series_id IS NOT NULL ORDER BY starts_at",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap()
}

/// RFC 5545 text unescaping, for comparing parsed values with what was typed.
fn unescape(value: &str) -> String {
    value
        .replace("\\n", "\n")
        .replace("\\N", "\n")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

pub(crate) async fn get(bot: &TestBot, uri: &str) -> (StatusCode, String) {
    let response = cohortbot::web::ical::routes(&bot.services)
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

pub(crate) fn ical_path(reply: &str) -> String {
    let start = reply.find("/ical/").expect("a calendar path");
    reply[start..].split('`').next().unwrap().to_owned()
}

#[sqlx::test]
async fn the_secret_calendar_round_trips_through_a_real_parser_and_rotates(pool: PgPool) {
    let bot = with_session(pool).await;
    bot.ok(
        "ada",
        "/event schedule spring-makers-2027 2027-03-18T16:00 demo_day \"Demo day: flows, apps; and more\" location:\"Room 3, Berlin\"",
    )
    .await;
    bot.ok("sam", "/talk propose \"Approvals, fast\" session:1")
        .await;
    let reply = bot.say("sam", "/event ical").await.reply().to_owned();
    let path = ical_path(&reply);
    assert!(
        path.starts_with("/ical/acme-makers/spring-makers-2027.ics?key="),
        "{path}"
    );
    // The whole link, to paste into a calendar app as it is.
    assert_eq!(
        reply,
        format!(
            "Calendar link for Spring Makers 2027 (add it to your calendar app; keep it to yourself): `{}{path}`.",
            crate::support::PUBLIC_URL
        )
    );

    let (status, body) = get(&bot, &path).await;
    assert_eq!(status, StatusCode::OK);
    let calendar = ical::IcalParser::new(BufReader::new(body.as_bytes()))
        .next()
        .expect("one calendar")
        .expect("parses");
    assert_eq!(calendar.events.len(), 2);
    let prop = |i: usize, name: &str| {
        calendar.events[i]
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(unescape(&prop(0, "SUMMARY")), "Spring lightning talks");
    assert_eq!(prop(0, "DTSTART"), "20270311T150000Z");
    assert_eq!(prop(0, "DTEND"), "20270311T160000Z");
    assert_eq!(prop(0, "STATUS"), "CONFIRMED");
    assert!(unescape(&prop(0, "DESCRIPTION")).contains("1. Approvals, fast — Sam Carter"));
    assert_eq!(
        unescape(&prop(1, "SUMMARY")),
        "Demo day: flows, apps; and more"
    );
    assert_eq!(unescape(&prop(1, "LOCATION")), "Room 3, Berlin");
    assert_eq!(prop(0, "SEQUENCE"), "0");
    let product: Vec<&str> = calendar
        .properties
        .iter()
        .filter(|p| p.name == "PRODID")
        .filter_map(|p| p.value.as_deref())
        .collect();
    assert_eq!(product.len(), 1);
    assert!(
        product[0].starts_with("-//cohortbot//cohortbot "),
        "{product:?}"
    );

    // A moved session is a new revision of its event, and so is a cancelled one, which
    // stays in the feed as cancelled.
    let said = bot.say("ada", "/event move 1 2027-03-12T10:00").await;
    assert_eq!(said.told(), ["@Sam Carter", "#spring-makers"]);
    assert!(said.reply().starts_with("Moved #1"), "{}", said.reply());
    bot.ok("ada", "/event cancel 2").await;
    let (_, body) = get(&bot, &path).await;
    assert!(body.contains("STATUS:CANCELLED"), "{body}");
    let sequences: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("SEQUENCE:"))
        .collect();
    assert_eq!(sequences, ["1", "1"], "{body}");

    // Wrong keys and unknown cohorts look the same.
    let (status, _) = get(&bot, "/ical/acme-makers/spring-makers-2027.ics?key=guess").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&bot, "/ical/acme-makers/spring-makers-2027.ics").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Only stewards rotate; afterwards the old link is dead and the new one works.
    let said = bot.say("sam", "/event ical rotate").await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards can use `/event ical rotate`."
    );
    let said = bot
        .say("ada", "/event ical rotate spring-makers-2027")
        .await;
    assert!(
        said.reply().contains("The old link no longer works."),
        "{}",
        said.reply()
    );
    let new_path = ical_path(said.reply());
    assert_ne!(new_path, path);
    assert_eq!(get(&bot, &path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get(&bot, &new_path).await.0, StatusCode::OK);

    // Members of another cohort don't get the link.
    let said = bot
        .say("maria", "/event ical link spring-makers-2027")
        .await;
    assert_eq!(
        said.reply(),
        "The calendar of Spring Makers 2027 is for its members and hosts."
    );
}

/// The real binary on the embedded database: moving the shell's clock fires the reminders.
#[cfg(feature = "embedded")]
#[test]
fn in_the_shell_moving_the_clock_fires_session_reminders() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = crate::embedded::run_shell(
        dir.path(),
        "/clock set 2027-03-08T09:00 Europe/Berlin\n\
         /talk propose \"Approvals in Teams\" session:1\n\
         /clock set 2027-03-17T16:00 Europe/Berlin\n",
    );
    assert!(
        stdout.contains("[DM → Sam Carter] 🎤 Reminder: you speak at #1 Lightning talks in 24 hours, Thu 18 Mar 2027 16:00 (Europe/Berlin). You're talk 1 of the lineup."),
        "{stdout}"
    );
    assert!(
        stdout.contains("[#spring-makers] 📣 #1 Lightning talks starts in 24 hours"),
        "{stdout}"
    );
}

#[sqlx::test]
async fn a_session_set_up_less_than_a_day_ahead_gets_only_the_one_hour_reminder(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 8, 0, 0).unwrap());
    bot.tick().await;
    bot.deliver().await;
    // Created at 10:00 for 09:00 tomorrow: its 24 h mark (09:00 today) has passed.
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 10, 0, 0).unwrap());
    bot.ok(
        "ada",
        "/event schedule spring-makers-2027 2027-03-11T10:00 office_hours Office hours",
    )
    .await;
    bot.ok("sam", "/event rsvp 3").await;
    bot.deliver_to(&["#spring-makers"]).await;
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 8, 0, 0).unwrap());
    bot.tick().await;
    let sent = bot.deliver().await;
    let to_sam: Vec<&str> = sent
        .iter()
        .filter(|(to, _)| to == "@sam")
        .map(|(_, text)| text.as_str())
        .collect();
    assert_eq!(
        to_sam,
        [
            "🔔 Reminder: #3 Office hours starts in 1 hour, Thu 11 Mar 2027 10:00 (Europe/Berlin), in spring-makers."
        ]
    );
}

#[sqlx::test]
async fn another_communitys_steward_cannot_touch_our_sessions_or_badges(pool: PgPool) {
    use cohortbot::clock::Clock;
    use cohortbot::program::{self, ProgramFile};
    const OTHER: &str = r#"
[[community]]
slug = "globex-builders"
name = "Globex Builders"
code_of_conduct = "Be excellent to each other."

  [[community.people]]
  user_id = "hank"
  name = "Hank Scorpio"
  roles = ["steward"]
"#;
    let bot = with_session(pool).await;
    let other = ProgramFile::parse(OTHER, "other").unwrap();
    program::import(&bot.pool, &other, bot.clock.now())
        .await
        .unwrap();
    let said = bot
        .say_in("globex-builders", "hank", "/event cancel 1")
        .await;
    assert_eq!(
        said.reply(),
        "There is no session #1. `/talk list` shows the upcoming ones."
    );
    let said = bot.say_in("globex-builders", "hank", "/talk list").await;
    assert_eq!(
        said.reply(),
        "No upcoming sessions yet. Stewards and lead mentors schedule them with `/event schedule`; ask one if you have a talk in mind."
    );

    bot.ok("sam", "/milestone submit flows-101 https://example.org/f")
        .await;
    bot.ok("grace", "/milestone verify @sam flows-101").await;
    let badge: uuid::Uuid = sqlx::query_scalar("SELECT id FROM badges")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    let said = bot
        .say_in(
            "globex-builders",
            "hank",
            &format!("/badge revoke {badge} mine now"),
        )
        .await;
    assert!(
        said.reply().starts_with("There is no badge"),
        "{}",
        said.reply()
    );
    let revoked: Option<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT revoked_at FROM badges")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(revoked, None);
}

#[sqlx::test]
async fn a_recurring_session_can_keep_its_own_time_zone(pool: PgPool) {
    use cohortbot::clock::Clock;
    use cohortbot::program::{self, ProgramFile};
    let bot = TestBot::new(pool).await;
    // "Lightning talks every other Thursday 16:00 Europe/London" in a Berlin cohort.
    let edited = crate::support::EXAMPLE.replacen(
        "cron = \"0 16 * * THU\"",
        "cron = \"0 16 * * THU\"\n    timezone = \"europe/london\"",
        1,
    );
    assert_ne!(edited, crate::support::EXAMPLE);
    let file = ProgramFile::parse(&edited, "edited").unwrap();
    program::import(&bot.pool, &file, bot.clock.now())
        .await
        .unwrap();
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap());
    bot.tick().await;
    let starts = series_starts(&bot).await;
    // 16:00 in London is 16:00 UTC in winter (Berlin's 16:00 would be 15:00 UTC).
    assert_eq!(
        starts,
        [
            Utc.with_ymd_and_hms(2027, 3, 4, 16, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 3, 18, 16, 0, 0).unwrap(),
        ]
    );
    // Stored canonically, and exported as stored.
    let zone: String = sqlx::query_scalar("SELECT timezone FROM session_series")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(zone, "Europe/London");
    let exported = program::export::export(&bot.pool)
        .await
        .unwrap()
        .to_toml()
        .unwrap();
    assert!(
        exported.contains("timezone = \"Europe/London\""),
        "{exported}"
    );
}

#[sqlx::test]
async fn a_reminder_still_undelivered_when_the_session_starts_is_dead_lettered_as_too_late(
    pool: PgPool,
) {
    let bot = with_session(pool).await;
    bot.ok("ken", "/event rsvp 1").await;
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
    ])
    .await;
    // The 1 h reminder (the 24 h one is past its grace by now): Ken and the channel. The
    // first pass only sets where the scheduler starts from.
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 13, 59, 0).unwrap());
    bot.tick().await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 14, 0, 0).unwrap());
    bot.tick().await;
    let outage = || cohortbot::outbox::SendError::Transient {
        reason: "HTTP 503".into(),
        retry_after: Some(std::time::Duration::from_secs(3_600)),
    };
    bot.sender.fail_with([outage(), outage()]);
    assert!(bot.deliver().await.is_empty(), "the platform is down");

    // The platform is back only after the session started: the reminders are pointless.
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 15, 0, 0).unwrap());
    assert!(
        bot.deliver().await.is_empty(),
        "no reminder after the start"
    );
    let dead: Vec<(String, String)> = sqlx::query_as(
        "SELECT dead_reason, last_error FROM outbox WHERE status = 'dead' ORDER BY id",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(
        dead,
        vec![
            (
                "deadline".to_owned(),
                "its deadline passed before it could be delivered (last error: HTTP 503)"
                    .to_owned()
            );
            2
        ]
    );
    let said = bot.say("ada", "/outbox failed reason:deadline").await;
    assert!(
        said.reply().starts_with("2 failed posts (newest first):"),
        "{}",
        said.reply()
    );
    assert!(
        said.reply().contains("too late to be useful"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn an_rsvp_can_be_taken_back_and_event_list_shows_the_sessions(pool: PgPool) {
    let bot = with_session(pool).await;
    let listed = bot.say("sam", "/event list").await.reply().to_owned();
    assert_eq!(listed, bot.say("sam", "/talk list").await.reply());
    let said = bot.say("sam", "/event unrsvp 1").await;
    assert_eq!(
        said.reply(),
        "You had not RSVPed to session #1, so there is nothing to take back. `/event list` shows the upcoming sessions."
    );
    bot.ok("sam", "/event rsvp #1").await;
    assert_eq!(bot.count("session_rsvps").await, 1);
    let said = bot.say("sam", "/event unrsvp #1").await;
    assert_eq!(
        said.reply(),
        "You're off the list for #1 Spring lightning talks (Lightning talks); no reminders will come. `/event rsvp 1` puts you back."
    );
    assert_eq!(bot.count("session_rsvps").await, 0);
    bot.ok("sam", "/event rsvp 1").await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 11, 15, 5, 0).unwrap());
    let said = bot.say("sam", "/event unrsvp 1").await;
    assert_eq!(
        said.reply(),
        "Session #1 has already started, so the list is final. Tell the host if you can't make it."
    );
    assert_eq!(bot.count("session_rsvps").await, 1);
}

#[sqlx::test]
async fn a_long_session_list_comes_a_page_at_a_time(pool: PgPool) {
    let bot = with_session(pool).await;
    for day in 12..=17 {
        let said = bot
            .say(
                "ada",
                &format!(
                    "/event schedule spring-makers-2027 2027-03-{day}T16:00 clinic Clinic {day}"
                ),
            )
            .await;
        assert_eq!(said.told(), ["#spring-makers"]);
        assert!(said.reply().starts_with("Scheduled"), "{}", said.reply());
    }
    let first = bot.say("sam", "/talk list").await.reply().to_owned();
    assert!(
        first.starts_with("Upcoming sessions, page 1 of 2:"),
        "{first}"
    );
    assert!(
        first.contains("Clinic 15") && !first.contains("Clinic 16"),
        "{first}"
    );
    assert!(first.ends_with("More: `/talk list page:2`"), "{first}");
    let second = bot
        .say("sam", "/event list spring-makers-2027 page:2")
        .await
        .reply()
        .to_owned();
    assert!(
        second.starts_with("Upcoming sessions, page 2 of 2:"),
        "{second}"
    );
    assert!(
        second.contains("Clinic 16") && second.contains("Clinic 17"),
        "{second}"
    );
    assert!(!second.contains("More:"), "{second}");
    let said = bot.say("sam", "/talk list page:3").await;
    assert_eq!(said.reply(), "There is no page 3: the list has 2 pages.");
}

#[sqlx::test]
async fn on_discord_a_speaker_reads_back_their_abstract_in_talk_mine(pool: PgPool) {
    use crate::discord_support::{BEA, DiscordBot};
    use serde_json::json;

    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    d.bot
        .clock
        .set(Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap());
    d.bot
        .ok(
            "ada",
            "/event schedule spring-makers-2027 2027-03-11T16:00 lightning_talks Spring lightning talks slots:2",
        )
        .await;
    let summary =
        "Two flows that replaced **40 emails** a week.\n承認フローの話 🚀 \"quoted\" @everyone";
    let propose = DiscordBot::as_member(
        d.command(
            20,
            "talk",
            Some("propose"),
            json!([
                { "name": "title", "type": 3, "value": "Approvals in Teams" },
                { "name": "abstract", "type": 3, "value": summary }
            ]),
        ),
        BEA,
        "Bea",
    );
    let proposed = d.run(propose).await;
    assert_eq!(
        proposed,
        "Your talk Approvals in Teams has slot 1 of 2 in **\\#1** Spring lightning talks (Lightning talks), Thu 11 Mar 2027 16:00 (Europe/Berlin). I'll remind you a day and an hour before.\n\
         Abstract: Two flows that replaced \\*\\*40 emails\\*\\* a week.\n\
         承認フローの話 🚀 \"quoted\" @\u{200b}everyone"
    );
    let mine = d
        .run(DiscordBot::as_member(
            d.command(21, "talk", Some("mine"), json!([])),
            BEA,
            "Bea",
        ))
        .await;
    assert_eq!(
        mine,
        "Your upcoming talks:\n\
         • Approvals in Teams in #1 Spring lightning talks, Thu 11 Mar 2027 16:00 (Europe/Berlin): slot 1\n    \
         Abstract: Two flows that replaced \\*\\*40 emails\\*\\* a week.\n\
         承認フローの話 🚀 \"quoted\" @\u{200b}everyone"
    );
}
