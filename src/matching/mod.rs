//! Optimal mentor matching: a pure transportation problem, no IO.
//!
//! Learners (unit demand) are assigned to mentors (capacities) to maximise first the number
//! placed and then the total score. [`solve`] runs min-cost flow on learners pruned to their
//! best mentors; [`greedy`] is the baseline the proposal is compared against.

mod flow;
pub mod intros;
pub mod rotation;
mod score;
pub mod waking;

use std::collections::HashSet;

use chrono_tz::Tz;
use uuid::Uuid;

pub use score::{PairScore, Scorer, Weights, shared_skills};

/// Someone to match, on either side.
#[derive(Debug, Clone)]
pub struct Person {
    pub key: Uuid,
    /// Normalised skill tags (or, for learners, goals).
    pub skills: Vec<String>,
    pub zone: Option<Tz>,
    pub department: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MentorSlot {
    pub person: Person,
    /// Learners this mentor can still take.
    pub capacity: u32,
}

/// One matching run's input.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    pub learners: Vec<Person>,
    pub mentors: Vec<MentorSlot>,
    /// Pairs never to match, either way round.
    pub avoid: HashSet<(Uuid, Uuid)>,
    /// Pairs matched before; new pairs are preferred.
    pub history: HashSet<(Uuid, Uuid)>,
}

impl Problem {
    pub fn avoided(&self, a: Uuid, b: Uuid) -> bool {
        self.avoid.contains(&(a, b)) || self.avoid.contains(&(b, a))
    }

    pub fn met_before(&self, a: Uuid, b: Uuid) -> bool {
        self.history.contains(&(a, b)) || self.history.contains(&(b, a))
    }
}

/// Why a learner was not placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitReason {
    /// No mentor may take them at all: none shares waking hours, or all are excluded.
    NoSuitableMentor,
    /// Every mentor who would suit them is full.
    NoRoom,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Matched { mentor: usize, score: PairScore },
    Waitlisted(WaitReason),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// One placement per learner, in input order.
    pub placements: Vec<Placement>,
}

impl Assignment {
    pub fn total(&self) -> i64 {
        self.placements
            .iter()
            .map(|p| match p {
                Placement::Matched { score, .. } => score.total,
                Placement::Waitlisted(_) => 0,
            })
            .sum()
    }

    pub fn matched(&self) -> usize {
        self.placements
            .iter()
            .filter(|p| matches!(p, Placement::Matched { .. }))
            .count()
    }

    /// Learners per mentor.
    pub fn loads(&self, mentors: usize) -> Vec<u32> {
        let mut loads = vec![0; mentors];
        for p in &self.placements {
            if let Placement::Matched { mentor, .. } = p {
                loads[*mentor] += 1;
            }
        }
        loads
    }
}

/// How many best mentors each learner keeps before the flow runs.
pub const DEFAULT_PRUNE: usize = 12;

/// The optimal assignment (over each learner's `prune` best mentors, with a fallback that
/// still places everyone who can be placed at all).
pub fn solve(problem: &Problem, scorer: &Scorer, prune: usize) -> Assignment {
    let capacity: Vec<u32> = problem.mentors.iter().map(|m| m.capacity).collect();
    let solution = flow::solve(
        problem.learners.len(),
        &capacity,
        |l, m| scorer.pair(l, m).map(|s| s.total),
        prune.max(1),
    );
    let placements = solution
        .columns
        .iter()
        .zip(&solution.suitable)
        .enumerate()
        .map(|(l, (column, suitable))| match column {
            Some(mentor) => Placement::Matched {
                mentor: *mentor,
                score: scorer
                    .pair(l, *mentor)
                    .expect("only allowed pairs are placed"),
            },
            None if *suitable => Placement::Waitlisted(WaitReason::NoRoom),
            None => Placement::Waitlisted(WaitReason::NoSuitableMentor),
        })
        .collect();
    Assignment { placements }
}

/// Each learner in turn takes their best mentor with room.
pub fn greedy(problem: &Problem, scorer: &Scorer) -> Assignment {
    let mut room: Vec<u32> = problem.mentors.iter().map(|m| m.capacity).collect();
    let placements = (0..problem.learners.len())
        .map(|l| {
            let mut any = false;
            let mut best: Option<(usize, PairScore)> = None;
            for (m, left) in room.iter().enumerate() {
                let Some(score) = scorer.pair(l, m) else {
                    continue;
                };
                any = true;
                if *left > 0 && best.as_ref().is_none_or(|(_, b)| score.total > b.total) {
                    best = Some((m, score));
                }
            }
            match best {
                Some((mentor, score)) => {
                    room[mentor] -= 1;
                    Placement::Matched { mentor, score }
                }
                None if any => Placement::Waitlisted(WaitReason::NoRoom),
                None => Placement::Waitlisted(WaitReason::NoSuitableMentor),
            }
        })
        .collect();
    Assignment { placements }
}

#[cfg(test)]
mod tests;
