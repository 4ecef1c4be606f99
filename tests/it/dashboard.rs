//! The sponsor dashboard, as a sponsor reaches it: a signed Slack `/dashboard link`, then
//! the link opened in a real headless Chromium at a phone's width. The page draws its
//! charts, asks for nothing but itself, fits the screen, and says the check-in rate
//! `/stats` says. A wrong key and a rotated one get the same 404.

use chrono_tz::Europe::Berlin;
use serde_json::Value;
use sqlx::PgPool;

use cohortbot::domain::Role;

use super::browser::Browser;
use super::platform_stats::{
    a_week_with_a_late_answer, download, export_path, stats_read_week_10_at_100,
};
use super::slack::{SAM, Slack};
use super::support::{self, TestBot};

const SPRING: &str = "spring-makers-2027";

/// Beyond the week of check-ins: Sam joins on Tuesday of week 11 and has a module verified
/// two days later; on Wednesday Grace claims Lee's review three hours after he asked, and
/// a lightning-talk night has two RSVPs and one attendee.
async fn a_program_to_show(bot: &TestBot) {
    a_week_with_a_late_answer(bot).await; // ends 2027-03-16 10:00 Berlin
    bot.enroll("sam", SPRING, Some("short-modules")).await;
    bot.ok(
        "ada",
        "/event schedule spring-makers-2027 2027-03-17T17:00 lightning_talks Demo <b>夜</b> 🌙 @everyone",
    )
    .await;
    let (number, code): (i32, String) =
        sqlx::query_as("SELECT number, checkin_code FROM sessions WHERE title LIKE 'Demo %'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    bot.ok("lee", &format!("/event rsvp {number}")).await;
    bot.ok("kim", &format!("/event rsvp {number}")).await;
    bot.set_local("2027-03-17 09:00", Berlin);
    bot.ok("lee", "/review request https://x.example/app/1")
        .await;
    let review: i32 = sqlx::query_scalar("SELECT number FROM reviews")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    bot.set_local("2027-03-17 12:00", Berlin);
    bot.ok("grace", &format!("/review claim {review}")).await;
    bot.set_local("2027-03-17 17:10", Berlin);
    bot.ok("lee", &format!("/event checkin {code}")).await;
    bot.set_local("2027-03-18 10:00", Berlin);
    bot.ok(
        "sam",
        "/milestone submit flows-101 https://example.org/flows-101",
    )
    .await;
    bot.ok("grace", "/milestone verify @sam flows-101").await;
}

/// Serves the bot's web routes on a real port, as `cohortbot run` does.
pub(crate) async fn serve(bot: &TestBot) -> String {
    let router = cohortbot::web::WebServer::new(&bot.services)
        .merge(cohortbot::web::dashboard::routes(&bot.services))
        .into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

/// The dashboard link in a `/dashboard` reply, as a path on the bot's web address.
pub(crate) fn dashboard_path(reply: &Value) -> String {
    let text = reply["text"].as_str().unwrap();
    let url = text
        .split_whitespace()
        .find(|word| word.starts_with(support::PUBLIC_URL))
        .unwrap_or_else(|| panic!("no link in: {text}"));
    url.trim_start_matches(support::PUBLIC_URL).to_owned()
}

#[sqlx::test]
async fn a_sponsor_opens_the_dashboard_on_a_phone_and_it_draws_only_itself(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    a_program_to_show(&slack.bot).await;

    // Without a role: refused, saying who may.
    let refused = slack.command("dashboard link", "t-no-role").await;
    assert_eq!(refused["response_type"], "ephemeral");
    assert_eq!(
        refused["text"],
        "The dashboard link is for sponsors and stewards; a steward can give you the sponsor role. Lead mentors see their cohorts' numbers with `/cohort stats`."
    );
    slack.bot.grant_role("slack", SAM, Role::Sponsor).await;
    let reply = slack.command("dashboard link", "t-link").await;
    assert_eq!(reply["response_type"], "ephemeral");
    let path = dashboard_path(&reply);
    assert_eq!(
        reply["text"].as_str().unwrap(),
        format!(
            "📊 The program dashboard: {}{path}\nAnyone with the link sees the program's numbers (never a learner's name or words), so share it only with the people it is for. A steward can break every copy with `/cohort dashboard rotate`.",
            support::PUBLIC_URL
        )
    );
    assert!(path.starts_with("/dashboard/acme-makers?key="), "{path}");
    // The same request again: the same link.
    let again = slack.command("dashboard link", "t-link").await;
    assert_eq!(dashboard_path(&again), path);
    let rotate = slack.command("dashboard rotate", "t-rotate-sponsor").await;
    assert_eq!(
        rotate["text"],
        "Sorry, only stewards can use `/cohort dashboard rotate`."
    );

    let base = serve(&slack.bot).await;
    let response = reqwest::get(format!("{base}{path}")).await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "private, no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-robots-tag"], "noindex, nofollow");
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.starts_with("default-src 'none'; style-src 'sha256-"),
        "{policy}"
    );
    assert!(!policy.contains("script"), "no script is allowed: {policy}");
    let html = response.text().await.unwrap();
    for name in [
        "Lee",
        "Kim",
        "Sam Carter",
        "built the intake flow",
        "caught up",
    ] {
        assert!(!html.contains(name), "a learner's name or words: {name}");
    }

    let mut browser = Browser::start().await;
    let loaded = browser.load(&format!("{base}{path}"), 390, 844).await;
    assert_eq!(
        loaded.requests,
        [format!("{base}{path}")],
        "the page asks for nothing beyond itself"
    );
    // The page's own style applied (its policy allows it by hash, and only it).
    assert_eq!(
        browser
            .eval("getComputedStyle(document.querySelector('.tiles')).display")
            .await,
        "grid"
    );
    // Seven charts, each drawn with bars or cells, each named for a screen reader, each
    // with its table.
    let charts = browser
        .eval(
            "[...document.querySelectorAll('main svg')].map(s => ({ \
               title: s.querySelector('title')?.textContent, \
               desc: !!s.querySelector('desc')?.textContent, \
               width: Math.round(s.getBoundingClientRect().width), \
               height: Math.round(s.getBoundingClientRect().height), \
               table: !!s.closest('section').querySelector('details table') }))",
        )
        .await;
    let charts = charts.as_array().unwrap();
    let titles: Vec<&str> = charts
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Weekly check-in rate",
            "Funnel",
            "Learner health, 2027-W10",
            "Confidence",
            "Retention",
            "Time to milestone",
            "Mentor load",
            "Sessions and attendance"
        ]
    );
    for chart in charts {
        assert_eq!(chart["desc"], true, "{chart}");
        assert_eq!(chart["table"], true, "{chart}");
        let width = chart["width"].as_u64().unwrap();
        assert!(
            (300..=390).contains(&width) && chart["height"].as_u64().unwrap() > 100,
            "drawn at the phone's width: {chart}"
        );
    }
    // Drawn: the bars and cells each chart has data for, at a visible size (the
    // background and the legend's keys left out).
    let drawn = browser
        .eval(
            "[...document.querySelectorAll('main svg')].map(s => \
               [...s.querySelectorAll('rect')].filter(r => \
                 !['#FFFFFF', 'none'].includes(r.getAttribute('fill')) \
                 && r.getAttribute('width') !== '10' \
                 && r.getBoundingClientRect().width > 1 \
                 && r.getBoundingClientRect().height > 1).length)",
        )
        .await;
    // Week 10 on time and late; four funnel steps reached; week 10's confidence; six
    // retention cells (two joiners' five weeks, Sam's first); a module's median and 75th
    // percentile; Grace's load as the lead of one group; the session's share of RSVPs
    // and of the enrolled. Health: Kim (confidence 2) needs a check-in, Lee and Sam are too
    // new to tell.
    assert_eq!(drawn, serde_json::json!([2, 4, 2, 1, 6, 2, 1, 2]));
    assert!(
        html.contains(
            "<tr><th scope=\"row\">on track</th><td>0</td></tr>\
             <tr><th scope=\"row\">needs a check-in</th><td>1</td></tr>\
             <tr><th scope=\"row\">too early to tell</th><td>2</td></tr>"
        ),
        "{html}"
    );
    // Nothing wider than the phone: no sideways scrolling.
    assert_eq!(
        browser
            .eval("document.documentElement.scrollWidth <= window.innerWidth")
            .await,
        true
    );

    // The same check-in rate as `/stats` for the same week (W10: both answered, one late).
    let week_10 = browser
        .eval(
            "[...document.querySelectorAll('details table tr')] \
               .map(r => [...r.cells].map(c => c.textContent)) \
               .find(cells => cells[0] === '2027-W10')",
        )
        .await;
    assert_eq!(
        week_10,
        serde_json::json!(["2027-W10", "2", "1", "1", "0", "100%"])
    );
    stats_read_week_10_at_100(&slack).await;
    let sessions = browser
        .eval(
            "[...document.querySelectorAll('details table tr')] \
               .map(r => [...r.cells].map(c => c.textContent)) \
               .find(cells => cells[0].startsWith('#3 '))",
        )
        .await;
    assert_eq!(
        sessions,
        serde_json::json!([
            "#3 Demo <b>夜</b> 🌙 @everyone",
            "2027-03-17",
            "2",
            "1",
            "50%",
            "3",
            "33%"
        ])
    );
    // Mentors are numbered, never named: Grace leads one group, her whole capacity, and
    // claimed a review three hours after it was asked for.
    let mentors = browser
        .eval(
            "[...document.querySelectorAll('section')] \
               .find(s => s.querySelector('h2')?.textContent === 'Mentor load') \
               .querySelectorAll('tbody tr').length",
        )
        .await;
    assert_eq!(mentors, 1);
    let mentor = browser
        .eval(
            "[...document.querySelectorAll('details table tr')] \
               .map(r => [...r.cells].map(c => c.textContent)) \
               .find(cells => cells[1] === 'lead (groups)')",
        )
        .await;
    assert_eq!(
        mentor,
        serde_json::json!([
            "1",
            "lead (groups)",
            "1",
            "1",
            "100%",
            "1",
            "3.0",
            "—",
            "no"
        ])
    );
    // Enrolled, active, the rate, graduates, hours saved per month, badges.
    let tiles = browser
        .eval("[...document.querySelectorAll('.tile b')].map(b => b.textContent)")
        .await;
    assert_eq!(tiles, serde_json::json!(["3", "2", "—", "0", "0", "1"]));
    if let Ok(file) = std::env::var("COHORTBOT_SCREENSHOT") {
        std::fs::write(&file, browser.screenshot().await).unwrap();
    }

    // The same numbers as files: the week's session, and days to the verified module.
    let attendance = slack
        .command(
            "stats export attendance spring-makers-2027 from:2027-03-15",
            "t-attendance",
        )
        .await;
    let text = attendance["text"].as_str().unwrap();
    assert!(
        text.starts_with(
            "📄 attendance.csv of Spring Makers 2027, 2027-W11: https://bot.example.org/export/"
        ),
        "{text}"
    );
    let (status, _, body) = download(&slack.bot, &export_path(text)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        "cohort,session,title,kind,starts_at,rsvps,attended,attended_of_rsvps,rsvp_rate_percent,enrolled,enrolled_rate_percent\r\n\
         Spring Makers 2027,3,Demo <b>夜</b> 🌙 @everyone,lightning_talks,2027-03-17T16:00:00Z,2,1,1,50,3,33\r\n"
    );
    let milestones = slack
        .command("stats export milestones spring-makers-2027", "t-milestones")
        .await;
    let (status, _, body) = download(
        &slack.bot,
        &export_path(milestones["text"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        "cohort,module,capstone,verified,median_days,p75_days\r\n\
         Spring Makers 2027,Your first cloud flow,false,1,2.0,2.0\r\n"
    );

    // A steward rotates: the old link is the same 404 as a wrong key or community.
    slack.bot.grant_role("slack", SAM, Role::Steward).await;
    let rotated = slack.command("dashboard rotate", "t-rotate").await;
    let new_path = dashboard_path(&rotated);
    assert_ne!(new_path, path);
    assert!(
        rotated["text"]
            .as_str()
            .unwrap()
            .starts_with("📊 New dashboard link: "),
        "{rotated}"
    );
    let not_found = [
        path.clone(),
        new_path.replace("key=", "key=0"),
        new_path.replace("acme-makers", "other-makers"),
        format!("{new_path}&cohort=no-such-cohort"),
        "/dashboard/acme-makers".to_owned(),
    ];
    for wrong in not_found {
        let response = reqwest::get(format!("{base}{wrong}")).await.unwrap();
        assert_eq!(response.status(), 404, "{wrong}");
        assert_eq!(
            response.text().await.unwrap(),
            "This dashboard link is unknown, or a steward replaced it with a new one. Ask a steward or a sponsor for the current link (/dashboard link).\n"
        );
    }
    let response = reqwest::get(format!("{base}{new_path}")).await.unwrap();
    assert_eq!(response.status(), 200);
}
