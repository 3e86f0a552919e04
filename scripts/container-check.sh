#!/usr/bin/env bash
# The action image's runtime, checked without a Docker engine. Builds the static musl
# binary the Dockerfile builds, puts exactly the files of the Dockerfile's final stage
# into an empty root, and runs `bench-bot action` there as GitHub runs a Docker action: as
# root, the workspace owned by another user, against a fake GitHub API on 127.0.0.1 and a
# git remote inside the root (the test `the_image_runs_in_an_empty_root` in
# tests/action.rs). Prints the final stage's size.
#
#   scripts/container-check.sh [DIR]        DIR holds the root (default target/container-check)
#   PROFILE=dev scripts/container-check.sh  a debug build (what .ci/run uses: faster to build)
#   TIMINGS=20 scripts/container-check.sh    also times 20 pull-request runs of the action
#
# Needs root (chown, unshare --root), rustup and apt-get or musl-gcc already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/container-check}
profile=${PROFILE:-release}
target=$(uname -m)-unknown-linux-musl

rustup target list --installed | grep -qx "$target" || rustup target add "$target"
if ! command -v musl-gcc >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends musl-tools >/dev/null
fi

# The final stage: everything after the last FROM. Only the instructions this script
# knows how to reproduce are allowed, so a change to the Dockerfile that it cannot mirror
# fails here instead of passing unchecked.
stage=$(awk '/^FROM /{s=""} {s=s $0 "\n"} END{printf "%s", s}' Dockerfile | grep -v '^\s*#' | grep -v '^\s*$')
[ "$(head -1 <<<"$stage")" = "FROM scratch" ] || { echo "the final stage is not FROM scratch"; exit 1; }
if grep -Ev '^(FROM scratch|ENV [A-Z_]+=[^ ]+|COPY --from=build [^ ]+ [^ ]+|ENTRYPOINT \[.*\])$' <<<"$stage"; then
    echo "container-check.sh cannot mirror the instruction(s) above of the Dockerfile's final stage"
    exit 1
fi

echo "building the static binary ($target, profile $profile)"
cargo build --quiet --locked --profile "$profile" --target "$target" --bin bench-bot
out_dir=$profile
[ "$profile" = dev ] && out_dir=debug
binary=target/$target/$out_dir/bench-bot

root=$dir/root
rm -rf "$dir"
mkdir -p "$root"
# The workspace's owner (another uid) works in the root's workspace after the action.
d=$(cd "$dir" && pwd)
while [ "$d" != / ]; do
    [ "$(( 0$(stat -c %a "$d") & 1 ))" = 1 ] || {
        echo "other users cannot enter $d (mode $(stat -c %a "$d")): put DIR where they can"
        exit 1
    }
    d=$(dirname "$d")
done
while read -r _ _ src dst; do
    # The build stage copies its binary to /bench-bot; other files come from this
    # machine's copy of the same package (ca-certificates).
    if [ "$(basename "$src")" = bench-bot ]; then from=$binary; else from=$src; fi
    [ -f "$from" ] || { echo "no $from for the final stage's $dst"; exit 1; }
    mkdir -p "$root$(dirname "$dst")"
    cp "$from" "$root$dst"
done < <(grep '^COPY ' <<<"$stage")
image_env=$(sed -n 's/^ENV //p' <<<"$stage")
entrypoint=$(sed -n 's/^ENTRYPOINT \[\(.*\)\]$/\1/p' <<<"$stage" | tr -d '",' )
# The action's arguments (action.yml `runs.args`).
args=$(sed -n '/^  args:/,/^[^ ]/s/^    - //p' action.yml | tr '\n' ' ')
root_abs=$(cd "$root" && pwd)

files=$(find "$root" -type f | wc -l)
bytes=$(du -sb "$root" | cut -f1)
bin_bytes=$(stat -c %s "$root$entrypoint")
echo "final stage: $files files, $((bytes / 1000)) kB ($(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}') MB), of which the binary $((bin_bytes / 1000)) kB"
find "$root" -type f -printf '  %P %s bytes\n'

echo "running bench-bot action in the empty root"
BENCH_BOT_IMAGE_ROOT=$root_abs \
BENCH_BOT_IMAGE_CMD="$entrypoint ${args% }" \
BENCH_BOT_IMAGE_ENV=$image_env \
BENCH_BOT_IMAGE_TIMINGS=${TIMINGS:-} \
    cargo test --quiet --locked --test action the_image_runs_in_an_empty_root -- --ignored --exact \
    --nocapture
