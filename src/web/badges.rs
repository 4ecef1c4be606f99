//! `GET /badges/<id>`: an Open Badges 3.0 credential, as JSON with an embedded Data
//! Integrity proof (`Accept: application/json` or `/badges/<id>.json`), signed as a VC-JWT
//! (`/badges/<id>.jwt`, `.rs256.jwt`) or as a small HTML page; `/badges/<id>/status` is
//! its revocation list; `/issuers/<community>` and
//! `/achievements/<community>/<cohort>/<module>` are the issuer profile and achievement
//! its ids point at, and `/issuers/<community>/key`, `/keys/<n>` and `/keys/<n>/multikey`
//! the public keys that sign it.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use uuid::Uuid;

use anyhow::Context;

use super::messages;
use crate::services::badges::rs256::{self, RsaIssuerKey};
use crate::services::badges::signing::{self, IssuerKey};
use crate::services::badges::{credential, integrity};
use crate::store::issuer_keys;
use crate::store::milestones::{self, Badge};

#[derive(Clone)]
struct BadgeState {
    pool: sqlx::PgPool,
    /// `http.public_url`. Without it nothing signed or naming the issuer is served: a URL
    /// taken from the request's Host header would let anyone get a validly signed
    /// credential naming their own domain.
    public_url: Option<String>,
}

pub fn routes(pool: sqlx::PgPool, public_url: Option<String>) -> Router {
    let public_url = public_url.map(|u| u.trim_end_matches('/').to_owned());
    Router::new()
        .route("/badges/{id}", get(badge))
        .route("/badges/{id}/status", get(status))
        .route("/badges/{id}/status.jwt", get(signed_status))
        .route("/issuers/{community}", get(issuer))
        .route("/issuers/{community}/key", get(first_issuer_key))
        .route("/issuers/{community}/keys/{version}", get(issuer_key))
        .route(
            "/issuers/{community}/keys/{version}/multikey",
            get(issuer_multikey),
        )
        .route("/issuers/{community}/rsa-key", get(first_rsa_issuer_key))
        .route(
            "/issuers/{community}/rsa-keys/{version}",
            get(rsa_issuer_key),
        )
        .route(
            "/achievements/{community}/{cohort}/{module}",
            get(achievement),
        )
        .with_state(BadgeState { pool, public_url })
}

async fn badge(
    State(state): State<BadgeState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (id, form) = if let Some(id) = id.strip_suffix(".json") {
        (id.to_owned(), Form::Credential(Signed::Embedded))
    } else if let Some(id) = id.strip_suffix(".rs256.jwt") {
        (id.to_owned(), Form::Credential(Signed::Rs256))
    } else if let Some(id) = id.strip_suffix(".jwt") {
        (id.to_owned(), Form::Credential(Signed::Jwt))
    } else if accepts_json(&headers) {
        (id, Form::Credential(Signed::Embedded))
    } else {
        (id, Form::Page)
    };
    let badge = match load(&state, &id).await {
        Ok(Some(found)) => found,
        Ok(None) => return (StatusCode::NOT_FOUND, messages::NO_SUCH_BADGE).into_response(),
        Err(err) => return internal(err),
    };
    // Its holder's data was erased at their request: the credential is gone for good (its
    // status list still says revoked, and why).
    if badge.holder_erased {
        return (StatusCode::GONE, messages::BADGE_ERASED).into_response();
    }
    let signed = match form {
        // The page is not signed; without a public address its links are relative.
        Form::Page => {
            let base = state.public_url.as_deref().unwrap_or("");
            return (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                credential::html(base, &badge),
            )
                .into_response();
        }
        Form::Credential(signed) => signed,
    };
    let Some(base) = state.public_url.as_deref() else {
        return not_published();
    };
    match signed {
        Signed::Embedded => match community_key(&state, &badge.community_slug).await {
            Ok(Some((version, key))) => {
                let document = credential::open_badge(base, &badge);
                let signing_key = key.signing_key().clone();
                let method = signing::multikey_url(base, &badge.community_slug, version);
                let issued_at = badge.issued_at;
                // About 6.5 ms of CPU in a release build (`scripts/bench -- credential`):
                // off the async workers, which also answer the platforms' interactions.
                let proved = tokio::task::spawn_blocking(move || {
                    integrity::prove(&document, &signing_key, &method, issued_at)
                })
                .await
                .map_err(anyhow::Error::from)
                .and_then(|proved| proved)
                .with_context(|| format!("proving badge {}", badge.id));
                match proved {
                    Ok(credential) => json(credential),
                    Err(err) => internal(err),
                }
            }
            Ok(None) => (StatusCode::NOT_FOUND, messages::NO_SUCH_BADGE).into_response(),
            Err(err) => internal(err),
        },
        Signed::Jwt => match community_key(&state, &badge.community_slug).await {
            Ok(Some((version, key))) => {
                let token = key.sign(
                    &credential::open_badge(base, &badge),
                    badge.issued_at,
                    &signing::key_url(base, &badge.community_slug, version),
                );
                ([(header::CONTENT_TYPE, "application/jwt")], token).into_response()
            }
            Ok(None) => (StatusCode::NOT_FOUND, messages::NO_SUCH_BADGE).into_response(),
            Err(err) => internal(err),
        },
        Signed::Rs256 => match rsa_key(&state, &badge.community_slug).await {
            Ok(Some((version, key))) => {
                let token = key.sign(
                    &credential::open_badge(base, &badge),
                    badge.issued_at,
                    &rs256::key_url(base, &badge.community_slug, version),
                );
                ([(header::CONTENT_TYPE, "application/jwt")], token).into_response()
            }
            Ok(None) => (StatusCode::NOT_FOUND, messages::NO_SUCH_BADGE).into_response(),
            Err(err) => internal(err),
        },
    }
}

/// The community's current RSA signing key and its version, made with its first badge;
/// reading never creates one.
async fn rsa_key(
    state: &BadgeState,
    community: &str,
) -> anyhow::Result<Option<(i32, RsaIssuerKey)>> {
    let found = issuer_keys::rsa_der(&state.pool, community)
        .await
        .with_context(|| format!("loading the RSA badge key of {community}"))?;
    found
        .map(|(version, der)| Ok((version, RsaIssuerKey::from_der(&der)?)))
        .transpose()
}

/// The community's first RSA public key, at the address RS256 credentials named before
/// RSA keys rotated.
async fn first_rsa_issuer_key(state: State<BadgeState>, Path(community): Path<String>) -> Response {
    rsa_issuer_key(state, Path((community, 1))).await
}

/// RSA public key `version` of a community, current or retired: the `kid` of the RS256
/// credentials it signed.
async fn rsa_issuer_key(
    State(state): State<BadgeState>,
    Path((community, version)): Path<(String, i32)>,
) -> Response {
    let Some(base) = state.public_url.as_deref() else {
        return not_published();
    };
    let key = async {
        let der = issuer_keys::rsa_der_version(&state.pool, &community, version)
            .await
            .with_context(|| format!("loading RSA badge key {version} of {community}"))?;
        der.map(|der| RsaIssuerKey::from_der(&der)).transpose()
    };
    key_response(key.await, |key| {
        jwk_response(key.public_jwk(&rs256::key_url(base, &community, version)))
    })
}

/// How a credential is asked for.
enum Form {
    /// The HTML page, which works without a public address.
    Page,
    /// The credential, which names its issuer by the public address.
    Credential(Signed),
}

/// The credential as JSON with its embedded proof, or signed as a VC-JWT with the Ed25519
/// key or the RSA key.
enum Signed {
    Embedded,
    Jwt,
    Rs256,
}

/// The community's first public key, at the address credentials named before keys
/// rotated.
async fn first_issuer_key(state: State<BadgeState>, Path(community): Path<String>) -> Response {
    issuer_key(state, Path((community, 1))).await
}

/// Public key `version` of a community, current or retired: the `kid` of the VC-JWTs it
/// signed.
async fn issuer_key(
    State(state): State<BadgeState>,
    Path((community, version)): Path<(String, i32)>,
) -> Response {
    let Some(base) = state.public_url.as_deref() else {
        return not_published();
    };
    key_response(ed25519_key(&state, &community, version).await, |key| {
        jwk_response(key.public_jwk(&signing::key_url(base, &community, version)))
    })
}

/// Public key `version` of a community as a Multikey: the `verificationMethod` of the
/// Data Integrity proofs it made.
async fn issuer_multikey(
    State(state): State<BadgeState>,
    Path((community, version)): Path<(String, i32)>,
) -> Response {
    let Some(base) = state.public_url.as_deref() else {
        return not_published();
    };
    key_response(ed25519_key(&state, &community, version).await, |key| {
        json(integrity::multikey(
            &signing::multikey_url(base, &community, version),
            &credential::issuer_url(base, &community),
            &key.signing_key().verifying_key(),
        ))
    })
}

/// Ed25519 key `version` of a community, current or retired.
async fn ed25519_key(
    state: &BadgeState,
    community: &str,
    version: i32,
) -> anyhow::Result<Option<IssuerKey>> {
    let seed = issuer_keys::seed_version(&state.pool, community, version)
        .await
        .with_context(|| format!("loading badge key {version} of {community}"))?;
    Ok(seed.map(|seed| IssuerKey::from_seed(&seed)))
}

/// A public key as `render` serves it; 404 when the community has no such key, 500
/// (logged) when it could not be read.
fn key_response<K>(
    found: anyhow::Result<Option<K>>,
    render: impl FnOnce(K) -> Response,
) -> Response {
    match found {
        Ok(Some(key)) => render(key),
        Ok(None) => (StatusCode::NOT_FOUND, messages::NO_SUCH_ISSUER).into_response(),
        Err(err) => internal(err),
    }
}

fn jwk_response(jwk: serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/jwk+json")],
        jwk.to_string(),
    )
        .into_response()
}

/// The community's current signing key and its version, made when its first badge was
/// issued; reading never creates one.
async fn community_key(
    state: &BadgeState,
    community: &str,
) -> anyhow::Result<Option<(i32, IssuerKey)>> {
    let seed = issuer_keys::signing_seed(&state.pool, community)
        .await
        .with_context(|| format!("loading the badge signing key of {community}"))?;
    Ok(seed.map(|(version, seed)| (version, IssuerKey::from_seed(&seed))))
}

async fn status(State(state): State<BadgeState>, Path(id): Path<String>) -> Response {
    let Some(base) = state.public_url.as_deref() else {
        return not_published();
    };
    match load(&state, &id).await {
        Ok(Some(badge)) => json(credential::revocation_list(base, &badge)),
        Ok(None) => (StatusCode::NOT_FOUND, messages::NO_SUCH_BADGE).into_response(),
        Err(err) => internal(err),
    }
}

/// The revocation list as a VC-JWT-style compact JWS signed with the issuer's key.
async fn signed_status(State(state): State<BadgeState>, Path(id): Path<String>) -> Response {
    let Some(base) = state.public_url.as_deref() else {
        return not_published();
    };
    let badge = match load(&state, &id).await {
        Ok(Some(badge)) => badge,
        Ok(None) => return (StatusCode::NOT_FOUND, messages::NO_SUCH_BADGE).into_response(),
        Err(err) => return internal(err),
    };
    match community_key(&state, &badge.community_slug).await {
        Ok(Some((version, key))) => {
            let token = key.sign_status(
                &credential::revocation_list(base, &badge),
                chrono::Utc::now(),
                &signing::key_url(base, &badge.community_slug, version),
            );
            ([(header::CONTENT_TYPE, "application/jwt")], token).into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, messages::NO_SUCH_BADGE).into_response(),
        Err(err) => internal(err),
    }
}

/// The issuer profile a credential's `issuer.id` points at.
async fn issuer(State(state): State<BadgeState>, Path(community): Path<String>) -> Response {
    let Some(base) = state.public_url.as_deref() else {
        return not_published();
    };
    let found = async {
        let Some(name) = milestones::issuer_name(&state.pool, &community).await? else {
            return Ok(None);
        };
        let methods: Vec<String> = issuer_keys::versions(&state.pool, &community)
            .await?
            .into_iter()
            .map(|version| signing::multikey_url(base, &community, version))
            .collect();
        Ok(Some(credential::issuer(base, &community, &name, &methods)))
    };
    match found
        .await
        .map_err(|err: sqlx::Error| anyhow::Error::new(err).context("loading an issuer profile"))
    {
        Ok(Some(profile)) => json(profile),
        Ok(None) => (StatusCode::NOT_FOUND, messages::NO_SUCH_ISSUER).into_response(),
        Err(err) => internal(err),
    }
}

/// The achievement a credential's `achievement.id` points at.
async fn achievement(
    State(state): State<BadgeState>,
    Path((community, cohort, module)): Path<(String, String, String)>,
) -> Response {
    let Some(base) = state.public_url.as_deref() else {
        return not_published();
    };
    match milestones::achievement(&state.pool, &community, &cohort, &module).await {
        Ok(Some((cohort_name, module_name, badge_name))) => {
            let def = credential::AchievementDef {
                community_slug: &community,
                cohort_slug: &cohort,
                cohort_name: &cohort_name,
                module_slug: &module,
                module_name: &module_name,
                badge_name: &badge_name,
            };
            let mut doc = credential::achievement(base, &def);
            doc["@context"] = json!(credential::CONTEXTS);
            json(doc)
        }
        Ok(None) => (StatusCode::NOT_FOUND, messages::NO_SUCH_ACHIEVEMENT).into_response(),
        Err(err) => internal(err.into()),
    }
}

async fn load(state: &BadgeState, id: &str) -> anyhow::Result<Option<Badge>> {
    let Ok(id) = Uuid::parse_str(id) else {
        return Ok(None);
    };
    Ok(milestones::badge(&state.pool, id).await?)
}

/// The answer to a credential request while `http.public_url` is not set.
fn not_published() -> Response {
    tracing::warn!("a badge credential was asked for, but http.public_url is not set");
    (StatusCode::SERVICE_UNAVAILABLE, messages::NOT_PUBLISHED).into_response()
}

fn accepts_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|accept| accept.contains("json") && !accept.contains("text/html"))
}

fn json(value: serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn internal(err: anyhow::Error) -> Response {
    tracing::error!(error = %format!("{err:#}"), "badge request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        messages::BADGE_UNAVAILABLE,
    )
        .into_response()
}
