# SPDX-License-Identifier: GPL-2.0
# The views (/proc and /sys from the cgroup's limits) under a cgroup this
# test makes; sourced by run.sh and run-in-vm.sh after tests.sh (its helpers, no daemon).
# shellcheck shell=bash
# shellcheck disable=SC2154 # tests.sh and the sourcing script set the paths and work dir

cat >"$pol/views.json" <<JSON
{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "views":{"files":["/proc/meminfo","/proc/cpuinfo","/proc/stat","/sys/devices/system/cpu/online",
  "/proc/uptime","/proc/loadavg","/proc/swaps","/proc/pressure/cpu","/proc/pressure/memory",
  "/proc/pressure/io","/proc/diskstats"]},
 "sysinfo":{"memory":"cgroup","uptime":"sandbox"}}}}
JSON
# the shipped policy loads and serves the same files
cp "$top/usersentry/policies/views.json" "$pol/shipped-views.json"
ln -sf "$top/usersentry/policies/default.json" "$pol/default.json"
ln -sf "$top/build/policies/docker-default.json" "$pol/docker-default.json"
start

# A child cgroup of each hierarchy the host has (v1's memory, cpu and cpuset
# under this shell's own cgroups; or v2's root), its directories in
# vcg_dirs; vcg_set MEM_BYTES QUOTA_US|max PERIOD_US CPUS sets its limits.
vcg_kind='' vcg_dirs='' vcg_memory='' vcg_cpu='' vcg_cpuset=''
v1_own() { sed -n "s/^[0-9]*:\([^:]*,\)\{0,1\}$1\(,[^:]*\)\{0,1\}:\(.*\)$/\3/p" /proc/self/cgroup; }
vcg_make() {
	local name=views-test-$$ c d
	if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] &&
		[ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ] && [ -f /sys/fs/cgroup/cpuset/cpuset.cpus ]; then
		for c in memory cpu cpuset; do
			d=/sys/fs/cgroup/$c$(v1_own "$c")/$name
			d=${d/\/\//\/}
			mkdir "$d" 2>/dev/null || { vcg_rm; return 1; }
			vcg_dirs="$vcg_dirs $d"
			eval "vcg_$c=\$d"
		done
		cat "$(dirname "$vcg_cpuset")/cpuset.mems" >"$vcg_cpuset/cpuset.mems" || { vcg_rm; return 1; }
		vcg_kind=v1
		# the pressure files live in v2 only: a child there too where it is mounted
		if [ -f /sys/fs/cgroup/unified/cgroup.procs ] && mkdir "/sys/fs/cgroup/unified/$name" 2>/dev/null; then
			vcg_dirs="$vcg_dirs /sys/fs/cgroup/unified/$name"
		fi
		return 0
	fi
	[ -f /sys/fs/cgroup/cgroup.controllers ] || return 1
	for c in memory cpu cpuset; do
		echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	done
	d=/sys/fs/cgroup/$name
	mkdir "$d" 2>/dev/null || return 1
	vcg_dirs=$d vcg_memory=$d vcg_cpu=$d vcg_cpuset=$d vcg_kind=v2
	[ -f "$d/memory.max" ] && [ -f "$d/cpu.max" ] && [ -f "$d/cpuset.cpus" ] || { vcg_rm; return 1; }
}
vcg_set() { # memory bytes, quota us (or max), period us, cpus
	if [ "$vcg_kind" = v1 ]; then
		echo "$1" >"$vcg_memory/memory.limit_in_bytes" &&
		echo "$([ "$2" = max ] && echo -1 || echo "$2")" >"$vcg_cpu/cpu.cfs_quota_us" &&
		echo "$3" >"$vcg_cpu/cpu.cfs_period_us" &&
		echo "$4" >"$vcg_cpuset/cpuset.cpus"
	else
		echo "$1" >"$vcg_memory/memory.max" && echo "$2 $3" >"$vcg_cpu/cpu.max" &&
		echo "$4" >"$vcg_cpuset/cpuset.cpus"
	fi
}
vcg_limit_file() {
	if [ "$vcg_kind" = v1 ]; then echo "$vcg_memory/memory.limit_in_bytes"
	else echo "$vcg_memory/memory.max"; fi
}
vcg_rm() {
	local d
	for d in $vcg_dirs; do rmdir "$d" 2>/dev/null; done
	vcg_dirs=
}
in_vcg() { # command...: run in the test cgroup
	local procs='' d
	for d in $vcg_dirs; do procs="$procs $d/cgroup.procs"; done
	sh -c 'for p in $1; do echo $$ >"$p" || exit 125; done; shift; exec "$@"' sh "$procs" "$@"
}
kb() { sed -n "s/^$1: *\([0-9]*\) kB$/\1/p"; }

ncpu=$(getconf _NPROCESSORS_ONLN)
if ! vcg_make; then
	for t in meminfo_is_the_cgroup_limit meminfo_free_and_available_within_the_limit \
		free_b_shows_the_limit sysinfo_agrees_with_meminfo limit_change_seen_on_next_open \
		cpus_by_quota_rounded_up cpus_quota_above_one_rounds_up cpus_of_the_cpuset \
		uptime_since_the_sandbox_began pressure_from_the_cgroup loadavg_of_the_cgroup \
		shipped_policy_serves_the_views; do
		skip "views_$t (cannot make a memory, cpu and cpuset cgroup here)"
	done
else
	echo "views: cgroup $vcg_dirs ($vcg_kind), $ncpu CPUs" | diag
	vcg_set 536870912 150000 100000 "0-$((ncpu - 1))"
	out=$(in_vcg timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/views.json" -- sh -c \
		'cat /proc/meminfo; echo ---; free -b' 2>&1)
	echo "$out" | head -3 | diag
	check "views_meminfo_is_the_cgroup_limit" [ "$(echo "$out" | kb MemTotal)" = 524288 ]
	mem_free=$(echo "$out" | kb MemFree) mem_avail=$(echo "$out" | kb MemAvailable)
	{ [ -n "$mem_free" ] && [ "$mem_free" -gt 0 ] && [ "$mem_free" -le 524288 ] &&
		[ "$mem_avail" -ge "$mem_free" ] && [ "$mem_avail" -le 524288 ]; }
	check "views_meminfo_free_and_available_within_the_limit" [ $? = 0 ]
	check "views_free_b_shows_the_limit" \
		[ "$(echo "$out" | awk '$1 == "Mem:" { print $2 }')" = 536870912 ]
	if command -v python3 >/dev/null; then
		# sysinfo(2) and /proc/meminfo from the same figures: totals equal, free within 8 MiB
		out=$(in_vcg timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/views.json" -- \
			python3 -c '
import ctypes
class S(ctypes.Structure):
    _fields_ = [("uptime", ctypes.c_long), ("loads", ctypes.c_ulong * 3),
                ("totalram", ctypes.c_ulong), ("freeram", ctypes.c_ulong),
                ("sharedram", ctypes.c_ulong), ("bufferram", ctypes.c_ulong),
                ("totalswap", ctypes.c_ulong), ("freeswap", ctypes.c_ulong),
                ("procs", ctypes.c_ushort), ("pad", ctypes.c_ushort),
                ("totalhigh", ctypes.c_ulong), ("freehigh", ctypes.c_ulong),
                ("mem_unit", ctypes.c_uint)]
s = S()
assert ctypes.CDLL(None).sysinfo(ctypes.byref(s)) == 0
m = {l.split(":")[0]: int(l.split()[1]) * 1024 for l in open("/proc/meminfo") if l.endswith("kB\n")}
u = s.mem_unit
ok = (s.totalram * u == m["MemTotal"] and abs(s.freeram * u - m["MemFree"]) < 8 << 20
      and s.totalswap * u == m["SwapTotal"] and s.sharedram * u <= m["MemTotal"])
print("ok" if ok else "differ", s.totalram * u, m["MemTotal"], s.freeram * u, m["MemFree"])' 2>&1)
		echo "$out" | diag
		check "views_sysinfo_agrees_with_meminfo" [ "${out%% *}" = ok ]
	else
		skip "views_sysinfo_agrees_with_meminfo (no python3)"
	fi
	# the limit changes while the sandbox runs: the next open sees it
	lim=$(vcg_limit_file)
	out=$(in_vcg timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/views.json" -- sh -c \
		'grep ^MemTotal: /proc/meminfo; echo 268435456 >"$1"; grep ^MemTotal: /proc/meminfo' \
		sh "$lim" 2>&1)
	echo "$out" | diag
	check "views_limit_change_seen_on_next_open" \
		[ "$(echo "$out" | kb MemTotal | tr '\n' ' ')" = "524288 262144 " ]

	# CPUs: ceil(quota / period) of the cpuset's, as LXCFS counts them
	cpus() { # the counts a program sees: online file, cpuinfo, stat, python, nproc
		in_vcg timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/views.json" -- sh -c \
			'cat /sys/devices/system/cpu/online; grep -c ^processor /proc/cpuinfo;
			 grep -c "^cpu[0-9]" /proc/stat; python3 -c "import os; print(os.cpu_count())"
			 nproc' 2>&1 | tr '\n' ' '
	}
	if [ "$ncpu" -ge 2 ]; then
		vcg_set 536870912 50000 100000 0-1
		out=$(cpus)
		echo "quota 0.5 of cpuset 0-1: $out" | diag
		# nproc counts sched_getaffinity (the cpuset), as under LXCFS
		check "views_cpus_by_quota_rounded_up" [ "$out" = "0 1 1 1 2 " ]
		vcg_set 536870912 150000 100000 0-1
		out=$(cpus)
		echo "quota 1.5 of cpuset 0-1: $out" | diag
		check "views_cpus_quota_above_one_rounds_up" [ "$out" = "0-1 2 2 2 2 " ]
		vcg_set 536870912 max 100000 1
		out=$(cpus)
		echo "cpuset 1, no quota: $out" | diag
		check "views_cpus_of_the_cpuset" [ "$out" = "0 1 1 1 1 " ]
	else
		skip "views_cpus_by_quota_rounded_up (one CPU)"
		skip "views_cpus_quota_above_one_rounds_up (one CPU)"
		skip "views_cpus_of_the_cpuset (one CPU)"
	fi
	vcg_set 536870912 max 100000 "0-$((ncpu - 1))"

	host_up=$(cut -d. -f1 /proc/uptime)
	out=$(in_vcg timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/views.json" -- sh -c \
		'sleep 1; cat /proc/uptime' 2>&1)
	echo "$out (host $host_up)" | diag
	up=${out%%.*}
	{ [ -n "$up" ] && [ "$up" -ge 1 ] && [ "$up" -le 60 ] && [ "$up" -lt "$host_up" ] &&
		echo "$out" | grep -qE '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}$'; }
	check "views_uptime_since_the_sandbox_began" [ $? = 0 ]

	psi_total() { sed -n 's/^some .*total=\([0-9]*\)$/\1/p' "${1:-/dev/stdin}"; }
	if [ -f /proc/pressure/cpu ] && { [ "$vcg_kind" = v2 ] ||
		[ "${vcg_dirs#*/sys/fs/cgroup/unified/}" != "$vcg_dirs" ]; }; then
		# the cgroup's own total, read before and after: the served one lies
		# between (the host's is far larger on a busy host, not in a fresh VM)
		psi_dir=$vcg_cpu
		[ "$vcg_kind" = v2 ] || psi_dir=${vcg_dirs##* }
		before=$(psi_total "$psi_dir/cpu.pressure")
		out=$(in_vcg timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/views.json" -- \
			cat /proc/pressure/cpu 2>&1)
		after=$(psi_total "$psi_dir/cpu.pressure")
		echo "$out" | diag
		t=$(echo "$out" | psi_total)
		echo "cgroup total before $before, served $t, after $after; host $(psi_total /proc/pressure/cpu)" | diag
		{ [ -n "$t" ] && [ -n "$before" ] && [ "$t" -ge "$before" ] && [ "$t" -le "$after" ]; }
		check "views_pressure_from_the_cgroup" [ $? = 0 ]
	else
		skip "views_pressure_from_the_cgroup (no PSI or no v2 cgroup)"
	fi

	# two busy loops in the cgroup: their load, not the host's tasks
	out=$(in_vcg timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/views.json" -- sh -c \
		'(while :; do :; done) & a=$!; (while :; do :; done) & b=$!; sleep 1
		 cat /proc/loadavg; sleep 1; cat /proc/loadavg; kill $a $b' 2>&1)
	echo "$out" | diag
	tasks=$(echo "$out" | tail -1 | awk '{ print $4 }')
	{ [ "${tasks%/*}" -ge 1 ] && [ "${tasks#*/}" -ge 3 ] && [ "${tasks#*/}" -le 10 ] &&
		awk '{ exit !($1 > 0) }' <<<"$(echo "$out" | tail -1)"; }
	check "views_loadavg_of_the_cgroup" [ $? = 0 ]

	out=$(in_vcg timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/shipped-views.json" -- \
		sh -c 'grep ^MemTotal: /proc/meminfo; { echo x >/proc/meminfo; } 2>/dev/null || echo ro' 2>&1)
	echo "$out" | diag
	check "views_shipped_policy_serves_the_views" \
		[ "$(echo "$out" | tr '\n' ' ')" = "MemTotal:         524288 kB ro " ]
	vcg_rm
fi
# /proc/diskstats in a child io cgroup (v1's blkio or v2's io) that writes
# to the disk under $work: only the devices its statistics name.  v1 kernels
# count a cgroup's I/O only on a device it has a throttle rule for: a rule
# far above anything reached is set on that disk.
dcg='' dcg_file=''
wmm=$(findmnt -no MAJ:MIN -T "$work" 2>/dev/null | head -1 | tr -d ' ')
[ -n "$wmm" ] && [ -f "/sys/dev/block/$wmm/partition" ] && wmm=$(cat "/sys/dev/block/$wmm/../dev")
# a VM guest's overlay or 9p root is no block device: nothing there to count
[ -n "$wmm" ] && [ ! -e "/sys/dev/block/$wmm" ] && wmm=''
if [ -n "$wmm" ] && [ -f /sys/fs/cgroup/blkio/blkio.throttle.io_serviced ]; then
	dcg=/sys/fs/cgroup/blkio$(v1_own blkio)/views-io-$$
	dcg=${dcg/\/\//\/}
	if mkdir "$dcg" 2>/dev/null; then
		echo "$wmm 1099511627776" >"$dcg/blkio.throttle.write_bps_device" 2>/dev/null
		dcg_file=blkio.throttle.io_serviced
	fi
elif [ -n "$wmm" ] && [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	echo +io >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	dcg=/sys/fs/cgroup/views-io-$$
	mkdir "$dcg" 2>/dev/null && [ -f "$dcg/io.stat" ] && dcg_file=io.stat
fi
if [ -n "$dcg_file" ]; then
	out=$(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$dcg" \
		timeout 60 "$bin/redirect-run" -s "$sock" -p "$pol/views.json" -- sh -c \
		'dd if=/dev/zero of="$1/io" bs=64k count=16 oflag=direct 2>/dev/null; cat /proc/diskstats' \
		sh "$work" 2>&1)
	echo "$out" | diag
	cat "$dcg/$dcg_file" | diag
	# every line a device of the cgroup's file; the written disk there with its writes
	shown=$(echo "$out" | awk '{ print $1 ":" $2 }')
	( [ -n "$out" ] && for d in $shown; do grep -q "^$d " "$dcg/$dcg_file" || exit 1; done &&
		echo "$out" | awk -v d="$wmm" '$1 ":" $2 == d && $8 >= 16 { f = 1 } END { exit !f }' &&
		[ "$(echo "$out" | wc -l)" -lt "$(wc -l </proc/diskstats)" ] )
	check "views_diskstats_only_the_cgroups_devices" [ $? = 0 ]
	rm -f "$work/io"
else
	skip "views_diskstats_only_the_cgroups_devices (no io cgroup, or $work is on no block device)"
fi
[ -n "$dcg" ] && rmdir "$dcg" 2>/dev/null
# the root io cgroup accounts nothing of its own: the host's devices, all of them
if [ -d /sys/fs/cgroup/blkio ]; then own=$(v1_own blkio); else own=$(sed -n 's/^0:://p' /proc/self/cgroup); fi
if [ "$own" = / ]; then
	out=$(rr views awk '{ print $3 }' /proc/diskstats)
	check "views_diskstats_root_is_the_hosts" [ "$out" = "$(awk '{ print $3 }' /proc/diskstats)" ]
else
	skip "views_diskstats_root_is_the_hosts (this shell is not in the root io cgroup)"
fi
# A path that is no view continues: the kernel opens and looks it up itself,
# O_PATH included (an fd ADDFD cannot inject), and tar's chmod through one works.
if command -v python3 >/dev/null; then
	out=$(rr views python3 -c '
import os, stat
fd = os.open("/etc", os.O_PATH | os.O_DIRECTORY)
print(stat.S_ISDIR(os.fstat(fd).st_mode), os.stat("/etc/hostname").st_size == os.path.getsize("/etc/hostname"))' 2>&1)
	check "views_other_paths_continue_o_path_works" [ "$out" = "True True" ]
else
	skip "views_other_paths_continue_o_path_works (no python3)"
fi
mkdir -p "$work/tarsrc/d" && echo t >"$work/tarsrc/d/f" && chmod 750 "$work/tarsrc/d"
out=$(rr views sh -c "tar -C '$work/tarsrc' -cf '$work/t.tar' . && mkdir -p '$work/tarout' &&
	tar -C '$work/tarout' -xf '$work/t.tar' && stat -c %a '$work/tarout/d'" 2>&1)
check "views_tar_extract_keeps_modes" [ "$out" = 750 ]
wait_log "syscall=openat verdict=continue"
check "views_other_opens_logged_as_continue" grep -q "syscall=openat verdict=continue" "$log"
# no limit anywhere (the daemon's own cgroup): the host's figures
out=$(rr views grep ^MemTotal: /proc/meminfo)
check "views_unlimited_is_the_hosts" [ "$out" = "$(grep ^MemTotal: /proc/meminfo)" ]
stop_daemon
