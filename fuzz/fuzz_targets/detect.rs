//! Fuzzes format detection followed by the detected parser, as `analyze` reads a file.
#![no_main]

use bench_bot::ingest::{detect, parse_bytes};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let path = std::path::Path::new("fuzz.input");
    if let Ok(format) = detect(path, data) {
        if let Ok(loaded) = parse_bytes(format, path, data) {
            common::exercise(&loaded.run);
        }
    }
});
