#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# redirect-runc asks usersentry (its control socket) whether it knows the
# bundle's policy before create/run: a policy only redirect-runc has is exit 125
# with the daemon's reason, the bundle untouched and no container. TAP on stdout.
#
#   runc_policy_test.sh host|vm
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n runc_policy_$*"; }
not_ok() { n=$((n + 1)); echo "not ok $n runc_policy_$*"; failed=1; }
diag() { sed 's/^/# /'; }
check() { # name, then a command: ok when it succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

runc=$(command -v runc || true)
if [ "$(id -u)" != 0 ] || [ -z "$runc" ]; then
	ok "redirect_runc_checks_policy # SKIP needs root and runc"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/runc-policy-test.XXXXXX")
sock=$work/s.sock
log=$work/usersentry.log
state=$work/runc-state
daemon=
cleanup() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# the daemon knows "known"; redirect-runc's directory also has "runc-only"
mkdir -p "$work/daemon-policies" "$work/runc-policies" "$work/bundle/rootfs"
policy='{"defaultAction":"SCMP_ACT_ALLOW","redirect":{"sentry":{"default":"errno:ENOSYS",
 "uname":{"release":"7.7.7-known"}}}}'
echo "$policy" >"$work/daemon-policies/known.json"
echo "$policy" >"$work/runc-policies/known.json"
echo "$policy" >"$work/runc-policies/runc-only.json"
(cd "$work/bundle" && "$runc" spec) || { not_ok "runc_spec"; exit 1; }
"$bin/usersentry" -s "$sock" -d "$work/daemon-policies" -l "$log" --state-dir "$work/st" &
daemon=$!
for _ in $(seq 300); do grep -qs "listening on $sock" "$log" && break; sleep 0.1; done
check "usersentry_starts" grep -qs "listening on $sock" "$log"

: >"$work/empty.conf"
rrunc() { # policy, runc args...
	local p=$1
	shift
	REDIRECT_RUNC_CONFIG=$work/empty.conf REDIRECT_SOCKET=$sock \
		REDIRECT_POLICY_DIR=$work/runc-policies timeout 120 "$bin/redirect-runc" \
		--redirect-policy "$p" --root "$state" "$@" </dev/null 2>&1
}
# shellcheck disable=SC2034 # read by the eval'd check below
sum0=$(sha256sum <"$work/bundle/config.json")
for cmd in create run; do
	out=$(rrunc runc-only "$cmd" --bundle "$work/bundle" "c-$cmd")
	# shellcheck disable=SC2034 # read by the eval'd check below
	rc=$?
	echo "$out" | diag
	check "${cmd}_unknown_to_daemon_exits_125_with_its_reason" eval '[ $rc = 125 ] &&
		grep -q "usersentry does not know policy \"runc-only\": unknown policy \"runc-only\"" <<<"$out"'
	check "${cmd}_unknown_to_daemon_leaves_bundle_untouched" eval \
		'[ "$(sha256sum <"$work/bundle/config.json")" = "$sum0" ] &&
		[ ! -e "$work/bundle/config.json.redirect-orig" ]'
	check "${cmd}_unknown_to_daemon_starts_no_container" \
		eval '[ -z "$("$runc" --root "$state" list -q 2>/dev/null)" ]'
done
check "daemon_was_asked_and_logged_nothing_attached" eval '! grep -q "attached" "$log"'
# the same bundle with a policy the daemon knows passes the check (then runc
# creates the container from the rewritten bundle)
out=$(rrunc known create --bundle "$work/bundle" c-known)
echo "$out" | diag
check "create_known_policy_passes_the_check" eval '! grep -q "does not know policy" <<<"$out" &&
	[ -e "$work/bundle/config.json.redirect-orig" ]'
"$runc" --root "$state" delete -f c-known >/dev/null 2>&1
echo "# runc_policy: $n tests"
exit "$failed"
