/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide definitions of redirect.ko.
 */
#ifndef _RDR_MAIN_H
#define _RDR_MAIN_H

#include <linux/export.h>

#define RDR_VERSION "0.1.0"

/*
 * Pure logic is exported to the KUnit module redirect_kunit.ko, in a
 * namespace of its own, and only on kernels that have KUnit (like the
 * kernel's EXPORT_SYMBOL_IF_KUNIT(), which uses a namespace shared by all).
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_IF_RDR_KUNIT(sym) EXPORT_SYMBOL_NS_GPL(sym, RDR_KUNIT_NS)
#else
#define EXPORT_SYMBOL_IF_RDR_KUNIT(sym)
#endif

#endif /* _RDR_MAIN_H */
