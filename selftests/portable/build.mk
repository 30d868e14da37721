# SPDX-License-Identifier: GPL-2.0
# Portable-mode host selftests (kselftest harness) in build/selftests/portable/; run.sh runs them.

PORTABLE_DIR := $(B)/selftests/portable
PORTABLE_TESTS := $(patsubst selftests/portable/%.c,$(PORTABLE_DIR)/%,\
	$(wildcard selftests/portable/*_test.c))
PORTABLE_PROGS := $(PORTABLE_DIR)/probe

# sentry_test drives the daemon's handlers directly
PORTABLE_EXTRA_sentry := $(USERSENTRY_CORE_OBJS)
$(PORTABLE_DIR)/sentry_test: $(USERSENTRY_CORE_OBJS)
# views_test checks the views' generators
PORTABLE_EXTRA_views := $(USERSENTRY_CORE_OBJS)
$(PORTABLE_DIR)/views_test: $(USERSENTRY_CORE_OBJS)
# dents_test checks the getdents record filter
PORTABLE_EXTRA_dents := $(USERSENTRY_CORE_OBJS)
$(PORTABLE_DIR)/dents_test: $(USERSENTRY_CORE_OBJS)

# header_test compiles a user of every enum and struct of the public header
$(PORTABLE_DIR)/header_users.h: selftests/portable/header-users.sh \
		libredirect/include/libredirect.h kmod/uapi/linux/redirect.h
	@mkdir -p $(dir $@)
	selftests/portable/header-users.sh libredirect/include/libredirect.h \
		kmod/uapi/linux/redirect.h > $@.tmp && mv $@.tmp $@
PORTABLE_EXTRA_header := -I$(PORTABLE_DIR) -Werror -Wall -Wextra
$(PORTABLE_DIR)/header_test: $(PORTABLE_DIR)/header_users.h

# abi_test reads the built libraries; static_test links libredirect.a
$(PORTABLE_DIR)/abi_test: $(LIBREDIRECT_A) $(LIBREDIRECT_PC)
$(PORTABLE_DIR)/static_test: selftests/portable/static_test.c $(LIBREDIRECT_A)
	@mkdir -p $(dir $@)
	$(CC) $(KSFT_CFLAGS) -o $@ $< $(LDFLAGS) $(LIBREDIRECT_A) $(LIBREDIRECT_LIBS)

$(PORTABLE_DIR)/%_test: selftests/portable/%_test.c selftests/portable/helpers.h $(LIBREDIRECT_SO)
	@mkdir -p $(dir $@)
	$(CC) $(KSFT_CFLAGS) -Wno-format-truncation -Iusersentry -o $@ $< $(PORTABLE_EXTRA_$*) $(LDFLAGS) \
		$(LIBREDIRECT_SO) $(LIBREDIRECT_LIBS) -Wl,-rpath,'$$ORIGIN/../../lib'

# The loader's tests again under ASan/UBSan (clang), the library compiled in:
# ownership mistakes (a double free on an error path) fail them even where
# the plain build happens not to crash.
SAN_CC ?= clang
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
PORTABLE_SAN_TESTS := $(PORTABLE_DIR)/policy-asan_test $(PORTABLE_DIR)/sections-asan_test
$(PORTABLE_DIR)/%-asan_test: selftests/portable/%_test.c selftests/portable/helpers.h \
		$(LIBREDIRECT_SRCS) $(wildcard libredirect/*.h) libredirect/include/libredirect.h
	@mkdir -p $(dir $@)
	$(SAN_CC) -g -O1 -std=gnu11 -D_GNU_SOURCE -I$(CURDIR)/kmod/uapi \
		-I$(CURDIR)/libredirect/include -I$(KSFT_DIR) $(LIBREDIRECT_CFLAGS) \
		$(SAN_FLAGS) -o $@ $< $(LIBREDIRECT_SRCS) \
		$(LIBREDIRECT_LIBS)

# ctl_version_test calls an internal of the library: built with its sources
PORTABLE_TESTS += $(PORTABLE_DIR)/ctl_version_test
$(PORTABLE_DIR)/ctl_version_test: selftests/portable/ctl_version.c $(LIBREDIRECT_SRCS) \
		$(wildcard libredirect/*.h) libredirect/include/libredirect.h
	@mkdir -p $(dir $@)
	$(CC) $(KSFT_CFLAGS) $(LIBREDIRECT_CFLAGS) -o $@ $< $(LIBREDIRECT_SRCS) $(LDFLAGS) \
		$(LIBREDIRECT_LIBS)

$(PORTABLE_DIR)/probe: selftests/portable/probe.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

USER_TARGETS += $(PORTABLE_TESTS) $(PORTABLE_PROGS) $(PORTABLE_SAN_TESTS)

.PHONY: portable-selftests
portable-selftests: $(B)/bin/usersentry $(B)/bin/redirect-run $(PORTABLE_TESTS) $(PORTABLE_PROGS) \
	$(PORTABLE_SAN_TESTS)
