#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The user-facing tools end to end (redirect-runc, redirectctl, ...): runs every
# selftests/tools/*_test.sh, each printing "ok"/"not ok" lines. TAP on stdout.
#
#   run.sh host               on the host, portable mode
#   run.sh vm MODULE_DIR      inside a VM guest as root: loads redirect.ko first
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit
mode=${1:-host}
echo "TAP version 13"
if [ -z "${REDIRECT_NO_BUILD:-}" ] && ! out=$(make -s user tests 2>&1); then
	echo "$out" | sed 's/^/# /' | tail -30
	echo "not ok 1 tools: build failed"
	exit 1
fi
loaded_here=
if [ "$mode" = vm ]; then
	ko=${2:?usage: run.sh vm MODULE_DIR}/redirect.ko
	[ -f "$ko" ] || ko=$2/kmod/redirect.ko
	if [ ! -d /sys/module/redirect ]; then
		insmod "$ko" || { echo "not ok 1 tools: insmod $ko"; exit 1; }
		loaded_here=1
	fi
	for _ in $(seq 50); do [ -c /dev/redirect ] && break; sleep 0.1; done
fi
rc=0
for t in selftests/tools/*_test.sh; do
	[ -e "$t" ] || continue
	echo "# ---- $t ($mode)"
	bash "$t" "$mode" || rc=1
done
if [ -n "$loaded_here" ]; then
	rmmod redirect 2>/dev/null || echo "# rmmod redirect failed (sandboxes in custody?)"
fi
exit $rc
