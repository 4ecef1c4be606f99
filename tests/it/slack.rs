//! Slack HTTP mode: signed fixtures posted to the real router, the Web API on wiremock.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use cohortbot::chat::slack::api::SlackApi;
use cohortbot::chat::slack::verify::sign;
use cohortbot::chat::slack::{SlackApp, SlackSender, routes};
use cohortbot::clock::Clock;
use governor::Quota;
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Request as Received, ResponseTemplate};

use crate::support::{COMMUNITY, TestBot};

pub const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const TEAM: &str = "T0ACME001";
pub const SAM: &str = "U0SAM0001";

/// A bot whose community lives in Slack workspace `TEAM`, with the Web API on wiremock.
pub struct Slack {
    pub bot: TestBot,
    pub mock: MockServer,
    pub app: SlackApp,
    pub router: Router,
}

pub fn fixture(name: &str, values: &[(&str, &str)]) -> String {
    let file = format!("{}/tests/data/slack/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    for (key, value) in values {
        text = text.replace(&format!("{{{{{key}}}}}"), value);
    }
    assert!(!text.contains("{{"), "unfilled placeholder in {name}");
    text
}

fn form_value(v: &str) -> String {
    serde_urlencoded::to_string([("v", v)]).unwrap()[2..].to_owned()
}

pub fn json_str(v: &str) -> String {
    serde_json::to_string(v).unwrap()
}

impl Slack {
    pub async fn new(pool: PgPool) -> Self {
        let bot = TestBot::new(pool).await;
        sqlx::query("UPDATE communities SET slack_team_id = $1 WHERE slug = $2")
            .bind(TEAM)
            .bind(COMMUNITY)
            .execute(&bot.pool)
            .await
            .unwrap();
        let mock = MockServer::start().await;
        let api = SlackApi::new(&mock.uri(), SecretString::from("xoxb-test-token")).unwrap();
        let secret = SecretString::from(SECRET);
        let app = SlackApp::new(bot.services.clone(), api, Some(secret.clone()), &secret);
        let router = routes(app.clone());
        Self {
            bot,
            mock,
            app,
            router,
        }
    }

    /// Answers Slack would give to the calls the bot makes in a normal run.
    pub async fn mount_defaults(&self, tz: &str) {
        let ok = |body: Value| ResponseTemplate::new(200).set_body_json(body);
        Mock::given(method("POST"))
            .and(path("/users.info"))
            .respond_with(ok(json!({ "ok": true, "user": {
                "id": SAM, "team_id": TEAM, "name": "sam", "real_name": "Sam Carter", "tz": tz,
                "tz_label": "Central European Time", "tz_offset": 3600,
                "profile": { "display_name": "Sam C", "real_name": "Sam Carter" } } })))
            .mount(&self.mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/conversations.open"))
            .respond_with(ok(json!({ "ok": true, "channel": { "id": "D0SAMDM01" } })))
            .mount(&self.mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/chat.postMessage"))
            .respond_with(ok(
                json!({ "ok": true, "channel": "D0SAMDM01", "ts": "1772352000.000100" }),
            ))
            .mount(&self.mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/chat.postEphemeral"))
            .respond_with(ok(json!({ "ok": true, "message_ts": "1772352000.000700" })))
            .mount(&self.mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/chat.update"))
            .respond_with(ok(
                json!({ "ok": true, "channel": "D0SAMDM01", "ts": "1772352000.000100" }),
            ))
            .mount(&self.mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/views.open"))
            .respond_with(ok(json!({ "ok": true, "view": { "id": "V0CHECKIN1" } })))
            .mount(&self.mock)
            .await;
        Mock::given(method("POST"))
            .and(path("/response"))
            .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
            .mount(&self.mock)
            .await;
    }

    /// A sender that does not wait between posts to one channel.
    pub fn sender(&self) -> SlackSender {
        self.paced_sender()
            .with_pace(Quota::per_second(NonZeroU32::new(1_000).unwrap()))
    }

    /// A sender at the production pace: one message per second per channel.
    pub fn paced_sender(&self) -> SlackSender {
        let api = SlackApi::new(&self.mock.uri(), SecretString::from("xoxb-test-token")).unwrap();
        let channels = BTreeMap::from([
            ("spring-makers".to_owned(), "C0SPRING1".to_owned()),
            ("evening-builders".to_owned(), "C0EVENING".to_owned()),
        ]);
        SlackSender::new(api, self.bot.pool.clone(), channels)
            .with_clock(std::sync::Arc::new(self.bot.clock.clone()))
    }

    pub fn response_url(&self) -> String {
        format!("{}/response", self.mock.uri())
    }

    /// Posts a body signed at `signed_at` (Unix seconds) with `extra` headers.
    pub async fn post_signed(
        &self,
        path: &str,
        content_type: &str,
        body: String,
        signed_at: i64,
        extra: &[(&str, &str)],
    ) -> (StatusCode, Option<Value>) {
        let ts = signed_at.to_string();
        let signature = sign(SECRET.as_bytes(), &ts, body.as_bytes());
        let mut request = Request::post(path)
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", &ts)
            .header("x-slack-signature", signature);
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).ok())
    }

    pub fn now(&self) -> i64 {
        self.bot.clock.now().timestamp()
    }

    pub async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: String,
    ) -> (StatusCode, Option<Value>) {
        self.post_signed(path, content_type, body, self.now(), &[])
            .await
    }

    pub fn command_body(&self, user: &str, text: &str, trigger: &str) -> String {
        fixture(
            "slash_command.form",
            &[
                ("text", &form_value(text)),
                ("response_url", &form_value(&self.response_url())),
                ("trigger_id", trigger),
            ],
        )
        .replace("U0SAM0001", user)
    }

    /// `user` types `/cohort <text>`; returns the immediate answer.
    pub async fn command_as(&self, user: &str, text: &str, trigger: &str) -> Value {
        let body = self.command_body(user, text, trigger);
        let (status, answer) = self
            .post("/slack/commands", "application/x-www-form-urlencoded", body)
            .await;
        assert_eq!(status, StatusCode::OK);
        answer.unwrap_or(Value::Null)
    }

    pub async fn command(&self, text: &str, trigger: &str) -> Value {
        self.command_as(SAM, text, trigger).await
    }

    pub async fn interact(&self, payload: &str) -> (StatusCode, Option<Value>) {
        let body = format!("payload={}", form_value(payload));
        self.post(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            body,
        )
        .await
    }

    /// Requests the bot sent to one Web API method, as JSON (or form fields as a JSON map).
    pub async fn sent(&self, method_name: &str) -> Vec<Value> {
        let requests: Vec<Received> = self.mock.received_requests().await.unwrap_or_default();
        requests
            .iter()
            .filter(|r| r.url.path() == format!("/{method_name}"))
            .map(|r| {
                serde_json::from_slice(&r.body).unwrap_or_else(|_| {
                    let fields: BTreeMap<String, String> =
                        serde_urlencoded::from_bytes(&r.body).unwrap();
                    json!(fields)
                })
            })
            .collect()
    }

    /// Waits for background work (profile seeding, late answers) to show up.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for _ in 0..100 {
            if check().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("timed out waiting for {what}");
    }

    pub async fn member_field(&self, user: &str, column: &str) -> Option<String> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {column} FROM members WHERE platform = 'slack' AND platform_user_id = $1"
        )))
        .bind(user)
        .fetch_optional(&self.bot.pool)
        .await
        .unwrap()
        .flatten()
    }
}

pub fn reply_text(answer: &Value) -> String {
    answer["text"].as_str().unwrap_or_default().to_owned()
}

#[sqlx::test]
async fn requests_with_a_bad_missing_or_stale_signature_get_401(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let body = slack.command_body(SAM, "list", "t1");
    let form = "application/x-www-form-urlencoded";

    let forged = Request::post("/slack/commands")
        .header("content-type", form)
        .header("x-slack-request-timestamp", slack.now().to_string())
        .header("x-slack-signature", format!("v0={}", "ab".repeat(32)))
        .body(Body::from(body.clone()))
        .unwrap();
    let status = slack.router.clone().oneshot(forged).await.unwrap().status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let unsigned = Request::post("/slack/events")
        .header("content-type", "application/json")
        .body(Body::from(fixture("url_verification.json", &[])))
        .unwrap();
    let status = slack
        .router
        .clone()
        .oneshot(unsigned)
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let stale = slack.now() - 6 * 60;
    let (status, _) = slack
        .post_signed("/slack/commands", form, body.clone(), stale, &[])
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = slack
        .post_signed(
            "/slack/interactions",
            form,
            "payload=%7B%7D".into(),
            stale,
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    assert_eq!(
        slack.bot.count("members WHERE platform = 'slack'").await,
        0,
        "nothing ran"
    );
    let (status, answer) = slack.post("/slack/commands", form, body).await;
    assert_eq!(status, StatusCode::OK);
    assert!(reply_text(&answer.unwrap()).contains("Spring Makers 2027"));
}

#[sqlx::test]
async fn url_verification_echoes_the_challenge(pool: PgPool) {
    let slack = Slack::new(pool).await;
    let (status, answer) = slack
        .post(
            "/slack/events",
            "application/json",
            fixture("url_verification.json", &[]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer.unwrap(),
        json!({ "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" })
    );
}

#[sqlx::test]
async fn first_contact_creates_the_member_and_seeds_the_slack_time_zone(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Asia/Tokyo").await;
    let answer = slack.command("me", "t-me").await;
    assert_eq!(answer["response_type"], "ephemeral");
    slack
        .eventually("the Slack time zone", || async {
            slack.member_field(SAM, "timezone").await.as_deref() == Some("Asia/Tokyo")
        })
        .await;
    assert_eq!(
        slack.member_field(SAM, "display_name").await.as_deref(),
        Some("Sam C")
    );
    // users.info is a read method: form-encoded, or Slack ignores the arguments.
    let info = &slack.mock.received_requests().await.unwrap();
    let info = info.iter().find(|r| r.url.path() == "/users.info").unwrap();
    assert_eq!(String::from_utf8_lossy(&info.body), "user=U0SAM0001");
    assert_eq!(info.headers["authorization"], "Bearer xoxb-test-token");

    // A zone the member chose is never overwritten by Slack's.
    let said = slack.command("me timezone America/Denver", "t-tz").await;
    assert!(reply_text(&said).contains("America/Denver"), "{said}");

    // An abbreviation or an offset has no daylight saving: refused, with a place instead,
    // and the zone the member chose stays.
    let said = slack.command("me timezone EST", "t-est").await;
    assert_eq!(
        reply_text(&said),
        "`EST` is an abbreviation, not a place, so prompts would not follow your daylight saving time; use your city's zone, like `America/New_York` (usage: `/cohort me timezone [zone]`)",
        "{said}"
    );
    let said = slack.command("me timezone UTC+2", "t-offset").await;
    assert_eq!(
        reply_text(&said),
        "`UTC+2` is a fixed offset, so prompts would not follow your daylight saving time; use your city's zone, like `Europe/Berlin` or `America/Denver` (usage: `/cohort me timezone [zone]`)",
        "{said}"
    );
    assert_eq!(
        slack.member_field(SAM, "timezone").await.as_deref(),
        Some("America/Denver")
    );
}

#[sqlx::test]
async fn quotes_typed_in_a_name_are_kept(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Asia/Tokyo").await;
    // Slack sends the text as typed: the quotes are part of the name, not grouping.
    let said = slack
        .command(r#"me name 山田 "Taro"  太郎"#, "t-name")
        .await;
    assert_eq!(
        reply_text(&said),
        r#"You're now shown as 山田 "Taro" 太郎."#,
        "{said}"
    );
    assert_eq!(
        slack.member_field(SAM, "display_name").await.as_deref(),
        Some(r#"山田 "Taro" 太郎"#)
    );
    // Wholly inside quotes, the quotes only group.
    let said = slack
        .command(r#"me name "Sam C. (Finance)""#, "t-quoted")
        .await;
    assert_eq!(
        reply_text(&said),
        "You're now shown as Sam C. (Finance).",
        "{said}"
    );
    assert_eq!(
        slack.member_field(SAM, "display_name").await.as_deref(),
        Some("Sam C. (Finance)")
    );
}

/// `/cohort help` fits on a screen: one line a topic, and only what the member may run;
/// a steward sees theirs marked.
#[sqlx::test]
async fn help_lists_topics_and_only_what_the_member_may_run(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Asia/Tokyo").await;
    let said = slack.command("help", "t-help").await;
    let text = reply_text(&said);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Commands by topic. Type `/cohort help &lt;topic&gt;` for its commands and their options, or `/cohort help &lt;command&gt;` for one:"
    );
    assert_eq!(
        lines[1],
        "  `/cohort help` — List the commands, or explain one."
    );
    assert_eq!(lines[2], "  `/cohort` — list · join · leave");
    assert!(lines.len() < 45, "{text}");
    assert!(!text.contains("outbox"), "{text}");
    assert_eq!(
        *lines.last().unwrap(),
        "Stewards have 31 more commands for running the program; `/cohort help &lt;topic&gt;` lists them too."
    );

    slack
        .bot
        .grant_role("slack", SAM, cohortbot::domain::Role::Steward)
        .await;
    let said = slack.command("help", "t-help-steward").await;
    let text = reply_text(&said);
    // Over Slack's limit for one section, so its end follows through `response_url`.
    assert!(
        text.contains("\n  `/cohort outbox` — failed* · retry*\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  `/cohort audit` — The audit log, newest first: who did what, when. Actions and ids, never what anyone wrote. Stewards only.\n"),
        "{text}"
    );
}

/// A new member's first command names them before Slack's profile (fetched in the
/// background, slowly here) arrives: the profile seeds the time zone, and the chosen name
/// stays.
#[sqlx::test]
async fn a_slow_profile_does_not_undo_a_name_chosen_first(pool: PgPool) {
    let slack = Slack::new(pool).await;
    Mock::given(method("POST"))
        .and(path("/users.info"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "ok": true, "user": {
                    "id": SAM, "team_id": TEAM, "name": "sam", "tz": "Asia/Tokyo",
                    "profile": { "display_name": "Sam C", "real_name": "Sam Carter" } } }))
                .set_delay(Duration::from_millis(400)),
        )
        .with_priority(1)
        .mount(&slack.mock)
        .await;
    slack.mount_defaults("Asia/Tokyo").await;
    let said = slack.command("me name Sam Ode (Finance)", "t-first").await;
    assert_eq!(
        reply_text(&said),
        "You're now shown as Sam Ode (Finance).",
        "{said}"
    );
    slack
        .eventually("the Slack time zone", || async {
            slack.member_field(SAM, "timezone").await.as_deref() == Some("Asia/Tokyo")
        })
        .await;
    assert_eq!(
        slack.member_field(SAM, "display_name").await.as_deref(),
        Some("Sam Ode (Finance)")
    );
    // The name finds them, in any case: here Sam themself.
    let said = slack
        .command(r#"badges "sam ode (FINANCE)""#, "t-badges")
        .await;
    assert_eq!(
        reply_text(&said),
        "You have no badges yet. Verified modules with a badge earn one: see `/cohort progress`.",
        "{said}"
    );
}

#[sqlx::test]
async fn two_first_contacts_at_once_make_one_member_and_fetch_one_profile(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Asia/Tokyo").await;
    let (first, second) = tokio::join!(
        slack.command("me", "t-first"),
        slack.command("cohort list", "t-second")
    );
    // The profile is fetched in the background by whichever command created the member,
    // so `me` shows the name Slack sent with the command, or the profile's when `me` ran
    // second and the fetch was quicker. The account is a mention, which Slack shows as
    // the member's handle, never the raw user id.
    let me = reply_text(&first);
    assert!(
        me.starts_with("*sam* (<@U0SAM0001>)\nTime zone:")
            || me.starts_with("*Sam C* (<@U0SAM0001>)\nTime zone:"),
        "{first}"
    );
    assert!(
        reply_text(&second).contains("spring-makers-2027"),
        "{second}"
    );
    slack
        .eventually("the Slack time zone", || async {
            slack.member_field(SAM, "timezone").await.as_deref() == Some("Asia/Tokyo")
        })
        .await;
    let members = slack
        .bot
        .count("members WHERE platform = 'slack' AND platform_user_id = 'U0SAM0001'")
        .await;
    assert_eq!(members, 1, "one member however many first contacts race");
    // Only the contact that created the member asks Slack for the profile.
    assert_eq!(slack.sent("users.info").await.len(), 1);
}

#[sqlx::test]
async fn replies_are_ephemeral_or_in_channel_as_the_catalog_says(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    let answer = slack.command("list", "t-list").await;
    assert_eq!(answer["response_type"], "ephemeral");
    assert!(
        answer["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("Spring Makers 2027")
    );
    let help = slack.command("", "t-help").await;
    assert!(reply_text(&help).contains("`/cohort checkin"), "{help}");
    let unknown = slack.command("jion spring", "t-typo").await;
    assert_eq!(unknown["response_type"], "ephemeral");
    assert!(reply_text(&unknown).contains("Did you mean"), "{unknown}");
}

#[sqlx::test]
async fn a_workspace_without_a_community_gets_a_polite_answer(pool: PgPool) {
    let slack = Slack::new(pool).await;
    let body = slack
        .command_body(SAM, "list", "t1")
        .replace(TEAM, "T0OTHER01");
    let (status, answer) = slack
        .post("/slack/commands", "application/x-www-form-urlencoded", body)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(reply_text(&answer.unwrap()).contains("not connected"));
    assert_eq!(slack.bot.count("members WHERE platform = 'slack'").await, 0);
}

#[sqlx::test]
async fn a_retried_command_or_event_is_processed_once(pool: PgPool) {
    let slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    slack.command("coc accept", "t-coc").await;
    let joined = slack
        .command("join spring-makers-2027 track:projects", "t-join")
        .await;
    assert!(reply_text(&joined).contains("You're in!"), "{joined}");
    // Hours as much of Europe types them, with a decimal comma.
    let body = slack.command_body(SAM, "checkin 4 built my first flow hours:1,5", "t-checkin");
    let form = "application/x-www-form-urlencoded";
    let (_, first) = slack.post("/slack/commands", form, body.clone()).await;
    let retry = [
        ("x-slack-retry-num", "1"),
        ("x-slack-retry-reason", "http_timeout"),
    ];
    let (status, second) = slack
        .post_signed("/slack/commands", form, body, slack.now(), &retry)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first, second, "the retry replays the first answer");
    assert!(
        reply_text(first.as_ref().unwrap()).contains("Thanks!")
            && reply_text(first.as_ref().unwrap())
                .contains(", is recorded: confidence 4/5, 1.5 h."),
        "{first:?}"
    );
    assert_eq!(slack.bot.count("checkins").await, 1);
    let hours: Option<f32> = sqlx::query_scalar("SELECT hours FROM checkins")
        .fetch_one(&slack.bot.pool)
        .await
        .unwrap();
    assert_eq!(hours, Some(1.5));
    assert_eq!(slack.bot.count("checkin_revisions").await, 0);

    let event = fixture(
        "app_home_opened.json",
        &[("user", "U0NEW0001"), ("event_id", "Ev0HOME01")],
    );
    for extra in [&[][..], &retry[..]] {
        let (status, _) = slack
            .post_signed(
                "/slack/events",
                "application/json",
                event.clone(),
                slack.now(),
                extra,
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(
        slack
            .bot
            .count("members WHERE platform_user_id = 'U0NEW0001'")
            .await,
        1
    );
    assert_eq!(
        slack
            .bot
            .count("outbox WHERE idempotency_key LIKE 'slack:welcome:%'")
            .await,
        1,
        "one welcome however often the event comes"
    );
    let joined = fixture(
        "member_joined_channel.json",
        &[("user", "U0JOIN001"), ("event_id", "Ev0JOIN01")],
    );
    let (status, _) = slack
        .post("/slack/events", "application/json", joined)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        slack
            .bot
            .count("members WHERE platform_user_id = 'U0JOIN001'")
            .await,
        1
    );
}

#[sqlx::test]
async fn slow_work_is_answered_through_the_response_url(pool: PgPool) {
    let mut slack = Slack::new(pool).await;
    slack.mount_defaults("Europe/Berlin").await;
    slack.app = slack.app.clone().with_ack_budget(Duration::ZERO);
    slack.router = routes(slack.app.clone());
    let answer = slack.command("list", "t-slow").await;
    assert_eq!(answer, Value::Null, "acknowledged with an empty 200");
    slack
        .eventually("the late answer", || async {
            !slack.sent("response").await.is_empty()
        })
        .await;
    let late = &slack.sent("response").await[0];
    assert_eq!(late["response_type"], "ephemeral");
    assert!(
        late["text"]
            .as_str()
            .unwrap()
            .contains("Spring Makers 2027")
    );
}

#[sqlx::test]
async fn user_text_in_posts_cannot_ping_or_format(pool: PgPool) {
    let slack = Slack::new(pool).await;
    Mock::given(method("POST"))
        .and(path("/users.info"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "user": {
            "id": SAM, "tz": "Europe/Berlin",
            "profile": { "display_name": "<!channel> <@U0ADA0001> *boss*" } } })),
        )
        .mount(&slack.mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .and(header("authorization", "Bearer xoxb-test-token"))
        .and(body_string_contains("\"channel\":\"C0SPRING1\""))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({ "ok": true, "channel": "C0SPRING1", "ts": "1772352000.000300" }),
        ))
        .expect(1)
        .mount(&slack.mock)
        .await;
    slack.command("coc accept", "t-coc").await;
    slack
        .eventually("the Slack profile", || async {
            slack
                .member_field(SAM, "display_name")
                .await
                .is_some_and(|n| n.contains("boss"))
        })
        .await;
    slack
        .command("join spring-makers-2027 track:projects", "t-join")
        .await;

    let dispatcher = cohortbot::outbox::Dispatcher::new(
        slack.bot.pool.clone(),
        slack.bot.services.clock.clone(),
        slack.sender(),
    )
    .only_platform(cohortbot::outbox::Platform::Slack);
    let report = dispatcher.run_once().await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let posted = &slack.sent("chat.postMessage").await[0];
    let all = posted.to_string();
    assert!(!all.contains("<!") && !all.contains("<@"), "{all}");
    let text = posted["blocks"][0]["text"]["text"].as_str().unwrap();
    assert!(
        text.contains("&lt;!channel&gt; &lt;@U0ADA0001&gt; ∗boss∗"),
        "{text}"
    );
    assert_eq!(posted["parse"], "none");
    assert_eq!(posted["metadata"]["event_type"], "cohortbot_post");
}

#[sqlx::test]
async fn slack_links_give_channel_ids_and_mentioned_people_their_names(pool: PgPool) {
    let slack = Slack::new(pool).await;
    let ok = |body: Value| ResponseTemplate::new(200).set_body_json(body);
    Mock::given(method("POST"))
        .and(path("/users.info"))
        .and(body_string_contains("user=U0NINA001"))
        .respond_with(ok(json!({ "ok": true, "user": {
            "id": "U0NINA001", "team_id": TEAM, "name": "nina", "real_name": "Nina Rossi",
            "tz": "Europe/Rome", "profile": { "display_name": "Nina R", "real_name": "Nina Rossi" } } })))
        .mount(&slack.mock)
        .await;
    slack.mount_defaults("Europe/Berlin").await;
    slack.command("me", "t-me").await;
    slack
        .bot
        .grant_role("slack", SAM, cohortbot::domain::Role::Steward)
        .await;
    slack
        .command("create fall-makers UTC Fall Makers", "t-create")
        .await;
    // Slack sends a picked channel as a link: the channel's id is what is kept.
    let answer = slack
        .command("set fall-makers channel:<#C0FALL001|fall-makers>", "t-set")
        .await;
    let text = reply_text(&answer);
    assert!(
        text.starts_with("Updated *Fall Makers* (`fall-makers`): UTC, posts to <#C0FALL001>."),
        "{text}"
    );
    let channel: Option<String> =
        sqlx::query_scalar("SELECT channel FROM cohorts WHERE slug = 'fall-makers'")
            .fetch_one(&slack.bot.pool)
            .await
            .unwrap();
    assert_eq!(channel.as_deref(), Some("C0FALL001"));

    // Someone who never used the bot, mentioned: a member with their name, then their
    // Slack display name and zone.
    let answer = slack
        .command("role grant <@U0NINA001|nina> community_mentor", "t-grant")
        .await;
    assert!(reply_text(&answer).contains("nina"), "{answer}");
    slack
        .eventually("Nina's Slack profile", || async {
            slack
                .member_field("U0NINA001", "display_name")
                .await
                .as_deref()
                == Some("Nina R")
        })
        .await;
    assert_eq!(
        slack.member_field("U0NINA001", "timezone").await.as_deref(),
        Some("Europe/Rome")
    );
}
