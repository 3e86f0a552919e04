//! Change points over a long history: `bench-bot changes` over 1,000 runs of 500
//! benchmarks, and the incremental update of every benchmark after one more run.
//!
//! `cargo bench --bench changes`

#[path = "support/allocator.rs"]
mod allocator;

use std::hint::black_box;

use bench_bot::analysis::changes::{Detection, Detector, find_changes, series_of, settings};
use bench_bot::config::Config;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/generate.rs"]
#[expect(dead_code, reason = "shared with other benches and examples")]
mod generate;

const RUNS: usize = 1000;
const BENCHMARKS: usize = 500;

/// 1,000 runs of 500 benchmarks with 3 % noise, a +30 % step in every tenth benchmark
/// at run 600 and a suite-wide +15 % at run 800.
fn history() -> Vec<bench_bot::model::Run> {
    (0..RUNS)
        .map(|i| {
            let mut run = generate::run(BENCHMARKS, &generate::sha(i), i as u64);
            for (k, b) in run.benchmarks.iter_mut().enumerate() {
                let m = &mut b.measurements[0];
                if k % 10 == 0 && i >= 600 {
                    m.value *= 1.3;
                }
                if i >= 800 {
                    m.value *= 1.15;
                }
            }
            run
        })
        .collect()
}

fn changes(c: &mut Criterion) {
    let runs = history();
    let config = Config::default();
    let mut group = c.benchmark_group("changes");
    group.sample_size(10);
    group.bench_function("changes_1000_runs_x_500_benchmarks", |b| {
        b.iter(|| {
            let report = find_changes(black_box(&runs), &config, None, "bench".into());
            assert_eq!(report.summary.runner_shifts, 1);
            report
        })
    });
    // The state after 999 runs, then the update with the 1,000th.
    let logs: Vec<Vec<f64>> = series_of(&runs, &config)
        .iter()
        .map(|s| s.values.iter().map(|v| v.ln()).collect())
        .collect();
    let mut detector = Detector::new(settings(&config));
    let before: Vec<Detection> = logs
        .iter()
        .map(|y| detector.detect(&y[..y.len() - 1]))
        .collect();
    group.bench_function("update_after_one_run_500_benchmarks", |b| {
        b.iter(|| {
            logs.iter()
                .zip(&before)
                .map(|(y, previous)| detector.update(black_box(y), previous).splits.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, changes);
criterion_main!(benches);
