#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""docs/measurements.md, derived from the committed run folders it cites.

  measurements.py [RESULTS]          print the page (RESULTS: results/)
  measurements.py --write [RESULTS]  write it to docs/measurements.md

Every number on the page is read from a file under results/ (run.json,
samples.jsonl (the map fit), alloc-splits.jsonl (pcm1 under fragmentation),
overhead/overhead.json, xrun.json, fault-matrix/run.log, fuzz/run.log, compare.txt,
the source change's diff); tools/tests/15-docs.sh regenerates the page and fails when
the committed one differs.  A missing folder or file is an error: the page
never cites a run that is not committed.
"""
import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGE = os.path.join(REPO, "docs", "measurements.md")
BASELINES = ["baseline", "baseline-quick"]
# (folder, compare output, what was compared)
PAIRS = [
    ("20261204-noise-full", "compare.txt",
     "two full `make bench` runs of one commit, one after the other: the "
     "base is results/baseline; allocations and maps split into parts "
     "(kinds `part` and `state`)"),
    ("20261130-noise-full", "compare.txt",
     "two full `make bench` runs of an earlier commit, before allocations "
     "and maps were split: their times were kind `allocator` only (the base "
     "is the baseline of then, in git history)"),
    ("20261130-independence", "compare.txt",
     "the quick matrix on a quiet host (`quiet/`) against the same with "
     "every host CPU busy and the boots side by side (`busy/`)"),
    ("20261201-lab-quick", "compare.txt",
     "a plain `sgscope bench --quick` (`plain/`) against the same cells "
     "run as two LAVA jobs and collected (`lab/`)"),
]
# a real source change in the kernel, built and benchmarked once
SOURCE_CHANGE = "20261204-source-change"
# tools/bench/overhead's run whose xrun.json prices sgscope xrun
XRUN_COST = "20261205-xrun-cost"
# the cells whose allocation the fragment section splits
FRAGMENT_CELLS = ["pcm1/direct/256k/fragment", "pcm1/direct/1024k/fragment"]
VERDICT = re.compile(r"^(\S+/\S+)\s+(\w+)\s+(\S+)\s+(\S+)\s+([+-][\d.]+%)\s+(\S+)\s+(REGRESSION|improved|same)$")
TOTAL = re.compile(r"^(\d+) series compared, (\d+) regressed")
SPREAD = re.compile(r"^\s+(\w+)\s+(\d+) series\s+p50 ([\d.]+)%\s+p95 ([\d.]+)%\s+max ([\d.]+)%$")


def die(msg):
    sys.exit(f"measurements.py: {msg}")


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        die(f"{path}: {e.strerror}")


def samples_summary(path):
    cells, series = set(), set()
    for line in read(path).splitlines():
        s = json.loads(line)
        cells.add(s["cell"])
        series.add((s["cell"], s["metric"]))
    if not cells:
        die(f"{path}: no samples")
    return len(cells), len(series)


def checks_of(path):
    lines = read(path).splitlines()
    ok = sum(1 for line in lines if line.startswith("ok "))
    bad = sum(1 for line in lines if line.startswith("not ok "))
    if ok + bad == 0:
        die(f"{path}: no check results")
    return ok, bad


def fuzz_of(path):
    text = read(path)
    m = re.search(r"^# pcm-fuzz: seed \d+: (\d+) rounds, (\d+) accepted, (\d+) ran", text, re.M)
    if not m:
        die(f"{path}: no pcm-fuzz summary line")
    return "%s rounds, %s configurations accepted, %s ran two periods" % m.groups()


def baseline_rows(results, name):
    d = os.path.join(results, name)
    run = json.loads(read(os.path.join(d, "run.json")))
    cells, series = samples_summary(os.path.join(d, "samples.jsonl"))
    over = json.loads(read(os.path.join(d, "overhead", "overhead.json")))
    added = over["added_ns_per_fault"]
    ok, bad = checks_of(os.path.join(d, "fault-matrix", "run.log"))
    return [
        ("commit", f"`{run['git_sha'][:7]}`" + (" (tree not clean)" if run.get("git_dirty") else "")),
        ("date", run["date"]),
        ("level, iterations", f"{run['level']}, {run['iterations']}"),
        ("clock", f"{run['clock']}, shift {run.get('icount_shift', '-')}"),
        ("cells, series", f"{cells}, {series}"),
        ("tracing overhead: ratio to bpftrace (goal at most 0.5)", "%.2f" % over["ratio"]),
        ("ns added per fault: `pagelat --no-op`, `pagelat`, bpftrace",
         "%.0f, %.0f, %.0f" % (added["sgscope"], added["sgscope-op"], added["bpftrace"])),
        ("fault matrix: checks ok, not ok", f"{ok}, {bad}"),
        ("pcm-fuzz", fuzz_of(os.path.join(d, "fuzz", "run.log"))),
    ]


def spreads_of(path):
    rows = []
    for line in read(path).splitlines():
        m = SPREAD.match(line)
        if m:
            rows.append(m.groups())
    if not rows:
        die(f"{path}: no spread lines")
    return rows


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def map_fit_rows(path):
    """Per direct-mode cell with no condition: medians of the map's fit."""
    want = ("dma_map_fixed_ns", "dma_map_entry_ns", "dma_map_entries")
    vals = {}
    for line in read(path).splitlines():
        s = json.loads(line)
        if s["metric"] in want and "/direct/" in s["cell"] and s["cell"].endswith("/none"):
            vals.setdefault(s["cell"], {}).setdefault(s["metric"], []).append(s["value"])
    rows = [(cell, *("%.0f" % median(m[k]) for k in want))
            for cell, m in sorted(vals.items()) if all(k in m for k in want)]
    if not rows:
        die(f"{path}: no dma_map_fixed_ns/dma_map_entry_ns series in direct cells")
    return rows


def map_fit_section(results):
    out = ["## The DMA map fit (results/baseline)", "",
           "`sgscope dmamap`'s fit of each map, `fixed + per entry x entries`, "
           "in the direct boot's cells with no condition: the medians of the "
           "iterations ([allocation costs](allocation-costs.md#the-fit-sgscope-dmamap)).", "",
           "| cell | fixed ns | ns per entry | entries |", "|---|---|---|---|"]
    out += ["| %s | %s | %s | %s |" % r
            for r in map_fit_rows(os.path.join(results, "baseline", "samples.jsonl"))]
    return out + [""]


def baselines_section(results):
    out = ["## The baselines", "",
           "`make bench` compares a run with `results/baseline/` (a full run) "
           "or `results/baseline-quick/` (`BENCH=--quick`).", ""]
    for name in BASELINES:
        out += [f"### results/{name}", "", "| what | value |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in baseline_rows(results, name)]
        out.append("")
    return out


def compare_of(path):
    """compare.txt's verdict lines, (cell, metric, base, new, change, p,
    verdict), and its totals: (series compared, regressed)."""
    rows, total = [], None
    for line in read(path).splitlines():
        m = VERDICT.match(line)
        if m:
            rows.append(m.groups())
        t = TOTAL.match(line)
        if t:
            total = (int(t.group(1)), int(t.group(2)))
    if not rows or total is None:
        die(f"{path}: no verdict lines or no total line")
    return rows, total


def noise_section(results):
    out = ["## Runs of one commit, compared", "",
           "The spread of |% change| of the medians, by kind, as `sgscope compare` "
           "printed it into each folder's compare output; what compare "
           "flags is in [the benchmark](benchmark.md#comparing-runs-sgscope-compare).", ""]
    for name, cmp_file, what in PAIRS:
        path = os.path.join(results, name, cmp_file)
        _, (compared, flagged) = compare_of(path)
        out += [f"### results/{name}", "", what[0].upper() + what[1:] + ".", "",
                "| kind | series | p50 | p95 | max |", "|---|---|---|---|---|"]
        out += ["| %s | %s | %s%% | %s%% | %s%% |" % r for r in spreads_of(path)]
        out += ["", f"Flagged: {flagged} of {compared} series.", ""]
    return out


def samples_by(path, metric):
    """{cell: [values]} of one metric in a samples.jsonl."""
    vals = {}
    for line in read(path).splitlines():
        s = json.loads(line)
        if s["metric"] == metric:
            vals.setdefault(s["cell"], []).append(s["value"])
    return vals


def source_change_section(results):
    d = os.path.join(results, SOURCE_CHANGE)
    rows, (compared, flagged) = compare_of(os.path.join(d, "compare.txt"))
    shift = json.loads(read(os.path.join(d, "changed", "run.json")))["icount_shift"]
    cells = {r[0] for r in rows}
    hit = sorted({r[0] for r in rows if r[6] == "REGRESSION"})
    base = samples_by(os.path.join(d, "reference", "samples.jsonl"), "alloc_other_ns")
    new = samples_by(os.path.join(d, "changed", "samples.jsonl"), "alloc_other_ns")
    if not hit or not base:
        die(f"{d}: nothing flagged, or no alloc_other_ns samples")
    out = [f"## A real source change in the kernel (results/{SOURCE_CHANGE})", "",
           "The kernel's own `vm_area_alloc_pages()` built with one more pass over a "
           "new vmalloc area's pages (`planted.diff`); `reference/` and `changed/` are "
           "`sgscope bench --quick --iterations 10` on the test kernel and on the "
           "changed one, `compare.txt` is `sgscope compare reference changed` "
           "([how](allocation-costs.md#a-real-source-change-caught)).", "",
           "```diff"] + read(os.path.join(d, "planted.diff")).rstrip("\n").split("\n") + ["```", "",
           f"Flagged: {flagged} of {compared} series, in {len(hit)} of {len(cells)} cells: "
           + ", ".join(f"`{c}`" for c in hit) + ". Every series of the other cells: the same.", "",
           "| cell | metric | reference | changed | change | p | verdict |",
           "|---|---|---|---|---|---|---|"]
    out += ["| %s | %s | %s | %s | %s | %s | %s |" % r for r in rows
            if r[0] in hit and r[1] in ("alloc_path_ns", "alloc_other_ns")]
    added = sorted({median(new[c]) - median(base[c]) for c in hit if c in base and c in new})
    out += ["", "What it costs: the median of `alloc_other_ns`, where the inlined "
            "function's code lands, grew by "
            + " or ".join("%.0f ns (%.0f instructions)" % (a, a / (1 << shift)) for a in added)
            + " in every flagged cell.", ""]
    return out


def span(values, scale=1.0, fmt="%.1f"):
    lo, hi = min(values) / scale, max(values) / scale
    return fmt % lo if fmt % lo == fmt % hi else (fmt % lo) + "-" + (fmt % hi)


def fragment_rows(events):
    rows = [("the allocation, ms", span([e["duration_ns"] for e in events], 1e6)),
            ("chunks", span([e["chunks"] for e in events], fmt="%d"))]
    parts = {p for e in events for p, v in e["parts"].items() if v["ns"]}
    for p in sorted(parts, key=lambda p: -max(e["parts"][p]["ns"] for e in events)):
        ns = [e["parts"][p]["ns"] for e in events]
        calls = [e["parts"][p]["calls"] for e in events]
        rows.append((f"`{p}`, ms in calls", span(ns, 1e6, "%.2f") + " in " + span(calls, fmt="%d")))
    orders = sorted({int(o) for e in events for o in e["page_orders"]}, reverse=True)
    rows.append(("page-allocator calls by order", ", ".join(
        "%d: %s" % (o, span([e["page_orders"].get(str(o), {}).get("calls", 0) for e in events], fmt="%d"))
        for o in orders)))
    return rows


def fragment_section(results):
    path = os.path.join(results, "baseline", "alloc-splits.jsonl")
    by_cell = {}
    for line in read(path).splitlines():
        rec = json.loads(line)
        if rec["cell"] in FRAGMENT_CELLS:
            by_cell.setdefault(rec["cell"], []).append(rec)
    missing = [c for c in FRAGMENT_CELLS if c not in by_cell]
    if missing:
        die(f"{path}: no allocations of {', '.join(missing)}")
    out = ["## pcm1 under fragmentation (results/baseline)", "",
           "`sgscope allocs`' split of pcm1's allocations in the benchmark's `fragment` "
           "cells, one per iteration, from `alloc-splits.jsonl`: the range over the "
           "iterations ([what it says](allocation-costs.md#pcm1-under-fragmentation)).", "",
           "| | " + " | ".join(f"`{c}`" for c in FRAGMENT_CELLS) + " |",
           "|---|" + "---|" * len(FRAGMENT_CELLS)]
    table = [dict(fragment_rows(by_cell[c])) for c in FRAGMENT_CELLS]
    keys = []
    for t in table:
        keys += [k for k in t if k not in keys]
    out += ["| %s | %s |" % (k, " | ".join(t.get(k, "-") for t in table)) for k in keys]
    return out + [""]


def xrun_cost_section(results):
    d = os.path.join(results, XRUN_COST)
    x = json.loads(read(os.path.join(d, "xrun.json")))
    sw, per = x["added_ns_per_switch"], x["added_ns_per_period"]
    best = x["added_ns_per_period_least_disturbed"]
    out = ["## What sgscope xrun costs", "",
           f"`tools/bench/overhead`'s xrun part in `results/{XRUN_COST}` "
           "([how](benchmark.md#the-tracing-overhead)): "
           "the guest time a tracer adds per context switch (`cpu-work pingpong`) and per "
           f"period of a running stream ({x['periods']} periods of 256 frames, a SCHED_IDLE "
           "loop beside them), the medians of the repeats; the goal is at most 0.5 times "
           "what a bpftrace script of the same events adds.", "",
           "| | sgscope xrun | bpftrace | ratio |", "|---|---|---|---|",
           "| ns added per context switch | %.0f | %.0f | %.2f |" % (sw["sgscope"], sw["bpftrace"],
                                                               x["ratio"]["switch"]),
           "| ns added per period | %.0f | %.0f | %.2f |" % (per["sgscope"], per["bpftrace"],
                                                        x["ratio"]["period"]),
           "| ns added per period, least disturbed runs | %.0f | %.0f | %.2f |" % (
               best["sgscope"], best["bpftrace"], x["ratio"]["period_least_disturbed"]), ""]
    return out


def page(results):
    head = ["<!-- SPDX-License-Identifier: GPL-2.0 -->",
            "<!-- written by tools/bench/measurements.py from results/: do not edit -->",
            "# Measurements", "",
            "Every number here is read from a committed run folder under `results/` "
            "by `tools/bench/measurements.py`; `make test` (15-docs) regenerates "
            "this page and fails when it differs. Times are guest time under QEMU "
            "icount, shift 3 (8 ns per instruction executed): see "
            "[the test machine](test-machine.md#deterministic-guest-time-icount).", ""]
    lines = (head + baselines_section(results) + map_fit_section(results) + fragment_section(results)
             + noise_section(results) + source_change_section(results) + xrun_cost_section(results))
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv):
    write = "--write" in argv
    args = [a for a in argv if a != "--write"]
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print(__doc__, file=sys.stderr)
        return 2
    text = page(args[0] if args else os.path.join(REPO, "results"))
    if write:
        with open(PAGE, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
