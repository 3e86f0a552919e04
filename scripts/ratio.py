"""Times two commands side by side, interleaved, and prints how many times faster the
second is than the first.

    python3 scripts/ratio.py PEER_NAME OUR_NAME -- PEER_COMMAND... -- OUR_COMMAND...

The runs alternate in ABBA order (peer, ours, ours, peer, peer, ours, ...), RUNS pairs
(default 10) after one warm-up run of each, so that a change in the machine's speed
during the measurement touches both commands alike. Prints one line per command (name,
median wall time in ms) and one `ratio` line: the median of the pairs'
ratios (peer time over ours) and its quartiles. The commands' own output is discarded;
an exit code other than 0 or 1 stops the script.
"""
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    """Wall time in seconds of one run of `cmd`."""
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"exit {done.returncode}: {' '.join(cmd)}")
    return elapsed


def main():
    args = sys.argv[1:]
    names, rest = args[:2], args[2:]
    if len(names) != 2 or rest.count("--") != 2 or rest[0] != "--":
        sys.exit(__doc__)
    split = rest.index("--", 1)
    commands = [rest[1:split], rest[split + 1:]]
    runs = int(os.environ.get("RUNS", "10"))
    for cmd in commands:
        run(cmd)  # warm the caches
    times = [[], []]
    for i in range(runs):
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for which in order:
            times[which].append(run(commands[which]))
    for which in (0, 1):
        median = statistics.median(times[which]) * 1000
        print(f"{names[which]}\t{median:.1f}")
    ratios = sorted(p / o for p, o in zip(times[0], times[1]))
    q1, _, q3 = statistics.quantiles(ratios, n=4) if runs > 1 else (ratios[0],) * 3
    print(f"ratio\t{names[1]}\t{statistics.median(ratios):.2f}\t{q1:.2f}\t{q3:.2f}")


main()
