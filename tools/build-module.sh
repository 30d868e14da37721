#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build redirect.ko (and redirect_kunit.ko where the kernel has KUnit) against
# KDIR in a private copy of the sources, so builds for several kernels coexist.
# The modules end up in OUTDIR/kmod/.
set -euo pipefail
[ $# = 2 ] || { echo "usage: build-module.sh KDIR OUTDIR" >&2; exit 2; }
kdir=$1 outdir=$2
src=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$kdir/Makefile" ] || { echo "build-module: '$kdir' is not a kernel build directory" >&2; exit 2; }
mkdir -p "$outdir"
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.mod*' --exclude='.*.cmd' \
	--exclude=modules.order --exclude=Module.symvers "$src/kmod" "$outdir/"
cp "$src/Kbuild" "$outdir/Kbuild"
rm -f "$outdir"/kmod/*.ko
make -s -C "$kdir" M="$(cd "$outdir" && pwd)" modules
