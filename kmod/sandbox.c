// SPDX-License-Identifier: GPL-2.0
/*
 * Sandboxes: attach, the in-task fast path, ownership and custody, the end.
 * One file (over 900 lines) on purpose: these stages share the sandbox's
 * lifetimes and locks described below, best read and changed in one place.
 *
 * Lifetimes
 * =========
 *
 * A sandbox is created by REDIRECT_IOC_ATTACH and referenced (@ref) by:
 *   - the table rdr_sandboxes, from attach until the sandbox ends;
 *   - each fast-path verdict in flight (struct rdr_fastpath), from the wake
 *     function until its task_work has run in the trapped task;
 *   - each queued end_work / hold_work, and each lookup in progress.
 * It ends when its listener reports EPOLLHUP (the last task using the
 * filter exited) or the module unloads: it leaves the table, its wait entry
 * leaves the listener's wait queue (after which the wake function cannot run
 * for it: remove_wait_queue() takes the queue's lock, under which wake
 * functions run), and the listener file is released. Memory goes with the
 * last reference.
 *
 * The wake function runs in the trapped task's context, with the listener's
 * wait-queue lock held and interrupts off, while that task holds the filter's
 * notify_lock (an EPOLLIN outside task context is only forwarded: there
 * current is not the trapped task). It must not sleep, must not take
 * rdr_sandboxes_mutex, and must not wake the listener's queue. It reads the
 * rules under RCU and the owner under RCU; everything it queues holds a
 * sandbox reference, dropped by the task_work when it runs.
 *
 * Ownership changes (attach, adopt, session release, end) and rule
 * replacement happen under rdr_sandboxes_mutex.
 *
 * Unload
 * ======
 *
 * Each sandbox pins the module, and the fast-path records, the work items
 * and the lookups pin the module through their sandbox reference. The pin
 * cannot be a module_put() of our own: the function that drops the last
 * module reference would still be running module text when it returns, and
 * a racing rmmod may have freed that text by then (task_work and kref
 * release functions have no module_put_and_kthread_exit()). So the pin is a
 * file (@pin, no fd), whose fops->owner is this module: the last sandbox
 * reference fput()s it, and the VFS's __fput() drops the module reference,
 * in its own code, after the file's release. fput() never does that
 * synchronously: in a task (syscall, task_work) it queues task_work that
 * runs after the current one has returned; in a kworker it goes to the
 * delayed-fput work, and the only kworkers that drop sandbox references
 * are rdr_wq's, which module exit destroys (waiting for their functions to
 * return) before the module's text goes.
 *
 * Relied on, not documented
 * =========================
 *
 * What the module relies on that is not seccomp's documented API, each
 * covered per kernel by the module-mode suites (make check runs them on 6.1
 * and 6.12):
 *   - the listener's wait queue is woken with EPOLLIN in the trapped task's
 *     own context, under its notify_lock, and a TWA_SIGNAL task_work makes
 *     its interruptible wait return -ERESTARTSYS at once (sandbox_test
 *     fastpath_*, signals_during_fastpath_*);
 *   - RECV's EFAULT path (6.6+) wakes the queue with EPOLLIN in the RECV
 *     caller's context (fastpath_not_for_recv_caller);
 *   - seccomp's request counter (a semaphore before 6.6, an atomic_t since)
 *     keeps the count of a notification that leaves without a RECV
 *     (fastpath_leaves_no_request_count, and rdr_fastpath_queue());
 *   - listeners are anon inodes named "seccomp notify" (attach_*), pidfds
 *     are "[pidfd]" anon inodes or, 6.9+, pidfs inodes (compat.h);
 *   - the listener reports EPOLLHUP once the filter's last task is gone: on
 *     6.1 when it is reaped, on 6.12 already when it exits (do_exit() calls
 *     seccomp_filter_release()), so a sandbox's counters go with its last
 *     exit (sandbox_ends_on_hup, netlink get_stats_counts_calls).
 */
#include "sandbox.h"
#include "exec_guard.h"
#include "session.h"
#include "ioctl.h"
#include "main.h"
#include "netlink.h"

#include <linux/anon_inodes.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/compat.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/seccomp.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <asm/syscall.h>

static DEFINE_XARRAY_ALLOC1(rdr_sandboxes);
static struct workqueue_struct *rdr_wq;
/* Ownership changes and rule replacement: see "Lifetimes" above. */
DEFINE_MUTEX(rdr_sandboxes_mutex);
static u32 rdr_next_id;
static unsigned int rdr_nr_sandboxes;
static struct kmem_cache *rdr_fastpath_cache;

/* A verdict decided in the wake function, written back by task_work. */
struct rdr_fastpath {
	struct callback_head twork;
	struct list_head node;		/* sb->inflight */
	struct rdr_sandbox *sb;		/* referenced */
	struct task_struct *task;	/* identity only: the record dies before the task */
	u32 nr;
	u64 args[REDIRECT_ARGS_MAX];
	enum redirect_verdict verdict;
	s64 value;
};

/*
 * The module pin of a sandbox (see "Unload" at the top). Its file holds
 * the module reference (anon_inode_getfile() takes it for fops->owner), and
 * __fput() drops it after calling this, from the VFS's own code.
 */
static int rdr_sandbox_pin_release(struct inode *inode, struct file *file)
{
	return 0;
}

static const struct file_operations rdr_sandbox_pin_fops = {
	.owner = THIS_MODULE,
	.release = rdr_sandbox_pin_release,
};

static void rdr_sandbox_release(struct kref *ref)
{
	struct rdr_sandbox *sb = container_of(ref, struct rdr_sandbox, ref);
	struct file *pin = sb->pin;

	rdr_ruleset_free(rcu_dereference_protected(sb->rules, 1));
	rdr_stats_free(&sb->stats);
	put_pid(sb->leader);
	/* Lookups find @sb under RCU and then try to take a reference. */
	kfree_rcu(sb, rcu);
	/* Last, and only deferred: the module outlives this function's return. */
	if (pin)
		fput(pin);
}

void rdr_sandbox_put(struct rdr_sandbox *sb)
{
	kref_put(&sb->ref, rdr_sandbox_release);
}

/*
 * seccomp creates its listener with anon_inode_getfile("seccomp notify"):
 * only the kernel makes such files, so file system and name identify it.
 */
static bool rdr_is_anon_file(struct file *file, const char *name)
{
	return file_inode(file)->i_sb->s_magic == ANON_INODE_FS_MAGIC &&
	       !strcmp(file->f_path.dentry->d_name.name, name);
}

bool rdr_sandbox_is_listener(struct file *file)
{
	return rdr_is_anon_file(file, "seccomp notify") && file->f_op->unlocked_ioctl &&
	       file->f_op->poll;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_sandbox_is_listener);

/*
 * The pid a pidfd refers to, referenced; ERR_PTR(-EBADF) no such fd,
 * -EINVAL not a pidfd. See rdr_pidfd_pid() in compat.h.
 */
static struct pid *rdr_pid_from_pidfd(int fd)
{
	struct file *file = fget(fd);
	struct pid *pid;

	if (!file)
		return ERR_PTR(-EBADF);
	pid = get_pid(rdr_pidfd_pid(file));
	fput(file);
	return pid ? pid : ERR_PTR(-EINVAL);
}

/*
 * Sandbox ids count up from 1 and are not reused until the 32-bit counter
 * wraps, so a stale id held by a tool or a restarted Sentry cannot name a
 * different sandbox. 0 is never an id.
 */
int rdr_id_alloc(struct xarray *xa, void *entry, u32 *next, u32 *id)
{
	int ret = xa_alloc_cyclic(xa, id, entry, XA_LIMIT(1, U32_MAX), next, GFP_KERNEL);

	if (ret == -EBUSY)
		return -ENOSPC;
	return ret < 0 ? ret : 0;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_id_alloc);

/* Names are shown in tools and logs: keep them to a safe alphabet. */
int rdr_sandbox_name_check(const char *name, size_t size)
{
	size_t len = strnlen(name, size), i;

	if (!len || len == size)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("._:-", name[i]))
			return -EINVAL;
	for (i = len; i < size; i++)
		if (name[i])
			return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_sandbox_name_check);

static void rdr_wake_owner(struct rdr_sandbox *sb)
{
	struct rdr_session *owner;

	rcu_read_lock();
	owner = rcu_dereference(sb->owner);
	if (owner) {
		atomic_inc(&owner->wakeups);
		wake_up_interruptible_poll(&owner->wq, EPOLLIN | EPOLLRDNORM);
	}
	rcu_read_unlock();
}

/* Reads a user string without faulting: atomic context, the task's own mm. */
static long rdr_fetch_str_nofault(void *ctx, u64 uptr, char *buf, size_t size)
{
	size_t done = 0;

	while (done < size) {
		unsigned long addr = uptr + done;
		size_t chunk = min_t(size_t, size - done, PAGE_SIZE - offset_in_page(addr));
		char *nul;

		if (copy_from_user_nofault(buf + done, (const void __user *)addr, chunk))
			return -EFAULT;
		nul = memchr(buf + done, 0, chunk);
		if (nul)
			return nul - buf;
		done += chunk;
	}
	return -ENAMETOOLONG;
}

/*
 * task_work of a fast-path verdict, run by the trapped task on its way back
 * to user space (or on exit). seccomp has skipped the call: it was
 * interrupted (its return register holds -ERESTARTSYS) or the module's own
 * reply answered it with this same verdict. Writing the verdict into the
 * return register now means no restart happens.
 */
static void rdr_fastpath_complete(struct callback_head *twork)
{
	struct rdr_fastpath *fp = container_of(twork, struct rdr_fastpath, twork);
	struct rdr_sandbox *sb = fp->sb;
	unsigned long flags;

	spin_lock_irqsave(&sb->lock, flags);
	list_del(&fp->node);
	spin_unlock_irqrestore(&sb->lock, flags);

	if (!(current->flags & PF_EXITING)) {
		struct pt_regs *regs = task_pt_regs(current);

		switch (fp->verdict) {
		case REDIRECT_VERDICT_ERRNO:
			syscall_set_return_value(current, regs, -(int)fp->value, 0);
			break;
		case REDIRECT_VERDICT_VALUE:
			syscall_set_return_value(current, regs, 0, fp->value);
			break;
		case REDIRECT_VERDICT_KILL:
			syscall_set_return_value(current, regs, -EPERM, 0);
			/* SIGKILL to one thread takes the whole group down. */
			send_sig(SIGKILL, current, 1);
			break;
		default:
			break;
		}
	}
	kmem_cache_free(rdr_fastpath_cache, fp);
	/* The record's sandbox reference pins the module: see "Unload". */
	rdr_sandbox_put(sb);
}

/*
 * seccomp counts every notification it queues (notif->requests: a semaphore
 * before 6.6, an atomic_t since) and RECV takes one count. A fast-pathed
 * notification leaves without a RECV, so its count stays: unchecked, 2^31 of
 * them turn 6.6+'s atomic_t negative, and from then on every RECV sleeps
 * (atomic_dec_if_positive() never succeeds) and every forwarded call of the
 * listener stalls; before 6.6 the semaphore wraps after 2^32. The module
 * therefore counts them in sb->surplus, and the broker consumes them with
 * RECVs that find no notification and fail with ENOENT (broker.c). The
 * surplus is never above the counts actually left over, so such a RECV cannot
 * sleep: it is raised here before the record is visible, and lowered (only
 * while positive) by every RECV that did not hand a live forwarded call to
 * the Sentry. With RDR_SURPLUS_MAX the fast path gives way to forwarding,
 * which leaves no count, so the counter stays below 2^30 plus the calls in
 * flight even when no Sentry drains it; every RDR_SURPLUS_WAKE fast-pathed
 * calls the owner is woken to drain.
 */
#define RDR_SURPLUS_MAX		(1 << 30)
#define RDR_SURPLUS_WAKE	1024

/* Queue @d as a fast-path verdict for current; false: forward instead. */
static bool rdr_fastpath_queue(struct rdr_sandbox *sb, u32 nr, const u64 *args,
			       const struct rdr_decision *d)
{
	struct rdr_fastpath *fp;
	unsigned long flags;
	int surplus;

	/*
	 * Raised only once the verdict is certain to be delivered (below): a
	 * failure path that lowered it again could race with the broker's
	 * lowering and lose a count. No RECV can take this notification in
	 * between: the trapped task holds the filter's notify_lock while we run.
	 */
	if (atomic_read(&sb->surplus) >= RDR_SURPLUS_MAX)
		return false;
	/* Not from the atomic reserves: failing here only forwards the call. */
	fp = kmem_cache_alloc(rdr_fastpath_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!fp)
		return false;
	fp->sb = sb;
	fp->task = current;
	fp->nr = nr;
	memcpy(fp->args, args, sizeof(fp->args));
	fp->verdict = d->verdict;
	fp->value = d->value;
	init_task_work(&fp->twork, rdr_fastpath_complete);

	kref_get(&sb->ref);
	spin_lock_irqsave(&sb->lock, flags);
	list_add_tail(&fp->node, &sb->inflight);
	spin_unlock_irqrestore(&sb->lock, flags);

	/*
	 * TWA_SIGNAL: seccomp's interruptible wait returns at once. The work is
	 * queued on current, which runs on this CPU, so kick_process() sends no
	 * IPI: TWA_SIGNAL_NO_IPI (6.3+) would save nothing here.
	 */
	if (task_work_add(current, &fp->twork, TWA_SIGNAL)) {
		spin_lock_irqsave(&sb->lock, flags);
		list_del(&fp->node);
		spin_unlock_irqrestore(&sb->lock, flags);
		kmem_cache_free(rdr_fastpath_cache, fp);
		/* Not the last reference: the table holds one while we are woken. */
		kref_put(&sb->ref, rdr_sandbox_release);
		return false;
	}
	surplus = atomic_inc_return(&sb->surplus);
	if (!(surplus % RDR_SURPLUS_WAKE))
		rdr_wake_owner(sb);
	return true;
}

/* A notification was queued by current, a task of this sandbox. */
static void rdr_sandbox_notified(struct rdr_sandbox *sb)
{
	struct pt_regs *regs = task_pt_regs(current);
	char strbuf[REDIRECT_STR_MAX];
	unsigned long uargs[REDIRECT_ARGS_MAX];
	u64 args[REDIRECT_ARGS_MAX];
	struct rdr_decision d = { .verdict = REDIRECT_VERDICT_FORWARD };
	struct rdr_ruleset *set;
	int nr = syscall_get_nr(current, regs);
	bool native = nr >= 0 && !in_compat_syscall() && !(nr & __X32_SYSCALL_BIT);
	int i;

	rdr_stats_count(&sb->stats, native ? nr : RDR_STATS_NR - 1, REDIRECT_STAT_NOTIFIED);
	if (native) {
		syscall_get_arguments(current, regs, uargs);
		for (i = 0; i < REDIRECT_ARGS_MAX; i++)
			args[i] = uargs[i];
		rcu_read_lock();
		set = rcu_dereference(sb->rules);
		if (set) {
			const struct rdr_nr_span *span = rdr_ruleset_span(set, nr);

			if (span && span->count)
				rdr_rules_decide(set->rules, set->hits, span->first, span->count,
						 args, rdr_fetch_str_nofault, NULL, strbuf, &d);
			if (d.matched)
				/* as the user numbered it */
				d.rule = set->orig_index[d.rule];
		}
		rcu_read_unlock();
	}

	if (d.audit)
		rdr_event_audit(sb->id, nr, d.verdict, d.value, d.rule);

	switch (d.verdict) {
	case REDIRECT_VERDICT_ERRNO:
	case REDIRECT_VERDICT_VALUE:
	case REDIRECT_VERDICT_KILL:
		if (rdr_fastpath_queue(sb, nr, args, &d)) {
			rdr_stats_count(&sb->stats, nr, d.verdict == REDIRECT_VERDICT_ERRNO ?
					REDIRECT_STAT_ERRNO : d.verdict == REDIRECT_VERDICT_VALUE ?
					REDIRECT_STAT_VALUE : REDIRECT_STAT_KILL);
			return;
		}
		rdr_stats_count(&sb->stats, nr, REDIRECT_STAT_FALLBACK);
		break;
	default:
		break;
	}
	rdr_stats_count(&sb->stats, native ? nr : RDR_STATS_NR - 1, REDIRECT_STAT_FORWARDED);
	atomic_inc(&sb->forward_pending);
	rdr_wake_owner(sb);
}

/* Is current in ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, ...) (native x86-64)? */
static bool rdr_in_notif_recv(void)
{
	struct pt_regs *regs = task_pt_regs(current);
	unsigned long args[REDIRECT_ARGS_MAX];

	if (in_compat_syscall() || syscall_get_nr(current, regs) != __NR_ioctl)
		return false;
	syscall_get_arguments(current, regs, args);
	return (unsigned int)args[1] == SECCOMP_IOCTL_NOTIF_RECV;
}

/*
 * Wait-queue callback on the listener. EPOLLIN comes from
 * seccomp_do_user_notification(), in the trapped task, and (6.6+) from a
 * failed RECV, in its caller; EPOLLHUP when the filter's last user is gone
 * (any context: it only queues work); anything else (EPOLLOUT after a RECV)
 * is not ours to act on.
 */
int rdr_sandbox_wake(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct rdr_sandbox *sb = container_of(wait, struct rdr_sandbox, wait);
	__poll_t mask = key_to_poll(key);

	if (mask & EPOLLHUP) {
		kref_get(&sb->ref);
		if (!queue_work(rdr_wq, &sb->end_work))
			kref_put(&sb->ref, rdr_sandbox_release);
		return 0;
	}
	if (!(mask & EPOLLIN))
		return 0;
	/*
	 * The fast path reads current's registers and user memory as the
	 * trapped call's. seccomp (6.1, 6.12) wakes with EPOLLIN only from a
	 * syscall, but in an interrupt or softirq current is whichever task
	 * was interrupted, possibly a seccomp-filtered one: never evaluate
	 * there, only forward (a count too high is cleared at the broker's
	 * next empty poll).
	 */
	if (!in_task())
		goto forward;
	if ((current->flags & PF_KTHREAD) || current->seccomp.mode != SECCOMP_MODE_FILTER)
		return 0;
	/*
	 * Since 6.6 a RECV whose copy to user space fails puts the notification
	 * back and wakes the queue with EPOLLIN in the RECV caller's context:
	 * current is then not a trapped task, and its registers hold its own
	 * ioctl. Such a call only needs a new RECV. A trapped task calling
	 * ioctl(..., SECCOMP_IOCTL_NOTIF_RECV) itself is forwarded the same way.
	 */
	if (READ_ONCE(sb->recv_task) == current || rdr_in_notif_recv())
		goto forward;
	/* A new call of current's: an exec guard it still has is stale. */
	rdr_exec_guard_forget();
	rdr_sandbox_notified(sb);
	return 0;
forward:
	atomic_inc(&sb->forward_pending);
	rdr_wake_owner(sb);
	return 0;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_sandbox_wake);

static void rdr_sandbox_ptable_proc(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct rdr_sandbox *sb = container_of(pt, struct rdr_sandbox, pt);

	if (sb->wqh)
		return;
	sb->wqh = wqh;
	add_wait_queue(wqh, &sb->wait);
}

/*
 * Is the notification the daemon just received one the fast path has
 * already answered? If so fill @resp with that answer: the module sends it
 * itself, so the call is answered exactly once and the Sentry never sees it.
 * Tasks are matched by pid as the receiving daemon sees them (what RECV
 * reported) and by the call itself.
 */
bool rdr_sandbox_take_raced(struct rdr_sandbox *sb, const struct seccomp_notif *n,
			    struct seccomp_notif_resp *resp)
{
	struct rdr_fastpath *fp;
	unsigned long flags;
	bool found = false;
	int i;

	spin_lock_irqsave(&sb->lock, flags);
	list_for_each_entry(fp, &sb->inflight, node) {
		if (task_pid_vnr(fp->task) != n->pid || fp->nr != n->data.nr)
			continue;
		for (i = 0; i < REDIRECT_ARGS_MAX; i++)
			if (fp->args[i] != n->data.args[i])
				break;
		if (i < REDIRECT_ARGS_MAX)
			continue;
		memset(resp, 0, sizeof(*resp));
		resp->id = n->id;
		if (fp->verdict == REDIRECT_VERDICT_ERRNO)
			resp->error = -(int)fp->value;
		else if (fp->verdict == REDIRECT_VERDICT_VALUE)
			resp->val = fp->value;
		else
			resp->error = -EPERM;	/* KILL: the task_work kills it */
		found = true;
		break;
	}
	spin_unlock_irqrestore(&sb->lock, flags);
	if (found)
		rdr_stats_count(&sb->stats, n->data.nr, REDIRECT_STAT_RACED);
	return found;
}

bool rdr_sandbox_has_work(struct rdr_sandbox *sb)
{
	return atomic_read(&sb->forward_pending) > 0 || READ_ONCE(sb->drain) ||
	       !list_empty_careful(&sb->replay) ||
	       atomic_read(&sb->surplus) >= RDR_SURPLUS_WAKE;
}

static void rdr_free_requests(struct list_head *list)
{
	struct rdr_request *req, *tmp;

	list_for_each_entry_safe(req, tmp, list, node) {
		list_del(&req->node);
		kfree(req);
	}
}

static void rdr_sandbox_kill(struct rdr_sandbox *sb, const char *why)
{
	pr_info("sandbox %u (%s): killing it: %s\n", sb->id, sb->name, why);
	if (sb->leader)
		kill_pid(sb->leader, SIGKILL, 1);
}

/* The sandbox ends. Process context, rdr_sandboxes_mutex held. */
static void rdr_sandbox_end_locked(struct rdr_sandbox *sb)
{
	struct rdr_ruleset *old;
	struct file *listener;
	unsigned long flags;
	LIST_HEAD(requests);

	lockdep_assert_held(&rdr_sandboxes_mutex);
	spin_lock_irqsave(&sb->lock, flags);
	if (sb->ended) {
		spin_unlock_irqrestore(&sb->lock, flags);
		return;
	}
	sb->ended = true;
	listener = sb->listener;
	sb->listener = NULL;
	list_splice_init(&sb->delivered, &requests);
	list_splice_init(&sb->replay, &requests);
	spin_unlock_irqrestore(&sb->lock, flags);

	xa_erase(&rdr_sandboxes, sb->id);
	rdr_nr_sandboxes--;
	if (rcu_access_pointer(sb->owner)) {
		list_del_init(&sb->owner_node);
		RCU_INIT_POINTER(sb->owner, NULL);
	}
	/* After this no wake function runs for @sb. */
	remove_wait_queue(sb->wqh, &sb->wait);
	old = rcu_replace_pointer(sb->rules, NULL, lockdep_is_held(&rdr_sandboxes_mutex));
	rdr_ruleset_free_rcu(old);
	rdr_free_requests(&requests);
	rdr_exec_guard_sandbox_end(sb->id);
	fput(listener);
	/* The table's reference. */
	rdr_sandbox_put(sb);
}

static void rdr_sandbox_end_work(struct work_struct *work)
{
	struct rdr_sandbox *sb = container_of(work, struct rdr_sandbox, end_work);

	mutex_lock(&rdr_sandboxes_mutex);
	rdr_sandbox_end_locked(sb);
	mutex_unlock(&rdr_sandboxes_mutex);
	if (cancel_delayed_work(&sb->hold_work))
		rdr_sandbox_put(sb);
	rdr_sandbox_put(sb);
}

static void rdr_sandbox_hold_work(struct work_struct *work)
{
	struct rdr_sandbox *sb = container_of(to_delayed_work(work), struct rdr_sandbox,
					      hold_work);

	mutex_lock(&rdr_sandboxes_mutex);
	if (!sb->ended && !rcu_access_pointer(sb->owner))
		rdr_sandbox_kill(sb, "no Sentry adopted it within the hold timeout");
	mutex_unlock(&rdr_sandboxes_mutex);
	rdr_sandbox_put(sb);
}

int rdr_attach_check(const struct redirect_attach *a)
{
	if (a->flags)
		return -EINVAL;
	switch (a->fail_mode) {
	case REDIRECT_FAIL_HOLD:
		if (a->hold_timeout_ms && a->pidfd < 0)
			return -EINVAL;
		break;
	case REDIRECT_FAIL_KILL:
		if (a->hold_timeout_ms || a->pidfd < 0)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	return rdr_sandbox_name_check(a->name, sizeof(a->name));
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_attach_check);

long rdr_sandbox_attach(struct rdr_session *session, void __user *uarg, size_t usize)
{
	struct redirect_attach a = {};
	struct rdr_sandbox *sb, *other;
	unsigned long index, flags;
	__poll_t mask;
	int ret;

	ret = rdr_ioctl_check_size(usize, REDIRECT_ATTACH_SIZE_VER0);
	if (ret)
		return ret;
	ret = copy_struct_from_user(&a, sizeof(a), uarg, usize);
	if (ret)
		return ret;
	ret = rdr_attach_check(&a);
	if (ret)
		return ret;

	sb = kzalloc(sizeof(*sb), GFP_KERNEL);
	if (!sb)
		return -ENOMEM;
	sb->pin = anon_inode_getfile("[redirect-sandbox]", &rdr_sandbox_pin_fops, NULL, 0);
	if (IS_ERR(sb->pin)) {
		ret = PTR_ERR(sb->pin);
		kfree(sb);
		return ret;
	}
	kref_init(&sb->ref);
	spin_lock_init(&sb->lock);
	mutex_init(&sb->recv_lock);
	INIT_LIST_HEAD(&sb->inflight);
	INIT_LIST_HEAD(&sb->delivered);
	INIT_LIST_HEAD(&sb->replay);
	INIT_LIST_HEAD(&sb->owner_node);
	INIT_WORK(&sb->end_work, rdr_sandbox_end_work);
	INIT_DELAYED_WORK(&sb->hold_work, rdr_sandbox_hold_work);
	init_waitqueue_func_entry(&sb->wait, rdr_sandbox_wake);
	init_poll_funcptr(&sb->pt, rdr_sandbox_ptable_proc);
	memcpy(sb->name, a.name, sizeof(sb->name));
	sb->fail_mode = a.fail_mode;
	sb->hold_timeout_ms = a.hold_timeout_ms;
	ret = rdr_stats_init(&sb->stats);
	if (ret)
		goto err_put;
	if (a.pidfd >= 0) {
		struct pid *leader = rdr_pid_from_pidfd(a.pidfd);

		if (IS_ERR(leader)) {
			ret = PTR_ERR(leader);
			goto err_put;
		}
		sb->leader = leader;
	}
	sb->listener = fget(a.listener_fd);
	if (!sb->listener) {
		ret = -EBADF;
		goto err_put;
	}
	if (!rdr_sandbox_is_listener(sb->listener)) {
		ret = -EINVAL;
		goto err_fput;
	}

	mutex_lock(&rdr_sandboxes_mutex);
	ret = -EALREADY;
	xa_for_each(&rdr_sandboxes, index, other)
		if (other->listener == sb->listener)
			goto err_unlock;
	ret = -ENOSPC;
	if (rdr_nr_sandboxes >= REDIRECT_SANDBOXES_MAX)
		goto err_unlock;
	ret = rdr_id_alloc(&rdr_sandboxes, sb, &rdr_next_id, &sb->id);
	if (ret)
		goto err_unlock;

	/* Owned before the first wake can look for an owner. */
	rcu_assign_pointer(sb->owner, session);
	list_add_tail(&sb->owner_node, &session->sandboxes);

	mask = vfs_poll(sb->listener, &sb->pt);
	ret = -EINVAL;
	if (!sb->wqh)
		goto err_unown;
	ret = -EINTR;
	if (mask & EPOLLERR)
		goto err_unqueue;
	ret = -EPIPE;
	if (mask & EPOLLHUP)
		goto err_unqueue;
	/*
	 * Calls notified before our entry was on the queue were never seen by
	 * the wake function. Count one; the broker keeps probing the listener
	 * while it finds more (see rdr_broker_fetch()).
	 */
	if (mask & EPOLLIN) {
		atomic_inc(&sb->forward_pending);
		WRITE_ONCE(sb->drain, true);
	}
	rdr_nr_sandboxes++;
	/*
	 * From the unlock on, @sb may end and be freed at any time (its last
	 * task exits: EPOLLHUP, end_work): nothing below may touch it. @a
	 * holds its id and name.
	 */
	a.sandbox_id = sb->id;
	mutex_unlock(&rdr_sandboxes_mutex);

	pr_debug("sandbox %u (%s) attached\n", a.sandbox_id, a.name);
	if (copy_to_user(uarg, &a, min(usize, sizeof(a)))) {
		/* Attached all the same; the id is visible over netlink. */
		return -EFAULT;
	}
	return 0;

err_unqueue:
	/*
	 * A HUP wake may have queued end_work already (it waits for the mutex
	 * we hold): it must find @sb ended, not undo an attach that never was.
	 */
	spin_lock_irqsave(&sb->lock, flags);
	sb->ended = true;
	spin_unlock_irqrestore(&sb->lock, flags);
	remove_wait_queue(sb->wqh, &sb->wait);
err_unown:
	list_del(&sb->owner_node);
	xa_erase(&rdr_sandboxes, sb->id);
err_unlock:
	mutex_unlock(&rdr_sandboxes_mutex);
err_fput:
	fput(sb->listener);
err_put:
	/* Lookups under RCU may have seen @sb: the release waits for them. */
	rdr_sandbox_put(sb);
	return ret;
}

/* Sandbox @id owned by @session, referenced; ERR_PTR(-ESRCH) unknown, -EPERM not ours. */
struct rdr_sandbox *rdr_sandbox_get_owned(struct rdr_session *session, u32 id)
{
	struct rdr_sandbox *sb;

	rcu_read_lock();
	sb = xa_load(&rdr_sandboxes, id);
	if (sb && !kref_get_unless_zero(&sb->ref))
		sb = NULL;
	rcu_read_unlock();
	if (!sb)
		return ERR_PTR(-ESRCH);
	if (rcu_access_pointer(sb->owner) != session) {
		rdr_sandbox_put(sb);
		return ERR_PTR(-EPERM);
	}
	return sb;
}

struct rdr_sandbox *rdr_sandbox_next(unsigned long *id)
{
	struct rdr_sandbox *sb;

	mutex_lock(&rdr_sandboxes_mutex);
	sb = xa_find(&rdr_sandboxes, id, ULONG_MAX, XA_PRESENT);
	if (sb)
		kref_get(&sb->ref);
	mutex_unlock(&rdr_sandboxes_mutex);
	return sb;
}

long rdr_sandbox_set_rules(struct rdr_session *session, void __user *uarg, size_t usize)
{
	struct redirect_rules hdr = {};
	struct redirect_rule *rules = NULL;
	struct rdr_rules_error err;
	struct rdr_ruleset *set;
	struct rdr_sandbox *sb;
	size_t rsize = sizeof(struct redirect_rule);
	u32 i;
	int ret;

	ret = rdr_ioctl_check_size(usize, REDIRECT_RULES_SIZE_VER0);
	if (ret)
		return ret;
	ret = copy_struct_from_user(&hdr, sizeof(hdr), uarg, usize);
	if (ret)
		return ret;
	if (hdr.flags || hdr.pad)
		return -EINVAL;
	/* Out fields: whatever the caller left there is not ours to judge. */
	hdr.error_rule = 0;
	hdr.error_field = 0;
	hdr.error_arg = 0;
	if (hdr.nr_rules > REDIRECT_RULES_MAX)
		return -E2BIG;
	if (hdr.rule_size < sizeof(struct redirect_rule) || hdr.rule_size > PAGE_SIZE)
		return hdr.rule_size < sizeof(struct redirect_rule) ? -EINVAL : -E2BIG;

	if (hdr.nr_rules) {
		rules = kvcalloc(hdr.nr_rules, rsize, GFP_KERNEL | __GFP_NOWARN);
		if (!rules)
			return -ENOMEM;
	}
	/* One copy of each rule: everything after decides on this copy. */
	for (i = 0; i < hdr.nr_rules; i++) {
		ret = copy_struct_from_user(&rules[i], rsize,
					    u64_to_user_ptr(hdr.rules + (u64)i * hdr.rule_size),
					    hdr.rule_size);
		if (ret) {
			hdr.error_rule = i;
			hdr.error_field = REDIRECT_RULE_FIELD_PAD;
			goto out_report;
		}
	}
	set = rdr_ruleset_build(rules, hdr.nr_rules, &err);
	if (IS_ERR(set)) {
		ret = PTR_ERR(set);
		hdr.error_rule = err.rule;
		hdr.error_field = err.field;
		hdr.error_arg = err.arg;
		goto out_report;
	}

	sb = rdr_sandbox_get_owned(session, hdr.sandbox_id);
	if (IS_ERR(sb)) {
		rdr_ruleset_free(set);
		ret = PTR_ERR(sb) == -ESRCH ? -ENOENT : PTR_ERR(sb);
		goto out;
	}
	ret = rdr_sandbox_replace_rules(sb, set);
	rdr_sandbox_put(sb);
	goto out;

out_report:
	if (copy_to_user(uarg, &hdr, min(usize, sizeof(hdr))))
		ret = -EFAULT;
out:
	kvfree(rules);
	return ret;
}

/* Install @set (consumed) as @sb's rules; old ones go after a grace period. */
int rdr_sandbox_replace_rules(struct rdr_sandbox *sb, struct rdr_ruleset *set)
{
	struct rdr_ruleset *old;

	mutex_lock(&rdr_sandboxes_mutex);
	if (sb->ended) {
		mutex_unlock(&rdr_sandboxes_mutex);
		rdr_ruleset_free(set);
		return -ENOENT;
	}
	old = rcu_dereference_protected(sb->rules, lockdep_is_held(&rdr_sandboxes_mutex));
	set->generation = old ? old->generation + 1 : 1;
	rcu_assign_pointer(sb->rules, set);
	mutex_unlock(&rdr_sandboxes_mutex);
	rdr_ruleset_free_rcu(old);
	return 0;
}

/* The rule set as loaded (user order) with its hit counts; kvfree both. */
int rdr_sandbox_copy_rules(struct rdr_sandbox *sb, struct redirect_rule **rules, u64 **hits,
			   u32 *count, u64 *generation)
{
	struct rdr_ruleset *set;
	u32 i, n;

	mutex_lock(&rdr_sandboxes_mutex);
	set = rcu_dereference_protected(sb->rules, lockdep_is_held(&rdr_sandboxes_mutex));
	n = set ? set->count : 0;
	*rules = kvcalloc(max(n, 1U), sizeof(**rules), GFP_KERNEL | __GFP_NOWARN);
	*hits = kvcalloc(max(n, 1U), sizeof(**hits), GFP_KERNEL | __GFP_NOWARN);
	if (!*rules || !*hits) {
		mutex_unlock(&rdr_sandboxes_mutex);
		kvfree(*rules);
		kvfree(*hits);
		*rules = NULL;
		*hits = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		(*rules)[set->orig_index[i]] = set->rules[i];
		(*hits)[set->orig_index[i]] = rdr_hits_read(&set->hits[i]);
	}
	*count = n;
	*generation = set ? set->generation : 0;
	mutex_unlock(&rdr_sandboxes_mutex);
	return 0;
}

void rdr_sandbox_info(struct rdr_sandbox *sb, struct rdr_sandbox_info *si)
{
	struct rdr_request *req;
	struct rdr_ruleset *set;
	unsigned long flags;

	memset(si, 0, sizeof(*si));
	mutex_lock(&rdr_sandboxes_mutex);
	si->owned = rcu_access_pointer(sb->owner);
	set = rcu_dereference_protected(sb->rules, lockdep_is_held(&rdr_sandboxes_mutex));
	si->generation = set ? set->generation : 0;
	mutex_unlock(&rdr_sandboxes_mutex);
	si->forward_pending = max(atomic_read(&sb->forward_pending), 0);
	spin_lock_irqsave(&sb->lock, flags);
	list_for_each_entry(req, &sb->delivered, node)
		si->delivered++;
	list_for_each_entry(req, &sb->replay, node)
		si->replay++;
	spin_unlock_irqrestore(&sb->lock, flags);
}

long rdr_sandbox_adopt(struct rdr_session *session, void __user *uarg, size_t usize)
{
	struct redirect_adopt a = {};
	struct rdr_session *owner;
	struct rdr_sandbox *sb;
	int ret;

	ret = rdr_ioctl_check_size(usize, REDIRECT_ADOPT_SIZE_VER0);
	if (ret)
		return ret;
	ret = copy_struct_from_user(&a, sizeof(a), uarg, usize);
	if (ret)
		return ret;
	if (a.flags)
		return -EINVAL;

	mutex_lock(&rdr_sandboxes_mutex);
	sb = xa_load(&rdr_sandboxes, a.sandbox_id);
	ret = -ENOENT;
	if (!sb || sb->ended)
		goto out;
	owner = rcu_dereference_protected(sb->owner, lockdep_is_held(&rdr_sandboxes_mutex));
	ret = 0;
	if (owner == session)
		goto out;
	ret = -EBUSY;
	if (owner)
		goto out;
	rcu_assign_pointer(sb->owner, session);
	list_add_tail(&sb->owner_node, &session->sandboxes);
	/* A pending hold timeout must not kill an adopted sandbox. */
	if (cancel_delayed_work(&sb->hold_work))
		rdr_sandbox_put(sb);
	ret = 0;
	pr_debug("sandbox %u (%s) adopted\n", sb->id, sb->name);
out:
	mutex_unlock(&rdr_sandboxes_mutex);
	if (!ret) {
		atomic_inc(&session->wakeups);
		wake_up_interruptible_poll(&session->wq, EPOLLIN | EPOLLRDNORM);
	}
	return ret;
}

/*
 * @session's file is being released: its sandboxes go into custody. What it
 * received and did not answer is kept for replay to the next owner; the
 * fail mode decides whether the sandbox waits or dies.
 */
void rdr_sandbox_release_session(struct rdr_session *session)
{
	struct rdr_sandbox *sb, *tmp;
	unsigned long flags;

	mutex_lock(&rdr_sandboxes_mutex);
	list_for_each_entry_safe(sb, tmp, &session->sandboxes, owner_node) {
		list_del_init(&sb->owner_node);
		RCU_INIT_POINTER(sb->owner, NULL);
		spin_lock_irqsave(&sb->lock, flags);
		list_splice_init(&sb->delivered, &sb->replay);
		spin_unlock_irqrestore(&sb->lock, flags);
		if (sb->fail_mode == REDIRECT_FAIL_KILL) {
			rdr_sandbox_kill(sb, "its Sentry went away (fail mode kill)");
		} else if (sb->hold_timeout_ms) {
			/*
			 * One jiffy more: the current one is partly gone, and
			 * the sandbox must not die before its timeout.
			 */
			kref_get(&sb->ref);
			if (!queue_delayed_work(rdr_wq, &sb->hold_work,
						msecs_to_jiffies(sb->hold_timeout_ms) + 1))
				rdr_sandbox_put(sb);
		}
	}
	mutex_unlock(&rdr_sandboxes_mutex);
}

/* A new reference to @sb's listener, or NULL once the sandbox ended. */
struct file *rdr_sandbox_listener(struct rdr_sandbox *sb)
{
	struct file *file = NULL;
	unsigned long flags;

	spin_lock_irqsave(&sb->lock, flags);
	if (!sb->ended)
		file = get_file(sb->listener);
	spin_unlock_irqrestore(&sb->lock, flags);
	return file;
}

int rdr_sandbox_init(void)
{
	rdr_fastpath_cache = KMEM_CACHE(rdr_fastpath, 0);
	if (!rdr_fastpath_cache)
		return -ENOMEM;
	rdr_wq = alloc_workqueue("redirect", 0, 0);
	if (!rdr_wq) {
		kmem_cache_destroy(rdr_fastpath_cache);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Module exit. The module cannot unload while a sandbox exists (each holds a
 * module reference), so the table is empty here; what remains are RCU
 * callbacks freeing old rule sets.
 */
void rdr_sandbox_exit(void)
{
	WARN_ON(!xa_empty(&rdr_sandboxes));
	/* Waits for work items to return, not only to drop their references. */
	destroy_workqueue(rdr_wq);
	rcu_barrier();
	kmem_cache_destroy(rdr_fastpath_cache);
}
