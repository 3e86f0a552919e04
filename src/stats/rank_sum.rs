//! Two independent samples: the Wilcoxon rank-sum (Mann–Whitney U) test, exact for the
//! small windows of change-point detection.
//!
//! Exact because a change point is confirmed from as few as three runs after it: the
//! normal approximation is poor there. Without ties the null distribution of U for
//! sizes m and n is the coefficient list of the Gaussian binomial [m + n choose m]_q,
//! built in O(m · mn) integer steps and kept per size pair; with ties (integer counters)
//! or large samples, the normal approximation with the tie correction.

use super::normal_upper_tail;

/// Beyond this many values in both samples together the normal approximation is used.
const EXACT_MAX_TOTAL: usize = 100;

/// The result of one rank-sum test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankSumTest {
    /// Pairs (before, after) where the after value is larger, ties counting ½.
    pub u: f64,
    /// Two-sided p-value of "the two samples come from one distribution".
    pub p: f64,
}

/// The rank-sum test with its exact null distributions cached per size pair.
#[derive(Debug, Default)]
pub struct RankSum {
    /// Cumulative null probabilities P(U ≤ u), at `smaller × (EXACT_MAX_TOTAL + 1) +
    /// larger` size: a lookup per position of a scan, so an index rather than a hash.
    cdf: Vec<Option<Vec<f64>>>,
}

impl RankSum {
    /// An empty cache.
    pub fn new() -> RankSum {
        RankSum::default()
    }

    /// Tests `after` against `before`; `None` when either is empty.
    pub fn test(&mut self, before: &[f64], after: &[f64]) -> Option<RankSumTest> {
        let mut before = before.to_vec();
        before.sort_unstable_by(f64::total_cmp);
        let mut after = after.to_vec();
        after.sort_unstable_by(f64::total_cmp);
        self.test_sorted(&before, &after)
    }

    /// [`RankSum::test`] with both samples sorted ascending: U is counted in one merge,
    /// in O(m + n).
    pub fn test_sorted(&mut self, before: &[f64], after: &[f64]) -> Option<RankSumTest> {
        let (m, n) = (before.len(), after.len());
        if m == 0 || n == 0 {
            return None;
        }
        let mut doubled_u = 0usize;
        let mut ties = false;
        // before[..below] < a and before[..upto] <= a, for each a in order.
        let (mut below, mut upto) = (0, 0);
        for a in after {
            while below < m && before[below] < *a {
                below += 1;
            }
            upto = upto.max(below);
            while upto < m && before[upto] <= *a {
                upto += 1;
            }
            let equal = upto - below;
            doubled_u += 2 * below + equal;
            ties |= equal > 0;
        }
        Some(self.finish(before, after, doubled_u, ties))
    }

    fn finish(
        &mut self,
        before: &[f64],
        after: &[f64],
        doubled_u: usize,
        ties: bool,
    ) -> RankSumTest {
        let (m, n) = (before.len(), after.len());
        let u = doubled_u as f64 / 2.0;
        let p = if !ties && m + n <= EXACT_MAX_TOTAL {
            let cdf = self.cdf_for(m, n);
            // U for (after > before) and its mirror have the same distribution.
            let k = doubled_u / 2;
            let lower = cdf[k];
            // P(U ≥ k) = P(U ≤ mn − k) by symmetry.
            let upper = cdf[m * n - k];
            (2.0 * lower.min(upper)).min(1.0)
        } else {
            normal_p(before, after, u)
        };
        RankSumTest { u, p }
    }

    /// The smallest two-sided p-value any data can reach with these sizes (complete
    /// separation): below a threshold, no change can be confirmed yet.
    pub fn min_p(&mut self, m: usize, n: usize) -> f64 {
        if m == 0 || n == 0 {
            return 1.0;
        }
        if m + n <= EXACT_MAX_TOTAL {
            (2.0 * self.cdf_for(m, n)[0]).min(1.0)
        } else {
            0.0
        }
    }

    /// For sizes with `m + n <= EXACT_MAX_TOTAL`.
    fn cdf_for(&mut self, m: usize, n: usize) -> &Vec<f64> {
        let (small, large) = (m.min(n), m.max(n));
        let side = EXACT_MAX_TOTAL + 1;
        if self.cdf.is_empty() {
            self.cdf.resize(side * side, None);
        }
        self.cdf[small * side + large].get_or_insert_with(|| exact_cdf(small, large))
    }
}

/// P(U ≤ u) for u = 0 ..= mn without ties: the coefficients of
/// ∏_{i=1..m} (1 − q^{n+i}) / (1 − q^i), divided by C(m + n, m).
fn exact_cdf(m: usize, n: usize) -> Vec<f64> {
    let len = m * n + 1;
    let mut c = vec![0i128; len];
    c[0] = 1;
    for i in 1..=m {
        // × (1 − q^{n+i}): downward so each term reads the old coefficient.
        let k = n + i;
        for j in (k..len).rev() {
            c[j] -= c[j - k];
        }
        // ÷ (1 − q^i), i.e. × (1 + q^i + q^{2i} + …): upward.
        for j in i..len {
            c[j] += c[j - i];
        }
    }
    let total: i128 = c.iter().sum();
    let mut acc = 0i128;
    c.iter()
        .map(|x| {
            acc += x;
            acc as f64 / total as f64
        })
        .collect()
}

/// The van Elteren test: the rank-sum tests of several strata (the levels of a bimodal
/// benchmark, each compared with itself), combined with weights 1/(m + n + 1), so that
/// each stratum counts by its evidence and not by its size. Each stratum is
/// `(m, n, u)`: its sizes before and after and its U ([`RankSumTest::u`]). Two-sided,
/// by the normal approximation of the weighted sum; 1 when no stratum has values on
/// both sides.
///
/// van Elteren, "On the combination of independent two-sample tests of Wilcoxon",
/// Bulletin of the International Statistical Institute 37 (1960).
pub fn stratified_p(strata: &[(usize, usize, f64)]) -> f64 {
    let (mut sum, mut variance) = (0.0, 0.0);
    for &(m, n, u) in strata {
        if m == 0 || n == 0 {
            continue;
        }
        let (m, n) = (m as f64, n as f64);
        let w = 1.0 / (m + n + 1.0);
        sum += w * (u - m * n / 2.0);
        variance += w * w * m * n * (m + n + 1.0) / 12.0;
    }
    if variance <= 0.0 {
        return 1.0;
    }
    (2.0 * normal_upper_tail(sum.abs() / variance.sqrt())).min(1.0)
}

/// The normal approximation with continuity and tie corrections.
fn normal_p(before: &[f64], after: &[f64], u: f64) -> f64 {
    let (m, n) = (before.len() as f64, after.len() as f64);
    let total = m + n;
    let mut all: Vec<f64> = before.iter().chain(after).copied().collect();
    all.sort_unstable_by(f64::total_cmp);
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j + 1 < all.len() && all[j + 1] == all[i] {
            j += 1;
        }
        let t = (j - i + 1) as f64;
        tie_term += t * t * t - t;
        i = j + 1;
    }
    let variance = m * n / 12.0 * ((total + 1.0) - tie_term / (total * (total - 1.0)));
    if variance <= 0.0 {
        return 1.0;
    }
    let centre = m * n / 2.0;
    let distance = ((u - centre).abs() - 0.5).max(0.0);
    (2.0 * normal_upper_tail(distance / variance.sqrt())).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_stratum_is_the_rank_sum_test_by_its_normal_approximation() {
        // m = n = 10, every after value larger: U = 100, z = 50 / √(10·10·21/12).
        let p = stratified_p(&[(10, 10, 100.0)]);
        let z: f64 = 50.0 / (100.0f64 * 21.0 / 12.0).sqrt();
        assert!((p - 2.0 * normal_upper_tail(z)).abs() < 1e-12, "{p}");
        assert!(p < 2e-4, "{p}");
    }

    #[test]
    fn strata_that_move_apart_cancel_and_together_add_up() {
        // One stratum all larger after, one all smaller: no common move.
        assert_eq!(stratified_p(&[(10, 10, 100.0), (10, 10, 0.0)]), 1.0);
        // Two strata that each move the same way: more evidence than either.
        let one = stratified_p(&[(6, 6, 36.0)]);
        let two = stratified_p(&[(6, 6, 36.0), (6, 6, 36.0)]);
        assert!(two < one / 10.0, "{one} {two}");
        // A stratum with no values on one side counts for nothing.
        assert_eq!(stratified_p(&[(6, 6, 36.0), (4, 0, 0.0)]), one);
        assert_eq!(stratified_p(&[]), 1.0);
    }

    fn binomial(n: u64, k: u64) -> f64 {
        (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
    }

    #[test]
    fn complete_separation_has_the_smallest_p() {
        let mut t = RankSum::new();
        let before: Vec<f64> = (0..30).map(f64::from).collect();
        let after = [100.0, 101.0, 102.0];
        let r = t.test(&before, &after).unwrap();
        assert_eq!(r.u, 90.0);
        // Only one of the C(33, 3) orderings is as extreme, on each side.
        assert!((r.p - 2.0 / binomial(33, 3)).abs() < 1e-15);
        assert_eq!(r.p, t.min_p(30, 3));
        // Reversed: the same p.
        let low = [-3.0, -2.0, -1.0];
        assert_eq!(t.test(&before, &low).unwrap().p, r.p);
    }

    #[test]
    fn exact_distribution_matches_enumeration() {
        // All C(7, 3) placements of 3 "after" ranks among 7: count U of each.
        let (m, n) = (4usize, 3usize);
        let mut counts = vec![0u32; m * n + 1];
        for mask in 0u32..(1 << (m + n)) {
            if mask.count_ones() as usize != n {
                continue;
            }
            // U = pairs where an after rank exceeds a before rank.
            let mut u = 0;
            for a in 0..m + n {
                if mask & (1 << a) == 0 {
                    continue;
                }
                u += (0..a).filter(|b| mask & (1 << b) == 0).count();
            }
            counts[u] += 1;
        }
        let cdf = exact_cdf(m.min(n), m.max(n));
        let mut acc = 0;
        for (u, c) in counts.iter().enumerate() {
            acc += c;
            assert!((cdf[u] - f64::from(acc) / 35.0).abs() < 1e-12, "u = {u}");
        }
    }

    #[test]
    fn one_outlier_among_three_is_not_significant() {
        let mut t = RankSum::new();
        let before: Vec<f64> = (0..30).map(|i| 100.0 + f64::from(i % 7)).collect();
        let r = t.test(&before, &[300.0, 103.0, 102.5]).unwrap();
        assert!(r.p > 0.05, "{r:?}");
    }

    #[test]
    fn u_counts_pairs_with_ties_as_half() {
        let mut t = RankSum::new();
        let before = [3.0, 1.0, 2.0, 2.0, 5.0, 4.0, 2.5];
        let after = [2.0, 6.0, 0.5, 2.5];
        // Pairs (b, a) with a > b, ties ½, counted one by one.
        let pairs: f64 = after
            .iter()
            .flat_map(|a| before.iter().map(move |b| (a, b)))
            .map(|(a, b)| {
                if a > b {
                    1.0
                } else if a == b {
                    0.5
                } else {
                    0.0
                }
            })
            .sum();
        assert_eq!(t.test(&before, &after).unwrap().u, pairs);
    }

    #[test]
    fn ties_use_the_normal_approximation() {
        let mut t = RankSum::new();
        let before = [1.0; 20];
        let same = t.test(&before, &[1.0; 10]).unwrap();
        assert_eq!(same.p, 1.0);
        let higher = t.test(&before, &[2.0; 10]).unwrap();
        assert!(higher.p < 1e-4, "{higher:?}");
    }

    #[test]
    fn large_samples_agree_with_the_exact_test() {
        let before: Vec<f64> = (0..45).map(|i| f64::from(i) * 1.01).collect();
        let after: Vec<f64> = (0..45).map(|i| f64::from(i) + 4.5).collect();
        let mut t = RankSum::new();
        let exact = t.test(&before, &after).unwrap().p;
        let approx = normal_p(&before, &after, t.test(&before, &after).unwrap().u);
        assert!(exact < 0.5 && exact > 0.01, "{exact}");
        assert!((exact - approx).abs() / exact < 0.1, "{exact} {approx}");
    }
}
