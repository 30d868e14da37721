#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pins the VM bench's contract: the command runs in the guest kernel with the
# host's cwd, its status and output come back, guest writes stay in the guest,
# and a hung guest is killed at the timeout.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit
. tools/kernels.sh
kernels=$(rdr_kernels | grep -vx "$(ls /boot/vmlinuz-6.1.*-amd64 | sort -V | tail -1 | sed 's|.*/vmlinuz-||')")
echo "1..$((3 + $(echo $kernels | wc -w)))"
n=0 failed=0
result() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi; }

mkdir -p build/check
probe=build/check/vm-run-overlay-probe.$$
rm -f "$probe"
# A checkout may live under /tmp (CI clones): the guest must see it.
hosttmp=$(mktemp -d /tmp/vm-run-test.XXXXXX)
echo "marker-$$" >"$hosttmp/marker"
out=$(tools/vm-run --timeout 300 -- sh -c "uname -r; pwd; cat $hosttmp/marker; touch $probe && echo wrote; exit 7")
rc=$?
echo "$out" | sed 's/^/# guest: /'
want_kver=$(ls /boot/vmlinuz-6.1.*-amd64 | sort -V | tail -1 | sed 's|.*/vmlinuz-||')
[ "$rc" = 7 ] && echo "$out" | grep -qx "$want_kver" && echo "$out" | grep -qx "$PWD" &&
	echo "$out" | grep -qx "marker-$$"
result $? "vm_run_status_output_cwd_and_host_tmp_come_back"
[ ! -e "$probe" ] && echo "$out" | grep -qx wrote
result $? "vm_run_guest_writes_stay_in_overlay"
rm -rf "$hosttmp"

start=$(date +%s)
tools/vm-run --timeout 30 -- sleep 600 >/dev/null 2>&1
rc=$?
took=$(( $(date +%s) - start ))
echo "# timeout run: status $rc after ${took}s"
[ "$rc" = 124 ] && [ "$took" -lt 60 ]
result $? "vm_run_hard_timeout"
# Every other test kernel boots too, its 9p and overlay modules (6.12's are
# .ko.xz) loaded by the initramfs.
for k in $kernels; do
	out=$(tools/vm-run --kernel "/boot/vmlinuz-$k" --timeout 300 -- sh -c 'uname -r; grep -q "^overlay / overlay" /proc/mounts && echo overlaid')
	rc=$?
	echo "$out" | sed 's/^/# guest: /'
	[ "$rc" = 0 ] && echo "$out" | grep -qx "$k" && echo "$out" | grep -qx overlaid
	result $? "vm_run_boots_$k"
done
exit $failed
