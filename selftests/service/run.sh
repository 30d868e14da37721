#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# usersentry as a service: readiness protocol, and the unit and modules-load
# entry as `make install` lays them out, checked by systemd-analyze (the unit's
# ExecStart pointed at the staged binary, since nothing is installed for real);
# the fd store keeping portable mode's sandboxes across a crash, with systemd
# as init in a VM (selftests/service/fdstore-in-vm.sh).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit
rc=0
build/selftests/service/service_test || rc=1

root=$(mktemp -d /tmp/redirect-install.XXXXXX)
trap 'rm -rf "$root"' EXIT
unit=$root/usr/local/lib/systemd/system/usersentry.service
if make -s install DESTDIR="$root" >"$root.log" 2>&1 &&
	[ -f "$root/etc/modules-load.d/redirect.conf" ] &&
	grep -qx redirect "$root/etc/modules-load.d/redirect.conf" &&
	sed "s|ExecStart=/|ExecStart=$root/|" "$unit" >"$root/usersentry.service" &&
	out=$(systemd-analyze verify "$root/usersentry.service" 2>&1) && [ -z "$out" ]; then
	echo "ok 1 install_lays_out_a_valid_unit_and_modules_load_entry"
else
	echo "not ok 1 install_lays_out_a_valid_unit_and_modules_load_entry"
	sed 's/^/# /' "$root.log" | tail -5
	echo "${out:-}" | sed 's/^/# /'
	rc=1
fi

# every installed manual page renders without a warning
n=2
for page in $(find "$root/usr/local/share/man" -type f | sort); do
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -z "$warn" ]; then echo "ok $n man_page_without_warnings_${page##*/}"
	else echo "not ok $n man_page_without_warnings_${page##*/}"; echo "$warn" | sed 's/^/# /'
		rc=1; fi
	n=$((n + 1))
done
pages=$(find "$root/usr/local/share/man" -type f -name '*.[158]' | wc -l)
if [ "$pages" = 5 ]; then echo "ok $n install_puts_all_five_man_pages"
else echo "not ok $n install_puts_all_five_man_pages # found $pages"; rc=1; fi
n=$((n + 1))

# uninstall removes every file and link install put in place
rm -f "$root/usersentry.service"	# this test's own copy
make -s uninstall DESTDIR="$root" >"$root.log" 2>&1
left=$(find "$root" ! -type d)
if [ -z "$left" ]; then echo "ok $n uninstall_leaves_nothing_behind"
else echo "not ok $n uninstall_leaves_nothing_behind"; echo "$left" | sed 's/^/# /'; rc=1; fi
rm -f "$root.log"

# Custody in portable mode under systemd as init, in a VM (minutes under TCG).
if [ -n "${SERVICE_NO_VM:-}" ]; then
	echo "ok 2 fdstore_in_vm # SKIP SERVICE_NO_VM set"
elif ! command -v qemu-system-x86_64 >/dev/null || [ ! -x /lib/systemd/systemd ]; then
	echo "ok 2 fdstore_in_vm # SKIP no qemu-system-x86_64 or /lib/systemd/systemd"
elif ! make -s sentry-selftests >"$root.log" 2>&1; then
	echo "not ok 2 fdstore_in_vm: build failed"
	sed 's/^/# /' "$root.log" | tail -5
	rc=1
else
	echo "# fdstore-in-vm.sh in a guest booted with systemd as init:"
	tools/vm-run --systemd --timeout 1200 -- selftests/service/fdstore-in-vm.sh || rc=1
fi
exit $rc
