#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The deployment image (tools/deploy/kubernetes/daemonset.yaml's
# REGISTRY/redirect): Debian 12 made by debootstrap (tools/rootfs.sh) with this
# tree installed into /usr/local and the module source for DKMS, made an image
# with `docker import`; nothing is pulled from a registry.
#
#   tools/image.sh IMAGE     (`make image [IMAGE=redirect:VERSION]`; $DOCKER, default docker)
#
# It builds as root into its own B= directory beside the rootfs cache (one per
# checkout, kept for the next run), never into the checkout's build/.
#
# The image carries the label dev.redirect.content, a hash of this script, its
# base tree and the files installed on it: when IMAGE already has that hash it
# is kept.
set -euo pipefail

image=${1:?usage: image.sh IMAGE}
docker=${DOCKER:-docker}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
version=$(sed -n 's/^VERSION := //p' Makefile)
# dkms and a compiler build redirect.ko for the node's kernel, kubectl labels
# the node; the rest are the libraries of the installed programs
packages=dkms,build-essential,kmod,kubernetes-client,libseccomp2,libjson-c5,libnl-genl-3-200

if [ "$(id -u)" != 0 ]; then
	echo "image: needs root (debootstrap, an overlay mount)" >&2
	exit 1
fi
base=$(tools/rootfs.sh --name image --include "$packages")
cache=${REDIRECT_CACHE:-/var/cache/redirect}
build=$cache/image-build-$(echo "$top" | sha256sum | cut -c1-8)
work=$(mktemp -d "${TMPDIR:-/tmp}/image.XXXXXX")
stage=$work/stage merged=$work/merged
# the overlay first; then nothing below another file system is removed
trap 'umount "$merged" 2>/dev/null || true; rm -rf --one-file-system "$work"' EXIT
mkdir -p "$stage" "$merged" "$build"
# the module source where the dkms init container finds it, copied from there
# into the node's /usr/src
make -s user install dkms-source B="$build" DESTDIR="$stage" PREFIX=/usr/local \
	DKMS_SRC="$stage/usr/local/src/redirect-$version" >/dev/null

# this script, the base and the installed files (no times, no owners)
hash=$( { cat "$0"; echo "$base"; tar -C "$stage" -c --sort=name --numeric-owner --owner=0 --group=0 \
	--mtime=@0 .; } | sha256sum | cut -c1-16)
have=$("$docker" image inspect -f '{{index .Config.Labels "dev.redirect.content"}}' \
	"$image" 2>/dev/null || true)
if [ "$have" = "$hash" ]; then
	echo "image: $image is up to date ($hash)" >&2
	exit 0
fi
echo "image: importing $image ($hash)" >&2
# one tree, each path once (docker import refuses duplicates): the installed
# files over the base
mount -t overlay overlay -o "lowerdir=$stage:$base" "$merged"
tar -c --numeric-owner -C "$merged" --exclude=./.redirect-complete \
	--exclude=./.redirect-build-seconds . |
	"$docker" import \
		--change "LABEL dev.redirect.content=$hash" \
		--change "LABEL org.opencontainers.image.version=$version" \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'CMD ["/usr/local/sbin/usersentry"]' \
		- "$image" >/dev/null
echo "image: $image" >&2
