#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A minimal Debian 12 root file system made by debootstrap, for the integration
# tests and the demo (minbase + python3), or with other packages for the
# deployment image (tools/image.sh); cached outside the checkout and printed on
# stdout.
#
#   tools/rootfs.sh [--name NAME --include PKG,PKG...]
#                       (REDIRECT_CACHE, default /var/cache/redirect)
#
# The cache directory, NAME-bookworm-HASH (default rootfs-bookworm-HASH), is
# named after a hash of this script, the package list and the mirror, so a
# change builds a new tree; an existing tree is used as it is. The tree is
# built under a temporary name and renamed only when complete.
set -euo pipefail

suite=bookworm
variant=minbase
name=rootfs
include=python3
cache=${REDIRECT_CACHE:-/var/cache/redirect}
while [ $# -gt 0 ]; do
	case "$1" in
	--name) name=${2:?rootfs: --name wants a name}; shift 2 ;;
	--include) include=${2:?rootfs: --include wants a package list}; shift 2 ;;
	*) echo "rootfs: unknown argument '$1' (--name NAME --include PKG,...)" >&2; exit 2 ;;
	esac
done
case "$name$include" in
*[!a-z0-9.,+-]*) echo "rootfs: bad name or package list '$name' '$include'" >&2; exit 2 ;;
esac

# The mirror the host's own apt uses (deb822 "URIs:" or a one-line "deb" entry).
mirror() {
	local f u
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
		 /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		u=$(awk '/^URIs:/ && /debian\/?$/ && !/security/ { print $2; exit }
			 /^deb / && $0 ~ / '"$suite"' / { print $2; exit }' "$f")
		[ -n "$u" ] && { echo "$u"; return; }
	done
	echo http://deb.debian.org/debian
}

if [ "$(id -u)" != 0 ]; then
	echo "rootfs: needs root (debootstrap)" >&2
	exit 1
fi
command -v debootstrap >/dev/null ||
	{ echo "rootfs: debootstrap is not installed (tools/setup-debian.sh)" >&2; exit 1; }

url=${REDIRECT_DEBIAN_MIRROR:-$(mirror)}
hash=$( { cat "$0"; echo "$url $include"; } | sha256sum | cut -c1-16)
dest=$cache/$name-$suite-$hash

if [ -x "$dest/bin/sh" ] && [ -f "$dest/.redirect-complete" ]; then
	echo "$dest"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/rootfs.lock"
flock 9
if [ -f "$dest/.redirect-complete" ]; then	# built meanwhile by another run
	echo "$dest"
	exit 0
fi
tmp=$dest.tmp
# remove_tree DIR: a debootstrap that failed half-way may leave /proc, /sys or
# /dev mounted in its tree: unmount them (deepest first), and never let the
# removal reach into a mount (--one-file-system).
remove_tree() {
	[ -e "$1" ] || return 0
	local d
	d=$(realpath "$1")
	findmnt -rno TARGET | awk -v p="$d/" 'index($0, p) == 1' | sort -r |
		while read -r m; do umount -l "$m" || true; done
	rm -rf --one-file-system "$1"
}
remove_tree "$tmp"
start=$(date +%s)
echo "rootfs: debootstrap $suite ($variant, +$include) from $url" >&2
if ! debootstrap --variant="$variant" --include="$include" "$suite" "$tmp" "$url" \
	>"$cache/$name-$hash.log" 2>&1; then
	tail -20 "$cache/$name-$hash.log" >&2
	echo "rootfs: debootstrap failed, log in $cache/$name-$hash.log" >&2
	remove_tree "$tmp"
	exit 1
fi
# apt lists and caches are not needed to run anything; keep the tree small
rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
echo "$(( $(date +%s) - start ))" >"$tmp/.redirect-build-seconds"
touch "$tmp/.redirect-complete"
remove_tree "$dest"
mv "$tmp" "$dest"
echo "rootfs: built in $(cat "$dest/.redirect-build-seconds") s" >&2
echo "$dest"
