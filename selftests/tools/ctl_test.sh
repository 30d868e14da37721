#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# redirectctl: usage and exit codes, policy check, the daemon found through its
# socket (host, portable mode); status, sandboxes, stats, trace and rules
# against redirect.ko with a usersentry-driven sandbox (vm). TAP lines on stdout.
#
#   ctl_test.sh host    on the host
#   ctl_test.sh vm      inside a VM guest, redirect.ko loaded (selftests/tools/run.sh vm)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-host}
bin=$top/build/bin
ctl=${REDIRECTCTL:-$bin/redirectctl}
tgt=$top/build/selftests/sentry/sentry_target
work=$(mktemp -d "${TMPDIR:-/tmp}/ctl-test.XXXXXX")
pol=$work/policies
sock=$work/s.sock
metrics=$work/metrics.sock
log=$work/usersentry.log
daemon='' runner='' out='' rc=''
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n ctl_$*"; }
not_ok() { n=$((n + 1)); echo "not ok $n ctl_$*"; failed=1; }
diag() { sed 's/^/# /'; }
check() { # name, then a command: ok when it succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; echo "$out" | head -20 | diag; fi
}
run() { out=$("$ctl" "$@" 2>&1); rc=$?; }	# output (both streams) and exit code
has() { grep -q -- "$1" <<<"$out"; }
poll() { # seconds, then a command: wait until it succeeds
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}
json() { python3 -c "import json, sys; d = json.load(sys.stdin); $1" <<<"$out"; }

cleanup() {
	[ -n "$runner" ] && kill "$runner" 2>/dev/null
	touch "$work/stop"
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

start_daemon() { # extra usersentry options
	"$bin/usersentry" -s "$sock" -d "$pol" -l "$log" -m "$metrics" \
		--state-dir "$work/state" "$@" &
	daemon=$!
	poll 60 grep -q "listening on $sock" "$log" 2>/dev/null
}

if [ ! -x "$ctl" ]; then
	not_ok "built ($ctl missing)"
	exit 1
fi
mkdir -p "$pol"
# getpriority answered by tier 1 with EACCES, each decision audited
cat >"$pol/ctl.json" <<'JSON'
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{
 "rules":[{"names":["getpriority"],"action":"errno:EACCES","audit":true}],
 "sentry":{"default":"errno:ENOSYS"}}}
JSON
# getpriority forwarded to the Sentry, which answers EACCES: counted with its latency
cat >"$pol/fwd.json" <<'JSON'
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"notify":["getpriority"],
 "sentry":{"default":"errno:EACCES"}}}
JSON
# rules to load over netlink: args, a string and a limit must survive the round trip
cat >"$work/other.json" <<'JSON'
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"rules":[
 {"names":["getpriority"],"action":"errno:EPERM","limit":7},
 {"names":["openat"],"args":[{"index":2,"value":1,"mask":3,"op":"EQ"}],
  "string":{"index":1,"prefix":"/etc/sh"},"action":"errno:EROFS","audit":true},
 {"names":["getppid"],"action":"value:42"}]}}
JSON
cat >"$work/bad-action.json" <<'JSON'
{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_FOO"}]}
JSON
cat >"$work/bad-rule.json" <<'JSON'
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"rules":[{"names":["getpid"],"action":"errno:ENOPE"}]}}
JSON
echo '{"defaultAction": "SCMP_ACT_ALLOW",' >"$work/bad-syntax.json"

# ---- usage, help, exit codes (both modes: no module or daemon needed)
run
check "no_command_is_usage_error_2" [ $rc = 2 ]
run --help
check "help_lists_every_command" eval '[ $rc = 0 ] && has "^  status" && has "^  sandboxes" &&
	has "^  stats" && has "^  trace" && has "^  rules" && has "^  policy" && has "^  daemon" &&
	has "3  redirect.ko"'
for c in status daemon sandboxes stats trace "rules show" "rules load" "rules clear" "rules reload" \
	"policy check"; do
	# shellcheck disable=SC2086
	run $c --help
	check "help_${c// /_}" eval '[ $rc = 0 ] && has "^Usage: redirectctl $c " && has "Exit status"'
done
run rules --help
check "help_rules_lists_subcommands" eval '[ $rc = 0 ] && has "rules show" && has "rules reload"'
run frobnicate
check "unknown_command_exits_2" eval '[ $rc = 2 ] && has "unknown command .frobnicate."'
run --frob
check "unknown_global_option_exits_2" [ $rc = 2 ]
run sandboxes --bogus
check "unknown_option_exits_2" eval '[ $rc = 2 ] && has "unknown option .--bogus."'
run sandboxes --count 3
check "option_of_another_command_exits_2" eval '[ $rc = 2 ] && has "takes no option --count"'
run stats 1 2
check "extra_argument_exits_2" eval '[ $rc = 2 ] && has "unexpected argument .2."'
run stats 'bad name!'
check "bad_sandbox_name_exits_2" eval '[ $rc = 2 ] && has "neither a sandbox id nor"'
run stats 99999999999
check "sandbox_id_out_of_range_exits_2" [ $rc = 2 ]
run trace --count 0
check "trace_count_zero_exits_2" eval '[ $rc = 2 ] && has "--count"'
run trace --timeout -1
check "trace_negative_timeout_exits_2" eval '[ $rc = 2 ] && has "--timeout"'
run trace --count
check "option_without_value_exits_2" eval '[ $rc = 2 ] && has "needs a value"'
run rules load 1
check "rules_load_without_file_exits_2" eval '[ $rc = 2 ] && has "missing argument"'
run rules frob
check "rules_unknown_subcommand_exits_2" eval '[ $rc = 2 ] && has "unknown command .frob."'
run rules
check "rules_without_subcommand_exits_2" [ $rc = 2 ]
run policy check
check "policy_check_without_file_exits_2" [ $rc = 2 ]
run status extra
check "status_extra_argument_exits_2" [ $rc = 2 ]

# ---- the man page: renders without warnings, documents every command and exit code
man=$top/tools/man/redirectctl.8
if command -v groff >/dev/null; then
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww "$man" 2>&1 >/dev/null)
	check "man_page_renders_without_warnings" [ -z "$out" ]
fi
man_documents() { # each word: a ".B WORD" line in the man page
	local w
	for w in "$@"; do
		grep -qx "\.B $w" "$man" || { out="not documented: $w"; return 1; }
	done
}
check "man_page_documents_commands_and_exit_codes" man_documents status daemon sandboxes stats \
	trace "rules show" "rules load" "rules clear" "rules reload" "policy check" 0 1 2 3

# ---- policy check (no module needed)
run policy check "$pol/ctl.json"
check "policy_check_good_summary" eval '[ $rc = 0 ] && has "policy \"ctl\" is valid" &&
	has "notified: 1 system call: getpriority" && has "tier 1:   1 rule" &&
	has "redirect.rules\[0\] (getpriority) -> errno:EACCES" && has "default errno:ENOSYS"'
run policy check "$work/other.json"
check "policy_check_counts_rules" eval '[ $rc = 0 ] && has "tier 1:   3 rules" &&
	has "-> value:42"'
run policy check --pfc "$pol/ctl.json"
check "policy_check_pfc_prints_filter" eval '[ $rc = 0 ] && has "getpriority" && has "action"'
run policy check "$work/bad-action.json"
check "policy_check_bad_action_names_json_path" eval '[ $rc = 1 ] &&
	has "bad-action.json" && has "syscalls\[0\].action"'
run policy check "$work/bad-rule.json"
check "policy_check_bad_rule_names_json_path" eval '[ $rc = 1 ] &&
	has "bad-rule.json" && has "redirect.rules\[0\].action"'
run policy check "$work/bad-syntax.json"
check "policy_check_bad_json_fails" eval '[ $rc = 1 ] && has "bad-syntax.json"'
run policy check "$work/missing.json"
check "policy_check_missing_file_fails" eval '[ $rc = 1 ] && has "missing.json"'
run policy check "$top/usersentry/policies/default.json"
check "policy_check_shipped_default_policy" [ $rc = 0 ]
# a key no profile format defines: a notice, or an error with --strict
printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],%s' \
	'"action":"SCMP_ACT_ERRNO","errno":"EACCES","why":1}]}' >"$work/extra-key.json"
run policy check "$work/extra-key.json"
check "policy_check_unknown_profile_key_notice" eval '[ $rc = 0 ] &&
	has "notice: .*extra-key.json: syscalls\[0\].why: unknown key, ignored"'
run policy check --strict "$work/extra-key.json"
check "policy_check_strict_refuses_unknown_key" eval '[ $rc = 1 ] &&
	has "extra-key.json: syscalls\[0\].why: unknown key" && ! has "notice"'

# ---- the daemon through its socket: absent, stale, a stranger, running
run status --socket "$sock"
check "status_without_daemon_exits_3" eval '[ $rc = 3 ] && has "daemon: *not running"'
run rules reload --socket "$sock"
check "rules_reload_without_daemon_exits_3" eval '[ $rc = 3 ] && has "not running"'
# a process on the control socket that is not usersentry: accepts, answers nothing
python3 -c "
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
open(sys.argv[1] + '.ready', 'w').close()
while True:
    c, _ = s.accept(); c.recv(4096); c.close()" "$work/stranger.sock.control" &
stranger=$!
poll 30 test -e "$work/stranger.sock.control.ready"
run rules reload --socket "$work/stranger.sock"
check "rules_reload_refuses_a_process_not_usersentry" eval '[ $rc = 1 ] &&
	has "closed without an answer" && kill -0 $stranger'
kill "$stranger" 2>/dev/null
wait "$stranger" 2>/dev/null

if [ "$mode" = host ]; then
	start_daemon --portable
else
	start_daemon
fi
check "daemon_started" [ $? = 0 ]
run status --socket "$sock"
check "status_finds_daemon_pid" eval '[ $rc = 0 ] && has "usersentry running, pid $daemon" &&
	has "reloads:    0"'
run status --control "$sock.control" --socket "$work/elsewhere.sock"
check "status_asks_the_control_socket_given" eval '[ $rc = 0 ] && has "pid $daemon"'
run daemon --socket "$sock"
check "daemon_lists_no_sandboxes" eval '[ $rc = 0 ] && has "(no sandboxes)"'
run status --socket "$sock" --metrics "$metrics"
check "status_asks_metrics" eval '[ $rc = 0 ] && has "sandboxes:  0" && has "answering on"'
run status --socket "$sock" --metrics "$work/no-metrics.sock"
check "status_dead_metrics_socket_exits_1" eval '[ $rc = 1 ] && has "no-metrics.sock"'
# a sandbox that stays until told to stop; its only notified call is getpriority
[ -x "$tgt" ] || not_ok "sentry_target built ($tgt)"
timeout 300 "$bin/redirect-run" -s "$sock" -p "$pol/ctl.json" -i ctl-one -- \
	sh -c "'$tgt' tier1 5 >'$work/target.out'; while [ ! -e '$work/stop' ]; do sleep 0.2; done" \
	>"$work/runner.out" 2>&1 &
runner=$!

if [ "$mode" = host ]; then
	poll 60 grep -qs "getpriority errno=13" "$work/target.out"
	check "portable_target_answered_by_tier1" [ $? = 0 ]
	metrics_one() { run status --socket "$sock" --metrics "$metrics"; has "sandboxes:  1"; }
	poll 30 metrics_one
	prc=$?
	check "status_counts_portable_sandbox" eval '[ $prc = 0 ] && [ $rc = 0 ] &&
		has "mode:       portable"'
	run status --json --socket "$sock" --metrics "$metrics"
	check "status_json_parses" eval '[ $rc = 0 ] && json "assert d[\"daemon_running\"] is True
assert d[\"daemon_pid\"] == $daemon and d[\"mode\"] == \"portable\" and d[\"sandboxes\"] == 1
assert d[\"module_loaded\"] is False and d[\"daemon\"][\"control\"] == \"$sock.control\""'
	run daemon --socket "$sock"
	check "daemon_lists_portable_sandbox_and_policy" eval '[ $rc = 0 ] &&
		has "^ctl-one  *[0-9]*  *[0-9]*  *ctl  *no "'
	run daemon --json --socket "$sock"
	check "daemon_json_lists_sandbox" eval '[ $rc = 0 ] && json "s = d[0]
assert s[\"id\"] == \"ctl-one\" and s[\"policy\"] == \"ctl\" and s[\"kept_handlers\"] is None"'
	if [ ! -e /sys/module/redirect ]; then
		for c in sandboxes stats "stats ctl-one" "trace --count 1 --timeout 5" \
			"rules show 1" "rules clear 1" "rules load ctl-one $pol/ctl.json"; do
			# shellcheck disable=SC2086
			run $c
			name=$(echo "$c" | cut -d' ' -f1-2 | tr -c 'a-z\n' _)_without_module_exits_3
			check "$name" eval '[ $rc = 3 ] && has "redirect.ko is not loaded"'
		done
		run rules load ctl-one "$work/bad-rule.json"
		check "rules_load_bad_policy_fails_before_module" eval '[ $rc = 1 ] &&
			has "redirect.rules\[0\].action"'
	fi
else
	# ---- module mode: the sandbox in the module's tables
	run status --socket "$sock"
	check "status_shows_module_and_version" eval '[ $rc = 0 ] && has "module:     loaded" &&
		has "api:        version 1 (this tool: 1)" && has "features:   .*fastpath" &&
		has "mode:       module"'
	run status --json --socket "$sock"
	check "status_json_module" eval '[ $rc = 0 ] && json "assert d[\"module_loaded\"] is True
assert d[\"api_version\"] == 1 and \"netlink\" in d[\"features\"] and d[\"mode\"] == \"module\"
assert d[\"daemon_pid\"] == $daemon"'
	poll 120 grep -qs "getpriority errno=13" "$work/target.out"
	check "module_target_answered_by_tier1" [ $? = 0 ]
	# trace first, so that it is subscribed before the second target runs
	"$ctl" trace --count 5 --timeout 240 ctl-two >"$work/trace.out" 2>"$work/trace.err" &
	tracer=$!
	"$ctl" trace --json --count 5 --timeout 240 >"$work/trace.json" 2>"$work/trace-json.err" &
	tracer_json=$!
	poll 60 grep -q "tracing" "$work/trace.err"
	poll 60 grep -q "tracing" "$work/trace-json.err"
	timeout 300 "$bin/redirect-run" -s "$sock" -p "$pol/ctl.json" -i ctl-two -- \
		sh -c "'$tgt' tier1 5 >'$work/target2.out'; while [ ! -e '$work/stop' ]; do sleep 0.2; done" \
		>"$work/runner2.out" 2>&1 &
	runner2=$!
	poll 120 grep -qs "getpriority errno=13" "$work/target2.out"
	wait "$tracer"
	trc=$?
	out=$(cat "$work/trace.out" "$work/trace.err")
	echo "$out" | diag
	check "trace_count_prints_audited_calls" eval '[ $trc = 0 ] &&
		[ $(grep -c "\[[0-9]* ctl-two\] pid [0-9]* getpriority(...) = -1 EACCES (Permission denied) <tier 1, rule 0>" "$work/trace.out") = 5 ]'
	wait "$tracer_json"
	# shellcheck disable=SC2034 # read by the eval'd check below
	trc=$?
	out=$(cat "$work/trace.json")
	check "trace_json_lines_parse" eval '[ $trc = 0 ] && python3 -c "
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 5, ev
assert all(e[\"syscall\"] == \"getpriority\" and e[\"action\"] == \"errno:EACCES\"
           and e[\"sandbox\"] == \"ctl-two\" for e in ev), ev
" "$work/trace.json"'
	run trace --count 1 --timeout 2 ctl-one
	check "trace_timeout_before_count_exits_1" eval '[ $rc = 1 ] && has "timed out"'

	if command -v setpriv >/dev/null; then
		out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" sandboxes 2>&1)
		rc=$?
		check "sandboxes_unprivileged_fails_naming_cap" eval '[ $rc = 1 ] &&
			has "CAP_NET_ADMIN"'
	fi
	run sandboxes
	check "sandboxes_lists_both" eval '[ $rc = 0 ] && has "^[0-9]* *ctl-one *owned *hold" &&
		has "^[0-9]* *ctl-two *owned"'
	run sandboxes --json
	check "sandboxes_json_parses" eval '[ $rc = 0 ] && json "
s = [x for x in d if x[\"name\"] == \"ctl-one\"]
assert len(s) == 1 and s[0][\"owned\"] and s[0][\"state\"] == \"owned\"
assert s[0][\"fail_mode\"] == \"hold\" and s[0][\"stats\"][\"notified\"] == 5, s"'
	id1=$(json 'print([x["id"] for x in d if x["name"] == "ctl-one"][0])' 2>/dev/null)
	# the target made exactly 5 notified calls, all answered in the kernel
	run stats ctl-one
	echo "$out" | diag
	check "stats_counts_target_calls" eval '[ $rc = 0 ] &&
		has "^getpriority  *5  *5  *0  *0  *0 " && has "5 calls notified, 5 answered in the kernel"'
	run stats --json "$id1"
	check "stats_json_by_id" eval '[ $rc = 0 ] && json "
assert len(d) == 1 and d[0][\"name\"] == \"ctl-one\"
c = {s[\"name\"]: s[\"stats\"] for s in d[0][\"syscalls\"]}
assert list(c) == [\"getpriority\"], c
assert c[\"getpriority\"][\"notified\"] == 5 and c[\"getpriority\"][\"errno\"] == 5
assert c[\"getpriority\"][\"forwarded\"] == 0 and d[0][\"total\"][\"notified\"] == 5"'
	run stats --json
	check "stats_json_all_sandboxes" eval '[ $rc = 0 ] && json "
assert {\"ctl-one\", \"ctl-two\"} <= {s[\"name\"] for s in d}"'
	run stats no-such-sandbox
	check "stats_unknown_sandbox_exits_1" eval '[ $rc = 1 ] && has "no sandbox named"'
	run stats 4000000000
	check "stats_unknown_id_exits_1" eval '[ $rc = 1 ] && has "no sandbox with id"'
	# a unique prefix of a name picks that sandbox; an ambiguous one lists the candidates
	run stats ctl-o
	check "sandbox_by_unique_name_prefix" eval '[ $rc = 0 ] &&
		has "5 calls notified, 5 answered in the kernel"'
	run stats ctl-
	check "sandbox_ambiguous_prefix_lists_candidates" eval '[ $rc = 1 ] &&
		has "ambiguous" && has "ctl-one (" && has "ctl-two ("'

	# ---- rules: show what the daemon set, load others, round trip, reload
	run rules show ctl-one
	check "rules_show_daemon_rules" eval '[ $rc = 0 ] && has "1 tier-1 rule," &&
		has "^   0  getpriority  *errno:EACCES  *-  *5 yes *any"'
	run rules load ctl-one "$work/other.json"
	check "rules_load_sets_rules" eval '[ $rc = 0 ] && has "3 tier-1 rules from"'
	run rules show ctl-one
	check "rules_show_after_load" eval '[ $rc = 0 ] && has "3 tier-1 rules" &&
		has "getpriority *errno:EPERM *7" &&
		has "openat *errno:EROFS .*arg2 & 0x3 == 0x1, arg1 starts with \"/etc/sh\"" &&
		has "getppid *value:42"'
	run rules show --json ctl-one
	check "rules_json_round_trip" eval '[ $rc = 0 ] && json "
r = d[\"rules\"]
assert [x[\"name\"] for x in r] == [\"getpriority\", \"openat\", \"getppid\"], r
assert r[0][\"action\"] == \"errno:EPERM\" and r[0][\"limit\"] == 7 and not r[0][\"audit\"]
assert r[1][\"args\"] == [{\"index\": 2, \"op\": \"EQ\", \"mask\": 3, \"value\": 1}], r[1]
assert r[1][\"string\"] == {\"index\": 1, \"prefix\": \"/etc/sh\"} and r[1][\"audit\"]
assert r[2][\"action\"] == \"value:42\" and r[2][\"hits\"] == 0"'
	run rules load ctl-one "$work/bad-rule.json"
	check "rules_load_bad_policy_exits_1" eval '[ $rc = 1 ] && has "redirect.rules\[0\].action"'
	run rules load no-such-sandbox "$work/other.json"
	check "rules_load_unknown_sandbox_exits_1" eval '[ $rc = 1 ] && has "no sandbox named"'
	run rules clear ctl-two
	check "rules_clear" eval '[ $rc = 0 ] && "$ctl" rules show ctl-two | grep -q "0 tier-1 rules"'
	# the daemon sets its policy's rules again on SIGHUP
	reloads=$(grep -c "reloading policies" "$log")
	run rules reload --socket "$sock"
	check "rules_reload_signals_daemon" eval '[ $rc = 0 ] && has "pid $daemon"'
	reloaded() { "$ctl" rules show ctl-one | grep -q "getpriority  *errno:EACCES"; }
	poll 60 reloaded
	# shellcheck disable=SC2034 # read by the eval'd check below
	prc=$?
	check "rules_reload_restores_policy_rules" eval '[ $prc = 0 ] &&
		[ $(grep -c "reloading policies" "$log") -gt $reloads ]'

	# forwarded calls: counted as such, with latency percentiles from the histogram
	timeout 300 "$bin/redirect-run" -s "$sock" -p "$pol/fwd.json" -i ctl-fwd -- \
		sh -c "'$tgt' tier1 5 >'$work/fwd.out'; while [ ! -e '$work/stop-fwd' ]; do sleep 0.2; done" \
		>"$work/runner3.out" 2>&1 &
	runner3=$!
	poll 120 grep -qs "getpriority errno=13" "$work/fwd.out"
	check "forwarded_target_answered_by_sentry" [ $? = 0 ]
	run stats ctl-fwd
	echo "$out" | diag
	check "stats_counts_forwarded_calls" eval '[ $rc = 0 ] &&
		has "^getpriority  *5  *0  *0  *0  *5  *0  *0  *0  *[<>]" &&
		has "5 calls notified, 0 answered in the kernel, 5 forwarded"'
	run stats --json ctl-fwd
	check "stats_json_latency_percentiles" eval '[ $rc = 0 ] && json "
s = d[0][\"syscalls\"][0]
assert s[\"name\"] == \"getpriority\" and s[\"stats\"][\"forwarded\"] == 5, s
lat = s[\"latency_us\"]
assert sum(lat[\"histogram\"]) == 5 and len(lat[\"histogram\"]) == 16, lat
ps = [lat[k] for k in (\"p50\", \"p90\", \"p99\", \"max\")]
assert all(p is None or (p > 0 and p & (p - 1) == 0) for p in ps), ps
known = [p for p in ps if p is not None]
assert known == sorted(known), ps"'
	touch "$work/stop-fwd"
	wait "$runner3"
	check "forwarded_sandbox_command_exits_0" [ $? = 0 ]

	# the daemon dies: its sandboxes stay, in the module's custody
	{ kill -9 "$daemon"; wait "$daemon"; } 2>/dev/null
	daemon=''
	in_custody() {
		run sandboxes --json
		json 's = {x["name"]: x["state"] for x in d}
assert s["ctl-one"] == "custody" and "ctl-fwd" not in s' 2>/dev/null
	}
	poll 60 in_custody
	check "sandboxes_shows_custody_when_daemon_dies" [ $? = 0 ]
	run sandboxes
	check "sandboxes_table_custody" has "^[0-9]* *ctl-one *custody *hold"
	run status --socket "$sock"
	check "status_stale_socket_exits_3" eval '[ $rc = 3 ] && has "stale socket" &&
		has "2 in custody"'
	touch "$work/stop"
	wait "$runner2"
fi
touch "$work/stop"
wait "$runner"
check "sandboxed_command_exits_0" [ $? = 0 ]
if [ "$mode" = host ]; then
	# shellcheck disable=SC2034 # read by the eval'd check below
	reloads=$(grep -c "reloading policies" "$log")
	run rules reload --socket "$sock"
	check "rules_reload_asks_daemon_and_says_what_it_did" eval '[ $rc = 0 ] &&
		has "pid $daemon" && has "0 kept their policy"'
	poll 30 eval '[ $(grep -c "reloading policies" "$log") -gt $reloads ]'
	check "rules_reload_reaches_daemon_log" [ $? = 0 ]
	run status --socket "$sock"
	check "status_counts_reloads" has "reloads:    1"
fi
if [ "$mode" = host ]; then
	# a daemon killed outright leaves its socket behind: stale, not running
	{ kill -9 "$daemon"; wait "$daemon"; } 2>/dev/null
	daemon=''
	run status --socket "$sock"
	check "status_stale_socket_exits_3" eval '[ $rc = 3 ] && has "stale socket"'
	run daemon --socket "$sock"
	check "daemon_stale_socket_exits_3" eval '[ $rc = 3 ] && has "stale socket"'
fi
echo "# ctl: $n tests ($mode)"
exit "$failed"
