//! Rotation: community mentors move to new groups (a group is the learners one mentor
//! looks after), never to a group or learner they already had when another choice exists,
//! and never to a group with someone either side avoids.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::flow;

#[derive(Debug, Clone)]
pub struct RotationGroup {
    pub key: Uuid,
    /// The group's community mentor now, if any.
    pub current: Option<Uuid>,
    /// Everyone in the group (learners and lead).
    pub members: Vec<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct RotationInput {
    pub groups: Vec<RotationGroup>,
    /// Community mentors available to rotate (not paused).
    pub mentors: Vec<Uuid>,
    /// How many learners each mentor can take; a group larger than that is not offered.
    pub capacity: Vec<u32>,
    /// (mentor, group) and (mentor, learner) pairs from earlier terms.
    pub history: HashSet<(Uuid, Uuid)>,
    pub avoid: HashSet<(Uuid, Uuid)>,
}

/// Why a pair scores what it does: a new pair beats a repeat, which beats staying put.
const NEW_PAIR: i64 = 2;
const REPEAT: i64 = 1;
const STAY: i64 = 0;

/// The incoming mentor (index into `mentors`) for each group, in order; `None` when no
/// mentor can take the group.
pub fn rotate(input: &RotationInput) -> Vec<Option<usize>> {
    let mut avoided: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for (a, b) in &input.avoid {
        avoided.entry(*a).or_default().insert(*b);
        avoided.entry(*b).or_default().insert(*a);
    }
    let capacity = vec![1; input.mentors.len()];
    let score = |g: usize, m: usize| {
        let group = &input.groups[g];
        let mentor = input.mentors[m];
        let blocked = avoided.get(&mentor);
        if group.members.len() > input.capacity[m] as usize
            || group
                .members
                .iter()
                .any(|p| *p == mentor || blocked.is_some_and(|b| b.contains(p)))
        {
            return None;
        }
        let had = |key: &Uuid| input.history.contains(&(mentor, *key));
        Some(if group.current == Some(mentor) {
            STAY
        } else if had(&group.key) || group.members.iter().any(had) {
            REPEAT
        } else {
            NEW_PAIR
        })
    };
    flow::solve(
        input.groups.len(),
        &capacity,
        score,
        input.mentors.len().max(1),
    )
    .columns
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(i: u128) -> Uuid {
        Uuid::from_u128(i)
    }

    fn group(key: u128, current: Option<u128>, members: &[u128]) -> RotationGroup {
        RotationGroup {
            key: id(key),
            current: current.map(id),
            members: members.iter().map(|m| id(*m)).collect(),
        }
    }

    #[test]
    fn mentors_move_to_groups_they_never_had() {
        // Three groups, three mentors; mentor 1 already had group 20 before group 10.
        let input = RotationInput {
            groups: vec![
                group(10, Some(1), &[100]),
                group(20, Some(2), &[101]),
                group(30, Some(3), &[102]),
            ],
            mentors: vec![id(1), id(2), id(3)],
            capacity: vec![5; 3],
            history: [
                (id(1), id(20)),
                (id(1), id(10)),
                (id(2), id(20)),
                (id(3), id(30)),
            ]
            .into_iter()
            .collect(),
            avoid: HashSet::new(),
        };
        let incoming = rotate(&input);
        // Mentor 1 has had 10 and 20, so it takes 30; the others fill in without repeats.
        assert_eq!(incoming, [Some(1), Some(2), Some(0)]);
    }

    #[test]
    fn avoided_people_are_never_put_together_and_repeats_are_a_last_resort() {
        let mut input = RotationInput {
            groups: vec![group(10, Some(1), &[100]), group(20, Some(2), &[101])],
            mentors: vec![id(1), id(2)],
            capacity: vec![5; 2],
            history: HashSet::new(),
            avoid: [(id(101), id(1))].into_iter().collect(),
        };
        // Mentor 1 may not take group 20, so both stay where they are.
        assert_eq!(rotate(&input), [Some(0), Some(1)]);
        input.avoid.insert((id(2), id(101)));
        // Nobody may take group 20; mentor 2 moves to group 10 rather than mentor 1 staying.
        assert_eq!(rotate(&input), [Some(1), None]);
    }
}
