/* SPDX-License-Identifier: GPL-2.0 */
/* The in-memory form of a policy, shared by the loader, the compilers and the OCI writer. */
#ifndef LIBREDIRECT_POLICY_H
#define LIBREDIRECT_POLICY_H

#include <seccomp.h>
#include <json-c/json.h>

#include "internal.h"

struct policy_arg {
	unsigned int index;
	enum scmp_compare op;
	uint64_t value;
	uint64_t value_two;
};

/* includes / excludes of a Docker profile rule */
struct policy_cond {
	char **arches;
	size_t n_arches;
	char **caps;
	size_t n_caps;
	bool has_min_kernel;
	unsigned int min_major, min_minor;
};

struct policy_rule {
	char **names;
	size_t n_names;
	uint32_t action;		/* libseccomp action, errno data included */
	struct policy_arg *args;
	size_t n_args;
	struct policy_cond includes, excludes;
};

/* A tier-1 rule as written: the UAPI rule without its nr, for each name. */
struct policy_trule {
	char **names;
	size_t n_names;
	struct redirect_rule tmpl;	/* nr 0 */
	char *where;			/* "p.json: redirect.rules[3]" */
};

struct policy_file_rule {
	enum redirect_file_action action;
	char *path;
	char *target;			/* REMAP */
};

struct policy_connect_rule {
	bool allow;
	int family;			/* AF_INET, AF_INET6, AF_UNSPEC: any */
	unsigned char addr[16];
	unsigned int prefix_len;
	uint16_t port_min, port_max;
};

/* Which top-level settings a layer sets (extends / include merging). */
enum {
	POLICY_HAS_DEFAULT_ACTION = 1 << 0,
	POLICY_HAS_ARCHES = 1 << 1,
	POLICY_HAS_FLAGS = 1 << 2,
	POLICY_HAS_CAPS = 1 << 3,
	POLICY_HAS_DEFAULT_ANSWER = 1 << 4,
	POLICY_HAS_UNAME = 1 << 5,
	POLICY_HAS_FILES = 1 << 6,
	POLICY_HAS_CONNECT = 1 << 7,
	POLICY_HAS_MOUNT = 1 << 8,
	POLICY_HAS_SYSINFO = 1 << 9,
	POLICY_HAS_KERNEL = 1 << 10,
	POLICY_HAS_ABI = 1 << 11,
	POLICY_HAS_VIEWS = 1 << 12,
};

struct redirect_policy {
	char *name;
	unsigned int has;		/* POLICY_HAS_* */
	uint32_t default_action;
	uint32_t *arches;		/* SCMP_ARCH_* tokens */
	size_t n_arches;
	unsigned int load_flags;	/* SECCOMP_FILTER_FLAG_* from "flags" */
	struct policy_rule *rules;
	size_t n_rules;
	bool keep_unknown_names;	/* merged: names this libseccomp lacks are the runtime's */

	/* redirect section */
	char **caps;			/* bounding set for includes/excludes */
	size_t n_caps;
	char **extra_notify;		/* redirect.notify */
	size_t n_extra_notify;
	struct policy_trule *trules;
	size_t n_trules;
	char **sentry_calls;		/* forced to SCMP_ACT_NOTIFY */
	size_t n_sentry_calls;
	char **notify;			/* sentry_calls + profile NOTIFY names */
	size_t n_notify;
	bool has_uname;
	char *uname[REDIRECT_UNAME_NR_FIELDS];
	/* redirect.sentry.kernel: one identity for uname and the /proc files that show it */
	char *kernel_release, *kernel_version;
	/* redirect.sentry.abi: calls emulated when the host lacks them, or always (force) */
	char **abi_emulate;
	size_t n_abi_emulate;
	char **abi_force;
	size_t n_abi_force;
	struct redirect_answer default_verdict;
	struct policy_file_rule *files;
	size_t n_files;
	struct policy_connect_rule *connect;
	size_t n_connect;
	bool connect_default_allow;
	bool connect_unix_allow;	/* AF_UNIX connects (resolved in the root) */
	int connect_deny_errno;		/* positive */
	enum redirect_sysinfo_memory sysinfo_memory;
	enum redirect_sysinfo_uptime sysinfo_uptime;
	unsigned int views;		/* 1 << REDIRECT_VIEW_* */
	char **mount_fs;
	size_t n_mount_fs;
	char **mount_targets;
	size_t n_mount_targets;
	bool mount_bind;
};

/* Is this rule in force on this machine (Docker's includes / excludes)? */
bool policy_rule_applies(const struct redirect_policy *policy, const struct policy_rule *rule);

/* Is nr one of the calls forced to SCMP_ACT_NOTIFY? */
bool policy_is_sentry_call(const struct redirect_policy *policy, int nr);

/*
 * sendto is the connect handler's only with an address (args[4] not NULL):
 * send() is sendto without one and must stay at full speed.  True when
 * only the connect section asks for it and the profile's own answer for it
 * is one action without conditions (*rest, may be NULL): calls without an
 * address get that.  Otherwise every sendto is notified (the handler
 * performs those without an address too).
 */
bool policy_sendto_on_address(const struct redirect_policy *policy, uint32_t *rest);

/* "SCMP_ACT_ALLOW" etc. for an action without its data, or NULL. */
const char *policy_action_name(uint32_t action);
/* "SCMP_ARCH_X86_64" for a token, or NULL. */
const char *policy_arch_name(uint32_t token);
/* "SCMP_CMP_EQ" etc., or NULL. */
const char *policy_op_name(enum scmp_compare op);

/*
 * Parse a profile held in a json-c object (the seccomp section of an OCI
 * config): origin and path prefix name it in messages.  No redirect
 * section, extends or include.
 */
struct json_object;
int policy_parse_oci_section(struct json_object *obj, const char *origin, const char *path,
			     struct redirect_policy **policyp, struct redirect_error **err);

/*
 * The policy's linux.seccomp section (oci.c): which rules and which of their
 * names it carries (a name notified by the Sentry is written once, as a
 * SCMP_ACT_NOTIFY rule, when skip_notified), and the section itself.
 */
bool oci_rule_written(const struct redirect_policy *policy, const struct policy_rule *rule);
bool oci_name_written(const struct redirect_policy *policy, const char *name, bool skip_notified);
int oci_seccomp_section(const struct redirect_policy *policy, const char *listener_path,
			struct json_object **sectionp, struct redirect_error **err);

/* config.json's text with linux.seccomp set to section (always taken over). */
struct redirect_oci_config;
const char *oci_config_origin(const struct redirect_oci_config *config);
int oci_config_text(const struct redirect_oci_config *config, struct json_object *section,
		    char **jsonp, struct redirect_error **err);

/*
 * The policy's profile merged with a bundle's (oci_merge.c): per call the
 * stricter answer; *mergedp has no redirect section, listenerMetadata is
 * the policy's name.  origin names the bundle's side in messages.
 */
int oci_merge_seccomp(const struct redirect_policy *policy, const struct redirect_policy *bundle,
		      const char *origin, struct redirect_policy **mergedp,
		      struct redirect_error **err);

/* The x86-64 calls each Sentry handler takes. */
extern const char *const policy_files_calls[];
extern const char *const policy_connect_calls[];
extern const char *const policy_mount_calls[];
extern const char *const policy_sysinfo_calls[];
extern const char *const policy_dents_calls[];
extern const char *const policy_cwd_calls[];
extern const char *const policy_files_if_allowed_calls[];
/* the calls that open or look up a path, for the Sentry's synthetic files */
extern const char *const policy_synth_calls[];
/*
 * The calls the abi section can emulate (x86-64 numbers: libseccomp may not
 * know them), NULL-terminated: the Sentry has a handler for each.
 */
struct policy_abi_call {
	const char *name;
	int nr;
};
extern const struct policy_abi_call policy_abi_calls[];
/* The abi call numbers tier 0 notifies under the policy: n of them in out (at most max). */
size_t policy_abi_notified(const struct redirect_policy *policy, int *out, size_t max);
/* Does the policy serve synthetic files (usersentry/synthfile.c)? */
bool policy_serves_synth(const struct redirect_policy *policy);
/* An absolute path without ".", "..", "//" or a trailing "/" (but "/"). */
bool policy_path_is_normal(const char *s);

/* ---- the loader (policy_loader.c), shared by the parsers of each part ---- */

#define POLICY_PATH_MAX_LEN 256

/* Where we are in the document, for error messages. */
struct policy_loader {
	const char *origin;
	struct redirect_error **err;
	char path[POLICY_PATH_MAX_LEN];
	size_t path_len;
	bool oci;			/* a config.json's seccomp section */
	unsigned int flags;		/* REDIRECT_POLICY_* */
};

/* Extend the path by ".key" or "[i]"; returns the mark policy_pop() restores. */
size_t policy_push_key(struct policy_loader *l, const char *key);
size_t policy_push_index(struct policy_loader *l, size_t i);
void policy_pop(struct policy_loader *l, size_t mark);
/* "origin: path: message" as *l->err; returns -EINVAL (-ENOMEM without memory). */
int policy_fail(struct policy_loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reject keys of obj not in the NULL-terminated list. */
int policy_check_keys(struct policy_loader *l, struct json_object *obj, const char *const *known);
/* An object whose keys are all in known. */
int policy_object(struct policy_loader *l, struct json_object *o, const char *const *known);
/*
 * The same for an object of the seccomp profile formats: a key none of them
 * defines is ignored with a notice, as the engines do (an error under
 * REDIRECT_POLICY_STRICT).
 */
int policy_check_profile_keys(struct policy_loader *l, struct json_object *obj,
			      const char *const *known);
int policy_profile_object(struct policy_loader *l, struct json_object *o,
			  const char *const *known);
int policy_expect_type(struct policy_loader *l, struct json_object *o, enum json_type type,
		       const char *what);
/* A non-empty string without NUL bytes, at most max bytes (0: no limit). */
int policy_get_string(struct policy_loader *l, struct json_object *o, size_t max,
		      const char **out);
int policy_get_uint64(struct policy_loader *l, struct json_object *o, uint64_t max,
		      uint64_t *out);
typedef int (*policy_check_fn)(struct policy_loader *l, const char *s);
/* The length of an array of at most max elements (0: any; else "more than max what"). */
int policy_array_length(struct policy_loader *l, struct json_object *arr, size_t max,
			const char *what, size_t *n);
typedef int (*policy_element_fn)(struct policy_loader *l, struct json_object *v, size_t i,
				 void *ctx);
/* each(l, arr[i], i, ctx) for every element, its index on the path; the first error stops. */
int policy_for_each_element(struct policy_loader *l, struct json_object *arr,
			    policy_element_fn each, void *ctx);
/* An array of strings, each checked by check (may be NULL). */
int policy_get_string_array(struct policy_loader *l, struct json_object *arr, bool allow_empty,
			    policy_check_fn check, char ***vp, size_t *np);
void policy_free_strv(char **v, size_t n);
/* Append a copy of s unless present; 0 or -ENOMEM. */
int policy_strv_add_unique(char ***vp, size_t *np, const char *s);

/*
 * One key of an object, table-driven: parse(l, obj[key], field) with the
 * path at the key.  A required key that is absent is "missing \"key\"" at
 * the object's path; with POLICY_NULL_ABSENT a JSON null counts as absent.
 * The parsers below take their destination and bounds from the field;
 * a section's own parsers read f->dst (and f->arg).
 */
enum {
	POLICY_REQUIRED = 1 << 0,
	POLICY_NULL_ABSENT = 1 << 1,
	POLICY_NONEMPTY = 1 << 2,	/* policy_parse_strv: at least one element */
};

struct policy_field;
typedef int (*policy_parse_fn)(struct policy_loader *l, struct json_object *v,
			       const struct policy_field *f);

struct policy_field {
	const char *key;
	unsigned int flags;		/* POLICY_* above */
	policy_parse_fn parse;
	void *dst;
	uint64_t max;			/* policy_parse_u64, policy_parse_string: bound */
	policy_check_fn check;		/* policy_parse_strv, policy_parse_string: each string */
	size_t *count;			/* policy_parse_strv: elements */
	const void *arg;		/* a section parser's own parameter */
};

/* 1 when obj[key] was parsed, 0 when absent (and optional), or the error. */
int policy_field(struct policy_loader *l, struct json_object *obj, const struct policy_field *f);
/* Each field in table order; the first error stops. */
int policy_fields(struct policy_loader *l, struct json_object *obj,
		  const struct policy_field *f, size_t n);
/* policy_object(), then its fields. */
int policy_object_fields(struct policy_loader *l, struct json_object *o, const char *const *known,
			 const struct policy_field *f, size_t n);

int policy_parse_u64(struct policy_loader *l, struct json_object *v,
		     const struct policy_field *f);	/* uint64_t, at most max */
int policy_parse_string(struct policy_loader *l, struct json_object *v,
			const struct policy_field *f);	/* const char * (json-c's), checked */
int policy_parse_strv(struct policy_loader *l, struct json_object *v,
		      const struct policy_field *f);	/* char **, count */
int policy_parse_bool(struct policy_loader *l, struct json_object *v,
		      const struct policy_field *f);	/* bool */
/* "names": [...] or "name": "..." (one of them), each checked. */
int policy_parse_names(struct policy_loader *l, struct json_object *o, policy_check_fn check,
		       char ***names, size_t *n);
int policy_parse_comment(struct policy_loader *l, struct json_object *v,
			 const struct policy_field *f);	/* any string, kept nowhere */

/* ---- the parts (policy_profile.c, policy_sentry.c, policy_tier1.c) ---- */

/* The whole document: the profile's keys, then the redirect section. */
int policy_parse_document(struct policy_loader *l, struct json_object *root,
			  struct redirect_policy *p);
/* "CAP_X"; a system call libseccomp knows. */
int policy_check_cap(struct policy_loader *l, const char *s);
int policy_check_known_syscall(struct policy_loader *l, const char *s);
void policy_free_rule(struct policy_rule *r);

/* The redirect section (f->dst: the policy). */
int policy_parse_redirect(struct policy_loader *l, struct json_object *o,
			  const struct policy_field *f);

/* redirect.rules */
int policy_parse_tier1(struct policy_loader *l, struct json_object *v,
		       const struct policy_field *f);
void policy_free_tier1(struct policy_trule *t, size_t n);
/* A string rule's unmatched calls must not continue (the kernel would read the string again). */
int policy_check_string_rules(struct policy_loader *l, const struct redirect_policy *p);

#endif /* LIBREDIRECT_POLICY_H */
