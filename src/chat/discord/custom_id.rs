//! Versioned, HMAC-signed component custom ids: `cb1|kind|a|b|signature`.
//!
//! A button or modal only carries what the user may see anyway (a cohort slug, a week, a
//! learner's Discord id); the signature stops a crafted id from naming something else, and
//! the version lets a future format expire old buttons politely.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::commands::forms::FormId;
use crate::render::ActionKind;

const VERSION: &str = "cb1";
/// Bytes of HMAC kept: 80 bits is plenty against guessing and keeps ids short.
const SIG_BYTES: usize = 10;
/// Discord's limit on a custom id.
pub const CUSTOM_ID_MAX: usize = 100;

/// What a component stands for: a message's button, as the services describe it, or the
/// submit of a form that such a button opened. One identity, signed once, decoded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Button(ActionKind),
    Form(FormTarget),
}

/// A form's submit, with the context its button carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormTarget {
    CheckIn {
        cohort: String,
        period: String,
    },
    Reply {
        handle: String,
        period: String,
    },
    Changes {
        handle: String,
        module: String,
    },
    /// A form a command opened (`/kb add faq`), with the options it was typed with,
    /// URL-encoded: the submit runs the command with those and the fields.
    Command {
        form: FormId,
        context: String,
    },
}

impl FormTarget {
    /// The options a command-opened form carries, as (name, text) pairs.
    pub fn context_pairs(context: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(context).unwrap_or_default()
    }

    pub fn command(form: FormId, pairs: &[(String, String)]) -> Self {
        let context = serde_urlencoded::to_string(pairs).unwrap_or_default();
        FormTarget::Command { form, context }
    }
}

impl Target {
    /// The form a button opens, if it opens one.
    pub fn form_of(kind: &ActionKind) -> Option<FormTarget> {
        Some(match kind.clone() {
            ActionKind::CheckIn { cohort, period } => FormTarget::CheckIn { cohort, period },
            ActionKind::ReplyToCheckin { handle, period } => FormTarget::Reply { handle, period },
            ActionKind::RequestMilestoneChanges { handle, module } => {
                FormTarget::Changes { handle, module }
            }
            ActionKind::Form { form, context } => {
                FormTarget::command(FormId::from_code(&form)?, &context)
            }
            ActionKind::VerifyMilestone { .. }
            | ActionKind::ClaimReview { .. }
            | ActionKind::Answer { .. }
            | ActionKind::Blocker { .. }
            | ActionKind::CircleRequest { .. }
            | ActionKind::CircleJoin { .. }
            | ActionKind::Run { .. } => return None,
        })
    }

    /// A short code and two fields: Discord allows 100 characters for the whole id.
    fn parts(&self) -> (&'static str, String, String) {
        let dash = || "-".to_owned();
        match self.clone() {
            Target::Button(kind) => match kind {
                ActionKind::CheckIn { cohort, period } => ("ci", cohort, period),
                ActionKind::ReplyToCheckin { handle, period } => ("re", handle, period),
                ActionKind::VerifyMilestone { handle, module } => ("mv", handle, module),
                ActionKind::RequestMilestoneChanges { handle, module } => ("mc", handle, module),
                ActionKind::ClaimReview { number } => ("rc", number.to_string(), dash()),
                ActionKind::Answer { question, yes } => {
                    (if yes { "yes" } else { "no" }, question, dash())
                }
                ActionKind::Blocker { cohort, resolved } => {
                    (if resolved { "br" } else { "bs" }, cohort, dash())
                }
                ActionKind::CircleRequest {
                    circle,
                    handle,
                    approve,
                } => (if approve { "ca" } else { "cd" }, circle, handle),
                ActionKind::CircleJoin { circle } => ("cj", circle, dash()),
                ActionKind::Run { command, options } => {
                    let options = serde_urlencoded::to_string(&options).unwrap_or_default();
                    let options = if options.is_empty() { dash() } else { options };
                    ("rn", command, options)
                }
                ActionKind::Form { form, context } => {
                    let context = serde_urlencoded::to_string(&context).unwrap_or_default();
                    let context = if context.is_empty() { dash() } else { context };
                    ("fb", form, context)
                }
            },
            Target::Form(form) => match form {
                FormTarget::CheckIn { cohort, period } => ("cim", cohort, period),
                FormTarget::Reply { handle, period } => ("rem", handle, period),
                FormTarget::Changes { handle, module } => ("mcm", handle, module),
                FormTarget::Command { form, context } => {
                    let context = if context.is_empty() { dash() } else { context };
                    ("fc", form.code().to_owned(), context)
                }
            },
        }
    }

    fn from_parts(kind: &str, a: String, b: String) -> Option<Self> {
        Some(match kind {
            "ci" => Target::Button(ActionKind::CheckIn {
                cohort: a,
                period: b,
            }),
            "re" => Target::Button(ActionKind::ReplyToCheckin {
                handle: a,
                period: b,
            }),
            "mv" => Target::Button(ActionKind::VerifyMilestone {
                handle: a,
                module: b,
            }),
            "mc" => Target::Button(ActionKind::RequestMilestoneChanges {
                handle: a,
                module: b,
            }),
            "rc" => Target::Button(ActionKind::ClaimReview {
                number: a.parse().ok()?,
            }),
            "yes" | "no" => Target::Button(ActionKind::Answer {
                question: a,
                yes: kind == "yes",
            }),
            "br" | "bs" => Target::Button(ActionKind::Blocker {
                cohort: a,
                resolved: kind == "br",
            }),
            "ca" | "cd" => Target::Button(ActionKind::CircleRequest {
                circle: a,
                handle: b,
                approve: kind == "ca",
            }),
            "cj" => Target::Button(ActionKind::CircleJoin { circle: a }),
            "rn" => Target::Button(ActionKind::Run {
                command: a,
                options: if b == "-" {
                    Vec::new()
                } else {
                    FormTarget::context_pairs(&b)
                },
            }),
            "cim" => Target::Form(FormTarget::CheckIn {
                cohort: a,
                period: b,
            }),
            "rem" => Target::Form(FormTarget::Reply {
                handle: a,
                period: b,
            }),
            "mcm" => Target::Form(FormTarget::Changes {
                handle: a,
                module: b,
            }),
            "fb" => Target::Button(ActionKind::Form {
                form: a,
                context: if b == "-" {
                    Vec::new()
                } else {
                    FormTarget::context_pairs(&b)
                },
            }),
            "fc" => Target::Form(FormTarget::Command {
                form: FormId::from_code(&a)?,
                context: if b == "-" { String::new() } else { b },
            }),
            _ => return None,
        })
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
        Target::from_parts(kind, a.to_owned(), b.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_forgery() {
        let ids = CustomIds::new(b"token");
        let target = Target::Button(ActionKind::CheckIn {
            cohort: "spring-makers-2027".into(),
            period: "2027-W09".into(),
        });
        let id = ids.encode(&target);
        assert!(id.len() <= CUSTOM_ID_MAX);
        assert_eq!(ids.decode(&id), Some(target));
        // Another cohort with the old signature, another key, another version: all refused.
        let forged = id.replace("spring-makers-2027", "other-cohort");
        assert_eq!(ids.decode(&forged), None);
        assert_eq!(CustomIds::new(b"other").decode(&id), None);
        assert_eq!(ids.decode(&id.replacen("cb1", "cb0", 1)), None);
        assert_eq!(ids.decode("garbage"), None);
        let longest = ids.encode(&Target::Form(FormTarget::Reply {
            handle: "12345678901234567890".into(),
            period: "2027-W52".into(),
        }));
        assert!(longest.len() <= CUSTOM_ID_MAX);
        let longest = ids.encode(&Target::Form(FormTarget::Changes {
            handle: "12345678901234567890".into(),
            module: "m".repeat(crate::domain::slug::SLUG_MAX),
        }));
        assert!(longest.len() <= CUSTOM_ID_MAX, "{}", longest.len());
        // Every kind of button and form comes back as itself.
        let all = [
            Target::Button(ActionKind::ReplyToCheckin {
                handle: "1".into(),
                period: "2027-W09".into(),
            }),
            Target::Button(ActionKind::VerifyMilestone {
                handle: "1".into(),
                module: "flows-101".into(),
            }),
            Target::Button(ActionKind::RequestMilestoneChanges {
                handle: "1".into(),
                module: "flows-101".into(),
            }),
            Target::Button(ActionKind::ClaimReview { number: 7 }),
            Target::Button(ActionKind::Answer {
                question: "abcd2345".into(),
                yes: true,
            }),
            Target::Button(ActionKind::Answer {
                question: "abcd2345".into(),
                yes: false,
            }),
            Target::Form(FormTarget::CheckIn {
                cohort: "c".into(),
                period: "2027-W09".into(),
            }),
            Target::Form(FormTarget::command(
                FormId::KbAdd,
                &[
                    ("kind".into(), "clinic_note".into()),
                    ("cohort".into(), "a|b&c=d".into()),
                ],
            )),
            Target::Form(FormTarget::command(FormId::KbEdit, &[])),
            Target::Button(ActionKind::Form {
                form: "kbq".into(),
                context: vec![("question".into(), "12".into())],
            }),
        ];
        for target in all {
            assert_eq!(ids.decode(&ids.encode(&target)), Some(target));
        }
    }
}
