"""The power of bench-bot ab's tests on simulated rounds (docs/statistics.md, "The tests").

Each trial is n rounds of d = ln(head / base): the change plus normal noise, and, with
probability `mixed`, a round whose sides ran in different modes of a two-mode benchmark
(a factor of 1.42 either way). Prints how often each test reaches the 3 sigma gate
(p <= 0.00135, one-sided): the signed-rank test alone (normal approximation, close to
exact at these n), the sign test alone (exact binomial), and the smaller of the two
doubled, which is what bench-bot uses.

    python3 scripts/ab-tests-simulation.py
"""
import math
import random

GATE = 0.00135
TRIALS = 400


def signed_rank_p(d):
    n = len(d)
    order = sorted(range(n), key=lambda i: abs(d[i]))
    ranks = [0] * n
    for r, i in enumerate(order):
        ranks[i] = r + 1
    w = sum(ranks[i] for i in range(n) if d[i] > 0)
    mean, sd = n * (n + 1) / 4, math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    return 0.5 * math.erfc((w - mean) / sd / math.sqrt(2))


def sign_p(d):
    n, k = len(d), sum(1 for x in d if x > 0)
    return sum(math.comb(n, j) for j in range(k, n + 1)) / 2**n


def power(change, sigma, mixed, n, rng):
    counts = [0, 0, 0]
    for _ in range(TRIALS):
        d = []
        for _ in range(n):
            x = math.log(change) + rng.gauss(0, sigma)
            if rng.random() < mixed:
                x += rng.choice((math.log(1.42), -math.log(1.42)))
            d.append(x)
        rank, sign = signed_rank_p(d), sign_p(d)
        counts[0] += rank <= GATE
        counts[1] += sign <= GATE
        counts[2] += 2 * min(rank, sign) <= GATE
    return [c / TRIALS for c in counts]


rng = random.Random(1)
print("change | noise sd | rounds in mixed modes | rounds | signed-rank | sign | smaller p doubled")
for change, sigma, mixed in [(1.10, 0.02, 0.0), (1.10, 0.02, 0.25), (1.10, 0.02, 0.5), (1.05, 0.05, 0.0), (1.05, 0.08, 0.0)]:
    for n in (20, 30, 60, 100):
        r, s, c = power(change, sigma, mixed, n, rng)
        print(f"+{(change - 1) * 100:.0f} % | {sigma} | {mixed:.0%} | {n} | {r:.0%} | {s:.0%} | {c:.0%}")
