#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The seccomp profile an engine ships in Debian, unpacked into a cache from its
# package without installing it; prints the profile's path.  Idempotent: a
# cached copy is used as it is.
#
#   selftests/portable/engine-profile.sh docker|podman   (REDIRECT_CACHE, default /var/cache/redirect)
#
# docker: Docker's default.json, from golang-github-docker-docker-dev
# podman: Podman's seccomp.json (containers/common), from golang-github-containers-common
set -euo pipefail

case ${1:-} in
docker)
	pkg=golang-github-docker-docker-dev
	rel=usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json
	name=docker-profile ;;
podman)
	pkg=golang-github-containers-common
	rel=usr/share/containers/seccomp.json
	name=podman-profile ;;
*)
	echo "usage: $0 docker|podman" >&2
	exit 2 ;;
esac
cache=${REDIRECT_CACHE:-/var/cache/redirect}/$name
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
test -s "$work/root/$rel" || { echo "$name: $rel not in $(basename "$deb")" >&2; exit 1; }
mkdir -p "$cache/root/$(dirname "$rel")"
cp "$work/root/$rel" "$profile.tmp"
mv "$profile.tmp" "$profile"
basename "$deb" >"$cache/package"
echo "$profile"
