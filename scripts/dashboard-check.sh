#!/usr/bin/env bash
# Builds the dashboard for the fixtures' runs and for a real recorded history, opens
# each page in headless Chromium (Debian's `chromium`), checks that it rendered without
# errors with one chart per benchmark metric and no request to any other host, and
# writes screenshots to look at.
#
#   scripts/dashboard-check.sh [OUT_DIR]      (default: target/dashboard-check)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BENCH_BOT:-target/debug/bench-bot}
out=${1:-target/dashboard-check}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

browse() { # page, name
    local page=$1 name=$2
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --user-data-dir="$tmp/profile-$name" \
        --enable-logging=stderr --v=0 --virtual-time-budget=10000 --window-size=1280,1600 \
        --dump-dom "file://$page" > "$out/$name.dom.html" 2> "$out/$name.console.log"
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --user-data-dir="$tmp/profile-$name-shot" \
        --virtual-time-budget=10000 --window-size=1280,1600 --hide-scrollbars \
        --screenshot="$out/$name.png" "file://$page" 2>/dev/null
    python3 - "$page" "$out/$name.dom.html" "$out/$name.console.log" "$name" <<'PY'
import json, re, sys
page, dom_path, log_path, name = sys.argv[1:]
html = open(page, encoding="utf-8").read()
dom = open(dom_path, encoding="utf-8").read()
log = open(log_path, encoding="utf-8", errors="replace").read()
data = json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', html, re.S).group(1))
body = re.search(r"<body([^>]*)>", dom).group(1)
attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', body))
assert attrs.get("data-status") == "ready", f"{name}: page did not finish: {attrs}"
assert attrs.get("data-errors") == "0", f"{name}: script errors: {attrs}"
assert int(attrs.get("data-charts", -1)) == len(data["series"]), f"{name}: {attrs} vs {len(data['series'])} series"
assert int(attrs.get("data-drawn", 0)) > 0, f"{name}: no chart drawn: {attrs}"
assert dom.count('class="chart"') == len(data["series"]), name
assert "Uncaught" not in log and "CONSOLE" not in log, f"{name}: console output:\n{log}"
# Change points: each runner shift once, each other change point once, in the list.
listed = len(data["shifts"]) + sum(1 for c in data["changes"] if c["kind"] != "runner-shift")
items = len(re.findall(r"<li>", dom.split('id="changes"')[1].split("</section>")[0]))
assert items == listed, f"{name}: {items} change points listed, {listed} in the data"
external = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', html)
assert not external, f"{name}: requests to other hosts: {external}"
print(f"dashboard {name}: {len(data['series'])} charts, {attrs['data-drawn']} drawn in view, {listed} change points listed, no errors")
PY
}

# 1. The fixtures' pytest runs, oldest first, as files.
"$bin" dashboard --out "$out/fixtures" \
    fixtures/pytest/saved/Linux-CPython-3.11-64bit/0001_baseline.json \
    fixtures/pytest/baseline.json \
    fixtures/pytest/saved/Linux-CPython-3.11-64bit/0002_candidate.json \
    fixtures/pytest/candidate.json
browse "$out/fixtures/index.html" fixtures

# 2. A real history, imported into a history branch and read back from it.
history=../shared/data/real-histories/rune.data.js
if [ -f "$history" ]; then
    git init -q "$tmp/repo"
    bin_abs=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
    "$bin_abs" import --repo "$tmp/repo" "$history" >/dev/null
    "$bin" dashboard --history bench-bot-data --repo "$tmp/repo" --branch main \
        --repo-url https://github.com/rune-rs/rune --out "$out/history"
    browse "$out/history/index.html" history
fi
echo "screenshots: $out/*.png"
