#!/usr/bin/env bash
# Fuzzes every target for SECONDS each (default 600), three at a time, seeded from the
# fixtures. Crashes land in fuzz/artifacts/<target>/; logs in fuzz/logs/.
#   fuzz/run-all.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
bash seed.sh
mkdir -p logs
cargo +nightly fuzz build -O || exit 1
run() {
    for t in "$@"; do
        cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=4096 \
            -max_len=65536 > "logs/$t.log" 2>&1
        echo "$t: exit $? after $(grep -c . "logs/$t.log") log lines; $(grep -m1 -o 'Done [0-9]* runs in [0-9]* second(s)' "logs/$t.log")"
    done
}
run pytest cargo_criterion custom config go &
run criterion bencher_text detect gab_history &
run hyperfine google_benchmark jmh benchmarkdotnet catch2 benchmarkjs luau vitest ruby asv julia dart bmf gungraun &
wait
