#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Module-mode micro benchmarks on each test kernel (tools/kernels.sh: Debian's
# 6.1 and 6.12, KERNELS=... for others): per kernel one VM boot (QEMU TCG, 2
# vCPUs) runs tools/bench/micro.sh twice, unpinned and under `taskset -c 0`,
# for getppid: native, tier 1, the broker, the plain agent and (6.6+) the
# synchronous plain agent, and forwarded throughput with 1 and 8 threads.
# Writes the section "Module mode on each kernel" of docs/performance.md in
# place; raw JSON stays in build/bench/kernels/.
#
#   tools/bench/kernels.sh [--quick]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

me=kernels.sh
. tools/bench/vm.sh
quick_arg "$@"
opts=(--call getppid --mode "native,tier1,forward-broker,forward-plain-agent,forward-plain-agent-sync"
	--scale "1,8")
if [ "$quick" = 1 ]; then
	opts+=(--calls 2000 --fwd-calls 200 --reps 3 --scale-calls 100)
else
	opts+=(--calls 5000 --fwd-calls 500 --reps 5 --scale-calls 200)
fi
. tools/kernels.sh
kernels=$(rdr_kernels) || exit 2
out=build/bench/kernels
mkdir -p "$out"
make -s user

load_sample "$out/load.txt"

runs=()
for k in $kernels; do
	printf '== %s (%s)\n' "$k" "$(date -u +%H:%M:%S)" >&2
	tools/build-module.sh "/lib/modules/$k/build" "$out/kmod-$k" >/dev/null
	ko=$out/kmod-$k/kmod/redirect.ko
	cmd="tools/bench/micro.sh --module $ko - ${opts[*]} && taskset -c 0 tools/bench/micro.sh --module $ko - ${opts[*]}"
	vm_json "on $k" "$out/vm-$k" "$out/$k.json" "$out/$k-pinned.json" -- \
		--kernel "/boot/vmlinuz-$k" --timeout 1800 -- bash -c "$cmd"
	runs+=(--kernel-run "$k, 2 vCPUs=$out/$k.json" --kernel-run "$k, pinned to CPU 0=$out/$k-pinned.json")
done

load=$(sort -n "$out/load.txt" | awk '{ v[NR] = $1 } END { if (NR) printf "%s to %s (median %s)", v[1], v[NR], v[int((NR + 1) / 2)] }')
python3 - "$out/meta.json" <<PY
import json, sys
json.dump({
    "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
    "host_load": "1-minute load average $load on $(nproc) shared CPUs",
    "vm": "QEMU TCG (software emulation), 2 vCPUs, 3 GiB",
    "command": "tools/bench/kernels.sh$( [ "$quick" = 1 ] && echo ' --quick'): micro.sh --module KO - ${opts[*]}",
}, open(sys.argv[1], "w"), indent=1)
PY
python3 tools/bench/report.py --out-md docs/performance.md --kernels-only \
	--meta "$out/meta.json" "${runs[@]}"
python3 tools/bench/readme_summary.py	# the README quotes the report
printf '== done: docs/performance.md, section "Module mode on each kernel"\n' >&2
