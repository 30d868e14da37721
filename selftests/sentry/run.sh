#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# usersentry's daemon-level tests on the host (portable mode): TAP on stdout.
#
#   selftests/sentry/run.sh        (REDIRECT_NO_BUILD=1: use what build/ holds)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit
echo "TAP version 13"
if [ -z "${REDIRECT_NO_BUILD:-}" ] && ! out=$(make -s sentry-selftests 2>&1); then
	echo "$out" | sed 's/^/# /'
	echo "not ok 1 sentry: build failed"
	echo "1..1"
	exit 1
fi
if [ -e /dev/redirect ]; then
	echo "# /dev/redirect present: the host run is for portable mode"
fi
mode=portable
. "$top/selftests/sentry/tests.sh"
. "$top/selftests/sentry/identity.sh"
. "$top/selftests/sentry/views.sh"
. "$top/selftests/sentry/abi.sh"
. "$top/selftests/sentry/custody-portable.sh"
stop_daemon
echo "1..$n"
exit "$failed"
