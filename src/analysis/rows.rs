//! The rows of a report before classification: one per benchmark metric of the current
//! run (compared, or new), one per metric the newest baseline run has and this run
//! lacks (missing), and the multiple-comparison adjustment across them.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::changes::{self, Detector};
use super::compare::{Window, compare_history, compare_runs};
use crate::config::{Config, Correction, TierName, Tiers};
use crate::model::{Benchmark, Direction, Measurement, Metric, Run};
use crate::report::{
    BaselineSide, CurrentSide, LevelChange, Method, Paired, ResultRow, Status, TierLabel,
};
use crate::stats;

/// A row with what classifying it needs: its metric, its tiers and the noise seen.
pub(super) struct Pending<'c> {
    /// The row.
    pub row: ResultRow,
    /// The measurement's metric, as the model has it.
    pub metric: Metric,
    /// The tiers that apply to this benchmark.
    pub tiers: &'c Tiers,
    /// The history's coefficient of variation when it is above `noise_cv`.
    pub noisy_cv: Option<f64>,
    /// Whether the tool computed this measurement from the benchmark's time.
    pub derived: bool,
}

/// The rows of the current run's measurements, against the window, and how many
/// measurements the config ignores. Two-run comparisons are judged against
/// `run_noise_pct` (the configured one, or the suite's own spread).
pub(super) fn compared<'c>(
    current: &Run,
    window: &[Run],
    config: &'c Config,
    run_noise_pct: f64,
    known: Option<&changes::LevelStarts>,
) -> (Vec<Pending<'c>>, usize) {
    let indexes: Vec<HashMap<&str, &Benchmark>> = window
        .iter()
        .map(|run| run.benchmarks.iter().map(|b| (b.id.as_str(), b)).collect())
        .collect();
    let mut rows = Vec::new();
    let mut ignored = 0;
    let mut detector = Detector::new(changes::settings(config));
    for b in &current.benchmarks {
        for m in &b.measurements {
            if config.ignored(&b.id, &m.metric) {
                ignored += 1;
                continue;
            }
            let direction = config
                .direction_for(&b.id, &m.metric)
                .unwrap_or(m.direction);
            let measured: Vec<(usize, &Measurement)> = indexes
                .iter()
                .enumerate()
                .filter_map(|(r, idx)| Some((r, idx.get(b.id.as_str())?)))
                .filter_map(|(r, ob)| {
                    Some((r, ob.measurements.iter().find(|x| x.metric == m.metric)?))
                })
                .collect();
            // A level change inside the window (a regression or an improvement that
            // landed, a runner that moved): the run is compared with the new level, the
            // runs before it moved there for the noise (`compare::history_rule`). A
            // window across the change has a centre at neither level.
            let values: Vec<f64> = measured.iter().map(|(_, x)| x.value).collect();
            let starts = known
                .filter(|_| !m.derived)
                .and_then(|k| k.get(&b.id, &m.metric, values.len()));
            let levels = changes::window_levels(&values, m.value, starts, &mut detector, config);
            let since_change = changes::newest_levels(&values, &levels).map(|(old, new)| {
                let k = levels[levels.len() - 1];
                LevelChange {
                    commit: window[measured[k].0].meta.commit.clone(),
                    change_pct: (new / old - 1.0) * 100.0,
                    runs_before: k,
                }
            });
            let series: Vec<&Measurement> = measured.iter().map(|(_, x)| *x).collect();
            let tiers = config.tiers_for(&b.id, &m.metric);
            let gate_sigma = tiers.critical.sigma;
            let mut comparison = if series.len() >= config.min_history {
                let window = Window {
                    values: &values,
                    levels: &levels,
                };
                Some(compare_history(
                    window, m.value, direction, config, gate_sigma,
                ))
            } else {
                series.last().map(|base| {
                    let min_pct = TierName::ALL
                        .into_iter()
                        .map(|t| tiers.get(t).pct(&m.metric))
                        .fold(f64::INFINITY, f64::min);
                    compare_runs(base, m, direction, gate_sigma, run_noise_pct, min_pct)
                })
            };
            if m.deterministic {
                // A count the code decides has no noise to test against: the tiers'
                // `deterministic` percentages alone judge it.
                if let Some(c) = comparison.as_mut() {
                    c.z = None;
                    c.p_value = None;
                    c.detectable_pct = None;
                    c.method = Method::Percentage;
                }
            }
            let current_side = CurrentSide {
                value: m.value,
                stddev: m.stddev,
                n: m.n,
            };
            let noisy_cv = comparison.as_ref().and_then(|c| c.noisy_cv);
            let row = match comparison {
                None => ResultRow {
                    baseline: None,
                    current: Some(current_side),
                    status: Status::New,
                    method: Method::None,
                    reason: "new benchmark: nothing to compare it with yet".to_string(),
                    ..empty_row(b, m, direction)
                },
                Some(c) => ResultRow {
                    baseline: Some(BaselineSide {
                        value: c.centre,
                        stddev: c.spread,
                        n: c.n,
                        runs: series.len().min(config.window),
                        history: c.history,
                        since_change,
                    }),
                    current: Some(current_side),
                    change_pct: c.change_pct,
                    value_change_pct: c.value_change_pct,
                    z: c.z.filter(|z| z.is_finite()),
                    p_value: c.p_value,
                    p_adjusted: c.p_value,
                    detectable_pct: c.detectable_pct,
                    method: c.method,
                    bimodal: c.bimodal,
                    ..empty_row(b, m, direction)
                },
            };
            rows.push(Pending {
                row,
                metric: m.metric.clone(),
                tiers,
                noisy_cv,
                derived: m.derived,
            });
        }
    }
    (pair_derived(rows), ignored)
}

/// Folds each derived row (throughput the tool computed from time) into its
/// benchmark's time row, so one measurement gets one verdict. A derived row whose time
/// row is absent (ignored, or a different outcome) stays a row of its own.
pub(super) fn pair_derived(mut rows: Vec<Pending<'_>>) -> Vec<Pending<'_>> {
    if !rows.iter().any(|p| p.derived) {
        return rows;
    }
    let sides = |r: &ResultRow| (r.baseline.is_some(), r.current.is_some());
    // Each derived row's time row, found by id and sides. The rows stay where they are:
    // a list of a million rows copied into a new one cost more than the pairing.
    let targets: Vec<Option<usize>> = {
        let time_rows: HashMap<(&str, (bool, bool)), usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, p)| p.metric == Metric::Time && !p.derived)
            .map(|(i, p)| ((p.row.id.as_str(), sides(&p.row)), i))
            .collect();
        rows.iter()
            .map(|p| {
                p.derived
                    .then(|| time_rows.get(&(p.row.id.as_str(), sides(&p.row))).copied())
                    .flatten()
            })
            .collect()
    };
    for (i, target) in targets.iter().enumerate() {
        let Some(t) = *target else { continue };
        let row = &mut rows[i].row;
        let pair = Paired {
            metric: std::mem::take(&mut row.metric),
            unit: std::mem::take(&mut row.unit),
            baseline: row.baseline.as_ref().map(|b| b.value),
            current: row.current.as_ref().map(|c| c.value),
            value_change_pct: row.value_change_pct,
        };
        rows[t].row.paired.push(pair);
    }
    let mut at = 0;
    rows.retain(|_| {
        at += 1;
        targets[at - 1].is_none()
    });
    rows
}

/// Rows for the metrics the newest baseline run has and the current run does not.
pub(super) fn missing<'c>(current: &Run, window: &[Run], config: &'c Config) -> Vec<Pending<'c>> {
    let Some(newest) = window.last() else {
        return Vec::new();
    };
    let seen: HashSet<(&str, &Metric)> = current
        .benchmarks
        .iter()
        .flat_map(|b| b.measurements.iter().map(|m| (b.id.as_str(), &m.metric)))
        .collect();
    let mut rows = Vec::new();
    for b in &newest.benchmarks {
        for m in &b.measurements {
            if seen.contains(&(b.id.as_str(), &m.metric)) || config.ignored(&b.id, &m.metric) {
                continue;
            }
            let direction = config
                .direction_for(&b.id, &m.metric)
                .unwrap_or(m.direction);
            let row = ResultRow {
                baseline: Some(BaselineSide {
                    value: m.value,
                    stddev: m.stddev,
                    n: m.n,
                    runs: 1,
                    history: Vec::new(),
                    since_change: None,
                }),
                status: Status::Missing,
                reason: "missing: in the baseline but not in this run".to_string(),
                ..empty_row(b, m, direction)
            };
            rows.push(Pending {
                row,
                metric: m.metric.clone(),
                tiers: &config.tiers,
                noisy_cv: None,
                derived: m.derived,
            });
        }
    }
    pair_derived(rows)
}

/// Sets each row's adjusted p-value across the whole report.
pub(super) fn adjust(rows: &mut [Pending<'_>], correction: Correction) {
    if correction != Correction::Bh {
        return;
    }
    let idx: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].row.p_value.is_some())
        .collect();
    let p: Vec<f64> = idx.iter().filter_map(|&i| rows[i].row.p_value).collect();
    for (i, adj) in idx.into_iter().zip(stats::benjamini_hochberg(&p)) {
        rows[i].row.p_adjusted = Some(adj);
    }
}

pub(super) fn empty_row(b: &Benchmark, m: &Measurement, direction: Direction) -> ResultRow {
    ResultRow {
        id: b.id.clone(),
        group: b.group.clone(),
        metric: m.metric.to_string(),
        unit: m.unit.clone(),
        direction,
        baseline: None,
        current: None,
        change_pct: None,
        value_change_pct: None,
        z: None,
        p_value: None,
        p_adjusted: None,
        detectable_pct: None,
        tier: TierLabel::None,
        status: Status::Unchanged,
        method: Method::None,
        estimator: m.estimator,
        bimodal: None,
        deterministic: m.deterministic,
        paired: Vec::new(),
        rounds: None,
        interval_pct: None,
        reason: String::new(),
    }
}
