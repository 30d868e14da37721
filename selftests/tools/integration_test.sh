#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: the default and strict policies under redirect-run, a Debian
# rootfs (tools/rootfs.sh) under runc through redirect-runc, containerd's ctr
# with --runc-binary redirect-runc, Docker and Podman with redirect-runc as
# their runtime (host only), and the deployment snippets in tools/deploy/
# checked for syntax. TAP lines on stdout.
#
#   integration_test.sh host    portable mode (no /dev/redirect)
#   integration_test.sh vm      inside a guest with redirect.ko loaded: module
#                               mode; tier-1 denials are seen by redirectctl trace
set -u

mode=${1:-host}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit
bin=$top/build/bin
work=$(mktemp -d "${TMPDIR:-/tmp}/integration.XXXXXX")
# the shipped policies, and the Podman test's beside them
pols=$work/policies
mkdir -p "$pols"
cp "$top"/usersentry/policies/*.json "$pols/"
sock=$work/s.sock
log=$work/usersentry.log
audit=$work/audit.json
daemon='' containerd_pid='' dockerd_pid='' containers=() podman_cmd=()
n=0 failed=0
PY=/usr/bin/python3

ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
diag() { sed 's/^/# /'; }
check() { # name, then a command: ok when it succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}
same() { # name, expected, actual: ok when equal, else both shown
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		{ echo "expected:"; echo "$2"; echo "got:"; echo "$3"; } | diag
	fi
}

cleanup() {
	local c
	for c in "${containers[@]}"; do runc delete -f "$c" >/dev/null 2>&1; done
	# podman's containers (conmon, their runtime state) in its private dirs
	[ ${#podman_cmd[@]} -gt 0 ] && timeout 60 "${podman_cmd[@]}" rm -af >/dev/null 2>&1
	for c in $dockerd_pid $containerd_pid; do
		kill "$c" 2>/dev/null
		wait "$c" 2>/dev/null
	done
	if [ -n "$daemon" ]; then
		kill "$daemon" 2>/dev/null
		wait "$daemon" 2>/dev/null
	fi
	# containerd's snapshots may still be mounted if a run was cut short
	grep -o " $work/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# ---- the policies themselves ------------------------------------------------
make -s build/policies/docker-default.json >/dev/null 2>&1
docker_profile=$top/build/policies/docker-default.json
if [ ! -s "$docker_profile" ]; then
	not_ok "policy_docker_profile_present ($docker_profile: make, or tools/setup-debian.sh first)"
	echo "1..$n"
	exit 1
fi

# The notified calls of a policy, from libseccomp's own rendering of its filter.
notified() { # policy file
	"$bin/redirect-run" -p "$1" --dump-filter | $PY -c '
import re, sys
names, cur = set(), None
for line in sys.stdin:
    m = re.search(r"# filter for syscall \"([^\"]+)\"", line)
    if m:
        cur = m.group(1)
    elif "# default action" in line or line.lstrip().startswith("# filter for arch"):
        cur = None
    elif cur and "action 0x7fc00000" in line:	# SECCOMP_RET_USER_NOTIF
        names.add(cur)
print("\n".join(sorted(names)))'
}

# Every call a policy sends to tier 1 or the Sentry must be one its tier-1
# rules deny outright, or one Docker's profile allows without condition:
# notifying a call must never let through what Docker's profile refuses.
never_widens() { # policy file
	notified "$1" >"$work/notified" || return 1
	[ -s "$work/notified" ] || { echo "no notified call" | diag; return 1; }
	$PY - "$docker_profile" "$1" "$work/notified" <<'EOF'
import json, os, sys
docker = json.load(open(sys.argv[1]))
allowed = set()
for r in docker["syscalls"]:
    if r["action"] == "SCMP_ACT_ALLOW" and not r.get("args") and \
       not r.get("includes") and not r.get("excludes"):
        allowed.update(r["names"])
denied = set()
path = sys.argv[2]
while path:			# the policy and what it extends, for its tier-1 rules
    p = json.load(open(path))
    for r in p.get("redirect", {}).get("rules", []):
        if not r.get("args") and "string" not in r and r["action"].startswith("errno:"):
            denied.update(r.get("names", [r.get("name")]))
    base = p.get("extends")
    path = os.path.join(os.path.dirname(path), base) if base and base != "docker-default.json" else None
bad = [c for c in open(sys.argv[3]).read().split() if c not in allowed and c not in denied]
for c in bad:
    print("# notified but neither allowed by Docker nor denied in tier 1:", c)
sys.exit(1 if bad else 0)
EOF
}

for p in default strict; do
	if out=$("$bin/redirect-run" -p "$pols/$p.json" --dump-filter 2>&1) &&
	   grep -q "action 0x7fc00000" <<<"$out"; then
		ok "policy_${p}_compiles_with_notified_calls"
	else
		not_ok "policy_${p}_compiles_with_notified_calls"
		echo "$out" | tail -5 | diag
	fi
	check "policy_${p}_notified_calls_never_widen_docker_profile" never_widens "$pols/$p.json"
done
# Docker's own answers stay: a call it refuses is refused before anything is notified
out=$("$bin/redirect-run" -p "$pols/default.json" --dump-filter)
check "policy_default_keeps_docker_defaults" grep -q "action ERRNO(1)" <<<"$out"

mkdir -p "$work/lonely"
cp "$pols/default.json" "$work/lonely/"
out=$("$bin/redirect-run" -p "$work/lonely/default.json" -- true 2>&1)
rc=$?
echo "$out" | diag
{ [ "$rc" = 125 ] && grep -q "docker-default.json: No such file" <<<"$out"; }
check "policy_without_docker_profile_fails_clearly" [ $? = 0 ]

# ---- the daemon ---------------------------------------------------------------
"$bin/usersentry" -s "$sock" -d "$pols" -l "$log" -a "$audit" --audit-rate 0 \
	--state-dir "$work/state" &
daemon=$!
for _ in $(seq 200); do
	grep -q "listening on $sock" "$log" 2>/dev/null && break
	sleep 0.1
done
if ! grep -q "listening on $sock" "$log" 2>/dev/null; then
	not_ok "daemon_starts"
	diag <"$log"
	echo "1..$n"
	exit 1
fi
want=portable
[ "$mode" = vm ] && want=module
if grep -q ": $want mode" "$log"; then ok "daemon_starts_in_${want}_mode"
else not_ok "daemon_starts_in_${want}_mode"; head -3 "$log" | diag; fi

# default.json claims no kernel but the host's (docs/policy.md); strict.json hides its build
release=$(uname -r)
rr() { # policy, command...
	local p=$1
	shift
	timeout 120 "$bin/redirect-run" -s "$sock" -p "$pols/$p.json" -- "$@"
}
# audit lines of one sandbox matching syscall and verdict
audited() { # sandbox-prefix syscall verdict
	$PY - "$audit" "$@" <<'EOF'
import json, sys
path, sb, call, verdict = sys.argv[1:5]
hits = 0
for line in open(path):
    e = json.loads(line)
    if e["sandbox"].startswith(sb) and e["syscall"] == call and e["verdict"] == verdict:
        hits += 1
sys.exit(0 if hits else 1)
EOF
}

# ---- redirect-run under the default policy: programs run unchanged ------------
progs='ls -a /usr/bin | head -40; cat /etc/os-release; id; echo $((6 * 7)); wc -l </etc/passwd'
same "run_default_coreutils_unchanged" "$(sh -c "$progs" 2>&1)" "$(rr default sh -c "$progs" 2>&1)"
if command -v busybox >/dev/null; then
	bprogs='busybox ls /etc | head; busybox cat /etc/hostname; busybox id -u; busybox sh -c "echo nested"'
	same "run_default_busybox_unchanged" "$(sh -c "$bprogs" 2>&1)" "$(rr default sh -c "$bprogs" 2>&1)"
else
	skip "run_default_busybox_unchanged" "no busybox"
fi
pyprog='import json, os, subprocess, hashlib
print(json.dumps(sorted(os.listdir("/etc"))[:10]))
print(subprocess.run(["cat", "/etc/hostname"], capture_output=True, text=True).stdout.strip())
print(hashlib.sha256(open("/etc/passwd", "rb").read()).hexdigest())'
same "run_default_python3_unchanged" "$($PY -c "$pyprog" 2>&1)" "$(rr default $PY -c "$pyprog" 2>&1)"
same "run_default_uname_release_is_the_hosts" "$release" "$(rr default uname -r)"
same "run_strict_uname_version_is_virtual" "#1 SMP PREEMPT_DYNAMIC redirect" "$(rr strict uname -v)"
check "run_strict_uname_audited_as_emulated" audited redirect-run uname emulated

# tier 1: Docker 20.10's profile allows io_uring_setup (EFAULT for a NULL
# params); the default policy's tier-1 rule answers EPERM
sysprog='import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
for name, nr, args in (("io_uring_setup", 425, (1, 0)), ("keyctl", 250, (0, 0, 0)),
                       ("bpf", 321, (0, 0, 0)), ("perf_event_open", 298, (0, 0, -1, -1, 0))):
    r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])
    print(name, "ok" if r >= 0 else errno.errorcode[ctypes.get_errno()])'
out=$(rr default $PY -c "$sysprog" 2>&1)
echo "$out" | diag
same "run_default_tier1_denies_io_uring_keyctl_bpf_perf" \
	"$(printf 'io_uring_setup EPERM\nkeyctl EPERM\nbpf EPERM\nperf_event_open EPERM')" "$out"
native=$($PY -c "$sysprog" 2>&1 | head -1)
check "native_io_uring_setup_is_not_eperm (the rule, not the host, answers)" \
	[ "$native" != "io_uring_setup EPERM" ]

ttyprog='import array, errno, fcntl, os
fd = os.open("/dev/null", os.O_RDONLY)
try:
    fcntl.ioctl(fd, 0x5412, b"x")      # TIOCSTI
    print("TIOCSTI ok")
except OSError as e:
    print("TIOCSTI", errno.errorcode[e.errno])
r, w = os.pipe()
os.write(w, b"abc")
a = array.array("i", [0])
fcntl.ioctl(r, 0x541B, a)              # FIONREAD
print("FIONREAD", a[0])'
same "run_default_tiocsti_denied_other_ioctls_work" \
	"$(printf 'TIOCSTI EPERM\nFIONREAD 3')" "$(rr default $PY -c "$ttyprog" 2>&1)"
same "native_tiocsti_on_dev_null_is_enotty" "$(printf 'TIOCSTI ENOTTY\nFIONREAD 3')" \
	"$($PY -c "$ttyprog" 2>&1)"

# ---- the strict policy: host paths hidden and read-only ---------------------
out=$(rr strict cat /proc/kallsyms 2>&1)
check "run_strict_kallsyms_hidden" grep -q "No such file" <<<"$out"
out=$(cd /proc && rr strict cat kallsyms 2>&1)
{ grep -q "No such file" <<<"$out" && $PY -c '
import json, sys
sys.exit(0 if any(e["syscall"] in ("open", "openat") and e.get("decoded", {}).get("path") == "kallsyms"
                  and e["errno"] == "ENOENT" for e in map(json.loads, open(sys.argv[1]))) else 1)' "$audit"; }
check "run_strict_relative_kallsyms_hidden_by_sentry" [ $? = 0 ]
out=$(rr strict sh -c 'echo 3 > /proc/sys/vm/drop_caches' 2>&1)
check "run_strict_proc_sys_read_only" grep -q "Read-only file system" <<<"$out"
same "run_strict_proc_sys_still_readable" "$(cat /proc/sys/kernel/ostype)" \
	"$(rr strict cat /proc/sys/kernel/ostype 2>&1)"
out=$(rr strict ls /sys/firmware 2>&1)
check "run_strict_sys_firmware_hidden" grep -q "No such file" <<<"$out"
# nor listed: ls /proc and /sys are the host's less the hidden names (pids left out: they change)
hidden_under() { # DIR: the names strict.json hides directly in DIR
	$PY -c 'import json, sys
for p in json.load(open(sys.argv[1]))["redirect"]["sentry"]["files"]["hidden"]:
    if p.rsplit("/", 1)[0] == sys.argv[2]:
        print(p.rsplit("/", 1)[1])' "$pols/strict.json" "$1"
}
listed=0
for dir in /proc /sys; do
	# shellcheck disable=SC2010 # the expected listing is ls's own
	want=$(ls "$dir" | grep -v '^[0-9]' | grep -vxF "$(hidden_under "$dir")")
	got=$(rr strict ls "$dir" 2>&1 | grep -v '^[0-9]')
	[ "$want" = "$got" ] || { diff <(echo "$want") <(echo "$got") | diag; listed=1; }
	# something hidden was there to leave out
	# shellcheck disable=SC2010 # ls's own listing, as above
	[ "$(ls "$dir" | grep -cxF "$(hidden_under "$dir")")" -gt 0 ] || listed=1
done
check "run_strict_ls_proc_and_sys_hide_hidden_names" [ $listed = 0 ]
same "run_strict_coreutils_unchanged" "$(sh -c "$progs" 2>&1)" "$(rr strict sh -c "$progs" 2>&1)"

# ---- a Debian rootfs under runc through redirect-runc ------------------------
rootfs=
if [ "$mode" = host ]; then
	rootfs=$(tools/rootfs.sh 2>"$work/rootfs.err") || { diag <"$work/rootfs.err"; rootfs=; }
else
	# the guest cannot debootstrap: use the host's cached tree if it is there
	rootfs=$(ls -d "${REDIRECT_CACHE:-/var/cache/redirect}"/rootfs-bookworm-*/ 2>/dev/null |
		 while read -r d; do [ -f "$d/.redirect-complete" ] && echo "${d%/}"; done | tail -1)
fi
runc_ok=1
if [ ! -x "$bin/redirect-runc" ]; then
	why="build/bin/redirect-runc not built"
	runc_ok=
elif ! command -v runc >/dev/null; then
	why="runc not installed"
	runc_ok=
elif [ -z "$rootfs" ]; then
	why="no Debian rootfs (tools/rootfs.sh on the host first)"
	runc_ok=
fi

bundle() { # dir, hostname, command (for sh -c)
	mkdir -p "$1"
	(cd "$1" && runc spec) || return 1
	$PY - "$1/config.json" "$rootfs" "$2" "$3" <<'EOF'
import json, sys
path, rootfs, hostname, cmd = sys.argv[1:5]
c = json.load(open(path))
c["root"] = {"path": rootfs, "readonly": True}
c["hostname"] = hostname
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "-c", cmd]
json.dump(c, open(path, "w"), indent=1)
EOF
}
rrunc() { # id, bundle
	containers+=("$1")
	timeout 120 env REDIRECT_SOCKET="$sock" REDIRECT_POLICY_DIR="$pols" \
		"$bin/redirect-runc" run -b "$2" "$1" </dev/null
}

cprogs='ls /; cat /etc/debian_version; id; ls /usr/bin | wc -l; apt-get --version | head -1
python3 -c "import sys, json; print(json.dumps({\"v\": sys.version_info[:2]}))"'
id_base=rdr-int-$$
if [ -n "$runc_ok" ]; then
	bundle "$work/plain" plain-host "$cprogs" && bundle "$work/rdr" rdr-host "$cprogs"
	containers+=("$id_base-plain")
	expect=$(timeout 120 runc run -b "$work/plain" "$id_base-plain" </dev/null 2>&1)
	got=$(rrunc "$id_base-rdr" "$work/rdr" 2>&1)
	same "runc_debian_shell_coreutils_apt_python3_unchanged" "$expect" "$got"
	check "runc_debian_config_rewritten_with_listener" \
		grep -q "listenerPath" "$work/rdr/config.json"

	bundle "$work/uname" rdr-uname 'uname -r; hostname'
	out=$(rrunc "$id_base-uname" "$work/uname" 2>&1)
	same "runc_debian_uname_release_is_the_hosts" "$release" "$(head -1 <<<"$out")"
	if [ -z "$out" ]; then	# say where it stopped
		{ tail -15 "$log"; runc list; ps -eo pid,stat,wchan:20,args | grep -E "[r]unc|$id_base"; } | diag
	fi
	h=$(sed -n 2p <<<"$out")
	if [ "$h" = rdr-uname ]; then
		ok "runc_debian_hostname_is_the_containers"
	else
		not_ok "runc_debian_hostname_is_the_containers (got '$h')"
	fi

	tracef=$work/trace.json
	tpid=
	if [ "$mode" = vm ] && [ -x "$bin/redirectctl" ]; then
		timeout 120 "$bin/redirectctl" trace --json --count 2 --timeout 100 \
			"$id_base-sys" >"$tracef" 2>"$work/trace.err" &
		tpid=$!
		sleep 1
	fi
	bundle "$work/sys" rdr-sys "python3 -c '$sysprog'"
	out=$(rrunc "$id_base-sys" "$work/sys" 2>&1)
	echo "$out" | diag
	same "runc_debian_tier1_denials" \
		"$(printf 'io_uring_setup EPERM\nkeyctl EPERM\nbpf EPERM\nperf_event_open EPERM')" "$out"
	if [ -n "$tpid" ]; then
		wait "$tpid"
		diag <"$tracef"
		diag <"$work/trace.err"
		{ grep -q "io_uring_setup" "$tracef" && grep -q "keyctl" "$tracef"; }
		check "vm_redirectctl_trace_shows_tier1_denials" [ $? = 0 ]
	elif [ "$mode" = vm ]; then
		skip "vm_redirectctl_trace_shows_tier1_denials" "build/bin/redirectctl not built"
	else
		skip "vm_redirectctl_trace_shows_tier1_denials" \
			"portable mode: tier-1 answers come from the session, not the module"
	fi
else
	for t in runc_debian_shell_coreutils_apt_python3_unchanged \
		 runc_debian_config_rewritten_with_listener runc_debian_uname_release_is_the_hosts \
		 runc_debian_hostname_is_the_containers \
		 runc_debian_tier1_denials vm_redirectctl_trace_shows_tier1_denials; do
		skip "$t" "$why"
	done
fi

# ---- containerd: ctr run --runc-binary redirect-runc (host) -----------------
ctd_tests="ctr_containerd_starts ctr_run_rootfs_debian ctr_run_rootfs_sandbox_attached
	   ctr_image_import_from_rootfs_tarball ctr_run_image_with_seccomp_profile_merged"
if [ "$mode" != host ]; then
	for t in $ctd_tests; do skip "$t" "containerd runs on the host only"; done
elif [ -z "$runc_ok" ] || ! command -v containerd >/dev/null; then
	for t in $ctd_tests; do skip "$t" "${why:-containerd not installed}"; done
else
	c=$work/ctd
	mkdir -p "$c"
	cat >"$c/config.toml" <<EOF
version = 2
root = "$c/root"
state = "$c/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$c/c.sock"
[ttrpc]
  address = "$c/c.sock.ttrpc"
[debug]
  address = "$c/debug.sock"
EOF
	# the shim runs redirect-runc with containerd's environment
	env REDIRECT_SOCKET="$sock" REDIRECT_POLICY_DIR="$pols" \
		containerd --config "$c/config.toml" >"$c/log" 2>&1 &
	containerd_pid=$!
	ctr_bin=$(command -v ctr)
	ctr() { timeout 180 "$ctr_bin" -a "$c/c.sock" "$@"; }
	for _ in $(seq 300); do ctr version >/dev/null 2>&1 && break; sleep 0.1; done
	if ! ctr version >/dev/null 2>&1; then
		not_ok "ctr_containerd_starts"
		tail -20 "$c/log" | diag
	else
		ok "ctr_containerd_starts"
		out=$(ctr run --rm --read-only --runc-binary "$bin/redirect-runc" \
			--rootfs "$rootfs" "$id_base-ctr1" /bin/sh -c "$cprogs" 2>&1)
		same "ctr_run_rootfs_debian" "$expect" "$out"
		check "ctr_run_rootfs_sandbox_attached" grep -q "sandbox=$id_base-ctr1 attached" "$log"

		# an OCI image layout made with tar from the same tree
		o=$work/oci
		mkdir -p "$o/blobs/sha256"
		tar --numeric-owner -C "$rootfs" -cf "$o/layer.tar" \
			--exclude=./.redirect-complete --exclude=./.redirect-build-seconds .
		$PY - "$o" <<'EOF'
import hashlib, json, os, sys
o = sys.argv[1]
blobs = o + "/blobs/sha256"
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(f"{blobs}/{d}", "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
h = hashlib.sha256()
with open(o + "/layer.tar", "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
        h.update(chunk)
layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar",
         "digest": "sha256:" + h.hexdigest(), "size": os.path.getsize(o + "/layer.tar")}
os.rename(o + "/layer.tar", f"{blobs}/{h.hexdigest()}")
config = put(json.dumps({"architecture": "amd64", "os": "linux",
    "config": {"Cmd": ["/bin/sh"],
               "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
    "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}).encode())
config["mediaType"] = "application/vnd.oci.image.config.v1+json"
manifest = put(json.dumps({"schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": config, "layers": [layer]}).encode())
manifest["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
manifest["annotations"] = {"io.containerd.image.name": "docker.io/redirect/debian:bookworm",
                           "org.opencontainers.image.ref.name": "bookworm"}
json.dump({"schemaVersion": 2, "manifests": [manifest]}, open(o + "/index.json", "w"))
json.dump({"imageLayoutVersion": "1.0.0"}, open(o + "/oci-layout", "w"))
EOF
		tar -C "$o" -cf "$work/image.tar" oci-layout index.json blobs
		rm -rf "$o"
		out=$(ctr images import "$work/image.tar" 2>&1)
		echo "$out" | diag
		check "ctr_image_import_from_rootfs_tarball" \
			grep -qx docker.io/redirect/debian:bookworm <<<"$(ctr images ls -q)"
		out=$(ctr run --rm --seccomp --runc-binary "$bin/redirect-runc" \
			docker.io/redirect/debian:bookworm "$id_base-ctr2" /bin/sh -c \
			"uname -r; python3 -c '$sysprog'" 2>&1)
		same "ctr_run_image_with_seccomp_profile_merged" \
			"$(printf '%s\nio_uring_setup EPERM\nkeyctl EPERM\nbpf EPERM\nperf_event_open EPERM' "$release")" \
			"$out"
	fi
fi

# ---- Docker: daemon.json's runtimes entry (host) ----------------------------
dk_tests="docker_daemon_with_redirect_runtime_starts docker_run_runtime_redirect_debian
	  docker_run_runtime_redirect_tier1_and_uname"
if [ "$mode" != host ]; then
	for t in $dk_tests; do skip "$t" "dockerd runs on the host only"; done
elif [ -z "$runc_ok" ] || ! command -v dockerd >/dev/null || [ ! -x /usr/bin/docker ]; then
	for t in $dk_tests; do skip "$t" "${why:-docker.io not installed}"; done
else
	k=$work/docker
	mkdir -p "$k"
	# tools/deploy/docker-daemon.json, pointed at this tree and a private daemon
	$PY - "$top/tools/deploy/docker-daemon.json" "$k" "$bin/redirect-runc" "$sock" "$pols" <<'PYEOF'
import json, sys
snippet, k, runc, sock, pols = sys.argv[1:6]
j = json.load(open(snippet))
r = j["runtimes"]["redirect"]
r["path"] = runc
args = r["runtimeArgs"]
args[args.index("--redirect-socket") + 1] = sock
args[:0] = ["--redirect-policy-dir", pols]
j.update({"data-root": k + "/data", "exec-root": k + "/exec", "pidfile": k + "/docker.pid",
          "hosts": ["unix://" + k + "/docker.sock"], "bridge": "none", "iptables": False,
          "ip6tables": False, "containerd-namespace": "rdr-integration",
          "containerd-plugins-namespace": "rdr-integration-plugins"})
json.dump(j, open(k + "/daemon.json", "w"), indent=1)
PYEOF
	dockerd --config-file "$k/daemon.json" >"$k/dockerd.log" 2>&1 &
	dockerd_pid=$!
	dk() { timeout 180 /usr/bin/docker -H "unix://$k/docker.sock" "$@"; }
	for _ in $(seq 300); do dk version >/dev/null 2>&1 && break; sleep 0.2; done
	if ! dk info 2>/dev/null | grep -q "Runtimes:.*redirect"; then
		not_ok "docker_daemon_with_redirect_runtime_starts"
		tail -20 "$k/dockerd.log" | diag
	else
		ok "docker_daemon_with_redirect_runtime_starts"
		tar --numeric-owner -C "$rootfs" -c --exclude=./.redirect-complete \
			--exclude=./.redirect-build-seconds . | dk import - redirect/debian:bookworm >/dev/null
		out=$(dk run --rm --runtime=redirect --network none redirect/debian:bookworm \
			/bin/sh -c "$cprogs" 2>&1)
		same "docker_run_runtime_redirect_debian" "$expect" "$out"
		out=$(dk run --rm --runtime=redirect --network none --name "$id_base-dk" \
			redirect/debian:bookworm /bin/sh -c "uname -r; python3 -c '$sysprog'" 2>&1)
		same "docker_run_runtime_redirect_tier1_and_uname" \
			"$(printf '%s\nio_uring_setup EPERM\nkeyctl EPERM\nbpf EPERM\nperf_event_open EPERM' "$release")" \
			"$out"
	fi
	kill "$dockerd_pid" 2>/dev/null
	wait "$dockerd_pid" 2>/dev/null
	dockerd_pid=
fi

# ---- Podman: --runtime redirect-runc, the policy by annotation (host) --------
pm_tests="podman_import_rootfs_image podman_run_runtime_redirect_debian
	  podman_run_annotation_policy_merged_with_podmans_profile
	  podman_run_annotation_policy_sandbox_attached
	  podman_default_policy_with_podmans_profile_refused_clearly"
if [ "$mode" != host ]; then
	for t in $pm_tests; do skip "$t" "podman runs on the host only"; done
elif [ -z "$runc_ok" ] || ! command -v podman >/dev/null; then
	for t in $pm_tests; do skip "$t" "${why:-podman not installed}"; done
else
	pm=$work/podman
	mkdir -p "$pm"
	# a policy on top of the engine's own profile: its default is the engine's
	cat >"$pols/engine-profile.json" <<EOF
{"defaultAction": "SCMP_ACT_ALLOW",
 "redirect": {"rules": [{"names": ["io_uring_setup", "keyctl", "bpf", "perf_event_open"],
                         "action": "errno:EPERM"}],
              "sentry": {"default": "continue", "uname": {"release": "$release-podman"}}}}
EOF
	# private storage, run, temporary and runtime state dirs, no registry, no
	# network; conmon does not pass the environment on, so redirect-runc's
	# settings go as --runtime-flag (global options of every runtime call,
	# which redirect-runc takes out)
	podman_cmd=(podman --root "$pm/root" --runroot "$pm/run" --tmpdir "$pm/tmp"
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file
		--runtime "$bin/redirect-runc" --runtime-flag "root=$pm/runc"
		--runtime-flag "redirect-socket=$sock" --runtime-flag "redirect-policy-dir=$pols")
	pmn() { timeout 300 "${podman_cmd[@]}" "$@"; }
	# podman raises RLIMIT_NOFILE and RLIMIT_NPROC to its own maximum, which a
	# host without CAP_SYS_RESOURCE refuses: at most 4096, within the hard limit
	lim() { # ulimit letter
		local v
		v=$(ulimit -H"$1")
		[ "$v" = unlimited ] || [ "$v" -gt 4096 ] && v=4096
		echo "$v:$v"
	}
	pmrun() { # podman run options...
		pmn run --rm --network none --ulimit "nofile=$(lim n)" --ulimit "nproc=$(lim u)" \
			"$@" </dev/null
	}
	tar --numeric-owner -C "$rootfs" -c --exclude=./.redirect-complete \
		--exclude=./.redirect-build-seconds . |
		pmn import - localhost/redirect/debian:bookworm >"$pm/import.out" 2>&1
	check "podman_import_rootfs_image" \
		grep -q "localhost/redirect/debian *bookworm" <<<"$(pmn images 2>&1)"
	diag <"$pm/import.out"
	# without podman's own profile: the shipped default policy alone
	out=$(pmrun --security-opt seccomp=unconfined localhost/redirect/debian:bookworm \
		/bin/sh -c "$cprogs" 2>&1)
	same "podman_run_runtime_redirect_debian" "$expect" "$out"
	# podman's profile (/usr/share/containers/seccomp.json) merged with the
	# policy the annotation names: the policy's answers, but io_uring_setup,
	# which podman's profile does not list, keeps its ENOSYS (the stricter)
	out=$(pmrun --annotation dev.redirect.policy=engine-profile \
		localhost/redirect/debian:bookworm /bin/sh -c "uname -r; python3 -c '$sysprog'" 2>&1)
	same "podman_run_annotation_policy_merged_with_podmans_profile" \
		"$(printf '%s-podman\nio_uring_setup ENOSYS\nkeyctl EPERM\nbpf EPERM\nperf_event_open EPERM' "$release")" \
		"$out"
	# (the sandbox is named by podman's container id)
	check "podman_run_annotation_policy_sandbox_attached" \
		grep -q "sandbox=[0-9a-f]* attached: .*policy=engine-profile" "$log"
	# no annotation: the default policy (Docker's profile) merged with
	# podman's. Unchanged programs; clone with namespace flags, which Docker's
	# conditions leave to the default, refused with podman's ENOSYS (both
	# refuse it: EPERM against ENOSYS, the bundle's errno on a tie)
	out=$(pmrun localhost/redirect/debian:bookworm /bin/sh -c "$cprogs" 2>&1)
	same "podman_default_policy_merged_with_podmans_profile_runs_unchanged" "$expect" "$out"
	cloneprog='import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(56, ctypes.c_long(0x10000000 | 17), 0, 0, 0, 0)
if r == 0:
    os._exit(0)
print("clone_newuser", "ok" if r > 0 else errno.errorcode[ctypes.get_errno()])'
	out=$(pmrun localhost/redirect/debian:bookworm python3 -c "$cloneprog" 2>&1)
	same "podman_default_policy_clone_with_namespace_flags_is_podmans_enosys" \
		"clone_newuser ENOSYS" "$out"
fi

# ---- deployment snippets: syntax and the fields that matter ------------------
d=tools/deploy
check "deploy_docker_daemon_json_valid" $PY -c '
import json, sys
j = json.load(open(sys.argv[1]))
r = j["runtimes"]["redirect"]
sys.exit(0 if r["path"].endswith("/redirect-runc") else 1)' "$d/docker-daemon.json"
check "deploy_containerd_toml_valid" $PY -c '
import sys, tomllib
t = tomllib.load(open(sys.argv[1], "rb"))
r = t["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["redirect"]
sys.exit(0 if r["runtime_type"] == "io.containerd.runc.v2" and
         r["options"]["BinaryName"].endswith("/redirect-runc") else 1)' "$d/containerd-redirect.toml"
check "deploy_kubernetes_yaml_valid" $PY -c '
import sys, yaml
docs = [d for f in sys.argv[1:] for d in yaml.safe_load_all(open(f)) if d]
kinds = {d["kind"]: d for d in docs}
rc, ds = kinds["RuntimeClass"], kinds["DaemonSet"]
spec = ds["spec"]["template"]["spec"]
names = [c["name"] for c in spec.get("initContainers", []) + spec["containers"]]
ok = (rc["handler"] == "redirect" and rc["apiVersion"] == "node.k8s.io/v1" and
      ds["spec"]["selector"]["matchLabels"].items() <= ds["spec"]["template"]["metadata"]["labels"].items() and
      "dkms" in names and "usersentry" in names)
sys.exit(0 if ok else 1)' "$d"/kubernetes/*.yaml

echo "1..$n"
exit $failed
