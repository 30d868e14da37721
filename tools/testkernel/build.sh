#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (or reuse) the test kernel from Debian's linux-source-6.1 with debug.config.
# Cached outside the checkout, keyed by the fragment, this script and the source
# package version. Prints the cached tree's path on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${REDIRECT_CACHE:-/var/cache/redirect}
tarball=/usr/src/linux-source-6.1.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( (cat "$here/debug.config" "$here/build.sh"; echo "$srcver") | sha256sum | cut -c1-16)
out=$cache/testkernel-$key

if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/testkernel.lock"
flock 9
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

log() { echo "testkernel: $*" >&2; }
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
log "extracting $tarball ($srcver) into $tmp"
tar -C "$tmp" -xf "$tarball" --strip-components=1
cd "$tmp"
make -s defconfig >&2
make -s kvm_guest.config >&2
scripts/kconfig/merge_config.sh -m .config "$here/debug.config" >&2
make -s olddefconfig >&2

# merge_config only warns when an option cannot be set; refuse instead.
bad=0
while IFS= read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	opt=${line%%=*}
	val=${line#*=}
	if [ "$val" = n ]; then
		grep -qx "$opt=y" .config && { log "$opt should be off"; bad=1; }
	else
		grep -qx "$line" .config || { log "$line did not stick"; bad=1; }
	fi
done <"$here/debug.config"
[ $bad = 0 ] || exit 1

log "building (this takes a while on 2 cores)"
start=$(date +%s)
make -j"$(nproc)" -s all >&2
log "built in $(( $(date +%s) - start ))s"
touch .done
rm -rf "$out"
mv "$tmp" "$out"
echo "$out"
