#!/usr/bin/env bash
# Builds ERA's guest images from Debian bookworm (amd64) packages into a cache directory:
#
#   boot-<key>/kernel          uncompressed vmlinux (PVH entry), or the bzImage if extraction failed
#   boot-<key>/initramfs.cpio  newc cpio: /init (the agent), /lib/modules/<name>.ko, /modules.order
#   <language>-<key>/rootfs.erofs   the read-only root filesystem of one language
#
# Keys are the first 16 hex digits of the sha256 of `sha256sum <inputs>` run in this directory:
#   boot:     build-image.sh modules.txt <the agent/ files listed in sources.txt but agent/tests/, in its order>
#   rootfs:   build-image.sh rootfs/<language>.packages
# A packages file lists one Debian package a line. Lines starting with "+" name packages installed by
# apt-get in the chroot after debootstrap, for those with dependency trees too large for debootstrap
# to configure (npm pulls about 420 packages).
# dev.era.launcher.image.GuestSources computes the same keys in Java: change both together.
#
# Usage: build-image.sh [--cache DIR] LANGUAGE...   LANGUAGE: python, node (see rootfs/*.packages)
#        build-image.sh --entries LANGUAGE...      print the cache entries of these images, one a line
#        build-image.sh --write-index              rewrite sources.txt after adding or removing files
#
# Needs root (debootstrap). Progress goes to stderr as "[era] ..." lines, errors as "[era] error: ...";
# tool output goes to <cache>/build.log, kept only when the build fails.
set -euo pipefail
export LC_ALL=C PATH="$PATH:/usr/sbin:/sbin"

guest_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/era/images"
suite=bookworm
work='' log='' step='' reported='' kernel_pkg=''

progress() { echo "[era] $*" >&2; }

die() {
  echo "[era] error: $*" >&2
  reported=1
  exit 1
}

usage() {
  local known=() f
  for f in "$guest_dir"/rootfs/*.packages; do known+=("$(basename "$f" .packages)"); done
  die "usage: build-image.sh [--cache DIR] LANGUAGE... (languages: ${known[*]})"
}

# --- keys ---------------------------------------------------------------------------------------

key_of() { (cd "$guest_dir" && sha256sum -- "$@") | sha256sum | cut -c1-16; }

agent_sources() { grep '^agent/' "$guest_dir/sources.txt" | grep -v '^agent/tests/'; }

boot_key() {
  local agent_files
  mapfile -t agent_files < <(agent_sources)
  key_of build-image.sh modules.txt "${agent_files[@]}"
}

rootfs_key() { key_of build-image.sh "rootfs/$1.packages"; }

write_index() {
  {
    echo "# Every file the guest images are built from; build-image.sh --write-index regenerates it."
    (cd "$guest_dir" && find . -type f ! -path '*/build/*' ! -path ./sources.txt | sed 's|^\./||' | sort)
  } > "$guest_dir/sources.txt"
}

# --- checks -------------------------------------------------------------------------------------

check_host() {
  [ "$(id -u)" -eq 0 ] || die "building guest images needs root (debootstrap and chroot); run as root"
  [ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ] || die "guest images are built on amd64 Debian hosts only"
  local missing=() pair
  for pair in debootstrap:debootstrap mkfs.erofs:erofs-utils cpio:cpio lz4:lz4 zstd:zstd xz:xz-utils \
              depmod:kmod modprobe:kmod readelf:binutils make:make cc:gcc flock:util-linux \
              apt-get:apt dpkg-deb:dpkg chroot:coreutils; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  [ -e /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
  ((${#missing[@]} == 0)) && return
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  die "missing Debian packages: ${missing[*]} (install them with: apt-get install ${missing[*]})"
}

# The Debian mirror the host's apt already uses (so it works behind this network's proxy/mirror).
debian_mirror() {
  if [ -n "${ERA_DEBIAN_MIRROR:-}" ]; then echo "$ERA_DEBIAN_MIRROR"; return; fi
  local found
  found=$(
    {
      [ -f /etc/apt/sources.list ] && sed -E 's/\[[^]]*\]//' /etc/apt/sources.list | awk -v s="$suite" '$1 == "deb" && $3 == s { print $2 }'
      for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && awk -v s="$suite" '
          /^[[:space:]]*$/ { if (deb && ok && uri) print uri; deb = ok = 0; uri = ""; next }
          /^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
          /^URIs:/ { uri = $2 }
          /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
          END { if (deb && ok && uri) print uri }' "$f"
      done
    } | head -n1)
  echo "${found:-http://deb.debian.org/debian}"
}

# --- boot image: kernel + initramfs -------------------------------------------------------------

kernel_dependency() {
  apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

# Sets kernel_pkg to the versioned package behind linux-image-cloud-amd64.
resolve_kernel_package() {
  kernel_pkg=$(kernel_dependency)
  if [ -z "$kernel_pkg" ]; then
    progress "boot image: apt knows no linux-image-cloud-amd64 yet; running apt-get update"
    apt-get update >>"$log" 2>&1 || true
    kernel_pkg=$(kernel_dependency)
  fi
  [ -n "$kernel_pkg" ] || die "apt knows no linux-image-cloud-amd64 package: check that /etc/apt/sources.list(.d) has Debian $suite main"
}

# Like the kernel's scripts/extract-vmlinux: find a compressed payload that unpacks to an ELF.
extract_vmlinux() {
  local bzimage=$1 out=$2 entry magic tool offset
  for entry in $'\x02!L\x18:lz4 -dc' $'\x28\xb5\x2f\xfd:zstd -dc' $'\xfd7zXZ:xz -dc' $'\x1f\x8b\x08:gzip -dc'; do
    magic=${entry%%:*} tool=${entry#*:}
    while read -r offset; do
      tail -c +$((offset + 1)) "$bzimage" | $tool >"$out" 2>/dev/null || true
      # QEMU boots an ELF kernel only through its PVH entry note (owner "Xen").
      if [ "$(head -c4 "$out" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] && [[ $(readelf -n "$out" 2>/dev/null) == *Xen* ]]; then
        return 0
      fi
    done < <(grep -aboF -- "$magic" "$bzimage" | cut -d: -f1)
  done
  rm -f "$out"
  return 1
}

build_boot() {
  local key=$1 out="$work/boot" pkg kver kroot stage agent wanted=() mods=() m name
  mkdir -p "$out" "$work/kernel" "$work/initramfs/lib/modules"
  stage="$work/initramfs"

  step="boot image: compiling the agent (1/4)"; progress "$step"
  mkdir "$work/agent-src"
  (cd "$guest_dir" && agent_sources | while read -r f; do install -D -m "$(stat -c %a "$f")" "$f" "$work/agent-src/$f"; done)
  make -C "$work/agent-src/agent" >>"$log" 2>&1
  agent="$work/agent-src/agent/build/era-agent"
  [ -x "$agent" ] || die "the agent build made no agent/build/era-agent; full log: $log"
  [[ $(readelf -l "$agent") != *"program interpreter"* ]] || die "agent/build/era-agent is dynamically linked; /init must be static"

  resolve_kernel_package
  pkg=$kernel_pkg
  step="boot image: downloading $pkg (2/4)"; progress "$step"
  (cd "$work/kernel" && apt-get download "$pkg") >>"$log" 2>&1
  dpkg-deb -x "$work"/kernel/*.deb "$work/kernel/root"
  kroot="$work/kernel/root"
  kver=${pkg#linux-image-}
  [ -d "$kroot/lib/modules/$kver" ] || die "$pkg has no /lib/modules/$kver"
  grep -Eq '^CONFIG_EROFS_FS=(y|m)' "$kroot/boot/config-$kver" || die "$pkg has no erofs support, which the root filesystem needs"

  step="boot image: extracting vmlinux (3/4)"; progress "$step"
  if ! extract_vmlinux "$kroot/boot/vmlinuz-$kver" "$out/kernel"; then
    progress "boot image: no vmlinux with a PVH entry in the bzImage; booting the bzImage instead"
    cp "$kroot/boot/vmlinuz-$kver" "$out/kernel"
  fi

  step="boot image: initramfs (4/4)"; progress "$step"
  depmod -b "$kroot" "$kver" >>"$log" 2>&1
  # Soft dependencies are optional extras (e.g. crc32c-intel next to the built-in generic crc32c).
  : > "$kroot/lib/modules/$kver/modules.softdep"
  mapfile -t wanted < <(grep -v -e '^#' -e '^$' "$guest_dir/modules.txt")
  modprobe -C /dev/null -d "$kroot" -S "$kver" --show-depends -a "${wanted[@]}" > "$work/modules.dep" 2>>"$log"
  mapfile -t mods < <(awk '$1 == "insmod" && !seen[$2]++ { print $2 }' "$work/modules.dep")
  for m in "${mods[@]}"; do
    name=$(basename "$m"); name=${name%%.ko*}.ko
    case "$m" in
      *.ko.xz) xz -dc "$m" ;;
      *.ko.zst) zstd -dc "$m" ;;
      *.ko.gz) gzip -dc "$m" ;;
      *) cat "$m" ;;
    esac > "$stage/lib/modules/$name"
    echo "$name" >> "$stage/modules.order"
  done
  install -m 0755 "$agent" "$stage/init"
  (cd "$stage" && find . -mindepth 1 | sort | cpio -o -H newc -R 0:0 --quiet) > "$out/initramfs.cpio"
  progress "boot image: $kver with ${#mods[@]} modules"
  publish "$out" "boot-$key"
}

# --- root filesystems ---------------------------------------------------------------------------

build_rootfs() {
  local language=$1 key=$2
  local packages extras=() root="$work/$language-root" out="$work/$language" n=3 i=1
  packages=$(grep -v -e '^#' -e '^+' "$guest_dir/rootfs/$language.packages" | paste -sd, -)
  mapfile -t extras < <(sed -n 's/^+//p' "$guest_dir/rootfs/$language.packages")
  ((${#extras[@]} == 0)) || n=4
  mkdir -p "$out"

  step="$language image: debootstrap ${packages//,/ } ($i/$n)"; progress "$step"
  debootstrap --variant=minbase --arch=amd64 --include="$packages" "$suite" "$root" "$(debian_mirror)" >>"$log" 2>&1

  if ((${#extras[@]})); then
    step="$language image: apt-get install ${extras[*]} ($((++i))/$n)"; progress "$step"
    apt_install "$root" "${extras[@]}"
  fi

  step="$language image: configuring and trimming ($((++i))/$n)"; progress "$step"
  chroot "$root" groupadd -g 65532 sandbox >>"$log" 2>&1
  chroot "$root" useradd -u 65532 -g 65532 -d /work -M -s /bin/sh sandbox >>"$log" 2>&1
  install -d -m 0755 -o 65532 -g 65532 "$root/work"
  ln -sfn /run/resolv.conf "$root/etc/resolv.conf"   # the agent writes it when the network is on
  echo era > "$root/etc/hostname"
  printf '127.0.0.1\tlocalhost era\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
         "$root"/var/cache/ldconfig/aux-cache "$root"/var/log/* \
         "$root"/usr/share/man "$root"/usr/share/info "$root"/usr/share/lintian "$root"/usr/share/locale/*
  # Keep C.UTF-8 only; keep the copyright files, drop the rest of the docs.
  [ ! -d "$root/usr/lib/locale" ] || find "$root/usr/lib/locale" -mindepth 1 -maxdepth 1 ! -name C.utf8 -exec rm -rf {} +
  find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete

  step="$language image: mkfs.erofs ($((++i))/$n)"; progress "$step"
  # Uncompressed: decompression under TCG costs more than the reads it saves.
  mkfs.erofs --quiet "$out/rootfs.erofs" "$root" >>"$log" 2>&1
  publish "$out" "$language-$key"
}

# Installs packages without recommends into a debootstrapped root, from the mirror debootstrap used.
apt_install() {
  local root=$1; shift
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # No daemons may start inside the chroot; postinst scripts that read /proc get one.
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  chroot "$root" apt-get update >>"$log" 2>&1
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$log" 2>&1
  chroot "$root" apt-get clean >>"$log" 2>&1
  umount "$root/proc"
  rm -f "$root/usr/sbin/policy-rc.d"
}

# --- cache --------------------------------------------------------------------------------------

# Moves a finished build into place atomically and drops older builds of the same kind.
publish() {
  local from=$1 name=$2 old
  mv -T "$from" "$cache/$name"
  for old in "$cache/${name%-*}"-*; do
    [ "$old" = "$cache/$name" ] || rm -rf "$old"
  done
}

cleanup() {
  local rc=$?
  if [ -n "$work" ] && [ -d "$work" ]; then
    # debootstrap mounts /proc and /sys in its target; a killed build can leave them mounted.
    awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r umount -l
    rm -rf --one-file-system "$work"
  fi
  if [ "$rc" -eq 130 ]; then
    echo "[era] error: ${step:-image build} was stopped; nothing was cached" >&2
  elif [ "$rc" -ne 0 ] && [ -z "$reported" ]; then
    echo "[era] error: ${step:-image build} failed (exit $rc); full log: $log" >&2
    [ -s "$log" ] && tail -n 15 "$log" | sed 's/^/[era] | /' >&2
  fi
  exit "$rc"
}

missing_parts() {
  [ -f "$cache/boot-$boot/initramfs.cpio" ] || echo boot
  local language
  for language in "${languages[@]}"; do
    [ -f "$cache/$language-${rootfs[$language]}/rootfs.erofs" ] || echo "$language"
  done
}

# --- main ---------------------------------------------------------------------------------------

languages=() entries=''
while (($#)); do
  case "$1" in
    --cache) [ $# -ge 2 ] || usage; cache=$2; shift 2 ;;
    --entries) entries=1; shift ;;
    --write-index) write_index; exit 0 ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) [ -f "$guest_dir/rootfs/$1.packages" ] || usage; languages+=("$1"); shift ;;
  esac
done
((${#languages[@]})) || usage

boot=$(boot_key)
declare -A rootfs
for language in "${languages[@]}"; do rootfs[$language]=$(rootfs_key "$language"); done
if [ -n "$entries" ]; then
  echo "boot-$boot"
  for language in "${languages[@]}"; do echo "$language-${rootfs[$language]}"; done
  exit 0
fi

if [ -z "$(missing_parts)" ]; then exit 0; fi

check_host
mkdir -p "$cache"
log="$cache/build.log"
exec {lock}>"$cache/.lock"
if ! flock -n "$lock"; then
  progress "waiting for another image build to finish ($cache/.lock)"
  flock "$lock"
fi
trap cleanup EXIT
trap 'exit 130' INT TERM

mapfile -t todo < <(missing_parts)
((${#todo[@]})) || exit 0   # another builder made them while we waited
: > "$log"
work=$(mktemp -d "$cache/.build-XXXXXX")
started=$SECONDS
for part in "${todo[@]}"; do
  if [ "$part" = boot ]; then build_boot "$boot"; else build_rootfs "$part" "${rootfs[$part]}"; fi
done
rm -f "$log"
progress "images ready in $((SECONDS - started)) s: $cache"
