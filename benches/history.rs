//! Loading a baseline window from the history branch: 100 runs of 1,000 benchmarks.
//!
//! `cargo bench --bench history`

#[path = "support/allocator.rs"]
mod allocator;

use std::hint::black_box;

use bench_bot::history::{HistoryRepo, RecordOptions, WindowRequest};
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/generate.rs"]
#[expect(dead_code, reason = "shared with other benches and examples")]
mod generate;

fn history(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let repo = git2::Repository::init(dir.path()).expect("init");
    drop(repo);
    let store = HistoryRepo::open(dir.path(), "bench-bot-data", "origin").expect("open");
    let runs: Vec<_> = (0..100)
        .map(|i| {
            (
                generate::run(1000, &generate::sha(i), i as u64),
                "main".to_string(),
            )
        })
        .collect();
    store
        .record(&runs, &[], &RecordOptions::default())
        .expect("record");
    let request = WindowRequest {
        base_branch: "main".into(),
        head: None,
        suite: None,
        window: 100,
    };
    let mut group = c.benchmark_group("history");
    group.sample_size(20);
    group.bench_function("window_100_runs_x_1000_benchmarks", |b| {
        b.iter(|| {
            let w = store.window(black_box(&request)).expect("window");
            assert_eq!(w.runs.len(), 100);
            w
        })
    });
    group.finish();
}

criterion_group!(benches, history);
criterion_main!(benches);
