// SPDX-License-Identifier: GPL-2.0
/*
 * The broker: the Sentry's batched ioctl. Replies and requests travel through
 * the module, which performs SECCOMP_IOCTL_NOTIF_* on each sandbox's listener
 * on the Sentry's behalf, with the Sentry's own buffers.
 *
 * Why every RECV goes through here: between the fast path's verdict and
 * seccomp removing that notification, it sits on the listener in state INIT.
 * A RECV in that window hands out an already-answered call. The module knows
 * which tasks have a verdict in flight (sb->inflight), recognises such a
 * notification, answers it with the same verdict and never shows it to the
 * Sentry (REDIRECT_STAT_RACED). The record leaves with the task's task_work,
 * which can run between RECV taking the notification and the lookup; the task
 * removed the notification before that, so an id no longer valid is dropped.
 *
 * Why RECV never blocks here: seccomp's RECV sleeps on a semaphore that has
 * one count per notification ever queued minus one per RECV. Fast-pathed
 * notifications leave their count behind, but a RECV with no INIT
 * notification left fails with ENOENT only while a count remains. So each RECV
 * is preceded by a poll of the listener (EPOLLIN: an INIT notification exists,
 * hence an unconsumed count), and RECVs of one sandbox are serialised by
 * sb->recv_lock so that nobody else consumes that count in between. The
 * counts fast-pathed notifications leave behind (sb->surplus, see
 * rdr_fastpath_queue()) are consumed here too: while the surplus is positive
 * a count is known to remain, so a RECV without EPOLLIN cannot sleep either;
 * it fails with ENOENT, having consumed one, or finds a new notification.
 *
 * One copy, one decision: seccomp's ioctls read their argument from user
 * memory, and the module decides on its own copy of a reply (which call it
 * answers and forgets). Were seccomp to read the Sentry's buffer, another
 * Sentry thread rewriting it in between would have seccomp answer one call
 * while the module forgets another, which then could never be answered.
 * So every argument the module hands to seccomp comes from the session's
 * reply page: a shmem page the module writes through the kernel mapping,
 * mapped read-only (no VM_MAYWRITE) into the caller's address space, and
 * only there as the user address seccomp reads. The module's own answer to
 * a raced notification travels the same way.
 */
#include "broker.h"
#include "exec_guard.h"
#include "sandbox.h"
#include "session.h"
#include "ioctl.h"
#include "main.h"

#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/seccomp.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/unistd.h>

/* Surplus counts consumed per sandbox and fetch (4 x RDR_SURPLUS_WAKE). */
#define RDR_SURPLUS_DRAIN 4096

/*
 * The listener's ioctl, as the Sentry would perform it. The module calls
 * f_op->unlocked_ioctl directly, not vfs_ioctl(), so the LSM hook that
 * sys_ioctl runs first is run here: the Sentry's access to /dev/redirect
 * must not let it do to a listener what its security policy forbids doing
 * directly (file_ioctl is checked against the caller's credentials and the
 * listener file, as if the Sentry held the listener fd itself).
 */
static long rdr_listener_ioctl(struct file *listener, unsigned int cmd, void __user *arg)
{
	long ret = security_file_ioctl(listener, cmd, (unsigned long)arg);

	if (ret)
		return ret;
	return listener->f_op->unlocked_ioctl(listener, cmd, (unsigned long)arg);
}

/* Map the reply page (created on first use) read-only into current's mm. */
static int rdr_reply_page_map(struct rdr_reply_page *rp)
{
	struct file *file, *ro;
	unsigned long addr;
	struct page *page;

	lockdep_assert_held(&rp->lock);
	if (!current->mm)
		return -EINVAL;
	if (rp->mm == current->mm)
		return 0;
	if (!rp->file) {
		file = shmem_file_setup("redirect-reply", PAGE_SIZE, VM_NORESERVE);
		if (IS_ERR(file))
			return PTR_ERR(file);
		page = shmem_read_mapping_page(file->f_mapping, 0);
		if (IS_ERR(page)) {
			fput(file);
			return PTR_ERR(page);
		}
		/* Read-only: a MAP_SHARED mapping of it can never become writable. */
		ro = dentry_open(&file->f_path, O_RDONLY, current_cred());
		fput(file);
		if (IS_ERR(ro)) {
			put_page(page);
			return PTR_ERR(ro);
		}
		rp->file = ro;
		rp->page = page;
	}
	/* The mapping holds its own reference to the (shmem) file. */
	addr = vm_mmap(rp->file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	if (IS_ERR_VALUE(addr))
		return (int)addr;
	if (rp->mm)
		mmdrop(rp->mm);
	mmgrab(current->mm);	/* identity only: compared, never used */
	rp->mm = current->mm;
	rp->uaddr = addr;
	return 0;
}

/*
 * Unmap the reply page from current's mm when that is where it is mapped
 * (the owner closing its session; at exit the mm is already gone), so that
 * a Sentry opening sessions over time does not collect mappings. Only our
 * own mapping is removed: the check and vm_munmap() are not atomic, so a
 * Sentry thread that unmaps the page and maps something else at the same
 * address at the very moment its session closes could lose that, its own
 * doing. Sessions released from another process leave the mapping to the
 * mapping process's exit.
 */
static void rdr_reply_page_unmap(struct rdr_reply_page *rp)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	bool ours = false;

	if (!rp->mm || rp->mm != mm)
		return;
	mmap_read_lock(mm);
	vma = find_vma(mm, rp->uaddr);
	if (vma && vma->vm_start == rp->uaddr && vma->vm_end == rp->uaddr + PAGE_SIZE &&
	    vma->vm_file && file_inode(vma->vm_file) == file_inode(rp->file))
		ours = true;
	mmap_read_unlock(mm);
	if (ours)
		vm_munmap(rp->uaddr, PAGE_SIZE);
}

void rdr_reply_page_free(struct rdr_reply_page *rp)
{
	rdr_reply_page_unmap(rp);
	if (rp->page)
		put_page(rp->page);
	if (rp->file)
		fput(rp->file);
	if (rp->mm)
		mmdrop(rp->mm);
	mutex_destroy(&rp->lock);
}

/* A free slot of the reply page, taken; -1 if all are in use. */
static int rdr_reply_slot_take(struct rdr_reply_page *rp)
{
	unsigned long busy;
	int slot;

	do {
		busy = READ_ONCE(rp->busy);
		if (busy == ~0UL)
			return -1;
		slot = ffz(busy);
	} while (test_and_set_bit(slot, &rp->busy));
	return slot;
}

/*
 * Listener ioctl @cmd on @len bytes of the module's own @arg (see the top).
 * Each call has a slot of the page to itself: an ADDFD waits for its target
 * to take the fd, and must not hold up the session's other replies.
 */
static long rdr_listener_ioctl_copy(struct rdr_session *session, struct file *listener,
				    unsigned int cmd, const void *arg, size_t len)
{
	struct rdr_reply_page *rp = &session->reply_page;
	unsigned long uaddr;
	void *kaddr;
	long ret;
	int slot;

	BUILD_BUG_ON(sizeof(struct seccomp_notif_resp) > RDR_REPLY_SLOT_SIZE ||
		     sizeof(struct seccomp_notif_addfd) > RDR_REPLY_SLOT_SIZE);
	BUILD_BUG_ON(RDR_REPLY_SLOT_SIZE * BITS_PER_LONG > PAGE_SIZE);
	if (WARN_ON_ONCE(len > RDR_REPLY_SLOT_SIZE))
		return -EINVAL;
	mutex_lock(&rp->lock);
	ret = rdr_reply_page_map(rp);
	uaddr = rp->uaddr;	/* valid in current's mm, whoever maps it elsewhere */
	mutex_unlock(&rp->lock);
	if (ret)
		return ret;
	/*
	 * All slots busy means as many ADDFDs of this session wait for their
	 * targets; a Sentry being killed must not wait behind them.
	 */
	ret = wait_event_killable(rp->wq, (slot = rdr_reply_slot_take(rp)) >= 0);
	if (ret)
		return -EINTR;
	kaddr = kmap_local_page(rp->page);
	memcpy(kaddr + slot * RDR_REPLY_SLOT_SIZE, arg, len);
	kunmap_local(kaddr);
	flush_dcache_page(rp->page);
	ret = rdr_listener_ioctl(listener, cmd,
				 (void __user *)(uaddr + slot * RDR_REPLY_SLOT_SIZE));
	clear_bit_unlock(slot, &rp->busy);
	wake_up(&rp->wq);
	return ret;
}

static struct rdr_request *rdr_delivered_find(struct rdr_sandbox *sb, u64 id)
{
	struct rdr_request *req;

	lockdep_assert_held(&sb->lock);
	list_for_each_entry(req, &sb->delivered, node)
		if (req->id == id)
			return req;
	return NULL;
}

/*
 * Claim the delivered request @id for one reply (SEND or ADDFD): 0, with
 * *@installed the fd an earlier ADDFD+SEND put in the target (-1: none);
 * -ENOENT when the session holds no such call; -EBUSY while another reply to
 * it is being performed (another thread of the session). The claim keeps two
 * replies from installing the fd twice, and ends with rdr_delivered_release().
 * Only an id is kept across the ioctls, never the record: the sandbox may
 * end meanwhile and free it (rdr_sandbox_end_locked()). A session's own
 * ioctl keeps its file open, so the record cannot move to replay (custody)
 * while claimed; a claim never outlives the reply that took it.
 */
int rdr_delivered_claim(struct rdr_sandbox *sb, u64 id, s32 *installed)
{
	struct rdr_request *req;
	unsigned long flags;
	int ret = -ENOENT;

	spin_lock_irqsave(&sb->lock, flags);
	req = rdr_delivered_find(sb, id);
	if (req && req->busy) {
		ret = -EBUSY;
	} else if (req) {
		req->busy = true;
		*installed = req->installed;
		ret = 0;
	}
	spin_unlock_irqrestore(&sb->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_delivered_claim);

/*
 * End a claim, or forget @id unclaimed (a failed ID_VALID): the call still
 * waits (keep what was @installed for a repeat of the reply), or is answered
 * or gone (forget it; count the latency of an answered one). Nothing when the
 * sandbox ended meanwhile and freed the record.
 */
void rdr_delivered_release(struct rdr_sandbox *sb, u64 id, enum rdr_reply_outcome outcome,
			   s32 installed)
{
	struct rdr_request *req;
	unsigned long flags;

	spin_lock_irqsave(&sb->lock, flags);
	req = rdr_delivered_find(sb, id);
	if (req && outcome == RDR_REPLY_WAITS) {
		req->busy = false;
		req->installed = installed;
		req = NULL;
	} else if (req) {
		list_del(&req->node);
	}
	spin_unlock_irqrestore(&sb->lock, flags);
	if (!req)
		return;
	if (outcome == RDR_REPLY_ANSWERED)
		rdr_stats_latency(&sb->stats, req->notif.data.nr, ktime_get_ns() - req->recv_ns);
	kfree(req);
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_delivered_release);

static bool rdr_delivered_holds(struct rdr_sandbox *sb, u64 id)
{
	unsigned long flags;
	bool found;

	spin_lock_irqsave(&sb->lock, flags);
	found = rdr_delivered_find(sb, id);
	spin_unlock_irqrestore(&sb->lock, flags);
	return found;
}

/*
 * The kind is known and the half of the reply it does not use is zero, and
 * so is the rest of resp for ID_VALID: room for later kinds, and a reply
 * meant as another kind is not silently taken as this one.
 */
int rdr_reply_check(const struct redirect_reply *r)
{
	switch (r->kind) {
	case REDIRECT_REPLY_SEND:
		/* A restart code would restart the call, or show errno 512. */
		if (r->resp.error < 0 && rdr_errno_is_restart(-(s64)r->resp.error))
			return -EINVAL;
		return memchr_inv(&r->addfd, 0, sizeof(r->addfd)) ? -EINVAL : 0;
	case REDIRECT_REPLY_ADDFD:
		return memchr_inv(&r->resp, 0, sizeof(r->resp)) ? -EINVAL : 0;
	case REDIRECT_REPLY_ID_VALID:
		if (r->resp.val || r->resp.error || r->resp.flags)
			return -EINVAL;
		return memchr_inv(&r->addfd, 0, sizeof(r->addfd)) ? -EINVAL : 0;
	case REDIRECT_REPLY_CONTINUE_EXEC:
		if (r->resp.val || r->resp.error ||
		    r->resp.flags != SECCOMP_USER_NOTIF_FLAG_CONTINUE)
			return -EINVAL;
		if (r->addfd.id || r->addfd.flags || r->addfd.newfd || r->addfd.newfd_flags)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_reply_check);

/*
 * ADDFD, and with SECCOMP_ADDFD_FLAG_SEND the answer, as two ioctls: ADDFD
 * without the flag, then SEND with the installed number. With the flag,
 * seccomp marks the call answered (with 0) before the target installs the fd;
 * a signal to the Sentry in that window ends its wait, the kernel takes the
 * fd back but keeps the answer, and the target's open() returns 0. In two
 * steps an interrupted ADDFD leaves the call waiting (EINTR: the Sentry sends
 * it again). An install that fails (EMFILE...) leaves the call waiting, as
 * with the flag: the error is the result, for the Sentry to answer with.
 * Done here rather than by each Sentry so that the flag's one round trip
 * stays, and stays right for every user of the UAPI.
 *
 * Once installed, the number is kept in *@installed (and by the caller on
 * the record): a SEND that fails after the install (EINTR for a signal,
 * whatever else) leaves the call waiting, and a repeat of the reply, by this
 * Sentry or after custody by the next, only sends that number instead of
 * installing a second fd. The worst case left is an fd the target never
 * learns of: its call interrupted between the steps (the SEND then finds no
 * call, ENOENT), or answered otherwise by a later reply. The fd lives in the
 * target's table only and goes with it; the module holds nothing of it.
 */
static long rdr_broker_addfd(struct rdr_session *session, struct file *listener,
			     const struct seccomp_notif_addfd *addfd, s32 *installed,
			     enum rdr_reply_outcome *outcome)
{
	struct seccomp_notif_addfd a = *addfd;
	struct seccomp_notif_resp resp = { .id = addfd->id };
	bool sends = addfd->flags & SECCOMP_ADDFD_FLAG_SEND;
	long ret;

	*outcome = RDR_REPLY_WAITS;
	if (!sends || *installed < 0) {
		a.flags &= ~SECCOMP_ADDFD_FLAG_SEND;
		ret = rdr_listener_ioctl_copy(session, listener, SECCOMP_IOCTL_NOTIF_ADDFD, &a,
					      sizeof(a));
		/* Not installed (dequeued); a result never carries a restart code. */
		if (ret == -ERESTARTSYS)
			ret = -EINTR;
		/* ESRCH: its call ended (interrupted, or answered) while the ADDFD was queued. */
		if (ret == -ENOENT || ret == -ESRCH)
			*outcome = RDR_REPLY_GONE;
		if (ret < 0 || !sends)
			return ret;
		*installed = ret;
	}
	resp.val = *installed;
	ret = rdr_listener_ioctl_copy(session, listener, SECCOMP_IOCTL_NOTIF_SEND, &resp,
				      sizeof(resp));
	if (ret == -ERESTARTSYS)
		ret = -EINTR;
	if (!ret)
		*outcome = RDR_REPLY_ANSWERED;
	else if (ret == -ENOENT)
		*outcome = RDR_REPLY_GONE;
	return ret ? ret : resp.val;
}

/* Is @n an execve or execveat, in any of the task's ABIs? */
static bool rdr_notif_is_exec(const struct seccomp_notif *n)
{
	switch (n->data.arch) {
	case AUDIT_ARCH_X86_64:
		return n->data.nr == __NR_execve || n->data.nr == __NR_execveat ||
		       n->data.nr == (__X32_SYSCALL_BIT | 520) ||
		       n->data.nr == (__X32_SYSCALL_BIT | 545);
	case AUDIT_ARCH_I386:
		return n->data.nr == 11 || n->data.nr == 358;
	default:
		return false;
	}
}

/*
 * CONTINUE_EXEC: arm the exec guard for the call's task with the Sentry's
 * file, then continue the call (exec_guard.c). The task is the one the
 * receiving RECV saw (req->tid, looked up then, in the receiver's pid
 * namespace); the number may since have been reused, but ID_VALID after
 * the lookup proves the call's task was alive throughout, so the number is
 * still its own. A SEND that fails leaves the slot armed: it is stale, and
 * the task's next notification clears it; removing it here could remove a
 * slot a concurrent reply for the task's next exec had armed meanwhile.
 */
static long rdr_broker_continue_exec(struct rdr_session *session, struct rdr_sandbox *sb,
				     struct file *listener, const struct redirect_reply *r,
				     enum rdr_reply_outcome *outcome)
{
	struct task_struct *task = NULL;
	struct rdr_request *req;
	unsigned long flags;
	bool exec = false;
	pid_t tid = 0;
	long ret;

	spin_lock_irqsave(&sb->lock, flags);
	req = rdr_delivered_find(sb, r->resp.id);
	if (req) {
		exec = rdr_notif_is_exec(&req->notif);
		tid = req->tid;
	}
	spin_unlock_irqrestore(&sb->lock, flags);
	if (!req)
		return -ENOENT;
	if (!exec)
		return -EINVAL;
	if (tid) {
		rcu_read_lock();
		task = pid_task(find_pid_ns(tid, &init_pid_ns), PIDTYPE_PID);
		if (task)
			get_task_struct(task);
		rcu_read_unlock();
	}
	ret = rdr_listener_ioctl_copy(session, listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &r->resp.id,
				      sizeof(r->resp.id));
	if (ret == -ENOENT)
		*outcome = RDR_REPLY_GONE;
	if (!ret && !task)
		ret = -EPERM; /* not ENOENT/ESRCH: the call still waits for an answer */
	if (!ret)
		ret = rdr_exec_guard_arm(task, sb->id, &sb->ended, r->addfd.srcfd);
	if (task)
		put_task_struct(task);
	if (ret)
		return ret;
	ret = rdr_listener_ioctl_copy(session, listener, SECCOMP_IOCTL_NOTIF_SEND, &r->resp,
				      sizeof(r->resp));
	if (!ret)
		*outcome = RDR_REPLY_ANSWERED;
	else if (ret == -ENOENT)
		*outcome = RDR_REPLY_GONE;
	return ret;
}

/*
 * Perform one reply; returns its result for the reply's `result` field.
 * @r is the module's copy: it decides what is forgotten, and it is what
 * seccomp reads (through the reply page).
 */
static s64 rdr_broker_reply(struct rdr_session *session, const struct redirect_reply *r)
{
	enum rdr_reply_outcome outcome = RDR_REPLY_WAITS;
	struct rdr_sandbox *sb;
	struct file *listener;
	s32 installed = -1;
	u64 id;
	long ret;

	ret = rdr_reply_check(r);
	if (ret)
		return ret;
	if (r->kind == REDIRECT_REPLY_CONTINUE_EXEC &&
	    !(session->features & REDIRECT_FEATURE_EXEC_GUARD))
		return -EOPNOTSUPP;
	sb = rdr_sandbox_get_owned(session, r->sandbox_id);
	if (IS_ERR(sb))
		return PTR_ERR(sb);
	listener = rdr_sandbox_listener(sb);
	ret = -ENOENT;
	if (!listener)
		goto out_put;
	id = r->kind == REDIRECT_REPLY_ADDFD ? r->addfd.id : r->resp.id;

	if (r->kind == REDIRECT_REPLY_ID_VALID) {
		/* A question, not an answer: no claim, and allowed during one. */
		if (!rdr_delivered_holds(sb, id))
			goto out_fput;
		ret = rdr_listener_ioctl_copy(session, listener, SECCOMP_IOCTL_NOTIF_ID_VALID,
					      &r->resp.id, sizeof(r->resp.id));
		if (ret == -ENOENT)
			rdr_delivered_release(sb, id, RDR_REPLY_GONE, -1);
		goto out_fput;
	}
	ret = rdr_delivered_claim(sb, id, &installed);
	if (ret)
		goto out_fput;
	if (r->kind == REDIRECT_REPLY_SEND) {
		ret = rdr_listener_ioctl_copy(session, listener, SECCOMP_IOCTL_NOTIF_SEND, &r->resp,
					      sizeof(r->resp));
		if (!ret)
			outcome = RDR_REPLY_ANSWERED;
		else if (ret == -ENOENT)
			outcome = RDR_REPLY_GONE;
	} else if (r->kind == REDIRECT_REPLY_CONTINUE_EXEC) {
		ret = rdr_broker_continue_exec(session, sb, listener, r, &outcome);
	} else {
		ret = rdr_broker_addfd(session, listener, &r->addfd, &installed, &outcome);
	}
	rdr_delivered_release(sb, id, outcome, installed);
out_fput:
	fput(listener);
out_put:
	rdr_sandbox_put(sb);
	return ret;
}

/*
 * Put @req, which this thread owns, on @sb's @list, unless the sandbox ended
 * meanwhile (rdr_sandbox_end_locked() freed what its lists held then, and
 * nothing would free what came later): then free it.
 */
static void rdr_request_keep(struct rdr_sandbox *sb, struct rdr_request *req,
			     struct list_head *list)
{
	unsigned long flags;
	bool ended;

	spin_lock_irqsave(&sb->lock, flags);
	ended = sb->ended;
	if (!ended)
		list_add_tail(&req->node, list);
	spin_unlock_irqrestore(&sb->lock, flags);
	if (ended)
		kfree(req);
}

/*
 * RECV one notification of @sb into @slot. Returns 1 when a request for the
 * Sentry was stored, 0 when there was none (or it was one the module answered
 * itself: *again says whether to look once more), negative on error.
 */
static int rdr_broker_recv_one(struct rdr_session *session, struct rdr_sandbox *sb,
			       struct file *listener, struct redirect_request __user *slot,
			       bool *again)
{
	struct seccomp_notif_resp resp;
	struct seccomp_notif n;
	struct rdr_request *req;
	int seen = atomic_read(&sb->forward_pending);
	__poll_t mask;
	long ret;

	*again = false;
	/* EPOLLIN: an INIT notification is waiting (see the top of this file). */
	mask = vfs_poll(listener, NULL);
	if (mask & EPOLLERR)
		return -EINTR;	/* seccomp's lock wait was interrupted */
	if (!(mask & EPOLLIN)) {
		/* Forwarded calls that were interrupted leave no notification. */
		atomic_sub(seen, &sb->forward_pending);
		WRITE_ONCE(sb->drain, false);
		if (atomic_read(&sb->surplus) <= 0)
			return 0;
		/* RECV all the same: it consumes one count fast paths left. */
	}
	req = kmalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	/* RECV insists on a zeroed buffer, on every attempt. */
	if (clear_user(&slot->notif, sizeof(slot->notif))) {
		kfree(req);
		return -EFAULT;
	}
	WRITE_ONCE(sb->recv_task, current);
	ret = rdr_listener_ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &slot->notif);
	WRITE_ONCE(sb->recv_task, NULL);
	if (ret) {
		kfree(req);
		if (ret == -ENOENT) {
			/*
			 * No notification: one count left over was consumed
			 * (a fast path's, or that of a caller that went away
			 * between poll and RECV).
			 */
			atomic_dec_if_positive(&sb->surplus);
			*again = true;
			return 0;
		}
		return ret;
	}
	if (copy_from_user(&n, &slot->notif, sizeof(n))) {
		/*
		 * Only if the Sentry unmapped its own buffer under us: the call
		 * is SENT and its id unknown; it waits until its task dies.
		 * It may have been fast-pathed: see the ID_VALID case below.
		 */
		atomic_dec_if_positive(&sb->surplus);
		kfree(req);
		return -EFAULT;
	}

	/*
	 * Its task as the module can find it again (CONTINUE_EXEC); n.pid is
	 * in our pid namespace, and the ID_VALID below proves the task was
	 * alive throughout, so this is its number.
	 */
	rcu_read_lock();
	req->tid = pid_nr(find_vpid(n.pid));
	rcu_read_unlock();

	if (rdr_sandbox_take_raced(sb, &n, &resp)) {
		/* A fast-pathed notification, RECV'd: its count is gone. */
		atomic_dec_if_positive(&sb->surplus);
		kfree(req);
		/* ENOENT is fine: the interrupted task removed it meanwhile. */
		rdr_listener_ioctl_copy(session, listener, SECCOMP_IOCTL_NOTIF_SEND, &resp,
					sizeof(resp));
		*again = true;
		return 0;
	}
	/*
	 * No record: a forwarded call, or a fast-pathed one whose task_work
	 * already ran. That task_work runs only after its task removed the
	 * notification, so the latter is no longer valid: drop it, neither
	 * handed out nor counted (a forwarded call whose task went away
	 * meanwhile is dropped too; its count is cleared at the next empty poll).
	 * Only a call known to be valid is counted off: ID_VALID can also fail
	 * with EINTR (the Sentry has a signal pending and seccomp's lock is
	 * taken) or EFAULT; such a call is handed out uncounted, and a count
	 * left too high is cleared at the next empty poll, while one too low
	 * would strand a forwarded call.
	 */
	ret = rdr_listener_ioctl_copy(session, listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id,
				      sizeof(n.id));
	/*
	 * Not known to be a live forwarded call: it may be a fast-pathed one
	 * whose count this RECV took; a surplus too low is harmless, one too
	 * high would let a later RECV sleep.
	 */
	if (ret)
		atomic_dec_if_positive(&sb->surplus);
	if (ret == -ENOENT) {
		kfree(req);
		*again = true;
		return 0;
	}
	if (!ret)
		atomic_dec_if_positive(&sb->forward_pending);
	ret = 0;
	if (put_user(sb->id, &slot->sandbox_id) || put_user(0, &slot->flags))
		ret = -EFAULT;
	req->id = n.id;
	req->busy = false;
	req->installed = -1;
	req->notif = n;
	req->recv_ns = ktime_get_ns();
	/* On -EFAULT the Sentry never saw it: replay it with the next batch. */
	rdr_request_keep(sb, req, ret ? &sb->replay : &sb->delivered);
	*again = true;
	return ret ? ret : 1;
}

/* Hand out one replayed request of @sb into @slot; 1 if there was one. */
static int rdr_broker_replay_one(struct rdr_sandbox *sb, struct redirect_request __user *slot)
{
	struct redirect_request out = { .sandbox_id = sb->id, .flags = REDIRECT_REQUEST_REPLAYED };
	struct rdr_request *req;
	unsigned long flags;

	/*
	 * Taken off the list while the copy to user space may sleep: the
	 * sandbox can end meanwhile and must not free it under us.
	 */
	spin_lock_irqsave(&sb->lock, flags);
	req = list_first_entry_or_null(&sb->replay, struct rdr_request, node);
	if (req)
		list_del(&req->node);
	spin_unlock_irqrestore(&sb->lock, flags);
	if (!req)
		return 0;
	out.notif = req->notif;
	if (copy_to_user(slot, &out, sizeof(out))) {
		rdr_request_keep(sb, req, &sb->replay);
		return -EFAULT;
	}
	rdr_request_keep(sb, req, &sb->delivered);
	rdr_stats_count(&sb->stats, out.notif.data.nr, REDIRECT_STAT_REPLAYED);
	return 1;
}

/* Fill up to @max slots from @sb; returns how many, or an error if none. */
static int rdr_broker_fetch_sandbox(struct rdr_session *session, struct rdr_sandbox *sb,
				    struct redirect_request __user *slots, u32 max)
{
	struct file *listener;
	u32 n = 0, tries = 0;
	bool again;
	int ret = 0;

	while (n < max) {
		ret = rdr_broker_replay_one(sb, &slots[n]);
		if (ret <= 0)
			break;
		n++;
	}
	if (ret < 0 || n == max)
		return n ? n : ret;

	listener = rdr_sandbox_listener(sb);
	if (!listener)
		return n;
	mutex_lock(&sb->recv_lock);
	/*
	 * Bounded: raced notifications are answered here and surplus counts
	 * consumed, neither counted in n.
	 */
	while (n < max && tries++ < 2 * REDIRECT_BATCH_MAX + RDR_SURPLUS_DRAIN &&
	       (atomic_read(&sb->forward_pending) > 0 || READ_ONCE(sb->drain) ||
		atomic_read(&sb->surplus) > 0)) {
		ret = rdr_broker_recv_one(session, sb, listener, &slots[n], &again);
		if (ret < 0)
			break;
		n += ret;
		if (!again)
			break;
		cond_resched();
	}
	mutex_unlock(&sb->recv_lock);
	fput(listener);
	return n ? n : min(ret, 0);
}

/* Take references to the sandboxes @session owns, in order. */
static int rdr_session_snapshot(struct rdr_session *session, struct rdr_sandbox ***out)
{
	struct rdr_sandbox **arr, *sb;
	int n = 0, cap = 0;

	mutex_lock(&rdr_sandboxes_mutex);
	list_for_each_entry(sb, &session->sandboxes, owner_node)
		cap++;
	arr = kmalloc_array(max(cap, 1), sizeof(*arr), GFP_KERNEL);
	if (!arr) {
		mutex_unlock(&rdr_sandboxes_mutex);
		return -ENOMEM;
	}
	list_for_each_entry(sb, &session->sandboxes, owner_node) {
		kref_get(&sb->ref);
		arr[n++] = sb;
	}
	mutex_unlock(&rdr_sandboxes_mutex);
	*out = arr;
	return n;
}

static int rdr_broker_collect(struct rdr_session *session,
			      struct redirect_request __user *slots, u32 max)
{
	struct rdr_sandbox **arr;
	int nr_sb, i, start, ret = 0;
	u32 n = 0;

	nr_sb = rdr_session_snapshot(session, &arr);
	if (nr_sb < 0)
		return nr_sb;
	/* Start where the last batch stopped, so no sandbox starves another. */
	start = nr_sb ? atomic_inc_return(&session->rr) % nr_sb : 0;
	for (i = 0; i < nr_sb; i++) {
		struct rdr_sandbox *sb = arr[(start + i) % nr_sb];

		if (n < max && !ret) {
			ret = rdr_broker_fetch_sandbox(session, sb, slots + n, max - n);
			if (ret > 0) {
				n += ret;
				ret = 0;
			}
		}
		rdr_sandbox_put(sb);
	}
	kfree(arr);
	return n ? n : ret;
}

bool rdr_session_has_work(struct rdr_session *session)
{
	struct rdr_sandbox *sb;
	bool work = false;

	mutex_lock(&rdr_sandboxes_mutex);
	list_for_each_entry(sb, &session->sandboxes, owner_node) {
		if (rdr_sandbox_has_work(sb)) {
			work = true;
			break;
		}
	}
	mutex_unlock(&rdr_sandboxes_mutex);
	return work;
}

static int rdr_broker_fetch(struct rdr_session *session, struct redirect_broker *b)
{
	struct redirect_request __user *slots = u64_to_user_ptr(b->requests);
	long timeout = b->timeout_ms == REDIRECT_TIMEOUT_FOREVER ? MAX_SCHEDULE_TIMEOUT :
		       msecs_to_jiffies(b->timeout_ms);
	int n;

	for (;;) {
		/* Taken before looking, so a wake-up after the look is not missed. */
		int seen = atomic_read(&session->wakeups);

		n = rdr_broker_collect(session, slots, b->max_requests);
		if (n || !timeout || !b->max_requests)
			break;
		timeout = wait_event_interruptible_timeout(session->wq,
							   atomic_read(&session->wakeups) != seen,
							   timeout);
		if (timeout < 0)
			return -EINTR;
		if (!timeout)
			break;
	}
	if (n < 0)
		return n;
	b->nr_requests = n;
	return 0;
}

long rdr_broker_ioctl(struct rdr_session *session, void __user *uarg, size_t usize)
{
	struct redirect_broker b = {};
	struct redirect_reply __user *ureplies;
	u32 i, done = 0;
	int ret;

	ret = rdr_ioctl_check_size(usize, REDIRECT_BROKER_SIZE_VER0);
	if (ret)
		return ret;
	ret = copy_struct_from_user(&b, sizeof(b), uarg, usize);
	if (ret)
		return ret;
	if (b.flags || b.pad)
		return -EINVAL;
	b.nr_requests = 0;	/* out */
	if (b.nr_replies > REDIRECT_BATCH_MAX || b.max_requests > REDIRECT_BATCH_MAX)
		return -EINVAL;
	/* Only the documented value waits for ever; other negatives are mistakes. */
	if (b.timeout_ms < 0 && b.timeout_ms != REDIRECT_TIMEOUT_FOREVER)
		return -EINVAL;

	ureplies = u64_to_user_ptr(b.replies);
	for (i = 0; i < b.nr_replies; i++) {
		struct redirect_reply r;
		s64 result;

		if (copy_from_user(&r, &ureplies[i], sizeof(r))) {
			ret = -EFAULT;
			break;
		}
		result = rdr_broker_reply(session, &r);
		if (put_user(result, &ureplies[i].result)) {
			ret = -EFAULT;
			break;
		}
		done++;
	}
	b.nr_replies = done;
	/* A reply-only batch fetches nothing, so it cannot fail after its replies. */
	if (!ret && b.max_requests)
		ret = rdr_broker_fetch(session, &b);
	if (copy_to_user(uarg, &b, min(usize, sizeof(b))))
		return -EFAULT;
	return ret;
}
