#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Kubernetes deployment run as a kubelet would run it, without a cluster:
# `make image` builds the image into a private dockerd, then the DaemonSet's
# init containers and its usersentry container run from it with Docker, their
# commands, environment, privileges and host paths taken from
# tools/deploy/kubernetes/daemonset.yaml, on a scratch node: a directory
# standing for the node's / (overlays on the host's /usr and /etc, so the host
# is never written). A container then starts through the redirect-runc they
# installed there, and the usersentry in the image answers its calls.
# TAP lines on stdout.
#
#   kubernetes_test.sh host     (vm: skipped, Docker runs on the host only)
set -u

mode=${1:-host}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit
cache=${REDIRECT_CACHE:-/var/cache/redirect}
manifest=tools/deploy/kubernetes/daemonset.yaml
version=$(sed -n 's/^VERSION := //p' Makefile)
image=redirect:$version			# make image's default IMAGE
node_name=node-$$
PY=/usr/bin/python3
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
diag() { sed 's/^/# /'; }
result() { # name, status: ok when 0
	if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1"; fi
}
tests="k8s_make_image k8s_manifest_image_is_make_image k8s_init_dkms_portable_without_module_support
	k8s_init_dkms_required_fails_without_module_support
	k8s_init_dkms_portable_without_usable_kernel_tree k8s_init_install_on_node
	k8s_init_install_ran_ldconfig_on_node k8s_usersentry_ready k8s_usersentry_poststart_labels_node
	k8s_usersentry_portable_mode k8s_run_through_installed_runtime_answered_by_image_daemon
	k8s_sandbox_attached_and_audited_in_image_daemon"
skip_all() {
	local t
	for t in $tests; do n=$((n + 1)); echo "ok $n $t # SKIP $1"; done
	echo "1..$n"
	exit 0
}
[ "$mode" = host ] || skip_all "Docker runs on the host only"
[ "$(id -u)" = 0 ] || skip_all "needs root"
{ command -v dockerd && command -v docker; } >/dev/null ||
	skip_all "no Docker (docker.io: tools/setup-debian.sh)"
$PY -c 'import yaml' 2>/dev/null || skip_all "no PyYAML (python3-yaml)"
grep -qw overlay /proc/filesystems || skip_all "no overlayfs for the scratch node"
# the pod's /dev is the host's: its usersentry would drive the host's module
[ -e /dev/redirect ] && skip_all "/dev/redirect exists: the pod would use this host's module"

work=$(mktemp -d "${TMPDIR:-/tmp}/k8s.XXXXXX")
h=$work/node				# the node's /
dsock=$work/docker.sock
dockerd_pid='' main=''
cleanup() {
	[ -n "$main" ] && dk rm -f "$main" >/dev/null 2>&1
	if [ -n "$dockerd_pid" ]; then
		# bounded: a dockerd stuck on its containers is killed
		kill "$dockerd_pid" 2>/dev/null
		{ sleep 20; kill -9 "$dockerd_pid"; } >/dev/null 2>&1 8>&- &
		wait "$dockerd_pid" 2>/dev/null
		kill $! 2>/dev/null
	fi
	grep -o " $work/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
dk() { timeout 300 docker -H "unix://$dsock" "$@"; }

# ---- the scratch node ----------------------------------------------------------
# overlays on /usr, /etc and, on a host without merged /usr, /bin, /sbin, /lib*
# (chroot "$h" ldconfig needs them); their links on a merged one
mkdir -p "$h"/{run,var,tmp}
ovl="usr etc"
for l in bin sbin lib lib64; do
	if [ -L "/$l" ]; then ln -s "$(readlink "/$l")" "$h/$l"
	elif [ -d "/$l" ]; then ovl="$ovl $l"
	fi
done
for d in $ovl; do
	mkdir -p "$h/$d" "$work/up/$d" "$work/wk/$d"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$work/up/$d,workdir=$work/wk/$d" \
		"$h/$d" || skip_all "cannot mount an overlay on /$d"
done

# ---- a private dockerd; its data root is kept, and make image with it ---------
# The data root is cached, so the image is imported again only when its
# content changes (tools/image.sh); the lock keeps two runs apart.
droot=$cache/docker-k8s
mkdir -p "$droot"
exec 8>"$cache/docker-k8s.lock"
flock 8
$PY - "$top/tools/deploy/docker-daemon.json" "$work" "$droot" "$h" <<'PYEOF'
import json, sys
snippet, work, droot, h = sys.argv[1:5]
j = json.load(open(snippet))
r = j["runtimes"]["redirect"]
# the runtime, policies and socket the DaemonSet put on the node
r["path"] = h + r["path"]
args = r["runtimeArgs"]
args[args.index("--redirect-socket") + 1] = h + args[args.index("--redirect-socket") + 1]
args[args.index("--redirect-policy") + 1] = "strict"
args[:0] = ["--redirect-policy-dir", h + "/usr/local/share/redirect/policies"]
j.update({"data-root": droot, "exec-root": work + "/dx", "pidfile": work + "/docker.pid",
          "hosts": ["unix://" + work + "/docker.sock"], "bridge": "none", "iptables": False,
          "ip6tables": False, "containerd-namespace": "rdr-k8s",
          "containerd-plugins-namespace": "rdr-k8s-plugins"})
json.dump(j, open(work + "/daemon.json", "w"), indent=1)
PYEOF
# the control socket beside the node's agent socket (redirect-runc's environment)
# (without the lock's fd 8, which it and its containers would keep open)
REDIRECT_CONTROL=$h/run/redirect/control.sock \
	dockerd --config-file "$work/daemon.json" >"$work/dockerd.log" 2>&1 8>&- &
dockerd_pid=$!
for _ in $(seq 300); do dk version >/dev/null 2>&1 && break; sleep 0.2; done
if ! dk info 2>/dev/null | grep -q "Runtimes:.*redirect"; then
	tail -20 "$work/dockerd.log" | diag
	skip_all "the private dockerd did not start"
fi
dk ps -aq | xargs -r timeout 60 docker -H "unix://$dsock" rm -f >/dev/null 2>&1

start=$(date +%s)
if DOCKER_HOST=unix://$dsock make -s image >"$work/image.log" 2>&1 &&
   dk image inspect "$image" >/dev/null 2>&1; then
	ok "k8s_make_image ($(( $(date +%s) - start )) s)"
	diag <"$work/image.log"
else
	not_ok "k8s_make_image"
	tail -20 "$work/image.log" | diag
	echo "1..$n"
	exit 1
fi
dk image prune -f >/dev/null 2>&1	# the images it replaced

# ---- the pod as docker run arguments, from the manifest -------------------------
# One file per container (init containers first, in order): its docker run
# arguments NUL-separated; .poststart and .readiness the exec hooks' commands.
# A field of the pod or a container that this translation does not know fails
# it, so the manifest cannot grow what the test ignores.
pod_ok=1
$PY - "$manifest" "$work/pod" "$image" "$h" "$node_name" "$$" <<'PYEOF' >"$work/pod.err" 2>&1 || pod_ok=
import os, subprocess, sys, yaml
manifest, out, image, h, node, tag = sys.argv[1:7]
ds = next(d for d in yaml.safe_load_all(open(manifest)) if d and d["kind"] == "DaemonSet")
pod = ds["spec"]["template"]["spec"]
known = {"serviceAccountName", "hostPID", "hostNetwork", "priorityClassName", "tolerations",
         "initContainers", "containers", "volumes"}
assert set(pod) <= known, "pod fields not run by the test: %s" % (set(pod) - known)
volumes = {v["name"]: v["hostPath"] for v in pod["volumes"]}
def host(path):		# the node's path in the scratch node (its /dev is the host's)
    if path == "/dev" or path.startswith("/dev/"):
        return path
    return h + path if path != "/" else h
os.makedirs(out)
def privileged():
    # --privileged gives every capability; where this host's bounding set
    # lacks some (a sandboxed host), runc cannot, so the same without those
    status = dict(l.split(":", 1) for l in open("/proc/self/status"))
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    missing = ((1 << (last + 1)) - 1) & ~int(status["CapBnd"], 16)
    if not missing:
        return ["--privileged"]
    names = subprocess.run(["capsh", "--decode=%x" % missing], capture_output=True,
                           text=True, check=True).stdout.strip().split("=", 1)[1].split(",")
    open(out + "/note", "w").write("privileged without %s, which this host lacks\n" % names)
    return ["--cap-add", "ALL"] + [x for c in names for x in ("--cap-drop", c)] + \
        ["--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
         "--security-opt", "systempaths=unconfined", "--device-cgroup-rule", "a *:* rwm"]
fields = {"name", "image", "securityContext", "command", "args", "env", "volumeMounts",
          "lifecycle", "readinessProbe", "resources"}
for i, (c, init) in enumerate([(c, True) for c in pod.get("initContainers", [])] +
                              [(c, False) for c in pod["containers"]]):
    assert set(c) <= fields, "%s: fields not run by the test: %s" % (c["name"], set(c) - fields)
    assert c["image"] == "REGISTRY/" + image, "%s: image %s" % (c["name"], c["image"])
    sc = c.get("securityContext", {})
    assert set(sc) <= {"privileged"}, "%s: securityContext %s" % (c["name"], sc)
    a = ["--name", "rdr-k8s-%s-%s" % (c["name"], tag)]
    a += privileged() if sc.get("privileged") else []
    a += ["--pid=host"] if pod.get("hostPID") else []
    a += ["--network", "host" if pod.get("hostNetwork") else "none"]
    for e in c.get("env", []):
        if "value" in e:
            a += ["-e", "%s=%s" % (e["name"], e["value"])]
        else:
            assert e["valueFrom"] == {"fieldRef": {"fieldPath": "spec.nodeName"}}, e
            a += ["-e", "%s=%s" % (e["name"], node)]
    for m in c.get("volumeMounts", []):
        assert set(m) <= {"name", "mountPath", "readOnly"}, m
        hp = volumes[m["name"]]
        src = host(hp["path"])
        if hp.get("type") == "DirectoryOrCreate" or src.startswith(h):
            os.makedirs(src, exist_ok=True)
        a += ["-v", "%s:%s%s" % (src, m["mountPath"], ":ro" if m.get("readOnly") else "")]
    cmd = c["command"] + c.get("args", [])
    a += ["--entrypoint", cmd[0], image] + cmd[1:]
    base = "%s/%d-%s" % (out, i, c["name"])
    open(base + (".init" if init else ".main"), "w").write("\0".join(a) + "\0")
    for hook, cmd in (("poststart", c.get("lifecycle", {}).get("postStart", {}).get("exec", {}).get("command")),
                      ("readiness", c.get("readinessProbe", {}).get("exec", {}).get("command"))):
        if cmd:
            open("%s.%s" % (base, hook), "w").write("\0".join(cmd) + "\0")
PYEOF
[ -f "$work/pod/note" ] && diag <"$work/pod/note"
if [ -n "$pod_ok" ]; then
	ok "k8s_manifest_image_is_make_image (REGISTRY/$image)"
else
	not_ok "k8s_manifest_image_is_make_image"
	diag <"$work/pod.err"
	echo "1..$n"
	exit 1
fi
load() { # file -> the array "args"
	mapfile -d '' args <"$1"
}

# ---- the init containers, in order -----------------------------------------------
for f in "$work"/pod/*.init; do
	c=$(basename "$f" .init)
	c=${c#*-}
	load "$f"
	case "$c" in
	dkms)
		if [ -e /proc/modules ]; then
			# not the host's kernel: the module is loaded in VMs only (suite dkms)
			for t in k8s_init_dkms_portable_without_module_support \
				 k8s_init_dkms_required_fails_without_module_support \
				 k8s_init_dkms_portable_without_usable_kernel_tree; do
				n=$((n + 1))
				echo "ok $n $t # SKIP this host's kernel loads modules: not redirect.ko"
			done
			continue
		fi
		out=$(dk run --rm "${args[@]}" 2>&1)
		rc=$?
		echo "$out" | diag
		[ $rc = 0 ] &&
			grep -q "no module support" <<<"$out" && grep -q "portable mode" <<<"$out"
		result "k8s_init_dkms_portable_without_module_support" $?
		# REDIRECT_MODULE=required: the same node fails the pod
		args=("${args[@]/#REDIRECT_MODULE=*/REDIRECT_MODULE=required}")
		out=$(dk run --rm "${args[@]}" 2>&1)
		rc=$?
		echo "$out" | diag
		[ $rc != 0 ] &&
			grep -q "no module support" <<<"$out" && ! grep -q "portable mode" <<<"$out"
		result "k8s_init_dkms_required_fails_without_module_support" $?
		# as if the kernel loaded modules: no tree for this host's kernel in
		# the node's /lib/modules, and no network for apt-get's headers
		args=("${args[@]/#REDIRECT_MODULE=*/REDIRECT_MODULE=auto}")
		last=$((${#args[@]} - 1))
		args[last]=${args[last]/'[ -e /proc/modules ]'/true}
		out=$(dk run --rm "${args[@]}" 2>&1)
		rc=$?
		echo "$out" | diag
		[ $rc = 0 ] && grep -q "no usable kernel tree at /lib/modules/$(uname -r)/build" <<<"$out" &&
			grep -q "portable mode" <<<"$out" && ! grep -q "no module support" <<<"$out"
		result "k8s_init_dkms_portable_without_usable_kernel_tree" $?
		;;
	install)
		out=$(dk run --rm "${args[@]}" 2>&1)
		rc=$?
		[ -z "$out" ] || echo "$out" | diag
		[ $rc = 0 ] &&
			[ -x "$h/usr/local/bin/redirect-runc" ] && [ -x "$h/usr/local/sbin/usersentry" ] &&
			[ -f "$h/usr/local/share/redirect/policies/strict.json" ] &&
			cmp -s "$h/usr/local/bin/redirect-runc" \
				<(dk run --rm --network none --entrypoint cat "$image" /usr/local/bin/redirect-runc)
		result "k8s_init_install_on_node" $?
		grep -q "libredirect.so.0 .*/usr/local/lib/libredirect.so.0" \
			<<<"$(chroot "$h" ldconfig -p)"
		result "k8s_init_install_ran_ldconfig_on_node" $?
		;;
	*)
		not_ok "k8s_init_$c (an init container this test does not know)"
		;;
	esac
done

# ---- the usersentry container ----------------------------------------------------
main_f=$(ls "$work"/pod/*.main)
[ "$(wc -l <<<"$main_f")" = 1 ] || not_ok "k8s_one_main_container ($main_f)"
load "$main_f"
main=${args[1]}
dk run -d "${args[@]}" >/dev/null 2>"$work/main.err" || diag <"$work/main.err"
ready=
if [ -f "${main_f%.main}.readiness" ]; then
	load "${main_f%.main}.readiness"
	for _ in $(seq 150); do
		dk exec "$main" "${args[@]}" 2>/dev/null && { ready=1; break; }
		sleep 0.2
	done
fi
if [ -n "$ready" ]; then
	ok "k8s_usersentry_ready"
else
	not_ok "k8s_usersentry_ready"
	dk logs "$main" 2>&1 | tail -20 | diag
fi
# postStart labels the node: kubectl is the image's, the call a stand-in's
if [ -f "${main_f%.main}.poststart" ]; then
	load "${main_f%.main}.poststart"
	last=$((${#args[@]} - 1))
	args[last]="kubectl() { echo \"kubectl \$*\"; }; ${args[last]}"
	out=$(dk exec "$main" "${args[@]}" 2>&1)
	echo "$out" | diag
	[ "$out" = \
		"kubectl label --overwrite node $node_name redirect.dev/ready=true" ] &&
		dk exec "$main" sh -c 'command -v kubectl' >/dev/null
	result "k8s_usersentry_poststart_labels_node" $?
else
	not_ok "k8s_usersentry_poststart_labels_node (no postStart hook)"
fi
out=$(dk exec "$main" redirectctl status 2>&1)
echo "$out" | diag
grep -q "^mode: *portable" <<<"$out" &&
	grep -q "^daemon: *usersentry running" <<<"$out"
result "k8s_usersentry_portable_mode" $?

# ---- a container through the runtime the init container installed ---------------
# strict.json's uname version is the Sentry's; Docker's plain runc shows the host's
plain=$(dk run --rm --network none "$image" uname -v 2>&1)
cid=rdr-k8s-workload-$$
out=$(dk run --rm --runtime=redirect --network none --name "$cid" "$image" uname -v 2>&1)
echo "$out" | diag
[ "$out" = "#1 SMP PREEMPT_DYNAMIC redirect" ] && [ "$plain" != "$out" ]
result "k8s_run_through_installed_runtime_answered_by_image_daemon" $?
dk logs "$main" >"$work/main.log" 2>&1
audit=$h/var/log/redirect/audit.json
grep -q "sandbox=[0-9a-f]* attached: .*policy=strict" "$work/main.log" &&
	grep -q '"syscall":"uname"' "$audit"
result "k8s_sandbox_attached_and_audited_in_image_daemon" $?
[ $failed = 0 ] || { tail -20 "$work/main.log"; tail -5 "$audit"; } 2>&1 | diag

echo "1..$n"
exit $failed
