//! `/stats` and the shared metric definitions: the digest, `/stats` and the dashboard
//! report the same check-in rate for the same week, an excused week leaves the denominator, a late answer
//! counts as late, and only stewards, sponsors and lead mentors see the numbers.

use chrono_tz::Europe::Berlin;
use cohortbot::clock::Clock;
use cohortbot::render::{Message, plain};
use cohortbot::services::Invocation;
use cohortbot::store::server_pool_options;
use sqlx::PgPool;

use crate::support::TestBot;

const SPRING: &str = "spring-makers-2027";

/// Sam, Lee and Kim in Spring Makers (Berlin); Kim is away all of week 10. Prompted on
/// Monday 2027-03-08 09:00.
async fn week_ten(pool: PgPool) -> TestBot {
    let bot = TestBot::new(pool).await;
    for learner in ["sam", "lee", "kim"] {
        bot.enroll(learner, SPRING, Some("projects")).await;
    }
    bot.set_local("2027-03-05 12:00", Berlin);
    bot.ok("kim", "/away 2027-03-12 from:2027-03-08").await;
    bot.set_local("2027-03-08 08:45", Berlin);
    bot.tick().await;
    bot.set_local("2027-03-08 09:00", Berlin);
    assert_eq!(bot.tick().await.posts, 2, "Kim, away, gets no prompt");
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "@sam",
        "@lee",
    ])
    .await;
    bot
}

/// The weekly table's row for `period` on Spring Makers' dashboard, as its route renders it.
async fn dashboard_week(bot: &TestBot, period: &str) -> String {
    let community: uuid::Uuid =
        sqlx::query_scalar("SELECT community_id FROM cohorts WHERE slug = $1")
            .bind(SPRING)
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    let now = bot.clock.now();
    let key = cohortbot::store::dashboard_keys::key(&bot.pool, community, "a-key", false, now)
        .await
        .unwrap();
    let html = cohortbot::services::dashboard::page::render(
        &bot.pool,
        crate::support::COMMUNITY,
        &key,
        Some(SPRING),
        now,
    )
    .await
    .unwrap()
    .expect("the dashboard");
    let start = html
        .find(&format!("<tr><th scope=\"row\">{period}</th>"))
        .unwrap_or_else(|| panic!("no {period} row"));
    let end = start + html[start..].find("</tr>").unwrap() + "</tr>".len();
    html[start..end].to_owned()
}

#[sqlx::test]
async fn the_digest_and_stats_agree_and_an_excused_week_leaves_the_rate(pool: PgPool) {
    let bot = week_ten(pool).await;
    bot.set_local("2027-03-09 10:00", Berlin);
    bot.ok("sam", "/checkin 4 built the intake flow").await;

    // Friday's digest: 1 of 2, Kim counted as away and not named.
    bot.set_local("2027-03-12 17:00", Berlin);
    let said = bot.say("ada", "/stats spring-makers-2027").await;
    assert_eq!(
        said.reply(),
        "📈 Spring Makers 2027 — 2027-W10\n\
         Enrolled: 3 · active this week: 1\n\
         Check-in rate: 50% (1 of 2 learners: 1 on time, 0 late) · 1 away\n\
         Weekly check-in rate: 2027-W07 — · 2027-W08 — · 2027-W09 — · 2027-W10 50%\n\
         Funnel: joined 3 → accepted the code of conduct 3 → first check-in 1 → first module verified 0 → capstone submitted 0 → graduated 0 → offered to mentor 0\n\
         📊 Charts of these numbers: `/dashboard link`."
    );
    // The dashboard's week: 2 expected, 1 on time, none late, Kim away, 50%.
    assert_eq!(
        dashboard_week(&bot, "2027-W10").await,
        "<tr><th scope=\"row\">2027-W10</th><td>2</td><td>1</td><td>0</td><td>1</td><td>50%</td></tr>"
    );
    bot.tick().await;
    let delivered = bot.deliver().await.into_vec();
    let digest = delivered
        .iter()
        .find(|(to, text)| to == "#spring-makers" && text.starts_with("📊"))
        .map(|(_, text)| text.as_str())
        .expect("the cohort digest");
    assert!(
        digest.contains("Check-ins: 1 of 2 learners (50%) · 1 away"),
        "{digest}"
    );
    assert!(!digest.contains("Kim"), "{digest}");

    // Tuesday: Lee answers week 10 late. The week's rate is now 100%, one of them late.
    bot.set_local("2027-03-16 10:00", Berlin);
    bot.ok("lee", "/checkin 3 caught up week:last").await;
    let said = bot.say("priya", "/stats spring-makers-2027 weeks:2").await;
    assert_eq!(
        said.reply(),
        "📈 Spring Makers 2027 — 2027-W11\n\
         Enrolled: 3 · active this week: 0\n\
         Check-in rate: no prompts yet this week\n\
         Weekly check-in rate: 2027-W10 100% · 2027-W11 —\n\
         Funnel: joined 3 → accepted the code of conduct 3 → first check-in 2 → first module verified 0 → capstone submitted 0 → graduated 0 → offered to mentor 0\n\
         📊 Charts of these numbers: `/dashboard link`."
    );
    let late: Vec<(String, i64, i64, i64, i64, Option<i32>)> = sqlx::query_as(
        "SELECT period, answered, on_time, late, excused, rate
           FROM metric_checkin_rate((SELECT id FROM cohorts WHERE slug = $1), ARRAY['2027-W10'])",
    )
    .bind(SPRING)
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(late, [("2027-W10".to_owned(), 2, 1, 1, 1, Some(100))]);
    assert_eq!(
        dashboard_week(&bot, "2027-W10").await,
        "<tr><th scope=\"row\">2027-W10</th><td>2</td><td>1</td><td>1</td><td>1</td><td>100%</td></tr>"
    );
    // The edited digest says the same.
    let edited: String = sqlx::query_scalar(
        "SELECT body::text FROM outbox WHERE idempotency_key LIKE 'digest-edit:%'",
    )
    .fetch_one(&bot.pool)
    .await
    .unwrap();
    let edited = plain::render(&serde_json::from_str::<Message>(&edited).unwrap());
    assert!(
        edited.contains("Check-ins: 2 of 2 learners (100%) · 1 away"),
        "{edited}"
    );
}

/// `/stats` reads its funnel on an idle connection of the pool, beside the command's own,
/// and that one is handed out without a ping. When the server has closed it meanwhile, the
/// command reads the funnel itself: the reply is whole, not an error.
#[sqlx::test]
async fn stats_is_whole_when_the_idle_connection_beside_it_has_died(test_pool: PgPool) {
    let options = (*test_pool.connect_options()).clone();
    // The bot's server pool, of two: the command's connection and the one beside it.
    let pool = server_pool_options(2).connect_with(options).await.unwrap();
    let bot = week_ten(pool.clone()).await;
    bot.set_local("2027-03-09 10:00", Berlin);
    bot.ok("sam", "/checkin 4 built the intake flow").await;
    let expected = "📈 Spring Makers 2027 — 2027-W10\n\
         Enrolled: 3 · active this week: 1\n\
         Check-in rate: 50% (1 of 2 learners: 1 on time, 0 late) · 1 away\n\
         Weekly check-in rate: 2027-W07 — · 2027-W08 — · 2027-W09 — · 2027-W10 50%\n\
         Funnel: joined 3 → accepted the code of conduct 3 → first check-in 1 → first module verified 0 → capstone submitted 0 → graduated 0 → offered to mentor 0\n\
         📊 Charts of these numbers: `/dashboard link`.";
    assert_eq!(
        bot.say("ada", "/stats spring-makers-2027").await.reply(),
        expected
    );

    let caller = bot
        .services
        .shell_caller(crate::support::COMMUNITY, "ada")
        .await
        .unwrap();
    // The pool hands out its idle connections oldest first: the command's transaction takes
    // the first, the read beside it the second, whose backend is then ended.
    let mut first = pool.acquire().await.unwrap();
    let mut second = pool.acquire().await.unwrap();
    let beside: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *second)
        .await
        .unwrap();
    first.return_to_pool().await;
    second.return_to_pool().await;
    let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(beside)
        .fetch_one(&test_pool)
        .await
        .unwrap();
    assert!(ended, "the idle connection's backend ended");

    let parsed = cohortbot::commands::parse("/stats spring-makers-2027").unwrap();
    let outcome = bot
        .services
        .handle(Invocation::new(caller, parsed.spec, parsed.args))
        .await;
    assert_eq!(plain::render(&outcome.reply), expected);
    assert!(outcome.posts.is_empty());
    pool.close().await;
}

/// Active learners count in each learner's own week. A session at 23:30 on Sunday in
/// Berlin is on Monday in Auckland, and a milestone at 00:10 on Monday in Berlin is still on
/// Sunday in Los Angeles. A mentor who attends is no learner.
#[sqlx::test]
async fn activity_counts_in_each_learners_own_week(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.set_local("2027-03-01 12:00", Berlin);
    for learner in ["sam", "lee", "kim"] {
        bot.enroll(learner, SPRING, Some("short-modules")).await;
    }
    bot.ok("sam", "/me timezone Pacific/Auckland").await;
    bot.ok("lee", "/me timezone America/Los_Angeles").await;
    let mut codes = Vec::new();
    for (when, title) in [
        ("2027-03-17T17:00", "Midweek"),
        ("2027-03-21T23:30", "Late"),
    ] {
        bot.ok(
            "ada",
            &format!("/event schedule {SPRING} {when} clinic {title}"),
        )
        .await;
        let code: String = sqlx::query_scalar("SELECT checkin_code FROM sessions WHERE title = $1")
            .bind(title)
            .fetch_one(&bot.pool)
            .await
            .unwrap();
        codes.push(code);
    }
    // Wednesday, the same week everywhere: Kim, and Grace, a mentor.
    bot.set_local("2027-03-17 17:10", Berlin);
    for who in ["kim", "grace"] {
        bot.ok(who, &format!("/event checkin {}", codes[0])).await;
    }
    // Sunday night in Berlin: Monday of week 12 in Auckland, for Sam.
    bot.set_local("2027-03-21 23:40", Berlin);
    for who in ["sam", "grace"] {
        bot.ok(who, &format!("/event checkin {}", codes[1])).await;
    }
    // Monday in Berlin, Sunday of week 11 in Los Angeles, for Lee.
    bot.set_local("2027-03-22 00:10", Berlin);
    bot.ok(
        "lee",
        "/milestone submit flows-101 https://example.org/flows-101",
    )
    .await;

    let weeks: Vec<(String, i64)> = sqlx::query_as(
        "SELECT m.display_name, a.bits FROM cohorts c
           CROSS JOIN LATERAL active_weeks(c.id, ARRAY['2027-W11', '2027-W12']) a
           JOIN members m ON m.id = a.member_id
          WHERE c.slug = $1 ORDER BY m.display_name",
    )
    .bind(SPRING)
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    let names: Vec<(&str, i64)> = weeks.iter().map(|(n, b)| (n.as_str(), *b)).collect();
    // Bit 1 is week 11, bit 2 week 12. Grace has none.
    assert_eq!(names, [("Sam Carter", 2), ("kim", 1), ("lee", 1)]);
    let active: Vec<(String, i64)> = sqlx::query_as(
        "SELECT a.period, a.active FROM cohorts c
           CROSS JOIN LATERAL metric_active_learners(c.id, ARRAY['2027-W11', '2027-W12']) a
          WHERE c.slug = $1",
    )
    .bind(SPRING)
    .fetch_all(&bot.pool)
    .await
    .unwrap();
    assert_eq!(
        active,
        [("2027-W11".to_owned(), 2), ("2027-W12".to_owned(), 1)]
    );
}

#[sqlx::test]
async fn only_stewards_sponsors_and_lead_mentors_see_the_numbers(pool: PgPool) {
    let bot = week_ten(pool).await;
    bot.set_local("2027-03-10 10:00", Berlin);
    bot.ok("sam", "/checkin 4 built the intake flow").await;
    bot.ok("lee", "/checkin 2 stuck on licences").await;

    bot.refused(
        "sam",
        "/stats",
        "`/stats` shows the program's numbers to stewards, sponsors and lead mentors. If you need them, ask a steward for the sponsor role.",
    )
    .await;
    // Grace leads Spring Makers: a bare `/stats` is her one cohort.
    let said = bot.say("grace", "/stats weeks:1").await;
    assert_eq!(
        said.reply(),
        "📈 Spring Makers 2027 — 2027-W10\n\
         Enrolled: 3 · active this week: 2\n\
         Check-in rate: 100% (2 of 2 learners: 2 on time, 0 late) · 1 away\n\
         Funnel: joined 3 → accepted the code of conduct 3 → first check-in 2 → first module verified 0 → capstone submitted 0 → graduated 0 → offered to mentor 0"
    );
    bot.refused(
        "grace",
        "/stats evening-builders-2027",
        "You see the numbers of the cohorts you lead or sponsor, and Evening Builders 2027 is not one of them. `/stats` without a cohort lists yours.",
    )
    .await;
    bot.refused("grace", "/stats spring-makers", "spring-makers-2027")
        .await;
    // A steward sees every live cohort, one line each.
    let said = bot.say("ada", "/stats").await;
    assert_eq!(
        said.reply(),
        "📈 Program numbers — 2 cohorts\n\
         • Spring Makers 2027 (2027-W10): 3 enrolled · 2 active · check-ins 100%\n\
         • Evening Builders 2027 (2027-W10): 0 enrolled · 0 active · check-ins —\n\
         A cohort's funnel and weekly rates: `/stats spring-makers-2027`.\n\
         📊 Charts of these numbers: `/dashboard link`."
    );
    bot.refused("ada", "/stats weeks:53", "weeks").await;
}

#[sqlx::test]
async fn a_program_of_many_cohorts_gets_twenty_lines_and_how_to_see_the_rest(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    // 21 more cohorts beside the example's two: 23 live in all.
    sqlx::query(
        "INSERT INTO cohorts (id, community_id, slug, name, timezone, created_at)
         SELECT gen_random_uuid(), community_id, 'extra-' || lpad(g::text, 2, '0'),
                'Extra ' || lpad(g::text, 2, '0'), timezone, created_at
           FROM cohorts, generate_series(1, 21) g WHERE slug = $1",
    )
    .bind(SPRING)
    .execute(&bot.pool)
    .await
    .unwrap();
    let said = bot.say("ada", "/stats").await;
    let reply = said.reply();
    let lines: Vec<&str> = reply.lines().collect();
    assert_eq!(lines[0], "📈 Program numbers — 23 cohorts");
    assert_eq!(lines.iter().filter(|l| l.starts_with("• ")).count(), 20);
    assert_eq!(lines[21], "…and 3 more, not listed here.");
    assert_eq!(lines.len(), 24, "{reply}");
    assert!(
        lines[22].starts_with("A cohort's funnel and weekly rates: `/stats "),
        "{reply}"
    );
    assert_eq!(lines[23], "📊 Charts of these numbers: `/dashboard link`.");
}

/// Without a web address the numbers point to no chart a link cannot reach, and the link
/// says who sets the address: the bot's operator, whom a steward can tell.
#[sqlx::test]
async fn without_a_web_address_stats_do_not_point_to_charts(pool: PgPool) {
    let bot = TestBot::new(pool).await.without_public_url();
    let said = bot.say("ada", "/stats spring-makers-2027").await;
    assert!(
        !said.reply().contains("/dashboard link"),
        "{}",
        said.reply()
    );
    let said = bot.say("ada", "/dashboard link").await;
    assert!(said.refused());
    assert_eq!(
        said.reply(),
        "The dashboard is a page on this bot's web address, and it has none yet. Whoever runs the bot sets `http.public_url` (and `http.listen`) in its configuration; a steward can pass this on to them."
    );
    let said = bot.say("ada", "/stats export weekly").await;
    assert!(said.refused());
    assert_eq!(
        said.reply(),
        "Exports are links on this bot's web address, and it has none yet. Whoever runs the bot sets `http.public_url` (and `http.listen`) in its configuration; a steward can pass this on to them."
    );
}
