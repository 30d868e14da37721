/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exec guard: an exec the Sentry checked runs the file it checked, or fails.
 */
#ifndef _RDR_EXEC_GUARD_H
#define _RDR_EXEC_GUARD_H

#include <linux/types.h>

struct task_struct;

/* Arm @task's slot with the file of the caller's @fd (process context). */
int rdr_exec_guard_arm(struct task_struct *task, u32 sandbox_id, const bool *ended, int fd);
/* current trapped a notification: its slot, if any, is stale (any context). */
void rdr_exec_guard_forget(void);
/* Drop the slots armed for a sandbox that ended (process context). */
void rdr_exec_guard_sandbox_end(u32 sandbox_id);

void rdr_exec_guard_init(void);
void rdr_exec_guard_exit(void);

#endif /* _RDR_EXEC_GUARD_H */
