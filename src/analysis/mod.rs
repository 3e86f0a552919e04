//! Analysis: `(current, baselines, config) -> Report`. Pure: no I/O, no clock.
//!
//! `rows.rs` builds a row per measurement (compared, new, missing) and adjusts the
//! p-values across them, `tiers.rs` classifies each row, `summary.rs` sorts, counts and
//! writes the verdict and notes; `compare.rs` holds the two comparison rules;
//! `matrix.rs` tells a window whose commits were each measured several times.

pub mod changes;
mod compare;
pub mod matrix;
mod paired;
mod rows;
mod run_noise;
mod suite_shift;
mod summary;
mod tiers;

pub use compare::{Comparison, Window, compare_history, compare_runs, history_rule};
pub use paired::{AbInfo, analyze_paired};
pub use summary::NO_BASELINE;

use crate::config::Config;
use crate::model::{Metric, Run};
use crate::report::{Method, Report, RunNoiseSource, SCHEMA, Status, TierLabel};

/// Compares the current run with the baseline runs (oldest first).
pub fn analyze(current: &Run, baselines: &[Run], config: &Config) -> Report {
    analyze_with(current, baselines, config, None)
}

/// [`analyze`], with the level starts of the window (the newest `config.window` runs
/// of `baselines`) when a scan of it found them already
/// ([`changes::window_runner_shift`]).
pub fn analyze_with(
    current: &Run,
    baselines: &[Run],
    config: &Config,
    levels: Option<&changes::LevelStarts>,
) -> Report {
    let start = baselines.len().saturating_sub(config.window);
    let window = &baselines[start..];
    let run_noise = run_noise::estimate(current, window, config);
    let run_noise_pct = run_noise.map_or(config.run_noise_pct, |n| n.pct);
    let (mut rows, ignored) = rows::compared(current, window, config, run_noise_pct, levels);
    rows.extend(rows::missing(current, window, config));
    rows::adjust(&mut rows, config.multiple_comparisons);
    let judging = tiers::Judging {
        noise_cv: config.noise_cv,
        run_noise_pct,
        run_noise_from_suite: run_noise.is_some_and(|n| n.source == RunNoiseSource::Suite),
    };
    for p in &mut rows {
        if p.row.baseline.is_some() && p.row.current.is_some() {
            tiers::classify(&mut p.row, &p.metric, p.tiers, p.noisy_cv, judging);
        }
    }
    let shift = suite_shift::suite_shift(rows.iter().map(|p| &p.row), &config.tiers);
    let mut actions = Vec::new();
    let mut results = Vec::with_capacity(rows.len());
    for mut p in rows {
        if let Some(shift) = &shift {
            suite_shift::cap_by_shift(&mut p.row, p.tiers, shift);
        }
        actions.push(tiers::action_of(&p.row, p.tiers));
        results.push(p.row);
    }
    summary::sort_results(&mut results);
    let summary = summary::summarize(&results, ignored);
    let verdict = summary::verdict_of(&summary);
    let blocked = tiers::blocks(&actions, config.fail_on, &results);
    let run_noise = run_noise.filter(|_| results.iter().any(|r| r.method == Method::RunNoise));
    let mut notes = summary::notes(baselines, &summary);
    notes.extend(summary::level_change_note(&results));
    notes.extend(matrix::note(window, matrix::Runs::Baseline));
    notes.extend(shift.map(|s| s.note()));
    notes.extend(
        run_noise
            .and_then(|n| run_noise::note(&n, config.run_noise_pct, config.tiers.critical.sigma)),
    );
    Report {
        schema: SCHEMA.to_string(),
        verdict,
        blocked,
        summary,
        results,
        current: summary::run_ref(current),
        baseline: summary::baseline_info(baselines, window.len(), config, run_noise),
        notes,
        warnings: Vec::new(),
        settings: summary::settings(config),
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// Judges one value against the history before it, as a report would (without the
/// multiple-comparison adjustment, which belongs to a whole report): the comparison, the
/// tier that fired and the status. Used for every point of the dashboard.
pub fn judge_history(
    history: Window<'_>,
    current: f64,
    metric: &Metric,
    deterministic: bool,
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
        deterministic,
        tiers,
        comparison.noisy_cv,
        config.noise_cv,
    );
    let tier = d.tier.map_or(TierLabel::None, TierLabel::from);
    (comparison, tier, d.status)
}
