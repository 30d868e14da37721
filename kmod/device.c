// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/redirect misc device: one session per open file, ioctl dispatch.
 */
#include "device.h"
#include "ioctl.h"
#include "session.h"
#include "sandbox.h"
#include "broker.h"

#include <linux/redirect.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

static int rdr_device_open(struct inode *inode, struct file *file)
{
	struct rdr_session *session;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = nonseekable_open(inode, file);
	if (ret)
		return ret;
	session = rdr_session_create();
	if (!session)
		return -ENOMEM;
	file->private_data = session;
	return 0;
}

static int rdr_device_release(struct inode *inode, struct file *file)
{
	rdr_session_destroy(file->private_data);
	return 0;
}

struct rdr_feature_ioctl {
	unsigned int cmd;
	u64 feature;
	long (*fn)(struct rdr_session *session, void __user *uarg, size_t usize);
};

static const struct rdr_feature_ioctl rdr_feature_ioctls[] = {
	{ REDIRECT_IOC_ATTACH, REDIRECT_FEATURE_ATTACH, rdr_sandbox_attach },
	{ REDIRECT_IOC_SET_RULES, REDIRECT_FEATURE_FASTPATH, rdr_sandbox_set_rules },
	{ REDIRECT_IOC_ADOPT, REDIRECT_FEATURE_CUSTODY, rdr_sandbox_adopt },
	{ REDIRECT_IOC_BROKER, REDIRECT_FEATURE_BROKER, rdr_broker_ioctl },
};

/* The feature ioctl with @cmd's number (any direction and size), or NULL. */
static const struct rdr_feature_ioctl *rdr_feature_ioctl_find(unsigned int cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rdr_feature_ioctls); i++)
		if (_IOC_NR(cmd) == _IOC_NR(rdr_feature_ioctls[i].cmd))
			return &rdr_feature_ioctls[i];
	return NULL;
}

/* An ioctl of one of the features: it must have been enabled by the handshake. */
static long rdr_device_feature_ioctl(struct rdr_session *session,
				     const struct rdr_feature_ioctl *fi, unsigned int cmd,
				     void __user *uarg)
{
	/* Extensible: match number and direction, take the size as given. */
	if (_IOC_DIR(cmd) != _IOC_DIR(fi->cmd))
		return -ENOTTY;
	if (!(session->features & fi->feature))
		return -EOPNOTSUPP;
	return fi->fn(session, uarg, _IOC_SIZE(cmd));
}

static __poll_t rdr_device_poll(struct file *file, poll_table *wait)
{
	struct rdr_session *session = file->private_data;

	poll_wait(file, &session->wq, wait);
	return rdr_session_has_work(session) ? EPOLLIN | EPOLLRDNORM : 0;
}

static long rdr_device_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct rdr_session *session = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct rdr_feature_ioctl *fi;
	int ret;

	switch (rdr_ioctl_classify(cmd)) {
	case RDR_IOCTL_HANDSHAKE:
		return rdr_session_handshake(session, uarg, _IOC_SIZE(cmd));
	case RDR_IOCTL_RESERVED:
		/* A number in the range that no feature has: unknown, as any other. */
		fi = rdr_feature_ioctl_find(cmd);
		if (!fi)
			return -ENOTTY;
		ret = rdr_session_gate(rdr_session_state(session), RDR_IOCTL_RESERVED);
		if (ret)
			return ret;
		return rdr_device_feature_ioctl(session, fi, cmd, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations rdr_device_fops = {
	.owner = THIS_MODULE,
	.open = rdr_device_open,
	.release = rdr_device_release,
	.unlocked_ioctl = rdr_device_ioctl,
	.poll = rdr_device_poll,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice rdr_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = REDIRECT_DEVICE_NAME,
	.fops = &rdr_device_fops,
	.mode = 0600,
};

int rdr_device_init(void)
{
	return misc_register(&rdr_miscdev);
}

void rdr_device_uninit(void)
{
	misc_deregister(&rdr_miscdev);
}
