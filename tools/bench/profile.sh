#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where usersentry's time per call goes (docs/performance.md, "The Sentry's
# own cost"): starts a private usersentry as micro.sh does, runs
# redirect-bench --mode usersentry for one call, and prints per call:
#   cpu     the daemon's time on a CPU (all its threads, from schedstat):
#           steadier than wall time on a loaded machine
#   strace  its system calls ("strace -c -f")
#   perf    where its CPU time goes ("perf record -e cpu-clock")
#
#   tools/bench/profile.sh cpu|strace|perf CALL [CALLS] [usersentry options...]
#
# CALL: uname, openat, stat or connect.  Both sides may be pinned by running
# the script under taskset.  USERSENTRY=path measures another build.
# Needs strace or perf (Debian's linux-perf) for those.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

usage() { echo "usage: profile.sh cpu|strace|perf CALL [CALLS] [usersentry options...]" >&2; exit 2; }
[ $# -ge 2 ] || usage
tool=$1 call=$2
shift 2
n=20000
if [ $# -ge 1 ] && [[ $1 =~ ^[0-9]+$ ]]; then
	n=$1
	shift
fi
case $tool in
cpu) ;;
strace | perf) command -v "$tool" >/dev/null || { echo "profile.sh: $tool not installed" >&2; exit 2; } ;;
*) usage ;;
esac
case $call in
uname | openat | stat | connect) ;;
*) usage ;;
esac
for b in redirect-bench redirect-run usersentry; do
	[ -x "build/bin/$b" ] || { echo "profile.sh: build/bin/$b missing (make user)" >&2; exit 2; }
done

me=profile ko=
. tools/bench/common.sh

mkdir -p "$work/policies"
cp usersentry/policies/default.json tools/bench/sentry-bench.json "$work/policies/"
sentry=("${USERSENTRY:-build/bin/usersentry}" --socket "$work/sentry.sock" --policy-dir "$work/policies"
	--state-dir "$work/state" --log "$work/sentry.log" "$@")
if [ "$tool" = cpu ]; then
	"${sentry[@]}" &
elif [ "$tool" = strace ]; then
	strace -c -f -o "$work/trace" "${sentry[@]}" &
else
	perf record -q -e cpu-clock -F 10000 -g -o "$work/perf.data" -- "${sentry[@]}" &
fi
sentry_pid=$!
for _ in $(seq 100); do [ -S "$work/sentry.sock" ] && break; sleep 0.1; done
[ -S "$work/sentry.sock" ] || { echo "profile.sh: usersentry did not start:" >&2; cat "$work/sentry.log" >&2; exit 1; }

# nanoseconds on a CPU of the daemon's threads (workers stay for --worker-idle)
oncpu() {
	local pid=$1
	[ "$tool" = cpu ] || { echo 0; return; }
	cat /proc/"$pid"/task/*/schedstat | awk '{ t += $1 } END { printf "%d\n", t }'
}
t0=$(oncpu "$sentry_pid")
build/bin/redirect-bench --usersentry "$work/sentry.sock" --mode usersentry --call "$call" \
	--reps 1 --fwd-calls "$n" --scale none >"$work/bench.txt"
t1=$(oncpu "$sentry_pid")
# the daemon itself (strace and perf run it as their child) stops cleanly
if [ "$tool" = cpu ]; then kill -INT "$sentry_pid"; else pkill -INT -P "$sentry_pid" || true; fi
wait "$sentry_pid" || true
sentry_pid=
echo "# $tool of usersentry, $n x $call (redirect-bench --mode usersentry)"
grep -E "usersentry" "$work/bench.txt" | head -3
if [ "$tool" = cpu ]; then
	awk -v t="$((t1 - t0))" -v n="$n" 'BEGIN { printf "%8.2f  us on a CPU per call (daemon)\n", t / n / 1000 }'
elif [ "$tool" = strace ]; then
	# calls per served call: the main thread's and the workers' together
	# "% time seconds usecs/call calls [errors] syscall": 0.05 a call at least
	awk -v n="$n" '/^ *[0-9]/ && (NF == 5 || NF == 6) && $4 / n >= 0.05 {
		printf "%8.2f  %s\n", $4 / n, $NF }' "$work/trace" | sort -rn
else
	perf report -i "$work/perf.data" --no-children --sort symbol --stdio -q 2>/dev/null |
		grep -E "^ +[0-9.]+%" | head -40
fi
