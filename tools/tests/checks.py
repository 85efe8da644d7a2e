#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The Python side of sgscope's test suites: their checks of run folders,
WAV files and LAVA output, and the small helpers they need from Python.

Usage: checks.py COMMAND ARGS...   (checks.py --help lists the commands)

A check command reports the way tools/tests/checks.sh does, in a block of
its own inside the suite's: "# begin: checks.py COMMAND", "ok - NAME" or
"not ok - NAME" with "#   " detail lines, then "# end: checks.py COMMAND"
and its KTAP plan, the number of checks it printed
(tools/tests/ktap-plans.py).  It exits 0 once it has run to its end,
whatever its checks said (a crash half way leaves the block without its
plan).  Each name is written out whole where it is checked, so that
`grep -rn` finds it.  A helper command prints what the suite reads.
"""
import json
import os
import random
import re
import statistics
import subprocess
import sys
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


class Checks:
    """One block of checks: ok/not ok lines, counted for the plan at its end."""

    def __init__(self, name):
        self.name, self.count, self.failed = name, 0, 0
        print(f"# begin: {name}", flush=True)

    def __call__(self, ok, name, *details):
        self.count += 1
        print(("ok - " if ok else "not ok - ") + name)
        if not ok:
            self.failed += 1
            for d in details:
                for line in str(d).splitlines():
                    print(f"#   {line}")
        return bool(ok)

    def finish(self):
        print(f"# end: {self.name}")
        print(f"1..{self.count}", flush=True)
        return 0


def jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


# -- 20-test-machine: tools/vm --wav

def wav_valid(check, path):
    """A 48 kHz S16 stereo WAV of a second or more, its header finalised."""
    try:
        with open(path, "rb") as f:
            h = f.read(44)
        riff = int.from_bytes(h[4:8], "little")
        with wave.open(path) as w:
            params = (w.getframerate(), w.getnchannels(), w.getsampwidth())
            frames = w.getnframes()
        problem = ("not RIFF/WAVE" if h[:4] != b"RIFF" or h[8:12] != b"WAVE" else
                   f"RIFF size {riff} vs file {os.path.getsize(path)}" if riff != os.path.getsize(path) - 8 else
                   f"parameters {params}" if params != (48000, 2, 2) else
                   f"{frames} frames" if frames < 48000 else None)
    except (OSError, EOFError, wave.Error) as e:
        problem = str(e)
    check(problem is None, "vm --wav: a valid 48 kHz stereo WAV with a finalised header", problem)


def wav_silence(check, path):
    """A second of captured stereo S16 (192000 bytes), every byte zero."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        data, err = b"", str(e)
    else:
        err = None
    check(len(data) == 192000 and not any(data),
          "vm --wav: the capture is a second of silence (48000 stereo S16 frames, all zero)",
          err or f"{len(data)} bytes, {'silent' if data and not any(data) else 'not silent'}")


# -- 30-kunit: kunit.py's JSON

def kunit_cases(path):
    """Print "SUITE.CASE STATUS" per test case kunit.py reported."""
    def walk(group, prefix):
        for case in group.get("test_cases", []):
            print(f"{prefix}{case['name']} {case['status']}")
        for sub in group.get("sub_groups", []):
            walk(sub, f"{sub['name']}.")
    with open(path) as f:
        walk(json.load(f), "")


# -- 50-alsa-selftests: pcm-test's and mixer-test's output, relayed

def relay_selftest(tool, lines, expected):
    """The selftest's plan and a line per result: a skip must be listed in
    sgscope.conf; the number of results."""
    plans = [line for line in lines if re.match(r"^1\.\.\d+$", line)]
    print(plans[0] if plans else f"# {tool}: no plan")
    counted = 0
    for at, line in enumerate(lines):
        m = re.match(r"^(ok|not ok) \d+ (# SKIP )?(.*)$", line)
        if not m:
            continue
        counted += 1
        status, skip, name = m.group(1), m.group(2), m.group(3).strip()
        if skip:
            # default.time1.sgscope.3.0.CAPTURE -> default.time1
            key = ".".join(name.split(".")[:2])
            if key in expected:
                print(f"ok - {tool}: {name} skipped as listed ({expected[key]})")
            else:
                print(f"not ok - {tool}: {name} skipped but not listed in sgscope.conf")
            continue
        print(f"{status} - {tool}: {name}")
        # pcm-test says why right after a failure
        if status == "not ok" and at + 1 < len(lines) and lines[at + 1].startswith("# "):
            print("#   " + lines[at + 1][2:])
    tail = [line for line in lines if line.startswith("# Totals")]
    print(f"# {tool}: {tail[-1][2:] if tail else 'no totals'}")
    return counted


def alsa_selftests(check, work, conf):
    """Relay each selftest's results under its own plan, then check that it
    ran (a skip passes only when sgscope.conf lists it with its reason)."""
    expected = dict(re.findall(r"^# sgscope-expected-skip: (\S+) (.*)$", read(conf), re.M))
    for tool in ("pcm-test", "mixer-test"):
        try:
            with open(f"{work}/{tool}.tap", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError as e:
            check(False, f"alsa-selftests: the selftest produced output ({tool})", str(e))
            continue
        counted = relay_selftest(tool, lines, expected)
        check(counted > 0, f"alsa-selftests: the selftest ran tests ({tool}: {counted})", *lines[:10])


# -- 80-compare: synthetic runs

def compare_run(out, shift):
    """12 iterations of three metrics in two cells; SHIFT (%) moves pcm2's
    alloc_ns; noise is +-1%."""
    import random
    shift = float(shift)
    rnd = random.Random(7 if shift == 0 else 8)
    with open(f"{out}/samples.jsonl", "w") as f:
        for cell in ("pcm1/direct/256k/none", "pcm2/direct/256k/none"):
            for i in range(12):
                def emit(metric, value, kind="central", unit="ns"):
                    f.write(json.dumps({"cell": cell, "metric": metric, "unit": unit, "iteration": i,
                                        "value": value, "higher_is_better": False, "kind": kind}) + "\n")
                base = 100000 * (1 + rnd.uniform(-0.01, 0.01))
                if cell.startswith("pcm2"):
                    base *= 1 + shift / 100
                emit("alloc_ns", base)
                emit("fault_p99_ns", 5000 * (1 + rnd.uniform(-0.01, 0.01)), "tail")
                emit("chunks", 1, "counter", "count")


def compare_jsonl(check, folder, series, regressed):
    """sgscope compare's compare.jsonl in FOLDER: a header naming the runs,
    then SERIES lines, each with both runs' values and a verdict;
    REGRESSED ("cell metric") the only regression."""
    lines = jsonl(f"{folder}/compare.jsonl")
    head = lines[0] if lines else {}
    rows = [x for x in lines[1:] if x.get("report") == "series"]
    check(head.get("report") == "compare" and head.get("series") == int(series) == len(rows),
          f"compare.jsonl: a header, then a line per series ({len(rows)} of {series})", head)
    bad = [r for r in rows if not r.get("base_values") or not r.get("new_values")
           or r.get("verdict") not in ("same", "REGRESSION", "improved")]
    check(rows and not bad, "compare.jsonl: every series has both runs' values and a verdict", *bad[:3])
    flagged = [f"{r['cell']} {r['metric']}" for r in rows if r.get("verdict") == "REGRESSION"]
    check(flagged == [regressed], f"compare.jsonl: the regression is {regressed}", flagged)


# -- 85-lab, 87-lab-server: LAVA jobs, runs collected from them

def lava_valid(data):
    """None when LAVA's job schema takes DATA, else what it says."""
    from lava_common.schemas import validate
    import voluptuous
    try:
        validate(data, strict=True)
        return None
    except voluptuous.Invalid as e:
        return str(e)


def lab_jobs(check, jobs, repo):
    """sgscope lab jobs --quick --devices 2: LAVA's schemas take the jobs
    and the test definition; the shards partition the quick matrix."""
    import copy
    import yaml
    import voluptuous
    from lava_common.schemas.test.testdef import validate as validate_testdef
    loaded = []
    for k in (1, 2):
        try:
            with open(f"{jobs}/job-{k}.yaml") as f:
                data = yaml.safe_load(f)
        except OSError:
            data = {}
        err = lava_valid(data) if data else "no file"
        check(err is None, f"lab jobs: job-{k}.yaml validates against LAVA's job schema", err)
        loaded.append(data)
    want = subprocess.run(["sh", f"{repo}/tools/bench/guest-cells.sh", "--plan", "direct", "5", "quick", "-", "*"],
                          capture_output=True, text=True).stdout.split()

    def cells_of(data):
        try:
            return data["actions"][2]["test"]["definitions"][0]["parameters"]["CELLS"].split(",")
        except (KeyError, IndexError, TypeError):
            return []
    got = [c for data in loaded for c in cells_of(data)]
    check(len(want) == 16 and sorted(got) == sorted(want) and len(set(got)) == len(got),
          f"lab jobs: the two jobs' cells are the quick matrix's {len(want)}, each once ({len(got)} in the jobs)")
    shards = json.loads(read(f"{jobs}/shards.json") or "{}").get("shards") if loaded[0] else []
    check(shards == [cells_of(d) for d in loaded] and all(shards),
          "lab jobs: shards.json says which job runs which cells, none empty")
    broken = copy.deepcopy(loaded[0])
    if broken:
        del broken["actions"][0]["deploy"]["to"]
    check(broken and lava_valid(broken) is not None, "lab jobs: a job whose deploy has no 'to' does not validate")
    try:
        with open(f"{repo}/tools/lab/sgscope-bench.yaml") as f:
            validate_testdef(yaml.safe_load(f))
        err = None
    except (voluptuous.Invalid, OSError) as e:
        err = str(e)
    check(err is None, "lab jobs: tools/lab/sgscope-bench.yaml validates as a LAVA test definition", err)


def lab_cases(check, samples_path, cases_path):
    """tools/lab/lava-samples: one LAVA test case per sample."""
    samples = jsonl(samples_path)
    with open(cases_path) as f:
        cases = [line.split() for line in f]
    ok = len(samples) > 0 and len(cases) == len(samples) and all(
        len(c) == 3 and re.fullmatch(r"[-_a-zA-Z0-9.]+", c[0]) and float(c[1]) == s["value"] and c[2] == s["unit"]
        for c, s in zip(cases, samples))
    names = {c[0] for c in cases}
    check(ok and len(names) == len(cases),
          f"lab: every sample is a LAVA test case, its own name, its value and unit ({len(cases)} of {len(samples)})")


def load_run(run_dir):
    """run.json, the samples and kcidb.json of a run folder; empty ones
    (and a "#" line saying why) when one is missing."""
    try:
        with open(f"{run_dir}/run.json") as f:
            run = json.load(f)
        samples = jsonl(f"{run_dir}/samples.jsonl")
        with open(f"{run_dir}/kcidb.json") as f:
            kcidb = json.load(f)
    except (OSError, ValueError) as e:
        print(f"# {e}")
        return {"lab": {"jobs": [], "missing_cells": []}}, [], {"tests": []}
    return run, samples, kcidb


def lab_run(check, run_dir, repo):
    """sgscope lab run of two one-cell jobs, the second crashing."""
    run, samples, kcidb = load_run(run_dir)
    jobs = run["lab"]["jobs"]
    j1 = jobs[0] if jobs else {}
    check(j1.get("health") == "Complete" and "error" not in j1,
          f"lab run: job 1 completed on the qemu device ({j1.get('health')}, {j1.get('error', 'no error')})")
    check(len(samples) > 0 and {s["cell"] for s in samples} == {"pcm1/direct/256k/none"}
          and {s["iteration"] for s in samples} == {1, 2},
          f"lab run: job 1's samples came back into samples.jsonl: its cell, 2 iterations ({len(samples)} samples)")
    check(j1.get("lava_measurements") == len(samples) > 0,
          "lab run: every sample is a LAVA measurement with the same value and unit "
          f"({j1.get('lava_measurements')} of {len(samples)})")
    metrics = {s["metric"] for s in samples}
    check({"alloc_ns", "fault_round_ns", "chunks", "xruns"} <= metrics,
          f"lab run: the cell's metrics are there ({sorted(metrics)})")
    check(run.get("clock") == "icount" and run.get("icount_shift") == 3 and run.get("kernel", "").startswith("6.12"),
          f"lab run: run.json: the device's kernel and clock ({run.get('kernel')}, {run.get('clock')} "
          f"{run.get('icount_shift')})")
    miss = run["lab"]["missing_cells"]
    check([m["cell"] for m in miss] == ["dummy/direct/64k/none"] and len(jobs) == 2 and "error" in jobs[1],
          "lab run: the crashed job's cell is missing, with its job's error "
          f"({jobs[1].get('error') if len(jobs) > 1 else None})")
    err = [t for t in kcidb["tests"] if t["status"] == "ERROR"]
    check(len(err) == 1 and err[0]["path"] == "sgscope.dummy.direct.64k.none" and err[0]["misc"].get("lava_job") == 2,
          "lab run: kcidb.json: the missing cell is an ERROR test naming its LAVA job")
    done = [t for t in kcidb["tests"] if t["status"] == "DONE"]
    check(len(done) == len({(s["cell"], s["metric"]) for s in samples}) > 0,
          "lab run: kcidb.json: every series of job 1 is DONE")
    ktap = read(f"{run_dir}/ktap.txt") if samples else ""
    check("not ok" in ktap and "dummy/direct/64k/none # LAVA job 2" in ktap,
          "lab run: ktap.txt: the missing cell is not ok")
    check("## Lab" in (read(f"{run_dir}/report.md") if samples else ""), "lab run: report.md has the lab's jobs")


def lab_stock_run(check, run_dir, kernel):
    """sgscope lab run of a job on Debian's 6.1 kernel."""
    try:
        with open(f"{run_dir}/run.json") as f:
            run = json.load(f)
        samples = jsonl(f"{run_dir}/samples.jsonl")
    except (OSError, ValueError):
        run, samples = {"lab": {"jobs": [{}]}}, []
    j = run["lab"]["jobs"][0]
    ok = run.get("kernel") == kernel and len(samples) > 0 and j.get("lava_measurements") == len(samples)
    check(ok, f"lab run: ... on {run.get('kernel')}, its {len(samples)} samples "
          f"back as LAVA measurements ({j.get('lava_measurements')})")


def lab_quick_jobs(check, out):
    """make lab's run folder: the jobs and what run.json says of them."""
    try:
        with open(f"{out}/lab/run.json") as f:
            run = json.load(f)
        jobs = run["lab"]["jobs"]
    except (OSError, ValueError, KeyError):
        run, jobs = {}, []
    check(len(jobs) == 2 and all(j["health"] == "Complete" and "error" not in j for j in jobs)
          and {j["device"] for j in jobs} <= {"sgscope-qemu-01", "sgscope-qemu-02"},
          "lab-quick: two jobs ran Complete on the lab's qemu devices "
          f"({[(j['job'], j['device'], j['health']) for j in jobs]})")
    lab = run.get("lab", {})
    check(lab.get("server", "").startswith("http://127.0.0.1:") and not lab.get("missing_cells", [1]),
          "lab-quick: run.json names the server; no cell is missing")
    check(lab.get("submitted_with") == "lavacli -i sgscope-lab",
          f"lab-quick: the jobs were submitted with lavacli (run.json: {lab.get('submitted_with')})")
    check(all(j["samples"] == j["lava_measurements"] > 0 for j in jobs),
          "lab-quick: every sample came back as a LAVA measurement")
    return jobs


def lab_quick(check, out):
    """make lab's flow: the lab run against the plain run of the commit."""
    jobs = lab_quick_jobs(check, out)
    md = read(f"{out}/lab-vs-plain.md")
    check(re.search(r"^Cells: 16 in the lab run, 16 in the plain run, the same\.", md, re.M) is not None,
          "lab-quick: the lab run has the plain quick run's 16 cells")
    m = re.search(r"^\| central \| (\d+) \| 1% \| 0 \| [0-9.]+% \| [0-9.]+% \| ([0-9.]+)% \|", md, re.M)
    check(m is not None and int(m.group(1)) > 0,
          "lab-quick: every central median (fault loop, histogram p50s) is within 1% of the plain run's "
          f"(max {m.group(2) if m else '?'}%)")
    m = re.search(r"^\| tail \| (\d+) \| ([0-9.]+)% \| 0 \| [0-9.]+% \| [0-9.]+% \| ([0-9.]+)% \|", md, re.M)
    check(m is not None and int(m.group(1)) > 0,
          f"lab-quick: every tail's median is within compare's {m.group(2) if m else '?'}% "
          f"(max {m.group(3) if m else '?'}%)")
    check(re.search(r"^\| counter \| \d+ \| the same \| 0 \| 0\.000% \| 0\.000% \| 0\.000% \|", md, re.M)
          is not None, "lab-quick: every counter is the same")
    lone = re.search(r"^Series in one run only: (\d+)(, all of kind allocator or state)?", md, re.M)
    check(re.search(r"^sgscope compare PLAIN LAB \(exit 0\)", md, re.M) is not None
          and re.search(r" 0 regressed, \d+ in one run only", md) is not None
          and lone is not None and (lone.group(1) == "0" or lone.group(2) is not None),
          "lab-quick: sgscope compare PLAIN LAB flags nothing, and finds every series in both but the "
          f"allocator's and the state's parts one run met ({lone.group(1) if lone else '?'})")
    shows = read(f"{out}/lavacli.txt")
    ids = [str(j["job"]) for j in jobs]
    check(len(ids) == 2 and len(re.findall(r"^health *: *Complete$", shows, re.M | re.I)) == 2
          and all(re.search(rf"^id *: *{i}$", shows, re.M) for i in ids),
          f"lab-quick: lavacli shows both jobs ({', '.join(ids)}) Complete on the server")


# -- 90-bench-quick: sgscope bench's run folders

def values_of(samples):
    """values(cell, metric): the samples' values of one series, in order."""
    def values(cell, metric):
        return [s["value"] for s in samples if s["cell"] == cell and s["metric"] == metric]
    return values


def bench_quick_kcidb(check, k):
    """kcidb.json of the quick run: version, ids, values."""
    check(k.get("version") == {"major": 5, "minor": 3},
          f"bench --quick: kcidb.json declares KCIDB v5.3 ({k.get('version')})")
    need = {"checkouts": ("id", "origin"), "builds": ("id", "origin", "checkout_id"),
            "tests": ("id", "origin", "build_id")}
    for kind, fields in need.items():
        objs = k.get(kind, [])
        check(objs and all(all(isinstance(o.get(f), str) and o[f] for f in fields) for o in objs),
              f"bench --quick: every one of the {len(objs)} {kind} has {', '.join(fields)}")
    ids = {b["id"] for b in k.get("builds", [])}
    check(all(t["build_id"] in ids for t in k.get("tests", [])), "bench --quick: every test names a build in the file")
    check(all(t.get("number", {}).get("unit") for t in k.get("tests", [])),
          "bench --quick: every test carries its value and unit")


def bench_quick_samples(check, samples):
    """The quick run's samples: its cells, its metrics, what injection does."""
    values = values_of(samples)
    cells = {s["cell"] for s in samples}
    check(len(cells) == 16, f"bench --quick: samples cover the 16 quick cells, peers included ({len(cells)})")
    metrics = {s["metric"] for s in samples}
    want = {"fault_round_ns", "xruns", "alloc_ns", "chunks", "dma_map_ns", "pagelat_p50_ns",
            "pagelat_p99_ns", "pageop_p50_ns", "pageop_p99_ns", "sg_fallbacks", "alloc_failures",
            "alloc_path_ns", "alloc_state_ns", "alloc_pages_ns", "alloc_vmap_map_ns", "alloc_dma_alloc_ns",
            "dma_map_entries", "dma_map_fixed_ns", "dma_map_entry_ns"}
    check(want <= metrics, f"bench --quick: samples have every metric ({', '.join(sorted(metrics))})")
    fb = values("pcm1/direct/256k/order1", "chunks")
    check(fb and min(fb) > 1, f"bench --quick: order-1 injection gives pcm1 chunked buffers (chunks {fb})")
    check(values("pcm1/direct/256k/order1", "sg_fallbacks") == [5],
          "bench --quick: ... every hw_params took the SG fallback")
    check(values("pcm3/direct/256k/order1", "alloc_failures") == [5],
          "bench --quick: pcm3 without an IOMMU fails every hw_params under order-1 injection")
    p99 = values("pcm2-lookup/direct/256k/none", "pagelat_p99_ns")
    check(len(p99) == 5, f"bench --quick: page-callback latency is measured per iteration ({len(p99)} of 5)")
    check(len(values("pcm0/direct/256k/none", "xruns")) == 5, "bench --quick: xruns are counted per iteration")
    check(len(values("intel8x0/direct/64k/none", "fault_round_ns")) == 5, "bench --quick: snd-intel8x0 is measured")
    check(len(values("dummy/direct/64k/none", "pagelat_p50_ns")) == 5, "bench --quick: snd-dummy's .page is measured")
    for c in ("pcm2-lookup/direct/256k/none", "pcm2-cached/direct/256k/none", "dummy/direct/64k/none"):
        op, fault = values(c, "pageop_p50_ns"), values(c, "pagelat_p50_ns")
        check(len(op) == 5 and all(0 < o < f for o, f in zip(op, fault)),
              "bench --quick: the .page op alone is measured, shorter than the fault around it "
              f"({c}: {op} < {fault})")
    # the premapped limit: the same buffer, no .page at all
    check(values("pcm2-premapped/direct/256k/none", "pagelat_p50_ns") == [],
          "bench --quick: pcm2 premapped takes no fault through .page")
    pre = values("pcm2-premapped/direct/256k/none", "fault_round_ns")
    lk = values("pcm2-lookup/direct/256k/none", "fault_round_ns")
    check(len(pre) == 5 and lk and max(pre) < min(lk),
          f"bench --quick: pcm2 premapped's rounds are all shorter than lookup's ({pre} < {lk})")


def bench_quick(check, out, bench_dir):
    """sgscope bench --quick's run folder, OUT."""
    with open(f"{out}/kcidb.json") as f:
        k = json.load(f)
    bench_quick_kcidb(check, k)
    bench_quick_samples(check, jsonl(f"{out}/samples.jsonl"))
    hist = jsonl(f"{out}/histograms.jsonl")
    h = [r for r in hist if r["cell"] == "pcm2-cached/direct/256k/none"]
    # 5 iterations x 20 rounds x 64 pages
    check(h and sum(b["count"] for b in h[0]["buckets"]) == 5 * 20 * 64,
          "bench --quick: the latency histogram holds every fault of the cell (6400)")
    with open(f"{out}/run.json") as f:
        run = json.load(f)
    check(all(run.get(f) for f in ("git_sha", "kernel", "config_sha256", "qemu", "knobs")),
          "bench --quick: run.json has the git sha, kernel, config hash, QEMU line and knobs")
    check(run.get("clock") == "icount" and run.get("icount_shift") == 3 and "-icount shift=3" in run["qemu"],
          f"bench --quick: run.json: measured in icount, shift 3, and the QEMU line says so ({run.get('clock')})")
    check("**Clock: icount shift 3.**" in read(f"{out}/report.md"), "bench --quick: report.md names the clock")
    check(all("icount shift 3" in t["environment"]["comment"] for t in k["tests"]),
          "bench --quick: every KCIDB test says which clock its number is in")
    sys.path.insert(0, bench_dir)
    import names
    check(run.get("strategies") == names.strategies(),
          "bench --quick: run.json: the driver names each PCM's strategy as driver/sgscope_names.h does "
          f"({run.get('strategies')})")


def pcm2_median(samples, metric):
    r = [s["value"] for s in samples if s["cell"] == "pcm2-lookup/direct/256k/none" and s["metric"] == metric]
    return statistics.median(r) if r else 0


def plant_delay(out):
    """Print the page_delay_ns that plants about 3% in pcm2's fault loop."""
    # 64 faults per round of the 256 KiB buffer; ndelay()'s own loop costs
    # about as much again as the delay in guest time (a nominal 3% measured
    # 5.4-6%), so the nominal share is half the 3% aimed at
    print(round(0.015 * pcm2_median(jsonl(f"{out}/samples.jsonl"), "fault_round_ns") / 64))


def plant_costs(out):
    """Print the instructions of --cost that plant about 3% in pcm2's
    allocation path and in its dma mapping: "ALLOC MAP"."""
    samples = jsonl(f"{out}/samples.jsonl")
    with open(f"{out}/run.json") as f:
        ns_per_insn = 2 ** (json.load(f).get("icount_shift") or 0)
    # 3% of the series the plant is in; at least one iteration of the loop
    print(max(20, round(0.03 * pcm2_median(samples, "alloc_path_ns") / ns_per_insn)),
          max(20, round(0.03 * pcm2_median(samples, "dma_map_ns") / ns_per_insn)))


def cells(samples_path):
    """Print the cells of a samples.jsonl, sorted, on one line."""
    print(" ".join(sorted({s["cell"] for s in jsonl(samples_path)})))


def planted_costs(run_json):
    """Print run.json's planted_costs; exit 1 when it has none."""
    try:
        with open(run_json) as f:
            costs = json.load(f).get("planted_costs")
    except (OSError, ValueError):
        costs = None
    print(costs or "")
    return 0 if costs else 1


def kcidb_failed(path):
    """Print "CELL METRIC" per FAIL test of a kcidb.json."""
    with open(path) as f:
        for t in json.load(f)["tests"]:
            if t["status"] == "FAIL":
                cell, metric = t["path"][len("sgscope."):].rsplit(".", 1)
                print(cell.replace(".", "/"), metric)


def bench_icount(check, base, filtered):
    """Two boots of the same cells, in icount: the same central medians."""
    def medians(run):
        by = {}
        for s in jsonl(f"{run}/samples.jsonl"):
            if s["kind"] == "central":
                by.setdefault((s["cell"], s["metric"]), []).append(s["value"])
        return {k: statistics.median(v) for k, v in by.items()}
    a, b = medians(base), medians(filtered)
    both = sorted(set(a) & set(b))
    check(len(both) >= 4, f"bench icount: the filtered boot has the central series of its 2 cells ({len(both)})")
    for k in both:
        pct = abs(b[k] - a[k]) / a[k] * 100
        check(pct <= 1, f"bench icount: two boots' medians within 1% ({k[0]} {k[1]}: {a[k]:g} vs {b[k]:g}: "
              f"{pct:.2f}%)")


def bench_local(check, out):
    """sgscope bench --local's run folder, OUT."""
    try:
        with open(f"{out}/kcidb.json") as f:
            k = json.load(f)
        samples = jsonl(f"{out}/samples.jsonl")
        with open(f"{out}/run.json") as f:
            run = json.load(f)
    except OSError as e:
        k, samples, run = {}, [], {}
        print(f"# {e}")
    check(k.get("tests") and all(t.get("build_id") for t in k["tests"]), "bench --local: kcidb.json has its tests")
    found = sorted({s["cell"] for s in samples})
    check(found == ["dummy/direct/64k/none", "intel8x0/direct/64k/none", "pcm0/direct/256k/none",
                    "pcm1/direct/256k/none", "pcm2-cached/direct/256k/none", "pcm2-lookup/direct/256k/none",
                    "pcm2-premapped/direct/256k/none", "pcm3/direct/256k/none"],
          f"bench --local: the 8 cells of the filter ({len(found)})")
    check(run.get("boots") == ["direct"], f"bench --local: the mode is the machine's own ({run.get('boots')})")
    check(str(run.get("machine")).startswith("local") and run.get("cmdline"),
          "bench --local: run.json says the run was local and gives the kernel command line")


def matrix_clips(work):
    """Write the fault matrix's clips into WORK: distinct noise per play,
    padded with silence (QEMU drops the last milliseconds it fetched when
    the engine stops)."""
    for n in range(1, 161):
        rnd = random.Random(1000 + n)
        data = bytes(rnd.getrandbits(8) for _ in range(int(48000 * 0.15) * 4))
        with open(f"{work}/clip{n:03d}.raw", "wb") as f:
            f.write(data)
        with wave.open(f"{work}/clip{n:03d}.wav", "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(48000)
            w.writeframes(data + bytes(int(48000 * 0.25) * 4))


def recording_of(work, boot):
    try:
        with wave.open(f"{work}/out-{boot}.wav") as w:
            return w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as e:
        print(f"# cannot read the {boot} recording: {e}")
        return b""


def matrix_boot(check, work, boot, rows):
    """One boot's plays against its recording; its MATRIX rows into rows,
    each with whether its clip came out bit for bit."""
    rec, exact = recording_of(work, boot), {}
    for line in read(f"{work}/log-{boot}.txt").splitlines():
        if line.startswith("PLAYED "):
            clip = line.split()[1]
            with open(f"{work}/{clip}.raw", "rb") as f:
                at = rec.find(f.read())
            exact[clip] = at >= 0 and at % 4 == 0
        elif line.startswith("MATRIX|"):
            rows.append(line.split("|")[1:])
    for clip, ok in exact.items():
        check(ok, f"matrix: the clip is recorded bit for bit ({boot}: {clip})")
    for r in rows:
        if r[0] == boot and len(r) == 6:
            clip = r[-1]
            r.append("bit-exact" if exact.get(clip) else "-" if clip == "-" else "NOT bit-exact")
    return len(exact)


def matrix_recordings(check, work, out, boots):
    """Every clip the boots played is in their recordings, bit for bit;
    the matrix as a table into OUT/matrix.md."""
    rows, played = [], 0
    for boot in boots.split():
        played += matrix_boot(check, work, boot, rows)
    check(played > 0, f"matrix: the boots played clips to check ({played})")
    lines = ["| boot | scenario | strategy | expected | observed | audio |",
             "|---|---|---|---|---|---|"]
    for boot, scen, strat, exp, obs, _clip, audio in (r for r in rows if len(r) == 7):
        lines.append(f"| {boot} | {scen} | {strat} | {exp} | {obs} | {audio} |")
    with open(f"{out}/matrix.md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"# matrix table: {out}/matrix.md ({len(rows)} rows)")


CHECKS = {
    "wav-valid": wav_valid, "wav-silence": wav_silence, "alsa-selftests": alsa_selftests,
    "lab-jobs": lab_jobs, "lab-cases": lab_cases, "lab-run": lab_run, "lab-stock-run": lab_stock_run,
    "lab-quick": lab_quick, "bench-quick": bench_quick, "bench-icount": bench_icount,
    "bench-local": bench_local, "matrix-recordings": matrix_recordings,
    "compare-jsonl": compare_jsonl,
}
HELPERS = {
    "kunit-cases": kunit_cases, "compare-run": compare_run, "plant-delay": plant_delay,
    "plant-costs": plant_costs, "cells": cells, "planted-costs": planted_costs,
    "kcidb-failed": kcidb_failed, "matrix-clips": matrix_clips,
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in {**CHECKS, **HELPERS}:
        print("usage: checks.py COMMAND ARGS...\n  checks: " + " ".join(CHECKS) +
              "\n  helpers: " + " ".join(HELPERS), file=sys.stderr)
        return 2
    command, args = sys.argv[1], sys.argv[2:]
    if command in HELPERS:
        return HELPERS[command](*args) or 0
    check = Checks(f"checks.py {command}")
    CHECKS[command](check, *args)
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
