/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernel versions redirect.ko builds for; force-included.
 */
#ifndef _RDR_COMPAT_H
#define _RDR_COMPAT_H

#include <linux/version.h>

/*
 * The oldest kernel make check tests. Older ones lack what the module uses
 * (TWA_SIGNAL, copy_from_user_nofault(), SECCOMP_IOCTL_NOTIF_ADDFD, killable
 * RECV waits), and no compat code for them exists here.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "redirect.ko needs Linux 6.1 or newer; README.md, 'Kernels', says how to build for another"
#endif

/* Symbol namespaces became string literals in 6.13. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define RDR_KUNIT_NS "REDIRECT_KUNIT"
#else
#define RDR_KUNIT_NS REDIRECT_KUNIT
#endif

/*
 * A dump's parsed attributes: 6.2 ("genetlink: use struct genl_info for
 * dumps") moved them from genl_dumpit_info.attrs into an embedded genl_info.
 * A macro, so that this file needs no networking headers.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define rdr_genl_dump_attrs(cb) (genl_dumpit_info(cb)->info.attrs)
#else
#define rdr_genl_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#endif

/*
 * The struct pid behind a pidfd, or NULL when @file is no pidfd. The kernel's
 * pidfd_pid() is not exported, so this follows its two implementations:
 * - 6.9+ (pidfs, header probe PID_FS_MAGIC): a pidfs inode, i_private = pid;
 * - before: anon_inode_getfile("[pidfd]", &pidfd_fops, pid), private_data = pid.
 * Only the kernel makes files on either file system, so the check cannot be
 * spoofed from user space. Not seccomp's or pidfd's documented API: covered
 * per kernel by every module-mode suite (each attaches with a pidfd).
 */
#include <linux/magic.h>
#ifdef PID_FS_MAGIC
#define rdr_pidfd_pid(file)						\
	(file_inode(file)->i_sb->s_magic == PID_FS_MAGIC ?		\
	 (struct pid *)file_inode(file)->i_private : NULL)
#else
#define rdr_pidfd_pid(file)						\
	(file_inode(file)->i_sb->s_magic == ANON_INODE_FS_MAGIC &&	\
	 !strcmp((file)->f_path.dentry->d_name.name, "[pidfd]") ?	\
	 (struct pid *)(file)->private_data : NULL)
#endif

#endif /* _RDR_COMPAT_H */
