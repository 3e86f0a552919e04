"""Runs a peer change-point detector on series for examples/changes_evaluation.rs.

Usage: python changes_peers.py otava|mongo < request.json > answer.json

The request is {"series": [[float, ...], ...], "prefixes": [[int, ...], ...]}: for
each series, prefix lengths to scan as well (the delay: when was the step first seen).
The answer is {"full": [[index, ...], ...], "prefixes": [[[index, ...], ...], ...]}:
change point indices (the first value of the new level), for each series and each
prefix. Each detector runs with its own defaults:
- otava: apache-otava's compute_change_points (window_len 50, max_pvalue 0.001,
  min_magnitude 0), on the values as given, as `otava analyze` does;
- mongo: signal-processing-algorithms' e_divisive (pvalue 0.05, 100 permutations).
"""

import json
import sys


def otava_detector():
    from otava.analysis import compute_change_points

    def detect(values):
        if len(values) < 3:
            return []
        points, _ = compute_change_points(values)
        return sorted(int(p.index) for p in points)

    return detect


def mongo_detector():
    from signal_processing_algorithms.energy_statistics import energy_statistics

    def detect(values):
        if len(values) < 3:
            return []
        return sorted(int(i) for i in energy_statistics.e_divisive(values))

    return detect


def main():
    which = sys.argv[1]
    detect = {"otava": otava_detector, "mongo": mongo_detector}[which]()
    request = json.load(sys.stdin)
    full = [detect(s) for s in request["series"]]
    prefixes = [
        [detect(s[:n]) for n in lengths]
        for s, lengths in zip(request["series"], request["prefixes"])
    ]
    json.dump({"full": full, "prefixes": prefixes}, sys.stdout)


if __name__ == "__main__":
    main()
