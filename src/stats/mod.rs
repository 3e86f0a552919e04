//! The statistics, as small pure functions: mean and standard deviation, median and
//! MAD, the two modes of a bimodal sample, Welch's t-test, Benjamini–Hochberg, and
//! normal tails; the signed-rank and sign tests and the Hodges–Lehmann estimate of
//! paired differences (`wilcoxon.rs`); the rank-sum test of two independent samples
//! (`rank_sum.rs`). statrs supplies the continuous distributions.

mod rank_sum;
mod wilcoxon;

pub use rank_sum::{RankSum, RankSumTest, stratified_p};
pub use wilcoxon::{SignedRank, hodges_lehmann, sign_test, signed_rank, signed_rank_min_p};

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// 1.4826 × MAD estimates σ for normal data.
pub const MAD_TO_SIGMA: f64 = 1.482_602_218_505_602;

/// Mean and sample standard deviation (n − 1); the deviation is 0 for fewer than 2 values.
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, 0.0);
    }
    let ss = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// Median of the values (NaN for none), by selection on a copy.
pub fn median(values: &[f64]) -> f64 {
    median_in_place(&mut values.to_vec())
}

/// Median of values already sorted ascending (NaN for none).
pub fn sorted_median(sorted: &[f64]) -> f64 {
    let k = sorted.len();
    match k {
        0 => f64::NAN,
        _ if k % 2 == 1 => sorted[k / 2],
        _ => (sorted[k / 2 - 1] + sorted[k / 2]) / 2.0,
    }
}

/// Median of `v`, reordering it (selection, not a full sort).
fn median_in_place(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let (_, upper, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return upper;
    }
    // The lower middle is the largest value left of the upper one.
    let lower = v[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lower + upper) / 2.0
}

/// Median absolute deviation around `centre` (unscaled).
pub fn mad(values: &[f64], centre: f64) -> f64 {
    let mut dev: Vec<f64> = values.iter().map(|v| (v - centre).abs()).collect();
    median_in_place(&mut dev)
}

/// One mode of a sample: its median, robust sigma (1.4826 × MAD) and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mode {
    /// The median of the samples in the mode.
    pub median: f64,
    /// Their robust sigma.
    pub sigma: f64,
    /// How many samples the mode holds.
    pub n: usize,
}

/// The two modes of a sample whose values fall in two separate clusters (a GC pause in
/// some rounds, two CPU frequency states), lower mode first; `None` for one cluster.
///
/// Needs at least 40 samples: fewer cannot tell two clusters from noise. On the log
/// values, sorted: the widest gap with at least 5 % of the samples (and 5 samples) on
/// each side splits them when it is wider than 4 robust sigmas of either
/// side and the two medians are at least 10 % apart. A long tail of slow rounds is
/// not a mode: its own spread is as wide as its gaps.
pub fn two_modes(samples: &[f64]) -> Option<(Mode, Mode)> {
    let c = Clusters::of(samples, 40, (0.05, 5))?;
    let (low, high) = c.parts();
    if c.gap() <= GAP_SIGMAS * log_spread(low, c.m_low).max(log_spread(high, c.m_high)) {
        return None;
    }
    Some(c.modes())
}

/// The two levels a history of runs alternates between, lower first; `None` for a
/// history at one level, or one that stepped from one level to the other.
///
/// At least 12 values. On the log values, sorted, the widest gap with at least 10 % of
/// the values (and 5; 4 in fewer than 20 values) on each side splits them into two
/// levels, whose medians must be at least 10 % apart. They are two separate levels when
/// - the gap is wider than 4 robust sigmas of either side ([`two_modes`]' test), or
/// - the medians are at least 5 robust sigmas of the noisier level apart, and that
///   level's spread is at most 3 times the other's (a tail of slow runs spread over a
///   wide range is not a level).
///
/// The second test is what a history needs: the more runs, the nearer the tails of two
/// clusters come, and the gap alone saw two levels in 40 % of 200-run histories
/// 30 % of whose runs were 20 % slower at CV 2 %.
///
/// And the history must visit each level in at least 3 separate stretches (a value
/// within a third of the levels' distance of one is at it; others are skipped): a step
/// with a slow outlier before it visits the upper level twice, and is not bimodal.
pub fn two_levels(values: &[f64]) -> Option<(Mode, Mode)> {
    const MIN_STRETCHES: usize = 3;
    let c = Clusters::of(values, 12, (0.10, if values.len() < 20 { 4 } else { 5 }))?;
    let (low, high) = c.parts();
    let (m_low, m_high) = (c.m_low, c.m_high);
    let separate = separate_levels(
        c.gap(),
        (m_high / m_low).ln(),
        (log_spread(low, m_low), log_spread(high, m_high)),
    );
    let logs = values.iter().map(|v| v.ln());
    (separate
        && level_stretches(logs, m_low.ln(), m_high.ln())
            .iter()
            .all(|k| *k >= MIN_STRETCHES))
    .then(|| c.modes())
}

/// Whether two parts of a set of values, split at their widest gap, are two separate
/// levels ([`two_levels`]' test), all in log units: the medians at least 10 % apart
/// (`distance`), and the `gap` wider than 4 robust sigmas (`spreads`) of the noisier
/// part or the medians at least 5 of them apart, that part's spread at most 3 times
/// the other's.
pub fn separate_levels(gap: f64, distance: f64, (spread_low, spread_high): (f64, f64)) -> bool {
    const MIN_SIGMAS: f64 = 5.0;
    const MAX_SPREAD_RATIO: f64 = 3.0;
    let (wide, narrow) = (spread_low.max(spread_high), spread_low.min(spread_high));
    distance >= MODES_MIN_RATIO.ln()
        && (gap > GAP_SIGMAS * wide
            || (distance >= MIN_SIGMAS * wide && wide <= MAX_SPREAD_RATIO * narrow))
}

/// How many separate stretches of `logs` (log values, in run order) sit at the level
/// `low` and at `high` (logs too): a value within a third of their distance of one is
/// at it; the others are skipped.
pub fn level_stretches(logs: impl IntoIterator<Item = f64>, low: f64, high: f64) -> [usize; 2] {
    let third = (high - low) / 3.0;
    let mut count = [0usize; 2];
    let mut at = None;
    for v in logs {
        let side = if (v - low).abs() <= third {
            0
        } else if (v - high).abs() <= third {
            1
        } else {
            continue;
        };
        if at != Some(side) {
            count[side] += 1;
            at = Some(side);
        }
    }
    count
}

/// The gap between two modes, in robust sigmas of the wider one, that separates them.
const GAP_SIGMAS: f64 = 4.0;

/// Two modes or levels are at least 10 % apart.
pub const MODES_MIN_RATIO: f64 = 1.1;

/// Values split in two at their widest gap, as [`two_modes`] and [`two_levels`] both
/// start: sorted, the index of the split and the medians of the two parts.
struct Clusters {
    sorted: Vec<f64>,
    split: usize,
    m_low: f64,
    m_high: f64,
}

impl Clusters {
    /// `values` split at the widest gap between neighbours (as a ratio) with at least
    /// `min_share` of them, and `min_side`, on each side, when the medians of the parts
    /// are at least 10 % apart; `None` otherwise, for fewer than `min_values` values,
    /// or for any value that is not finite and positive.
    fn of(values: &[f64], min_values: usize, (min_share, min_side): (f64, usize)) -> Option<Self> {
        let n = values.len();
        let side = min_side.max((min_share * n as f64).ceil() as usize);
        if n < min_values || values.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return None;
        }
        // The log is monotone: gaps in log are ratios of neighbours, and the medians
        // of a sorted part are read by index.
        let mut sorted = values.to_vec();
        sorted.sort_unstable_by(f64::total_cmp);
        let split = widest_gap(&sorted, side, |a, b| b / a)?;
        let (m_low, m_high) = (
            sorted_median(&sorted[..split]),
            sorted_median(&sorted[split..]),
        );
        (m_high / m_low >= MODES_MIN_RATIO).then_some(Self {
            sorted,
            split,
            m_low,
            m_high,
        })
    }

    /// The lower and the upper part.
    fn parts(&self) -> (&[f64], &[f64]) {
        self.sorted.split_at(self.split)
    }

    /// The gap between the parts, in log units.
    fn gap(&self) -> f64 {
        (self.sorted[self.split] / self.sorted[self.split - 1]).ln()
    }

    /// The two parts as modes, lower first.
    fn modes(&self) -> (Mode, Mode) {
        let (low, high) = self.parts();
        (mode(low, self.m_low), mode(high, self.m_high))
    }
}

/// Where sorted values have their widest gap, as `gap(below, above)` measures it, with
/// at least `side` values (and one) on each side: the index of the first value above
/// it. `None` for fewer than twice `side` values. Of equal gaps, the last.
pub fn widest_gap(sorted: &[f64], side: usize, gap: impl Fn(f64, f64) -> f64) -> Option<usize> {
    let side = side.max(1);
    let n = sorted.len();
    if n < 2 * side {
        return None;
    }
    (side..=n - side)
        .max_by(|&i, &j| gap(sorted[i - 1], sorted[i]).total_cmp(&gap(sorted[j - 1], sorted[j])))
}

/// Robust sigma of sorted positive values in log units: 1.4826 × the median of
/// |ln(v / m)| around their median `m`.
fn log_spread(part: &[f64], m: f64) -> f64 {
    let dev: Vec<f64> = part.iter().map(|v| (v / m).ln().abs()).collect();
    MAD_TO_SIGMA * median(&dev)
}

/// A mode of sorted values with median `m`.
fn mode(part: &[f64], m: f64) -> Mode {
    Mode {
        median: m,
        sigma: MAD_TO_SIGMA * mad(part, m),
        n: part.len(),
    }
}

/// Welch's two-sample t statistic and Welch–Satterthwaite degrees of freedom for
/// `b − a`, from summaries. `None` when both variances are zero or n < 2.
pub fn welch(a: (f64, f64, f64), b: (f64, f64, f64)) -> Option<(f64, f64)> {
    let (ma, sa, na) = a;
    let (mb, sb, nb) = b;
    if na < 2.0 || nb < 2.0 {
        return None;
    }
    let va = sa * sa / na;
    let vb = sb * sb / nb;
    let se2 = va + vb;
    if se2 <= 0.0 || !se2.is_finite() {
        return None;
    }
    let t = (mb - ma) / se2.sqrt();
    let df = se2 * se2 / (va * va / (na - 1.0) + vb * vb / (nb - 1.0));
    Some((t, df))
}

/// Degrees of freedom above which Student's t is read as the normal: at 3 σ the two
/// differ by under 0.1 % of the threshold there, and statrs' inverse does not converge
/// for very large values.
const NORMAL_DF: f64 = 1e4;

/// One-sided upper tail P(T ≥ t) of Student's t with `df` degrees of freedom.
pub fn t_upper_tail(t: f64, df: f64) -> f64 {
    if df > NORMAL_DF {
        return normal_upper_tail(t);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => (1.0 - dist.cdf(t)).clamp(0.0, 1.0),
        Err(_) => normal_upper_tail(t),
    }
}

/// The t with P(T ≥ t) = p for Student's t with `df` degrees of freedom.
pub fn t_quantile_upper(p: f64, df: f64) -> f64 {
    if df > NORMAL_DF {
        return normal_quantile_upper(p);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => dist.inverse_cdf(1.0 - p),
        Err(_) => normal_quantile_upper(p),
    }
}

/// The z with P(Z ≥ z) = p for the standard normal.
pub fn normal_quantile_upper(p: f64) -> f64 {
    #[expect(clippy::unwrap_used, reason = "N(0, 1) is a valid distribution")]
    let n = Normal::new(0.0, 1.0).unwrap();
    n.inverse_cdf(1.0 - p)
}

/// One-sided upper tail P(Z ≥ z) of the standard normal.
pub fn normal_upper_tail(z: f64) -> f64 {
    #[expect(clippy::unwrap_used, reason = "N(0, 1) is a valid distribution")]
    let n = Normal::new(0.0, 1.0).unwrap();
    // `sf` keeps precision far in the tail, where 1 − cdf rounds to 0.
    n.sf(z).clamp(0.0, 1.0)
}

/// Benjamini–Hochberg adjusted p-values, in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut adjusted = vec![0.0; m];
    let mut running = 1.0_f64;
    for (k, &i) in order.iter().enumerate() {
        let rank = (m - k) as f64;
        running = running.min(p[i] * m as f64 / rank);
        adjusted[i] = running.min(1.0);
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard normal deviates from a fixed seed.
    fn normals(seed: u64, n: usize) -> Vec<f64> {
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        (0..n).map(|_| StandardNormal.sample(&mut rng)).collect()
    }

    #[test]
    fn two_modes_splits_two_clusters_and_not_a_tail() {
        // 80 % fast rounds near 100, 20 % near 140 (a pause in some rounds), CV 2 %.
        let z = normals(7, 500);
        let bimodal: Vec<f64> = z
            .iter()
            .enumerate()
            .map(|(i, z)| if i % 5 == 0 { 140.0 } else { 100.0 } * (1.0 + 0.02 * z))
            .collect();
        let (low, high) = two_modes(&bimodal).expect("two modes");
        assert!((low.median - 100.0).abs() < 1.0, "{low:?}");
        assert!((high.median - 140.0).abs() < 1.5, "{high:?}");
        assert_eq!((low.n, high.n), (400, 100));
        // One cluster with a right tail (lognormal, CV 30 %): no modes.
        let tail: Vec<f64> = z.iter().map(|z| 100.0 * (0.3 * z).exp()).collect();
        assert_eq!(two_modes(&tail), None);
        // Too few samples, or clusters under 10 % apart, are not split.
        assert_eq!(two_modes(&bimodal[..39]), None);
        let close: Vec<f64> = z
            .iter()
            .enumerate()
            .map(|(i, z)| if i % 2 == 0 { 100.0 } else { 105.0 } * (1.0 + 0.001 * z))
            .collect();
        assert_eq!(two_modes(&close), None);
    }

    #[test]
    fn two_levels_are_visited_in_turn_and_a_step_is_not_two_levels() {
        // 200 runs, 30 % of them 20 % slower, CV 2 %: the tails of the two clusters
        // meet, so the gap between them is no wider than 4 sigmas.
        let z = normals(1, 200);
        let bimodal: Vec<f64> = z
            .iter()
            .enumerate()
            .map(|(i, z)| if i % 10 < 3 { 120.0 } else { 100.0 } * (1.0 + 0.02 * z))
            .collect();
        let (low, high) = two_levels(&bimodal).expect("two levels");
        assert!((low.median - 100.0).abs() < 1.0, "{low:?}");
        assert!((high.median - 120.0).abs() < 1.5, "{high:?}");
        assert_eq!((low.n, high.n), (140, 60));
        assert_eq!(two_modes(&bimodal), None, "the gap test alone misses them");
        // One step, with one earlier run at the new level: two visits, one level each.
        let step: Vec<f64> = z[..120]
            .iter()
            .enumerate()
            .map(|(i, z)| if i == 30 || i >= 80 { 125.0 } else { 100.0 } * (1.0 + 0.02 * z))
            .collect();
        assert_eq!(two_levels(&step), None);
        // With a third visit the upper level is one the history comes back to.
        let mut back = step.clone();
        back[50] = 125.0;
        assert!(two_levels(&back).is_some());
        // Early in a history: 15 runs, 5 at the slow level, in 5 stretches; the first
        // 15 above visit it twice.
        let early: Vec<f64> = z[..15]
            .iter()
            .enumerate()
            .map(|(i, z)| if i % 3 == 0 { 120.0 } else { 100.0 } * (1.0 + 0.02 * z))
            .collect();
        assert!(two_levels(&early).is_some());
        assert_eq!(two_levels(&bimodal[..15]), None);
        // One noisy level (CV 30 %), and fewer than 12 runs: none.
        let noisy: Vec<f64> = z.iter().map(|z| 100.0 * (0.3 * z).exp()).collect();
        assert_eq!(two_levels(&noisy), None);
        assert_eq!(two_levels(&bimodal[..11]), None);
    }

    #[test]
    fn huge_degrees_of_freedom_read_as_the_normal() {
        let z = normal_quantile_upper(normal_upper_tail(3.0));
        assert!((t_quantile_upper(normal_upper_tail(3.0), 7.6e12) - z).abs() < 1e-9);
        assert!((t_quantile_upper(normal_upper_tail(3.0), 9e3) - 3.0).abs() < 0.01);
        assert_eq!(t_upper_tail(3.0, f64::MAX), normal_upper_tail(3.0));
    }

    #[test]
    fn welch_matches_a_textbook_example() {
        // Welch (1947)-style example as worked in NIST/SciPy references:
        // a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4]
        // b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4]
        // scipy.stats.ttest_ind(a, b, equal_var=False): t = -2.46, df = 24.99, p(two-sided) = 0.021.
        let a = [
            27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7,
            21.4,
        ];
        let b = [
            27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5,
            24.4,
        ];
        let (ma, sa) = mean_sd(&a);
        let (mb, sb) = mean_sd(&b);
        let (t, df) = welch((mb, sb, 15.0), (ma, sa, 15.0)).expect("defined");
        assert!((t - -2.46).abs() < 0.005, "t = {t}");
        assert!((df - 24.99).abs() < 0.01, "df = {df}");
        let two_sided = 2.0 * t_upper_tail(t.abs(), df);
        assert!((two_sided - 0.021).abs() < 0.0005, "p = {two_sided}");
    }

    #[test]
    fn benjamini_hochberg_matches_a_known_list() {
        assert!(benjamini_hochberg(&[]).is_empty());
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5), "BH")
        //    = 0.025 0.050 0.050 0.025 0.500
        let adj = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005, 0.5]);
        let want = [0.025, 0.05, 0.05, 0.025, 0.5];
        assert_eq!(adj.len(), want.len(), "one adjusted p per p: {adj:?}");
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
    }

    #[test]
    fn normal_tail_at_three_sigma() {
        assert!((normal_upper_tail(3.0) - 0.001_349_898).abs() < 1e-8);
        // Far in the tail: a number (not NaN), at most the smallest normal double.
        let far = normal_upper_tail(40.0);
        assert!((0.0..=f64::MIN_POSITIVE).contains(&far), "{far}");
    }

    #[test]
    fn the_widest_gap_leaves_enough_values_on_each_side() {
        let sorted = [1.0, 1.1, 1.2, 2.0, 2.1, 9.0];
        let difference = |a: f64, b: f64| b - a;
        assert_eq!(widest_gap(&sorted, 1, difference), Some(5));
        assert_eq!(widest_gap(&sorted, 2, difference), Some(3));
        assert_eq!(widest_gap(&sorted, 3, difference), Some(3));
        assert_eq!(widest_gap(&sorted, 4, difference), None);
        // 3 → 5 is the widest difference, 1 → 2 the widest ratio.
        let values = [1.0, 2.0, 3.0, 5.0];
        assert_eq!(widest_gap(&values, 1, difference), Some(3));
        assert_eq!(widest_gap(&values, 1, |a, b| b / a), Some(1));
    }

    #[test]
    fn median_and_mad() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(mad(&[1.0, 2.0, 3.0, 4.0, 100.0], 3.0), 1.0);
    }
}
