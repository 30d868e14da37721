#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The micro benchmarks with the real usersentry beside them: starts a private
# usersentry (policies: default and tools/bench/sentry-bench.json), runs
# redirect-bench --json into OUT ("-": stdout, between @@bench-json@@ marks,
# the way a VM guest hands it back), stops the Sentry.  With --module KO,
# loads redirect.ko first (inside a VM guest) and unloads it afterwards.
# USERSENTRY=path measures another build of the daemon (a before/after pair).
#
#   tools/bench/micro.sh [--module KO] OUT.json|- [redirect-bench options...]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

usage() { echo "usage: micro.sh [--module KO] OUT.json|- [redirect-bench options...]" >&2; exit 2; }
ko=
if [ "${1:-}" = --module ]; then
	[ $# -ge 2 ] || usage
	ko=$2
	shift 2
	[ -f "$ko" ] || { echo "micro.sh: module '$ko' not found" >&2; exit 2; }
fi
[ $# -ge 1 ] || usage
out=$1
shift
for b in redirect-bench redirect-run usersentry; do
	[ -x "build/bin/$b" ] || { echo "micro.sh: build/bin/$b missing (make user)" >&2; exit 2; }
done

me=micro
. tools/bench/common.sh
# a VM guest boots without networking: connect() wants the loopback
[ -z "$ko" ] || ip link set lo up

mkdir -p "$work/policies"
cp usersentry/policies/default.json tools/bench/sentry-bench.json "$work/policies/"
"${USERSENTRY:-build/bin/usersentry}" --socket "$work/sentry.sock" --policy-dir "$work/policies" \
	--state-dir "$work/state" --log "$work/sentry.log" &
sentry_pid=$!
for _ in $(seq 100); do [ -S "$work/sentry.sock" ] && break; sleep 0.1; done
[ -S "$work/sentry.sock" ] || { echo "micro.sh: usersentry did not start:" >&2; cat "$work/sentry.log" >&2; exit 1; }

build/bin/redirect-bench --json --usersentry "$work/sentry.sock" "$@" >"$work/out.json"
emit_json "$work/out.json"
