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
python3 scripts/ratio.py "pytest-benchmark compare" "bench-bot on pytest" \
    -- pytest-benchmark compare "$in/pytest/a.json" "$in/pytest/b.json" \
    -- "$bb" analyze --baseline "$in/pytest/a.json" "$in/pytest/b.json"
python3 scripts/ratio.py "pytest-benchmark compare, 200 samples" "bench-bot on pytest, 200 samples" \
    -- pytest-benchmark compare "$in/pytest-samples/a.json" "$in/pytest-samples/b.json" \
    -- "$bb" analyze --baseline "$in/pytest-samples/a.json" "$in/pytest-samples/b.json"
python3 scripts/ratio.py "critcmp" "bench-bot on criterion" \
    -- critcmp --target-dir "$in" base new \
    -- "$bb" analyze --baseline "$in/criterion-base" "$in/criterion-new"
} | tee "$in/peers.tsv"
python3 - "$in/peers.tsv" <<'PY'
import sys
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "ratio":
        print(f"{f[1]}: {f[2]}x faster than its peer (pairs' quartiles {f[3]}-{f[4]}x)")
PY
