//! Fuzzes the github-action-benchmark history reader used by `bench-bot import`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = bench_bot::ingest::parse_history(std::path::Path::new("data.js"), data);
});
