#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The fast path's cost before and after issue #12's item 4, on each test
# kernel (tools/kernels.sh): today's module beside the same module with
# tools/bench/fastpath-before.patch applied (a module reference per fast-path
# record, records from the atomic reserves, shared atomic totals). Per kernel
# one VM boot (QEMU TCG, 2 vCPUs) loads the two modules in turn, ROUNDS times
# each (before, after, before, after, ...), unpinned and under `taskset -c 0`,
# and measures getppid: native and tier 1. Prints a Markdown table of tier 1's
# median ns per call and its ratio to native of the same run; raw JSON stays
# in build/bench/fastpath/.
#
#   tools/bench/fastpath.sh [ROUNDS]      (default 2)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

me=fastpath.sh
rounds=${1:-2}
case $rounds in
[1-9]) ;;
*) echo "$me: ROUNDS must be 1..9, not '$rounds'" >&2; exit 2 ;;
esac
. tools/bench/vm.sh
. tools/kernels.sh
kernels=$(rdr_kernels) || exit 2
mapfile -t kernels <<<"$kernels"
out=build/bench/fastpath
mkdir -p "$out"
make -s user
load_sample "$out/load.txt"

opts="--call getppid --mode native,tier1 --scale none --calls 20000 --reps 7"
for k in "${kernels[@]}"; do
	printf '== %s (%s)\n' "$k" "$(date -u +%H:%M:%S)" >&2
	tools/build-module.sh "/lib/modules/$k/build" "$out/after-$k" >/dev/null
	tools/build-module.sh "/lib/modules/$k/build" "$out/before-$k" >/dev/null
	patch -s -d "$out/before-$k" -p1 <tools/bench/fastpath-before.patch
	make -s -C "/lib/modules/$k/build" M="$(cd "$out/before-$k" && pwd)" modules >/dev/null
	cmd=: files=()
	for pin in "" "taskset -c 0"; do
		tag=${pin:+pinned}
		for r in $(seq "$rounds"); do
			for v in before after; do
				cmd+=" && $pin tools/bench/micro.sh --module $out/$v-$k/kmod/redirect.ko - $opts"
				files+=("$out/$k-$v-${tag:-unpinned}-$r.json")
			done
		done
	done
	vm_json "on $k" "$out/vm-$k" "${files[@]}" -- \
		--kernel "/boot/vmlinuz-$k" --timeout 3600 -- bash -c "$cmd"
done

printf '\nHost load (1-minute average, sampled every 15 s): %s\n\n' \
	"$(sort -n "$out/load.txt" | awk '{ v[NR] = $1 } END { if (NR) printf "%s to %s", v[1], v[NR] }')"
python3 - "$out" "$rounds" "${kernels[@]}" <<'PY'
import json, sys
out, rounds, kernels = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def tier1(path):
    m = {r["mode"]: r for r in json.load(open(path))["micro"]}
    t = m["tier1"]
    if t["status"] != "ok":
        sys.exit(f"fastpath.sh: tier1 {t['status']} in {path}")
    return t["ns_per_call"]["median"], t["x_native"]
print("| kernel | CPUs | round | before: tier 1 (× native) | after: tier 1 (× native) | after ÷ before |")
print("|---|---|---|---|---|---|")
for k in kernels:
    for tag in ("unpinned", "pinned"):
        for r in range(1, rounds + 1):
            b = tier1(f"{out}/{k}-before-{tag}-{r}.json")
            a = tier1(f"{out}/{k}-after-{tag}-{r}.json")
            cpus = "2 vCPUs" if tag == "unpinned" else "pinned to CPU 0"
            print(f"| {k} | {cpus} | {r} | {b[0]:.0f} ns (×{b[1]:.2f}) | "
                  f"{a[0]:.0f} ns (×{a[1]:.2f}) | {a[1] / b[1]:.2f} |")
PY
