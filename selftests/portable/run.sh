#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Portable-mode host selftests: build them, run every test binary, print one flat TAP stream.
# The tests start and stop their own usersentry instances on temporary sockets.
#
#   selftests/portable/run.sh        (REDIRECT_NO_BUILD=1: use what build/ holds)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit
bindir=build/selftests/portable
work=$(mktemp -d "${TMPDIR:-/tmp}/redirect-portable.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "TAP version 13"
if [ -z "${REDIRECT_NO_BUILD:-}" ] &&
   ! make -s portable-selftests >"$work/build.log" 2>&1; then
	sed 's/^/# /' "$work/build.log"
	echo "not ok 1 portable: build failed"
	echo "1..1"
	echo "portable: 0 passed, 1 failed"
	exit 1
fi

export TMPDIR=$work REDIRECT_BIN=$top/build/bin REDIRECT_SRCDIR=$top
n=0 pass=0 fail=0 skip=0
for t in "$bindir"/*_test; do
	name=$(basename "$t")
	echo "# ---- $name"
	timeout --kill-after=10 900 "$t" >"$work/$name.out" 2>&1
	rc=$?
	results=0 failed=0
	while IFS= read -r line; do
		if [[ $line =~ ^(ok|not\ ok)\ [0-9]+\ (.*)$ ]]; then
			n=$((n + 1)) results=$((results + 1))
			status=${BASH_REMATCH[1]} desc=${BASH_REMATCH[2]}
			echo "$status $n $name: $desc"
			if [[ $desc =~ \#\ *[Ss][Kk][Ii][Pp] ]]; then
				skip=$((skip + 1))
			elif [ "$status" = "not ok" ]; then
				fail=$((fail + 1)) failed=1
			else
				pass=$((pass + 1))
			fi
		elif [[ $line =~ ^(TAP\ version|1\.\.[0-9]) ]]; then
			continue
		elif [[ $line == \#* ]]; then
			echo "$line"
		else
			echo "# $line"
		fi
	done <"$work/$name.out"
	# a crash or timeout that its own TAP did not report
	if { [ "$rc" != 0 ] && [ "$failed" = 0 ]; } || [ "$results" = 0 ]; then
		n=$((n + 1)) fail=$((fail + 1))
		echo "not ok $n $name: exited with status $rc"
	fi
done
echo "1..$n"
echo "portable: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
