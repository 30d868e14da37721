#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract kselftest_harness.h and kselftest.h from Debian's linux-source-6.1
# into the cache (not into the repo) and print the directory holding them.
set -euo pipefail
. "$(dirname "$0")/kernel-source.sh"
rdr_kernel_source_files ksft 4 tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h
