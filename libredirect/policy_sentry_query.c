// SPDX-License-Identifier: GPL-2.0
/* What the Sentry's handlers ask of a policy: its file, connect and mount rules, ABI calls, views. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy.h"

static const char *const view_paths[REDIRECT_VIEW_NR] = {
	[REDIRECT_VIEW_MEMINFO] = "/proc/meminfo",
	[REDIRECT_VIEW_CPUINFO] = "/proc/cpuinfo",
	[REDIRECT_VIEW_STAT] = "/proc/stat",
	[REDIRECT_VIEW_CPU_ONLINE] = "/sys/devices/system/cpu/online",
	[REDIRECT_VIEW_UPTIME] = "/proc/uptime",
	[REDIRECT_VIEW_LOADAVG] = "/proc/loadavg",
	[REDIRECT_VIEW_SWAPS] = "/proc/swaps",
	[REDIRECT_VIEW_PRESSURE_CPU] = "/proc/pressure/cpu",
	[REDIRECT_VIEW_PRESSURE_MEMORY] = "/proc/pressure/memory",
	[REDIRECT_VIEW_PRESSURE_IO] = "/proc/pressure/io",
	[REDIRECT_VIEW_DISKSTATS] = "/proc/diskstats",
};

const char *redirect_view_path(enum redirect_view view)
{
	return (unsigned int)view < REDIRECT_VIEW_NR ? view_paths[view] : NULL;
}

int redirect_view_of_path(const char *path)
{
	int i;

	for (i = 0; path && i < REDIRECT_VIEW_NR; i++)
		if (!strcmp(path, view_paths[i]))
			return i;
	return -ENOENT;
}

bool redirect_policy_has_files(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_FILES;
}

/* Each section that adds synthetic files says so here. */
bool policy_serves_synth(const struct redirect_policy *p)
{
	return p->has & (POLICY_HAS_KERNEL | POLICY_HAS_VIEWS);
}

bool redirect_policy_has_synth(const struct redirect_policy *p)
{
	return policy_serves_synth(p);
}

bool redirect_policy_has_abi(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_ABI;
}

static bool in_strv(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/*
 * Does this kernel have call nr?  Asked with arguments every version
 * refuses (bad flags, fd -1, NULL pointers): ENOSYS only when it does not.
 * A filter of our own that answers ENOSYS counts as not having it: the
 * sandbox, under the same filter, would see the same.
 */
static bool host_has(size_t i)
{
	/* per call of the table, asked once: 1 has it, 2 lacks it */
	static int known[16];
	int k = __atomic_load_n(&known[i], __ATOMIC_RELAXED);

	if (!k) {
		long r = syscall(policy_abi_calls[i].nr, -1L, 0L, 0L, ~0UL, 0L, 0L);

		k = r < 0 && errno == ENOSYS ? 2 : 1;
		__atomic_store_n(&known[i], k, __ATOMIC_RELAXED);
	}
	return k == 1;
}

size_t policy_abi_notified(const struct redirect_policy *p, int *out, size_t max)
{
	const struct policy_abi_call *c;
	size_t n = 0;

	if (!(p->has & POLICY_HAS_ABI))
		return 0;
	for (c = policy_abi_calls; c->name && n < max; c++) {
		if (in_strv(p->abi_force, p->n_abi_force, c->name) ||
		    (in_strv(p->abi_emulate, p->n_abi_emulate, c->name) &&
		     !host_has((size_t)(c - policy_abi_calls))))
			out[n++] = c->nr;
	}
	return n;
}

const char *redirect_abi_call_name(int nr)
{
	const struct policy_abi_call *c;

	for (c = policy_abi_calls; c->name; c++)
		if (c->nr == nr)
			return c->name;
	return NULL;
}

/* Is path at or below prefix (both normalised)?  Returns the prefix length used. */
static size_t path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 1) /* "/" */
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

	if (!path || !policy_path_is_normal(path))
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

bool redirect_policy_has_views(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_VIEWS;
}

bool redirect_policy_view_enabled(const struct redirect_policy *p, enum redirect_view view)
{
	return (unsigned int)view < REDIRECT_VIEW_NR && (p->views & (1u << view));
}

bool redirect_policy_has_mount(const struct redirect_policy *p)
{
	return p->has & POLICY_HAS_MOUNT;
}

int redirect_policy_mount_target_check(const struct redirect_policy *p, const char *target)
{
	size_t i;

	if (!target || !policy_path_is_normal(target))
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

	if (!target || !policy_path_is_normal(target))
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
