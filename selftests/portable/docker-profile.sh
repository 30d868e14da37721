#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Docker's default seccomp profile, from Debian's golang-github-docker-docker-dev
# package, unpacked into a cache without installing the package; prints its path.
# Idempotent: a cached copy is used as it is.
#
#   selftests/portable/docker-profile.sh     (REDIRECT_CACHE, default /var/cache/redirect)
set -euo pipefail

pkg=golang-github-docker-docker-dev
rel=usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json
cache=${REDIRECT_CACHE:-/var/cache/redirect}/docker-profile
profile=$cache/root/$rel

if [ -s "$profile" ]; then
	echo "$profile"
	exit 0
fi
mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
# apt-get download writes into the current directory; it may run as _apt
chmod 0755 "$work"
if ! (cd "$work" && apt-get download -qq "$pkg" >/dev/null 2>"$work/err"); then
	apt-get update -qq >/dev/null
	(cd "$work" && apt-get download -qq "$pkg" >/dev/null)
fi
deb=$(ls "$work"/*.deb)
dpkg-deb -x "$deb" "$work/root"
test -s "$work/root/$rel" || { echo "docker-profile: $rel not in $(basename "$deb")" >&2; exit 1; }
mkdir -p "$cache/root/$(dirname "$rel")"
cp "$work/root/$rel" "$profile.tmp"
mv "$profile.tmp" "$profile"
basename "$deb" >"$cache/package"
echo "$profile"
