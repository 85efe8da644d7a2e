#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The same cells on several kernels, side by side (tools/bench/kernels).

Usage: kernels-report.py OUTDIR KERNEL...

Reads OUTDIR/KERNEL/samples.jsonl for each KERNEL and writes
OUTDIR/kernels.md: one row per series (cell, metric) the runs share, its
median on each kernel and the change from the first kernel's.  The cell
names drop their DMA mode (every run is in the mode its machine booted
with).  Exits 1 when a run has no samples or the runs share no series.
"""
import json
import statistics
import sys


def medians(path):
    series = {}
    with open(path) as f:
        for line in f:
            s = json.loads(line)
            series.setdefault((s["cell"], s["metric"], s["unit"]), []).append(s["value"])
    return {k: statistics.median(v) for k, v in series.items()}


def kernel_of(out, name):
    with open(f"{out}/{name}/run.json") as f:
        return json.load(f)["kernel"]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, names = sys.argv[1], sys.argv[2:]
    runs = [medians(f"{out}/{n}/samples.jsonl") for n in names]
    if not all(runs):
        sys.exit("kernels-report: a run has no samples")
    keys = sorted(set.intersection(*(set(r) for r in runs)))
    if not keys:
        sys.exit("kernels-report: the runs share no series")
    head = ["series"] + [f"{n} ({kernel_of(out, n)})" for n in names]
    lines = ["# The same cells on each kernel", "",
             f"Medians of every series the runs share ({len(keys)}), in the test machine's "
             "icount ns (8 ns per instruction); the change is from the first kernel's.", "",
             "| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for cell, metric, unit in keys:
        base = runs[0][(cell, metric, unit)]
        cells = [f"{base:g} {unit}"]
        for r in runs[1:]:
            v = r[(cell, metric, unit)]
            change = f" ({(v - base) / base * 100:+.1f}%)" if base else ""
            cells.append(f"{v:g} {unit}{change}")
        lines.append(f"| {cell} {metric} | " + " | ".join(cells) + " |")
    with open(f"{out}/kernels.md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"[kernels] {len(keys)} series on {len(names)} kernels: {out}/kernels.md")


if __name__ == "__main__":
    main()
