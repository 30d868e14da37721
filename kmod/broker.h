/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The broker: the Sentry's batched reply-and-fetch ioctl.
 */
#ifndef _RDR_BROKER_H
#define _RDR_BROKER_H

#include <linux/redirect.h>
#include <linux/types.h>

struct rdr_sandbox;
struct rdr_session;

struct rdr_reply_page;

/* How a reply left its call: still waiting, answered, or gone (not answerable). */
enum rdr_reply_outcome {
	RDR_REPLY_WAITS,
	RDR_REPLY_ANSWERED,
	RDR_REPLY_GONE,
};

int rdr_reply_check(const struct redirect_reply *r);
int rdr_delivered_claim(struct rdr_sandbox *sb, u64 id, s32 *installed);
void rdr_delivered_release(struct rdr_sandbox *sb, u64 id, enum rdr_reply_outcome outcome,
			   s32 installed);
void rdr_reply_page_free(struct rdr_reply_page *rp);

long rdr_broker_ioctl(struct rdr_session *session, void __user *uarg, size_t usize);
bool rdr_session_has_work(struct rdr_session *session);

#endif /* _RDR_BROKER_H */
