#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main job, end to end: commands under the redirector on this host
# (portable mode: the Sentry answers on the listener), then redirect.ko in a VM
# booting Debian's 6.1 kernel, with the cost of each tier side by side.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

make -s all
distro_kdir=$(ls -d /lib/modules/6.1.*-amd64/build | sort -V | tail -1)
tools/build-module.sh "$distro_kdir" build/kmod-distro

tmp=$(mktemp -d /tmp/redirect-demo.XXXXXX)
sentry_pid=
cleanup() { [ -n "$sentry_pid" ] && kill "$sentry_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

step "tier 2 in portable mode: usersentry on $tmp/sentry.sock (host kernel $(uname -r))"
build/bin/usersentry --socket "$tmp/sentry.sock" --policy-dir usersentry/policies \
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

step "what the Sentry saw and answered"
sleep 0.2
cat "$tmp/sentry.log"

step "tiers 0-2 with redirect.ko, in a VM booting Debian's $(basename "$(dirname "$distro_kdir")")"
echo "(getppid per call: native; tier 0 seccomp errno; tier 1 answered by the module in"
echo " the calling task; forwarded through the module's broker; forwarded to a plain"
echo " user-space seccomp agent. Software-emulated VM: compare ratios, not times.)"
tools/vm-run --timeout 600 -- sh -c '
	insmod build/kmod-distro/kmod/redirect.ko &&
	echo "redirect.ko loaded: $(ls -l /dev/redirect)" &&
	build/bin/redirect-bench --calls 20000 --reps 3 --call getppid --scale 8 &&
	rmmod redirect'
