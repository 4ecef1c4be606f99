//! Program roles.

use std::fmt;
use std::str::FromStr;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Steward,
    Sponsor,
    LeadMentor,
    CommunityMentor,
    Learner,
    Alumni,
    /// Receives confidential concerns; held apart from the others so a steward need not be one.
    ConcernHandler,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Steward,
        Role::Sponsor,
        Role::LeadMentor,
        Role::CommunityMentor,
        Role::Learner,
        Role::Alumni,
        Role::ConcernHandler,
    ];

    /// The stored and typed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Steward => "steward",
            Role::Sponsor => "sponsor",
            Role::LeadMentor => "lead_mentor",
            Role::CommunityMentor => "community_mentor",
            Role::Learner => "learner",
            Role::Alumni => "alumni",
            Role::ConcernHandler => "concern_handler",
        }
    }

    /// How people say it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Steward => "steward",
            Role::Sponsor => "sponsor",
            Role::LeadMentor => "lead mentor",
            Role::CommunityMentor => "community mentor",
            Role::Learner => "learner",
            Role::Alumni => "alumni",
            Role::ConcernHandler => "concern handler",
        }
    }
}

/// A mentor's tier. Holding the matching role is what makes someone an approved mentor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Community,
    Lead,
}

impl std::str::FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Tier::parse(s).ok_or_else(|| format!("`{s}` is not a mentor tier"))
    }
}

impl Tier {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "community" => Some(Tier::Community),
            "lead" => Some(Tier::Lead),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Community => "community",
            Tier::Lead => "lead",
        }
    }

    pub fn role(self) -> Role {
        match self {
            Tier::Community => Role::CommunityMentor,
            Tier::Lead => Role::LeadMentor,
        }
    }

    /// Learners for a community mentor, groups for a lead.
    pub fn default_capacity(self) -> i32 {
        match self {
            Tier::Community => 3,
            Tier::Lead => 1,
        }
    }
}

impl Role {
    /// The mentor tier this role approves, if it is a mentor role.
    pub fn mentor_tier(self) -> Option<Tier> {
        match self {
            Role::LeadMentor => Some(Tier::Lead),
            Role::CommunityMentor => Some(Tier::Community),
            _ => None,
        }
    }
}

impl Role {
    /// The article for [`Role::noun`]: "a steward", "an alum".
    pub fn article(self) -> &'static str {
        match self {
            Role::Alumni => "an ",
            _ => "a ",
        }
    }

    /// One person holding the role ("alumni" is the plural; one is an alum).
    pub fn noun(self) -> &'static str {
        match self {
            Role::Alumni => "alum",
            other => other.label(),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Role {
    type Err = ();

    /// Accepts the stored names plus the short forms people type (`mentor`, `lead`).
    fn from_str(s: &str) -> Result<Self, ()> {
        let normalized = s.trim().to_lowercase().replace(['-', ' '], "_");
        match normalized.as_str() {
            "mentor" => Ok(Role::CommunityMentor),
            "lead" => Ok(Role::LeadMentor),
            other => Role::ALL
                .into_iter()
                .find(|r| r.as_str() == other)
                .ok_or(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stored_names_and_short_forms() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!("mentor".parse::<Role>(), Ok(Role::CommunityMentor));
        assert_eq!("Lead Mentor".parse::<Role>(), Ok(Role::LeadMentor));
        assert!("wizard".parse::<Role>().is_err());
    }
}
