#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The views under redirect-runc: a Debian container with runc's memory, CPU
# quota and cpuset limits sees its own machine; the same container with
# LXCFS's bind mounts side by side (where LXCFS and FUSE can run). TAP on stdout.
#
#   runc_views_test.sh host|vm
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit
bin=$top/build/bin
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n runc_views_$*"; }
not_ok() { n=$((n + 1)); echo "not ok $n runc_views_$*"; failed=1; }
skip() { ok "$* # SKIP"; }
diag() { sed 's/^/# /'; }
check() { # name, then a command: ok when it succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

rootfs=$(ls -d "${REDIRECT_CACHE:-/var/cache/redirect}"/rootfs-bookworm-*/ 2>/dev/null |
	 while read -r d; do [ -f "$d/.redirect-complete" ] && echo "${d%/}"; done | tail -1)
if [ "$(id -u)" != 0 ] || ! command -v runc >/dev/null || [ -z "$rootfs" ] ||
	! command -v python3 >/dev/null; then
	skip "views (needs root, runc, python3 and the Debian rootfs of tools/rootfs.sh)"
	exit 0
fi
ncpu=$(getconf _NPROCESSORS_ONLN)
work=$(mktemp -d "${TMPDIR:-/tmp}/runc-views.XXXXXX")
sock=$work/s.sock log=$work/usersentry.log state=$work/runc-state pols=$work/policies
daemon='' lxcfs_pid='' containers=()
cleanup() {
	local c
	for c in "${containers[@]}"; do
		runc --root "$state" kill "$c" KILL 2>/dev/null
		runc --root "$state" delete -f "$c" 2>/dev/null
	done
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	if [ -n "$lxcfs_pid" ]; then
		kill "$lxcfs_pid" 2>/dev/null
		wait "$lxcfs_pid" 2>/dev/null
		mountpoint -q "$work/lxcfs" && { fusermount -u "$work/lxcfs" || umount -l "$work/lxcfs"; }
	fi
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$pols" "$work/share"
: >"$work/empty.conf"
cp usersentry/policies/views.json usersentry/policies/default.json "$pols/"
cp build/policies/docker-default.json "$pols/"
"$bin/usersentry" -s "$sock" -d "$pols" -l "$log" --state-dir "$work/st" &
daemon=$!
for _ in $(seq 300); do grep -qs "listening on $sock" "$log" && break; sleep 0.1; done
check "usersentry_starts" grep -qs "listening on $sock" "$log"

# What the issue asks a container to show, one line each (the minbase rootfs has
# no procps: the total free -b prints is MemTotal in bytes; the Sentry's own
# tests run free itself).
probe='awk "/^MemTotal:/ { print \$2 * 1024 }" /proc/meminfo; nproc; grep -c ^processor /proc/cpuinfo
cut -d" " -f1 /proc/uptime; python3 -c "import os; print(os.cpu_count())"
cat /sys/devices/system/cpu/online'

bundle() { # dir, memory bytes, quota, period, cpus, command, [extra jq-like python on c]
	mkdir -p "$1"
	(cd "$1" && runc spec) || return 1
	python3 - "$1/config.json" "$rootfs" "$2" "$3" "$4" "$5" "$6" "$work/share" "${7:-}" <<'EOF'
import json, sys
path, rootfs, mem, quota, period, cpus, cmd, share, extra = sys.argv[1:10]
c = json.load(open(path))
c["root"] = {"path": rootfs, "readonly": True}
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "-c", cmd]
c["annotations"] = {"dev.redirect.policy": "views"}
c["mounts"].append({"destination": "/share", "type": "bind", "source": share,
                    "options": ["rbind", "rw"]})
c["linux"]["resources"] = {"memory": {"limit": int(mem)},
                           "cpu": {"quota": int(quota), "period": int(period), "cpus": cpus}}
if extra:
    exec(extra)
json.dump(c, open(path, "w"), indent=1)
EOF
}
rrunc() { # id, bundle
	containers+=("$1")
	timeout 120 env REDIRECT_SOCKET="$sock" REDIRECT_POLICY_DIR="$pols" REDIRECT_RUNC_CONFIG=$work/empty.conf \
		"$bin/redirect-runc" --root "$state" run -b "$2" "$1" </dev/null 2>&1
}
plain_runc() { # id, bundle
	containers+=("$1")
	timeout 120 runc --root "$state" run -b "$2" "$1" </dev/null 2>&1
}
line() { sed -n "${1}p" <<<"$2"; }

# ---- 512 MiB, 1.5 CPUs of quota, a cpuset of one CPU (issue #17's container)
id=rdr-views-$$
bundle "$work/a" 536870912 150000 100000 0 "$probe"
out=$(rrunc "$id-a" "$work/a")
echo "$out" | diag
check "free_b_total_is_memory_limit" [ "$(line 1 "$out")" = 536870912 ]
check "nproc_is_the_cpuset" [ "$(line 2 "$out")" = 1 ]
check "cpuinfo_processors_of_the_cpuset" [ "$(line 3 "$out")" = 1 ]
up=$(line 4 "$out")
{ [ -n "$up" ] && [ "${up%.*}" -lt 60 ]; }
check "uptime_is_the_containers" [ $? = 0 ]
check "python_cpu_count_is_the_cpuset" [ "$(line 5 "$out")" = 1 ]
check "cpu_online_is_one_cpu" [ "$(line 6 "$out")" = 0 ]

# ---- the quota below the cpuset: ceil(0.5) of two CPUs
if [ "$ncpu" -ge 2 ]; then
	bundle "$work/b" 536870912 50000 100000 0-1 "$probe"
	out=$(rrunc "$id-b" "$work/b")
	echo "$out" | diag
	check "quota_half_shows_one_cpu" \
		[ "$(line 3 "$out") $(line 5 "$out") $(line 6 "$out")" = "1 1 0" ]
else
	skip "quota_half_shows_one_cpu (one CPU)"
fi

# ---- the limit changed while the container runs: the next read sees it
bundle "$work/c" 536870912 150000 100000 0 \
	'grep ^MemTotal: /proc/meminfo >/share/before; while [ ! -e /share/go ]; do sleep 0.1; done
	 grep ^MemTotal: /proc/meminfo'
rrunc "$id-c" "$work/c" >"$work/c.out" &
runner=$!
for _ in $(seq 300); do [ -s "$work/share/before" ] && break; sleep 0.1; done
runc --root "$state" update --memory 268435456 "$id-c" 2>&1 | diag
touch "$work/share/go"
wait "$runner"
echo "$(cat "$work/share/before" "$work/c.out")" | diag
check "memory_limit_change_seen_on_next_read" \
	[ "$(cat "$work/share/before" "$work/c.out" | awk '{ print $2 }' | tr '\n' ' ')" = "524288 262144 " ]

# ---- LXCFS side by side: the same container, plain runc, LXCFS's files bind-mounted
why=
if ! command -v lxcfs >/dev/null; then
	why="lxcfs not installed (tools/setup-debian.sh installs it)"
elif [ ! -c /dev/fuse ]; then
	why="no /dev/fuse"
fi
if [ -z "$why" ]; then
	mkdir -p "$work/lxcfs"
	lxcfs --enable-cfs -l "$work/lxcfs" -p "$work/lxcfs.pid" >"$work/lxcfs.log" 2>&1 &
	lxcfs_pid=$!
	for _ in $(seq 100); do [ -f "$work/lxcfs/proc/meminfo" ] && break; sleep 0.1; done
	[ -f "$work/lxcfs/proc/meminfo" ] || { why="lxcfs did not mount (FUSE refused?)"; diag <"$work/lxcfs.log"; }
fi
if [ -n "$why" ]; then
	skip "lxcfs_side_by_side ($why)"
else
	mounts='for f in ["proc/meminfo", "proc/cpuinfo", "proc/stat", "proc/uptime", "proc/loadavg",
          "proc/swaps", "proc/diskstats", "sys/devices/system/cpu/online"]:
    c["mounts"].append({"destination": "/" + f, "type": "bind",
                        "source": "'"$work/lxcfs"'/" + f, "options": ["rbind", "ro"]})
c.pop("annotations")'
	bundle "$work/l" 536870912 150000 100000 0 "$probe" "$mounts"
	lx=$(plain_runc "$id-l" "$work/l")
	bundle "$work/r" 536870912 150000 100000 0 "$probe"
	rd=$(rrunc "$id-r" "$work/r")
	{
		printf '%-28s %-14s %-14s\n' what lxcfs redirect
		i=1
		for w in "MemTotal (free -b)" nproc "cpuinfo processors" "uptime (s)" "os.cpu_count()" \
			"cpu/online"; do
			printf '%-28s %-14s %-14s\n' "$w" "$(line $i "$lx")" "$(line $i "$rd")"
			i=$((i + 1))
		done
	} | diag
	for i in 1 2 3 5 6; do
		[ "$(line $i "$lx")" = "$(line $i "$rd")" ] || break
	done
	check "lxcfs_and_views_agree_memory_and_cpus" [ "$(line $i "$lx")" = "$(line $i "$rd")" ]
	lu=$(line 4 "$lx") ru=$(line 4 "$rd")
	{ [ -n "$lu" ] && [ -n "$ru" ] && [ "${lu%.*}" -lt 60 ] && [ "${ru%.*}" -lt 60 ]; }
	check "lxcfs_and_views_both_show_container_uptime" [ $? = 0 ]
fi
echo "1..$n"
exit $failed
