// SPDX-License-Identifier: GPL-2.0
/*
 * redirect.ko: module entry points; the UAPI layout is pinned here.
 */
#include "main.h"
#include "device.h"
#include "exec_guard.h"
#include "session.h"
#include "sandbox.h"
#include "netlink.h"
#include "rules.h"

#include <linux/redirect.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/ioctl.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/stddef.h>

static void __init rdr_assert_uapi_layout(void)
{
	BUILD_BUG_ON(sizeof(struct redirect_handshake) != REDIRECT_HANDSHAKE_SIZE_VER1);
	BUILD_BUG_ON(offsetofend(struct redirect_handshake, supported) !=
		     REDIRECT_HANDSHAKE_SIZE_VER0);
	BUILD_BUG_ON(offsetof(struct redirect_handshake, notif_size) != 24);
	BUILD_BUG_ON(offsetof(struct redirect_handshake, api_version) != 0);
	BUILD_BUG_ON(offsetof(struct redirect_handshake, pad) != 4);
	BUILD_BUG_ON(offsetof(struct redirect_handshake, features) != 8);
	BUILD_BUG_ON(offsetof(struct redirect_handshake, supported) != 16);
	BUILD_BUG_ON(_IOC_SIZE(REDIRECT_IOC_HANDSHAKE) != sizeof(struct redirect_handshake));
	BUILD_BUG_ON(REDIRECT_HANDSHAKE_SIZE_VER0 > PAGE_SIZE);
	BUILD_BUG_ON(REDIRECT_IOC_NR_RESERVED_FIRST <= REDIRECT_IOC_NR_HANDSHAKE);
	BUILD_BUG_ON(REDIRECT_IOC_NR_RESERVED_LAST > _IOC_NRMASK);
	BUILD_BUG_ON(sizeof(struct redirect_attach) != REDIRECT_ATTACH_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct redirect_rules) != REDIRECT_RULES_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct redirect_adopt) != REDIRECT_ADOPT_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct redirect_broker) != REDIRECT_BROKER_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct redirect_rule) != 304);
	BUILD_BUG_ON(sizeof(struct redirect_arg_cmp) != 24);
	BUILD_BUG_ON(sizeof(struct redirect_reply) != 64);
	BUILD_BUG_ON(sizeof(struct redirect_request) != 8 + sizeof(struct seccomp_notif));
	BUILD_BUG_ON(_IOC_NR(REDIRECT_IOC_BROKER) > REDIRECT_IOC_NR_RESERVED_LAST);
	BUILD_BUG_ON(REDIRECT_RULES_MAX > U16_MAX);	/* struct rdr_nr_span */
	BUILD_BUG_ON(RDR_ERRNO_RESTART_FIRST != ERESTARTSYS);
	BUILD_BUG_ON(RDR_ERRNO_RESTART_LAST != ERESTART_RESTARTBLOCK);
}

static int __init rdr_mod_init(void)
{
	int ret;

	rdr_assert_uapi_layout();
	ret = rdr_sandbox_init();
	if (ret)
		return ret;
	ret = rdr_netlink_init();
	if (ret)
		goto err_sandbox;
	/* Before the device: no CONTINUE_EXEC can come without the handler. */
	rdr_exec_guard_init();
	/* Last: once the device exists, sessions can attach sandboxes. */
	ret = rdr_device_init();
	if (ret)
		goto err_exec_guard;
	pr_info("redirect " RDR_VERSION " loaded, API version %d\n", REDIRECT_API_VERSION);
	return 0;

err_exec_guard:
	rdr_exec_guard_exit();
	rdr_netlink_exit();
err_sandbox:
	rdr_sandbox_exit();
	return ret;
}

static void __exit rdr_mod_exit(void)
{
	rdr_device_uninit();
	rdr_exec_guard_exit();
	rdr_netlink_exit();
	rdr_sandbox_exit();
}

module_init(rdr_mod_init);
module_exit(rdr_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Syscall redirector for containers: seccomp user-notification fast path");
MODULE_VERSION(RDR_VERSION);
