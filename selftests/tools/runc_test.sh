#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# redirect-runc end to end: busybox containers through runc with usersentry answering
# (host: portable mode; vm: module mode), passthrough commands, and every refusal
# leaving the bundle byte-identical and no container started. TAP on stdout.
#
#   runc_test.sh host|vm
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-host}
bin=$top/build/bin
rrunc=$bin/redirect-runc
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
skip() { n=$((n + 1)); echo "ok $n $* # SKIP"; }
diag() { sed 's/^/# /'; }
check() { # name, then a command: ok when it succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

runc=$(command -v runc || true)
if [ "$(id -u)" != 0 ] || [ -z "$runc" ] || [ ! -x /bin/busybox ] || ! command -v jq >/dev/null; then
	skip "redirect_runc (needs root, runc, busybox-static and jq)"
	exit 0
fi
[ "$mode" = vm ] && sentry_mode=module || sentry_mode=portable

work=$(mktemp -d "${TMPDIR:-/tmp}/runc-test.XXXXXX")
pol=$work/policies
sock=$work/s.sock
log=$work/usersentry.log
state=$work/runc-state
daemon=
release=7.7.7-runc
release2=8.8.8-annotated

cleanup() {
	local id
	for id in $("$runc" --root "$state" list -q 2>/dev/null); do
		"$runc" --root "$state" delete -f "$id" >/dev/null 2>&1
	done
	if command -v crun >/dev/null && [ -d "$work/crun-state" ]; then
		for id in $(crun --root "$work/crun-state" list -q 2>/dev/null); do
			in_crun_ns crun --cgroup-manager=disabled --root "$work/crun-state" \
				delete -f "$id" >/dev/null 2>&1
		done
	fi
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# ---- policies: a virtual release (Sentry), a setuid chmod refused (tier-1
# rule on a register: a string rule would need the Sentry to perform the
# call), a tier-0 errno; "continue" for the rest, as runc's own calls pass here
mkdir -p "$pol"
policy() { # name release
	cat >"$pol/$1.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW",
 "syscalls":[{"names":["sethostname"],"action":"SCMP_ACT_ERRNO","errnoRet":38}],
 "redirect":{
  "rules":[{"names":["fchmodat"],"args":[{"index":2,"value":2048,"mask":2048,"op":"EQ"}],
            "action":"errno:EPERM"},
           {"names":["chmod"],"args":[{"index":1,"value":2048,"mask":2048,"op":"EQ"}],
            "action":"errno:EPERM"}],
  "sentry":{"default":"continue","uname":{"release":"$2"}}}}
JSON
}
# the shape F8 refuses: a string rule whose unmatched calls would continue
cat >"$pol/string-continue.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW",
 "redirect":{"rules":[{"names":["openat"],"string":{"index":1,"exact":"/etc/hidden.txt"},
                       "action":"errno:ENOENT"}],
             "sentry":{"default":"continue"}}}
JSON
policy default "$release"
policy annotated "$release2"
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [' >"$pol/broken.json"
if [ -f "$top/build/policies/docker-default.json" ]; then
	cp "$top/build/policies/docker-default.json" "$pol/docker-default.json"
	cat >"$pol/docker-based.json" <<JSON
{"extends":"docker-default.json",
 "redirect":{"sentry":{"default":"continue","uname":{"release":"$release"}}}}
JSON
fi

# ---- a busybox rootfs and a bundle template (runc spec), writable root
rootfs=$work/rootfs
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
cp /bin/busybox "$rootfs/bin/busybox"
for a in $("$rootfs/bin/busybox" --list); do
	[ -e "$rootfs/bin/$a" ] || ln -s busybox "$rootfs/bin/$a"
done
echo secret >"$rootfs/etc/hidden.txt"
echo visible >"$rootfs/etc/visible.txt"
mkdir -p "$work/template"
(cd "$work/template" && "$runc" spec) || { not_ok "runc_spec"; exit 1; }

# make_bundle CMD [JQ-FILTER]: a fresh bundle running "sh -c CMD"; prints its path
make_bundle() {
	local b
	b=$(mktemp -d "$work/bundle.XXXXXX")
	jq --arg cmd "$1" --arg root "$rootfs" '.process.terminal = false
		| .process.args = ["/bin/sh", "-c", $cmd]
		| .root.readonly = false | .root.path = $root | '"${2:-.}" \
		"$work/template/config.json" >"$b/config.json"
	echo "$b"
}
: >"$work/empty.conf"
export REDIRECT_RUNC_CONFIG=$work/empty.conf	# not the host's /etc/redirect one
rr() { # [env...] redirect-runc args...: with this test's daemon and policies
	REDIRECT_SOCKET=$sock REDIRECT_POLICY_DIR=$pol timeout 300 "$rrunc" "$@"
}
exit0_with_line() { # status, line, output
	[ "$1" = 0 ] && grep -qx -- "$2" <<<"$3"
}
exit125_with() { # status, text, output
	[ "$1" = 125 ] && grep -qF -- "$2" <<<"$3"
}
run_in() { # bundle id: run the container, output on stdout
	rr --root "$state" run --bundle "$1" "$2" </dev/null 2>&1
}

"$bin/usersentry" -s "$sock" -d "$pol" -l "$log" --state-dir "$work/sentry-state" &
daemon=$!
for _ in $(seq 300); do
	[ -S "$sock" ] && grep -q "listening on $sock" "$log" 2>/dev/null && break
	sleep 0.1
done
if ! grep -q "listening on $sock" "$log" 2>/dev/null; then
	not_ok "usersentry_starts"
	diag <"$log"
	exit 1
fi
if grep -q "usersentry.*: $sentry_mode mode" "$log"; then ok "usersentry_in_${sentry_mode}_mode"
else not_ok "usersentry_in_${sentry_mode}_mode"; head -3 "$log" | diag; fi

# ---- passthrough
out=$(rr --version 2>&1)
check "passthrough_version_is_runcs" grep -q "^runc version" <<<"$out"

# ---- a container: shell, virtual uname, hidden path, both rule sets enforced
b=$(make_bundle 'echo shell-ok; uname -r; cat /etc/visible.txt; touch /tmp/f;
	chmod 4755 /tmp/f; echo suid=$?; chmod 755 /tmp/f; echo chmod=$?;
	mkdir /tmp/d; echo mkdir=$?; hostname x; echo hostname=$?' \
	'.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}')
cp "$b/config.json" "$work/orig1.json"
out=$(run_in "$b" c1)
rc=$?
echo "$out" | diag
check "run_busybox_shell_exits_0" [ $rc = 0 ]
check "run_shell_runs" grep -qx "shell-ok" <<<"$out"
check "uname_r_is_policy_release" grep -qx "$release" <<<"$out"
check "visible_file_reads" grep -qx "visible" <<<"$out"
check "tier1_setuid_chmod_is_eperm" grep -qx "suid=1" <<<"$out"
check "tier1_plain_chmod_works" grep -qx "chmod=0" <<<"$out"
check "bundle_own_rule_still_enforced_eacces" grep -q "mkdir=1" <<<"$out"
check "bundle_own_rule_errno_is_bundles" grep -q "Permission denied" <<<"$out"
check "policy_tier0_rule_enforced" grep -qx "hostname=1" <<<"$out"
check "sentry_attached_the_container" grep -q "sandbox=c1 attached: .*policy=default" "$log"
check "original_kept_byte_identical" cmp -s "$b/config.json.redirect-orig" "$work/orig1.json"
check "rewritten_config_has_listener" [ "$(jq -r .linux.seccomp.listenerPath "$b/config.json")" = "$sock" ]
check "rewritten_config_metadata_is_policy" \
	[ "$(jq -r .linux.seccomp.listenerMetadata "$b/config.json")" = "default" ]
"$runc" --root "$state" delete -f c1 >/dev/null 2>&1

# a second run of the same bundle starts from the kept original
cp "$b/config.json" "$work/rewritten1.json"
out=$(run_in "$b" c1b)
rc=$?
check "second_run_same_bundle" exit0_with_line "$rc" "$release" "$out"
check "second_run_rewrite_is_identical" cmp -s "$b/config.json" "$work/rewritten1.json"
check "second_run_keeps_original" cmp -s "$b/config.json.redirect-orig" "$work/orig1.json"
"$runc" --root "$state" delete -f c1b >/dev/null 2>&1

# ---- crun in runc's place (--runtime-binary, REDIRECT_RUNTIME): same answers
crun=$(command -v crun || true)
# crun refuses a hybrid cgroup hierarchy whose v2 part has controllers (CI
# hosts): there it runs in a private mount namespace without that part, and
# leaves cgroups alone (--cgroup-manager, one of crun's own global options)
in_crun_ns() { # command...
	if [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] && [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
		unshare -m sh -c 'mount -t tmpfs none /sys/fs/cgroup/unified && exec "$@"' sh "$@"
	else
		"$@"
	fi
}
rrc() { # [env...] redirect-runc args...: as rr, where crun can run
	in_crun_ns env REDIRECT_SOCKET="$sock" REDIRECT_POLICY_DIR="$pol" timeout 300 "$@"
}
if [ -n "$crun" ]; then
	cstate=$work/crun-state
	b=$(make_bundle 'uname -r; mkdir /tmp/d; echo mkdir=$?; hostname x; echo hostname=$?' \
		'.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
			{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}')
	out=$(rrc "$rrunc" --runtime-binary "$crun" --cgroup-manager disabled --root "$cstate" \
		run --bundle "$b" cc1 </dev/null 2>&1)
	rc=$?
	echo "$out" | diag
	check "crun_runs_the_container" [ $rc = 0 ]
	check "crun_uname_r_is_policy_release" grep -qx "$release" <<<"$out"
	check "crun_bundle_rule_enforced" grep -qx "mkdir=1" <<<"$out"
	check "crun_policy_rule_enforced" grep -qx "hostname=1" <<<"$out"
	check "crun_sentry_attached_the_container" grep -q "sandbox=cc1 attached: .*policy=default" "$log"
	b=$(make_bundle 'uname -r' '.annotations = {"dev.redirect.policy": "annotated"}')
	out=$(rrc env REDIRECT_RUNTIME="$crun" "$rrunc" --cgroup-manager=disabled --root "$cstate" \
		run -b "$b" cc2 </dev/null 2>&1)
	check "crun_by_environment_annotation_policy" exit0_with_line $? "$release2" "$out"
	# create (the init's stdio a file, not a pipe we would wait on), list, delete
	rrc env REDIRECT_RUNTIME="$crun" "$rrunc" --cgroup-manager=disabled --root "$cstate" \
		create --bundle="$b" cc3 </dev/null >"$work/ccreate.out" 2>&1
	check "crun_create_exits_0" [ $? = 0 ]
	diag <"$work/ccreate.out"
	check "crun_list_passthrough" grep -q "^cc3 " \
		<<<"$(rrc env REDIRECT_RUNTIME="$crun" "$rrunc" --root "$cstate" list)"
	rrc env REDIRECT_RUNTIME="$crun" "$rrunc" --cgroup-manager=disabled --root "$cstate" \
		delete -f cc3 >/dev/null 2>&1
	check "crun_delete_passthrough" [ $? = 0 ]
else
	skip "crun (not installed: apt-get install crun)"
fi

# ---- the annotation picks the policy
b=$(make_bundle 'uname -r' '.annotations = {"dev.redirect.policy": "annotated"}')
out=$(run_in "$b" c2)
check "annotation_selects_policy" grep -qx "$release2" <<<"$out"
"$runc" --root "$state" delete -f c2 >/dev/null 2>&1

# ---- Docker's profile in the bundle, merged with a policy built on it
if [ -f "$pol/docker-default.json" ]; then
	# the runtime-spec form of Docker's profile, as a runtime gets it from Docker
	b=$(make_bundle 'true' '.annotations = {"dev.redirect.policy": "docker-default"}')
	REDIRECT_RUNC=/bin/true rr create --bundle "$b" dummy >/dev/null 2>&1
	docker_sec=$(jq -c .linux.seccomp "$b/config.json")
	b=$(make_bundle 'uname -r; unshare -U true; echo unshare=$?' \
		".annotations = {\"dev.redirect.policy\": \"docker-based\"} |
		 .linux.seccomp = $docker_sec")
	out=$(run_in "$b" c3)
	rc=$?
	echo "$out" | diag
	check "docker_profile_bundle_runs" [ $rc = 0 ]
	check "docker_profile_bundle_uname_virtual" grep -qx "$release" <<<"$out"
	check "docker_profile_still_denies_unshare" grep -qx "unshare=1" <<<"$out"
	check "docker_profile_arg_rules_kept" \
		[ "$(jq '[.linux.seccomp.syscalls[] | select(.names == ["clone"]) | .args] | length' \
			"$b/config.json")" -ge 1 ]
	"$runc" --root "$state" delete -f c3 >/dev/null 2>&1
else
	skip "docker_profile_bundle (no build/policies/docker-default.json)"
fi

# ---- the shipped policies, from the source tree's policy directory as installed:
# default (no annotation needed) and strict (host paths hidden by the Sentry)
shipped=$top/usersentry/policies
shipped_release=$(jq -r '.redirect.sentry.uname.release // empty' "$shipped/default.json")
sock2=$work/shipped.sock
"$bin/usersentry" -s "$sock2" -d "$shipped" -l "$work/shipped.log" --state-dir "$work/state2" &
daemon2=$!
for _ in $(seq 300); do
	grep -q "listening on $sock2" "$work/shipped.log" 2>/dev/null && break
	sleep 0.1
done
if [ -e "$shipped/docker-default.json" ] && [ -n "$shipped_release" ]; then
	b=$(make_bundle 'uname -r; cat /etc/visible.txt')
	out=$(REDIRECT_SOCKET=$sock2 REDIRECT_POLICY_DIR=$shipped timeout 300 "$rrunc" \
		--root "$state" run --bundle "$b" c6 </dev/null 2>&1)
	rc=$?
	echo "$out" | diag
	check "shipped_default_policy_runs_container" exit0_with_line "$rc" visible "$out"
	check "shipped_default_policy_uname_virtual" grep -qx "$shipped_release" <<<"$out"
	check "shipped_default_policy_picked_without_annotation" \
		grep -q "sandbox=c6 attached: .*policy=default" "$work/shipped.log"
	"$runc" --root "$state" delete -f c6 >/dev/null 2>&1
else
	skip "shipped_default_policy (no docker-default.json or no virtual release)"
fi
# strict.json hides paths with Sentry file rules: under runc every open and
# stat is the Sentry's, runc's exec FIFO reopen (/proc/self/fd/N) included,
# which blocks a worker, not the daemon, until `runc start`.
if [ -f "$shipped/strict.json" ] &&
   jq -e '.redirect.sentry.files.hidden | index("/proc/kcore")' "$shipped/strict.json" >/dev/null; then
	b=$(make_bundle 'echo started >/started; cat /etc/visible.txt; cat /proc/kcore; echo kcore=$?;
		echo listed=$(ls /proc | grep -cx kcore)' '.annotations = {"dev.redirect.policy": "strict"}')
	rm -f "$rootfs/started"
	out=$(REDIRECT_SOCKET=$sock2 REDIRECT_POLICY_DIR=$shipped timeout 300 "$rrunc" \
		--root "$state" run --bundle "$b" c6s </dev/null 2>&1)
	rc=$?
	echo "$out" | diag
	check "shipped_strict_policy_runs_container" exit0_with_line "$rc" visible "$out"
	check "shipped_strict_policy_container_writes" [ -e "$rootfs/started" ]
	{ grep -q "kcore.*No such file" <<<"$out" && grep -qx "kcore=1" <<<"$out"; }
	check "shipped_strict_policy_hides_proc_kcore" [ $? = 0 ]
	check "shipped_strict_policy_ls_proc_without_kcore" grep -qx "listed=0" <<<"$out"
	"$runc" --root "$state" delete -f c6s >/dev/null 2>&1
	# create, then start later: the init waits in the Sentry's open of its FIFO
	b=$(make_bundle 'echo started >/started2' '.annotations = {"dev.redirect.policy": "strict"}')
	rm -f "$rootfs/started2"
	# (the container's stdio is a file: a pipe would be held open by its init)
	REDIRECT_SOCKET=$sock2 REDIRECT_POLICY_DIR=$shipped timeout 120 "$rrunc" \
		--root "$state" create --bundle "$b" c6c </dev/null >"$work/create.out" 2>&1
	rc=$?
	diag <"$work/create.out"
	sleep 1
	st=$("$runc" --root "$state" state c6c 2>/dev/null | jq -r .status)
	{ [ $rc = 0 ] && [ "$st" = created ] && [ ! -e "$rootfs/started2" ]; }
	check "strict_create_waits_for_start" [ $? = 0 ]
	out=$(REDIRECT_SOCKET=$sock2 REDIRECT_POLICY_DIR=$shipped timeout 60 "$bin/redirect-run" \
		-s "$sock2" -p "$shipped/strict.json" -- cat /etc/hostname 2>&1)
	check "strict_daemon_serves_others_while_a_fifo_open_waits" [ "$out" = "$(cat /etc/hostname)" ]
	REDIRECT_SOCKET=$sock2 REDIRECT_POLICY_DIR=$shipped timeout 60 "$rrunc" --root "$state" start c6c
	for _ in $(seq 100); do [ -e "$rootfs/started2" ] && break; sleep 0.1; done
	check "strict_start_runs_the_container" [ -e "$rootfs/started2" ]
	"$runc" --root "$state" delete -f c6c >/dev/null 2>&1
else
	skip "shipped_strict_policy (no strict.json hiding /proc/kcore)"
fi
kill "$daemon2" 2>/dev/null && wait "$daemon2" 2>/dev/null

# ---- create / state / list / delete pass through
b=$(make_bundle 'uname -r')
# the created container's init keeps its stdio open: not a pipe we wait on
rr --root "$state" create --bundle "$b" c4 </dev/null >"$work/create.out" 2>&1
check "create_exits_0" [ $? = 0 ]
diag <"$work/create.out"
check "state_passthrough" [ "$(rr --root "$state" state c4 | jq -r .status)" = created ]
check "list_passthrough" grep -q "^c4 " <<<"$(rr --root "$state" list)"
rr --root "$state" delete -f c4 >/dev/null 2>&1
check "delete_passthrough" [ $? = 0 ]
gone() { ! rr --root "$state" state "$1" >/dev/null 2>&1; }
check "deleted_container_gone" gone c4

# ---- arguments reach runc unchanged; ours are taken out
cat >"$work/fake-runc" <<'SH'
#!/bin/sh
for a in "$@"; do printf '[%s]' "$a"; done
echo
SH
chmod +x "$work/fake-runc"
b=$(make_bundle 'true')
out=$(REDIRECT_RUNC=$work/fake-runc rr --redirect-policy annotated --root "$state" --log x.log \
	--log-format json --systemd-cgroup create --bundle="$b" --pid-file p c5 2>&1)
check "argv_passed_unchanged" [ "$out" = "[--root][$state][--log][x.log][--log-format][json][--systemd-cgroup][create][--bundle=$b][--pid-file][p][c5]" ]
check "redirect_policy_option_used" [ "$(jq -r .linux.seccomp.listenerMetadata "$b/config.json")" = annotated ]
# options redirect-runc has never seen reach the runtime as they are, and the
# bundle is still found (runc 1.2's --pidfd-socket takes a value; so may others)
fake() { REDIRECT_RUNTIME=$work/fake-runc rr "$@" 2>&1; }
rewritten() { [ "$(jq -r .linux.seccomp.listenerMetadata "$1/config.json")" = default ]; }
b=$(make_bundle 'true')
out=$(fake --root "$state" create --pidfd-socket /run/p.sock --bundle "$b" c8)
check "runc12_pidfd_socket_passed_and_bundle_rewritten" \
	[ "$out" = "[--root][$state][create][--pidfd-socket][/run/p.sock][--bundle][$b][c8]" ]
check "runc12_pidfd_socket_bundle_rewritten" rewritten "$b"
b=$(make_bundle 'true')
out=$(fake --frobnicate --future-global gval --root="$state" run --never-seen --new-opt=v -d \
	--bundle "$b" --also-new c9)
check "unknown_options_passed_unchanged" [ "$out" = \
	"[--frobnicate][--future-global][gval][--root=$state][run][--never-seen][--new-opt=v][-d][--bundle][$b][--also-new][c9]" ]
check "unknown_options_bundle_rewritten" rewritten "$b"
# an unknown option that takes its value as the next argument: two words left,
# the bundle is still the one named by --bundle
b=$(make_bundle 'true')
out=$(fake create --some-valued-option v1 -b "$b" c10)
check "unknown_valued_option_passed" [ "$out" = "[create][--some-valued-option][v1][-b][$b][c10]" ]
check "unknown_valued_option_bundle_rewritten" rewritten "$b"
# crun's forms: -bDIR and a cluster of short options ending in one with a value
b=$(make_bundle 'true')
out=$(fake run -b"$b" c11)
check "short_option_with_glued_value" rewritten "$b"
b=$(make_bundle 'true')
out=$(fake run -db "$b" c12)
check "short_option_cluster" [ "$out" = "[run][-db][$b][c12]" ]
check "short_option_cluster_bundle_rewritten" rewritten "$b"
# crun takes a unique prefix of a long option: --bun is its --bundle
b=$(make_bundle 'true')
out=$(fake run --bun "$b" c14)
check "long_option_prefix_is_crun_bundle" rewritten "$b"
# the bundle defaults to the working directory
b=$(make_bundle 'true')
out=$(cd "$b" && fake run --unheard-of c13)
check "bundle_is_cwd_without_bundle_option" rewritten "$b"
out=$(REDIRECT_RUNC=$rrunc rr --version 2>&1)
check "refuses_itself_as_runc" grep -q "redirect-runc itself" <<<"$out"

# ---- the configuration file, for runtimes that pass no options (containerd)
cat >"$work/rr.conf" <<CONF
# redirect-runc defaults
socket = $sock
policy-dir=$pol
	policy = annotated
CONF
b=$(make_bundle 'uname -r')
out=$(REDIRECT_RUNC_CONFIG=$work/rr.conf timeout 300 "$rrunc" --root "$state" run --bundle "$b" c7 \
	</dev/null 2>&1)
check "config_file_sets_socket_dir_and_policy" exit0_with_line $? "$release2" "$out"
"$runc" --root "$state" delete -f c7 >/dev/null 2>&1
echo "runtime = $work/fake-runc" >"$work/runtime.conf"
out=$(REDIRECT_RUNC_CONFIG=$work/runtime.conf "$rrunc" --version 2>&1)
check "config_file_sets_runtime" [ "$out" = "[--version]" ]
echo "sockett = /x" >"$work/bad.conf"
out=$(REDIRECT_RUNC_CONFIG=$work/bad.conf "$rrunc" --version 2>&1)
rc=$?
check "config_file_unknown_key_refused" exit125_with "$rc" 'bad.conf: unknown key "sockett"' "$out"

# ---- refusals: non-zero, a message naming the fault, config.json byte-identical,
# nothing written beside it, no container started
refuse() { # name, expected message (grep -E), bundle, then redirect-runc args
	local name=$1 msg=$2 b=$3 out rc
	shift 3
	cp "$b/config.json" "$work/before.json" 2>/dev/null
	rm -f "$rootfs/started"
	out=$("$@" 2>&1 </dev/null)
	rc=$?
	if [ $rc != 0 ] && grep -qE -- "$msg" <<<"$out" &&
	   { [ ! -e "$b/config.json" ] || cmp -s "$b/config.json" "$work/before.json"; } &&
	   [ ! -e "$b/config.json.redirect-orig" ] && [ ! -e "$rootfs/started" ] &&
	   ! compgen -G "$b/*redirect-tmp*" >/dev/null &&
	   ! "$runc" --root "$state" state "$name" >/dev/null 2>&1; then
		ok "refuses_$name"
	else
		not_ok "refuses_$name"
		echo "rc=$rc: $out" | diag
	fi
}
start='echo started >/started'
b=$(make_bundle "$start")
refuse no_daemon "usersentry socket $work/nope.sock: No such file" "$b" \
	env REDIRECT_SOCKET="$work/nope.sock" REDIRECT_POLICY_DIR="$pol" "$rrunc" \
	--root "$state" run --bundle "$b" no_daemon
# "--" before the command must not hide it from redirect-runc
refuse double_dash_command "usersentry socket $work/nope.sock: No such file" "$b" \
	env REDIRECT_SOCKET="$work/nope.sock" REDIRECT_POLICY_DIR="$pol" "$rrunc" \
	--root "$state" -- run --bundle "$b" double_dash_command
# a socket file nobody listens on: a daemon that died
/usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
	"$work/dead.sock" 2>/dev/null ||
	busybox nc -lk -s "$work/dead.sock" -e true 2>/dev/null &
for _ in $(seq 50); do [ -S "$work/dead.sock" ] && break; sleep 0.1; done
refuse dead_daemon "usersentry socket .*dead.sock: Connection refused" "$b" \
	env REDIRECT_SOCKET="$work/dead.sock" REDIRECT_POLICY_DIR="$pol" "$rrunc" \
	--root "$state" run --bundle "$b" dead_daemon
b=$(make_bundle "$start" '.annotations = {"dev.redirect.policy": "nosuch"}')
refuse missing_policy 'policy "nosuch" not found' "$b" rr --root "$state" run --bundle "$b" missing_policy
b=$(make_bundle "$start" '.annotations = {"dev.redirect.policy": "../policies/default"}')
refuse policy_name_with_slash 'policy name "../policies/default" is invalid' "$b" \
	rr --root "$state" run --bundle "$b" policy_name_with_slash
b=$(make_bundle "$start" '.annotations = {"dev.redirect.policy": "a..b"}')
refuse policy_name_with_dotdot 'policy name "a..b" is invalid' "$b" \
	rr --root "$state" run --bundle "$b" policy_name_with_dotdot
b=$(make_bundle "$start" '.annotations = {"dev.redirect.policy": "broken"}')
refuse invalid_policy "broken.json" "$b" rr --root "$state" run --bundle "$b" invalid_policy
b=$(make_bundle "$start" '.annotations = {"dev.redirect.policy": "string-continue"}')
refuse string_rule_that_would_continue 'string rule on "openat" with sentry.default "continue"' \
	"$b" rr --root "$state" run --bundle "$b" string_rule_that_would_continue
b=$(make_bundle "$start")
printf '{"ociVersion": "1.0.2", ' >"$b/config.json"
refuse malformed_config "config.json:1:25: JSON: unexpected end of input" "$b" rr --root "$state" run --bundle "$b" malformed_config
b=$(make_bundle "$start" '.linux.seccomp = {"defaultAction": "SCMP_ACT_BOGUS"}')
refuse bad_bundle_seccomp "SCMP_ACT_BOGUS" "$b" rr --root "$state" run --bundle "$b" bad_bundle_seccomp
refuse missing_bundle "$work/no-such-bundle/config.json: No such file" "$work/no-such-bundle" \
	rr --root "$state" run --bundle "$work/no-such-bundle" missing_bundle
# config.json is rewritten in place: never one read through a symbolic link
b=$(make_bundle "$start")
mv "$b/config.json" "$b/real.json" && ln -s real.json "$b/config.json"
refuse config_symlink "$b/config.json: Too many levels of symbolic links" "$b" \
	rr --root "$state" run --bundle "$b" config_symlink
b=$(make_bundle "$start" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
	"listenerPath": "/run/other-agent.sock",
	"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_NOTIFY"}]}')
refuse other_agent "already hands calls to a seccomp agent" "$b" \
	rr --root "$state" run --bundle "$b" other_agent
# argument rules on a notified call: calls matching none would escape the Sentry
b=$(make_bundle "$start" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
	{"names": ["uname"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}')
refuse unmergeable_arg_rules "cannot merge uname" "$b" rr --root "$state" run --bundle "$b" unmergeable_arg_rules
b=$(make_bundle "$start")
refuse two_container_ids "exactly one container id" "$b" \
	rr --root "$state" run --bundle "$b" two_container_ids extra
refuse crun_other_config_file "another config file than the bundle's config.json" "$b" \
	rr --root "$state" run --config=other.json --bundle "$b" crun_other_config_file
refuse crun_other_config_file_by_prefix "another config file than the bundle's config.json" "$b" \
	rr --root "$state" run --conf other.json --bundle "$b" crun_other_config_file_by_prefix
# options it knows explain no extra word
refuse two_container_ids_known_options "exactly one container id" "$b" \
	rr --root "$state" run -d --no-pivot --bundle "$b" two_container_ids_known_options extra
# a rewritten config whose kept original went missing
b=$(make_bundle "$start")
REDIRECT_RUNC=/bin/true rr create --bundle "$b" dummy >/dev/null 2>&1
rm -f "$b/config.json.redirect-orig"
cp "$b/config.json" "$work/before.json"
out=$(rr --root "$state" run --bundle "$b" lost_original 2>&1 </dev/null)
rc=$?
if [ $rc != 0 ] && grep -q "restore the original" <<<"$out" && cmp -s "$b/config.json" "$work/before.json" &&
   [ ! -e "$rootfs/started" ]; then
	ok "refuses_lost_original"
else
	not_ok "refuses_lost_original"
	echo "rc=$rc: $out" | diag
fi

if [ "$failed" != 0 ]; then
	echo "# usersentry log:"
	tail -40 "$log" | diag
fi
echo "1..$n"
exit $failed
