#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install every Debian package that building, testing and the demo need, and
# the second test kernel: 6.12 from Debian's bookworm-backports, pinned so that
# nothing else comes from there (6.1 stays linux-image-amd64 and the default).
# Idempotent.
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
	jq curl man-db python3 shellcheck clang-format
	lxcfs
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

# ---- the second kernel: 6.12 image and headers from bookworm-backports -----
bpo_sources=/etc/apt/sources.list.d/bookworm-backports.sources
bpo_pin=/etc/apt/preferences.d/redirect-bookworm-backports
changed=0
if ! grep -qs '^Suites:.*bookworm-backports' /etc/apt/sources.list.d/*.sources; then
	cat >"$bpo_sources" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	changed=1
fi
# Backports' Release file already says NotAutomatic (priority 100); the pin
# states it, so a local default-release setting cannot pull the suite in.
if [ ! -f "$bpo_pin" ]; then
	cat >"$bpo_pin" <<'PIN'
# tools/setup-debian.sh (redirect): only what is named with -t comes from here
Package: *
Pin: release n=bookworm-backports
Pin-Priority: 100
PIN
	changed=1
fi
[ "$changed" = 0 ] || apt-get update -qq
# The versioned packages the backports metapackages depend on, e.g.
# linux-image-6.12.95+deb12-amd64: installing those (not the metapackages)
# leaves bookworm's linux-image-amd64, i.e. 6.1, in charge.
bpo_dep() { # metapackage -> "name=version" it depends on
	apt-cache show "$1/bookworm-backports" 2>/dev/null |
		sed -n 's/^Depends: \(linux-[a-z]*-[0-9][^ ,]*\) (= \([^)]*\)).*/\1=\2/p' | head -1
}
kpkgs=()
for meta in linux-image-amd64 linux-headers-amd64; do
	dep=$(bpo_dep "$meta")
	[ -n "$dep" ] || { echo "setup: cannot resolve $meta in bookworm-backports" >&2; exit 1; }
	kpkgs+=("$dep")
done
# linux-source-6.12: what the code's comments about 6.12 refer to
kpkgs+=("linux-source-6.12=${kpkgs[0]#*=}")
kmissing=()
for p in "${kpkgs[@]}"; do
	[ "$(dpkg-query -W -f='${Status} ${Version}' "${p%%=*}" 2>/dev/null)" = "install ok installed ${p#*=}" ] ||
		kmissing+=("$p")
done
if [ ${#kmissing[@]} -gt 0 ]; then
	echo "setup: installing ${kmissing[*]} from bookworm-backports"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends -t bookworm-backports "${kmissing[@]}" >/dev/null
fi
echo "setup: all packages present (kernels: $(ls /boot/vmlinuz-* | sed 's|.*/vmlinuz-||' | tr '\n' ' '))"
