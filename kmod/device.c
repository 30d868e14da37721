// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/redirect misc device: one session per open file, ioctl dispatch.
 */
#include "device.h"
#include "ioctl.h"
#include "session.h"

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

static long rdr_device_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct rdr_session *session = file->private_data;
	void __user *uarg = (void __user *)arg;
	int ret;

	switch (rdr_ioctl_classify(cmd)) {
	case RDR_IOCTL_HANDSHAKE:
		return rdr_session_handshake(session, uarg, _IOC_SIZE(cmd));
	case RDR_IOCTL_RESERVED:
		ret = rdr_session_gate(rdr_session_state(session), RDR_IOCTL_RESERVED);
		/* No feature owning a reserved number is implemented yet. */
		return ret ?: -EOPNOTSUPP;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations rdr_device_fops = {
	.owner = THIS_MODULE,
	.open = rdr_device_open,
	.release = rdr_device_release,
	.unlocked_ioctl = rdr_device_ioctl,
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
