//! Discord interactions through the signed HTTP endpoint: real-shape fixtures, signatures,
//! redeliveries, buttons and modals, mention injection, and the full check-in loop.

use std::time::Duration;

use axum::http::StatusCode;
use chrono_tz::Europe::Berlin;
use cohortbot::chat::discord::{FormTarget, Target};
use cohortbot::clock::Clock;
use cohortbot::domain::Role;
use cohortbot::render::ActionKind;
use cohortbot::store::roles;
use serde_json::{Value, json};
use serenity::model::application::Interaction;
use sqlx::PgPool;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, ResponseTemplate};

use super::discord_support::{
    ALUMNI_ROLE, APP, BEA, COMMUNITY_MENTOR_ROLE, DiscordBot, GUILD, LEAD_MENTOR_ROLE,
    SPRING_CHANNEL, fixture,
};

pub(crate) const DM_CHANNEL: &str = "800000000000000001";
pub(crate) const MENTOR: &str = "222000000000000002";

#[test]
fn every_fixture_deserializes_into_serenitys_model() {
    let kinds = [
        ("slash_command", "command"),
        ("message_command", "command"),
        ("autocomplete", "autocomplete"),
        ("button", "component"),
        ("button_dm", "component"),
        ("modal_submit", "modal"),
        ("modal_submit_dm", "modal"),
        ("ping", "ping"),
    ];
    for (name, kind) in kinds {
        let interaction: Interaction =
            serde_json::from_value(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = match interaction {
            Interaction::Command(_) => "command",
            Interaction::Autocomplete(_) => "autocomplete",
            Interaction::Component(_) => "component",
            Interaction::Modal(_) => "modal",
            Interaction::Ping(_) => "ping",
            _ => "other",
        };
        assert_eq!(got, kind, "{name}");
    }
    // What Discord answers a new private thread with: a thread channel.
    let thread: serenity::model::channel::GuildChannel =
        serde_json::from_value(fixture("private_thread")).unwrap();
    assert_eq!(
        thread.kind,
        serenity::model::channel::ChannelType::PrivateThread
    );
}

#[sqlx::test]
async fn forged_and_stale_signatures_get_401_and_ping_gets_pong(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let ping = fixture("ping");
    let body = serde_json::to_vec(&ping).unwrap();
    let now = d.bot.clock.now().timestamp().to_string();

    let (status, _) = d.post_raw(body.clone(), &now, &"ab".repeat(64)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = d.post_raw(body, &now, "not-hex").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = d.post_signed(&ping, 301).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = d.post_signed(&ping, -301).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, reply) = d.post_signed(&ping, 299).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply, json!({ "type": 1 }));
}

#[sqlx::test]
async fn a_slash_command_creates_the_member_and_replies_privately(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let (status, reply) = d.post_signed(&fixture("slash_command"), 0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply["type"], 4);
    assert_eq!(reply["data"]["flags"], 64);
    assert_eq!(
        reply["data"]["allowed_mentions"],
        json!({ "parse": [], "users": [] })
    );
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Europe/Berlin"),
        "{reply}"
    );

    let bea = d.member(BEA).await;
    assert_eq!(bea.display_name, "Bea");
    assert_eq!(bea.timezone.as_deref(), Some("Europe/Berlin"));

    // A nickname change is picked up on the next interaction.
    let renamed =
        DiscordBot::as_member(d.command(77, "me", Some("show"), json!([])), BEA, "Bea O.");
    d.run(renamed).await;
    assert_eq!(d.member(BEA).await.display_name, "Bea O.");
}

#[sqlx::test]
async fn the_same_interaction_twice_is_recorded_once(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    let checkin = d.command(
        20,
        "checkin",
        Some("submit"),
        json!([
            { "name": "confidence", "type": 4, "value": 4 },
            { "name": "progress", "type": 3, "value": "first flow" }
        ]),
    );
    let first = d.run(checkin.clone()).await;
    let again = d.run(checkin).await;
    assert!(first.contains("Thanks!"), "{first}");
    assert_eq!(first, again);
    assert_eq!(d.bot.count("checkins").await, 1);
    let recorded: i64 =
        sqlx::query_scalar("SELECT count(*) FROM invocations WHERE delivery_id = '20'")
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    assert_eq!(recorded, 1);
}

/// The string values of an autocomplete answer's choices.
fn choice_values(reply: &Value) -> Vec<&str> {
    reply["data"]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["value"].as_str())
        .collect()
}

#[sqlx::test]
async fn autocomplete_offers_time_zones_and_cohorts_as_typed(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let (status, reply) = d.post_signed(&fixture("autocomplete"), 0).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply["type"], 8);
    assert_eq!(
        reply["data"]["choices"][0],
        json!({ "name": "Europe/Berlin", "value": "Europe/Berlin" })
    );

    let mut cohort = fixture("autocomplete");
    cohort["data"]["name"] = json!("cohort");
    cohort["data"]["options"] = json!([{ "name": "join", "type": 1, "options": [
        { "name": "cohort", "type": 3, "value": "spring", "focused": true }
    ]}]);
    let (_, reply) = d.post_signed(&cohort, 0).await;
    let values = choice_values(&reply);
    assert_eq!(values, ["spring-makers-2027"]);

    // Modules by id or name, sessions by number or title with the time in the member's zone.
    let mut module = fixture("autocomplete");
    module["data"]["name"] = json!("milestone");
    module["data"]["options"] = json!([{ "name": "submit", "type": 1, "options": [
        { "name": "module", "type": 3, "value": "FLOW", "focused": true }
    ]}]);
    let (_, reply) = d.post_signed(&module, 0).await;
    let values = choice_values(&reply);
    assert!(values.contains(&"flows-101"), "{reply}");
    assert!(values.iter().all(|v| v.contains("flow")), "{reply}");

    d.bot.tick().await;
    let (number, title): (i32, String) =
        sqlx::query_as("SELECT number, title FROM sessions ORDER BY starts_at LIMIT 1")
            .fetch_one(&d.bot.pool)
            .await
            .expect("the program's recurring sessions");
    let mut session = fixture("autocomplete");
    session["data"]["name"] = json!("talk");
    session["data"]["options"] = json!([{ "name": "withdraw", "type": 1, "options": [
        { "name": "session", "type": 4, "value": number.to_string(), "focused": true }
    ]}]);
    let (_, reply) = d.post_signed(&session, 0).await;
    let first = &reply["data"]["choices"][0];
    assert_eq!(first["value"], json!(number), "{reply}");
    let name = first["name"].as_str().unwrap();
    assert!(
        name.starts_with(&format!("#{number} {title} — ")) && name.ends_with("(UTC)"),
        "{name}"
    );
}

#[sqlx::test]
async fn a_forged_or_stale_button_expires_politely_and_changes_nothing(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    let before = d.bot.fingerprint().await;
    let genuine = d.ids.encode(&Target::Button(ActionKind::CheckIn {
        cohort: "spring-makers-2027".into(),
        period: "2027-W07".into(),
    }));
    for custom_id in [
        genuine.replace("spring-makers-2027", "evening-builders-2027"),
        genuine.replacen("cb1", "cb0", 1),
        "garbage".to_owned(),
    ] {
        let mut button = fixture("button");
        button["data"]["custom_id"] = json!(custom_id);
        let (status, reply) = d.post_signed(&button, 0).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(reply["type"], 4);
        assert_eq!(reply["data"]["flags"], 64);
        assert!(
            reply["data"]["content"]
                .as_str()
                .unwrap()
                .contains("expired"),
            "{reply}"
        );

        let mut modal = fixture("modal_submit");
        modal["data"]["custom_id"] = json!(custom_id);
        let (_, reply) = d.post_signed(&modal, 0).await;
        assert_eq!(
            reply["data"]["content"],
            "This form is no longer valid, so nothing was changed. Please run the command again.",
        );
    }
    assert_eq!(d.bot.fingerprint().await, before);
    assert_eq!(d.bot.count("checkins").await, 0);
}

#[sqlx::test]
async fn check_in_text_cannot_ping_anyone_in_the_mentor_notice(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    spring_lead_mentor(&d).await;
    d.forget_outbox().await;
    Mock::given(method("POST"))
        .and(path("/api/v10/users/@me/channels"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": DM_CHANNEL, "type": 1 })),
        )
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/api/v10/channels/{DM_CHANNEL}/messages")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "1500000000000000009" })),
        )
        .mount(&d.server)
        .await;

    d.prompted(BEA, "2027-W07").await;
    let modal_id = d.ids.encode(&Target::Form(FormTarget::CheckIn {
        cohort: "spring-makers-2027".into(),
        period: "2027-W07".into(),
    }));
    let mut modal = fixture("modal_submit");
    modal["data"]["custom_id"] = json!(modal_id);
    modal["data"]["components"][1]["components"][0]["value"] =
        json!("@everyone free pizza <@&123> **now**");
    let (_, reply) = d.post_signed(&modal, 0).await;
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("lead mentor"),
        "{reply}"
    );
    assert_eq!(d.dispatch().await.sent, 1);

    let sent: Vec<Value> = d
        .server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path().ends_with("/messages"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    let content = sent[0]["content"].as_str().unwrap();
    assert!(
        content.contains("@\u{200B}everyone free pizza \\<@\u{200B}&123> \\*\\*now\\*\\*"),
        "{content}"
    );
    assert!(!content.contains("@everyone"));
    assert_eq!(
        sent[0]["allowed_mentions"],
        json!({ "parse": [], "users": [] })
    );
    // The notice carries a Reply button for the mentor.
    let custom_id = sent[0]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap();
    assert!(
        matches!(d.ids.decode(custom_id), Some(Target::Button(ActionKind::ReplyToCheckin { handle, .. })) if handle == BEA)
    );

    // The mentor presses Reply, fills in the form, and the learner gets the answer.
    let mut press = DiscordBot::as_member(fixture("button"), MENTOR, "Mo");
    press["data"]["custom_id"] = json!(custom_id);
    let (_, form) = d.post_signed(&press, 0).await;
    assert_eq!(form["type"], 9);
    assert_eq!(
        form["data"]["components"][0]["components"][0]["custom_id"],
        "text"
    );
    let mut submit = DiscordBot::as_member(fixture("modal_submit"), MENTOR, "Mo");
    submit["id"] = json!("1300000000000000050");
    submit["data"]["custom_id"] = form["data"]["custom_id"].clone();
    submit["data"]["components"] = json!([{ "type": 1, "id": 1, "components": [
        { "type": 4, "id": 2, "custom_id": "text", "value": "Let's pair on it tomorrow <@&123>" }
    ]}]);
    let (_, reply) = d.post_signed(&submit, 0).await;
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Sent to"),
        "{reply}"
    );
    // Posts to the program file's shell members wait for the shell; the reply is Discord's.
    let replies: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox o JOIN members m ON m.id = o.member_id
         WHERE o.status = 'pending' AND m.platform = 'discord'",
    )
    .fetch_one(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(replies, 1);
}

/// Makes Bea (the fixtures' member) a steward; returns the community's id.
pub(crate) async fn bea_is_steward(d: &DiscordBot) -> uuid::Uuid {
    let community_id = d.community_id().await;
    let now = d.bot.clock.now();
    let bea = d.bot.contact("discord", BEA, "Bea").await;
    roles::grant(
        &d.bot.pool,
        community_id,
        bea.id,
        Role::Steward,
        None,
        None,
        now,
    )
    .await
    .unwrap();
    community_id
}

/// A DM channel and its messages always answer.
/// Spring Makers' channel takes posts.
pub(crate) async fn spring_channel_mock(d: &DiscordBot) {
    Mock::given(method("POST"))
        .and(path(format!("/api/v10/channels/{SPRING_CHANNEL}/messages")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "1500000000000000088" })),
        )
        .mount(&d.server)
        .await;
}

pub(crate) async fn dm_mocks(d: &DiscordBot) {
    Mock::given(method("POST"))
        .and(path("/api/v10/users/@me/channels"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": DM_CHANNEL, "type": 1 })),
        )
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/api/v10/channels/{DM_CHANNEL}/messages")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "1500000000000000077" })),
        )
        .mount(&d.server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!(
            "/api/v10/channels/{DM_CHANNEL}/messages/1500000000000000077"
        )))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "1500000000000000077" })),
        )
        .mount(&d.server)
        .await;
}

/// The bodies of the edits of the DM message the mocks answer every post with.
async fn dm_edits(d: &DiscordBot) -> Vec<Value> {
    d.server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// The methods of the requests to Discord's member-role route, in order.
pub(crate) async fn role_requests(d: &DiscordBot) -> Vec<String> {
    d.server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().contains("/roles/"))
        .map(|r| r.method.to_string())
        .collect()
}

#[sqlx::test]
async fn role_grant_and_revoke_update_the_mapped_discord_role(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    bea_is_steward(&d).await;
    // Role changes ride the outbox: nothing is sent to Discord until the dispatcher runs,
    // after the grant committed, and a refused grant sends nothing at all.
    dm_mocks(&d).await;
    for verb in ["PUT", "DELETE"] {
        Mock::given(method(verb))
            .and(path(format!(
                "/api/v10/guilds/{GUILD}/members/{MENTOR}/roles/{LEAD_MENTOR_ROLE}"
            )))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&d.server)
            .await;
    }
    let options = json!([
        { "name": "user", "type": 6, "value": MENTOR },
        { "name": "role", "type": 3, "value": "lead_mentor" }
    ]);
    let mut grant = DiscordBot::with_resolved_user(
        d.command(30, "role", Some("grant"), options.clone()),
        MENTOR,
        "Mo",
    );
    let reply = d.run(grant.clone()).await;
    assert!(reply.to_lowercase().contains("lead mentor"), "{reply}");
    assert!(role_requests(&d).await.is_empty());
    grant["id"] = json!("32");
    let reply = d.run(grant).await;
    assert!(reply.contains("already"), "{reply}");
    // The notice DM and the role.
    assert_eq!(d.dispatch().await.sent, 2);
    assert_eq!(role_requests(&d).await, ["PUT"]);
    let revoke = DiscordBot::with_resolved_user(
        d.command(31, "role", Some("revoke"), options),
        MENTOR,
        "Mo",
    );
    d.run(revoke).await;
    assert_eq!(d.dispatch().await.sent, 2);
    assert_eq!(role_requests(&d).await, ["PUT", "DELETE"]);
    // The mentioned user became a member with their Discord name.
    assert_eq!(d.member(MENTOR).await.display_name, "Mo");
}

#[sqlx::test]
async fn a_slow_service_gets_a_deferred_answer_and_a_follow_up(pool: PgPool) {
    let d = DiscordBot::with_defer(pool, Duration::from_millis(200)).await;
    d.run(d.command(5, "me", Some("show"), json!([]))).await;
    Mock::given(method("PATCH"))
        .and(path_regex(format!(
            "^/api/v10/webhooks/{APP}/[^/]+/messages/@original$"
        )))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "1500000000000000010" })),
        )
        .expect(1)
        .mount(&d.server)
        .await;
    // Another transaction holds this delivery id, so the service waits on its row lock.
    let blocker = d.hold_delivery("40").await;

    let (status, reply) = d
        .post_signed(&d.command(40, "me", Some("show"), json!([])), 0)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reply, json!({ "type": 5, "data": { "flags": 64 } }));

    blocker.rollback().await.unwrap();
    let mut patched = Vec::new();
    for _ in 0..100 {
        patched = d
            .server
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.method.as_str() == "PATCH")
            .collect();
        if !patched.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let body: Value = serde_json::from_slice(&patched[0].body).unwrap();
    assert!(body["content"].as_str().unwrap().contains("Bea"), "{body}");
    // The profile names the member's own account, the one mention the follow-up allows.
    assert_eq!(
        body["allowed_mentions"],
        json!({ "parse": [], "users": [BEA] })
    );
}

#[sqlx::test]
async fn full_loop_prompt_dm_then_modal_then_digest_counts(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    d.enroll(12, "333000000000000003", "Cy").await;
    d.forget_outbox().await;
    Mock::given(method("POST"))
        .and(path("/api/v10/users/@me/channels"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": DM_CHANNEL, "type": 1 })),
        )
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("^/api/v10/channels/[0-9]+/messages$"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "1500000000000000011" })),
        )
        .mount(&d.server)
        .await;

    // Monday 09:00 in Berlin: the weekly prompt goes out by DM.
    d.bot.set_local("2027-03-01 08:45", Berlin);
    d.bot.tick().await;
    d.bot.set_local("2027-03-01 09:00", Berlin);
    d.bot.tick().await;
    assert_eq!(d.dispatch().await.sent, 2);
    let requests = d.server.received_requests().await.unwrap();
    let dm_bodies: Vec<Value> = requests
        .iter()
        .filter(|r| r.url.path() == format!("/api/v10/channels/{DM_CHANNEL}/messages"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(dm_bodies.len(), 2);
    let button_id = dm_bodies[0]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Bea presses the button in her DMs (no guild there): a modal opens; she submits it.
    let mut button = fixture("button_dm");
    button["data"]["custom_id"] = json!(button_id);
    let (_, modal) = d.post_signed(&button, 0).await;
    assert_eq!(modal["type"], 9);
    let inputs: Vec<&str> = modal["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["components"][0]["custom_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        inputs,
        ["progress", "confidence", "blockers", "hours", "next"]
    );
    let mut submit = fixture("modal_submit_dm");
    submit["data"]["custom_id"] = modal["data"]["custom_id"].clone();
    let (_, reply) = d.post_signed(&submit, 0).await;
    assert_eq!(reply["data"]["flags"], 64);
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Thanks!"),
        "{reply}"
    );
    // Someone who is no member anywhere gets no form from a copied button.
    let mut stranger = button.clone();
    stranger["id"] = json!("1300000000000000099");
    stranger["user"]["id"] = json!("555000000000000005");
    let (_, refused) = d.post_signed(&stranger, 0).await;
    assert_eq!(refused["type"], 4, "{refused}");
    assert!(
        refused["data"]["content"]
            .as_str()
            .unwrap()
            .contains("in your community's server"),
        "{refused}"
    );
    let (progress, confidence, hours): (String, i16, Option<f32>) =
        sqlx::query_as("SELECT progress, confidence, hours FROM checkins")
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    assert!(progress.starts_with("Built my first approval flow"));
    assert_eq!((confidence, hours), (4, Some(3.0)));

    // Friday 16:00: the digest is posted in the cohort channel with the counts.
    d.bot.set_local("2027-03-05 15:45", Berlin);
    d.bot.tick().await;
    d.bot.set_local("2027-03-05 16:00", Berlin);
    d.bot.tick().await;
    d.dispatch().await;
    let digest: Vec<Value> = d
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == format!("/api/v10/channels/{SPRING_CHANNEL}/messages"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(digest.len(), 1, "{digest:?}");
    let content = digest[0]["content"].as_str().unwrap();
    assert!(
        content.contains("Check-ins: 1 of 2 learners (50%)"),
        "{content}"
    );
    assert_eq!(digest[0]["allowed_mentions"]["parse"], json!([]));

    // Once its window has closed (Wednesday night of the week after), the old prompt's
    // button has expired: it says so and records nothing.
    d.bot.set_local("2027-03-11 10:00", Berlin);
    let mut stale = fixture("button_dm");
    stale["id"] = json!("1300000000000000098");
    stale["data"]["custom_id"] = json!(button_id);
    let (_, expired) = d.post_signed(&stale, 0).await;
    assert_eq!(expired["type"], 4, "{expired}");
    let text = expired["data"]["content"].as_str().unwrap();
    assert!(
        text.contains("was for 2027-W09, which has closed"),
        "{text}"
    );
    let mut late = fixture("modal_submit_dm");
    late["id"] = json!("1300000000000000097");
    late["data"]["custom_id"] = modal["data"]["custom_id"].clone();
    let (_, expired) = d.post_signed(&late, 0).await;
    assert!(
        expired["data"]["content"]
            .as_str()
            .unwrap()
            .contains("has closed"),
        "{expired}"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM checkins")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[sqlx::test]
async fn a_second_check_in_asks_and_yes_replaces_it(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    d.prompted(BEA, "2027-W07").await;
    let modal_id = d.ids.encode(&Target::Form(FormTarget::CheckIn {
        cohort: "spring-makers-2027".into(),
        period: "2027-W07".into(),
    }));
    let mut first = fixture("modal_submit");
    first["data"]["custom_id"] = json!(modal_id);
    d.post_signed(&first, 0).await;
    let mut second = first.clone();
    second["id"] = json!("1300000000000000099");
    second["data"]["components"][0]["components"][0]["value"] = json!("Rebuilt it properly");
    let (_, question) = d.post_signed(&second, 0).await;
    assert!(
        question["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Replace it"),
        "{question}"
    );
    let buttons = &question["data"]["components"][0]["components"];
    assert_eq!(buttons[0]["label"], "Yes");
    let yes = buttons[0]["custom_id"].as_str().unwrap();

    // Someone else pressing Bea's "Yes" changes nothing.
    let mut stranger = fixture("button");
    stranger["data"]["custom_id"] = json!(yes);
    let stranger = DiscordBot::as_member(stranger, "444000000000000004", "Eve");
    let (_, reply) = d.post_signed(&stranger, 0).await;
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{reply}"
    );

    let mut press = fixture("button");
    press["data"]["custom_id"] = json!(yes);
    let (_, reply) = d.post_signed(&press, 0).await;
    assert_eq!(reply["type"], 7);
    assert_eq!(reply["data"]["components"], json!([]));
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("updated"),
        "{reply}"
    );
    let progress: String = sqlx::query_scalar("SELECT progress FROM checkins")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(progress, "Rebuilt it properly");

    // The answer is used once.
    press["id"] = json!("1300000000000000098");
    let (_, reply) = d.post_signed(&press, 0).await;
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{reply}"
    );
}

#[sqlx::test]
async fn commands_are_registered_per_guild_from_the_catalog(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "/api/v10/applications/{APP}/guilds/{GUILD}/commands"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&d.server)
        .await;
    let count = cohortbot::chat::discord::register_commands(&d.rest, &[GUILD.to_owned()])
        .await
        .unwrap();
    let requests = d.server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        Value::Array(cohortbot::chat::discord::commands::registration())
    );
    assert_eq!(body.as_array().unwrap().len(), count);
    let names: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "alumni",
            "approve",
            "audit",
            "away",
            "back",
            "badge",
            "badges",
            "checkin",
            "circle",
            "clinic",
            "coc",
            "cohort",
            "concern",
            "council",
            "dashboard",
            "event",
            "feedback",
            "help",
            "home",
            "kb",
            "kudos",
            "me",
            "mentor",
            "milestone",
            "no",
            "outbox",
            "pair",
            "privacy",
            "progress",
            "relink",
            "review",
            "role",
            "schedule",
            "stats",
            "streak",
            "survey",
            "talk",
            "tool",
            "yes",
            "Save to knowledge base"
        ]
    );
    assert_eq!(
        requests[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        "Bot test-token"
    );
}

#[sqlx::test]
async fn a_discord_role_given_by_an_admin_becomes_the_program_role(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let event: serenity::model::event::GuildMemberUpdateEvent =
        serde_json::from_value(fixture("guild_member_update")).unwrap();
    d.handler
        .sync_member(
            event.guild_id,
            &event.user,
            event.nick.as_deref(),
            &event.roles,
        )
        .await
        .unwrap();
    let held: Vec<String> = sqlx::query_scalar(
        "SELECT r.role FROM member_roles r JOIN members m ON m.id = r.member_id
         WHERE m.platform = 'discord' AND m.platform_user_id = $1 AND r.cohort_id IS NULL",
    )
    .bind(MENTOR)
    .fetch_all(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(held, ["lead_mentor"]);

    // The admin takes the role away again.
    d.handler
        .sync_member(event.guild_id, &event.user, event.nick.as_deref(), &[])
        .await
        .unwrap();
    assert_eq!(
        d.bot
            .count("member_roles r JOIN members m ON m.id = r.member_id AND m.platform = 'discord'")
            .await,
        0
    );
    let name: String =
        sqlx::query_scalar("SELECT display_name FROM members WHERE platform_user_id = $1")
            .bind(MENTOR)
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    assert_eq!(name, "Mo the Mentor");

    // A role the program gave (here a lead mentor role given by `/role grant`, whose Discord
    // role never arrived) survives a member event without the Discord role: nothing changed
    // in Discord, so nothing changes in the program.
    d.enroll(10, BEA, "Bea").await;
    sqlx::query(
        "INSERT INTO member_roles (id, community_id, member_id, role, granted_at)
         SELECT gen_random_uuid(), community_id, id, 'lead_mentor', now() FROM members
          WHERE platform_user_id = $1",
    )
    .bind(BEA)
    .execute(&d.bot.pool)
    .await
    .unwrap();
    let mut bea = event.user.clone();
    bea.id = serenity::model::id::UserId::new(BEA.parse().unwrap());
    d.handler
        .sync_member(event.guild_id, &bea, Some("Bea"), &[])
        .await
        .unwrap();
    let kept: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM member_roles r JOIN members m ON m.id = r.member_id
          WHERE m.platform_user_id = $1 AND r.role = 'lead_mentor'",
    )
    .bind(BEA)
    .fetch_one(&d.bot.pool)
    .await
    .unwrap();
    assert_eq!(kept, 1);
}

#[sqlx::test]
async fn commands_outside_a_known_server_get_a_clear_answer(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let before = d.bot.fingerprint().await;

    // In a DM: no guild, the user at the top level.
    let mut dm = fixture("slash_command");
    let user = dm["member"]["user"].clone();
    for key in ["guild_id", "member", "guild", "guild_locale"] {
        dm.as_object_mut().unwrap().remove(key);
    }
    dm["user"] = user;
    dm["context"] = json!(1);
    let reply = d.run(dm).await;
    assert!(reply.contains("in your community's server"), "{reply}");

    // A server no community is set up for.
    let mut elsewhere = fixture("slash_command");
    elsewhere["guild_id"] = json!("999000000000000009");
    let reply = d.run(elsewhere).await;
    assert!(reply.contains("not set up for cohortbot"), "{reply}");

    assert_eq!(d.bot.fingerprint().await, before);
}

#[sqlx::test]
async fn a_refusal_of_a_publicly_deferred_command_follows_privately(pool: PgPool) {
    let d = DiscordBot::with_defer(pool, Duration::from_millis(200)).await;
    d.run(d.command(5, "me", Some("show"), json!([]))).await;
    let original = format!("^/api/v10/webhooks/{APP}/[^/]+/messages/@original$");
    Mock::given(method("DELETE"))
        .and(path_regex(original))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&d.server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(format!("^/api/v10/webhooks/{APP}/[^/]+$")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "1500000000000000012" })),
        )
        .expect(1)
        .mount(&d.server)
        .await;
    let blocker = d.hold_delivery("41").await;

    // `/cohort create` is public, and Bea is no steward.
    let create = d.command(
        41,
        "cohort",
        Some("create"),
        json!([
            { "name": "id", "type": 3, "value": "autumn-2027" },
            { "name": "timezone", "type": 3, "value": "Europe/Berlin" },
            { "name": "name", "type": 3, "value": "Autumn 2027" }
        ]),
    );
    let (_, reply) = d.post_signed(&create, 0).await;
    assert_eq!(reply, json!({ "type": 5, "data": {} }));
    blocker.rollback().await.unwrap();

    let mut followup = None;
    for _ in 0..100 {
        let requests = d.server.received_requests().await.unwrap();
        if let Some(r) = requests.iter().find(|r| r.method.as_str() == "POST") {
            followup = Some(serde_json::from_slice::<Value>(&r.body).unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let followup = followup.expect("a private follow-up");
    assert_eq!(followup["flags"], 64);
    assert!(
        followup["content"].as_str().unwrap().contains("steward"),
        "{followup}"
    );
}

/// Makes `MENTOR` a lead mentor of spring-makers-2027.
pub(crate) async fn spring_lead_mentor(d: &DiscordBot) {
    let community_id = d.community_id().await;
    let now = d.bot.clock.now();
    let mentor = d.bot.contact("discord", MENTOR, "Mo").await;
    let cohort: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM cohorts WHERE slug = 'spring-makers-2027'")
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    roles::grant(
        &d.bot.pool,
        community_id,
        mentor.id,
        Role::LeadMentor,
        Some(cohort),
        None,
        now,
    )
    .await
    .unwrap();
}

async fn milestone_status(d: &DiscordBot, module: &str) -> String {
    sqlx::query_scalar(
        "SELECT s.status FROM milestones s JOIN modules m ON m.id = s.module_id WHERE m.slug = $1",
    )
    .bind(module)
    .fetch_one(&d.bot.pool)
    .await
    .unwrap()
}

#[sqlx::test]
async fn a_mentor_answers_a_milestone_with_its_buttons(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    spring_lead_mentor(&d).await;
    let submit = |id, module: &str| {
        d.command(
            id,
            "milestone",
            Some("submit"),
            json!([
                { "name": "module", "type": 3, "value": module },
                { "name": "evidence", "type": 3, "value": "https://example.org/work" },
            ]),
        )
    };
    d.run(submit(20, "flows-101")).await;
    assert_eq!(milestone_status(&d, "flows-101").await, "submitted");

    // Request changes (the request reached the mentor by DM): the button opens a note form,
    // whose submit asks the learner.
    let changes = d
        .ids
        .encode(&Target::Button(ActionKind::RequestMilestoneChanges {
            handle: BEA.into(),
            module: "flows-101".into(),
        }));
    let mut press = DiscordBot::in_dm("button_dm", MENTOR);
    press["id"] = json!("1300000000000000060");
    press["data"]["custom_id"] = json!(changes);
    let (_, form) = d.post_signed(&press, 0).await;
    assert_eq!(form["type"], 9, "{form}");
    let mut note = DiscordBot::in_dm("modal_submit_dm", MENTOR);
    note["id"] = json!("1300000000000000061");
    note["data"]["custom_id"] = form["data"]["custom_id"].clone();
    note["data"]["components"] = json!([{ "type": 1, "id": 1, "components": [
        { "type": 4, "id": 2, "custom_id": "note", "value": "Add a screenshot of the run" }
    ]}]);
    let (_, reply) = d.post_signed(&note, 0).await;
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("for changes"),
        "{reply}"
    );
    assert_eq!(milestone_status(&d, "flows-101").await, "changes_requested");

    // The learner resubmits; Verify verifies at once, and only for a mentor.
    d.run(submit(21, "flows-101")).await;
    let verify = d.ids.encode(&Target::Button(ActionKind::VerifyMilestone {
        handle: BEA.into(),
        module: "flows-101".into(),
    }));
    let mut own = DiscordBot::as_member(fixture("button"), BEA, "Bea");
    own["id"] = json!("1300000000000000062");
    own["data"]["custom_id"] = json!(verify);
    d.post_signed(&own, 0).await;
    assert_eq!(milestone_status(&d, "flows-101").await, "submitted");
    let mut press = DiscordBot::in_dm("button_dm", MENTOR);
    press["id"] = json!("1300000000000000063");
    press["data"]["custom_id"] = json!(verify);
    let (_, reply) = d.post_signed(&press, 0).await;
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("Verified"),
        "{reply}"
    );
    assert_eq!(milestone_status(&d, "flows-101").await, "verified");
}

#[sqlx::test]
async fn a_mentor_claims_a_review_with_its_button(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    spring_lead_mentor(&d).await;
    // The lead mentor role is the approval: no offer, no steward step.
    let status: String =
        sqlx::query_scalar("SELECT p.status FROM mentor_profiles p JOIN members m ON m.id = p.member_id WHERE m.platform_user_id = $1")
            .bind(MENTOR)
            .fetch_one(&d.bot.pool)
            .await
            .unwrap();
    assert_eq!(status, "approved");
    let request = d.command(
        21,
        "review",
        Some("request"),
        json!([{ "name": "url", "type": 3, "value": "https://example.org/app" }]),
    );
    d.run(request).await;
    let post: Value = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE body::text LIKE '%example.org/app%' AND channel IS NOT NULL",
    )
    .fetch_one(&d.bot.pool)
    .await
    .unwrap();
    assert!(post.to_string().contains("claim_review"), "{post}");

    let claim = d
        .ids
        .encode(&Target::Button(ActionKind::ClaimReview { number: 1 }));
    let mut own = DiscordBot::as_member(fixture("button"), BEA, "Bea");
    own["id"] = json!("1300000000000000070");
    own["data"]["custom_id"] = json!(claim);
    let (_, reply) = d.post_signed(&own, 0).await;
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("your own review"),
        "{reply}"
    );
    let mut press = DiscordBot::as_member(fixture("button"), MENTOR, "Mo");
    press["id"] = json!("1300000000000000071");
    press["data"]["custom_id"] = json!(claim);
    let (_, reply) = d.post_signed(&press, 0).await;
    assert!(
        reply["data"]["content"]
            .as_str()
            .unwrap()
            .contains("is yours"),
        "{reply}"
    );
    let claimed: Option<uuid::Uuid> = sqlx::query_scalar("SELECT claimed_by FROM reviews")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert!(claimed.is_some());
}

#[sqlx::test]
async fn an_option_mistake_shows_code_formatting_not_backslashes(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    let reply = d
        .run(d.command(
            30,
            "me",
            Some("timezone"),
            json!([{ "name": "zone", "type": 3, "value": "Europe/Berln" }]),
        ))
        .await;
    assert_eq!(
        reply,
        "`Europe/Berln` is not a time zone I know; did you mean `Europe/Berlin`? (usage: `/me timezone [zone]`)"
    );
}

#[sqlx::test]
async fn a_steward_picks_a_channel_for_a_new_cohort_and_its_posts_go_there(pool: PgPool) {
    const FALL_CHANNEL: &str = "700000000000000042";
    let d = DiscordBot::new(pool).await;
    bea_is_steward(&d).await;
    d.bot.set_local("2027-08-20 10:00", Berlin);
    d.bot
        .ok(
            "ada",
            "/cohort create fall-makers Europe/Berlin Fall Makers",
        )
        .await;
    let schedule = |id| {
        d.command(
            id,
            "event",
            Some("schedule"),
            json!([
                { "name": "cohort", "type": 3, "value": "fall-makers" },
                { "name": "when", "type": 3, "value": "2027-09-06T17:00" },
                { "name": "kind", "type": 3, "value": "clinic" },
                { "name": "title", "type": 3, "value": "Kickoff" }
            ]),
        )
    };
    // Before it has a channel, the announcement is refused at the command.
    let reply = d.run(schedule(60)).await;
    assert_eq!(
        reply,
        "**Fall Makers** has no channel yet, so nobody would see that post. A steward can give it one with `/cohort set fall-makers channel:#…`."
    );

    // Discord's channel picker sends the channel's id (option type 7).
    let mut set = d.command(
        61,
        "cohort",
        Some("set"),
        json!([
            { "name": "cohort", "type": 3, "value": "fall-makers" },
            { "name": "channel", "type": 7, "value": FALL_CHANNEL },
            { "name": "starts", "type": 3, "value": "2027-09-01" },
            { "name": "ends", "type": 3, "value": "2027-12-15" }
        ]),
    );
    set["data"]["resolved"] = json!({ "channels": { FALL_CHANNEL: {
        "id": FALL_CHANNEL, "name": "fall-makers", "type": 0, "permissions": "0"
    }}});
    let reply = d.run(set).await;
    assert_eq!(
        reply,
        format!(
            "Updated **Fall Makers** (`fall-makers`): Europe/Berlin, 2027-09-01 → 2027-12-15, posts to <#{FALL_CHANNEL}>.\nStill to do:\n• a track: `/cohort track fall-makers <id> <name>`\n• a weekly check-in: `/schedule set fall-makers checkin \"0 9 * * MON\"`"
        )
    );

    Mock::given(method("POST"))
        .and(path(format!("/api/v10/channels/{FALL_CHANNEL}/messages")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "id": "1500000000000000042" })),
        )
        .expect(1)
        .mount(&d.server)
        .await;
    let reply = d.run(schedule(62)).await;
    assert!(reply.starts_with("Scheduled"), "{reply}");
    assert_eq!(d.dispatch().await.sent, 1);
    let posted: Vec<Value> = d
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == format!("/api/v10/channels/{FALL_CHANNEL}/messages"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(posted.len(), 1);
    let content = posted[0]["content"].as_str().unwrap();
    assert!(content.starts_with("📅 New session"), "{content}");
}

#[sqlx::test]
async fn graduation_gives_the_mapped_alumni_role_once_the_outbox_runs(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    d.enroll(10, BEA, "Bea").await;
    spring_lead_mentor(&d).await;
    dm_mocks(&d).await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "/api/v10/guilds/{GUILD}/members/{BEA}/roles/{ALUMNI_ROLE}"
        )))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&d.server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "/api/v10/guilds/{GUILD}/members/{BEA}/roles/1200000000000000101"
        )))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&d.server)
        .await;
    let ladder = [
        "flows-101",
        "data-sources",
        "canvas-apps",
        "alm-basics",
        "capstone",
    ];
    for (i, module) in ladder.into_iter().enumerate() {
        let i = i as u64;
        let submit = d.command(
            100 + i,
            "milestone",
            Some("submit"),
            json!([
                { "name": "module", "type": 3, "value": module },
                { "name": "evidence", "type": 3, "value": "https://example.org/work" },
            ]),
        );
        let reply = d.run(submit).await;
        assert!(reply.starts_with("Submitted"), "{module}: {reply}");
        let verify = d.ids.encode(&Target::Button(ActionKind::VerifyMilestone {
            handle: BEA.into(),
            module: module.into(),
        }));
        let mut press = DiscordBot::in_dm("button_dm", MENTOR);
        press["id"] = json!(format!("13000000000000002{i:02}"));
        press["data"]["custom_id"] = json!(verify);
        let (_, reply) = d.post_signed(&press, 0).await;
        let content = reply["data"]["content"].as_str().unwrap();
        assert!(content.contains("Verified"), "{module}: {content}");
        d.dispatch().await;
        // The capstone gives the alumni role, and its badge the example's earned role
        // `citizen-developer`.
        let expected: &[&str] = if module == "capstone" {
            &["PUT", "PUT"]
        } else {
            &[]
        };
        assert_eq!(role_requests(&d).await, expected, "after {module}");
    }
}

#[sqlx::test]
async fn an_approved_mentor_gets_the_mapped_discord_role(pool: PgPool) {
    const KAI: &str = "333000000000000003";
    let d = DiscordBot::new(pool).await;
    bea_is_steward(&d).await;
    dm_mocks(&d).await;
    Mock::given(method("PUT"))
        .and(path(format!(
            "/api/v10/guilds/{GUILD}/members/{KAI}/roles/{COMMUNITY_MENTOR_ROLE}"
        )))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&d.server)
        .await;
    let offer = DiscordBot::as_member(
        d.command(
            70,
            "mentor",
            Some("offer"),
            json!([
                { "name": "tier", "type": 3, "value": "community" },
                { "name": "capacity", "type": 4, "value": 2 },
                { "name": "skills", "type": 3, "value": "power automate" }
            ]),
        ),
        KAI,
        "Kai",
    );
    let reply = d.run(offer).await;
    assert!(reply.contains("steward"), "{reply}");
    d.dispatch().await;
    assert!(role_requests(&d).await.is_empty());
    let approve = DiscordBot::with_resolved_user(
        d.command(
            71,
            "mentor",
            Some("approve"),
            json!([
                { "name": "user", "type": 6, "value": KAI },
                { "name": "tier", "type": 3, "value": "community" }
            ]),
        ),
        KAI,
        "Kai",
    );
    let reply = d.run(approve).await;
    assert!(reply.contains("Kai"), "{reply}");
    d.dispatch().await;
    assert_eq!(role_requests(&d).await, ["PUT"]);
}

/// The bodies of the messages posted to `channel`, in order.
pub(crate) async fn posted_to(d: &DiscordBot, channel: &str) -> Vec<Value> {
    d.server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| {
            r.method.as_str() == "POST"
                && r.url.path() == format!("/api/v10/channels/{channel}/messages")
        })
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// A whole week on Discord through signed interactions only: join and accept, the Monday
/// prompt, its Check in button, the form with several lines of CJK and emoji, the lead
/// mentor's notice and Reply form, a second check-in answered Yes, and Friday's digest.
#[sqlx::test]
async fn a_whole_week_on_discord_through_signed_interactions(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    spring_lead_mentor(&d).await;
    dm_mocks(&d).await;
    spring_channel_mock(&d).await;

    // Join: the code of conduct first, then the cohort; the channel hears of it.
    d.enroll(10, BEA, "Bea").await;
    d.dispatch().await;
    let welcome = posted_to(&d, SPRING_CHANNEL).await;
    assert_eq!(welcome.len(), 1);
    assert!(
        welcome[0]["content"]
            .as_str()
            .unwrap()
            .starts_with("Please welcome Bea to **Spring Makers 2027**"),
        "{}",
        welcome[0]
    );

    // Monday 09:00 Berlin: the prompt, by DM, with its button.
    d.bot.set_local("2027-03-01 08:45", Berlin);
    d.bot.tick().await;
    d.bot.set_local("2027-03-01 09:00", Berlin);
    d.bot.tick().await;
    d.dispatch().await;
    let dms = posted_to(&d, DM_CHANNEL).await;
    let prompt = dms.last().unwrap();
    assert!(
        prompt["content"]
            .as_str()
            .unwrap()
            .starts_with("It's check-in time for **Spring Makers 2027** (2027-W09)!"),
        "{prompt}"
    );
    let button = prompt["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The form takes several lines and 4,000 characters of CJK and emoji.
    let mut press = DiscordBot::in_dm("button_dm", BEA);
    press["id"] = json!("1300000000000000301");
    press["data"]["custom_id"] = json!(button);
    let (_, modal) = d.post_signed(&press, 0).await;
    assert_eq!(modal["type"], 9, "{modal}");
    let progress: String = format!("進捗:\n\t- フローを作った 🚀\n{}", "試験🙂".repeat(1000))
        .chars()
        .take(4000)
        .collect();
    let mut submit = DiscordBot::in_dm("modal_submit_dm", BEA);
    submit["id"] = json!("1300000000000000302");
    submit["data"]["custom_id"] = modal["data"]["custom_id"].clone();
    submit["data"]["components"] = json!([
        { "type": 1, "components": [{ "type": 4, "custom_id": "progress", "value": progress }] },
        { "type": 1, "components": [{ "type": 4, "custom_id": "confidence", "value": "2" }] },
        { "type": 1, "components": [{ "type": 4, "custom_id": "blockers", "value": "No licence\nfor premium connectors" }] },
        { "type": 1, "components": [{ "type": 4, "custom_id": "hours", "value": "2.75" }] },
    ]);
    let (_, reply) = d.post_signed(&submit, 0).await;
    assert_eq!(
        reply["data"]["content"],
        "Thanks! Your check-in for **Spring Makers 2027**, 2027-W09, is recorded: confidence 2/5, 2.75 h. Your lead mentor will get in touch about what's blocking you."
    );
    let stored: String = sqlx::query_scalar("SELECT progress FROM checkins")
        .fetch_one(&d.bot.pool)
        .await
        .unwrap();
    assert_eq!(stored, progress, "kept as typed, lines and all");

    // The prompt loses its button: it is answered.
    assert!(
        dm_edits(&d).await.is_empty(),
        "nothing is sent before the outbox runs"
    );
    d.dispatch().await;
    assert_eq!(
        dm_edits(&d).await,
        [json!({
            "content": "✅ You checked in to **Spring Makers 2027** for 2027-W09. Thanks! To change it, type `/checkin` again.",
            "allowed_mentions": { "parse": [], "users": [] },
            "components": [],
        })]
    );

    // The lead mentor's notice has a Reply button; its form sends several lines back.
    let notice = posted_to(&d, DM_CHANNEL).await.last().unwrap().clone();
    let text = notice["content"].as_str().unwrap();
    assert!(
        text.contains("No licence\nfor premium connectors"),
        "{text}"
    );
    let reply_button = notice["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut press = DiscordBot::in_dm("button_dm", MENTOR);
    press["id"] = json!("1300000000000000303");
    press["data"]["custom_id"] = json!(reply_button);
    let (_, form) = d.post_signed(&press, 0).await;
    assert_eq!(form["type"], 9, "{form}");
    let mut answer = DiscordBot::in_dm("modal_submit_dm", MENTOR);
    answer["id"] = json!("1300000000000000304");
    answer["data"]["custom_id"] = form["data"]["custom_id"].clone();
    answer["data"]["components"] = json!([{ "type": 1, "components": [
        { "type": 4, "custom_id": "text", "value": "Let's pair on Thursday.\nI'll bring a licence." }
    ]}]);
    let (_, sent) = d.post_signed(&answer, 0).await;
    assert_eq!(
        sent["data"]["content"],
        "Sent to Bea, on their check-in for 2027-W09."
    );
    d.dispatch().await;
    let delivered = posted_to(&d, DM_CHANNEL).await.last().unwrap().clone();
    assert_eq!(
        delivered["content"],
        "Mo replied to your check-in for 2027-W09:\nLet's pair on Thursday.\nI'll bring a licence."
    );

    // A second check-in asks first; Yes replaces the first and edits the question.
    let mut again = submit.clone();
    again["id"] = json!("1300000000000000305");
    again["data"]["components"][1]["components"][0]["value"] = json!("4");
    let (_, question) = d.post_signed(&again, 0).await;
    assert_eq!(
        question["data"]["content"],
        "You already checked in for 2027-W09 (confidence 2/5). Replace it with this one? Answer `/yes` or `/no`."
    );
    let yes = question["data"]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut press = DiscordBot::in_dm("button_dm", BEA);
    press["id"] = json!("1300000000000000306");
    press["data"]["custom_id"] = json!(yes);
    let (_, done) = d.post_signed(&press, 0).await;
    assert_eq!(done["type"], 7);
    assert_eq!(
        done["data"]["content"],
        "Thanks! Your check-in for **Spring Makers 2027**, 2027-W09, is updated: confidence 4/5, 2.75 h. Your lead mentor will get in touch about what's blocking you."
    );

    // Friday 16:00: the digest counts Bea once, and pings nobody.
    d.bot.set_local("2027-03-05 15:45", Berlin);
    d.bot.tick().await;
    d.bot.set_local("2027-03-05 16:00", Berlin);
    d.bot.tick().await;
    d.dispatch().await;
    let channel = posted_to(&d, SPRING_CHANNEL).await;
    let digest = channel.last().unwrap();
    let content = digest["content"].as_str().unwrap();
    assert!(
        content.starts_with("📊 **Spring Makers 2027** — 2027-W09"),
        "{content}"
    );
    assert!(
        content.contains("Check-ins: 1 of 1 learner (100%)"),
        "{content}"
    );
    assert_eq!(digest["allowed_mentions"]["parse"], json!([]));
}

/// Option errors are messages with code fragments: Discord shows code formatting, and a
/// backtick or backslash the user typed stays inside the code span instead of breaking it.
#[sqlx::test]
async fn an_option_error_shows_code_formatting_with_the_typed_text_intact(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let typed = "Mars/`Olympus\\*";
    let reply = d
        .run(d.command(
            41,
            "me",
            Some("timezone"),
            json!([{ "name": "zone", "type": 3, "value": typed }]),
        ))
        .await;
    // Inside a code span Discord formats nothing: the backslash and asterisk show as typed,
    // and the backtick becomes a look-alike so it cannot close the span.
    assert_eq!(
        reply,
        "`Mars/ˋOlympus\\*` is not a time zone I know; use an IANA name like `Europe/Berlin` or `America/Denver` (usage: `/me timezone [zone]`)"
    );
    let zones = d
        .bot
        .count("members WHERE platform = 'discord' AND timezone IS NOT NULL")
        .await;
    assert_eq!(zones, 0, "nothing changed");
}

#[sqlx::test]
async fn me_names_the_account_as_a_discord_mention_not_its_raw_id(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let (status, reply) = d
        .post_signed(&d.command(41, "me", Some("show"), json!([])), 0)
        .await;
    assert_eq!(status, StatusCode::OK);
    // Discord shows the mention as the member's name, where the snowflake meant nothing.
    assert_eq!(
        reply["data"]["content"],
        "**Bea** (<@111000000000000001>)\nTime zone: not set — use `/me timezone Europe/Berlin`\nSkills: none yet — use `/me skills power automate, sql`\nCode of conduct: not accepted yet\nRoles: none\nCohorts: none — see `/cohort list`",
        "{reply}"
    );
    assert_eq!(
        reply["data"]["allowed_mentions"],
        json!({ "parse": [], "users": ["111000000000000001"] }),
        "{reply}"
    );
    assert_eq!(
        reply["data"]["flags"], 64,
        "only the member sees it: {reply}"
    );
}

/// A name is how people tell who speaks: nobody may take another member's, or one that
/// reads like a mention, and a refusal changes nothing.
#[sqlx::test]
async fn nobody_takes_another_members_name_or_a_mention_as_theirs(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let name = |id: u64, value: &str| {
        d.command(
            id,
            "me",
            Some("name"),
            json!([{ "name": "name", "type": 3, "value": value }]),
        )
    };
    // Ada Okafor is the demo community's steward.
    assert_eq!(
        d.run(name(51, "  ada   OKAFOR ")).await,
        "Someone else in this community is already shown as **Ada Okafor**. Please pick a name people can tell apart, for example with your team or a last initial."
    );
    // Discord's renderer puts a zero-width space after every `@`, so nothing pings.
    assert_eq!(
        d.run(name(52, "@everyone")).await,
        "`@\u{200b}everyone` can't be your name: one that starts with `@\u{200b}` or `#` reads like a mention or a channel. Try your name as people know you: `/me name <your name>`."
    );
    assert_eq!(
        d.run(name(55, "＠everyone")).await,
        "`＠everyone` can't be your name: one that starts with `@\u{200b}` or `#` reads like a mention or a channel. Try your name as people know you: `/me name <your name>`."
    );
    assert_eq!(
        d.run(name(53, "#general")).await,
        "`#general` can't be your name: one that starts with `@\u{200b}` or `#` reads like a mention or a channel. Try your name as people know you: `/me name <your name>`."
    );
    assert_eq!(d.member(BEA).await.display_name, "Bea");
    assert_eq!(
        d.run(name(54, "Bea Ode (Finance)")).await,
        "You're now shown as Bea Ode (Finance)."
    );
}

/// The name a member chose stays theirs while Discord goes on sending the same server
/// nickname with every command; renaming themselves on Discord is a newer choice, which
/// the bot then follows.
#[sqlx::test]
async fn a_chosen_name_stays_until_the_member_renames_themselves_on_discord(pool: PgPool) {
    let d = DiscordBot::new(pool).await;
    let me = |id: u64| d.command(id, "me", Some("show"), json!([]));
    let chosen = d.command(
        61,
        "me",
        Some("name"),
        json!([{ "name": "name", "type": 3, "value": "Bea Ode (Finance)" }]),
    );
    assert_eq!(
        d.run(chosen).await,
        "You're now shown as Bea Ode (Finance)."
    );
    let profile = d.run(me(62)).await;
    assert!(profile.starts_with("**Bea Ode (Finance)** ("), "{profile}");
    assert_eq!(d.member(BEA).await.display_name, "Bea Ode (Finance)");

    // A new server nickname: the member renamed themselves on Discord since.
    let renamed = DiscordBot::as_member(me(63), BEA, "Beatrice");
    let profile = d.run(renamed).await;
    assert!(profile.starts_with("**Beatrice** ("), "{profile}");
    assert_eq!(d.member(BEA).await.display_name, "Beatrice");
}
