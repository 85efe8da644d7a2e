#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""docs/measurements.md, derived from the committed run folders it cites.

  measurements.py [RESULTS]          print the page (RESULTS: results/)
  measurements.py --write [RESULTS]  write it to docs/measurements.md

Every number on the page is read from a file under results/ (run.json,
samples.jsonl (the map fit), overhead/overhead.json, fault-matrix/run.log, fuzz/run.log,
compare.txt); tools/tests/15-docs.sh regenerates the page and fails when
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
    ("20261130-noise-full", "compare.txt",
     "two full `make bench` runs of one commit, one after the other "
     "(the base is the baseline of then, in git history)"),
    ("20261130-independence", "compare.txt",
     "the quick matrix on a quiet host (`quiet/`) against the same with "
     "every host CPU busy and the boots side by side (`busy/`)"),
    ("20261201-lab-quick", "compare.txt",
     "a plain `sgscope bench --quick` (`plain/`) against the same cells "
     "run as two LAVA jobs and collected (`lab/`)"),
]
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


def noise_section(results):
    out = ["## Runs of one commit, compared", "",
           "The spread of |% change| of the medians, by kind, as `sgscope compare` "
           "printed it into each folder's compare output; what compare "
           "flags is in [the benchmark](benchmark.md#comparing-runs-sgscope-compare).", ""]
    for name, cmp_file, what in PAIRS:
        out += [f"### results/{name}", "", what[0].upper() + what[1:] + ".", "",
                "| kind | series | p50 | p95 | max |", "|---|---|---|---|---|"]
        out += ["| %s | %s | %s%% | %s%% | %s%% |" % r
                for r in spreads_of(os.path.join(results, name, cmp_file))]
        out.append("")
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
    lines = head + baselines_section(results) + map_fit_section(results) + noise_section(results)
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
