#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Custody in portable mode under systemd, in a guest booted with
# `tools/vm-run --systemd`: the shipped unit keeps each sandbox's listener in its
# fd store; `systemctl kill -s KILL` twice under load, systemd restarts the daemon,
# which adopts every sandbox; every call is answered by its policy. TAP on stdout.
set -u
top=$(pwd)
bin=$top/build/bin
tgt=$top/build/selftests/sentry/sentry_target
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
check() { # name, then a command: ok when it succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
diag() { sed 's/^/# /'; }
cwait() { # seconds, command...: until it succeeds
	local i t=$1
	shift
	for i in $(seq $((t * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
finish() { echo "1..$n"; exit "$failed"; }

if [ "$(ps -p 1 -o comm=)" != systemd ]; then
	not_ok "fdstore_needs_systemd_as_init (run by tools/vm-run --systemd)"
	finish
fi
work=$(mktemp -d /tmp/fdstore.XXXXXX)
pol=$work/policies log=$work/usersentry.log sock=/run/redirect/usersentry.sock
state=/run/redirect/usersentry-state
mkdir -p "$pol"
for i in 1 2 3; do
	cat >"$pol/fd$i.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{
 "sentry":{"default":"errno:ENOSYS","uname":{"release":"7.7.$i-fdstore"}}}}
JSON
done
# The shipped unit, run from the build tree in portable mode. The drop-in only
# spares the bare guest basic.target (vm-run starts no more than it needs).
unit=/etc/systemd/system/usersentry.service
sed "s|^ExecStart=.*|ExecStart=$bin/usersentry --portable --socket $sock --policy-dir $pol --log $log --state-dir $state|" \
	usersentry/systemd/usersentry.service >"$unit"
mkdir -p "$unit.d"
printf '[Unit]\nDefaultDependencies=no\n' >"$unit.d/vm-run.conf"
systemctl daemon-reload
timeout 120 systemctl start usersentry
check "fdstore_unit_starts_portable_with_the_fd_store" eval 'systemctl -q is-active usersentry &&
	grep -q "custody: systemd fd store keeps" "$log"'
lcount() { grep -c -- "$1" "$log"; }
mainpid() { systemctl show -p MainPID --value usersentry; }
stored() { systemctl show -p NFileDescriptorStore --value usersentry 2>/dev/null; }

pids=
for i in 1 2 3; do
	timeout 600 "$bin/redirect-run" -s "$sock" -p "$pol/fd$i.json" -- "$tgt" threads 3 600 \
		"7.7.$i-fdstore" "$work/stop" >"$work/fd$i.out" 2>&1 &
	pids="$pids $!"
done
cwait 120 eval '[ "$(lcount " attached: ")" -ge 3 ]'
echo "fd store: $(stored) fds (empty: this systemd does not report it)" | diag
check "fdstore_3_sandboxes_attached_and_stored" eval '[ "$(lcount " attached: ")" = 3 ] &&
	{ [ -z "$(stored)" ] || [ "$(stored)" = 3 ]; }'
restarts=0
# shellcheck disable=SC2034 # r is read by the eval'd wait below
for r in 1 2; do
	sleep 3
	old=$(mainpid)
	systemctl kill -s KILL usersentry
	cwait 120 eval '[ "$(mainpid)" != "$old" ] && [ "$(mainpid)" != 0 ] &&
		systemctl -q is-active usersentry' && restarts=$((restarts + 1))
	cwait 120 eval '[ "$(lcount " adopted: .*(from the systemd fd store)")" -ge $((3 * r)) ]'
done
sleep 2
echo "restarts $restarts (NRestarts=$(systemctl show -p NRestarts --value usersentry));" \
	"adopted $(lcount " adopted: .*(from the systemd fd store)"); processes restarted" \
	"$(lcount "stopped and continued")" | diag
check "fdstore_systemd_restart_adopts_all_3_twice" eval '[ "$restarts" = 2 ] &&
	[ "$(lcount " adopted: .*(from the systemd fd store)")" = 6 ]'
touch "$work/stop"
crc=0 i=0
for p in $pids; do
	i=$((i + 1))
	wait "$p" || crc=1
	sed "s/^/fd$i: /" "$work/fd$i.out" | diag
	grep -q "failures=0" "$work/fd$i.out" || crc=1
done
check "fdstore_every_call_answered_by_its_policy" [ "$crc" = 0 ]
# ended: the state files go, the store lets go (FDSTOREREMOVE), and a restart
# now adopts nothing
cwait 60 eval '[ "$(lcount " ended: ")" -ge 3 ]'
# shellcheck disable=SC2034 # read by the eval'd check below
old=$(mainpid)
systemctl kill -s KILL usersentry
cwait 120 eval '[ "$(mainpid)" != "$old" ] && [ "$(mainpid)" != 0 ] &&
	systemctl -q is-active usersentry'
sleep 2
echo "after: state $(ls "$state" | tr '\n' ' '); fd store $(stored)" | diag
check "fdstore_sandboxes_end_store_and_state_empty" eval '[ -z "$(ls "$state")" ] &&
	[ "$(lcount " adopted: ")" = 6 ] && ! grep -q "without a state file" "$log" &&
	{ [ -z "$(stored)" ] || [ "$(stored)" = 0 ]; }'
systemctl stop usersentry
grep -v " call sandbox=" "$log" | tail -40 | diag
rm -rf "$unit" "$unit.d" "$work"
finish
