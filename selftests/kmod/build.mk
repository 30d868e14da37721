# SPDX-License-Identifier: GPL-2.0
# kselftests of /dev/redirect (redirect.ko); run in a VM by selftests/kmod/run-in-vm.sh.
KMOD_SELFTESTS := $(B)/selftests/kmod/device_test
USER_TARGETS += $(KMOD_SELFTESTS)

$(KMOD_SELFTESTS): $(B)/selftests/kmod/%: selftests/kmod/%.c kmod/uapi/linux/redirect.h
	@mkdir -p $(dir $@)
	$(CC) $(KSFT_CFLAGS) -pthread -o $@ $< $(LDFLAGS)
