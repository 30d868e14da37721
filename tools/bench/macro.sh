#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Macro benchmarks: small real workloads natively and under
# build/bin/redirect-run with the default policy (a private usersentry:
# portable mode on a host, module mode where /dev/redirect exists), runs
# interleaved, median wall time and its ratio to native.  JSON on OUT ("-":
# stdout between @@bench-json@@ marks, for a VM guest).
#
# With --runc, each workload also runs in a container: plain runc against
# build/bin/redirect-runc (same bundle: a read-only root with the host's /usr
# and /etc bound in, no seccomp profile of its own), ratio to plain runc.
#
# With --strict, each workload also runs under redirect-run with the strict
# policy (every path call answered by the Sentry), with the number of calls
# the Sentry answered beside the ratio; two workloads join: git status on a
# large tree and python3 importing email, json and http.client.
#
# With --views, each workload also runs under redirect-run with the views
# policy (every open and lookup by path answered by the Sentry, /proc views
# generated from the cgroup), with the number of calls the Sentry answered.
#
#   tools/bench/macro.sh [--module KO] [--reps R] [--size quick|full] [--runc] [--strict]
#                        [--views] OUT.json|-
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

usage() {
	echo "usage: macro.sh [--module KO] [--reps R] [--size quick|full] [--runc] [--strict]" \
		"[--views] OUT.json|-" >&2
	exit 2
}
ko='' reps=5 size=full runc=0 strict=0 views=0
while [ $# -gt 0 ]; do
	case "$1" in
	--module) [ $# -ge 2 ] || usage; ko=$2; shift 2
		[ -f "$ko" ] || { echo "macro.sh: module '$ko' not found" >&2; exit 2; } ;;
	--reps) [ $# -ge 2 ] || usage; reps=$2; shift 2
		case "$reps" in ''|*[!0-9]*|0) echo "macro.sh: --reps wants a positive number" >&2; exit 2 ;; esac ;;
	--size) [ $# -ge 2 ] || usage; size=$2; shift 2
		case "$size" in quick|full) ;; *) echo "macro.sh: --size is quick or full" >&2; exit 2 ;; esac ;;
	--runc) runc=1; shift ;;
	--strict) strict=1; shift ;;
	--views) views=1; shift ;;
	-h|--help) usage ;;
	-) break ;;
	-*) echo "macro.sh: unknown option '$1'" >&2; usage ;;
	*) break ;;
	esac
done
[ $# = 1 ] || usage
out=$1
for b in redirect-run usersentry; do
	[ -x "build/bin/$b" ] || { echo "macro.sh: build/bin/$b missing (make user)" >&2; exit 2; }
done
if [ "$runc" = 1 ]; then
	[ -x build/bin/redirect-runc ] || { echo "macro.sh: build/bin/redirect-runc missing (make user)" >&2; exit 2; }
	command -v runc >/dev/null || { echo "macro.sh: runc missing (tools/setup-debian.sh)" >&2; exit 2; }
fi
for c in tar make cc sqlite3 python3 $([ "$strict" = 0 ] || echo git); do
	command -v "$c" >/dev/null || { echo "macro.sh: $c missing (tools/setup-debian.sh)" >&2; exit 2; }
done

me=macro
. tools/bench/common.sh
mode=portable
[ -c /dev/redirect ] && mode=module

build/bin/usersentry --socket "$work/sentry.sock" --policy-dir usersentry/policies \
	--state-dir "$work/state" --log "$work/sentry.log" &
sentry_pid=$!
for _ in $(seq 100); do [ -S "$work/sentry.sock" ] && break; sleep 0.1; done
[ -S "$work/sentry.sock" ] || { echo "macro.sh: usersentry did not start" >&2; cat "$work/sentry.log" >&2; exit 1; }

# ---- the workloads ------------------------------------------------------------
# full: each workload runs about a second natively, so that a fixed cost per
# command (policy compile, agent hand-over: tens of ms) is not the whole ratio
if [ "$size" = quick ]; then loops=100 rows=20 txns=50 cfiles=6 copies=1
else loops=1000 rows=50 txns=2000 cfiles=48 copies=16; fi

# A source tree to archive: the repository's own sources (no build, no .git),
# COPIES times.
mkdir -p "$work/src"
for i in $(seq 1 "$copies"); do
	mkdir -p "$work/src/$i"
	tar -C "$top" --exclude=./build --exclude=./.git --exclude='*.o' --exclude='*.ko' -cf - . |
		tar -C "$work/src/$i" -xf -
done

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
what[tar]="tar create + extract of $copies cop$([ "$copies" = 1 ] && echo y || echo ies) of the repository's sources ($(du -sk "$work/src" | cut -f1) KiB)"
cmd[tar]="rm -rf $work/x && mkdir $work/x && tar -C $work/src -cf $work/src.tar . && tar -C $work/x -xf $work/src.tar"
what[make]="make -j2 of a C project of $((cfiles + 1)) files (cc -O2)"
cmd[make]="make -s -C $work/cproj clean && make -s -j2 -C $work/cproj"
what[sqlite]="sqlite3 on a file database: $txns transactions of $rows inserts, queries, update, delete, vacuum"
cmd[sqlite]="rm -f $work/db.sqlite* && sqlite3 $work/db.sqlite <$work/workload.sql >/dev/null"

if [ "$strict" = 1 ]; then
	# a large tree under git: the sources (COPIES times), committed once
	gitruns=$([ "$size" = quick ] && echo 2 || echo 10)
	pyruns=$([ "$size" = quick ] && echo 3 || echo 20)
	# the repository beside the tree: tar archives the same files as without --strict
	g="git --git-dir=$work/src.git --work-tree=$work/src"
	$g init -q
	$g add -A
	$g -c user.name=bench -c user.email=bench@localhost commit -qm tree
	names+=(git-status python-import)
	what[git-status]="git status, $gitruns times, on a tree of $($g ls-files | wc -l) files"
	cmd[git-status]="for i in \$(seq $gitruns); do $g status --porcelain >/dev/null; done"
	what[python-import]="python3 -c 'import email, json, http.client', $pyruns times"
	cmd[python-import]="for i in \$(seq $pyruns); do python3 -c 'import email, json, http.client'; done"
fi

now() { date +%s%N; }

# The container bundle: read-only root, host /usr and /etc, the work tree at
# its own path.  redirect-runc rewrites config.json: it is restored each run.
ways=(native redirect-run)
[ "$strict" = 0 ] || ways+=(redirect-strict)
[ "$views" = 0 ] || ways+=(redirect-views)
if [ "$runc" = 1 ]; then
	ways+=(runc redirect-runc)
	b=$work/bundle
	mkdir -p "$b/rootfs"/{usr,etc,proc,dev,sys,tmp}
	for l in bin lib lib64 sbin; do ln -s "usr/$l" "$b/rootfs/$l"; done
	(cd "$b" && runc spec)
	python3 - "$b/config.json" "$work" <<'PY'
import json, sys
path, work = sys.argv[1:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["cwd"] = "/"
c["process"]["env"].append("HOME=/tmp")
c["root"] = {"path": "rootfs", "readonly": True}
c["mounts"] += [
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]},
    {"destination": "/usr", "type": "bind", "source": "/usr", "options": ["rbind", "ro"]},
    {"destination": "/etc", "type": "bind", "source": "/etc", "options": ["rbind", "ro"]},
    {"destination": work, "type": "bind", "source": work, "options": ["rbind", "rw"]},
]
json.dump(c, open(path, "w"), indent=1)
PY
	cp "$b/config.json" "$b/config.plain"
fi
set_args() { # NAME: the container's command
	python3 - "$b/config.plain" "$b/config.json" "${cmd[$1]}" <<'PY'
import json, sys
src, dst, cmd = sys.argv[1:]
c = json.load(open(src))
c["process"]["args"] = ["sh", "-c", cmd]
json.dump(c, open(dst, "w"), indent=1)
PY
}

# The calls the Sentry answered for sandbox ID, from its log line at the end.
sentry_calls() { # ID
	local i line
	for i in $(seq 40); do
		line=$(grep -F "sandbox=$1 ended:" "$work/sentry.log" | tail -1)
		[ -n "$line" ] && { echo "$line" | sed -n 's/.*(calls=\([0-9]*\)).*/\1/p'; return; }
		sleep 0.05
	done
	echo "?"
}

# One timed run of workload NAME one WAY: prints microseconds; fails (its
# stderr in $work/err) when the workload does.  Under redirect, the number
# of calls the Sentry answered goes to $work/calls.txt.
run_one() { # WAY NAME
	local t0 t1 rc=0 id
	id=redirect-macro-$$-$(date +%s%N)
	[ "$1" = runc ] || [ "$1" = redirect-runc ] && set_args "$2"
	t0=$(now)
	case "$1" in
	native)
		sh -c "${cmd[$2]}" >/dev/null 2>"$work/err" || rc=$? ;;
	redirect-run | redirect-strict | redirect-views)
		build/bin/redirect-run --socket "$work/sentry.sock" \
			--policy "$(case "$1" in redirect-run) echo default ;; *) echo "${1#redirect-}" ;; esac)" \
			--id "$id" -- \
			sh -c "${cmd[$2]}" >/dev/null 2>"$work/err" || rc=$? ;;
	runc)
		runc run --bundle "$b" "$id" </dev/null >/dev/null 2>"$work/err" || rc=$? ;;
	redirect-runc)
		build/bin/redirect-runc --redirect-socket "$work/sentry.sock" \
			--redirect-policy-dir usersentry/policies --redirect-policy default \
			run --bundle "$b" "$id" </dev/null >/dev/null 2>"$work/err" || rc=$? ;;
	esac
	t1=$(now)
	[ "$rc" = 0 ] || { echo "exit status $rc" >>"$work/err"; return "$rc"; }
	case "$1" in redirect-*) echo "$2 $1 $(sentry_calls "$id")" >>"$work/calls.txt" ;; esac
	echo "$(( (t1 - t0) / 1000 ))"
}

# A workload that fails one way is reported as failed that way (with its
# first error line), never timed so; one that fails natively stops the run.
results=$work/results.txt
: >"$results"
: >"$work/failed.tsv"
: >"$work/calls.txt"
for n in "${names[@]}"; do
	run_one native "$n" >/dev/null || { echo "macro.sh: $n fails natively:" >&2; cat "$work/err" >&2; exit 1; }
	ok_ways=()
	for w in "${ways[@]}"; do
		if run_one "$w" "$n" >/dev/null; then
			ok_ways+=("$w")
		else
			printf '%s\t%s\t%s\n' "$n" "$w" "$(head -1 "$work/err")" >>"$work/failed.tsv"
			echo "macro.sh: $n fails under $w: $(head -1 "$work/err")" >&2
		fi
	done
	for ((r = 0; r < reps; r++)); do
		for w in "${ok_ways[@]}"; do
			t=$(run_one "$w" "$n") || { echo "macro.sh: $n failed under $w" >&2; cat "$work/err" >&2; exit 1; }
			echo "$n $w $t" >>"$results"
		done
	done
done

for n in "${names[@]}"; do
	printf '%s\t%s\t%s\n' "$n" "${what[$n]}" "${cmd[$n]}"
done >"$work/what.tsv"

python3 - "$results" "$work/what.tsv" "$work/failed.tsv" "$work/calls.txt" "$mode" "$reps" \
	"$size" >"$work/out.json" <<'PY'
import json, os, statistics, sys

results, whatf, failedf, callsf, mode, reps, size = sys.argv[1:]
sentry_calls = {}
for l in open(callsf):
    name, way, n = l.split()
    if n.isdigit():
        sentry_calls.setdefault((name, way), []).append(int(n))
failed = {}
for l in open(failedf):
    if l.strip():
        name, way, err = l.rstrip("\n").split("\t", 2)
        failed.setdefault(name, {})[way] = err
runs = {}
for line in open(results):
    name, how, us = line.split()
    runs.setdefault(name, {}).setdefault(how, []).append(int(us) / 1e6)

def fig(v):
    v = sorted(v)
    q = statistics.quantiles(v, n=4, method="inclusive") if len(v) > 1 else [v[0]] * 3
    return {"median": statistics.median(v), "min": v[0], "max": v[-1],
            "p25": q[0], "p75": q[2]}

out = {"bench": "macro.sh", "format": 2, "mode": mode, "kernel": os.uname().release,
       "cpus": os.cpu_count(), "reps": int(reps), "size": size,
       "policy": "usersentry/policies/default.json",
       "compared": "sh -c WORKLOAD natively vs build/bin/redirect-run --policy default -- sh -c WORKLOAD",
       "workloads": []}
pairs = [("native", "redirect-run", "")]
if any("runc" in r for r in runs.values()) or any("runc" in f for f in failed.values()):
    pairs.append(("runc", "redirect-runc", "runc_"))
    out["compared_runc"] = ("runc run vs build/bin/redirect-runc run (policy default) of one "
                            "bundle: read-only root, host /usr and /etc bound in, no seccomp "
                            "profile of its own")
if any("redirect-strict" in r for r in runs.values()) or \
        any("redirect-strict" in f for f in failed.values()):
    pairs.append(("native", "redirect-strict", "strict_"))
    out["compared_strict"] = ("sh -c WORKLOAD natively vs build/bin/redirect-run --policy strict "
                              "-- sh -c WORKLOAD (every path call answered by the Sentry)")
if any("redirect-views" in r for r in runs.values()) or \
        any("redirect-views" in f for f in failed.values()):
    pairs.append(("native", "redirect-views", "views_"))
    out["compared_views"] = ("sh -c WORKLOAD natively vs build/bin/redirect-run --policy views "
                             "-- sh -c WORKLOAD (every open and lookup by path answered by the "
                             "Sentry, the /proc views generated)")
for line in open(whatf):
    name, what, cmd = line.rstrip("\n").split("\t")
    w = {"name": name, "what": what, "status": "ok"}
    for base, red, key in pairs:
        errs = failed.get(name, {})
        if base in errs or red in errs:
            w[key + "status"] = "failed"
            w[key + "error"] = errs.get(red) or errs.get(base)
            continue
        if key:
            w[key + "status"] = "ok"
        b, r = fig(runs[name][base]), fig(runs[name][red])
        if (name, red) in sentry_calls:
            w[key + "sentry_calls"] = statistics.median(sentry_calls[(name, red)])
        w.update({key + "base_s" if key else "native_s": b,
                  key + "redirect_s": r, key + "ratio": r["median"] / b["median"],
                  key + "ratio_min": r["min"] / b["max"], key + "ratio_max": r["max"] / b["min"]})
    out["workloads"].append(w)
out["sentry_calls"] = "median number of calls usersentry answered per run (its log)"
json.dump(out, sys.stdout, indent=1)
print()
PY

emit_json "$work/out.json"
