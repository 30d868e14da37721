# SPDX-License-Identifier: GPL-2.0
# kselftests of redirect.ko sandboxes and its netlink family; run in a VM by
# selftests/sandbox/run-in-vm.sh.
SANDBOX_SELFTESTS := $(B)/selftests/sandbox/sandbox_test $(B)/selftests/sandbox/netlink_test
USER_TARGETS += $(SANDBOX_SELFTESTS)

$(SANDBOX_SELFTESTS): $(B)/selftests/sandbox/%: selftests/sandbox/%.c \
		selftests/sandbox/sandbox_util.h selftests/reliability/rel_nl.h kmod/uapi/linux/redirect.h
	@mkdir -p $(dir $@)
	$(CC) $(KSFT_CFLAGS) -pthread -o $@ $< $(LDFLAGS)
