//! Slack request signing: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}`.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use thiserror::Error;

/// Requests older (or newer) than this are replays.
pub const MAX_AGE_SECS: i64 = 5 * 60;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum Rejected {
    #[error("missing X-Slack-Request-Timestamp or X-Slack-Signature")]
    Missing,
    #[error("request timestamp is more than 5 minutes away")]
    Stale,
    #[error("signature does not match")]
    BadSignature,
}

/// The `X-Slack-Signature` value for a body.
pub fn sign(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    format!("v0={}", hex::encode(mac(secret, timestamp, body)))
}

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Checks a request's timestamp (against `now`, Unix seconds) and signature.
pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), Rejected> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(Rejected::Missing);
    };
    let sent: i64 = timestamp.trim().parse().map_err(|_| Rejected::Stale)?;
    if (now - sent).abs() > MAX_AGE_SECS {
        return Err(Rejected::Stale);
    }
    let given = signature
        .strip_prefix("v0=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(Rejected::BadSignature)?;
    let expected = mac(secret, timestamp, body);
    if bool::from(expected.ct_eq(&given)) {
        Ok(())
    } else {
        Err(Rejected::BadSignature)
    }
}

/// Signs values the bot hands out and gets back (button values, modal metadata), so a
/// forged or edited one is refused: `hexsig.json`.
pub fn seal(key: &[u8], payload: &serde_json::Value) -> String {
    let json = payload.to_string();
    format!(
        "{}.{json}",
        hex::encode(mac(key, "sealed", json.as_bytes()))
    )
}

pub fn open(key: &[u8], sealed: &str) -> Option<serde_json::Value> {
    let (sig, json) = sealed.split_once('.')?;
    let given = hex::decode(sig).ok()?;
    let expected = mac(key, "sealed", json.as_bytes());
    if !bool::from(expected.ct_eq(&given)) {
        return None;
    }
    serde_json::from_str(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example from Slack's "Verifying requests from Slack" guide.
    const SECRET: &[u8] = b"8f742231b10e8888abcd99yyyzzz85a5";
    const BODY: &[u8] = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const TS: &str = "1531420618";
    const SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    #[test]
    fn slacks_documented_example_verifies() {
        assert_eq!(sign(SECRET, TS, BODY), SIG);
        assert_eq!(
            verify(SECRET, Some(TS), Some(SIG), BODY, 1531420618 + 10),
            Ok(())
        );
    }

    #[test]
    fn forged_stale_and_missing_are_rejected() {
        let now = 1531420618;
        let mut tampered = BODY.to_vec();
        tampered[0] = b'T';
        assert_eq!(
            verify(SECRET, Some(TS), Some(SIG), &tampered, now),
            Err(Rejected::BadSignature)
        );
        assert_eq!(
            verify(SECRET, Some(TS), Some("v0=zz"), BODY, now),
            Err(Rejected::BadSignature)
        );
        assert_eq!(
            verify(SECRET, Some(TS), Some(SIG), BODY, now + 301),
            Err(Rejected::Stale)
        );
        assert_eq!(
            verify(SECRET, Some(TS), Some(SIG), BODY, now - 301),
            Err(Rejected::Stale)
        );
        assert_eq!(
            verify(SECRET, None, Some(SIG), BODY, now),
            Err(Rejected::Missing)
        );
    }

    #[test]
    fn sealed_values_open_only_unchanged() {
        let v = serde_json::json!({ "cohort": "spring" });
        let sealed = seal(b"k", &v);
        assert_eq!(open(b"k", &sealed), Some(v));
        assert_eq!(open(b"other", &sealed), None);
        assert_eq!(open(b"k", &sealed.replace("spring", "autumn")), None);
    }
}
