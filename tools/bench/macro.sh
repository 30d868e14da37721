#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Macro benchmarks: small real workloads natively and under
# build/bin/redirect-run with the default policy (a private usersentry:
# portable mode on a host, module mode where /dev/redirect exists), runs
# interleaved, median wall time and its ratio to native.  JSON on OUT ("-":
# stdout between @@bench-json@@ marks, for a VM guest).
#
#   tools/bench/macro.sh [--module KO] [--reps R] [--size quick|full] OUT.json|-
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

usage() {
	echo "usage: macro.sh [--module KO] [--reps R] [--size quick|full] OUT.json|-" >&2
	exit 2
}
ko= reps=5 size=full
while [ $# -gt 0 ]; do
	case "$1" in
	--module) [ $# -ge 2 ] || usage; ko=$2; shift 2
		[ -f "$ko" ] || { echo "macro.sh: module '$ko' not found" >&2; exit 2; } ;;
	--reps) [ $# -ge 2 ] || usage; reps=$2; shift 2
		case "$reps" in ''|*[!0-9]*|0) echo "macro.sh: --reps wants a positive number" >&2; exit 2 ;; esac ;;
	--size) [ $# -ge 2 ] || usage; size=$2; shift 2
		case "$size" in quick|full) ;; *) echo "macro.sh: --size is quick or full" >&2; exit 2 ;; esac ;;
	-h|--help) usage ;;
	-*) echo "macro.sh: unknown option '$1'" >&2; usage ;;
	*) break ;;
	esac
done
[ $# = 1 ] || usage
out=$1
for b in redirect-run usersentry; do
	[ -x "build/bin/$b" ] || { echo "macro.sh: build/bin/$b missing (make user)" >&2; exit 2; }
done
for c in tar make cc sqlite3 python3; do
	command -v "$c" >/dev/null || { echo "macro.sh: $c missing (tools/setup-debian.sh)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/redirect-macro.XXXXXX)
sentry_pid= loaded=
cleanup() {
	[ -n "$sentry_pid" ] && kill "$sentry_pid" 2>/dev/null && wait "$sentry_pid" 2>/dev/null
	[ -n "$loaded" ] && { rmmod redirect 2>/dev/null || echo "macro.sh: rmmod redirect failed" >&2; }
	rm -rf "$work"
}
trap cleanup EXIT

if [ -n "$ko" ]; then
	if [ ! -d /sys/module/redirect ]; then
		insmod "$ko"
		loaded=1
	fi
	for _ in $(seq 50); do [ -c /dev/redirect ] && break; sleep 0.1; done
	[ -c /dev/redirect ] || { echo "macro.sh: /dev/redirect did not appear" >&2; exit 1; }
fi
mode=portable
[ -c /dev/redirect ] && mode=module

build/bin/usersentry --socket "$work/sentry.sock" --policy-dir usersentry/policies \
	--state-dir "$work/state" --log "$work/sentry.log" &
sentry_pid=$!
for _ in $(seq 100); do [ -S "$work/sentry.sock" ] && break; sleep 0.1; done
[ -S "$work/sentry.sock" ] || { echo "macro.sh: usersentry did not start" >&2; cat "$work/sentry.log" >&2; exit 1; }

# ---- the workloads ------------------------------------------------------------
if [ "$size" = quick ]; then loops=100 rows=20 txns=50 cfiles=6; else loops=400 rows=50 txns=200 cfiles=16; fi

# A source tree to archive: the repository's own sources (no build, no .git).
mkdir -p "$work/src"
tar -C "$top" --exclude=./build --exclude=./.git --exclude='*.o' --exclude='*.ko' -cf - . |
	tar -C "$work/src" -xf -

# A small C project: CFILES units and a main, built with make -j2.
mkdir -p "$work/cproj"
{
	echo "OBJS := main.o $(seq -f 'unit%g.o' -s ' ' 1 "$cfiles")"
	echo "prog: \$(OBJS)"
	printf '\t$(CC) -o $@ $(OBJS)\n'
	echo "%.o: %.c"
	printf '\t$(CC) -O2 -c -o $@ $<\n'
	echo "clean:"
	printf '\trm -f prog *.o\n'
} >"$work/cproj/Makefile"
for i in $(seq 1 "$cfiles"); do
	cat >"$work/cproj/unit$i.c" <<EOF
#include <stdio.h>
#include <string.h>
int unit$i(int n)
{
	char buf[64];
	int s = 0, k;

	for (k = 0; k < n; k++) {
		snprintf(buf, sizeof(buf), "%d-%d", k, $i);
		s += (int)strlen(buf);
	}
	return s;
}
EOF
done
{
	for i in $(seq 1 "$cfiles"); do echo "int unit$i(int n);"; done
	echo "int main(void) { int s = 0;"
	for i in $(seq 1 "$cfiles"); do echo "s += unit$i(10);"; done
	echo "return s == 0; }"
} >"$work/cproj/main.c"

# SQLite: TXNS transactions of ROWS inserts each, then queries, on a file database.
{
	echo "PRAGMA journal_mode=WAL;"
	echo "CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, v INTEGER);"
	echo "CREATE INDEX tk ON t(k);"
	for ((t = 0; t < txns; t++)); do
		echo "BEGIN;"
		for ((r = 0; r < rows; r++)); do
			echo "INSERT INTO t(k, v) VALUES ('key-$t-$r', $((t * r)));"
		done
		echo "COMMIT;"
	done
	echo "SELECT count(*), sum(v) FROM t;"
	echo "SELECT k FROM t WHERE k LIKE 'key-1%' ORDER BY v DESC LIMIT 5;"
	echo "UPDATE t SET v = v + 1 WHERE id % 7 = 0;"
	echo "DELETE FROM t WHERE id % 11 = 0;"
	echo "VACUUM;"
} >"$work/workload.sql"

names=(shell-loop tar make sqlite)
declare -A what cmd
what[shell-loop]="sh loop of $loops iterations: true, echo | cat, test, a subshell"
cmd[shell-loop]="i=0; while [ \$i -lt $loops ]; do /bin/true; echo \$i | cat >/dev/null; test -d /; x=\$(echo y); i=\$((i + 1)); done"
what[tar]="tar create + extract of the repository's sources ($(du -sk "$work/src" | cut -f1) KiB)"
cmd[tar]="rm -rf $work/x && mkdir $work/x && tar -C $work/src -cf $work/src.tar . && tar -C $work/x -xf $work/src.tar"
what[make]="make -j2 of a C project of $((cfiles + 1)) files (cc -O2)"
cmd[make]="make -s -C $work/cproj clean && make -s -j2 -C $work/cproj"
what[sqlite]="sqlite3 on a file database: $txns transactions of $rows inserts, queries, update, delete, vacuum"
cmd[sqlite]="rm -f $work/db.sqlite* && sqlite3 $work/db.sqlite <$work/workload.sql >/dev/null"

now() { date +%s%N; }
# One timed run, native or under redirect-run: prints microseconds; fails
# (its stderr in $work/err) when the workload does.
run_one() { # native|redirect NAME
	local t0 t1 rc=0
	t0=$(now)
	if [ "$1" = native ]; then
		sh -c "${cmd[$2]}" >/dev/null 2>"$work/err" || rc=$?
	else
		build/bin/redirect-run --socket "$work/sentry.sock" --policy default -- \
			sh -c "${cmd[$2]}" >/dev/null 2>"$work/err" || rc=$?
	fi
	t1=$(now)
	[ "$rc" = 0 ] || return "$rc"
	echo "$(( (t1 - t0) / 1000 ))"
}

# A workload that fails is reported as failed (with its first error line),
# never timed; one that fails natively stops the run.
results=$work/results.txt
: >"$results" >"$work/failed.tsv"
for n in "${names[@]}"; do
	run_one native "$n" >/dev/null || { echo "macro.sh: $n fails natively:" >&2; cat "$work/err" >&2; exit 1; }
	if ! run_one redirect "$n" >/dev/null; then
		printf '%s\t%s\n' "$n" "$(head -1 "$work/err")" >>"$work/failed.tsv"
		echo "macro.sh: $n fails under redirect-run: $(head -1 "$work/err")" >&2
		continue
	fi
	for ((r = 0; r < reps; r++)); do
		t=$(run_one native "$n") || { echo "macro.sh: $n failed natively" >&2; exit 1; }
		echo "$n native $t" >>"$results"
		t=$(run_one redirect "$n") || { echo "macro.sh: $n failed under redirect-run" >&2; exit 1; }
		echo "$n redirect $t" >>"$results"
	done
done

for n in "${names[@]}"; do
	printf '%s\t%s\t%s\n' "$n" "${what[$n]}" "${cmd[$n]}"
done >"$work/what.tsv"

python3 - "$results" "$work/what.tsv" "$work/failed.tsv" "$mode" "$reps" "$size" >"$work/out.json" <<'PY'
import json, os, statistics, sys

results, whatf, failedf, mode, reps, size = sys.argv[1:]
failed = dict(l.rstrip("\n").split("\t", 1) for l in open(failedf) if l.strip())
runs = {}
for line in open(results):
    name, how, us = line.split()
    runs.setdefault(name, {}).setdefault(how, []).append(int(us) / 1e6)

def fig(v):
    v = sorted(v)
    q = statistics.quantiles(v, n=4, method="inclusive") if len(v) > 1 else [v[0]] * 3
    return {"median": statistics.median(v), "min": v[0], "max": v[-1],
            "p25": q[0], "p75": q[2]}

out = {"bench": "macro.sh", "format": 1, "mode": mode, "kernel": os.uname().release,
       "cpus": os.cpu_count(), "reps": int(reps), "size": size,
       "policy": "usersentry/policies/default.json",
       "compared": "sh -c WORKLOAD natively vs build/bin/redirect-run --policy default -- sh -c WORKLOAD",
       "workloads": []}
for line in open(whatf):
    name, what, cmd = line.rstrip("\n").split("\t")
    if name in failed:
        out["workloads"].append({"name": name, "what": what, "status": "failed",
                                 "error": failed[name]})
        continue
    n, r = fig(runs[name]["native"]), fig(runs[name]["redirect"])
    out["workloads"].append({"name": name, "what": what, "status": "ok", "native_s": n, "redirect_s": r,
                             "ratio": r["median"] / n["median"],
                             "ratio_min": r["min"] / n["max"], "ratio_max": r["max"] / n["min"]})
json.dump(out, sys.stdout, indent=1)
print()
PY

if [ "$out" = - ]; then
	echo "@@bench-json-begin@@"
	cat "$work/out.json"
	echo "@@bench-json-end@@"
else
	mv "$work/out.json" "$out"
fi
