#!/usr/bin/env bash
# Puts the guest images the node-agent image carries into OUT: builds them in the user's image cache
# if needed (guest/build-image.sh, all languages), then links (or copies) their cache entries.
#
# Usage: guest-images.sh OUT
set -euo pipefail
out=$1
build="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/guest/build-image.sh"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/era/images"
mapfile -t languages < <(cd "$(dirname "$build")/rootfs" && ls -- *.packages | sed 's/\.packages$//')
bash "$build" --cache "$cache" "${languages[@]}"
rm -rf "$out" && mkdir -p "$out"
for entry in $(bash "$build" --entries "${languages[@]}"); do
  cp -al "$cache/$entry" "$out/" 2>/dev/null || cp -a "$cache/$entry" "$out/"
done
