//! The approval rule: when a request's votes approve it, reject it, or leave it open. A pure
//! function of the policy and the votes, so every case is a unit test and every caller (a
//! vote, an escalation that adds approvers) decides the same way.

use std::fmt;
use std::str::FromStr;

/// How many of a request's approvers must approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// One approval is enough.
    Any,
    /// Every approver approves.
    All,
    /// More than half of the approvers.
    Majority,
    /// At least this many approvals.
    Quorum(u32),
}

impl Rule {
    /// The program file's words: `any`, `all`, `majority`, or `quorum` with its number.
    pub fn parse(rule: &str, quorum: Option<u32>) -> Result<Rule, String> {
        match (rule, quorum) {
            ("any", None) => Ok(Rule::Any),
            ("all", None) => Ok(Rule::All),
            ("majority", None) => Ok(Rule::Majority),
            ("quorum", Some(n)) if n >= 1 => Ok(Rule::Quorum(n)),
            ("quorum", _) => Err("`quorum` needs `quorum = N`, at least 1".into()),
            ("any" | "all" | "majority", Some(_)) => Err(format!(
                "`quorum = N` goes with `rule = \"quorum\"`, not `{rule}`"
            )),
            (other, _) => Err(format!(
                "`{other}` is not a rule: any, all, majority or quorum"
            )),
        }
    }

    /// Approvals needed out of `approvers`.
    pub fn needed(self, approvers: u32) -> u32 {
        match self {
            Rule::Any => 1,
            Rule::All => approvers.max(1),
            Rule::Majority => approvers / 2 + 1,
            Rule::Quorum(n) => n,
        }
    }
}

impl Rule {
    /// The stored form, read back by `from_str`.
    pub fn stored(self) -> String {
        match self {
            Rule::Any => "any".into(),
            Rule::All => "all".into(),
            Rule::Majority => "majority".into(),
            Rule::Quorum(n) => format!("quorum:{n}"),
        }
    }
}

impl fmt::Display for Rule {
    /// How people say it: "any one approver", "2 approvers".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Any => f.write_str("any one approver"),
            Rule::All => f.write_str("every approver"),
            Rule::Majority => f.write_str("a majority of the approvers"),
            Rule::Quorum(1) => f.write_str("1 approver"),
            Rule::Quorum(n) => write!(f, "{n} approvers"),
        }
    }
}

/// What the votes so far say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Everyone asked to vote, the requester never among them.
    pub approvers: u32,
    pub approvals: u32,
    pub rejections: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Approved,
    Rejected,
}

/// Rejected once `max_rejections` approvers reject, or once the approvers left cannot reach
/// the rule; approved once the rule is met; open otherwise. Rejections are counted first,
/// so a request that both rules would close is rejected: a "no" is never outvoted by
/// arriving later than the last "yes" of a quorum.
pub fn decide(rule: Rule, max_rejections: u32, tally: Tally) -> Decision {
    let needed = rule.needed(tally.approvers);
    if tally.rejections >= max_rejections.max(1) {
        return Decision::Rejected;
    }
    if tally.approvals >= needed {
        return Decision::Approved;
    }
    let undecided = tally
        .approvers
        .saturating_sub(tally.approvals + tally.rejections);
    if tally.approvals + undecided < needed {
        return Decision::Rejected;
    }
    Decision::Pending
}

impl FromStr for Rule {
    type Err = String;
    /// The stored form: `any`, `all`, `majority`, `quorum:N`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.split_once(':') {
            Some(("quorum", n)) => Rule::parse(
                "quorum",
                Some(n.parse().map_err(|_| format!("`{n}` is not a number"))?),
            ),
            _ => Rule::parse(s, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(approvers: u32, approvals: u32, rejections: u32) -> Tally {
        Tally {
            approvers,
            approvals,
            rejections,
        }
    }

    #[test]
    fn any_one_approval_approves() {
        assert_eq!(decide(Rule::Any, 1, tally(3, 0, 0)), Decision::Pending);
        assert_eq!(decide(Rule::Any, 1, tally(3, 1, 0)), Decision::Approved);
        assert_eq!(decide(Rule::Any, 2, tally(3, 0, 1)), Decision::Pending);
        assert_eq!(decide(Rule::Any, 2, tally(3, 1, 1)), Decision::Approved);
        // Everyone said no: nobody is left to approve.
        assert_eq!(decide(Rule::Any, 5, tally(2, 0, 2)), Decision::Rejected);
    }

    #[test]
    fn all_needs_every_approver_and_one_no_ends_it() {
        assert_eq!(decide(Rule::All, 3, tally(3, 2, 0)), Decision::Pending);
        assert_eq!(decide(Rule::All, 3, tally(3, 3, 0)), Decision::Approved);
        // Under `all`, one "no" leaves the rule out of reach whatever the rejection limit.
        assert_eq!(decide(Rule::All, 3, tally(3, 2, 1)), Decision::Rejected);
    }

    #[test]
    fn majority_is_more_than_half() {
        assert_eq!(Rule::Majority.needed(4), 3);
        assert_eq!(Rule::Majority.needed(3), 2);
        assert_eq!(decide(Rule::Majority, 3, tally(4, 2, 0)), Decision::Pending);
        assert_eq!(
            decide(Rule::Majority, 3, tally(4, 3, 1)),
            Decision::Approved
        );
        // 2 of 4 said no: 2 approvals at most, 3 needed.
        assert_eq!(
            decide(Rule::Majority, 3, tally(4, 1, 2)),
            Decision::Rejected
        );
    }

    #[test]
    fn a_quorum_counts_approvals() {
        assert_eq!(
            decide(Rule::Quorum(2), 2, tally(5, 1, 1)),
            Decision::Pending
        );
        assert_eq!(
            decide(Rule::Quorum(2), 2, tally(5, 2, 1)),
            Decision::Approved
        );
        assert_eq!(
            decide(Rule::Quorum(2), 2, tally(5, 1, 2)),
            Decision::Rejected
        );
        // Escalation can add approvers to a quorum larger than those asked at first.
        assert_eq!(
            decide(Rule::Quorum(3), 9, tally(2, 2, 0)),
            Decision::Rejected
        );
        assert_eq!(
            decide(Rule::Quorum(3), 9, tally(4, 2, 0)),
            Decision::Pending
        );
    }

    #[test]
    fn the_rejection_limit_wins_over_a_met_rule() {
        assert_eq!(decide(Rule::Any, 1, tally(3, 1, 1)), Decision::Rejected);
        assert_eq!(
            decide(Rule::Quorum(2), 1, tally(3, 2, 1)),
            Decision::Rejected
        );
        // A limit of 0 would reject unvoted requests: it counts as 1.
        assert_eq!(decide(Rule::Any, 0, tally(3, 0, 0)), Decision::Pending);
    }

    #[test]
    fn nobody_to_ask_is_not_approval() {
        assert_eq!(decide(Rule::All, 1, tally(0, 0, 0)), Decision::Rejected);
        assert_eq!(decide(Rule::Any, 1, tally(0, 0, 0)), Decision::Rejected);
    }

    #[test]
    fn rules_parse_from_the_program_file_and_the_stored_text() {
        assert_eq!(Rule::parse("quorum", Some(2)), Ok(Rule::Quorum(2)));
        assert!(Rule::parse("quorum", None).is_err());
        assert!(Rule::parse("quorum", Some(0)).is_err());
        assert!(Rule::parse("any", Some(2)).is_err());
        assert_eq!(
            Rule::parse("most", None),
            Err("`most` is not a rule: any, all, majority or quorum".into())
        );
        assert_eq!("quorum:3".parse(), Ok(Rule::Quorum(3)));
        assert_eq!("majority".parse(), Ok(Rule::Majority));
        assert_eq!(Rule::Quorum(2).to_string(), "2 approvers");
    }
}
