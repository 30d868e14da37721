# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced: files of Debian's linux-source-6.1, extracted into the cache (never
# into the repo), keyed by the package version.
#
#   rdr_kernel_source_files NAME STRIP PATH...
# extracts each PATH (relative to the source tree) with STRIP leading
# directories removed into $REDIRECT_CACHE/NAME-VERSION, once, and prints
# that directory.
rdr_kernel_source_files() {
	local name=$1 strip=$2 cache tarball srcver out tmp top=linux-source-6.1 p
	shift 2
	cache=${REDIRECT_CACHE:-/var/cache/redirect}
	tarball=/usr/src/linux-source-6.1.tar.xz
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1) || return 1
	out=$cache/$name-$srcver
	# the directory arrives whole (mv): its first file says it is there
	if [ ! -f "$out/${1##*/}" ]; then
		mkdir -p "$cache"
		tmp=$(mktemp -d "$cache/$name.XXXXXX") || return 1
		local paths=()
		for p in "$@"; do paths+=("$top/$p"); done
		if ! tar -C "$tmp" -xf "$tarball" --strip-components="$strip" "${paths[@]}"; then
			rm -rf "$tmp"
			return 1
		fi
		rm -rf "$out"
		mv "$tmp" "$out"
	fi
	echo "$out"
}
