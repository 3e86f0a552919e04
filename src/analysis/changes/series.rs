//! One benchmark's metric over the runs, its levels, and whether it alternates between
//! two of them.

use rustc_hash::FxHashMap as HashMap;

use super::detect::{Settings, Split};
use crate::config::Config;
use crate::model::{Direction, Metric, Run};
use crate::report::Level;
use crate::stats::{MAD_TO_SIGMA, mad, median, two_modes_of};

/// How many times a history must move between its two levels to be called bimodal.
const BIMODAL_MIN_SWITCHES: usize = 3;

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

/// The two levels of a bimodal history, lower first: two separate clusters of values
/// (`stats::two_modes_of`, at least 20 runs and 5 at each level) that the history
/// moves between at least [`BIMODAL_MIN_SWITCHES`] times.
pub(super) fn bimodal_levels(values: &[f64]) -> Option<(f64, f64)> {
    let (low, high) = two_modes_of(values, 20)?;
    let cut = (low.median * high.median).sqrt();
    let mut switches = 0;
    let mut previous = None;
    for v in values {
        let side = *v >= cut;
        if previous.is_some_and(|p| p != side) {
            switches += 1;
        }
        previous = Some(side);
    }
    (switches >= BIMODAL_MIN_SWITCHES).then_some((low.median, high.median))
}

/// Whether a level sits at one of two known levels (within 5 % of it, or closer to it
/// than a third of their distance).
pub(super) fn at_level(value: f64, level: f64, other: f64) -> bool {
    let d = (value / level).ln().abs();
    d <= 0.05_f64.max((other / level).ln().abs() / 3.0).min(0.5)
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
