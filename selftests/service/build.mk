# SPDX-License-Identifier: GPL-2.0
# Service integration tests: build/selftests/service/.
SERVICE_TESTS := $(B)/selftests/service/service_test

$(B)/selftests/service/service_test: selftests/service/service_test.c
	@mkdir -p $(dir $@)
	$(CC) $(KSFT_CFLAGS) -o $@ $<

USER_TARGETS += $(SERVICE_TESTS)
