/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernel versions redirect.ko builds for; force-included.
 */
#ifndef _RDR_COMPAT_H
#define _RDR_COMPAT_H

#include <linux/version.h>

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

#endif /* _RDR_COMPAT_H */
