#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The users' install path: DKMS builds and installs redirect.ko for a test
# kernel (Debian's 6.1 or 6.12) on this host (whose own kernel cannot load
# modules), then a plain `modprobe redirect` in a VM booting that kernel
# creates /dev/redirect, and a
# request for the netlink family loads the module by itself.
#   test-dkms.sh KERNEL_VERSION
set -uo pipefail
cd "$(dirname "$0")/../.." || exit
kver=$1
echo "1..5"
n=0 failed=0
result() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi; }

make -s dkms-remove >/dev/null 2>&1
make -s dkms-install DKMS_KERNEL="$kver" >build/check/dkms.log 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' build/check/dkms.log | tail -30
result $rc "dkms_add_build_install_for_$kver"

ko=$(find /lib/modules/"$kver"/updates -name 'redirect.ko*' 2>/dev/null | head -1)
[ -n "$ko" ] && modinfo -F version "$ko" | grep -qx "$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)"
result $? "dkms_installed_module_has_package_version_on_$kver"

out=$(tools/vm-run --kernel "/boot/vmlinuz-$kver" --timeout 300 -- sh -c 'modprobe redirect && stat -c "%F %a" /dev/redirect && rmmod redirect && echo unloaded')
rc=$?
echo "$out" | sed 's/^/# guest: /'
[ $rc = 0 ] && echo "$out" | grep -qx "character special file 600" && echo "$out" | grep -qx unloaded
result $? "modprobe_redirect_in_vm_creates_dev_redirect_on_$kver"

# A request for the generic-netlink family loads the module by itself.
out=$(tools/vm-run --kernel "/boot/vmlinuz-$kver" --timeout 300 -- sh -c 'genl ctrl get name redirect >/dev/null && test -d /sys/module/redirect && echo autoloaded')
rc=$?
echo "$out" | sed 's/^/# guest: /'
[ $rc = 0 ] && echo "$out" | grep -qx autoloaded
result $? "netlink_family_request_autoloads_module_on_$kver"

make -s dkms-remove >/dev/null 2>&1
[ -z "$(find /lib/modules/"$kver" -name 'redirect.ko*' 2>/dev/null)" ] && ! dkms status redirect 2>/dev/null | grep -q redirect
result $? "dkms_remove_leaves_nothing_on_$kver"
exit $failed
