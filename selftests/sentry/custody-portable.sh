# SPDX-License-Identifier: GPL-2.0
# Custody in portable mode on the host: the keeper holds every listener across
# kill -9 of the daemon. Sourced by run.sh after tests.sh (its helpers, work dir).
# shellcheck shell=bash
# shellcheck disable=SC2154 # tests.sh and run.sh set the work dir, paths and daemon

cwait() { # seconds, command...: until it succeeds
	local i t=$1
	shift
	for i in $(seq $((t * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
lcount() { grep -c -- "$1" "$log"; }
nfds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
keeper_pid() { sed -n 's/.*keeper: pid \([0-9]*\) holding.*/\1/p' "$log" | tail -1; }
kstate=$work/state
descendants() { # pid: its children, theirs, ...
	local c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}
tasks_in_seccomp() { # pid: how many tasks of its tree wait in a seccomp notification
	local p t n=0
	for p in "$1" $(descendants "$1"); do
		for t in /proc/"$p"/task/*/wchan; do
			grep -q seccomp "$t" 2>/dev/null && n=$((n + 1))
		done
	done
	echo "$n"
}
# shellcheck disable=SC2046 # the pids are split into words on purpose
kill_tree() { kill -9 "$1" $(descendants "$1") 2>/dev/null; }

stop_daemon
# ---- options: refused by name
custody_refused() { # option value: exit 2, the option and value named
	local err rc=0
	err=$(timeout 5 "$bin/usersentry" -s "$sock" -d "$pol" -l "$log" "$1" "$2" 2>&1) || rc=$?
	[ "$rc" = 2 ] && [[ "$err" == *"$1: \"$2\""* ]] && [ ! -e "$sock" ] ||
		{ echo "$1 $2: exit $rc, said: $err" | diag; return 1; }
}
check "custody_bad_options_are_refused_by_name" eval 'custody_refused --custody bogus &&
	custody_refused --keeper-linger x && custody_refused --keeper-linger 86401'
# fdstore without systemd: a clear refusal at start, not a silent loss later
err=$(env -u NOTIFY_SOCKET timeout 10 "$bin/usersentry" --portable -s "$work/fd.sock" -d "$pol" \
	--custody fdstore --state-dir "$work/fdstate" 2>&1) && rc=0 || rc=$?
check "custody_fdstore_needs_systemd" eval '[ "$rc" = 1 ] &&
	[[ "$err" == *"fdstore needs systemd"* ]]'

# ---- without custody: the documented limit. A restart ends the sandbox's
# notified calls with ENOSYS (the listener closed with the daemon), and no
# keeper is started.
stop_daemon
rm -rf "$kstate"
start --custody none
# shellcheck disable=SC2034 # read by the eval'd check below
nattached0=$(lcount " attached: .*policy=uname ")
timeout 120 "$bin/redirect-run" -s "$sock" -p "$pol/uname.json" -- \
	"$tgt" threads 2 60 "$release" "$work/nstop" >"$work/none.out" 2>&1 &
npid=$!
cwait 30 eval '[ "$(lcount " attached: .*policy=uname ")" -ge $((nattached0 + 1)) ]'
sleep 0.5
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
start --custody none
sleep 1
touch "$work/nstop"
nrc=0
# shellcheck disable=SC2034 # read by the eval'd check below
wait "$npid" || nrc=$?
sed 's/^/none: /' "$work/none.out" | head -3 | diag
check "custody_none_restart_loses_the_sandbox_ENOSYS" eval '[ "$nrc" = 1 ] &&
	grep -q "Function not implemented" "$work/none.out" && [ ! -e "$kstate/keeper.sock" ]'
stop_daemon

# ---- the keeper: 5 sandboxes of 5 policies (four with their own file remap
# and release, answered by workers; one uname-only, answered inline), 3 threads
# each; the daemon killed with SIGKILL under load and started again twice, the
# keeper itself killed in between (the daemon starts another and hands it every
# listener again). Every call keeps its own policy's answer: calls queued while
# no daemon ran are answered after adoption, and calls the dead daemon had read
# but not answered are restarted. Afterwards nothing leaks in the daemon or the
# keeper, and the keeper exits once idle.
rm -rf "$kstate"
for i in 1 2 3 4; do
	printf "custody-%s" "$i" >"$d/cust$i.dst"
	printf "wrong-%s" "$i" >"$d/cust$i.src"
	cat >"$pol/pcustody$i.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{
 "rules":[{"names":["getpriority"],"action":"errno:$((i + 1))"}],
 "sentry":{"default":"errno:ENOSYS","uname":{"release":"7.7.$i-custody"},
 "files":{"remap":[{"from":"$d/cust$i.src","to":"$d/cust$i.dst"}]}}}}
JSON
done
copts="--custody keeper --keeper-linger 4"
start $copts
kpid=$(keeper_pid)
fd_base=$(nfds "$daemon") kfd_base=$(nfds "$kpid")
check "custody_keeper_started_in_its_own_session" eval '[ -n "$kpid" ] &&
	[ "$(ps -o sid= -p "$kpid")" != "$(ps -o sid= -p "$daemon")" ] &&
	[ "$(ps -o pgid= -p "$kpid")" != "$(ps -o pgid= -p "$daemon")" ]'
# SO_PEERCRED: a user other than the keeper's own is hung up on, told nothing
wmode=$(stat -c %a "$work")
chmod 711 "$work" "$kstate" && chmod 666 "$kstate/keeper.sock"
said=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tgt" keeper-hello \
	"$kstate/keeper.sock" 2>&1)
chmod "$wmode" "$work" && chmod 700 "$kstate" && chmod 600 "$kstate/keeper.sock"
echo "uid 65534: $said" | diag
check "custody_keeper_refuses_other_users" eval '[ "$said" = said=nothing ] &&
	wait_log "keeper: connection from uid 65534 refused"'

cpids='' cattached0=$(lcount " attached: .*policy=\(pcustody\|uname \)")
for i in 1 2 3 4; do
	timeout 600 "$bin/redirect-run" -s "$sock" -p "$pol/pcustody$i.json" -- "$tgt" mixed 3 0 \
		"$d/cust$i.src" "custody-$i" "7.7.$i-custody" "$work/cstop" \
		>"$work/pcustody$i.out" 2>&1 &
	cpids="$cpids $!"
done
timeout 600 "$bin/redirect-run" -s "$sock" -p "$pol/uname.json" -- "$tgt" threads 3 600 \
	"$release" "$work/cstop" >"$work/pcustody5.out" 2>&1 &
cpids="$cpids $!"
attached() { echo $(($(lcount " attached: .*policy=\(pcustody\|uname \)") - cattached0)); }
cwait 60 eval '[ "$(attached)" -ge 5 ]'
check "custody_5_sandboxes_attached" [ "$(attached)" = 5 ]
adopted0=$(lcount ' adopted: ') restarts=0 kicks0=$(lcount 'stopped and continued')
for r in 1 2; do
	sleep 3
	if [ $r = 2 ]; then
		# the keeper dies: the daemon starts another, which gets every listener
		kill -9 "$kpid"
		cwait 30 eval '[ "$(keeper_pid)" != "$kpid" ] && [ -n "$(keeper_pid)" ]'
		kpid=$(keeper_pid)
		cwait 30 eval '[ "$(nfds "$kpid")" -ge $((kfd_base + 5)) ]'
		echo "new keeper $kpid: $(nfds "$kpid") fds" | diag
		sleep 1
	fi
	kill -9 "$daemon"
	wait "$daemon" 2>/dev/null
	sleep 0.5
	start $copts && restarts=$((restarts + 1))
	cwait 60 eval '[ "$(lcount " adopted: ")" -ge $((adopted0 + 5 * r)) ]'
done
sleep 3
kfds=$(nfds "$kpid")
echo "restarts $restarts; adopted $(($(lcount ' adopted: ') - adopted0)); tasks restarted" \
	"in $(($(lcount 'stopped and continued') - kicks0)) processes; keeper $kpid fds" \
	"$kfd_base/$kfds" | diag
check "custody_keeper_restart_adopts_all_5_twice" eval '[ "$restarts" = 2 ] &&
	[ "$(($(lcount " adopted: ") - adopted0))" = 10 ] && kill -0 "$kpid" &&
	[ "$kfds" = $((kfd_base + 5)) ]'
touch "$work/cstop"
crc=0 i=0
for p in $cpids; do
	i=$((i + 1))
	if ! cwait 90 eval '! kill -0 '"$p"' 2>/dev/null'; then
		echo "pcustody$i still runs: $(tasks_in_seccomp "$p") tasks wait in seccomp" | diag
		kill_tree "$p"
		crc=1
	fi
	wait "$p" || crc=1
	sed "s/^/pcustody$i: /" "$work/pcustody$i.out" | diag
	grep -q "failures=0" "$work/pcustody$i.out" || crc=1
done
check "custody_keeper_every_call_answered_by_its_policy" [ "$crc" = 0 ]
cwait 30 eval '[ "$(nfds "$kpid")" = "$kfd_base" ] && [ "$(nfds "$daemon")" = "$fd_base" ]'
echo "after: daemon fds $fd_base/$(nfds "$daemon"), keeper $kfd_base/$(nfds "$kpid");" \
	"state: $(ls "$kstate" | tr '\n' ' ')" | diag
check "custody_keeper_sandboxes_end_nothing_leaks" eval '[ "$(nfds "$kpid")" = "$kfd_base" ] &&
	[ "$(nfds "$daemon")" = "$fd_base" ] && [ "$(ls "$kstate")" = keeper.sock ]'
stop_daemon
cwait 20 eval '! kill -0 "$kpid" 2>/dev/null'
check "custody_keeper_exits_when_idle" eval '! kill -0 "$kpid" 2>/dev/null &&
	[ ! -e "$kstate/keeper.sock" ]'
