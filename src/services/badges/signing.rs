//! Open Badges 3.0 VC-JWT (section 8.2): the credential, with its registered claims, as
//! the payload of a compact JWS signed with the issuer's Ed25519 key (`alg: EdDSA`). The
//! header names the key by a URL that serves it as a JWK (`kid`) and carries it too
//! (`jwk`), so a verifier can check the signature offline and confirm the key online.

use anyhow::{Context, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};

use super::credential::issuer_url;

/// Where the issuer's public key `version` is served as a JWK: the `kid` of the
/// credentials it signs. The first key keeps the address it had before keys rotated, so
/// credentials signed then still name a key that is served.
pub fn key_url(base: &str, community: &str, version: i32) -> String {
    versioned_key_url(base, community, version, "key", "keys")
}

/// The community and key version a `kid` made by [`key_url`] names; None for any other URL.
pub fn parse_key_url(base: &str, kid: &str) -> Option<(String, i32)> {
    parse_versioned_key_url(base, kid, "key", "keys")
}

/// `<issuer>/<first>` for version 1, `<issuer>/<numbered>/<n>` after: the addresses of a
/// kind of key (Ed25519 `key`/`keys`, RSA `rsa-key`/`rsa-keys`).
pub(super) fn versioned_key_url(
    base: &str,
    community: &str,
    version: i32,
    first: &str,
    numbered: &str,
) -> String {
    if version == 1 {
        format!("{}/{first}", issuer_url(base, community))
    } else {
        format!("{}/{numbered}/{version}", issuer_url(base, community))
    }
}

/// The community and version of a URL made by [`versioned_key_url`] with the same names.
pub(super) fn parse_versioned_key_url(
    base: &str,
    kid: &str,
    first: &str,
    numbered: &str,
) -> Option<(String, i32)> {
    let rest = kid.strip_prefix(base)?.strip_prefix("/issuers/")?;
    let (community, key) = rest.split_once('/')?;
    let version = if key == first {
        1
    } else {
        key.strip_prefix(numbered)?
            .strip_prefix('/')?
            .parse()
            .ok()
            .filter(|v| *v > 1)?
    };
    Some((community.to_owned(), version))
}

/// Where key `version` is served as a Multikey document: the `verificationMethod` of the
/// Data Integrity proofs it makes.
pub fn multikey_url(base: &str, community: &str, version: i32) -> String {
    format!("{}/keys/{version}/multikey", issuer_url(base, community))
}

/// The community and key version a URL made by [`multikey_url`] names.
pub fn parse_multikey_url(base: &str, url: &str) -> Option<(String, i32)> {
    let rest = url.strip_prefix(base)?.strip_prefix("/issuers/")?;
    let (community, key) = rest.split_once("/keys/")?;
    let version = key
        .strip_suffix("/multikey")?
        .parse()
        .ok()
        .filter(|v| *v > 0)?;
    (!community.contains('/')).then(|| (community.to_owned(), version))
}

/// A fresh 32-byte Ed25519 seed from the operating system's generator.
pub fn fresh_seed() -> Result<[u8; 32]> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|err| anyhow::anyhow!("{err}"))
        .context("drawing a badge signing key from the OS random generator")?;
    Ok(seed)
}

/// A credential's payload: the credential with the registered claims section 8.2.4 asks
/// for, `iss`, `jti`, `sub` and `nbf`, set from it.
pub fn credential_claims(credential: &Value, valid_from: DateTime<Utc>) -> Value {
    let mut payload = credential.clone();
    if let Some(claims) = payload.as_object_mut() {
        claims.insert("iss".into(), credential["issuer"]["id"].clone());
        claims.insert("jti".into(), credential["id"].clone());
        claims.insert("sub".into(), credential["credentialSubject"]["id"].clone());
        claims.insert("nbf".into(), json!(valid_from.timestamp()));
    }
    payload
}

/// `header.payload.signature`, each base64url without padding, the signature made by
/// `sign` over the first two.
pub fn compact_jws(header: &Value, payload: &Value, sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let signature = sign(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// A compact JWS's signing input (`header.payload`) and its decoded signature; None when
/// it is not shaped like one.
pub fn compact_jws_parts(token: &str) -> Option<(&str, Vec<u8>)> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    Some((signing_input, URL_SAFE_NO_PAD.decode(signature).ok()?))
}

pub struct IssuerKey(SigningKey);

impl IssuerKey {
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(SigningKey::from_bytes(seed))
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.0
    }

    /// Whether `token`, a compact JWS, carries this key's signature over its first two
    /// parts.
    pub fn verifies(&self, token: &str) -> bool {
        use ed25519_dalek::{Signature, Verifier};
        compact_jws_parts(token).is_some_and(|(signing_input, bytes)| {
            Signature::from_slice(&bytes).is_ok_and(|signature| {
                self.0
                    .verifying_key()
                    .verify(signing_input.as_bytes(), &signature)
                    .is_ok()
            })
        })
    }

    /// The public half, as an RFC 8037 `OKP` JWK.
    pub fn public_jwk(&self, kid: &str) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(self.0.verifying_key().as_bytes()),
            "kid": kid,
            "alg": "EdDSA",
            "use": "sig",
        })
    }

    /// The compact JWS of `credential` (an `OpenBadgeCredential` whose `validFrom` is
    /// `valid_from`), with `iss`, `jti`, `sub` and `nbf` set from it as section 8.2.4 asks.
    pub fn sign(&self, credential: &Value, valid_from: DateTime<Utc>, kid: &str) -> String {
        self.jws(&credential_claims(credential, valid_from), kid)
    }

    /// The compact JWS of a revocation list, so a verifier can trust "revoked" (or its
    /// absence) as much as the credential: `iss` is the list's issuer, `jti` its URL,
    /// `iat` when it was read.
    pub fn sign_status(&self, list: &Value, at: DateTime<Utc>, kid: &str) -> String {
        let mut payload = list.clone();
        if let Some(claims) = payload.as_object_mut() {
            claims.insert("iss".into(), list["issuer"].clone());
            claims.insert("jti".into(), list["id"].clone());
            claims.insert("iat".into(), json!(at.timestamp()));
        }
        self.jws(&payload, kid)
    }

    fn jws(&self, payload: &Value, kid: &str) -> String {
        let header = json!({
            "alg": "EdDSA",
            "typ": "JWT",
            "kid": kid,
            "jwk": self.public_jwk(kid),
        });
        compact_jws(&header, payload, |input| {
            self.0.sign(input).to_bytes().to_vec()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier};

    #[test]
    fn the_token_verifies_with_the_published_key_and_carries_the_claims() {
        let key = IssuerKey::from_seed(&[7u8; 32]);
        let credential = json!({
            "id": "https://bot.example/badges/1",
            "issuer": { "id": "https://bot.example/issuers/acme" },
            "credentialSubject": { "id": "urn:uuid:42" },
        });
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let token = key.sign(&credential, at, "https://bot.example/issuers/acme/key");
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);

        let jwk = key.public_jwk("k");
        let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
        let public = ed25519_dalek::VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        let signed = format!("{}.{}", parts[0], parts[1]);
        assert!(public.verify(signed.as_bytes(), &signature).is_ok());
        // A changed payload no longer verifies.
        let forged = format!("{}.{}", parts[0], URL_SAFE_NO_PAD.encode("{}"));
        assert!(public.verify(forged.as_bytes(), &signature).is_err());

        let payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(payload["iss"], "https://bot.example/issuers/acme");
        assert_eq!(payload["jti"], "https://bot.example/badges/1");
        assert_eq!(payload["sub"], "urn:uuid:42");
        assert_eq!(payload["nbf"], 1_800_000_000);
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header["kid"], "https://bot.example/issuers/acme/key");
    }

    #[test]
    fn a_kid_names_its_community_and_version_and_nothing_else_parses() {
        let base = "https://bot.example.org";
        for version in [1, 2, 17] {
            let kid = key_url(base, "acme-makers", version);
            assert_eq!(
                parse_key_url(base, &kid),
                Some(("acme-makers".to_owned(), version))
            );
        }
        for version in [1, 2] {
            let url = multikey_url(base, "acme-makers", version);
            assert_eq!(
                url,
                format!("{base}/issuers/acme-makers/keys/{version}/multikey")
            );
            assert_eq!(
                parse_multikey_url(base, &url),
                Some(("acme-makers".to_owned(), version))
            );
            assert_eq!(parse_key_url(base, &url), None);
        }
        for other in [
            "https://evil.example.org/issuers/acme-makers/keys/1/multikey",
            "https://bot.example.org/issuers/acme-makers/keys/0/multikey",
            "https://bot.example.org/issuers/a/b/keys/1/multikey",
            "https://bot.example.org/issuers/acme-makers/key",
        ] {
            assert_eq!(parse_multikey_url(base, other), None, "{other}");
        }
        for other in [
            "https://evil.example.org/issuers/acme-makers/key",
            "https://bot.example.org/issuers/acme-makers/keys/1",
            "https://bot.example.org/issuers/acme-makers/keys/x",
            "https://bot.example.org/badges/1",
        ] {
            assert_eq!(parse_key_url(base, other), None, "{other}");
        }
    }

    #[test]
    fn a_token_verifies_with_its_key_only() {
        let key = IssuerKey::from_seed(&[7; 32]);
        let token = key.sign_status(&json!({ "id": "x", "issuer": "y" }), Utc::now(), "k");
        assert!(key.verifies(&token));
        assert!(!IssuerKey::from_seed(&[8; 32]).verifies(&token));
        let mut forged = token.clone();
        forged.insert_str(token.find('.').unwrap() + 1, "e30");
        assert!(!key.verifies(&forged));
        assert!(!key.verifies("not a token"));
    }
}
