// SPDX-License-Identifier: GPL-2.0
/*
 * kselftests of /dev/redirect: who may open it and the handshake's errno contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>

#include <linux/capability.h>
#include <linux/redirect.h>
#include <linux/seccomp.h>

#include "kselftest_harness.h"

#define NOBODY 65534

/* Every feature bit this header names; a module reports no other. */
#define FEATURES_NAMED                                                                   \
	(REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_FASTPATH | REDIRECT_FEATURE_BROKER | \
	 REDIRECT_FEATURE_CUSTODY | REDIRECT_FEATURE_NETLINK | REDIRECT_FEATURE_EXEC_GUARD)

/* REDIRECT_IOC_HANDSHAKE as compiled by a caller whose struct has @size bytes. */
#define HANDSHAKE_IOC(size) \
	_IOC(_IOC_READ | _IOC_WRITE, REDIRECT_IOC_MAGIC, REDIRECT_IOC_NR_HANDSHAKE, (size))

/* Open the device, or SKIP the test when there is nothing to test. */
#define OPEN_DEVICE(fd) do {							\
	(fd) = open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC);			\
	if ((fd) < 0 && errno == ENOENT)					\
		SKIP(return, REDIRECT_DEVICE " absent: redirect.ko not loaded");\
	if ((fd) < 0 && geteuid() != 0)						\
		SKIP(return, "opening " REDIRECT_DEVICE " needs root");	\
	ASSERT_LE(0, (fd)) TH_LOG("open %s: %s", REDIRECT_DEVICE, strerror(errno)); \
} while (0)

static struct redirect_handshake request(__u64 wanted)
{
	return (struct redirect_handshake){
		.api_version = REDIRECT_API_VERSION,
		.features = wanted,
		.notif_size = sizeof(struct seccomp_notif),
		.resp_size = sizeof(struct seccomp_notif_resp),
		.addfd_size = sizeof(struct seccomp_notif_addfd),
	};
}

static int handshake(int fd, struct redirect_handshake *hs)
{
	return ioctl(fd, REDIRECT_IOC_HANDSHAKE, hs);
}

/* Become uid/gid nobody; keep exactly the capabilities in @caps (bits). */
static int drop_to_nobody(__u64 caps)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (prctl(PR_SET_KEEPCAPS, caps ? 1 : 0, 0, 0, 0))
		return -1;
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	data[0].effective = data[0].permitted = (__u32)caps;
	data[1].effective = data[1].permitted = (__u32)(caps >> 32);
	return syscall(SYS_capset, &hdr, data);
}

TEST(handshake_ok)
{
	struct redirect_handshake hs = request(0);
	int fd;

	OPEN_DEVICE(fd);
	hs.supported = ~0ULL;	/* output only: its input is ignored */
	ASSERT_EQ(0, handshake(fd, &hs)) TH_LOG("handshake: %s", strerror(errno));
	EXPECT_EQ(REDIRECT_API_VERSION, hs.api_version);
	EXPECT_EQ(0, hs.pad);
	EXPECT_EQ(0, hs.features);
	EXPECT_EQ(0, hs.supported & ~FEATURES_NAMED)
		TH_LOG("supported %#llx has unnamed bits", hs.supported);
	close(fd);
}

TEST(handshake_supported_features_enabled)
{
	struct redirect_handshake hs = request(0);
	__u64 supported;
	int fd;

	OPEN_DEVICE(fd);
	ASSERT_EQ(0, handshake(fd, &hs));
	supported = hs.supported;
	close(fd);

	OPEN_DEVICE(fd);
	hs = request(supported);
	ASSERT_EQ(0, handshake(fd, &hs)) TH_LOG("wanting all of %#llx", supported);
	EXPECT_EQ(supported, hs.features);
	EXPECT_EQ(supported, hs.supported);
	close(fd);
}

TEST(handshake_version_mismatch)
{
	__u32 versions[] = { 0, REDIRECT_API_VERSION + 1, UINT32_MAX };
	struct redirect_handshake hs;
	int fd, i;

	OPEN_DEVICE(fd);
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		hs = request(0);
		hs.api_version = versions[i];
		hs.features = 1ULL << 63;	/* the version is checked first */
		hs.supported = 0x5a5a5a5a5a5a5a5aULL;
		EXPECT_EQ(-1, handshake(fd, &hs));
		EXPECT_EQ(EPROTONOSUPPORT, errno) TH_LOG("api_version %u", versions[i]);
		/* Written back: the module's version and what it supports. */
		EXPECT_EQ(REDIRECT_API_VERSION, hs.api_version);
		EXPECT_EQ(0, hs.features);
		EXPECT_EQ(0, hs.supported & ~FEATURES_NAMED);
	}
	/* A failed handshake leaves the session new. */
	hs = request(0);
	EXPECT_EQ(0, handshake(fd, &hs));
	close(fd);
}

TEST(handshake_unknown_features)
{
	struct redirect_handshake hs;
	__u64 supported;
	int fd, bit;

	OPEN_DEVICE(fd);
	hs = request(0);
	ASSERT_EQ(0, handshake(fd, &hs));
	supported = hs.supported;
	close(fd);

	OPEN_DEVICE(fd);
	for (bit = 0; bit < 64; bit++) {
		if (supported & (1ULL << bit))
			continue;
		hs = request(1ULL << bit);
		hs.supported = 0x5a5a5a5a5a5a5a5aULL;
		EXPECT_EQ(-1, handshake(fd, &hs)) TH_LOG("bit %d accepted", bit);
		EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("bit %d", bit);
		EXPECT_EQ(REDIRECT_API_VERSION, hs.api_version);
		EXPECT_EQ(0, hs.features);
		EXPECT_EQ(supported, hs.supported);
	}
	/* One unsupported bit spoils a request that is otherwise fine. */
	if (~supported) {
		hs = request(supported | ((supported + 1) & ~supported));	/* lowest unsupported */
		EXPECT_EQ(-1, handshake(fd, &hs));
		EXPECT_EQ(EOPNOTSUPP, errno);
	}
	hs = request(0);
	EXPECT_EQ(0, handshake(fd, &hs));
	close(fd);
}

TEST(handshake_twice)
{
	struct redirect_handshake hs = request(0);
	int fd;

	OPEN_DEVICE(fd);
	ASSERT_EQ(0, handshake(fd, &hs));
	hs = request(0);
	hs.supported = 0x5a5a5a5a5a5a5a5aULL;
	EXPECT_EQ(-1, handshake(fd, &hs));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, hs.supported) TH_LOG("EBUSY wrote the struct back");
	/* Even a request that would be invalid: the state is checked first. */
	hs.pad = 1;
	EXPECT_EQ(-1, handshake(fd, &hs));
	EXPECT_EQ(EBUSY, errno);
	close(fd);
}

TEST(handshake_per_open_file)
{
	struct redirect_handshake hs = request(0);
	int fd1, fd2;

	OPEN_DEVICE(fd1);
	OPEN_DEVICE(fd2);
	ASSERT_EQ(0, handshake(fd1, &hs));
	hs = request(0);
	EXPECT_EQ(0, handshake(fd2, &hs)) TH_LOG("sessions are not per open file");
	close(fd1);
	close(fd2);
}

struct race {
	int fd;
	pthread_barrier_t *start;
	int result;
};

static void *race_handshake(void *arg)
{
	struct race *r = arg;
	struct redirect_handshake hs = request(0);

	pthread_barrier_wait(r->start);
	r->result = handshake(r->fd, &hs) ? errno : 0;
	return NULL;
}

TEST(handshake_concurrent_exactly_once)
{
	enum { THREADS = 8, ROUNDS = 50 };
	struct race races[THREADS];
	pthread_barrier_t start;
	pthread_t threads[THREADS];
	int fd, round, i, ok, busy;

	for (round = 0; round < ROUNDS; round++) {
		OPEN_DEVICE(fd);
		ASSERT_EQ(0, pthread_barrier_init(&start, NULL, THREADS));
		ok = busy = 0;
		for (i = 0; i < THREADS; i++) {
			races[i] = (struct race){ .fd = fd, .start = &start };
			ASSERT_EQ(0, pthread_create(&threads[i], NULL, race_handshake, &races[i]));
		}
		for (i = 0; i < THREADS; i++) {
			pthread_join(threads[i], NULL);
			ok += races[i].result == 0;
			busy += races[i].result == EBUSY;
		}
		EXPECT_EQ(1, ok) TH_LOG("round %d", round);
		EXPECT_EQ(THREADS - 1, busy) TH_LOG("round %d", round);
		pthread_barrier_destroy(&start);
		close(fd);
	}
}

TEST(handshake_required_first)
{
	/* Every number in the range, the defined ioctls among them, any direction. */
	unsigned int early[] = {
		REDIRECT_IOC_ATTACH, REDIRECT_IOC_SET_RULES, REDIRECT_IOC_ADOPT,
		REDIRECT_IOC_BROKER,
		_IO(REDIRECT_IOC_MAGIC, _IOC_NR(REDIRECT_IOC_ATTACH)),
		_IO(REDIRECT_IOC_MAGIC, REDIRECT_IOC_NR_RESERVED_FIRST),
	};
	/* After a handshake that enabled nothing. */
	struct { unsigned int cmd; int err; } late[] = {
		{ REDIRECT_IOC_ATTACH, EOPNOTSUPP },
		{ REDIRECT_IOC_SET_RULES, EOPNOTSUPP },
		{ REDIRECT_IOC_ADOPT, EOPNOTSUPP },
		{ REDIRECT_IOC_BROKER, EOPNOTSUPP },
		/* A defined number with another direction. */
		{ _IO(REDIRECT_IOC_MAGIC, _IOC_NR(REDIRECT_IOC_ATTACH)), ENOTTY },
	};
	struct redirect_handshake hs = request(0);
	__u64 buf[64] = {};
	int fd, i;

	OPEN_DEVICE(fd);
	for (i = 0; i < sizeof(early) / sizeof(early[0]); i++) {
		EXPECT_EQ(-1, ioctl(fd, early[i], buf));
		EXPECT_EQ(EPROTO, errno) TH_LOG("cmd %#x before the handshake", early[i]);
	}
	ASSERT_EQ(0, handshake(fd, &hs));
	for (i = 0; i < sizeof(late) / sizeof(late[0]); i++) {
		EXPECT_EQ(-1, ioctl(fd, late[i].cmd, buf));
		EXPECT_EQ(late[i].err, errno) TH_LOG("cmd %#x after the handshake", late[i].cmd);
	}
	close(fd);
}

TEST(handshake_unknown_ioctl)
{
	unsigned int cmds[] = {
		_IO(REDIRECT_IOC_MAGIC, REDIRECT_IOC_NR_RESERVED_LAST + 1),
		_IOWR(REDIRECT_IOC_MAGIC, 0xff, struct redirect_handshake),
		/* In the features' range but not assigned: unknown too, before and after. */
		_IOWR(REDIRECT_IOC_MAGIC, REDIRECT_IOC_NR_RESERVED_LAST, __u64),
		_IOWR(REDIRECT_IOC_MAGIC, _IOC_NR(REDIRECT_IOC_BROKER) + 1,
		      struct redirect_broker),
		/* The handshake's number with another direction. */
		_IOW(REDIRECT_IOC_MAGIC, REDIRECT_IOC_NR_HANDSHAKE, struct redirect_handshake),
		_IOR(REDIRECT_IOC_MAGIC, REDIRECT_IOC_NR_HANDSHAKE, struct redirect_handshake),
		_IO(REDIRECT_IOC_MAGIC, REDIRECT_IOC_NR_HANDSHAKE),
		/* Another magic with the handshake's number and size. */
		_IOWR(REDIRECT_IOC_MAGIC + 1, REDIRECT_IOC_NR_HANDSHAKE, struct redirect_handshake),
		TCGETS,
	};
	struct redirect_handshake hs;
	__u64 buf[8] = {};
	int fd, i, round;

	OPEN_DEVICE(fd);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			EXPECT_EQ(-1, ioctl(fd, cmds[i], buf));
			EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#x, round %d", cmds[i], round);
		}
		hs = request(0);
		if (round == 0)
			ASSERT_EQ(0, handshake(fd, &hs)) TH_LOG("ENOTTY consumed the handshake");
	}
	close(fd);
}

/*
 * The broker's records embed seccomp's structures: a caller built against
 * headers where they differ is refused, and told the module's sizes, which
 * are the running kernel's (SECCOMP_GET_NOTIF_SIZES).
 */
TEST(handshake_seccomp_sizes)
{
	struct seccomp_notif_sizes sz = {};
	struct redirect_handshake hs;
	int fd, i;

	ASSERT_EQ(0, syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz));
	OPEN_DEVICE(fd);
	for (i = 0; i < 4; i++) {
		hs = request(REDIRECT_FEATURE_BROKER);
		if (i == 0)
			hs.notif_size += 8;	/* a newer struct seccomp_notif */
		else if (i == 1)
			hs.resp_size -= 4;
		else if (i == 2)
			hs.addfd_size = 1;
		else
			hs.notif_size = hs.resp_size = hs.addfd_size = 0;	/* unstated */
		EXPECT_EQ(-1, handshake(fd, &hs)) TH_LOG("case %d", i);
		EXPECT_EQ(EPROTONOSUPPORT, errno) TH_LOG("case %d", i);
		EXPECT_EQ(REDIRECT_API_VERSION, hs.api_version);
		EXPECT_EQ(0, hs.features);
		EXPECT_EQ(sz.seccomp_notif, hs.notif_size);
		EXPECT_EQ(sz.seccomp_notif_resp, hs.resp_size);
		EXPECT_EQ(sizeof(struct seccomp_notif_addfd), hs.addfd_size);
	}
	/* A first-version caller (24 bytes) gets no broker, but the rest. */
	hs = request(REDIRECT_FEATURE_BROKER);
	EXPECT_EQ(-1, ioctl(fd, HANDSHAKE_IOC(REDIRECT_HANDSHAKE_SIZE_VER0), &hs));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	hs = request(REDIRECT_FEATURE_ATTACH);
	hs.notif_size = 1;	/* not sent */
	EXPECT_EQ(0, ioctl(fd, HANDSHAKE_IOC(REDIRECT_HANDSHAKE_SIZE_VER0), &hs));
	EXPECT_EQ(REDIRECT_FEATURE_ATTACH, hs.features);
	EXPECT_EQ(1, hs.notif_size) TH_LOG("wrote beyond the caller's 24 bytes");
	close(fd);

	OPEN_DEVICE(fd);
	hs = request(REDIRECT_FEATURE_BROKER);
	hs.pad2 = 1;
	EXPECT_EQ(-1, handshake(fd, &hs));
	EXPECT_EQ(EINVAL, errno);
	hs = request(REDIRECT_FEATURE_BROKER);
	EXPECT_EQ(0, handshake(fd, &hs)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(sz.seccomp_notif, hs.notif_size);
	close(fd);
}

TEST(handshake_size_too_small)
{
	size_t sizes[] = { 0, 8, 16, REDIRECT_HANDSHAKE_SIZE_VER0 - 1 };
	struct redirect_handshake hs;
	int fd, i;

	OPEN_DEVICE(fd);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		hs = request(0);
		hs.supported = 0x5a5a5a5a5a5a5a5aULL;
		EXPECT_EQ(-1, ioctl(fd, HANDSHAKE_IOC(sizes[i]), &hs));
		EXPECT_EQ(EINVAL, errno) TH_LOG("size %zu", sizes[i]);
		EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, hs.supported);
	}
	hs = request(0);
	EXPECT_EQ(0, handshake(fd, &hs));
	close(fd);
}

TEST(handshake_size_above_page)
{
	size_t page = sysconf(_SC_PAGESIZE);
	size_t size = page + sizeof(__u64);
	struct redirect_handshake *hs;
	int fd;

	ASSERT_GE(_IOC_SIZEMASK, size) TH_LOG("page size %zu too large for _IOC_SIZE", page);
	OPEN_DEVICE(fd);
	hs = calloc(1, size);
	ASSERT_NE(NULL, hs);
	*hs = request(0);
	EXPECT_EQ(-1, ioctl(fd, HANDSHAKE_IOC(size), hs));
	EXPECT_EQ(E2BIG, errno);
	*hs = request(0);
	EXPECT_EQ(0, handshake(fd, hs));
	free(hs);
	close(fd);
}

TEST(handshake_size_larger_zero_tail)
{
	size_t page = sysconf(_SC_PAGESIZE);
	size_t sizes[] = { sizeof(struct redirect_handshake) + 1,
			   sizeof(struct redirect_handshake) + 8, 64, page };
	unsigned char *buf, *tail;
	struct redirect_handshake *hs;
	int fd, i;
	size_t j;

	buf = calloc(1, page);
	ASSERT_NE(NULL, buf);
	hs = (struct redirect_handshake *)buf;
	tail = buf + sizeof(*hs);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		OPEN_DEVICE(fd);
		memset(buf, 0, page);
		*hs = request(0);
		EXPECT_EQ(0, ioctl(fd, HANDSHAKE_IOC(sizes[i]), hs))
			TH_LOG("size %zu: %s", sizes[i], strerror(errno));
		EXPECT_EQ(REDIRECT_API_VERSION, hs->api_version);
		EXPECT_EQ(0, hs->features);
		for (j = 0; j < page - sizeof(*hs); j++)
			if (tail[j])
				break;
		EXPECT_EQ(page - sizeof(*hs), j) TH_LOG("size %zu: tail byte %zu written",
							sizes[i], j);
		close(fd);
	}
	free(buf);
}

TEST(handshake_size_larger_nonzero_tail)
{
	size_t sizes[] = { sizeof(struct redirect_handshake) + 1, 64 };
	unsigned char buf[64] = {};
	struct redirect_handshake *hs = (struct redirect_handshake *)buf;
	int fd, i;

	OPEN_DEVICE(fd);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 0, sizeof(buf));
		*hs = request(0);
		hs->supported = 0x5a5a5a5a5a5a5a5aULL;
		buf[sizes[i] - 1] = 1;
		EXPECT_EQ(-1, ioctl(fd, HANDSHAKE_IOC(sizes[i]), hs));
		EXPECT_EQ(E2BIG, errno) TH_LOG("size %zu", sizes[i]);
		EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, hs->supported);
	}
	/* A non-zero byte the caller did not send is not looked at. */
	memset(buf, 0, sizeof(buf));
	*hs = request(0);
	buf[sizeof(*hs)] = 1;
	EXPECT_EQ(0, handshake(fd, hs));
	EXPECT_EQ(1, buf[sizeof(*hs)]);
	close(fd);
}

TEST(handshake_pad_nonzero)
{
	__u32 pads[] = { 1, 0x80000000, UINT32_MAX };
	struct redirect_handshake hs;
	int fd, i;

	OPEN_DEVICE(fd);
	for (i = 0; i < sizeof(pads) / sizeof(pads[0]); i++) {
		hs = request(0);
		hs.pad = pads[i];
		hs.api_version = 0;	/* padding is checked before the version */
		hs.supported = 0x5a5a5a5a5a5a5a5aULL;
		EXPECT_EQ(-1, handshake(fd, &hs));
		EXPECT_EQ(EINVAL, errno) TH_LOG("pad %#x", pads[i]);
		EXPECT_EQ(0, hs.api_version);
		EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, hs.supported);
	}
	hs = request(0);
	EXPECT_EQ(0, handshake(fd, &hs));
	close(fd);
}

TEST(handshake_bad_address)
{
	struct redirect_handshake hs = request(0);
	int fd;

	OPEN_DEVICE(fd);
	EXPECT_EQ(-1, handshake(fd, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(fd, REDIRECT_IOC_HANDSHAKE, (void *)1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, handshake(fd, &hs)) TH_LOG("EFAULT consumed the handshake");
	close(fd);
}

TEST(open_device_mode)
{
	struct stat st;
	int fd;

	OPEN_DEVICE(fd);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(-1, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
	close(fd);
}

/* The harness runs every test in a child of its own: dropping privileges is local. */
TEST(open_unprivileged)
{
	int fd;

	OPEN_DEVICE(fd);
	close(fd);
	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	ASSERT_EQ(0, drop_to_nobody(0)) TH_LOG("drop privileges: %s", strerror(errno));
	EXPECT_EQ(-1, open(REDIRECT_DEVICE, O_RDWR));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, open(REDIRECT_DEVICE, O_RDONLY));
	EXPECT_EQ(EACCES, errno);
}

TEST(open_without_cap_sys_admin)
{
	int fd;

	OPEN_DEVICE(fd);
	close(fd);
	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	/* Past the file mode with CAP_DAC_OVERRIDE, stopped by the missing CAP_SYS_ADMIN. */
	ASSERT_EQ(0, drop_to_nobody(1ULL << CAP_DAC_OVERRIDE))
		TH_LOG("drop privileges: %s", strerror(errno));
	EXPECT_EQ(-1, open(REDIRECT_DEVICE, O_RDWR));
	EXPECT_EQ(EPERM, errno);
}

TEST(open_with_cap_sys_admin_as_nobody)
{
	struct redirect_handshake hs = request(0);
	int fd;

	OPEN_DEVICE(fd);
	close(fd);
	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	ASSERT_EQ(0, drop_to_nobody(1ULL << CAP_DAC_OVERRIDE | 1ULL << CAP_SYS_ADMIN))
		TH_LOG("drop privileges: %s", strerror(errno));
	fd = open(REDIRECT_DEVICE, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("open: %s", strerror(errno));
	EXPECT_EQ(0, handshake(fd, &hs));
	close(fd);
}

TEST_HARNESS_MAIN
