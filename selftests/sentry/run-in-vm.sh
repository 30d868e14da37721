#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inside a VM guest, as root: load redirect.ko and run usersentry's tests in
# module mode, then the restart test: 8 threads of forwarded calls while the
# daemon is killed with SIGKILL and started again three times. TAP on stdout.
#
#   run-in-vm.sh MODULE_DIR     (MODULE_DIR holds redirect.ko, or kmod/redirect.ko)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: run-in-vm.sh MODULE_DIR" >&2; exit 2; }
moddir=$1
ko=$moddir/redirect.ko
[ -f "$ko" ] || ko=$moddir/kmod/redirect.ko
echo "TAP version 13"
if [ ! -x "$top/build/selftests/sentry/sentry_target" ] || [ ! -x "$top/build/bin/usersentry" ]; then
	make -C "$top" -s sentry-selftests >/dev/null 2>&1
fi
if [ ! -d /sys/module/redirect ]; then
	if [ ! -f "$ko" ] || ! insmod "$ko"; then
		echo "not ok 1 sentry: insmod ${ko}"
		echo "1..1"
		exit 1
	fi
	loaded_here=1
fi
for i in $(seq 50); do [ -c /dev/redirect ] && break; sleep 0.1; done

mode=module
. "$top/selftests/sentry/tests.sh"

# ---- restart without loss: kill -9 and start again, three times
stop_daemon
rm -f "$audit" "$audit.1"
start
# the threads run until told to stop (at most 5 minutes), however slow the guest
timeout 400 "$bin/redirect-run" -s "$sock" -p "$pol/uname.json" -- \
	"$tgt" threads 8 300 "$release" "$work/stop" >"$work/restart.out" 2>&1 &
rpid=$!
wait_log "sandbox=redirect-run-.*attached" "$(grep -c "attached" "$log")"
restarts=0
for i in 1 2 3; do
	sleep 2
	kill -9 "$daemon"
	wait "$daemon" 2>/dev/null
	sleep 0.5
	start && restarts=$((restarts + 1))
done
sleep 2
touch "$work/stop"
wait "$rpid"
rc=$?
diag <"$work/restart.out"
echo "restarts $restarts; adopted $(grep -c ' adopted: ' "$log"); replayed replies" \
	"$(grep -c 'replayed' "$log")" | diag
{ [ $rc = 0 ] &&
	grep -q "failures=0" "$work/restart.out" && [ "$restarts" = 3 ]; }
check "restart_kill9_8_threads_no_call_fails" [ $? = 0 ]
grep -E "adopted|not adopted|ended|shutting|listening" "$log" | diag
check "restart_adopts_sandbox_each_time" [ "$(grep -c ' adopted: ' "$log")" -ge 3 ]
# An adopted sandbox's end is noticed by the daemon's periodic reconcile (2 s),
# and the log line comes just before the state file goes: poll up to 60 s.
ended_and_gone() {
	local i
	for i in $(seq 600); do
		grep -q "ended: all tasks exited" "$log" && [ -z "$(ls "$work/state")" ] && return 0
		sleep 0.1
	done
	return 1
}
ended_and_gone
check "restart_sandbox_ends_and_state_file_goes" [ $? = 0 ]

stop_daemon
if [ -n "${loaded_here:-}" ]; then
	rmmod redirect 2>/dev/null || echo "# rmmod redirect failed (sandboxes in custody?)"
fi
echo "1..$n"
exit "$failed"
