# SPDX-License-Identifier: GPL-2.0
"""The finished LAVA jobs of a `sgscope lab jobs` folder, back into one run
folder: their logs (from lava-run's output or the server's REST API) give
the files tools/lab/lava-bench printed between marker lines and the test
cases LAVA recorded; the shards' samples.jsonl, histograms.jsonl and
alloc-orders.jsonl are joined unchanged, run.json names the lab, the jobs
and the devices, and tools/bench/report.py writes report.md, ktap.txt and
kcidb.json from them as for any run.  A cell whose job did not bring it
back is an ERROR test in KCIDB and "not ok" in KTAP, with the job's
health and error."""
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TREE, "tools", "bench"))
from importlib.machinery import SourceFileLoader  # noqa: E402

# the names lava-bench gives the samples' test cases
cases = SourceFileLoader("lava_samples", os.path.join(HERE, "lava-samples")).load_module().cases

FILES = ("run.json", "samples.jsonl", "histograms.jsonl", "alloc-orders.jsonl")
BEGIN, END = "SGSCOPE-LAB-FILE-BEGIN", "SGSCOPE-LAB-FILE-END"


class LabError(Exception):
    """What went wrong, in words for the user."""


def records(text):
    """A LAVA job log (lava-run's stderr, or the server's logs/ API: the same
    one-line YAML mappings, the server's as a list) as dicts."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out = []
    for line in text.splitlines():
        line = line[2:] if line.startswith("- ") else line
        if not line.startswith("{"):
            continue
        try:
            rec = yaml.load(line, Loader=loader)
        except yaml.YAMLError:
            continue
        if isinstance(rec, dict) and "lvl" in rec:
            out.append(rec)
    return out


def files_of(recs):
    """The files lava-bench printed on the console: {name: [lines]}.  The
    BEGIN line gives the file's line count; a file cut short, or with
    lines the console mangled, is an error rather than a silent gap.
    LAVA logs a console line with a backslash put before every double
    quote (lava_dispatcher/shell.py, for its YAML): taking one off before
    each quote gives the line back exactly."""
    files, name, want, lines = {}, None, 0, []
    for rec in recs:
        if rec["lvl"] != "target" or not isinstance(rec.get("msg"), str):
            continue
        msg = rec["msg"].rstrip("\r\n").replace('\\"', '"')
        if name is None:
            if msg.startswith(BEGIN + " "):
                _, name, count = msg.split()
                want, lines = int(count), []
            continue
        if msg == f"{END} {name}":
            if len(lines) != want:
                raise LabError(f"{name}: {len(lines)} lines came back of the {want} printed")
            files[name] = lines
            name = None
        else:
            lines.append(msg)
    if name is not None:
        raise LabError(f"{name}: the log ends inside the file ({len(lines)} of {want} lines)")
    for fname, lines in files.items():
        # run.json is one JSON text over its lines, the others a text a line
        texts = ["\n".join(lines)] if fname == "run.json" else lines
        for n, text in enumerate(texts, 1):
            try:
                json.loads(text)
            except ValueError:
                raise LabError(f"{fname}: line {n} is not JSON as printed: {text[:80]!r}")
    return files


def results_of(recs):
    """The test cases LAVA recorded: [{definition, case, result, measurement, unit}]."""
    return [rec["msg"] for rec in recs if rec["lvl"] == "results" and isinstance(rec.get("msg"), dict)]


STEPS = ("sgscope-build", "sgscope-cli", "sgscope-bench")


def job_error(recs):
    """The error LAVA gave the job, or the step of lava-bench that failed."""
    results = results_of(recs)
    for r in results:
        if r.get("definition") == "lava" and r.get("case") == "job" and r.get("result") != "pass":
            return f"{r.get('error_type', 'error')}: {r.get('error_msg', 'job failed')}"
    failed = [r["case"] for r in results if r.get("definition", "").endswith("sgscope-bench")
              and r.get("case") in STEPS and r.get("result") != "pass"]
    return f"the test's {', '.join(failed)} step failed on the device" if failed else None


def check_measurements(files, results):
    """Every sample came back as a LAVA test case with its value and unit."""
    want = {name: (float(v), u) for name, v, u in cases(files.get("samples.jsonl", []))}
    got = {r["case"]: (float(r["measurement"]), r.get("units", "")) for r in results
           if r.get("definition", "").endswith("sgscope-bench") and "measurement" in r}
    missing = sorted(set(want) - set(got))
    wrong = sorted(n for n in set(want) & set(got) if abs(want[n][0] - got[n][0]) > 1e-9 * max(1, abs(want[n][0]))
                   or want[n][1] != got[n][1])
    return len(got), missing, wrong


class Server:
    """A LAVA server's REST API (v0.2), with a token if given."""

    def __init__(self, url, token):
        self.url = url.rstrip("/")
        self.token = token

    def request(self, path, data=None):
        req = urllib.request.Request(f"{self.url}/api/v0.2/{path}",
                                     data=json.dumps(data).encode() if data is not None else None)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Token {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.read().decode()
        except urllib.error.HTTPError as e:
            if e.code in (401, 403):
                raise LabError(f"the LAVA server at {self.url} refused the request (HTTP {e.code}): "
                               "check --token (a token of a user allowed to submit and see the jobs)")
            raise LabError(f"the LAVA server at {self.url} answered HTTP {e.code} to {path}: "
                           f"{e.read().decode(errors='replace')[:200]}")
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise LabError(f"cannot reach the LAVA server at {self.url}: {reason}")

    def submit(self, path):
        """Submit the job definition in file path; its id."""
        ids = json.loads(self.request("jobs/", {"definition": open(path).read()})).get("job_ids")
        if not ids:
            raise LabError(f"the LAVA server at {self.url} took the job but gave no job id")
        return ids[0]

    def job(self, job_id):
        return json.loads(self.request(f"jobs/{job_id}/"))

    def log(self, job_id):
        return self.request(f"jobs/{job_id}/logs/")


class Lavacli:
    """Submission through lavacli (XML-RPC) with one of its identities
    (lavacli.yaml in $XDG_CONFIG_HOME, default ~/.config)."""

    def __init__(self, identity):
        self.identity = identity

    def submit(self, path):
        """Submit the job definition in file path; its id."""
        try:
            done = subprocess.run(["lavacli", "-i", self.identity, "jobs", "submit", path],
                                  capture_output=True, text=True, timeout=120)
        except FileNotFoundError:
            raise LabError("lavacli is not installed (Debian's lavacli package; 'make deps')")
        except subprocess.TimeoutExpired:
            raise LabError(f"lavacli -i {self.identity} did not answer in 120 s")
        said = (done.stdout + done.stderr).strip()
        # lavacli exits 0 also when the server refuses the job: only a
        # job id as its whole output is a submission
        if done.returncode == 0 and re.fullmatch(r"[0-9]+", done.stdout.strip()):
            return int(done.stdout)
        last = said.splitlines()[-1] if said else f"exit {done.returncode}, no output"
        # lavacli names the URL it used, with the identity's token in it
        last = re.sub(r"(//[^:/@\s]+):[^@/\s]+@", r"\1:(token)@", last)
        raise LabError(f"lavacli -i {self.identity} could not submit {path}: {last} "
                       "(check the identity's uri, username and token in lavacli.yaml)")


def wait(server, ids, timeout, say):
    """Wait until every job is Finished; their details."""
    deadline = time.time() + timeout
    done = {}
    while True:
        for k, job_id in ids.items():
            if k not in done:
                info = server.job(job_id)
                if info.get("state") == "Finished":
                    done[k] = info
                    say(f"job {job_id} (shard {k}) finished: {info.get('health')}")
        if len(done) == len(ids):
            return done
        if time.time() > deadline:
            left = ", ".join(str(ids[k]) for k in ids if k not in done)
            raise LabError(f"jobs {left} did not finish in {timeout} s")
        time.sleep(10)


def merge(jobdir, jobs, out, lab):
    """One run folder from the jobs' logs.  jobs: {shard: {"id", "log",
    "health", "device"}} (health as LAVA says it: Complete, Incomplete,
    Canceled).  Returns the number of problems (0: every cell came back)."""
    shards = json.load(open(f"{jobdir}/shards.json"))
    merged = {f: [] for f in FILES[1:]}
    runs, entries, missing, problems = [], [], [], 0
    os.makedirs(f"{out}/lava", exist_ok=True)
    for k, cells in enumerate(shards["shards"], 1):
        info = jobs.get(k, {"id": None, "log": "", "health": "not run", "device": None})
        if info["log"] and not os.path.exists(f"{out}/lava/job-{k}.log"):
            # the job's whole log, for whoever looks into a failure
            with open(f"{out}/lava/job-{k}.log", "w") as f:
                f.write(info["log"])
        recs = records(info["log"])
        entry = {"shard": k, "job": info["id"], "device": info["device"], "health": info["health"],
                 "cells": cells}
        error = job_error(recs)
        try:
            files = files_of(recs)
        except LabError as e:
            files, error = {}, f"{error + '; ' if error else ''}{e}"
        if "run.json" in files:
            runs.append(json.loads("\n".join(files["run.json"])))
        got = set()
        for f in FILES[1:]:
            merged[f] += files.get(f, [])
        for line in files.get("samples.jsonl", []):
            got.add(json.loads(line)["cell"])
        n, lost, wrong = check_measurements(files, results_of(recs))
        entry.update({"samples": len(files.get("samples.jsonl", [])), "lava_measurements": n})
        if lost or wrong:
            error = (f"{error + '; ' if error else ''}{len(lost)} samples missing from LAVA's test cases"
                     f" (e.g. {lost[:1]}), {len(wrong)} with another value or unit (e.g. {wrong[:1]})")
        gone = [c for c in cells if c not in got]
        if info["health"] != "Complete" or gone or error:
            problems += 1
            entry["error"] = error or (f"{len(gone)} of its {len(cells)} cells brought no samples"
                                       if gone else f"LAVA health {info['health']}")
        for c in gone:
            missing.append({"cell": c, "shard": k, "job": info["id"], "health": info["health"],
                            "error": entry["error"]})
        entries.append(entry)
    kernels = {r.get("kernel") for r in runs}
    clocks = {(r.get("clock"), r.get("icount_shift")) for r in runs}
    if len(kernels) > 1 or len(clocks) > 1:
        raise LabError(f"the jobs ran different kernels or clocks: {sorted(map(str, kernels))} "
                       f"{sorted(map(str, clocks))}")
    clock, _, shift = shards["clock"].partition(":")
    run = dict(runs[0]) if runs else {
        "git_sha": shards["revision"][:12], "git_commit": shards["revision"], "git_dirty": False,
        "kernel": "unknown (no job came back)", "config_sha256": None, "level": shards["level"],
        "iterations": shards["iterations"], "boots": [shards["mode"]],
        "clock": clock, "icount_shift": int(shift) if shift else None, "knobs": {}, "strategies": {}}
    run.update({"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": f"LAVA lab ({lab['server']})", "qemu": None, "host": None,
                "lab": dict(lab, device_type=shards["device_type"], jobs=entries, missing_cells=missing)})
    for key in ("memory_kb", "cpus", "cmdline"):
        run.pop(key, None)
    json.dump(run, open(f"{out}/run.json", "w"), indent=2)
    for f, lines in merged.items():
        with open(f"{out}/{f}", "w") as fh:
            fh.writelines(line + "\n" for line in lines)
    import report
    report.write(out)
    return problems
