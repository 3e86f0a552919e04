//! Analysis: `(current, baselines, config) -> Report`. Pure: no I/O, no clock.

mod compare;
pub mod stats;
mod tiers;

pub use compare::{Comparison, compare_history, compare_runs, history_rule};

use std::collections::HashMap;

use crate::config::{Action, Config, Correction};
use crate::model::{Benchmark, Metric, Run};
use crate::report::{
    BaselineInfo, BaselineSide, CurrentSide, Method, Report, ResultRow, RunRef, SCHEMA, Settings,
    Status, Summary, TierLabel, Verdict,
};

/// Compares the current run with the baseline runs (oldest first).
pub fn analyze(current: &Run, baselines: &[Run], config: &Config) -> Report {
    let start = baselines.len().saturating_sub(config.window);
    let window = &baselines[start..];
    let indexes: Vec<HashMap<&str, &Benchmark>> = window
        .iter()
        .map(|run| run.benchmarks.iter().map(|b| (b.id.as_str(), b)).collect())
        .collect();
    let mut rows = Vec::new();
    let mut actions = Vec::new();
    let mut ignored = 0;
    let mut seen: std::collections::HashSet<(&str, &Metric)> = std::collections::HashSet::new();
    for b in &current.benchmarks {
        for m in &b.measurements {
            seen.insert((b.id.as_str(), &m.metric));
            if config.ignored(&b.id, &m.metric) {
                ignored += 1;
                continue;
            }
            let direction = config
                .direction_for(&b.id, &m.metric)
                .unwrap_or(m.direction);
            let series: Vec<&crate::model::Measurement> = indexes
                .iter()
                .filter_map(|idx| idx.get(b.id.as_str()))
                .filter_map(|ob| ob.measurements.iter().find(|x| x.metric == m.metric))
                .collect();
            let tiers = config.tiers_for(&b.id, &m.metric);
            let gate_sigma = tiers.critical.sigma;
            let comparison = if series.len() >= config.min_history {
                let values: Vec<f64> = series.iter().map(|x| x.value).collect();
                Some(compare_history(
                    &values, m.value, direction, config, gate_sigma,
                ))
            } else {
                series
                    .last()
                    .map(|base| compare_runs(base, m, direction, gate_sigma))
            };
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
                    ..empty_row(b, &m.metric, &m.unit, direction)
                },
                Some(c) => ResultRow {
                    baseline: Some(BaselineSide {
                        value: c.centre,
                        stddev: c.spread,
                        n: c.n,
                        runs: series.len().min(config.window),
                        history: c.history,
                    }),
                    current: Some(current_side),
                    change_pct: c.change_pct,
                    value_change_pct: c.value_change_pct,
                    z: c.z.filter(|z| z.is_finite()),
                    p_value: c.p_value,
                    p_adjusted: c.p_value,
                    detectable_pct: c.detectable_pct,
                    method: c.method,
                    ..empty_row(b, &m.metric, &m.unit, direction)
                },
            };
            rows.push((row, tiers.clone(), noisy_cv));
        }
    }
    // Benchmarks that were in the newest baseline run but not in this one.
    if let Some(newest) = window.last() {
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
                    }),
                    status: Status::Missing,
                    reason: "missing: in the baseline but not in this run".to_string(),
                    ..empty_row(b, &m.metric, &m.unit, direction)
                };
                rows.push((row, config.tiers.clone(), None));
            }
        }
    }
    if config.multiple_comparisons == Correction::Bh {
        let idx: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].0.p_value.is_some())
            .collect();
        let p: Vec<f64> = idx.iter().filter_map(|&i| rows[i].0.p_value).collect();
        for (i, adj) in idx.into_iter().zip(stats::benjamini_hochberg(&p)) {
            rows[i].0.p_adjusted = Some(adj);
        }
    }
    let mut results = Vec::with_capacity(rows.len());
    for (mut row, row_tiers, noisy_cv) in rows {
        if row.baseline.is_some() && row.current.is_some() {
            let action = tiers::classify(&mut row, &row_tiers, noisy_cv, config.noise_cv);
            actions.push((row.tier, action));
        }
        results.push(row);
    }
    sort_results(&mut results);
    let summary = summarize(&results, ignored);
    let verdict = verdict_of(&summary);
    let blocked = match config.fail_on {
        None => actions.iter().any(|(_, a)| *a == Some(Action::Block)),
        Some(level) => tiers::fails(level, &results),
    };
    let mut notes = Vec::new();
    if baselines.is_empty() {
        notes.push(
            "No baseline: nothing was compared. Pass --baseline FILE (or --history BRANCH)."
                .to_string(),
        );
    } else if summary.compared == 0 {
        notes.push(
            "Nothing was compared: no benchmark is in both this run and the baseline \
             (renamed benchmarks, or results of another tool?)."
                .to_string(),
        );
    }
    if summary.missing > 0 && summary.compared > 0 {
        notes.push(format!(
            "{} benchmark metric(s) of the baseline are missing from this run \
             (removed, filtered, or a run that stopped partway?).",
            summary.missing
        ));
    }
    notes.extend(tiers::moved_together(&results, &config.tiers));
    Report {
        schema: SCHEMA.to_string(),
        verdict,
        blocked,
        summary,
        results,
        current: run_ref(current),
        baseline: baseline_info(baselines, window.len(), config),
        notes,
        warnings: Vec::new(),
        settings: Settings {
            tiers: serde_json::to_value(&config.tiers).unwrap_or_default(),
            multiple_comparisons: match config.multiple_comparisons {
                Correction::Bh => "bh".to_string(),
                Correction::None => "none".to_string(),
            },
            min_history: config.min_history,
            window: config.window,
            fail_on: config.fail_on,
            config: config.source.as_ref().map(|p| p.display().to_string()),
        },
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// Judges one value against the history before it, as a report would (without the
/// multiple-comparison adjustment, which belongs to a whole report): the comparison, the
/// tier that fired and the status. Used for every point of the dashboard.
pub fn judge_history(
    history: &[f64],
    current: f64,
    metric: &Metric,
    direction: crate::model::Direction,
    config: &Config,
    tiers: &crate::config::Tiers,
) -> (Comparison, TierLabel, Status) {
    let comparison = history_rule(history, current, direction, config, tiers.critical.sigma);
    let Some(change) = comparison.change_pct else {
        return (comparison, TierLabel::None, Status::Unchanged);
    };
    let d = tiers::decide(
        change,
        comparison.p_value,
        metric,
        tiers,
        comparison.noisy_cv,
        config.noise_cv,
    );
    let tier = d.tier.map_or(TierLabel::None, TierLabel::from);
    (comparison, tier, d.status)
}

fn empty_row(
    b: &Benchmark,
    metric: &Metric,
    unit: &str,
    direction: crate::model::Direction,
) -> ResultRow {
    ResultRow {
        id: b.id.clone(),
        group: b.group.clone(),
        metric: metric.to_string(),
        unit: unit.to_string(),
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
        reason: String::new(),
    }
}

/// Regressions by tier then size, then improvements, noisy, new, missing, unchanged.
fn sort_results(results: &mut [ResultRow]) {
    let rank = |r: &ResultRow| match r.status {
        Status::Regression => 0,
        Status::Improvement => 1,
        Status::Noisy => 2,
        Status::New => 3,
        Status::Missing => 4,
        Status::Unchanged => 5,
    };
    results.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then(a.tier.cmp(&b.tier))
            .then_with(|| match a.status {
                Status::Regression => b
                    .change_pct
                    .unwrap_or(0.0)
                    .total_cmp(&a.change_pct.unwrap_or(0.0)),
                Status::Improvement => a
                    .change_pct
                    .unwrap_or(0.0)
                    .total_cmp(&b.change_pct.unwrap_or(0.0)),
                _ => std::cmp::Ordering::Equal,
            })
    });
}

fn summarize(results: &[ResultRow], ignored: usize) -> Summary {
    let mut s = Summary {
        ignored,
        ..Summary::default()
    };
    for r in results {
        if r.baseline.is_some() && r.current.is_some() {
            s.compared += 1;
        }
        match (r.status, r.tier) {
            (Status::Regression, TierLabel::Critical) => s.critical += 1,
            (Status::Regression, TierLabel::Warning) => s.warning += 1,
            (Status::Regression, TierLabel::Notice) => s.notice += 1,
            (Status::Improvement, _) => s.improvements += 1,
            (Status::New, _) => s.new += 1,
            (Status::Missing, _) => s.missing += 1,
            (Status::Noisy, _) => s.noisy += 1,
            _ => {}
        }
    }
    s
}

fn verdict_of(s: &Summary) -> Verdict {
    if s.critical > 0 {
        Verdict::Critical
    } else if s.warning > 0 {
        Verdict::Warning
    } else if s.notice > 0 {
        Verdict::Notice
    } else {
        Verdict::Pass
    }
}

fn run_ref(run: &Run) -> RunRef {
    RunRef {
        commit: run.meta.commit.clone(),
        branch: run.meta.branch.clone(),
        timestamp: run.meta.timestamp.clone(),
        sources: run.meta.sources.clone(),
    }
}

fn baseline_info(baselines: &[Run], used: usize, config: &Config) -> BaselineInfo {
    let describe_one = |run: &Run| {
        let mut parts = Vec::new();
        if let Some(src) = run.meta.sources.first() {
            parts.push(src.clone());
        }
        if let Some(c) = &run.meta.commit {
            parts.push(format!("commit {}", &c[..c.len().min(12)]));
        }
        parts.join(", ")
    };
    let description = match baselines.len() {
        0 => "no baseline".to_string(),
        1 => match describe_one(&baselines[0]) {
            d if d.is_empty() => "one baseline run".to_string(),
            d => format!("one baseline run ({d})"),
        },
        n if n < config.min_history => format!(
            "the newest of {n} baseline runs ({}); the history rule needs {} runs",
            describe_one(&baselines[n - 1]),
            config.min_history
        ),
        n => format!(
            "median and run-to-run noise of the last {used} of {n} baseline runs (window {})",
            config.window
        ),
    };
    BaselineInfo {
        runs: baselines.len(),
        description,
        refs: baselines[baselines.len() - used..]
            .iter()
            .map(run_ref)
            .collect(),
    }
}
