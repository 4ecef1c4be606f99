//! `/me data export`: a member's own data as JSON behind a one-hour link, once a day, with
//! none of what other members wrote.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use chrono_tz::Europe::Berlin;
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;

use super::support::{PUBLIC_URL, TestBot};

async fn download(bot: &TestBot, path: &str) -> (StatusCode, Option<String>, String) {
    let response = cohortbot::web::my_data::routes(&bot.services)
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let disposition = response
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .map(|v| v.to_str().unwrap().to_owned());
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        disposition,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

/// The link's path from an export reply.
fn link_path(reply: &str) -> String {
    let start = reply.find(PUBLIC_URL).expect("a link") + PUBLIC_URL.len();
    reply[start..].split_whitespace().next().unwrap().to_owned()
}

#[sqlx::test]
async fn a_member_downloads_their_own_data_and_nobody_elses_words(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", "spring-makers-2027", Some("projects"))
        .await;
    bot.set_local("2027-03-08 10:00", Berlin);
    bot.ok("sam", "/me skills excel, sql").await;
    bot.ok("sam", "/checkin 4 MY-PROGRESS with the *expenses* flow 🙂")
        .await;
    bot.ok("grace", "/checkin reply @sam REPLY-SECRET from your mentor")
        .await;
    bot.ok(
        "sam",
        "/approve request data_usage personal \"Expenses\" MY-JUSTIFICATION for Finance.",
    )
    .await;
    bot.ok("grace", "/approve no 1 REJECT-SECRET not with names")
        .await;
    bot.ok(
        "grace",
        "/tool register \"Room finder\" app internal 5 Teams GRACE-TOOL-TEXT backup:sam",
    )
    .await;

    let said = bot.say("sam", "/me data export").await;
    let reply = said.reply().to_owned();
    assert!(
        reply.starts_with(&format!(
            "🔐 Your data, as JSON (cohortbot-export-v1): {PUBLIC_URL}/me/export/"
        )),
        "{reply}"
    );
    assert!(
        reply.ends_with("\nIt works until Mon 8 Mar 2027 10:00 UTC and only for you: don't share it. It holds everything I keep about you (your profile, roles, check-ins, sessions, milestones, badges, kudos you gave, reviews, pairings, approvals, tools, circles) and none of what others wrote."),
        "{reply}"
    );
    let path = link_path(&reply);
    assert_eq!(path.len(), "/me/export/".len() + 64, "a 256-bit token");

    let (status, disposition, body) = download(&bot, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        disposition.as_deref(),
        Some("attachment; filename=\"cohortbot-export-v1.json\"")
    );
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["schema"], "cohortbot-export-v1");
    assert_eq!(doc["member"]["name"], "Sam Carter");
    assert_eq!(doc["member"]["skills"], serde_json::json!(["excel", "sql"]));
    assert_eq!(doc["enrollments"][0]["cohort"], "spring-makers-2027");
    assert_eq!(
        doc["checkins"][0]["progress"],
        "MY-PROGRESS with the *expenses* flow 🙂"
    );
    assert_eq!(doc["checkins"][0]["mentor_replies"], 1);
    assert_eq!(
        doc["approval_requests"][0]["justification"],
        "MY-JUSTIFICATION for Finance."
    );
    assert_eq!(
        doc["approval_requests"][0]["votes"],
        serde_json::json!([{ "by": "Grace Lindqvist", "approve": false }])
    );
    assert_eq!(doc["tools"][0]["as"], "backup");
    assert_eq!(doc["tools"][0]["justification"], Value::Null);
    for secret in ["REPLY-SECRET", "REJECT-SECRET", "GRACE-TOOL-TEXT"] {
        assert!(!body.contains(secret), "{secret} is someone else's: {body}");
    }

    // One a day; the link works for an hour, and then says how to get another.
    bot.refused(
        "sam",
        "/me data export",
        "You asked for your data at Mon 8 Mar 2027 09:00 UTC, and there is one export a day. Its link works until Mon 8 Mar 2027 10:00 UTC. Ask again after Tue 9 Mar 2027 09:00 UTC.",
    )
    .await;
    bot.clock.advance(Duration::minutes(61));
    let (status, _, body) = download(&bot, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body,
        "This link to your data is unknown or has expired (links work for an hour). Ask for a new one with /me data export.\n"
    );
    let (status, _, _) = download(&bot, "/me/export/0000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    bot.clock.advance(Duration::hours(23));
    let again = bot.say("sam", "/me data export").await;
    assert!(
        again.reply().starts_with("🔐 Your data"),
        "{}",
        again.reply()
    );

    // Grace's own export holds her tool's text, and is hers alone.
    let hers = bot.say("grace", "/me data export").await;
    let (_, _, body) = download(&bot, &link_path(hers.reply())).await;
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["member"]["name"], "Grace Lindqvist");
    assert_eq!(doc["tools"][0]["justification"], "GRACE-TOOL-TEXT");
    assert_eq!(
        doc["approval_votes"][0]["comment"],
        "REJECT-SECRET not with names"
    );
    assert!(!body.contains("MY-PROGRESS"), "{body}");
}

#[sqlx::test]
async fn on_slack_the_export_is_a_private_reply_with_the_link(pool: PgPool) {
    use super::slack::{Slack, reply_text};
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let answer = slack.command("me data export", "t-export").await;
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    let text = reply_text(&answer);
    assert!(
        text.starts_with(&format!(
            "🔐 Your data, as JSON (cohortbot-export-v1): {PUBLIC_URL}/me/export/"
        )),
        "{text}"
    );
    let (status, _, body) = download(&slack.bot, &link_path(&text)).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["member"]["platform"], "slack");
    // Slack delivering the command twice gets the same reply, not a refusal.
    let again = slack.command("me data export", "t-export").await;
    assert_eq!(reply_text(&again), text);
    let other = slack.command("me data export", "t-export-2").await;
    assert!(
        reply_text(&other).starts_with("You asked for your data at "),
        "{}",
        reply_text(&other)
    );
}
