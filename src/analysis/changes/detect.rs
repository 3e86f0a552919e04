//! Change points of one series: a left-to-right scan with two adjacent windows and the
//! exact rank-sum test, on log values.
//!
//! At each position `t` of the current segment (which starts at the last change point
//! found), the up to `window` values before `t` are tested against the up to `window`
//! values from `t` on. A position passes when
//! - there are at least [`MIN_BEFORE`] values before and [`MIN_AFTER`] after,
//! - the medians differ by at least `min_change_pct`, and
//! - the two-sided rank-sum p-value is at most `p_value`.
//!
//! The after-window holds no more values than the before-window, so that the next
//! change stays out of it. Ranks and medians make one slow run harmless: among three
//! runs after a candidate, one outlier moves neither the median nor the ranks enough.
//! Outliers of the before-window (one level) and episodes of the after-window (a few
//! runs a factor of two or more off) are left out of the test.
//! The first passing position can be early (its after-window already mostly at the
//! new level), so the change point is the split of the values around it with the
//! largest weighted difference of means (on values clipped to Tukey's fences, episodes
//! left out); the next segment starts there.
//!
//! Once a change point is found, the runs on each side of it (those the test looked at,
//! and those of the change point's own after-window) are searched once more for a
//! second one ([`Detector::part_split`]): two changes a few runs apart. Where the
//! windows' ranks differ but their medians by less than `min_change_pct`, either window
//! can hold a short level between two changes that partly cancel
//! ([`Detector::cancelling`]).
//!
//! Where the plain test does not pass and both windows alternate between two separate
//! levels, each level is tested against itself ([`Detector::within_levels`]): a
//! bimodal benchmark slower in both of its modes moves the mixtures' ranks less than
//! its alternation spreads them. Two levels are also one narrow and one wide
//! ([`wide_and_narrow`]), as a version matrix with one steady version writes them.
//!
//! Incremental: a decision at `t` reads values up to `t + 2 × window`. The scan
//! keeps a checkpoint, the state before the last decision whose data was complete; a
//! longer series resumes there, and the result is the one a full scan would give.

use std::ops::Range;

use crate::stats::{self, MAD_TO_SIGMA, RankSum, sorted_median, stratified_p};

/// Values needed after a change point before it is reported: its delay, in runs.
pub const MIN_AFTER: usize = 3;
/// Values needed before a change point, in its segment.
pub const MIN_BEFORE: usize = 3;
/// The p-value a second change point beside a confirmed one must reach, as a fraction
/// of `p_value`.
const PART_P_FACTOR: f64 = 0.1;

/// The knobs of the scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Values on each side of a candidate, at most.
    pub window: usize,
    /// The largest two-sided p-value that confirms a change point.
    pub p_value: f64,
    /// The smallest change of the median, in percent.
    pub min_change_pct: f64,
}

/// One change point: the index of the first value after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Split {
    /// The index of the first value of the new level.
    pub index: usize,
    /// The rank-sum p-value of the windows around it.
    pub p_value: f64,
}

/// Where a scan can resume: the segment start, the next position to decide, and how
/// many splits were found before it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Checkpoint {
    segment: usize,
    position: usize,
    splits: usize,
}

/// The change points of a series, with the state to extend it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Detection {
    /// The change points, in order.
    pub splits: Vec<Split>,
    /// How many values were scanned.
    pub len: usize,
    checkpoint: Checkpoint,
}

/// The scanner; holds the rank-sum tables and scratch space between series.
#[derive(Debug)]
pub struct Detector {
    settings: Settings,
    min_log: f64,
    rank_sum: RankSum,
    /// Scratch space for the sorted before-window.
    sorted: Vec<f64>,
    /// Scratch space for the sorted after-window.
    sorted_after: Vec<f64>,
    /// The ranges of the series that `sorted` and `sorted_after` hold, as (start of the
    /// before-window, `t`, end of the after-window), while they hold them.
    sorted_for: Option<(usize, usize, usize)>,
}

impl Detector {
    /// A scanner with these settings.
    pub fn new(settings: Settings) -> Detector {
        Detector {
            settings: Settings {
                window: settings.window.max(MIN_BEFORE.max(MIN_AFTER)),
                ..settings
            },
            min_log: (1.0 + settings.min_change_pct.max(0.0) / 100.0).ln(),
            rank_sum: RankSum::new(),
            sorted: Vec::new(),
            sorted_after: Vec::new(),
            sorted_for: None,
        }
    }

    /// The change points of a whole series of log values.
    pub fn detect(&mut self, y: &[f64]) -> Detection {
        self.update(y, &Detection::default())
    }

    /// The change points of `y`, a series that extends the one `previous` scanned:
    /// only its tail is re-examined.
    pub fn update(&mut self, y: &[f64], previous: &Detection) -> Detection {
        self.sorted_for = None;
        let start = if previous.len <= y.len() {
            previous.checkpoint
        } else {
            Checkpoint::default()
        };
        let mut splits = previous.splits[..start.splits.min(previous.splits.len())].to_vec();
        let (mut segment, mut t) = (start.segment, start.position.max(MIN_BEFORE));
        let mut checkpoint = start;
        let w = self.settings.window;
        let reach = 2 * w;
        let n = y.len();
        while t + MIN_AFTER <= n {
            if t + reach <= n {
                checkpoint = Checkpoint {
                    segment,
                    position: t,
                    splits: splits.len(),
                };
            }
            let verdict = self.verdict(y, segment, t);
            if let Verdict::Shift = verdict
                && let Some(pair) = self.cancelling(y, segment, t)
            {
                splits.extend(pair);
                segment = pair[1].index;
                t = segment + MIN_BEFORE;
            } else if let Verdict::Change(..) = verdict {
                // The runs the test looked at, and after the change point those up to
                // the end of its own after-window, are searched for a second change.
                let (before, after) = self.windows(y, segment, t);
                let (lo, hi) = (t - before.len(), t + after.len());
                let split = self.refine(y, segment, t);
                let hi = hi.max(split.index + self.windows(y, segment, split.index).1.len());
                if let Some(left) = self.part_split(y, lo, split.index) {
                    splits.push(left);
                }
                splits.push(split);
                segment = split.index;
                if let Some(right) = self.part_split(y, split.index, hi) {
                    // The best split of the runs after can be a later, larger change
                    // than one between: those runs are searched once more.
                    if let Some(between) = self.part_split(y, split.index, right.index) {
                        splits.push(between);
                    }
                    splits.push(right);
                    segment = right.index;
                }
                t = segment + MIN_BEFORE;
            } else {
                t += 1;
            }
        }
        Detection {
            splits,
            len: n,
            checkpoint,
        }
    }

    /// The windows around `t` in the segment starting at `segment`: up to `window`
    /// values before it, and as many after it as before (a shorter after-window keeps
    /// the next change out of it).
    fn windows<'a>(&self, y: &'a [f64], segment: usize, t: usize) -> (&'a [f64], &'a [f64]) {
        let w = self.settings.window;
        let before = &y[segment.max(t.saturating_sub(w))..t];
        let after = &y[t..y.len().min(t + before.len().max(MIN_AFTER))];
        (before, after)
    }

    /// The p-value when position `t` passes, with the median change. The before-window
    /// is one level by construction, so its outliers (beyond Tukey's fences) are left
    /// out of the test: a slow run there must not hide the new level. The after-window
    /// may hold two levels, so only its episodes are left out: values beyond its outer
    /// fences and at least a factor of two from its median ([`episode_free`]).
    fn passes(&mut self, y: &[f64], segment: usize, t: usize) -> Option<(f64, f64)> {
        match self.test_at(y, segment, t, false) {
            Verdict::Change(p, change) => Some((p, change)),
            _ => None,
        }
    }

    /// [`Detector::passes`] as a [`Verdict`], which also tells a shift of the ranks too
    /// small in the medians.
    fn verdict(&mut self, y: &[f64], segment: usize, t: usize) -> Verdict {
        self.test_at(y, segment, t, true)
    }

    fn test_at(&mut self, y: &[f64], segment: usize, t: usize, small: bool) -> Verdict {
        let (before, after) = self.windows(y, segment, t);
        if before.len() < MIN_BEFORE || after.len() < MIN_AFTER {
            return Verdict::No;
        }
        // Fewer values (outliers left out) only raise the smallest p-value.
        if self.rank_sum.min_p(before.len(), after.len()) > self.settings.p_value {
            return Verdict::No;
        }
        // Both windows sorted: their fences, their kept values (a contiguous run of the
        // sorted values) and their medians without another sort. The scan moves one
        // position at a time, so the sorted windows of the last position tested are
        // brought up to date rather than sorted again.
        let start = t - before.len();
        let end = t + after.len();
        let mut sorted = std::mem::take(&mut self.sorted);
        let mut sorted_after = std::mem::take(&mut self.sorted_after);
        match self.sorted_for {
            Some((old_start, old_t, old_end)) if old_t < t && t < old_end && old_start <= start => {
                slide(&mut sorted, y, old_start..old_t, start..t);
                slide(&mut sorted_after, y, old_t..old_end, t..end);
            }
            _ => {
                sort_into(&mut sorted, before);
                sort_into(&mut sorted_after, after);
            }
        }
        self.sorted_for = Some((start, t, end));
        let (kept, after) = (outlier_free(&sorted), episode_free(&sorted_after));
        let decision = self
            .decide(kept, after)
            .or_else(|| self.within_levels(&y[start..t], episode_free(&sorted), after, true));
        let result = match decision {
            Some((p, change)) => Verdict::Change(p, change),
            None if small
                && self.rank_sum.min_p(kept.len(), after.len()) <= self.settings.p_value
                && self
                    .rank_sum
                    .test_sorted(kept, after)
                    .is_some_and(|x| x.p <= self.settings.p_value) =>
            {
                Verdict::Shift
            }
            None => Verdict::No,
        };
        self.sorted = sorted;
        self.sorted_after = sorted_after;
        result
    }

    /// The test of the sorted after-window against the sorted, outlier-free
    /// before-window.
    fn decide(&mut self, kept: &[f64], after: &[f64]) -> Option<(f64, f64)> {
        if self.rank_sum.min_p(kept.len(), after.len()) > self.settings.p_value {
            return None;
        }
        let change = sorted_median(after) - sorted_median(kept);
        if change.abs() < self.min_log {
            return None;
        }
        let test = self.rank_sum.test_sorted(kept, after)?;
        (test.p <= self.settings.p_value).then_some((test.p, change))
    }

    /// A change of a benchmark that alternates between two levels, in both of them.
    /// The windows' medians compare mixtures: a benchmark 25 % slower in both of its
    /// modes moves them by less than the spread its modes give it, and the rank-sum
    /// test of the whole windows misses it. Here
    /// - the sorted before-window falls in two separate levels (`stats::two_levels`'
    ///   test on its widest gap; with `wide_too`, also one level narrow and the other
    ///   wide: [`wide_and_narrow`]), each with at least a fifth of its runs (and 3), that
    ///   `order`, the window in run order, visits in at least 3 separate stretches each,
    /// - the sorted after-window falls in two separate levels as far apart (within a
    ///   third of their distance),
    /// - each level moved by at least `min_change_pct`, both the same way, and
    /// - the rank-sum tests of each level against itself, combined ([`stratified_p`]),
    ///   reach a tenth of `p_value`: the levels are split where the values fall, a
    ///   choice the plain test does not make.
    ///
    /// The p-value, and the change: the levels' moves weighted by their runs before.
    fn within_levels(
        &mut self,
        order: &[f64],
        before: &[f64],
        after: &[f64],
        wide_too: bool,
    ) -> Option<(f64, f64)> {
        if before.len() < 2 * LEVEL_MIN_BEFORE || after.len() < 2 * LEVEL_MIN_AFTER {
            return None;
        }
        let side = LEVEL_MIN_BEFORE.max((0.2 * before.len() as f64).ceil() as usize);
        let (k, low, high) = separate_levels(before, side, wide_too)?;
        let distance = high - low;
        if stats::level_stretches(order.iter().copied(), low, high)
            .iter()
            .any(|s| *s < LEVEL_MIN_STRETCHES)
        {
            return None;
        }
        let (j, a_low, a_high) = separate_levels(after, LEVEL_MIN_AFTER, wide_too)?;
        let (d_low, d_high) = (a_low - low, a_high - high);
        if (a_high - a_low - distance).abs() > distance / 3.0
            || d_low.signum() != d_high.signum()
            || d_low.abs().min(d_high.abs()) < self.min_log
        {
            return None;
        }
        let low_test = self.rank_sum.test_sorted(&before[..k], &after[..j])?;
        let high_test = self.rank_sum.test_sorted(&before[k..], &after[j..])?;
        let p = stratified_p(&[
            (k, j, low_test.u),
            (before.len() - k, after.len() - j, high_test.u),
        ]);
        let change = (d_low * k as f64 + d_high * (before.len() - k) as f64) / before.len() as f64;
        (p <= self.settings.p_value * PART_P_FACTOR).then_some((p, change))
    }

    /// Where the change is, once position `t` passed: where the test within the levels
    /// places it, when only that test passes at `t` ([`Detector::locate_within_levels`]);
    /// else the best split of the values around `t` (its two windows; [`best_split`]),
    /// when that split passes too; else `t`. The first passing position can be early,
    /// its after-window already mostly at the new level.
    fn refine(&mut self, y: &[f64], segment: usize, t: usize) -> Split {
        let (before, after) = self.windows(y, segment, t);
        let lo = t - before.len();
        let hi = t + after.len();
        let first = MIN_BEFORE.max((t - lo).saturating_sub(MIN_AFTER));
        let best = best_split(&y[lo..hi], first, MIN_AFTER).map(|k| lo + k);
        let plain = best.filter(|s| *s > segment).and_then(|s| {
            self.passes(y, segment, s).map(|(p, _)| Split {
                index: s,
                p_value: p,
            })
        });
        if let Some(split) = self.locate_within_levels(y, segment, t, hi, plain.is_none()) {
            return split;
        }
        if let Some(split) = plain {
            return split;
        }
        let p = self
            .passes(y, segment, t)
            .map_or(self.settings.p_value, |x| x.0);
        Split {
            index: t,
            p_value: p,
        }
    }

    /// Where a change that only [`Detector::within_levels`] sees lies, when the plain
    /// test does not pass at `t`: the position from `MIN_AFTER` runs before `t` to the
    /// end of its after-window (`hi`) whose windows give the smallest p-value within
    /// the levels. A split of the mixed values (what [`best_split`] finds) is a few runs
    /// off: the modes' alternation is a wider noise than the step.
    ///
    /// The levels are read as `stats::separate_levels` reads them first, and as one
    /// narrow and one wide only where no position passes that way and `wide_too` says
    /// that the plain test does not pass at the best split of the mixed values either.
    /// The wider reading also passes windows that straddle a second change a few runs
    /// on, or that end early at the end of the series, and a smaller p-value of more
    /// runs pulls the located point away (a bimodal benchmark 25 % slower at run 40 and
    /// 25 % more at 52 was located at 48, with false change points after; a version
    /// matrix with one steady and one noisy entry, one commit early).
    fn locate_within_levels(
        &mut self,
        y: &[f64],
        segment: usize,
        t: usize,
        hi: usize,
        wide_too: bool,
    ) -> Option<Split> {
        if self.plain_at(y, segment, t) {
            return None;
        }
        // The best position by each reading, the strict one first; each position's
        // windows are sorted once for both.
        let mut best: [Option<Split>; 2] = [None, None];
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for s in t.saturating_sub(MIN_AFTER).max(segment + 1)..hi.saturating_sub(MIN_AFTER) {
            let (b, a) = self.windows(y, segment, s);
            sort_into(&mut before, b);
            sort_into(&mut after, a);
            for (reading, wide) in [false, true].into_iter().enumerate() {
                // The wider reading counts only where no position passes the strict one.
                if wide && (!wide_too || best[0].is_some()) {
                    break;
                }
                if let Some((p, _)) =
                    self.within_levels(b, episode_free(&before), episode_free(&after), wide)
                    && best[reading].is_none_or(|x| p < x.p_value)
                {
                    best[reading] = Some(Split {
                        index: s,
                        p_value: p,
                    });
                }
            }
        }
        best[0].or(best[1])
    }

    /// Whether the plain test (the windows' ranks and medians) passes at `t`.
    fn plain_at(&mut self, y: &[f64], segment: usize, t: usize) -> bool {
        let (b, a) = self.windows(y, segment, t);
        let (mut before, mut after) = (Vec::new(), Vec::new());
        sort_into(&mut before, b);
        sort_into(&mut after, a);
        self.decide(outlier_free(&before), episode_free(&after))
            .is_some()
    }

    /// Two changes that partly cancel, at position `t` whose windows differ in their
    /// ranks but not by `min_change_pct` in their medians: a short level in one window
    /// (a regression a few runs after the runner got faster, say) and the level after
    /// it a few percent from the one before. The best split of the after-window (a short
    /// level after `t`) or of the before-window (one before `t`) is the second change
    /// when its sides pass the test at a tenth of `p_value`; the first is the best split
    /// between the short level and the other window, when those pass at `p_value`.
    fn cancelling(&mut self, y: &[f64], segment: usize, t: usize) -> Option<[Split; 2]> {
        let (before, after) = self.windows(y, segment, t);
        let (lo, hi) = (t - before.len(), t + after.len());
        let p = self.settings.p_value;
        if let Some(second) = self.part_split(y, t, hi)
            && let Some(first) = self.split_of(y, lo, second.index, p)
        {
            return Some([first, second]);
        }
        if let Some(first) = self.part_split(y, lo, t)
            && let Some(second) = self.split_of(y, first.index, hi, p)
        {
            return Some([first, second]);
        }
        None
    }

    /// The best split of `y[a..b]` when its sides pass the test at `p_max`.
    fn split_of(&mut self, y: &[f64], a: usize, b: usize, p_max: f64) -> Option<Split> {
        if b < a + MIN_BEFORE + MIN_AFTER {
            return None;
        }
        let k = a + best_split(&y[a..b], MIN_BEFORE, MIN_AFTER)?;
        let mut before = Vec::new();
        let mut after = Vec::new();
        sort_into(&mut before, &y[a..k]);
        sort_into(&mut after, &y[k..b]);
        let after = episode_free(&after);
        let (p, _) = self
            .decide(outlier_free(&before), after)
            .or_else(|| self.within_levels(&y[a..k], episode_free(&before), after, true))?;
        (p <= p_max).then_some(Split {
            index: k,
            p_value: p,
        })
    }

    /// A second change point in `y[a..b]`, the runs on one side of a change point just
    /// found: the best split of the part ([`best_split`]), when its two sides pass the test at a tenth of
    /// `p_value` (the split is the best of all the part's positions). Two changes a few
    /// runs apart leave a short level between them that the scan cannot test: its
    /// after-window is as long as its before-window, so the level is outvoted by the
    /// one after it, and the located change point is one of the two or between them.
    fn part_split(&mut self, y: &[f64], a: usize, b: usize) -> Option<Split> {
        self.split_of(y, a, b, self.settings.p_value * PART_P_FACTOR)
    }
}

/// What the test says of the windows at a position.
enum Verdict {
    /// A change: the p-value and the change of the median.
    Change(f64, f64),
    /// The ranks moved (p ≤ `p_value`), the medians by less than `min_change_pct`.
    Shift,
    /// Neither.
    No,
}

/// The split of `values` with the largest weighted difference of means (CUSUM), at
/// least `first` values from the start and `last` from the end, on values clipped to
/// Tukey's fences so that an outlier cannot pull it. Episodes (as the test leaves them
/// out of the after-window) count on neither side: clipped, five runs a hundred times
/// off are still a level of their own, and the split would land on them.
fn best_split(values: &[f64], first: usize, last: usize) -> Option<usize> {
    // One sort gives both Tukey's fences, which the values are clipped to, and the
    // bounds of what is not an episode; an episode's value is `None`.
    let mut sorted = Vec::new();
    sort_into(&mut sorted, values);
    let (low, high) = sorted_fences(&sorted);
    let kept = episode_free(&sorted);
    let kept = kept[0]..=kept[kept.len() - 1];
    let clipped: Vec<Option<f64>> = values
        .iter()
        .map(|v| kept.contains(v).then(|| v.clamp(low, high)))
        .collect();
    // The sum and the count of the values that are not episodes.
    let sum = |part: &[Option<f64>]| {
        part.iter()
            .flatten()
            .fold((0.0, 0.0), |(sum, len), v| (sum + v, len + 1.0))
    };
    let (total, len) = sum(&clipped);
    let mut best: Option<(usize, f64)> = None;
    let (mut left_sum, mut left_len) = sum(&clipped[..first]);
    for k in first..=values.len().checked_sub(last)? {
        if k > first
            && let Some(v) = clipped[k - 1]
        {
            left_sum += v;
            left_len += 1.0;
        }
        let (m, n) = (left_len, len - left_len);
        if m < 1.0 || n < 1.0 {
            continue;
        }
        let d = left_sum / m - (total - left_sum) / n;
        let score = (m * n / len).sqrt() * d.abs();
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((k, score));
        }
    }
    best.map(|(k, _)| k)
}

/// Values at each level of a before-window that alternates between two, at least.
const LEVEL_MIN_BEFORE: usize = 3;
/// Values at each level of an after-window, at least.
const LEVEL_MIN_AFTER: usize = 2;

/// Sorted log values in two separate levels: split at their widest gap with at least
/// `side` values on each side, when the parts pass `stats::separate_levels`, or, with
/// `wide_too`, when one level is narrow and the other wide ([`wide_and_narrow`]). The
/// index of the split and the medians of the parts.
fn separate_levels(sorted: &[f64], side: usize, wide_too: bool) -> Option<(usize, f64, f64)> {
    let k = stats::widest_gap(sorted, side, |a, b| b - a)?;
    let (low, high) = (sorted_median(&sorted[..k]), sorted_median(&sorted[k..]));
    // The spreads sort; most windows are one level, their parts' medians close.
    if high - low < stats::MODES_MIN_RATIO.ln() {
        return None;
    }
    // The robust sigma of each part: its values are logs already.
    let sigma = |part: &[f64], m: f64| MAD_TO_SIGMA * stats::mad(part, m);
    let spreads = (sigma(&sorted[..k], low), sigma(&sorted[k..], high));
    let gap = sorted[k] - sorted[k - 1];
    (stats::separate_levels(gap, high - low, spreads)
        || (wide_too && wide_and_narrow(gap, high - low, spreads)))
    .then_some((k, low, high))
}

/// The medians of two levels, in robust sigmas of the wider one, at least.
const WIDE_LEVEL_SIGMAS: f64 = 3.0;
/// The gap between two levels, in robust sigmas of the narrower one, more than.
const NARROW_GAP_SIGMAS: f64 = 8.0;

/// Two levels of which one is narrow and the other wide, as a matrix of interpreter
/// versions writes them into one history (one version steady, another spread over
/// 20 %): the medians at least 3 robust sigmas of the wider level apart, and the gap
/// wider than 8 of the narrower one, which none of its runs crosses.
/// `stats::separate_levels` asks a gap of 4 sigmas of the wider level, or 5 of them
/// between the medians with spreads within a factor of 3 of each other: it keeps a
/// tail of slow runs from being a level where the pull-request rule would compare a
/// run with it. In the scan a level only adds a test: a change is still a move of
/// both levels, the same way, that their ranks confirm.
fn wide_and_narrow(gap: f64, distance: f64, (spread_low, spread_high): (f64, f64)) -> bool {
    let (wide, narrow) = (spread_low.max(spread_high), spread_low.min(spread_high));
    distance >= WIDE_LEVEL_SIGMAS * wide && gap > NARROW_GAP_SIGMAS * narrow
}

/// Separate visits to each level of a before-window that alternates between two.
const LEVEL_MIN_STRETCHES: usize = 3;

/// Tukey's fences of sorted values: 1.5 interquartile ranges beyond the quartiles.
fn sorted_fences(sorted: &[f64]) -> (f64, f64) {
    fences_at(sorted, 1.5)
}

/// Fences `k` interquartile ranges beyond the quartiles of sorted values.
fn fences_at(sorted: &[f64], k: f64) -> (f64, f64) {
    let q = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let (q1, q3) = (q(0.25), q(0.75));
    (q1 - k * (q3 - q1), q3 + k * (q3 - q1))
}

/// The sorted values from `low` to `high`, both included.
fn within(sorted: &[f64], (low, high): (f64, f64)) -> &[f64] {
    let from = sorted.partition_point(|v| *v < low);
    let to = sorted.partition_point(|v| *v <= high);
    &sorted[from..to]
}

/// `sorted`, the values of `y[old]` in order, made the values of `y[new]` in order,
/// for a range `new` that starts no earlier than `old`: the values that left are taken
/// out and the ones that came in put in place, each found by binary search. The result
/// is the sort of `y[new]`.
fn slide(sorted: &mut Vec<f64>, y: &[f64], old: Range<usize>, new: Range<usize>) {
    let left = y[old.start..new.start.min(old.end)]
        .iter()
        .chain(&y[new.end.clamp(old.start, old.end)..old.end]);
    for v in left {
        if let Ok(i) = sorted.binary_search_by(|x| x.total_cmp(v)) {
            sorted.remove(i);
        }
    }
    for v in &y[old.end.clamp(new.start, new.end)..new.end] {
        let i = sorted.partition_point(|x| x.total_cmp(v).is_lt());
        sorted.insert(i, *v);
    }
}

/// `values` sorted into `buffer`.
fn sort_into(buffer: &mut Vec<f64>, values: &[f64]) {
    buffer.clear();
    buffer.extend_from_slice(values);
    buffer.sort_unstable_by(f64::total_cmp);
}

/// The sorted before-window without its outliers, values beyond Tukey's fences; fewer
/// than 8 values are kept as they are.
fn outlier_free(sorted: &[f64]) -> &[f64] {
    if sorted.len() < 8 {
        sorted
    } else {
        within(sorted, sorted_fences(sorted))
    }
}

/// The sorted after-window without its episodes: values beyond Tukey's outer fences
/// (3 interquartile ranges past the quartiles) and at least a factor of two from the
/// window's median. A history can hold a few runs a hundred times off (a broken
/// runner, a debug build), and the rank-sum test counts each as a full vote against the
/// new level after it. A level is never an episode: an after-window that straddles a
/// step has its quartiles on both levels, and one at the new level has its median
/// there; the factor of two keeps a second mode of a bimodal benchmark (tens of
/// percent apart) in the window, where leaving it out of one side only would make a
/// change of it. Fewer than 8 values are kept as they are.
fn episode_free(sorted: &[f64]) -> &[f64] {
    if sorted.len() < 8 {
        return sorted;
    }
    let (low, high) = fences_at(sorted, 3.0);
    let median = sorted_median(sorted);
    let factor_two = std::f64::consts::LN_2;
    within(
        sorted,
        (low.min(median - factor_two), high.max(median + factor_two)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn sliding_sorted_windows_equal_sorting_them(
            y in proptest::collection::vec(-3.0f64..3.0, 40..80),
            a in 0usize..20, len in 0usize..20, da in 0usize..25, dlen in 0usize..30,
        ) {
            // Repeated values too, as real histories have.
            let y: Vec<f64> = y.iter().map(|v| (v * 4.0).round() / 4.0).collect();
            let old = a..a + len;
            let new = a + da..(a + da + dlen).min(y.len());
            proptest::prop_assume!(new.start <= new.end);
            let mut sorted = Vec::new();
            sort_into(&mut sorted, &y[old.clone()]);
            slide(&mut sorted, &y, old, new.clone());
            let mut expected = Vec::new();
            sort_into(&mut expected, &y[new]);
            proptest::prop_assert_eq!(sorted, expected);
        }
    }

    fn settings() -> Settings {
        Settings {
            window: 30,
            p_value: 0.001,
            min_change_pct: 5.0,
        }
    }

    /// A deterministic wobble of about ±2 % around `level`.
    fn series(levels: &[(usize, f64)]) -> Vec<f64> {
        let mut y = Vec::new();
        for (len, level) in levels {
            for _ in 0..*len {
                let i = y.len() as f64;
                y.push(level.ln() + 0.02 * ((i * 1.7).sin() + (i * 0.37).cos()) / 2.0);
            }
        }
        y
    }

    /// A benchmark with two modes, as a test matrix of interpreter versions writes it
    /// into one history: `slow_share` of the runs 55 % slower, the modes at CV 3 % and
    /// 4 %; from run `step` on, both modes `factor` times slower. Log values.
    fn two_modes(seed: u64, len: usize, slow_share: f64, step: usize, factor: f64) -> Vec<f64> {
        modes_at(seed, len, slow_share, (0.03, 0.04), step, factor)
    }

    /// [`two_modes`] with the modes' spreads (the fast one's, the slow one's) given.
    fn modes_at(
        seed: u64,
        len: usize,
        slow_share: f64,
        (fast_cv, slow_cv): (f64, f64),
        step: usize,
        factor: f64,
    ) -> Vec<f64> {
        use rand::{RngExt, SeedableRng, rngs::StdRng};
        use rand_distr::{Distribution, Normal};
        let mut rng = StdRng::seed_from_u64(seed);
        let (fast, slow) = (
            Normal::new(100f64.ln(), fast_cv).unwrap(),
            Normal::new(155f64.ln(), slow_cv).unwrap(),
        );
        (0..len)
            .map(|i| {
                let mode = if rng.random::<f64>() < slow_share {
                    &slow
                } else {
                    &fast
                };
                mode.sample(&mut rng) + if i >= step { factor.ln() } else { 0.0 }
            })
            .collect()
    }

    #[test]
    fn a_benchmark_slower_in_both_of_its_modes_has_a_change_point() {
        let y = two_modes(0, 52, 0.3, 40, 1.25);
        // The windows' medians and ranks compare two mixtures: the plain test does not
        // see the step twelve runs after it.
        let plain = RankSum::new().test(&y[10..40], &y[40..]).unwrap();
        assert!(plain.p > 0.001, "{plain:?}");
        let d = Detector::new(settings()).detect(&y);
        assert_eq!(d.splits.len(), 1, "{d:?}");
        assert!(d.splits[0].index.abs_diff(40) <= 1, "{d:?}");
    }

    #[test]
    fn a_benchmark_with_a_narrow_and_a_wide_mode_slower_in_both_has_a_change_point() {
        // The fast mode at CV 2 %, the slow one at 10 %: 4.4 of its sigmas apart.
        let y = modes_at(0, 52, 0.4, (0.02, 0.10), 40, 1.25);
        let plain = RankSum::new().test(&y[10..40], &y[40..]).unwrap();
        assert!(plain.p > 0.001, "{plain:?}");
        // Not two levels to the test of a history's levels, two to the scan's.
        let mut before = Vec::new();
        sort_into(&mut before, &y[10..40]);
        assert_eq!(separate_levels(&before, 6, false), None);
        assert!(separate_levels(&before, 6, true).is_some());
        let d = Detector::new(settings()).detect(&y);
        assert_eq!(d.splits.len(), 1, "{d:?}");
        assert!(d.splits[0].index.abs_diff(40) <= 1, "{d:?}");
    }

    /// A version matrix of two entries recording in turn: one steady (CV 0.3 %), one
    /// noisy and 50 % slower (CV 7 %); from run `step` on, both 25 % slower. Log values.
    fn steady_and_noisy(seed: u64, len: usize, step: usize) -> Vec<f64> {
        use rand::{SeedableRng, rngs::StdRng};
        use rand_distr::{Distribution, Normal};
        let mut rng = StdRng::seed_from_u64(seed);
        let (steady, noisy) = (
            Normal::new(100f64.ln(), 0.003).unwrap(),
            Normal::new(150f64.ln(), 0.07).unwrap(),
        );
        (0..len)
            .map(|i| {
                let entry = if i % 2 == 0 { &steady } else { &noisy };
                entry.sample(&mut rng) + if i >= step { 1.25f64.ln() } else { 0.0 }
            })
            .collect()
    }

    #[test]
    fn a_step_of_a_steady_and_a_noisy_entry_is_placed_in_its_commit() {
        // The plain test sees this step; the test within the levels, reading a narrow
        // and a wide level, would place it by a p-value that the end of the series
        // biases towards more runs after it, before the step. Runs 40 and 41 are the
        // step's commit.
        let located: Vec<usize> = (0..30)
            .map(|seed| {
                let d = Detector::new(settings()).detect(&steady_and_noisy(seed, 64, 40));
                assert_eq!(d.splits.len(), 1, "seed {seed}: {d:?}");
                d.splits[0].index
            })
            .collect();
        assert!(located.iter().all(|i| i.abs_diff(40) <= 2), "{located:?}");
        let in_commit = located.iter().filter(|i| (40..=41).contains(*i)).count();
        assert!(in_commit >= 20, "{located:?}");
    }

    #[test]
    fn the_levels_of_a_bimodal_benchmark_are_tested_only_when_both_moved() {
        let mut detector = Detector::new(settings());
        let mut within = |y: &[f64], t: usize| {
            let (mut before, mut after) = (Vec::new(), Vec::new());
            sort_into(&mut before, &y[..t]);
            sort_into(&mut after, &y[t..]);
            detector.within_levels(&y[..t], &before, &after, true)
        };
        // Slower in both modes.
        let slower = two_modes(0, 52, 0.3, 40, 1.25);
        let (p, change) = within(&slower, 40).expect("a change within both levels");
        assert!(
            p <= 0.0001 && (change.exp() - 1.25).abs() < 0.06,
            "{p} {change}"
        );
        // The mix changes, the levels stay: the slow mode comes twice as often.
        let mut mix = two_modes(5, 40, 0.3, 40, 1.0);
        mix.extend(two_modes(6, 30, 0.6, 30, 1.0));
        assert_eq!(within(&mix, 40), None);
        // Only the slow mode moved.
        let mut one = two_modes(7, 40, 0.3, 40, 1.0);
        one.extend(
            two_modes(8, 30, 0.3, 30, 1.0).iter().map(
                |v| {
                    if *v > 125f64.ln() { v + 0.2 } else { *v }
                },
            ),
        );
        assert_eq!(within(&one, 40), None);
        // One level: no levels to test, however noisy.
        for seed in 0..50 {
            use rand::{SeedableRng, rngs::StdRng};
            use rand_distr::{Distribution, Normal};
            let mut rng = StdRng::seed_from_u64(seed);
            let noise = Normal::new(0.0, 0.2).unwrap();
            let y: Vec<f64> = (0..60).map(|_| noise.sample(&mut rng)).collect();
            assert_eq!(within(&y, 30), None, "seed {seed}");
        }
    }

    #[test]
    fn finds_a_step_at_its_run() {
        let y = series(&[(40, 100.0), (40, 125.0)]);
        let d = Detector::new(settings()).detect(&y);
        assert_eq!(d.splits.len(), 1, "{d:?}");
        assert_eq!(d.splits[0].index, 40);
    }

    #[test]
    fn reports_a_step_three_runs_after_it() {
        let y = series(&[(40, 100.0), (3, 125.0)]);
        let d = Detector::new(settings()).detect(&y);
        assert_eq!(d.splits.iter().map(|s| s.index).collect::<Vec<_>>(), [40]);
        let two = Detector::new(settings()).detect(&y[..42]);
        assert!(two.splits.is_empty(), "two runs are not enough: {two:?}");
    }

    #[test]
    fn one_slow_run_is_not_a_change_point() {
        let mut y = series(&[(60, 100.0)]);
        y[30] += 0.7;
        y[45] += 0.4;
        y[46] += 0.4;
        assert!(Detector::new(settings()).detect(&y).splits.is_empty());
    }

    #[test]
    fn an_episode_after_a_step_does_not_hide_it() {
        // Five runs a hundred times faster (a broken runner) inside the new level's
        // window: each would count as a full vote against the step.
        let mut y = series(&[(35, 100.0), (30, 125.0)]);
        for v in &mut y[45..50] {
            *v -= 100f64.ln();
        }
        let d = Detector::new(settings()).detect(&y);
        assert!(d.splits.iter().any(|s| s.index.abs_diff(35) <= 1), "{d:?}");
    }

    #[test]
    fn an_episode_in_the_windows_does_not_pull_the_change_point() {
        // Five runs a hundred times faster (python-edtf's history has them) a few runs
        // after a step, inside the windows the change point is located in: clipped to
        // the fences they were still the largest level change there, and the change
        // point landed after them.
        let settings = Settings {
            window: 45,
            ..settings()
        };
        for start in 38..70 {
            let mut y = series(&[(35, 100.0), (45, 125.0)]);
            for v in &mut y[start..start + 5] {
                *v -= 100f64.ln();
            }
            let d = Detector::new(settings).detect(&y);
            let first = d.splits.first().map(|s| s.index);
            assert_eq!(first, Some(35), "episode at {start}: {d:?}");
        }
    }

    #[test]
    fn only_episodes_leave_the_after_window() {
        let sorted = |parts: &[(usize, f64)]| {
            let mut v = series(parts);
            v.sort_unstable_by(f64::total_cmp);
            v
        };
        // Five runs a hundred times off go.
        let episode = sorted(&[(25, 125.0), (5, 1.25)]);
        assert_eq!(episode_free(&episode).len(), 25);
        // A second mode 20 % slower stays, although it is far beyond the outer fences
        // of the main mode's tight spread.
        let bimodal = sorted(&[(25, 100.0), (5, 120.0)]);
        assert_eq!(episode_free(&bimodal).len(), 30);
        // Both levels of a step stay.
        let step = sorted(&[(15, 100.0), (15, 300.0)]);
        assert_eq!(episode_free(&step).len(), 30);
    }

    #[test]
    fn small_changes_stay_below_min_change() {
        let y = series(&[(40, 100.0), (40, 103.0)]);
        assert!(Detector::new(settings()).detect(&y).splits.is_empty());
        let fine = Settings {
            min_change_pct: 1.0,
            ..settings()
        };
        assert_eq!(Detector::new(fine).detect(&y).splits.len(), 1);
    }

    #[test]
    fn finds_steps_up_and_back() {
        let y = series(&[(35, 100.0), (20, 140.0), (35, 100.0)]);
        let d = Detector::new(settings()).detect(&y);
        let at: Vec<usize> = d.splits.iter().map(|s| s.index).collect();
        assert_eq!(at, [35, 55]);
    }

    #[test]
    fn finds_two_steps_a_few_runs_apart() {
        let cases = [
            // A short level, then a larger step: the windows' best split is the second
            // step, and the runs before it hold the first.
            (4, 110.0, 150.0),
            (5, 80.0, 120.0),
            (6, 110.0, 150.0),
            // A larger first step, then a short level: the best split is the first step,
            // and the runs after it hold the second (a +30 % and a +28 % step five runs
            // apart, as a pytest-benchmark suite recorded them).
            (4, 125.0, 160.0),
            (5, 130.0, 170.0),
            (6, 140.0, 125.0),
        ];
        for (short, first, second) in cases {
            assert_two_changes(short, first, second);
        }
    }

    /// 60 runs at 100, `short` runs at `first`, then 60 at `second`: a change point at
    /// each of the two changes.
    fn assert_two_changes(short: usize, first: f64, second: f64) {
        let y = series(&[(60, 100.0), (short, first), (60, second)]);
        let d = Detector::new(settings()).detect(&y);
        let at: Vec<usize> = d.splits.iter().map(|s| s.index).collect();
        assert_eq!(
            at,
            [60, 60 + short],
            "{short} runs at {first}, then {second}"
        );
    }

    #[test]
    fn finds_two_changes_that_partly_cancel() {
        // −13 % and then +10 % a few runs later (a regression soon after the runner got
        // faster), or the other way round: the levels before and after the two are 4 %
        // apart, less than `min_change_pct`, and the short level between them was
        // outvoted in the windows of either change.
        for short in [5, 7, 10] {
            for (first, second) in [(87.0, 95.7), (110.0, 95.7), (113.0, 104.0)] {
                assert_two_changes(short, first, second);
            }
        }
    }

    #[test]
    fn a_lone_step_gets_no_second_change_point() {
        // Noise of ±2 % on both levels: the parts beside the step hold no change.
        for at in [10, 30, 45, 60] {
            let y = series(&[(at, 100.0), (90 - at, 110.0)]);
            let d = Detector::new(settings()).detect(&y);
            let found: Vec<usize> = d.splits.iter().map(|s| s.index).collect();
            assert_eq!(found, [at]);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Any series (noise, steps, outliers, ties), extended run by run, gives the
        /// change points a full scan gives.
        #[test]
        fn incremental_equals_full_on_any_series(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => 95.0f64..105.0,
                    1 => 130.0f64..160.0,
                    1 => proptest::strategy::Just(100.0f64),
                ],
                20..120,
            ),
            window in 3usize..40,
        ) {
            let settings = Settings { window, ..settings() };
            let y: Vec<f64> = values.iter().map(|v| v.ln()).collect();
            let mut detector = Detector::new(settings);
            let mut state = Detection::default();
            for n in 1..=y.len() {
                state = detector.update(&y[..n], &state);
            }
            let full = Detector::new(settings).detect(&y);
            proptest::prop_assert_eq!(state.splits, full.splits);
        }
    }

    /// `y` scanned one value at a time, each update checked against a full scan of the
    /// values so far; the last update.
    fn updated_run_by_run(y: &[f64]) -> Detection {
        let mut detector = Detector::new(settings());
        let mut state = Detection::default();
        for n in 1..=y.len() {
            state = detector.update(&y[..n], &state);
            let full = Detector::new(settings()).detect(&y[..n]);
            assert_eq!(state.splits, full.splits, "after {n} values");
        }
        state
    }

    #[test]
    fn incremental_equals_full_within_the_levels_of_a_bimodal_benchmark() {
        let mut y = two_modes(0, 52, 0.3, 40, 1.25);
        y.extend(two_modes(1, 60, 0.3, 0, 1.25 * 1.25));
        let state = updated_run_by_run(&y);
        // Both steps, each in both modes.
        assert!(
            state.splits.iter().any(|s| s.index.abs_diff(40) <= 1),
            "{state:?}"
        );
        assert!(
            state.splits.iter().any(|s| s.index.abs_diff(52) <= 3),
            "{state:?}"
        );
    }

    #[test]
    fn incremental_equals_full() {
        let y = series(&[(50, 100.0), (7, 120.0), (45, 90.0), (33, 91.0), (20, 130.0)]);
        assert!(!updated_run_by_run(&y).splits.is_empty());
    }
}
