// SPDX-License-Identifier: GPL-2.0
/* The views' generators (usersentry/views.c) on fixed host text, and the policy's views section. */
#include "helpers.h"
#include "kselftest_harness.h"
#include "sentry.h"

static const char host_meminfo[] =
	"MemTotal:       16318312 kB\n"
	"MemFree:        12000000 kB\n"
	"MemAvailable:   14000000 kB\n"
	"Buffers:           50000 kB\n"
	"Cached:          1500000 kB\n"
	"SwapCached:            0 kB\n"
	"Active:          1000000 kB\n"
	"Inactive:        2000000 kB\n"
	"Active(anon):     100000 kB\n"
	"Inactive(anon):   900000 kB\n"
	"Active(file):     900000 kB\n"
	"Inactive(file):  1100000 kB\n"
	"Unevictable:       12360 kB\n"
	"Mlocked:           11320 kB\n"
	"SwapTotal:       8000000 kB\n"
	"SwapFree:        8000000 kB\n"
	"Shmem:              9652 kB\n"
	"Slab:             498680 kB\n"
	"SReclaimable:     455988 kB\n"
	"SUnreclaim:        42692 kB\n"
	"HugePages_Total:       0\n";

/* The view of gen() as a string (freed by the caller). */
#define RENDER(call) ({						\
	char *_buf = NULL;					\
	size_t _len = 0;					\
	FILE *out = open_memstream(&_buf, &_len);		\
	int _ret = call;					\
	fclose(out);						\
	_ret < 0 ? (free(_buf), (char *)NULL) : _buf;		\
})

/* The kB value of a meminfo key in text, or -1. */
static long long kb(const char *text, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\n%s:", key);
	p = strstr(text, pat);
	if (!p && !strncmp(text, pat + 1, strlen(pat + 1)))
		p = text - 1;
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static struct sentry_cg_memory limited_256m(void)
{
	struct sentry_cg_memory m = { .limited = true, .total = 256 << 20, .used = 100 << 20 };

	m.stat[SENTRY_MEMSTAT_FILE] = 40 << 20;
	m.stat[SENTRY_MEMSTAT_SHMEM] = 1 << 20;
	m.stat[SENTRY_MEMSTAT_ANON] = 50 << 20;
	m.stat[SENTRY_MEMSTAT_ACTIVE_FILE] = 10 << 20;
	m.stat[SENTRY_MEMSTAT_INACTIVE_FILE] = 30 << 20;
	m.stat[SENTRY_MEMSTAT_ACTIVE_ANON] = 20 << 20;
	m.stat[SENTRY_MEMSTAT_INACTIVE_ANON] = 30 << 20;
	return m;
}

TEST(meminfo_limited_shows_the_cgroup)
{
	struct sentry_cg_memory m = limited_256m();
	char *v = RENDER(sentry_view_meminfo(out, host_meminfo, &m));

	ASSERT_NE(NULL, v);
	EXPECT_EQ(262144, kb(v, "MemTotal"));
	EXPECT_EQ(262144 - 102400, kb(v, "MemFree"));
	/* free plus the file cache it may reclaim, never above the total */
	EXPECT_EQ(262144 - 102400 + 40960, kb(v, "MemAvailable"));
	EXPECT_EQ(40960, kb(v, "Cached"));
	EXPECT_EQ(0, kb(v, "Buffers"));
	EXPECT_EQ(20480 + 10240, kb(v, "Active"));
	EXPECT_EQ(30720 + 30720, kb(v, "Inactive"));
	EXPECT_EQ(1024, kb(v, "Shmem"));
	/* not accounted by the cgroup: 0, never the host's */
	EXPECT_EQ(0, kb(v, "Slab"));
	/* swap not limited: the host's; a line the view does not know: the host's */
	EXPECT_EQ(8000000, kb(v, "SwapTotal"));
	EXPECT_EQ(11320, kb(v, "Mlocked"));
	EXPECT_NE(NULL, strstr(v, "HugePages_Total:       0\n"));
	/* the kernel's layout, so that parsers that split on columns still work */
	EXPECT_EQ(0, strncmp(v, "MemTotal:         262144 kB\n", 28));
	free(v);
}

TEST(meminfo_swap_limit_and_unlimited_host)
{
	struct sentry_cg_memory m = limited_256m();
	char *v;

	m.swap_limited = true;
	m.swap_total = 64 << 20;
	m.swap_used = 16 << 20;
	v = RENDER(sentry_view_meminfo(out, host_meminfo, &m));
	ASSERT_NE(NULL, v);
	EXPECT_EQ(65536, kb(v, "SwapTotal"));
	EXPECT_EQ(49152, kb(v, "SwapFree"));
	free(v);
	m.limited = false;	/* "max" everywhere: the host's file as it is */
	v = RENDER(sentry_view_meminfo(out, host_meminfo, &m));
	ASSERT_NE(NULL, v);
	EXPECT_STREQ(host_meminfo, v);
	free(v);
}

TEST(meminfo_available_never_above_total)
{
	struct sentry_cg_memory m = limited_256m();
	char *v;

	m.used = 1 << 20;
	m.stat[SENTRY_MEMSTAT_INACTIVE_FILE] = 250 << 20;
	v = RENDER(sentry_view_meminfo(out, host_meminfo, &m));
	ASSERT_NE(NULL, v);
	EXPECT_EQ(262144, kb(v, "MemAvailable"));
	EXPECT_LE(kb(v, "MemFree"), kb(v, "MemAvailable"));
	free(v);
}

static const char host_cpuinfo[] =
	"processor\t: 0\nvendor_id\t: X\ncore id\t\t: 0\n\n"
	"processor\t: 1\nvendor_id\t: X\ncore id\t\t: 1\n\n"
	"processor\t: 2\nvendor_id\t: X\ncore id\t\t: 2\n\n"
	"processor\t: 3\nvendor_id\t: X\ncore id\t\t: 3\n\n";

static int count(const char *text, const char *needle)
{
	int n = 0;

	for (; (text = strstr(text, needle)); text++)
		n++;
	return n;
}

TEST(cpuinfo_shows_the_chosen_cpus_renumbered)
{
	int cpus[] = { 1, 3 };
	char *v = RENDER(sentry_view_cpuinfo(out, host_cpuinfo, cpus, 2));

	ASSERT_NE(NULL, v);
	EXPECT_STREQ("processor\t: 0\nvendor_id\t: X\ncore id\t\t: 1\n\n"
		     "processor\t: 1\nvendor_id\t: X\ncore id\t\t: 3\n\n", v);
	free(v);
	v = RENDER(sentry_view_cpuinfo(out, host_cpuinfo, cpus, 0));
	EXPECT_STREQ(host_cpuinfo, v);
	free(v);
}

TEST(stat_sums_the_chosen_cpus)
{
	static const char host[] =
		"cpu  10 20 30 40 0 0 0 0 0 0\n"
		"cpu0 1 2 3 4 0 0 0 0 0 0\n"
		"cpu1 2 4 6 8 0 0 0 0 0 0\n"
		"cpu2 3 6 9 12 0 0 0 0 0 0\n"
		"cpu3 4 8 12 16 0 0 0 0 0 0\n"
		"intr 5 6\nctxt 7\nbtime 100\n";
	int cpus[] = { 0, 2 };
	char *v = RENDER(sentry_view_stat(out, host, cpus, 2));

	ASSERT_NE(NULL, v);
	EXPECT_STREQ("cpu  4 8 12 16 0 0 0 0 0 0\n"
		     "cpu0 1 2 3 4 0 0 0 0 0 0\n"
		     "cpu1 3 6 9 12 0 0 0 0 0 0\n"
		     "intr 5 6\nctxt 7\nbtime 100\n", v);
	free(v);
}

TEST(cpu_online_and_cpulist)
{
	int cpus[8];
	char *v;

	v = RENDER(sentry_view_cpu_online(out, 1));
	EXPECT_STREQ("0\n", v);
	free(v);
	v = RENDER(sentry_view_cpu_online(out, 3));
	EXPECT_STREQ("0-2\n", v);
	free(v);
	EXPECT_EQ(NULL, RENDER(sentry_view_cpu_online(out, 0)));
	ASSERT_EQ(5, sentry_cpulist_parse("0-2,5,7\n", cpus, 8));
	EXPECT_EQ(0, cpus[0]);
	EXPECT_EQ(2, cpus[2]);
	EXPECT_EQ(5, cpus[3]);
	EXPECT_EQ(7, cpus[4]);
	EXPECT_EQ(0, sentry_cpulist_parse("\n", cpus, 8));
	EXPECT_EQ(-EINVAL, sentry_cpulist_parse("3-1", cpus, 8));
	EXPECT_EQ(-EINVAL, sentry_cpulist_parse("2,1", cpus, 8));
	EXPECT_EQ(-EINVAL, sentry_cpulist_parse("x", cpus, 8));
	EXPECT_EQ(-E2BIG, sentry_cpulist_parse("0-8", cpus, 8));
}

TEST(uptime_loadavg_swaps)
{
	static const char host_swaps[] =
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"/dev/sda2                               partition\t8000000\t\t0\t\t-2\n";
	struct sentry_cg_memory m = limited_256m();
	double avg[3] = { 0.5, 0.25, 1.0 };
	char *v;

	v = RENDER(sentry_view_uptime(out, 12345, 678));
	EXPECT_STREQ("123.45 6.78\n", v);
	free(v);
	v = RENDER(sentry_view_loadavg(out, avg, 2, 7, 4242));
	EXPECT_STREQ("0.50 0.25 1.00 2/7 4242\n", v);
	free(v);
	v = RENDER(sentry_view_swaps(out, host_swaps, &m));
	EXPECT_STREQ(host_swaps, v);	/* swap not limited */
	free(v);
	m.swap_limited = true;
	m.swap_total = 64 << 20;
	m.swap_used = 1 << 20;
	v = RENDER(sentry_view_swaps(out, host_swaps, &m));
	ASSERT_NE(NULL, v);
	EXPECT_EQ(0, strncmp(v, host_swaps, strchr(host_swaps, '\n') + 1 - host_swaps));
	EXPECT_EQ(0, count(v, "/dev/sda2"));
	EXPECT_NE(NULL, strstr(v, "none"));
	EXPECT_NE(NULL, strstr(v, "\t65536\t\t1024\t"));
	free(v);
	m.swap_total = m.swap_used = 0;	/* swap.max 0: no device at all */
	v = RENDER(sentry_view_swaps(out, host_swaps, &m));
	EXPECT_EQ(1, count(v, "\n"));
	free(v);
}

static const char host_diskstats[] =
	"   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	" 254       0 vda 430330 52264 19627922 346450 296738 539401 54081784 658141 0 167064 "
	"1098664 360074 31 38409968 82717 33173 11355\n"
	" 254       1 vda1 4000 10 8000 50 3000 20 9000 60 0 100 110 0 0 0 0 0 0\n"
	"   8       0 sda 1 2 3 4 5 6 7 8 9 10 11\n";

static const struct sentry_cg_io_dev *io_find(const struct sentry_cg_io *io, unsigned int maj,
					      unsigned int min)
{
	int i;

	for (i = 0; i < io->n; i++)
		if (io->dev[i].major == maj && io->dev[i].minor == min)
			return &io->dev[i];
	return NULL;
}

TEST(diskstats_from_v2_io_stat)
{
	struct sentry_cg_io io = { .has = true };
	const struct sentry_cg_io_dev *d;
	char *v;

	/* 9:0 is in no host line; the garbage lines are left out whole */
	sentry_cg_io_parse_v2("254:0 rbytes=1048576 wbytes=2048 rios=16 wios=2 dbytes=4096 dios=1 "
			      "newkey=7\n"
			      "9:0 rbytes=512 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n"
			      "254:1 rbytes=x wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n"
			      "254:1 rbytes=99999999999999999999999 rios=1\n"
			      "nonsense\n:\n254 rbytes=1\n-1:0 rbytes=1\n8:0rbytes=1\n8:-1 rbytes=1\n"
			      "8: 0 rbytes=1\n4294967296:0 rbytes=1\n"
			      "8:0 rbytes=18446744073709551615 wbytes=0 rios=18446744073709551615 "
			      "wios=0 dbytes=0 dios=0",
			      &io);
	ASSERT_EQ(3, io.n);
	d = io_find(&io, 254, 0);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(16, d->rios);
	EXPECT_EQ(4096, d->dbytes);
	EXPECT_EQ(NULL, io_find(&io, 254, 1));
	v = RENDER(sentry_view_diskstats(out, host_diskstats, &io));
	ASSERT_NE(NULL, v);
	/* the host's devices the cgroup used, with as many fields as the host's line */
	EXPECT_STREQ(" 254       0 vda 16 0 2048 0 2 0 4 0 0 0 0 1 0 8 0 0 0\n"
		     "   8       0 sda 18446744073709551615 0 36028797018963967 0 0 0 0 0 0 0 0\n", v);
	free(v);
}

TEST(diskstats_from_v1_blkio_throttle)
{
	struct sentry_cg_io io = { .has = true };
	char *v;

	sentry_cg_io_parse_v1("254:0 Read 16\n254:0 Write 16\n254:0 Sync 32\n254:0 Async 0\n"
			      "254:0 Discard 0\n254:0 Total 32\n8:16 Read 3\n8:16 Write 1\n"
			      "254:1 Read -5\n254:1 Bogus 4\n254:1 Read\nTotal 32\n",
			      "254:0 Read 1048576\n254:0 Write 1048576\n254:0 Sync 2097152\n"
			      "254:0 Async 0\n254:0 Discard 0\n254:0 Total 2097152\n"
			      "8:16 Read 1536\n8:16 Write 512\nTotal 2097152\n",
			      &io);
	ASSERT_EQ(2, io.n);
	EXPECT_EQ(NULL, io_find(&io, 254, 1));
	v = RENDER(sentry_view_diskstats(out, host_diskstats, &io));
	ASSERT_NE(NULL, v);
	/* 8:16 is no host device: left out */
	EXPECT_STREQ(" 254       0 vda 16 0 2048 0 16 0 2048 0 0 0 0 0 0 0 0 0 0\n", v);
	free(v);
}

TEST(diskstats_without_io_stats_is_the_hosts)
{
	struct sentry_cg_io io = { .has = false };
	char *v;

	v = RENDER(sentry_view_diskstats(out, host_diskstats, &io));
	EXPECT_STREQ(host_diskstats, v);
	free(v);
	io.has = true;	/* accounted, no I/O yet: no device */
	v = RENDER(sentry_view_diskstats(out, host_diskstats, &io));
	EXPECT_STREQ("", v);
	free(v);
	sentry_cg_io_parse_v2("", &io);
	sentry_cg_io_parse_v1("", "Total 0\n", &io);
	EXPECT_EQ(0, io.n);
}

/* Every policy here is named views.json in its errors. */
static struct redirect_policy *load(const char *json, struct redirect_error **err)
{
	return policy_from_json(json, "views.json", err);
}

TEST(policy_views_section)
{
	struct redirect_error *err = NULL;
	struct redirect_policy *p;

	p = load("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"redirect\": {\"sentry\": {"
		 "\"views\": {\"files\": [\"/proc/meminfo\", \"/sys/devices/system/cpu/online\"]}}}}",
		 &err);
	ASSERT_NE(NULL, p);
	EXPECT_TRUE(redirect_policy_has_views(p));
	EXPECT_TRUE(redirect_policy_view_enabled(p, REDIRECT_VIEW_MEMINFO));
	EXPECT_TRUE(redirect_policy_view_enabled(p, REDIRECT_VIEW_CPU_ONLINE));
	EXPECT_FALSE(redirect_policy_view_enabled(p, REDIRECT_VIEW_CPUINFO));
	EXPECT_FALSE(redirect_policy_view_enabled(p, REDIRECT_VIEW_NR));
	EXPECT_TRUE(policy_notifies(p, "openat"));
	EXPECT_TRUE(policy_notifies(p, "open"));
	EXPECT_TRUE(policy_notifies(p, "openat2"));
	/* a lookup of a view answers for what the open serves */
	EXPECT_TRUE(policy_notifies(p, "newfstatat"));
	EXPECT_TRUE(policy_notifies(p, "statx"));
	EXPECT_FALSE(policy_notifies(p, "getdents64"));
	redirect_policy_free(p);

	EXPECT_EQ(REDIRECT_VIEW_STAT, redirect_view_of_path("/proc/stat"));
	EXPECT_EQ(-ENOENT, redirect_view_of_path("/proc/stat/"));
	EXPECT_STREQ("/proc/pressure/io", redirect_view_path(REDIRECT_VIEW_PRESSURE_IO));
	EXPECT_EQ(REDIRECT_VIEW_DISKSTATS, redirect_view_of_path("/proc/diskstats"));
	EXPECT_EQ(NULL, redirect_view_path(REDIRECT_VIEW_NR));
}

TEST(paths_continue_only_without_file_rules_or_string_rules)
{
	static const struct {
		const char *sentry, *rules;
		bool cont;
	} cases[] = {
		{ "\"views\": {\"files\": [\"/proc/meminfo\"]}", "[]", true },
		/* file rules decide on every path: performed */
		{ "\"views\": {\"files\": [\"/proc/meminfo\"]}, \"files\": {\"hidden\": [\"/x\"]}",
		  "[]", false },
		/* a string rule read the path: the kernel must not read it again */
		{ "\"views\": {\"files\": [\"/proc/meminfo\"]}",
		  "[{\"names\": [\"openat\"], \"string\": {\"index\": 1, \"exact\": \"/x\"}, "
		  "\"action\": \"errno:ENOENT\"}]", false },
		/* a string rule on another call leaves opens free */
		{ "\"views\": {\"files\": [\"/proc/meminfo\"]}",
		  "[{\"names\": [\"mkdir\"], \"string\": {\"index\": 0, \"exact\": \"/x\"}, "
		  "\"action\": \"errno:ENOENT\"}]", true },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct redirect_error *err = NULL;
		struct redirect_policy *p;
		char json[1024];

		snprintf(json, sizeof(json), "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"redirect\": "
			 "{\"rules\": %s, \"sentry\": {\"default\": \"errno:ENOSYS\", %s}}}",
			 cases[i].rules, cases[i].sentry);
		p = load(json, &err);
		ASSERT_NE(NULL, p) TH_LOG("%zu: %s", i, err ? err->msg : "");
		EXPECT_EQ(cases[i].cont, redirect_policy_paths_continue(p)) TH_LOG("case %zu", i);
		redirect_policy_free(p);
	}
}

TEST(policy_views_refuses_unknown_files_naming_them)
{
	static const char *const bad[][2] = {
		{ "{\"files\": [\"/proc/meminfo\", \"/proc/kcore\"]}",
		  "redirect.sentry.views.files[1]: no view of \"/proc/kcore\"" },
		{ "{\"files\": [\"proc/meminfo\"]}", "no view of \"proc/meminfo\"" },
		{ "{\"files\": \"/proc/meminfo\"}", "redirect.sentry.views.files" },
		{ "{}", "missing \"files\"" },
		{ "{\"files\": [], \"cgroup\": \"x\"}", "cgroup" },
		{ "[]", "redirect.sentry.views" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct redirect_error *err = NULL;
		char json[512];

		snprintf(json, sizeof(json), "{\"defaultAction\": \"SCMP_ACT_ALLOW\", "
			 "\"redirect\": {\"sentry\": {\"views\": %s}}}", bad[i][0]);
		EXPECT_EQ(NULL, load(json, &err)) TH_LOG("%s", bad[i][0]);
		ASSERT_NE(NULL, err);
		EXPECT_NE(NULL, strstr(err->msg, bad[i][1]))
			TH_LOG("%s: %s", bad[i][0], err->msg);
		redirect_error_free(err);
	}
}

TEST_HARNESS_MAIN
