//! What Slack users read and paste back: code spans keep their characters, a session's
//! number is bold and accepted as `#1`, JSON calls name their charset, and Slack's
//! certificate check is answered.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono_tz::Europe::Berlin;
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;

use crate::slack_loop::prepared;

const ADA: &str = "U0ADA0001";

fn text(answer: &Value) -> &str {
    answer["text"].as_str().unwrap_or_default()
}

#[sqlx::test]
async fn a_cron_copied_from_schedule_list_is_accepted_by_schedule_set(pool: PgPool) {
    let (slack, dispatcher) = prepared(pool).await;
    sqlx::query("UPDATE members SET platform = 'slack', platform_user_id = $1 WHERE platform_user_id = 'ada'")
        .bind(ADA)
        .execute(&slack.bot.pool)
        .await
        .unwrap();
    let listed = slack
        .command("schedule list spring-makers-2027", "t-list")
        .await;
    let listed = text(&listed);
    assert!(!listed.contains('∗') && !listed.contains('＿'), "{listed}");
    let cron = listed
        .split("checkin `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("a checkin cron in code: {listed}"));
    assert!(cron.contains(" * * "), "{cron}");
    let set = slack
        .command_as(
            ADA,
            &format!("schedule set spring-makers-2027 checkin {cron}"),
            "t-set",
        )
        .await;
    assert!(
        text(&set).starts_with("*Spring Makers 2027* checkin now runs at `"),
        "{set}"
    );

    // A session's number is bold on its own, and `#1` is what people type back.
    slack.bot.set_local("2027-03-08 10:00", Berlin);
    let scheduled = slack
        .command_as(
            ADA,
            "event schedule spring-makers-2027 2027-03-11T16:00 lightning_talks Spring lightning talks",
            "t-event",
        )
        .await;
    assert!(
        text(&scheduled).contains("*#1* Spring lightning talks"),
        "{scheduled}"
    );
    let rsvp = slack.command("event rsvp #1", "t-rsvp").await;
    assert!(
        text(&rsvp).contains("*#1* Spring lightning talks"),
        "{rsvp}"
    );
    assert_eq!(slack.bot.count("session_rsvps").await, 1);

    // Every JSON call says its charset.
    dispatcher.run_once().await.unwrap();
    let posts: Vec<_> = slack
        .mock
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/chat.postMessage")
        .collect();
    assert!(!posts.is_empty());
    for post in posts {
        assert_eq!(
            post.headers.get("content-type").unwrap(),
            "application/json; charset=utf-8"
        );
    }
}

#[sqlx::test]
async fn slacks_certificate_check_gets_200_without_a_signature(pool: PgPool) {
    let (slack, _) = prepared(pool).await;
    let invocations = slack.bot.count("invocations").await;
    let response = slack
        .router
        .clone()
        .oneshot(
            Request::post("/slack/commands")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("ssl_check=1&token=gIkuvaNzQIHg97ATvDxqgjtO"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // Anything else unsigned is still refused.
    let response = slack
        .router
        .clone()
        .oneshot(
            Request::post("/slack/commands")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("ssl_check=0&text=help"))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(slack.bot.count("invocations").await, invocations);
}

#[sqlx::test]
async fn a_typing_mistake_is_explained_with_code_and_the_slack_command(pool: PgPool) {
    let (slack, _) = prepared(pool).await;
    let said = slack.command("checkin 9 built `it`", "t-typo").await;
    assert_eq!(
        text(&said),
        "`confidence` must be a whole number from 1 to 5, not `9` (usage: `/cohort checkin &lt;confidence&gt; &lt;progress…&gt; [blockers:…] [hours:…] [next:…] [cohort:…] [week:…]`)"
    );
    let said = slack.command("help checkin", "t-help").await;
    let help = text(&said);
    assert!(
        help.contains(
            "e.g. `/cohort checkin 4 built my first flow blockers:\"no licence\" hours:3 next:\"publish it\"`"
        ),
        "{help}"
    );
    assert!(help.contains("`progress` (required)"), "{help}");
    // A session named by its title: where its number is.
    let said = slack
        .command("event rsvp \u{201c}Lightning talks\u{201d}", "t-session")
        .await;
    assert_eq!(
        text(&said),
        "`session` must be a session's number as `/cohort event list` shows it, like `3`, not `Lightning talks` (usage: `/cohort event rsvp &lt;session&gt;`)"
    );
}
