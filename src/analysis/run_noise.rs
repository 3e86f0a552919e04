//! The run-to-run noise of a one-baseline comparison, from the suite itself.
//!
//! One run cannot show the noise between runs, but a suite of benchmarks measured twice
//! can: most of a pull request's benchmarks are unchanged, so the spread of their
//! changes between the two runs is run-to-run noise. bench-bot takes the robust spread
//! (1.4826 × MAD) of the log ratios of the compared time estimates, around their median
//! so that a suite-wide shift is not counted as spread, and uses it when it is larger
//! than the assumed `run_noise_pct`. A few real regressions barely move a MAD: it
//! ignores up to half of the values.

use crate::config::Config;
use crate::model::{Metric, Run};
use crate::report::{RunNoise, RunNoiseSource};
use crate::stats::{self, MAD_TO_SIGMA};

/// Time measurements a suite needs before its own spread is trusted as the noise.
pub const MIN_BENCHMARKS: usize = 5;

/// The run-to-run noise for the two-run comparisons of `current` against the newest of
/// `window`: the larger of the configured `run_noise_pct` and the suite's own spread.
/// `None` when no comparison of the report is a two-run one (a history measures its
/// noise) or when `run_noise_pct` is 0 (the samples-only test was asked for).
pub fn estimate(current: &Run, window: &[Run], config: &Config) -> Option<RunNoise> {
    let base = window.last()?;
    if window.len() >= config.min_history || config.run_noise_pct <= 0.0 {
        return None;
    }
    let assumed = RunNoise {
        pct: config.run_noise_pct,
        source: RunNoiseSource::Assumed,
        suite_pct: None,
        benchmarks: 0,
    };
    if !config.suite_noise {
        return Some(assumed);
    }
    let index: rustc_hash::FxHashMap<&str, f64> = base
        .benchmarks
        .iter()
        .filter_map(|b| time_value(b).map(|v| (b.id.as_str(), v)))
        .collect();
    let ratios: Vec<f64> = current
        .benchmarks
        .iter()
        .filter(|b| !config.ignored(&b.id, &Metric::Time))
        .filter_map(|b| {
            let now = time_value(b)?;
            let before = *index.get(b.id.as_str())?;
            (now > 0.0 && before > 0.0).then(|| (now / before).ln())
        })
        .filter(|r| r.is_finite())
        .collect();
    if ratios.len() < MIN_BENCHMARKS {
        return Some(assumed);
    }
    let centre = stats::median(&ratios);
    // The spread of a difference of two runs; each run holds half of its variance.
    let per_run = MAD_TO_SIGMA * stats::mad(&ratios, centre) / std::f64::consts::SQRT_2;
    let suite_pct = 100.0 * per_run;
    let mut noise = RunNoise {
        suite_pct: Some(round2(suite_pct)),
        benchmarks: ratios.len(),
        ..assumed
    };
    if suite_pct > config.run_noise_pct {
        noise.pct = suite_pct;
        noise.source = RunNoiseSource::Suite;
    }
    Some(noise)
}

fn time_value(b: &crate::model::Benchmark) -> Option<f64> {
    b.measurements
        .iter()
        .find(|m| m.metric == Metric::Time && !m.derived)
        .map(|m| m.value)
        .filter(|v| v.is_finite())
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The note a reader sees first when the suite's spread replaced the assumed noise.
pub fn note(noise: &RunNoise, assumed_pct: f64, gate_sigma: f64) -> Option<String> {
    if noise.source != RunNoiseSource::Suite {
        return None;
    }
    // A change must beat the noise of both runs: √2 × the per-run noise, times the gate,
    // as a factor (the comparison is made on the log of the ratio).
    let detectable =
        100.0 * ((gate_sigma * std::f64::consts::SQRT_2 * noise.pct / 100.0).exp() - 1.0);
    Some(format!(
        "one baseline run: the changes of this suite's {} benchmarks scatter by {:.0} % per \
         run, more than the {} % assumed (`run_noise_pct`), so that is the noise each \
         change is judged against; only changes of about {:.0} % or more can be told from \
         it. A recorded history measures the noise of each benchmark instead",
        noise.benchmarks, noise.pct, assumed_pct, detectable
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    /// A run of benchmarks `b0`, `b1`, … with these times.
    fn run(values: &[f64]) -> Run {
        let ids: Vec<String> = (0..values.len()).map(|i| format!("b{i}")).collect();
        let pairs: Vec<(&str, f64)> = ids
            .iter()
            .map(String::as_str)
            .zip(values.iter().copied())
            .collect();
        crate::model::time_run(&pairs)
    }

    #[test]
    fn a_scattered_suite_raises_the_noise_and_a_tight_one_keeps_the_assumed() {
        let config = Config::default();
        let base = run(&[100.0; 8]);
        // ±30 % scatter around no change.
        let scattered = run(&[130.0, 70.0, 125.0, 75.0, 100.0, 128.0, 72.0, 100.0]);
        let n = estimate(&scattered, std::slice::from_ref(&base), &config).unwrap();
        assert_eq!(n.source, RunNoiseSource::Suite);
        assert!(n.pct > 15.0, "{n:?}");
        assert_eq!(n.benchmarks, 8);
        // A tight suite where one benchmark moved +50 %: the MAD ignores it.
        let one_moved = run(&[150.0, 101.0, 99.0, 100.5, 99.5, 100.0, 101.0, 99.0]);
        let n = estimate(&one_moved, std::slice::from_ref(&base), &config).unwrap();
        assert_eq!(n.source, RunNoiseSource::Assumed);
        assert_eq!(n.pct, 5.0);
        assert!(n.suite_pct.unwrap() < 1.0, "{n:?}");
    }

    #[test]
    fn a_suite_wide_shift_is_not_spread() {
        let config = Config::default();
        let base = run(&[100.0; 6]);
        let shifted = run(&[170.0, 171.0, 169.0, 170.5, 170.0, 169.5]);
        let n = estimate(&shifted, std::slice::from_ref(&base), &config).unwrap();
        assert_eq!(n.source, RunNoiseSource::Assumed);
    }

    #[test]
    fn too_few_benchmarks_a_history_or_the_samples_only_test_use_no_estimate() {
        let mut config = Config::default();
        let base = run(&[100.0; 4]);
        let few = run(&[130.0, 70.0, 125.0, 75.0]);
        let n = estimate(&few, std::slice::from_ref(&base), &config).unwrap();
        assert_eq!((n.source, n.benchmarks), (RunNoiseSource::Assumed, 0));
        let history = vec![base.clone(); config.min_history];
        assert_eq!(estimate(&few, &history, &config), None);
        config.run_noise_pct = 0.0;
        assert_eq!(estimate(&few, std::slice::from_ref(&base), &config), None);
        config.run_noise_pct = 5.0;
        config.suite_noise = false;
        let base = run(&[100.0; 8]);
        let scattered = run(&[130.0, 70.0, 125.0, 75.0, 100.0, 128.0, 72.0, 100.0]);
        let n = estimate(&scattered, std::slice::from_ref(&base), &config).unwrap();
        assert_eq!(n.source, RunNoiseSource::Assumed);
    }
}
