# SPDX-License-Identifier: GPL-2.0
# Sourced by micro.sh and macro.sh: a work directory removed on exit,
# redirect.ko loaded from $ko when given (unloaded on exit if loaded here),
# and emit_json for the result.
# Needs $me (the script's name, for messages) and $ko (empty: portable mode).
# shellcheck shell=bash
# shellcheck disable=SC2154 # me comes from the sourcing script

work=$(mktemp -d "/tmp/redirect-$me.XXXXXX")
sentry_pid='' loaded=''
cleanup() {
	[ -n "$sentry_pid" ] && kill "$sentry_pid" 2>/dev/null && wait "$sentry_pid" 2>/dev/null
	[ -n "$loaded" ] && { rmmod redirect 2>/dev/null || echo "$me.sh: rmmod redirect failed" >&2; }
	rm -rf "$work"
}
trap cleanup EXIT

if [ -n "$ko" ]; then
	if [ ! -d /sys/module/redirect ]; then
		insmod "$ko"
		loaded=1
	fi
	for _ in $(seq 50); do [ -c /dev/redirect ] && break; sleep 0.1; done
	[ -c /dev/redirect ] || { echo "$me.sh: /dev/redirect did not appear" >&2; exit 1; }
fi

# The result file: to $out, or with "-" on stdout between markers (a VM's
# console; tools/bench/vm.sh splits them on the host).
emit_json() {
	if [ "$out" = - ]; then
		echo "@@bench-json-begin@@"
		cat "$1"
		echo "@@bench-json-end@@"
	else
		mv "$1" "$out"
	fi
}
