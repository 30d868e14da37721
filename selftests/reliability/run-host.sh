#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reliability suite's portable-mode part, on the host (no /dev/redirect):
# argument-swap races through usersentry and a short soak. TAP on stdout.
#
#   run-host.sh          (REL_LONG=1: 10^6 calls per race; SOAK_SECONDS, default 20)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
echo "TAP version 13"
if [ -e /dev/redirect ]; then
	echo "# /dev/redirect present: the host run is for portable mode"
fi
rc=0
# The long run: 10^6 calls per race; the host gets there in minutes.
[ "${REL_LONG:-0}" = 1 ] && export SWAP_SECONDS=${SWAP_SECONDS:-3600}
start=$(date +%s)
"$top/selftests/reliability/swap.sh" portable || rc=1
echo "# swap.sh portable: $(( $(date +%s) - start )) s"
start=$(date +%s)
"$top/selftests/reliability/soak.sh" portable "${SOAK_SECONDS:-20}" || rc=1
echo "# soak.sh portable: $(( $(date +%s) - start )) s"
exit $rc
