#!/usr/bin/env bash
# Refreshes the vendored uPlot (MIT) that bench-bot's dashboard embeds: the page must
# make no request to any other host, so the library ships inside the binary.
set -euo pipefail
version=${1:-1.6.32}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm install --silent --no-audit --no-fund --prefix "$tmp" "uplot@$version" >/dev/null
cp "$tmp/node_modules/uplot/dist/uPlot.iife.min.js" "$tmp/node_modules/uplot/dist/uPlot.min.css" "$here/"
cp "$tmp/node_modules/uplot/LICENSE" "$here/LICENSE.uPlot"
echo "uPlot $version vendored into $here"
