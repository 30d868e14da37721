// SPDX-License-Identifier: GPL-2.0
/* The redirect section and the Sentry's sections (uname, files, connect, mount, sysinfo). */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include <json-c/json.h>

#include "policy.h"

/* ---- redirect section ------------------------------------------------------------ */

static const char *const uname_keys[REDIRECT_UNAME_NR_FIELDS] = {
	[REDIRECT_UNAME_SYSNAME] = "sysname",
	[REDIRECT_UNAME_NODENAME] = "nodename",
	[REDIRECT_UNAME_RELEASE] = "release",
	[REDIRECT_UNAME_VERSION] = "version",
	[REDIRECT_UNAME_MACHINE] = "machine",
	[REDIRECT_UNAME_DOMAINNAME] = "domainname",
};

/* The calls each handler takes (x86-64 names). */
const char *const policy_files_calls[] = {
	"open", "openat", "openat2", "creat", "truncate", "mkdir", "mkdirat", "mknod",
	"mknodat", "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2", "link",
	"linkat", "symlink", "symlinkat", "chmod", "fchmodat", "chown", "lchown", "fchownat",
	"stat", "lstat", "newfstatat", "statx", "access", "faccessat", "faccessat2",
	"readlink", "readlinkat", "utimensat", NULL,
};
/* sendto only with an address: filter.c notifies it when args[4] is not NULL */
const char *const policy_connect_calls[] = { "connect", "sendto", NULL };
const char *const policy_sysinfo_calls[] = { "sysinfo", NULL };
const char *const policy_mount_calls[] = { "mount", "umount2", NULL };
/* only with hidden file rules: listings lose the hidden names (a round trip each) */


static int parse_uname(struct policy_loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "sysname", "nodename", "release", "version",
					     "machine", "domainname", NULL };
	json_object *v;
	int i, ret;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;
	for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++) {
		const char *s;
		size_t mark;

		if (!json_object_object_get_ex(o, uname_keys[i], &v))
			continue;
		mark = policy_push_key(l, uname_keys[i]);
		ret = policy_get_string(l, v, REDIRECT_UNAME_LEN - 1, &s);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
		p->uname[i] = strdup(s);
		if (!p->uname[i])
			return policy_fail(l, "out of memory");
	}
	p->has_uname = true;
	p->has |= POLICY_HAS_UNAME;
	return 0;
}

static int parse_verdict(struct policy_loader *l, json_object *o, struct redirect_answer *vd)
{
	const char *s;
	int ret;

	ret = policy_get_string(l, o, 64, &s);
	if (ret < 0)
		return ret;
	if (!strcmp(s, "continue")) {
		vd->kind = REDIRECT_ANSWER_CONTINUE;
		vd->errnum = 0;
		return 0;
	}
	if (!strncmp(s, "errno:", 6)) {
		if (redirect_errno_parse(s + 6, &vd->errnum) < 0)
			return policy_fail(l, "unknown errno \"%s\"", s + 6);
		vd->kind = REDIRECT_ANSWER_ERRNO;
		return 0;
	}
	return policy_fail(l, "expected \"continue\" or \"errno:NAME\", got \"%s\"", s);
}

/* An absolute path without ".", "..", "//" or a trailing "/" (but "/"). */
static bool path_is_normal(const char *s)
{
	const char *c;

	if (s[0] != '/')
		return false;
	if (!s[1])
		return true;
	for (c = s; *c; c++) {
		if (*c != '/')
			continue;
		if (c[1] == '/' || c[1] == '\0')
			return false;
		if (c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			return false;
		if (c[1] == '.' && c[2] == '.' && (c[3] == '/' || c[3] == '\0'))
			return false;
	}
	return true;
}

static int check_path(struct policy_loader *l, const char *s)
{
	if (strlen(s) >= PATH_MAX)
		return policy_fail(l, "path longer than %d bytes", PATH_MAX - 1);
	if (!path_is_normal(s))
		return policy_fail(l, "\"%s\" is not an absolute path without \".\", \"..\", \"//\" or a "
			    "trailing \"/\"", s);
	return 0;
}

static int add_file_rules(struct policy_loader *l, json_object *o, const char *key,
			  enum redirect_file_action action, struct redirect_policy *p)
{
	char **paths = NULL;
	size_t n = 0, i, mark;
	json_object *v;
	int ret;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	mark = policy_push_key(l, key);
	ret = policy_get_string_array(l, v, true, check_path, &paths, &n);
	policy_pop(l, mark);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		struct policy_file_rule *f = &p->files[p->n_files++];

		f->action = action;
		f->path = paths[i];
	}
	free(paths);
	return 0;
}

static int parse_files(struct policy_loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "readOnly", "hidden", "remap", NULL };
	static const char *const remap_known[] = { "from", "to", NULL };
	json_object *v;
	size_t total = 0, i, j, n, mark;
	int ret;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;
	for (i = 0; known[i]; i++)
		if (json_object_object_get_ex(o, known[i], &v) &&
		    json_object_is_type(v, json_type_array))
			total += json_object_array_length(v);
	p->files = calloc(total ? total : 1, sizeof(*p->files));
	if (!p->files)
		return policy_fail(l, "out of memory");
	p->has |= POLICY_HAS_FILES;
	ret = add_file_rules(l, o, "readOnly", REDIRECT_FILE_READ_ONLY, p);
	if (ret == 0)
		ret = add_file_rules(l, o, "hidden", REDIRECT_FILE_HIDDEN, p);
	if (ret < 0)
		return ret;
	if (!json_object_object_get_ex(o, "remap", &v))
		goto unique;
	mark = policy_push_key(l, "remap");
	ret = policy_expect_type(l, v, json_type_array, "an array");
	n = ret < 0 ? 0 : json_object_array_length(v);
	for (i = 0; ret == 0 && i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i), *f;
		size_t m2 = policy_push_index(l, i), m3;
		const char *vals[2] = { NULL, NULL };

		ret = policy_expect_type(l, e, json_type_object, "an object");
		if (ret == 0)
			ret = policy_check_keys(l, e, remap_known);
		for (j = 0; ret == 0 && j < 2; j++) {
			if (!json_object_object_get_ex(e, remap_known[j], &f)) {
				ret = policy_fail(l, "missing \"%s\"", remap_known[j]);
				break;
			}
			m3 = policy_push_key(l, remap_known[j]);
			ret = policy_get_string(l, f, 0, &vals[j]);
			if (ret == 0)
				ret = check_path(l, vals[j]);
			policy_pop(l, m3);
		}
		if (ret == 0 && !strcmp(vals[0], "/"))
			ret = policy_fail(l, "cannot remap \"/\"");
		if (ret == 0) {
			struct policy_file_rule *fr = &p->files[p->n_files];

			fr->action = REDIRECT_FILE_REMAP;
			fr->path = strdup(vals[0]);
			fr->target = strdup(vals[1]);
			p->n_files++;
			if (!fr->path || !fr->target)
				ret = policy_fail(l, "out of memory");
		}
		policy_pop(l, m2);
	}
	policy_pop(l, mark);
	if (ret < 0)
		return ret;
unique:
	/* one rule per path: two would make the lookup depend on their order */
	for (i = 0; i < p->n_files; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(p->files[i].path, p->files[j].path))
				return policy_fail(l, "\"%s\" has more than one rule", p->files[i].path);
	return 0;
}

static int parse_allow_deny(struct policy_loader *l, json_object *o, bool *allow)
{
	const char *s;
	int ret;

	ret = policy_get_string(l, o, 16, &s);
	if (ret < 0)
		return ret;
	if (!strcmp(s, "allow"))
		*allow = true;
	else if (!strcmp(s, "deny"))
		*allow = false;
	else
		return policy_fail(l, "expected \"allow\" or \"deny\", got \"%s\"", s);
	return 0;
}

static int parse_cidr(struct policy_loader *l, const char *s, struct policy_connect_rule *r)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int max, bits;
	char *end;

	if (len >= sizeof(addr))
		return policy_fail(l, "\"%s\" is not an address or CIDR block", s);
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, r->addr) == 1) {
		r->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, r->addr) == 1) {
		r->family = AF_INET6;
		max = 128;
	} else {
		return policy_fail(l, "\"%s\" is not an address or CIDR block", s);
	}
	r->prefix_len = max;
	if (!slash)
		return 0;
	errno = 0;
	bits = (unsigned int)strtoul(slash + 1, &end, 10);
	if (!slash[1] || slash[1] < '0' || slash[1] > '9' || *end || errno || bits > max)
		return policy_fail(l, "prefix length of \"%s\" is not 0..%u", s, max);
	r->prefix_len = bits;
	/* host bits set: almost certainly a typo for another block */
	for (; bits < max; bits++)
		if (r->addr[bits / 8] & (0x80 >> (bits % 8)))
			return policy_fail(l, "\"%s\" has bits set beyond its prefix", s);
	return 0;
}

static int parse_ports(struct policy_loader *l, json_object *o, struct policy_connect_rule *r)
{
	unsigned int lo, hi;
	const char *s;
	int n = 0, ret;

	ret = policy_get_string(l, o, 16, &s);
	if (ret < 0)
		return ret;
	if (sscanf(s, "%u-%u%n", &lo, &hi, &n) != 2 || (size_t)n != strlen(s) ||
	    s[0] < '0' || s[0] > '9' || lo > hi || hi > 65535)
		return policy_fail(l, "expected \"LOW-HIGH\" within 0-65535, got \"%s\"", s);
	r->port_min = (uint16_t)lo;
	r->port_max = (uint16_t)hi;
	return 0;
}

static int parse_connect_rule(struct policy_loader *l, json_object *o, struct policy_connect_rule *r)
{
	static const char *const known[] = { "action", "cidr", "port", "ports", "comment", NULL };
	json_object *v;
	const char *s;
	uint64_t port;
	size_t mark;
	int ret;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (!json_object_object_get_ex(o, "action", &v))
		return policy_fail(l, "missing \"action\"");
	mark = policy_push_key(l, "action");
	ret = parse_allow_deny(l, v, &r->allow);
	policy_pop(l, mark);
	if (ret < 0)
		return ret;
	r->family = AF_UNSPEC;
	r->port_max = 65535;
	if (json_object_object_get_ex(o, "cidr", &v)) {
		mark = policy_push_key(l, "cidr");
		ret = policy_get_string(l, v, 64, &s);
		if (ret == 0)
			ret = parse_cidr(l, s, r);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "port", &v)) {
		if (json_object_object_get_ex(o, "ports", NULL))
			return policy_fail(l, "both \"port\" and \"ports\" given");
		mark = policy_push_key(l, "port");
		ret = policy_get_uint64(l, v, 65535, &port);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
		r->port_min = r->port_max = (uint16_t)port;
	} else if (json_object_object_get_ex(o, "ports", &v)) {
		mark = policy_push_key(l, "ports");
		ret = parse_ports(l, v, r);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "comment", &v)) {
		mark = policy_push_key(l, "comment");
		ret = policy_expect_type(l, v, json_type_string, "a string");
		policy_pop(l, mark);
	}
	return ret;
}

#define CONNECT_RULES_MAX 4096

static int parse_connect(struct policy_loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "default", "rules", "denyErrno", "unix", NULL };
	json_object *v;
	size_t mark, i, n;
	int ret;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;
	p->has |= POLICY_HAS_CONNECT;
	p->connect_default_allow = false;
	p->connect_unix_allow = true;
	p->connect_deny_errno = EACCES;
	if (json_object_object_get_ex(o, "default", &v)) {
		mark = policy_push_key(l, "default");
		ret = parse_allow_deny(l, v, &p->connect_default_allow);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "unix", &v)) {
		mark = policy_push_key(l, "unix");
		ret = parse_allow_deny(l, v, &p->connect_unix_allow);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "denyErrno", &v)) {
		const char *s;

		mark = policy_push_key(l, "denyErrno");
		ret = policy_get_string(l, v, 32, &s);
		if (ret == 0 && (redirect_errno_parse(s, &p->connect_deny_errno) < 0 ||
				 p->connect_deny_errno <= 0))
			ret = policy_fail(l, "unknown errno \"%s\"", s);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (!json_object_object_get_ex(o, "rules", &v))
		return 0;
	mark = policy_push_key(l, "rules");
	ret = policy_expect_type(l, v, json_type_array, "an array");
	n = ret < 0 ? 0 : json_object_array_length(v);
	if (n > CONNECT_RULES_MAX)
		ret = policy_fail(l, "more than %d rules", CONNECT_RULES_MAX);
	if (ret == 0 && n) {
		p->connect = calloc(n, sizeof(*p->connect));
		if (!p->connect)
			ret = policy_fail(l, "out of memory");
	}
	for (i = 0; ret == 0 && i < n; i++) {
		size_t m2 = policy_push_index(l, i);

		ret = parse_connect_rule(l, json_object_array_get_idx(v, i), &p->connect[i]);
		policy_pop(l, m2);
		p->n_connect++;
	}
	policy_pop(l, mark);
	return ret;
}

static int check_fs_type(struct policy_loader *l, const char *s)
{
	const char *c;

	if (strlen(s) > 64)
		return policy_fail(l, "file system type longer than 64 bytes");
	for (c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '-' || *c == '.'))
			return policy_fail(l, "invalid file system type \"%s\"", s);
	return 0;
}

static int parse_mount(struct policy_loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "fsTypes", "targets", "bind", NULL };
	json_object *v;
	size_t mark;
	int ret;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;
	p->has |= POLICY_HAS_MOUNT;
	if (json_object_object_get_ex(o, "fsTypes", &v)) {
		mark = policy_push_key(l, "fsTypes");
		ret = policy_get_string_array(l, v, true, check_fs_type, &p->mount_fs, &p->n_mount_fs);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "targets", &v)) {
		mark = policy_push_key(l, "targets");
		ret = policy_get_string_array(l, v, true, check_path, &p->mount_targets,
				       &p->n_mount_targets);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "bind", &v)) {
		mark = policy_push_key(l, "bind");
		ret = policy_expect_type(l, v, json_type_boolean, "a boolean");
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
		p->mount_bind = json_object_get_boolean(v);
	}
	return 0;
}

/* One of names[] (n of them): its index. */
static int parse_choice(struct policy_loader *l, json_object *o, const char *const *names, int n,
			int *out)
{
	const char *s;
	int i, ret;

	ret = policy_get_string(l, o, 32, &s);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return n == 2 ? policy_fail(l, "expected \"%s\" or \"%s\", got \"%s\"", names[0], names[1], s)
		      : policy_fail(l, "unexpected \"%s\"", s);
}

static int parse_sysinfo(struct policy_loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "memory", "uptime", NULL };
	/* in the order of the enums */
	static const char *const memory[] = { "cgroup", "host" };
	static const char *const uptime[] = { "sandbox", "host" };
	json_object *v;
	size_t mark;
	int ret, c;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret == 0)
		ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;
	p->has |= POLICY_HAS_SYSINFO;
	p->sysinfo_memory = REDIRECT_SYSINFO_MEMORY_CGROUP;
	p->sysinfo_uptime = REDIRECT_SYSINFO_UPTIME_SANDBOX;
	if (json_object_object_get_ex(o, "memory", &v)) {
		mark = policy_push_key(l, "memory");
		ret = parse_choice(l, v, memory, 2, &c);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
		p->sysinfo_memory = (enum redirect_sysinfo_memory)c;
	}
	if (json_object_object_get_ex(o, "uptime", &v)) {
		mark = policy_push_key(l, "uptime");
		ret = parse_choice(l, v, uptime, 2, &c);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
		p->sysinfo_uptime = (enum redirect_sysinfo_uptime)c;
	}
	return 0;
}

static int parse_sentry(struct policy_loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "default", "uname", "files", "connect", "mount",
					     "sysinfo", NULL };
	static int (*const section[])(struct policy_loader *, json_object *,
				      struct redirect_policy *) = {
		NULL, parse_uname, parse_files, parse_connect, parse_mount, parse_sysinfo,
	};
	json_object *v;
	size_t mark, i;
	int ret;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "default", &v)) {
		mark = policy_push_key(l, "default");
		ret = parse_verdict(l, v, &p->default_verdict);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
		p->has |= POLICY_HAS_DEFAULT_ANSWER;
	}
	for (i = 1; known[i]; i++) {
		if (!json_object_object_get_ex(o, known[i], &v))
			continue;
		mark = policy_push_key(l, known[i]);
		ret = section[i](l, v, p);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int policy_parse_redirect(struct policy_loader *l, json_object *o, struct redirect_policy *p)
{
	static const char *const known[] = { "capabilities", "notify", "rules", "sentry", NULL };
	json_object *v;
	size_t mark;
	int ret;

	ret = policy_expect_type(l, o, json_type_object, "an object");
	if (ret < 0)
		return ret;
	ret = policy_check_keys(l, o, known);
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "capabilities", &v)) {
		mark = policy_push_key(l, "capabilities");
		ret = policy_get_string_array(l, v, true, policy_check_cap, &p->caps, &p->n_caps);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
		p->has |= POLICY_HAS_CAPS;
	}
	if (json_object_object_get_ex(o, "sentry", &v)) {
		mark = policy_push_key(l, "sentry");
		ret = parse_sentry(l, v, p);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "notify", &v)) {
		mark = policy_push_key(l, "notify");
		ret = policy_get_string_array(l, v, true, policy_check_known_syscall, &p->extra_notify,
				       &p->n_extra_notify);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	if (json_object_object_get_ex(o, "rules", &v)) {
		mark = policy_push_key(l, "rules");
		ret = policy_parse_tier1(l, v, p);
		policy_pop(l, mark);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- Sentry handler settings -------------------------------------------------------- */

bool redirect_policy_has_files(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_FILES;
}

/* Is path at or below prefix (both normalised)?  Returns the prefix length used. */
static size_t path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 1)	/* "/" */
		return 1;
	if (strncmp(path, prefix, n) || (path[n] != '/' && path[n] != '\0'))
		return 0;
	return n;
}

int redirect_policy_file_lookup(const struct redirect_policy *p, const char *path,
				enum redirect_file_action *action, char *remapped, size_t size)
{
	const struct policy_file_rule *best = NULL;
	size_t best_len = 0, i;

	if (!path || !path_is_normal(path))
		return -EINVAL;
	for (i = 0; i < p->n_files; i++) {
		size_t n = path_under(path, p->files[i].path);

		if (n > best_len) {
			best = &p->files[i];
			best_len = n;
		}
	}
	if (!best)
		return 0;
	*action = best->action;
	if (best->action == REDIRECT_FILE_REMAP && remapped) {
		int n = snprintf(remapped, size, "%s%s", best->target, path + best_len);

		if (n < 0 || (size_t)n >= size)
			return -ENAMETOOLONG;
	}
	return 1;
}

bool redirect_policy_has_connect(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_CONNECT;
}

static bool prefix_matches(const unsigned char *a, const unsigned char *b, unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full))
		return false;
	return !rest || !((a[full] ^ b[full]) & (0xff00 >> rest));
}

int redirect_policy_connect_check(const struct redirect_policy *p, const struct sockaddr *sa,
				  socklen_t len)
{
	unsigned char addr[16];
	uint16_t port;
	int family;
	size_t i;

	if (!sa || len < sizeof(sa_family_t))
		return -EINVAL;
	family = sa->sa_family;
	if (family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		if (len < sizeof(*in))
			return -EINVAL;
		memcpy(addr, &in->sin_addr, 4);
		port = ntohs(in->sin_port);
	} else if (family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (len < sizeof(*in6))
			return -EINVAL;
		port = ntohs(in6->sin6_port);
		/* ::ffff:a.b.c.d reaches a.b.c.d: the IPv4 rules decide */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			family = AF_INET;
			memcpy(addr, &in6->sin6_addr.s6_addr[12], 4);
		} else {
			memcpy(addr, &in6->sin6_addr, 16);
		}
	} else {
		return -EAFNOSUPPORT;
	}
	for (i = 0; i < p->n_connect; i++) {
		const struct policy_connect_rule *r = &p->connect[i];

		if (r->family != AF_UNSPEC &&
		    (r->family != family || !prefix_matches(addr, r->addr, r->prefix_len)))
			continue;
		if (port < r->port_min || port > r->port_max)
			continue;
		return r->allow;
	}
	return p->connect_default_allow;
}

int redirect_policy_connect_deny_errno(const struct redirect_policy *p)
{
	return p->connect_deny_errno > 0 ? p->connect_deny_errno : EACCES;
}

bool redirect_policy_connect_default_allowed(const struct redirect_policy *p)
{
	return p->connect_default_allow;
}

bool redirect_policy_connect_unix_allowed(const struct redirect_policy *p)
{
	return p->connect_unix_allow;
}

bool redirect_policy_has_sysinfo(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_SYSINFO;
}

enum redirect_sysinfo_memory redirect_policy_sysinfo_memory(const struct redirect_policy *p)
{
	return p->sysinfo_memory;
}

enum redirect_sysinfo_uptime redirect_policy_sysinfo_uptime(const struct redirect_policy *p)
{
	return p->sysinfo_uptime;
}

bool redirect_policy_has_mount(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_MOUNT;
}

int redirect_policy_mount_target_check(const struct redirect_policy *p, const char *target)
{
	size_t i;

	if (!target || !path_is_normal(target))
		return -EINVAL;
	for (i = 0; i < p->n_mount_targets; i++)
		if (path_under(target, p->mount_targets[i]))
			return 1;
	return 0;
}

int redirect_policy_mount_check(const struct redirect_policy *p, const char *fstype,
				const char *target, unsigned long flags)
{
	bool fs_ok = false, target_ok = false;
	size_t i;

	if (!target || !path_is_normal(target))
		return -EINVAL;
	for (i = 0; i < p->n_mount_targets; i++)
		if (path_under(target, p->mount_targets[i]))
			target_ok = true;
	if (flags & MS_BIND)
		fs_ok = p->mount_bind;
	else
		for (i = 0; fstype && i < p->n_mount_fs; i++)
			if (!strcmp(fstype, p->mount_fs[i]))
				fs_ok = true;
	return fs_ok && target_ok;
}


bool policy_sendto_on_address(const struct redirect_policy *p, uint32_t *rest)
{
	const char *name = "sendto";
	uint32_t action;
	size_t i, j;

	if (!(p->has & POLICY_HAS_CONNECT))
		return false;
	for (i = 0; i < p->n_extra_notify; i++)
		if (!strcmp(p->extra_notify[i], name))
			return false;
	for (i = 0; i < p->n_trules; i++)
		for (j = 0; j < p->trules[i].n_names; j++)
			if (!strcmp(p->trules[i].names[j], name))
				return false;
	action = p->default_action;
	if (action == SCMP_ACT_NOTIFY)
		return false;
	for (i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (!policy_rule_applies(p, r))
			continue;
		for (j = 0; j < r->n_names; j++) {
			if (strcmp(r->names[j], name))
				continue;
			if (r->n_args || r->action == SCMP_ACT_NOTIFY)
				return false;
			action = r->action;
		}
	}
	if (rest)
		*rest = action;
	return true;
}
