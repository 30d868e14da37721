// SPDX-License-Identifier: GPL-2.0
/* The library's ABI: version macros = newest symbol-version node = .pc; libredirect.a exports only the map. */
#include "helpers.h"
#include "kselftest_harness.h"

#define MAX_SYMS 512

/* The exported names and the newest version node of libredirect.map. */
struct map {
	char *names[MAX_SYMS];
	size_t n;
	unsigned int newest_major, newest_minor;
};

static void read_map(struct __test_metadata *_metadata, struct map *m)
{
	char path[PATH_MAX], line[256], name[128];
	unsigned int major, minor;
	FILE *f;

	memset(m, 0, sizeof(*m));
	src_path(path, sizeof(path), "libredirect/libredirect.map");
	f = fopen(path, "r");
	ASSERT_NE(NULL, f) TH_LOG("%s", path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "LIBREDIRECT_%u.%u {", &major, &minor) == 2) {
			if (major > m->newest_major ||
			    (major == m->newest_major && minor > m->newest_minor)) {
				m->newest_major = major;
				m->newest_minor = minor;
			}
		} else if (sscanf(line, " %127[a-z0-9_];", name) == 1 &&
			   !strncmp(name, "redirect_", 9) && m->n < MAX_SYMS) {
			m->names[m->n++] = strdup(name);
		}
	}
	fclose(f);
	ASSERT_LT(50, m->n);
}

static bool in_map(const struct map *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name))
			return true;
	return false;
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
	char so[PATH_MAX], out[8192], want[64];
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
	size_t defined = 0, i;
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
	for (i = 0; i < m.n; i++)
		free(m.names[i]);
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

TEST_HARNESS_MAIN
