#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The style checks (`make lint`, `make format-check`, suite `lint`): prints what
# each check found and exits non-zero when any failed.
#
#   tools/lint.sh [CHECK...]   (default: checkpatch shellcheck werror)
#
# The checks: checkpatch (checkpatch.pl --strict on kmod/, tools/checkpatch.sh),
# the shellcheck one (--severity=warning on every shell script), werror (user space
# and tests built with -Werror into build/werror), format (clang-format with
# .clang-format on the C lines changed since BASE, default origin/main, else
# main, committed or not).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit

# Types checkpatch may report anywhere, with the reason:
#   BIT_MACRO: BIT() does not exist for UAPI headers, and is unsigned long
#              where RDR_SURPLUS_MAX is compared with an int
cp_ignore=BIT_MACRO
# ... and per file (FILE:TYPE,...), with the reason:
#   compat.h, LINUX_VERSION_CODE and CONSTANT_COMPARISON: version tests are
#     what an out-of-tree module's compat layer is for, written as the kernel's
#     own headers write them (LINUX_VERSION_CODE < KERNEL_VERSION(...));
#   compat.h, MACRO_ARG_REUSE: the pidfd macros stand for the kernel's
#     unexported inline helpers and take a plain variable; a function would
#     need headers compat.h is kept free of;
#   rules_eval.h, NEW_TYPEDEFS and PREFER_KERNEL_TYPES: the rule engine is
#     shared with user space, hence stdint types and a counter typedef that is
#     atomic64_t in the kernel and uint64_t in user space.
cp_file_ignore=(
	"kmod/compat.h:LINUX_VERSION_CODE,CONSTANT_COMPARISON,MACRO_ARG_REUSE"
	"kmod/rules_eval.h:NEW_TYPEDEFS,PREFER_KERNEL_TYPES"
)

lint_checkpatch() {
	local cp f ignore e out rc=0
	cp=$(tools/checkpatch.sh) || return 1
	# the sources only: an in-tree kbuild leaves kmod/redirect.mod.c beside them
	for f in $(git ls-files 'kmod/*.c' 'kmod/*.h'); do
		ignore=$cp_ignore
		for e in "${cp_file_ignore[@]}"; do
			[ "${e%%:*}" = "$f" ] && ignore+=,${e#*:}
		done
		# --terse prints a "total:" line even for a clean file
		out=$("$cp" --no-tree --strict --terse --show-types --ignore "$ignore" -f "$f") ||
			{ rc=1; grep -v '^total: ' <<<"$out"; }
	done
	return $rc
}

# Every tracked file that is a shell script: *.sh (some are sourced and have
# no shebang) and the rest by their shebang.
shell_scripts() {
	git ls-files -z | while IFS= read -r -d '' f; do
		[ -f "$f" ] || continue
		case $f in
		*.sh) echo "$f" ;;
		*) head -n1 "$f" 2>/dev/null | grep -qE '^#!.*[/ ](ba)?sh( |$)' && echo "$f" ;;
		esac
	done
}

lint_shellcheck() {
	local files
	mapfile -t files < <(shell_scripts)
	[ "${#files[@]}" -gt 0 ] || { echo "no shell scripts found" >&2; return 1; }
	shellcheck --severity=warning --format=gcc "${files[@]}" || return 1
	# The tests' check NAME CMD...: in "check NAME A && B" only A decides the
	# TAP line, and B cannot fail the test. Group first, or use eval '...'.
	# (continuation lines joined; an eval '...' may hold &&, but not be followed by it)
	if awk '{ l = l $0 } /\\$/ { sub(/\\$/, "", l); next }
		{ print FILENAME ":" FNR ": " l; l = "" }' "${files[@]}" |
		grep -E ': [[:space:]]*check ("[^"]*"|[^ ]+)[[:space:]].*(&&|\|\|)' |
		grep -vE ": [[:space:]]*check (\"[^\"]*\"|[^ ]+)[[:space:]]+eval[[:space:]]+'" |
		cat - <(grep -nE "^[[:space:]]*check (\"[^\"]*\"|[^ ]+)[[:space:]]+eval[[:space:]]+'.*'[[:space:]]*(&&|\|\|)" \
			"${files[@]}") | grep .; then
		echo "a check with && or || outside its command: the second part cannot fail the test" >&2
		return 1
	fi
}

lint_werror() {
	nice -n 10 make -s -j2 B=build/werror user tests CFLAGS='-O2 -g -Werror'
}

# Only what a change adds: most of the tree predates .clang-format, and
# reformatting it would collide with everyone's branches. git-clang-format 14
# exits 0 even when it would change lines, hence the look at its output.
lint_format() {
	local base=${BASE:-} from out
	if [ -z "$base" ]; then
		for base in origin/main main HEAD; do
			git rev-parse -q --verify "$base^{commit}" >/dev/null && break
		done
	fi
	from=$(git merge-base "$base" HEAD) || { echo "no merge base with '$base'" >&2; return 1; }
	out=$(git clang-format --diff --extensions c,h "$from" --) || return 1
	if grep -q '^diff --git' <<<"$out"; then
		echo "$out"
		echo "format: lines changed since $base are not formatted as .clang-format says;" \
			"\`git clang-format $from\` formats them" >&2
		return 1
	fi
	echo "format: the lines changed since $base ($from) are formatted"
}

checks=("$@")
[ $# -gt 0 ] || checks=(checkpatch shellcheck werror)
rc=0
for c in "${checks[@]}"; do
	case $c in
	checkpatch | shellcheck | werror | format) "lint_$c" || { echo "lint: $c failed" >&2; rc=1; } ;;
	*) echo "lint: unknown check '$c' (have: checkpatch shellcheck werror format)" >&2; exit 2 ;;
	esac
done
exit $rc
