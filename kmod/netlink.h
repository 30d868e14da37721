/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control plane: generic netlink family "redirect".
 */
#ifndef _RDR_NETLINK_H
#define _RDR_NETLINK_H

#include <linux/types.h>

int rdr_netlink_init(void);
void rdr_netlink_exit(void);
void rdr_event_audit(u32 sandbox_id, u32 nr, u32 verdict, s64 value, u32 rule);

#endif /* _RDR_NETLINK_H */
