/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-open session of /dev/redirect: the handshake state machine.
 */
#ifndef _RDR_SESSION_H
#define _RDR_SESSION_H

#include "ioctl.h"

#include <linux/redirect.h>
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <asm/barrier.h>

/* REDIRECT_FEATURE_* bits this module implements. */
#define RDR_FEATURES_SUPPORTED                                                           \
	(REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH | REDIRECT_FEATURE_BROKER | \
	 REDIRECT_FEATURE_CUSTODY | REDIRECT_FEATURE_NETLINK | REDIRECT_FEATURE_EXEC_GUARD)

enum rdr_session_state {
	RDR_SESSION_NEW,	/* only the handshake is allowed */
	RDR_SESSION_READY,	/* handshaken: features are fixed */
};

/*
 * What the module hands to seccomp's listener ioctls (see broker.c): one
 * shmem page, written by the module (one slot per call in flight), mapped
 * read-only at @uaddr into @mm,
 * the address space of the session's latest broker caller. The mapping
 * holds its own reference to @file; it goes when the session is closed
 * from that process, or with the process.
 */
#define RDR_REPLY_SLOT_SIZE 64

struct rdr_reply_page {
	struct mutex lock;	/* the fields below but @busy */
	struct file *file;	/* read-only shmem file, or NULL before first use */
	struct page *page;	/* its only page, referenced */
	struct mm_struct *mm;	/* mmgrab()bed: identity of the mapping's mm */
	unsigned long uaddr;
	unsigned long busy;	/* slots of RDR_REPLY_SLOT_SIZE bytes in use */
	wait_queue_head_t wq;	/* a slot was freed */
};

struct rdr_session {
	struct mutex lock;	/* serialises handshakes */
	/*
	 * Written once, NEW -> READY, under @lock with release semantics after
	 * @features; read without the lock with acquire semantics, so a reader
	 * that sees READY also sees @features.
	 */
	enum rdr_session_state state;
	u64 features;		/* REDIRECT_FEATURE_* enabled */

	/* Sandboxes this session owns, under rdr_sandboxes_mutex. */
	struct list_head sandboxes;
	/*
	 * Woken (and @wakeups bumped) when an owned sandbox has a request; the
	 * sandboxes' wake functions reach the session under RCU, hence @rcu.
	 */
	wait_queue_head_t wq;
	atomic_t wakeups;
	atomic_t rr;		/* round-robin start of the next batch */
	struct rdr_reply_page reply_page;
	struct rcu_head rcu;
};

struct rdr_session *rdr_session_create(void);
void rdr_session_destroy(struct rdr_session *session);
long rdr_session_handshake(struct rdr_session *session, void __user *uarg, size_t usize);

static inline enum rdr_session_state rdr_session_state(struct rdr_session *session)
{
	/* Pairs with smp_store_release() in rdr_session_handshake(). */
	return smp_load_acquire(&session->state);
}

int rdr_session_gate(enum rdr_session_state state, enum rdr_ioctl_class cls);
int rdr_handshake_negotiate(struct redirect_handshake *hs, u64 supported);
bool rdr_handshake_writes_back(int ret);

#endif /* _RDR_SESSION_H */
