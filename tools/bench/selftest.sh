#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark tools work (no speed targets here: those are the report's):
# bad input is refused, every answer is checked, the JSON has its shape, the
# report and chart come out.  TAP on stdout; run on the host after `make user`.
#
#   tools/bench/selftest.sh [--module KO]   (--module: inside a VM guest)
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit
ko_args=()
[ "${1:-}" = --module ] && ko_args=(--module "$2")

work=$(mktemp -d /tmp/redirect-bench-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "1..9"
n=0 failed=0
result() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=1; fi; }

bad=0
for args in "--reps 0" "--calls -5" "--calls 12x" "--call nosuchcall" "--mode nosuchmode" \
	"--scale 1,,x" "--scale 65" "--dir /nonexistent" "--usersentry /nonexistent" "stray"; do
	# shellcheck disable=SC2086
	err=$(build/bin/redirect-bench $args 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" != 2 ] || ! echo "$err" | grep -q "^redirect-bench: "; then
		echo "# '$args': status $rc, '$err'"
		bad=1
	fi
done
result $bad "bench_refuses_bad_options_with_a_message"

tools/bench/micro.sh "${ko_args[@]}" "$work/micro.json" --calls 300 --fwd-calls 30 --reps 3 \
	--scale 1,3 --scale-calls 20 2>"$work/micro.err"
rc=$?
sed 's/^/# /' "$work/micro.err" | tail -5
result $rc "micro_runs_every_mode_with_every_answer_checked"

python3 - "$work/micro.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == 2 and d["reps"] == 3
calls = {"getppid", "uname", "openat", "stat", "read", "connect"}
assert {e["call"] for e in d["micro"]} == calls
for e in d["micro"]:
    assert e["status"] in ("ok", "n/a"), e
    if e["status"] == "n/a":
        assert e["reason"], e
        continue
    f = e["ns_per_call"]
    assert 0 < f["min"] <= f["p25"] <= f["median"] <= f["p75"] <= f["max"], e
    assert e["x_native"] > 0, e
    if e["mode"] == "native":
        assert abs(e["x_native"] - 1) < 1e-3, e
ok = {(e["call"], e["mode"]) for e in d["micro"] if e["status"] == "ok"}
for c in calls:
    for m in ("native", "tier0-allow", "tier0-errno", "forward-plain-agent"):
        assert (c, m) in ok, (c, m)
for c in ("uname", "openat", "stat", "connect"):
    assert (c, "usersentry") in ok, c
if d["module"]:
    for c in calls:
        assert (c, "tier1") in ok and (c, "forward-broker") in ok, c
assert {e["threads"] for e in d["scaling"]} == {1, 3}
for e in d["scaling"]:
    if e["status"] == "ok":
        assert e["calls_per_s"]["median"] > 0, e
PY
result $? "micro_json_has_every_call_mode_and_spread"

runc_opt=()
[ -z "${ko_args[*]}" ] && [ -x build/bin/redirect-runc ] && command -v runc >/dev/null && runc_opt=(--runc)
tools/bench/macro.sh "${ko_args[@]}" "${runc_opt[@]}" --reps 1 --size quick "$work/macro.json" \
	2>"$work/macro.err"
rc=$?
sed 's/^/# /' "$work/macro.err" | tail -5
[ "$rc" = 0 ] && python3 - "$work/macro.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [w["name"] for w in d["workloads"]] == ["shell-loop", "tar", "make", "sqlite"]
for w in d["workloads"]:
    for key in ("", "runc_") if "compared_runc" in d else ("",):
        if w.get(key + "status", w["status"]) == "ok":
            assert w[key + "ratio"] > 0 and w[key + "redirect_s"]["median"] > 0, w
        else:
            assert w[key + "status"] == "failed" and w[key + "error"], w
PY
result $? "macro_times_or_reports_each_workload"

python3 tools/bench/report.py --out-md "$work/p.md" --out-png "$work/p.png" \
	--host-micro "$work/micro.json" --vm-micro "$work/micro.json" \
	--host-macro "$work/macro.json" >/dev/null 2>"$work/report.err" &&
	grep -q "^| getppid | native |" "$work/p.md" && grep -q "^| target (issue 7)" "$work/p.md" &&
	[ "$(head -c 4 "$work/p.png" | od -An -c | tr -d ' ')" = "211PNG" ]
rc=$?
sed 's/^/# /' "$work/report.err" | tail -5
result $rc "report_writes_markdown_and_png"

python3 tools/bench/report.py --out-md "$work/q.md" --out-png "$work/q.png" \
	--host-micro "$work/nonexistent.json" >/dev/null 2>"$work/err"
[ $? != 0 ] && grep -q "no such file" "$work/err"
result $? "report_refuses_a_missing_input"
# "-": the JSON on stdout between marks, the way a VM guest hands it back
tools/bench/micro.sh "${ko_args[@]}" - --call getppid --mode native,tier0-errno --calls 100 \
	--reps 1 --scale none 2>"$work/err" >"$work/dash.out"
rc=$?
[ "$rc" = 0 ] && python3 - "$work/dash.out" <<'PY'
import json, sys
t = open(sys.argv[1]).read()
assert t.count("@@bench-json-begin@@") == 1 and t.count("@@bench-json-end@@") == 1
d = json.loads(t.split("@@bench-json-begin@@")[1].split("@@bench-json-end@@")[0])
assert [e["mode"] for e in d["micro"]] == ["native", "tier0-errno"], d["micro"]
PY
result $? "micro_hands_json_back_on_stdout_between_marks"

bad=0
for args in "--reps 0 -" "--size big -" "--bogus -" "--module /nonexistent -" "a.json b.json"; do
	# shellcheck disable=SC2086
	err=$(tools/bench/macro.sh $args 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" != 2 ] || [ -z "$err" ]; then
		echo "# macro.sh $args: status $rc, '$err'"
		bad=1
	fi
done
result $bad "macro_refuses_bad_options"

# The README quotes the report: the same now, and a changed report is noticed.
mkdir -p "$work/readme/docs"
cp README.md "$work/readme/" && cp docs/performance.md "$work/readme/docs/"
python3 tools/bench/readme_summary.py --check && (
	cd "$work/readme" && sed -i 's/| met |/| met, again |/' docs/performance.md &&
	! python3 "$top/tools/bench/readme_summary.py" --check 2>/dev/null &&
	python3 "$top/tools/bench/readme_summary.py" && grep -q "(met, again)" README.md)
result $? "readme_performance_summary_matches_report"
exit $failed
