//! Where a member stands with their community's code of conduct, which is versioned.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CocStanding {
    NotAccepted,
    /// Accepted the text as it is now.
    Current {
        at: DateTime<Utc>,
    },
    /// Accepted an earlier text; a new join asks again.
    Earlier {
        at: DateTime<Utc>,
    },
}

impl CocStanding {
    /// From what the member accepted (when, which version) and the community's version.
    pub fn of(accepted_at: Option<DateTime<Utc>>, accepted: Option<i32>, current: i32) -> Self {
        match (accepted_at, accepted) {
            (Some(at), Some(v)) if v == current => Self::Current { at },
            (Some(at), _) => Self::Earlier { at },
            (None, _) => Self::NotAccepted,
        }
    }

    pub fn is_current(self) -> bool {
        matches!(self, Self::Current { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_current_version_counts() {
        let at = Utc::now();
        assert_eq!(
            CocStanding::of(Some(at), Some(2), 2),
            CocStanding::Current { at }
        );
        assert_eq!(
            CocStanding::of(Some(at), Some(1), 2),
            CocStanding::Earlier { at }
        );
        assert_eq!(CocStanding::of(None, None, 1), CocStanding::NotAccepted);
        assert!(!CocStanding::of(Some(at), None, 1).is_current());
    }
}
