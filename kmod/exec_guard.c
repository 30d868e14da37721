// SPDX-License-Identifier: GPL-2.0
/*
 * The exec guard: an exec the Sentry checked runs the file it checked, or fails.
 *
 * Why: seccomp's CONTINUE lets the kernel read the exec's path a second
 * time, after the Sentry checked its own copy; a target that swaps the
 * string in between would run a file its rules hide. The Sentry answers a
 * checked exec with REDIRECT_REPLY_CONTINUE_EXEC and its fd of the file it
 * resolved; the broker arms a slot for the trapped task with that file's
 * identity (rdr_exec_guard_arm()) and then continues the call. A binfmt
 * handler at the front of the kernel's list sees every exec's bprm->file,
 * the file the kernel actually opened, before any handler loads it: a task
 * with a slot consumes it, and a file other than the checked one fails the
 * exec with ENOENT (what a hidden name answers) before the point of no
 * return; otherwise -ENOEXEC hands the exec on to the real handlers. A
 * script's interpreter comes later (a second search) and finds no slot.
 *
 * Stale slots: an exec the kernel fails before any binfmt runs (the
 * swapped name does not exist, EACCES, E2BIG...) leaves its slot behind. It
 * must not refuse the task's next, legitimate exec, so a slot is cleared
 * whenever its task traps its next notification (rdr_exec_guard_forget(),
 * from the wake function, in that task) and when its sandbox ends. A slot
 * is armed only for a notified execve/execveat, i.e. in a sandbox whose
 * filter notifies every exec spelling: the Sentry's policies notify execve
 * and execveat without conditions (AT_EMPTY_PATH included, i.e. fexecve,
 * which the Sentry checks on the fd's own file), so a task's next exec
 * traps, and clears a stale slot, before it can reach the handler. A slot
 * whose task exited is never consumed; such slots are reaped when the
 * table grows (RDR_EXEC_REAP_AT) and with their sandbox.
 *
 * Identity: the slot holds the checked file itself, and the exec's file must
 * have the same inode. Device and inode numbers are not enough: btrfs
 * subvolumes share one s_dev, overlayfs leaves i_generation zero, 9p's
 * inode numbers are the host's; an inode held by the slot stays in the
 * cache, so the kernel's own lookup of the same file finds the very same
 * struct inode.
 *
 * binfmt_misc registers at the front as well: loaded after this module, it
 * runs first and may already have swapped the exec's file for its
 * interpreter (bprm->interp no longer the name the task gave). With a slot,
 * such an exec is refused: the checked file cannot be compared any more.
 *
 * Lifetimes: a slot holds a reference to its task (the key), so a task
 * address in the table is never a new task's, and one to the checked file;
 * fput() may run in atomic context (it defers the release). Slots taken
 * out in the trapped task (wake function, binfmt) drop a reference to
 * current, never the last one. A slot armed for a sandbox that has ended
 * meanwhile is not kept (@ended read under the table's lock, which the end's
 * sweep takes after setting it).
 * The common case, no slot anywhere, costs the handler one atomic read.
 */
#include "exec_guard.h"

#include <linux/binfmts.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

/* Slots beyond this many trigger a reap of the exited tasks' slots. */
#define RDR_EXEC_REAP_AT 1024

struct rdr_exec_slot {
	struct hlist_node node;
	struct task_struct *task; /* referenced: the key */
	u32 sandbox_id;
	struct file *file; /* referenced: the checked file */
};

/* The wake function takes it with interrupts off: always irqsave. */
static DEFINE_SPINLOCK(rdr_exec_lock);
static DEFINE_HASHTABLE(rdr_exec_slots, 7);
static atomic_t rdr_exec_nr = ATOMIC_INIT(0); /* slots in the table */

static struct rdr_exec_slot *rdr_exec_find(struct task_struct *task)
{
	struct rdr_exec_slot *slot;

	lockdep_assert_held(&rdr_exec_lock);
	hash_for_each_possible(rdr_exec_slots, slot, node, (unsigned long)task)
		if (slot->task == task)
			return slot;
	return NULL;
}

/* Take @task's slot out of the table; NULL if it has none. */
static struct rdr_exec_slot *rdr_exec_take(struct task_struct *task)
{
	struct rdr_exec_slot *slot;
	unsigned long flags;

	if (likely(!atomic_read(&rdr_exec_nr)))
		return NULL;
	spin_lock_irqsave(&rdr_exec_lock, flags);
	slot = rdr_exec_find(task);
	if (slot) {
		hash_del(&slot->node);
		atomic_dec(&rdr_exec_nr);
	}
	spin_unlock_irqrestore(&rdr_exec_lock, flags);
	return slot;
}

/* Any context; the last task reference may go only in process context. */
static void rdr_exec_slot_free(struct rdr_exec_slot *slot)
{
	fput(slot->file);
	put_task_struct(slot->task);
	kfree(slot);
}

/*
 * Take out every slot @match selects (process context), then free them
 * outside the lock: a task reference dropped there may be the last.
 */
static void rdr_exec_sweep(bool (*match)(const struct rdr_exec_slot *, u32), u32 arg)
{
	struct rdr_exec_slot *slot;
	struct hlist_node *tmp;
	unsigned long flags;
	HLIST_HEAD(gone);
	int bkt;

	spin_lock_irqsave(&rdr_exec_lock, flags);
	hash_for_each_safe(rdr_exec_slots, bkt, tmp, slot, node) {
		if (!match(slot, arg))
			continue;
		hash_del(&slot->node);
		atomic_dec(&rdr_exec_nr);
		hlist_add_head(&slot->node, &gone);
	}
	spin_unlock_irqrestore(&rdr_exec_lock, flags);
	hlist_for_each_entry_safe(slot, tmp, &gone, node)
		rdr_exec_slot_free(slot);
}

static bool rdr_exec_of_sandbox(const struct rdr_exec_slot *slot, u32 sandbox_id)
{
	return slot->sandbox_id == sandbox_id;
}

/* An exiting task execs no more: its slot can only be stale. */
static bool rdr_exec_task_gone(const struct rdr_exec_slot *slot, u32 unused)
{
	return READ_ONCE(slot->task->flags) & PF_EXITING;
}

static bool rdr_exec_any(const struct rdr_exec_slot *slot, u32 unused)
{
	return true;
}

int rdr_exec_guard_arm(struct task_struct *task, u32 sandbox_id, const bool *ended, int fd)
{
	struct rdr_exec_slot *slot, *old = NULL;
	unsigned long flags;
	struct file *file;
	bool gone;

	/* _raw: the Sentry resolves paths to O_PATH fds. */
	file = fget_raw(fd);
	if (!file)
		return -EBADF;
	slot = kmalloc(sizeof(*slot), GFP_KERNEL);
	if (!slot) {
		fput(file);
		return -ENOMEM;
	}
	slot->file = file;
	get_task_struct(task);
	slot->task = task;
	slot->sandbox_id = sandbox_id;

	if (atomic_read(&rdr_exec_nr) >= RDR_EXEC_REAP_AT)
		rdr_exec_sweep(rdr_exec_task_gone, 0);
	spin_lock_irqsave(&rdr_exec_lock, flags);
	gone = READ_ONCE(*ended);
	if (!gone) {
		/* A slot left by an earlier reply for the same task (see broker.c). */
		old = rdr_exec_find(task);
		if (old)
			hash_del(&old->node);
		else
			atomic_inc(&rdr_exec_nr);
		hash_add(rdr_exec_slots, &slot->node, (unsigned long)task);
	}
	spin_unlock_irqrestore(&rdr_exec_lock, flags);
	if (old)
		rdr_exec_slot_free(old);
	if (gone) {
		rdr_exec_slot_free(slot);
		return -ENOENT;
	}
	return 0;
}

void rdr_exec_guard_forget(void)
{
	struct rdr_exec_slot *slot = rdr_exec_take(current);

	if (slot)
		rdr_exec_slot_free(slot);
}

void rdr_exec_guard_sandbox_end(u32 sandbox_id)
{
	if (atomic_read(&rdr_exec_nr))
		rdr_exec_sweep(rdr_exec_of_sandbox, sandbox_id);
}

/*
 * First handler of every exec, and of every interpreter search after it.
 * -ENOEXEC: not ours to load, the next handler looks at it; any other
 * error ends the exec (nothing of the old image is gone yet).
 */
static int rdr_exec_guard_load(struct linux_binprm *bprm)
{
	struct rdr_exec_slot *slot = rdr_exec_take(current);
	bool same;

	if (!slot)
		return -ENOEXEC;
	same = file_inode(bprm->file) == file_inode(slot->file) &&
	       bprm->interp == bprm->filename;
	rdr_exec_slot_free(slot);
	if (same)
		return -ENOEXEC;
	pr_info_ratelimited("pid %d: exec of a file other than the one checked refused\n",
			    task_pid_nr(current));
	return -ENOENT;
}

static struct linux_binfmt rdr_exec_guard_format = {
	.module = THIS_MODULE,
	.load_binary = rdr_exec_guard_load,
};

void rdr_exec_guard_init(void)
{
	/* At the front: it must see the file before a handler loads it. */
	insert_binfmt(&rdr_exec_guard_format);
}

void rdr_exec_guard_exit(void)
{
	unregister_binfmt(&rdr_exec_guard_format);
	/* Every sandbox ended before unload and took its slots along. */
	if (atomic_read(&rdr_exec_nr))
		pr_warn("exec guard: %d slots left at unload\n", atomic_read(&rdr_exec_nr));
	rdr_exec_sweep(rdr_exec_any, 0);
}
