#!/usr/bin/env bash
# Same-runner A/B against two sequential runs, on this machine, with the real pytest
# fixture suite: for each effect (1.0 = A/A; 1.05, 1.10, 1.25 = the sort given that much
# more data, the head side only) TRIALS trials of
#   - `bench-bot ab --rounds ROUNDS` on a temporary repository (base and head commits);
#   - the base suite run once, then the head suite once, compared by `analyze --baseline`.
# Writes OUT/{ab,seq}-EFFECT-TRIAL.json (OUT defaults to target/ab-evaluation) and prints
# the table of docs/statistics.md (scripts/ab-table.py). Needs: pip install
# pytest-benchmark; cargo build --release. TRIALS (default 5), ROUNDS (default 12);
# BUDGET (e.g. 3m) runs `ab --time-budget BUDGET` instead of a fixed number of rounds;
# EFFECTS (default "1.0 1.05 1.10 1.25") picks the effects; SEQUENTIAL=0 leaves out the
# sequential runs; FIRST (default 1) numbers the first trial, so that two instances can
# write into one OUT (e.g. FIRST=51 beside FIRST=1, TRIALS=50 each); CONFIG names a
# bench-bot.toml that both `ab` and `analyze` read (e.g. other tier percentages);
# HISTORY=N (N ≥ 2) adds the history rule beside the sequential runs: the base suite run
# N times, then the head once, compared by `analyze` with the N base runs as the window
# (OUT/hist-EFFECT-TRIAL.json).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${OUT:-$here/target/ab-evaluation}" && cd "${OUT:-$here/target/ab-evaluation}" && pwd)
bb=$here/target/release/bench-bot
trials=${TRIALS:-5}
rounds=${ROUNDS:-12}
suite=$here/fixtures/pytest/suite/test_fixture_suite.py
run_suite='python3 -m pytest -q -p no:cacheprovider --benchmark-only --benchmark-max-time=0.02 --benchmark-min-rounds=5'
export PYTHONHASHSEED=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${BUDGET:-}" ]; then length=(--time-budget "$BUDGET"); else length=(--rounds "$rounds"); fi
config=()
[ -n "${CONFIG:-}" ] && config=(--config "$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")")
for effect in ${EFFECTS:-1.0 1.05 1.10 1.25}; do
    for t in $(seq "${FIRST:-1}" $((${FIRST:-1} + trials - 1))); do
        repo=$work/repo-$effect-$t
        mkdir -p "$repo"
        (cd "$repo" && git init -q -b main . && git config user.email e@example.com \
            && git config user.name e && cp "$suite" . && git add . && git commit -qm base \
            && git tag base && sed -i "s/1.3 if CANDIDATE else 1.0/1.3 if CANDIDATE else $effect/" test_fixture_suite.py \
            && git commit -qam head --allow-empty)
        echo "effect $effect, trial $t: ab"
        (cd "$repo" && "$bb" ab --base base "${length[@]}" "${config[@]}" --format json \
            --output "$out/ab-$effect-$t.json" --run "$run_suite --benchmark-json={out} test_fixture_suite.py" \
            2>/dev/null) || true
        [ "${SEQUENTIAL:-1}" = 0 ] && continue
        echo "effect $effect, trial $t: sequential"
        mkdir -p "$work/base" "$work/head"
        git -C "$repo" show base:test_fixture_suite.py > "$work/base/test_fixture_suite.py"
        cp "$repo/test_fixture_suite.py" "$work/head/"
        window=()
        for h in $(seq 2 "${HISTORY:-1}"); do
            (cd "$work/base" && $run_suite --benchmark-json="$work/h$h.json" test_fixture_suite.py >/dev/null)
            window+=(--baseline "$work/h$h.json")
        done
        (cd "$work/base" && $run_suite --benchmark-json="$work/a.json" test_fixture_suite.py >/dev/null)
        (cd "$work/head" && $run_suite --benchmark-json="$work/b.json" test_fixture_suite.py >/dev/null)
        "$bb" analyze "${config[@]}" --format json --output "$out/seq-$effect-$t.json" --baseline "$work/a.json" "$work/b.json" || true
        if [ "${#window[@]}" -gt 0 ]; then
            "$bb" analyze "${config[@]}" --format json --output "$out/hist-$effect-$t.json" \
                "${window[@]}" --baseline "$work/a.json" "$work/b.json" || true
        fi
    done
done
python3 "$here/scripts/ab-table.py" "$out"
