// SPDX-License-Identifier: GPL-2.0
/* The library's ABI: version macros = newest symbol-version node = .pc; the .so and .a export only the map. */
#include "helpers.h"
#include "kselftest_harness.h"
/* the reports' layouts, to build one as the netlink client does */
#include "../../libredirect/ctl_info.h"

#define MAX_SYMS 512

/* The exported names, the node each is in, and the newest version node of libredirect.map. */
struct map {
	char *names[MAX_SYMS];
	char nodes[MAX_SYMS][32];
	size_t n;
	unsigned int newest_major, newest_minor;
};

static void read_map(struct __test_metadata *_metadata, struct map *m)
{
	char path[PATH_MAX], line[256], name[128], node[32] = "";
	unsigned int major, minor;
	FILE *f;

	memset(m, 0, sizeof(*m));
	src_path(path, sizeof(path), "libredirect/libredirect.map");
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s", path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "LIBREDIRECT_%u.%u {", &major, &minor) == 2) {
			snprintf(node, sizeof(node), "LIBREDIRECT_%u.%u", major, minor);
			if (major > m->newest_major ||
			    (major == m->newest_major && minor > m->newest_minor)) {
				m->newest_major = major;
				m->newest_minor = minor;
			}
		} else if (sscanf(line, " %127[a-z0-9_];", name) == 1 &&
			   !strncmp(name, "redirect_", 9) && m->n < MAX_SYMS) {
			snprintf(m->nodes[m->n], sizeof(m->nodes[m->n]), "%s", node);
			m->names[m->n++] = strdup(name);
		}
	}
	fclose(f);
	ASSERT_LT(50, m->n);
}

/* The node the map puts name in, or NULL. */
static const char *map_node(const struct map *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name))
			return m->nodes[i];
	return NULL;
}

static bool in_map(const struct map *m, const char *name)
{
	return map_node(m, name) != NULL;
}

static void free_map(struct map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->names[i]);
}

static void lib_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/../../lib/%s", self_dir(), name);
}

TEST(abi_version_macros_match_the_library)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", REDIRECT_VERSION_MAJOR, REDIRECT_VERSION_MINOR,
		 REDIRECT_VERSION_MICRO);
	EXPECT_STREQ(want, redirect_version());
	EXPECT_EQ((REDIRECT_VERSION_MAJOR << 16) | (REDIRECT_VERSION_MINOR << 8) |
		  REDIRECT_VERSION_MICRO, REDIRECT_VERSION_CODE);
}

/* Adding symbols means a new node, and the header's MAJOR.MINOR moves with it. */
TEST(abi_newest_node_is_the_header_version)
{
	struct map m;

	read_map(_metadata, &m);
	EXPECT_EQ(REDIRECT_VERSION_MAJOR, m.newest_major);
	EXPECT_EQ(REDIRECT_VERSION_MINOR, m.newest_minor);
}

TEST(abi_shared_object_defines_the_node)
{
	static char out[1 << 17]; /* .gnu.version (a line per 4 symbols) comes first */
	char so[PATH_MAX], want[64];
	char *argv[] = { "/usr/bin/readelf", "-V", so, NULL };

	lib_path(so, sizeof(so), "libredirect.so.0");
	ASSERT_EQ(0, run_capture(argv, out, sizeof(out))) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "Name: LIBREDIRECT_%d.%d\n", REDIRECT_VERSION_MAJOR,
		 REDIRECT_VERSION_MINOR);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", out);
	snprintf(want, sizeof(want), "Name: LIBREDIRECT_%d.%d\n", REDIRECT_VERSION_MAJOR,
		 REDIRECT_VERSION_MINOR + 1);
	EXPECT_EQ(NULL, strstr(out, want));
}

TEST(abi_pkgconfig_version_is_the_library_version)
{
	char pc[PATH_MAX], want[64], *text;

	lib_path(pc, sizeof(pc), "pkgconfig/libredirect.pc");
	text = read_file(pc);
	ASSERT_NE(NULL, text) TH_LOG("%s", pc);
	snprintf(want, sizeof(want), "\nVersion: %s\n", redirect_version());
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("%s", text);
	free(text);
}

/* Every global symbol the archive defines is one of the map's, and every one is there. */
TEST(abi_static_library_exports_only_the_map)
{
	char a[PATH_MAX], line[512], type[8], name[256];
	size_t defined = 0;
	struct map m;
	FILE *p;
	char cmd[PATH_MAX + 64];

	read_map(_metadata, &m);
	lib_path(a, sizeof(a), "libredirect.a");
	snprintf(cmd, sizeof(cmd), "nm -g --defined-only '%s'", a);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%*s %7s %255s", type, name) != 2)
			continue;
		EXPECT_TRUE(in_map(&m, name)) TH_LOG("libredirect.a exports %s (%s)", name, type);
		defined++;
	}
	EXPECT_EQ(0, pclose(p));
	EXPECT_EQ(m.n, defined);
	free_map(&m);
}

/*
 * The shared object's dynamic table: every defined global is a name of the
 * map, in the node the map puts it in (the default version, "@@"), or a
 * version node itself; and every name of the map is there.
 */
TEST(abi_shared_object_exports_only_the_map)
{
	char so[PATH_MAX], line[512], type[8], sym[256], cmd[PATH_MAX + 64];
	size_t defined = 0;
	struct map m;
	FILE *p;

	read_map(_metadata, &m);
	lib_path(so, sizeof(so), "libredirect.so.0");
	snprintf(cmd, sizeof(cmd), "nm -D --defined-only '%s'", so);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		char *at;
		const char *node;

		if (sscanf(line, "%*s %7s %255s", type, sym) != 2)
			continue;
		if (!strcmp(type, "A") && !strncmp(sym, "LIBREDIRECT_", 12))
			continue;
		at = strstr(sym, "@@");
		EXPECT_NE(NULL, at) TH_LOG("libredirect.so.0 exports %s without a version", sym);
		if (!at)
			continue;
		*at = '\0';
		node = map_node(&m, sym);
		EXPECT_NE(NULL, node) TH_LOG("libredirect.so.0 exports %s (%s)", sym, type);
		if (node)
			EXPECT_STREQ(node, at + 2) TH_LOG("%s", sym);
		defined++;
	}
	EXPECT_EQ(0, pclose(p));
	EXPECT_EQ(m.n, defined);
	free_map(&m);
}

/* Every function the header declares is exported (a name missing from the map links nowhere). */
TEST(abi_header_functions_are_in_the_map)
{
	char path[PATH_MAX], line[512], name[128];
	size_t declared = 0;
	struct map m;
	FILE *f;

	read_map(_metadata, &m);
	src_path(path, sizeof(path), "libredirect/include/libredirect.h");
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		char *paren = strchr(line, '('), *p;

		/* a declaration starts in column 0 and names the function before '(' */
		if (line[0] < 'a' || line[0] > 'z' || !paren || !strncmp(line, "typedef", 7))
			continue;
		for (p = paren; p > line && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
					     (p[-1] >= '0' && p[-1] <= '9')); p--)
			;
		if (strncmp(p, "redirect_", 9) || (size_t)(paren - p) >= sizeof(name))
			continue;
		memcpy(name, p, (size_t)(paren - p));
		name[paren - p] = '\0';
		EXPECT_TRUE(in_map(&m, name)) TH_LOG("%s is declared but not in the map", name);
		declared++;
	}
	fclose(f);
	EXPECT_LT(100, declared);
}

/*
 * The getters are what keeps the reports grow-safe: an index past what the
 * library knows reads 0 (a program built against a newer header asks for a
 * counter this library lacks), and a rule is copied as an extensible struct.
 */
TEST(abi_counters_past_the_library_read_zero)
{
	struct redirect_counters c;
	unsigned int k;

	for (k = 0; k < REDIRECT_STAT_COUNT; k++)
		c.stats[k] = 100 + k;
	for (k = 0; k < REDIRECT_HIST_BUCKETS; k++)
		c.hist[k] = 200 + k;
	ASSERT_EQ(REDIRECT_STAT_COUNT, redirect_stat_count());
	ASSERT_EQ(REDIRECT_HIST_BUCKETS, redirect_hist_buckets());
	EXPECT_EQ(100, redirect_counters_stat(&c, REDIRECT_STAT_NOTIFIED));
	EXPECT_EQ(100 + REDIRECT_STAT_COUNT - 1,
		  redirect_counters_stat(&c, REDIRECT_STAT_COUNT - 1));
	EXPECT_EQ(0, redirect_counters_stat(&c, REDIRECT_STAT_COUNT));
	EXPECT_EQ(0, redirect_counters_stat(&c, ~0u));
	EXPECT_EQ(200 + REDIRECT_HIST_BUCKETS - 1,
		  redirect_counters_hist(&c, REDIRECT_HIST_BUCKETS - 1));
	EXPECT_EQ(0, redirect_counters_hist(&c, REDIRECT_HIST_BUCKETS));
}

TEST(abi_rule_info_copies_as_an_extensible_struct)
{
	struct redirect_rule_info_list list = { 0 };
	struct redirect_rule_info ri = { .index = 3, .hits = 7, .generation = 9 };
	unsigned char big[sizeof(struct redirect_rule) + 16];
	struct redirect_rule small;
	size_t i;

	memset(&ri.rule, 0xab, sizeof(ri.rule));
	list.items = &ri;
	list.n = 1;
	ASSERT_EQ(1, redirect_rule_info_list_count(&list));
	EXPECT_EQ(&ri, redirect_rule_info_list_get(&list, 0));
	EXPECT_EQ(NULL, redirect_rule_info_list_get(&list, 1));
	EXPECT_EQ(3, redirect_rule_info_index(&ri));
	EXPECT_EQ(7, redirect_rule_info_hits(&ri));
	EXPECT_EQ(9, redirect_rule_info_generation(&ri));
	/* an older, shorter struct: its start */
	memset(&small, 0, sizeof(small));
	EXPECT_EQ(sizeof(struct redirect_rule),
		  redirect_rule_info_rule(&ri, &small, offsetof(struct redirect_rule, str)));
	EXPECT_EQ(0xabababab, small.nr);
	EXPECT_EQ(0, small.str[0]);
	/* a newer, longer one: the rest zeroed */
	memset(big, 0xff, sizeof(big));
	EXPECT_EQ(sizeof(struct redirect_rule),
		  redirect_rule_info_rule(&ri, (struct redirect_rule *)big, sizeof(big)));
	EXPECT_EQ(0, memcmp(big, &ri.rule, sizeof(ri.rule)));
	for (i = sizeof(ri.rule); i < sizeof(big); i++)
		EXPECT_EQ(0, big[i]);
}

TEST(abi_sandbox_info_getters)
{
	struct redirect_sandbox_info si = {
		.sandbox_id = 12,
		.fail_mode = REDIRECT_FAIL_KILL,
		.owned = true,
		.forward_pending = 1,
		.delivered = 2,
		.replay = 3,
		.rules_generation = 4,
	};
	struct redirect_sandbox_list list = { .items = &si, .n = 1 };

	snprintf(si.name, sizeof(si.name), "web");
	si.counters.stats[REDIRECT_STAT_FORWARDED] = 5;
	EXPECT_EQ(1, redirect_sandbox_list_count(&list));
	EXPECT_EQ(0, redirect_sandbox_list_count(NULL));
	EXPECT_EQ(NULL, redirect_sandbox_list_get(&list, 1));
	EXPECT_EQ(12, redirect_sandbox_info_id(&si));
	EXPECT_STREQ("web", redirect_sandbox_info_name(&si));
	EXPECT_EQ(REDIRECT_FAIL_KILL, redirect_sandbox_info_fail_mode(&si));
	EXPECT_TRUE(redirect_sandbox_info_owned(&si));
	EXPECT_EQ(1, redirect_sandbox_info_forward_pending(&si));
	EXPECT_EQ(2, redirect_sandbox_info_delivered(&si));
	EXPECT_EQ(3, redirect_sandbox_info_replay(&si));
	EXPECT_EQ(4, redirect_sandbox_info_rules_generation(&si));
	EXPECT_EQ(5, redirect_counters_stat(redirect_sandbox_info_counters(&si),
					    REDIRECT_STAT_FORWARDED));
}

TEST_HARNESS_MAIN
