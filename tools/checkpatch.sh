#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract the kernel's checkpatch.pl (with the spelling and const-struct lists
# it reads beside itself) from Debian's linux-source-6.1 into the cache, keyed
# by the package version, and print the script's path.
set -euo pipefail
. "$(dirname "$0")/kernel-source.sh"
dir=$(rdr_kernel_source_files checkpatch 2 scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch)
echo "$dir/checkpatch.pl"
