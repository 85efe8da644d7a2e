#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A lab run (sgscope lab collect) against a plain run of the same commit
(sgscope bench): the same cells, and, both in icount, every median of a
code path's time (kind central: the timed fault loop and the histogram
percentiles) the same within 1%, every counter the same, every tail (a
p99: a handful of the slowest calls, which move between any two boots)
within compare's icount threshold for tails (ICOUNT_TAIL_PCT in
tools/sgscope/compare.c).  Each series is also judged by `sgscope
compare`, run beside this by tools/lab/lab-quick; the allocator kind,
which moves with the allocator's history in any two boots, is listed for
it.  Prints a Markdown report; exits 1 when the cells differ or a series
is off.

usage: lab-vs-plain.py LABRUN PLAINRUN [--startup S] [--lab-wall S] [--plain-wall S]"""
import argparse
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))
import report  # noqa: E402

TOLERANCE = 0.01


def p95(values):
    """The 95th percentile, nearest rank."""
    v = sorted(values)
    return v[max(0, -(-95 * len(v) // 100) - 1)] if v else 0.0


TREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def compare_pct(name):
    """compare's threshold (ICOUNT_TAIL_PCT, ICOUNT_PART_PCT) in icount, from its source."""
    text = open(os.path.join(TREE, "tools", "sgscope", "compare.c")).read()
    return float(re.search(rf"^#define {name}\s+([0-9.]+)", text, re.M).group(1)) / 100


# each series' tolerance by kind; None: listed, judged by sgscope compare
# (a part of an SG fallback's path moves with its chunk count: compare's bar)
KIND_TOLERANCE = {"central": TOLERANCE, "part": compare_pct("ICOUNT_PART_PCT"), "counter": 0.0,
                  "tail": compare_pct("ICOUNT_TAIL_PCT"), "allocator": None, "state": None}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("lab")
    p.add_argument("plain")
    p.add_argument("--startup", type=int)
    p.add_argument("--lab-wall", type=int)
    p.add_argument("--plain-wall", type=int)
    args = p.parse_args()
    runs, series, kinds = {}, {}, {}
    for name in ("lab", "plain"):
        run, samples, _, _ = report.load(getattr(args, name))
        runs[name], series[name] = run, report.series_of(samples)
        kinds.update({(s["cell"], s["metric"]): s["kind"] for s in samples})
    cells = {k: {c for c, _ in series[k]} for k in series}
    lines = ["# The quick matrix: LAVA lab against a plain run", "",
             f"lab: `{args.lab}` ({runs['lab'].get('machine')}), plain: `{args.plain}`; "
             f"git {runs['lab']['git_sha']} and {runs['plain']['git_sha']}; clocks "
             f"{report.clock_of(runs['lab'])[0]} and {report.clock_of(runs['plain'])[0]}.", ""]
    if args.startup is not None:
        lines += [f"Lab start-up (tools/lab/local-lab start): {args.startup} s. "
                  f"Wall time, the two-job lab run (submit to collected): {args.lab_wall} s; "
                  f"the plain `sgscope bench --quick`: {args.plain_wall} s.", ""]
    ok = True
    same_cells = bool(cells["lab"]) and cells["lab"] == cells["plain"]
    ok &= same_cells
    lines += [f"Cells: {len(cells['lab'])} in the lab run, {len(cells['plain'])} in the plain run, "
              + ("the same." if same_cells else
                 f"NOT the same (lab only: {sorted(cells['lab'] - cells['plain'])}, plain only: "
                 f"{sorted(cells['plain'] - cells['lab'])})."), ""]
    # a series only one run has must be one of the allocator's: a state
    # part (a refill, a new slab) that one run's iterations met
    lone = sorted(set(series["lab"]) ^ set(series["plain"]))
    lone_ok = all(kinds[k] in ("allocator", "state") for k in lone)
    ok &= lone_ok
    lines += [f"Series in one run only: {len(lone)}"
              + (", all of kind allocator or state (parts one run's iterations met)." if lone_ok else
                 f"; NOT all of kind allocator or state: "
                 f"{[k for k in lone if kinds[k] not in ('allocator', 'state')]}."), ""]
    icount = runs["lab"].get("clock") == "icount" and runs["plain"].get("clock") == "icount" and \
        runs["lab"].get("icount_shift") == runs["plain"].get("icount_shift")
    if not icount:
        ok = False
        lines += ["The runs are not both in icount at one shift: their medians are not compared.", ""]
    else:
        keys = sorted(set(series["lab"]) & set(series["plain"]))
        rows, diffs = [], {}
        for key in keys:
            a = statistics.median(series["plain"][key]["values"])
            b = statistics.median(series["lab"][key]["values"])
            rel = abs(b - a) / abs(a) if a else (0.0 if b == a else float("inf"))
            kind = kinds[key]
            limit = KIND_TOLERANCE[kind]
            diffs.setdefault(kind, []).append(rel)
            verdict = "(compare)" if limit is None else "ok" if rel <= limit else f"over {limit:.0%}"
            rows.append(f"| {key[0]} | {key[1]} | {kind} | {a:g} | {b:g} | {rel * 100:.3f}% | {verdict} |")
        lines += ["| kind | series | each held to | over it | p50 | p95 | max |", "|---|---|---|---|---|---|---|"]
        for kind, limit in KIND_TOLERANCE.items():
            if kind not in diffs:
                continue
            d = diffs[kind]
            if limit is not None:
                ok &= max(d) <= limit
            held = "the same" if limit == 0 else f"{limit * 100:g}%" if limit else "sgscope compare"
            over = sum(x > limit for x in d) if limit is not None else "-"
            lines.append(f"| {kind} | {len(d)} | {held} | {over} | {statistics.median(d) * 100:.3f}% | "
                         f"{p95(d) * 100:.3f}% | {max(d) * 100:.3f}% |")
        ok &= bool(keys)
        lines += ["", "| cell | metric | kind | plain median | lab median | difference | |",
                  "|---|---|---|---|---|---|---|"]
        lines += rows
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
