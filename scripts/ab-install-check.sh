#!/usr/bin/env bash
# Checks ab/install.sh, the A/B action's installer, against a release served from
# 127.0.0.1: the binary for this machine is downloaded, its SHA-256 checked, and
# exported as BENCH_BOT; a tampered archive is refused with exit 2 and nothing exported.
# Usage: scripts/ab-install-check.sh DIR   (needs target/debug/bench-bot and python3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
mkdir -p "$dir/site/o/bench-bot/releases/download/v9.9.9" "$dir/pack"
release="$dir/site/o/bench-bot/releases/download/v9.9.9"
case "$(uname -m)" in
    x86_64) target=x86_64-unknown-linux-musl ;;
    aarch64) target=aarch64-unknown-linux-musl ;;
    *) echo "no release target for $(uname -m)"; exit 1 ;;
esac
cp "$root/target/debug/bench-bot" "$dir/pack/"
tar -czf "$release/bench-bot-$target.tar.gz" -C "$dir/pack" bench-bot
(cd "$release" && sha256sum "bench-bot-$target.tar.gz" > "bench-bot-$target.tar.gz.sha256")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dir/site" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
install() { # runner temp, github env file
    env -u BENCH_BOT_BINARY RUNNER_TEMP="$1" GITHUB_ENV="$2" RUNNER_OS=Linux \
        GITHUB_SERVER_URL="http://127.0.0.1:$port" BENCH_BOT_REPOSITORY=o/bench-bot \
        BENCH_BOT_VERSION=v9.9.9 bash "$root/ab/install.sh"
}
mkdir -p "$dir/ok" "$dir/bad"
install "$dir/ok" "$dir/ok/env" >/dev/null
grep -qx "BENCH_BOT=$dir/ok/bench-bot-bin/bench-bot" "$dir/ok/env"
"$dir/ok/bench-bot-bin/bench-bot" --version >/dev/null
# The same name, other bytes: refused.
echo tampered >> "$release/bench-bot-$target.tar.gz"
set +e
out=$(install "$dir/bad" "$dir/bad/env" 2>&1)
code=$?
set -e
[ "$code" -eq 2 ] || { echo "a tampered archive was accepted ($code): $out"; exit 1; }
grep -q "does not match its published SHA-256" <<<"$out"
[ ! -s "$dir/bad/env" ] || { echo "a tampered archive was exported"; exit 1; }
echo "ab/install.sh: checksum checked, tampered archive refused"
