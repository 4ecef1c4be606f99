use std::collections::HashSet;

use chrono::{TimeZone, Utc};
use pathfinding::prelude::{Matrix, kuhn_munkres};
use proptest::prelude::*;
use uuid::Uuid;

use super::*;

fn week() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap()
}

fn person(i: u128, skills: &[&str], zone: Option<&str>) -> Person {
    Person {
        key: Uuid::from_u128(i),
        skills: skills.iter().map(|s| s.to_string()).collect(),
        zone: zone.map(|z| z.parse().unwrap()),
        department: None,
    }
}

fn mentor(i: u128, skills: &[&str], zone: Option<&str>, capacity: u32) -> MentorSlot {
    MentorSlot {
        person: person(i, skills, zone),
        capacity,
    }
}

fn run(problem: &Problem, prune: usize) -> (Assignment, Assignment) {
    let scorer = Scorer::new(problem, Weights::default(), week());
    (solve(problem, &scorer, prune), greedy(problem, &scorer))
}

fn mentor_of(a: &Assignment, l: usize) -> Option<usize> {
    match a.placements[l] {
        Placement::Matched { mentor, .. } => Some(mentor),
        Placement::Waitlisted(_) => None,
    }
}

#[test]
fn optimal_beats_greedy_on_a_known_case() {
    // A fits X best, but B fits only X; the optimum gives A the second choice.
    let problem = Problem {
        learners: vec![person(1, &["a", "b"], None), person(2, &["a", "c"], None)],
        mentors: vec![
            mentor(10, &["a", "b", "c"], None, 1),
            mentor(11, &["b"], None, 1),
        ],
        ..Problem::default()
    };
    let (best, base) = run(&problem, DEFAULT_PRUNE);
    assert_eq!(
        (mentor_of(&base, 0), mentor_of(&base, 1)),
        (Some(0), Some(1))
    );
    assert_eq!(base.total(), 20);
    assert_eq!(
        (mentor_of(&best, 0), mentor_of(&best, 1)),
        (Some(1), Some(0))
    );
    assert_eq!(best.total(), 30);
}

#[test]
fn never_self_never_avoided_and_capacity_holds() {
    let me = person(1, &["sql"], Some("Europe/Berlin"));
    let mut problem = Problem {
        learners: vec![me.clone(), person(2, &["sql"], Some("Europe/Berlin"))],
        mentors: vec![
            MentorSlot {
                person: me,
                capacity: 5,
            },
            mentor(3, &["sql"], Some("Europe/Berlin"), 1),
        ],
        ..Problem::default()
    };
    problem
        .avoid
        .insert((Uuid::from_u128(3), Uuid::from_u128(2)));
    let (best, _) = run(&problem, DEFAULT_PRUNE);
    assert_eq!(mentor_of(&best, 0), Some(1), "not with themselves");
    assert_eq!(mentor_of(&best, 1), Some(0), "not with the avoided mentor");
}

#[test]
fn everyone_gets_an_outcome_with_a_reason() {
    let problem = Problem {
        learners: vec![
            person(1, &["sql"], Some("Asia/Tokyo")),
            person(2, &["sql"], Some("America/Denver")),
            person(3, &["sql"], Some("America/Denver")),
        ],
        mentors: vec![mentor(10, &["sql"], Some("America/Chicago"), 1)],
        ..Problem::default()
    };
    let (best, _) = run(&problem, DEFAULT_PRUNE);
    assert_eq!(
        best.placements[0],
        Placement::Waitlisted(WaitReason::NoSuitableMentor)
    );
    assert_eq!(best.matched(), 1);
    assert!(best.placements[1..].contains(&Placement::Waitlisted(WaitReason::NoRoom)));
}

#[test]
fn pruning_never_costs_a_placement() {
    // Every learner's single best mentor is the same full one; the fallback finds the rest.
    let mut learners = Vec::new();
    for i in 0..4 {
        learners.push(person(i, &["a", "b"], None));
    }
    let problem = Problem {
        learners,
        mentors: vec![
            mentor(10, &["a", "b"], None, 1),
            mentor(11, &[], None, 1),
            mentor(12, &[], None, 2),
        ],
        ..Problem::default()
    };
    let (best, _) = run(&problem, 1);
    assert_eq!(best.matched(), 4);
}

/// The exact optimum (placed, score) by Kuhn–Munkres over capacity-expanded slots, with one
/// "waitlist" column per learner.
fn exact(problem: &Problem, scorer: &Scorer) -> (usize, i64) {
    let n = problem.learners.len();
    let slots: Vec<usize> = problem
        .mentors
        .iter()
        .enumerate()
        .flat_map(|(m, s)| std::iter::repeat_n(m, s.capacity as usize))
        .collect();
    let big = 1_000_000i64;
    let forbidden = -1_000_000_000i64;
    let columns = slots.len() + n;
    let mut weights = Matrix::new(n, columns, 0i64);
    for l in 0..n {
        for (c, &m) in slots.iter().enumerate() {
            weights[(l, c)] = scorer.pair(l, m).map_or(forbidden, |s| big + s.total);
        }
    }
    let (total, _) = kuhn_munkres(&weights);
    ((total / big) as usize, total % big)
}

const ZONES: [&str; 5] = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "America/Denver",
];
const SKILLS: [&str; 5] = ["sql", "excel", "power-apps", "power-bi", "flows"];

fn arb_person(key: u128) -> impl Strategy<Value = Person> {
    (
        prop::sample::subsequence(SKILLS.to_vec(), 0..4),
        prop::option::of(prop::sample::select(ZONES.to_vec())),
        prop::option::of(prop::sample::select(vec!["it", "finance", "ops"])),
    )
        .prop_map(move |(skills, zone, dept)| Person {
            key: Uuid::from_u128(key),
            skills: skills.into_iter().map(String::from).collect(),
            zone: zone.map(|z| z.parse().unwrap()),
            department: dept.map(String::from),
        })
}

fn arb_problem() -> impl Strategy<Value = Problem> {
    (1usize..7, 1usize..5).prop_flat_map(|(n, m)| {
        let learners: Vec<_> = (0..n as u128).map(arb_person).collect();
        // Mentor keys overlap learner keys sometimes, to exercise "never self".
        let mentors: Vec<_> = (0..m as u128)
            .map(|i| (arb_person(i * 3 + 2), 0u32..4))
            .collect();
        let pairs = prop::collection::vec((0..n as u128, 0..(m as u128 * 3 + 3)), 0..4);
        (learners, mentors, pairs.clone(), pairs).prop_map(|(learners, mentors, avoid, history)| {
            let key = |(a, b): (u128, u128)| (Uuid::from_u128(a), Uuid::from_u128(b));
            Problem {
                learners,
                mentors: mentors
                    .into_iter()
                    .map(|(person, capacity)| MentorSlot { person, capacity })
                    .collect(),
                avoid: avoid.into_iter().map(key).collect::<HashSet<_>>(),
                history: history.into_iter().map(key).collect::<HashSet<_>>(),
            }
        })
    })
}

fn assert_valid(problem: &Problem, scorer: &Scorer, a: &Assignment) {
    assert_eq!(a.placements.len(), problem.learners.len());
    for (m, load) in a.loads(problem.mentors.len()).into_iter().enumerate() {
        assert!(load <= problem.mentors[m].capacity);
    }
    for (l, p) in a.placements.iter().enumerate() {
        if let Placement::Matched { mentor, score } = p {
            assert_eq!(scorer.pair(l, *mentor).as_ref(), Some(score));
        }
    }
}

proptest! {
    #[test]
    fn unpruned_solution_equals_the_exact_optimum(problem in arb_problem()) {
        let scorer = Scorer::new(&problem, Weights::default(), week());
        let best = solve(&problem, &scorer, problem.mentors.len().max(1));
        assert_valid(&problem, &scorer, &best);
        prop_assert_eq!((best.matched(), best.total()), exact(&problem, &scorer));
        let base = greedy(&problem, &scorer);
        assert_valid(&problem, &scorer, &base);
        prop_assert!(base.matched() < best.matched()
            || (base.matched() == best.matched() && base.total() <= best.total()));
    }

    #[test]
    fn pruned_solution_places_as_many_as_the_optimum(problem in arb_problem(), prune in 1usize..3) {
        let scorer = Scorer::new(&problem, Weights::default(), week());
        let best = solve(&problem, &scorer, prune);
        assert_valid(&problem, &scorer, &best);
        prop_assert_eq!(best.matched(), exact(&problem, &scorer).0);
    }
}
