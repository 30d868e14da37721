#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py: docs/performance.md and its chart from the benchmarks' JSON.

usage: report.py --out-md FILE --out-png FILE [--host-micro J] [--vm-micro J]
                 [--host-macro J] [--vm-macro J] [--meta J]
       report.py --out-md FILE --kernels-only --kernel-run LABEL=J [--kernel-run ...]

Every input is optional; a missing one leaves its section saying so.  --meta
holds what the make target knows: the commands run, the machine, the date.
The chart is drawn with gnuplot (pngcairo).  The section "Module mode on each
kernel" (tools/bench/kernels.sh) is written with --kernels-only, in place, and
a full report carries it over from the file it replaces.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

MODE_ORDER = ["native", "tier0-allow", "tier0-errno", "tier1", "forward-broker",
              "forward-plain-agent", "forward-plain-agent-sync", "usersentry"]
CALL_ORDER = ["getppid", "uname", "openat", "stat", "read", "connect"]


def load(path):
    if not path:
        return None
    if not os.path.exists(path):
        sys.exit(f"report.py: {path}: no such file")
    with open(path) as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            sys.exit(f"report.py: {path}: not JSON: {e}")


def ns(v):
    if v >= 100000:
        return f"{v / 1000:.0f} µs"
    if v >= 10000:
        return f"{v / 1000:.1f} µs"
    return f"{v:.0f} ns"


def micro_index(d):
    """{(call, mode): entry}"""
    return {(e["call"], e["mode"]): e for e in d["micro"]} if d else {}


def scaling_index(d):
    return {(e["mode"], e["threads"]): e for e in d["scaling"]} if d else {}


def micro_table(d, out):
    idx = micro_index(d)
    out.append("| call | mode | median | IQR (p25–p75) | min–max | × native |")
    out.append("|---|---|---:|---:|---:|---:|")
    for c in CALL_ORDER:
        for m in MODE_ORDER:
            e = idx.get((c, m))
            if not e:
                continue
            if e["status"] != "ok":
                out.append(f"| {c} | {m} | n/a: {e['reason']} | | | |")
                continue
            f = e["ns_per_call"]
            out.append(f"| {c} | {m} | {ns(f['median'])} | {ns(f['p25'])}–{ns(f['p75'])} | "
                       f"{ns(f['min'])}–{ns(f['max'])} | {e.get('x_native', 0):.2f} |")
    out.append("")


def scaling_table(d, out):
    idx = scaling_index(d)
    threads = sorted({t for (_, t) in idx})
    modes = [m for m in ["native", "forward-plain-agent", "forward-plain-agent-sync",
                         "forward-broker"] if any((m, t) in idx for t in threads)]
    out.append("| threads | " + " | ".join(f"{m} calls/s (× plain agent)" for m in modes) +
               " | broker requests per batch |")
    out.append("|---:|" + "---:|" * len(modes) + "---:|")
    for t in threads:
        row = [str(t)]
        batch = ""
        for m in modes:
            e = idx.get((m, t))
            if not e or e["status"] != "ok":
                row.append("n/a")
                continue
            f = e["calls_per_s"]
            row.append(f"{f['median']:,.0f} ({f['min']:,.0f}–{f['max']:,.0f}) "
                       f"×{e.get('x_plain_agent', 0):.2f}")
            if m == "forward-broker":
                batch = f"{e.get('requests_per_batch', 0):.2f}"
        out.append("| " + " | ".join(row) + f" | {batch} |")
    out.append("")


def macro_table(d, out):
    runc = "compared_runc" in d
    head = "| workload | what | native | redirect-run | ratio |"
    sep = "|---|---|---:|---:|---:|"
    if runc:
        head += " runc | redirect-runc | ratio to runc |"
        sep += "---:|---:|---:|"
    out += [head, sep]

    def cells(w, key, base_key):
        if w.get(key + "status", w.get("status")) != "ok":
            return ["", f"**fails**: `{w.get(key + 'error', '')}`", ""]
        b, r = w[base_key], w[key + "redirect_s"]
        calls = w.get(key + "sentry_calls")
        calls = f"; {calls:,.0f} calls to the Sentry" if calls is not None else ""
        return [f"{b['median']:.2f} s ({b['min']:.2f}–{b['max']:.2f})",
                f"{r['median']:.2f} s ({r['min']:.2f}–{r['max']:.2f}){calls}",
                f"**{w[key + 'ratio']:.2f}** ({w[key + 'ratio_min']:.2f}–"
                f"{w[key + 'ratio_max']:.2f})"]

    for w in d["workloads"]:
        row = [w["name"], w["what"].replace("|", "\\|")] + cells(w, "", "native_s")
        if runc:
            row += cells(w, "runc_", "runc_base_s")
        out.append("| " + " | ".join(row) + " |")
    out += ["", "Medians of the interleaved runs, (min–max); a ratio's range pairs the "
            "extremes (fastest against slowest).", ""]


def med(idx, c, m):
    e = idx.get((c, m))
    if e and e["status"] == "ok":
        return e["ns_per_call"]["median"]
    return None


def targets(vms, macros, out):
    """The issue's targets, each with its result and the verdict, per VM run."""
    rows = []
    for label, vm in vms:
        if vm:
            rows += target_rows(label, vm)
    macro_rows(macros, rows)
    out.append("| target (issue 7) | measured (medians, one run) | verdict |")
    out.append("|---|---|---|")
    for r in rows:
        out.append(f"| {r[0]} | {r[1]} | {r[2]} |")
    out.append("")


def target_rows(label, vm):
    rows = []
    vi, si = micro_index(vm), scaling_index(vm)
    t1, ag, nat = med(vi, "getppid", "tier1"), med(vi, "getppid", "forward-plain-agent"), \
        med(vi, "getppid", "native")
    br = med(vi, "getppid", "forward-broker")
    if t1 and ag:
        r = ag / t1
        rows.append((f"{label}: tier 1 ≥ 20× cheaper than the plain agent's round trip (getppid)",
                     f"{r:.1f}×", "met" if r >= 20 else f"missed: {20 / r:.2f}× short"))
    if t1 and nat:
        r = t1 / nat
        rows.append((f"{label}: tier 1 ≤ 4× a native null syscall (getppid)", f"{r:.2f}×",
                     "met" if r <= 4 else f"missed by {r / 4:.2f}× (see below)"))
    if br and ag:
        r, lo, hi = iqr_ratio(vi[("getppid", "forward-broker")]["ns_per_call"],
                              vi[("getppid", "forward-plain-agent")]["ns_per_call"])
        rows.append((f"{label}: broker forwarding no slower than the plain agent (getppid, "
                     "time per call)", f"{r:.2f}× the agent's time (IQR range {lo:.2f}–{hi:.2f})",
                     bound_verdict(r, lo, hi, 1.0)))
    b8, a8 = si.get(("forward-broker", 8)), si.get(("forward-plain-agent", 8))
    if b8 and a8 and b8["status"] == "ok" and a8["status"] == "ok":
        r, lo, hi = iqr_ratio(b8["calls_per_s"], a8["calls_per_s"])
        rows.append((f"{label}: broker ≥ 2× the plain agent's throughput at 8 threads",
                     f"{r:.2f}× (IQR range {lo:.2f}–{hi:.2f})",
                     "met" if lo >= 2 else f"missed: {2 / r:.2f}× short (see below)" if hi < 2
                     else f"not resolved by this run: IQR range {lo:.2f}–{hi:.2f} straddles 2"))
    return rows


def iqr_ratio(num, den):
    """Median ratio and the range the interquartile ranges allow: (r, lo, hi)."""
    return (num["median"] / den["median"], num["p25"] / den["p75"], num["p75"] / den["p25"])


def bound_verdict(r, lo, hi, limit, unit="×"):
    """At most @limit: met, missed, or not resolved when the IQRs straddle it."""
    if hi <= limit:
        return "met"
    if lo > limit:
        return f"missed: {r:.2f}{unit} (IQR range {lo:.2f}–{hi:.2f})"
    return (f"not resolved by this run: median {r:.2f}{unit}, IQR range {lo:.2f}–{hi:.2f} "
            f"straddles {limit}")


def macro_rows(macros, rows):
    for label, d in macros:
        if not d:
            continue
        pairs = [("", "the same command natively")]
        if "compared_runc" in d:
            pairs.insert(0, ("runc_", "plain runc"))
        for key, base in pairs:
            ok = [w for w in d["workloads"] if w.get(key + "status", w.get("status")) == "ok"]
            bad = [w["name"] for w in d["workloads"]
                   if w.get(key + "status", w.get("status")) != "ok"]
            res, verdicts = [], []
            for w in ok:
                r, lo, hi = iqr_ratio(w[key + "redirect_s"],
                                      w[key + "base_s" if key else "native_s"])
                res.append(f"{w['name']} {r:.2f}× (IQR range {lo:.2f}–{hi:.2f})")
                v = bound_verdict(r, lo, hi, 1.10) if d["reps"] >= 3 else \
                    f"not resolved: {d['reps']} run(s) per figure, median {r:.2f}×"
                if v != "met":
                    verdicts.append(f"{w['name']}: {v}")
            res = ", ".join(res)
            if bad:
                res += "; fails: " + ", ".join(bad)
                verdicts.append("fails: " + ", ".join(bad))
            rows.append((f"{label}: macro ≤ 1.10× (against {base})", res,
                         "; ".join(verdicts) if verdicts else "met"))


def decomposition(vm, out):
    """Per-step costs of getppid in the VM, from differences of medians."""
    vi = micro_index(vm)
    g = {m: med(vi, "getppid", m) for m in MODE_ORDER}
    if not (g["native"] and g["tier0-errno"] and g["tier1"]):
        return
    out.append("Where tier 1's time goes (getppid in the VM, differences of medians "
               "measured in the same run):")
    out.append("")
    out.append(f"- native call: {ns(g['native'])}")
    if g["tier0-allow"]:
        out.append(f"- + running the cBPF filter (tier0-allow − native): "
                   f"{ns(g['tier0-allow'] - g['native'])}")
    out.append(f"- tier0-errno (filter, call skipped): {ns(g['tier0-errno'])}")
    out.append(f"- + seccomp's notification path and the module's verdict (tier1 − tier0-errno):"
               f" {ns(g['tier1'] - g['tier0-errno'])}, i.e. "
               f"{(g['tier1'] - g['tier0-errno']) / g['native']:.1f}× a native call")
    out.append("")


def chart(host, vm, vm1, png):
    """Two panels: × native per call and tier (VM and host), throughput scaling."""
    tmp = tempfile.mkdtemp(prefix="redirect-report.")
    panels = []
    for label, d in (("module mode, Debian 6.1 under QEMU TCG", vm),
                     ("portable mode, host", host)):
        if not d:
            continue
        idx = micro_index(d)
        modes = [m for m in MODE_ORDER[1:] if any(
            (c, m) in idx and idx[(c, m)]["status"] == "ok" for c in CALL_ORDER)]
        fn = os.path.join(tmp, f"micro{len(panels)}.dat")
        with open(fn, "w") as f:
            f.write("call " + " ".join(modes) + "\n")
            for c in CALL_ORDER:
                vals = []
                for m in modes:
                    e = idx.get((c, m))
                    vals.append(f"{e['x_native']:.3f}" if e and e["status"] == "ok"
                                and e.get("x_native") else "NaN")
                f.write(c + " " + " ".join(vals) + "\n")
        panels.append(("micro", label, fn, modes))
    for label, d in (("module mode (VM, 2 vCPUs)", vm), ("module mode (VM, 1 vCPU)", vm1),
                     ("portable mode (host)", host)):
        if not d:
            continue
        si = scaling_index(d)
        modes = [m for m in ["forward-plain-agent", "forward-plain-agent-sync",
                             "forward-broker"]
                 if any(si.get((m, t), {}).get("status") == "ok" for (_, t) in si)]
        if not modes:
            continue
        fn = os.path.join(tmp, f"scale{len(panels)}.dat")
        with open(fn, "w") as f:
            for t in sorted({t for (_, t) in si}):
                vals = [f"{si[(m, t)]['calls_per_s']['median']:.0f}"
                        if si.get((m, t), {}).get("status") == "ok" else "NaN" for m in modes]
                f.write(f"{t} " + " ".join(vals) + "\n")
        panels.append(("scale", label, fn, modes))
    if not panels:
        return False
    g = [f"set terminal pngcairo size 1400,{420 * len(panels)} font 'sans,10'",
         f"set output '{png}'",
         f"set multiplot layout {len(panels)},1"]
    for kind, label, fn, modes in panels:
        if kind == "micro":
            g += ["set style data histogram", "set style histogram clustered gap 1",
                  "set style fill solid 0.8 border -1", "set logscale y", "set grid y",
                  "unset xlabel", "set ylabel 'time per call / native (log)'",
                  "set key outside right top", "set xtics nomirror",
                  f"set title 'Cost per call relative to native — {label}'",
                  "plot " + ", ".join(f"'{fn}' using {i + 2}:xtic(1) title columnheader"
                                      for i in range(len(modes)))]
        else:
            g += ["unset style", "set style data linespoints", "unset logscale",
                  "set logscale x 2", "set grid", "set xlabel 'trapped threads'",
                  "set ylabel 'getppid calls/s (forwarded)'", "set key outside right top",
                  "set yrange [0:*]",
                  f"set title 'Forwarded getppid throughput, one agent — {label}'",
                  "plot " + ", ".join(f"'{fn}' using 1:{i + 2} title '{m}' lw 2"
                                      for i, m in enumerate(modes)),
                  "unset xlabel", "set autoscale y", "unset logscale x"]
    g.append("unset multiplot")
    script = os.path.join(tmp, "chart.gp")
    with open(script, "w") as f:
        f.write("\n".join(g) + "\n")
    subprocess.run(["gnuplot", script], check=True)
    return True


KERNELS_BEGIN = "<!-- kernels.sh: begin -->"
KERNELS_END = "<!-- kernels.sh: end -->"


def kernels_section(runs, meta):
    """Tier 1 and forwarding per kernel: runs = [(label, micro JSON)]."""
    o = [KERNELS_BEGIN, "## Module mode on each kernel", "",
         "Generated by `tools/bench/kernels.sh`; every ratio is taken within one run "
         "(one VM boot, modes interleaved), `pinned` runs the benchmark and its agents "
         "under `taskset -c 0` in the guest. getppid, median ns per call (× native "
         "of the same run).", ""]
    for k in ["date", "host_load", "vm", "command"]:
        if k in meta:
            o.append(f"- {k.replace('_', ' ')}: {meta[k]}")
    o.append("")
    modes = ["native", "tier1", "forward-broker", "forward-plain-agent",
             "forward-plain-agent-sync"]
    o.append("| kernel, CPUs | " + " | ".join(modes) +
             " | plain agent ÷ tier 1 | broker ÷ plain agent | broker ÷ sync agent |")
    o.append("|---|" + "---:|" * (len(modes) + 3))
    for label, d in runs:
        idx = micro_index(d)
        row, med = [label], {}
        for m in modes:
            e = idx.get(("getppid", m))
            if not e or e["status"] != "ok":
                row.append("n/a")
                continue
            med[m] = e["ns_per_call"]["median"]
            row.append(f"{ns(med[m])} (×{e.get('x_native', 0):.1f})")

        def q(a, b):
            return f"{med[a] / med[b]:.2f}" if a in med and b in med and med[b] else "n/a"
        row += [q("forward-plain-agent", "tier1"), q("forward-broker", "forward-plain-agent"),
                q("forward-broker", "forward-plain-agent-sync")]
        o.append("| " + " | ".join(row) + " |")
    o.append("")
    o += ["Forwarded getppid throughput, calls/s (× plain agent at the same thread count):", ""]
    threads = sorted({t for _, d in runs for (_, t) in scaling_index(d)})
    smodes = ["forward-broker", "forward-plain-agent", "forward-plain-agent-sync"]
    o.append("| kernel, CPUs | threads | " + " | ".join(smodes) + " |")
    o.append("|---|---:|" + "---:|" * len(smodes))
    for label, d in runs:
        idx = scaling_index(d)
        for t in threads:
            row = [label, str(t)]
            for m in smodes:
                e = idx.get((m, t))
                row.append(f"{e['calls_per_s']['median']:,.0f} (×{e.get('x_plain_agent', 0):.2f})"
                           if e and e["status"] == "ok" else "n/a")
            o.append("| " + " | ".join(row) + " |")
    o += ["", KERNELS_END]
    return o


def replace_kernels_section(text, block):
    """@text with its kernels block replaced by @block (appended if absent)."""
    if KERNELS_BEGIN in text and KERNELS_END in text:
        head, rest = text.split(KERNELS_BEGIN, 1)
        return head + block + rest.split(KERNELS_END, 1)[1]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def old_kernels_section(path):
    if not os.path.exists(path):
        return None
    text = open(path).read()
    if KERNELS_BEGIN not in text or KERNELS_END not in text:
        return None
    return KERNELS_BEGIN + text.split(KERNELS_BEGIN, 1)[1].split(KERNELS_END, 1)[0] + KERNELS_END


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-md", required=True)
    ap.add_argument("--out-png")
    ap.add_argument("--kernel-run", action="append", default=[], metavar="LABEL=JSON",
                    help="module-mode micro run on one kernel (tools/bench/kernels.sh)")
    ap.add_argument("--kernels-only", action="store_true",
                    help="update only the per-kernel section of --out-md")
    ap.add_argument("--host-micro")
    ap.add_argument("--vm-micro")
    ap.add_argument("--vm1-micro", help="module mode with 1 vCPU")
    ap.add_argument("--host-macro")
    ap.add_argument("--vm-macro")
    ap.add_argument("--meta")
    ap.add_argument("--analysis", help="hand-written Markdown appended as is")
    a = ap.parse_args()
    runs = []
    for r in a.kernel_run:
        if "=" not in r:
            sys.exit(f"report.py: --kernel-run wants LABEL=JSON, got '{r}'")
        label, path = r.split("=", 1)
        runs.append((label, load(path)))
    if a.kernels_only:
        if not runs:
            sys.exit("report.py: --kernels-only needs --kernel-run")
        text = open(a.out_md).read() if os.path.exists(a.out_md) else "# Performance\n"
        block = "\n".join(kernels_section(runs, load(a.meta) or {}))
        with open(a.out_md, "w") as f:
            f.write(replace_kernels_section(text, block))
        return
    if not a.out_png:
        sys.exit("report.py: --out-png is required for a full report")
    kept = old_kernels_section(a.out_md)
    host, vm, vm1 = load(a.host_micro), load(a.vm_micro), load(a.vm1_micro)
    hmac, vmac = load(a.host_macro), load(a.vm_macro)
    meta = load(a.meta) or {}

    o = ["# Performance", "",
         "Generated by `make bench-report` (`tools/bench/report.py`); do not edit by hand.",
         "Timings on this machine are noisy (2 CPU cores shared with other jobs): only "
         "ratios measured side by side in one run mean something, and each figure is the "
         "median of repeated, interleaved runs with its spread.", ""]
    o += ["## Machine and commands", ""]
    for k in ["date", "cpu", "memory", "host_load", "host_kernel", "guest_kernel", "vm", "quick"]:
        if k in meta:
            o.append(f"- {k.replace('_', ' ')}: {meta[k]}")
    if meta.get("commands"):
        o += ["", "```sh"] + meta["commands"] + ["```"]
    o.append("")

    o += ["## Against the targets", ""]
    if vm:
        targets([("VM, 2 vCPUs", vm), ("VM, 1 vCPU", vm1)],
                [("portable mode, host", hmac), ("module mode, VM", vmac)], o)
        decomposition(vm, o)
    else:
        o += ["No module-mode run: the tier-1 and broker targets were not measured.", ""]

    if chart(host, vm, vm1, a.out_png):
        o += [f"![cost per call and throughput]({os.path.basename(a.out_png)})", ""]

    for title, d in (("module mode: Debian's 6.1 kernel under QEMU TCG, 2 vCPUs", vm),
                     ("module mode: the same VM with 1 vCPU", vm1),
                     ("portable mode: the host kernel", host)):
        o += [f"## Micro benchmarks, {title}", ""]
        if not d:
            o += ["Not run.", ""]
            continue
        o.append(f"`redirect-bench` on {d['kernel']} ({d['cpus']} CPUs): "
                 f"{d['calls_per_run']} calls per run for native and in-kernel tiers, "
                 f"{d['forwarded_calls_per_run']} for forwarded ones, {d['reps']} runs per "
                 f"figure, interleaved. redirect.ko: {'yes' if d['module'] else 'no'}; "
                 f"SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: "
                 f"{'yes' if d['sync_wakeup'] else 'n/a (kernel lacks it)'}.")
        o.append("")
        o.append("Modes:")
        o.append("")
        for m in MODE_ORDER:
            if m in d["modes"]:
                o.append(f"- `{m}`: {d['modes'][m]}")
        o.append("")
        o.append("Calls: " + "; ".join(f"`{c}`: {d['calls'][c]}" for c in CALL_ORDER
                                        if c in d["calls"]) + ".")
        o.append("")
        micro_table(d, o)
        o += [f"### Forwarded getppid throughput with N trapped threads ({title})", "",
              f"One agent serves all threads; {d['scaling_calls_per_thread']} calls per "
              "thread per run; median calls/s (min–max) and the ratio to the plain agent "
              "at the same thread count.", ""]
        scaling_table(d, o)

    for title, d in (("portable mode (host)", hmac), ("module mode (VM)", vmac)):
        o += [f"## Macro benchmarks, {title}", ""]
        if not d:
            o += ["Not run.", ""]
            continue
        o.append(f"{d['compared']}; policy `{d['policy']}`; kernel {d['kernel']}; "
                 f"{d['reps']} interleaved runs each, size `{d['size']}`.")
        if "compared_runc" in d:
            o += ["", f"Containers: {d['compared_runc']}."]
        o.append("")
        macro_table(d, o)

    if a.analysis:
        with open(a.analysis) as f:
            o += [f.read().rstrip(), ""]
    text = "\n".join(o)
    if runs:
        text = replace_kernels_section(text, "\n".join(kernels_section(runs, meta)))
    elif kept:
        text = replace_kernels_section(text, kept)
    with open(a.out_md, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
