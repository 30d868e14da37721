#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the libFuzzer targets and run each for a while from the seed corpus; one TAP line each.
#
#   selftests/fuzz/run.sh [SECONDS]     (default 20 per target)
# Crashing inputs are kept in build/fuzz/artifacts/.
set -uo pipefail

secs=${1:-20}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit
work=$(mktemp -d "${TMPDIR:-/tmp}/redirect-fuzz.XXXXXX")
# fuzzers still running when this script is stopped go with it
trap 'kill $(jobs -p) 2>/dev/null; wait; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
artifacts=build/fuzz/artifacts

echo "TAP version 13"
targets=$(ls selftests/fuzz/*_fuzz.c 2>/dev/null | sed 's|.*/||; s|_fuzz\.c$||')
set -- $targets
echo "1..$#"
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	n=0
	for t in $targets; do
		n=$((n + 1))
		echo "ok $n fuzz: $t # SKIP no clang"
	done
	exit 0
fi
if ! make -s -j"$(nproc)" fuzz >"$work/build.log" 2>&1; then
	sed 's/^/# /' "$work/build.log"
	n=0
	for t in $targets; do
		n=$((n + 1))
		echo "not ok $n fuzz: $t (build failed)"
	done
	exit 1
fi

mkdir -p "$artifacts"
# The targets are independent: run as many at once as there are CPUs, then
# report in a fixed order.
# (each may take -rss_limit_mb=2048: no more at once than memory allows)
jobs=$(nproc 2>/dev/null || echo 1)
mem_jobs=$(awk '/^MemAvailable:/ { print int($2 / (2560 * 1024)) }' /proc/meminfo)
[ "${mem_jobs:-1}" -lt "$jobs" ] && jobs=$mem_jobs
[ "$jobs" -ge 1 ] || jobs=1
fuzz_one() { # target
	local t=$1
	mkdir -p "$work/$t"
	# new inputs go to the scratch corpus; the seeds in the repo stay as they are
	build/fuzz/${t}_fuzz -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
		"$work/$t" "selftests/fuzz/corpus/$t" >"$work/$t.log" 2>&1
	echo $? >"$work/$t.rc"
}
for t in $targets; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	fuzz_one "$t" &
done
wait
n=0 failed=0
for t in $targets; do
	n=$((n + 1))
	rc=$(cat "$work/$t.rc" 2>/dev/null || echo lost)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
	if [ "$rc" = 0 ]; then
		echo "ok $n fuzz: $t (${runs:-?} runs in ${secs}s)"
	else
		failed=1
		tail -40 "$work/$t.log" | sed 's/^/# /'
		echo "not ok $n fuzz: $t (exit $rc; crash input in $artifacts/)"
	fi
done
[ "$failed" = 0 ]
