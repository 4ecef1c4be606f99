//! RS256 VC-JWTs: the same credential as [`super::signing`]'s, signed with the community's
//! RSA key (RSASSA-PKCS1-v1_5 with SHA-256), because the Open Badges 3.0 text makes RS256
//! the algorithm every verifier supports. The key is served as an RSA JWK at its `kid`.

use anyhow::{Context, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, pkcs1v15};
use serde_json::{Value, json};
use sha2::Sha256;

use super::signing::{
    compact_jws, compact_jws_parts, credential_claims, parse_versioned_key_url, versioned_key_url,
};

/// The modulus size: RFC 7518 asks for at least 2048 bits.
const BITS: usize = 2048;

/// Where RSA key `version` of the community is served as a JWK: the `kid` of the RS256
/// JWTs it signs. The first keeps the address it had before RSA keys rotated.
pub fn key_url(base: &str, community: &str, version: i32) -> String {
    versioned_key_url(base, community, version, "rsa-key", "rsa-keys")
}

/// The community and RSA key version a `kid` made by [`key_url`] names.
pub fn parse_key_url(base: &str, kid: &str) -> Option<(String, i32)> {
    parse_versioned_key_url(base, kid, "rsa-key", "rsa-keys")
}

/// A fresh RSA key from the operating system's generator, as PKCS#8 DER.
pub fn fresh_der() -> Result<Vec<u8>> {
    let key = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, BITS)
        .context("drawing an RSA badge signing key")?;
    Ok(key
        .to_pkcs8_der()
        .context("encoding the RSA badge signing key")?
        .as_bytes()
        .to_vec())
}

pub struct RsaIssuerKey(RsaPrivateKey);

impl RsaIssuerKey {
    pub fn from_der(der: &[u8]) -> Result<Self> {
        Ok(Self(
            RsaPrivateKey::from_pkcs8_der(der).context("reading an RSA badge signing key")?,
        ))
    }

    /// The public half, as an RFC 7518 `RSA` JWK.
    pub fn public_jwk(&self, kid: &str) -> Value {
        json!({
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(self.0.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(self.0.e().to_bytes_be()),
            "kid": kid,
            "alg": "RS256",
            "use": "sig",
        })
    }

    /// Whether `token`, a compact JWS, carries this key's RS256 signature.
    pub fn verifies(&self, token: &str) -> bool {
        use rsa::signature::Verifier;
        compact_jws_parts(token).is_some_and(|(signing_input, bytes)| {
            pkcs1v15::Signature::try_from(bytes.as_slice()).is_ok_and(|signature| {
                pkcs1v15::VerifyingKey::<Sha256>::new(self.0.to_public_key())
                    .verify(signing_input.as_bytes(), &signature)
                    .is_ok()
            })
        })
    }

    /// The compact JWS of `credential`, with the claims of [`credential_claims`].
    pub fn sign(&self, credential: &Value, valid_from: DateTime<Utc>, kid: &str) -> String {
        let header = json!({
            "alg": "RS256",
            "typ": "JWT",
            "kid": kid,
            "jwk": self.public_jwk(kid),
        });
        let signer = pkcs1v15::SigningKey::<Sha256>::new(self.0.clone());
        compact_jws(
            &header,
            &credential_claims(credential, valid_from),
            |input| signer.sign(input).to_vec(),
        )
    }
}
