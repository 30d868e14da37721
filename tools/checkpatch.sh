#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract the kernel's checkpatch.pl (with the spelling and const-struct lists
# it reads beside itself) from Debian's linux-source-6.1 into the cache, keyed
# by the package version, and print the script's path.
set -euo pipefail

cache=${REDIRECT_CACHE:-/var/cache/redirect}
tarball=/usr/src/linux-source-6.1.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
out=$cache/checkpatch-$srcver

if [ ! -f "$out/checkpatch.pl" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/checkpatch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	top=linux-source-6.1
	tar -C "$tmp" -xf "$tarball" --strip-components=2 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
	rm -rf "$out"
	mv "$tmp" "$out"
fi
echo "$out/checkpatch.pl"
