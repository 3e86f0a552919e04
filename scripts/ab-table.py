#!/usr/bin/env python3
"""The table of scripts/ab-evaluation.sh: per effect and method, what happened to the
sort (the benchmark given more data) and to the seven unchanged benchmarks.

Usage: scripts/ab-table.py [DIR]   (default target/ab-evaluation)
"""
import glob
import json
import os
import statistics
import sys

here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "target/ab-evaluation")
SORT = "test_sort_slowed"


def label(row):
    if row["status"] == "regression":
        return row["tier"]
    return row["status"]


print("| effect on the sort | method | trials | the sort: critical / warning / notice / undecided (noisy) / missed | unchanged benchmarks at warning or critical | median smallest detectable change (unchanged benchmarks) | the sort's measured change (median) | the sort significantly slower (p adjusted ≤ 0.00135) |")
print("|---|---|---|---|---|---|---|---|")
# The effects the evaluation ran (EFFECTS in scripts/ab-evaluation.sh): the middle part
# of OUT/{ab,seq,hist}-EFFECT-TRIAL.json.
effects = {os.path.basename(f).split("-")[1] for f in glob.glob(os.path.join(folder, "*-*-*.json"))}
for effect in sorted(effects, key=float):
    methods = (
        ("ab", "`bench-bot ab`, same runner, ABBA rounds"),
        ("seq", "two sequential runs, `analyze --baseline`"),
        ("hist", "history rule: {runs} base runs, then the head, `analyze`"),
    )
    for method, name in methods:
        files = sorted(glob.glob(os.path.join(folder, f"{method}-{effect}-*.json")))
        if not files:
            continue
        if method == "hist":
            name = name.format(runs=json.load(open(files[0]))["baseline"]["runs"])
        counts = {"critical": 0, "warning": 0, "notice": 0, "noisy": 0, "missed": 0}
        false_alarms = 0
        detectable = []
        changes = []
        significant = 0
        for f in files:
            r = json.load(open(f))
            for row in r["results"]:
                if row["metric"] != "time":
                    continue
                if row["id"].endswith(SORT):
                    kind = label(row)
                    changes.append(row["change_pct"])
                    p = row.get("p_adjusted")
                    significant += p is not None and p <= 0.00135 and row["change_pct"] > 0
                    counts[kind if kind in counts else "missed"] += 1
                else:
                    false_alarms += row["status"] == "regression" and row["tier"] in ("critical", "warning")
                    if row.get("detectable_pct") is not None:
                        detectable.append(row["detectable_pct"])
        pct = "A/A" if effect == "1.0" else f"+{round((float(effect) - 1) * 100)} % data"
        det = f"{statistics.median(detectable):.1f} %" if detectable else "–"
        moved = f"{statistics.median(changes):+.1f} %" if changes else "–"
        print(f"| {pct} | {name} | {len(files)} | {counts['critical']} / {counts['warning']} / {counts['notice']} / {counts['noisy']} / {counts['missed']} | {false_alarms} of {7 * len(files)} | {det} | {moved} | {significant} of {len(files)} |")
