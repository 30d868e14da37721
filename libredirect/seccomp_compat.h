/* SPDX-License-Identifier: GPL-2.0 */
/* seccomp's notification additions of Linux 6.6 missing from Debian 12's headers. */
#ifndef REDIRECT_SECCOMP_COMPAT_H
#define REDIRECT_SECCOMP_COMPAT_H

#include <linux/seccomp.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#endif
