#!/usr/bin/env bash
# Rewrites action.yml for a release: `image: Dockerfile` (what `uses: ./` and main
# build) becomes the prebuilt image `docker://ghcr.io/<owner>/<name>:<tag>`, so that
# `uses: <owner>/<name>@<tag>` pulls instead of compiling. Used by
# .github/workflows/release.yml; .ci/run checks it on a copy.
# Usage: scripts/release-action-yml.sh TAG OWNER/NAME [FILE]   (FILE: action.yml)
set -euo pipefail
tag=$1
repo=$2
file=${3:-action.yml}
[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "not a release tag: $tag" >&2; exit 2; }
# GHCR image names are lowercase.
image="docker://ghcr.io/$(echo "$repo" | tr '[:upper:]' '[:lower:]'):$tag"
grep -q '^  image: Dockerfile$' "$file" || { echo "$file: no 'image: Dockerfile' line" >&2; exit 2; }
sed -i "s|^  image: Dockerfile\$|  image: $image|" "$file"
grep -q "^  image: $image\$" "$file"
echo "$file: image $image"
