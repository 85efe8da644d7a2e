#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Why a time moved: function_graph traces of one cell's workload
(tools/bench/guest-why.sh), each function's self time (its duration less
its children's), and the functions whose share of the traced time moved
most, largest first.

  why.py BASE NEW OUT [TITLE]

BASE and NEW: a trace, or a folder of traces of the workload repeated
(trace-*.txt), of which each function keeps its least own time.  Writes
OUT/why.md and OUT/why.json and prints the first row.  A trace is
trace-cmd report's text of function_graph: "name() {" opens a call,
"name();" is a leaf with its duration, "}" closes the innermost call with
its duration (in us, guest time under icount)."""
import glob, json, os, re, statistics, sys

# a duration may carry ftrace's mark of its size (+ over 10 us, ! over 100)
ENTRY = re.compile(r"funcgraph_entry:\s+(?:[-+!#*@$]\s*)?(?:([\d.]+) us\s+)?\|\s*([\w.$]+)\(\)\s*(\{|;)")
EXIT = re.compile(r"funcgraph_exit:\s+(?:[-+!#*@$]\s*)?([\d.]+) us\s+\|\s*\}")
TOP = 10
# trace-cmd report's line where a CPU's buffer dropped events
LOST = re.compile(r"\[(LOST \d+ EVENTS|\d+ EVENTS DROPPED)\]")
# where an interrupt or a softirq enters (traced, as funcgraph-irqs is on),
# or the scheduler, when the task gives up its CPU: its time is its
# parent's child time, so the function it interrupted keeps only its own;
# it is counted apart, as interrupts and task switches land wherever a
# changed path puts them (seen: one cond_resched() that switched in the
# base run and not in the new topped the diff)
APART_ROOT = re.compile(r"^(__)?sysvec_|^irq_(enter|exit)|^__irq_exit_rcu$|^handle_softirqs$|"
                        r"^__do_softirq$|^do_softirq$|^(__)?schedule$|^__cond_resched$|"
                        r"^preempt_schedule(_common|_irq|_notrace)?$")


def self_times(lines):
    """A function_graph trace's profile: "functions", {function: (own ns,
    calls)}, own ns its calls times its median call's own time; "total",
    the outermost calls' durations less the interrupts and task switches
    in them, and "apart", those, in ns; "paths", the calls each function
    was first called under."""
    selfs, stack, total, apart = {}, [], 0.0, 0.0
    paths = {}

    def done(name, ns, own, inside):
        """A call ended: NS long, OWN less its callees; INSIDE an
        interrupt or the scheduler."""
        nonlocal total, apart
        root = bool(APART_ROOT.search(name))
        if not (inside or root):
            selfs.setdefault(name, []).append(own)
            paths.setdefault(name, [f for f, _, _ in stack])
        if root and not inside:
            apart += ns
        if stack:
            stack[-1][1] += ns
        else:
            total += ns

    for line in lines:
        m = ENTRY.search(line)
        # below an interrupt's or the scheduler's root on the stack
        inside = any(APART_ROOT.search(f) or was for f, _, was in stack)
        if m and m.group(3) == "{":
            stack.append([m.group(2), 0.0, inside])
        elif m:
            ns = float(m.group(1) or 0) * 1000
            done(m.group(2), ns, ns, inside)
        else:
            m = EXIT.search(line)
            if m and stack:
                name, children, was_inside = stack.pop()
                ns = float(m.group(1)) * 1000
                done(name, ns, max(ns - children, 0.0), was_inside)
    # a function's own time: its calls times the median call, so that
    # the one call an untraced interrupt or a stall landed in does not
    # count (seen: one call of 1.4 ms among 127 of 5.8 us)
    return {"functions": {f: (statistics.median(v) * len(v), len(v)) for f, v in selfs.items()},
            "total": total - apart, "apart": apart, "paths": paths}


def least(profiles):
    """One profile of a workload's repetitions: each function's least own
    time of them (a function some repetition did not call: none), and
    the least total.  Under icount a repetition differs from another only
    by the interrupts that landed in it, and those only add time: one
    that lands in a function's own code in one repetition out of three
    does not count (seen: sgscope_buffer_alloc, called once per run,
    gained more than a planted cost of 185 us in one boot)."""
    names = set.intersection(*(set(p["functions"]) for p in profiles))
    functions = {f: min((p["functions"][f] for p in profiles), key=lambda v: v[0]) for f in names}
    paths = {}
    for p in profiles:
        for f, path in p["paths"].items():
            paths.setdefault(f, path)
    return {"functions": functions, "total": min(p["total"] for p in profiles),
            "apart": min(p["apart"] for p in profiles), "paths": paths, "reps": len(profiles)}


def load(path):
    """The profile of PATH: a trace, or a folder of repetitions' traces."""
    files = sorted(glob.glob(os.path.join(path, "trace-*.txt"))) if os.path.isdir(path) else [path]
    if not files:
        raise FileNotFoundError(f"no trace-*.txt in {path}")
    profiles = []
    for name in files:
        with open(name) as f:
            lines = f.readlines()
        # a trace that lost events has calls without their ends, and a
        # parent charged with its lost children's time
        lost = [line.strip() for line in lines if LOST.search(line)]
        if lost:
            raise ValueError(f"{name} lost events ({lost[0]}): the guest's trace buffer overflowed")
        profiles.append(self_times(lines))
    return least(profiles)


def diff(base, new):
    """Rows per function, by how much its self time moved (ns), largest
    first: (function, base ns, new ns, base share, new share, calls)."""
    b, bt, n, nt = base["functions"], base["total"], new["functions"], new["total"]
    rows = []
    for f in set(b) | set(n):
        bs, ns = b.get(f, (0.0, 0))[0], n.get(f, (0.0, 0))[0]
        rows.append((f, bs, ns, bs / bt if bt else 0.0, ns / nt if nt else 0.0,
                     (b.get(f, (0, 0))[1], n.get(f, (0, 0))[1])))
    rows.sort(key=lambda r: (-abs(r[2] - r[1]), r[0]))
    return rows


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        traces = [load(path) for path in argv[:2]]
    except (OSError, ValueError) as e:
        print(f"why.py: {e}", file=sys.stderr)
        return 1
    out, title = argv[2], argv[3] if len(argv) > 3 else "the traced workload"
    if not traces[0]["total"] or not traces[1]["total"]:
        print(f"why.py: a trace has no call in it ({traces[0]['total']:.0f} and "
              f"{traces[1]['total']:.0f} ns)", file=sys.stderr)
        return 1
    rows = diff(*traces)
    bt, bi, nt, ni = traces[0]["total"], traces[0]["apart"], traces[1]["total"], traces[1]["apart"]
    md = [f"# Why: {title}", "",
          f"Traced time {bt / 1000:.1f} -> {nt / 1000:.1f} us ({(nt - bt) / bt * 100:+.1f}%), "
          f"interrupts and task switches that landed in it left out ({bi / 1000:.1f} and "
          f"{ni / 1000:.1f} us: a changed path moves where they land); the functions whose own time (less their callees', "
          f"the least of {traces[0]['reps']} and {traces[1]['reps']} runs of the workload) moved most:", "",
          "| function | base self µs | new self µs | change µs | share base | share new | calls |",
          "|---|---|---|---|---|---|---|"]
    for f, bs, ns, bsh, nsh, (bc, nc) in rows[:TOP]:
        md.append(f"| `{f}` | {bs / 1000:.2f} | {ns / 1000:.2f} | {(ns - bs) / 1000:+.2f} | "
                  f"{bsh * 100:.1f}% | {nsh * 100:.1f}% | {bc} -> {nc} |")
    top = rows[0][0]
    path = traces[1]["paths"].get(top) or traces[0]["paths"].get(top) or []
    md += ["", f"`{top}` is called under " + (" → ".join(f"`{f}`" for f in path) or "nothing") + "."]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "why.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(out, "why.json"), "w") as f:
        json.dump({"title": title, "base_ns": bt, "new_ns": nt, "top_path": path,
                   "functions": [{"function": r[0], "base_self_ns": r[1], "new_self_ns": r[2],
                                  "base_share": r[3], "new_share": r[4], "calls": list(r[5])}
                                 for r in rows[:TOP]]}, f, indent=1)
    f, bs, ns, bsh, nsh, _ = rows[0]
    print(f"why: {f} {(ns - bs) / 1000:+.2f} us of own time ({bsh * 100:.1f}% -> {nsh * 100:.1f}% "
          f"of the traced time)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
