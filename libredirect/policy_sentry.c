// SPDX-License-Identifier: GPL-2.0
/* The redirect section and the Sentry's sections (uname, files, connect, mount, sysinfo). */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

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
	"readlink", "readlinkat", "utimensat", "utime", "utimes", "futimesat", "fchmod", "fchown",
	"statfs", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
	"setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
	"inotify_add_watch", "bind",
	/* refused by the Sentry: see docs/policy.md, "Every call that takes a path" */
	"fanotify_mark", "name_to_handle_at", "open_by_handle_at", "chroot", "pivot_root",
	"fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
	NULL,
};
/*
 * Newer file calls an older profile may refuse (Docker 20.10's predates
 * fchmodat2): notified only where the policy's profile lets them through
 * unconditionally, so that notifying one never turns the profile's refusal
 * into the Sentry performing it.
 */
const char *const policy_files_if_allowed_calls[] = { "fchmodat2", NULL };
/* only with hidden or remap rules: checked on the Sentry's copy, then performed by the kernel */
const char *const policy_cwd_calls[] = { "chdir", "execve", "execveat", NULL };
/* sendto only with an address: filter.c notifies it when args[4] is not NULL */
const char *const policy_connect_calls[] = { "connect", "sendto", NULL };
const char *const policy_sysinfo_calls[] = { "sysinfo", NULL };
/* a synthetic file is opened, stat'ed and access'ed by path; the rest see the real one */
const char *const policy_synth_calls[] = { "open", "openat", "openat2", "stat", "lstat",
					   "newfstatat", "statx", "access", "faccessat",
					   "faccessat2", NULL };
const char *const policy_mount_calls[] = { "mount", "umount2", "fsopen", "fsconfig", "fsmount",
					   "fspick", "move_mount", "open_tree", "mount_setattr",
					   "pivot_root", NULL };
/* only with hidden file rules: listings lose the hidden names (a round trip each) */
const char *const policy_dents_calls[] = { "getdents64", "getdents", NULL };


static int parse_uname_field(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	char **out = f->dst;
	const char *s;
	int ret;

	ret = policy_get_string(l, v, REDIRECT_UNAME_LEN - 1, &s);
	if (ret < 0)
		return ret;
	*out = strdup(s);
	if (!*out)
		return policy_fail(l, "out of memory");
	return 0;
}

static int parse_uname(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "sysname", "nodename", "release", "version",
					     "machine", "domainname", NULL };
	struct redirect_policy *p = f->dst;
	struct policy_field fields[REDIRECT_UNAME_NR_FIELDS];
	int i, ret;

	ret = policy_object(l, o, known);
	if (ret < 0)
		return ret;
	for (i = 0; i < REDIRECT_UNAME_NR_FIELDS; i++)
		fields[i] = (struct policy_field){ .key = uname_keys[i],
						   .parse = parse_uname_field,
						   .dst = &p->uname[i] };
	ret = policy_fields(l, o, fields, ARRAY_SIZE(fields));
	if (ret < 0)
		return ret;
	p->has_uname = true;
	p->has |= POLICY_HAS_UNAME;
	return 0;
}

/*
 * redirect.sentry.kernel: release and version for uname and for
 * /proc/version, /proc/sys/kernel/osrelease and /proc/sys/kernel/version
 * alike (served as synthetic files, so opens and lookups are notified).
 */
static int parse_kernel(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "release", "version", NULL };
	struct redirect_policy *p = f->dst;
	const struct policy_field fields[] = {
		{ .key = "release", .parse = parse_uname_field, .dst = &p->kernel_release },
		{ .key = "version", .parse = parse_uname_field, .dst = &p->kernel_version },
	};
	int ret = policy_object_fields(l, o, known, fields, ARRAY_SIZE(fields));

	if (ret < 0)
		return ret;
	if (!p->kernel_release && !p->kernel_version)
		return policy_fail(l, "neither \"release\" nor \"version\" given");
	p->has |= POLICY_HAS_KERNEL;
	return 0;
}

/*
 * Each with a handler in usersentry/abi.c (docs/abi-shim.md has every call
 * after 6.1 and why the others are not here).  x86-64 numbers.
 */
const struct policy_abi_call policy_abi_calls[] = {
	{ "faccessat2", 439 },
	{ "cachestat", 451 },
	{ "fchmodat2", 452 },
	{ "mseal", 462 },
	{ NULL, 0 },
};

static const struct policy_abi_call *abi_call(const char *name)
{
	const struct policy_abi_call *c;

	for (c = policy_abi_calls; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int check_abi_call(struct policy_loader *l, const char *s)
{
	char known[256] = "";
	const struct policy_abi_call *c;

	if (abi_call(s))
		return 0;
	for (c = policy_abi_calls; c->name; c++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
			 known[0] ? ", " : "", c->name);
	return policy_fail(l, "\"%s\" cannot be emulated (the calls that can: %s)", s, known);
}

/* redirect.sentry.abi: {"emulate": [...], "force": [...]} */
static int parse_abi(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "emulate", "force", NULL };
	struct redirect_policy *p = f->dst;
	const struct policy_field fields[] = {
		{ .key = "emulate", .parse = policy_parse_strv, .dst = &p->abi_emulate,
		  .count = &p->n_abi_emulate, .check = check_abi_call },
		{ .key = "force", .parse = policy_parse_strv, .dst = &p->abi_force,
		  .count = &p->n_abi_force, .check = check_abi_call },
	};
	int ret = policy_object_fields(l, o, known, fields, ARRAY_SIZE(fields));

	if (ret < 0)
		return ret;
	if (!p->n_abi_emulate && !p->n_abi_force)
		return policy_fail(l, "neither \"emulate\" nor \"force\" names a call");
	p->has |= POLICY_HAS_ABI;
	return 0;
}

static int parse_verdict(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	struct redirect_answer *vd = f->dst;
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

bool policy_path_is_normal(const char *s)
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
	if (!policy_path_is_normal(s))
		return policy_fail(l, "\"%s\" is not an absolute path without \".\", \"..\", \"//\" or a "
			    "trailing \"/\"", s);
	return 0;
}

static int add_file_rules(struct policy_loader *l, json_object *o, const char *key,
			  enum redirect_file_action action, struct redirect_policy *p)
{
	char **paths = NULL;
	size_t n = 0, i;
	const struct policy_field field = { .key = key, .parse = policy_parse_strv, .dst = &paths,
					    .count = &n, .check = check_path };
	int ret;

	ret = policy_field(l, o, &field);
	if (ret <= 0)
		return ret;
	for (i = 0; i < n; i++) {
		struct policy_file_rule *f = &p->files[p->n_files++];

		f->action = action;
		f->path = paths[i];
	}
	free(paths);
	return 0;
}

static int parse_remap(struct policy_loader *l, json_object *e, size_t i, void *ctx)
{
	struct redirect_policy *p = ctx;
	static const char *const known[] = { "from", "to", NULL };
	const char *from = NULL, *to = NULL;
	const struct policy_field fields[] = {
		{ .key = "from", .flags = POLICY_REQUIRED, .parse = policy_parse_string,
		  .dst = &from, .check = check_path },
		{ .key = "to", .flags = POLICY_REQUIRED, .parse = policy_parse_string,
		  .dst = &to, .check = check_path },
	};
	struct policy_file_rule *fr;
	int ret = policy_object_fields(l, e, known, fields, ARRAY_SIZE(fields));

	if (ret < 0)
		return ret;
	if (!strcmp(from, "/"))
		return policy_fail(l, "cannot remap \"/\"");
	fr = &p->files[p->n_files++];
	fr->action = REDIRECT_FILE_REMAP;
	fr->path = strdup(from);
	fr->target = strdup(to);
	if (!fr->path || !fr->target)
		return policy_fail(l, "out of memory");
	return 0;
}

static int parse_remaps(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	return policy_for_each_element(l, v, parse_remap, f->dst);
}

static int parse_files(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "readOnly", "hidden", "remap", NULL };
	struct redirect_policy *p = f->dst;
	const struct policy_field remap = { .key = "remap", .parse = parse_remaps, .dst = p };
	json_object *v;
	size_t total = 0, i, j;
	int ret;

	ret = policy_object(l, o, known);
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
	if (ret == 0)
		ret = policy_field(l, o, &remap);
	if (ret < 0)
		return ret;
	/* one rule per path: two would make the lookup depend on their order */
	for (i = 0; i < p->n_files; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(p->files[i].path, p->files[j].path))
				return policy_fail(l, "\"%s\" has more than one rule", p->files[i].path);
	return 0;
}

static int parse_allow_deny(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	bool *allow = f->dst;
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

static int parse_ports(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	struct policy_connect_rule *r = f->dst;
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

static int parse_cidr_field(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	const char *s;
	int ret;

	ret = policy_get_string(l, v, 64, &s);
	if (ret == 0)
		ret = parse_cidr(l, s, f->dst);
	return ret;
}

static int parse_port(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	struct policy_connect_rule *r = f->dst;
	uint64_t port;
	int ret;

	ret = policy_get_uint64(l, v, 65535, &port);
	if (ret == 0)
		r->port_min = r->port_max = (uint16_t)port;
	return ret;
}

static int parse_connect_rule(struct policy_loader *l, json_object *o, size_t i, void *ctx)
{
	struct redirect_policy *p = ctx;
	struct policy_connect_rule *r = &p->connect[p->n_connect++];
	static const char *const known[] = { "action", "cidr", "port", "ports", "comment", NULL };
	const struct policy_field fields[] = {
		{ .key = "action", .flags = POLICY_REQUIRED, .parse = parse_allow_deny,
		  .dst = &r->allow },
		{ .key = "cidr", .parse = parse_cidr_field, .dst = r },
	};
	const struct policy_field port = { .key = "port", .parse = parse_port, .dst = r };
	const struct policy_field ports = { .key = "ports", .parse = parse_ports, .dst = r };
	const struct policy_field comment = { .key = "comment", .parse = policy_parse_comment };
	int ret;

	ret = policy_object(l, o, known);
	if (ret < 0)
		return ret;
	r->family = AF_UNSPEC;
	r->port_max = 65535;
	ret = policy_fields(l, o, fields, ARRAY_SIZE(fields));
	if (ret < 0)
		return ret;
	if (json_object_object_get_ex(o, "port", NULL) &&
	    json_object_object_get_ex(o, "ports", NULL))
		return policy_fail(l, "both \"port\" and \"ports\" given");
	ret = policy_field(l, o, &port);
	if (ret == 0)
		ret = policy_field(l, o, &ports);
	if (ret >= 0)
		ret = policy_field(l, o, &comment);
	return ret < 0 ? ret : 0;
}

#define CONNECT_RULES_MAX 4096

static int parse_deny_errno(struct policy_loader *l, json_object *v, const struct policy_field *f)
{
	int *errnum = f->dst;
	const char *s;
	int ret;

	ret = policy_get_string(l, v, 32, &s);
	if (ret == 0 && (redirect_errno_parse(s, errnum) < 0 || *errnum <= 0))
		ret = policy_fail(l, "unknown errno \"%s\"", s);
	return ret;
}

static int parse_connect_rules(struct policy_loader *l, json_object *v,
			       const struct policy_field *f)
{
	struct redirect_policy *p = f->dst;
	size_t n;
	int ret;

	ret = policy_array_length(l, v, CONNECT_RULES_MAX, "rules", &n);
	if (ret < 0)
		return ret;
	p->connect = calloc(n ? n : 1, sizeof(*p->connect));
	if (!p->connect)
		return policy_fail(l, "out of memory");
	return policy_for_each_element(l, v, parse_connect_rule, p);
}

static int parse_connect(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "default", "rules", "denyErrno", "unix", NULL };
	struct redirect_policy *p = f->dst;
	const struct policy_field fields[] = {
		{ .key = "default", .parse = parse_allow_deny, .dst = &p->connect_default_allow },
		{ .key = "unix", .parse = parse_allow_deny, .dst = &p->connect_unix_allow },
		{ .key = "denyErrno", .parse = parse_deny_errno, .dst = &p->connect_deny_errno },
		{ .key = "rules", .parse = parse_connect_rules, .dst = p },
	};
	int ret;

	ret = policy_object(l, o, known);
	if (ret < 0)
		return ret;
	p->has |= POLICY_HAS_CONNECT;
	p->connect_default_allow = false;
	p->connect_unix_allow = true;
	p->connect_deny_errno = EACCES;
	return policy_fields(l, o, fields, ARRAY_SIZE(fields));
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

static int parse_mount(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "fsTypes", "targets", "bind", NULL };
	struct redirect_policy *p = f->dst;
	const struct policy_field fields[] = {
		{ .key = "fsTypes", .parse = policy_parse_strv, .dst = &p->mount_fs,
		  .count = &p->n_mount_fs, .check = check_fs_type },
		{ .key = "targets", .parse = policy_parse_strv, .dst = &p->mount_targets,
		  .count = &p->n_mount_targets, .check = check_path },
		{ .key = "bind", .parse = policy_parse_bool, .dst = &p->mount_bind },
	};
	int ret;

	ret = policy_object(l, o, known);
	if (ret < 0)
		return ret;
	p->has |= POLICY_HAS_MOUNT;
	return policy_fields(l, o, fields, ARRAY_SIZE(fields));
}

/* One of names[] (n of them): its index. */
/* One of the two names in f->arg (the enum's order): its index, as an int. */
static int parse_choice(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	const char *const *names = f->arg;
	int *out = f->dst, i, ret;
	const char *s;

	ret = policy_get_string(l, o, 32, &s);
	if (ret < 0)
		return ret;
	for (i = 0; i < 2; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return policy_fail(l, "expected \"%s\" or \"%s\", got \"%s\"", names[0], names[1], s);
}

static int parse_sysinfo(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "memory", "uptime", NULL };
	/* in the order of the enums */
	static const char *const memory_names[] = { "cgroup", "host" };
	static const char *const uptime_names[] = { "sandbox", "host" };
	struct redirect_policy *p = f->dst;
	int memory = REDIRECT_SYSINFO_MEMORY_CGROUP, uptime = REDIRECT_SYSINFO_UPTIME_SANDBOX;
	const struct policy_field fields[] = {
		{ .key = "memory", .parse = parse_choice, .dst = &memory, .arg = memory_names },
		{ .key = "uptime", .parse = parse_choice, .dst = &uptime, .arg = uptime_names },
	};
	int ret;

	ret = policy_object(l, o, known);
	if (ret < 0)
		return ret;
	p->has |= POLICY_HAS_SYSINFO;
	ret = policy_fields(l, o, fields, ARRAY_SIZE(fields));
	p->sysinfo_memory = (enum redirect_sysinfo_memory)memory;
	p->sysinfo_uptime = (enum redirect_sysinfo_uptime)uptime;
	return ret;
}

static int check_view(struct policy_loader *l, const char *s)
{
	char known[512];
	size_t n = 0;
	int i;

	if (redirect_view_of_path(s) >= 0)
		return 0;
	for (i = 0; i < REDIRECT_VIEW_NR; i++)
		n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", i ? ", " : "",
				      redirect_view_path(i));
	return policy_fail(l, "no view of \"%s\" (the views: %s)", s, known);
}

static int parse_views(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "files", NULL };
	struct redirect_policy *p = f->dst;
	char **files = NULL;
	size_t n = 0, i;
	const struct policy_field field = { .key = "files", .flags = POLICY_REQUIRED,
					    .parse = policy_parse_strv, .dst = &files,
					    .count = &n, .check = check_view };
	int ret;

	ret = policy_object(l, o, known);
	if (ret == 0)
		ret = policy_field(l, o, &field);
	p->views = 0;
	for (i = 0; ret >= 0 && i < n; i++)
		p->views |= 1u << redirect_view_of_path(files[i]);
	policy_free_strv(files, n);
	if (ret < 0)
		return ret;
	p->has |= POLICY_HAS_VIEWS;
	return 0;
}

static int parse_sentry(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "default", "uname", "kernel", "files", "connect",
					     "mount", "sysinfo", "abi", "views", NULL };
	struct redirect_policy *p = f->dst;
	const struct policy_field verdict = { .key = "default", .parse = parse_verdict,
					      .dst = &p->default_verdict };
	const struct policy_field sections[] = {
		{ .key = "uname", .parse = parse_uname, .dst = p },
		{ .key = "kernel", .parse = parse_kernel, .dst = p },
		{ .key = "abi", .parse = parse_abi, .dst = p },
		{ .key = "files", .parse = parse_files, .dst = p },
		{ .key = "connect", .parse = parse_connect, .dst = p },
		{ .key = "mount", .parse = parse_mount, .dst = p },
		{ .key = "sysinfo", .parse = parse_sysinfo, .dst = p },
		{ .key = "views", .parse = parse_views, .dst = p },
	};
	int ret;

	ret = policy_object(l, o, known);
	if (ret < 0)
		return ret;
	ret = policy_field(l, o, &verdict);
	if (ret < 0)
		return ret;
	if (ret)
		p->has |= POLICY_HAS_DEFAULT_ANSWER;
	return policy_fields(l, o, sections, ARRAY_SIZE(sections));
}

static int parse_capabilities(struct policy_loader *l, json_object *v,
			      const struct policy_field *f)
{
	struct redirect_policy *p = f->dst;
	int ret;

	ret = policy_get_string_array(l, v, true, policy_check_cap, &p->caps, &p->n_caps);
	if (ret == 0)
		p->has |= POLICY_HAS_CAPS;
	return ret;
}

int policy_parse_redirect(struct policy_loader *l, json_object *o, const struct policy_field *f)
{
	static const char *const known[] = { "capabilities", "notify", "rules", "sentry", NULL };
	struct redirect_policy *p = f->dst;
	const struct policy_field fields[] = {
		{ .key = "capabilities", .parse = parse_capabilities, .dst = p },
		{ .key = "sentry", .parse = parse_sentry, .dst = p },
		{ .key = "notify", .parse = policy_parse_strv, .dst = &p->extra_notify,
		  .count = &p->n_extra_notify, .check = policy_check_known_syscall },
		{ .key = "rules", .parse = policy_parse_tier1, .dst = p },
	};
	int ret;

	ret = policy_object(l, o, known);
	if (ret < 0)
		return ret;
	return policy_fields(l, o, fields, ARRAY_SIZE(fields));
}
