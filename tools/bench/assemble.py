#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's SAMPLE lines into a run folder: run.json,
samples.jsonl, ktap.txt, kcidb.json and report.md with gnuplot SVG plots.

usage: assemble.py SAMPLES.txt OUTDIR LEVEL ITERATIONS BOOTS"""
import hashlib, json, os, statistics, subprocess, sys, time

src, out, level, iterations, boots = sys.argv[1:6]
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
kbuild = os.environ.get("KBUILD", os.path.expanduser("~/.cache/sgscope/build"))

samples, kernel, knobs = [], "", {}
for line in open(src):
    if line.startswith("SAMPLE "):
        samples.append(json.loads(line[7:]))
    elif line.startswith("KERNEL "):
        kernel = line.split()[1]
    elif line.startswith("KNOB "):
        f = line.split(None, 2)
        knobs[f[1]] = f[2].strip() if len(f) > 2 else ""

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
    "iterations": int(iterations), "boots": boots.split(),
    "qemu": "tools/vm: qemu-system-x86_64 -accel tcg -machine q35 -m 2G -smp 2 "
            "-device AC97 (+ --swiotlb: swiotlb=force; --iommu: intel-iommu, intel_iommu=on)",
    "guest_memory": "2G", "guest_cpus": 2, "knobs": knobs,
    "host": os.uname().nodename,
}
json.dump(run, open(f"{out}/run.json", "w"), indent=2)
with open(f"{out}/samples.jsonl", "w") as f:
    for s in samples:
        f.write(json.dumps(s) + "\n")

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
def median_of(cell, metric):
    v = series.get((cell, metric))
    return statistics.median(v["values"]) if v else None

cells = sorted({c for c, _ in keys})
strategies = ["pcm0", "pcm1", "pcm2-lookup", "pcm2-cached", "pcm3"]
names = {"pcm0": "prealloc", "pcm1": "sg", "pcm2-lookup": "vmalloc", "pcm2-cached": "vmalloc",
         "pcm3": "noncontig"}
def cell_parts(c):
    pcm, boot, size, cond = c.split("/")
    return pcm, boot, size, cond

def bar_plot(name, metric, title, ylabel, group_by):
    """Median of metric per strategy, one bar group per value of group_by (boot or cond)."""
    groups = sorted({cell_parts(c)[group_by] for c in cells})
    dat = f"{out}/{name}.dat"
    with open(dat, "w") as f:
        f.write("strategy " + " ".join(groups) + "\n")
        for pcm in strategies:
            row = []
            for g in groups:
                vals = [median_of(c, metric) for c in cells
                        if cell_parts(c)[0] == pcm and cell_parts(c)[group_by] == g
                        and cell_parts(c)[2] == "256k" and median_of(c, metric) is not None
                        and (group_by == 3 or cell_parts(c)[3] == "none")]
                row.append(f"{statistics.median(vals) / 1000:.1f}" if vals else "NaN")
            f.write(f"{pcm}-{names[pcm]} " + " ".join(row) + "\n")
    gp = (f"set terminal svg size 720,400 dynamic\nset output '{out}/{name}.svg'\n"
          f"set title '{title}'\nset ylabel '{ylabel}'\nset style data histograms\n"
          "set style histogram clustered gap 1\nset style fill solid 0.8 border -1\n"
          "set key top left\nset grid ytics\nset yrange [0:*]\n"
          f"plot for [i=2:{len(groups) + 1}] '{dat}' using i:xtic(1) title columnheader(i)\n")
    subprocess.run(["gnuplot"], input=gp, text=True, check=False)
    os.remove(dat)

bar_plot("alloc-by-dma-mode", "alloc_ns", "hw_params allocation time, 256 KiB, no injection (median)",
         "microseconds", 1)
bar_plot("fault-loop-by-condition", "fault_round_ns",
         "map + fault all pages + unmap, 256 KiB, direct DMA (median)", "microseconds per round", 3)

lines = [f"# sgscope benchmark {run['date']} ({level})", "",
         f"git {sha}{' (dirty)' if run['git_dirty'] else ''}, kernel {kernel}, "
         f"{len(samples)} samples in {len(keys)} series, {iterations} iterations per cell, "
         f"boots: {boots}. Everything ran in a QEMU TCG guest: absolute times are emulation times; "
         "compare cells with each other and runs with `sgscope compare`.", "",
         "![allocation time by DMA mode](alloc-by-dma-mode.svg)", "",
         "![fault loop by condition](fault-loop-by-condition.svg)", "",
         "| cell | alloc µs | chunks | dma_map µs | fault round µs | pagelat p50 ns | pagelat p99 ns |",
         "|---|---|---|---|---|---|---|"]
def fmt(v, scale=1.0):
    return "-" if v is None else f"{v / scale:.1f}" if scale != 1 else f"{v:g}"
for c in cells:
    lines.append(f"| {c} | {fmt(median_of(c, 'alloc_ns'), 1000)} | {fmt(median_of(c, 'chunks'))} | "
                 f"{fmt(median_of(c, 'dma_map_ns'), 1000)} | {fmt(median_of(c, 'fault_round_ns'), 1000)} | "
                 f"{fmt(median_of(c, 'pagelat_p50_ns'))} | {fmt(median_of(c, 'pagelat_p99_ns'))} |")
open(f"{out}/report.md", "w").write("\n".join(lines) + "\n")
print(f"[bench] run folder {out}: {len(samples)} samples, {len(keys)} series")
