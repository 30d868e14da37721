#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inside a VM guest: load redirect.ko, run the kmod kselftests, unload, then
# 100 load/unload cycles. TAP on stdout; exits non-zero on any failure.
#
#   run-in-vm.sh MODULE_DIR
#
# MODULE_DIR is the directory holding redirect.ko (tools/build-module.sh's
# OUTDIR/kmod); OUTDIR itself is accepted too. The kselftest binaries are taken
# from build/selftests/kmod/ (KSFT_BIN_DIR overrides) and built if missing.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=${KSFT_BIN_DIR:-$top/build/selftests/kmod}
kselftests="device_test"
cycles=${LOAD_UNLOAD_CYCLES:-100}

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
finish() { echo "1..$n"; exit "$failed"; }
diag() { sed 's/^/# /'; }

[ $# = 1 ] || { echo "usage: run-in-vm.sh MODULE_DIR" >&2; exit 2; }
ko=$1/redirect.ko
[ -f "$ko" ] || ko=$1/kmod/redirect.ko
if [ ! -f "$ko" ]; then
	not_ok "module_found # no redirect.ko in $1"
	finish
fi

# Wait up to 5 s for /dev/redirect to appear (want=1) or to go away (want=0).
wait_node() {
	local want=$1 i
	for i in $(seq 50); do
		if [ -c "$REDIRECT_NODE" ]; then [ "$want" = 1 ] && return 0
		else [ "$want" = 0 ] && return 0
		fi
		sleep 0.1
	done
	return 1
}
REDIRECT_NODE=/dev/redirect

[ -d /sys/module/redirect ] && rmmod redirect 2>&1 | diag

if out=$(insmod "$ko" 2>&1); then
	ok "insmod"
else
	echo "$out" | diag
	not_ok "insmod"
	finish
fi

if ! wait_node 1; then
	not_ok "device_node_mode_0600 # $REDIRECT_NODE did not appear"
else
	mode=$(stat -c '%a %u %g %F' "$REDIRECT_NODE")
	if [ "$mode" = "600 0 0 character special file" ]; then
		ok "device_node_mode_0600"
	else
		not_ok "device_node_mode_0600 # got: $mode"
	fi
fi

for t in $kselftests; do
	if [ ! -x "$bindir/$t" ]; then
		echo "# building $bindir/$t"
		make -s -C "$top" "build/selftests/kmod/$t" 2>&1 | diag
	fi
	if [ ! -x "$bindir/$t" ]; then
		not_ok "kselftest_$t # binary missing"
		continue
	fi
	"$bindir/$t"
	st=$?
	if [ $st = 0 ]; then ok "kselftest_$t"; else not_ok "kselftest_$t # exit $st"; fi
done

# An open file holds a module reference: rmmod must refuse until it is closed.
if exec 3<>"$REDIRECT_NODE"; then
	if rmmod redirect 2>/dev/null; then
		not_ok "rmmod_refused_while_open"
		insmod "$ko" && wait_node 1
	else
		ok "rmmod_refused_while_open"
	fi
	exec 3>&-
else
	not_ok "rmmod_refused_while_open # cannot open $REDIRECT_NODE"
fi

if out=$(rmmod redirect 2>&1) && wait_node 0; then
	ok "rmmod"
else
	echo "$out" | diag
	not_ok "rmmod"
	finish
fi

err=
for i in $(seq "$cycles"); do
	if ! out=$(insmod "$ko" 2>&1); then err="cycle $i: insmod: $out"; break; fi
	if ! wait_node 1; then err="cycle $i: $REDIRECT_NODE missing"; break; fi
	if ! out=$(rmmod redirect 2>&1); then err="cycle $i: rmmod: $out"; break; fi
	if ! wait_node 0; then err="cycle $i: $REDIRECT_NODE left behind"; break; fi
done
if [ -z "$err" ]; then
	ok "load_unload_cycles # $cycles cycles"
else
	not_ok "load_unload_cycles # $err"
	[ -d /sys/module/redirect ] && rmmod redirect
fi
finish
