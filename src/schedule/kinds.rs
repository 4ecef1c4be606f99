//! Trigger kinds are code; their schedules are data (per cohort, editable by stewards).

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerKind {
    /// The weekly check-in prompt, at each learner's local time.
    Checkin,
    /// One reminder for an unanswered prompt, at each learner's local time.
    Nudge,
    /// The cohort digest, posted to the cohort channel in the cohort's time zone.
    Digest,
    /// The weekly DM to each lead mentor, in the cohort's time zone.
    MentorDigest,
    /// Community-mentor rotation, checked at each tick, run every N weeks (program file).
    Rotation,
    /// Re-announces and escalates review requests nobody claimed in time.
    ReviewEscalation,
    /// The monthly mentor recognition post, in the cohort channel.
    Recognition,
    /// Flags mentors who left their learners waiting too long.
    InactiveCheck,
    /// Asks both sides of a pairing, a day after its time, whether they met.
    PairingFollowUp,
}

/// Whose clock a trigger follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Evaluated once per distinct member time zone in the cohort.
    MemberLocal,
    /// Evaluated in the cohort's time zone.
    Cohort,
}

impl TriggerKind {
    pub const ALL: [TriggerKind; 9] = [
        TriggerKind::Checkin,
        TriggerKind::Nudge,
        TriggerKind::Digest,
        TriggerKind::MentorDigest,
        TriggerKind::Rotation,
        TriggerKind::ReviewEscalation,
        TriggerKind::Recognition,
        TriggerKind::InactiveCheck,
        TriggerKind::PairingFollowUp,
    ];

    /// The name used in the program file and in `/schedule set`.
    pub fn key(self) -> &'static str {
        match self {
            TriggerKind::Checkin => "checkin",
            TriggerKind::Nudge => "nudge",
            TriggerKind::Digest => "digest",
            TriggerKind::MentorDigest => "mentor_digest",
            TriggerKind::Rotation => "rotation",
            TriggerKind::ReviewEscalation => "review_escalation",
            TriggerKind::Recognition => "recognition",
            TriggerKind::InactiveCheck => "inactive_check",
            TriggerKind::PairingFollowUp => "pairing_followup",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn scope(self) -> Scope {
        match self {
            TriggerKind::Checkin | TriggerKind::Nudge => Scope::MemberLocal,
            TriggerKind::Digest
            | TriggerKind::MentorDigest
            | TriggerKind::Rotation
            | TriggerKind::ReviewEscalation
            | TriggerKind::Recognition
            | TriggerKind::InactiveCheck
            | TriggerKind::PairingFollowUp => Scope::Cohort,
        }
    }

    /// How late a missed tick may still fire after downtime. A prompt 6 h late is still
    /// useful; a digest days late is not.
    pub fn grace(self) -> Duration {
        let hours = match self {
            TriggerKind::Checkin => 6,
            TriggerKind::Nudge => 6,
            TriggerKind::Digest => 12,
            TriggerKind::MentorDigest => 12,
            TriggerKind::Rotation => 24,
            TriggerKind::ReviewEscalation => 2,
            TriggerKind::Recognition => 24,
            TriggerKind::InactiveCheck => 12,
            TriggerKind::PairingFollowUp => 6,
        };
        Duration::from_secs(hours * 3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_match_the_program_file() {
        for kind in TriggerKind::ALL {
            assert_eq!(TriggerKind::parse(kind.key()), Some(kind));
        }
        let keys: Vec<&str> = TriggerKind::ALL.iter().map(|k| k.key()).collect();
        assert_eq!(keys, crate::program::model::SCHEDULE_KINDS);
    }
}
