#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inside a VM guest, as root: the reliability and security suite of redirect.ko.
# Loads the module, runs the escape attempts, the failslab fault injection (the
# debug kernel only), the fault scenarios under load, the argument-swap races
# and a soak through usersentry, the ioctl/netlink fuzzer and the broker/end
# races, then unloads. TAP on stdout (the binaries' own
# results at column 0, then one line per step); exits non-zero on any failure.
# Run it under selftests/vm/debug-kernel-checks.sh to turn KASAN, lockdep,
# WARN and kmemleak reports into results too.
#
#   run-in-vm.sh MODULE_DIR
#
# MODULE_DIR holds redirect.ko (tools/build-module.sh's OUTDIR/kmod; OUTDIR
# itself is accepted too). Binaries come from build/selftests/reliability/
# (REL_BIN_DIR overrides) and are built if missing.
#
# Environment:
#   REL_LONG=1          the long run: REL_SCALE=20, fuzzing 1800 s over every
#                       seed of corpus/fuzz-seeds plus 8 fresh ones, 10^6
#                       calls (or 400 s) per argument-swap race, a 600 s soak
#   REL_SCALE           durations and iteration counts (default 1: the whole
#                       short run takes ~2 minutes on Debian's kernel and ~5 on
#                       the debug kernel under TCG, a minute of it fuzzing)
#   REL_FUZZ_SECONDS    fuzzing time (default 40 in the short run)
#   REL_SOAK_SECONDS    the soak's length (default 20; 600 with REL_LONG=1)
#   REL_FUZZ_SEEDS      "s1 s2 ..." instead of the corpus
#   REL_RACES=0         only the broker race that cannot crash a kernel without
#                       the fix of 378b668 (default 1: all three; without that
#                       fix the others are a use-after-free: BUG or GPF)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=${REL_BIN_DIR:-$top/build/selftests/reliability}
corpus=$top/selftests/reliability/corpus/fuzz-seeds

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n $*"; failed=1; }
finish() {
	[ -n "${modprobe_saved:-}" ] && echo "$modprobe_saved" >/proc/sys/kernel/modprobe
	echo "1..$n"
	exit "$failed"
}
diag() { sed 's/^/# /'; }

[ $# = 1 ] || { echo "usage: run-in-vm.sh MODULE_DIR" >&2; exit 2; }
ko=$1/redirect.ko
[ -f "$ko" ] || ko=$1/kmod/redirect.ko
if [ ! -f "$ko" ]; then
	not_ok "reliability_module_found # no redirect.ko in $1"
	finish
fi
export REDIRECT_KO
REDIRECT_KO=$(cd "$(dirname "$ko")" && pwd)/redirect.ko

if [ "${REL_LONG:-0}" = 1 ]; then
	export REL_SCALE=${REL_SCALE:-20}
	fuzz_seconds=${REL_FUZZ_SECONDS:-1800}
	fresh_seeds=8
	soak_seconds=${REL_SOAK_SECONDS:-600}
else
	export REL_SCALE=${REL_SCALE:-1}
	fuzz_seconds=${REL_FUZZ_SECONDS:-40}
	fresh_seeds=0
	soak_seconds=${REL_SOAK_SECONDS:-20}
fi
races=${REL_RACES:-1}

# A request for an absent netlink family runs modprobe, which would load the
# installed (DKMS) module while the tests unload and load this one.
modprobe_saved=$(cat /proc/sys/kernel/modprobe 2>/dev/null)
echo /bin/false >/proc/sys/kernel/modprobe 2>/dev/null

wait_node() { # 1: wait for /dev/redirect, 0: for it to go
	for _ in $(seq 100); do
		if [ -c /dev/redirect ]; then [ "$1" = 1 ] && return 0
		else [ "$1" = 0 ] && return 0
		fi
		sleep 0.1
	done
	return 1
}

loaded() { [ -d /sys/module/redirect ]; }
ensure_loaded() {
	loaded || insmod "$REDIRECT_KO" 2>&1 | diag
	wait_node 1
}

if ! loaded; then
	if ! out=$(insmod "$REDIRECT_KO" 2>&1); then
		echo "$out" | diag
		not_ok "reliability_insmod"
		finish
	fi
fi
if wait_node 1; then ok "reliability_insmod"; else not_ok "reliability_insmod # no node"; finish; fi

binary() { # name -> path, built if missing
	if [ ! -x "$bindir/$1" ]; then
		echo "# building $bindir/$1"
		make -s -C "$top" "build/selftests/reliability/$1" 2>&1 | diag
	fi
	echo "$bindir/$1"
}

# A kselftest binary with a hard time limit, so a hung call cannot stall the VM.
ksft() { # name limit
	local bin st start
	bin=$(binary "$1")
	if [ ! -x "$bin" ]; then
		not_ok "reliability_$1 # binary missing"
		return
	fi
	start=$(date +%s)
	timeout -s KILL "$2" "$bin"
	st=$?
	echo "# $1: $(( $(date +%s) - start )) s"
	if [ $st = 0 ]; then ok "reliability_$1"; else not_ok "reliability_$1 # exit $st"; fi
	ensure_loaded || true
}

ksft escape_test 900
ksft failslab_test $((1800 + 60 * ${REL_SCALE%.*}))
ksft faults_test $((1800 + 300 * ${REL_SCALE%.*}))

# Through usersentry in module mode: argument-swap races (openat, connect),
# then a soak with many sandboxes (REL_SOAK_SECONDS; 20 s, 600 s long).
script() { # name args...
	local name=$1 st start
	shift
	start=$(date +%s)
	"$top/selftests/reliability/$name.sh" "$@"
	st=$?
	echo "# $name: $(( $(date +%s) - start )) s"
	if [ $st = 0 ]; then ok "reliability_$name"; else not_ok "reliability_$name # exit $st"; fi
	ensure_loaded || true
}
script swap module
script soak module "$soak_seconds"

# The fuzzer: seeds from the corpus (the short run: the first four), fresh
# ones in the long run; unload attempts included (-m).
fuzz=$(binary rdr_fuzz)
if [ -n "${REL_FUZZ_SEEDS:-}" ]; then
	seeds=$REL_FUZZ_SEEDS
elif [ "${REL_LONG:-0}" = 1 ]; then
	seeds=$(grep -v '^#' "$corpus")
else
	seeds=$(grep -v '^#' "$corpus" | head -4)
fi
args=()
for s in $seeds; do args+=(-s "$s"); done
for _ in $(seq "$fresh_seeds"); do args+=(-s "$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')"); done
start=$(date +%s)
timeout -s KILL $((fuzz_seconds + 600)) "$fuzz" -t "$fuzz_seconds" -m "${args[@]}"
st=$?
echo "# rdr_fuzz: $(( $(date +%s) - start )) s"
if [ $st = 0 ]; then ok "reliability_fuzz"; else not_ok "reliability_fuzz # exit $st"; fi
ensure_loaded || true

# Last: without the fix these find a leak (kmemleak) or crash (KASAN, DEBUG_LIST).
if [ "$races" = 1 ]; then
	ksft race_test 1200
else
	REL_ONLY=recv_while_sandbox_ends ksft race_test 600
fi

# Sandboxes end asynchronously after their last task is reaped: retry briefly.
out=
for _ in $(seq 100); do
	out=$(rmmod redirect 2>&1) && break
	sleep 0.1
done
if ! loaded && wait_node 0; then
	ok "reliability_rmmod"
else
	echo "$out" | diag
	not_ok "reliability_rmmod"
fi
finish
