//! Fuzzes criterion's per-benchmark files: the input is split at the first two NUL
//! bytes into benchmark.json, estimates.json and sample.json.
#![no_main]

use std::path::PathBuf;

use bench_bot::ingest::parse_criterion_benchmark;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let (Some(a), Some(b), Some(c)) = (parts.next(), parts.next(), parts.next()) else { return };
    let file = |name: &str, bytes: &[u8]| (PathBuf::from(name), bytes.to_vec());
    let _ = parse_criterion_benchmark([
        file("benchmark.json", a),
        file("estimates.json", b),
        file("sample.json", c),
    ]);
});
