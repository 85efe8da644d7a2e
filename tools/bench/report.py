#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A run folder's reports from its data: ktap.txt, kcidb.json (KernelCI's
KCIDB, v5.3) and report.md with gnuplot SVG plots, from run.json,
samples.jsonl, histograms.jsonl and alloc-orders.jsonl.  Run on its own, it
redraws an existing run with this version's report.

A series is a measurement: "ok" in KTAP with its median, DONE in KCIDB with
its value and unit.  Once `sgscope compare BASE RUN` has written
RUN/compare.md, the series it flags are "not ok" and FAIL:
`report.py --verdicts RUNDIR` rewrites ktap.txt and kcidb.json alone.

usage: report.py [--verdicts] RUNDIR"""
import json, os, re, statistics, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plots, report_html  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "soak"))
import smallest  # noqa: E402


def load(out):
    run = json.load(open(f"{out}/run.json"))
    samples = [json.loads(line) for line in open(f"{out}/samples.jsonl")]
    histograms, orders = {}, {}
    if os.path.exists(f"{out}/histograms.jsonl"):
        for line in open(f"{out}/histograms.jsonl"):
            r = json.loads(line)
            # older runs kept only the log2 buckets
            histograms[r["cell"]] = {(b["low"], b["high"]): b["count"]
                                     for b in r.get("buckets") or r.get("log2", [])}
    if os.path.exists(f"{out}/alloc-orders.jsonl"):
        for line in open(f"{out}/alloc-orders.jsonl"):
            r = json.loads(line)
            orders[r["cell"]] = {int(k): v for k, v in r["chunks_by_order"].items()}
    return run, samples, histograms, orders


def clock_of(run):
    """Which clock a run's times are in, in words (runs recorded before
    run.json had "clock" ran plain TCG: wall clock)."""
    if run.get("clock") == "icount":
        shift = run["icount_shift"]
        return (f"icount shift {shift}", f"guest time under QEMU icount, shift {shift}: "
                f"{1 << shift} guest ns per instruction executed, idle time skipped; times "
                "follow the code path, not caches or the host's load")
    if run.get("qemu") is None and run.get("machine", "").startswith("local"):
        return "wall clock", "wall clock of the machine the cells ran on"
    return "wall clock", "wall clock of a plain TCG guest: times move with the host's load"


KCIDB_VERSION = {"major": 5, "minor": 3}
# compare.md's row: cell, metric, unit, base median, new median, change, p, verdict
VERDICT_ROW = re.compile(r"^\| ([^ |]+) \| ([^ |]+) \| ([^|]*) \| ([^|]*) \| ([^|]*) \| ([^|]*) \| "
                         r"([^|]*) \| \*\*REGRESSION\*\* \|$")


def regressions(out):
    """The (cell, metric) series RUN/compare.md flags, each with what
    compare said of it (unit, base, new, change, p), and against what."""
    try:
        text = open(f"{out}/compare.md").read()
    except OSError:
        return {}, None
    base = re.search(r"^base: `?([^`\n]+)`?", text, re.M)
    flagged = {(m.group(1), m.group(2)): dict(zip(("unit", "base", "new", "change", "p"), m.groups()[2:]))
               for m in map(VERDICT_ROW.match, text.splitlines()) if m}
    return flagged, os.path.basename(base.group(1).rstrip("/")) if base else "the compared base"


def kcidb_issues(run, flagged, base, test_ids):
    """One KCIDB issue per flagged series (its id names the series, so the
    same regression seen in another run is the same issue) and the
    incident of this run's test."""
    origin, sha = "sgscope", run["git_sha"]
    issues, incidents = [], []
    for key in sorted(flagged):
        f = flagged[key]
        issue_id = f"{origin}:regression:{key[0]}:{key[1]}"
        what = (f"{f['change']} regression of {key[1]} in {key[0]} on {sha} against {base}: "
                f"median {f['base']} -> {f['new']} {f['unit']}, p {f['p']}")
        issues.append({"id": issue_id, "version": 1, "origin": origin, "report_subject": what,
                       "comment": what, "culprit": {"code": True, "tool": False, "harness": False},
                       "categories": ["performance"]})
        incidents.append({"id": f"{origin}:{sha}:{key[0]}:{key[1]}", "origin": origin,
                          "issue_id": issue_id, "issue_version": 1, "test_id": test_ids[key],
                          "present": True, "comment": what})
    return issues, incidents


def series_of(samples):
    series = {}
    for s in samples:
        series.setdefault((s["cell"], s["metric"]), {"unit": s["unit"], "values": []})["values"].append(s["value"])
    return series


def kcidb_checkout_build(run):
    """KCIDB's checkout and build of a run folder's run.json (git_sha,
    git_commit, kernel, config_sha256): what the benchmark and the soak
    report their tests under."""
    origin, sha = "sgscope", run["git_sha"]
    # runs before run.json kept the full hash: ask git
    commit = run.get("git_commit") or subprocess.run(
        ["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", sha],
        capture_output=True, text=True).stdout.strip() or sha
    checkout = {"id": f"{origin}:{sha}", "origin": origin, "git_commit_hash": commit,
                "tree_name": "sgscope", "valid": True}
    build = {"id": f"{origin}:{sha}:x86_64", "origin": origin, "checkout_id": checkout["id"],
             "architecture": "x86_64", "config_name": "kunit/.kunitconfig", "status": "PASS",
             "misc": {"kernel": run["kernel"], "config_sha256": run.get("config_sha256")}}
    return checkout, build


def write_results(out, run, series):
    """ktap.txt and kcidb.json: one test per series, flagged ones failed."""
    clock_short, _ = clock_of(run)
    sha = run["git_sha"]
    keys = sorted(series)
    flagged, base = regressions(out)
    # a lab run's cells whose LAVA job brought nothing back (tools/lab)
    lab = run.get("lab")
    missing = lab["missing_cells"] if lab else []

    with open(f"{out}/ktap.txt", "w") as f:
        f.write(f"KTAP version 1\n1..{len(keys) + len(missing)}\n")
        for n, key in enumerate(keys, 1):
            v = series[key]
            verdict = f"; REGRESSION against {base}" if key in flagged else ""
            f.write(f"{'not ok' if key in flagged else 'ok'} {n} {key[0]}:{key[1]} # median "
                    f"{statistics.median(v['values']):g} {v['unit']}, {len(v['values'])} samples{verdict}\n")
        for n, m in enumerate(missing, len(keys) + 1):
            f.write(f"not ok {n} {m['cell']} # LAVA job {m['job']} ({m['health']}) brought no samples: "
                    f"{m['error']}\n")

    # KernelCI's KCIDB I/O schema: checkout -> build -> one test per cell and metric
    checkout, build = kcidb_checkout_build(run)
    origin = checkout["origin"]
    where = f"LAVA lab {lab['server']}, device type {lab['device_type']}" if lab else "QEMU TCG test machine"
    tests = []
    for n, key in enumerate(keys, 1):
        v = series[key]
        test = {"id": f"{origin}:{sha}:{n}", "origin": origin, "build_id": build["id"],
                "path": "sgscope." + key[0].replace("/", ".") + "." + key[1],
                "status": "FAIL" if key in flagged else "DONE",
                "environment": {"comment": f"{where}, {clock_short}"},
                "number": {"value": statistics.median(v["values"]), "unit": v["unit"]},
                "misc": {"samples": len(v["values"])}}
        if key in flagged:
            test["misc"]["regression_against"] = base
        tests.append(test)
    for n, m in enumerate(missing, len(keys) + 1):
        tests.append({"id": f"{origin}:{sha}:{n}", "origin": origin, "build_id": build["id"],
                      "path": "sgscope." + m["cell"].replace("/", "."), "status": "ERROR",
                      "environment": {"comment": f"{where}, {clock_short}"},
                      "misc": {"lava_job": m["job"], "lava_health": m["health"], "error": m["error"]}})
    report = {"version": KCIDB_VERSION, "checkouts": [checkout], "builds": [build], "tests": tests}
    issues, incidents = kcidb_issues(run, {k: v for k, v in flagged.items() if k in series}, base,
                                     {key: tests[n]["id"] for n, key in enumerate(keys)})
    if issues:
        report.update(issues=issues, incidents=incidents)
    json.dump(report, open(f"{out}/kcidb.json", "w"), indent=1)
    return len(keys), len(flagged.keys() & set(keys)) + len(missing)


def fmt(v, scale=1.0):
    return "-" if v is None else f"{v / scale:.1f}" if scale != 1 else f"{v:g}"


class Tables:
    """report.md's tables of a run's series."""

    def __init__(self, series):
        self.series = series
        self.cells = sorted({c for c, _ in series})

    def median(self, cell, metric):
        v = self.series.get((cell, metric))
        return statistics.median(v["values"]) if v else None

    def total(self, cell, metric):
        v = self.series.get((cell, metric))
        return sum(v["values"]) if v else None

    def pivot(self, title, metric, rows, columns, pick, scale=1.0):
        """A table of medians: rows x columns, pick(row, column) names the cell."""
        got = [[self.median(pick(r, c), metric) for c in columns] for r in rows]
        keep = [(r, g) for r, g in zip(rows, got) if any(v is not None for v in g)]
        if not keep:
            return []
        out_lines = [f"**{title}**", "", "| | " + " | ".join(columns) + " |",
                     "|---" * (len(columns) + 1) + "|"]
        out_lines += [f"| {r} | " + " | ".join(fmt(v, scale) for v in g) + " |" for r, g in keep]
        return out_lines + [""]

    def totals(self, title, metrics, columns, of_column):
        """Totals of counters over every cell of each column."""
        out_lines = [f"**{title}**", "", "| | " + " | ".join(columns) + " |",
                     "|---" * (len(columns) + 1) + "|"]
        for m, label in metrics:
            vals = [sum(self.total(c, m) or 0 for c in self.cells if of_column(c) == col) for col in columns]
            out_lines.append(f"| {label} | " + " | ".join(f"{v:g}" for v in vals) + " |")
        return out_lines + [""]


def intro_lines(run, n_samples, n_series):
    """report.md's title and what the run is."""
    clock_short, clock_long = clock_of(run)
    sha, kernel, level = run["git_sha"], run["kernel"], run["level"]
    return [f"# sgscope benchmark {run['date']} ({level})", "",
            f"git {sha}{' (dirty)' if run['git_dirty'] else ''}, kernel {kernel}, "
            f"{n_samples} samples in {n_series} series, {run['iterations']} iterations per cell, "
            f"boots: {' '.join(run['boots'])}.", "",
            f"**Clock: {clock_short}.** Every time here is {clock_long}. Absolute times are "
            "emulation times; compare cells with each other and runs with `sgscope compare`.", "",
            f"Cells are strategy/DMA mode/buffer size/condition: {plots.LABELS['pcm0']}, "
            f"{plots.LABELS['pcm1']} (DEV_SG), pcm2 {plots.STRATEGY_NAMES['pcm2']} (.page by "
            "vmalloc_to_page: lookup, or from its page array: cached; or every "
            f"page mapped at mmap time, no .page: premapped, the limit), {plots.LABELS['pcm3']}; "
            "intel8x0 and dummy are the mainline peers. Conditions: none, order1 "
            "(`sgscope inject --order 1`), fragment (`--fragment 100 --order-min 4`: no free block of order 4, 64 KiB, or more in any zone, nothing injected: pcm1's 256 KiB and 1 MiB take the SG fallback on their own), lowmem (`--lowmem 0`: free memory at the min watermark, refilled before each iteration, so allocations reclaim).", ""]


def lab_lines(lab):
    """The LAVA jobs of a lab run: none for a run of the test machine."""
    if not lab:
        return []
    how = f", submitted with {lab['submitted_with']}" if lab.get("submitted_with") else ""
    lines = ["## Lab", "", f"LAVA lab: {lab['server']}, device type {lab['device_type']}; "
             f"{len(lab['jobs'])} jobs{how}, {len(lab['missing_cells'])} cells missing.", "",
             "| shard | job | device | health | cells | samples | LAVA measurements | error |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {j['shard']} | {j['job']} | {j['device']} | {j['health']} | {len(j['cells'])} | "
              f"{j['samples']} | {j['lava_measurements']} | {j.get('error', '')} |" for j in lab["jobs"]]
    return lines + [""]


def page_op_lines(t, mid):
    """pcm2's .page op, lookup against cached, beyond the probes' own cost."""
    lookup = t.median(f"pcm2-lookup/direct/{mid}/none", "pageop_p50_ns")
    cached = t.median(f"pcm2-cached/direct/{mid}/none", "pageop_p50_ns")
    floor = t.median("dummy/direct/64k/none", "pageop_p50_ns")
    if not (lookup and cached):
        return []
    line = (f"pcm2's .page op, p50 (direct, {mid}, no injection): vmalloc_to_page lookup "
            f"{fmt(lookup)} ns, cached page array {fmt(cached)} ns: cached is "
            f"{lookup / cached:.2f}x faster.")
    # the fentry/fexit pair around an op is timed with it: snd-dummy's
    # op (one virt_to_page of its fake buffer) is about that pair alone
    if floor and floor < cached:
        line += (f" Each includes the probes around it: snd-dummy's op, one "
                 f"virt_to_page, takes {fmt(floor)} ns with the same probes; beyond "
                 f"that, lookup {fmt(lookup - floor)} ns, cached {fmt(cached - floor)} "
                 f"ns: {(lookup - floor) / (cached - floor):.1f}x.")
    return [line, ""]


def summary_lines(t, boots):
    """The summary's tables: by DMA mode, by condition, the outcomes."""
    strategies, peers, cells = plots.STRATEGIES, ["intel8x0", "dummy"], t.cells
    sizes = sorted({c.split("/")[2] for c in cells}, key=lambda x: int(x[:-1]))
    mid = "256k" if "256k" in sizes or not sizes else sizes[-1]
    conds = [k for k in ("none", "order1", "fragment", "lowmem") if any(c.endswith("/" + k) for c in cells)]

    def size_of(row):
        return "64k" if row in peers else mid
    lines = ["## Summary", ""]
    lines += t.pivot(f"hw_params allocation, median µs ({mid}, no injection), by DMA mode", "alloc_ns",
                     strategies, boots, lambda r, b: f"{r}/{b}/{mid}/none", 1000)
    lines += t.pivot(f"dma_map, median µs ({mid}, no injection), by DMA mode", "dma_map_ns",
                     strategies, boots, lambda r, b: f"{r}/{b}/{mid}/none", 1000)
    lines += t.pivot(f"hw_params allocation, median µs (direct, {mid}), by condition", "alloc_ns",
                     strategies, conds, lambda r, k: f"{r}/direct/{mid}/{k}", 1000)
    lines += t.pivot(f"map + fault + unmap per round, median µs (direct, {mid}; peers 64k), by condition",
                     "fault_round_ns", strategies + peers, conds,
                     lambda r, k: f"{r}/direct/{size_of(r)}/{k}", 1000)
    lines += t.pivot(f"page-callback latency p99, median ns (direct, {mid}; snd-dummy 64k), by condition",
                     "pagelat_p99_ns", ["pcm1", "pcm2-lookup", "pcm2-cached", "dummy"], conds,
                     lambda r, k: f"{r}/direct/{size_of(r)}/{k}")
    lines += t.pivot(f"the .page op alone, p50, median ns (direct, {mid}; snd-dummy 64k), by condition",
                     "pageop_p50_ns", ["pcm1", "pcm2-lookup", "pcm2-cached", "dummy"], conds,
                     lambda r, k: f"{r}/direct/{size_of(r)}/{k}")
    lines += page_op_lines(t, mid)
    lines += t.totals("outcomes over every cell, by condition",
                      [("xruns", "xruns"), ("sg_fallbacks", "SG fallbacks"),
                       ("alloc_failures", "failed allocations")], conds, lambda c: c.split("/")[3])
    return lines


def cell_lines(t):
    """Every cell's medians and totals, one row each."""
    lines = ["## Every cell", ""]
    lines += ["| cell | alloc µs | chunks | dma_map µs | fault round µs | pagelat p50 ns | pagelat p99 ns | .page op p50 ns | xruns | fallbacks | failures |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in t.cells:
        lines.append(f"| {c} | {fmt(t.median(c, 'alloc_ns'), 1000)} | {fmt(t.median(c, 'chunks'))} | "
                     f"{fmt(t.median(c, 'dma_map_ns'), 1000)} | {fmt(t.median(c, 'fault_round_ns'), 1000)} | "
                     f"{fmt(t.median(c, 'pagelat_p50_ns'))} | {fmt(t.median(c, 'pagelat_p99_ns'))} | "
                     f"{fmt(t.median(c, 'pageop_p50_ns'))} | "
                     f"{fmt(t.total(c, 'xruns'))} | {fmt(t.total(c, 'sg_fallbacks'))} | "
                     f"{fmt(t.total(c, 'alloc_failures'))} |")
    return lines + ["", "Medians over the iterations; xruns, fallbacks (hw_params that took ALSA's SG "
                    "fallback) and failures (hw_params whose allocation failed) are totals over them."]


def write(out):
    run, samples, histograms, orders = load(out)
    # one series per cell and metric
    series = series_of(samples)
    write_results(out, run, series)
    made = plots.make_all(out, series, histograms, orders)
    t = Tables(series)
    lines = intro_lines(run, len(samples), len(series)) + lab_lines(run.get("lab"))
    lines += summary_lines(t, run["boots"])
    lines += ["## Plots", ""]
    lines += [f"![{title}]({name}.svg)\n" for name, title in made]
    lines += cell_lines(t)
    lines += smallest.section(out)
    with open(f"{out}/report.md", "w") as f:
        f.write("\n".join(lines) + "\n")
    # the same as one page to open in a browser (a compare adds to it)
    report_html.write(out)
    return len(samples), len(series)


if __name__ == "__main__":
    args = sys.argv[1:]
    verdicts = args[:1] == ["--verdicts"]
    if verdicts:
        args = args[1:]
    if len(args) != 1:
        sys.exit("usage: report.py [--verdicts] RUNDIR")
    if verdicts:
        run, samples, _, _ = load(args[0])
        n_series, n_failed = write_results(args[0], run, series_of(samples))
        print(f"{args[0]}: {n_series} series, {n_failed} failed (flagged in compare.md, or cells a lab job lost)")
    else:
        n_samples, n_series = write(args[0])
        print(f"{args[0]}: {n_samples} samples, {n_series} series")
