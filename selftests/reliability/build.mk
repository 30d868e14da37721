# SPDX-License-Identifier: GPL-2.0
# Reliability and security suite of redirect.ko: the ioctl/netlink fuzzer, fault
# injection, fault scenarios under load, escape attempts. Run in a VM by
# selftests/reliability/run-in-vm.sh.
REL_DIR := $(B)/selftests/reliability
REL_FUZZ := $(REL_DIR)/rdr_fuzz
REL_KSFT := $(REL_DIR)/failslab_test $(REL_DIR)/faults_test $(REL_DIR)/escape_test \
	$(REL_DIR)/race_test
REL_HDRS := selftests/reliability/rel_util.h selftests/reliability/rel_nl.h \
	selftests/reliability/rel_ksft.h \
	kmod/uapi/linux/redirect.h
REL_SWAP := $(REL_DIR)/swap_target
USER_TARGETS += $(REL_FUZZ) $(REL_KSFT) $(REL_SWAP)

$(REL_SWAP): selftests/reliability/swap_target.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -pthread -o $@ $< $(LDFLAGS)

$(REL_FUZZ): selftests/reliability/rdr_fuzz.c $(REL_HDRS) selftests/sandbox/sandbox_util.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -pthread -o $@ $< $(LDFLAGS)

$(REL_KSFT): $(REL_DIR)/%: selftests/reliability/%.c $(REL_HDRS) selftests/sandbox/sandbox_util.h
	@mkdir -p $(dir $@)
	$(CC) $(KSFT_CFLAGS) -pthread -o $@ $< $(LDFLAGS)
