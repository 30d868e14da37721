# SPDX-License-Identifier: GPL-2.0
# Sourced: the kernels module mode is built and tested for. KERNELS (e.g.
# `make check KERNELS="6.1 6.12"` or a full release such as 6.12.95+deb12-amd64)
# overrides the default: Debian's newest installed 6.1 and 6.12 (the second
# comes from bookworm-backports, tools/setup-debian.sh).
#
#   rdr_kernels        -> one full release per line, each with /boot/vmlinuz-*
#                         and /lib/modules/*/build; errors name what is missing
#   rdr_kernel_label R -> "6.12" for 6.12.95+deb12-amd64 (suite names)
# shellcheck shell=bash

rdr_kernels() {
	local want k full rc=0
	want=${KERNELS:-6.1 6.12}
	for k in $want; do
		if [ -e "/boot/vmlinuz-$k" ]; then
			full=$k
		else
			full=$(ls /boot/vmlinuz-"$k".* 2>/dev/null | sed 's|.*/vmlinuz-||' |
				grep -v -- '-rt-\|-cloud-' | sort -V | tail -1)
		fi
		if [ -z "$full" ]; then
			echo "kernels: no /boot/vmlinuz-$k* installed (tools/setup-debian.sh, or set KERNELS)" >&2
			rc=1
		elif [ ! -f "/lib/modules/$full/build/Makefile" ]; then
			echo "kernels: no headers for $full (apt-get install linux-headers-$full)" >&2
			rc=1
		else
			echo "$full"
		fi
	done
	return $rc
}

rdr_kernel_label() {
	echo "$1" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p'
}
