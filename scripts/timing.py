"""Times commands: median wall time over repeated runs and the peak RSS of one run.

    python3 scripts/timing.py NAME -- COMMAND...     (prints one line)
Run from a measuring script; the command's own output is discarded.
"""
import os
import resource
import statistics
import subprocess
import sys
import time

name = sys.argv[1]
cmd = sys.argv[sys.argv.index("--") + 1:]
runs = int(os.environ.get("RUNS", "10"))
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm the caches
times = []
for _ in range(runs):
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - start)
    if done.returncode not in (0, 1):
        sys.exit(f"{name}: exit {done.returncode}: {' '.join(cmd)}")
rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{name}\t{statistics.median(times) * 1000:.1f}\t{rss_kb / 1024:.0f}")
