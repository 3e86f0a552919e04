#!/usr/bin/env bash
# Rewrites action.yml for a release: `image: Dockerfile` (what `uses: ./` and main
# build) becomes the prebuilt image `docker://ghcr.io/<owner>/<name>:<tag>`, so that
# `uses: <owner>/<name>@<tag>` pulls instead of compiling. Used by
# .github/workflows/release.yml; .ci/run checks it on a copy.
# The A/B action (ab/action.yml) gets the tag as its `version`, so that it downloads
# that release's binary instead of building from source.
# Usage: scripts/release-action-yml.sh TAG OWNER/NAME [FILE [AB_FILE]]
#        (FILE: action.yml, AB_FILE: ab/action.yml)
set -euo pipefail
tag=$1
repo=$2
file=${3:-action.yml}
ab_file=${4:-ab/action.yml}
[[ $tag =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "not a release tag: $tag" >&2; exit 2; }
# GHCR image names are lowercase.
image="docker://ghcr.io/$(echo "$repo" | tr '[:upper:]' '[:lower:]'):$tag"
grep -q '^  image: Dockerfile$' "$file" || { echo "$file: no 'image: Dockerfile' line" >&2; exit 2; }
sed -i "s|^  image: Dockerfile\$|  image: $image|" "$file"
grep -q "^  image: $image\$" "$file"
echo "$file: image $image"
grep -q '^    default: "" # set by a release$' "$ab_file" || { echo "$ab_file: no version default to set" >&2; exit 2; }
sed -i "s|^    default: \"\" # set by a release\$|    default: \"$tag\" # set by a release|" "$ab_file"
grep -q "^    default: \"$tag\" # set by a release\$" "$ab_file"
echo "$ab_file: version $tag"
