//! Intros: pairs within one group of peers (a circle), where everyone is on both sides.
//!
//! The pair score is the mentor matching's ([`super::Scorer`]); a pair it refuses (too few
//! shared waking hours, or an avoid) is never made. Pairs are taken best first, so each
//! person meets the best partner still free: a greedy matching, at least half the optimum's
//! total, and for a circle of a few dozen people it is what a lead would pick by hand.

/// Disjoint pairs `(i, j)` with `i < j`, best score first; ties go to the lower indices, so
/// the same circle gives the same intros. Whoever is left over sits this round out.
pub fn pair_up(people: usize, score: impl Fn(usize, usize) -> Option<i64>) -> Vec<(usize, usize)> {
    let mut candidates: Vec<(i64, usize, usize)> = Vec::new();
    for i in 0..people {
        for j in i + 1..people {
            // The scorer is learner-to-mentor: a pair counts as the better of its two ways,
            // and is refused if either way is.
            if let (Some(a), Some(b)) = (score(i, j), score(j, i)) {
                candidates.push((a.max(b), i, j));
            }
        }
    }
    candidates.sort_by(|x, y| y.0.cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    let mut taken = vec![false; people];
    let mut pairs = Vec::new();
    for (_, i, j) in candidates {
        if !taken[i] && !taken[j] {
            taken[i] = true;
            taken[j] = true;
            pairs.push((i, j));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_pairs_are_taken_and_nobody_twice() {
        // 0-1 score 9, 2-3 score 8, 0-2 score 10: 0 meets 2, then 1 meets 3.
        let table = |i: usize, j: usize| -> Option<i64> {
            let (a, b) = (i.min(j), i.max(j));
            Some(match (a, b) {
                (0, 2) => 10,
                (0, 1) => 9,
                (2, 3) => 8,
                _ => 1,
            })
        };
        assert_eq!(pair_up(4, table), vec![(0, 2), (1, 3)]);
    }

    #[test]
    fn refused_pairs_are_never_made_and_the_odd_one_sits_out() {
        // Person 2 may meet nobody; 0 and 1 meet.
        let score = |i: usize, j: usize| (i != 2 && j != 2).then_some(5);
        assert_eq!(pair_up(3, score), vec![(0, 1)]);
        assert!(pair_up(1, |_, _| Some(1)).is_empty());
        // A pair refused one way is refused.
        assert!(pair_up(2, |i, _| (i == 0).then_some(3)).is_empty());
    }
}
