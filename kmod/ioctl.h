/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Classification of /dev/redirect ioctl numbers and extensible-struct sizes.
 */
#ifndef _RDR_IOCTL_H
#define _RDR_IOCTL_H

#include <linux/types.h>

enum rdr_ioctl_class {
	RDR_IOCTL_UNKNOWN,	/* not ours: -ENOTTY */
	RDR_IOCTL_HANDSHAKE,	/* REDIRECT_IOC_HANDSHAKE, any size */
	RDR_IOCTL_RESERVED,	/* numbers kept for planned features */
};

enum rdr_ioctl_class rdr_ioctl_classify(unsigned int cmd);
int rdr_ioctl_check_size(size_t usize, size_t size_ver0);

#endif /* _RDR_IOCTL_H */
