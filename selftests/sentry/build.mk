# SPDX-License-Identifier: GPL-2.0
# usersentry's daemon-level tests: a target program; run.sh (host, portable mode) and
# run-in-vm.sh (guest, module mode) drive usersentry, redirect-run and real programs.

SENTRY_TEST_DIR := $(B)/selftests/sentry

$(SENTRY_TEST_DIR)/sentry_target: selftests/sentry/sentry_target.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -pthread -o $@ $< $(LDFLAGS) -pthread

$(SENTRY_TEST_DIR)/path_call: selftests/sentry/path_call.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

$(SENTRY_TEST_DIR)/abi_calls: selftests/sentry/abi_calls.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

USER_TARGETS += $(SENTRY_TEST_DIR)/sentry_target $(SENTRY_TEST_DIR)/path_call \
		$(SENTRY_TEST_DIR)/abi_calls

.PHONY: sentry-selftests
sentry-selftests: $(B)/bin/usersentry $(B)/bin/redirect-run $(SENTRY_TEST_DIR)/sentry_target \
		  $(SENTRY_TEST_DIR)/path_call $(SENTRY_TEST_DIR)/abi_calls
