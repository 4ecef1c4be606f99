//! `/stats` through Discord's and Slack's edges: a signed slash command from someone
//! without the role is refused and says who may; once a sponsor, the same person gets the
//! cohort's numbers, privately, and a redelivery gets the same reply.

use chrono_tz::Europe::Berlin;
use serde_json::json;
use sqlx::PgPool;

use cohortbot::domain::Role;

use super::discord_support::{BEA, DiscordBot};
use super::slack::{SAM, Slack};
use super::support::{self, TestBot};

const SPRING: &str = "spring-makers-2027";

const REFUSED: &str = "`/stats` shows the program's numbers to stewards, sponsors and lead mentors. If you need them, ask a steward for the sponsor role.";

/// Lee and Kim in Spring Makers, prompted on Monday 2027-03-08; Lee checks in, Kim late.
pub(crate) async fn a_week_with_a_late_answer(bot: &TestBot) {
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

const NUMBERS: &str = "📈 Spring Makers 2027 — 2027-W11\n\
    Enrolled: 2 · active this week: 0\n\
    Check-in rate: no prompts yet this week\n\
    Weekly check-in rate: 2027-W10 100% · 2027-W11 —\n\
    Funnel: joined 2 → accepted the code of conduct 2 → first check-in 2 → first module verified 0 → capstone submitted 0 → graduated 0 → offered to mentor 0\n\
    📊 Charts of these numbers: `/dashboard link`.";

#[sqlx::test]
async fn on_discord_a_sponsor_reads_the_numbers_and_others_are_told_who_may(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    a_week_with_a_late_answer(&d.bot).await;
    let options = json!([
        { "name": "cohort", "type": 3, "value": SPRING },
        { "name": "weeks", "type": 4, "value": 2 },
    ]);
    let (_, refused) = d
        .post_signed(&d.command(71, "stats", Some("show"), options.clone()), 0)
        .await;
    assert_eq!(refused["data"]["flags"], 64);
    assert_eq!(refused["data"]["content"], REFUSED);

    d.bot.grant_role("discord", BEA, Role::Sponsor).await;
    let stats = d.command(72, "stats", Some("show"), options);
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
    // With `/stats export` beside it, Discord shows the numbers as `/stats show`.
    let too_long = d.command(
        73,
        "stats",
        Some("show"),
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

    slack.bot.grant_role("slack", SAM, Role::Sponsor).await;
    let answer = slack
        .command("stats spring-makers-2027 weeks:2", "t-stats")
        .await;
    assert_eq!(answer["response_type"], "ephemeral");
    // Slack's mrkdwn: the cohort's name in single stars.
    assert_eq!(
        answer["text"],
        NUMBERS
            .replace("Spring Makers 2027", "*Spring Makers 2027*")
            .replace("`/dashboard link`", "`/cohort dashboard link`")
    );
    let again = slack
        .command("stats spring-makers-2027 weeks:2", "t-stats")
        .await;
    assert_eq!(again["text"], answer["text"]);
}

/// `/stats` as the sponsor asks it after that week: week 10 at 100%, where the exports
/// and the dashboard must agree.
pub(crate) async fn stats_read_week_10_at_100(slack: &Slack) {
    let stats = slack
        .command("stats spring-makers-2027 weeks:2", "t-stats")
        .await;
    assert!(
        stats["text"]
            .as_str()
            .unwrap()
            .contains("Weekly check-in rate: 2027-W10 100% · 2027-W11 —"),
        "{stats}"
    );
}

/// GETs `path` from the bot's export route: (status, headers, body).
pub(crate) async fn download(
    bot: &TestBot,
    path: &str,
) -> (axum::http::StatusCode, axum::http::HeaderMap, String) {
    use tower::ServiceExt;
    let router = cohortbot::web::exports::routes(&bot.services);
    let response = router
        .oneshot(
            axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

/// The export link in a reply, as a path on the bot's web address.
pub(crate) fn export_path(reply: &str) -> String {
    let url = reply
        .split_whitespace()
        .find(|word| word.starts_with(support::PUBLIC_URL))
        .unwrap_or_else(|| panic!("no link in: {reply}"));
    let path = url.trim_start_matches(support::PUBLIC_URL).to_owned();
    let token = path.trim_start_matches("/export/");
    assert!(
        token.len() == 64 && token.chars().all(|c| c.is_ascii_hexdigit()),
        "{token}"
    );
    path
}

fn csv_rows(body: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.as_bytes())
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[sqlx::test]
async fn on_slack_a_steward_exports_csvs_that_match_stats_and_cannot_run_formulas(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    a_week_with_a_late_answer(&slack.bot).await;
    // What Lee wrote, as a form's paragraph field sends it: a formula, lines, CJK, emoji.
    sqlx::query(
        "UPDATE checkins SET progress = $1
          WHERE member_id = (SELECT id FROM members WHERE platform_user_id = 'lee')",
    )
    .bind("=HYPERLINK(\"x\")\n進捗は順調 🙂, \"quoted\"")
    .execute(&slack.bot.pool)
    .await
    .unwrap();

    // Before any role: refused, saying who may.
    let refused = slack
        .command("stats export weekly spring-makers-2027", "t-no-role")
        .await;
    assert_eq!(
        refused["text"],
        REFUSED.replace("`/stats`", "`/cohort stats`")
    );
    slack.bot.grant_role("slack", SAM, Role::Sponsor).await;
    let refused = slack.command("stats export checkins", "t-sponsor").await;
    assert_eq!(
        refused["text"],
        "Only stewards export every check-in: it holds what learners wrote. The weekly, funnel, attendance and milestones exports are yours."
    );
    let backwards = slack
        .command(
            "stats export weekly from:2027-03-16 to:2027-03-01",
            "t-backwards",
        )
        .await;
    assert_eq!(
        backwards["text"],
        "The range ends (2027-03-01) before it starts (2027-03-16): give `from` a day before `to`."
    );
    let unknown = slack.command("stats export monthly", "t-monthly").await;
    assert!(
        unknown["text"].as_str().unwrap().contains("monthly"),
        "{unknown}"
    );

    // The sponsor's weekly file says what `/stats` says for week 10: 100%, one late.
    let weekly = slack
        .command(
            "stats export weekly spring-makers-2027 from:2027-03-08 to:2027-03-16",
            "t-weekly",
        )
        .await;
    assert_eq!(weekly["response_type"], "ephemeral");
    let text = weekly["text"].as_str().unwrap();
    assert!(
        text.starts_with("📄 weekly.csv of Spring Makers 2027, 2027-W10 to 2027-W11: https://bot.example.org/export/"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "\nThe link works for 15 minutes, for anyone who has it: keep it to yourself."
        ),
        "{text}"
    );
    let (status, headers, body) = download(&slack.bot, &export_path(text)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        headers["content-type"],
        "text/csv; charset=utf-8; header=present"
    );
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"cohortbot-weekly-2027-W10-to-2027-W11.csv\""
    );
    assert_eq!(headers["cache-control"], "private, no-store");
    assert_eq!(
        body,
        "cohort,week,prompted,answered,on_time,late,excused,rate_percent,active_learners\r\n\
         Spring Makers 2027,2027-W10,2,2,1,1,0,100,2\r\n\
         Spring Makers 2027,2027-W11,0,0,0,0,0,,0\r\n"
    );
    stats_read_week_10_at_100(&slack).await;

    // A steward's check-ins: every cell of learners' text is inert in a spreadsheet.
    slack.bot.grant_role("slack", SAM, Role::Steward).await;
    let checkins = slack
        .command(
            "stats export checkins spring-makers-2027 from:2027-03-08",
            "t-checkins",
        )
        .await;
    let path = export_path(checkins["text"].as_str().unwrap());
    let (status, _, body) = download(&slack.bot, &format!("{path}?excel=1")).await;
    assert_eq!(status, 200, "{body}");
    let body = body
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for Excel");
    assert!(body.contains("\r\n"), "{body:?}");
    let rows = csv_rows(body);
    assert_eq!(
        rows,
        [
            vec![
                "cohort",
                "week",
                "learner",
                "timing",
                "confidence",
                "hours",
                "progress",
                "blockers",
                "checked_in_at"
            ],
            vec![
                "Spring Makers 2027",
                "2027-W10",
                "kim",
                "late",
                "2",
                "",
                "caught up",
                "",
                "2027-03-16T09:00:00Z"
            ],
            vec![
                "Spring Makers 2027",
                "2027-W10",
                "lee",
                "on_time",
                "4",
                "",
                "'=HYPERLINK(\"x\")\n進捗は順調 🙂, \"quoted\"",
                "",
                "2027-03-09T09:00:00Z"
            ],
        ]
    );

    // Sixteen minutes on, the link is dead, and says how to get another.
    slack.bot.clock.advance(chrono::Duration::minutes(16));
    let (status, _, body) = download(&slack.bot, &path).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        "This export link is unknown or has expired (links work for 15 minutes). Ask for a new one with /stats export.\n"
    );
    let (status, _, _) = download(&slack.bot, "/export/not-a-token").await;
    assert_eq!(status, 404);
}

#[sqlx::test]
async fn on_discord_a_sponsor_gets_the_dashboard_link_and_a_steward_rotates_it(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let link = d.command(81, "dashboard", Some("link"), json!([]));
    let (_, refused) = d.post_signed(&link, 0).await;
    assert_eq!(refused["data"]["flags"], 64);
    assert_eq!(
        refused["data"]["content"],
        "The dashboard link is for sponsors and stewards; a steward can give you the sponsor role. Lead mentors see their cohorts' numbers with `/stats`."
    );
    d.bot.grant_role("discord", BEA, Role::Sponsor).await;
    let link = d.command(82, "dashboard", Some("link"), json!([]));
    let (_, reply) = d.post_signed(&link, 0).await;
    assert_eq!(reply["data"]["flags"], 64, "only the sponsor sees the link");
    let content = reply["data"]["content"].as_str().unwrap();
    let url = content
        .split_whitespace()
        .find(|w| w.starts_with(support::PUBLIC_URL))
        .unwrap_or_else(|| panic!("{content}"));
    let key = url
        .strip_prefix(&format!(
            "{}/dashboard/acme-makers?key=",
            support::PUBLIC_URL
        ))
        .unwrap_or_else(|| panic!("{url}"));
    assert!(
        key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit()),
        "{key}"
    );
    assert_eq!(
        content,
        format!(
            "📊 The program dashboard: {url}\nAnyone with the link sees the program's numbers (never a learner's name or words), so share it only with the people it is for. A steward can break every copy with `/dashboard rotate`."
        )
    );
    // Redelivered: the same reply, the same key.
    let (_, again) = d.post_signed(&link, 0).await;
    assert_eq!(again["data"]["content"], reply["data"]["content"]);

    let rotate = d.command(83, "dashboard", Some("rotate"), json!([]));
    let (_, refused) = d.post_signed(&rotate, 0).await;
    assert_eq!(
        refused["data"]["content"],
        "Sorry, only stewards can use `/dashboard rotate`."
    );
    d.bot.grant_role("discord", BEA, Role::Steward).await;
    let rotate = d.command(84, "dashboard", Some("rotate"), json!([]));
    let (_, rotated) = d.post_signed(&rotate, 0).await;
    let rotated = rotated["data"]["content"].as_str().unwrap();
    assert!(rotated.starts_with("📊 New dashboard link: "), "{rotated}");
    assert!(!rotated.contains(key), "a new key: {rotated}");
    assert!(
        rotated.ends_with(
            "Every earlier link has stopped working: send this one to those who should keep access."
        ),
        "{rotated}"
    );
    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'dashboard.%' ORDER BY id",
    )
    .fetch_all(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(audited, ["dashboard.link", "dashboard.rotate"]);
}
