#!/usr/bin/env python3
"""The table of docs/statistics.md's one-baseline experiment.

Usage: scripts/aa-table.py [DIR] [BENCH_BOT]  (defaults: target/aa-experiment and
target/release/bench-bot). Judges each pair written by scripts/aa-experiment.sh with
`bench-bot analyze --format json` (defaults; `suite_noise = false`, the assumed
`run_noise_pct` alone; `run_noise_pct = 0`, the samples-only test), and reads the mean and median changes from the pytest-benchmark files themselves.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "target/aa-experiment")
binary = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "target/release/bench-bot")
CONDITIONS = [
    ("quiet", "quiet, unchanged code"),
    ("hog", "baseline quiet, current under a CPU hog, unchanged code"),
    ("loaded", "both under a CPU hog, unchanged code"),
    ("slow", "quiet, the sort given 1.5× the data (about +50 %)"),
]


def analyze(a, b, extra):
    out = subprocess.run([binary, "analyze", "--format", "json", *extra, "--baseline", a, b],
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def stats(path):
    with open(path) as f:
        doc = json.load(f)
    return {b["fullname"]: b["stats"] for b in doc["benchmarks"]}


def tiers(report, only):
    rows = [r for r in report["results"] if r["metric"] == "time" and only in r["id"]]
    count = lambda pred: sum(1 for r in rows if pred(r))
    return (count(lambda r: r["status"] == "regression" and r["tier"] == "critical"),
            count(lambda r: r["status"] == "regression" and r["tier"] == "warning"),
            count(lambda r: r["status"] == "regression" and r["tier"] == "notice"),
            count(lambda r: r["status"] == "noisy"),
            count(lambda r: r["status"] == "improvement"))


def pct(x):
    return ("+" if x >= 0 else "−") + f"{abs(x):.1f} %"


with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as off:
    off.write("run_noise_pct = 0\n")
with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as assumed:
    assumed.write("suite_noise = false\n")
print("| condition | pairs | benchmarks | largest mean change | largest median change | largest min change "
      "| noise per run read from the suite "
      "| bench-bot (critical / warning / notice / noisy / improved) "
      "| `suite_noise = false`: 5 % assumed (critical / warning / notice) "
      "| samples-only test, `run_noise_pct = 0` (critical / warning / notice) "
      "| `--benchmark-compare-fail=mean:5%` would fail |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for key, label in CONDITIONS:
    pairs = sorted(glob.glob(os.path.join(folder, f"{key}-*-a.json")))
    if not pairs:
        continue
    total, fixed, welch, n, fails = [0] * 5, [0] * 5, [0] * 5, 0, 0
    mean_max = median_max = min_max = 0.0
    noise = []
    for a in pairs:
        b = a[:-len("a.json")] + "b.json"
        sa, sb = stats(a), stats(b)
        for name in sa:
            if key == "slow" and "test_sort_slowed" not in name:
                continue
            dm = (sb[name]["mean"] / sa[name]["mean"] - 1) * 100
            dmed = (sb[name]["median"] / sa[name]["median"] - 1) * 100
            mean_max = dm if abs(dm) > abs(mean_max) else mean_max
            median_max = dmed if abs(dmed) > abs(median_max) else median_max
            dmin = (sb[name]["min"] / sa[name]["min"] - 1) * 100
            min_max = dmin if abs(dmin) > abs(min_max) else min_max
            fails += dm > 5
        n += 1 if key == "slow" else len(sa)
        for acc, extra in ((total, []), (fixed, ["--config", assumed.name]),
                           (welch, ["--config", off.name])):
            only = "test_sort_slowed" if key == "slow" else ""
            report = analyze(a, b, extra)
            if not extra:
                noise.append(report["baseline"]["run_noise"].get("suite_pct", 0.0))
            for i, c in enumerate(tiers(report, only)):
                acc[i] += c
    what = "the sort" if key == "slow" else "any benchmark"
    print(f"| {label} | {len(pairs)} | {n} | {pct(mean_max)} ({what}) | {pct(median_max)} "
          f"| {pct(min_max)} "
          f"| {min(noise):.0f}–{max(noise):.0f} % "
          f"| {' / '.join(map(str, total))} | {' / '.join(map(str, fixed[:3]))} "
          f"| {' / '.join(map(str, welch[:3]))} | {fails} |")
os.unlink(off.name)
os.unlink(assumed.name)

# How the assumed run-to-run noise trades false alarms for detection on these pairs.
print()
print("| `run_noise_pct` | unchanged pairs: benchmarks at warning or critical | of which critical "
      "| the +50 % sort: critical |")
print("|---|---|---|---|")
for floor in (0, 3, 5, 7, 10):
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as cfg:
        cfg.write(f"run_noise_pct = {floor}\n")
    alarms = criticals = caught = slow_pairs = 0
    for key, _ in CONDITIONS:
        for a in sorted(glob.glob(os.path.join(folder, f"{key}-*-a.json"))):
            b = a[:-len("a.json")] + "b.json"
            only = "test_sort_slowed" if key == "slow" else ""
            c, w, _, _, _ = tiers(analyze(a, b, ["--config", cfg.name]), only)
            if key == "slow":
                slow_pairs += 1
                caught += c
            else:
                alarms += c + w
                criticals += c
    os.unlink(cfg.name)
    print(f"| {floor} | {alarms} | {criticals} | {caught} of {slow_pairs} |")
