//! Ingest speed: a 100 MB pytest-benchmark JSON with raw samples, as pytest-benchmark
//! writes it (the samples checked, the minimum compared) and without `stats.min` (the
//! samples read as numbers, for the median).
//!
//! `cargo bench --bench ingest`; throughput is reported in bytes/s.

#[path = "support/allocator.rs"]
mod allocator;

use std::hint::black_box;

use bench_bot::ingest::{Format, LoadOptions, load};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/generate.rs"]
#[expect(dead_code, reason = "shared with other benches and examples")]
mod generate;

fn ingest(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("large.json");
    let bytes = generate::pytest_json(200, 100 * 1024 * 1024, 1);
    generate::write(&path, &bytes);
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("pytest_100MB_with_data", |b| {
        b.iter(|| black_box(load(&path, &LoadOptions::default()).expect("loads")))
    });
    let forced = LoadOptions {
        format: Some(Format::PytestBenchmark),
        ..LoadOptions::default()
    };
    group.bench_function("pytest_100MB_with_data_forced_format", |b| {
        b.iter(|| black_box(load(&path, &forced).expect("loads")))
    });
    let mut doc: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    for b in doc["benchmarks"].as_array_mut().expect("benchmarks") {
        b["stats"].as_object_mut().expect("stats").remove("min");
    }
    let no_min = dir.path().join("no-min.json");
    let without = serde_json::to_vec_pretty(&doc).expect("JSON");
    generate::write(&no_min, &without);
    drop(doc);
    group.throughput(Throughput::Bytes(without.len() as u64));
    group.bench_function("pytest_100MB_with_data_without_min", |b| {
        b.iter(|| black_box(load(&no_min, &LoadOptions::default()).expect("loads")))
    });
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
