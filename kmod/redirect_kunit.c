// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "redirect": handshake negotiation, session gate, ioctl classes.
 */
#include "ioctl.h"
#include "session.h"

#include <kunit/test.h>
#include <linux/redirect.h>
#include <linux/ioctl.h>
#include <linux/mm.h>
#include <linux/module.h>

#define RDR_TEST_SUPPORTED (REDIRECT_FEATURE_ATTACH | REDIRECT_FEATURE_BROKER)

static struct redirect_handshake rdr_test_request(u64 wanted)
{
	return (struct redirect_handshake){
		.api_version = REDIRECT_API_VERSION,
		.features = wanted,
	};
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
	KUNIT_CASE(rdr_handshake_writes_back_answers),
	KUNIT_CASE(rdr_handshake_writes_back_other_errors),
	KUNIT_CASE(rdr_session_create_new),
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
