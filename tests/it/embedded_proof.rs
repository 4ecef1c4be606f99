//! The embedded Data Integrity proof (`eddsa-rdfc-2022`) of a served credential, checked
//! by an implementation that is not ours: Digital Bazaar's JavaScript verifier
//! (`tests/verifier`, installed by `scripts/test`), which canonicalizes with its own
//! JSON-LD processor and contexts. It is given the key, its controller and the status
//! list exactly as the bot serves them.

use serde_json::{Value, json};
use sqlx::PgPool;

use super::milestones::{badged, get, learner};
use super::support::{PUBLIC_URL as BASE, TestBot};

/// What the bot serves at `url`, one of its own addresses, as JSON.
async fn served(bot: &TestBot, url: &str) -> Value {
    let path = url.strip_prefix(BASE).expect("one of the bot's addresses");
    let (status, _, body) = get(bot, path, None).await;
    assert_eq!(status, 200, "{url}: {body}");
    serde_json::from_str(&body).unwrap()
}

async fn served_credential(bot: &TestBot, badge: uuid::Uuid) -> Value {
    served(bot, &format!("{BASE}/badges/{badge}.json")).await
}

/// The independent verifier's verdict on `credential`: `{"verified": …, "errors": […]}`.
async fn independently_verified(bot: &TestBot, credential: &Value) -> Value {
    let method = credential["proof"]["verificationMethod"]
        .as_str()
        .unwrap_or_default();
    let key = served(bot, method).await;
    let controller = key["controller"].as_str().unwrap().to_owned();
    let status = credential["credentialStatus"]["id"].as_str().unwrap();
    let documents = json!({
        method: key,
        &controller: served(bot, &controller).await,
        status: served(bot, status).await,
    });
    // The test's clock is in 2027; the verifier checks validFrom against this.
    let valid_from: chrono::DateTime<chrono::Utc> =
        credential["validFrom"].as_str().unwrap().parse().unwrap();
    let input = json!({
        "credential": credential,
        "documents": documents,
        "now": (valid_from + chrono::Duration::days(1)).to_rfc3339(),
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.json");
    std::fs::write(&path, input.to_string()).unwrap();
    let verifier = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/verifier/verify.mjs");
    let output = tokio::process::Command::new("node")
        .arg(verifier)
        .arg(&path)
        .output()
        .await
        .expect("node runs (scripts/test installs it)");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.is_empty(),
        "the verifier failed to run (scripts/test installs its packages): {stderr}"
    );
    let verdict: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.success(), verdict["verified"] == true);
    verdict
}

fn verified() -> Value {
    json!({ "verified": true, "errors": [] })
}

#[sqlx::test]
async fn a_credential_with_a_long_narrative_verifies_with_an_independent_implementation(
    pool: PgPool,
) {
    let bot = learner(pool).await;
    let submitted = bot
        .ok(
            "sam",
            "/milestone submit flows-101 https://example.org/flows-101",
        )
        .await;
    assert!(
        submitted.reply().starts_with("Submitted"),
        "{}",
        submitted.reply()
    );
    assert_eq!(submitted.told(), ["@Grace Lindqvist"]);
    // A mentor's narrative near the 4,000-character limit of a command: CJK, emoji, quotes,
    // markdown and mentions, all signed as given.
    let narrative =
        "「申請フロー」を自動化🚀 *expenses* \"quoted\" `code` <@&555> @everyone ✅ ".repeat(64);
    assert!(narrative.chars().count() > 3_800, "{}", narrative.len());
    let issued = bot
        .ok("grace", &format!("/badge issue flows-101 sam: {narrative}"))
        .await;
    assert_eq!(
        issued.reply(),
        "🏅 Verified 1 milestone, its badge carrying your words about the work:\n• Verified Your first cloud flow for Sam Carter."
    );
    assert_eq!(issued.told(), ["@Sam Carter", "#spring-makers"]);
    let badge: uuid::Uuid = sqlx::query_scalar("SELECT id FROM badges")
        .fetch_one(&bot.pool)
        .await
        .unwrap();

    let credential = served_credential(&bot, badge).await;
    assert_eq!(credential["evidence"][0]["narrative"], narrative.trim());
    let method = format!("{BASE}/issuers/acme-makers/keys/1/multikey");
    let proof = &credential["proof"];
    assert_eq!(
        proof,
        &json!({
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2027-03-10T09:00:00Z",
            "verificationMethod": method,
            "proofPurpose": "assertionMethod",
            "proofValue": proof["proofValue"],
        })
    );
    assert!(proof["proofValue"].as_str().unwrap().starts_with('z'));
    assert_eq!(
        credential["@context"],
        json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://www.w3.org/ns/credentials/undefined-terms/v2",
        ])
    );
    // The key, and the issuer's profile naming it as one that may sign its credentials.
    let key = served(&bot, &method).await;
    assert_eq!(key["type"], "Multikey");
    assert_eq!(key["id"], method);
    assert_eq!(key["controller"], format!("{BASE}/issuers/acme-makers"));
    assert!(
        key["publicKeyMultibase"]
            .as_str()
            .unwrap()
            .starts_with("z6Mk")
    );
    let profile = served(&bot, &format!("{BASE}/issuers/acme-makers")).await;
    assert_eq!(profile["assertionMethod"], json!([method]));

    assert_eq!(independently_verified(&bot, &credential).await, verified());
    // Served again, it is the same document with the same proof.
    assert_eq!(served_credential(&bot, badge).await, credential);

    // Anything signed changed: the verifier refuses it.
    let mut forged = credential.clone();
    forged["evidence"][0]["narrative"] = json!("Rebuilt the whole finance system alone.");
    assert_eq!(
        independently_verified(&bot, &forged).await,
        json!({
            "verified": false,
            "errors": ["Verification error(s).: Invalid signature.", "Invalid signature."],
        })
    );
    let mut forged = credential.clone();
    forged["proof"]["verificationMethod"] =
        json!(format!("{BASE}/issuers/acme-makers/keys/1/multikey#other"));
    assert_eq!(
        independently_verified(&bot, &forged).await["verified"],
        false
    );
}

#[sqlx::test]
async fn a_revoked_credential_still_carries_a_valid_proof_but_its_status_says_revoked(
    pool: PgPool,
) {
    let (bot, badge) = badged(pool).await;
    let credential = served_credential(&bot, badge).await;
    assert_eq!(independently_verified(&bot, &credential).await, verified());
    let said = bot
        .ok("ada", &format!("/badge revoke {badge} copied work"))
        .await;
    assert!(
        said.reply()
            .starts_with("Revoked Sam Carter's Flow Starter badge."),
        "{}",
        said.reply()
    );
    assert_eq!(
        said.dms(),
        [(
            "Sam Carter",
            "Your Flow Starter badge was revoked by a steward: copied work"
        )]
    );
    assert_eq!(
        independently_verified(&bot, &credential).await,
        json!({ "verified": false, "errors": ["revoked"] })
    );
}

#[sqlx::test]
async fn after_a_key_rotation_old_and_new_proofs_both_verify(pool: PgPool) {
    let (bot, badge) = badged(pool).await;
    let before = served_credential(&bot, badge).await;
    let said = bot.ok("ada", "/badge rotate").await;
    assert!(
        said.reply()
            .starts_with("🔑 Credentials are signed with key 2 from now on."),
        "{}",
        said.reply()
    );
    let after = served_credential(&bot, badge).await;
    assert_eq!(
        after["proof"]["verificationMethod"],
        format!("{BASE}/issuers/acme-makers/keys/2/multikey")
    );
    assert_ne!(after["proof"]["proofValue"], before["proof"]["proofValue"]);
    let profile = served(&bot, &format!("{BASE}/issuers/acme-makers")).await;
    assert_eq!(
        profile["assertionMethod"],
        json!([
            format!("{BASE}/issuers/acme-makers/keys/1/multikey"),
            format!("{BASE}/issuers/acme-makers/keys/2/multikey"),
        ])
    );
    assert_eq!(independently_verified(&bot, &after).await, verified());
    // A copy saved before the rotation still verifies: the old key stays published.
    assert_eq!(independently_verified(&bot, &before).await, verified());
    let (status, _, _) = get(&bot, "/issuers/acme-makers/keys/3/multikey", None).await;
    assert_eq!(status, 404);
}
