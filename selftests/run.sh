#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite (`make check`): host tests, fuzzers, the VM bench, the
# kselftests on Debian's kernel, KUnit and the kselftests on the debug test
# kernel, the DKMS path.  Prints each suite's TAP, ends with "N passed, N failed".
#
#   selftests/run.sh [SUITE...]     (default: all; see `selftests/run.sh --list`)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=build/check
mkdir -p "$out"
distro_kver=$(ls /boot/vmlinuz-6.1.*-amd64 2>/dev/null | sort -V | tail -1 | sed 's|.*/vmlinuz-||')
distro_kdir=/lib/modules/$distro_kver/build
all_suites="host fuzz vm-bench kmod-distro kunit kmod-debug dkms"

if [ "${1:-}" = --list ]; then
	echo "$all_suites"
	exit 0
fi
suites=${*:-$all_suites}

# The test kernel takes minutes to build cold: start it now, wait when needed.
testkernel_log=$out/testkernel.log
testkernel_pid=
case " $suites " in *" kunit "*|*" kmod-debug "*)
	tools/testkernel/build.sh >"$out/testkernel.path" 2>"$testkernel_log" &
	testkernel_pid=$!
esac
testkernel() {
	if [ -n "$testkernel_pid" ]; then
		wait "$testkernel_pid" || { echo "# test kernel build failed:"; sed 's/^/# /' "$testkernel_log" | tail -30; return 1; }
		testkernel_pid=
	fi
	cat "$out/testkernel.path"
}

# ---- suites: each prints TAP on stdout and returns non-zero on failure ------
suite_host() { selftests/portable/run.sh; }
suite_fuzz() { selftests/fuzz/run.sh "${FUZZ_SECONDS:-20}"; }
suite_vm-bench() { selftests/vm/test-vm-run.sh; }
suite_kmod-distro() {
	tools/build-module.sh "$distro_kdir" build/kmod-distro || return 1
	tools/vm-run --timeout 600 --dmesg "$out/kmod-distro.dmesg" -- \
		selftests/kmod/run-in-vm.sh build/kmod-distro/kmod
}
suite_kunit() {
	local tk
	tk=$(testkernel) || return 1
	tools/build-module.sh "$tk" build/kmod-debug || return 1
	tools/vm-run --kernel "$tk/arch/x86/boot/bzImage" --timeout 900 \
		--dmesg "$out/kunit.dmesg" -- selftests/kmod/kunit-in-vm.sh build/kmod-debug/kmod
}
suite_kmod-debug() {
	local tk
	tk=$(testkernel) || return 1
	[ -f build/kmod-debug/kmod/redirect.ko ] || tools/build-module.sh "$tk" build/kmod-debug || return 1
	tools/vm-run --kernel "$tk/arch/x86/boot/bzImage" --timeout 1200 \
		--dmesg "$out/kmod-debug.dmesg" -- \
		selftests/vm/debug-kernel-checks.sh selftests/kmod/run-in-vm.sh build/kmod-debug/kmod
}
suite_dkms() { selftests/vm/test-dkms.sh "$distro_kver"; }

# ---- counting ---------------------------------------------------------------
# KUnit nests cases under a suite line; count the cases (indented results).
# Everything else is flat kselftest TAP: count results at column 0.
total_pass=0 total_fail=0 total_skip=0
count() { # suite file -> "pass fail skip"
	local pat='^(not )?ok [0-9]'
	[ "$1" = kunit ] && pat='^[[:space:]]+(not )?ok [0-9]'
	grep -E "$pat" "$2" | awk '
		/# *[Ss][Kk][Ii][Pp]/ { s++; next }
		/^[[:space:]]*not ok/ { f++; next }
		{ p++ }
		END { printf "%d %d %d\n", p, f, s }'
}

for s in $suites; do
	if ! declare -F "suite_$s" >/dev/null; then
		echo "unknown suite '$s' (have: $all_suites)" >&2
		exit 2
	fi
	echo "# ==== suite $s ===="
	start=$(date +%s)
	"suite_$s" 2>&1 | tee "$out/$s.tap"
	rc=${PIPESTATUS[0]}
	read -r p f k < <(count "$s" "$out/$s.tap")
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

[ -n "$testkernel_pid" ] && wait "$testkernel_pid"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
