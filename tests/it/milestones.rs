//! Milestones: the ladder, submissions, verification by mentors, celebrations, Open Badges
//! (validated against a JSON schema), revocation, graduation and the digest count.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use cohortbot::render::{ActionKind, Fragment};
use cohortbot::services::Destination;
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;

use crate::support::TestBot;

const SPRING: &str = "spring-makers-2027";
const BASE: &str = crate::support::PUBLIC_URL;
const SCHEMA: &str = include_str!("../data/openbadges/ob_v3p0_openbadgecredential.schema.json");

pub(crate) async fn learner(pool: PgPool) -> TestBot {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", SPRING, Some("short-modules")).await;
    bot.clock
        .set(Utc.with_ymd_and_hms(2027, 3, 10, 9, 0, 0).unwrap());
    bot
}

/// Sam with the Flow Starter badge: the learner's first module verified.
pub(crate) async fn badged(pool: PgPool) -> (TestBot, uuid::Uuid) {
    let bot = learner(pool).await;
    complete(&bot, "flows-101").await;
    let badge = sqlx::query_scalar("SELECT id FROM badges")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    (bot, badge)
}

/// Submits and has Grace verify one module.
pub(crate) async fn complete(bot: &TestBot, module: &str) {
    let said = bot
        .say(
            "sam",
            &format!("/milestone submit {module} https://example.org/{module}"),
        )
        .await;
    assert_eq!(said.told(), ["@Grace Lindqvist"]);
    assert!(said.reply().starts_with("Submitted"), "{}", said.reply());
    let said = bot
        .say("grace", &format!("/milestone verify @sam {module}"))
        .await;
    assert_eq!(said.told(), ["@Sam Carter", "#spring-makers"]);
    assert!(said.reply().starts_with("Verified"), "{}", said.reply());
}

async fn milestone_count(bot: &TestBot) -> i64 {
    bot.count("milestones").await
}

#[sqlx::test]
async fn progress_shows_completed_current_and_locked_modules(pool: PgPool) {
    let bot = learner(pool).await;
    let ladder = bot.say("sam", "/progress").await.reply().to_owned();
    assert!(
        ladder.starts_with("Your ladder in Spring Makers 2027 (Short modules):"),
        "{ladder}"
    );
    assert!(
        ladder.contains("▶️ `flows-101` Your first cloud flow — current · badge: Flow Starter"),
        "{ladder}"
    );
    assert!(
        ladder.contains("🔒 `alm-basics` Environments, solutions and handover — locked: needs data-sources, canvas-apps"),
        "{ladder}"
    );
    complete(&bot, "flows-101").await;
    let ladder = bot.say("sam", "/progress").await.reply().to_owned();
    assert!(ladder.contains("✅ `flows-101`"), "{ladder}");
    assert!(ladder.contains("▶️ `data-sources`"), "{ladder}");
    assert!(ladder.contains("▶️ `canvas-apps`"), "{ladder}");
    assert!(ladder.contains("1 of 5 completed."), "{ladder}");
}

#[sqlx::test]
async fn a_submission_asks_the_mentor_with_verify_and_request_changes_actions(pool: PgPool) {
    let bot = learner(pool).await;
    let said = bot
        .say(
            "sam",
            "/milestone submit flows-101 https://example.org/flow my *first* flow @everyone",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Submitted Your first cloud flow for verification. Grace Lindqvist will review it and I'll tell you."
    );
    let outcome = said.outcome().unwrap().clone();
    assert_eq!(outcome.posts.len(), 1);
    let post = &outcome.posts[0];
    assert!(
        matches!(&post.to, Destination::Direct { display_name, .. } if display_name == "Grace Lindqvist")
    );
    let actions: Vec<&ActionKind> = post.message.actions().map(|a| &a.kind).collect();
    assert_eq!(
        actions,
        [
            &ActionKind::VerifyMilestone {
                handle: "sam".into(),
                module: "flows-101".into()
            },
            &ActionKind::RequestMilestoneChanges {
                handle: "sam".into(),
                module: "flows-101".into()
            },
        ]
    );
    // The learner's note and link travel as user text, to be escaped by each platform.
    assert!(
        post.message
            .0
            .contains(&Fragment::User("my *first* flow @everyone".into()))
    );
    assert!(
        post.message
            .0
            .contains(&Fragment::User("https://example.org/flow".into()))
    );
    assert_eq!(post.message.mentioned().count(), 0);
}

#[sqlx::test]
async fn bad_milestone_input_is_explained_and_changes_nothing(pool: PgPool) {
    let bot = learner(pool).await;
    for (line, expected) in [
        (
            "/milestone submit flows-101 ftp://example.org/x",
            "`ftp://example.org/x` is not a web link. Evidence must be an http:// or https:// link, like `https://example.org/my-flow`.",
        ),
        (
            "/milestone submit flows-101 \"javascript:alert(1)\"",
            "`javascript:alert(1)` is not a web link. Evidence must be an http:// or https:// link, like `https://example.org/my-flow`.",
        ),
        (
            "/milestone submit flows-101 example.org/flow",
            "`example.org/flow` is not a web link. Evidence must be an http:// or https:// link, like `https://example.org/my-flow`.",
        ),
        (
            "/milestone submit alm-basics https://example.org/x",
            "Environments, solutions and handover is locked until these are verified: `data-sources, canvas-apps`. `/progress` shows your ladder.",
        ),
        (
            "/milestone submit flows-11 https://example.org/x",
            "There is no module `flows-11` on the ladder. Did you mean `flows-101`?",
        ),
        (
            "/milestone submit flows-101 https://example.org/x impact:\"saved a day\"",
            "A business-impact note goes with a capstone, and `flows-101` is not one.",
        ),
    ] {
        let said = bot.say("sam", line).await;
        assert_eq!(said.reply(), expected, "{line}");
        assert!(said.posts().is_empty());
    }
    assert_eq!(milestone_count(&bot).await, 0);

    let said = bot.say("lee", "/progress").await;
    assert_eq!(
        said.reply(),
        "You're not in a cohort yet, so there is no ladder. `/cohort list` shows them."
    );
}

#[sqlx::test]
async fn only_the_learners_mentors_or_stewards_verify_and_never_their_own(pool: PgPool) {
    let bot = learner(pool).await;
    bot.ok(
        "sam",
        "/milestone submit flows-101 https://example.org/flow",
    )
    .await;
    let said = bot.say("sam", "/milestone verify @sam flows-101").await;
    assert_eq!(
        said.reply(),
        "You can't verify or review your own milestone; your mentor does that."
    );
    let said = bot.say("ken", "/milestone verify @sam flows-101").await;
    assert_eq!(
        said.reply(),
        "Only Sam Carter's mentors, or a steward, can review their milestones."
    );
    let said = bot
        .say("grace", "/milestone verify @sam data-sources")
        .await;
    assert_eq!(
        said.reply(),
        "Sam Carter has nothing waiting for review on Connecting to data safely."
    );
    let status: String = sqlx::query_scalar("SELECT status FROM milestones")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(status, "submitted");

    // A steward may verify too; a second verification is refused.
    let said = bot.say("ada", "/milestone verify @sam flows-101").await;
    assert_eq!(said.told(), ["@Sam Carter", "#spring-makers"]);
    assert_eq!(
        said.reply(),
        "Verified Your first cloud flow for Sam Carter."
    );
    let said = bot.say("grace", "/milestone verify @sam flows-101").await;
    assert_eq!(
        said.reply(),
        "Your first cloud flow is already verified. Nothing to do!"
    );
    assert_eq!(bot.count("badges").await, 1);
}

#[sqlx::test]
async fn requested_changes_reach_the_learner_who_resubmits(pool: PgPool) {
    let bot = learner(pool).await;
    bot.ok("sam", "/milestone submit flows-101 https://example.org/v1")
        .await;
    let said = bot
        .say(
            "grace",
            "/milestone changes @sam flows-101 Please add a screenshot of the run history",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Asked Sam Carter for changes to Your first cloud flow."
    );
    assert_eq!(
        said.dms(),
        [(
            "Sam Carter",
            "Grace Lindqvist asked for changes to your milestone Your first cloud flow:\nPlease add a screenshot of the run history\nResubmit with `/milestone submit flows-101 <evidence url>`."
        )]
    );
    assert!(
        bot.say("sam", "/progress")
            .await
            .reply()
            .contains("✏️ `flows-101`")
    );
    let said = bot
        .say("sam", "/milestone submit flows-101 https://example.org/v2")
        .await;
    assert_eq!(said.told(), ["@Grace Lindqvist"]);
    assert!(said.reply().starts_with("Submitted"), "{}", said.reply());
    let said = bot
        .say("sam", "/milestone submit flows-101 https://example.org/v3")
        .await;
    assert_eq!(
        said.reply(),
        "Your first cloud flow is already waiting for your mentor's review. To send something else, take it back with `/milestone withdraw flows-101` and submit again."
    );
    let evidence: String = sqlx::query_scalar("SELECT evidence_url FROM milestones")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    assert_eq!(evidence, "https://example.org/v2");
}

pub(crate) async fn get(
    bot: &TestBot,
    uri: &str,
    accept: Option<&str>,
) -> (StatusCode, String, String) {
    let mut request = Request::get(uri);
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    let response = cohortbot::web::badges::routes(bot.pool.clone(), Some(format!("{BASE}/")))
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

fn schema_errors(instance: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| e.to_string())
        .collect()
}

/// Checks a compact JWS against the JWK its `kid` URL serves; returns (header, payload).
async fn verified_jwt(bot: &TestBot, token: &str) -> (Value, Value) {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};

    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };
    let header = decode(parts[0]);
    let key_path = header["kid"].as_str().unwrap().strip_prefix(BASE).unwrap();
    let (status, content_type, jwk) = get(bot, key_path, None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/jwk+json")
    );
    let jwk: Value = serde_json::from_str(&jwk).unwrap();
    assert_eq!(
        (&jwk["kty"], &jwk["crv"]),
        (&json!("OKP"), &json!("Ed25519"))
    );
    assert_eq!(header["jwk"], jwk, "the embedded key is the published one");
    let x: [u8; 32] = URL_SAFE_NO_PAD
        .decode(jwk["x"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
    VerifyingKey::from_bytes(&x)
        .unwrap()
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("the signature verifies");
    (header, decode(parts[1]))
}

#[sqlx::test]
async fn a_verified_module_celebrates_and_issues_an_open_badge_that_validates(pool: PgPool) {
    let bot = learner(pool).await;
    // A display name with markup: it must reach the channel as a mention, never as markup.
    sqlx::query(
        "UPDATE members SET display_name = 'Sam <b>*Carter*</b>' WHERE platform_user_id = 'sam'",
    )
    .execute(&bot.pool)
    .await
    .unwrap();
    bot.ok(
        "sam",
        "/milestone submit flows-101 https://example.org/flow?a=1&b=<2>",
    )
    .await;
    let said = bot.say("grace", "/milestone verify @sam flows-101").await;
    let outcome = said.outcome().unwrap().clone();
    let celebration = outcome
        .posts
        .iter()
        .find(|p| p.to == Destination::Channel("spring-makers".into()))
        .expect("a celebration in the cohort channel");
    assert_eq!(
        cohortbot::render::plain::render(&celebration.message),
        "🎉 @Sam <b>*Carter*</b> completed Your first cloud flow in Spring Makers 2027!"
    );
    let sam_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM members WHERE platform_user_id = 'sam'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(
        celebration.message.mentioned().collect::<Vec<_>>(),
        [sam_id]
    );
    assert!(
        !celebration
            .message
            .0
            .iter()
            .any(|f| matches!(f, Fragment::Text(t) | Fragment::Strong(t) if t.contains("<b>")))
    );

    let badge_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM badges")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    let dm = said.dms()[0].1;
    assert!(
        dm.contains(&format!(
            "You earned the Open Badge Flow Starter: {BASE}/badges/{badge_id} (share it anywhere; `/badges` lists yours)."
        )),
        "{dm}"
    );
    let list = bot.say("sam", "/badges").await.reply().to_owned();
    assert!(list.contains(&format!("🏅 Flow Starter — Your first cloud flow (Spring Makers 2027), issued 2027-03-10: `{BASE}/badges/{badge_id}`")), "{list}");
    let list = bot.say("ken", "/badges @sam").await.reply().to_owned();
    assert!(
        list.starts_with("Sam <b>*Carter*</b>'s Open Badges:"),
        "{list}"
    );

    // The JSON: by Accept header and by `.json`, valid against the OB 3.0 schema.
    let (status, content_type, body) = get(
        &bot,
        &format!("/badges/{badge_id}"),
        Some("application/json"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    let credential: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(schema_errors(&credential), Vec::<String>::new());
    assert_eq!(credential["id"], format!("{BASE}/badges/{badge_id}"));
    assert_eq!(
        credential["credentialSubject"]["achievement"]["name"],
        "Flow Starter"
    );
    assert_eq!(
        credential["credentialSubject"]["name"],
        "Sam <b>*Carter*</b>"
    );
    assert_eq!(credential["validFrom"], "2027-03-10T09:00:00Z");
    let (_, _, same) = get(&bot, &format!("/badges/{badge_id}.json"), None).await;
    assert_eq!(serde_json::from_str::<Value>(&same).unwrap(), credential);
    // The issuer and achievement ids inside it resolve to their own documents.
    for (id, kind) in [
        (&credential["issuer"]["id"], "Profile"),
        (
            &credential["credentialSubject"]["achievement"]["id"],
            "Achievement",
        ),
    ] {
        let path = id.as_str().unwrap().strip_prefix(BASE).unwrap();
        let (status, content_type, body) = get(&bot, path, None).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::OK, "application/json")
        );
        let doc: Value = serde_json::from_str(&body).unwrap();
        assert_eq!((&doc["id"], &doc["type"][0]), (id, &json!(kind)), "{doc}");
    }
    let (status, _, _) = get(
        &bot,
        "/achievements/acme-makers/spring-makers-2027/nope",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The VC-JWT: signed by the key its `kid` serves, with the credential as its payload.
    let (status, content_type, token) = get(&bot, &format!("/badges/{badge_id}.jwt"), None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/jwt")
    );
    let (header, payload) = verified_jwt(&bot, &token).await;
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["kid"], format!("{BASE}/issuers/acme-makers/key"));
    let mut claims = payload.clone();
    for (claim, value) in [
        ("iss", json!(format!("{BASE}/issuers/acme-makers"))),
        ("jti", json!(format!("{BASE}/badges/{badge_id}"))),
        ("sub", credential["credentialSubject"]["id"].clone()),
        ("nbf", json!(1_804_669_200)), // 2027-03-10T09:00:00Z
    ] {
        assert_eq!(
            claims.as_object_mut().unwrap().remove(claim),
            Some(value),
            "{claim}"
        );
    }
    // The JWT carries the credential without its embedded proof: the JWS is its proof.
    let mut unproved = credential.clone();
    assert!(unproved.as_object_mut().unwrap().remove("proof").is_some());
    assert_eq!(claims, unproved);
    // One key per community: a second token is signed by the same key.
    let (_, _, again) = get(&bot, &format!("/badges/{badge_id}.jwt"), None).await;
    assert_eq!(verified_jwt(&bot, &again).await.1, payload);
    assert_eq!(bot.count("issuer_keys").await, 1);
    let (status, _, _) = get(&bot, "/issuers/nobody/key", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The schema is not vacuous: a credential without its subject fails.
    let mut broken = credential.clone();
    broken.as_object_mut().unwrap().remove("credentialSubject");
    assert!(!schema_errors(&broken).is_empty());

    // The page: HTML with every value escaped.
    let (status, content_type, html) = get(&bot, &format!("/badges/{badge_id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "text/html; charset=utf-8");
    assert!(
        html.contains("Awarded to <strong>Sam &lt;b&gt;*Carter*&lt;/b&gt;</strong>"),
        "{html}"
    );
    assert!(
        html.contains("https://example.org/flow?a=1&amp;b=%3C2%3E"),
        "{html}"
    );
    assert!(!html.contains("<b>"));
    assert!(html.contains("<p class=\"valid\">Valid</p>"));

    // Unknown ids are 404s.
    let (status, _, _) = get(&bot, "/badges/not-a-uuid", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(&bot, &format!("/badges/{}", uuid::Uuid::new_v4()), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn a_steward_revokes_a_badge_and_its_status_says_so(pool: PgPool) {
    let bot = learner(pool).await;
    complete(&bot, "flows-101").await;
    let badge_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM badges")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    let said = bot
        .say("grace", &format!("/badge revoke {badge_id} copied work"))
        .await;
    assert_eq!(
        said.reply(),
        "Sorry, only stewards can use `/badge revoke`."
    );
    let said = bot.say("ada", "/badge revoke nonsense copied work").await;
    assert!(
        said.reply().starts_with("There is no badge `nonsense`"),
        "{}",
        said.reply()
    );
    let (_, _, status) = get(&bot, &format!("/badges/{badge_id}/status"), None).await;
    let list: Value = serde_json::from_str(&status).unwrap();
    assert_eq!(list["revokedCredentials"], serde_json::json!([]));

    let said = bot
        .say(
            "ada",
            // The link people share names the badge as well as its id.
            &format!("/badge revoke {BASE}/badges/{badge_id} evidence was someone else's work"),
        )
        .await;
    assert_eq!(
        said.reply(),
        format!(
            "Revoked Sam Carter's Flow Starter badge. Its page {BASE}/badges/{badge_id} says so, and its status list {BASE}/badges/{badge_id}/status, which verifiers check, marks it revoked."
        )
    );
    assert_eq!(
        said.dms(),
        [(
            "Sam Carter",
            "Your Flow Starter badge was revoked by a steward: evidence was someone else's work"
        )]
    );
    let said = bot
        .say("ada", &format!("/badge revoke {badge_id} again"))
        .await;
    assert_eq!(said.reply(), "That Flow Starter badge is already revoked.");

    let (_, _, status) = get(&bot, &format!("/badges/{badge_id}/status"), None).await;
    let list: Value = serde_json::from_str(&status).unwrap();
    assert_eq!(
        list["revokedCredentials"],
        serde_json::json!([{
            "id": format!("{BASE}/badges/{badge_id}"),
            "revocationReason": "evidence was someone else's work",
        }])
    );
    let (_, _, credential) = get(&bot, &format!("/badges/{badge_id}.json"), None).await;
    let credential: Value = serde_json::from_str(&credential).unwrap();
    assert_eq!(
        credential["credentialStatus"]["id"],
        format!("{BASE}/badges/{badge_id}/status")
    );
    // The list is served signed too, with the issuer's key, naming its issuer and itself.
    let (status, content_type, token) =
        get(&bot, &format!("/badges/{badge_id}/status.jwt"), None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/jwt")
    );
    let (header, signed) = verified_jwt(&bot, &token).await;
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(signed["revokedCredentials"], list["revokedCredentials"]);
    assert_eq!(signed["iss"], list["issuer"]);
    assert_eq!(signed["jti"], format!("{BASE}/badges/{badge_id}/status"));
    assert!(signed["iat"].as_i64().unwrap() > 1_700_000_000);
    let (_, _, html) = get(&bot, &format!("/badges/{badge_id}"), None).await;
    assert!(
        html.contains(
            "<strong>Revoked</strong> on 2027-03-10: evidence was someone else&#39;s work"
        ),
        "{html}"
    );
    assert!(
        bot.say("sam", "/badges")
            .await
            .reply()
            .contains("· revoked 2027-03-10")
    );
}

#[sqlx::test]
async fn the_capstone_graduates_the_learner_with_alumni_celebration_and_invitation(pool: PgPool) {
    let bot = learner(pool).await;
    for module in ["flows-101", "data-sources", "canvas-apps", "alm-basics"] {
        complete(&bot, module).await;
    }
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "@grace",
        "@grace",
        "@grace",
        "@grace",
        "@sam",
        "@sam",
        "@sam",
        "@sam",
    ])
    .await;
    let said = bot
        .say(
            "sam",
            "/milestone submit capstone https://example.org/leave-requests Leave requests impact:\"@everyone saves **3 h/week**, replaced the paper form\"",
        )
        .await;
    assert_eq!(said.told(), ["@Grace Lindqvist"]);
    assert!(said.reply().starts_with("Submitted"), "{}", said.reply());
    let said = bot.say("grace", "/milestone verify @sam capstone").await;
    assert_eq!(
        said.reply(),
        "Verified Capstone: automate a real process for Sam Carter. That was their capstone: they have graduated. 🎓"
    );
    let outcome = said.outcome().unwrap().clone();
    let graduation = outcome
        .posts
        .iter()
        .find(|p| {
            p.to == Destination::Channel("spring-makers".into())
                && cohortbot::render::plain::render(&p.message).starts_with("🎓")
        })
        .expect("a graduation post");
    assert_eq!(
        cohortbot::render::plain::render(&graduation.message),
        "🎓 @Sam Carter finished the capstone and graduated from Spring Makers 2027! Congratulations!\nBusiness impact: @everyone saves **3 h/week**, replaced the paper form"
    );
    // The impact note is user text (escaped by each platform); only Sam is mentioned.
    assert!(graduation.message.0.contains(&Fragment::User(
        "@everyone saves **3 h/week**, replaced the paper form".into()
    )));
    assert_eq!(graduation.message.mentioned().count(), 1);
    // The capstone's badge earns the example's `citizen-developer` role, announced.
    assert!(
        said.channel_posts().contains(&(
            "spring-makers",
            "🏅 @Sam Carter earned the Citizen Developer role!"
        )),
        "{:?}",
        said.channel_posts()
    );
    let dms = said.dms();
    assert!(
        dms.iter().any(|(to, text)| *to == "Sam Carter"
            && text.contains("Offer to mentor with `/mentor offer`.")),
        "{dms:?}"
    );
    let roles = bot.say("sam", "/me").await.reply().to_owned();
    assert!(roles.contains("alumni"), "{roles}");
    assert!(
        roles.contains("\nEarned roles: Citizen Developer\n"),
        "{roles}"
    );
    let impact: Option<String> =
        sqlx::query_scalar("SELECT impact FROM milestones WHERE impact IS NOT NULL")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(
        impact.as_deref(),
        Some("@everyone saves **3 h/week**, replaced the paper form")
    );

    // The Friday digest counts the week's verified milestones.
    bot.set_local("2027-03-12 15:59", Berlin);
    bot.tick().await;
    bot.deliver_to(&[
        "#spring-makers",
        "#spring-makers",
        "#spring-makers",
        "@grace",
        "@sam",
        "@sam",
    ])
    .await;
    bot.set_local("2027-03-12 16:00", Berlin);
    bot.tick().await;
    let sent = bot.deliver().await;
    let digest = &sent
        .iter()
        .find(|(to, text)| to == "#spring-makers" && text.starts_with("📊"))
        .expect("digest")
        .1;
    assert!(
        digest.contains("🏅 Milestones verified this week: 5"),
        "{digest}"
    );
}

#[sqlx::test]
async fn a_learner_in_a_mentor_group_is_verified_by_the_groups_lead(pool: PgPool) {
    let bot = learner(pool).await;
    // Ken leads a group in Spring Makers and Sam is in it: Ken is Sam's mentor now, and
    // Grace (a cohort lead mentor, but not Sam's group lead) no longer is.
    sqlx::query(
        "INSERT INTO mentor_groups (id, community_id, cohort_id, name, lead_member_id)
         SELECT gen_random_uuid(), c.community_id, c.id, 'Ken''s group', m.id
         FROM cohorts c, members m WHERE c.slug = 'spring-makers-2027' AND m.platform_user_id = 'ken'",
    )
    .execute(&bot.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE enrollments SET mentor_group_id = (SELECT id FROM mentor_groups WHERE name = 'Ken''s group')
         WHERE member_id = (SELECT id FROM members WHERE platform_user_id = 'sam')",
    )
    .execute(&bot.pool)
    .await
    .unwrap();
    let said = bot
        .say(
            "sam",
            "/milestone submit flows-101 https://example.org/flow",
        )
        .await;
    assert_eq!(
        said.reply(),
        "Submitted Your first cloud flow for verification. Ken Watanabe will review it and I'll tell you."
    );
    assert_eq!(said.dms().len(), 1);
    assert_eq!(said.dms()[0].0, "Ken Watanabe");
    let said = bot.say("grace", "/milestone verify @sam flows-101").await;
    assert_eq!(
        said.reply(),
        "Only Sam Carter's mentors, or a steward, can review their milestones."
    );
    let said = bot.say("ken", "/milestone verify @sam flows-101").await;
    assert_eq!(said.told(), ["@Sam Carter", "#spring-makers"]);
    assert_eq!(
        said.reply(),
        "Verified Your first cloud flow for Sam Carter."
    );
}

/// Without `http.public_url`, a request's Host header never becomes a signed URL: the
/// credential documents are refused with the reason, and the page links relatively.
#[sqlx::test]
async fn without_a_public_address_nothing_signed_names_the_requests_host(pool: PgPool) {
    let bot = TestBot::new(pool).await;
    bot.enroll("sam", "spring-makers-2027", Some("short-modules"))
        .await;
    bot.set_local("2027-03-10 10:00", chrono_tz::Europe::Berlin);
    bot.ok(
        "sam",
        "/milestone submit flows-101 https://example.org/flow",
    )
    .await;
    let said = bot.say("grace", "/milestone verify @sam flows-101").await;
    assert_eq!(said.told(), ["@Sam Carter", "#spring-makers"]);
    assert!(said.reply().starts_with("Verified"), "{}", said.reply());
    let badge_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM badges")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    // The key was made when the badge was issued, not by a request.
    assert_eq!(bot.count("issuer_keys").await, 1);
    let unpublished = cohortbot::web::badges::routes(bot.pool.clone(), None);
    let fetch = async |uri: String| {
        let response = unpublished
            .clone()
            .oneshot(
                Request::get(uri)
                    .header(header::HOST, "attacker.example")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    };
    for uri in [
        format!("/badges/{badge_id}.json"),
        format!("/badges/{badge_id}.jwt"),
        format!("/badges/{badge_id}/status"),
        "/issuers/acme-makers".to_owned(),
        "/issuers/acme-makers/key".to_owned(),
        "/achievements/acme-makers/spring-makers-2027/flows-101".to_owned(),
    ] {
        let (status, body) = fetch(uri.clone()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert!(body.contains("http.public_url"), "{uri}: {body}");
    }
    let (status, page) = fetch(format!("/badges/{badge_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("attacker"), "{page}");
    assert!(
        page.contains(&format!("href=\"/badges/{badge_id}.json\"")),
        "{page}"
    );
}

#[sqlx::test]
async fn a_learner_withdraws_a_submission_no_mentor_reviewed(pool: PgPool) {
    let bot = learner(pool).await;
    let said = bot.say("sam", "/milestone withdraw flows-101").await;
    assert_eq!(
        said.reply(),
        "You have no submission of Your first cloud flow waiting for review, so there is nothing to withdraw. See where you stand with `/progress`."
    );
    bot.ok(
        "sam",
        "/milestone submit flows-101 https://example.org/flow",
    )
    .await;
    let said = bot.say("sam", "/milestone withdraw flows-10").await;
    assert!(
        said.reply().contains("Did you mean `flows-101`?"),
        "{}",
        said.reply()
    );
    let said = bot.say("sam", "/milestone withdraw flows-101").await;
    assert_eq!(
        said.reply(),
        "Withdrew your submission of Your first cloud flow. Submit again whenever it's ready with `/milestone submit`."
    );
    assert_eq!(
        said.dms(),
        [(
            "Grace Lindqvist",
            "Sam Carter withdrew their submission of Your first cloud flow, so there is nothing to review for now."
        )]
    );
    // Withdrawing twice tells nobody again; the mentor cannot verify what was taken back.
    let said = bot.say("sam", "/milestone withdraw flows-101").await;
    assert!(
        said.reply().starts_with("You have no submission"),
        "{}",
        said.reply()
    );
    assert!(said.dms().is_empty());
    let said = bot.say("grace", "/milestone verify @sam flows-101").await;
    assert!(
        said.reply()
            .contains("Sam Carter has nothing waiting for review"),
        "{}",
        said.reply()
    );
    let ladder = bot.say("sam", "/progress").await.reply().to_owned();
    assert!(ladder.contains("▶️ `flows-101`"), "{ladder}");
    // The same row takes a new submission, and the record stays one row.
    complete(&bot, "flows-101").await;
    assert_eq!(milestone_count(&bot).await, 1);
    let said = bot.say("sam", "/milestone withdraw flows-101").await;
    assert!(
        said.reply().starts_with("You have no submission"),
        "{}",
        said.reply()
    );
}

#[sqlx::test]
async fn a_rotated_key_signs_from_then_on_and_the_old_one_still_verifies(pool: PgPool) {
    let bot = learner(pool).await;
    bot.refused(
        "ada",
        "/badge rotate",
        "This community has no signing key yet: it gets one with its first badge, so there is nothing to rotate.",
    )
    .await;
    complete(&bot, "flows-101").await;
    let badge_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM badges")
        .fetch_one(&bot.pool)
        .await
        .unwrap();
    let (_, _, before) = get(&bot, &format!("/badges/{badge_id}.jwt"), None).await;
    let (old_header, old_payload) = verified_jwt(&bot, &before).await;
    assert_eq!(old_header["kid"], format!("{BASE}/issuers/acme-makers/key"));

    bot.refused("grace", "/badge rotate", "only stewards").await;
    let said = bot.say("ada", "/badge rotate").await;
    assert_eq!(
        said.reply(),
        format!(
            "🔑 Credentials are signed with key 2 from now on. Those signed before still verify: key 1 stays published at {BASE}/issuers/acme-makers/key, and the new one is at {BASE}/issuers/acme-makers/keys/2. The RS256 form is signed with RSA key 2 from now on ({BASE}/issuers/acme-makers/rsa-keys/2), and the earlier RSA keys stay published too."
        )
    );
    let (_, _, after) = get(&bot, &format!("/badges/{badge_id}.jwt"), None).await;
    let (header, payload) = verified_jwt(&bot, &after).await;
    assert_eq!(header["kid"], format!("{BASE}/issuers/acme-makers/keys/2"));
    assert_eq!(payload, old_payload);
    assert_ne!(header["jwk"], old_header["jwk"], "a new key signs");
    // The token signed before the rotation still verifies against the key its kid names.
    verified_jwt(&bot, &before).await;
    let (status, _, _) = get(&bot, "/issuers/acme-makers/keys/1", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = get(&bot, "/issuers/acme-makers/keys/3", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let rotations: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'badge.key_rotated'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(rotations, 1);
}

/// The RS256 form of a credential, checked by OpenSSL's command line (not the code that
/// signed it) against the RSA key its `kid` serves.
#[sqlx::test]
async fn the_rs256_credential_verifies_with_openssl(pool: PgPool) {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    let (bot, badge) = badged(pool).await;
    let (status, content_type, token) =
        get(&bot, &format!("/badges/{badge}.rs256.jwt"), None).await;
    assert_eq!(
        (status, content_type.as_str()),
        (StatusCode::OK, "application/jwt")
    );
    let parts: Vec<&str> = token.split('.').collect();
    let decode = |part: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    };
    let header = decode(parts[0]);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], format!("{BASE}/issuers/acme-makers/rsa-key"));
    let (status, _, jwk) = get(&bot, "/issuers/acme-makers/rsa-key", None).await;
    assert_eq!(status, StatusCode::OK);
    let jwk: Value = serde_json::from_str(&jwk).unwrap();
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(header["jwk"], jwk);
    // The same claims as the Ed25519 form.
    let (_, _, eddsa) = get(&bot, &format!("/badges/{badge}.jwt"), None).await;
    assert_eq!(decode(parts[1]), verified_jwt(&bot, &eddsa).await.1);

    assert!(openssl_verifies(&token, &jwk));
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert!(!openssl_verifies(&forged, &jwk));
}

/// Whether OpenSSL's command line (not the code that signed it) verifies the RS256
/// `token` with the RSA public key `jwk`.
fn openssl_verifies(token: &str, jwk: &Value) -> bool {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use rsa::pkcs8::EncodePublicKey;

    let number = |field: &str| {
        rsa::BigUint::from_bytes_be(
            &URL_SAFE_NO_PAD
                .decode(jwk[field].as_str().unwrap())
                .unwrap(),
        )
    };
    let public = rsa::RsaPublicKey::new(number("n"), number("e")).unwrap();
    assert_eq!(
        rsa::traits::PublicKeyParts::size(&public),
        256,
        "a 2048-bit modulus"
    );
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("key.der"),
        public.to_public_key_der().unwrap().as_bytes(),
    )
    .unwrap();
    // A forged signature may not even decode: that is a failure to verify too.
    let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
        return false;
    };
    std::fs::write(dir.path().join("sig.bin"), signature).unwrap();
    std::fs::write(dir.path().join("input"), signing_input).unwrap();
    let output = std::process::Command::new("openssl")
        .args([
            "dgst",
            "-sha256",
            "-keyform",
            "DER",
            "-verify",
            "key.der",
            "-signature",
            "sig.bin",
            "input",
        ])
        .current_dir(dir.path())
        .output()
        .expect("openssl runs");
    let said = String::from_utf8_lossy(&output.stdout);
    match (output.status.success(), said.as_ref()) {
        (true, "Verified OK\n") => true,
        (false, "Verification failure\n") => false,
        other => panic!("openssl said {other:?}"),
    }
}

/// `/badge rotate` replaces the RSA key too: RS256 tokens name the new one from then on,
/// and a token signed before still verifies with the first, which stays published.
#[sqlx::test]
async fn a_rotation_replaces_the_rsa_key_and_old_rs256_tokens_still_verify(pool: PgPool) {
    let (bot, badge) = badged(pool).await;
    let (_, _, before) = get(&bot, &format!("/badges/{badge}.rs256.jwt"), None).await;
    let said = bot.say("ada", "/badge rotate").await;
    assert_eq!(
        said.reply(),
        format!(
            "🔑 Credentials are signed with key 2 from now on. Those signed before still verify: key 1 stays published at {BASE}/issuers/acme-makers/key, and the new one is at {BASE}/issuers/acme-makers/keys/2. The RS256 form is signed with RSA key 2 from now on ({BASE}/issuers/acme-makers/rsa-keys/2), and the earlier RSA keys stay published too."
        )
    );
    let (_, _, after) = get(&bot, &format!("/badges/{badge}.rs256.jwt"), None).await;
    let kid = |token: &str| -> Value {
        use base64::Engine;
        let header = token.split('.').next().unwrap();
        let header: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(header)
                .unwrap(),
        )
        .unwrap();
        header["kid"].clone()
    };
    assert_eq!(kid(&before), format!("{BASE}/issuers/acme-makers/rsa-key"));
    assert_eq!(
        kid(&after),
        format!("{BASE}/issuers/acme-makers/rsa-keys/2")
    );
    let key = |path: &'static str| {
        let bot = &bot;
        async move {
            let (status, _, jwk) = get(bot, path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            serde_json::from_str::<Value>(&jwk).unwrap()
        }
    };
    let first = key("/issuers/acme-makers/rsa-key").await;
    let second = key("/issuers/acme-makers/rsa-keys/2").await;
    assert_ne!(first["n"], second["n"], "a new RSA key signs");
    assert!(openssl_verifies(&after, &second));
    assert!(openssl_verifies(&before, &first));
    assert!(!openssl_verifies(&before, &second));
    let (status, _, _) = get(&bot, "/issuers/acme-makers/rsa-keys/3", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let rotated: Value =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'badge.key_rotated'")
            .fetch_one(&bot.pool)
            .await
            .unwrap();
    assert_eq!(
        rotated,
        serde_json::json!({ "version": 2, "rsa_version": 2 })
    );
}
