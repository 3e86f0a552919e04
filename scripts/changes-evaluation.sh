#!/usr/bin/env bash
# The change-point evaluation of docs/statistics.md: bench-bot next to Apache Otava and
# MongoDB's E-divisive on simulated series and on ../shared/data/real-histories. The
# peers are installed from PyPI into two virtual environments (their numpy pins
# differ; signal-processing-algorithms without its gevent pin, which it does not
# need for e_divisive).
#
#   scripts/changes-evaluation.sh [TRIALS]      (default 100; ~10 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-100}
venvs=${VENVS:-target/changes-evaluation}
mkdir -p "$venvs"
if [ ! -x "$venvs/otava/bin/python" ]; then
    python3 -m venv "$venvs/otava"
    "$venvs/otava/bin/pip" install -q apache-otava
fi
if [ ! -x "$venvs/mongo/bin/python" ]; then
    python3 -m venv "$venvs/mongo"
    "$venvs/mongo/bin/pip" install -q "numpy<2" scipy structlog more-itertools typing-extensions pyyaml
    "$venvs/mongo/bin/pip" install -q --no-deps signal-processing-algorithms
fi
cargo run --release --quiet --example changes_evaluation -- --trials "$trials" \
    --otava "$venvs/otava/bin/python" --mongo "$venvs/mongo/bin/python"
