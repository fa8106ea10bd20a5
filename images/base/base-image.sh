#!/usr/bin/env bash
# Builds the base image of an ERA container image from Debian bookworm packages, as a Docker-format
# archive (what Jib takes as `tar://` base), without a container engine or a registry:
#
#   <cache>/<name>-<key>.tar    debootstrap --variant=minbase --include=<name>.packages, one layer
#
# The key is the first 16 hex digits of the sha256 of `sha256sum base-image.sh <name>.packages`, so
# a second build with the same inputs reuses the cached archive. The archive is then linked at OUT.
#
# Usage: base-image.sh [--cache DIR] NAME OUT     NAME: operator, node-agent (see *.packages)
# Needs root (debootstrap). Tool output goes to <cache>/<name>.log, kept only when the build fails.
set -euo pipefail
export LC_ALL=C PATH="$PATH:/usr/sbin:/sbin"

base_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/era/base-images"
suite=bookworm

die() { echo "[era] error: $*" >&2; exit 1; }

[ "${1:-}" = --cache ] && { cache=$2; shift 2; }
[ $# -eq 2 ] && [ -f "$base_dir/$1.packages" ] || die "usage: base-image.sh [--cache DIR] NAME OUT (names: operator, node-agent)"
name=$1 out=$2
key=$( (cd "$base_dir" && sha256sum base-image.sh "$name.packages") | sha256sum | cut -c1-16)
archive="$cache/$name-$key.tar"

link() { mkdir -p "$(dirname "$out")" && ln -sfn "$archive" "$out"; }
if [ -f "$archive" ]; then link; exit 0; fi

[ "$(id -u)" -eq 0 ] || die "building base images needs root (debootstrap); run as root"
command -v debootstrap >/dev/null || die "missing Debian package: debootstrap"
mkdir -p "$cache"
exec {lock}>"$cache/.lock"
flock "$lock"
if [ -f "$archive" ]; then link; exit 0; fi # another build made it while we waited

work=$(mktemp -d "$cache/.build-XXXXXX") log="$cache/$name.log"
cleanup() {
  local rc=$?
  # debootstrap mounts /proc and /sys in its target; a killed build can leave them mounted.
  awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r umount -l
  rm -rf --one-file-system "$work"
  if [ "$rc" -ne 0 ]; then
    echo "[era] error: base image $name failed (exit $rc); log: $log" >&2
    tail -n 15 "$log" | sed 's/^/[era] | /' >&2
  fi
  exit "$rc"
}
trap cleanup EXIT

# The mirror the host's apt already uses (this network reaches Debian only through it).
mirror=${ERA_DEBIAN_MIRROR:-$(apt-cache policy 2>/dev/null | awk -v s="$suite/main" '$3 == s { print $2; exit }')}
packages=$(grep -v '^#' "$base_dir/$name.packages" | paste -sd, -)
root="$work/root"
echo "[era] base image $name: debootstrap ${packages//,/ }" >&2
started=$SECONDS
debootstrap --variant=minbase --arch=amd64 --include="$packages" "$suite" "$root" "${mirror:-http://deb.debian.org/debian}" >"$log" 2>&1

# Nothing in a container image needs apt's lists, caches, logs, manuals or translations.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
       "$root"/var/cache/ldconfig/aux-cache "$root"/var/log/* "$root"/usr/share/man \
       "$root"/usr/share/info "$root"/usr/share/locale/* "$root"/dev/*
find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete

# docker-archive layout (`docker save`): manifest.json, the image config, one uncompressed layer.
mkdir "$work/image"
tar --sort=name --numeric-owner --xattrs -C "$root" -cf "$work/image/layer.tar" .
diff_id=$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)
mkdir "$work/image/$diff_id" && mv "$work/image/layer.tar" "$work/image/$diff_id/layer.tar"
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$diff_id" >"$work/image/config.json"
config_id=$(sha256sum "$work/image/config.json" | cut -d' ' -f1)
mv "$work/image/config.json" "$work/image/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["era-base-%s:%s"],"Layers":["%s/layer.tar"]}]' \
  "$config_id" "$name" "$key" "$diff_id" >"$work/image/manifest.json"
(cd "$work/image" && tar --sort=name --mtime=@0 --owner=0 --group=0 -cf "$work/archive.tar" -- *)
mv "$work/archive.tar" "$archive"
rm -f "$log"
for old in "$cache/$name"-*.tar; do [ "$old" = "$archive" ] || rm -f "$old"; done
echo "[era] base image $name ready in $((SECONDS - started)) s: $archive" >&2
link
