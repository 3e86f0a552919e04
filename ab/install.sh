#!/usr/bin/env bash
# Puts a bench-bot binary on the runner for the A/B action and exports its path as
# BENCH_BOT (through $GITHUB_ENV):
# - BENCH_BOT_BINARY set: that binary;
# - BENCH_BOT_VERSION set (a release sets it to its own vX.Y.Z): the release's static
#   binary for this runner's OS and architecture, from
#   $GITHUB_SERVER_URL/$BENCH_BOT_REPOSITORY/releases/download/VERSION/, its SHA-256
#   checked against the release's .sha256 file before it is unpacked;
# - neither (main, or `uses: ./ab`): built from the action's own source with cargo.
set -euo pipefail
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/bench-bot-bin"
mkdir -p "$dest"
export_path() {
    echo "BENCH_BOT=$1" >> "${GITHUB_ENV:-/dev/null}"
    echo "bench-bot: using $1 ($("$1" --version))"
}
if [ -n "${BENCH_BOT_BINARY:-}" ]; then
    [ -x "$BENCH_BOT_BINARY" ] || { echo "::error::bench-bot: $BENCH_BOT_BINARY is not an executable"; exit 2; }
    export_path "$BENCH_BOT_BINARY"
    exit 0
fi
if [ -z "${BENCH_BOT_VERSION:-}" ]; then
    here=$(cd "$(dirname "$0")/.." && pwd)
    cargo install --quiet --locked --path "$here" --root "$dest"
    export_path "$dest/bin/bench-bot"
    exit 0
fi
os=${RUNNER_OS:-$(uname -s)}
arch=${RUNNER_ARCH:-$(uname -m)}
case "$os/$arch" in
    Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64) target=aarch64-unknown-linux-musl ;;
    macOS/ARM64 | Darwin/arm64) target=aarch64-apple-darwin ;;
    macOS/X64 | Darwin/x86_64) target=x86_64-apple-darwin ;;
    Windows/X64) target=x86_64-pc-windows-msvc ;;
    *) echo "::error::bench-bot: no release binary for $os/$arch"; exit 2 ;;
esac
archive="bench-bot-$target.tar.gz"
url="${GITHUB_SERVER_URL:-https://github.com}/${BENCH_BOT_REPOSITORY:?}/releases/download/$BENCH_BOT_VERSION"
curl -fsSL --retry 3 -o "$dest/$archive" "$url/$archive"
curl -fsSL --retry 3 -o "$dest/$archive.sha256" "$url/$archive.sha256"
expected=$(cut -d' ' -f1 < "$dest/$archive.sha256")
if command -v sha256sum >/dev/null; then
    actual=$(sha256sum "$dest/$archive" | cut -d' ' -f1)
else
    actual=$(shasum -a 256 "$dest/$archive" | cut -d' ' -f1)
fi
if [ "$expected" != "$actual" ]; then
    echo "::error::bench-bot: $archive does not match its published SHA-256 ($actual, expected $expected)"
    exit 2
fi
tar -xzf "$dest/$archive" -C "$dest"
binary="$dest/bench-bot"
[ "$os" = Windows ] && binary="$dest/bench-bot.exe"
export_path "$binary"
