#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn what the benchmark's boots recorded into a run folder: run.json,
samples.jsonl, histograms.jsonl, alloc-orders.jsonl, ktap.txt, kcidb.json
and report.md with gnuplot SVG plots.

WORK holds boot-info.txt (KERNEL/KNOB lines) and, per boot, the JSON lines
of sgscope allocs, dmamap and pagelat plus cells.txt, which says which of
their "mark" lines ends which cell (AMARK) or iteration (PMARK); see
tools/bench/guest-cells.sh.

usage: assemble.py WORK OUTDIR LEVEL ITERATIONS BOOTS"""
import hashlib, json, os, statistics, subprocess, sys, time

work, out, level, iterations, boots = sys.argv[1:6]
boots = boots.split()
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
kbuild = os.environ.get("KBUILD", os.path.expanduser("~/.cache/sgscope/build"))

kernel, knobs = "", {}
for line in open(f"{work}/boot-info.txt"):
    f = line.split(None, 2)
    if f[0] == "KERNEL":
        kernel = f[1]
    elif f[0] == "KNOB":
        knobs[f[1]] = f[2].strip() if len(f) > 2 else ""


def windows(path):
    """The JSON lines of a tracer, cut at its "mark" lines: window k (from 1)
    is what came before the k-th mark."""
    cut, current = [], []
    for line in open(path):
        rec = json.loads(line)
        if rec.get("report") == "mark":
            cut.append(current)
            current = []
        else:
            current.append(rec)
    return cut


samples, histograms, orders = [], {}, {}


def sample(cell, metric, unit, iteration, value, kind, higher=False):
    if value is not None:
        samples.append({"cell": cell, "metric": metric, "unit": unit, "iteration": iteration,
                        "value": value, "higher_is_better": higher, "kind": kind})


for boot in boots:
    allocs = windows(f"{work}/{boot}/allocs.jsonl")
    dmamap = windows(f"{work}/{boot}/dmamap.jsonl")
    pagelat = windows(f"{work}/{boot}/pagelat.jsonl")
    cell = None
    for line in open(f"{work}/{boot}/cells.txt"):
        f = line.split()
        if f[0] == "CELL":
            cell, card, pcm = f[1], int(f[2]), int(f[3])
            it = 0
        elif f[0] == "ITER":
            it = int(f[1])
            for metric, unit, kind, v in (("fault_round_ns", "ns", "central", f[2]),
                                          ("xruns", "count", "counter", f[3])):
                sample(cell, metric, unit, it, None if v == "null" else int(v), kind)
        elif f[0] == "PMARK":
            for rec in pagelat[int(f[1]) - 1]:
                if (rec.get("report") == "interval" and rec["card"] == card and rec["pcm"] == pcm
                        and rec["stream"] == "playback" and rec["count"]):
                    sample(cell, "pagelat_p50_ns", "ns", it, rec["p50_ns"], "central")
                    sample(cell, "pagelat_p99_ns", "ns", it, rec["p99_ns"], "tail")
                    h = histograms.setdefault(cell, {})
                    # the 8-per-octave slots where the tracer gives them
                    for b in rec.get("slots") or rec["log2"]:
                        key = (b["low"], b["high"])
                        h[key] = h.get(key, 0) + b["count"]
        elif f[0] == "AMARK":
            k = int(f[1]) - 1
            events = [r for r in allocs[k] if r.get("report") == "event" and r["comm"] == "pcm-touch"
                      and r["card"] == card and r["pcm"] == pcm]
            for n, ev in enumerate(events, 1):
                sample(cell, "alloc_ns", "ns", n, ev["duration_ns"], "central")
                sample(cell, "chunks", "count", n, ev["chunks"], "counter")
            if events:
                # outcomes over the whole cell: one count each
                sample(cell, "sg_fallbacks", "count", 1,
                       sum(ev["result"] == "sg-fallback" for ev in events), "counter")
                sample(cell, "alloc_failures", "count", 1, sum(ev["error"] != 0 for ev in events), "counter")
                o = orders.setdefault(cell, {})
                for order, count in ev["orders"].items():
                    o[int(order)] = o.get(int(order), 0) + count
            maps = [r for r in dmamap[k] if r.get("report") == "map" and r["comm"] == "pcm-touch"]
            for n, ev in enumerate(maps, 1):
                sample(cell, "dma_map_ns", "ns", n, ev["duration_ns"], "central")


def git(*args):
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True).stdout.strip()


sha = git("rev-parse", "--short=12", "HEAD")
try:
    config_hash = hashlib.sha256(open(f"{kbuild}/.config", "rb").read()).hexdigest()
except OSError:
    config_hash = None
run = {
    "git_sha": sha, "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "kernel": kernel, "config_sha256": config_hash, "level": level,
    "iterations": int(iterations), "boots": boots,
    "qemu": "tools/vm: qemu-system-x86_64 -accel tcg -machine q35 -m 2G -smp 2 "
            "-device AC97 (+ --swiotlb: swiotlb=force; --iommu: intel-iommu, intel_iommu=on)",
    "guest_memory": "2G", "guest_cpus": 2, "knobs": knobs,
    "workloads": {"pcm-touch": "open, hw_params, 20 x (mmap, write a byte per page, munmap), close",
                  "pcm-xruns": "300 ms of playback, 4 periods of 1024 frames queued ahead"},
    "host": os.uname().nodename,
}
json.dump(run, open(f"{out}/run.json", "w"), indent=2)
with open(f"{out}/samples.jsonl", "w") as f:
    for s in samples:
        f.write(json.dumps(s) + "\n")
with open(f"{out}/histograms.jsonl", "w") as f:
    for cell in sorted(histograms):
        f.write(json.dumps({"cell": cell, "metric": "pagelat_ns", "buckets": [
            {"low": lo, "high": hi, "count": c} for (lo, hi), c in sorted(histograms[cell].items())]}) + "\n")
with open(f"{out}/alloc-orders.jsonl", "w") as f:
    for cell in sorted(orders):
        f.write(json.dumps({"cell": cell, "chunks_by_order": {str(k): v for k, v in sorted(orders[cell].items())}}) + "\n")

# one series per cell and metric
series = {}
for s in samples:
    series.setdefault((s["cell"], s["metric"]), {"unit": s["unit"], "values": []})["values"].append(s["value"])
keys = sorted(series)

with open(f"{out}/ktap.txt", "w") as f:
    f.write(f"KTAP version 1\n1..{len(keys)}\n")
    for n, (cell, metric) in enumerate(keys, 1):
        v = series[(cell, metric)]
        f.write(f"ok {n} {cell}:{metric} # median {statistics.median(v['values']):g} {v['unit']}, "
                f"{len(v['values'])} samples\n")

# KernelCI's KCIDB I/O schema, v4: checkout -> build -> one test per cell and metric
origin = "sgscope"
checkout = {"id": f"{origin}:{sha}", "origin": origin, "git_commit_hash": git("rev-parse", "HEAD"),
            "tree_name": "sgscope", "valid": True}
build = {"id": f"{origin}:{sha}:x86_64", "origin": origin, "checkout_id": checkout["id"],
         "architecture": "x86_64", "config_name": "kunit/.kunitconfig", "valid": True,
         "misc": {"kernel": kernel, "config_sha256": config_hash}}
tests = []
for n, (cell, metric) in enumerate(keys, 1):
    v = series[(cell, metric)]
    tests.append({"id": f"{origin}:{sha}:{n}", "origin": origin, "build_id": build["id"],
                  "path": "sgscope." + cell.replace("/", ".") + "." + metric,
                  "status": "PASS", "environment": {"comment": "QEMU TCG test machine"},
                  "number": {"value": statistics.median(v["values"]), "unit": v["unit"]},
                  "misc": {"samples": len(v["values"])}})
json.dump({"version": {"major": 4, "minor": 3}, "checkouts": [checkout], "builds": [build],
           "tests": tests}, open(f"{out}/kcidb.json", "w"), indent=1)

# plots
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plots  # noqa: E402

made = plots.make_all(out, series, histograms, orders)
cells = sorted({c for c, _ in keys})


def median_of(cell, metric):
    v = series.get((cell, metric))
    return statistics.median(v["values"]) if v else None


def total_of(cell, metric):
    v = series.get((cell, metric))
    return sum(v["values"]) if v else None


def fmt(v, scale=1.0):
    return "-" if v is None else f"{v / scale:.1f}" if scale != 1 else f"{v:g}"


lines = [f"# sgscope benchmark {run['date']} ({level})", "",
         f"git {sha}{' (dirty)' if run['git_dirty'] else ''}, kernel {kernel}, "
         f"{len(samples)} samples in {len(keys)} series, {iterations} iterations per cell, "
         f"boots: {' '.join(boots)}. Everything ran in a QEMU TCG guest: absolute times are "
         "emulation times; compare cells with each other and runs with `sgscope compare`.", "",
         "Cells are strategy/DMA mode/buffer size/condition: pcm0 prealloc, pcm1 sg (DEV_SG), "
         "pcm2 vmalloc (.page by vmalloc_to_page: lookup, or from its page array: cached), pcm3 "
         "noncontig; intel8x0 and dummy are the mainline peers. Conditions: none, order1 "
         "(`sgscope inject --order 1`), fragment (`--fragment 90`), pressure (`--pressure 64`).", ""]


def pivot(title, metric, rows, columns, pick, scale=1.0):
    """A table of medians: rows x columns, pick(row, column) names the cell."""
    got = [[median_of(pick(r, c), metric) for c in columns] for r in rows]
    keep = [(r, g) for r, g in zip(rows, got) if any(v is not None for v in g)]
    if not keep:
        return []
    out_lines = [f"**{title}**", "", "| | " + " | ".join(columns) + " |",
                 "|---" * (len(columns) + 1) + "|"]
    out_lines += [f"| {r} | " + " | ".join(fmt(v, scale) for v in g) + " |" for r, g in keep]
    return out_lines + [""]


def totals(title, metrics, columns, of_column):
    """Totals of counters over every cell of each column."""
    out_lines = [f"**{title}**", "", "| | " + " | ".join(columns) + " |",
                 "|---" * (len(columns) + 1) + "|"]
    for m, label in metrics:
        vals = [sum(total_of(c, m) or 0 for c in cells if of_column(c) == col) for col in columns]
        out_lines.append(f"| {label} | " + " | ".join(f"{v:g}" for v in vals) + " |")
    return out_lines + [""]


strategies = ["pcm0", "pcm1", "pcm2-lookup", "pcm2-cached", "pcm3"]
peers = ["intel8x0", "dummy"]
sizes = sorted({c.split("/")[2] for c in cells}, key=lambda x: int(x[:-1]))
mid = "256k" if "256k" in sizes else sizes[-1]
conds = [k for k in ("none", "order1", "fragment", "pressure") if any(c.endswith("/" + k) for c in cells)]


def size_of(row):
    return "64k" if row in peers else mid


lines += ["## Summary", ""]
lines += pivot(f"hw_params allocation, median µs ({mid}, no injection), by DMA mode", "alloc_ns",
               strategies, boots, lambda r, b: f"{r}/{b}/{mid}/none", 1000)
lines += pivot(f"dma_map, median µs ({mid}, no injection), by DMA mode", "dma_map_ns",
               strategies, boots, lambda r, b: f"{r}/{b}/{mid}/none", 1000)
lines += pivot(f"hw_params allocation, median µs (direct, {mid}), by condition", "alloc_ns",
               strategies, conds, lambda r, k: f"{r}/direct/{mid}/{k}", 1000)
lines += pivot(f"map + fault + unmap per round, median µs (direct, {mid}; peers 64k), by condition",
               "fault_round_ns", strategies + peers, conds,
               lambda r, k: f"{r}/direct/{size_of(r)}/{k}", 1000)
lines += pivot(f"page-callback latency p99, median ns (direct, {mid}; snd-dummy 64k), by condition",
               "pagelat_p99_ns", ["pcm1", "pcm2-lookup", "pcm2-cached", "dummy"], conds,
               lambda r, k: f"{r}/direct/{size_of(r)}/{k}")
lines += totals("outcomes over every cell, by condition",
                [("xruns", "xruns"), ("sg_fallbacks", "SG fallbacks"),
                 ("alloc_failures", "failed allocations")], conds, lambda c: c.split("/")[3])
lines += ["## Plots", ""]
lines += [f"![{title}]({name}.svg)\n" for name, title in made]
lines += ["## Every cell", ""]
lines += ["| cell | alloc µs | chunks | dma_map µs | fault round µs | pagelat p50 ns | pagelat p99 ns | xruns | fallbacks | failures |",
          "|---|---|---|---|---|---|---|---|---|---|"]
for c in cells:
    lines.append(f"| {c} | {fmt(median_of(c, 'alloc_ns'), 1000)} | {fmt(median_of(c, 'chunks'))} | "
                 f"{fmt(median_of(c, 'dma_map_ns'), 1000)} | {fmt(median_of(c, 'fault_round_ns'), 1000)} | "
                 f"{fmt(median_of(c, 'pagelat_p50_ns'))} | {fmt(median_of(c, 'pagelat_p99_ns'))} | "
                 f"{fmt(total_of(c, 'xruns'))} | {fmt(total_of(c, 'sg_fallbacks'))} | "
                 f"{fmt(total_of(c, 'alloc_failures'))} |")
lines += ["", "Medians over the iterations; xruns, fallbacks (hw_params that took ALSA's SG "
          "fallback) and failures (hw_params whose allocation failed) are totals over them."]
open(f"{out}/report.md", "w").write("\n".join(lines) + "\n")
print(f"[bench] run folder {out}: {len(samples)} samples, {len(keys)} series")
