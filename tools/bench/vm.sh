# SPDX-License-Identifier: GPL-2.0
# Sourced by report.sh and kernels.sh: their one option, the host's load sampled
# while they run, and a VM run whose results come back on its console
# (emit_json in common.sh).
# Needs $me (the script's name, for messages).
# shellcheck shell=bash
# shellcheck disable=SC2154 # me comes from the sourcing script

# quick_arg [--quick|--help]: quick=1 with --quick, else 0.
# shellcheck disable=SC2034 # quick is the sourcing script's
quick_arg() {
	quick=0
	case "${1:-}" in
	'') ;;
	--quick) quick=1 ;;
	-h | --help) echo "usage: tools/bench/$me [--quick]"; exit 0 ;;
	*) echo "$me: unknown argument '$1' (usage: $me [--quick])" >&2; exit 2 ;;
	esac
	[ $# -le 1 ] || { echo "$me: unexpected argument '$2' (usage: $me [--quick])" >&2; exit 2; }
}

# load_sample FILE: the 1-minute load average every 15 s into FILE until exit.
load_sample() {
	(while :; do cut -d' ' -f1 /proc/loadavg; sleep 15; done) >"$1" &
	load_pid=$!
	trap 'kill $load_pid 2>/dev/null' EXIT
}

# vm_json WHAT BASE JSON... -- VM-RUN-ARGS...: tools/vm-run with the arguments
# after --, its console in BASE.out and BASE.err; the JSON blocks it printed
# go into the JSON files, in order.
vm_json() {
	local what=$1 base=$2 files=()
	shift 2
	while [ "$1" != -- ]; do
		files+=("$1")
		shift
	done
	shift
	tools/vm-run "$@" >"$base.out" 2>"$base.err" || {
		echo "$me: the VM run${what:+ $what} failed:" >&2
		tail -30 "$base.err" >&2
		exit 1
	}
	python3 - "$me" "$base.out" "${files[@]}" <<'PY'
import sys
me, src, dests = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(src).read().replace("\r", "")
blocks = [b.split("@@bench-json-end@@")[0] for b in text.split("@@bench-json-begin@@")[1:]]
if len(blocks) != len(dests):
    sys.exit(f"{me}: expected {len(dests)} JSON blocks from the VM, got {len(blocks)}")
for path, b in zip(dests, blocks):
    open(path, "w").write(b.strip() + "\n")
PY
}
