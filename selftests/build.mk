# SPDX-License-Identifier: GPL-2.0
# kselftest headers come from Debian's linux-source-6.1, extracted into the cache.
ifeq ($(filter clean module module-clean,$(MAKECMDGOALS)),)
KSFT_DIR := $(shell tools/ksft-headers.sh)
endif
KSFT_CFLAGS = $(CFLAGS) -I$(KSFT_DIR) -Wno-sign-compare -Wno-missing-field-initializers
include $(wildcard selftests/*/build.mk)
