#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The README's performance summary, written from docs/performance.md.

The README quotes only what the report says: each target of "Against the
targets" with its measured figure and verdict, and per kernel the tier-1
and forwarding ratios of "Module mode on each kernel". The block lives
between the README's perf-summary markers.

    tools/bench/readme_summary.py            rewrite the block in README.md
    tools/bench/readme_summary.py --check    exit 1 if the block is stale
"""
import re
import sys

BEGIN = "<!-- perf-summary: begin (tools/bench/readme_summary.py) -->"
END = "<!-- perf-summary: end -->"


def section(text, title):
    """The lines of the '## title' section of a markdown text."""
    m = re.search(r"^## " + re.escape(title) + r"\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        raise SystemExit(f"readme_summary: docs/performance.md has no section '{title}'")
    return m.group(1).splitlines()


def table_rows(lines):
    """Rows of the first markdown table in lines, header first, as lists of cells."""
    rows = []
    for line in lines:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r"-+:?", c) for c in cells):
                rows.append(cells)
        elif rows:
            break
    return rows


def field(lines, name):
    for line in lines:
        if line.startswith(f"- {name}: "):
            return line[len(name) + 4:]
    return "unknown"


def summary(report):
    machine = section(report, "Machine and commands")
    out = [BEGIN,
           f"From the committed report ({field(machine, 'date')}; host load "
           f"{field(machine, 'host load')}):", ""]
    targets = table_rows(section(report, "Against the targets"))
    if len(targets) < 2:
        raise SystemExit("readme_summary: 'Against the targets' has no rows")
    for target, measured, verdict in (r[:3] for r in targets[1:]):
        verdict = verdict.replace(" (see below)", "")
        out.append(f"- {target}: {measured} ({verdict})")
    kern = section(report, "Module mode on each kernel")
    rows = table_rows(kern)
    if len(rows) >= 2:
        head = rows[0]
        want = ["plain agent ÷ tier 1", "broker ÷ plain agent", "broker ÷ sync agent"]
        idx = [head.index(w) for w in want if w in head]
        out += ["", f"Module mode on each test kernel, getppid ({field(kern, 'date')}; "
                f"host load {field(kern, 'host load')}):", ""]
        for r in rows[1:]:
            out.append(f"- {r[0]}: " + ", ".join(f"{head[i]} {r[i]}" for i in idx))
    out.append(END)
    return "\n".join(out) + "\n"


def main():
    check = sys.argv[1:] == ["--check"]
    if sys.argv[1:] not in ([], ["--check"]):
        raise SystemExit("usage: readme_summary.py [--check]")
    report = open("docs/performance.md", encoding="utf-8").read()
    readme = open("README.md", encoding="utf-8").read()
    m = re.search(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n", readme, re.S)
    if not m:
        raise SystemExit("readme_summary: README.md has no perf-summary markers")
    new = readme[:m.start()] + summary(report) + readme[m.end():]
    if check:
        if new != readme:
            print("readme_summary: README.md's performance summary differs from "
                  "docs/performance.md; run tools/bench/readme_summary.py", file=sys.stderr)
            return 1
        return 0
    open("README.md", "w", encoding="utf-8").write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
