#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job, end to end: commands and a busybox container (runc through
# redirect-runc) under the redirector on this host (portable mode: the Sentry
# answers on the listener), then the same container with redirect.ko in a VM
# booting Debian's 6.1 kernel (module mode), and the cost of each tier side by side.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

make -s all
distro_kdir=$(ls -d /lib/modules/6.1.*-amd64/build | sort -V | tail -1)
tools/build-module.sh "$distro_kdir" build/kmod-distro

tmp=$(mktemp -d /tmp/redirect-demo.XXXXXX)
sentry_pid=
cleanup() {
	runc --root "$tmp/runc" delete -f demo >/dev/null 2>&1 || true
	[ -n "$sentry_pid" ] && kill "$sentry_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# The container policy: Docker's profile as tier 0; tier-1 rules that refuse a
# setuid bit (on the mode argument, a register: nothing another thread could
# swap), answered in the kernel in module mode; the Sentry's virtual uname.
# Other chmod calls reach the Sentry, which lets them continue: safe only
# because no rule looked at a pointer (see docs/reliability.md, F8).
mkdir -p "$tmp/policies" "$tmp/bundle/rootfs/bin" "$tmp/bundle/rootfs/etc" "$tmp/bundle/rootfs/tmp"
cp usersentry/policies/*.json "$tmp/policies/"
cat >"$tmp/policies/demo-container.json" <<'JSON'
{"extends": "docker-default.json",
 "redirect": {
  "rules": [{"names": ["chmod", "fchmod"], "args": [{"index": 1, "value": 2048, "mask": 2048, "op": "EQ"}],
             "action": "errno:EPERM", "comment": "no setuid bit, refused in the kernel"},
            {"names": ["fchmodat"], "args": [{"index": 2, "value": 2048, "mask": 2048, "op": "EQ"}],
             "action": "errno:EPERM"}],
  "sentry": {"default": "continue",
             "uname": {"release": "6.1.0-redirect", "nodename": "redirect-demo"}}}}
JSON
# a busybox container; the policy is picked by an OCI annotation
cp /bin/busybox "$tmp/bundle/rootfs/bin/"
for a in sh uname cat echo hostname touch chmod ls; do ln -s busybox "$tmp/bundle/rootfs/bin/$a"; done
(cd "$tmp/bundle" && runc spec)
jq '.process.terminal = false | .root.readonly = false
    | .annotations = {"dev.redirect.policy": "demo-container"}
    | .process.args = ["/bin/sh", "-c",
	"echo \"uname -n -r: $(uname -n -r)\"; touch /tmp/tool; chmod 755 /tmp/tool && echo \"chmod 755: allowed\"; chmod u+s /tmp/tool || echo \"(chmod u+s refused: no setuid bits)\""]' \
	"$tmp/bundle/config.json" >"$tmp/config.json" && mv "$tmp/config.json" "$tmp/bundle/config.json"
cp "$tmp/bundle/config.json" "$tmp/bundle.orig.json"

step "tier 2 in portable mode: usersentry on $tmp/sentry.sock (host kernel $(uname -r))"
build/bin/usersentry --socket "$tmp/sentry.sock" --policy-dir "$tmp/policies" \
	--log "$tmp/sentry.log" &
sentry_pid=$!
for _ in $(seq 50); do [ -S "$tmp/sentry.sock" ] && break; sleep 0.1; done

echo "\$ uname -a                                  # native"
uname -a
echo "\$ redirect-run --policy default -- uname -a  # under the redirector"
build/bin/redirect-run --socket "$tmp/sentry.sock" --policy default -- uname -a
echo "\$ redirect-run --policy default -- busybox uname -r"
build/bin/redirect-run --socket "$tmp/sentry.sock" --policy default -- busybox uname -r
echo "\$ redirect-run --policy default -- cat /proc/sys/kernel/osrelease  # not notified: tier 0 allows"
build/bin/redirect-run --socket "$tmp/sentry.sock" --policy default -- cat /proc/sys/kernel/osrelease

step "a busybox container: runc through redirect-runc (policy from the annotation)"
echo "\$ redirect-runc run --bundle $tmp/bundle demo"
REDIRECT_SOCKET=$tmp/sentry.sock REDIRECT_POLICY_DIR=$tmp/policies \
	build/bin/redirect-runc --root "$tmp/runc" run --bundle "$tmp/bundle" demo </dev/null
runc --root "$tmp/runc" delete -f demo >/dev/null 2>&1 || true
echo "redirect-runc rewrote linux.seccomp (the original is kept as config.json.redirect-orig):"
jq -c '.linux.seccomp | {defaultAction, listenerPath, listenerMetadata,
	notified: [.syscalls[] | select(.action == "SCMP_ACT_NOTIFY") | .names[]],
	rules: (.syscalls | length)}' "$tmp/bundle/config.json"

step "what the Sentry saw and answered"
sleep 0.2
cat "$tmp/sentry.log"
kill "$sentry_pid" && wait "$sentry_pid" 2>/dev/null || true
sentry_pid=
# the VM gets the bundle as it was
cp "$tmp/bundle.orig.json" "$tmp/bundle/config.json"
rm -f "$tmp/bundle/config.json.redirect-orig"

step "tiers 0-2 with redirect.ko, in a VM booting Debian's $(basename "$(dirname "$distro_kdir")")"
echo "(getppid per call: native; tier 0 seccomp errno; tier 1 answered by the module in"
echo " the calling task; forwarded through the module's broker; forwarded to a plain"
echo " user-space seccomp agent. Software-emulated VM: compare ratios, not times.)"
tools/vm-run --timeout 900 -- sh -c '
	tmp=$1
	# redirect-bench measures connect too: the guest boots with loopback down
	ip link set lo up 2>/dev/null || busybox ip link set lo up
	insmod build/kmod-distro/kmod/redirect.ko || exit 1
	echo "redirect.ko loaded: $(ls -l /dev/redirect)"
	build/bin/usersentry --socket "$tmp/vm.sock" --policy-dir "$tmp/policies" \
		--log "$tmp/vm-sentry.log" &
	sentry=$!
	for i in $(seq 300); do grep -q "listening on" "$tmp/vm-sentry.log" 2>/dev/null && break; sleep 0.1; done
	echo "\$ redirect-runc run --bundle $tmp/bundle demo     # module mode"
	REDIRECT_SOCKET=$tmp/vm.sock REDIRECT_POLICY_DIR=$tmp/policies \
		build/bin/redirect-runc --root "$tmp/vm-runc" run --bundle "$tmp/bundle" demo </dev/null ||
		failed=1
	runc --root "$tmp/vm-runc" delete -f demo >/dev/null 2>&1
	echo "-- the Sentry in module mode (tier-1 answers never reach it):"
	sleep 0.5
	cat "$tmp/vm-sentry.log"
	kill $sentry; wait $sentry
	echo
	build/bin/redirect-bench --calls 20000 --reps 3 --call getppid --scale 8 || failed=1
	rmmod redirect || failed=1
	exit ${failed:-0}' _ "$tmp"
