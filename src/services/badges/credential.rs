//! The Open Badges 3.0 `OpenBadgeCredential` of a badge, its revocation list, and a small
//! HTML page. The document built here has no proof: `web::badges` serves it with an
//! embedded Data Integrity proof ([`super::integrity`]), or wrapped in a VC-JWT
//! ([`super::signing`], [`super::rs256`]).

use serde_json::{Value, json};

use crate::render::html::escape;
use crate::store::milestones::Badge;

const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// Maps a term the other two do not define (the 1EdTech revocation list's type, whose own
/// context is not published) to an IRI instead of dropping it: a dropped term would be
/// left out of what the embedded proof signs.
const UNDEFINED_TERMS_CONTEXT: &str = "https://www.w3.org/ns/credentials/undefined-terms/v2";
/// The JSON-LD contexts of every Open Badges document served here.
pub const CONTEXTS: [&str; 3] = [VC_CONTEXT, OB_CONTEXT, UNDEFINED_TERMS_CONTEXT];

/// `base` is the public URL of the bot (`http.public_url`), without a trailing slash.
pub fn credential_url(base: &str, badge: &Badge) -> String {
    format!("{base}/badges/{}", badge.id)
}

pub fn status_url(base: &str, badge: &Badge) -> String {
    format!("{base}/badges/{}/status", badge.id)
}

/// Where an issuer's profile and an achievement's definition are served (`/issuers/…`,
/// `/achievements/…`), so the ids inside a credential resolve.
pub fn issuer_url(base: &str, community: &str) -> String {
    format!("{base}/issuers/{community}")
}

pub fn achievement_url(base: &str, community: &str, cohort: &str, module: &str) -> String {
    format!("{base}/achievements/{community}/{cohort}/{module}")
}

/// The issuer's Open Badges `Profile`, as it sits inside a credential.
fn issuer_in_credential(base: &str, community_slug: &str, community_name: &str) -> Value {
    json!({
        "id": issuer_url(base, community_slug),
        "type": ["Profile"],
        "name": community_name,
    })
}

/// The issuer's profile as served on its own: also the controller document of its keys,
/// listing every key, current and retired, that may sign its credentials
/// (`assertionMethod`), so a verifier can tell the key of a proof is the issuer's.
pub fn issuer(
    base: &str,
    community_slug: &str,
    community_name: &str,
    assertion_methods: &[String],
) -> Value {
    let mut profile = issuer_in_credential(base, community_slug, community_name);
    profile["@context"] = json!([
        VC_CONTEXT,
        OB_CONTEXT,
        { "assertionMethod": {
            "@id": "https://w3id.org/security#assertionMethod",
            "@type": "@id",
            "@container": "@set",
        } },
    ]);
    profile["assertionMethod"] = json!(assertion_methods);
    profile
}

/// What an achievement is named and how it is earned.
pub struct AchievementDef<'a> {
    pub community_slug: &'a str,
    pub cohort_slug: &'a str,
    pub cohort_name: &'a str,
    pub module_slug: &'a str,
    pub module_name: &'a str,
    pub badge_name: &'a str,
}

/// The Open Badges `Achievement` (without `@context`, as it sits inside a credential).
pub fn achievement(base: &str, def: &AchievementDef<'_>) -> Value {
    json!({
        "id": achievement_url(base, def.community_slug, def.cohort_slug, def.module_slug),
        "type": ["Achievement"],
        "name": def.badge_name,
        "description": format!("{} ({})", def.module_name, def.cohort_name),
        "criteria": {
            "narrative": format!(
                "Complete the module \"{}\" of {} and have the evidence verified by a mentor.",
                def.module_name, def.cohort_name
            ),
        },
    })
}

pub fn open_badge(base: &str, badge: &Badge) -> Value {
    let issuer = issuer_in_credential(base, &badge.community_slug, &badge.community_name);
    let achievement = achievement(
        base,
        &AchievementDef {
            community_slug: &badge.community_slug,
            cohort_slug: &badge.cohort_slug,
            cohort_name: &badge.cohort_name,
            module_slug: &badge.module_slug,
            module_name: &badge.module_name,
            badge_name: &badge.name,
        },
    );
    json!({
        "@context": CONTEXTS,
        "id": credential_url(base, badge),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": badge.name,
        "issuer": issuer,
        "validFrom": badge.issued_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "credentialSubject": {
            "id": format!("urn:uuid:{}", badge.member_id),
            "type": ["AchievementSubject"],
            "name": badge.member_name,
            "achievement": achievement,
        },
        "evidence": [evidence(badge)],
        "credentialStatus": {
            "id": status_url(base, badge),
            "type": "1EdTechRevocationList",
        },
    })
}

/// The evidence: the work submitted, with the mentor's narrative when they wrote one.
fn evidence(badge: &Badge) -> Value {
    let mut evidence = json!({ "id": badge.evidence_url, "type": ["Evidence"] });
    if let Some(narrative) = badge.narrative.as_deref().filter(|n| !n.is_empty()) {
        evidence["narrative"] = json!(narrative);
    }
    evidence
}

/// The 1EdTech revocation list for one credential: empty while it stands.
pub fn revocation_list(base: &str, badge: &Badge) -> Value {
    let revoked: Vec<Value> = match badge.revoked_at {
        Some(_) => vec![json!({
            "id": credential_url(base, badge),
            "revocationReason": badge.revoked_reason.clone().unwrap_or_default(),
        })],
        None => Vec::new(),
    };
    json!({
        "id": status_url(base, badge),
        "issuer": issuer_url(base, &badge.community_slug),
        "revokedCredentials": revoked,
    })
}

/// A small page for people; every value is HTML-escaped.
pub fn html(base: &str, badge: &Badge) -> String {
    let e = escape;
    let status = match (badge.revoked_at, &badge.revoked_reason) {
        (Some(at), reason) => format!(
            "<p class=\"revoked\"><strong>Revoked</strong> on {}: {}</p>",
            at.format("%Y-%m-%d"),
            e(reason.as_deref().unwrap_or(""))
        ),
        (None, _) => "<p class=\"valid\">Valid</p>".to_owned(),
    };
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>{name} — {holder}</title>\
<link rel=\"alternate\" type=\"application/json\" href=\"{json}\"></head>\
<body><h1>🏅 {name}</h1><p>Awarded to <strong>{holder}</strong> by {issuer} on {date}, \
for <em>{module}</em> in {cohort}.</p>{status}\
<p>Evidence: <a href=\"{evidence}\" rel=\"nofollow noopener\">{evidence}</a></p>{narrative}\
<p><a href=\"{json}\">Open Badges 3.0 credential (JSON)</a> · \
<a href=\"{jwt}\">signed (VC-JWT)</a></p></body></html>\n",
        name = e(&badge.name),
        holder = e(&badge.member_name),
        issuer = e(&badge.community_name),
        date = badge.issued_at.format("%Y-%m-%d"),
        module = e(&badge.module_name),
        cohort = e(&badge.cohort_name),
        evidence = e(&badge.evidence_url),
        narrative = badge
            .narrative
            .as_deref()
            .filter(|n| !n.is_empty())
            .map(|n| {
                format!(
                    "<blockquote class=\"narrative\">{}</blockquote>",
                    e(n).replace('\n', "<br>")
                )
            })
            .unwrap_or_default(),
        json = e(&format!("{}.json", credential_url(base, badge))),
        jwt = e(&format!("{}.jwt", credential_url(base, badge))),
    )
}
