//! The scheduler: local times, DST, claims across processes, downtime and schedule edits.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::America::New_York;
use chrono_tz::Europe::Berlin;
use chrono_tz::Tz;
use cohortbot::clock::Clock;
use cohortbot::schedule::Scheduler;
use sqlx::PgPool;

use crate::support::TestBot;

const SPRING: &str = "spring-makers-2027";

async fn enroll_in_zone(bot: &TestBot, user: &str, cohort: &str, zone: &str) {
    bot.ok(user, &format!("/me timezone {zone}")).await;
    bot.enroll(user, cohort, Some("projects")).await;
}

/// Recipients of check-in prompts delivered since the last call.
async fn prompted(bot: &TestBot) -> Vec<String> {
    let mut to: Vec<String> = bot
        .deliver()
        .await
        .into_vec()
        .into_iter()
        .filter(|(_, text)| text.starts_with("It's check-in time"))
        .map(|(to, _)| to)
        .collect();
    to.sort();
    to
}

#[sqlx::test]
async fn monday_nine_means_nine_in_each_learners_own_zone(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    enroll_in_zone(&bot, "kenji", SPRING, "Asia/Tokyo").await;
    enroll_in_zone(&bot, "sam", SPRING, "Europe/Berlin").await;
    enroll_in_zone(&bot, "dana", SPRING, "America/Denver").await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 7, 12, 0, 0).unwrap());
    bot.tick().await;

    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 8, 0, 0, 0).unwrap()); // 09:00 in Tokyo
    bot.tick().await;
    assert_eq!(prompted(&bot).await, ["@kenji"]);
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 8, 8, 0, 0).unwrap()); // 09:00 in Berlin
    bot.tick().await;
    assert_eq!(prompted(&bot).await, ["@sam"]);
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 8, 16, 0, 0).unwrap()); // 09:00 in Denver
    bot.tick().await;
    assert_eq!(prompted(&bot).await, ["@dana"]);
}

/// Steps the clock through `[from, to]` local time in uneven strides, ticking each time, and
/// returns the local times at which the trigger for `zone` fired.
async fn fired_while_stepping(bot: &TestBot, zone: Tz, from: &str, to: &str) -> Vec<String> {
    bot.set_local(from, zone);
    bot.tick().await;
    let end = bot.clock.now() + (parse_local(to, zone) - parse_local(from, zone));
    while bot.clock.now() < end {
        bot.clock.advance(Duration::minutes(23));
        bot.tick().await;
    }
    let ticks: Vec<chrono::DateTime<Utc>> = sqlx::query_scalar(
        "SELECT tick FROM trigger_ticks
         WHERE trigger_key LIKE 'checkin:%:' || $1 AND status = 'fired' AND tick BETWEEN $2 AND $3 ORDER BY tick",
    )
    .bind(zone.name())
    .bind(parse_local(from, zone))
    .bind(parse_local(to, zone))
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    ticks
        .iter()
        .map(|t| t.with_timezone(&zone).format("%m-%d %H:%M %Z").to_string())
        .collect()
}

fn parse_local(when: &str, zone: Tz) -> chrono::DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(when, "%Y-%m-%d %H:%M").unwrap();
    zone.from_local_datetime(&naive)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// A cohort without dates (always in season) whose check-in runs daily at `cron`.
async fn daily_cohort(bot: &TestBot, cron: &str) {
    let said = bot.say("ada", "/cohort create dst-lab UTC DST Lab").await;
    assert!(
        said.reply().starts_with("Created cohort"),
        "{}",
        said.reply()
    );
    let said = bot
        .say("ada", &format!("/schedule set dst-lab checkin {cron}"))
        .await;
    assert!(
        said.reply().starts_with("DST Lab checkin now runs at"),
        "{}",
        said.reply()
    );
    for (user, zone) in [("nyc", "America/New_York"), ("ber", "Europe/Berlin")] {
        bot.ok(user, &format!("/me timezone {zone}")).await;
        bot.ok(user, "/coc accept").await;
        bot.ok(user, "/cohort join dst-lab").await;
    }
}

#[sqlx::test]
async fn spring_forward_gaps_fire_exactly_once_in_new_york_and_berlin(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    daily_cohort(&bot, "30 2 * * *").await;
    // 2027-03-14: New York skips 02:00–03:00, so 02:30 runs at 03:00.
    let ny = fired_while_stepping(&bot, New_York, "2027-03-13 00:00", "2027-03-16 06:00").await;
    assert_eq!(
        ny,
        [
            "03-13 02:30 EST",
            "03-14 03:00 EDT",
            "03-15 02:30 EDT",
            "03-16 02:30 EDT"
        ]
    );
    // 2027-03-28: Berlin skips 02:00–03:00.
    let berlin = fired_while_stepping(&bot, Berlin, "2027-03-27 00:00", "2027-03-29 06:00").await;
    assert_eq!(
        berlin,
        ["03-27 02:30 CET", "03-28 03:00 CEST", "03-29 02:30 CEST"]
    );
}

#[sqlx::test]
async fn fall_back_overlaps_fire_exactly_once_in_new_york_and_berlin(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    daily_cohort(&bot, "30 1 * * *").await;
    // 2027-11-07: New York lives 01:00–02:00 twice.
    let ny = fired_while_stepping(&bot, New_York, "2027-11-06 00:00", "2027-11-08 06:00").await;
    assert_eq!(
        ny,
        ["11-06 01:30 EDT", "11-07 01:30 EDT", "11-08 01:30 EST"]
    );
    sqlx::query("UPDATE cohort_schedules SET cron = '30 2 * * *'")
        .execute(&bot.pool)
        .await
        .unwrap();
    // 2027-10-31: Berlin lives 02:00–03:00 twice.
    let berlin = fired_while_stepping(&bot, Berlin, "2027-10-30 00:00", "2027-11-01 06:00").await;
    assert_eq!(
        berlin,
        ["10-30 02:30 CEST", "10-31 02:30 CEST", "11-01 02:30 CET"]
    );
}

#[sqlx::test]
async fn two_schedulers_on_one_database_send_each_of_a_thousand_prompts_once(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    sqlx::query(
        "WITH c AS (SELECT id, community_id FROM cohorts WHERE slug = 'spring-makers-2027'),
              m AS (INSERT INTO members (id, community_id, platform, platform_user_id, display_name, created_at)
                    SELECT gen_random_uuid(), c.community_id, 'shell', 'bulk' || i, 'Bulk ' || i, now()
                    FROM c, generate_series(1, 1000) i RETURNING id, community_id)
         INSERT INTO enrollments (id, community_id, cohort_id, member_id, status, joined_at)
         SELECT gen_random_uuid(), m.community_id, c.id, m.id, 'active', now() FROM m, c",
    )
    .execute(&bot.pool)
    .await
    .unwrap();
    let since = parse_local("2027-03-08 08:55", Berlin);
    let until = parse_local("2027-03-08 09:05", Berlin);
    let clock = Arc::new(bot.clock.clone());
    bot.clock.set(until);
    let a = Scheduler::new(bot.pool.clone(), clock.clone());
    let b = Scheduler::new(bot.pool.clone(), clock);
    let (ra, rb) = tokio::join!(a.run_between(since, until), b.run_between(since, until));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.posts + rb.posts, 1_000, "{ra:?} {rb:?}");

    let (rows, members): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT member_id) FROM outbox WHERE idempotency_key LIKE 'checkin-prompt:%'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    assert_eq!((rows, members), (1_000, 1_000));
    assert_eq!(prompted(&bot).await.len(), 1_000);
}

#[sqlx::test]
async fn downtime_is_caught_up_within_the_grace_window_and_skipped_beyond_it(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", SPRING, Some("projects")).await;
    bot.set_local("2027-03-08 08:45", Berlin);
    bot.tick().await;

    // Down over Monday 09:00; back at 14:00, 5 h late: a prompt is still useful.
    bot.set_local("2027-03-08 14:00", Berlin);
    bot.tick().await;
    assert_eq!(prompted(&bot).await, ["@sam"]);

    // Down over the next Monday 09:00 and back 7 h late: skipped, and recorded as such.
    bot.set_local("2027-03-15 16:00", Berlin);
    let report = bot.tick().await;
    assert!(prompted(&bot).await.is_empty());
    assert!(report.skipped >= 1, "{report:?}");
    let skipped: Vec<String> = sqlx::query_scalar(
        "SELECT trigger_key FROM trigger_ticks WHERE status = 'skipped' ORDER BY 1",
    )
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert!(
        skipped.iter().any(|k| k.starts_with("checkin:")),
        "{skipped:?}"
    );
    assert!(
        skipped.iter().any(|k| k.starts_with("digest:")),
        "Friday's digest is days late: {skipped:?}"
    );
}

#[sqlx::test]
async fn stewards_edit_schedules_and_a_malformed_one_changes_nothing(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.clock.set(parse_local("2027-03-02 12:00", Berlin));
    let before = bot.fingerprint().await;

    let said = bot
        .say(
            "ada",
            "/schedule set spring-makers-2027 checkin 0 25 * * MON",
        )
        .await;
    assert_eq!(
        said.reply(),
        "`0 25 * * MON` is not a cron expression: the hour field `25` must be 0–23. Use five fields, minute hour day-of-month month day-of-week, like \"0 9 * * MON\""
    );
    // A schedule that reads well but never comes round is refused too.
    let said = bot
        .say("ada", "/schedule set spring-makers-2027 digest 0 16 30 2 *")
        .await;
    assert_eq!(
        said.reply(),
        "`0 16 30 2 *` never fires (no such date comes), so nothing would ever be sent. Check the day of month and the month, e.g. `0 9 * * MON`."
    );
    let said = bot
        .say(
            "ada",
            "/schedule set spring-makers-2027 checkin every monday",
        )
        .await;
    assert!(
        said.reply().contains("it has 2 fields, not 5"),
        "{}",
        said.reply()
    );
    let said = bot
        .say("ada", "/schedule set spring-makers-2027 weekly 0 9 * * MON")
        .await;
    assert!(
        said.reply().starts_with(
            "`kind` must be one of checkin, nudge, digest, mentor_digest, not `weekly`"
        ),
        "{}",
        said.reply()
    );
    let said = bot
        .say(
            "sam",
            "/schedule set spring-makers-2027 checkin 0 10 * * MON",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards can use `/schedule set`."
    );
    assert_eq!(bot.fingerprint().await, before);

    let said = bot
        .say(
            "ada",
            "/schedule set spring-makers-2027 checkin 0 10 * * TUE",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Spring Makers 2027 checkin now runs at `0 10 * * TUE`. Next: Tue 2027-03-09 10:00 Europe/Berlin (09:00 UTC)."
    );
    let said = bot.say("sam", "/schedule list spring-makers-2027").await;
    assert!(
        said.reply()
            .contains("checkin `0 10 * * TUE` at each learner's local time"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn schedule_list_shows_only_ticks_in_the_cohorts_season(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    // 2027-02-15: Spring Makers starts on 2027-03-01, Evening Builders on 2027-04-05.
    let said = bot.say("sam", "/schedule list spring-makers-2027").await;
    let local_dates: Vec<&str> = said
        .reply()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("next: "))
        .filter_map(|next| next.split_whitespace().nth(1))
        .collect();
    assert!(!local_dates.is_empty(), "{}", said.reply());
    assert!(
        local_dates.iter().all(|d| *d >= "2027-03-01"),
        "{}",
        said.reply()
    );
    // An hourly schedule's first local hour of the season is the day before in UTC.
    assert!(
        said.reply()
            .contains("next: Mon 2027-03-01 00:00 Europe/Berlin (Sun 2027-02-28 23:00 UTC)"),
        "{}",
        said.reply()
    );

    // Setting one says the same next time as the list: the season's first Monday, not the
    // cron's next Monday weeks before it.
    let said = bot
        .say(
            "ada",
            "/schedule set evening-builders-2027 checkin 0 9 * * MON",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Evening Builders 2027 checkin now runs at `0 9 * * MON`. Next: Mon 2027-04-05 09:00 America/Denver (15:00 UTC)."
    );
    let said = bot.say("ada", "/schedule list evening-builders-2027").await;
    assert!(
        said.reply().contains(
            "checkin `0 9 * * MON` at each learner's local time\n    next: Mon 2027-04-05 09:00 America/Denver (15:00 UTC)"
        ),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn a_schedule_that_fires_more_than_hourly_is_refused(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    let before = bot.fingerprint().await;
    for (cron, every) in [
        ("* * * * *", "every minute"),
        ("*/20 9 * * MON", "every 20 minutes"),
    ] {
        let said = bot
            .say(
                "ada",
                &format!("/schedule set spring-makers-2027 checkin {cron}"),
            )
            .await;
        assert!(said.refused(), "{cron}");
        assert_eq!(
            said.reply(),
            format!(
                "`{cron}` fires {every}; a checkin schedule runs at most once an hour. A weekly one looks like `0 9 * * MON` (09:00 on Mondays)."
            )
        );
    }
    assert_eq!(bot.fingerprint().await, before);
}
