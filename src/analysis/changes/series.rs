//! One benchmark's metric over the runs, its levels, and whether it alternates between
//! two of them.

use rustc_hash::FxHashMap as HashMap;

use super::detect::{Settings, Split};
use crate::config::Config;
use crate::model::{Direction, Metric, Run};
use crate::report::Level;
use crate::stats::{MAD_TO_SIGMA, mad, median, two_levels};

/// One benchmark's metric over the runs.
#[derive(Debug, Clone)]
pub struct Series {
    /// The benchmark id.
    pub id: String,
    /// The metric.
    pub metric: Metric,
    /// Its unit.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// The index of each value's run.
    pub runs: Vec<usize>,
    /// The values, in their unit.
    pub values: Vec<f64>,
}

/// The series of every benchmark's metric in `runs` (oldest first). Values the tool
/// derived from another measurement (criterion's throughput) are left out: they step
/// with it. Ignored benchmarks and values that are not positive and finite too.
pub fn series_of(runs: &[Run], config: &Config) -> Vec<Series> {
    // Keys borrowed from the runs: one lookup per value, no string copied for it.
    let mut index: HashMap<(&str, &Metric), usize> = HashMap::default();
    let mut out: Vec<Series> = Vec::new();
    for (r, run) in runs.iter().enumerate() {
        for b in &run.benchmarks {
            for m in &b.measurements {
                if m.derived || !(m.value.is_finite() && m.value > 0.0) {
                    continue;
                }
                let k = match index.get(&(b.id.as_str(), &m.metric)) {
                    Some(k) => *k,
                    None => {
                        if config.ignored(&b.id, &m.metric) {
                            continue;
                        }
                        out.push(Series {
                            id: b.id.clone(),
                            metric: m.metric.clone(),
                            unit: m.unit.clone(),
                            direction: config
                                .direction_for(&b.id, &m.metric)
                                .unwrap_or(m.direction),
                            runs: Vec::new(),
                            values: Vec::new(),
                        });
                        index.insert((b.id.as_str(), &m.metric), out.len() - 1);
                        out.len() - 1
                    }
                };
                let s = &mut out[k];
                // One value per run: a run that lists a benchmark twice keeps the first.
                if s.runs.last() != Some(&r) {
                    s.runs.push(r);
                    s.values.push(m.value);
                }
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id).then(a.metric.cmp(&b.metric)));
    out
}

/// The scan's settings from the config.
pub fn settings(config: &Config) -> Settings {
    Settings {
        window: config.changes.window,
        p_value: config.changes.p_value,
        min_change_pct: config.changes.min_change_pct,
    }
}

/// The median and robust spread of a level's log values.
pub(super) fn level(logs: &[f64]) -> Level {
    let m = median(logs);
    Level {
        median: m.exp(),
        spread_pct: MAD_TO_SIGMA * mad(logs, m) * 100.0,
        runs: logs.len(),
    }
}

/// The medians of the two levels of a bimodal history, lower first: one that
/// alternates between two separate levels (`stats::two_levels`).
pub(super) fn bimodal_levels(values: &[f64]) -> Option<(f64, f64)> {
    two_levels(values).map(|(low, high)| (low.median, high.median))
}

/// Whether a level sits at one of two known levels (within 5 % of it, or closer to it
/// than a third of their distance).
fn at_level(value: f64, level: f64, other: f64) -> bool {
    let d = (value / level).ln().abs();
    d <= 0.05_f64.max((other / level).ln().abs() / 3.0).min(0.5)
}

/// The largest share of a level's runs (or one run) that may lie at neither of the two
/// levels of a bimodal history in a mode switch.
const MAX_OFF_LEVEL: f64 = 0.15;

/// Whether a change point is a move between the two levels of a bimodal history
/// (`levels`, lower first), and nothing else: the runs before it and after it (log
/// values, up to the change points beside it) are at one of the two levels, all but
/// 15 % of them (or one run), and the runs at each level sit where they sat before, by
/// less than `min_log`: only how often each level comes changed.
/// - A benchmark that slows down in both of its modes has runs at neither (its slow
///   mode moved beyond both levels), even when its fast mode lands near the old slow
///   one.
/// - A change within one level (both sides at the fast level, one of them 13 % faster)
///   moves the runs at that level.
pub(super) fn mode_switch(
    before: &[f64],
    after: &[f64],
    (low, high): (f64, f64),
    min_log: f64,
) -> bool {
    // The runs at the low level, at the high one, and how many are at neither.
    let split = |logs: &[f64]| {
        let (mut at_low, mut at_high, mut off) = (Vec::new(), Vec::new(), 0);
        for v in logs {
            if at_level(v.exp(), low, high) {
                at_low.push(*v);
            } else if at_level(v.exp(), high, low) {
                at_high.push(*v);
            } else {
                off += 1;
            }
        }
        let on_levels = off <= 1 || off as f64 <= MAX_OFF_LEVEL * logs.len() as f64;
        (at_low, at_high, on_levels)
    };
    let (b_low, b_high, b_on) = split(before);
    let (a_low, a_high, a_on) = split(after);
    let unmoved = |b: &[f64], a: &[f64]| {
        b.is_empty() || a.is_empty() || (median(b) - median(a)).abs() < min_log
    };
    b_on && a_on && unmoved(&b_low, &a_low) && unmoved(&b_high, &a_high)
}

/// The change points whose levels (from the previous change point to the next) differ
/// by at least `min_change_pct`: the scan compares windows, the report whole levels,
/// and a step that a later one half undid is no change of its own. The smallest such
/// change point goes first, and the levels are measured again without it.
pub(super) fn settled(mut splits: Vec<Split>, logs: &[f64], config: &Config) -> Vec<Split> {
    let min_log = (1.0 + config.changes.min_change_pct / 100.0).ln();
    loop {
        let bounds: Vec<usize> = std::iter::once(0)
            .chain(splits.iter().map(|x| x.index))
            .chain(std::iter::once(logs.len()))
            .collect();
        let smallest = (0..splits.len())
            .map(|i| {
                let before = median(&logs[bounds[i]..bounds[i + 1]]);
                let after = median(&logs[bounds[i + 1]..bounds[i + 2]]);
                (i, (after - before).abs())
            })
            .filter(|(_, d)| *d < min_log)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match smallest {
            Some((i, _)) => {
                splits.remove(i);
            }
            None => return splits,
        }
    }
}
