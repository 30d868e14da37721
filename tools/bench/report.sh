#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench-report`: the micro benchmarks on the host (portable mode) and in
# a VM booting Debian's 6.1 kernel (module mode, QEMU TCG), the macro set in
# both, then docs/performance.md and docs/performance.png.  Raw JSON and logs
# stay in build/bench/.
#
#   tools/bench/report.sh [--quick]     (--quick: fewer calls and runs, ~5 min)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

me=report.sh
. tools/bench/vm.sh
quick_arg "$@"
[ -z "${BENCH_QUICK:-}" ] || quick=1
for c in gnuplot python3 sqlite3 qemu-system-x86_64; do
	command -v "$c" >/dev/null || { echo "report.sh: $c missing (tools/setup-debian.sh)" >&2; exit 2; }
done

if [ "$quick" = 1 ]; then
	host_micro=(--calls 5000 --reps 3 --scale "1,2,4,8,16")
	vm_micro=(--calls 2000 --fwd-calls 200 --reps 3 --scale "1,2,4,8,16" --scale-calls 100)
	macro=(--reps 2 --size quick)
	vm_macro=(--reps 1 --size quick)
	vm1_micro=(--call "getppid,openat" --calls 2000 --fwd-calls 200 --reps 3 --scale "1,8" --scale-calls 100)
else
	host_micro=(--calls 20000 --reps 7 --scale "1,2,4,8,16")
	vm_micro=(--calls 5000 --fwd-calls 500 --reps 5 --scale "1,2,4,8,16" --scale-calls 200)
	macro=(--reps 3 --size full)
	# under TCG every exec and open costs milliseconds: the small set
	vm_macro=(--reps 2 --size quick)
	vm1_micro=(--call "getppid,uname,openat" --calls 3000 --fwd-calls 300 --reps 5 --scale "1,2,4,8,16" --scale-calls 100)
fi
out=build/bench
mkdir -p "$out" docs
kdir=$(ls -d /lib/modules/6.1.*-amd64/build 2>/dev/null | sort -V | tail -1)
[ -n "$kdir" ] || { echo "report.sh: no Debian 6.1 headers (tools/setup-debian.sh)" >&2; exit 2; }
guest_kernel=$(basename "$(dirname "$kdir")")
ko=$out/kmod/kmod/redirect.ko

step() { printf '== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)" >&2; }

# The host's load while the benchmarks run: the report states it, since
# other jobs share the cores.
load_sample "$out/load.txt"
step "build"
make -s user
tools/build-module.sh "$kdir" "$out/kmod" >/dev/null

step "host: micro, portable mode"
tools/bench/micro.sh "$out/host-micro.json" "${host_micro[@]}"
step "host: macro, portable mode"
runc_opt=()
[ -x build/bin/redirect-runc ] && command -v runc >/dev/null && runc_opt=(--runc)
tools/bench/macro.sh "${macro[@]}" "${runc_opt[@]}" "$out/host-macro.json"

# One boot for both: their JSON comes back on the console, in this order.
step "VM ($guest_kernel, TCG): micro and macro, module mode"
vm_cmd="tools/bench/micro.sh --module $ko - ${vm_micro[*]} && tools/bench/macro.sh --module $ko ${vm_macro[*]} -"
vm_json "" "$out/vm" "$out/vm-micro.json" "$out/vm-macro.json" -- \
	--timeout 1500 -- bash -c "$vm_cmd"

# One vCPU: no vCPU of the guest can spin on a lock whose holder the host
# has descheduled, so forwarded calls cost their context switches only.
step "VM ($guest_kernel, TCG, 1 vCPU): micro, module mode"
vm1_cmd="tools/bench/micro.sh --module $ko - ${vm1_micro[*]}"
vm_json "with 1 vCPU" "$out/vm1" "$out/vm1-micro.json" -- \
	--cpus 1 --timeout 900 -- bash -c "$vm1_cmd"

step "report"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
load=$(sort -n "$out/load.txt" | awk '{ v[NR] = $1 } END { if (NR) printf "%s to %s (median %s), sampled every 15 s", v[1], v[NR], v[int((NR + 1) / 2)] }')
python3 - "$out/meta.json" <<PY
import json, sys
json.dump({
    "date": "$(date -u '+%Y-%m-%d %H:%M UTC')",
    "cpu": "$cpu, $(nproc) CPUs online (shared with other jobs)",
    "memory": "$(free -g | awk '/^Mem:/ { print $2 }') GiB",
    "host_load": "1-minute load average $load",
    "host_kernel": "$(uname -r) (portable mode: seccomp user notification on the listener)",
    "guest_kernel": "$guest_kernel under QEMU TCG (software emulation), 2 vCPUs (and a second run with 1 vCPU), 3 GiB (module mode)",
    "quick": "yes (make bench-report BENCH_QUICK=1)" if $quick else "no",
    "commands": [
        "make bench-report            # this report; BENCH_QUICK=1 for a quick one",
        "tools/bench/micro.sh $out/host-micro.json ${host_micro[*]}",
        "tools/bench/macro.sh ${macro[*]} ${runc_opt[*]} $out/host-macro.json",
        "tools/build-module.sh $kdir $out/kmod",
        "tools/vm-run -- bash -c '$vm_cmd'",
        "tools/vm-run --cpus 1 -- bash -c '$vm1_cmd'",
        "tools/bench/report.py --host-micro ... --vm-micro ... --host-macro ... --vm-macro ...",
    ],
}, open(sys.argv[1], "w"), indent=1)
PY
python3 tools/bench/report.py --out-md docs/performance.md --out-png docs/performance.png \
	--host-micro "$out/host-micro.json" --vm-micro "$out/vm-micro.json" \
	--vm1-micro "$out/vm1-micro.json" \
	--host-macro "$out/host-macro.json" --vm-macro "$out/vm-macro.json" \
	--meta "$out/meta.json" --analysis tools/bench/analysis.md
python3 tools/bench/readme_summary.py	# the README quotes the report
step "done: docs/performance.md, docs/performance.png"
