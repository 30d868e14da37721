// SPDX-License-Identifier: GPL-2.0
/*
 * Per-open session of /dev/redirect: the handshake state machine.
 */
#include "session.h"
#include "main.h"
#include "sandbox.h"
#include "broker.h"

#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

struct rdr_session *rdr_session_create(void)
{
	struct rdr_session *session = kzalloc(sizeof(*session), GFP_KERNEL);

	if (!session)
		return NULL;
	mutex_init(&session->lock);
	mutex_init(&session->reply_page.lock);
	init_waitqueue_head(&session->reply_page.wq);
	session->state = RDR_SESSION_NEW;
	INIT_LIST_HEAD(&session->sandboxes);
	init_waitqueue_head(&session->wq);
	return session;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_session_create);

void rdr_session_destroy(struct rdr_session *session)
{
	/* Its sandboxes go into custody; see rdr_sandbox_release_session(). */
	rdr_sandbox_release_session(session);
	rdr_reply_page_free(&session->reply_page);
	mutex_destroy(&session->lock);
	kfree_rcu(session, rcu);
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_session_destroy);

/*
 * May an ioctl of class @cls run in a session in @state? The handshake only
 * in a new session, everything else only after it.
 */
int rdr_session_gate(enum rdr_session_state state, enum rdr_ioctl_class cls)
{
	switch (cls) {
	case RDR_IOCTL_HANDSHAKE:
		return state == RDR_SESSION_NEW ? 0 : -EBUSY;
	case RDR_IOCTL_RESERVED:
		return state == RDR_SESSION_NEW ? -EPROTO : 0;
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_session_gate);

/*
 * Check a handshake request against the module's @supported features and
 * fill in the answer. On -EINVAL @hs is left as it was; on success,
 * -EPROTONOSUPPORT and -EOPNOTSUPP it holds the answer to copy back.
 */
int rdr_handshake_negotiate(struct redirect_handshake *hs, u64 supported)
{
	u64 wanted = hs->features;
	int ret = 0;

	if (hs->pad || hs->pad2)
		return -EINVAL;
	if (hs->api_version != REDIRECT_API_VERSION)
		ret = -EPROTONOSUPPORT;
	/*
	 * The broker's records embed seccomp's structures: a caller built
	 * against headers where they have another size would misread every
	 * record. It must say what it was built with (a caller of the first
	 * version, which cannot, gets no broker).
	 */
	else if ((wanted & REDIRECT_FEATURE_BROKER) &&
		 (hs->notif_size != sizeof(struct seccomp_notif) ||
		  hs->resp_size != sizeof(struct seccomp_notif_resp) ||
		  hs->addfd_size != sizeof(struct seccomp_notif_addfd)))
		ret = -EPROTONOSUPPORT;
	else if (wanted & ~supported)
		ret = -EOPNOTSUPP;

	hs->api_version = REDIRECT_API_VERSION;
	hs->features = ret ? 0 : wanted;
	hs->supported = supported;
	hs->notif_size = sizeof(struct seccomp_notif);
	hs->resp_size = sizeof(struct seccomp_notif_resp);
	hs->addfd_size = sizeof(struct seccomp_notif_addfd);
	return ret;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_handshake_negotiate);

/* Does the caller get the structure back after rdr_handshake_negotiate()? */
bool rdr_handshake_writes_back(int ret)
{
	return !ret || ret == -EPROTONOSUPPORT || ret == -EOPNOTSUPP;
}
EXPORT_SYMBOL_IF_RDR_KUNIT(rdr_handshake_writes_back);

long rdr_session_handshake(struct rdr_session *session, void __user *uarg, size_t usize)
{
	struct redirect_handshake hs = {};
	int ret;

	ret = rdr_ioctl_check_size(usize, REDIRECT_HANDSHAKE_SIZE_VER0);
	if (ret)
		return ret;

	/*
	 * The lock is held across the user copies so that of two racing
	 * handshakes exactly one succeeds, and a handshake whose answer
	 * cannot be written back (-EFAULT) leaves the session new.
	 */
	mutex_lock(&session->lock);
	ret = rdr_session_gate(session->state, RDR_IOCTL_HANDSHAKE);
	if (ret)
		goto out;
	ret = copy_struct_from_user(&hs, sizeof(hs), uarg, usize);
	if (ret)
		goto out;
	ret = rdr_handshake_negotiate(&hs, RDR_FEATURES_SUPPORTED);
	if (!rdr_handshake_writes_back(ret))
		goto out;
	if (copy_to_user(uarg, &hs, min(usize, sizeof(hs)))) {
		ret = -EFAULT;
		goto out;
	}
	if (!ret) {
		session->features = hs.features;
		/* Pairs with smp_load_acquire() in rdr_session_state(). */
		smp_store_release(&session->state, RDR_SESSION_READY);
	}
out:
	mutex_unlock(&session->lock);
	return ret;
}
