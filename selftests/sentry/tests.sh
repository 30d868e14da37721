# SPDX-License-Identifier: GPL-2.0
# usersentry's daemon-level tests, sourced by run.sh (host, portable mode) and
# run-in-vm.sh (guest, module mode). Each test prints one TAP line at column 0.
# Needs: top, mode (portable|module). Leaves results in n and failed.

bin=$top/build/bin
tgt=$top/build/selftests/sentry/sentry_target
work=$(mktemp -d "${TMPDIR:-/tmp}/sentry-tests.XXXXXX")
pol=$work/policies
sock=$work/s.sock
log=$work/usersentry.log
audit=$work/audit.json
daemon=
release=7.7.7-sentry
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

mkdir -p "$pol" "$work/d"
cat >"$pol/uname.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{
 "rules":[{"names":["getpriority"],"action":"errno:EACCES"}],
 "sentry":{"default":"errno:ENOSYS","uname":{"release":"$release","nodename":"sentry-node"}}}}
JSON
cp "$pol/uname.json" "$pol/reload.json"
d=$work/d
cat >"$pol/files.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"continue",
 "files":{"readOnly":["$d/ro"],"hidden":["$d/hidden.txt","$d/ro/secret"],
  "remap":[{"from":"$d/a.txt","to":"$d/b.txt"}]}}}}
JSON
echo secret >"$d/hidden.txt"
echo real >"$d/a.txt"
echo mapped >"$d/b.txt"
mkdir "$d/ro" "$d/rw"
echo readonly >"$d/ro/file"
echo secret >"$d/ro/secret"
ln -s "$d/hidden.txt" "$d/link-to-hidden"
ln -s ../a.txt "$d/rw/link-to-a"

start_daemon() { # extra usersentry options
	local i
	"$bin/usersentry" -s "$sock" -d "$pol" -l "$log" -a "$audit" \
		--state-dir "$work/state" "$@" &
	daemon=$!
	for i in $(seq 100); do
		[ -S "$sock" ] && grep -q "listening on $sock" "$log" 2>/dev/null &&
			[ "$(grep -c "listening on $sock" "$log")" -ge "$starts" ] && return 0
		sleep 0.05
	done
	return 1
}
starts=0
start() { starts=$((starts + 1)); start_daemon "$@"; }
stop_daemon() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	daemon=
}
rr() { # policy name, command...
	local p=$1
	shift
	timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/$p.json" -- "$@"
}
fd_count() { ls "/proc/$daemon/fd" | wc -l; }
wait_log() { # pattern, count
	local i
	for i in $(seq 100); do
		[ "$(grep -c -- "$1" "$log")" -ge "${2:-1}" ] && return 0
		sleep 0.05
	done
	return 1
}

cleanup() {
	stop_daemon
	rm -rf "$work"
}
trap cleanup EXIT

# No audit rate limit here: the checks below need every line (the limit has its own test).
if ! start -m "$work/metrics" --audit-rate 0; then
	not_ok "daemon_starts"
	diag <"$log"
	echo "1..$n"
	exit 1
fi
if grep -q "usersentry.*: $mode mode" "$log"; then ok "daemon_starts_in_${mode}_mode"
else not_ok "daemon_starts_in_${mode}_mode"; head -3 "$log" | diag; fi

# ---- forwarded calls, 8 threads
out=$(rr uname "$tgt" threads 8 2 "$release" 2>&1)
rc=$?
echo "$out" | diag
check "uname_8_threads_answered_by_sentry" [ $rc = 0 ]
check "coreutils_uname_r_is_virtual" [ "$(rr uname uname -r)" = "$release" ]
if command -v busybox >/dev/null; then
	check "busybox_uname_n_is_virtual" [ "$(rr uname busybox uname -n)" = "sentry-node" ]
else
	skip "busybox_uname_n_is_virtual (no busybox)"
fi

# ---- tier-1 rules: answered below the Sentry, no Sentry log line
before=$(grep -c "syscall=getpriority" "$log")
out=$(rr uname "$tgt" tier1 200)
after=$(grep -c "syscall=getpriority" "$log")
echo "$out" | diag
check "tier1_rule_answers_getpriority_eacces" [ "$out" = "getpriority errno=13" ]
check "tier1_rule_leaves_no_sentry_log_line" [ "$before" = 0 ] && [ "$after" = 0 ]

# ---- file handler, real programs
out=$(cd "$d" && rr files cat a.txt)
check "files_cat_remapped_path_reads_target" [ "$out" = "mapped" ]
out=$(rr files cat "$d/hidden.txt" 2>&1)
echo "$out" | diag
check "files_cat_hidden_is_enoent" grep -q "No such file" <<<"$out"
out=$(rr files cat "$d/link-to-hidden" 2>&1)
check "files_symlink_to_hidden_is_enoent" grep -q "No such file" <<<"$out"
out=$(cd "$d/rw" && rr files cat link-to-a ../rw/../a.txt 2>&1)
check "files_relative_and_symlinked_remap" [ "$out" = "$(printf 'mapped\nmapped')" ]
out=$(rr files sh -c "echo x > $d/ro/file" 2>&1)
echo "$out" | diag
check "files_write_to_read_only_is_erofs" grep -q "Read-only file system" <<<"$out"
check "files_read_only_file_unchanged" [ "$(cat "$d/ro/file")" = readonly ]
check "files_read_only_still_readable" [ "$(rr files cat "$d/ro/file")" = readonly ]
out=$(rr files sh -c "echo x > $d/ro/new" 2>&1)
check "files_create_under_read_only_is_erofs" grep -q "Read-only file system" <<<"$out"
out=$(rr files sh -c "cd $d/rw && echo created > new.txt && cat new.txt" 2>&1)
check "files_create_and_read_back" [ "$out" = created ] && [ -f "$d/rw/new.txt" ]
out=$(rr files ls "$d/ro")
check "files_ls_lists_directory" [ "$out" = "$(ls "$d/ro")" ]
if command -v busybox >/dev/null; then
	check "files_busybox_cat_remapped" [ "$(rr files busybox cat "$d/a.txt")" = mapped ]
	out=$(rr files busybox cat "$d/ro/secret" 2>&1)
	check "files_busybox_hidden_is_enoent" grep -qi "no such file" <<<"$out"
else
	skip "files_busybox_cat_remapped (no busybox)"
	skip "files_busybox_hidden_is_enoent (no busybox)"
fi
if command -v python3 >/dev/null; then
	out=$(rr files python3 -c "
import errno, os
print(open('$d/a.txt').read().strip())
try:
    open('$d/hidden.txt')
except FileNotFoundError:
    print('hidden')
try:
    open('$d/ro/file', 'w')
except OSError as e:
    print(errno.errorcode[e.errno])
fd = os.open('$d/rw', os.O_RDONLY | os.O_DIRECTORY)
print(open(os.open('link-to-a', os.O_RDONLY, dir_fd=fd)).read().strip())
" 2>&1)
	echo "$out" | diag
	check "files_python3_open_rules" [ "$out" = "$(printf 'mapped\nhidden\nEROFS\nmapped')" ]
else
	skip "files_python3_open_rules (no python3)"
fi
# changes within the rules: mkdir, unlink, rmdir, rename done by the Sentry
out=$(rr files mkdir "$d/ro/sub" 2>&1)
check "files_mkdir_under_read_only_is_erofs" grep -q "Read-only file system" <<<"$out" &&
	[ ! -e "$d/ro/sub" ]
check "files_mkdir_and_rmdir_in_rw" rr files sh -c "mkdir $d/rw/sub && [ -d $d/rw/sub ] && rmdir $d/rw/sub" &&
	[ ! -e "$d/rw/sub" ]
rr files rm -f "$d/hidden.txt" "$d/ro/secret"
check "files_rm_hidden_leaves_it" [ -f "$d/hidden.txt" ] && [ -f "$d/ro/secret" ]
out=$(rr files rm "$d/ro/file" 2>&1)
check "files_rm_read_only_is_erofs" grep -q "Read-only file system" <<<"$out" && [ -f "$d/ro/file" ]
out=$(rr files mv "$d/rw/new.txt" "$d/ro/new.txt" 2>&1)
echo "$out" | diag
check "files_mv_into_read_only_is_erofs" [ -f "$d/rw/new.txt" ] && [ ! -e "$d/ro/new.txt" ]
check "files_mv_within_rw" rr files mv "$d/rw/new.txt" "$d/rw/moved.txt" &&
	[ -f "$d/rw/moved.txt" ] && [ ! -e "$d/rw/new.txt" ]
if command -v python3 >/dev/null; then
	out=$(cd "$d/rw" && rr files python3 -c "
import os
os.mkdir('pdir'); os.rename('pdir', 'pdir2'); print(os.path.isdir('pdir2')); os.rmdir('pdir2')
try:
    os.unlink('$d/ro/file')
except OSError as e:
    print(e.strerror)
" 2>&1)
	echo "$out" | diag
	check "files_python3_mkdir_rename_rmdir_unlink" \
		[ "$out" = "$(printf 'True\nRead-only file system')" ]
else
	skip "files_python3_mkdir_rename_rmdir_unlink (no python3)"
fi
check "files_sentry_injects_fds" grep -q "syscall=openat verdict=emulated:remapped ret=" "$log"

# ---- audit log
check "audit_lines_are_json_with_fields" python3 -c "
import json, sys
keys = {'sandbox','pid','tid','syscall','decoded','verdict','tier','latency_ns'}
seen = set()
for line in open('$audit'):
    o = json.loads(line)
    assert keys <= o.keys(), o
    seen.add((o['syscall'], o['verdict'], o['errno']))
assert ('uname', 'emulated', None) in seen, seen
assert ('openat', 'errno', 'ENOENT') in seen, seen
assert ('openat', 'denied:read-only', 'EROFS') in seen, seen
"

# ---- bad input: the daemon lives on, no fd leaks
fds0=$(fd_count)
python3 - "$sock" <<'PY'
import socket, sys
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    return s
s = conn(); s.sendall(b'{"ociVersion": garbage'); s.close()          # malformed
s = conn(); s.sendall(b'{"ociVersion":"1.0.2-dev","fds":["seccompFd"'); s.close()  # cut off
s = conn(); s.sendall(b'{"ociVersion":"1.0.2-dev","fds":["seccompFd"],"pid":1,'
                      b'"state":{"ociVersion":"1.0.2-dev","id":"x","status":"running"}}')
s.close()                                                              # no fd
s = conn(); s.sendall(b'x' * 100000); s.close()
PY
cp "$pol/uname.json" "$work/unknown.json"
timeout 10 "$bin/redirect-run" -s "$sock" -p "$work/unknown.json" -- true >/dev/null 2>&1
wait_log 'unknown policy "unknown"'
check "bad_input_unknown_policy_refused" grep -q 'unknown policy "unknown"' "$log"
"$bin/redirect-run" -s "$sock" -p "$pol/uname.json" -i spinner -- "$tgt" spin &
rrpid=$!
wait_log "call sandbox=spinner"
# metrics while the spinner is live
metrics=$(python3 - "$work/metrics" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.decode())
PY
)
echo "$metrics" | grep -E 'spinner|kernel' | grep -E 'calls_total|count' | head -8 | diag
check "metrics_count_sentry_calls_per_sandbox" \
	grep -qE '^usersentry_calls_total\{sandbox="spinner",syscall="uname"\} [1-9]' <<<"$metrics"
check "metrics_latency_histogram" \
	grep -qE '^usersentry_call_latency_seconds_count\{sandbox="spinner"\} [1-9]' <<<"$metrics"
if [ "$mode" = module ]; then
	check "metrics_kernel_counters_over_netlink" \
		grep -qE '^redirect_kernel_calls_total\{.*name="spinner",stat="forwarded"\} [1-9]' <<<"$metrics"
fi
pkill -9 -P "$rrpid" 2>/dev/null || kill -9 "$rrpid"
wait "$rrpid" 2>/dev/null
wait_log "sandbox=spinner ended"
sleep 0.3
fds1=$(fd_count)
echo "fds before $fds0 after $fds1" | diag
check "bad_input_daemon_alive" kill -0 "$daemon"
check "bad_input_no_fd_leak" [ "$fds0" = "$fds1" ]
check "bad_input_still_serving" [ "$(rr uname uname -r)" = "$release" ]

# ---- SIGHUP: a live sandbox's tier-1 rules are replaced
rr reload "$tgt" watch 1 15 >"$work/watch.out" 2>&1 &
wpid=$!
for i in $(seq 100); do grep -q first "$work/watch.out" && break; sleep 0.05; done
sed -i 's/errno:EACCES/errno:EPERM/' "$pol/reload.json"
kill -HUP "$daemon"
wait "$wpid"
rc=$?
diag <"$work/watch.out"
check "sighup_replaces_tier1_rules_of_live_sandbox" [ $rc = 0 ] &&
	grep -q "first errno=13" "$work/watch.out"
check "sighup_daemon_alive" kill -0 "$daemon"

# ---- audit bounds: rate limit and size bound (a second daemon)
stop_daemon
rm -f "$audit" "$audit.1"
start --audit-rate 20 --audit-max-bytes 100000
t0=$(date +%s%N)
rr uname "$tgt" threads 2 1 "$release" >/dev/null
t1=$(date +%s%N)
lines=$(cat "$audit" "$audit.1" 2>/dev/null | wc -l)
bound=$((20 + 20 * ((t1 - t0) / 1000000000 + 1)))
echo "audit lines at 20/s: $lines (bound $bound)" | diag
check "audit_rate_limited" [ "$lines" -le "$bound" ] && [ "$lines" -ge 1 ] &&
	grep -q '"dropped":[1-9]' "$audit"
stop_daemon
rm -f "$audit" "$audit.1"
start --audit-rate 0 --audit-max-bytes 8192
rr uname "$tgt" threads 2 1 "$release" >/dev/null
size=$(stat -c %s "$audit")
echo "audit size $size, rotated $(stat -c %s "$audit.1" 2>/dev/null)" | diag
check "audit_size_bounded" [ "$size" -le 8192 ] && [ -f "$audit.1" ] &&
	[ "$(stat -c %s "$audit.1")" -le 8192 ]
