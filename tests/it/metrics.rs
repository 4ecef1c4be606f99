//! `/metrics`: the process's health in OpenMetrics text. Commands through Slack's signed
//! edge and a post through a 429 are counted; the text parses as OpenMetrics (with a
//! parser that is not the writer); no label carries user text, a community or a member;
//! the main listener asks for the bearer token; `cohortbot run` serves it on its own
//! listener, counting its Discord requests and scheduler passes.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use secrecy::SecretString;
use sqlx::PgPool;
use tower::ServiceExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use cohortbot::clock::Clock;
use cohortbot::commands::catalog::CATALOG;
use cohortbot::outbox::{Dispatcher, Platform};
use cohortbot::render::Message;
use cohortbot::services::{Destination, enqueue};
use cohortbot::store::communities;

use super::cluster::{Running, start_on, until};
use super::delivery_slack::database_url;
use super::slack::{SAM, Slack};

const TOKEN: &str = "scrape-secret";

/// GETs `/metrics` from `router` with `authorization`, if any: (status, body).
async fn scrape(router: &axum::Router, authorization: Option<&str>) -> (StatusCode, String) {
    let mut request = Request::get("/metrics");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

/// Parses `text` as OpenMetrics and returns every (label, value) pair it holds, failing
/// on a label value the code did not write: no user text, community or member gets in.
fn labels_of(text: &str) -> BTreeSet<(String, String)> {
    let exposition = openmetrics_parser::openmetrics::parse_openmetrics(text)
        .unwrap_or_else(|err| panic!("not OpenMetrics: {err:?}\n{text}"));
    let commands: BTreeSet<&str> = CATALOG.iter().map(|spec| spec.path).collect();
    let mut seen = BTreeSet::new();
    for family in exposition.families.values() {
        for sample in family.iter_samples() {
            for (name, value) in sample.get_labelset().unwrap().iter() {
                let written_by_the_code = match name.as_str() {
                    "command" => commands.contains(value.as_str()),
                    "outcome" => ["handled", "refused", "failed"].contains(&value.as_str()),
                    "platform" => ["discord", "slack", "shell"].contains(&value.as_str()),
                    "fate" => ["sent", "retried", "rate_limited", "dead"].contains(&value.as_str()),
                    "status" => ["2xx", "3xx", "4xx", "5xx", "error"].contains(&value.as_str()),
                    "result" => ["fired", "skipped"].contains(&value.as_str()),
                    "state" => ["idle", "in_use"].contains(&value.as_str()),
                    "shard" => value.parse::<u32>().is_ok(),
                    "version" => value == env!("CARGO_PKG_VERSION"),
                    // Histogram buckets.
                    "le" => value == "+Inf" || value.parse::<f64>().is_ok(),
                    _ => false,
                };
                assert!(
                    written_by_the_code,
                    "label {name}=\"{value}\" was not written by the code"
                );
                seen.insert((name.clone(), value.clone()));
            }
        }
    }
    seen
}

/// The value of the sample line that starts with `series` (`name{labels}`).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.split(' ').next()?.parse().ok())
}

#[sqlx::test]
async fn on_slack_commands_and_a_rate_limited_post_are_counted_without_user_labels(pool: PgPool) {
    // Counting starts when a process serves `/metrics` (the server does at start).
    cohortbot::telemetry::metrics::enable();
    let slack = Slack::new(pool).await;
    // The first post meets a 429; everything after is answered.
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(serde_json::json!({ "ok": false, "error": "ratelimited" })),
        )
        .up_to_n_times(1)
        .mount(&slack.mock)
        .await;
    slack.mount_defaults("Europe/Berlin").await;

    let refused = slack
        .command("stats \"<!channel> 'quoted'\"", "t-stats")
        .await;
    assert_eq!(
        refused["text"],
        "`/cohort stats` shows the program's numbers to stewards, sponsors and lead mentors. If you need them, ask a steward for the sponsor role."
    );
    let unknown = slack.command("cohort join 春の-cohort", "t-join").await;
    assert_eq!(
        unknown["text"],
        "I don't know a cohort called `春の-cohort` here. Type `/cohort list` to see them."
    );
    let set = slack.command("me timezone Asia/Tokyo", "t-tz").await;
    assert!(
        set["text"]
            .as_str()
            .unwrap()
            .starts_with("Your time zone is now *Asia/Tokyo* (it's "),
        "{set}"
    );

    let community = communities::by_slug(&slack.bot.pool, "acme-makers")
        .await
        .unwrap()
        .unwrap();
    let now = slack.bot.clock.now();
    let mut tx = slack.bot.pool.begin().await.unwrap();
    let to = Destination::Channel("spring-makers".to_owned());
    let body = Message::new().text("Welcome to the spring cohort!");
    assert!(
        enqueue(&mut tx, community.id, "metrics-test", &to, &body, now)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let dispatcher = Dispatcher::new(
        slack.bot.pool.clone(),
        slack.bot.services.clock.clone(),
        slack.sender(),
    )
    .only_platform(Platform::Slack);
    let first = dispatcher.run_once().await.unwrap();
    assert_eq!((first.sent, first.rate_limited), (0, 1), "{first:?}");
    slack.bot.clock.advance(chrono::Duration::seconds(2));
    let second = dispatcher.run_once().await.unwrap();
    assert_eq!(second.sent, 1, "{second:?}");
    assert_eq!(
        slack.sent("chat.postMessage").await.len(),
        2,
        "the 429, then the post"
    );

    // The main listener's `/metrics` asks for the token.
    let router =
        cohortbot::web::metrics::routes(slack.bot.pool.clone(), Some(SecretString::from(TOKEN)));
    let (status, body) = scrape(&router, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body,
        "metrics need the bearer token set in metrics.token (Authorization: Bearer …)\n"
    );
    let (status, _) = scrape(&router, Some("Bearer not-the-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, text) = scrape(&router, Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.ends_with("# EOF\n"), "{text}");

    let labels = labels_of(&text);
    for user_text in ["<!channel>", "quoted", "春の-cohort", "acme-makers", SAM] {
        assert!(!text.contains(user_text), "{user_text} in:\n{text}");
    }
    assert!(labels.contains(&("platform".to_owned(), "slack".to_owned())));
    for (series, value) in [
        (
            r#"cohortbot_commands_total{command="stats",outcome="refused"}"#,
            1.0,
        ),
        (
            r#"cohortbot_commands_total{command="cohort join",outcome="refused"}"#,
            1.0,
        ),
        (
            r#"cohortbot_commands_total{command="me timezone",outcome="handled"}"#,
            1.0,
        ),
        (
            r#"cohortbot_outbox_posts_total{platform="slack",fate="rate_limited"}"#,
            1.0,
        ),
        (
            r#"cohortbot_outbox_posts_total{platform="slack",fate="sent"}"#,
            1.0,
        ),
        (
            r#"cohortbot_platform_rate_limited_total{platform="slack"}"#,
            1.0,
        ),
        (
            r#"cohortbot_platform_requests_total{platform="slack",status="4xx"}"#,
            1.0,
        ),
        (
            r#"cohortbot_outbox_send_seconds_count{platform="slack"}"#,
            2.0,
        ),
        (r#"cohortbot_build_info{version="0.1.0"}"#, 1.0),
    ] {
        assert_eq!(sample(&text, series), Some(value), "{series} in:\n{text}");
    }
    // Slack's own 2xx answers: the post, and the profile lookups of first contact.
    let answered = sample(
        &text,
        r#"cohortbot_platform_requests_total{platform="slack",status="2xx"}"#,
    );
    assert!(answered.is_some_and(|n| n >= 1.0), "{text}");
}

#[sqlx::test]
async fn a_running_server_serves_metrics_on_their_own_listener(pool: PgPool) {
    let discord = wiremock::MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "/api/v10/applications/{}/commands",
            super::discord_support::APP
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&discord)
        .await;
    // The gateway is down: the process retries it, and runs everything else.
    Mock::given(method("GET"))
        .and(path("/api/v10/gateway/bot"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&discord)
        .await;
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let listen = format!("127.0.0.1:{port}");
    let _server: Running = start_on(
        &database_url(&pool),
        dir.path(),
        &discord.uri(),
        "0-0/1",
        "metrics",
        &[("COHORTBOT__METRICS__LISTEN", listen.as_str())],
    );
    let url = format!("http://{listen}/metrics");
    let client = reqwest::Client::new();
    // Once a scheduler pass and Discord's answers are in, the scrape shows them.
    let text = until(
        "a scrape with a scheduler pass",
        Duration::from_secs(30),
        async || {
            let response = client.get(&url).send().await.ok()?;
            let content_type = response.headers()[header::CONTENT_TYPE.as_str()]
                .to_str()
                .unwrap()
                .to_owned();
            assert_eq!(
                content_type,
                "application/openmetrics-text; version=1.0.0; charset=utf-8"
            );
            let text = response.text().await.ok()?;
            let passes = sample(&text, "cohortbot_scheduler_pass_seconds_count")?;
            let refused = sample(
                &text,
                r#"cohortbot_platform_requests_total{platform="discord",status="5xx"}"#,
            )?;
            // Registration is leader work, claimed after the lease: it may land after the
            // gateway's first refusal, so the scrape waits for both.
            let registered = sample(
                &text,
                r#"cohortbot_platform_requests_total{platform="discord",status="2xx"}"#,
            )?;
            (passes >= 1.0 && refused >= 1.0 && registered >= 1.0).then_some(text)
        },
    )
    .await;
    labels_of(&text);
    assert_eq!(
        sample(
            &text,
            r#"cohortbot_platform_requests_total{platform="discord",status="2xx"}"#
        ),
        Some(1.0),
        "the command registration, once:\n{text}"
    );
    assert!(
        sample(&text, r#"cohortbot_database_connections{state="idle"}"#).is_some(),
        "{text}"
    );
}
