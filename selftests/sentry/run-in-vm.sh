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
. "$top/selftests/sentry/identity.sh"
. "$top/selftests/sentry/views.sh"
. "$top/selftests/sentry/abi.sh"

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

# ---- custody with many sandboxes: 8 sandboxes of 8 policies (half with file
# rules, each its own release) under load; the daemon killed with SIGKILL and
# started again twice. Each restart adopts all 8 once (a restart that linked
# only one in left the others answering ENOSYS, and the reconcile adopted them
# again every 2 s); every call keeps its own policy's answer; afterwards the
# daemon's fds, its memory and the module's references are back where they were.
stop_daemon
rm -rf "$work/state"
refcnt0=$(cat /sys/module/redirect/refcnt)
for i in 1 2 3 4 5 6 7 8; do
	files=
	[ $((i % 2)) = 0 ] && files=",\"files\":{\"hidden\":[\"$d/hidden.txt\"]}"
	cat >"$pol/custody$i.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{
 "rules":[{"names":["getpriority"],"action":"errno:$((i + 1))"}],
 "sentry":{"default":"errno:ENOSYS","uname":{"release":"7.7.$i-custody"}$files}}}
JSON
done
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$daemon/status"; }
# the daemon's own count, from its control socket (no python: a slow guest
# takes seconds to start one)
sandboxes_served() { "$bin/redirectctl" daemon --socket "$sock" 2>/dev/null | grep -c '^redirect-run-'; }
wait_for() { # seconds, command...: until it succeeds (wall clock)
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}
log_count() { grep -c -- "$1" "$log"; }
start -m "$work/metrics"
fd_base=$(fd_count)
cpids=
for i in 1 2 3 4 5 6 7 8; do
	# until told to stop (at most an hour), however slow the guest
	timeout 3600 "$bin/redirect-run" -s "$sock" -p "$pol/custody$i.json" -- \
		"$tgt" threads 2 3000 "7.7.$i-custody" "$work/stop8" >"$work/custody$i.out" 2>&1 &
	cpids="$cpids $!"
done
wait_for 60 eval '[ "$(log_count "policy=custody.*id=")" -ge 8 ]'
check "custody_8_sandboxes_attached" [ "$(log_count "policy=custody.*id=")" -ge 8 ]
adopted0=$(log_count ' adopted: ')
restarts=0
for r in 1 2; do
	sleep 3
	kill -9 "$daemon"
	wait "$daemon" 2>/dev/null
	sleep 0.5
	start -m "$work/metrics" && restarts=$((restarts + 1))
	wait_for 30 eval '[ "$(log_count " adopted: ")" -ge $((adopted0 + 8 * r)) ]'
done
# three reconcile periods: nothing adopted again, nothing grows
wait_for 30 eval '[ "$(sandboxes_served)" = 8 ]'
# The fewest fds over a second: calls in flight hold a file or a connection
# for a moment, a leak stays.
fd_floor() {
	local n min=
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		n=$(fd_count)
		[ -z "$min" ] || [ "$n" -lt "$min" ] && min=$n
		sleep 0.1
	done
	echo "$min"
}
fds1=$(fd_floor) rss1=$(rss)
sleep 7
fds2=$(fd_floor) rss2=$(rss)
echo "restarts $restarts; adopted $(($(log_count ' adopted: ') - adopted0)); served" \
	"$(sandboxes_served); fds $fd_base/$fds1/$fds2; rss ${rss1}k/${rss2}k" | diag
grep -E "adopted|ended|not adopted|custody" "$log" | tail -40 | diag
"$bin/redirectctl" daemon --socket "$sock" 2>&1 | diag
check "custody_restart_adopts_all_8_once" eval '[ "$restarts" = 2 ] &&
	[ "$(($(log_count " adopted: ") - adopted0))" = 16 ] && [ "$(sandboxes_served)" = 8 ]'
check "custody_reconcile_leaks_nothing" eval '[ "$fds2" -le "$fds1" ] &&
	[ "$rss2" -le $((rss1 + 256)) ]'
touch "$work/stop8"
crc=0
for p in $cpids; do wait "$p" || crc=1; done
for i in 1 2 3 4 5 6 7 8; do
	sed "s/^/custody$i: /" "$work/custody$i.out" | diag
	grep -q "failures=0" "$work/custody$i.out" || crc=1
done
check "custody_8_sandboxes_every_call_answered_by_its_policy" [ "$crc" = 0 ]
wait_for 60 eval '[ -z "$(ls "$work/state")" ] && [ "$(sandboxes_served)" = 0 ]'
check "custody_sandboxes_end_state_files_go" eval '[ -z "$(ls "$work/state")" ] &&
	[ "$(sandboxes_served)" = 0 ] && [ "$(fd_count)" = "$fd_base" ]'
stop_daemon
wait_for 10 eval '[ "$(cat /sys/module/redirect/refcnt)" = "$refcnt0" ]'
check "custody_module_references_back" [ "$(cat /sys/module/redirect/refcnt)" = "$refcnt0" ]

stop_daemon
if [ -n "${loaded_here:-}" ]; then
	rmmod redirect 2>/dev/null || echo "# rmmod redirect failed (sandboxes in custody?)"
fi
echo "1..$n"
exit "$failed"
