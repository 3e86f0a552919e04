//! Fuzzes the bench-bot.toml parser; a config it accepts must also drive an analysis.
#![no_main]

use bench_bot::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(config) = Config::parse(text) {
        let _ = config.tiers_for("tests/test_io.py::test_read[a/b]", &bench_bot::model::Metric::Time);
        let _ = config.ignored("parse/json fast", &bench_bot::model::Metric::Throughput);
    }
});
