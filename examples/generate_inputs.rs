//! Writes large, realistic inputs for measuring bench-bot against the tools people use
//! today (scripts/compare-peers.sh, scripts/measure.sh):
//!
//! `cargo run --release --example generate_inputs -- OUT_DIR`
//!
//! - `pytest/{a,b}.json`: 1,000-benchmark pytest-benchmark files (`--benchmark-save` style)
//! - `pytest-data/{a,b}.json`: 100 MB `--benchmark-json` files with raw samples
//! - `pytest-samples/{a,b}.json`: 1,000-benchmark `--benchmark-json` files, 200 samples each
//! - `criterion/`: 1,000 benchmarks with `base/` and `new/` (critcmp's layout), and
//!   `criterion-base/`, `criterion-new/` holding the same data as `new/` folders
//! - `history/run-NN.json` (30 runs) and `history/current.json`: 10,000 benchmarks each

use std::path::PathBuf;

#[path = "../benches/support/generate.rs"]
#[expect(dead_code, reason = "shared with the benches")]
mod generate;

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/inputs".into()),
    );
    generate::write(
        &out.join("pytest/a.json"),
        &generate::pytest_saved(1000, 1, 1.0),
    );
    generate::write(
        &out.join("pytest/b.json"),
        &generate::pytest_saved(1000, 2, 1.3),
    );
    generate::write(
        &out.join("pytest-data/a.json"),
        &generate::pytest_json(200, 100 << 20, 3),
    );
    generate::write(
        &out.join("pytest-data/b.json"),
        &generate::pytest_json(200, 100 << 20, 4),
    );
    // About 44 bytes a sample line: 200 samples for each of 1,000 benchmarks.
    generate::write(
        &out.join("pytest-samples/a.json"),
        &generate::pytest_json(1000, 1000 * 200 * 44, 5),
    );
    generate::write(
        &out.join("pytest-samples/b.json"),
        &generate::pytest_json(1000, 1000 * 200 * 44, 6),
    );
    for i in 0..1000 {
        generate::criterion_benchmark(&out.join("criterion"), i, "base", 5, 1.0);
        generate::criterion_benchmark(&out.join("criterion"), i, "new", 6, 1.3);
        generate::criterion_benchmark(&out.join("criterion-base"), i, "new", 5, 1.0);
        generate::criterion_benchmark(&out.join("criterion-new"), i, "new", 6, 1.3);
    }
    for r in 0..30 {
        generate::write(
            &out.join(format!("history/run-{r:02}.json")),
            &generate::custom_run(10_000, 100 + r, 1.0),
        );
    }
    generate::write(
        &out.join("history/current.json"),
        &generate::custom_run(10_000, 999, 1.3),
    );
    println!("inputs written to {}", out.display());
}
