//! Change points over a history: `(runs, config) -> ChangesReport`. Pure: no I/O.
//!
//! Each benchmark's metric is a series over the runs that measured it; `detect.rs`
//! finds its change points on log values. Then, across the suite:
//! - a step most benchmarks take at the same run (within one run of it, in the same
//!   direction) is one runner-shift event, not N regressions;
//! - a benchmark whose history alternates between two separate levels is bimodal, and
//!   a change point from one of its levels to the other is a mode switch;
//! - the rest are regressions or improvements, regressions with the tier their size
//!   reaches.

mod detect;

use std::collections::{BTreeMap, HashMap};

pub use detect::{Detection, Detector, MIN_AFTER, MIN_BEFORE, Settings, Split};

use crate::config::{Config, TierName};
use crate::model::{Direction, Metric, Run};
use crate::report::{
    CHANGES_SCHEMA, ChangeKind, ChangePoint, ChangesReport, ChangesSummary, HistoryRun, Level,
    RunnerShift, SeriesChanges, TierLabel,
};
use crate::stats::{MAD_TO_SIGMA, mad, median, two_modes_of};

/// Share of the benchmarks measured at a run that must step there together for a
/// runner shift, and the fewest benchmarks that make one.
const SHIFT_SHARE: f64 = 0.5;
const SHIFT_MIN_BENCHMARKS: usize = 3;
/// Change points this many runs from a runner shift's run, in its direction, belong
/// to it: a noisier benchmark places the same step a little later or earlier.
const SHIFT_STRAGGLERS: usize = 3;
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
    let mut index: HashMap<(&str, &Metric), usize> = HashMap::new();
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

/// A change point found in a series, before the suite-wide classification.
struct Found {
    series: usize,
    split: Split,
    /// Log change of the level, oriented so that positive is worse.
    worse_log: f64,
    change_pct: f64,
    before: Level,
    after: Level,
}

fn level(logs: &[f64]) -> Level {
    let m = median(logs);
    Level {
        median: m.exp(),
        spread_pct: MAD_TO_SIGMA * mad(logs, m) * 100.0,
        runs: logs.len(),
    }
}

fn run_ref(runs: &[Run], index: usize) -> HistoryRun {
    let meta = &runs[index].meta;
    HistoryRun {
        index,
        commit: meta.commit.clone(),
        timestamp: meta.timestamp.clone(),
    }
}

/// The two levels of a bimodal history, lower first: two separate clusters of values
/// (`stats::two_modes_of`, at least 20 runs and 5 at each level) that the history
/// moves between at least [`BIMODAL_MIN_SWITCHES`] times.
fn bimodal_levels(values: &[f64]) -> Option<(f64, f64)> {
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
fn at_level(value: f64, level: f64, other: f64) -> bool {
    let d = (value / level).ln().abs();
    d <= 0.05_f64.max((other / level).ln().abs() / 3.0).min(0.5)
}

/// The tier a regression of `worse_pct` reaches for this benchmark's metric.
fn tier_of(config: &Config, id: &str, metric: &Metric, worse_pct: f64) -> TierLabel {
    let tiers = config.tiers_for(id, metric);
    for name in TierName::ALL {
        let threshold = tiers.get(name).pct(metric);
        if worse_pct >= threshold {
            return match name {
                TierName::Critical => TierLabel::Critical,
                TierName::Warning => TierLabel::Warning,
                TierName::Notice => TierLabel::Notice,
            };
        }
    }
    TierLabel::None
}

/// The change points whose levels (from the previous change point to the next) differ
/// by at least `min_change_pct`: the scan compares windows, the report whole levels,
/// and a step that a later one half undid is no change of its own. The smallest such
/// change point goes first, and the levels are measured again without it.
fn settled(mut splits: Vec<Split>, logs: &[f64], config: &Config) -> Vec<Split> {
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

/// The change points of every benchmark in `runs` (oldest first), listed from run
/// `since` on (all when `None`).
pub fn find_changes(
    runs: &[Run],
    config: &Config,
    since: Option<usize>,
    source: String,
) -> ChangesReport {
    let series = series_of(runs, config);
    let mut detector = Detector::new(settings(config));
    let mut found: Vec<Found> = Vec::new();
    let mut bimodal: Vec<Option<(f64, f64)>> = Vec::with_capacity(series.len());
    for (k, s) in series.iter().enumerate() {
        let logs: Vec<f64> = s.values.iter().map(|v| v.ln()).collect();
        let splits = settled(detector.detect(&logs).splits, &logs, config);
        let bounds: Vec<usize> = std::iter::once(0)
            .chain(splits.iter().map(|x| x.index))
            .chain(std::iter::once(logs.len()))
            .collect();
        for (i, split) in splits.iter().enumerate() {
            let before = level(&logs[bounds[i]..bounds[i + 1]]);
            let after = level(&logs[bounds[i + 1]..bounds[i + 2]]);
            let log_change = after.median.ln() - before.median.ln();
            found.push(Found {
                series: k,
                split: *split,
                worse_log: log_change * s.direction.worse_sign(),
                change_pct: log_change.exp_m1() * 100.0,
                before,
                after,
            });
        }
        bimodal.push(bimodal_levels(&s.values));
    }
    let shifts = runner_shifts(runs.len(), &series, &mut found);
    let since = since.unwrap_or(0);
    let mut report_shifts = Vec::new();
    let mut shift_index: BTreeMap<usize, usize> = BTreeMap::new();
    for (k, shift) in shifts.iter().enumerate() {
        if shift.first_after >= since {
            shift_index.insert(k, report_shifts.len());
            report_shifts.push(RunnerShift {
                last_before: run_ref(runs, shift.first_after - 1),
                first_after: run_ref(runs, shift.first_after),
                benchmarks: shift.members.len(),
                of: shift.of,
                change_pct: shift.change_pct,
            });
        }
    }
    let mut by_series: BTreeMap<usize, Vec<ChangePoint>> = BTreeMap::new();
    let mut summary = ChangesSummary {
        series: series.len(),
        runner_shifts: report_shifts.len(),
        ..ChangesSummary::default()
    };
    for (f, shift) in found.iter().zip(assignments(&shifts, found.len())) {
        let s = &series[f.series];
        let first = s.runs[f.split.index];
        if first < since {
            continue;
        }
        let last = s.runs[f.split.index - 1];
        let mode_switch = bimodal[f.series].is_some_and(|(lo, hi)| {
            (at_level(f.before.median, lo, hi) && at_level(f.after.median, hi, lo))
                || (at_level(f.before.median, hi, lo) && at_level(f.after.median, lo, hi))
        });
        let kind = if shift.is_some() {
            ChangeKind::RunnerShift
        } else if mode_switch {
            ChangeKind::ModeSwitch
        } else if f.worse_log > 0.0 {
            ChangeKind::Regression
        } else {
            ChangeKind::Improvement
        };
        match kind {
            ChangeKind::Regression => summary.regressions += 1,
            ChangeKind::Improvement => summary.improvements += 1,
            ChangeKind::ModeSwitch => summary.mode_switches += 1,
            ChangeKind::RunnerShift => {}
        }
        let tier = if kind == ChangeKind::Regression {
            tier_of(config, &s.id, &s.metric, f.worse_log.exp_m1() * 100.0)
        } else {
            TierLabel::None
        };
        by_series.entry(f.series).or_default().push(ChangePoint {
            kind,
            tier,
            last_before: run_ref(runs, last),
            first_after: run_ref(runs, first),
            before: f.before,
            after: f.after,
            change_pct: f.change_pct,
            p_value: f.split.p_value,
            runner_shift: shift.and_then(|k| shift_index.get(&k).copied()),
        });
    }
    let mut benchmarks = Vec::new();
    for (k, s) in series.iter().enumerate() {
        let changes = by_series.remove(&k).unwrap_or_default();
        let levels = bimodal[k].map_or_else(Vec::new, |(lo, hi)| vec![lo, hi]);
        if changes.is_empty() && levels.is_empty() {
            continue;
        }
        benchmarks.push(SeriesChanges {
            id: s.id.clone(),
            metric: s.metric.clone(),
            unit: s.unit.clone(),
            direction: s.direction,
            runs: s.values.len(),
            bimodal_levels: levels,
            changes,
        });
    }
    report_shifts.reverse();
    let n_shifts = report_shifts.len();
    for b in &mut benchmarks {
        for c in &mut b.changes {
            c.runner_shift = c.runner_shift.map(|i| n_shifts - 1 - i);
        }
    }
    ChangesReport {
        schema: CHANGES_SCHEMA.to_string(),
        source,
        runs: runs.len(),
        since: (since > 0).then(|| run_ref(runs, since)),
        settings: config.changes,
        summary,
        runner_shifts: report_shifts,
        benchmarks,
        warnings: Vec::new(),
    }
}

/// The newest runner shift among the baseline window (the newest `config.window`
/// runs), with how many of those runs came after it: a window that spans it mixes two
/// machines' levels.
pub fn window_runner_shift(runs: &[Run], config: &Config) -> Option<(RunnerShift, usize)> {
    let window = &runs[runs.len().saturating_sub(config.window)..];
    // Too few runs for any change point to reach the p-value: nothing to look for.
    let mut rank_sum = crate::stats::RankSum::new();
    let possible = (MIN_BEFORE..window.len().saturating_sub(MIN_AFTER - 1)).any(|before| {
        let after = (window.len() - before).min(before);
        after >= MIN_AFTER && rank_sum.min_p(before, after) <= config.changes.p_value
    });
    if !possible {
        return None;
    }
    let report = find_changes(window, config, None, String::new());
    let shift = report.runner_shifts.into_iter().next()?;
    let since = window.len() - shift.first_after.index;
    Some((shift, since))
}

/// A runner shift found across the suite.
struct Shift {
    first_after: usize,
    /// Indices into the found change points.
    members: Vec<usize>,
    of: usize,
    change_pct: f64,
}

/// For each found change point, the index of the runner shift it belongs to.
fn assignments(shifts: &[Shift], n: usize) -> Vec<Option<usize>> {
    let mut out = vec![None; n];
    for (k, s) in shifts.iter().enumerate() {
        for m in &s.members {
            out[*m] = Some(k);
        }
    }
    out
}

/// Groups change points that most of the suite took at the same run (within
/// [`SHIFT_STRAGGLERS`] runs), in the same direction, into runner shifts, largest
/// group first.
fn runner_shifts(n_runs: usize, series: &[Series], found: &mut [Found]) -> Vec<Shift> {
    if series.len() < SHIFT_MIN_BENCHMARKS || found.is_empty() {
        return Vec::new();
    }
    // How many series measured each run.
    let mut present = vec![0usize; n_runs];
    for s in series {
        for r in &s.runs {
            present[*r] += 1;
        }
    }
    let first_run = |f: &Found| series[f.series].runs[f.split.index];
    let mut claimed = vec![false; found.len()];
    let mut shifts = Vec::new();
    loop {
        // The run and direction with the most unclaimed change points (one per series)
        // within SHIFT_STRAGGLERS runs of it; ties go to the run more of them name.
        let mut best: Option<((usize, usize), usize, Vec<usize>)> = None;
        for (i, f) in found.iter().enumerate() {
            if claimed[i] {
                continue;
            }
            let (at, up) = (first_run(f), f.worse_log > 0.0);
            let mut members: Vec<usize> = Vec::new();
            let mut exact = 0;
            for (j, g) in found.iter().enumerate() {
                if claimed[j]
                    || (g.worse_log > 0.0) != up
                    || first_run(g).abs_diff(at) > SHIFT_STRAGGLERS
                {
                    continue;
                }
                exact += usize::from(first_run(g) == at);
                // One change point per series: the one nearest the run.
                match members.iter().position(|m| found[*m].series == g.series) {
                    Some(k)
                        if first_run(&found[members[k]]).abs_diff(at)
                            > first_run(g).abs_diff(at) =>
                    {
                        members[k] = j;
                    }
                    Some(_) => {}
                    None => members.push(j),
                }
            }
            let score = (members.len(), exact);
            if best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, at, members));
            }
        }
        let Some((_, at, members)) = best else { break };
        // The shift's run: the one most of its change points name.
        let at = {
            let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
            for m in &members {
                *counts.entry(first_run(&found[*m])).or_default() += 1;
            }
            counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map_or(at, |(run, _)| run)
        };
        let of = present[at];
        let needed = SHIFT_MIN_BENCHMARKS.max((SHIFT_SHARE * of as f64).floor() as usize + 1);
        if members.len() < needed {
            break;
        }
        for m in &members {
            claimed[*m] = true;
        }
        let logs: Vec<f64> = members.iter().map(|m| found[*m].worse_log).collect();
        shifts.push(Shift {
            first_after: at,
            change_pct: median(&logs).exp_m1() * 100.0,
            of,
            members,
        });
    }
    shifts.sort_by_key(|s| s.first_after);
    shifts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time_run;

    fn wobble(i: usize, k: usize) -> f64 {
        1.0 + 0.015 * ((i as f64 * 1.3 + k as f64).sin())
    }

    fn history(n: usize, ids: &[&str], level: impl Fn(usize, usize) -> f64) -> Vec<Run> {
        (0..n)
            .map(|i| {
                let values: Vec<(&str, f64)> = ids
                    .iter()
                    .enumerate()
                    .map(|(k, id)| (*id, level(i, k) * wobble(i, k)))
                    .collect();
                let mut run = time_run(&values);
                run.meta.commit = Some(format!("{i:040x}"));
                run
            })
            .collect()
    }

    const IDS: [&str; 5] = ["a", "b", "c", "d", "e"];

    #[test]
    fn one_regression_is_reported_with_its_commit_range_and_tier() {
        let runs = history(
            60,
            &IDS,
            |i, k| {
                if k == 2 && i >= 40 { 130.0 } else { 100.0 }
            },
        );
        let r = find_changes(&runs, &Config::default(), None, "test".into());
        assert_eq!(r.summary.regressions, 1, "{r:#?}");
        assert_eq!(r.summary.runner_shifts, 0);
        let b = &r.benchmarks[0];
        assert_eq!(b.id, "c");
        let c = &b.changes[0];
        assert_eq!(c.kind, ChangeKind::Regression);
        assert_eq!(c.tier, TierLabel::Critical);
        assert_eq!(c.first_after.index, 40);
        assert_eq!(c.last_before.index, 39);
        assert_eq!(
            c.first_after.commit.as_deref(),
            Some(&*format!("{:040x}", 40))
        );
        assert!((c.change_pct - 30.0).abs() < 3.0, "{}", c.change_pct);
        assert_eq!((c.before.runs, c.after.runs), (40, 20));
    }

    #[test]
    fn a_suite_wide_step_is_one_runner_shift() {
        let runs = history(60, &IDS, |i, _| if i >= 35 { 115.0 } else { 100.0 });
        let r = find_changes(&runs, &Config::default(), None, "test".into());
        assert_eq!(r.summary.runner_shifts, 1, "{r:#?}");
        assert_eq!(r.summary.regressions, 0);
        assert_eq!(r.runner_shifts[0].benchmarks, 5);
        assert_eq!(r.runner_shifts[0].of, 5);
        assert_eq!(r.runner_shifts[0].first_after.index, 35);
        assert!(
            r.benchmarks
                .iter()
                .all(|b| b.changes[0].kind == ChangeKind::RunnerShift
                    && b.changes[0].runner_shift == Some(0))
        );
        let text = crate::report::changes_text(&r);
        assert!(text.contains("5 of 5 benchmarks +15"), "{text}");
    }

    #[test]
    fn a_bimodal_history_switches_modes_without_regressions() {
        // Stretches at 100 and 160, alternating.
        let runs = history(
            120,
            &["a"],
            |i, _| {
                if (i / 15) % 2 == 1 { 160.0 } else { 100.0 }
            },
        );
        let r = find_changes(&runs, &Config::default(), None, "test".into());
        let b = &r.benchmarks[0];
        assert_eq!(b.bimodal_levels.len(), 2, "{r:#?}");
        assert!(!b.changes.is_empty());
        assert!(b.changes.iter().all(|c| c.kind == ChangeKind::ModeSwitch));
        assert_eq!(r.summary.regressions, 0);
    }

    #[test]
    fn since_lists_only_newer_change_points() {
        let runs = history(90, &["a"], |i, _| match i {
            0..30 => 100.0,
            30..60 => 130.0,
            _ => 170.0,
        });
        let all = find_changes(&runs, &Config::default(), None, "t".into());
        assert_eq!(all.summary.regressions, 2, "{all:#?}");
        let newer = find_changes(&runs, &Config::default(), Some(50), "t".into());
        assert_eq!(newer.summary.regressions, 1);
        assert_eq!(newer.benchmarks[0].changes[0].first_after.index, 60);
        // The level before the newer change starts at the older one.
        assert_eq!(newer.benchmarks[0].changes[0].before.runs, 30);
    }

    #[test]
    fn throughput_down_is_a_regression() {
        let runs: Vec<Run> = (0..50)
            .map(|i| {
                let mut run = time_run(&[("x", 100.0 * wobble(i, 0))]);
                let m = &mut run.benchmarks[0].measurements[0];
                m.metric = Metric::Throughput;
                m.direction = Direction::HigherIsBetter;
                m.unit = "ops/s".into();
                if i >= 30 {
                    m.value *= 0.7;
                }
                run
            })
            .collect();
        let r = find_changes(&runs, &Config::default(), None, "t".into());
        let c = &r.benchmarks[0].changes[0];
        assert_eq!(c.kind, ChangeKind::Regression);
        assert!(c.change_pct < -25.0);
        assert_eq!(c.tier, TierLabel::Critical);
    }
}
