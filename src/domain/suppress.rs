//! Hiding small groups in survey results, as HR survey tools do: a group is shown only
//! when at least `k` people answered, and when hiding it would let its number be worked
//! out by subtracting the shown groups from the shown total, more groups are hidden
//! (Populum's "secondary suppression").

/// Which of `counts` (answers per group, of one survey) may be shown when the total is
/// shown: `true` for a shown group. The rule:
/// - a group with fewer than `k` answers is hidden;
/// - while the hidden groups together hold some answers but fewer than `k`, the smallest
///   shown group is hidden too (the first of equal ones).
///
/// So the shown total minus the shown groups is zero or at least `k` answers: nobody's
/// answer can be had by subtraction. A total under `k` is itself hidden by the caller
/// ([`total_shown`]), and then every group is too.
pub fn shown_groups(counts: &[i64], k: i64) -> Vec<bool> {
    if !total_shown(counts.iter().sum(), k) {
        return vec![false; counts.len()];
    }
    let mut shown: Vec<bool> = counts.iter().map(|&n| n >= k).collect();
    loop {
        let hidden: i64 = counts
            .iter()
            .zip(&shown)
            .filter(|(_, shown)| !**shown)
            .map(|(n, _)| n)
            .sum();
        if hidden == 0 || hidden >= k {
            return shown;
        }
        let smallest = counts
            .iter()
            .enumerate()
            .filter(|(i, _)| shown[*i])
            .min_by_key(|(_, n)| **n)
            .map(|(i, _)| i);
        match smallest {
            Some(i) => shown[i] = false,
            // Unreachable while the total is at least `k`: the hidden ones would hold it.
            None => return shown,
        }
    }
}

/// Whether a survey's total of `answers` may be shown.
pub fn total_shown(answers: i64, k: i64) -> bool {
    answers >= k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_of_four_is_hidden_and_so_is_its_smallest_sibling() {
        // Finance 4, Sales 6, Ops 9: Finance alone hidden would be 19 − 6 − 9 = 4.
        assert_eq!(shown_groups(&[4, 6, 9], 5), [false, false, true]);
    }

    #[test]
    fn groups_at_the_threshold_are_all_shown() {
        assert_eq!(shown_groups(&[5, 5, 7], 5), [true, true, true]);
    }

    #[test]
    fn hidden_groups_that_together_reach_k_need_no_sibling_hidden() {
        assert_eq!(shown_groups(&[2, 3, 8], 5), [false, false, true]);
    }

    #[test]
    fn a_total_under_k_hides_everything() {
        assert_eq!(shown_groups(&[2, 2], 5), [false, false]);
        assert!(!total_shown(4, 5));
        assert!(total_shown(5, 5));
    }

    #[test]
    fn hiding_goes_on_until_the_remainder_reaches_k() {
        // 1 hidden; then the 2 (smallest shown) → 3 hidden; then a 5 → 8.
        assert_eq!(shown_groups(&[1, 2, 5, 6], 5), [false, false, false, true]);
    }

    #[test]
    fn the_remainder_is_never_between_one_and_k_minus_one() {
        for k in 3..=6 {
            for a in 0..9 {
                for b in 0..9 {
                    for c in 0..9 {
                        let counts = [a, b, c];
                        let shown = shown_groups(&counts, k);
                        let total: i64 = counts.iter().sum();
                        if !total_shown(total, k) {
                            assert!(shown.iter().all(|s| !s));
                            continue;
                        }
                        let remainder: i64 = counts
                            .iter()
                            .zip(&shown)
                            .filter(|(_, s)| !**s)
                            .map(|(n, _)| n)
                            .sum();
                        assert!(remainder == 0 || remainder >= k, "{counts:?} k={k}");
                        for (n, s) in counts.iter().zip(&shown) {
                            assert!(!s || *n >= k, "{counts:?} k={k}");
                        }
                    }
                }
            }
        }
    }
}
