//! Generating the dashboard page for 1,000 benchmarks × 500 runs.
//!
//! `cargo bench --bench dashboard`

#[path = "support/allocator.rs"]
mod allocator;

use std::hint::black_box;

use bench_bot::config::Config;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/generate.rs"]
#[expect(dead_code, reason = "shared with other benches and examples")]
mod generate;

fn dashboard(c: &mut Criterion) {
    let runs: Vec<_> = (0..500)
        .map(|i| generate::run(1000, &generate::sha(i), i as u64))
        .collect();
    let config = Config::default();
    let mut group = c.benchmark_group("dashboard");
    group.sample_size(10);
    group.bench_function("page_1000_benchmarks_x_500_runs", |b| {
        b.iter(|| {
            bench_bot::dashboard::render(black_box(&runs), &config, None, "bench").expect("renders")
        })
    });
    group.finish();
}

criterion_group!(benches, dashboard);
criterion_main!(benches);
