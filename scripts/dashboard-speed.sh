#!/usr/bin/env bash
# Measures the dashboard for 1,000 benchmarks x 500 runs: generation time (release
# build) and the time the page takes in headless Chromium until it is ready (data
# parsed, first screen of charts drawn), read from the page's own data-ready-ms.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q --release --example dashboard_size -- 1000 500 target/dashboard-large
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
start=$(date +%s%N)
dom=$(chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --user-data-dir="$profile" \
    --window-size=1280,1600 --dump-dom "file://$PWD/target/dashboard-large/index.html" 2>/dev/null)
end=$(date +%s%N)
ready=$(printf '%s' "$dom" | grep -o 'data-ready-ms="[0-9]*"' | head -1)
echo "page ready after ${ready#data-ready-ms=} ms in the page's clock; browser start to DOM dump $(( (end - start) / 1000000 )) ms"
