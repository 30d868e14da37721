#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the debug test kernel: run COMMAND, then fail if the kernel
# reported a bug (KASAN, lockdep, atomic sleep, WARN, BUG), lockdep was
# switched off by a report, or kmemleak found an object that redirect
# allocated and lost.
#   debug-kernel-checks.sh COMMAND [ARGS...]
set -u
kml=/sys/kernel/debug/kmemleak
[ -w "$kml" ] && echo clear >"$kml"
dmesg_before=$(dmesg | wc -l)

"$@"
rc=$?

bugs=$(dmesg | tail -n +"$((dmesg_before + 1))" | grep -E \
	'BUG:|WARNING:|KASAN|UBSAN|circular locking|recursive locking|inconsistent lock state|lock held when returning|sleeping function called from invalid context|Call Trace')
if [ -z "$bugs" ]; then
	echo "ok 1 debug_kernel_no_bug_reports"
else
	echo "not ok 1 debug_kernel_no_bug_reports"
	echo "$bugs" | head -40 | sed 's/^/# /'
	rc=1
fi

# Lockdep switches itself off after its first report, wherever it came from.
if grep -q '^ *debug_locks: *1' /proc/lockdep_stats 2>/dev/null; then
	echo "ok 3 debug_kernel_lockdep_stayed_on"
elif [ -r /proc/lockdep_stats ]; then
	if [ "$(dmesg | head -n "$dmesg_before" | grep -cE 'BUG:|WARNING:|KASAN')" -gt 0 ]; then
		echo "ok 3 debug_kernel_lockdep_stayed_on # SKIP lockdep was turned off by a report during boot, before redirect loaded"
		dmesg | head -n "$dmesg_before" | grep -E -A5 'BUG:|WARNING:|KASAN' | head -20 | sed 's/^/# boot: /'
	else
		echo "not ok 3 debug_kernel_lockdep_stayed_on"
		rc=1
	fi
else
	echo "ok 3 debug_kernel_lockdep_stayed_on # SKIP no lockdep in this kernel"
fi

if [ -w "$kml" ]; then
	# kmemleak only reports objects that stayed unreferenced across scans.
	echo scan >"$kml"; sleep 6; echo scan >"$kml"
	leaks=$(awk '/^unreferenced object/ { if (blk ~ /redirect|rdr_/) n++; blk = "" } { blk = blk $0 "\n" }
		END { if (blk ~ /redirect|rdr_/) n++; print n + 0 }' "$kml")
	if [ "$leaks" = 0 ]; then
		echo "ok 2 debug_kernel_no_kmemleak_in_redirect"
	else
		echo "not ok 2 debug_kernel_no_kmemleak_in_redirect ($leaks objects)"
		sed 's/^/# /' "$kml" | head -60
		rc=1
	fi
else
	echo "ok 2 debug_kernel_no_kmemleak_in_redirect # SKIP kmemleak not available"
fi
exit $rc
