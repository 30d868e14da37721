#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inside a VM guest, as root: load redirect.ko, run the kernel/user rule-engine
# comparison, unload. TAP on stdout (the program's results at column 0, then
# one line for the module); exits non-zero on any failure.
#
#   run-in-vm.sh MODULE_DIR
#
# MODULE_DIR holds redirect.ko (tools/build-module.sh's OUTDIR/kmod; OUTDIR
# itself is accepted too). The test binary is taken from build/selftests/rules/
# (RULES_BIN_DIR overrides) and built if missing.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=${RULES_BIN_DIR:-$top/build/selftests/rules}
bin=$bindir/rules_vm_test

[ $# -ge 1 ] || { echo "usage: run-in-vm.sh MODULE_DIR" >&2; exit 2; }
ko=$1/redirect.ko
[ -f "$ko" ] || ko=$1/kmod/redirect.ko
if [ ! -f "$ko" ]; then
	echo "not ok 1 rules: no redirect.ko in $1"
	echo "1..1"
	exit 1
fi
if [ ! -x "$bin" ]; then
	echo "# building $bin"
	make -s -C "$top" "build/selftests/rules/rules_vm_test" 2>&1 | sed 's/^/# /'
fi
if [ ! -x "$bin" ]; then
	echo "not ok 1 rules: $bin missing"
	echo "1..1"
	exit 1
fi

loaded=0
if [ ! -d /sys/module/redirect ]; then
	if ! out=$(insmod "$ko" 2>&1); then
		echo "$out" | sed 's/^/# /'
		echo "not ok 1 rules: insmod"
		echo "1..1"
		exit 1
	fi
	loaded=1
fi
for _ in $(seq 50); do
	[ -c /dev/redirect ] && break
	sleep 0.1
done

# the program numbers its own results; its plan comes last
timeout -s KILL "${RULES_TIMEOUT:-600}" "$bin"
rc=$?
[ "$loaded" = 1 ] && rmmod redirect 2>/dev/null
if [ "$rc" != 0 ]; then
	echo "# rules_vm_test exited with $rc"
fi
exit "$rc"
