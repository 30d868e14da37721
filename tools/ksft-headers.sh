#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract kselftest_harness.h and kselftest.h from Debian's linux-source-6.1
# into the cache (not into the repo) and print the directory holding them.
set -euo pipefail

cache=${REDIRECT_CACHE:-/var/cache/redirect}
tarball=/usr/src/linux-source-6.1.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
out=$cache/ksft-$srcver

if [ ! -f "$out/kselftest_harness.h" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/ksft.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	top=linux-source-6.1
	tar -C "$tmp" -xf "$tarball" --strip-components=4 \
		"$top/tools/testing/selftests/kselftest_harness.h" \
		"$top/tools/testing/selftests/kselftest.h"
	rm -rf "$out"
	mv "$tmp" "$out"
fi
echo "$out"
