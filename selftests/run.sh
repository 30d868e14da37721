#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite (`make check`): host tests, fuzzers, the VM bench, the
# module-mode suites on each test kernel (Debian's 6.1 and 6.12; KERNELS=...
# for others, tools/kernels.sh), KUnit and the kselftests on the debug test
# kernel (6.1), the DKMS path on each test kernel.  Prints each suite's TAP,
# ends with "N passed, N failed".
#
#   selftests/run.sh [SUITE...]     (default: all; see `selftests/run.sh --list`)
#   KERNELS="6.12" selftests/run.sh kmod-6.12 dkms
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit
out=build/check
mkdir -p "$out"
. tools/kernels.sh
kernels=$(rdr_kernels)
kernels_rc=$?
# suite kmod-LABEL runs the module-mode suites on kernel kver_of[LABEL]
declare -A kver_of
kmod_suites=
for k in $kernels; do
	l=$(rdr_kernel_label "$k")
	[ -z "${kver_of[$l]:-}" ] || l=$k	# two of one series: the full release names it
	kver_of[$l]=$k
	kmod_suites+=" kmod-$l"
done
all_suites="host lint sentry tools service reliability-host fuzz vm-bench$kmod_suites kmod-debug dkms"

if [ "${1:-}" = --list ]; then
	echo "$all_suites"
	exit 0
fi
suites=${*:-$all_suites}
# kmod-distro: the module-mode suites on every test kernel
# (one line, blank-separated: the `case " $suites "` tests below match words)
suites=$(for s in $suites; do [ "$s" = kmod-distro ] && echo $kmod_suites || echo "$s"; done | xargs)

# The test kernel takes minutes to build cold: start it now, wait when needed.
testkernel_log=$out/testkernel.log
testkernel_pid=
case " $suites " in *" kmod-debug "*)
	tools/testkernel/build.sh >"$out/testkernel.path" 2>"$testkernel_log" &
	testkernel_pid=$!
esac
# Called in the main shell (suites run in pipelines, i.e. subshells, which
# cannot wait for the build). Afterwards the suites read the path.
wait_testkernel() {
	[ -n "$testkernel_pid" ] || return 0
	wait "$testkernel_pid"
	testkernel_rc=$?
	testkernel_pid=
}
testkernel_rc=0
testkernel() {
	if [ "$testkernel_rc" != 0 ] || [ ! -s "$out/testkernel.path" ]; then
		echo "# test kernel build failed:"
		sed 's/^/# /' "$testkernel_log" | tail -30
		return 1
	fi
	cat "$out/testkernel.path"
}

# ---- suites: each prints TAP on stdout and returns non-zero on failure ------
suite_host() { selftests/portable/run.sh; }
# One line per check of tools/lint.sh (make lint and make format-check).
suite_lint() {
	local c n=0 rc=0
	for c in checkpatch shellcheck werror format; do
		n=$((n + 1))
		if tools/lint.sh "$c" >"$out/lint-$c.log" 2>&1; then
			echo "ok $n lint: $c"
		else
			echo "not ok $n lint: $c"
			sed 's/^/# /' "$out/lint-$c.log" | tail -40
			rc=1
		fi
	done
	return $rc
}
suite_sentry() { selftests/sentry/run.sh; }
suite_tools() { selftests/tools/run.sh host; }
suite_service() { selftests/service/run.sh; }
suite_reliability-host() { selftests/reliability/run-host.sh; }
suite_fuzz() { selftests/fuzz/run.sh "${FUZZ_SECONDS:-20}"; }
suite_vm-bench() { selftests/vm/test-vm-run.sh; }
# Module suites run in one VM boot each; the sandbox tests join when built.
# The Sentry's module-mode tests wait on wall-clock timeouts sized for the
# distro kernel; the debug kernel runs the kernel-facing suites only.
module_tests() { # MODULE_DIR [debug]
	echo selftests/kmod/run-in-vm.sh "$1"
	[ -x selftests/sandbox/run-in-vm.sh ] && echo "; selftests/sandbox/run-in-vm.sh $1"
	[ -x selftests/rules/run-in-vm.sh ] && echo "; selftests/rules/run-in-vm.sh $1"
	[ -z "${2:-}" ] && [ -x selftests/sentry/run-in-vm.sh ] &&
		echo "; selftests/sentry/run-in-vm.sh $1"
	[ -z "${2:-}" ] && echo "; selftests/tools/run.sh vm $1"
	# The reliability suite takes ~15 minutes on the debug kernel: there it
	# runs behind `make reliability`; make check runs it on the distro kernel.
	[ -z "${2:-}" ] && [ -x selftests/reliability/run-in-vm.sh ] &&
		echo "; env REL_RACES=1 selftests/reliability/run-in-vm.sh $1"
	return 0
}
kmod_suite() { # KERNEL_RELEASE: build the module for it, run the suites in one boot
	local kver=$1 dir=build/kmod-$1
	[ -e "/boot/vmlinuz-$kver" ] || { echo "# kernel $kver is not installed"; return 1; }
	tools/build-module.sh "/lib/modules/$kver/build" "$dir" || return 1
	# shellcheck disable=SC2046
	tools/vm-run --kernel "/boot/vmlinuz-$kver" --timeout 3600 \
		--dmesg "$out/kmod-$(rdr_kernel_label "$kver").dmesg" -- \
		selftests/vm/guest-suite.sh $(module_tests "$dir/kmod")
}
# The debug kernel boots slowly under TCG (about 2 minutes): KUnit, the
# kselftests (stress scaled down: KASAN and lockdep make every call slower)
# and the bug/leak checks share one boot. The guest does not inherit this
# environment, hence `env`. kasan_multi_shot: a report early in boot must not
# silence the ones that follow.
suite_kmod-debug() {
	local tk
	tk=$(testkernel) || return 1
	tools/build-module.sh "$tk" build/kmod-debug || return 1
	# shellcheck disable=SC2046
	tools/vm-run --kernel "$tk/arch/x86/boot/bzImage" --timeout 2400 \
		--append kasan_multi_shot --dmesg "$out/kmod-debug.dmesg" -- \
		env LOAD_UNLOAD_CYCLES=10 REDIRECT_STRESS_ITERS=1000 REDIRECT_SIGNAL_ITERS=2000 \
		selftests/vm/debug-kernel-checks.sh selftests/vm/guest-suite.sh \
		selftests/kmod/kunit-in-vm.sh build/kmod-debug/kmod \; \
		$(module_tests build/kmod-debug/kmod debug)
}
# DKMS builds and installs for every test kernel; each is then booted.
suite_dkms() {
	local k rc=0
	for k in $kernels; do selftests/vm/test-dkms.sh "$k" || rc=1; done
	[ "$kernels_rc" = 0 ] && [ -n "$kernels" ] || rc=1
	return $rc
}

# ---- counting ---------------------------------------------------------------
# Leaf results count: kselftest results at column 0 and KUnit's cases,
# indented under their suite. A column-0 result right after indented ones is
# the KUnit suite's own summary line, already counted through its cases.
total_pass=0 total_fail=0 total_skip=0
count() { # file -> "pass fail skip"
	awk '
		/^[[:space:]]*(not )?ok [0-9]/ {
			indented = ($0 ~ /^[[:space:]]/)
			parent = !indented && last_indented
			last_indented = indented
			if (parent) next
			if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) s++
			else if ($0 ~ /^[[:space:]]*not ok/) f++
			else p++
		}
		END { printf "%d %d %d\n", p, f, s }' "$1"
}

for s in $suites; do
	case "$s" in
	kmod-debug) ;;
	kmod-*)
		[ -n "${kver_of[${s#kmod-}]:-}" ] || {
			echo "unknown suite '$s': no such test kernel (have:$kmod_suites; KERNELS=...)" >&2
			exit 2
		}
		eval "suite_$s() { kmod_suite ${kver_of[${s#kmod-}]}; }" ;;
	esac
	if ! declare -F "suite_$s" >/dev/null; then
		echo "unknown suite '$s' (have: $all_suites)" >&2
		exit 2
	fi
	[ "$s" = kmod-debug ] && wait_testkernel
	echo "# ==== suite $s ===="
	start=$(date +%s)
	"suite_$s" 2>&1 | tee "$out/$s.tap"
	rc=${PIPESTATUS[0]}
	read -r p f k < <(count "$out/$s.tap")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - suite $s exited $rc"
		f=1
	fi
	if [ $((p + f + k)) = 0 ]; then
		echo "not ok - suite $s reported no results"
		f=1
	fi
	echo "# suite $s: $p passed, $f failed, $k skipped ($(( $(date +%s) - start ))s)"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + k))
done

wait_testkernel
if [ "$kernels_rc" != 0 ] && case " $suites " in *" dkms "*|*" kmod-"*) true ;; *) false ;; esac; then
	echo "not ok - a test kernel of KERNELS='${KERNELS:-6.1 6.12}' is missing (see above)"
	total_fail=$((total_fail + 1))
fi
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
