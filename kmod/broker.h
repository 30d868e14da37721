/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The broker: the Sentry's batched reply-and-fetch ioctl.
 */
#ifndef _RDR_BROKER_H
#define _RDR_BROKER_H

#include <linux/redirect.h>
#include <linux/types.h>

struct rdr_session;

struct rdr_reply_page;

int rdr_reply_check(const struct redirect_reply *r);
void rdr_reply_page_free(struct rdr_reply_page *rp);

long rdr_broker_ioctl(struct rdr_session *session, void __user *uarg, size_t usize);
bool rdr_session_has_work(struct rdr_session *session);

#endif /* _RDR_BROKER_H */
