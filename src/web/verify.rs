//! `/verify`: a page where anyone checks a credential pasted into it, with no script: a
//! VC-JWT's signature against the issuer key its `kid` names, or a JSON credential's
//! embedded proof against the key its `verificationMethod` names (either current or
//! rotated out), and the badge's status now (revoked, or its holder's data erased). A
//! pasted badge link is looked up: what the issuer's record says of it now.

use anyhow::Context;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::messages::verify as text;
use crate::render::html::escape;
use crate::services::badges::integrity;
use crate::services::badges::rs256::{self, RsaIssuerKey};
use crate::services::badges::signing::{self, IssuerKey};
use crate::store::{issuer_keys, milestones};

/// A credential is a few kilobytes: with a mentor's 4,000-character narrative in CJK, about
/// 12 KB of JSON, three times that form-encoded. Anything this large is not one of ours.
const MAX_BODY: usize = 128 * 1024;

#[derive(Clone)]
struct VerifyState {
    pool: sqlx::PgPool,
    public_url: Option<String>,
}

pub fn routes(pool: sqlx::PgPool, public_url: Option<String>) -> Router {
    let public_url = public_url.map(|u| u.trim_end_matches('/').to_owned());
    Router::new()
        .route("/verify", get(form).post(check))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(VerifyState { pool, public_url })
}

#[derive(Deserialize)]
struct Pasted {
    credential: String,
}

/// What a check found.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid(Holding),
    Revoked {
        holding: Holding,
        reason: String,
    },
    /// Looked up by its badge link: what the issuer's own record says (nothing signed was
    /// pasted, so nothing signed is checked).
    OnRecord(Holding),
    Erased,
    BadSignature,
    /// JSON-LD with a context or term the bot never signs with.
    UnreadableJsonLd,
    UnknownKey,
    UnknownBadge,
    Unsigned,
    NotACredential,
    /// A link, but not to one of this site's badges.
    ForeignLink,
    /// A link to this site's badges naming no badge it gave.
    UnknownLink,
    NotPublished,
}

/// A badge as the page shows it.
#[derive(Debug, PartialEq, Eq)]
pub struct Holding {
    pub badge: String,
    pub holder: String,
    pub issuer: String,
    pub issued: String,
    /// Which of the issuer's keys signed it, as the page says it.
    pub key: String,
}

async fn form() -> Response {
    page(None)
}

async fn check(State(state): State<VerifyState>, Form(pasted): Form<Pasted>) -> Response {
    match verdict(&state, pasted.credential.trim()).await {
        Ok(found) => page(Some(&found)),
        Err(err) => {
            tracing::error!(error = %format!("{err:#}"), "checking a pasted credential failed");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                text::UNAVAILABLE,
            )
                .into_response()
        }
    }
}

async fn verdict(state: &VerifyState, pasted: &str) -> anyhow::Result<Verdict> {
    let Some(base) = state.public_url.as_deref() else {
        return Ok(Verdict::NotPublished);
    };
    if pasted.starts_with('{') {
        return embedded_proof_verdict(state, base, pasted).await;
    }
    if pasted.starts_with("https://") || pasted.starts_with("http://") {
        return link_verdict(state, base, pasted).await;
    }
    let parts: Vec<&str> = pasted.split('.').collect();
    let [header, payload, _] = parts[..] else {
        return Ok(Verdict::NotACredential);
    };
    let (Some(header), Some(payload)) = (decode(header), decode(payload)) else {
        return Ok(Verdict::NotACredential);
    };
    let kid = header["kid"].as_str().unwrap_or_default();
    // Ed25519 (`/key`, `/keys/<n>`) or RSA (`/rsa-key`, `/rsa-keys/<n>`): the key its
    // `kid` names.
    let (community, signed_with) = if let Some((community, version)) =
        signing::parse_key_url(base, kid)
    {
        let Some(seed) = issuer_keys::seed_version(&state.pool, &community, version).await? else {
            return Ok(Verdict::UnknownKey);
        };
        let signed = IssuerKey::from_seed(&seed).verifies(pasted);
        (community, signed.then(|| text::ed25519_key(version)))
    } else if let Some((community, version)) = rs256::parse_key_url(base, kid) {
        let Some(der) = issuer_keys::rsa_der_version(&state.pool, &community, version).await?
        else {
            return Ok(Verdict::UnknownKey);
        };
        let signed = RsaIssuerKey::from_der(&der)?.verifies(pasted);
        (community, signed.then(|| text::rsa_key(version)))
    } else {
        return Ok(Verdict::UnknownKey);
    };
    let Some(key) = signed_with else {
        return Ok(Verdict::BadSignature);
    };
    standing(state, base, Some(&community), payload["jti"].as_str(), key).await
}

/// The verdict on a credential's JSON: its embedded Data Integrity proof against the key
/// its `verificationMethod` names.
async fn embedded_proof_verdict(
    state: &VerifyState,
    base: &str,
    pasted: &str,
) -> anyhow::Result<Verdict> {
    let Ok(credential) = serde_json::from_str::<Value>(pasted) else {
        return Ok(Verdict::NotACredential);
    };
    if credential.get("proof").is_none() {
        return Ok(Verdict::Unsigned);
    }
    let method = credential["proof"]["verificationMethod"]
        .as_str()
        .unwrap_or_default();
    let Some((community, version)) = signing::parse_multikey_url(base, method) else {
        return Ok(Verdict::UnknownKey);
    };
    let Some(seed) = issuer_keys::seed_version(&state.pool, &community, version).await? else {
        return Ok(Verdict::UnknownKey);
    };
    let key = IssuerKey::from_seed(&seed).signing_key().verifying_key();
    let credential_id = credential["id"].as_str().map(str::to_owned);
    // Canonicalizing is CPU work (about 6.5 ms in a release build): off the async workers.
    let checked = tokio::task::spawn_blocking(move || integrity::verifies(&credential, &key))
        .await
        .context("checking a pasted credential's proof")?;
    match checked {
        Ok(true) => {}
        Ok(false) => return Ok(Verdict::BadSignature),
        Err(err) => {
            tracing::info!(error = %format!("{err:#}"), "a pasted credential's JSON-LD could not be read");
            return Ok(Verdict::UnreadableJsonLd);
        }
    }
    let key = text::embedded_proof_key(version);
    standing(state, base, Some(&community), credential_id.as_deref(), key).await
}

/// The verdict on a pasted badge link (`/badges/<id>`, or its `.json` or `.jwt`): what the
/// issuer's record says of that badge now. People share the link more than the file, and
/// the record on the issuer's own address is the authority a link can reach.
async fn link_verdict(state: &VerifyState, base: &str, pasted: &str) -> anyhow::Result<Verdict> {
    let Some(rest) = pasted.strip_prefix(&format!("{base}/badges/")) else {
        return Ok(Verdict::ForeignLink);
    };
    // The page's address as a browser may show it: a query, a fragment or a slash after it.
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let rest = rest.trim_end_matches('/');
    let id = [".rs256.jwt", ".jwt", ".json"]
        .iter()
        .find_map(|suffix| rest.strip_suffix(suffix))
        .unwrap_or(rest);
    let credential_id = format!("{base}/badges/{id}");
    let found = standing(state, base, None, Some(&credential_id), String::new()).await?;
    Ok(match found {
        Verdict::Valid(holding) => Verdict::OnRecord(holding),
        Verdict::UnknownBadge => Verdict::UnknownLink,
        other => other,
    })
}

/// What the badge a verified credential names is now: valid, revoked or erased. With a
/// `community`, only a badge of that community (the one whose key signed it) counts.
async fn standing(
    state: &VerifyState,
    base: &str,
    community: Option<&str>,
    credential_id: Option<&str>,
    key: String,
) -> anyhow::Result<Verdict> {
    let badge = match credential_id
        .and_then(|id| id.strip_prefix(&format!("{base}/badges/")))
        .and_then(|id| Uuid::parse_str(id).ok())
    {
        Some(id) => milestones::badge(&state.pool, id).await?,
        None => None,
    };
    // A badge of another community signed with this one's key is not this issuer's.
    let Some(badge) = badge.filter(|b| community.is_none_or(|c| b.community_slug == c)) else {
        return Ok(Verdict::UnknownBadge);
    };
    if badge.holder_erased {
        return Ok(Verdict::Erased);
    }
    let holding = Holding {
        badge: badge.name.clone(),
        holder: badge.member_name.clone(),
        issuer: badge.community_name.clone(),
        issued: badge.issued_at.format("%-d %B %Y").to_string(),
        key,
    };
    Ok(match badge.revoked_at {
        Some(_) => Verdict::Revoked {
            holding,
            reason: badge.revoked_reason.unwrap_or_default(),
        },
        None => Verdict::Valid(holding),
    })
}

fn decode(part: &str) -> Option<Value> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// The page: the form, and the verdict when there is one. No script, no style sheet, no
/// request beyond itself; the form posts back here.
fn page(found: Option<&Verdict>) -> Response {
    let result = found.map(result_html).unwrap_or_default();
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{title}</title></head><body><main><h1>{title}</h1>{result}\
<form method=\"post\" action=\"/verify\"><p><label for=\"credential\">{label}</label></p>\
<p><textarea id=\"credential\" name=\"credential\" rows=\"8\" cols=\"60\" required></textarea></p>\
<p><button type=\"submit\">{button}</button></p></form><p>{help}</p></main></body></html>\n",
        title = text::TITLE,
        label = text::LABEL,
        button = text::BUTTON,
        help = text::HELP,
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ),
        ],
        html,
    )
        .into_response()
}

fn result_html(found: &Verdict) -> String {
    let (mark, sentence) = match found {
        Verdict::Valid(h) => ("✅", text::valid(&holding_html(h), &h.key)),
        Verdict::Revoked { holding, reason } => {
            ("❌", text::revoked(&holding_html(holding), &escape(reason)))
        }
        Verdict::OnRecord(h) => ("✅", text::on_record(&holding_html(h))),
        Verdict::Erased => ("❌", text::ERASED.to_owned()),
        Verdict::BadSignature => ("❌", text::BAD_SIGNATURE.to_owned()),
        Verdict::UnreadableJsonLd => ("❌", text::UNREADABLE_JSON_LD.to_owned()),
        Verdict::UnknownKey => ("❌", text::UNKNOWN_KEY.to_owned()),
        Verdict::UnknownBadge => ("❌", text::UNKNOWN_BADGE.to_owned()),
        Verdict::Unsigned => ("ℹ️", text::UNSIGNED.to_owned()),
        Verdict::NotACredential => ("ℹ️", text::NOT_A_CREDENTIAL.to_owned()),
        Verdict::ForeignLink => ("ℹ️", text::FOREIGN_LINK.to_owned()),
        Verdict::UnknownLink => ("❌", text::UNKNOWN_LINK.to_owned()),
        Verdict::NotPublished => ("ℹ️", text::NOT_PUBLISHED.to_owned()),
    };
    format!("<section id=\"result\" role=\"status\"><p>{mark} {sentence}</p></section>")
}

fn holding_html(h: &Holding) -> String {
    text::holding(
        &escape(&h.badge),
        &escape(&h.holder),
        &escape(&h.issuer),
        &escape(&h.issued),
    )
}
