#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn what the benchmark's boots recorded into a run folder: run.json,
samples.jsonl, histograms.jsonl, alloc-orders.jsonl and alloc-splits.jsonl; then report.py
writes ktap.txt, kcidb.json and report.md with its plots from them.

WORK holds boot-info.txt ("BOOT CLOCK|KERNEL|KNOB ..." lines) and, per boot, the JSON lines
of sgscope allocs, dmamap and pagelat plus cells.txt, which says which of
their "mark" lines ends which cell (AMARK) or iteration (PMARK); see
tools/bench/guest-cells.sh.

usage: assemble.py WORK OUTDIR LEVEL ITERATIONS BOOTS"""
import hashlib, json, os, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kinds  # noqa: E402

work, out, level, iterations, boots = sys.argv[1:6]
boots = boots.split()
repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
kbuild = os.environ.get("KBUILD", os.path.expanduser("~/.cache/sgscope/build"))

kernel, knobs, clocks, strategies, costs, cpus, builds = "", {}, {}, {}, {}, {}, {}
for line in open(f"{work}/boot-info.txt"):
    boot, what, *f = line.split(None, 3)
    if what == "KERNEL":
        kernel = f[0]
    elif what == "PCM":
        strategies[f"pcm{f[0]}"] = f[1].strip()
    elif what == "CPUS":
        # CPUs online while the cells ran (guest-cells.sh takes the others off)
        cpus[boot] = int(f[0])
    elif what == "COST":
        # sgscope bench --cost: a planted regression, FUNCTION INSNS
        costs[f[0]] = int(f[1])
    elif what in ("DRIVER", "CLI"):
        # the driver measured (built-in, or an out-of-tree .ko) and the CLI
        builds[what.lower()] = f[0] if f else ""
    elif what == "KNOB":
        knobs[f[0]] = f[1].strip() if len(f) > 1 else ""
    elif what == "CLOCK":
        # tools/vm's sgscope_clock=icount:SHIFT or wallclock; a lab
        # machine's own kernel has none: wall clock by nature
        clocks[boot] = f[0] if f else "wallclock"
if len(set(clocks.values())) != 1:
    sys.exit(f"assemble.py: the boots ran in different clocks: {clocks}")
clock, _, shift = next(iter(clocks.values())).partition(":")


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
# the split of each allocation in the cells whose split makes no series
# (kinds.py: the condition is the state), kept whole: alloc-splits.jsonl
splits = []

# sgscope allocs' parts that are not the allocation's own code but what
# ran in its window
interference = ("irq", "off-cpu")
# the parts whose work follows the state of the allocator and its
# caches, as sgscope allocs marks them ("state": bpf/sgscope_shared.h's
# SGSCOPE_STATE_PARTS); the others are the code path and repeat to the
# instruction
STATE_PARTS = set()
# a map inside the allocation (ALSA's SG fallback maps its table) costs
# per entry, and the entries are the allocator's: a distribution here,
# its code path in dma_map_fixed_ns and dma_map_entry_ns
ENTRY_PARTS = {"dma-map"}

def part_metric(part):
    return "alloc_" + part.replace("-", "_") + "_ns"


# the parts in the order the tracer reports them
split_parts = []
for boot in boots:
    for line in open(f"{work}/{boot}/allocs.jsonl"):
        rec = json.loads(line)
        if rec.get("report") == "event" and rec.get("parts"):
            split_parts = [p for p in rec["parts"] if p not in interference]
            STATE_PARTS = {p for p, v in rec["parts"].items() if v.get("state")}
            break
    if split_parts:
        break


def sample(cell, metric, unit, iteration, value, kind, higher=False):
    """One value of a series; none when value or kind is None."""
    if value is not None and kind is not None:
        samples.append({"cell": cell, "metric": metric, "unit": unit, "iteration": iteration,
                        "value": value, "higher_is_better": higher, "kind": kind})


# per boot, device and call: the cost of one more scatterlist entry, as
# sgscope dmamap fitted it over the boot's maps (its total report)
map_fits = {}
for boot in boots:
    for line in open(f"{work}/{boot}/dmamap.jsonl"):
        rec = json.loads(line)
        if rec.get("report") == "total":
            for call, h in (rec.get("calls") or {}).items():
                if h.get("fit"):
                    map_fits[(boot, rec["device"], call)] = h["fit"]["per_entry_ns"]

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
                    # the .page op alone, timed inside those faults
                    op = rec.get("op") or {}
                    if op.get("count"):
                        sample(cell, "pageop_p50_ns", "ns", it, op["p50_ns"], "central")
                        sample(cell, "pageop_p99_ns", "ns", it, op["p99_ns"], "tail")
                    h = histograms.setdefault(cell, {})
                    # the 8-per-octave slots where the tracer gives them
                    for b in rec.get("slots") or rec["log2"]:
                        key = (b["low"], b["high"])
                        h[key] = h.get(key, 0) + b["count"]
        elif f[0] == "AMARK":
            k = int(f[1]) - 1
            events = [r for r in allocs[k] if r.get("report") == "event" and r["comm"] == "pcm-touch"
                      and r["card"] == card and r["pcm"] == pcm]
            # the parts of the allocations' time (sgscope allocs' split):
            # every part any of them spent time in, zeros included
            parts = [p for p in split_parts if any((ev.get("parts") or {}).get(p, {}).get("ns") for ev in events)]
            fallback = any(ev["result"] == "sg-fallback" for ev in events)
            for n, ev in enumerate(events, 1):
                # the whole window, with what interrupted it: the
                # allocator's state decides it (which pages, how
                # contiguous, a purge or compaction inside) and so does a
                # tick landing in it: kind "allocator", a distribution
                sample(cell, "alloc_ns", "ns", n, ev["duration_ns"], "allocator")
                sample(cell, "chunks", "count", n, ev["chunks"], "allocator")
                if "parts" not in ev:
                    continue
                if kinds.split_kind(cell) is None:
                    splits.append({"cell": cell, "iteration": n, "result": ev["result"],
                                   "duration_ns": ev["duration_ns"], "chunks": ev["chunks"],
                                   "parts": ev["parts"], "page_orders": ev.get("page_orders", {})})
                    continue
                # the code path's parts repeat to the instruction; the
                # state's follow what the allocator and its caches hold
                path = sum(ev["parts"][p]["ns"] for p in split_parts if p not in STATE_PARTS)
                sample(cell, "alloc_path_ns", "ns", n, path, kinds.split_kind(cell, fallback=fallback))
                sample(cell, "alloc_state_ns", "ns", n,
                       sum(ev["parts"][p]["ns"] for p in split_parts if p in STATE_PARTS),
                       kinds.split_kind(cell, True, fallback))
                for p in parts:
                    sample(cell, part_metric(p), "ns", n, ev["parts"][p]["ns"],
                           kinds.split_kind(cell, p in STATE_PARTS | ENTRY_PARTS, fallback))
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
                sample(cell, "dma_map_ns", "ns", n, ev["duration_ns"], "allocator")
                # a map costs a fixed part plus one per entry, and how many
                # entries (physically contiguous runs) the pages made is
                # the allocator's: the entries a distribution, the two
                # costs the code path's
                sample(cell, "dma_map_entries", "count", n, ev["nents"], "allocator")
                fit = map_fits.get((boot, ev["device"], ev["call"]))
                if fit:
                    kind = kinds.map_kind(ev["mode"], fallback)
                    sample(cell, "dma_map_fixed_ns", "ns", n, round(ev["duration_ns"] - fit * ev["nents"]), kind)
                    sample(cell, "dma_map_entry_ns", "ns", n, round(fit, 1), kind)


# the commit measured: this tree's HEAD, or BENCH_COMMIT of the repository
# BENCH_SOURCE (sgscope bisect, whose driver and CLI of that commit ran)
source = os.environ.get("BENCH_SOURCE") or repo
commit = os.environ.get("BENCH_COMMIT") or "HEAD"


def git(*args):
    return subprocess.run(["git", "-C", source, *args], capture_output=True, text=True).stdout.strip()


sha = git("rev-parse", "--short=12", commit)
try:
    config_hash = hashlib.sha256(open(f"{kbuild}/.config", "rb").read()).hexdigest()
except OSError:
    config_hash = None
run = {
    "git_sha": sha, "git_commit": git("rev-parse", commit),
    # a commit named by BENCH_COMMIT ran as committed
    "git_dirty": commit == "HEAD" and bool(git("status", "--porcelain", "--untracked-files=no")),
    # ... and in driver/: a clean driver can be built again from the
    # commit (tools/bench/why)
    "git_driver_dirty": commit == "HEAD" and bool(git("status", "--porcelain", "--untracked-files=no",
                                                      "--", "driver")),
    "git_subject": git("log", "-1", "--format=%s", commit),
    "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "kernel": kernel, "config_sha256": config_hash, "level": level,
    "iterations": int(iterations), "boots": boots,
    # what every time in samples.jsonl is: see docs/test-machine.md, "Deterministic guest time (icount)"
    "clock": clock, "icount_shift": int(shift) if clock == "icount" else None,
    "parallel_boots": int(os.environ.get("BENCH_JOBS", "1")),
    "knobs": knobs,
    # the driver (built-in, or an out-of-tree .ko loaded in its place) and the CLI
    "builds": builds,
    # sgscope bench --cost: instructions planted at each function's entry
    "planted_costs": costs,
    "cpus_measuring": cpus,
    "strategies": strategies,
    "workloads": {"pcm-touch": "open, hw_params, 20 x (mmap, write a byte per page, munmap), close",
                  "pcm-xruns": "300 ms of playback, 4 periods of 1024 frames queued ahead"},
    "host": os.uname().nodename,
}
if os.environ.get("BENCH_LOCAL"):
    # sgscope bench --local: this machine, as it is
    run.update({"machine": "local (sgscope bench --local)", "qemu": None,
                "memory_kb": int(open("/proc/meminfo").readline().split()[1]),
                "cpus": os.cpu_count(), "cmdline": open("/proc/cmdline").read().strip()})
else:
    run.update({"machine": "test machine (tools/vm)",
                "qemu": "tools/vm: qemu-system-x86_64 -accel tcg,thread="
                        f"{os.environ.get('SGSCOPE_TCG_THREAD', 'single')} "
                        + (f"-icount shift={shift},align=off,sleep=off -seed 1 " if clock == "icount" else "")
                        + "-machine q35 -m 2G -smp 2 "
                        "-device AC97 (+ --swiotlb: swiotlb=force; --iommu: intel-iommu, intel_iommu=on)",
                "qemu_version": subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                                               text=True).stdout.split("\n")[0],
                "guest_memory": "2G", "guest_cpus": 2})
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

with open(f"{out}/alloc-splits.jsonl", "w") as f:
    for rec in splits:
        f.write(json.dumps(rec) + "\n")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

n_samples, n_series = report.write(out)
print(f"[bench] run folder {out}: {n_samples} samples, {n_series} series")
