#!/usr/bin/env bash
# bench-bot next to the tools people use today, on the same inputs: `pytest-benchmark
# compare` on a pair of 1,000-benchmark pytest-benchmark files, and `critcmp` on a pair of
# 1,000-benchmark criterion baselines. Installs the peers from their registries.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore pytest-benchmark
command -v critcmp >/dev/null || cargo install --quiet --locked critcmp
cargo build --quiet --release --bin bench-bot
in=target/inputs
[ -d "$in/pytest-samples" ] || cargo run --quiet --release --example generate_inputs -- "$in"
bb=target/release/bench-bot
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "peers: $(pip show pytest-benchmark | grep ^Version), critcmp $(critcmp --version | cut -d' ' -f2)"
{
python3 scripts/timing.py "pytest-benchmark compare" -- pytest-benchmark compare "$in/pytest/a.json" "$in/pytest/b.json"
python3 scripts/timing.py "bench-bot on pytest" -- "$bb" analyze --baseline "$in/pytest/a.json" "$in/pytest/b.json"
python3 scripts/timing.py "pytest-benchmark compare, 200 samples" -- pytest-benchmark compare "$in/pytest-samples/a.json" "$in/pytest-samples/b.json"
python3 scripts/timing.py "bench-bot on pytest, 200 samples" -- "$bb" analyze --baseline "$in/pytest-samples/a.json" "$in/pytest-samples/b.json"
python3 scripts/timing.py "critcmp" -- critcmp --target-dir "$in" base new
python3 scripts/timing.py "bench-bot on criterion" -- "$bb" analyze --baseline "$in/criterion-base" "$in/criterion-new"
} | tee "$in/peers.tsv"
python3 - "$in/peers.tsv" <<'PY'
import sys
rows = {l.split("\t")[0]: float(l.split("\t")[1]) for l in open(sys.argv[1]) if "\t" in l}
print(f"bench-bot vs pytest-benchmark compare: {rows['pytest-benchmark compare'] / rows['bench-bot on pytest']:.1f}x faster")
print(f"bench-bot vs pytest-benchmark compare, 1,000 benchmarks x 200 samples: {rows['pytest-benchmark compare, 200 samples'] / rows['bench-bot on pytest, 200 samples']:.1f}x faster")
print(f"bench-bot vs critcmp: {rows['critcmp'] / rows['bench-bot on criterion']:.2f}x (above 1 = bench-bot faster)")
PY
