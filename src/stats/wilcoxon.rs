//! Paired differences: the Wilcoxon signed-rank test with its exact null distribution,
//! the exact sign test, and the Hodges–Lehmann estimate with its exact confidence
//! interval.
//!
//! Exact because `bench-bot ab` has few rounds (3 to 30): the normal approximation is
//! poor there, and the exact distribution of the signed-rank sum costs a table of at
//! most n(n + 1) entries.

/// The signed-rank test of differences `d` (zeros dropped, ties given average ranks).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignedRank {
    /// Non-zero differences ranked.
    pub n: usize,
    /// The sum of the ranks of the positive differences.
    pub w_plus: f64,
    /// P(W+ ≥ observed) under no change: the one-sided p-value of "larger".
    pub p_greater: f64,
    /// P(W+ ≤ observed) under no change: the one-sided p-value of "smaller".
    pub p_less: f64,
    /// W+ standardised (normal approximation, for display).
    pub z: f64,
}

/// The Wilcoxon signed-rank test, exact: the null distribution of W+ given the ranks
/// (ties included) is counted over all 2ⁿ sign patterns. `None` without a non-zero
/// difference.
pub fn signed_rank(d: &[f64]) -> Option<SignedRank> {
    let mut nonzero: Vec<f64> = d
        .iter()
        .copied()
        .filter(|x| *x != 0.0 && x.is_finite())
        .collect();
    if nonzero.is_empty() {
        return None;
    }
    nonzero.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let n = nonzero.len();
    // Doubled average ranks are integers, so ties need no special case.
    let mut doubled = vec![0usize; n];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && nonzero[j + 1].abs() == nonzero[i].abs() {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their average, (i + j + 2) / 2; doubled: i + j + 2.
        for r in &mut doubled[i..=j] {
            *r = i + j + 2;
        }
        i = j + 1;
    }
    let observed: usize = nonzero
        .iter()
        .zip(&doubled)
        .filter(|(x, _)| **x > 0.0)
        .map(|(_, r)| r)
        .sum();
    let dist = null_distribution(&doubled);
    let p_less: f64 = dist[..=observed].iter().sum();
    let p_greater: f64 = dist[observed..].iter().sum();
    let total: usize = doubled.iter().sum();
    let mean = total as f64 / 4.0;
    let var: f64 = doubled
        .iter()
        .map(|r| (*r as f64 / 2.0).powi(2))
        .sum::<f64>()
        / 4.0;
    let w_plus = observed as f64 / 2.0;
    let z = if var > 0.0 {
        (w_plus - mean) / var.sqrt()
    } else {
        0.0
    };
    Some(SignedRank {
        n,
        w_plus,
        p_greater: p_greater.min(1.0),
        p_less: p_less.min(1.0),
        z,
    })
}

/// P(2·W+ = s) for every s, each sign equally likely, given the doubled ranks.
fn null_distribution(doubled: &[usize]) -> Vec<f64> {
    let total: usize = doubled.iter().sum();
    let mut dist = vec![0.0; total + 1];
    dist[0] = 1.0;
    let mut reach = 0;
    for &r in doubled {
        reach += r;
        for s in (r..=reach).rev() {
            dist[s] = (dist[s] + dist[s - r]) / 2.0;
        }
        for v in &mut dist[..r.min(reach + 1)] {
            *v /= 2.0;
        }
    }
    dist
}

/// The smallest one-sided p-value the exact test can give with `n` non-zero
/// differences: every difference on one side, 2⁻ⁿ.
pub fn signed_rank_min_p(n: usize) -> f64 {
    0.5f64.powi(n as i32)
}

/// The sign test of differences `d`, exact: of the n non-zero differences, k are
/// positive, and under no change K is Binomial(n, ½). Returns (P(K ≥ k), P(K ≤ k)), the
/// one-sided p-values of "larger" and "smaller"; `None` without a non-zero difference.
pub fn sign_test(d: &[f64]) -> Option<(f64, f64)> {
    let nonzero = d.iter().filter(|x| **x != 0.0 && x.is_finite());
    let n = nonzero.clone().count();
    if n == 0 {
        return None;
    }
    let k = nonzero.filter(|x| **x > 0.0).count();
    // ln P(K = j), from ln C(n, j) built up term by term: no overflow at any n.
    let mut ln_c = 0.0;
    let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
    let pmf: Vec<f64> = (0..=n)
        .map(|j| {
            if j > 0 {
                ln_c += ((n - j + 1) as f64 / j as f64).ln();
            }
            (ln_c + ln_half_n).exp()
        })
        .collect();
    let greater: f64 = pmf[k..].iter().sum();
    let less: f64 = pmf[..=k].iter().sum();
    Some((greater.min(1.0), less.min(1.0)))
}

/// The Hodges–Lehmann estimate of the centre of `d` (the median of the Walsh averages
/// (dᵢ + dⱼ) / 2, i ≤ j) and its exact confidence interval at `confidence` (two-sided),
/// or `None` for the interval when `d` has too few values for that confidence.
pub fn hodges_lehmann(d: &[f64], confidence: f64) -> Option<(f64, Option<(f64, f64)>)> {
    let n = d.len();
    if n == 0 {
        return None;
    }
    let mut walsh = Vec::with_capacity(n * (n + 1) / 2);
    for i in 0..n {
        for j in i..n {
            walsh.push((d[i] + d[j]) / 2.0);
        }
    }
    walsh.sort_by(f64::total_cmp);
    let estimate = super::median(&walsh);
    // W+ without ties takes 0 ..= M with the distribution of ranks 1..n; the interval
    // runs from the (c+1)-th to the (M−c)-th Walsh average, c the largest value with
    // P(W+ ≤ c) ≤ α/2.
    let ranks: Vec<usize> = (1..=n).map(|r| 2 * r).collect();
    let dist = null_distribution(&ranks);
    let alpha = (1.0 - confidence) / 2.0;
    let mut cumulative = 0.0;
    let mut c = None;
    for (w, p) in dist.iter().enumerate().step_by(2) {
        cumulative += p;
        if cumulative > alpha + 1e-12 {
            break;
        }
        c = Some(w / 2);
    }
    let m = walsh.len();
    let interval = c.map(|c| (walsh[c], walsh[m - 1 - c]));
    Some((estimate, interval))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_p_values_match_the_tables() {
        // All five positive: W+ = 15, P = 1/32 one-sided.
        let r = signed_rank(&[1.0, 2.0, 3.0, 4.0, 5.0]).expect("test");
        assert_eq!(r.w_plus, 15.0);
        assert!((r.p_greater - 1.0 / 32.0).abs() < 1e-12);
        assert!((r.p_less - 1.0).abs() < 1e-12);
        // n = 10, W+ = 8 (ranks 1, 3, 4 positive): P(W+ ≤ 8) = 25 / 1024 (the table's
        // 0.0244, the one-sided 2.5 % critical value).
        let d = [0.1, -0.2, 0.3, 0.4, -0.5, -0.6, -0.7, -0.8, -0.9, -1.0];
        let r = signed_rank(&d).expect("test");
        assert_eq!(r.w_plus, 8.0);
        assert!((r.p_less - 25.0 / 1024.0).abs() < 1e-12, "{}", r.p_less);
        assert!(r.z < 0.0);
        assert_eq!(signed_rank_min_p(10), 1.0 / 1024.0);
        assert!(signed_rank(&[0.0, 0.0]).is_none());
    }

    #[test]
    fn the_sign_test_counts_the_binomial_tails() {
        // 8 of 10 positive: P(K ≥ 8) = (45 + 10 + 1) / 1024; P(K ≤ 8) = 1 − (10 + 1) / 1024.
        let d = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, -1.0, -2.0, 0.0];
        let (greater, less) = sign_test(&d).expect("test");
        assert!((greater - 56.0 / 1024.0).abs() < 1e-12, "{greater}");
        assert!((less - 1013.0 / 1024.0).abs() < 1e-12, "{less}");
        assert_eq!(sign_test(&[0.0, 0.0]), None);
        // Every one of 2,000 on one side: 2⁻²⁰⁰⁰ is below f64's range, not NaN.
        let (greater, less) = sign_test(&vec![1.0; 2000]).expect("test");
        assert_eq!(greater, 0.0);
        assert!((less - 1.0).abs() < 1e-9, "{less}");
    }

    #[test]
    fn ties_share_their_rank_and_the_distribution_still_sums_to_one() {
        let r = signed_rank(&[1.0, -1.0, 2.0, 2.0, 3.0]).expect("test");
        // Ranks: |1| twice → 1.5 each, |2| twice → 3.5 each, 3 → 5; positives 1.5+3.5+3.5+5.
        assert_eq!(r.w_plus, 13.5);
        let dist = null_distribution(&[3, 3, 7, 7, 10]);
        assert!((dist.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(r.p_greater > 0.0 && r.p_greater < 0.2, "{r:?}");
    }

    proptest::proptest! {
        /// For any differences: both tails are probabilities that overlap at the observed
        /// value, flipping every sign swaps them, and the interval holds the estimate.
        #[test]
        fn tails_and_intervals_are_consistent(
            d in proptest::collection::vec(-1e3f64..1e3, 1..30),
        ) {
            if let Some(r) = signed_rank(&d) {
                proptest::prop_assert!(r.p_greater > 0.0 && r.p_greater <= 1.0);
                proptest::prop_assert!(r.p_less > 0.0 && r.p_less <= 1.0);
                proptest::prop_assert!(r.p_greater + r.p_less >= 1.0 - 1e-9);
                let flipped: Vec<f64> = d.iter().map(|x| -x).collect();
                let f = signed_rank(&flipped).expect("same non-zero values");
                proptest::prop_assert!((f.p_greater - r.p_less).abs() < 1e-9);
                proptest::prop_assert!(r.p_greater >= signed_rank_min_p(r.n) - 1e-15);
            }
            let (est, ci) = hodges_lehmann(&d, 0.95).expect("non-empty");
            if let Some((lo, hi)) = ci {
                proptest::prop_assert!(lo <= est && est <= hi);
            }
        }
    }

    #[test]
    fn hodges_lehmann_and_its_interval() {
        let d = [0.10, 0.12, 0.08, 0.11, 0.09, 0.30, 0.10];
        let (est, ci) = hodges_lehmann(&d, 0.95).expect("test");
        // One outlier (0.30) barely moves it.
        assert!((est - 0.105).abs() < 0.01, "{est}");
        let (lo, hi) = ci.expect("7 values give a 95 % interval");
        assert!(lo <= est && est <= hi && lo > 0.0, "{lo} {hi}");
        // n = 6: c = 0, the interval is the range of the Walsh averages.
        let (_, ci) = hodges_lehmann(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 0.95).expect("test");
        assert_eq!(ci, Some((1.0, 6.0)));
        // n = 5 cannot reach 95 %: 1/32 > 2.5 %.
        let (_, ci) = hodges_lehmann(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95).expect("test");
        assert_eq!(ci, None);
    }
}
