// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "redirect": handshake, session gate, ioctl classes, the tier-1
 * rule engine, rule sets, the latency histogram, sandbox ids and arguments,
 * the listener wake function outside task context, the broker's claim on a
 * delivered request.
 * One file (over 900 lines) on purpose: one KUnit suite, built as one test
 * module (redirect_kunit.ko) with its cases sharing the fixtures below.
 */
#include "broker.h"
#include "ioctl.h"
#include "session.h"
#include "rules.h"
#include "sandbox.h"
#include "stats.h"

#include <kunit/test.h>
#include <linux/redirect.h>
#include <linux/ioctl.h>
#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/module.h>

#define RDR_TEST_SUPPORTED (REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_BROKER)

static struct redirect_handshake rdr_test_request(u64 wanted)
{
	return (struct redirect_handshake){
		.api_version = REDIRECT_API_VERSION,
		.features = wanted,
		.notif_size = sizeof(struct seccomp_notif),
		.resp_size = sizeof(struct seccomp_notif_resp),
		.addfd_size = sizeof(struct seccomp_notif_addfd),
	};
}

/* A request that states no sizes, as a VER0 caller's does. */
static void rdr_test_sizes_zero(struct redirect_handshake *hs)
{
	hs->notif_size = 0;
	hs->resp_size = 0;
	hs->addfd_size = 0;
}

static void rdr_ioctl_classify_handshake(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rdr_ioctl_classify(REDIRECT_IOC_HANDSHAKE), RDR_IOCTL_HANDSHAKE);
}

static void rdr_ioctl_classify_handshake_any_size(struct kunit *test)
{
	unsigned int rw = _IOC_READ | _IOC_WRITE;
	unsigned int sizes[] = { 0, 1, REDIRECT_HANDSHAKE_SIZE_VER0 - 1, 32, PAGE_SIZE,
				 PAGE_SIZE + 1, _IOC_SIZEMASK };
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		KUNIT_EXPECT_EQ_MSG(test, RDR_IOCTL_HANDSHAKE,
				    rdr_ioctl_classify(_IOC(rw, REDIRECT_IOC_MAGIC,
							    REDIRECT_IOC_NR_HANDSHAKE, sizes[i])),
				    "size %u", sizes[i]);
}

static void rdr_ioctl_classify_handshake_wrong_direction(struct kunit *test)
{
	unsigned int size = sizeof(struct redirect_handshake);
	unsigned int dirs[] = { _IOC_NONE, _IOC_READ, _IOC_WRITE };
	int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		KUNIT_EXPECT_EQ_MSG(test, RDR_IOCTL_UNKNOWN,
				    rdr_ioctl_classify(_IOC(dirs[i], REDIRECT_IOC_MAGIC,
							    REDIRECT_IOC_NR_HANDSHAKE, size)),
				    "dir %u", dirs[i]);
}

static void rdr_ioctl_classify_reserved(struct kunit *test)
{
	unsigned int nr;

	for (nr = REDIRECT_IOC_NR_RESERVED_FIRST; nr <= REDIRECT_IOC_NR_RESERVED_LAST; nr++) {
		KUNIT_EXPECT_EQ(test, rdr_ioctl_classify(_IO(REDIRECT_IOC_MAGIC, nr)),
				RDR_IOCTL_RESERVED);
		KUNIT_EXPECT_EQ(test, rdr_ioctl_classify(_IOWR(REDIRECT_IOC_MAGIC, nr, u64)),
				RDR_IOCTL_RESERVED);
	}
}

static void rdr_ioctl_classify_beyond_reserved(struct kunit *test)
{
	unsigned int nr;

	for (nr = REDIRECT_IOC_NR_RESERVED_LAST + 1; nr <= _IOC_NRMASK; nr++)
		KUNIT_EXPECT_EQ_MSG(test, rdr_ioctl_classify(_IO(REDIRECT_IOC_MAGIC, nr)),
				    RDR_IOCTL_UNKNOWN, "nr %#x", nr);
}

static void rdr_ioctl_classify_foreign_magic(struct kunit *test)
{
	unsigned int handshake = REDIRECT_IOC_HANDSHAKE;
	unsigned int foreign = (handshake & ~(_IOC_TYPEMASK << _IOC_TYPESHIFT)) |
			       ((REDIRECT_IOC_MAGIC + 1) << _IOC_TYPESHIFT);

	KUNIT_EXPECT_EQ(test, rdr_ioctl_classify(foreign), RDR_IOCTL_UNKNOWN);
	KUNIT_EXPECT_EQ(test, rdr_ioctl_classify(_IO(REDIRECT_IOC_MAGIC - 1, 1)),
			RDR_IOCTL_UNKNOWN);
	KUNIT_EXPECT_EQ(test, rdr_ioctl_classify(0x5401 /* TCGETS */), RDR_IOCTL_UNKNOWN);
	KUNIT_EXPECT_EQ(test, rdr_ioctl_classify(0), RDR_IOCTL_UNKNOWN);
}

static void rdr_ioctl_check_size_ver0(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rdr_ioctl_check_size(REDIRECT_HANDSHAKE_SIZE_VER0,
						   REDIRECT_HANDSHAKE_SIZE_VER0), 0);
}

static void rdr_ioctl_check_size_below_ver0(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rdr_ioctl_check_size(0, REDIRECT_HANDSHAKE_SIZE_VER0), -EINVAL);
	KUNIT_EXPECT_EQ(test, rdr_ioctl_check_size(REDIRECT_HANDSHAKE_SIZE_VER0 - 1,
						   REDIRECT_HANDSHAKE_SIZE_VER0), -EINVAL);
}

static void rdr_ioctl_check_size_larger(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rdr_ioctl_check_size(REDIRECT_HANDSHAKE_SIZE_VER0 + 1,
						   REDIRECT_HANDSHAKE_SIZE_VER0), 0);
	KUNIT_EXPECT_EQ(test, rdr_ioctl_check_size(PAGE_SIZE, REDIRECT_HANDSHAKE_SIZE_VER0), 0);
}

static void rdr_ioctl_check_size_above_page(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rdr_ioctl_check_size(PAGE_SIZE + 1, REDIRECT_HANDSHAKE_SIZE_VER0),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, rdr_ioctl_check_size(_IOC_SIZEMASK, REDIRECT_HANDSHAKE_SIZE_VER0),
			-E2BIG);
}

static void rdr_session_gate_handshake_new(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rdr_session_gate(RDR_SESSION_NEW, RDR_IOCTL_HANDSHAKE), 0);
}

static void rdr_session_gate_handshake_ready(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rdr_session_gate(RDR_SESSION_READY, RDR_IOCTL_HANDSHAKE), -EBUSY);
}

static void rdr_session_gate_reserved_new(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rdr_session_gate(RDR_SESSION_NEW, RDR_IOCTL_RESERVED), -EPROTO);
}

static void rdr_session_gate_reserved_ready(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rdr_session_gate(RDR_SESSION_READY, RDR_IOCTL_RESERVED), 0);
}

static void rdr_session_gate_unknown(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rdr_session_gate(RDR_SESSION_NEW, RDR_IOCTL_UNKNOWN), -ENOTTY);
	KUNIT_EXPECT_EQ(test, rdr_session_gate(RDR_SESSION_READY, RDR_IOCTL_UNKNOWN), -ENOTTY);
}

static void rdr_handshake_negotiate_no_features(struct kunit *test)
{
	struct redirect_handshake hs = rdr_test_request(0);

	hs.supported = ~0ULL;	/* output only: ignored on input */
	KUNIT_EXPECT_EQ(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED), 0);
	KUNIT_EXPECT_EQ(test, hs.api_version, REDIRECT_API_VERSION);
	KUNIT_EXPECT_EQ(test, hs.pad, 0);
	KUNIT_EXPECT_EQ(test, hs.features, 0ULL);
	KUNIT_EXPECT_EQ(test, hs.supported, RDR_TEST_SUPPORTED);
}

static void rdr_handshake_negotiate_supported_features(struct kunit *test)
{
	struct redirect_handshake hs = rdr_test_request(REDIRECT_FEATURE_BROKER);

	KUNIT_EXPECT_EQ(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED), 0);
	KUNIT_EXPECT_EQ(test, hs.features, REDIRECT_FEATURE_BROKER);
	KUNIT_EXPECT_EQ(test, hs.supported, RDR_TEST_SUPPORTED);

	hs = rdr_test_request(RDR_TEST_SUPPORTED);
	KUNIT_EXPECT_EQ(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED), 0);
	KUNIT_EXPECT_EQ(test, hs.features, RDR_TEST_SUPPORTED);
}

static void rdr_handshake_negotiate_module_supported(struct kunit *test)
{
	struct redirect_handshake hs = rdr_test_request(RDR_FEATURES_SUPPORTED);

	KUNIT_EXPECT_EQ(test, rdr_handshake_negotiate(&hs, RDR_FEATURES_SUPPORTED), 0);
	KUNIT_EXPECT_EQ(test, hs.features, RDR_FEATURES_SUPPORTED);
	KUNIT_EXPECT_EQ(test, hs.supported, RDR_FEATURES_SUPPORTED);
}

static void rdr_handshake_negotiate_unsupported_feature(struct kunit *test)
{
	u64 wanted = REDIRECT_FEATURE_BROKER | REDIRECT_FEATURE_CUSTODY;
	struct redirect_handshake hs = rdr_test_request(wanted);

	KUNIT_EXPECT_EQ(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, hs.api_version, REDIRECT_API_VERSION);
	KUNIT_EXPECT_EQ(test, hs.features, 0ULL);
	KUNIT_EXPECT_EQ(test, hs.supported, RDR_TEST_SUPPORTED);
}

static void rdr_handshake_negotiate_unknown_feature(struct kunit *test)
{
	int bit;

	for (bit = 0; bit < 64; bit++) {
		struct redirect_handshake hs = rdr_test_request(BIT_ULL(bit));
		int expected = BIT_ULL(bit) & RDR_FEATURES_SUPPORTED ? 0 : -EOPNOTSUPP;

		KUNIT_EXPECT_EQ_MSG(test, rdr_handshake_negotiate(&hs, RDR_FEATURES_SUPPORTED),
				    expected, "bit %d", bit);
		KUNIT_EXPECT_EQ(test, hs.supported, RDR_FEATURES_SUPPORTED);
	}
}

static void rdr_handshake_negotiate_version_mismatch(struct kunit *test)
{
	u32 versions[] = { 0, REDIRECT_API_VERSION - 1, REDIRECT_API_VERSION + 1, U32_MAX };
	int i;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		struct redirect_handshake hs = rdr_test_request(REDIRECT_FEATURE_ATTACH);

		if (versions[i] == REDIRECT_API_VERSION)
			continue;
		hs.api_version = versions[i];
		KUNIT_EXPECT_EQ_MSG(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED),
				    -EPROTONOSUPPORT, "version %u", versions[i]);
		KUNIT_EXPECT_EQ(test, hs.api_version, REDIRECT_API_VERSION);
		KUNIT_EXPECT_EQ(test, hs.features, 0ULL);
		KUNIT_EXPECT_EQ(test, hs.supported, RDR_TEST_SUPPORTED);
	}
}

/* The version is checked before the features: their meaning depends on it. */
static void rdr_handshake_negotiate_version_before_features(struct kunit *test)
{
	struct redirect_handshake hs = rdr_test_request(BIT_ULL(63));

	hs.api_version = REDIRECT_API_VERSION + 1;
	KUNIT_EXPECT_EQ(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED), -EPROTONOSUPPORT);
}

static void rdr_handshake_negotiate_pad_nonzero(struct kunit *test)
{
	struct redirect_handshake hs = rdr_test_request(0);
	struct redirect_handshake before;

	hs.pad = 1;
	hs.supported = 0x5a5a5a5a5a5a5a5aULL;
	before = hs;
	KUNIT_EXPECT_EQ(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(&hs, &before, sizeof(hs)), 0);

	/* Padding is checked first: a bad version does not hide it. */
	hs.pad = 0x80000000;
	hs.api_version = 0;
	KUNIT_EXPECT_EQ(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED), -EINVAL);
}

/* BROKER's records embed seccomp's structures: their sizes must agree. */
static void rdr_handshake_negotiate_broker_sizes(struct kunit *test)
{
	struct redirect_handshake hs = rdr_test_request(REDIRECT_FEATURE_BROKER);
	int i;

	for (i = 0; i < 4; i++) {
		hs = rdr_test_request(REDIRECT_FEATURE_BROKER);
		if (i == 0)
			hs.notif_size += 8;
		else if (i == 1)
			hs.resp_size = 0;
		else if (i == 2)
			hs.addfd_size -= 1;
		else
			rdr_test_sizes_zero(&hs); /* VER0 caller */
		KUNIT_EXPECT_EQ_MSG(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED),
				    -EPROTONOSUPPORT, "case %d", i);
		KUNIT_EXPECT_EQ(test, hs.features, 0ULL);
		KUNIT_EXPECT_EQ(test, hs.notif_size, sizeof(struct seccomp_notif));
		KUNIT_EXPECT_EQ(test, hs.resp_size, sizeof(struct seccomp_notif_resp));
		KUNIT_EXPECT_EQ(test, hs.addfd_size, sizeof(struct seccomp_notif_addfd));
	}
	/* Without BROKER the sizes do not matter. */
	hs = rdr_test_request(REDIRECT_FEATURE_ATTACH);
	rdr_test_sizes_zero(&hs);
	KUNIT_EXPECT_EQ(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED), 0);
	KUNIT_EXPECT_EQ(test, hs.notif_size, sizeof(struct seccomp_notif));
	/* pad2 is padding. */
	hs = rdr_test_request(0);
	hs.pad2 = 1;
	KUNIT_EXPECT_EQ(test, rdr_handshake_negotiate(&hs, RDR_TEST_SUPPORTED), -EINVAL);
}

static void rdr_reply_check_restart_errno(struct kunit *test)
{
	struct redirect_reply r = { .kind = REDIRECT_REPLY_SEND };
	int e;

	for (e = 512; e <= 516; e++) {
		r.resp.error = -e;
		KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	}
	r.resp.error = -511;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), 0);
	r.resp.error = -517;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), 0);
}

static void rdr_reply_check_unused_half(struct kunit *test)
{
	struct redirect_reply r = { .kind = REDIRECT_REPLY_SEND };

	r.resp.id = 1;
	r.resp.val = 2;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), 0);
	r.addfd.newfd = 3;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	r.kind = REDIRECT_REPLY_ID_VALID;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	r.addfd.newfd = 0;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);	/* resp.val */
	r.resp.val = 0;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), 0);
	r.kind = REDIRECT_REPLY_ADDFD;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);	/* resp.id */
	r.resp.id = 0;
	r.addfd.id = 1;
	r.addfd.srcfd = 4;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), 0);
	r.kind = 0;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	r.result = -1;	/* output only */
	r.kind = REDIRECT_REPLY_ADDFD;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), 0);
}

/* CONTINUE_EXEC: resp is a CONTINUE and nothing else, addfd only its srcfd. */
static void rdr_reply_check_continue_exec(struct kunit *test)
{
	struct redirect_reply r = { .kind = REDIRECT_REPLY_CONTINUE_EXEC };

	r.resp.id = 1;
	r.addfd.srcfd = 5;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL); /* no CONTINUE flag */
	r.resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), 0);
	r.resp.flags |= 2;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	r.resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	r.resp.error = -EPERM;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	r.resp.error = 0;
	r.resp.val = 1;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	r.resp.val = 0;
	r.addfd.id = 1;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	r.addfd.id = 0;
	r.addfd.newfd = 3;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	r.addfd.newfd = 0;
	r.addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	r.addfd.flags = 0;
	r.addfd.newfd_flags = O_CLOEXEC;
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), -EINVAL);
	r.addfd.newfd_flags = 0;
	r.addfd.srcfd = 0; /* fd 0 is an fd like any other */
	KUNIT_EXPECT_EQ(test, rdr_reply_check(&r), 0);
}

static void rdr_handshake_writes_back_answers(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, rdr_handshake_writes_back(0));
	KUNIT_EXPECT_TRUE(test, rdr_handshake_writes_back(-EPROTONOSUPPORT));
	KUNIT_EXPECT_TRUE(test, rdr_handshake_writes_back(-EOPNOTSUPP));
}

static void rdr_handshake_writes_back_other_errors(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, rdr_handshake_writes_back(-EINVAL));
	KUNIT_EXPECT_FALSE(test, rdr_handshake_writes_back(-E2BIG));
	KUNIT_EXPECT_FALSE(test, rdr_handshake_writes_back(-EFAULT));
	KUNIT_EXPECT_FALSE(test, rdr_handshake_writes_back(-EBUSY));
}

static void rdr_session_create_new(struct kunit *test)
{
	struct rdr_session *session = rdr_session_create();

	KUNIT_ASSERT_NOT_NULL(test, session);
	KUNIT_EXPECT_EQ(test, rdr_session_state(session), RDR_SESSION_NEW);
	KUNIT_EXPECT_EQ(test, session->features, 0ULL);
	rdr_session_destroy(session);
}

/* ---- tier-1 rules: validation ---------------------------------------- */

static struct redirect_rule rdr_test_rule(u32 nr, u16 verdict, s64 value)
{
	return (struct redirect_rule){ .nr = nr, .verdict = verdict, .value = value };
}

static enum redirect_rule_field rdr_test_check(const struct redirect_rule *r, u32 *arg)
{
	u32 dummy;

	return rdr_rule_check(r, arg ? arg : &dummy);
}

static void rdr_rule_check_valid_verdicts(struct kunit *test)
{
	struct redirect_rule r = rdr_test_rule(39, REDIRECT_VERDICT_ERRNO, EPERM);

	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_NONE);
	r = rdr_test_rule(39, REDIRECT_VERDICT_VALUE, 4242);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_NONE);
	r = rdr_test_rule(39, REDIRECT_VERDICT_VALUE, -5000);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_NONE);
	r = rdr_test_rule(39, REDIRECT_VERDICT_KILL, 0);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_NONE);
	r = rdr_test_rule(39, REDIRECT_VERDICT_FORWARD, 0);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_NONE);
}

static void rdr_rule_check_bad_scalar_fields(struct kunit *test)
{
	struct redirect_rule r = rdr_test_rule(RDR_NR_LIMIT, REDIRECT_VERDICT_KILL, 0);

	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_NR);
	r = rdr_test_rule(1, 9, 0);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_VERDICT);
	r = rdr_test_rule(1, REDIRECT_VERDICT_ERRNO, 0);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_VALUE);
	r = rdr_test_rule(1, REDIRECT_VERDICT_ERRNO, RDR_ERRNO_MAX + 1);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_VALUE);
	/* The restart codes would restart the call for ever. */
	r = rdr_test_rule(1, REDIRECT_VERDICT_ERRNO, ERESTARTSYS);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_VALUE);
	r = rdr_test_rule(1, REDIRECT_VERDICT_ERRNO, ERESTARTNOINTR);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_VALUE);
	r = rdr_test_rule(1, REDIRECT_VERDICT_ERRNO, ERESTART_RESTARTBLOCK);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_VALUE);
	r = rdr_test_rule(1, REDIRECT_VERDICT_ERRNO, ERESTARTSYS - 1);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_NONE);
	r = rdr_test_rule(1, REDIRECT_VERDICT_ERRNO, ERESTART_RESTARTBLOCK + 1);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_NONE);
	r = rdr_test_rule(1, REDIRECT_VERDICT_VALUE, -EPERM);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_VALUE);
	r = rdr_test_rule(1, REDIRECT_VERDICT_KILL, 1);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_VALUE);
	r = rdr_test_rule(1, REDIRECT_VERDICT_KILL, 0);
	r.flags = 0x8000;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_FLAGS);
	r.flags = 0;
	r.pad = 1;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_PAD);
	r.pad = 0;
	r.nr_args = REDIRECT_ARGS_MAX + 1;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_NR_ARGS);
}

static void rdr_rule_check_bad_args(struct kunit *test)
{
	struct redirect_rule r = rdr_test_rule(1, REDIRECT_VERDICT_KILL, 0);
	u32 arg;

	r.nr_args = 2;
	r.args[0] = (struct redirect_arg_cmp){ .index = 0, .op = REDIRECT_CMP_EQ, .mask = ~0ULL };
	r.args[1] = (struct redirect_arg_cmp){ .index = 6, .op = REDIRECT_CMP_EQ };
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, &arg), REDIRECT_RULE_FIELD_ARG_INDEX);
	KUNIT_EXPECT_EQ(test, arg, 1U);
	r.args[1].index = 5;
	r.args[1].op = 0;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, &arg), REDIRECT_RULE_FIELD_ARG_OP);
	r.args[1].op = REDIRECT_CMP_GE + 1;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, &arg), REDIRECT_RULE_FIELD_ARG_OP);
	r.args[1].op = REDIRECT_CMP_GE;
	r.args[1].pad2 = 1;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, &arg), REDIRECT_RULE_FIELD_ARG_PAD);
	r.args[1].pad2 = 0;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, &arg), REDIRECT_RULE_FIELD_NONE);
	/* An unused slot must stay zero. */
	r.args[4].value = 1;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, &arg), REDIRECT_RULE_FIELD_ARG_PAD);
	KUNIT_EXPECT_EQ(test, arg, 4U);
}

static void rdr_rule_check_bad_string(struct kunit *test)
{
	struct redirect_rule r = rdr_test_rule(257, REDIRECT_VERDICT_ERRNO, EACCES);

	r.str_match = 7;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_STR_MATCH);
	r.str_match = REDIRECT_STR_EXACT;
	r.str_index = 6;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_STR_INDEX);
	r.str_index = 1;
	r.str_len = REDIRECT_STR_MAX;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_STR_LEN);
	memcpy(r.str, "/etc/sha\0ow", 11);
	r.str_len = 11;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_STR);
	memcpy(r.str, "/etc/shadow", 11);
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_NONE);
	r.str[50] = 'x';
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_STR);
	r.str[50] = 0;
	r.str_match = REDIRECT_STR_PREFIX;
	r.str_len = 0;
	memset(r.str, 0, sizeof(r.str));
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_STR_LEN);
	r.str_match = REDIRECT_STR_NONE;
	r.str_index = 2;
	KUNIT_EXPECT_EQ(test, rdr_test_check(&r, NULL), REDIRECT_RULE_FIELD_STR_INDEX);
}

/* ---- tier-1 rules: matching ------------------------------------------ */

static void rdr_rule_args_hold_each_op(struct kunit *test)
{
	struct redirect_rule r = rdr_test_rule(1, REDIRECT_VERDICT_KILL, 0);
	u64 args[6] = { 0x1234, 5, 0, 0, 0, 0 };

	r.nr_args = 1;
	r.args[0] = (struct redirect_arg_cmp){ .index = 1, .mask = ~0ULL, .value = 5 };
	r.args[0].op = REDIRECT_CMP_EQ;
	KUNIT_EXPECT_TRUE(test, rdr_rule_args_hold(&r, args));
	r.args[0].op = REDIRECT_CMP_NE;
	KUNIT_EXPECT_FALSE(test, rdr_rule_args_hold(&r, args));
	r.args[0].op = REDIRECT_CMP_LT;
	KUNIT_EXPECT_FALSE(test, rdr_rule_args_hold(&r, args));
	r.args[0].op = REDIRECT_CMP_LE;
	KUNIT_EXPECT_TRUE(test, rdr_rule_args_hold(&r, args));
	r.args[0].op = REDIRECT_CMP_GT;
	KUNIT_EXPECT_FALSE(test, rdr_rule_args_hold(&r, args));
	r.args[0].op = REDIRECT_CMP_GE;
	KUNIT_EXPECT_TRUE(test, rdr_rule_args_hold(&r, args));
	/* Comparisons are 64-bit unsigned. */
	args[1] = (u64)-1;
	r.args[0].op = REDIRECT_CMP_GT;
	KUNIT_EXPECT_TRUE(test, rdr_rule_args_hold(&r, args));
}

static void rdr_rule_args_hold_masked_and_all(struct kunit *test)
{
	struct redirect_rule r = rdr_test_rule(2, REDIRECT_VERDICT_ERRNO, EACCES);
	u64 args[6] = { 0, 0x241, 0, 0, 0, 0 };	/* O_WRONLY|O_CREAT|O_TRUNC */

	r.nr_args = 2;
	r.args[0] = (struct redirect_arg_cmp){ .index = 1, .op = REDIRECT_CMP_NE, .mask = 3,
					       .value = 0 };	/* not O_RDONLY */
	r.args[1] = (struct redirect_arg_cmp){ .index = 1, .op = REDIRECT_CMP_EQ, .mask = 0x40,
					       .value = 0x40 };	/* O_CREAT */
	KUNIT_EXPECT_TRUE(test, rdr_rule_args_hold(&r, args));
	args[1] = 0x1;	/* O_WRONLY without O_CREAT: the second fails */
	KUNIT_EXPECT_FALSE(test, rdr_rule_args_hold(&r, args));
	args[1] = 0x40;	/* O_RDONLY|O_CREAT: the first fails */
	KUNIT_EXPECT_FALSE(test, rdr_rule_args_hold(&r, args));
}

static void rdr_rule_str_holds_exact_prefix(struct kunit *test)
{
	struct redirect_rule r = rdr_test_rule(257, REDIRECT_VERDICT_ERRNO, ENOENT);

	r.str_match = REDIRECT_STR_EXACT;
	r.str_index = 1;
	r.str_len = 4;
	memcpy(r.str, "/sys", 4);
	KUNIT_EXPECT_TRUE(test, rdr_rule_str_holds(&r, "/sys", 4));
	KUNIT_EXPECT_FALSE(test, rdr_rule_str_holds(&r, "/sys/kernel", 11));
	KUNIT_EXPECT_FALSE(test, rdr_rule_str_holds(&r, "/sy", 3));
	r.str_match = REDIRECT_STR_PREFIX;
	KUNIT_EXPECT_TRUE(test, rdr_rule_str_holds(&r, "/sys", 4));
	KUNIT_EXPECT_TRUE(test, rdr_rule_str_holds(&r, "/sys/kernel", 11));
	KUNIT_EXPECT_FALSE(test, rdr_rule_str_holds(&r, "/proc", 5));
}

/* A fake user string for rdr_rules_decide(): ctx is a C string, or NULL (fault). */
static long rdr_test_fetch(void *ctx, u64 uptr, char *buf, size_t size)
{
	size_t len;

	if (!ctx)
		return -EFAULT;
	len = strlen(ctx);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, ctx, len + 1);
	return len;
}

static void rdr_rules_decide_first_match_and_limit(struct kunit *test)
{
	struct redirect_rule rules[3] = {
		rdr_test_rule(257, REDIRECT_VERDICT_ERRNO, EACCES),
		rdr_test_rule(257, REDIRECT_VERDICT_VALUE, 7),
		rdr_test_rule(257, REDIRECT_VERDICT_ERRNO, EPERM),
	};
	rdr_hits_t hits[3] = {};
	u64 args[6] = {};
	char buf[REDIRECT_STR_MAX];
	struct rdr_decision d;

	rules[0].str_match = REDIRECT_STR_PREFIX;
	rules[0].str_index = 1;
	rules[0].str_len = 5;
	memcpy(rules[0].str, "/etc/", 5);
	rules[1].limit = 2;

	rdr_rules_decide(rules, hits, 0, 3, args, rdr_test_fetch, "/etc/passwd", buf, &d);
	KUNIT_EXPECT_TRUE(test, d.matched);
	KUNIT_EXPECT_EQ(test, d.rule, 0U);
	KUNIT_EXPECT_EQ(test, d.verdict, REDIRECT_VERDICT_ERRNO);
	KUNIT_EXPECT_EQ(test, d.value, (s64)EACCES);

	/* String does not match: falls to rule 1 twice (its limit), then rule 2. */
	rdr_rules_decide(rules, hits, 0, 3, args, rdr_test_fetch, "/tmp/x", buf, &d);
	KUNIT_EXPECT_EQ(test, d.rule, 1U);
	rdr_rules_decide(rules, hits, 0, 3, args, rdr_test_fetch, "/tmp/x", buf, &d);
	KUNIT_EXPECT_EQ(test, d.rule, 1U);
	rdr_rules_decide(rules, hits, 0, 3, args, rdr_test_fetch, "/tmp/x", buf, &d);
	KUNIT_EXPECT_EQ(test, d.rule, 2U);
	KUNIT_EXPECT_EQ(test, rdr_hits_read(&hits[1]), 2ULL);
	KUNIT_EXPECT_EQ(test, rdr_hits_read(&hits[2]), 1ULL);

	/* An unreadable string never matches: the call goes on, here to rule 2. */
	rdr_rules_decide(rules, hits, 0, 3, args, rdr_test_fetch, NULL, buf, &d);
	KUNIT_EXPECT_EQ(test, d.rule, 2U);
	KUNIT_EXPECT_EQ(test, rdr_hits_read(&hits[0]), 1ULL);
}

static void rdr_rules_decide_no_match_forwards(struct kunit *test)
{
	struct redirect_rule rule = rdr_test_rule(39, REDIRECT_VERDICT_VALUE, 1);
	rdr_hits_t hits[1] = {};
	u64 args[6] = { 1 };
	char buf[REDIRECT_STR_MAX];
	struct rdr_decision d;

	rule.nr_args = 1;
	rule.args[0] = (struct redirect_arg_cmp){ .index = 0, .op = REDIRECT_CMP_EQ,
						  .mask = ~0ULL, .value = 2 };
	rdr_rules_decide(&rule, hits, 0, 1, args, rdr_test_fetch, NULL, buf, &d);
	KUNIT_EXPECT_FALSE(test, d.matched);
	KUNIT_EXPECT_EQ(test, d.verdict, REDIRECT_VERDICT_FORWARD);
	KUNIT_EXPECT_EQ(test, rdr_hits_read(&hits[0]), 0ULL);
}

/* ---- rule sets ---------------------------------------------------------- */

static void rdr_ruleset_build_indexes_by_nr_stably(struct kunit *test)
{
	struct redirect_rule rules[4] = {
		rdr_test_rule(39, REDIRECT_VERDICT_VALUE, 1),
		rdr_test_rule(2, REDIRECT_VERDICT_VALUE, 2),
		rdr_test_rule(39, REDIRECT_VERDICT_VALUE, 3),
		rdr_test_rule(2, REDIRECT_VERDICT_VALUE, 4),
	};
	struct rdr_rules_error err;
	struct rdr_ruleset *set = rdr_ruleset_build(rules, 4, &err);

	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	KUNIT_EXPECT_EQ(test, set->span[2].count, 2);
	KUNIT_EXPECT_EQ(test, set->span[39].count, 2);
	KUNIT_EXPECT_EQ(test, set->span[3].count, 0);
	KUNIT_EXPECT_EQ(test, set->rules[set->span[2].first].value, 2LL);
	KUNIT_EXPECT_EQ(test, set->rules[set->span[2].first + 1].value, 4LL);
	KUNIT_EXPECT_EQ(test, set->rules[set->span[39].first].value, 1LL);
	KUNIT_EXPECT_EQ(test, set->rules[set->span[39].first + 1].value, 3LL);
	KUNIT_EXPECT_EQ(test, set->orig_index[set->span[39].first + 1], 2U);
	rdr_ruleset_free(set);
}

static void rdr_ruleset_build_names_bad_rule(struct kunit *test)
{
	struct redirect_rule rules[3] = {
		rdr_test_rule(39, REDIRECT_VERDICT_VALUE, 1),
		rdr_test_rule(39, REDIRECT_VERDICT_VALUE, 1),
		rdr_test_rule(39, REDIRECT_VERDICT_VALUE, 1),
	};
	struct rdr_rules_error err;
	struct rdr_ruleset *set;

	rules[2].nr_args = 1;
	rules[2].args[0].index = 9;
	rules[2].args[0].op = REDIRECT_CMP_EQ;
	set = rdr_ruleset_build(rules, 3, &err);
	KUNIT_EXPECT_EQ(test, PTR_ERR(set), -EINVAL);
	KUNIT_EXPECT_EQ(test, err.rule, 2U);
	KUNIT_EXPECT_EQ(test, err.field, (u32)REDIRECT_RULE_FIELD_ARG_INDEX);
	KUNIT_EXPECT_EQ(test, err.arg, 0U);

	set = rdr_ruleset_build(rules, REDIRECT_RULES_MAX + 1, &err);
	KUNIT_EXPECT_EQ(test, PTR_ERR(set), -E2BIG);
}

/* A string argument is read once per decision: A, B, A refused, A, A, B kept. */
static void rdr_ruleset_build_refuses_string_reread(struct kunit *test)
{
	struct redirect_rule rules[4] = {
		rdr_test_rule(257, REDIRECT_VERDICT_ERRNO, 13),
		rdr_test_rule(257, REDIRECT_VERDICT_ERRNO, 13),
		rdr_test_rule(2, REDIRECT_VERDICT_ERRNO, 13),
		rdr_test_rule(257, REDIRECT_VERDICT_ERRNO, 13),
	};
	static const u32 index[4] = { 1, 1, 0, 2 };
	struct rdr_rules_error err;
	struct rdr_ruleset *set;
	int i;

	for (i = 0; i < 4; i++) {
		rules[i].str_match = REDIRECT_STR_PREFIX;
		rules[i].str_index = index[i];
		rules[i].str_len = 1;
		rules[i].str[0] = '/';
	}
	/* openat: 1, 1, 2; open: 0 */
	set = rdr_ruleset_build(rules, 4, &err);
	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	rdr_ruleset_free(set);
	/* openat: 1, 1, 2, then 1 again */
	rules[2].nr = 257;
	rules[2].str_index = 2;
	rules[3].str_index = 1;
	set = rdr_ruleset_build(rules, 4, &err);
	KUNIT_EXPECT_EQ(test, PTR_ERR(set), -EINVAL);
	KUNIT_EXPECT_EQ(test, err.rule, 3U);
	KUNIT_EXPECT_EQ(test, err.field, (u32)REDIRECT_RULE_FIELD_STR_REREAD);
	/* a rule without a string between two on argument 1 leaves nothing */
	rules[2].str_match = REDIRECT_STR_NONE;
	rules[2].str_index = 0;
	rules[2].str_len = 0;
	rules[2].str[0] = '\0';
	set = rdr_ruleset_build(rules, 4, &err);
	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	rdr_ruleset_free(set);
}

static void rdr_ruleset_build_empty(struct kunit *test)
{
	struct rdr_rules_error err;
	struct rdr_ruleset *set = rdr_ruleset_build(NULL, 0, &err);

	KUNIT_ASSERT_FALSE(test, IS_ERR(set));
	KUNIT_EXPECT_EQ(test, set->count, 0U);
	KUNIT_EXPECT_EQ(test, set->span[39].count, 0);
	rdr_ruleset_free(set);
}

/* ---- statistics ---------------------------------------------------------- */

static void rdr_hist_bucket_boundaries(struct kunit *test)
{
	u32 b;

	KUNIT_EXPECT_EQ(test, rdr_hist_bucket(0), 0U);
	KUNIT_EXPECT_EQ(test, rdr_hist_bucket(999), 0U);
	KUNIT_EXPECT_EQ(test, rdr_hist_bucket(1000), 1U);
	KUNIT_EXPECT_EQ(test, rdr_hist_bucket(1999), 1U);
	KUNIT_EXPECT_EQ(test, rdr_hist_bucket(2000), 2U);
	KUNIT_EXPECT_EQ(test, rdr_hist_bucket(3999), 2U);
	KUNIT_EXPECT_EQ(test, rdr_hist_bucket(4000), 3U);
	KUNIT_EXPECT_EQ(test, rdr_hist_bucket(U64_MAX), REDIRECT_HIST_BUCKETS - 1U);
	/* Every bucket's upper bound is the next bucket's first value. */
	for (b = 0; b < REDIRECT_HIST_BUCKETS - 1; b++) {
		u64 upper = rdr_hist_bucket_upper_ns(b);

		KUNIT_EXPECT_EQ_MSG(test, rdr_hist_bucket(upper - 1), b, "bucket %u", b);
		KUNIT_EXPECT_EQ_MSG(test, rdr_hist_bucket(upper), b + 1, "bucket %u", b);
	}
	KUNIT_EXPECT_EQ(test, rdr_hist_bucket_upper_ns(REDIRECT_HIST_BUCKETS - 1), U64_MAX);
}

/* Counts from every CPU add up in the totals; the syscall's slot agrees. */
static void rdr_stats_totals_sum_cpus(struct kunit *test)
{
	struct rdr_sandbox_stats st;
	struct rdr_counters c;
	int cpu, n = 0;

	KUNIT_ASSERT_EQ(test, rdr_stats_init(&st), 0);
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(st.total, cpu)->count[REDIRECT_STAT_FORWARDED] += 2;
		n += 2;
	}
	rdr_stats_count(&st, 39, REDIRECT_STAT_FORWARDED);
	rdr_stats_count(&st, 100000, REDIRECT_STAT_ERRNO);	/* the shared last slot */
	rdr_stats_latency(&st, 39, 1500);
	rdr_stats_read_total(&st, &c);
	KUNIT_EXPECT_EQ(test, c.count[REDIRECT_STAT_FORWARDED], (u64)n + 1);
	KUNIT_EXPECT_EQ(test, c.count[REDIRECT_STAT_ERRNO], 1ULL);
	KUNIT_EXPECT_EQ(test, c.hist[1], 1ULL);
	rdr_stats_read_nr(&st, 39, &c);
	KUNIT_EXPECT_EQ(test, c.count[REDIRECT_STAT_FORWARDED], 1ULL);
	KUNIT_EXPECT_EQ(test, c.hist[1], 1ULL);
	rdr_stats_read_nr(&st, RDR_STATS_NR - 1, &c);
	KUNIT_EXPECT_EQ(test, c.count[REDIRECT_STAT_ERRNO], 1ULL);
	rdr_stats_free(&st);
}

/* ---- sandboxes: ids, names, attach arguments ------------------------------ */

static void rdr_id_alloc_counts_up_and_skips_used(struct kunit *test)
{
	struct xarray xa;
	u32 next = 0, id;
	int dummy;

	xa_init_flags(&xa, XA_FLAGS_ALLOC1);
	KUNIT_ASSERT_EQ(test, rdr_id_alloc(&xa, &dummy, &next, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 1U);
	KUNIT_ASSERT_EQ(test, rdr_id_alloc(&xa, &dummy, &next, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 2U);
	/* A freed id is not handed out again before the counter wraps. */
	xa_erase(&xa, 1);
	KUNIT_ASSERT_EQ(test, rdr_id_alloc(&xa, &dummy, &next, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 3U);
	/* At the top it wraps to 1, never 0, and skips ids in use. */
	next = U32_MAX;
	KUNIT_ASSERT_EQ(test, rdr_id_alloc(&xa, &dummy, &next, &id), 0);
	KUNIT_EXPECT_EQ(test, id, U32_MAX);
	KUNIT_ASSERT_EQ(test, rdr_id_alloc(&xa, &dummy, &next, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 1U);
	KUNIT_ASSERT_EQ(test, rdr_id_alloc(&xa, &dummy, &next, &id), 0);
	KUNIT_EXPECT_EQ(test, id, 4U);
	xa_destroy(&xa);
}

static void rdr_sandbox_name_check_alphabet(struct kunit *test)
{
	char name[REDIRECT_NAME_MAX] = "web-1.prod_a:b";

	KUNIT_EXPECT_EQ(test, rdr_sandbox_name_check(name, sizeof(name)), 0);
	memset(name, 0, sizeof(name));
	KUNIT_EXPECT_EQ(test, rdr_sandbox_name_check(name, sizeof(name)), -EINVAL);
	strcpy(name, "a b");
	KUNIT_EXPECT_EQ(test, rdr_sandbox_name_check(name, sizeof(name)), -EINVAL);
	strcpy(name, "a/b");
	KUNIT_EXPECT_EQ(test, rdr_sandbox_name_check(name, sizeof(name)), -EINVAL);
	strcpy(name, "ok");
	name[10] = 'x';		/* garbage after the NUL */
	KUNIT_EXPECT_EQ(test, rdr_sandbox_name_check(name, sizeof(name)), -EINVAL);
	memset(name, 'a', sizeof(name));	/* no NUL at all */
	KUNIT_EXPECT_EQ(test, rdr_sandbox_name_check(name, sizeof(name)), -EINVAL);
}

/* Wakes a listener-like queue with EPOLLIN from hard interrupt context. */
struct rdr_test_irq_wake {
	struct irq_work work;
	wait_queue_head_t wqh;
	bool in_task;
};

static void rdr_test_irq_wake_fn(struct irq_work *work)
{
	struct rdr_test_irq_wake *w = container_of(work, struct rdr_test_irq_wake, work);

	w->in_task = in_task();
	wake_up_poll(&w->wqh, EPOLLIN | EPOLLRDNORM);
}

/*
 * An EPOLLIN outside task context is forwarded, never evaluated: current is
 * then an interrupted task, not the trapped one (kmod/sandbox.c).
 */
static void rdr_sandbox_wake_in_irq_forwards(struct kunit *test)
{
	struct rdr_sandbox *sb = kunit_kzalloc(test, sizeof(*sb), GFP_KERNEL);
	struct rdr_session *session = rdr_session_create();
	struct rdr_test_irq_wake w = { .work = IRQ_WORK_INIT_HARD(rdr_test_irq_wake_fn),
				       .in_task = true };

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_NOT_NULL(test, session);
	kref_init(&sb->ref);
	spin_lock_init(&sb->lock);
	INIT_LIST_HEAD(&sb->inflight);
	INIT_LIST_HEAD(&sb->delivered);
	INIT_LIST_HEAD(&sb->replay);
	RCU_INIT_POINTER(sb->owner, session);
	init_waitqueue_head(&w.wqh);
	init_waitqueue_func_entry(&sb->wait, rdr_sandbox_wake);
	add_wait_queue(&w.wqh, &sb->wait);

	irq_work_queue(&w.work);
	irq_work_sync(&w.work);
	remove_wait_queue(&w.wqh, &sb->wait);

	KUNIT_ASSERT_FALSE(test, w.in_task);
	KUNIT_EXPECT_EQ(test, atomic_read(&sb->forward_pending), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&session->wakeups), 1);
	rdr_session_destroy(session);
}

/* A sandbox holding one delivered request @id, as the broker's RECV leaves it. */
static struct rdr_sandbox *rdr_test_sandbox_delivered(struct kunit *test, u64 id)
{
	struct rdr_sandbox *sb = kunit_kzalloc(test, sizeof(*sb), GFP_KERNEL);
	struct rdr_request *req = kzalloc(sizeof(*req), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_NOT_NULL(test, req);
	KUNIT_ASSERT_EQ(test, rdr_stats_init(&sb->stats), 0);
	spin_lock_init(&sb->lock);
	INIT_LIST_HEAD(&sb->delivered);
	INIT_LIST_HEAD(&sb->replay);
	req->id = id;
	req->installed = -1;
	req->notif.id = id;
	list_add_tail(&req->node, &sb->delivered);
	return sb;
}

static u64 rdr_test_latencies(struct rdr_sandbox *sb)
{
	struct rdr_counters c;
	u64 sum = 0;
	int b;

	rdr_stats_read_total(&sb->stats, &c);
	for (b = 0; b < REDIRECT_HIST_BUCKETS; b++)
		sum += c.hist[b];
	return sum;
}

/*
 * Two replies to one call: the second, while the first is performed, is
 * refused; an fd installed by a reply whose SEND then failed is remembered,
 * so that the reply's repeat only sends it (no second install).
 */
static void rdr_delivered_claim_busy_and_installed(struct kunit *test)
{
	struct rdr_sandbox *sb = rdr_test_sandbox_delivered(test, 7);
	s32 installed = 42;

	KUNIT_EXPECT_EQ(test, rdr_delivered_claim(sb, 8, &installed), -ENOENT);
	KUNIT_ASSERT_EQ(test, rdr_delivered_claim(sb, 7, &installed), 0);
	KUNIT_EXPECT_EQ(test, installed, -1);
	KUNIT_EXPECT_EQ(test, rdr_delivered_claim(sb, 7, &installed), -EBUSY);
	/* ADDFD installed fd 5, its SEND failed: the call still waits. */
	rdr_delivered_release(sb, 7, RDR_REPLY_WAITS, 5);
	installed = -1;
	KUNIT_ASSERT_EQ(test, rdr_delivered_claim(sb, 7, &installed), 0);
	KUNIT_EXPECT_EQ(test, installed, 5);
	rdr_delivered_release(sb, 7, RDR_REPLY_ANSWERED, installed);
	KUNIT_EXPECT_TRUE(test, list_empty(&sb->delivered));
	KUNIT_EXPECT_EQ(test, rdr_test_latencies(sb), 1);
	KUNIT_EXPECT_EQ(test, rdr_delivered_claim(sb, 7, &installed), -ENOENT);
	rdr_stats_free(&sb->stats);
}

/*
 * The sandbox ends during a reply and frees its records
 * (rdr_sandbox_end_locked()); the reply's release then finds nothing (KASAN
 * and kmemleak on the debug kernel watch that it frees nothing twice).
 * Likewise for a call forgotten unclaimed (an ID_VALID that found it gone)
 * while another thread's reply holds it.
 */
static void rdr_delivered_release_after_forgotten(struct kunit *test)
{
	struct rdr_sandbox *sb = rdr_test_sandbox_delivered(test, 3);
	struct rdr_request *req, *tmp;
	s32 installed;
	LIST_HEAD(ended);

	KUNIT_ASSERT_EQ(test, rdr_delivered_claim(sb, 3, &installed), 0);
	list_splice_init(&sb->delivered, &ended);
	list_for_each_entry_safe(req, tmp, &ended, node) {
		list_del(&req->node);
		kfree(req);
	}
	rdr_delivered_release(sb, 3, RDR_REPLY_WAITS, 9);
	rdr_delivered_release(sb, 3, RDR_REPLY_ANSWERED, 9);
	KUNIT_EXPECT_TRUE(test, list_empty(&sb->delivered));
	KUNIT_EXPECT_EQ(test, rdr_test_latencies(sb), 0);
	rdr_stats_free(&sb->stats);

	sb = rdr_test_sandbox_delivered(test, 4);
	KUNIT_ASSERT_EQ(test, rdr_delivered_claim(sb, 4, &installed), 0);
	rdr_delivered_release(sb, 4, RDR_REPLY_GONE, -1);
	KUNIT_EXPECT_TRUE(test, list_empty(&sb->delivered));
	rdr_delivered_release(sb, 4, RDR_REPLY_WAITS, 6);
	KUNIT_EXPECT_EQ(test, rdr_delivered_claim(sb, 4, &installed), -ENOENT);
	rdr_stats_free(&sb->stats);
}

static void rdr_attach_check_fail_modes(struct kunit *test)
{
	struct redirect_attach a = { .listener_fd = 3, .pidfd = -1, .name = "x" };

	KUNIT_EXPECT_EQ(test, rdr_attach_check(&a), 0);
	a.hold_timeout_ms = 100;	/* a timeout needs someone to kill */
	KUNIT_EXPECT_EQ(test, rdr_attach_check(&a), -EINVAL);
	a.pidfd = 4;
	KUNIT_EXPECT_EQ(test, rdr_attach_check(&a), 0);
	a.fail_mode = REDIRECT_FAIL_KILL;	/* KILL takes no timeout */
	KUNIT_EXPECT_EQ(test, rdr_attach_check(&a), -EINVAL);
	a.hold_timeout_ms = 0;
	KUNIT_EXPECT_EQ(test, rdr_attach_check(&a), 0);
	a.pidfd = -1;
	KUNIT_EXPECT_EQ(test, rdr_attach_check(&a), -EINVAL);
	a.fail_mode = 2;
	KUNIT_EXPECT_EQ(test, rdr_attach_check(&a), -EINVAL);
	a.fail_mode = REDIRECT_FAIL_HOLD;
	a.flags = 1;
	KUNIT_EXPECT_EQ(test, rdr_attach_check(&a), -EINVAL);
}

static struct kunit_case rdr_test_cases[] = {
	KUNIT_CASE(rdr_ioctl_classify_handshake),
	KUNIT_CASE(rdr_ioctl_classify_handshake_any_size),
	KUNIT_CASE(rdr_ioctl_classify_handshake_wrong_direction),
	KUNIT_CASE(rdr_ioctl_classify_reserved),
	KUNIT_CASE(rdr_ioctl_classify_beyond_reserved),
	KUNIT_CASE(rdr_ioctl_classify_foreign_magic),
	KUNIT_CASE(rdr_ioctl_check_size_ver0),
	KUNIT_CASE(rdr_ioctl_check_size_below_ver0),
	KUNIT_CASE(rdr_ioctl_check_size_larger),
	KUNIT_CASE(rdr_ioctl_check_size_above_page),
	KUNIT_CASE(rdr_session_gate_handshake_new),
	KUNIT_CASE(rdr_session_gate_handshake_ready),
	KUNIT_CASE(rdr_session_gate_reserved_new),
	KUNIT_CASE(rdr_session_gate_reserved_ready),
	KUNIT_CASE(rdr_session_gate_unknown),
	KUNIT_CASE(rdr_handshake_negotiate_no_features),
	KUNIT_CASE(rdr_handshake_negotiate_supported_features),
	KUNIT_CASE(rdr_handshake_negotiate_module_supported),
	KUNIT_CASE(rdr_handshake_negotiate_unsupported_feature),
	KUNIT_CASE(rdr_handshake_negotiate_unknown_feature),
	KUNIT_CASE(rdr_handshake_negotiate_version_mismatch),
	KUNIT_CASE(rdr_handshake_negotiate_version_before_features),
	KUNIT_CASE(rdr_handshake_negotiate_pad_nonzero),
	KUNIT_CASE(rdr_handshake_negotiate_broker_sizes),
	KUNIT_CASE(rdr_reply_check_unused_half),
	KUNIT_CASE(rdr_reply_check_continue_exec),
	KUNIT_CASE(rdr_reply_check_restart_errno),
	KUNIT_CASE(rdr_handshake_writes_back_answers),
	KUNIT_CASE(rdr_handshake_writes_back_other_errors),
	KUNIT_CASE(rdr_session_create_new),
	KUNIT_CASE(rdr_rule_check_valid_verdicts),
	KUNIT_CASE(rdr_rule_check_bad_scalar_fields),
	KUNIT_CASE(rdr_rule_check_bad_args),
	KUNIT_CASE(rdr_rule_check_bad_string),
	KUNIT_CASE(rdr_rule_args_hold_each_op),
	KUNIT_CASE(rdr_rule_args_hold_masked_and_all),
	KUNIT_CASE(rdr_rule_str_holds_exact_prefix),
	KUNIT_CASE(rdr_rules_decide_first_match_and_limit),
	KUNIT_CASE(rdr_rules_decide_no_match_forwards),
	KUNIT_CASE(rdr_ruleset_build_indexes_by_nr_stably),
	KUNIT_CASE(rdr_ruleset_build_names_bad_rule),
	KUNIT_CASE(rdr_ruleset_build_refuses_string_reread),
	KUNIT_CASE(rdr_ruleset_build_empty),
	KUNIT_CASE(rdr_hist_bucket_boundaries),
	KUNIT_CASE(rdr_stats_totals_sum_cpus),
	KUNIT_CASE(rdr_id_alloc_counts_up_and_skips_used),
	KUNIT_CASE(rdr_sandbox_name_check_alphabet),
	KUNIT_CASE(rdr_attach_check_fail_modes),
	KUNIT_CASE(rdr_sandbox_wake_in_irq_forwards),
	KUNIT_CASE(rdr_delivered_claim_busy_and_installed),
	KUNIT_CASE(rdr_delivered_release_after_forgotten),
	{}
};

static struct kunit_suite rdr_test_suite = {
	.name = "redirect",
	.test_cases = rdr_test_cases,
};

kunit_test_suite(rdr_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for redirect.ko");
MODULE_IMPORT_NS(RDR_KUNIT_NS);
