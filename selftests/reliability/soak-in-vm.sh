#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inside a VM guest, as root (`make soak`): load redirect.ko, run soak.sh in
# module mode for SECONDS, unload. Under selftests/vm/debug-kernel-checks.sh
# on the debug kernel a kmemleak, KASAN or lockdep report fails it too.
#
#   soak-in-vm.sh MODULE_DIR SECONDS
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# = 2 ] || { echo "usage: soak-in-vm.sh MODULE_DIR SECONDS" >&2; exit 2; }
ko=$1/redirect.ko
[ -f "$ko" ] || ko=$1/kmod/redirect.ko
echo "TAP version 13"
if [ ! -d /sys/module/redirect ] && ! insmod "$ko"; then
	echo "not ok 1 soak_insmod # $ko"
	exit 1
fi
for _ in $(seq 100); do [ -c /dev/redirect ] && break; sleep 0.1; done
"$top/selftests/reliability/soak.sh" module "$2"
rc=$?
# Sandboxes end asynchronously after their last task is reaped: retry briefly.
for _ in $(seq 100); do rmmod redirect 2>/dev/null && break; sleep 0.1; done
if [ -d /sys/module/redirect ]; then echo "not ok 99 soak_rmmod"; rc=1; fi
exit $rc
