//! Change points over a history: `(runs, config) -> ChangesReport`. Pure: no I/O.
//!
//! Each benchmark's metric is a series over the runs that measured it; `detect.rs`
//! finds its change points on log values. Then, across the suite:
//! - a step most benchmarks take at the same run (within 3 runs of it, in the same
//!   direction) is one runner-shift event, not N regressions;
//! - a benchmark whose history alternates between two separate levels is bimodal, and
//!   a change point from one of its levels to the other is a mode switch;
//! - the rest are regressions or improvements, regressions with the tier their size
//!   reaches.

mod detect;
mod series;
mod shifts;

use std::collections::BTreeMap;

pub use detect::{Detection, Detector, MIN_AFTER, MIN_BEFORE, Settings, Split};
pub use series::{Series, series_of, settings};
pub use shifts::window_runner_shift;

use series::{bimodal_levels, level, mode_switch, settled};
use shifts::{assignments, runner_shifts};

use crate::config::{Config, TierName};
use crate::model::{Metric, Run};
use crate::report::{
    CHANGES_SCHEMA, ChangeKind, ChangePoint, ChangesReport, ChangesSummary, HistoryRun, Level,
    RunnerShift, SeriesChanges, TierLabel,
};

/// A change point found in a series, before the suite-wide classification.
struct Found {
    series: usize,
    split: Split,
    /// Log change of the level, oriented so that positive is worse.
    worse_log: f64,
    change_pct: f64,
    before: Level,
    after: Level,
    /// A move between the two levels of a bimodal history (`series::mode_switch`).
    mode_switch: bool,
}

fn run_ref(runs: &[Run], index: usize) -> HistoryRun {
    let meta = &runs[index].meta;
    HistoryRun {
        index,
        commit: meta.commit.clone(),
        timestamp: meta.timestamp.clone(),
    }
}

/// The run before a change whose first run after it is `first`: the run just before,
/// or, when that run measured the same commit (a test matrix writing several runs per
/// commit into one history), the last run of an earlier commit, so that
/// `last_before..first_after` is a commit range that holds the change and never
/// `c..c`. The run after stays the change point's own.
fn run_before(runs: &[Run], first: usize, last: usize) -> HistoryRun {
    let commit = &runs[first].meta.commit;
    if commit.is_none() || runs[last].meta.commit != *commit {
        return run_ref(runs, last);
    }
    let earlier = (0..last).rev().find(|&i| runs[i].meta.commit != *commit);
    run_ref(runs, earlier.unwrap_or(last))
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

/// Where the levels of a window of values (oldest first) start, for judging `current`
/// against the newest: the index of the first value after each of the window's change
/// points, when they hold ([`holding_levels`]). Empty when the window holds no change
/// point that does, or a value that is not positive and finite.
///
/// `known`: the window's change points as a scan of the whole window found them
/// ([`LevelStarts`]), which saves scanning the series again.
pub fn window_levels(
    values: &[f64],
    current: f64,
    known: Option<&[usize]>,
    detector: &mut Detector,
    config: &Config,
) -> Vec<usize> {
    if values.len() < MIN_BEFORE + MIN_AFTER || values.iter().any(|v| !(v.is_finite() && *v > 0.0))
    {
        return Vec::new();
    }
    let starts = match known {
        Some(starts) => starts.to_vec(),
        None => {
            let logs: Vec<f64> = values.iter().map(|v| v.ln()).collect();
            settled(detector.detect(&logs).splits, &logs, config)
                .iter()
                .map(|s| s.index)
                .collect()
        }
    };
    holding_levels(values, starts, current, config)
}

/// `starts`, the first value of each level of a window after the first, when `current`
/// is to be judged against the newest of them: the window is not a bimodal history
/// (the history rule compares a run with the level nearest to it), and the newest level
/// holds (`holds_level`). Empty otherwise.
pub fn holding_levels(
    values: &[f64],
    starts: Vec<usize>,
    current: f64,
    config: &Config,
) -> Vec<usize> {
    if starts.is_empty()
        || bimodal_levels(values).is_some()
        || !holds_level(values, &starts, current, config)
    {
        return Vec::new();
    }
    starts
}

/// The medians of the newest level of `values` (from the last of `starts`) and of the
/// level before it.
pub fn newest_levels(values: &[f64], starts: &[usize]) -> Option<(f64, f64)> {
    let (&newest, earlier) = starts.split_last()?;
    let previous = earlier.last().copied().unwrap_or(0);
    if newest <= previous || newest >= values.len() {
        return None;
    }
    Some((
        crate::stats::median(&values[previous..newest]),
        crate::stats::median(&values[newest..]),
    ))
}

/// Whether the newest level (from the last of `starts`) holds, for judging `current`
/// against it: the window's newest value and `current` are both nearer (as factors) to
/// its median than to the median of the level before it, and a level a factor of two
/// or more from that one has lasted `min_history` runs. A few runs a hundred times off
/// (a broken runner, a debug build) are a change point at the end of a window until the
/// runs come back: until then they are an episode, and the runs that came back, and a
/// run that comes back, are judged against the level they came back to.
fn holds_level(values: &[f64], starts: &[usize], current: f64, config: &Config) -> bool {
    let Some((old, new)) = newest_levels(values, starts) else {
        return false;
    };
    if !(old > 0.0 && new > 0.0 && current.is_finite() && current > 0.0) {
        return false;
    }
    let runs = values.len() - starts[starts.len() - 1];
    let nearer = |v: f64| (v / new).ln().abs() < (v / old).ln().abs();
    let episode = (new / old).ln().abs() >= std::f64::consts::LN_2 && runs < config.min_history;
    !episode && nearer(values[values.len() - 1]) && nearer(current)
}

/// The change points of every benchmark in `runs` (oldest first), listed from run
/// `since` on (all when `None`).
pub fn find_changes(
    runs: &[Run],
    config: &Config,
    since: Option<usize>,
    source: String,
) -> ChangesReport {
    scan(runs, config, since, source).0
}

/// Where the levels of each benchmark's series start in a window of runs: the index
/// in the series of the first value after each change point, by benchmark and metric,
/// with the series' length. What [`window_levels`] finds for a series of the window,
/// before it checks that the newest level holds; a scan of the window for runner
/// shifts finds them too, and analyze takes them from it.
#[derive(Debug, Default)]
pub struct LevelStarts {
    by_series: rustc_hash::FxHashMap<(String, Metric), (usize, Vec<usize>)>,
}

impl LevelStarts {
    /// The level starts of this benchmark's metric, when its series in the scanned
    /// window had `len` values (the values of the window that measured it, all
    /// positive and finite, none derived).
    pub fn get(&self, id: &str, metric: &Metric, len: usize) -> Option<&[usize]> {
        let (n, starts) = self.by_series.get(&(id.to_string(), metric.clone()))?;
        (*n == len).then_some(starts.as_slice())
    }
}

/// [`find_changes`], with the level starts of every series.
fn scan(
    runs: &[Run],
    config: &Config,
    since: Option<usize>,
    source: String,
) -> (ChangesReport, LevelStarts) {
    let series = series_of(runs, config);
    let mut detector = Detector::new(settings(config));
    let mut found: Vec<Found> = Vec::new();
    let mut bimodal: Vec<Option<(f64, f64)>> = Vec::with_capacity(series.len());
    let mut starts = LevelStarts::default();
    for (k, s) in series.iter().enumerate() {
        let logs: Vec<f64> = s.values.iter().map(|v| v.ln()).collect();
        let splits = settled(detector.detect(&logs).splits, &logs, config);
        let levels = bimodal_levels(&s.values);
        let min_log = (1.0 + config.changes.min_change_pct / 100.0).ln();
        starts.by_series.insert(
            (s.id.clone(), s.metric.clone()),
            (logs.len(), splits.iter().map(|x| x.index).collect()),
        );
        let bounds: Vec<usize> = std::iter::once(0)
            .chain(splits.iter().map(|x| x.index))
            .chain(std::iter::once(logs.len()))
            .collect();
        for (i, split) in splits.iter().enumerate() {
            let (before_logs, after_logs) = (
                &logs[bounds[i]..bounds[i + 1]],
                &logs[bounds[i + 1]..bounds[i + 2]],
            );
            let (before, after) = (level(before_logs), level(after_logs));
            let log_change = after.median.ln() - before.median.ln();
            found.push(Found {
                series: k,
                split: *split,
                worse_log: log_change * s.direction.worse_sign(),
                change_pct: log_change.exp_m1() * 100.0,
                before,
                after,
                mode_switch: levels
                    .is_some_and(|l| mode_switch(before_logs, after_logs, l, min_log)),
            });
        }
        bimodal.push(levels);
    }
    let shifts = runner_shifts(runs.len(), &series, &mut found);
    let since = since.unwrap_or(0);
    let mut report_shifts = Vec::new();
    let mut shift_index: BTreeMap<usize, usize> = BTreeMap::new();
    for (k, shift) in shifts.iter().enumerate() {
        if shift.first_after >= since {
            shift_index.insert(k, report_shifts.len());
            report_shifts.push(RunnerShift {
                last_before: run_before(runs, shift.first_after, shift.first_after - 1),
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
        let kind = if shift.is_some() {
            ChangeKind::RunnerShift
        } else if f.mode_switch {
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
            last_before: run_before(runs, first, last),
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
    let report = ChangesReport {
        schema: CHANGES_SCHEMA.to_string(),
        source,
        runs: runs.len(),
        since: (since > 0).then(|| run_ref(runs, since)),
        settings: config.changes,
        summary,
        runner_shifts: report_shifts,
        benchmarks,
        warnings: Vec::new(),
    };
    (report, starts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, time_run};

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
    fn a_change_inside_the_runs_of_one_commit_names_the_commit_before_them() {
        // Three runs a commit (a version matrix writing into one history); the step
        // starts at the second run of commit 13.
        let mut runs = history(
            60,
            &IDS,
            |i, k| {
                if k == 2 && i >= 40 { 130.0 } else { 100.0 }
            },
        );
        for (i, run) in runs.iter_mut().enumerate() {
            run.meta.commit = Some(format!("{:040x}", i / 3));
        }
        let r = find_changes(&runs, &Config::default(), None, "test".into());
        let c = &r.benchmarks[0].changes[0];
        assert_eq!(c.first_after.index, 40);
        assert_eq!(
            c.first_after.commit.as_deref(),
            Some(&*format!("{:040x}", 13))
        );
        assert_eq!(c.last_before.index, 38, "the last run of commit 12");
        assert_eq!(
            c.last_before.commit.as_deref(),
            Some(&*format!("{:040x}", 12))
        );
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

    /// Which of 200 runs are in the slow mode: 3 of every 10, spread out.
    fn slow_mode(i: usize) -> bool {
        i % 10 == 0 || i % 10 == 3 || i % 10 == 6
    }

    /// A bimodal history of `len` runs at 100 or `slow` (in [`slow_mode`]), both
    /// 25 % slower from run `step` on.
    fn slower_in_both(len: usize, slow: f64, step: usize) -> Vec<Run> {
        history(len, &["a"], |i, _| {
            let level = if slow_mode(i) { slow } else { 100.0 };
            if i >= step { level * 1.25 } else { level }
        })
    }

    /// The kinds of the change points of a one-benchmark history.
    fn kinds(runs: &[Run]) -> Vec<(ChangeKind, usize)> {
        let r = find_changes(runs, &Config::default(), None, "test".into());
        r.benchmarks
            .iter()
            .flat_map(|b| b.changes.iter().map(|c| (c.kind, c.first_after.index)))
            .collect()
    }

    /// Whether `found` has a regression within 3 runs of `run`.
    fn regression_near(found: &[(ChangeKind, usize)], run: usize) -> bool {
        found
            .iter()
            .any(|(k, at)| *k == ChangeKind::Regression && at.abs_diff(run) <= 3)
    }

    #[test]
    fn a_step_with_one_earlier_run_at_its_level_is_a_regression() {
        // One run at 126 long before the step to 125: the history visits the upper
        // level twice, which is a step, not two levels it alternates between.
        let runs = history(120, &["a"], |i, _| match i {
            30 => 126.0,
            80.. => 125.0,
            _ => 100.0,
        });
        assert_eq!(kinds(&runs), [(ChangeKind::Regression, 80)]);
    }

    #[test]
    fn a_bimodal_benchmark_slower_in_both_modes_regresses() {
        // 100 or 120 (3 runs in 10), then 125 or 150 from run 180: the history is
        // bimodal, and the fast mode lands near the old slow one, but the slow mode is
        // at neither level.
        let runs = slower_in_both(200, 120.0, 180);
        let r = find_changes(&runs, &Config::default(), None, "test".into());
        assert_eq!(r.benchmarks[0].bimodal_levels.len(), 2, "{r:#?}");
        let found = kinds(&runs);
        assert!(regression_near(&found, 180), "{found:?}");
        assert!(
            found.iter().all(|(k, _)| *k != ChangeKind::ModeSwitch),
            "{found:?}"
        );
    }

    #[test]
    fn a_matrix_slower_in_both_of_its_levels_regresses_at_the_commit() {
        // Two entries of a test matrix 55 % apart (3 runs in 10 the slower), then 12
        // runs 25 % slower in both from run 40: the fast runs land between the old
        // levels, and the windows' mixtures differ by less than their spread.
        let runs = slower_in_both(52, 155.0, 40);
        let r = find_changes(&runs, &Config::default(), None, "test".into());
        assert_eq!(r.summary.regressions, 1, "{r:#?}");
        let c = &r.benchmarks[0].changes[0];
        assert_eq!((c.kind, c.first_after.index), (ChangeKind::Regression, 40));
        assert_eq!(c.tier, TierLabel::Critical);
    }

    #[test]
    fn a_change_within_one_mode_is_not_a_mode_switch() {
        // 100 or 200, and from run 120 the fast mode is 10 % slower: both sides of the
        // change are at the fast level, but its runs moved.
        let runs = history(200, &["a"], |i, _| match (slow_mode(i), i >= 120) {
            (true, _) => 200.0,
            (false, false) => 100.0,
            (false, true) => 110.0,
        });
        let found = kinds(&runs);
        assert!(regression_near(&found, 120), "{found:?}");
        // Only how often the slow mode comes changes: a mode switch.
        let runs = history(200, &["a"], |i, _| {
            let slow = if i < 100 { slow_mode(i) } else { !slow_mode(i) };
            if slow { 120.0 } else { 100.0 }
        });
        let found = kinds(&runs);
        assert!(!found.is_empty());
        assert!(
            found.iter().all(|(k, _)| *k == ChangeKind::ModeSwitch),
            "{found:?}"
        );
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
