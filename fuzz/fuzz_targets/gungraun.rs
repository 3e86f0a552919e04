//! Fuzzes the gungraun (iai-callgrind) output parser and, when it accepts the input, the analysis and the
//! comment.
#![no_main]

use bench_bot::ingest::{Format, parse_bytes};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(loaded) = parse_bytes(Format::Gungraun, std::path::Path::new("fuzz.input"), data) {
        common::exercise(&loaded.run);
    }
});
