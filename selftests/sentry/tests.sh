# SPDX-License-Identifier: GPL-2.0
# usersentry's daemon-level tests, sourced by run.sh (host, portable mode) and
# run-in-vm.sh (guest, module mode). Each test prints one TAP line at column 0.
# Needs: top, mode (portable|module). Leaves results in n and failed.
# One file (over 900 lines) on purpose: the same tests sourced in both modes,
# sharing the daemon start and stop helpers at the top.
# shellcheck shell=bash
# shellcheck disable=SC2154 # top and mode come from the sourcing script

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
# shellcheck disable=SC2034 # failed is read by the script that sources this one
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
skip() { n=$((n + 1)); echo "ok $n $* # SKIP"; }
diag() { sed 's/^/# /'; }
fails() { ! "$@"; }
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
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
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
	# a line per call: the checks below read them (a later --log-level wins)
	# a low fd soft limit, as systemd's 1024: the daemon raises its own
	(ulimit -Sn 512 2>/dev/null
	 exec "$bin/usersentry" -s "$sock" -d "$pol" -l "$log" -a "$audit" \
		--state-dir "$work/state" --log-level calls "$@") &
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
	grep -o " $work/[^ ]*" /proc/self/mountinfo 2>/dev/null | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# A bad number on the command line: exit 2, the option named, no socket made.
refuses_option() { # option, value
	local err rc=0
	err=$(timeout 5 "$bin/usersentry" -s "$sock" -d "$pol" -l "$log" "$1" "$2" 2>&1) || rc=$?
	[ "$rc" = 2 ] && [[ "$err" == *"$1: \"$2\" is not a number"* ]] && [ ! -e "$sock" ] ||
		{ echo "$1 $2: exit $rc, said: $err" | diag; return 1; }
}
check bad_numeric_options_are_refused_by_name \
	eval 'refuses_option --audit-rate abc && refuses_option --audit-max-bytes -1 &&
	refuses_option --workers 65 && refuses_option --worker-idle 3601 &&
	refuses_option --conn-timeout 9 && refuses_option --conn-timeout "" &&
	refuses_option --workers 4x && refuses_option --audit-rate 99999999999999999999999'

# A bad --metrics address: the daemon refuses to start and names the option.
refuses_metrics() { # address
	local err rc=0
	err=$(timeout 5 "$bin/usersentry" -s "$sock" -d "$pol" --custody none -m "$1" 2>&1) || rc=$?
	rm -f "$sock"
	[ "$rc" != 0 ] && [[ "$err" == *"--metrics"* ]] ||
		{ echo "-m $1: exit $rc, said: $err" | diag; return 1; }
}
check bad_metrics_addresses_are_refused \
	eval 'refuses_metrics tcp:localhost:9464 && refuses_metrics tcp:127.0.0.1:65536 &&
	refuses_metrics "tcp:[::1]:x" && refuses_metrics "tcp:[127.0.0.1]:1" && refuses_metrics unix:'

# No audit rate limit here: the checks below need every line (the limit has its own test).
# Metrics over TCP on a free loopback port (logged), as Prometheus scrapes them.
if ! start -m tcp:127.0.0.1:0 --audit-rate 0; then
	not_ok "daemon_starts"
	diag <"$log"
	echo "1..$n"
	exit 1
fi
if grep -q "usersentry.*: $mode mode" "$log"; then ok "daemon_starts_in_${mode}_mode"
else not_ok "daemon_starts_in_${mode}_mode"; head -3 "$log" | diag; fi
# a listener and a root handle per sandbox: the fd soft limit goes up to the hard one
read -r soft hard < <(awk '/^Max open files/ { print $4, $5 }' "/proc/$daemon/limits")
if [ "$hard" = unlimited ] || [ "$hard" -gt 512 ]; then
	check "daemon_raises_its_fd_soft_limit_to_the_hard_one" [ "$soft" = "$hard" ]
else
	skip "daemon_raises_its_fd_soft_limit_to_the_hard_one (hard limit $hard)"
fi

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
{ [ "$before" = 0 ] && [ "$after" = 0 ]; }
check "tier1_rule_leaves_no_sentry_log_line" [ $? = 0 ]

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
{ [ "$out" = created ] && [ -f "$d/rw/new.txt" ]; }
check "files_create_and_read_back" [ $? = 0 ]
out=$(rr files ls "$d/ro")
# shellcheck disable=SC2010 # the expected listing is ls's own
check "files_ls_lists_directory_without_hidden_name" [ "$out" = "$(ls "$d/ro" | grep -vx secret)" ]
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
{ grep -q "Read-only file system" <<<"$out" &&
	[ ! -e "$d/ro/sub" ]; }
check "files_mkdir_under_read_only_is_erofs" [ $? = 0 ]
{ rr files sh -c "mkdir $d/rw/sub && [ -d $d/rw/sub ] && rmdir $d/rw/sub" &&
	[ ! -e "$d/rw/sub" ]; }
check "files_mkdir_and_rmdir_in_rw" [ $? = 0 ]
# The root a sandbox's calls resolve in is cached (usersentry/files_root.c):
# a task in a mount namespace of its own is served in its own mounts, its
# parent, before and after, in the original ones, five times over
if unshare -m true 2>/dev/null; then
	inner="unshare -m sh -c 'mount -t tmpfs none $d/rw && echo inner >$d/rw/nsf && cat $d/rw/nsf'"
	out=$(rr files sh -c "for i in 1 2 3 4 5; do cat $d/b.txt; $inner; cat $d/rw/nsf; done" 2>&1)
	one=$(printf 'mapped\ninner\ncat: %s: No such file or directory' "$d/rw/nsf")
	check "files_task_in_own_mount_namespace_is_served_in_it" \
		[ "$out" = "$(printf '%s\n' "$one" "$one" "$one" "$one" "$one" | head -c -1)" ]
	[ -e "$d/rw/nsf" ] && echo "$d/rw/nsf was created outside the namespace" | diag
	rm -f "$d/rw/nsf"
else
	skip "files_task_in_own_mount_namespace_is_served_in_it (no mount namespaces)"
fi
rr files rm -f "$d/hidden.txt" "$d/ro/secret"
{ [ -f "$d/hidden.txt" ] && [ -f "$d/ro/secret" ]; }
check "files_rm_hidden_leaves_it" [ $? = 0 ]
out=$(rr files rm "$d/ro/file" 2>&1)
{ grep -q "Read-only file system" <<<"$out" && [ -f "$d/ro/file" ]; }
check "files_rm_read_only_is_erofs" [ $? = 0 ]
out=$(rr files mv "$d/rw/new.txt" "$d/ro/new.txt" 2>&1)
echo "$out" | diag
{ [ -f "$d/rw/new.txt" ] && [ ! -e "$d/ro/new.txt" ]; }
check "files_mv_into_read_only_is_erofs" [ $? = 0 ]
{ rr files mv "$d/rw/new.txt" "$d/rw/moved.txt" &&
	[ -f "$d/rw/moved.txt" ] && [ ! -e "$d/rw/new.txt" ]; }
check "files_mv_within_rw" [ $? = 0 ]
# magic links to the target's own fds: served on a copy of the fd
out=$(rr files bash -c 'cat <(echo procsub)' 2>&1)
echo "$out" | diag
check "files_bash_process_substitution" [ "$out" = procsub ]
out=$(rr files bash -c 'echo to-stdout >/dev/stdout; echo to-fd1 >/proc/self/fd/1' 2>&1)
echo "$out" | diag
check "files_write_dev_stdout_and_proc_self_fd" [ "$out" = "$(printf 'to-stdout\nto-fd1')" ]
out=$(rr files bash -c 'cat /dev/stdin; cat /dev/fd/3' <<<"via-stdin" 3<"$d/rw/moved.txt" 2>&1)
echo "$out" | diag
check "files_read_dev_stdin_and_dev_fd" [ "$out" = "$(printf 'via-stdin\n%s' "$(cat "$d/rw/moved.txt")")" ]
out=$(rr files bash -c '[ -e /dev/fd/0 ] && echo exists; cat /proc/self/fd/77' 2>&1 </dev/null)
echo "$out" | diag
{ [ "$(head -1 <<<"$out")" = exists ] && grep -q "No such file" <<<"$out"; }
check "files_stat_dev_fd_and_missing_fd_enoent" [ $? = 0 ]
out=$(rr files bash -c 'echo x >/proc/self/fd/3' 3<"$d/ro/file" 2>&1)
{ grep -q "Read-only file system" <<<"$out" && [ "$(cat "$d/ro/file")" = readonly ]; }
check "files_reopen_fd_of_read_only_file_for_write_is_erofs" [ $? = 0 ]
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
# a name to be created that exists already (the root too): EEXIST, whichever call creates it
if command -v python3 >/dev/null; then
	out=$(cd "$d/rw" && rr files python3 -c "
import os
open('here', 'w').close()
makers = (os.mkdir, lambda p: os.symlink('x', p), lambda p: os.link('$d/rw/here', p),
          lambda p: os.mknod(p))
for name, made in (('here', 'made'), ('/', 'made /')):
    for make in makers:
        try:
            make(name); print(made)
        except OSError as e:
            print(e.strerror)
os.unlink('here')
" 2>&1)
	echo "$out" | diag
	check "files_create_over_existing_name_is_eexist" \
		[ "$out" = "$(printf 'File exists\n%.0s' 1 2 3 4 5 6 7 8 | head -c -1)" ]
else
	skip "files_create_over_existing_name_is_eexist (no python3)"
fi
check "files_sentry_injects_fds" grep -q "syscall=openat verdict=emulated:remapped ret=" "$log"
# lookups and attribute changes under the same rules (the policy's default is ENOSYS)
out=$(rr files stat -c %s "$d/hidden.txt" 2>&1)
check "files_stat_hidden_is_enoent" grep -q "No such file" <<<"$out"
check "files_test_e_hidden_is_false" fails rr files test -e "$d/ro/secret"
check "files_stat_remapped_is_target" [ "$(rr files stat -c %s "$d/a.txt")" = "$(stat -c %s "$d/b.txt")" ]
out=$(rr files stat -L "$d/link-to-hidden" 2>&1)
check "files_stat_symlink_to_hidden_is_enoent" grep -q "No such file" <<<"$out"
check "files_lstat_symlink_itself" [ "$(rr files stat -c %F "$d/link-to-hidden")" = "symbolic link" ]
check "files_readlink" [ "$(rr files readlink "$d/rw/link-to-a")" = ../a.txt ]
check "files_readlink_proc_self_is_the_target" \
	[ "$(rr files readlink /proc/self/exe)" = "$(readlink -f "$(command -v readlink)")" ]
out=$(rr files chmod 600 "$d/ro/file" 2>&1)
{ grep -q "Read-only file system" <<<"$out" &&
	[ "$(stat -c %a "$d/ro/file")" = 644 ]; }
check "files_chmod_read_only_is_erofs" [ $? = 0 ]
{ rr files chmod 640 "$d/rw/moved.txt" &&
	[ "$(stat -c %a "$d/rw/moved.txt")" = 640 ]; }
check "files_chmod_in_rw" [ $? = 0 ]
out=$(rr files chown 1:1 "$d/ro/file" 2>&1)
{ grep -q "Read-only file system" <<<"$out" &&
	[ "$(stat -c %u "$d/ro/file")" = 0 ]; }
check "files_chown_read_only_is_erofs" [ $? = 0 ]
{ rr files chown 1:1 "$d/rw/moved.txt" &&
	[ "$(stat -c %u:%g "$d/rw/moved.txt")" = 1:1 ]; }
check "files_chown_in_rw" [ $? = 0 ]
# an unprivileged target: fstat of its fds and lookups still served (our ptrace rights)
if command -v setpriv >/dev/null; then
	chmod 755 "$work" "$d"
	out=$(rr files setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
		"cat $d/a.txt && stat -c %s $d/a.txt && test ! -e $d/hidden.txt && echo hidden" 2>&1)
	echo "$out" | diag
	check "files_unprivileged_target_cat_stat" \
		[ "$out" = "$(printf 'mapped\n%s\nhidden' "$(stat -c %s "$d/b.txt")")" ]
else
	skip "files_unprivileged_target_cat_stat (no setpriv)"
fi
# the daemon switches only the credentials that differ: each call still gets its own
# owner and umask, whatever the call before switched
if command -v setpriv >/dev/null; then
	mkdir -m 1777 "$d/rw/creds"
	rr files setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
		"umask 077; echo u >$d/rw/creds/u" &&
		rr files sh -c "umask 022; echo r >$d/rw/creds/r" &&
		rr files setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
			"umask 027; echo v >$d/rw/creds/v" &&
		rr files sh -c "umask 002; echo s >$d/rw/creds/s"
	got=$(cd "$d/rw/creds" && stat -c %n:%u:%a u r v s | tr '\n' ' ')
	echo "$got" | diag
	check "files_creds_and_umask_follow_each_call" \
		[ "$got" = "u:65534:600 r:0:644 v:65534:640 s:0:664 " ]
else
	skip "files_creds_and_umask_follow_each_call (no setpriv)"
fi
# touch (utimensat, also on an fd), links, truncate, mknod within the rules
{ rr files touch -d @1000000 "$d/rw/t1" && [ "$(stat -c %Y "$d/rw/t1")" = 1000000 ]; }
check "files_touch_creates_and_sets_times" [ $? = 0 ]
out=$(rr files touch "$d/ro/file" 2>&1)
check "files_touch_read_only_is_erofs" grep -q "Read-only file system" <<<"$out"
{ rr files ln "$d/rw/t1" "$d/rw/t2" && [ "$(stat -c %h "$d/rw/t1")" = 2 ]; }
check "files_link_in_rw" [ $? = 0 ]
out=$(rr files ln "$d/hidden.txt" "$d/rw/exposed" 2>&1)
{ grep -q "No such file" <<<"$out" && [ ! -e "$d/rw/exposed" ]; }
check "files_link_hidden_is_enoent" [ $? = 0 ]
out=$(rr files ln "$d/ro/file" "$d/rw/writable" 2>&1)
{ grep -q "cross-device" <<<"$out" && [ ! -e "$d/rw/writable" ]; }
check "files_link_read_only_elsewhere_is_exdev" [ $? = 0 ]
{ rr files ln -s ../a.txt "$d/rw/sl" && [ "$(readlink "$d/rw/sl")" = ../a.txt ]; }
check "files_symlink_in_rw" [ $? = 0 ]
out=$(rr files ln -s x "$d/ro/sl" 2>&1)
check "files_symlink_read_only_is_erofs" grep -q "Read-only file system" <<<"$out"
{ rr files truncate -s 3 "$d/rw/t1" && [ "$(stat -c %s "$d/rw/t1")" = 3 ]; }
check "files_truncate_in_rw" [ $? = 0 ]
out=$(rr files truncate -s 0 "$d/ro/file" 2>&1)
{ grep -q "Read-only file system" <<<"$out" && [ "$(cat "$d/ro/file")" = readonly ]; }
check "files_truncate_read_only_is_erofs" [ $? = 0 ]
{ rr files mkfifo "$d/rw/fifo" && [ -p "$d/rw/fifo" ]; }
check "files_mknod_fifo_in_rw" [ $? = 0 ]
out=$(rr files mkfifo "$d/ro/fifo" 2>&1)
check "files_mknod_read_only_is_erofs" grep -q "Read-only file system" <<<"$out"
if command -v python3 >/dev/null; then
	out=$(rr files python3 -c "
import os
print(os.path.exists('$d/hidden.txt'), os.path.exists('$d/ro/file'))
print(os.access('$d/ro/file', os.R_OK), os.access('$d/ro/file', os.W_OK), os.access('$d/rw', os.W_OK))
print(os.stat('$d/a.txt').st_size, os.lstat('$d/rw/link-to-a').st_size)
try:
    os.chmod('$d/ro/file', 0o600)
except OSError as e:
    print(e.strerror)
" 2>&1)
	echo "$out" | diag
	check "files_python3_stat_access_chmod_rules" [ "$out" = "$(printf 'False True\nTrue False True\n%s 8\nRead-only file system' "$(stat -c %s "$d/b.txt")")" ]
else
	skip "files_python3_stat_access_chmod_rules (no python3)"
fi

# ---- listings under hidden rules: getdents64 / getdents leave the hidden names out
l=$work/l
mkdir -p "$l"
# tmpfs lists in creation order: the big directory's hidden block stays in one piece
mount -t tmpfs -o size=32m none "$l" 2>/dev/null
mkdir -p "$l/dir/hdir" "$l/dir/sub" "$l/plain" "$l/big"
touch "$l/dir/v1" "$l/dir/v2" "$l/dir/v3" "$l/dir/h1" "$l/dir/.hdot" "$l/dir/hdir/inner" \
	"$l/dir/sub/s1" "$l/dir/sub/hs" "$l/plain/p1" "$l/plain/p2" "$l/file"
# 2000 names of 40 bytes (64-byte records, 512 in a 32 KiB chunk): 400 shown,
# 1200 hidden (more than two chunks: at least one chunk with every entry hidden), 400 shown
bigname() { printf 'f%04d-%035d' "$1" 0; }
: >"$work/big.shown"
: >"$work/big.hidden"
for i in $(seq 0 1999); do
	if [ "$i" -ge 400 ] && [ "$i" -lt 1600 ]; then
		echo "$(bigname "$i")" >>"$work/big.hidden"
	else
		echo "$(bigname "$i")" >>"$work/big.shown"
	fi
done
# created (so listed) in three blocks: shown, hidden, shown
(cd "$l/big" && head -400 "$work/big.shown" | xargs touch && xargs touch <"$work/big.hidden" &&
	tail -400 "$work/big.shown" | xargs touch)
sort -o "$work/big.shown" "$work/big.shown"
python3 - "$l" "$work/big.hidden" >"$pol/dents.json" <<'PY'
import json, sys
l = sys.argv[1]
hidden = [l + '/dir/h1', l + '/dir/hdir', l + '/dir/.hdot', l + '/dir/sub/hs']
hidden += [l + '/big/' + n.strip() for n in open(sys.argv[2])]
print(json.dumps({'defaultAction': 'SCMP_ACT_ALLOW', 'redirect': {'sentry': {
    'default': 'errno:ENOSYS', 'files': {'hidden': hidden, 'readOnly': [l + '/plain']}}}}))
PY
cat >"$pol/dents-ro.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "files":{"readOnly":["$l/dir"],"hidden":[]}}}}
JSON
# raw getdents64 (or x86-64's getdents, 78) through ctypes, COUNT bytes a call
cat >"$work/dents.py" <<'PY'
import ctypes, errno, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
NR = {'64': 217, 'old': 78}
def call(fd, buf, count, kind='64', addr=None):
    r = libc.syscall(ctypes.c_long(NR[kind]), ctypes.c_long(fd),
                     ctypes.c_void_p(addr if addr is not None else ctypes.addressof(buf)),
                     ctypes.c_long(count))
    return -ctypes.get_errno() if r < 0 else r
def records(raw, kind='64'):
    out, i = [], 0
    while i < len(raw):
        ino, off, reclen = struct.unpack_from('<QqH', raw, i)
        start = i + (19 if kind == '64' else 18)
        name = raw[start:raw.index(b'\0', start)].decode()
        out.append((name, off))
        i += reclen
    return out
def listing(fd, count, kind='64'):
    buf = ctypes.create_string_buffer(max(count, 1))
    got, calls = [], 0
    while True:
        n = call(fd, buf, count, kind)
        if n < 0:
            raise OSError(-n, os.strerror(-n))
        if n == 0:
            return got, calls
        calls += 1
        got += records(buf.raw[:n], kind)
def ename(r):
    return errno.errorcode[-r] if r < 0 else 'ret>0' if r > 0 else '0'
mode, path = sys.argv[1], sys.argv[2]
if mode == 'list':          # list DIR COUNT 64|old: the names, sorted, without . and ..
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    got, _ = listing(fd, int(sys.argv[3]), sys.argv[4])
    print('\n'.join(sorted(n for n, _ in got if n not in ('.', '..'))))
elif mode == 'seek':        # seek DIR COUNT: d_off of a kept entry resumes after it
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    got, calls = listing(fd, int(sys.argv[3]))
    bad = 0
    for k in (1, len(got) // 3, len(got) // 2, len(got) - 2):
        os.lseek(fd, got[k][1], os.SEEK_SET)
        again, _ = listing(fd, int(sys.argv[3]))
        bad += [n for n, _ in again] != [n for n, _ in got[k + 1:]]
    print('entries=%d calls=%d seek_mismatches=%d' % (len(got), calls, bad))
elif mode == 'errors':      # errors DIR FILE: the kernel's answers, same natively
    buf = ctypes.create_string_buffer(4096)
    f = os.open(sys.argv[3], os.O_RDONLY)
    print('file', ename(call(f, buf, 4096)), ename(call(f, buf, 4096, 'old')))
    print('closed', ename(call(999, buf, 4096)), ename(call(-1 & 0xffffffff, buf, 4096)))
    # inherited: an O_PATH open under file rules is not what this tests
    print('o_path', ename(call(int(os.environ['OPATH_FD']), buf, 4096)))
    d = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    print('count_10', ename(call(d, buf, 10)), 'count_huge', ename(call(d, buf, 0x80000000)))
    print('efault', ename(call(d, buf, 4096, addr=8)))
    got, _ = listing(d, 4096)
    print('after_efault', sorted(n for n, _ in got))
    print('offset_moved', os.lseek(d, 0, os.SEEK_CUR) != 0, 'then', ename(call(d, buf, 4096)))
    os.lseek(d, 0, os.SEEK_SET)
    print('rewound', len(listing(d, 4096)[0]))
PY
if ! mountpoint -q "$l"; then
	echo "no tmpfs for $l: the big directory's order is the file system's" | diag
fi
out=$(LC_ALL=C rr dents ls -A "$l/dir" 2>&1)
echo "$out" | diag
check "dents_ls_hides_hidden_names" [ "$out" = "$(printf 'sub\nv1\nv2\nv3')" ]
out=$(LC_ALL=C rr dents ls -a "$l/dir/sub" 2>&1)
check "dents_ls_a_subdir_keeps_dot_entries" [ "$out" = "$(printf '.\n..\ns1')" ]
out=$(LC_ALL=C rr dents ls -A "$l/plain" 2>&1)
check "dents_ls_without_hidden_entries_unchanged" [ "$out" = "$(printf 'p1\np2')" ]
if command -v busybox >/dev/null; then
	out=$(LC_ALL=C rr dents busybox ls -A "$l/dir" 2>&1)
	check "dents_busybox_ls_hides_hidden_names" [ "$out" = "$(printf 'sub\nv1\nv2\nv3')" ]
	out=$(rr dents busybox find "$l/dir" 2>&1 | LC_ALL=C sort)
	check "dents_busybox_find_hides_hidden_names" \
		[ "$out" = "$(printf '%s\n' "$l/dir" "$l/dir/sub" "$l/dir/sub/s1" "$l/dir/v1" \
			"$l/dir/v2" "$l/dir/v3" | head -c -1)" ]
else
	skip "dents_busybox_ls_hides_hidden_names (no busybox)"
	skip "dents_busybox_find_hides_hidden_names (no busybox)"
fi
out=$(rr dents find "$l/dir" 2>&1 | LC_ALL=C sort)
echo "$out" | diag
check "dents_find_hides_hidden_names_and_subtrees" \
	[ "$out" = "$(printf '%s\n' "$l/dir" "$l/dir/sub" "$l/dir/sub/s1" "$l/dir/v1" "$l/dir/v2" \
		"$l/dir/v3" | head -c -1)" ]
if command -v python3 >/dev/null; then
	out=$(rr dents python3 -c "
import os
print(sorted(os.listdir('$l/dir')))
print(sorted(e.name for e in os.scandir('$l/dir')))
print(sorted(os.path.join(r, n) for r, ds, fs in os.walk('$l/dir') for n in ds + fs))
" 2>&1)
	echo "$out" | diag
	check "dents_python3_listdir_scandir_walk" [ "$out" = "$(printf "%s\n%s\n%s" \
		"['sub', 'v1', 'v2', 'v3']" "['sub', 'v1', 'v2', 'v3']" \
		"['$l/dir/sub', '$l/dir/sub/s1', '$l/dir/v1', '$l/dir/v2', '$l/dir/v3']")" ]
	# the big directory: ls (32 KiB chunks), and raw calls of 128 bytes (two records)
	out=$(LC_ALL=C rr dents ls -A "$l/big" 2>&1)
	{ [ "$out" = "$(cat "$work/big.shown")" ] && [ "$(ls -A "$l/big" | wc -l)" = 2000 ]; }
	check "dents_big_directory_ls_lists_exactly_the_shown" [ $? = 0 ]
	out=$(LC_ALL=C rr dents python3 "$work/dents.py" list "$l/big" 128 64 2>&1)
	check "dents_big_directory_small_chunks_exact" [ "$out" = "$(cat "$work/big.shown")" ]
	out=$(LC_ALL=C rr dents python3 "$work/dents.py" list "$l/big" 32768 64 2>&1)
	check "dents_big_directory_32k_chunks_exact" [ "$out" = "$(cat "$work/big.shown")" ]
	out=$(LC_ALL=C rr dents python3 "$work/dents.py" list "$l/big" 4096 old 2>&1)
	check "dents_old_getdents_big_directory_exact" [ "$out" = "$(cat "$work/big.shown")" ]
	out=$(LC_ALL=C rr dents python3 "$work/dents.py" list "$l/dir" 4096 old 2>&1)
	check "dents_old_getdents_hides_hidden_names" [ "$out" = "$(printf 'sub\nv1\nv2\nv3')" ]
	# a call whose chunks were all hidden went on to the next: the audit says how many
	check "dents_all_hidden_chunk_fetches_more" python3 -c "
import json
calls = [json.loads(x) for x in open('$audit') if '\"getdents64\"' in x]
assert any(c['decoded'].get('chunks', 1) > 1 and c['ret'] > 0 for c in calls), len(calls)
"
	out=$(rr dents python3 "$work/dents.py" seek "$l/big" 128 2>&1)
	echo "$out" | diag
	check "dents_seek_to_kept_d_off_resumes_after_it" \
		grep -qE "^entries=802 calls=[0-9]+ seek_mismatches=0$" <<<"$out"
	opath() { # DIR COMMAND...: COMMAND with an O_PATH fd of DIR in $OPATH_FD
		python3 -c "import os, sys
fd = os.open(sys.argv[1], os.O_PATH | os.O_DIRECTORY)
os.set_inheritable(fd, True)
os.environ['OPATH_FD'] = str(fd)
os.execvp(sys.argv[2], sys.argv[2:])" "$@"
	}
	native=$(opath "$l/plain" python3 "$work/dents.py" errors "$l/plain" "$l/file" 2>&1)
	out=$(opath "$l/plain" timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/dents.json" -- \
		python3 "$work/dents.py" errors "$l/plain" "$l/file" 2>&1)
	echo "$out" | diag
	{ [ "$out" = "$native" ] && grep -q "^file ENOTDIR ENOTDIR$" <<<"$out" &&
		grep -q "^closed EBADF EBADF$" <<<"$out" && grep -q "^efault EFAULT$" <<<"$out" &&
		grep -q "^o_path EBADF$" <<<"$out" &&
		grep -q "^offset_moved True then 0$" <<<"$out"; }
	check "dents_kernel_errors_and_offset_as_natively" [ $? = 0 ]
else
	for t in python3_listdir_scandir_walk big_directory_ls_lists_exactly_the_shown \
		big_directory_small_chunks_exact big_directory_32k_chunks_exact \
		old_getdents_big_directory_exact old_getdents_hides_hidden_names \
		all_hidden_chunk_fetches_more seek_to_kept_d_off_resumes_after_it \
		kernel_errors_and_offset_as_natively; do
		skip "dents_$t (no python3)"
	done
fi
# the listing is the target's: an unprivileged target, and procfs with hidepid, which shows
# only the pids the caller may see (not the Sentry's view)
if command -v setpriv >/dev/null; then
	chmod 755 "$l" "$l/dir"
	unpriv="setpriv --reuid=65534 --regid=65534 --clear-groups"
	out=$(LC_ALL=C rr dents $unpriv ls -A "$l/dir" 2>&1)
	check "dents_unprivileged_target_ls_hides_hidden_names" \
		[ "$out" = "$(printf 'sub\nv1\nv2\nv3')" ]
	mkdir -p "$work/proc"
	if mount -t proc -o hidepid=invisible proc "$work/proc" 2>/dev/null; then
		native=$($unpriv ls "$work/proc" | grep -c '^[0-9]')
		# the Sentry's own pid is the one it cannot hide: a task always sees its process
		out=$(rr dents $unpriv ls "$work/proc" | grep '^[0-9]' | grep -cvx "$daemon")
		# shellcheck disable=SC2010 # the native count is ls's own
		echo "pids listed by an unprivileged ls with hidepid: native $native, sentry $out," \
			"all $(ls "$work/proc" | grep -c '^[0-9]')" | diag
		# shellcheck disable=SC2010 # as above
		{ [ "$out" = "$native" ] && [ "$out" -lt "$(ls "$work/proc" | grep -c '^[0-9]')" ]; }
		check "dents_hidepid_lists_only_what_the_target_may_see" [ $? = 0 ]
		umount -l "$work/proc"
	else
		skip "dents_hidepid_lists_only_what_the_target_may_see (cannot mount proc with hidepid)"
	fi
else
	skip "dents_unprivileged_target_ls_hides_hidden_names (no setpriv)"
	skip "dents_hidepid_lists_only_what_the_target_may_see (no setpriv)"
fi
# no hidden rule, no getdents round trip: neither in the filter nor in the log
filter=$("$bin/redirect-run" -p "$pol/dents-ro.json" --dump-filter)
{ ! grep -q '"getdents' <<<"$filter" && grep -q '"openat"' <<<"$filter" &&
	"$bin/redirect-run" -p "$pol/dents.json" --dump-filter | grep -q '"getdents64"'; }
check "dents_not_notified_without_hidden_rules" [ $? = 0 ]
before=$(grep -c "syscall=getdents" "$log")
out=$(LC_ALL=C rr dents-ro ls -A "$l/dir" 2>&1)
{ [ "$out" = "$(LC_ALL=C ls -A "$l/dir")" ] && [ "$(grep -c "syscall=getdents" "$log")" = "$before" ]; }
check "dents_ls_without_hidden_rules_not_forwarded" [ $? = 0 ]

# ---- every path call under the file rules (docs/policy.md, "Every call that takes a path"):
# readOnly refuses each write of data or metadata, hidden is ENOENT for each call that names
# the path, remap applies to each call that resolves one; libc's spelling and syscall(2)'s
pcall=$top/build/selftests/sentry/path_call
p=$work/paths
mkdir -p "$p/ro" "$p/hdir" "$p/rdir" "$p/rdir-to" "$p/rw"
echo ro >"$p/ro/file"
echo hidden >"$p/h"
echo real >"$p/a"
echo mapped >"$p/b"
echo in-rdir >"$p/rdir/f"
echo in-rdir-to >"$p/rdir-to/f"
printf '#!/bin/sh\nexit 7\n' >"$p/hexe"
printf '#!/bin/sh\nexit 8\n' >"$p/rexe"
printf '#!/bin/sh\nexit 9\n' >"$p/rexe-to"
chmod +x "$p/hexe" "$p/rexe" "$p/rexe-to"
cat >"$pol/paths.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "files":{"readOnly":["$p/ro"],"hidden":["$p/h","$p/hdir","$p/hexe"],
  "remap":[{"from":"$p/a","to":"$p/b"},{"from":"$p/rdir","to":"$p/rdir-to"},
   {"from":"$p/rexe","to":"$p/rexe-to"}]}}}}
JSON
xattr() { python3 -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' "$@"; }
has_xattr() { python3 -c 'import os, sys; sys.exit(sys.argv[2] not in os.listxattr(sys.argv[1]))' "$@"; }
mtime() { stat -c %Y "$1"; }
pc() { # test name, wanted output, path_call arguments (fd3: a file opened as fd 3 first)
	local name=$1 want=$2 out
	shift 2
	out=$(if [ -n "${fd3:-}" ]; then exec 3<"$fd3"; fi; rr paths "$pcall" "$@" 2>&1)
	if [ "$out" = "$want" ]; then ok "$name"; else not_ok "$name"; echo "$out" | diag; fi
}
both() { # rule, wanted result, call, arguments: through libc and through syscall(2)
	local rule=$1 want=$2 call=$3
	shift 3
	pc "paths_${rule}_${call}" "$call=$want" "$call" "$@"
	pc "paths_${rule}_${call}_raw" "$call=$want" raw "$call" "$@"
}
if xattr "$p/ro/file" user.t ro 2>/dev/null; then
	xattr "$p/h" user.t hidden
	xattr "$p/a" user.t real
	xattr "$p/b" user.t mapped
	for c in setxattr lsetxattr; do both readonly EROFS $c "$p/ro/file" user.n v; done
	fd3=$p/ro/file both readonly EROFS fsetxattr 3 user.n v
	for c in removexattr lremovexattr; do both readonly EROFS $c "$p/ro/file" user.t; done
	fd3=$p/ro/file both readonly EROFS fremovexattr 3 user.t
	both readonly ro getxattr "$p/ro/file" user.t
	for c in getxattr lgetxattr; do both hidden ENOENT $c "$p/h" user.t; done
	for c in listxattr llistxattr; do both hidden ENOENT $c "$p/h"; done
	for c in setxattr lsetxattr; do both hidden ENOENT $c "$p/h" user.n v; done
	for c in removexattr lremovexattr; do both hidden ENOENT $c "$p/h" user.t; done
	fd3=$p/h both hidden ENOENT fgetxattr 3 user.t
	fd3=$p/h both hidden ENOENT flistxattr 3
	fd3=$p/h both hidden ENOENT fsetxattr 3 user.n v
	fd3=$p/h both hidden ENOENT fremovexattr 3 user.t
	for c in getxattr lgetxattr; do both remap mapped $c "$p/a" user.t; done
	both remap 0 setxattr "$p/a" user.set v
	check "paths_remap_setxattr_sets_the_target" has_xattr "$p/b" user.set
	check "paths_remap_setxattr_leaves_the_source" fails has_xattr "$p/a" user.set
	for raw in "" raw; do
		xattr "$p/b" user.gone v
		pc "paths_remap_removexattr${raw:+_raw}" "removexattr=0" $raw removexattr "$p/a" user.gone
		check "paths_remap_removexattr${raw:+_raw}_removes_from_the_target" \
			fails has_xattr "$p/b" user.gone
	done
else
	skip "paths_*xattr (no user xattrs in $p)"
fi
for c in utime utimes futimesat utimensat; do both readonly EROFS $c "$p/ro/file"; done
# fchmodat2 (6.6): the profile here allows it, so it is mediated; on an older
# kernel the same handler performs it (the call's own ENOSYS never shows)
pc paths_readonly_fchmodat2 "fchmodat2=EROFS" fchmodat2 "$p/ro/file"
pc paths_hidden_fchmodat2 "fchmodat2=ENOENT" fchmodat2 "$p/h"
for c in fchmod fchown futimens; do fd3=$p/ro/file both readonly EROFS $c 3; done
for c in truncate open-trunc openat-trunc creat; do both readonly EROFS $c "$p/ro/file"; done
both readonly EROFS bind "$p/ro/sock"
both readonly 0 statfs "$p/ro/file"
both readonly 0 chdir "$p/ro"
for c in statfs utime utimes futimesat inotify_add_watch truncate; do both hidden ENOENT $c "$p/h"; done
both hidden ENOENT chdir "$p/hdir"
both hidden ENOENT bind "$p/hdir/sock"
for c in execve execveat; do both hidden ENOENT $c "$p/hexe"; done
for c in fchmod fchown futimens; do fd3=$p/h both hidden ENOENT $c 3; done
for c in utime utimes futimesat; do
	touch -d @5 "$p/b"
	pc "paths_remap_${c}" "$c=0" "$c" "$p/a"
	check "paths_remap_${c}_changes_the_target" [ "$(mtime "$p/b")" = 1000000 ]
done
pc "paths_remap_chdir_relative_names_remapped" "chdir=0
read=in-rdir-to" chdir "$p/rdir" f
for c in execve execveat; do both remap EACCES $c "$p/rexe"; done
pc "paths_remap_bind" "bind=0" bind "$p/rdir/sock1"
pc "paths_remap_bind_raw" "bind=0" raw bind "$p/rdir/sock2"
[ -S "$p/rdir-to/sock1" ] && [ -S "$p/rdir-to/sock2" ]
check "paths_remap_bind_creates_in_the_target" [ $? = 0 ]
both none exit:0 execve /bin/true
# re-exec of the running program (runc, Go, busybox): a magic link, served on
# the Sentry's open of the target's /proc/PID/exe (path_call without
# arguments exits 2, its usage on stderr)
for c in execve execveat; do
	for raw in "" raw; do
		pc "paths_self_exe_${c}${raw:+_raw}" "usage: path_call [raw] NAME ARG...
$c=exit:2" $raw "$c" /proc/self/exe
	done
done
for c in chroot name_to_handle_at; do both refused EPERM $c "$p/rw"; done
for c in pivot_root fsopen fspick open_tree move_mount mount_setattr; do
	pc "paths_refused_${c}" "$c=EPERM" "$c" "$p/rw"
done
pc "paths_refused_fsconfig" "fsconfig=EPERM" fsconfig 0
pc "paths_refused_fsmount" "fsmount=EPERM" fsmount 0
pc "paths_refused_fanotify_mark" "fanotify_mark=EPERM" fanotify_mark 0 "$p/rw"
# root of its own user and mount namespaces: the kernel would let it mount
if unshare -Urm true 2>/dev/null; then
	for c in fsopen open_tree; do
		out=$(rr paths unshare -Urm "$pcall" $c "$p/rw" 2>&1)
		check "paths_refused_${c}_in_own_user_namespace" [ "$out" = "$c=EPERM" ]
		[ "$out" = "$c=EPERM" ] || echo "$out" | diag
	done
else
	skip "paths_refused_*_in_own_user_namespace (no user namespaces)"
fi

# docs/policy.md's table of path calls is the handler table and the notified lists, no more, no less
table_matches() {
	python3 - "$top" <<'PY'
import glob, re, sys
top = sys.argv[1]
doc = open(top + '/docs/policy.md').read()
sec = doc.split('### Every call that takes a path', 1)[1].split('\n#', 1)[0]
rows = re.findall(r'^\| `([a-z0-9_]+)`[^|]* \| ([a-z ()]+) \|', sec, re.M)
table = {c for c, t in rows if t.strip() != 'not notified'}
src = lambda d: ''.join(open(f).read() for f in sorted(glob.glob(top + d + '/*.c')))
handlers = set(re.findall(r'\{ "([a-z0-9_]+)", sentry_handle_', src('/usersentry')))
handlers -= {'uname', 'sysinfo', 'cachestat', 'mseal'}
lib = re.sub(r'/\*.*?\*/', '', src('/libredirect'), flags=re.S)
notified = set()
for name in ('files', 'files_if_allowed', 'cwd', 'dents', 'mount', 'connect'):
    m = re.search(r'policy_%s_calls\[\] = \{(.*?)\};' % name, lib, re.S)
    notified |= set(re.findall(r'"([a-z0-9_]+)"', m.group(1))) if m else {'<no policy_%s_calls>' % name}
bad = 0
for what, have in (('handler table', handlers), ('notified lists', notified)):
    for c in sorted(table - have):
        print('# in the table, not in the %s: %s' % (what, c)); bad = 1
    for c in sorted(have - table):
        print('# in the %s, not in the table: %s' % (what, c)); bad = 1
print('# %d calls in the table' % len(table))
sys.exit(bad)
PY
}
check "files_table_matches_the_handlers" table_matches

# ---- network handler: connect / sendto against CIDR and port rules, on a copy of the socket
cat >"$work/listen.py" <<'PY'
import os, socket, sys, threading, time
out, upath = sys.argv[1], sys.argv[2]
lock = threading.Lock()
counts = {'ok': 0, 'denied': 0, 'ok6': 0}
def publish(name, text):
    with open(name + '.tmp', 'w') as f:
        f.write(text)
    os.replace(name + '.tmp', name)
def tcp(fam, host):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.bind((host, 0))
    s.listen(128)
    return s
def accept(s, name):
    while True:
        c, _ = s.accept()
        c.close()
        with lock:
            counts[name] += 1
            publish(out + '.counts', ' '.join('%s=%d' % kv for kv in sorted(counts.items())) + '\n')
def udp(u):
    while True:
        data, _ = u.recvfrom(65536)
        with lock, open(out + '.udp', 'a') as f:
            f.write(data.decode() + '\n')
def unix(us):
    while True:
        c, _ = us.accept()
        c.sendall(b'hello-unix\n')
        c.close()
ok, denied = tcp(socket.AF_INET, '127.0.0.1'), tcp(socket.AF_INET, '127.0.0.1')
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(('127.0.0.1', 0))
try:
    ok6 = tcp(socket.AF_INET6, '::1')
except OSError:
    ok6 = None   # no IPv6 loopback here
us = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
us.bind(upath)
us.listen(16)
for s, n in [(ok, 'ok'), (denied, 'denied')] + ([(ok6, 'ok6')] if ok6 else []):
    threading.Thread(target=accept, args=(s, n), daemon=True).start()
threading.Thread(target=udp, args=(u,), daemon=True).start()
threading.Thread(target=unix, args=(us,), daemon=True).start()
publish(out, 'ok=%d denied=%d udp=%d ok6=%d\n' % (ok.getsockname()[1], denied.getsockname()[1],
        u.getsockname()[1], ok6.getsockname()[1] if ok6 else 0))
while True:
    time.sleep(3600)
PY
[ -e /proc/sys/net/ipv4 ] && ip link set lo up 2>/dev/null
mkdir -p "$d/sock" "$d/net-hidden"
python3 "$work/listen.py" "$work/ports" "$d/sock/s" &
listener=$!
for i in $(seq 200); do [ -s "$work/ports" ] && break; sleep 0.05; done
ok=0 denied=0 udp=0 ok6=0
[ -s "$work/ports" ] && . "$work/ports"
ln -s "$d/sock/s" "$d/net-hidden/s"
cat >"$pol/net.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "connect":{"default":"deny","denyErrno":"ECONNREFUSED","rules":[
  {"action":"allow","cidr":"127.0.0.0/8","port":$ok},
  {"action":"allow","cidr":"::1/128","port":$ok6},
  {"action":"allow","cidr":"127.0.0.1/32","port":$udp}]},
 "files":{"hidden":["$d/net-hidden"]},
 "sysinfo":{"memory":"cgroup","uptime":"sandbox"}}}}
JSON
sed -e 's/"denyErrno":"ECONNREFUSED"/"denyErrno":"EACCES","unix":"deny"/' \
	"$pol/net.json" >"$pol/net-eacces.json"
counts() { cat "$work/ports.counts" 2>/dev/null; }
{ [ "$ok" != 0 ] && [ "$denied" != 0 ]; }
check "net_listener_up" [ $? = 0 ]
check "net_connect_allowed_port" [ "$(rr net "$tgt" connect 127.0.0.1 "$ok")" = "connect=0" ]
out=$(rr net "$tgt" connect 127.0.0.1 "$denied")
check "net_connect_denied_port_is_econnrefused" [ "$out" = "connect=ECONNREFUSED" ]
out=$(rr net-eacces "$tgt" connect 127.0.0.1 "$denied")
check "net_connect_denied_errno_from_policy" [ "$out" = "connect=EACCES" ]
out=$(rr net "$tgt" connect ::ffff:127.0.0.1 "$denied")
check "net_connect_v4_mapped_ipv6_follows_ipv4_rules" [ "$out" = "connect=ECONNREFUSED" ]
if [ "$ok6" != 0 ]; then
	check "net_connect_ipv6_allowed" [ "$(rr net "$tgt" connect ::1 "$ok6")" = "connect=0" ]
	out=$(rr net "$tgt" connect ::1 "$denied")
	check "net_connect_ipv6_denied" [ "$out" = "connect=ECONNREFUSED" ]
else
	skip "net_connect_ipv6_allowed (no IPv6 loopback)"
	skip "net_connect_ipv6_denied (no IPv6 loopback)"
fi
out=$(rr net python3 -c "
import socket
socket.create_connection(('127.0.0.1', $ok), timeout=30).close()
print('ok')
try:
    socket.create_connection(('127.0.0.1', $denied), timeout=30)
except ConnectionRefusedError:
    print('refused')
" 2>&1)
echo "$out" | diag
check "net_python3_connect_rules" [ "$out" = "$(printf 'ok\nrefused')" ]
# allowed: the target's and python3's connects (accepts are counted as they come)
for i in $(seq 100); do grep -qE "(^| )ok=2( |$)" <<<"$(counts)" && break; sleep 0.05; done
counts | diag
check "net_denied_listener_never_reached" grep -qE "^denied=0 ok=2 " <<<"$(counts)"
out=$(rr net "$tgt" sendto 127.0.0.1 "$udp" datagram-1 datagram-2)
for i in $(seq 100); do grep -q datagram-2 "$work/ports.udp" 2>/dev/null && break; sleep 0.05; done
{ [ "$out" = "sendto=0" ] &&
	[ "$(cat "$work/ports.udp")" = "$(printf 'datagram-1\ndatagram-2')" ]; }
check "net_sendto_allowed_delivers" [ $? = 0 ]
out=$(rr net "$tgt" sendto 127.0.0.1 "$denied" never)
{ [ "$out" = "sendto=ECONNREFUSED" ] && ! grep -q never "$work/ports.udp"; }
check "net_sendto_denied" [ $? = 0 ]
check "net_send_without_address_not_forwarded" \
	[ "$(grep -c 'syscall=sendto' "$log")" = 2 ]
out=$(rr net "$tgt" connect-unix "$d/sock/s")
check "net_connect_unix_path_performed" [ "$out" = "connect=0 hello-unix" ]
out=$(cd "$d/sock" && rr net "$tgt" connect-unix s)
check "net_connect_unix_relative_path" [ "$out" = "connect=0 hello-unix" ]
out=$(rr net "$tgt" connect-unix "$d/net-hidden/s")
check "net_connect_unix_hidden_path_is_enoent" [ "$out" = "connect=ENOENT" ]
out=$(rr net-eacces "$tgt" connect-unix "$d/sock/s")
check "net_connect_unix_denied_by_policy" [ "$out" = "connect=EACCES" ]
# another thread flips the port to the denied one during the call: never reaches it
out=$(rr net "$tgt" swap 127.0.0.1 "$ok" "$denied" 3)
echo "$out" | diag
counts | diag
{ grep -qE "connected=[1-9]" <<<"$out" && grep -q "denied=0" <<<"$(counts)"; }
check "net_connect_argument_swap_never_reaches_denied" [ $? = 0 ]
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null

# ---- sysinfo: memory from the target's cgroup, uptime since the sandbox began
memcg=
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	parent=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:[^:]*memory[^:]*://p' /proc/self/cgroup)
	memcg=$parent/sentry-test-$$
	mkdir "$memcg" 2>/dev/null && echo 268435456 >"$memcg/memory.limit_in_bytes" || memcg=
else
	if [ ! -f /sys/fs/cgroup/cgroup.controllers ] && [ -d /sys/fs/cgroup ] &&
		! mountpoint -q /sys/fs/cgroup; then
		mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
	fi
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
		memcg=/sys/fs/cgroup/sentry-test-$$
		mkdir "$memcg" 2>/dev/null && echo 268435456 >"$memcg/memory.max" 2>/dev/null ||
			{ rmdir "$memcg" 2>/dev/null; memcg=; }
	fi
fi
if [ -n "$memcg" ]; then
	out=$(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$memcg" \
		timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/net.json" -- "$tgt" sysinfo 2)
	echo "$out (cgroup $memcg)" | diag
	total=$(sed -n 's/.*totalram=\([0-9]*\).*/\1/p' <<<"$out")
	free=$(sed -n 's/.*freeram=\([0-9]*\).*/\1/p' <<<"$out")
	{ [ "$total" = 268435456 ] &&
		[ "$free" -gt 0 ] && [ "$free" -lt "$total" ]; }
	check "sysinfo_totalram_is_cgroup_limit" [ $? = 0 ]
	out=$(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$memcg" \
		timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/net.json" -- python3 -c "
import ctypes
class S(ctypes.Structure):
    _fields_ = [('uptime', ctypes.c_long), ('loads', ctypes.c_ulong * 3),
                ('totalram', ctypes.c_ulong), ('freeram', ctypes.c_ulong)]
s = S()
assert ctypes.CDLL(None, use_errno=True).sysinfo(ctypes.byref(s)) == 0
print(s.totalram)" 2>&1)
	check "sysinfo_python3_sees_cgroup_limit" [ "$out" = 268435456 ]
	rmdir "$memcg" 2>/dev/null
else
	skip "sysinfo_totalram_is_cgroup_limit (no memory cgroup to create)"
	skip "sysinfo_python3_sees_cgroup_limit (no memory cgroup to create)"
fi
host_up=$(cut -d. -f1 /proc/uptime)
out=$(rr net "$tgt" sysinfo 2)
echo "$out (host uptime $host_up)" | diag
up=$(sed -n 's/.*uptime=\([0-9]*\).*/\1/p' <<<"$out")
{ [ -n "$up" ] && [ "$up" -ge 1 ] &&
	[ "$up" -le 60 ] && [ "$up" -lt "$host_up" ]; }
check "sysinfo_uptime_since_sandbox_start" [ $? = 0 ]
if command -v busybox >/dev/null; then
	out=$(rr net busybox uptime 2>&1)
	echo "$out" | diag
	check "sysinfo_busybox_uptime" grep -qE "up +[0-9]+ min" <<<"$out"
else
	skip "sysinfo_busybox_uptime (no busybox)"
fi

# ---- mount handler: allowlisted types and targets, in the target's mount namespace
m=$work/m
mkdir -p "$m/mnt/a" "$m/mnt/b" "$m/other" "$m/src"
echo from-src >"$m/src/f"
ln -s "$m/other" "$m/mnt/link"
cat >"$pol/mount.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "files":{"readOnly":["$d/ro"],"hidden":["$m/mnt/hidden"]},
 "mount":{"fsTypes":["tmpfs"],"targets":["$m/mnt"],"bind":true}}}}
JSON
mkdir -p "$m/mnt/hidden"
mounted() { grep -q " $1 " /proc/self/mountinfo; }
{ [ "$(rr mount "$tgt" mount tmpfs "$m/mnt/a" size=1m)" = mount=0 ] && mounted "$m/mnt/a"; }
check "mount_tmpfs_at_allowed_target" [ $? = 0 ]
{ [ "$(rr mount "$tgt" umount "$m/mnt/a")" = umount=0 ] && ! mounted "$m/mnt/a"; }
check "umount_allowed_target" [ $? = 0 ]
check "mount_type_not_allowed_is_eperm" [ "$(rr mount "$tgt" mount proc "$m/mnt/a" x)" = mount=EPERM ]
check "mount_target_not_allowed_is_eperm" [ "$(rr mount "$tgt" mount tmpfs "$m/other" x)" = mount=EPERM ]
{ [ "$(rr mount "$tgt" mount tmpfs "$m/mnt/link" x)" = mount=EPERM ] && ! mounted "$m/other"; }
check "mount_symlink_out_of_target_is_eperm" [ $? = 0 ]
check "mount_over_hidden_is_enoent" [ "$(rr mount "$tgt" mount tmpfs "$m/mnt/hidden" x)" = mount=ENOENT ]
check "umount_elsewhere_is_eperm" [ "$(rr mount "$tgt" umount /tmp)" = umount=EPERM ]
{ [ "$(rr mount "$tgt" mount "bind:$m/src" "$m/mnt/b" x)" = mount=0 ] &&
	[ "$(cat "$m/mnt/b/f")" = from-src ]; }
check "mount_bind_allowed" [ $? = 0 ]
umount "$m/mnt/b" 2>/dev/null
check "mount_bind_of_read_only_is_eperm" [ "$(rr mount "$tgt" mount "bind:$d/ro" "$m/mnt/b" x)" = mount=EPERM ]
if command -v busybox >/dev/null; then
	{ rr mount busybox mount -t tmpfs -o size=1m none "$m/mnt/a" && mounted "$m/mnt/a" &&
		rr mount busybox umount "$m/mnt/a" && ! mounted "$m/mnt/a"; }
	check "mount_busybox_mount_and_umount" [ $? = 0 ]
else
	skip "mount_busybox_mount_and_umount (no busybox)"
fi
for t in a b link other; do umount -l "$m/mnt/$t" "$m/$t" 2>/dev/null; done

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
assert ('newfstatat', 'errno', 'ENOENT') in seen or ('statx', 'errno', 'ENOENT') in seen, seen
assert ('fchmodat', 'denied:read-only', 'EROFS') in seen, seen
assert ('connect', 'denied', 'ECONNREFUSED') in seen, seen
assert ('mount', 'emulated', None) in seen, seen
assert ('connect', 'emulated', None) in seen, seen
assert ('sendto', 'denied', 'ECONNREFUSED') in seen, seen
assert ('sysinfo', 'emulated', None) in seen, seen
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
out=$(timeout 60 "$bin/redirect-run" -s "$sock" -p "$work/unknown.json" -- touch "$work/ran" 2>&1)
rc=$?
echo "$out" | diag
check "bad_input_unknown_policy_refused" grep -q 'unknown policy "unknown"' "$log"
# redirect-run waits for the daemon's answer: an unknown policy is exit 125
# with the daemon's reason, and the command never runs (before: it ran, and
# every notified call answered ENOSYS)
check "redirect_run_unknown_policy_exits_125_with_reason_and_runs_nothing" eval \
	'[ $rc = 125 ] && grep -q "usersentry refused the sandbox: unknown policy \"unknown\"" <<<"$out" &&
	[ ! -e "$work/ran" ]'
# the reply is for messages that ask for it; runc's (no annotation) get none
agent_reply() { # annotations JSON: what the daemon sends back before it closes
	python3 - "$sock" "$1" <<'PY'
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
st = {"ociVersion": "1.0.2-dev", "id": "reply-test", "status": "creating", "pid": os.getpid(),
      "bundle": "/", "annotations": json.loads(sys.argv[2])}
msg = {"ociVersion": "1.0.2-dev", "fds": ["seccompFd"], "pid": os.getpid(),
       "metadata": "uname", "state": st}
fd = os.open("/dev/null", os.O_RDONLY)
socket.send_fds(s, [json.dumps(msg).encode()], [fd])
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(repr(data))
PY
}
# shellcheck disable=SC2034 # read by the eval'd check below
n_rej=$(grep -c "is not a seccomp listener" "$log")
out=$(agent_reply '{}')
# refused as the one below is (no listener), but silently
check "agent_message_without_reply_annotation_gets_no_reply" eval '[ "$out" = "b'"''"'" ] &&
	[ "$(grep -c "is not a seccomp listener" "$log")" = $((n_rej + 1)) ]'

out=$(agent_reply '{"dev.redirect.agent-reply":"1"}')
echo "$out" | diag
check "agent_message_asking_for_reply_gets_refusal_reason" \
	grep -q '"accepted": *false.*"error": *".*listener' <<<"$out"
"$bin/redirect-run" -s "$sock" -p "$pol/uname.json" -i spinner -- "$tgt" spin &
rrpid=$!
wait_log "call sandbox=spinner"
# metrics while the spinner is live
metrics_port() { sed -n 's/.*metrics on tcp:127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log" | tail -1; }
# A strict reader of the text exposition format 0.0.4: every sample of a
# declared family, well-formed labels, one TYPE per family, no duplicate
# series, counters and buckets non-negative and buckets cumulative.
prom_parse() {
	python3 -c '
import re, sys
name = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
lab = r"[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\n]|\\\\[\\\\\"n])*\""
sample = re.compile(r"^(" + name + r")(?:\{((?:" + lab + r")(?:," + lab + r")*)?\})? (\S+)$")
types, seen, buckets = {}, set(), {}
for ln, line in enumerate(sys.stdin.read().split("\n"), 1):
    if not line:
        continue
    if line.startswith("# TYPE "):
        _, _, fam, typ = line.split(" ", 3)
        assert fam not in types, "line %d: second TYPE for %s" % (ln, fam)
        assert typ in ("counter", "gauge", "histogram", "summary", "untyped"), line
        types[fam] = typ
        continue
    if line.startswith("#"):
        continue
    m = sample.match(line)
    assert m, "line %d: not a sample: %r" % (ln, line)
    metric, labels, value = m.groups()
    v = float(value)
    fam = re.sub(r"_(bucket|sum|count)$", "", metric) if metric not in types else metric
    assert fam in types, "line %d: %s has no TYPE" % (ln, metric)
    key = (metric, labels)
    assert key not in seen, "line %d: duplicate series %r" % (ln, line)
    seen.add(key)
    if types[fam] in ("counter", "histogram"):
        assert v >= 0, "line %d: negative %r" % (ln, line)
    if metric.endswith("_bucket"):
        rest = re.sub(r",?le=\"[^\"]*\"", "", labels)
        assert v >= buckets.get((fam, rest), 0), "line %d: buckets not cumulative" % ln
        buckets[(fam, rest)] = v
print(len(seen))
'
}
metrics_text() { # the exposition, scraped over TCP; fails unless it parses
	local text
	text=$(curl -sf --max-time 10 "http://127.0.0.1:$(metrics_port)/metrics") || return 1
	prom_parse <<<"$text" >"$work/prom.count" || return 1
	echo "$text"
}
check "metrics_tcp_scrape_parses_as_prometheus_text" \
	eval '[ -n "$(metrics_port)" ] && metrics_text >/dev/null && [ "$(cat "$work/prom.count")" -gt 5 ]'
metrics=$(metrics_text)
echo "$metrics" | grep -E 'spinner|kernel' | grep -E 'calls_total|count' | head -8 | diag
check "metrics_count_sentry_calls_per_sandbox" \
	grep -qE '^usersentry_calls_total\{sandbox="spinner",syscall="uname"\} [1-9]' <<<"$metrics"
check "metrics_latency_histogram" \
	grep -qE '^usersentry_call_latency_seconds_count\{sandbox="spinner"\} [1-9]' <<<"$metrics"
if [ "$mode" = module ]; then
	check "metrics_kernel_counters_over_netlink" \
		grep -qE '^redirect_kernel_calls_total\{sandbox="spinner",stat="forwarded"\} [1-9]' <<<"$metrics"
	check "metrics_kernel_latency_histogram" \
		grep -qE '^redirect_kernel_call_latency_seconds_count\{sandbox="spinner"\} [1-9]' <<<"$metrics"
fi
pkill -9 -P "$rrpid" 2>/dev/null || kill -9 "$rrpid"
wait "$rrpid" 2>/dev/null
wait_log "sandbox=spinner ended"
# an ended sandbox's final counts stay for the grace period: rate() sees the last interval
kept_after_end() { # no live sandbox, and the spinner's calls still served
	local m
	m=$(metrics_text) && grep -q '^usersentry_sandboxes{mode="[a-z]*"} 0$' <<<"$m" &&
		grep -qE '^usersentry_calls_total\{sandbox="spinner",syscall="uname"\} [1-9]' <<<"$m"
}
for i in $(seq 50); do kept_after_end && break; sleep 0.1; done
check "metrics_ended_sandbox_kept_for_grace_period" kept_after_end
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
{ [ $rc = 0 ] &&
	grep -q "first errno=13" "$work/watch.out"; }
check "sighup_replaces_tier1_rules_of_live_sandbox" [ $? = 0 ]
check "sighup_daemon_alive" kill -0 "$daemon"

# ---- the control socket: line-oriented JSON, root only, never holding up calls
ctlsock=$sock.control
ctl() { # a request line (raw) [uid]: the answer line
	python3 - "$ctlsock" "$1" "${2:-0}" <<'PY'
import os, socket, sys
path, line, uid = sys.argv[1], sys.argv[2], int(sys.argv[3])
if uid:
    os.setgid(uid)
    os.setuid(uid)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(30)
try:
    s.connect(path)
except OSError as e:
    print("connect: " + e.strerror)
    sys.exit(0)
try:
    s.sendall(line.encode() + b"\n")
except OSError:
    pass  # refused at once: the answer is waiting all the same
data = b""
while not data.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode())
PY
}
jget() { # JSON text, a python expression on it as j
	python3 -c 'import json, sys; j = json.loads(sys.argv[1]); v = eval(sys.argv[2])
print(" ".join(map(str, v)) if isinstance(v, tuple) else v)' "$1" "$2"
}
check "control_socket_is_mode_0600" [ "$(stat -c %a "$ctlsock")" = 600 ]
out=$(ctl '{"op":"status"}')
echo "$out" | diag
check "control_status_names_daemon_and_mode" eval '[ "$(jget "$out" "j[\"ok\"], j[\"pid\"], j[\"mode\"]")" = "True $daemon $mode" ]'
out=$(ctl '{"op":"policy","name":"uname"}')
check "control_policy_known" [ "$(jget "$out" 'j["known"], j["policy"]')" = "True uname" ]
out=$(ctl '{"op":"policy","name":"no-such-policy"}')
echo "$out" | diag
check "control_policy_unknown_says_why" \
	[ "$(jget "$out" 'j["ok"], j["known"], "unknown policy" in j["reason"]')" = "True False True" ]
out=$(ctl '{"op":"policy","name":"../etc/passwd"}')
check "control_policy_bad_name_refused" [ "$(jget "$out" 'j["known"], "invalid" in j["reason"]')" = "False True" ]
out=$(ctl '{"op":"shutdown"}')
check "control_unknown_op_refused_by_name" [ "$(jget "$out" 'j["ok"], "shutdown" in j["error"]')" = "False True" ]
out=$(ctl '{"op":"status","name":"x"}')
check "control_status_takes_no_name" [ "$(jget "$out" 'j["ok"]')" = False ]
out=$(ctl "$(head -c 5000 /dev/zero | tr '\0' x)")
check "control_overlong_line_refused" [ "$(jget "$out" 'j["ok"], j["error"]')" = "False request line too long" ]
# the socket's mode keeps others out; the peer check holds when the mode does not
wmode=$(stat -c %a "$work")
chmod 666 "$ctlsock"
chmod o+x "$work"
out=$(ctl '{"op":"status"}' 65534)
chmod 600 "$ctlsock"
chmod "$wmode" "$work"
echo "$out" | diag
check "control_refuses_non_root_peer" [ "$(jget "$out" 'j["ok"], "root only" in j["error"]')" = "False True" ]
# a client that sends half a line holds up nothing, and is dropped at the deadline
python3 - "$ctlsock" "$work/half-sent" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"op":"sta')
open(sys.argv[2], "w").close()
time.sleep(6)
PY
hpid=$!
for _ in $(seq 100); do [ -e "$work/half-sent" ] && break; sleep 0.05; done
t0=$(date +%s%N)
out=$(rr uname uname -r)
t1=$(date +%s%N)
check "control_stalled_client_holds_up_no_call" [ "$out" = "$release" ]
wait_log "control: connection timed out before a request"
check "control_stalled_client_dropped_at_deadline" grep -q "control: connection timed out" "$log"
kill "$hpid" 2>/dev/null
wait "$hpid" 2>/dev/null

# ---- reload semantics: a reload never changes what a live sandbox's filter
# notifies. Six sandboxes read a remapped file and call uname in a loop while
# their policy loses its "files" section and gets it back, four times (SIGHUP
# and the control socket); every open must still be remapped (before: ENOSYS).
# A sandbox started after the reload gets the new policy.
cat >"$pol/live.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "uname":{"release":"$release"},
 "files":{"remap":[{"from":"$d/a.txt","to":"$d/b.txt"}]}}}}
JSON
cp "$pol/live.json" "$work/live-files.json"
cat >"$work/live-nofiles.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "uname":{"release":"$release"}}}}
JSON
rm -f "$work/stop-live"
lpids=
for i in 1 2 3 4 5 6; do
	timeout 300 "$bin/redirect-run" -s "$sock" -p "$pol/live.json" -i "live$i" -- \
		"$tgt" mixed 2 0 "$d/a.txt" $'mapped\n' "$release" "$work/stop-live" \
		>"$work/live$i.out" 2>&1 &
	lpids="$lpids $!"
done
for _ in $(seq 300); do
	[ "$(grep -c 'sandbox=live[1-6] attached' "$log")" -ge 6 ] && break
	sleep 0.1
done
reloads=$(grep -c "reload done" "$log")
for r in 1 2 3 4; do
	sleep 1
	if [ $((r % 2)) = 1 ]; then cp "$work/live-nofiles.json" "$pol/live.json"
	else cp "$work/live-files.json" "$pol/live.json"; fi
	if [ $r -le 2 ]; then kill -HUP "$daemon"; else ctl '{"op":"reload"}' >"$work/reload$r.out"; fi
	wait_log "reload done" $((reloads + r))
	if [ $r = 1 ]; then
		# a new sandbox under the policy as it is now: its filter notifies no open
		out=$(rr live cat "$d/a.txt" 2>&1)
		check "reload_new_sandbox_gets_new_policy" [ "$out" = real ]
		out=$(ctl '{"op":"status"}')
		echo "$out" | diag
		check "reload_status_counts_sandboxes_keeping_handlers" \
			[ "$(jget "$out" 'j["sandboxes_keeping_handlers"]')" = 6 ]
		out=$(ctl '{"op":"sandboxes"}')
		check "reload_sandboxes_name_kept_calls" [ "$(jget "$out" \
			'sum(1 for s in j["sandboxes"] if s["kept_handlers"] and " open " in " " + s["kept_handlers"] and "(policy live)" in s["kept_handlers"])')" = 6 ]
	fi
done
diag <"$work/reload3.out"
check "reload_over_control_reports_what_it_did" \
	[ "$(jget "$(cat "$work/reload3.out")" 'j["ok"], j["replaced"] >= 6, j["keeping_handlers"] >= 6')" = "True True True" ]
sleep 1
touch "$work/stop-live"
lrc=0
for p in $lpids; do wait "$p" || lrc=1; done
for i in 1 2 3 4 5 6; do sed "s/^/live$i: /" "$work/live$i.out" | diag; done
grep "decided as before" "$log" | head -2 | diag
check "reload_live_sandboxes_keep_handlers_their_filter_needs" [ "$lrc" = 0 ]
check "reload_log_says_what_was_kept" grep -q "sandbox=live1 policy=live rules replaced; its filter notifies calls the new policy does not, decided as before: .*open.*(policy live)" "$log"
cp "$work/live-files.json" "$pol/live.json"

# ---- audit bounds: rate limit and size bound (a second daemon)
stop_daemon
rm -f "$audit" "$audit.1"
start --audit-rate 20 --audit-max-bytes 100000 -m "unix:$work/metrics2"
# the Unix form still serves the same exposition (redirectctl status reads it)
check "metrics_unix_socket_form" eval '"$bin/redirectctl" status --socket "$sock" \
	--metrics "$work/metrics2" | grep -q "sandboxes:  0"'
t0=$(date +%s%N)
# calls until some were dropped (a slow guest makes fewer than 20 a second at first)
rm -f "$work/stop-rate"
rr uname "$tgt" threads 2 120 "$release" "$work/stop-rate" >/dev/null &
apid=$!
for i in $(seq 1200); do
	sleep 0.05
	[ "$i" -ge 20 ] && grep -q '"dropped":[1-9]' "$audit" 2>/dev/null && break
done
touch "$work/stop-rate"
wait "$apid"
t1=$(date +%s%N)
lines=$(cat "$audit" "$audit.1" 2>/dev/null | wc -l)
bound=$((20 + 20 * ((t1 - t0) / 1000000000 + 1)))
echo "audit lines at 20/s: $lines (bound $bound)" | diag
{ [ "$lines" -le "$bound" ] && [ "$lines" -ge 1 ] &&
	grep -q '"dropped":[1-9]' "$audit"; }
check "audit_rate_limited" [ $? = 0 ]
stop_daemon
rm -f "$audit" "$audit.1"
start --audit-rate 0 --audit-max-bytes 8192
# calls until the log has rotated twice (a slow guest needs longer than a second)
rm -f "$work/stop-audit"
rr uname "$tgt" threads 2 120 "$release" "$work/stop-audit" >/dev/null &
apid=$!
for i in $(seq 1200); do
	[ -f "$audit.1" ] && [ "$(grep -c . "$audit.1")" -gt 0 ] &&
		[ "$(stat -c %s "$audit" 2>/dev/null)" -gt 4096 ] 2>/dev/null && break
	sleep 0.05
done
touch "$work/stop-audit"
wait "$apid"
# just rotated and nothing written since: no current file yet
size=$(stat -c %s "$audit" 2>/dev/null || echo 0)
echo "audit size $size, rotated $(stat -c %s "$audit.1" 2>/dev/null)" | diag
{ [ "$size" -le 8192 ] && [ -f "$audit.1" ] &&
	[ "$(stat -c %s "$audit.1")" -le 8192 ]; }
check "audit_size_bounded" [ $? = 0 ]

# ---- the default log level: no line per call; the audit has every call, written in batches
stop_daemon
rm -f "$audit" "$audit.1"
start --log-level info --audit-rate 0
lines=$(wc -l <"$log")
out=$(rr uname "$tgt" threads 2 1 "$release" 2>&1)
rc=$?
echo "$out" | diag
{ [ $rc = 0 ] && [ "$(tail -n +$((lines + 1)) "$log" | grep -c "syscall=")" = 0 ] &&
	[ "$(grep -c '"syscall":"uname"' "$audit")" -ge 10 ]; }
check "log_level_info_writes_no_line_per_call" [ $? = 0 ]
refuses_level() {
	local err rc=0
	err=$(timeout 5 "$bin/usersentry" -s "$sock.x" -d "$pol" --log-level loud 2>&1) || rc=$?
	[ "$rc" = 2 ] && [[ "$err" == *'--log-level: "loud" is not info or calls'* ]] &&
		[ ! -e "$sock.x" ]
}
check "log_level_unknown_is_refused" refuses_level

# ---- worker pool: calls that may block are answered by workers, the rest keep flowing
stop_daemon
scrape() { # a metric's value (0 when absent), e.g. scrape 'usersentry_workers{state="busy"}'
	metrics_text | awk -v m="$1" '$1 == m { print $NF; found = 1; exit } END { if (!found) print 0 }'
}
wait_metric() { # metric, wanted value, seconds: until it has it
	local i
	for i in $(seq $((${3:-10} * 10))); do
		[ "$(scrape "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
in_fifo_open() { # a thread of the daemon waits in the open of a FIFO
	local i
	for i in $(seq 100); do
		cat /proc/"$daemon"/task/*/wchan 2>/dev/null | grep -q wait_for_partner && return 0
		sleep 0.1
	done
	return 1
}
printf pool-mapped >"$d/pool-b.txt"
echo real >"$d/pool-a.txt"
cat >"$pol/pool.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "uname":{"release":"$release"},
 "files":{"remap":[{"from":"$d/pool-a.txt","to":"$d/pool-b.txt"}]}}}}
JSON
mkfifo "$d/rw/pool-fifo" "$d/rw/pool-fifo2"
rm -f "$audit"
start -m tcp:127.0.0.1:0 --audit-rate 0 --workers 4 --worker-idle 1
check "pool_starts_empty" [ "$(scrape usersentry_workers_started_total)" = 0 ]
# an open of a FIFO without a writer blocks in the Sentry (as the target would)
timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/pool.json" -i fifo-reader -- \
	cat "$d/rw/pool-fifo" >"$work/fifo.out" 2>&1 &
fpid=$!
{ in_fifo_open && [ "$(scrape 'usersentry_workers{state="busy"}')" = 1 ]; }
check "pool_fifo_open_in_a_worker" [ $? = 0 ]
t0=$(date +%s%N)
pooled0=$(scrape usersentry_calls_pooled_total)
out1=$(timeout 10 "$bin/redirect-run" -s "$sock" -p "$pol/pool.json" -- uname -r)
out2=$(timeout 10 "$bin/redirect-run" -s "$sock" -p "$pol/pool.json" -- cat "$d/pool-a.txt")
pooled1=$(scrape usersentry_calls_pooled_total)
t1=$(date +%s%N)
echo "uname and cat while the FIFO open blocks: $(((t1 - t0) / 1000000)) ms" | diag
{ [ "$out1" = "$release" ] && [ "$out2" = pool-mapped ] && kill -0 "$fpid" 2>/dev/null &&
	[ ! -s "$work/fifo.out" ]; }
check "pool_blocked_call_does_not_stall_other_sandboxes" [ $? = 0 ]
# opens of regular files (the loader's, cat's) cannot block: the main thread serves them
echo "calls pooled by uname and cat: $((pooled1 - pooled0))" | diag
check "pool_regular_file_opens_served_inline" [ "$pooled1" = "$pooled0" ]
# a reload replaces the policy the blocked call was queued with: the worker keeps its own
reloads=$(grep -c "reload done" "$log")
kill -HUP "$daemon"
wait_log "reload done" $((reloads + 1))
echo from-writer >"$d/rw/pool-fifo"
wait "$fpid"
rc=$?
{ [ $rc = 0 ] && [ "$(cat "$work/fifo.out")" = from-writer ] && kill -0 "$daemon"; }
check "pool_blocked_call_answered_after_a_reload" [ $? = 0 ]
# many calls from 8 threads, file opens and uname, beside FIFO opens in workers: every answer right
pooled0=$(scrape usersentry_calls_pooled_total)
fifo_pids=
for i in 1 2 3; do
	mkfifo "$d/rw/pool-many-$i"
	timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/pool.json" -i "fifo-many-$i" -- \
		cat "$d/rw/pool-many-$i" >/dev/null 2>&1 &
	fifo_pids="$fifo_pids $!"
done
out=$(rr pool "$tgt" mixed 8 150 "$d/pool-a.txt" pool-mapped "$release" 2>&1)
rc=$?
echo "$out" | diag
for i in 1 2 3; do echo x >"$d/rw/pool-many-$i"; done
wait $fifo_pids
check "pool_8_threads_mixed_calls_right_answers" [ $rc = 0 ]
pooled1=$(scrape usersentry_calls_pooled_total)
echo "workers started $(scrape usersentry_workers_started_total), pooled calls" \
	"$((pooled1 - pooled0))" | diag
check "pool_fifo_opens_answered_by_workers" [ $((pooled1 - pooled0)) = 3 ]
{ [ "$(scrape usersentry_workers_started_total)" -ge 2 ] &&
	[ "$(scrape 'usersentry_workers{state="idle"}')" -le 4 ]; }
check "pool_grew_and_stays_under_its_cap" [ $? = 0 ]
# idle workers exit after --worker-idle
wait_metric 'usersentry_workers{state="idle"}' 0 10
{ [ $? = 0 ] && [ "$(scrape usersentry_workers_exited_total)" -ge 2 ] &&
	grep -q "pool: worker exited, idle" "$log"; }
check "pool_idle_workers_exit" [ $? = 0 ]
# a sandbox ends while its call is in a worker: the worker is released, nothing leaks
fds0=$(fd_count)
"$bin/redirect-run" -s "$sock" -p "$pol/pool.json" -i fifo-dies -- cat "$d/rw/pool-fifo2" \
	>/dev/null 2>&1 &
fpid=$!
in_fifo_open
check "pool_second_fifo_open_in_a_worker" [ $? = 0 ]
pkill -9 -P "$fpid" 2>/dev/null || kill -9 "$fpid"
wait "$fpid" 2>/dev/null
wait_log "sandbox=fifo-dies ended"
wait_metric 'usersentry_workers{state="busy"}' 0 10
check "pool_sandbox_end_releases_its_worker" [ $? = 0 ]
wait_metric 'usersentry_workers{state="idle"}' 0 10
fds1=$(fd_count)
echo "fds before $fds0 after $fds1" | diag
grep "fifo-dies" "$log" | tail -3 | diag
check "pool_sandbox_end_no_fd_leak" [ "$fds0" = "$fds1" ]
{ kill -0 "$daemon" && [ "$(rr pool cat "$d/pool-a.txt")" = pool-mapped ]; }
check "pool_daemon_alive_and_serving" [ $? = 0 ]
# --workers 0: one thread, as before (the blocking open stalls everything)
stop_daemon
start -m tcp:127.0.0.1:0 --workers 0
timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/pool.json" -- cat "$d/rw/pool-fifo" \
	>/dev/null 2>&1 &
fpid=$!
in_fifo_open
out1=$(timeout 3 "$bin/redirect-run" -s "$sock" -p "$pol/pool.json" -- uname -r)
check "pool_disabled_blocking_call_stalls_the_daemon" [ "$out1" != "$release" ]
echo x >"$d/rw/pool-fifo"
wait "$fpid"
check "pool_disabled_no_worker_started" [ "$(scrape usersentry_workers_started_total)" = 0 ]
# An agent message that arrives while the loop is busy past the connection's
# deadline (--conn-timeout) is still read: the expiry stops input, then
# serves what is queued. The FIFO open must block the loop within the 4 s.
# (Closed unread, its listener would go with it, and the sandbox's notified
# calls would fail with ENOSYS: a candidate for F7.)
stop_daemon
start --workers 0 --conn-timeout 4000
python3 - "$sock" "$work/late-go" "$work/late-sent" >"$work/late.out" 2>&1 <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
print("connected", os.getpid(), flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.02)
s.sendall(b'{"not": "an agent message"}')
open(sys.argv[3], "w").close()
time.sleep(30)
PY
lpid=$!
# connected (python starts slowly under TCG); the idle daemon accepts at once
for _ in $(seq 200); do grep -q connected "$work/late.out" 2>/dev/null && break; sleep 0.05; done
t_conn=$(date +%s%N)
timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/pool.json" -- cat "$d/rw/pool-fifo" \
	>/dev/null 2>&1 &
fpid=$!
in_fifo_open
touch "$work/late-go"
# sent, and the 4 s deadline passed, all while the loop waits in the open
for _ in $(seq 400); do [ -e "$work/late-sent" ] && break; sleep 0.05; done
while [ $((($(date +%s%N) - t_conn) / 1000000)) -lt 4600 ]; do sleep 0.1; done
echo x >"$d/rw/pool-fifo"
wait "$fpid"
wait_log "agent message from pid $lpid rejected\|agent connection from pid $lpid timed out"
grep "pid $lpid" "$log" | diag
check "conn_message_queued_past_deadline_is_read" grep -q "agent message from pid $lpid rejected" "$log"
kill "$lpid" 2>/dev/null
wait "$lpid" 2>/dev/null
rm -f "$work/late-go" "$work/late-sent"
# a clean stop with a call stuck in a worker: no hang, the call left (to the module)
stop_daemon
start -m tcp:127.0.0.1:0 --workers 2
"$bin/redirect-run" -s "$sock" -p "$pol/pool.json" -i stuck -- cat "$d/rw/pool-fifo2" \
	>/dev/null 2>&1 &
fpid=$!
in_fifo_open
t0=$(date +%s%N)
stop_daemon
t1=$(date +%s%N)
echo "stopped in $(((t1 - t0) / 1000000)) ms" | diag
{ [ $(((t1 - t0) / 1000000)) -lt 8000 ] && grep -q "1 calls still in workers" "$log"; }
check "pool_clean_stop_with_a_stuck_call" [ $? = 0 ]
pkill -9 -P "$fpid" 2>/dev/null || kill -9 "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
