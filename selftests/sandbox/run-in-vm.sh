#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inside a VM guest, as root: load redirect.ko, run the sandbox and netlink
# kselftests, unload. TAP on stdout (the binaries' own results at column 0,
# then one line per binary); exits non-zero on any failure.
#
#   run-in-vm.sh MODULE_DIR [TEST...]
#
# MODULE_DIR holds redirect.ko (tools/build-module.sh's OUTDIR/kmod; OUTDIR
# itself is accepted too). TEST names binaries (default: sandbox_test
# netlink_test), taken from build/selftests/sandbox/ (KSFT_BIN_DIR overrides)
# and built if missing. REDIRECT_STRESS_ITERS scales race_stress (per thread;
# the debug kernel wants fewer).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=${KSFT_BIN_DIR:-$top/build/selftests/sandbox}

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
finish() { echo "1..$n"; exit "$failed"; }
diag() { sed 's/^/# /'; }

[ $# -ge 1 ] || { echo "usage: run-in-vm.sh MODULE_DIR [TEST...]" >&2; exit 2; }
moddir=$1
shift
tests=${*:-sandbox_test netlink_test}
ko=$moddir/redirect.ko
[ -f "$ko" ] || ko=$moddir/kmod/redirect.ko
if [ ! -f "$ko" ]; then
	not_ok "module_found # no redirect.ko in $moddir"
	finish
fi
ko=$(cd "$(dirname "$ko")" && pwd)/redirect.ko
export REDIRECT_KO=$ko

wait_node() { # 1: wait for /dev/redirect, 0: for it to go
	for _ in $(seq 50); do
		if [ -c /dev/redirect ]; then [ "$1" = 1 ] && return 0
		else [ "$1" = 0 ] && return 0
		fi
		sleep 0.1
	done
	return 1
}

if [ ! -d /sys/module/redirect ]; then
	if ! out=$(insmod "$ko" 2>&1); then
		echo "$out" | diag
		not_ok "insmod"
		finish
	fi
fi
if wait_node 1; then ok "insmod"; else not_ok "insmod # /dev/redirect missing"; finish; fi

for t in $tests; do
	if [ ! -x "$bindir/$t" ]; then
		echo "# building $bindir/$t"
		make -s -C "$top" "build/selftests/sandbox/$t" 2>&1 | diag
	fi
	if [ ! -x "$bindir/$t" ]; then
		not_ok "kselftest_$t # binary missing"
		continue
	fi
	# The harness kills a test's process group on timeout; run each binary
	# with a hard limit too, so that a hung kernel call cannot stall the VM.
	timeout -s KILL "${KSFT_BINARY_TIMEOUT:-3000}" "$bindir/$t"
	st=$?
	if [ $st = 0 ]; then ok "kselftest_$t"; else not_ok "kselftest_$t # exit $st"; fi
	# A test may have unloaded and reloaded the module: make sure it is back.
	[ -d /sys/module/redirect ] || insmod "$ko" 2>&1 | diag
	wait_node 1 || true
done

# Sandboxes end asynchronously after their last task is reaped: retry briefly.
out=
for _ in $(seq 50); do
	out=$(rmmod redirect 2>&1) && break
	sleep 0.1
done
if [ ! -d /sys/module/redirect ] && wait_node 0; then
	ok "rmmod"
else
	echo "$out" | diag
	not_ok "rmmod"
fi
finish
