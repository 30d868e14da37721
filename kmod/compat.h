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

#endif /* _RDR_COMPAT_H */
