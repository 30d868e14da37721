#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install every Debian package that building, testing and the demo need. Idempotent.
set -euo pipefail

PKGS=(
	build-essential pkg-config make gcc clang llvm libclang-rt-14-dev
	libseccomp-dev libnl-3-dev libnl-genl-3-dev libjson-c-dev
	linux-image-amd64 linux-headers-amd64 linux-source-6.1
	bc bison flex libelf-dev libssl-dev cpio xz-utils rsync kmod
	qemu-system-x86 busybox-static
	runc crun dkms systemd iproute2
	gnuplot-nox sqlite3
	debootstrap containerd docker.io podman python3-yaml
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"
