//! The pair score: shared skills, shared waking hours, a cross-department bonus, and a
//! small penalty for a pair that met before.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use uuid::Uuid;

use super::waking::{WakingHours, WakingMask, ZoneTable};
use super::{Person, Problem};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    pub per_shared_skill: i64,
    pub per_overlap_hour: i64,
    pub cross_department: i64,
    pub repeat_penalty: i64,
    /// Pairs whose zones share fewer waking hours a day are not matched.
    pub min_overlap_hours: u32,
    /// The local window that counts as waking, the same in every zone.
    pub waking: WakingHours,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            per_shared_skill: 10,
            per_overlap_hour: 2,
            cross_department: 5,
            repeat_penalty: 6,
            min_overlap_hours: 2,
            waking: WakingHours::default(),
        }
    }
}

/// Why a pair scores what it does; `total` is never negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairScore {
    pub total: i64,
    pub shared_skills: u32,
    /// `None` when either side has no time zone set.
    pub overlap_hours: Option<u32>,
    pub cross_department: bool,
    pub repeat: bool,
}

/// Scores pairs of one problem. Skills, zones, departments and exclusions are indexed once,
/// so scoring a pair is a few word operations (millions of pairs per run).
#[derive(Debug)]
pub struct Scorer {
    weights: Weights,
    learner_skills: Vec<Vec<u64>>,
    mentor_skills: Vec<Vec<u64>>,
    learner_masks: Vec<Option<WakingMask>>,
    mentor_masks: Vec<Option<WakingMask>>,
    learner_dept: Vec<Option<u32>>,
    mentor_dept: Vec<Option<u32>>,
    /// Per learner, sorted mentor indices never to pair with (self, avoid list).
    excluded: Vec<Vec<u32>>,
    /// Per learner, sorted mentor indices met before.
    met: Vec<Vec<u32>>,
}

impl Scorer {
    pub fn new(problem: &Problem, weights: Weights, week_start: DateTime<Utc>) -> Self {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut depts: HashMap<String, u32> = HashMap::new();
        let everyone = || {
            problem
                .learners
                .iter()
                .chain(problem.mentors.iter().map(|m| &m.person))
        };
        for person in everyone() {
            for skill in &person.skills {
                let next = index.len();
                index.entry(skill.as_str()).or_insert(next);
            }
            if let Some(d) = &person.department {
                let next = depts.len() as u32;
                depts.entry(d.to_lowercase()).or_insert(next);
            }
        }
        let words = index.len().div_ceil(64).max(1);
        let bits = |skills: &[String]| {
            let mut set = vec![0u64; words];
            for skill in skills {
                let i = index[skill.as_str()];
                set[i / 64] |= 1 << (i % 64);
            }
            set
        };
        let dept = |p: &Person| p.department.as_ref().map(|d| depts[&d.to_lowercase()]);
        let mentor_index: HashMap<Uuid, Vec<u32>> =
            problem
                .mentors
                .iter()
                .enumerate()
                .fold(HashMap::new(), |mut acc, (i, m)| {
                    acc.entry(m.person.key).or_default().push(i as u32);
                    acc
                });
        let pairs_of = |set: &HashSet<(Uuid, Uuid)>, with_self: bool| -> Vec<Vec<u32>> {
            let mut by_key: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
            for (a, b) in set {
                by_key.entry(*a).or_default().push(*b);
                by_key.entry(*b).or_default().push(*a);
            }
            problem
                .learners
                .iter()
                .map(|l| {
                    let mut out: Vec<u32> = by_key
                        .get(&l.key)
                        .into_iter()
                        .flatten()
                        .chain(with_self.then_some(&l.key))
                        .filter_map(|k| mentor_index.get(k))
                        .flatten()
                        .copied()
                        .collect();
                    out.sort_unstable();
                    out.dedup();
                    out
                })
                .collect()
        };
        let excluded = pairs_of(&problem.avoid, true);
        let met = pairs_of(&problem.history, false);
        let mut zones = ZoneTable::new(week_start, weights.waking);
        Self {
            weights,
            learner_skills: problem.learners.iter().map(|p| bits(&p.skills)).collect(),
            mentor_skills: problem
                .mentors
                .iter()
                .map(|m| bits(&m.person.skills))
                .collect(),
            learner_masks: problem
                .learners
                .iter()
                .map(|p| p.zone.map(|z| zones.mask(z)))
                .collect(),
            mentor_masks: problem
                .mentors
                .iter()
                .map(|m| m.person.zone.map(|z| zones.mask(z)))
                .collect(),
            learner_dept: problem.learners.iter().map(dept).collect(),
            mentor_dept: problem.mentors.iter().map(|m| dept(&m.person)).collect(),
            excluded,
            met,
        }
    }

    /// The score of learner `l` with mentor `m`, or `None` when they may not be paired.
    pub fn pair(&self, l: usize, m: usize) -> Option<PairScore> {
        let mi = m as u32;
        if self.excluded[l].binary_search(&mi).is_ok() {
            return None;
        }
        let overlap_hours = match (&self.learner_masks[l], &self.mentor_masks[m]) {
            (Some(a), Some(b)) => Some(a.overlap_hours(b)),
            _ => None,
        };
        let w = self.weights;
        if overlap_hours.is_some_and(|h| h < w.min_overlap_hours) {
            return None;
        }
        let shared_skills: u32 = self.learner_skills[l]
            .iter()
            .zip(&self.mentor_skills[m])
            .map(|(a, b)| (a & b).count_ones())
            .sum();
        let cross_department = matches!(
            (self.learner_dept[l], self.mentor_dept[m]),
            (Some(a), Some(b)) if a != b
        );
        let repeat = self.met[l].binary_search(&mi).is_ok();
        let total = w.per_shared_skill * i64::from(shared_skills)
            + w.per_overlap_hour * i64::from(overlap_hours.unwrap_or(0))
            + if cross_department {
                w.cross_department
            } else {
                0
            }
            - if repeat { w.repeat_penalty } else { 0 };
        Some(PairScore {
            total: total.max(0),
            shared_skills,
            overlap_hours,
            cross_department,
            repeat,
        })
    }
}

/// The skills two people share, in the learner's order.
pub fn shared_skills<'a>(learner: &'a [String], mentor: &[String]) -> Vec<&'a str> {
    learner
        .iter()
        .filter(|s| mentor.contains(s))
        .map(String::as_str)
        .collect()
}
