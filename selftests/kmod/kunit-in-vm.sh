#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inside a VM guest running a KUnit kernel: load redirect.ko and redirect_kunit.ko
# (the suite runs at load), print the suite's KTAP, unload both. Exits non-zero
# if the suite is missing or any case failed.
#
#   kunit-in-vm.sh MODULE_DIR
#
# MODULE_DIR is the directory holding redirect.ko and redirect_kunit.ko
# (tools/build-module.sh's OUTDIR/kmod); OUTDIR itself is accepted too.
set -u

fail() { echo "not ok 1 redirect # $*"; exit 1; }

[ $# = 1 ] || { echo "usage: kunit-in-vm.sh MODULE_DIR" >&2; exit 2; }
dir=$1
[ -f "$dir/redirect.ko" ] || dir=$1/kmod
for m in redirect redirect_kunit; do
	[ -f "$dir/$m.ko" ] || fail "no $m.ko in $1 (kernel without CONFIG_KUNIT?)"
done

debugfs=/sys/kernel/debug
mountpoint -q "$debugfs" || mount -t debugfs debugfs "$debugfs" || fail "cannot mount debugfs"
results=$debugfs/kunit/redirect/results

for m in redirect_kunit redirect; do
	[ -d /sys/module/$m ] && rmmod $m
done
out=$(insmod "$dir/redirect.ko" 2>&1) || fail "insmod redirect.ko: $out"
if ! out=$(insmod "$dir/redirect_kunit.ko" 2>&1); then
	rmmod redirect
	fail "insmod redirect_kunit.ko: $out"
fi

rc=0
if [ -r "$results" ]; then
	ktap=$(cat "$results")
	echo "$ktap"
	# The suite's own verdict is the last line; also insist on one result per planned case.
	plan=$(echo "$ktap" | sed -n 's/^[[:space:]]\+1\.\.\([0-9]\+\)$/\1/p' | head -1)
	cases=$(echo "$ktap" | grep -cE '^[[:space:]]+(not )?ok [0-9]+ ')
	if ! echo "$ktap" | tail -1 | grep -qE '^ok [0-9]+ redirect$'; then
		echo "# suite redirect failed"
		rc=1
	elif echo "$ktap" | grep -qE '^[[:space:]]*not ok '; then
		echo "# a case failed"
		rc=1
	elif [ -z "$plan" ] || [ "$cases" != "$plan" ]; then
		echo "# $cases case results for a plan of ${plan:-none}"
		rc=1
	fi
else
	echo "not ok 1 redirect # $results missing"
	rc=1
fi

rmmod redirect_kunit || rc=1
rmmod redirect || rc=1
exit $rc
