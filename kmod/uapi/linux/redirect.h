/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * User/kernel contract of redirect.ko: the /dev/redirect ioctl interface.
 *
 * Protocol
 * ========
 *
 * A client opens REDIRECT_DEVICE. The node is root's with mode 0600 (others
 * get EACCES), and the opener also needs CAP_SYS_ADMIN in the initial user
 * namespace (EPERM otherwise). Each open file is one session. The first ioctl of every session must
 * be REDIRECT_IOC_HANDSHAKE: the client states the API version it speaks and
 * the features it wants, and the module answers with its own API version, the
 * features it enabled for this session and every feature it implements. A
 * session handshakes exactly once; a failed handshake leaves the session fresh,
 * so the client may correct the request and try again.
 *
 * Extensible structures
 * ---------------------
 *
 * Structures passed by ioctl may grow at their end in later versions. The
 * size the caller compiled against travels in the ioctl number itself
 * (_IOC_SIZE(cmd)), so REDIRECT_IOC_HANDSHAKE stands for every size, in the
 * manner of copy_struct_from_user(): a size below the first version's
 * (REDIRECT_HANDSHAKE_SIZE_VER0) fails with EINVAL, a size above the page
 * size with E2BIG. Bytes beyond the structure the module knows must be zero
 * (E2BIG otherwise); bytes the caller did not send count as zero. The module
 * writes back at most the caller's size and never touches bytes beyond the
 * structure it knows.
 *
 * Fields marked "in" must be set by the caller; reserved and padding fields
 * must be zero (EINVAL otherwise). Fields marked "out" are written by the
 * module; their input value is ignored.
 *
 * REDIRECT_IOC_HANDSHAKE (struct redirect_handshake)
 * --------------------------------------------------
 *
 * in:  api_version  REDIRECT_API_VERSION of the caller's header
 *      pad          zero
 *      features     REDIRECT_FEATURE_* bits wanted for this session
 * out: api_version  REDIRECT_API_VERSION of the module
 *      features     the bits enabled: on success exactly the bits wanted
 *      supported    every REDIRECT_FEATURE_* bit the module implements
 *
 * Errors, checked in this order; the first that applies is returned:
 *
 *   ENOTTY           not an ioctl of this device: wrong magic, unknown
 *                    number, or the handshake number with a direction
 *                    other than _IOC_READ | _IOC_WRITE
 *   EINVAL           _IOC_SIZE(cmd) < REDIRECT_HANDSHAKE_SIZE_VER0
 *   E2BIG            _IOC_SIZE(cmd) > the page size
 *   EBUSY            the session has already handshaken
 *   EFAULT           the structure could not be read or written back
 *   E2BIG            non-zero bytes beyond the structure the module knows
 *   EINVAL           pad is not zero
 *   EPROTONOSUPPORT  api_version differs from the module's
 *   EOPNOTSUPP       features holds a bit outside supported
 *
 * On EPROTONOSUPPORT and EOPNOTSUPP the module still writes the structure
 * back, with api_version and supported filled in and features zero (nothing
 * was enabled), so that the caller can learn what to ask for and retry. On
 * every other error it writes nothing. Only a handshake whose answer was
 * written back completely succeeds; after any error the session is still new.
 *
 * Every other ioctl
 * -----------------
 *
 *   ENOTTY           not an ioctl of this device
 *   EPROTO           an ioctl of this device issued before the handshake
 *
 * Numbers REDIRECT_IOC_NR_RESERVED_FIRST to REDIRECT_IOC_NR_RESERVED_LAST
 * (any direction and size) belong to the ioctls of the planned features, and
 * the module already knows them: before the handshake they fail with EPROTO,
 * after it with EOPNOTSUPP until the feature that owns them is implemented
 * and enabled. Larger numbers are unknown (ENOTTY).
 */
#ifndef _UAPI_LINUX_REDIRECT_H
#define _UAPI_LINUX_REDIRECT_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define REDIRECT_DEVICE "/dev/redirect"
#define REDIRECT_DEVICE_NAME "redirect"

#define REDIRECT_API_VERSION 1

/* Not registered in ioctl-number.rst; free in Linux 6.1. */
#define REDIRECT_IOC_MAGIC 0xD7

/*
 * Feature bits. Names are reserved for everything planned; the handshake's
 * supported field says which ones the running module implements.
 */
/* Attach seccomp user-notification listeners to a session. */
#define REDIRECT_FEATURE_ATTACH ((__u64)1 << 0)
/* Tier-1 rules evaluated in the trapped task's context. */
#define REDIRECT_FEATURE_FASTPATH ((__u64)1 << 1)
/* RECV/SEND/ADDFD on the listener performed by the module for the Sentry. */
#define REDIRECT_FEATURE_BROKER ((__u64)1 << 2)
/* The module keeps listeners and pending requests across Sentry restarts. */
#define REDIRECT_FEATURE_CUSTODY ((__u64)1 << 3)
/* The "redirect" generic-netlink family (control, stats, events). */
#define REDIRECT_FEATURE_NETLINK ((__u64)1 << 4)

struct redirect_handshake {
	__u32 api_version;	/* in: caller's version; out: module's */
	__u32 pad;		/* in: zero */
	__u64 features;		/* in: wanted; out: enabled */
	__u64 supported;	/* out: implemented by the module */
};

#define REDIRECT_HANDSHAKE_SIZE_VER0 24	/* sizeof first published struct */

#define REDIRECT_IOC_NR_HANDSHAKE 0x00
#define REDIRECT_IOC_NR_RESERVED_FIRST 0x01
#define REDIRECT_IOC_NR_RESERVED_LAST 0x1f

#define REDIRECT_IOC_HANDSHAKE \
	_IOWR(REDIRECT_IOC_MAGIC, REDIRECT_IOC_NR_HANDSHAKE, struct redirect_handshake)

#endif /* _UAPI_LINUX_REDIRECT_H */
