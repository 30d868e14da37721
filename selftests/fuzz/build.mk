# SPDX-License-Identifier: GPL-2.0
# libFuzzer targets (clang): `make fuzz` builds build/fuzz/*_fuzz; run.sh runs them.

FUZZ_CC ?= clang
FUZZ_DIR := $(B)/fuzz
FUZZ_TARGETS := $(patsubst selftests/fuzz/%.c,$(FUZZ_DIR)/%,$(wildcard selftests/fuzz/*_fuzz.c))
FUZZ_SANITIZERS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wno-unused-parameter \
	-I$(CURDIR)/kmod/uapi -I$(CURDIR)/libredirect/include $(LIBREDIRECT_CFLAGS) \
	$(FUZZ_SANITIZERS)

# the library is compiled into each target, instrumented
$(FUZZ_DIR)/%_fuzz: selftests/fuzz/%_fuzz.c $(LIBREDIRECT_SRCS) $(wildcard libredirect/*.h) \
		libredirect/include/libredirect.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(LIBREDIRECT_SRCS) $(LIBREDIRECT_LIBS)

.PHONY: fuzz
fuzz: $(FUZZ_TARGETS)
