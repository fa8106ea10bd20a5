#!/usr/bin/env bash
# Installs the Debian packages ERA needs to build and to run guests. Idempotent: does nothing when
# everything is already there.
set -euo pipefail

packages=(
  openjdk-17-jdk-headless maven     # build
  gcc libc6-dev make                # the static guest agent and the CLI's era-client
  qemu-system-x86 qemu-utils        # the VMM
  nftables iproute2                 # the host firewall that keeps networked guests off the host
  debootstrap erofs-utils e2fsprogs # guest root filesystems, and the container images' base
  podman runc skopeo                # the container images: run by the tests, pushed by a release
  cpio lz4 zstd kmod binutils       # kernel unpacking and the initramfs
  ca-certificates
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# kubectl for the kubectl tests and for users of the embedded control plane; any kubectl on PATH will do.
command -v kubectl >/dev/null || missing+=(kubernetes-client)
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ERA needs these Debian packages: ${missing[*]}; run this script as root to install them." >&2
    exit 1
  fi
  echo "Installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Podman's default runtime (crun) cannot start containers on these hosts (setrlimit refused, hybrid
# cgroups); runc with cgroupfs and no default ulimits can (docs/operations.md, "Container images").
conf=/etc/containers/containers.conf.d/era.conf
if [ ! -f "$conf" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ERA's container tests need $conf set for runc; run this script as root to write it." >&2
    exit 1
  fi
  mkdir -p "$(dirname "$conf")"
  cat >"$conf" <<'CONF'
# ERA: runc, cgroupfs and no default ulimits (written by scripts/install-deps.sh)
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
fi
