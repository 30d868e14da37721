#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Soak: usersentry serves many sandboxes, one after another and side by side,
# each with threads of forwarded calls (uname, answered by the Sentry) or
# tier-1 probes (getpriority, answered below it), for SECONDS. Checks: every
# sandboxed run ends in time with every call answered right (a lost call hangs
# its run), the daemon's fd count is back to its warm-up value once its
# sandboxes are gone, and its RSS has not grown beyond slack. Kernel leaks:
# run it under selftests/vm/debug-kernel-checks.sh (kmemleak). TAP on stdout.
#
#   soak.sh portable|module SECONDS
#
# Environment: SOAK_SLOTS (sandboxes running side by side, default 6),
# SOAK_RSS_SLACK_KB (default 4096), SOAK_KEEP_LOG (copy the daemon's log
# there when a run failed).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-} seconds=${2:-}
case "$mode" in portable|module) ;; *) echo "usage: soak.sh portable|module SECONDS" >&2; exit 2 ;; esac
case "$seconds" in ''|*[!0-9]*) echo "usage: soak.sh portable|module SECONDS" >&2; exit 2 ;; esac
slots=${SOAK_SLOTS:-6}
slack_kb=${SOAK_RSS_SLACK_KB:-4096}
bin=$top/build/bin
tgt=$top/build/selftests/sentry/sentry_target
release=9.9.9-soak

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
diag() { sed 's/^/# /'; }

if [ ! -x "$tgt" ] || [ ! -x "$bin/usersentry" ] || [ ! -x "$bin/redirect-run" ]; then
	make -s -C "$top" sentry-selftests 2>&1 | diag
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rel-soak.XXXXXX")
sock=$work/s.sock log=$work/usersentry.log daemon=
slot_pids=()
cleanup() {
	local p
	for p in "${slot_pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/pol" "$work/runs"
cat >"$work/pol/soak.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{
 "rules":[{"names":["getpriority"],"action":"errno:EACCES"}],
 "sentry":{"default":"errno:ENOSYS","uname":{"release":"$release","nodename":"soak"}}}}
JSON

# -l /dev/null would hide the mode line: keep a log, but no audit log.
"$bin/usersentry" -s "$sock" -d "$work/pol" -l "$log" --state-dir "$work/state" &
daemon=$!
for i in $(seq 200); do
	grep -q "listening on $sock" "$log" 2>/dev/null && break
	sleep 0.05
done
if ! grep -q "usersentry.*: $mode mode" "$log" 2>/dev/null; then
	not_ok "soak_daemon_starts_in_${mode}_mode"
	diag <"$log"
	echo "1..$n"
	exit 1
fi

fds() { ls "/proc/$daemon/fd" 2>/dev/null | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$daemon/status" 2>/dev/null; }
# The daemon holds one listener per live sandbox: wait until they are gone.
quiet_fds() { # baseline (or empty: just settle) -> the count, once stable
	local i f last=-1
	for i in $(seq 200); do
		f=$(fds)
		if [ -n "${1:-}" ] && [ "$f" -le "$1" ]; then echo "$f"; return; fi
		[ -z "${1:-}" ] && [ "$f" = "$last" ] && [ "$i" -gt 10 ] && { echo "$f"; return; }
		last=$f
		sleep 0.1
	done
	echo "$f"
}

# One slot: sandboxed runs back to back until the deadline, each logged.
slot() { # index deadline
	local k=0 out rc t s
	while [ "$(date +%s)" -lt "$2" ]; do
		k=$((k + 1))
		out=$work/runs/$1.$k
		t=$(( (RANDOM % 8) + 1 )) s=$(( (RANDOM % 3) + 1 ))
		if [ $((RANDOM % 4)) = 0 ]; then
			timeout 120 "$bin/redirect-run" -s "$sock" -p "$work/pol/soak.json" -- \
				"$tgt" tier1 200 >"$out" 2>&1
			rc=$?
			# a wrong answer, as a status of its own
			[ $rc = 0 ] && [ "$(cat "$out")" != "getpriority errno=13" ] && rc=99
		else
			timeout 120 "$bin/redirect-run" -s "$sock" -p "$work/pol/soak.json" -- \
				"$tgt" threads "$t" "$s" "$release" >"$out" 2>&1
			rc=$?
		fi
		echo "$rc" >"$out.rc"
	done
}

# Warm-up: a tenth of the time (at least 5 s), then the baseline at rest.
warm=$(( seconds / 10 ))
[ "$warm" -lt 5 ] && warm=5
start=$(date +%s)
for i in $(seq "$slots"); do slot "w$i" $((start + warm)) & slot_pids+=($!); done
wait "${slot_pids[@]}"
slot_pids=()
fd0=$(quiet_fds)
rss0=$(rss_kb)
echo "after warm-up ($warm s): daemon fds $fd0, RSS $rss0 kB" | diag

start=$(date +%s)
for i in $(seq "$slots"); do slot "s$i" $((start + seconds - warm)) & slot_pids+=($!); done
sleep 2
echo "under load: daemon fds $(fds), RSS $(rss_kb) kB" | diag
wait "${slot_pids[@]}"
slot_pids=()
fd1=$(quiet_fds "$fd0")
rss1=$(rss_kb)
echo "at the end ($(( $(date +%s) - start )) s more): daemon fds $fd1, RSS $rss1 kB" | diag

runs=0 bad=0 calls=0 probes=0
for f in "$work"/runs/*.rc; do
	runs=$((runs + 1))
	rc=$(cat "$f")
	o=${f%.rc}
	if [ "$rc" != 0 ]; then
		bad=$((bad + 1))
		[ "$bad" -le 3 ] && { echo "run $(basename "$o") exit $rc:"; head -5 "$o"; } | diag
	fi
	c=$(sed -n 's/^calls=\([0-9]*\).*/\1/p' "$o")
	if [ -n "$c" ]; then calls=$((calls + c)); else probes=$((probes + 200)); fi
done
echo "$runs sandboxes, $calls forwarded calls, $probes tier-1 calls, $bad runs failed" | diag
if [ "$bad" != 0 ]; then
	echo "the daemon's complaints:" | diag
	grep -vE " (attached|adopted|ended)|listening on|mode$" "$log" | tail -20 | diag
	[ -n "${SOAK_KEEP_LOG:-}" ] && cp "$log" "$SOAK_KEEP_LOG"
fi
if [ "$bad" = 0 ] && [ "$runs" -gt "$slots" ]; then
	ok "soak_${mode}_every_call_answered"
else
	not_ok "soak_${mode}_every_call_answered # $bad of $runs runs failed"
fi
if [ "$fd1" -le "$fd0" ]; then ok "soak_${mode}_daemon_fds_do_not_grow"
else not_ok "soak_${mode}_daemon_fds_do_not_grow # $fd0 -> $fd1"; ls -l "/proc/$daemon/fd" | diag; fi
if [ -n "$rss0" ] && [ -n "$rss1" ] && [ "$rss1" -le $((rss0 + rss0 / 10 + slack_kb)) ]; then
	ok "soak_${mode}_daemon_rss_does_not_grow"
else
	not_ok "soak_${mode}_daemon_rss_does_not_grow # $rss0 kB -> $rss1 kB"
fi
if kill -0 "$daemon" 2>/dev/null; then ok "soak_${mode}_daemon_alive"
else not_ok "soak_${mode}_daemon_alive"; tail -20 "$log" | diag; fi
echo "1..$n"
exit "$failed"
