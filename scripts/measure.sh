#!/usr/bin/env bash
# bench-bot's own speed and memory on large generated inputs (columns: name, median ms,
# peak RSS MiB): analyze of 10,000 benchmarks against a 30-run history, ingest of a 100 MB
# pytest-benchmark file with samples, `--version`, and the release binary's size.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --bin bench-bot
in=target/inputs
[ -d "$in/history" ] || cargo run --quiet --release --example generate_inputs -- "$in"
bb=target/release/bench-bot
baselines=()
for f in "$in"/history/run-*.json; do baselines+=(--baseline "$f"); done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
RUNS=5 python3 scripts/timing.py "analyze 10,000 benchmarks x 30-run history" -- \
    "$bb" analyze --format json --output "$out/r.json" "${baselines[@]}" "$in/history/current.json"
RUNS=5 python3 scripts/timing.py "analyze a 100 MB pytest-benchmark pair with samples" -- \
    "$bb" analyze --format json --output "$out/r.json" --baseline "$in/pytest-data/a.json" "$in/pytest-data/b.json"
RUNS=50 python3 scripts/timing.py "bench-bot --version" -- "$bb" --version
echo "input: $(du -m "$in/pytest-data/a.json" | cut -f1) MB per pytest file (two are read)"
echo "binary: $(du -k "$bb" | cut -f1) KiB"
