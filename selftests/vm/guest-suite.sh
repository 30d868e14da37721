#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inside the guest: run each test script given (";" separates them, each with
# its arguments), all of them even when one fails; exit non-zero if any did.
#   guest-suite.sh SCRIPT ARGS... \; SCRIPT ARGS...
set -u
rc=0 cmd=()
run() {
	[ ${#cmd[@]} = 0 ] && return
	local start=$SECONDS
	"${cmd[@]}" || { echo "# ${cmd[*]} exited $?"; rc=1; }
	echo "# guest-suite: ${cmd[0]} took $((SECONDS - start))s"
	cmd=()
}
for a in "$@"; do
	if [ "$a" = ";" ]; then run; else cmd+=("$a"); fi
done
run
exit $rc
