//! The detection engine through the library: history windows, tiers, overrides,
//! multiple comparisons, and properties that must hold for any input.

use bench_bot::analysis::analyze;
use bench_bot::config::{Config, Correction};
use bench_bot::model::{Benchmark, Direction, Estimator, Measurement, Metric, Run, RunMeta};
use bench_bot::report::{Bimodal, Method, Report, Status, TierLabel};
use proptest::prelude::*;

fn measurement(metric: Metric, value: f64, spread: Option<(f64, u64)>) -> Measurement {
    let direction = if metric == Metric::Throughput {
        Direction::HigherIsBetter
    } else {
        Direction::LowerIsBetter
    };
    let unit = if metric == Metric::Throughput {
        "ops/s"
    } else {
        "ns"
    };
    Measurement::new(metric, direction, unit, value)
        .with_spread(spread.map(|s| s.0), spread.map(|s| s.1))
}

fn run(benches: &[(&str, Measurement)]) -> Run {
    Run {
        meta: RunMeta {
            tool: "test".into(),
            ..RunMeta::default()
        },
        benchmarks: benches
            .iter()
            .map(|(id, m)| Benchmark {
                id: (*id).to_string(),
                group: None,
                measurements: vec![m.clone()],
            })
            .collect(),
    }
}

fn time_run(values: &[(&str, f64)]) -> Run {
    let benches: Vec<(&str, Measurement)> = values
        .iter()
        .map(|(id, v)| (*id, measurement(Metric::Time, *v, None)))
        .collect();
    run(&benches)
}

fn history(values: &[f64]) -> Vec<Run> {
    values.iter().map(|v| time_run(&[("b", *v)])).collect()
}

const HIST: [f64; 10] = [
    100.0, 102.0, 98.0, 101.0, 99.0, 100.5, 99.5, 101.5, 98.5, 100.0,
];

fn only(report: &Report) -> &bench_bot::report::ResultRow {
    &report.results[0]
}

/// The level change a row was judged after, if any (the row must have a baseline).
fn since_change(r: &bench_bot::report::ResultRow) -> Option<&bench_bot::report::LevelChange> {
    r.baseline
        .as_ref()
        .expect("a baseline")
        .since_change
        .as_ref()
}

#[test]
fn a_history_window_uses_the_median_and_run_to_run_noise() {
    let config = Config::default();
    let report = analyze(&time_run(&[("b", 130.0)]), &history(&HIST), &config);
    let r = only(&report);
    assert_eq!(r.method, Method::History);
    assert_eq!(
        r.baseline.as_ref().map(|b| (b.value, b.runs)),
        Some((100.0, 10))
    );
    assert_eq!(
        (r.status, r.tier),
        (Status::Regression, TierLabel::Critical)
    );
    assert!(
        r.reason.contains("against the median of 10 runs"),
        "{}",
        r.reason
    );
    assert!(
        r.reason.contains("σ from run-to-run noise: critical"),
        "{}",
        r.reason
    );
    // 5 % is within a 1.3 % noise's reach of notice but far from critical.
    let report = analyze(&time_run(&[("b", 106.0)]), &history(&HIST), &config);
    assert_eq!(only(&report).tier, TierLabel::Notice);
}

#[test]
fn fewer_runs_than_min_history_fall_back_to_the_newest_run() {
    let config = Config::default();
    let report = analyze(
        &time_run(&[("b", 130.0)]),
        &history(&[50.0, 60.0, 100.0]),
        &config,
    );
    let r = only(&report);
    assert_eq!(r.method, Method::RunNoise);
    assert_eq!(r.baseline.as_ref().map(|b| b.value), Some(100.0));
    assert!(
        report
            .baseline
            .description
            .contains("the history rule needs 5 runs")
    );
}

#[test]
fn a_spike_that_reverts_is_an_outlier_not_a_step() {
    let mut values = HIST.to_vec();
    values[4] = 400.0;
    let report = analyze(
        &time_run(&[("b", 101.0)]),
        &history(&values),
        &Config::default(),
    );
    let r = only(&report);
    assert_eq!(r.status, Status::Unchanged, "{}", r.reason);
    assert!(r.baseline.as_ref().and_then(|b| b.stddev).expect("sigma") < 3.0);
}

#[test]
fn the_window_keeps_only_the_newest_runs() {
    let config = Config {
        window: 10,
        ..Config::default()
    };
    let mut values = vec![1000.0; 20];
    values.extend(HIST);
    let report = analyze(&time_run(&[("b", 100.0)]), &history(&values), &config);
    assert_eq!(only(&report).baseline.as_ref().map(|b| b.runs), Some(10));
    assert_eq!(only(&report).status, Status::Unchanged);
}

#[test]
fn a_noisy_history_cannot_block_on_its_own() {
    let noisy = [
        100.0, 140.0, 70.0, 120.0, 85.0, 130.0, 75.0, 110.0, 95.0, 125.0,
    ];
    let report = analyze(
        &time_run(&[("b", 400.0)]),
        &history(&noisy),
        &Config::default(),
    );
    let r = only(&report);
    assert_eq!(
        (r.status, r.tier),
        (Status::Regression, TierLabel::Warning),
        "{}",
        r.reason
    );
    assert!(r.reason.contains("too noisy to block"), "{}", r.reason);
    assert!(!report.blocked);
    let report = analyze(
        &time_run(&[("b", 104.0)]),
        &history(&noisy),
        &Config::default(),
    );
    // A small change on a noisy history is unchanged, and the reason says the
    // history is noisy; "noisy" is kept for changes past a tier that are not significant.
    let r = only(&report);
    assert_eq!(r.status, Status::Unchanged);
    assert!(
        r.reason.contains("unchanged (noisy history, CV"),
        "{}",
        r.reason
    );
    let report = analyze(
        &time_run(&[("b", 150.0)]),
        &history(&noisy),
        &Config::default(),
    );
    let r = only(&report);
    assert_eq!(r.status, Status::Noisy, "{}", r.reason);
    assert!(
        r.reason.contains("rerun or add repetitions"),
        "{}",
        r.reason
    );
}

#[test]
fn require_significance_false_fires_on_percentage_alone() {
    let noisy = [
        100.0, 140.0, 70.0, 120.0, 85.0, 130.0, 75.0, 110.0, 95.0, 125.0,
    ];
    let config = Config::parse("noise_cv = 10.0\n[tiers.critical]\nrequire_significance = false\n")
        .expect("valid");
    let report = analyze(&time_run(&[("b", 130.0)]), &history(&noisy), &config);
    assert_eq!(only(&report).tier, TierLabel::Critical);
    assert!(report.blocked);
}

#[test]
fn throughput_drops_are_regressions_with_their_own_thresholds() {
    let base = run(&[(
        "b",
        measurement(Metric::Throughput, 1000.0, Some((10.0, 50))),
    )]);
    let cur = run(&[(
        "b",
        measurement(Metric::Throughput, 830.0, Some((10.0, 50))),
    )]);
    // One baseline run: −17 % is not beyond the assumed 5 % run-to-run noise …
    let report = analyze(&cur, std::slice::from_ref(&base), &Config::default());
    let r = only(&report);
    assert_eq!(
        (r.status, r.method),
        (Status::Noisy, Method::RunNoise),
        "{}",
        r.reason
    );
    // … and without it, the samples alone make it critical.
    let config = Config::parse("run_noise_pct = 0\n").expect("valid");
    let report = analyze(&cur, &[base], &config);
    let r = only(&report);
    assert_eq!(
        (r.status, r.tier, r.method),
        (Status::Regression, TierLabel::Critical, Method::Welch)
    );
    assert!((r.change_pct.expect("change") - 17.0).abs() < 1e-9);
    assert!((r.value_change_pct.expect("change") + 17.0).abs() < 1e-9);
}

#[test]
fn overrides_ignore_and_set_directions() {
    let config = Config::parse(
        "[[override]]\nmatch = \"skip*\"\nignore = true\n[[override]]\nmatch = \"*\"\nmetric = \"score\"\ndirection = \"higher_is_better\"\n",
    )
    .expect("valid");
    let custom = |v: f64| {
        Measurement::new(
            Metric::Custom("score".into()),
            Direction::LowerIsBetter,
            "",
            v,
        )
    };
    let base = run(&[
        ("skipped", measurement(Metric::Time, 1.0, None)),
        ("s", custom(100.0)),
    ]);
    let cur = run(&[
        ("skipped", measurement(Metric::Time, 9.0, None)),
        ("s", custom(50.0)),
    ]);
    let report = analyze(&cur, &[base], &config);
    assert_eq!(report.summary.ignored, 1);
    assert_eq!(report.results.len(), 1);
    let r = only(&report);
    assert_eq!(
        (r.direction, r.status),
        (Direction::HigherIsBetter, Status::Regression)
    );
}

#[test]
fn benjamini_hochberg_is_reported_and_can_be_turned_off() {
    let ids = ["a", "b", "c", "d"];
    let base: Vec<(&str, Measurement)> = ids
        .iter()
        .map(|id| (*id, measurement(Metric::Time, 100.0, Some((10.0, 10)))))
        .collect();
    let cur: Vec<(&str, Measurement)> = ids
        .iter()
        .zip([112.0, 101.0, 99.0, 100.0])
        .map(|(id, v)| (*id, measurement(Metric::Time, v, Some((10.0, 10)))))
        .collect();
    let bh = analyze(&run(&cur), &[run(&base)], &Config::default());
    let a = bh.results.iter().find(|r| r.id == "a").expect("a");
    assert!(a.p_adjusted.expect("adj") > a.p_value.expect("p"));
    let none = Config::parse("multiple_comparisons = \"none\"").expect("valid");
    assert_eq!(none.multiple_comparisons, Correction::None);
    let plain = analyze(&run(&cur), &[run(&base)], &none);
    let a = plain.results.iter().find(|r| r.id == "a").expect("a");
    assert_eq!(a.p_adjusted, a.p_value);
}

#[test]
fn a_suite_that_moves_together_gets_a_note() {
    let ids = ["a", "b", "c", "d", "e"];
    let base: Vec<(&str, f64)> = ids.iter().map(|id| (*id, 100.0)).collect();
    let cur: Vec<(&str, f64)> = ids
        .iter()
        .zip([140.0, 141.0, 139.0, 142.0, 140.5])
        .map(|(i, v)| (*i, v))
        .collect();
    let report = analyze(&time_run(&cur), &[time_run(&base)], &Config::default());
    let note = report
        .notes
        .iter()
        .find(|n| n.contains("together"))
        .expect("note");
    assert!(note.starts_with("all 5 benchmarks moved +40."), "{note}");
}

#[test]
fn detectable_change_grows_with_noise() {
    let quiet = analyze(
        &time_run(&[("b", 100.0)]),
        &history(&HIST),
        &Config::default(),
    );
    let noisy_hist: Vec<f64> = HIST.iter().map(|v| 100.0 + (v - 100.0) * 5.0).collect();
    let noisy = analyze(
        &time_run(&[("b", 100.0)]),
        &history(&noisy_hist),
        &Config::default(),
    );
    let d = |r: &Report| only(r).detectable_pct.expect("detectable");
    assert!(
        d(&noisy) > 4.0 * d(&quiet),
        "{} vs {}",
        d(&noisy),
        d(&quiet)
    );
}

/// A run of one benchmark whose time has `samples` (median value, IQR-free spread).
fn sampled_run(samples: Vec<f64>) -> Run {
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let mut m = measurement(Metric::Time, median, Some((1.0, samples.len() as u64)))
        .with_estimator(Estimator::Median);
    m.samples = Some(samples);
    run(&[("b", m)])
}

#[test]
fn one_baseline_run_needs_more_than_its_own_samples() {
    // 10,000 rounds each, 1 % spread: a +6 % shift is 40 σ of sampling error, but one
    // run cannot show how much two runs differ, so it is not significant.
    let mk = |v: f64| {
        run(&[(
            "b",
            measurement(Metric::Time, v, Some((1.0, 10_000))).with_estimator(Estimator::Median),
        )])
    };
    let report = analyze(&mk(106.0), &[mk(100.0)], &Config::default());
    let r = only(&report);
    assert_eq!(
        (r.status, r.method),
        (Status::Noisy, Method::RunNoise),
        "{}",
        r.reason
    );
    assert_eq!(r.estimator, Some(Estimator::Median));
    assert!(
        r.reason.contains("5 % assumed run-to-run noise"),
        "{}",
        r.reason
    );
    assert!(
        bench_bot::report::basis(&report)
            .expect("a footnote")
            .contains("the median of each run"),
    );
    // The samples-only test calls it significant (the old behaviour, `run_noise_pct = 0`).
    let config = Config::parse("run_noise_pct = 0\n").expect("valid");
    let r = analyze(&mk(106.0), &[mk(100.0)], &config);
    assert_eq!(only(&r).status, Status::Regression);
    // A real +50 % stays critical.
    let report = analyze(&mk(150.0), &[mk(100.0)], &Config::default());
    assert_eq!(
        (only(&report).status, only(&report).tier),
        (Status::Regression, TierLabel::Critical)
    );
    assert!(report.blocked);
}

/// `n` samples: `slow_share` of them near 140, the rest near 100, with a small spread.
fn two_mode_samples(n: usize, slow_share: f64) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let jitter = 1.0 + 0.01 * (((i * 7919) % 101) as f64 / 50.0 - 1.0);
            let slow = (i as f64 + 0.5) / n as f64 > 1.0 - slow_share;
            (if slow { 140.0 } else { 100.0 }) * jitter
        })
        .collect()
}

#[test]
fn samples_with_two_modes_are_compared_mode_to_mode_and_a_mode_switch_never_blocks() {
    // 20 % slow rounds in the baseline, 60 % in this run: the median jumps by 40 %,
    // but each mode stayed where it was.
    let base = sampled_run(two_mode_samples(200, 0.2));
    let report = analyze(
        &sampled_run(two_mode_samples(200, 0.6)),
        std::slice::from_ref(&base),
        &Config::default(),
    );
    let r = only(&report);
    assert_eq!(r.bimodal, Some(Bimodal::Both));
    assert_eq!(r.status, Status::Unchanged, "{}", r.reason);
    assert!(r.reason.contains("compared mode to mode"), "{}", r.reason);
    // Every round slow now (one mode): compared with the baseline's larger mode, +40 %,
    // but only one run has two modes, so it cannot block.
    let all_slow: Vec<f64> = two_mode_samples(200, 1.0);
    let report = analyze(&sampled_run(all_slow), &[base], &Config::default());
    let r = only(&report);
    assert_eq!(r.bimodal, Some(Bimodal::Baseline));
    assert_eq!(
        (r.status, r.tier),
        (Status::Regression, TierLabel::Warning),
        "{}",
        r.reason
    );
    assert!(
        r.reason.contains("a mode switch cannot block"),
        "{}",
        r.reason
    );
    assert!(!report.blocked);
}

#[test]
fn throughput_derived_from_time_is_one_row_and_one_count() {
    let mk = |time: f64, bytes_per_s: f64| {
        let mut thr = measurement(Metric::Throughput, bytes_per_s, Some((1.0, 100)));
        thr.derived = true;
        Run {
            meta: RunMeta {
                tool: "test".into(),
                ..RunMeta::default()
            },
            benchmarks: vec![Benchmark {
                id: "hash/fnv/4096".into(),
                group: None,
                measurements: vec![
                    measurement(Metric::Time, time, Some((1.0, 100))),
                    thr,
                    measurement(Metric::Memory, 64.0, None),
                ],
            }],
        }
    };
    let report = analyze(
        &mk(150.0, 4096e9 / 150.0),
        &[mk(100.0, 4096e9 / 100.0)],
        &Config::default(),
    );
    let time_rows: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.metric != "memory")
        .collect();
    assert_eq!(time_rows.len(), 1, "{:?}", report.results);
    let r = time_rows[0];
    assert_eq!((r.metric.as_str(), r.tier), ("time", TierLabel::Critical));
    assert_eq!(r.paired.len(), 1);
    assert_eq!(r.paired[0].metric, "throughput");
    let thr_change = r.paired[0].value_change_pct.expect("change");
    assert!(
        (thr_change - (100.0 / 150.0 - 1.0) * 100.0).abs() < 1e-9,
        "{thr_change}"
    );
    // One benchmark: one compared, one critical (time and memory are its two metrics).
    assert_eq!((report.summary.compared, report.summary.critical), (1, 1));
    // With its time ignored, the throughput is judged on its own.
    let config =
        Config::parse("[[override]]\nmatch = \"hash/*\"\nmetric = \"time\"\nignore = true\n")
            .expect("valid");
    let report = analyze(
        &mk(150.0, 4096e9 / 150.0),
        &[mk(100.0, 4096e9 / 100.0)],
        &config,
    );
    assert!(
        report
            .results
            .iter()
            .any(|r| r.metric == "throughput" && r.paired.is_empty())
    );
}

#[test]
fn a_sigma_past_the_gate_that_is_not_significant_says_why() {
    // Welch's t ≈ 3.7 (p ≈ 0.0008, past 3 σ alone), and nine unchanged benchmarks:
    // Benjamini–Hochberg lifts it to ≈ 0.008, and the reason says so.
    let config = Config::parse("run_noise_pct = 0\n").expect("valid");
    let mk = |first: f64| {
        let mut benches = vec![(
            "b0".to_string(),
            measurement(Metric::Time, first, Some((10.0, 10))),
        )];
        for i in 1..10 {
            benches.push((
                format!("b{i}"),
                measurement(Metric::Time, 100.0, Some((10.0, 10))),
            ));
        }
        let refs: Vec<(&str, Measurement)> = benches
            .iter()
            .map(|(id, m)| (id.as_str(), m.clone()))
            .collect();
        run(&refs)
    };
    let report = analyze(&mk(116.5), &[mk(100.0)], &config);
    let r = report.results.iter().find(|r| r.id == "b0").expect("row");
    assert!(r.z.expect("t") > 3.0, "{r:?}");
    assert_eq!(r.status, Status::Noisy, "{}", r.reason);
    assert!(
        r.reason.contains("after Benjamini–Hochberg"),
        "{}",
        r.reason
    );
    assert!(
        r.reason.contains("the gate needs p ≤ 0.001"),
        "{}",
        r.reason
    );
}

fn statuses(r: &Report) -> Vec<(String, Status, TierLabel)> {
    let mut v: Vec<_> = r
        .results
        .iter()
        .map(|x| (x.id.clone(), x.status, x.tier))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn scaling_every_value_changes_no_verdict(
        hist in prop::collection::vec(50.0f64..150.0, 1..12),
        current in 10.0f64..300.0,
        sd in 0.1f64..20.0,
        scale in prop::sample::select(vec![0.001, 0.5, 3.0, 1e6]),
    ) {
        let mk = |v: f64, k: f64| run(&[("b", measurement(Metric::Time, v * k, Some((sd * k, 20))))]);
        let config = Config::default();
        let base: Vec<Run> = hist.iter().map(|v| mk(*v, 1.0)).collect();
        let scaled: Vec<Run> = hist.iter().map(|v| mk(*v, scale)).collect();
        let a = analyze(&mk(current, 1.0), &base, &config);
        let b = analyze(&mk(current, scale), &scaled, &config);
        prop_assert_eq!(statuses(&a), statuses(&b));
        prop_assert_eq!(a.verdict, b.verdict);
    }

    #[test]
    fn swapping_baseline_and_current_turns_regressions_into_improvements(
        base in 50.0f64..150.0,
        current in 50.0f64..150.0,
        sd in 0.1f64..5.0,
        n in 5u64..200,
    ) {
        let mk = |v: f64| run(&[("b", measurement(Metric::Time, v, Some((sd, n))))]);
        let config = Config::default();
        let forward = analyze(&mk(current), &[mk(base)], &config);
        let back = analyze(&mk(base), &[mk(current)], &config);
        // +x % one way is -x/(1+x) the other, still beyond the notice threshold of 5 %
        // when the regression fired at 5 % or more (5.26 % back at the edge).
        if forward.results[0].status == Status::Regression && forward.results[0].change_pct.unwrap_or(0.0) > 5.3 {
            prop_assert_eq!(back.results[0].status, Status::Improvement);
        }
        if back.results[0].status == Status::Improvement {
            prop_assert_ne!(forward.results[0].status, Status::Improvement);
        }
    }

    #[test]
    fn a_constant_history_gives_no_nan_and_no_infinite_z(
        value in 0.0f64..1e9,
        runs in 1usize..40,
        current in 0.0f64..1e9,
    ) {
        let report = analyze(&time_run(&[("b", current)]), &history(&vec![value; runs]), &Config::default());
        let json = serde_json::to_string(&report).expect("serialises");
        prop_assert!(!json.contains("NaN") && !json.contains("inf"));
        let r = &report.results[0];
        prop_assert!(r.z.is_none_or(f64::is_finite));
        prop_assert!(r.p_value.is_none_or(|p| (0.0..=1.0).contains(&p)));
        prop_assert!(r.change_pct.is_none_or(f64::is_finite));
    }
}

#[test]
fn a_suite_that_slows_together_does_not_block_but_a_benchmark_beyond_it_does() {
    let mk = |values: &[f64]| {
        run(&values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let id: &'static str = ["a", "b", "c", "d", "e"][i];
                (id, measurement(Metric::Time, *v, Some((1.0, 1000))))
            })
            .collect::<Vec<_>>())
    };
    let base = mk(&[100.0; 5]);
    // All five +60 % (a busier runner): a note and warnings, no block.
    let report = analyze(
        &mk(&[160.0, 158.0, 162.0, 161.0, 159.0]),
        std::slice::from_ref(&base),
        &Config::default(),
    );
    assert!(!report.blocked, "{:?}", report.results);
    assert!(report.results.iter().all(|r| r.tier == TierLabel::Warning));
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("all 5 benchmarks moved +60"))
    );
    // One of them +150 %, well beyond the rest: that one still blocks.
    let report = analyze(
        &mk(&[250.0, 158.0, 162.0, 161.0, 159.0]),
        &[base],
        &Config::default(),
    );
    assert!(report.blocked);
    let a = report.results.iter().find(|r| r.id == "a").expect("a");
    assert_eq!(a.tier, TierLabel::Critical, "{}", a.reason);
}

/// 30 runs around 100 (±2 %), then `after` runs around `next`; run `i` measured commit
/// `i` (40 hex digits).
fn stepped_history(after: usize, next: f64) -> Vec<Run> {
    let mut runs = history(&[HIST, HIST, HIST].concat());
    runs.extend(history(
        &HIST[..after]
            .iter()
            .map(|v| v * next / 100.0)
            .collect::<Vec<_>>(),
    ));
    for (i, r) in runs.iter_mut().enumerate() {
        r.meta.commit = Some(format!("{i:040x}"));
    }
    runs
}

#[test]
fn a_level_change_in_the_window_is_compared_from_the_change_on() {
    // A +30 % regression landed six runs ago; a pull request that keeps that level is
    // not blamed for it, and one that adds to it is, against the new level.
    let config = Config::default();
    let runs = stepped_history(6, 130.0);
    let report = analyze(&time_run(&[("b", 131.0)]), &runs, &config);
    let r = only(&report);
    assert_eq!(
        (r.status, r.method),
        (Status::Unchanged, Method::History),
        "{}",
        r.reason
    );
    // The window keeps its 30 runs for the noise, its centre at the new level.
    let b = r.baseline.as_ref().expect("a baseline");
    assert_eq!(b.runs, 30);
    assert!((b.value / 130.0 - 1.0).abs() < 0.02, "{b:?}");
    assert!(
        b.stddev.expect("a spread") < 4.0,
        "the noise within a level: {b:?}"
    );
    let change = b.since_change.as_ref().expect("the level change");
    assert_eq!(
        change.commit.as_deref(),
        Some(format!("{:040x}", 30).as_str())
    );
    // The window's 30 runs: 24 before the change.
    assert_eq!(change.runs_before, 24);
    assert!((change.change_pct - 30.0).abs() < 1.5, "{change:?}");
    assert!(
        report.notes.iter().any(|n| n.starts_with(
            "The level of one benchmark changed inside the history window, so it is \
             compared with its new level: b (time) +"
        ) && n.ends_with(" at 000000000000.")),
        "{:?}",
        report.notes
    );
    let worse = analyze(&time_run(&[("b", 170.0)]), &runs, &config);
    assert_eq!(
        (only(&worse).status, only(&worse).tier),
        (Status::Regression, TierLabel::Critical)
    );
    assert!(only(&worse).change_pct.expect("a change") < 35.0);
    // Without a step, no level change is reported.
    let flat = analyze(&time_run(&[("b", 101.0)]), &history(&HIST), &config);
    assert!(since_change(only(&flat)).is_none());
    assert!(flat.notes.is_empty(), "{:?}", flat.notes);
}

#[test]
fn a_level_change_three_runs_old_is_judged_against_its_new_level() {
    // A run at 131 after `after` runs at 130.
    let judge = |after: usize| {
        analyze(
            &time_run(&[("b", 131.0)]),
            &stepped_history(after, 130.0),
            &Config::default(),
        )
    };
    // Three runs confirm a change point. The new level's centre is the median of three
    // runs, so the threshold is wider than with six.
    let report = judge(3);
    let r = only(&report);
    assert_eq!(
        (r.status, r.method),
        (Status::Unchanged, Method::History),
        "{}",
        r.reason
    );
    let b = r.baseline.as_ref().expect("a baseline");
    assert!(
        b.since_change.is_some() && (b.value / 130.0 - 1.0).abs() < 0.03,
        "{b:?}"
    );
    let six = judge(6);
    let detectable = |report: &Report| only(report).detectable_pct.expect("detectable");
    assert!(
        detectable(&report) > detectable(&six),
        "{} {}",
        detectable(&report),
        detectable(&six)
    );
    // Two runs are no change point yet: the run is compared with the whole window.
    let report = judge(2);
    let r = only(&report);
    assert_eq!(
        (r.status, r.method),
        (Status::Regression, Method::History),
        "{}",
        r.reason
    );
    assert!(since_change(r).is_none());
}

#[test]
fn a_few_runs_a_hundred_times_off_are_an_episode_not_a_level() {
    // Four runs a hundred times faster (a broken runner) end the window: a change point
    // there, but a level that far away counts only after min_history runs. The fifth
    // such run and the first run back are judged against the window as before.
    let config = Config::default();
    let mut runs = stepped_history(0, 100.0);
    runs.extend(history(&[1.7, 1.9, 1.8, 2.1]));
    let inside = analyze(&time_run(&[("b", 2.9)]), &runs, &config);
    let back = analyze(&time_run(&[("b", 101.0)]), &runs, &config);
    for report in [&inside, &back] {
        let r = only(report);
        assert_ne!(r.status, Status::Regression, "{}", r.reason);
        assert!(since_change(r).is_none());
    }
    // A level a factor of two away that has lasted min_history runs is one.
    runs.extend(history(&[2.0, 1.8]));
    let six = analyze(&time_run(&[("b", 1.9)]), &runs, &config);
    assert!(since_change(only(&six)).is_some());
    assert_eq!(only(&six).status, Status::Unchanged);
}

#[test]
fn the_window_scan_for_runner_shifts_gives_analyze_the_same_levels() {
    // analyze takes each benchmark's level starts from the scan of the window for runner
    // shifts instead of scanning each series again: the report is the one it gives
    // scanning them itself. `b` stepped +30 % six runs ago, `c` did not, `d` lacks a
    // value in two runs (its series is shorter than the window), `e` has a value that is
    // not positive in one (no level change is looked for); `f0`…`f3` are flat, so that
    // the three that step are not most of the suite (a runner shift).
    let config = Config::default();
    let stepped: Vec<f64> = stepped_history(6, 130.0)
        .iter()
        .map(|r| r.benchmarks[0].measurements[0].value)
        .collect();
    let n = stepped.len();
    let runs: Vec<Run> = (0..n)
        .map(|i| {
            let flat = HIST[i % HIST.len()];
            let mut values = vec![("b", stepped[i]), ("c", flat * 3.0)];
            if i % 11 != 3 {
                values.push(("d", stepped[i] * 2.0));
            }
            values.push(("e", if i == n - 4 { 0.0 } else { stepped[i] * 5.0 }));
            values.extend([
                ("f0", flat),
                ("f1", flat * 2.0),
                ("f2", flat * 4.0),
                ("f3", flat * 8.0),
            ]);
            let mut run = time_run(&values);
            run.meta.commit = Some(format!("{i:040x}"));
            run
        })
        .collect();
    let current = time_run(&[
        ("b", 131.0),
        ("c", 301.0),
        ("d", 262.0),
        ("e", 655.0),
        ("f0", 100.0),
        ("f1", 200.0),
        ("f2", 400.0),
        ("f3", 800.0),
    ]);
    let (shift, levels) = bench_bot::analysis::changes::window_runner_shift(&runs, &config);
    assert!(shift.is_none());
    let shared = bench_bot::analysis::analyze_with(&current, &runs, &config, Some(&levels));
    let own = analyze(&current, &runs, &config);
    assert_eq!(shared, own);
    let since = |id: &str| {
        let row = shared.results.iter().find(|r| r.id == id).expect("a row");
        since_change(row).is_some()
    };
    assert!(since("b") && since("d"));
    assert!(!since("c") && !since("e"));
}

#[test]
fn an_alert_waits_for_the_run_after_the_one_that_shows_the_change_point() {
    // 30 runs, then 50 % slower: the change point is shown once three runs are at the
    // new level (run 33), and announced with the fourth, when the run after still shows
    // it; the fifth announces nothing new.
    use bench_bot::analysis::changes::find_changes;
    use bench_bot::github::alert::{new_episodes, unconfirmed};
    let config = Config::default();
    let mut values = [HIST, HIST, HIST].concat();
    values.extend([150.0, 152.0, 149.0, 151.0, 150.5]);
    let runs = history(&values);
    let scan = |n: usize| find_changes(&runs[..n], &config, None, String::new());
    let announced = |n: usize| new_episodes(&scan(n), &scan(n - 1), &scan(n - 2));
    assert!(announced(32).is_empty() && unconfirmed(&scan(32), &scan(31)).is_empty());
    assert!(announced(33).is_empty());
    assert_eq!(unconfirmed(&scan(33), &scan(32)).len(), 1);
    let episodes = announced(34);
    assert_eq!(episodes.len(), 1);
    assert_eq!(episodes[0].first_after.index, 30);
    assert!(unconfirmed(&scan(34), &scan(33)).is_empty());
    assert!(announced(35).is_empty());
}
