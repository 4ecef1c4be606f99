//! `/verify`: anyone pastes a credential and learns whether it is valid: the signature
//! against the key its `kid` names (a rotated-out key too), and the badge's status now.
//! Drawn in a real headless Chromium; each verdict also checked over HTTP.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sqlx::PgPool;

use super::browser::Browser;
use super::milestones::{badged, get};
use super::support::{PUBLIC_URL, TestBot};

async fn serve(bot: &TestBot) -> String {
    let router = cohortbot::web::WebServer::new(&bot.services)
        .merge(cohortbot::web::verify::routes(
            bot.pool.clone(),
            Some(format!("{PUBLIC_URL}/")),
        ))
        .into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

/// The verdict the page gives for `pasted`, as its text.
async fn verdict(base: &str, pasted: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/verify"))
        .form(&[("credential", pasted)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let start = html
        .find("<section id=\"result\" role=\"status\"><p>")
        .expect("a result")
        + "<section id=\"result\" role=\"status\"><p>".len();
    html[start..start + html[start..].find("</p>").unwrap()].to_owned()
}

async fn token(bot: &TestBot, badge: uuid::Uuid) -> String {
    get(bot, &format!("/badges/{badge}.jwt"), None).await.2
}

#[sqlx::test]
async fn a_pasted_credential_is_checked_in_the_browser_and_every_verdict_says_why(pool: PgPool) {
    let (bot, badge) = badged(pool).await;
    let signed = token(&bot, badge).await;
    let base = serve(&bot).await;

    // In a browser: the form, pasted into and sent, with no script of the page's own.
    let mut browser = Browser::start().await;
    let loaded = browser.load(&format!("{base}/verify"), 390, 844).await;
    assert_eq!(loaded.requests, [format!("{base}/verify")]);
    assert_eq!(
        browser
            .eval("document.querySelector('label').textContent")
            .await,
        "Paste the credential: its JSON (which starts with {), the text of its .jwt file (which starts with eyJ), or its badge link:"
    );
    browser
        .navigate_by(&format!(
            "document.querySelector('textarea').value = {}; document.querySelector('form').submit()",
            serde_json::to_string(&signed).unwrap()
        ))
        .await;
    assert_eq!(
        browser
            .eval("document.querySelector('#result').innerText")
            .await,
        "✅ Valid: Flow Starter, awarded to Sam Carter by Acme Citizen Developers on 10 March 2027. Signed with the issuer's key 1, and not revoked."
    );
    assert_eq!(browser.eval("location.pathname").await, "/verify");
    // The badge's link, pasted as people share it.
    browser
        .navigate_by(&format!(
            "document.querySelector('textarea').value = {}; document.querySelector('form').submit()",
            serde_json::to_string(&format!("{PUBLIC_URL}/badges/{badge}")).unwrap()
        ))
        .await;
    assert_eq!(
        browser
            .eval("document.querySelector('#result').innerText")
            .await,
        "✅ Valid: Flow Starter, awarded to Sam Carter by Acme Citizen Developers on 10 March 2027, and not revoked, as the issuer's record at that link says now. To check a copy someone sent you, paste its JSON or .jwt text: its signature is checked too."
    );

    let response = reqwest::get(format!("{base}/verify")).await.unwrap();
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        policy,
        "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");

    // A changed payload: the signature no longer matches.
    let parts: Vec<&str> = signed.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["credentialSubject"]["achievement"]["name"] = "Expert of everything".into();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    assert_eq!(
        verdict(&base, &forged).await,
        "❌ <strong>Not valid</strong>: the signature does not match the issuer's key, so the credential was changed or forged."
    );
    // Signed by a key of another site.
    let header = URL_SAFE_NO_PAD.encode(
        serde_json::json!({ "alg": "EdDSA", "kid": "https://elsewhere.example/issuers/acme-makers/key" })
            .to_string(),
    );
    assert_eq!(
        verdict(&base, &format!("{header}.{}.{}", parts[1], parts[2])).await,
        "❌ <strong>Not valid here</strong>: it names a signing key this site does not publish, so it was not issued here."
    );
    // The JSON, checked by its embedded Data Integrity proof.
    let (_, _, json) = get(&bot, &format!("/badges/{badge}.json"), None).await;
    assert_eq!(
        verdict(&base, &json).await,
        "✅ <strong>Valid</strong>: <strong>Flow Starter</strong>, awarded to <strong>Sam Carter</strong> by Acme Citizen Developers on 10 March 2027. Signed with the issuer's key 1 (embedded Data Integrity proof), and not revoked."
    );
    let credential: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut forged = credential.clone();
    forged["credentialSubject"]["achievement"]["name"] = "Expert of everything".into();
    assert_eq!(
        verdict(&base, &forged.to_string()).await,
        "❌ <strong>Not valid</strong>: the signature does not match the issuer's key, so the credential was changed or forged."
    );
    let mut unproved = credential.clone();
    unproved.as_object_mut().unwrap().remove("proof");
    assert_eq!(
        verdict(&base, &unproved.to_string()).await,
        "ℹ️ That JSON carries no proof to check. Paste the credential as its badge's address serves it (the address followed by .json), or its .jwt form."
    );
    let mut elsewhere = credential.clone();
    elsewhere["@context"][2] = "https://evil.example/context.json".into();
    assert_eq!(
        verdict(&base, &elsewhere.to_string()).await,
        "❌ <strong>Not valid here</strong>: its JSON-LD uses a context or term this site never signs with, so it was not issued here, or was changed."
    );
    let mut other_key = credential.clone();
    other_key["proof"]["verificationMethod"] =
        "https://elsewhere.example/issuers/acme-makers/keys/1/multikey".into();
    assert_eq!(
        verdict(&base, &other_key.to_string()).await,
        "❌ <strong>Not valid here</strong>: it names a signing key this site does not publish, so it was not issued here."
    );
    for not_one in ["hello <b>there</b>", "{ not json"] {
        assert_eq!(
            verdict(&base, not_one).await,
            "ℹ️ That is not a credential: paste its JSON (starting with {) or its .jwt text (three parts joined by dots, starting with eyJ)."
        );
    }

    // A badge link, as people share it: the issuer's record is looked up.
    let on_record = "✅ <strong>Valid</strong>: <strong>Flow Starter</strong>, awarded to <strong>Sam Carter</strong> by Acme Citizen Developers on 10 March 2027, and not revoked, as the issuer's record at that link says now. To check a copy someone sent you, paste its JSON or .jwt text: its signature is checked too.";
    for link in [
        format!("{PUBLIC_URL}/badges/{badge}"),
        format!(" {PUBLIC_URL}/badges/{badge}/#top "),
        format!("{PUBLIC_URL}/badges/{badge}.json"),
        format!("{PUBLIC_URL}/badges/{badge}.rs256.jwt?download=1"),
    ] {
        assert_eq!(verdict(&base, &link).await, on_record, "{link}");
    }
    for unknown in [
        format!("{PUBLIC_URL}/badges/{}", uuid::Uuid::new_v4()),
        format!("{PUBLIC_URL}/badges/{}", &badge.to_string()[..20]),
    ] {
        assert_eq!(
            verdict(&base, &unknown).await,
            "❌ <strong>Not found</strong>: no badge this issuer gave has that link. Check it was copied whole.",
            "{unknown}"
        );
    }
    assert_eq!(
        verdict(&base, &format!("https://elsewhere.example/badges/{badge}")).await,
        "ℹ️ That link is not to a badge of this site, so there is nothing here to look up. Paste the credential itself: its JSON (starting with {) or its .jwt text."
    );

    // The RS256 form verifies against the RSA key.
    let (_, _, rs256) = get(&bot, &format!("/badges/{badge}.rs256.jwt"), None).await;
    assert!(
        verdict(&base, &rs256)
            .await
            .ends_with("Signed with the issuer's RSA key 1 (RS256), and not revoked."),
    );
    let forged_rs256 = format!("{}x", &rs256[..rs256.len() - 1]);
    assert!(
        verdict(&base, &forged_rs256)
            .await
            .contains("does not match")
    );

    // After the key is rotated, the old token still verifies with key 1, the new with 2.
    bot.ok("ada", "/badge rotate").await;
    assert!(
        verdict(&base, &signed)
            .await
            .ends_with("Signed with the issuer's key 1, and not revoked.")
    );
    let rotated = token(&bot, badge).await;
    assert!(
        verdict(&base, &rotated)
            .await
            .ends_with("Signed with the issuer's key 2, and not revoked.")
    );
    // The JSON saved before the rotation still verifies by its proof with key 1.
    assert!(verdict(&base, &json).await.ends_with(
        "Signed with the issuer's key 1 (embedded Data Integrity proof), and not revoked."
    ));

    // Revoked: the reason is shown as text, never as markup.
    bot.ok(
        "ada",
        &format!("/badge revoke {badge} copied <script>x</script> work"),
    )
    .await;
    assert_eq!(
        verdict(&base, &signed).await,
        "❌ <strong>Revoked</strong>: <strong>Flow Starter</strong>, awarded to <strong>Sam Carter</strong> by Acme Citizen Developers on 10 March 2027; revoked since, because: copied &lt;script&gt;x&lt;/script&gt; work"
    );
    assert_eq!(
        verdict(&base, &format!("{PUBLIC_URL}/badges/{badge}")).await,
        verdict(&base, &signed).await,
        "its link says the same"
    );
}
