# SPDX-License-Identifier: GPL-2.0
# The abi section: system calls newer than the kernel, emulated by the Sentry;
# sourced by run.sh and run-in-vm.sh after tests.sh (its helpers, no daemon).
#
# abi_calls.expected is what a kernel that has each call answers (6.18,
# the host), with mseal as the Sentry answers it (ENOSYS): checked against
# the running kernel wherever it has the calls, so it stays true.
# shellcheck shell=bash
# shellcheck disable=SC2154 # tests.sh and the sourcing script set the paths and work dir

abi_bin=$top/build/selftests/sentry/abi_calls
abi_want=$top/selftests/sentry/abi_calls.expected
calls='"fchmodat2","cachestat","faccessat2","mseal"'
cat >"$pol/abi.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "abi":{"emulate":[$calls]}}}}
JSON
cat >"$pol/abi-force.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "abi":{"emulate":[$calls],"force":[$calls]}}}}
JSON
# Docker's profile has three architectures: the numbers go ahead of libseccomp's program
cp "$top/usersentry/policies/default.json" "$pol/shipped-default.json"
ln -sf "$top/build/policies/docker-default.json" "$pol/docker-default.json"
cat >"$pol/abi-docker.json" <<JSON
{"extends":"shipped-default.json","redirect":{"sentry":{"abi":{"emulate":[$calls],"force":[$calls]}}}}
JSON
abi_run() { # policy or "" (natively): the program's lines
	local dir
	dir=$(mktemp -d "$work/abi.XXXXXX")
	if [ -n "$1" ]; then rr "$1" "$abi_bin" "$dir"; else "$abi_bin" "$dir"; fi
}
no_mseal() { grep -v '^mseal '; }
start
native=$(abi_run "")
echo "$native" | sed 's/^/native: /' | diag
has_new=0
grep -q '^fchmodat2 plain: ok' <<<"$native" && has_new=1
if [ $has_new = 1 ]; then
	# this kernel has them: the expectations are its answers
	# cachestat of a file on overlayfs (a VM guest's root) counts the overlay
	# inode's own page cache, which stays empty: there only the counts differ
	cache_n() { cat; }
	[ "$(findmnt -no FSTYPE -T "$work" 2>/dev/null)" = overlay ] &&
		cache_n() { sed -E 's/^(cachestat [a-z_]+: ok) cache=[0-9]+/\1 cache=N/'; }
	check "abi_expected_is_what_this_kernel_answers" \
		[ "$(no_mseal <<<"$native" | cache_n)" = "$(no_mseal <"$abi_want" | cache_n)" ]
	out=$(abi_run abi)
	check "abi_emulate_notifies_nothing_the_kernel_has" [ "$out" = "$native" ]
else
	# it lacks them: each is ENOSYS natively
	bad=$(grep -E '^(fchmodat2|cachestat|mseal) ' <<<"$native" | grep -vc 'errno=ENOSYS')
	check "abi_calls_are_enosys_natively" [ "$bad" = 0 ]
	out=$(abi_run abi)
	echo "$out" | sed 's/^/emulated: /' | diag
	check "abi_emulated_calls_answer_as_a_newer_kernel" [ "$out" = "$(cat "$abi_want")" ]
fi
out=$(abi_run abi-force)
echo "$out" | sed 's/^/forced: /' | diag
check "abi_forced_emulation_answers_as_the_kernel" [ "$out" = "$(cat "$abi_want")" ]
check "abi_forced_calls_went_to_the_sentry" \
	grep -qE 'syscall=fchmodat2 verdict=emulated' "$log"
# the shipped newer-abi.json: fchmodat2 and cachestat as a newer kernel answers them
cp "$top/usersentry/policies/newer-abi.json" "$pol/newer-abi.json"
sed -i 's/"default.json"/"shipped-default.json"/' "$pol/newer-abi.json"
out=$(abi_run newer-abi | grep -E '^(fchmodat2|cachestat) ')
check "abi_shipped_newer_abi_policy" \
	[ "$out" = "$(grep -E '^(fchmodat2|cachestat) ' "$abi_want")" ]
# the emulated fchmodat2 is performed under the file rules
mkdir -p "$work/abi-ro" && touch "$work/abi-ro/f"
cat >"$pol/abi-ro.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "abi":{"emulate":["fchmodat2"],"force":["fchmodat2"]},
 "files":{"readOnly":["$work/abi-ro"]}}}}
JSON
if command -v python3 >/dev/null; then
	out=$(rr abi-ro python3 -c '
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(452, -100, sys.argv[1].encode(), 0o600, 0)
print(errno.errorcode.get(ctypes.get_errno(), "?") if r < 0 else "ok")' "$work/abi-ro/f")
	check "files_read_only_refuses_fchmodat2" [ "$out" = EROFS ]
else
	skip "files_read_only_refuses_fchmodat2 (no python3)"
fi
out=$(abi_run abi-docker)
check "abi_by_number_under_a_three_architecture_profile" [ "$out" = "$(cat "$abi_want")" ]
stop_daemon
