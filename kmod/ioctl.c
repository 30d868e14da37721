// SPDX-License-Identifier: GPL-2.0
/*
 * Classification of /dev/redirect ioctl numbers and extensible-struct sizes.
 */
#include "ioctl.h"
#include "main.h"

#include <linux/redirect.h>
#include <linux/ioctl.h>
#include <linux/errno.h>
#include <linux/mm.h>

/*
 * The size in an extensible ioctl's number is the caller's struct size, so
 * the handshake is recognised by magic, number and direction alone.
 */
enum rdr_ioctl_class rdr_ioctl_classify(unsigned int cmd)
{
	if (_IOC_TYPE(cmd) != REDIRECT_IOC_MAGIC)
		return RDR_IOCTL_UNKNOWN;
	if (_IOC_NR(cmd) == REDIRECT_IOC_NR_HANDSHAKE)
		return _IOC_DIR(cmd) == _IOC_DIR(REDIRECT_IOC_HANDSHAKE) ?
		       RDR_IOCTL_HANDSHAKE : RDR_IOCTL_UNKNOWN;
	if (_IOC_NR(cmd) >= REDIRECT_IOC_NR_RESERVED_FIRST &&
	    _IOC_NR(cmd) <= REDIRECT_IOC_NR_RESERVED_LAST)
		return RDR_IOCTL_RESERVED;
	return RDR_IOCTL_UNKNOWN;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_ioctl_classify);

/* The size rules of copy_struct_from_user() callers. */
int rdr_ioctl_check_size(size_t usize, size_t size_ver0)
{
	if (usize < size_ver0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	return 0;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_ioctl_check_size);
