#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where the time of a getppid goes per tier: perf (cpu-clock, Debian's
# linux-perf) over redirect-bench inside a VM guest, flat profile by symbol.
#
#   tools/vm-run -- tools/bench/perf-guest.sh KO     (KO: redirect.ko for the guest)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# = 1 ] && [ -f "$1" ] || { echo "usage: perf-guest.sh REDIRECT_KO" >&2; exit 2; }
command -v perf >/dev/null || { echo "perf-guest.sh: perf missing (linux-perf)" >&2; exit 2; }
insmod "$1"
trap 'rmmod redirect' EXIT
for m in tier0-errno tier1 forward-plain-agent forward-broker; do
	n=200000
	case $m in forward*) n=2000 ;; esac
	echo "=== perf: $m getppid x $n"
	perf record -q -e cpu-clock -g -o "/tmp/perf.$m" -- build/bin/redirect-bench \
		--mode "native,$m" --call getppid --scale none --calls $n --fwd-calls $n --reps 1 |
		tail -4
	perf report -i "/tmp/perf.$m" --stdio --no-children --sort sym -g none --percent-limit 1.5 \
		2>/dev/null | grep -v '^#' | grep -v '^$' | head -40
done
