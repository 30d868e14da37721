#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The deployment image (tools/deploy/kubernetes/daemonset.yaml's
# REGISTRY/redirect): Debian 12 made by debootstrap (tools/rootfs.sh) with this
# tree installed into /usr/local and the module source for DKMS, made an image
# with `docker import`; nothing is pulled from a registry.
#
#   tools/image.sh IMAGE     (`make image [IMAGE=redirect:VERSION]`; $DOCKER, default docker)
#
# The image carries the label dev.redirect.content, a hash of its base tree and
# of the files installed on it: when IMAGE already has that hash it is kept.
set -euo pipefail

image=${1:?usage: image.sh IMAGE}
docker=${DOCKER:-docker}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
version=$(sed -n 's/^VERSION := //p' Makefile)
# dkms and a compiler build redirect.ko for the node's kernel, kubectl labels
# the node; the rest are the libraries of the installed programs
packages=dkms,build-essential,kmod,kubernetes-client,libseccomp2,libjson-c5,libnl-genl-3-200

base=$(tools/rootfs.sh --name image --include "$packages")
stage=$(mktemp -d "${TMPDIR:-/tmp}/image.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"	# its entry "." lands on the image's root
# the module source where the dkms init container finds it, copied from there
# into the node's /usr/src
make -s install dkms-source DESTDIR="$stage" PREFIX=/usr/local \
	DKMS_SRC="$stage/usr/local/src/redirect-$version" >/dev/null

tarred() { # DIR [tar options]: the tree as the image holds it
	local d=$1
	shift
	tar -C "$d" -c --numeric-owner --sort=name "$@" \
		--exclude=./.redirect-complete --exclude=./.redirect-build-seconds .
}
hash=$( { echo "$base"; tarred "$stage" --owner=0 --group=0 --mtime=@0; } |
	sha256sum | cut -c1-16)
have=$("$docker" image inspect -f '{{index .Config.Labels "dev.redirect.content"}}' \
	"$image" 2>/dev/null || true)
if [ "$have" = "$hash" ]; then
	echo "image: $image is up to date ($hash)" >&2
	exit 0
fi
echo "image: importing $image ($hash)" >&2
{ tarred "$base"; tarred "$stage" --owner=0 --group=0; } |
	"$docker" import \
		--change "LABEL dev.redirect.content=$hash" \
		--change "LABEL org.opencontainers.image.version=$version" \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'CMD ["/usr/local/sbin/usersentry"]' \
		- "$image" >/dev/null
echo "image: $image" >&2
