#!/usr/bin/env bash
# Fails when a module under src/ imports from its own or a higher layer
# (the layers are listed in tests/layers.rs and drawn in docs/architecture.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --quiet --test layers
