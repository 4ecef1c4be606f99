//! Versioned, HMAC-signed component custom ids: `cb1|kind|a|b|signature`.
//!
//! A button or modal only carries what the user may see anyway (a cohort slug, a week, a
//! learner's Discord id); the signature stops a crafted id from naming something else, and
//! the version lets a future format expire old buttons politely.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::render::ActionKind;

const VERSION: &str = "cb1";
/// Bytes of HMAC kept: 80 bits is plenty against guessing and keeps ids short.
const SIG_BYTES: usize = 10;
/// Discord's limit on a custom id.
pub const CUSTOM_ID_MAX: usize = 100;

/// What a component stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The prompt's button: opens the check-in modal.
    CheckInButton {
        cohort: String,
        period: String,
    },
    /// The mentor notice's button: opens the reply modal.
    ReplyButton {
        handle: String,
        period: String,
    },
    CheckInModal {
        cohort: String,
        period: String,
    },
    ReplyModal {
        handle: String,
        period: String,
    },
    /// A mentor's **Verify** on a milestone request: runs `/milestone verify` at once.
    VerifyButton {
        handle: String,
        module: String,
    },
    /// **Request changes**: opens the note form.
    ChangesButton {
        handle: String,
        module: String,
    },
    ChangesModal {
        handle: String,
        module: String,
    },
    /// **Claim** on a review request: runs `/review claim` at once.
    ClaimReviewButton {
        number: String,
    },
    /// "Yes" to a kept command's question, and "no" (`pending` is the kept row's id).
    Confirm {
        pending: String,
    },
    Cancel {
        pending: String,
    },
}

impl Target {
    pub fn from_action(kind: &ActionKind) -> Self {
        match kind {
            ActionKind::CheckIn { cohort, period } => Target::CheckInButton {
                cohort: cohort.clone(),
                period: period.clone(),
            },
            ActionKind::ReplyToCheckin { handle, period } => Target::ReplyButton {
                handle: handle.clone(),
                period: period.clone(),
            },
            ActionKind::VerifyMilestone { handle, module } => Target::VerifyButton {
                handle: handle.clone(),
                module: module.clone(),
            },
            ActionKind::RequestMilestoneChanges { handle, module } => Target::ChangesButton {
                handle: handle.clone(),
                module: module.clone(),
            },
            ActionKind::ClaimReview { number } => Target::ClaimReviewButton {
                number: number.to_string(),
            },
        }
    }

    fn parts(&self) -> (&'static str, &str, &str) {
        match self {
            Target::CheckInButton { cohort, period } => ("ci", cohort, period),
            Target::ReplyButton { handle, period } => ("re", handle, period),
            Target::CheckInModal { cohort, period } => ("cim", cohort, period),
            Target::ReplyModal { handle, period } => ("rem", handle, period),
            Target::VerifyButton { handle, module } => ("mv", handle, module),
            Target::ChangesButton { handle, module } => ("mc", handle, module),
            Target::ChangesModal { handle, module } => ("mcm", handle, module),
            Target::ClaimReviewButton { number } => ("rc", number, "-"),
            Target::Confirm { pending } => ("yes", pending, "-"),
            Target::Cancel { pending } => ("no", pending, "-"),
        }
    }
}

/// Signs and checks custom ids with a key derived from a secret of the bot.
#[derive(Clone)]
pub struct CustomIds {
    key: [u8; 32],
}

impl std::fmt::Debug for CustomIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CustomIds(..)")
    }
}

impl CustomIds {
    /// `secret` is the bot token (or the public key when only HTTP interactions run).
    pub fn new(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"cohortbot discord custom ids v1\0");
        hasher.update(secret);
        Self {
            key: hasher.finalize().into(),
        }
    }

    fn signature(&self, unsigned: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(unsigned.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..SIG_BYTES])
    }

    pub fn encode(&self, target: &Target) -> String {
        let (kind, a, b) = target.parts();
        let unsigned = format!("{VERSION}|{kind}|{a}|{b}");
        let signature = self.signature(&unsigned);
        format!("{unsigned}|{signature}")
    }

    /// The target, or `None` for an old version, a forged signature or a malformed id.
    pub fn decode(&self, id: &str) -> Option<Target> {
        let (unsigned, signature) = id.rsplit_once('|')?;
        let expected = self.signature(unsigned);
        if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
            return None;
        }
        let mut parts = unsigned.split('|');
        let (version, kind, a, b) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if version != VERSION || parts.next().is_some() {
            return None;
        }
        let (a, b) = (a.to_owned(), b.to_owned());
        Some(match kind {
            "ci" => Target::CheckInButton {
                cohort: a,
                period: b,
            },
            "re" => Target::ReplyButton {
                handle: a,
                period: b,
            },
            "cim" => Target::CheckInModal {
                cohort: a,
                period: b,
            },
            "rem" => Target::ReplyModal {
                handle: a,
                period: b,
            },
            "mv" => Target::VerifyButton {
                handle: a,
                module: b,
            },
            "mc" => Target::ChangesButton {
                handle: a,
                module: b,
            },
            "mcm" => Target::ChangesModal {
                handle: a,
                module: b,
            },
            "rc" => Target::ClaimReviewButton { number: a },
            "yes" => Target::Confirm { pending: a },
            "no" => Target::Cancel { pending: a },
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_forgery() {
        let ids = CustomIds::new(b"token");
        let target = Target::CheckInButton {
            cohort: "spring-makers-2027".into(),
            period: "2027-W09".into(),
        };
        let id = ids.encode(&target);
        assert!(id.len() <= CUSTOM_ID_MAX);
        assert_eq!(ids.decode(&id), Some(target));
        // Another cohort with the old signature, another key, another version: all refused.
        let forged = id.replace("spring-makers-2027", "other-cohort");
        assert_eq!(ids.decode(&forged), None);
        assert_eq!(CustomIds::new(b"other").decode(&id), None);
        assert_eq!(ids.decode(&id.replacen("cb1", "cb0", 1)), None);
        assert_eq!(ids.decode("garbage"), None);
        let longest = ids.encode(&Target::ReplyModal {
            handle: "12345678901234567890".into(),
            period: "2027-W52".into(),
        });
        assert!(longest.len() <= CUSTOM_ID_MAX);
        let longest = ids.encode(&Target::ChangesModal {
            handle: "12345678901234567890".into(),
            module: "m".repeat(crate::domain::slug::SLUG_MAX),
        });
        assert!(longest.len() <= CUSTOM_ID_MAX, "{}", longest.len());
    }
}
