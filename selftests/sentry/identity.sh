# SPDX-License-Identifier: GPL-2.0
# The kernel section's one identity and the synthetic files that serve it;
# sourced by run.sh and run-in-vm.sh after tests.sh (its helpers, no daemon).
# shellcheck shell=bash
# shellcheck disable=SC2154 # tests.sh and the sourcing script set the paths and work dir

kr=6.99.1-identity
kv="#42 SMP PREEMPT_DYNAMIC identity"
cat >"$pol/kernel.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "kernel":{"release":"$kr","version":"$kv"}}}}
JSON
# the same, with /proc/version hidden by a file rule: the rule wins
cat >"$pol/kernel-hidden.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "kernel":{"release":"$kr"},"files":{"hidden":["/proc/version"]}}}}
JSON
start
host_r=$(uname -r)

out=$(rr kernel sh -c 'uname -r; cat /proc/sys/kernel/osrelease; cat /proc/version;
	cat /proc/sys/kernel/version; uname -v' 2>&1)
echo "$out" | diag
want=$(printf '%s\n%s\n' "$kr" "$kr")
{ [ "$(echo "$out" | sed -n 1,2p)" = "$want" ] &&
	echo "$out" | sed -n 3p | grep -q "^Linux version $kr (.*) $kv\$" &&
	[ "$(echo "$out" | sed -n 4,5p)" = "$(printf '%s\n%s' "$kv" "$kv")" ]; }
check "kernel_identity_uname_proc_version_osrelease_version_agree" [ $? = 0 ]
if command -v python3 >/dev/null; then
	check "kernel_identity_python_platform_release" \
		[ "$(rr kernel python3 -c 'import platform; print(platform.release())')" = "$kr" ]
	# the opened fd: a sealed read-only memfd at offset 0, O_CLOEXEC as asked,
	# by open, openat and openat2 (os.open is openat with O_CLOEXEC; ctypes for the rest)
	out=$(rr kernel python3 -c '
import ctypes, errno, fcntl, os, stat
libc = ctypes.CDLL(None, use_errno=True)
r = []
fd = os.open("/proc/sys/kernel/osrelease", os.O_RDONLY)
r.append(os.read(fd, 100).decode().strip())
seals = fcntl.fcntl(fd, 1034)			# F_GET_SEALS
r.append(seals == 15)				# SEAL, SHRINK, GROW, WRITE
r.append(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY)
r.append(stat.S_IMODE(os.fstat(fd).st_mode) == 0o444)
fdn = libc.syscall(257, -100, b"/proc/version", 0)	# openat without O_CLOEXEC
r.append(bool(fcntl.fcntl(fdn, fcntl.F_GETFD) & fcntl.FD_CLOEXEC))
fd2 = os.open("/proc/version", os.O_RDONLY | os.O_CLOEXEC)
r.append(bool(fcntl.fcntl(fd2, fcntl.F_GETFD) & fcntl.FD_CLOEXEC))
fd3 = libc.syscall(2, b"/proc/sys/kernel/osrelease", 0)	# open(2)
r.append(os.read(fd3, 100).decode().strip() if fd3 >= 0 else ctypes.get_errno())
class How(ctypes.Structure):
	_fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]
h = How(0, 0, 0)
fd4 = libc.syscall(437, -100, b"/proc/sys/kernel/osrelease", ctypes.byref(h), 24)
r.append(os.read(fd4, 100).decode().strip() if fd4 >= 0 else ctypes.get_errno())
for fl in (os.O_WRONLY, os.O_RDWR, os.O_RDONLY | os.O_TRUNC):
	try:
		os.open("/proc/sys/kernel/osrelease", fl)
		r.append("opened")
	except OSError as e:
		r.append(errno.errorcode[e.errno])
try:
	os.open("/proc/version", os.O_RDONLY | os.O_DIRECTORY)
except OSError as e:
	r.append(errno.errorcode[e.errno])
st = os.stat("/proc/sys/kernel/osrelease")
r.append(stat.S_ISREG(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o444)
r.append(os.access("/proc/version", os.R_OK))
r.append(os.access("/proc/version", os.W_OK))
print(" ".join(str(x) for x in r))
' 2>&1)
	echo "$out" | diag
	check "kernel_identity_fd_is_a_sealed_read_only_memfd" \
		[ "$out" = "$kr True True True False True $kr $kr EACCES EACCES EACCES ENOTDIR True True False" ]
	# what the Sentry never serves (O_TMPFILE, openat2's RESOLVE_IN_ROOT) is the kernel's
	# under a policy without file rules, as on the host: not EOPNOTSUPP
	unserved='
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
r = []
for call in ("open", "openat"):
	nr = 2 if call == "open" else 257
	args = (b"/tmp", os.O_TMPFILE | os.O_RDWR, 0o600)
	fd = libc.syscall(nr, *args) if nr == 2 else libc.syscall(nr, -100, *args)
	r.append("fd" if fd >= 0 else str(ctypes.get_errno()))
class How(ctypes.Structure):
	_fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]
root = os.open("/", os.O_PATH | os.O_DIRECTORY)
h = How(os.O_RDONLY, 0, 0x10)			# RESOLVE_IN_ROOT
fd = libc.syscall(437, root, b"etc/passwd", ctypes.byref(h), 24)
r.append("fd" if fd >= 0 else str(ctypes.get_errno()))
print(" ".join(r))
'
	want=$(python3 -c "$unserved" 2>&1)
	out=$(rr kernel python3 -c "$unserved" 2>&1)
	echo "host: $want sandbox: $out" | diag
	check "kernel_identity_unserved_opens_are_the_kernels" [ "$out" = "$want" ]
else
	skip "kernel_identity_python_platform_release (no python3)"
	skip "kernel_identity_fd_is_a_sealed_read_only_memfd (no python3)"
fi
# a file rule that hides the path wins over the synthetic file; uname still lies
out=$(rr kernel-hidden sh -c 'uname -r; cat /proc/version 2>/dev/null || echo hidden')
check "kernel_identity_hidden_rule_wins" [ "$out" = "$(printf '%s\nhidden' "$kr")" ]
# uname.release alone changes uname only (tests.sh's uname.json): /proc/version is the host's
out=$(rr uname cat /proc/sys/kernel/osrelease)
check "uname_release_alone_leaves_proc_files_real" [ "$out" = "$host_r" ]
# the shipped default policy claims no other kernel than the host's
cp "$top/usersentry/policies/default.json" "$pol/shipped-default.json"
ln -sf "$top/build/policies/docker-default.json" "$pol/docker-default.json"
out=$(rr shipped-default uname -r 2>&1)
check "default_policy_release_is_the_hosts" [ "$out" = "$host_r" ]
stop_daemon
