#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ from the fixtures made by the real tools (the corpus
# itself is not committed; libFuzzer grows it while it runs).
set -euo pipefail
cd "$(dirname "$0")"
fx=../fixtures
seed() { mkdir -p "corpus/$1"; shift_target=$1; shift; for f in "$@"; do cp "$f" "corpus/$shift_target/"; done; }
seed pytest "$fx"/pytest/saved/*/0001_baseline.json
seed cargo_criterion "$fx"/criterion/*.cargo-criterion.json
seed bencher_text "$fx"/criterion/*.bencher.txt
seed custom ../examples/custom.json
seed go "$fx"/go/baseline.txt "$fx"/go/baseline.json
seed hyperfine "$fx"/hyperfine/baseline.json
seed google_benchmark "$fx"/google-benchmark/baseline.json
seed jmh "$fx"/jmh/candidate.json
seed benchmarkdotnet "$fx"/benchmarkdotnet/failed.json
seed catch2 "$fx"/catch2/baseline.xml "$fx"/catch2/baseline.txt
seed benchmarkjs "$fx"/benchmarkjs/baseline.txt
seed luau "$fx"/luau/output.txt
seed vitest "$fx"/vitest/baseline.json
seed ruby "$fx"/ruby/baseline.txt
seed asv "$fx"/asv/v1/candidate.json "$fx"/asv/v2/baseline.json
seed julia "$fx"/julia/julia_output.json
seed dart "$fx"/dart/baseline.txt "$fx"/dart/snapshots.txt
seed bmf "$fx"/bmf/latency.json "$fx"/bmf/dhat.json
seed gungraun "$fx"/gungraun/candidate.txt "$fx"/gungraun/candidate.json "$fx"/gungraun/iai-callgrind.json
seed detect "$fx"/pytest/saved/*/0001_baseline.json "$fx"/criterion/baseline.cargo-criterion.json \
    "$fx"/criterion/baseline.bencher.txt ../examples/custom.json "$fx"/go/baseline.txt \
    "$fx"/hyperfine/baseline.json "$fx"/google-benchmark/baseline.json "$fx"/jmh/candidate.json \
    "$fx"/benchmarkdotnet/failed.json "$fx"/catch2/baseline.xml "$fx"/catch2/baseline.txt \
    "$fx"/benchmarkjs/baseline.txt "$fx"/luau/output.txt \
    "$fx"/vitest/baseline.json "$fx"/ruby/baseline.txt \
    "$fx"/asv/v1/candidate.json "$fx"/asv/v2/baseline.json "$fx"/julia/julia_output.json \
    "$fx"/dart/snapshots.txt "$fx"/bmf/latency.json \
    "$fx"/gungraun/candidate.txt "$fx"/gungraun/iai-callgrind.json
seed config ../examples/bench-bot.toml
mkdir -p corpus/criterion
for d in "$fx"/criterion/baseline/*/new "$fx"/criterion/baseline/*/*/new "$fx"/criterion/baseline/*/*/*/new; do
    [ -f "$d/benchmark.json" ] || continue
    name=$(echo "$d" | tr '/ ' '__')
    { cat "$d/benchmark.json"; printf '\0'; cat "$d/estimates.json"; printf '\0'; cat "$d/sample.json"; } \
        > "corpus/criterion/$name"
done
mkdir -p corpus/gab_history
printf 'window.BENCHMARK_DATA = {"entries": {"Benchmark": [{"commit": {"id": "abc", "timestamp": "2024-01-01T00:00:00Z"}, "date": 1, "tool": "pytest", "benches": [{"name": "t.py::a", "value": 113230.8, "unit": "iter/sec", "range": "stddev: 6e-7", "extra": "mean: 8.8 usec\\nrounds: 2873"}]}]}}\n' \
    > corpus/gab_history/seed.js
echo "corpus seeded: $(find corpus -type f | wc -l) files"
