/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sandbox: one attached seccomp listener, its tier-1 rules, its fast path,
 * the requests forwarded to its owner and its custody while it has none.
 */
#ifndef _RDR_SANDBOX_H
#define _RDR_SANDBOX_H

#include "rules.h"
#include "stats.h"

#include <linux/redirect.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct rdr_session;

/*
 * A request RECV'd for the owner and not answered yet. @busy: a reply to it
 * is being performed; @installed: the fd an ADDFD|SEND reply put in the
 * target, or -1. Both under sb->lock, like the lists (broker.c,
 * rdr_delivered_claim()).
 */
struct rdr_request {
	struct list_head node;
	u64 id;
	u64 recv_ns;			/* when the module fetched it */
	/* its task in the initial pid namespace (CONTINUE_EXEC); 0: unknown */
	pid_t tid;
	struct seccomp_notif notif;	/* as handed out, for replay */
	s32 installed;
	bool busy;
};

struct rdr_sandbox {
	struct kref ref;
	struct rcu_head rcu;
	u32 id;
	char name[REDIRECT_NAME_MAX];
	u32 fail_mode;
	u32 hold_timeout_ms;
	struct pid *leader;		/* from the attach pidfd, or NULL */
	struct file *pin;		/* holds the module: see "Unload" in sandbox.c */

	/* Held from attach to end; keeps the filter and so @wqh alive. */
	struct file *listener;
	wait_queue_head_t *wqh;
	wait_queue_entry_t wait;	/* our entry on @wqh: rdr_sandbox_wake() */
	poll_table pt;

	struct rdr_ruleset __rcu *rules;	/* replaced under rdr_sandboxes_mutex */

	/*
	 * @lock guards @inflight, @delivered, @replay and @ended. It nests
	 * inside the listener's wait-queue lock (the wake function takes it),
	 * so nothing may wake @wqh while holding it; always irqsave.
	 */
	spinlock_t lock;
	struct list_head inflight;	/* struct rdr_fastpath, verdict not yet written */
	struct list_head delivered;	/* struct rdr_request, at the current owner */
	struct list_head replay;	/* struct rdr_request, from a previous owner */
	bool ended;

	/* Forwarded notifications seccomp holds that nobody has RECV'd yet. */
	atomic_t forward_pending;
	struct mutex recv_lock;		/* one RECV at a time: see broker.c */
	/* Notifications may predate the attach: keep probing the listener. */
	bool drain;
	/*
	 * seccomp request counts fast-pathed notifications left behind, which
	 * the broker consumes with RECVs that fail with ENOENT (broker.c).
	 * Never more than the counts left over: see rdr_fastpath_queue().
	 */
	atomic_t surplus;
	/* The broker's task while it RECVs on the listener: rdr_sandbox_wake(). */
	struct task_struct *recv_task;

	/*
	 * The owning session, or NULL while in custody. Written under
	 * rdr_sandboxes_mutex; the wake function reads it under RCU to wake
	 * the owner, and sessions are freed after a grace period.
	 */
	struct rdr_session __rcu *owner;
	struct list_head owner_node;	/* in owner->sandboxes, under the mutex */

	struct work_struct end_work;	/* listener reported EPOLLHUP */
	struct delayed_work hold_work;	/* custody timed out */

	struct rdr_sandbox_stats stats;
};

int rdr_sandbox_init(void);
void rdr_sandbox_exit(void);

long rdr_sandbox_attach(struct rdr_session *session, void __user *uarg, size_t usize);
long rdr_sandbox_set_rules(struct rdr_session *session, void __user *uarg, size_t usize);
long rdr_sandbox_adopt(struct rdr_session *session, void __user *uarg, size_t usize);
void rdr_sandbox_release_session(struct rdr_session *session);

struct rdr_sandbox *rdr_sandbox_get_owned(struct rdr_session *session, u32 id);
void rdr_sandbox_put(struct rdr_sandbox *sb);
bool rdr_sandbox_has_work(struct rdr_sandbox *sb);
bool rdr_sandbox_is_listener(struct file *file);
int rdr_sandbox_wake(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key);
struct file *rdr_sandbox_listener(struct rdr_sandbox *sb);
int rdr_sandbox_name_check(const char *name, size_t size);
int rdr_attach_check(const struct redirect_attach *a);
int rdr_id_alloc(struct xarray *xa, void *entry, u32 *next, u32 *id);
extern struct mutex rdr_sandboxes_mutex;

/* Iterate live sandboxes (netlink dumps): returns the next one from *id, referenced. */
struct rdr_sandbox *rdr_sandbox_next(unsigned long *id);

/* A consistent snapshot of a sandbox's state, for netlink. */
struct rdr_sandbox_info {
	bool owned;
	u32 forward_pending;
	u32 delivered;
	u32 replay;
	u64 generation;
};

void rdr_sandbox_info(struct rdr_sandbox *sb, struct rdr_sandbox_info *si);
int rdr_sandbox_copy_rules(struct rdr_sandbox *sb, struct redirect_rule **rules, u64 **hits,
			   u32 *count, u64 *generation);
int rdr_sandbox_replace_rules(struct rdr_sandbox *sb, struct rdr_ruleset *set);

/* Looks for a fast-pathed call of the task the daemon sees as @pid. */
bool rdr_sandbox_take_raced(struct rdr_sandbox *sb, const struct seccomp_notif *n,
			    struct seccomp_notif_resp *resp);

#endif /* _RDR_SANDBOX_H */
