//! Continuity: absences (`/away`, `/back`, `/away set`, `/away list`), mentors' pauses as
//! absences, excused weeks in the digests, the welcome back, and cohort days off.

use chrono_tz::Asia::Tokyo;
use chrono_tz::Europe::Berlin;
use sqlx::PgPool;

use crate::support::TestBot;

const SPRING: &str = "spring-makers-2027";

/// Sam in Berlin and Yuki in Tokyo learn in Spring Makers; the lead's digest runs on Friday
/// evening, so it reports on the week just prompted in both zones.
async fn tokyo_and_berlin(pool: PgPool) -> TestBot {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", SPRING, Some("short-modules")).await;
    bot.enroll("yuki", SPRING, Some("projects")).await;
    bot.ok("yuki", "/me timezone Asia/Tokyo").await;
    bot.ok(
        "ada",
        "/schedule set spring-makers-2027 mentor_digest 0 17 * * FRI",
    )
    .await;
    bot.deliver_to(&["#spring-makers", "#spring-makers"]).await;
    bot
}

async fn prompts(bot: &TestBot) -> Vec<(String, Option<String>)> {
    sqlx::query_as(
        "SELECT m.platform_user_id || ' ' || p.period, p.excused FROM checkin_prompts p
         JOIN members m ON m.id = p.member_id ORDER BY 1",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn away_monday_to_friday_in_tokyo_excuses_the_week(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.set_local("2027-03-05 18:00", Tokyo);
    bot.tick().await;
    let said = bot
        .say(
            "yuki",
            "/away 2027-03-12 from:2027-03-08 note:\"family visit\"",
        )
        .await;
    assert_eq!(
        said.reply(),
        "You'll be away Mon 8 Mar 2027 through Fri 12 Mar 2027. Nothing changes until then: prompts and nudges keep coming until your first day away.\nPlans changed? `/back` cancels it, and `/away list` shows it."
    );

    // Monday 09:00 in Tokyo: Yuki is away, so no prompt; the week is recorded as excused.
    bot.set_local("2027-03-08 09:00", Tokyo);
    assert_eq!(bot.tick().await.posts, 0);
    bot.set_local("2027-03-08 09:00", Berlin);
    assert_eq!(bot.tick().await.posts, 1);
    bot.deliver_to(&["@sam"]).await;
    assert_eq!(
        prompts(&bot).await,
        [
            ("sam 2027-W10".to_owned(), None),
            ("yuki 2027-W10".to_owned(), Some("away".to_owned()))
        ]
    );

    // Wednesday's nudge skips her too; Sam, who has not answered, gets his.
    bot.set_local("2027-03-10 09:00", Tokyo);
    assert_eq!(bot.tick().await.posts, 0);
    bot.set_local("2027-03-10 09:00", Berlin);
    assert_eq!(bot.tick().await.posts, 1);
    bot.deliver_to(&["@sam"]).await;
    bot.ok("sam", "/checkin 4 built the intake flow").await;

    // Friday: the channel counts her as away without naming her; her lead sees the name.
    bot.set_local("2027-03-12 17:00", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await.into_vec();
    let digest = &delivered
        .iter()
        .find(|(to, _)| to == "#spring-makers")
        .unwrap()
        .1;
    assert!(
        digest.starts_with(
            "📊 Spring Makers 2027 — 2027-W10\nCheck-ins: 1 of 1 learner (100%) · 1 away\n"
        ),
        "{digest}"
    );
    assert!(!digest.contains("yuki"), "{digest}");
    let lead = &delivered.iter().find(|(to, _)| to == "@grace").unwrap().1;
    assert_eq!(
        lead,
        "Your learners in Spring Makers 2027, 2027-W10: 1 of 1 checked in.\nAway: yuki\nNobody looks at risk this week. 🎉"
    );
    assert_eq!(delivered.len(), 2, "{delivered:#?}");

    // Her first morning back, one DM says what she missed: Sam's talk, proposed meanwhile.
    bot.set_local("2027-03-13 08:59", Tokyo);
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());
    bot.set_local("2027-03-13 09:00", Tokyo);
    bot.tick().await;
    bot.set_local("2027-03-13 12:00", Tokyo);
    bot.tick().await;
    let welcome = bot.deliver().await.into_vec();
    assert_eq!(
        welcome,
        [(
            "@yuki".to_owned(),
            "👋 Welcome back! Nothing happened in your cohorts that needs you. Your next check-in prompt comes as usual.".to_owned()
        )]
    );
}

#[sqlx::test]
async fn the_welcome_back_names_sessions_replies_and_talks_missed(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.set_local("2027-03-07 10:00", Tokyo);
    bot.tick().await;
    bot.ok(
        "yuki",
        "/checkin 2 stuck on licences blockers:\"no licence\"",
    )
    .await;
    bot.deliver_to(&["@grace"]).await;
    bot.ok("yuki", "/away 2027-03-19 from:2027-03-15").await;
    // While she is away her lead replies, and a session is held (with Sam's talk, which is
    // no longer news when she is back).
    bot.set_local("2027-03-16 10:00", Berlin);
    bot.ok("grace", "/checkin reply @yuki ask IT for a trial licence")
        .await;
    bot.deliver_to(&["@yuki"]).await;
    bot.ok("sam", "/talk propose \"Approvals in Teams\" session:1")
        .await;
    bot.set_local("2027-03-18 18:00", Berlin);
    bot.tick().await;
    bot.deliver().await.into_vec();

    bot.set_local("2027-03-20 09:00", Tokyo);
    bot.tick().await;
    let delivered = bot.deliver().await.into_vec();
    let welcome: Vec<_> = delivered.iter().filter(|(to, _)| to == "@yuki").collect();
    assert_eq!(welcome.len(), 1, "{delivered:#?}");
    assert_eq!(
        welcome[0].1,
        "👋 Welcome back! While you were away:\n• 1 session held: Lightning talks\n• 1 reply from your mentor: `/checkin history`\nYour next check-in prompt comes as usual."
    );
}

#[sqlx::test]
async fn a_future_absence_changes_nothing_and_back_restores_the_next_prompt(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.set_local("2027-03-05 12:00", Berlin);
    bot.tick().await;
    bot.ok("sam", "/away 2027-03-19 from:2027-03-15").await;

    // This Monday's prompt still comes: the absence has not started.
    bot.set_local("2027-03-08 09:00", Berlin);
    assert_eq!(bot.tick().await.posts, 1);
    bot.deliver_to(&["@sam"]).await;
    bot.set_local("2027-03-15 09:00", Berlin);
    assert_eq!(bot.tick().await.posts, 0);
    // Nobody is asked to pair with someone away.
    bot.refused(
        "sam",
        "/pair request sql",
        "You're away, so nobody is asked to pair with you. Type `/back` first, then ask again.",
    )
    .await;

    // Back on Tuesday: told so, and next Monday's prompt comes as usual.
    bot.set_local("2027-03-16 10:00", Berlin);
    let said = bot.say("sam", "/back").await;
    assert_eq!(
        said.reply(),
        "👋 Welcome back! Nothing happened in your cohorts that needs you. Your next check-in prompt comes as usual."
    );
    bot.refused(
        "sam",
        "/back",
        "You're not away, and have no absence planned. To plan time off, type `/away <last day>`, like `/away 2027-04-30`.",
    )
    .await;
    bot.set_local("2027-03-22 09:00", Berlin);
    assert_eq!(bot.tick().await.posts, 1);
    bot.deliver_to(&["@sam"]).await;
    // Welcomed by /back already: the scheduler's morning pass sends nothing more.
    bot.set_local("2027-03-23 12:00", Berlin);
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());

    // /back before an absence starts cancels it.
    bot.ok("sam", "/away 2027-04-02 from:2027-03-29").await;
    let said = bot.say("sam", "/back").await;
    assert_eq!(
        said.reply(),
        "Cancelled your absence Mon 29 Mar 2027 through Fri 2 Apr 2027. Prompts keep coming as usual."
    );
}

#[sqlx::test]
async fn bad_absences_are_refused_with_the_reason(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.set_local("2027-03-10 12:00", Berlin);
    bot.refused(
        "sam",
        "/away 2027-03-12 from:2027-03-15",
        "Your last day away, Fri 12 Mar 2027, is before your first, Mon 15 Mar 2027.",
    )
    .await;
    bot.refused(
        "sam",
        "/away 2027-03-09",
        "Tue 9 Mar 2027 has passed. Give today or a later day as the last day away.",
    )
    .await;
    bot.refused(
        "sam",
        "/away 2027-03-12 from:2027-03-01",
        "An absence can start at the earliest on Mon 8 Mar 2027, the start of this week",
    )
    .await;
    bot.refused(
        "sam",
        "/away 2027-07-01",
        "That is 114 days away; the longest absence here is 90 days.",
    )
    .await;
    bot.refused("sam", "/away next-friday", "next-friday").await;
    bot.ok("sam", "/away 2027-03-19 from:2027-03-15").await;
    bot.refused(
        "sam",
        "/away 2027-03-22 from:2027-03-19",
        "You're already away Mon 15 Mar 2027 through Fri 19 Mar 2027. Pick days that don't overlap it, or end it first with `/back`.",
    )
    .await;
    // Only stewards record someone else's absence.
    bot.refused("sam", "/away set @yuki 2027-03-15 2027-03-16", "steward")
        .await;
    bot.refused("ada", "/away set @nobody 2027-03-15 2027-03-16", "nobody")
        .await;
    // A steward is told of the member's absence, not of "yours".
    bot.refused(
        "ada",
        "/away set @sam 2027-03-16 2027-03-12",
        "The last day away, Fri 12 Mar 2027, is before the first, Tue 16 Mar 2027. Give the last day away.",
    )
    .await;
    bot.refused(
        "ada",
        "/away set @sam 2027-03-16 2027-03-17",
        "Sam Carter is already away Mon 15 Mar 2027 through Fri 19 Mar 2027. Pick days that don't overlap it; Sam Carter can end it with `/back`.",
    )
    .await;
    assert_eq!(bot.count("absences").await, 1);
}

#[sqlx::test]
async fn who_sees_which_absences(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.set_local("2027-03-10 12:00", Berlin);
    bot.ok("sam", "/away 2027-03-19 from:2027-03-15 note:\"course\"")
        .await;
    let said = bot
        .say(
            "ada",
            "/away set @yuki 2027-03-10 2027-03-12 note:\"sick leave\"",
        )
        .await;
    assert_eq!(
        said.reply(),
        "yuki is away Wed 10 Mar 2027 through Fri 12 Mar 2027. They have been told, and get no prompts or nudges while away."
    );
    assert_eq!(
        said.dms(),
        [(
            "yuki",
            "Ada Okafor recorded you as away Wed 10 Mar 2027 through Fri 12 Mar 2027: no check-in prompts or nudges until then, and those weeks are excused.\nNote: sick leave\nBack sooner? Type `/back`."
        )]
    );

    let said = bot.say("sam", "/away list").await;
    assert_eq!(
        said.reply(),
        "Your absences\n• Mon 15 Mar 2027 through Fri 19 Mar 2027 — course"
    );
    // The lead sees their learners'; a steward sees everyone's; a learner only their own.
    let said = bot.say("grace", "/away list").await;
    assert_eq!(
        said.reply(),
        "You have no absence planned. To add one, type `/away <last day>`.\nYour learners away\n• yuki: Wed 10 Mar 2027 through Fri 12 Mar 2027 (now) — sick leave\n• Sam Carter: Mon 15 Mar 2027 through Fri 19 Mar 2027 — course"
    );
    let said = bot.say("ada", "/away list").await;
    assert!(
        said.reply().contains("Away in the community\n• yuki:"),
        "{}",
        said.reply()
    );
    let said = bot.say("yuki", "/away list").await;
    assert!(!said.reply().contains("Sam"), "{}", said.reply());
}

#[sqlx::test]
async fn a_mentor_pause_is_an_absence_and_back_ends_it(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.set_local("2027-03-10 12:00", Berlin);
    let said = bot.say("grace", "/mentor pause 2027-03-19").await;
    assert_eq!(
        said.reply(),
        "Paused. You won't be matched or prompted through Fri 19 Mar 2027. Your learners have been told who covers for you."
    );
    assert!(
        said.dms().is_empty(),
        "a lead by role has no matched learners to tell"
    );
    let scope: String = sqlx::query_scalar("SELECT scope FROM absences")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(scope, "mentoring");
    // A pause is not being away as a learner: it shows as a mentoring pause.
    let said = bot.say("grace", "/away list").await;
    assert!(
        said.reply().starts_with(
            "Your absences\n• mentoring pause Wed 10 Mar 2027 through Fri 19 Mar 2027 (now)"
        ),
        "{}",
        said.reply()
    );
    let said = bot.say("grace", "/back").await;
    assert_eq!(
        said.reply(),
        "Welcome back! You can be matched and prompted as a mentor again."
    );
    assert!(said.dms().is_empty());
    bot.refused("grace", "/mentor resume", "You are not paused.")
        .await;
}

#[sqlx::test]
async fn a_day_off_skips_the_digest_with_its_reason_and_it_runs_next_time(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.set_local("2027-03-10 12:00", Berlin);
    bot.tick().await;
    let said = bot
        .say(
            "ada",
            "/cohort dayoff add spring-makers-2027 2027-03-12 Founders' day",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Spring Makers 2027 is off Fri 12 Mar 2027. Prompts, nudges and digests due then are skipped, with the reason recorded."
    );
    bot.refused(
        "sam",
        "/cohort dayoff add spring-makers-2027 2027-03-19",
        "steward",
    )
    .await;
    bot.refused(
        "ada",
        "/cohort dayoff add spring-makers-2027 someday",
        "someday is neither a date like `2027-03-29` nor an ISO week like `2027-W13`.",
    )
    .await;
    bot.refused(
        "ada",
        "/cohort dayoff add spring-makers-2027 2027-03-01",
        "2027-03-01 has passed; days off are for today or later.",
    )
    .await;
    bot.ok(
        "ada",
        "/cohort dayoff add spring-makers-2027 2027-W13 Easter",
    )
    .await;
    let said = bot
        .say("ada", "/cohort dayoff list spring-makers-2027")
        .await;
    assert_eq!(
        said.reply(),
        "Days off for Spring Makers 2027\n• Fri 12 Mar 2027: Founders' day\n• Mon 29 Mar 2027 through Sun 4 Apr 2027: Easter"
    );

    // Friday 12 March: the digest and the lead's digest are skipped, each with the reason.
    bot.set_local("2027-03-12 18:00", Berlin);
    bot.tick().await;
    assert!(bot.deliver().await.is_empty());
    let skipped: Vec<(String, String)> = sqlx::query_as(
        "SELECT split_part(trigger_key, ':', 1), reason FROM trigger_ticks
         WHERE status = 'skipped' AND trigger_key LIKE '%digest:%' ORDER BY 1",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(
        skipped,
        [
            ("digest".to_owned(), "day off: Founders' day".to_owned()),
            (
                "mentor_digest".to_owned(),
                "day off: Founders' day".to_owned()
            )
        ]
    );
    // The next Friday it runs as usual.
    bot.set_local("2027-03-19 16:00", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await.into_vec();
    assert!(
        delivered
            .iter()
            .any(|(to, t)| to == "#spring-makers"
                && t.starts_with("📊 Spring Makers 2027 — 2027-W11")),
        "{delivered:#?}"
    );

    // Easter week: no prompt for anyone, and removing a day brings its triggers back.
    bot.set_local("2027-03-29 09:00", Tokyo);
    assert_eq!(bot.tick().await.posts, 0);
    let said = bot
        .say("ada", "/cohort dayoff remove spring-makers-2027 2027-W13")
        .await;
    assert_eq!(
        said.reply(),
        "Removed 7 days off (2027-W13) from Spring Makers 2027: triggers run on them again."
    );
    bot.set_local("2027-03-29 09:00", Berlin);
    assert_eq!(bot.tick().await.posts, 1);
    bot.deliver_to(&["@sam"]).await;
}

#[sqlx::test]
async fn a_week_wholly_off_is_excused_for_everyone(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.ok(
        "ada",
        "/cohort dayoff add spring-makers-2027 2027-W13 Easter",
    )
    .await;
    let excused: Vec<bool> = sqlx::query_scalar(
        "SELECT week_excused(c.id, m.id, '2027-W13') FROM cohorts c, members m
         WHERE c.slug = $1 AND m.platform_user_id IN ('sam', 'yuki') ORDER BY m.platform_user_id",
    )
    .bind(SPRING)
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(excused, [true, true]);
    let before: bool = sqlx::query_scalar(
        "SELECT week_excused(c.id, m.id, '2027-W12') FROM cohorts c, members m
         WHERE c.slug = $1 AND m.platform_user_id = 'sam'",
    )
    .bind(SPRING)
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert!(!before);
}

/// Monday's prompts for W10, at 09:00 in Tokyo and then in Berlin.
async fn week_ten_prompts(bot: &TestBot) {
    bot.set_local("2027-03-07 20:00", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-08 09:00", Tokyo);
    bot.tick().await;
    bot.set_local("2027-03-08 09:00", Berlin);
    bot.tick().await;
    bot.deliver_to(&["@sam", "@yuki"]).await;
}

/// W10's prompts, and Sam checks in on Monday.
async fn week_ten_with_sams_checkin(bot: &TestBot, line: &str) {
    week_ten_prompts(bot).await;
    bot.ok("sam", line).await;
}

#[sqlx::test]
async fn an_early_check_in_on_friday_counts_for_next_week_and_skips_its_prompt(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    week_ten_with_sams_checkin(&bot, "/checkin 4 built the intake flow").await;
    // Friday 18:00: next week's window is open; a second check-in asks where it goes.
    bot.set_local("2027-03-12 18:00", Berlin);
    bot.asks(
        "sam",
        "/checkin 4 I'm off on Monday, so I planned the demo today",
        "You already checked in for this week, 2027-W10, and next week's check-in is open. Count this one for next week, 2027-W11, as an early check-in? (Next week's prompt then won't come. To change this week's instead, add `week:2027-W10`.)",
    )
    .await;
    let said = bot.say("sam", "/yes").await;
    assert_eq!(
        said.reply(),
        "Thanks! Your check-in for Spring Makers 2027, 2027-W11, is recorded: confidence 4/5. It came early, so that week's prompt won't come."
    );
    let timing: Vec<(String, String)> =
        sqlx::query_as("SELECT period, timing FROM checkins ORDER BY period")
            .fetch_all(&bot.pool)
            .await
            .unwrap();
    assert_eq!(
        timing,
        [
            ("2027-W10".to_owned(), "on_time".to_owned()),
            ("2027-W11".to_owned(), "early".to_owned())
        ]
    );
    // Monday: Yuki is prompted; Sam, who answered early, is not.
    bot.set_local("2027-03-15 09:00", Tokyo);
    bot.tick().await;
    bot.set_local("2027-03-15 09:00", Berlin);
    bot.tick().await;
    bot.deliver_to(&["@yuki"]).await;
}

#[sqlx::test]
async fn a_late_check_in_counts_and_edits_the_posted_digest_once(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    week_ten_prompts(&bot).await;
    // Wednesday's nudges, then Friday's digests.
    bot.set_local("2027-03-10 09:00", Tokyo);
    bot.tick().await;
    bot.set_local("2027-03-10 09:00", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-12 17:00", Berlin);
    bot.tick().await;
    bot.deliver_to(&["#spring-makers", "@grace", "@sam", "@yuki"])
        .await;

    // Tuesday: last week's check-in, late but inside its window.
    bot.set_local("2027-03-16 10:00", Berlin);
    let said = bot
        .say("sam", "/checkin 3 finished the intake flow week:last")
        .await;
    assert_eq!(
        said.reply(),
        "Thanks! Your check-in for Spring Makers 2027, 2027-W10, is recorded: confidence 3/5. It came late, and still counts."
    );
    // The digest already posted is edited in place, and one line goes in its thread.
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT split_part(idempotency_key, ':', 1) || ' ' || (action->>'kind')
         FROM outbox WHERE action IS NOT NULL ORDER BY id",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(
        kinds,
        [
            "checkin-answered replace",
            "digest-edit replace",
            "digest-late thread_reply"
        ]
    );
    let edited: String = sqlx::query_scalar(
        "SELECT body::text FROM outbox WHERE idempotency_key LIKE 'digest-edit:%'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert!(
        edited.contains("Check-ins: 1 of 2 learners (50%)"),
        "{edited}"
    );
    // Asked again, it is a replacement, not a second late check-in: nothing more is edited.
    bot.asks(
        "sam",
        "/checkin 3 finished the intake flow, and tested it week:last",
        "Replace it with this one?",
    )
    .await;
    bot.ok("sam", "/yes").await;
    assert_eq!(
        bot.count("outbox WHERE idempotency_key LIKE 'digest-%:%'")
            .await,
        2
    );
    let said = bot.say("sam", "/checkin history").await;
    assert!(
        said.reply().starts_with("Check-ins of Sam Carter:\n• 2027-W10 Spring Makers 2027 · confidence 3/5 · late · edited 1×\n"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn a_week_outside_its_window_is_refused_naming_the_window(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.set_local("2027-03-15 10:00", Berlin);
    bot.refused(
        "sam",
        "/checkin 3 catching up week:2027-W09",
        "The check-in for 2027-W09 has closed: its window ended on Wed 10 Mar 23:59 (your time). This week is 2027-W11: check in for it with `/checkin`.",
    )
    .await;
    bot.refused(
        "sam",
        "/checkin 3 next week already week:next",
        "The check-in for 2027-W12 opens on Fri 19 Mar 12:00 (your time). Until then, check in for this week.",
    )
    .await;
    bot.refused(
        "sam",
        "/checkin 3 whenever week:someday",
        "`week:someday` is not a week: say `week:last`, `week:next`, or a week like `week:2027-W10`.",
    )
    .await;
    // A week past the cohort's end, or long before its start, never opens: the reply says
    // why rather than when its window would.
    for (week, reply) in [
        (
            "2027-W50",
            "2027-W50 is after Spring Makers 2027 ends on 2027-06-25, so it takes no check-in. Check in for this week with `/checkin` and no week.",
        ),
        (
            "2026-W50",
            "2026-W50 is before Spring Makers 2027 starts on 2027-03-01, so it takes no check-in. Check in for this week with `/checkin` and no week.",
        ),
    ] {
        let said = bot.say("sam", &format!("/checkin 3 x week:{week}")).await;
        assert!(said.refused(), "{week}");
        assert_eq!(said.reply(), reply);
    }
    assert_eq!(bot.count("checkins").await, 0);
}

#[sqlx::test]
async fn last_weeks_plan_and_open_blocker_come_back_in_the_prompt_and_the_leads_digest(
    pool: PgPool,
) {
    let bot = tokyo_and_berlin(pool).await;
    week_ten_with_sams_checkin(
        &bot,
        "/checkin 4 built the intake flow blockers:\"waiting for IT\" next:\"publish the flow to the team\"",
    )
    .await;
    bot.deliver_to(&["@grace"]).await;
    bot.set_local("2027-03-15 09:00", Tokyo);
    bot.tick().await;
    bot.set_local("2027-03-15 09:00", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await.into_vec();
    let prompt = &delivered.iter().find(|(to, _)| to == "@sam").unwrap().1;
    assert!(
        prompt.ends_with(
            "\nLast week you planned: publish the flow to the team\nStill open from before: waiting for IT (sorted? `/checkin resolved`; still stuck? `/checkin stuck` tells your lead mentor)"
        ),
        "{prompt}"
    );
    let other = &delivered.iter().find(|(to, _)| to == "@yuki").unwrap().1;
    assert!(!other.contains("planned"), "{other}");

    bot.set_local("2027-03-16 09:00", Berlin);
    bot.ok("sam", "/checkin 4 published it to the team").await;
    let said = bot.say("sam", "/checkin history").await;
    assert_eq!(
        said.reply(),
        "Check-ins of Sam Carter:\n• 2027-W11 Spring Makers 2027 · confidence 4/5\n  published it to the team\n• 2027-W10 Spring Makers 2027 · confidence 4/5\n  built the intake flow\n  Blocker: waiting for IT\n  Next: publish the flow to the team"
    );
    bot.set_local("2027-03-19 17:00", Berlin);
    bot.tick().await;
    let delivered = bot.deliver().await.into_vec();
    let lead = &delivered.iter().find(|(to, _)| to == "@grace").unwrap().1;
    assert!(
        lead.ends_with(
            "\nPlan against done:\n• Sam Carter: planned “publish the flow to the team” → did “published it to the team”"
        ),
        "{lead}"
    );
}

/// Runs Spring Makers week by week from `first_monday` (Berlin): the Monday prompt, then
/// what Sam does that week (`C` checks in, `A` is away all week, `-` misses it). Returns
/// the celebrations posted in the cohort's channel.
async fn sams_weeks(bot: &TestBot, first_monday: chrono::NaiveDate, plan: &str) -> Vec<String> {
    let mut celebrated = Vec::new();
    let mut collect = |delivered: Vec<(String, String)>| {
        celebrated.extend(
            delivered
                .into_iter()
                .filter(|(to, text)| to == "#spring-makers" && text.starts_with("🔥"))
                .map(|(_, text)| text),
        );
    };
    for (i, what) in plan.chars().enumerate() {
        let monday = first_monday + chrono::Days::new(7 * i as u64);
        bot.set_local(&format!("{monday} 09:00"), Berlin);
        bot.tick().await;
        match what {
            'C' => {
                bot.set_local(&format!("{monday} 12:00"), Berlin);
                bot.ok("sam", "/checkin 4 steady progress").await;
            }
            'A' => {
                let friday = monday + chrono::Days::new(4);
                bot.set_local(&format!("{monday} 08:00"), Berlin);
                bot.ok("sam", &format!("/away {friday}")).await;
            }
            _ => {}
        }
        // Thursday after: last week's window has closed, so it settles.
        let thursday = monday + chrono::Days::new(3);
        bot.set_local(&format!("{thursday} 00:30"), Berlin);
        bot.tick().await;
        collect(bot.deliver().await.into_vec());
    }
    celebrated
}

/// Two more Thursdays after `weeks` weeks from `first_monday`: the last weeks settle.
async fn settle_the_rest(
    bot: &TestBot,
    first_monday: chrono::NaiveDate,
    weeks: u64,
) -> Vec<String> {
    let mut celebrated = Vec::new();
    for extra in [0, 1] {
        let thursday = first_monday + chrono::Days::new(7 * (weeks + extra) + 3);
        bot.set_local(&format!("{thursday} 00:30"), Berlin);
        bot.tick().await;
        celebrated.extend(
            bot.deliver()
                .await
                .into_vec()
                .into_iter()
                .filter(|(to, text)| to == "#spring-makers" && text.starts_with("🔥"))
                .map(|(_, text)| text),
        );
    }
    celebrated
}

async fn stored_streak(bot: &TestBot) -> (i32, i32, i32) {
    sqlx::query_as(
        "SELECT s.current, s.best, s.freezes FROM streaks s JOIN members m ON m.id = s.member_id
         WHERE m.platform_user_id = 'sam'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap()
}

async fn sams_trail(bot: &TestBot) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT e.period || ' ' || e.kind || ' ' || e.streak || '/' || e.freezes FROM streak_events e
         JOIN members m ON m.id = e.member_id WHERE m.platform_user_id = 'sam' ORDER BY e.id",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn streaks_earn_and_spend_freezes_keep_away_weeks_and_reset_after_two_misses(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.set_local("2027-03-07 20:00", Berlin);
    bot.tick().await;
    // W10–W13 checked in (Berlin's clocks change in W12), W14 missed, W15 in, W16 away,
    // W17–W19 in, W20 and W21 missed.
    let monday = chrono::NaiveDate::from_ymd_opt(2027, 3, 8).unwrap();
    let mut celebrated = sams_weeks(&bot, monday, "CCCC-CACCC--").await;
    celebrated.extend(settle_the_rest(&bot, monday, 12).await);
    assert_eq!(
        sams_trail(&bot).await,
        [
            "2027-W10 checked_in 1/0",
            "2027-W11 checked_in 2/0",
            "2027-W12 checked_in 3/0",
            "2027-W13 checked_in 4/0",
            "2027-W13 freeze_earned 4/1",
            "2027-W14 freeze_used 4/0",
            "2027-W15 checked_in 5/0",
            "2027-W16 excused 5/0",
            "2027-W17 checked_in 6/0",
            "2027-W18 checked_in 7/0",
            "2027-W19 checked_in 8/0",
            "2027-W19 freeze_earned 8/1",
            "2027-W20 freeze_used 8/0",
            "2027-W21 broken 0/0",
        ]
    );
    assert_eq!(stored_streak(&bot).await, (0, 8, 0));
    // The example's `steady-streak` rule (8 weeks, removed when lost): earned when W19
    // settled, taken back when W21 broke the streak, each an outbox action for Sam.
    let earned: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.action, o.action->>'kind' FROM audit_log a
         JOIN outbox o ON o.member_id = (a.detail->>'member')::uuid
          AND o.action->>'kind' = 'earned_role'
          AND o.idempotency_key LIKE 'earned-role:%:' || split_part(a.action, '.', 2)
         WHERE a.action LIKE 'earned_role.%' ORDER BY a.id",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(
        earned,
        [
            ("earned_role.grant".to_owned(), "earned_role".to_owned()),
            ("earned_role.revoke".to_owned(), "earned_role".to_owned()),
        ]
    );
    // Sam is in the shell, which has no roles to check: reconciliation asked nothing of it.
    let checks: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE (action->>'check')::boolean")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(checks, 0);
    // The stored streak is what its audit trail replays to.
    let (cohort, member): (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
        "SELECT s.cohort_id, s.member_id FROM streaks s JOIN members m ON m.id = s.member_id
         WHERE m.platform_user_id = 'sam'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    let mut conn = bot.pool.acquire().await.unwrap();
    let replayed = cohortbot::services::streaks::recomputed(&mut conn, cohort, member)
        .await
        .unwrap();
    assert_eq!(
        (replayed.current, replayed.best, replayed.freezes),
        (0, 8, 0)
    );
    // Milestones are celebrated; the broken streak is not announced.
    assert_eq!(
        celebrated,
        [
            "🔥 Sam Carter has checked in 4 weeks in a row in Spring Makers 2027!",
            "🔥 Sam Carter has checked in 8 weeks in a row in Spring Makers 2027!"
        ]
    );
}

#[sqlx::test]
async fn the_streak_command_shows_the_last_twelve_weeks(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    bot.set_local("2027-03-07 20:00", Berlin);
    bot.tick().await;
    let monday = chrono::NaiveDate::from_ymd_opt(2027, 3, 8).unwrap();
    sams_weeks(&bot, monday, "CCCC-CA").await;
    // A new week's check-in counts at once, before its week settles.
    bot.set_local("2027-04-26 09:00", Berlin);
    bot.tick().await;
    bot.deliver().await.into_vec();
    bot.ok("sam", "/checkin 5 great week").await;
    let said = bot.say("sam", "/streak").await;
    assert_eq!(
        said.reply(),
        "🔥 Spring Makers 2027: 6 weeks in a row (best 6) · freezes: 0 of 2\nLast 12 weeks, oldest first: ▫️▫️▫️▫️✅✅✅✅🧊✅🏖️✅\n✅ checked in · 🏖️ away or day off · 🧊 freeze used · ❌ missed · ▫️ nothing due yet. Every 4 weeks in a row earns a freeze (you hold at most 2); a freeze covers one missed week."
    );
    // A cohort Sam is not in: said so, not "join one".
    let said = bot.say("sam", "/streak cohort:evening-builders-2027").await;
    assert_eq!(
        said.reply(),
        "You have no streak in Evening Builders 2027: streaks count your weekly check-ins in the cohorts you are in. Yours: `/streak`."
    );
    let said = bot.say("sam", "/streak freezes:off").await;
    assert!(
        said.reply()
            .starts_with("Freezes are off: a missed week now ends your streak"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn a_streak_runs_across_iso_week_53(pool: PgPool) {
    let bot = tokyo_and_berlin(pool).await;
    // The cohort, and Sam's place in it, began in December 2026.
    sqlx::raw_sql(
        "UPDATE cohorts SET starts_on = '2026-12-01' WHERE slug = 'spring-makers-2027';
         UPDATE enrollments SET joined_at = '2026-12-01';
         UPDATE streaks SET settle_after = '2026-12-01'",
    )
    .execute(&bot.pool)
    .await
    .unwrap();
    bot.set_local("2026-12-20 20:00", Berlin);
    bot.tick().await;
    // 2026-W52, 2026-W53, 2027-W01, 2027-W02.
    let monday = chrono::NaiveDate::from_ymd_opt(2026, 12, 21).unwrap();
    let mut celebrated = sams_weeks(&bot, monday, "CCCC").await;
    celebrated.extend(settle_the_rest(&bot, monday, 4).await);
    let trail = sams_trail(&bot).await;
    assert_eq!(
        trail,
        [
            "2026-W52 checked_in 1/0",
            "2026-W53 checked_in 2/0",
            "2027-W01 checked_in 3/0",
            "2027-W02 checked_in 4/0",
            "2027-W02 freeze_earned 4/1",
        ]
    );
    assert_eq!(celebrated.len(), 1, "{celebrated:?}");
}
