#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the run folder's writers (tools/bench/report.py): ktap.txt,
kcidb.json (valid KCIDB v5.3, one test per cell and metric, the median and
unit, DONE; FAIL and "not ok" for what compare.md flags), report.md's
tables, and redrawing an older run."""
import json, os, shutil, subprocess, sys, tempfile, unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import report  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORT = os.path.join(BENCH, "report.py")
VALIDATE = os.path.join(BENCH, "kcidb-validate.py")

SAMPLES = [
    # cell, metric, unit, kind, values
    # skewed, so that a mean would not pass for the median
    ("pcm1/direct/256k/none", "alloc_ns", "ns", "central", [300, 100, 1100]),
    ("pcm1/direct/256k/none", "chunks", "count", "allocator", [1, 1, 1]),
    ("pcm1/direct/256k/order1", "alloc_ns", "ns", "central", [900, 700, 800, 2000]),
    ("pcm1/direct/256k/order1", "xruns", "count", "counter", [0, 2, 1]),
    ("pcm2-cached/direct/256k/none", "pagelat_p99_ns", "ns", "tail", [4000, 5000, 6000]),
]


def make_run(out, with_commit=True):
    run = {"git_sha": "0123456789ab", "git_dirty": False, "date": "2026-11-21T00:00:00Z",
           "kernel": "6.12.117", "config_sha256": "c0ffee", "level": "quick", "iterations": 3,
           "boots": ["direct"], "knobs": {}, "qemu": "q", "machine": "test machine (tools/vm)"}
    if with_commit:
        run["git_commit"] = "0123456789ab" + "0" * 28
    json.dump(run, open(f"{out}/run.json", "w"))
    with open(f"{out}/samples.jsonl", "w") as f:
        for cell, metric, unit, kind, values in SAMPLES:
            for i, v in enumerate(values, 1):
                f.write(json.dumps({"cell": cell, "metric": metric, "unit": unit, "iteration": i,
                                    "value": v, "higher_is_better": False, "kind": kind}) + "\n")
    with open(f"{out}/histograms.jsonl", "w") as f:
        f.write(json.dumps({"cell": "pcm2-cached/direct/256k/none", "metric": "pagelat_ns",
                            "buckets": [{"low": 512, "high": 576, "count": 10},
                                        {"low": 4096, "high": 4608, "count": 1}]}) + "\n")
    with open(f"{out}/alloc-orders.jsonl", "w") as f:
        f.write(json.dumps({"cell": "pcm1/direct/256k/order1", "chunks_by_order": {"0": 64}}) + "\n")


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.out = tempfile.mkdtemp()
        make_run(self.out)
        report.write(self.out)
        self.kcidb = json.load(open(f"{self.out}/kcidb.json"))

    def tearDown(self):
        shutil.rmtree(self.out)

    def validate(self):
        return subprocess.run([VALIDATE, f"{self.out}/kcidb.json"], capture_output=True, text=True)

    def test_kcidb_validates(self):
        self.assertEqual(self.kcidb["version"], {"major": 5, "minor": 3})
        v = self.validate()
        self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
        self.assertTrue(all(t["status"] == "DONE" for t in self.kcidb["tests"]))
        # the validator can fail: v5.3 has no build "valid"
        self.kcidb["builds"][0]["valid"] = True
        json.dump(self.kcidb, open(f"{self.out}/kcidb.json", "w"))
        self.assertEqual(self.validate().returncode, 1)

    def test_flagged_series_fail(self):
        open(f"{self.out}/compare.md", "w").write(
            "# sgscope compare\n\nbase: `/x/results/baseline`, new: `/x/y`\n\n"
            "| pcm1/direct/256k/order1 | alloc_ns | ns | 800 | 850 | +6.2% | 0.001 | **REGRESSION** |\n"
            "| pcm1/direct/256k/none | alloc_ns | ns | 300 | 300 | +0.0% | 0.9 | same |\n")
        self.assertEqual(subprocess.run([sys.executable, REPORT, "--verdicts", self.out],
                                        capture_output=True).returncode, 0)
        k = json.load(open(f"{self.out}/kcidb.json"))
        status = {t["path"]: t["status"] for t in k["tests"]}
        self.assertEqual(status["sgscope.pcm1.direct.256k.order1.alloc_ns"], "FAIL")
        self.assertEqual(list(status.values()).count("FAIL"), 1)
        self.assertEqual(self.validate().returncode, 0)
        lines = open(f"{self.out}/ktap.txt").read().splitlines()
        failed = [line for line in lines if line.startswith("not ok ")]
        self.assertEqual(len(failed), 1)
        self.assertIn("pcm1/direct/256k/order1:alloc_ns", failed[0])
        self.assertIn("REGRESSION against baseline", failed[0])
        # one KCIDB issue for the regression, and this run's incident of it
        # on the failed test
        self.assertEqual(len(k["issues"]), 1)
        self.assertEqual(len(k["incidents"]), 1)
        issue, incident = k["issues"][0], k["incidents"][0]
        self.assertEqual(issue["id"], "sgscope:regression:pcm1/direct/256k/order1:alloc_ns")
        self.assertIn("+6.2% regression of alloc_ns in pcm1/direct/256k/order1", issue["report_subject"])
        self.assertEqual((incident["issue_id"], incident["issue_version"]), (issue["id"], issue["version"]))
        failed_test = next(t for t in k["tests"] if t["status"] == "FAIL")
        self.assertEqual(incident["test_id"], failed_test["id"])
        self.assertTrue(incident["present"])

    def test_no_issue_without_regression(self):
        self.assertNotIn("issues", self.kcidb)
        self.assertNotIn("incidents", self.kcidb)

    def test_kcidb_required_fields(self):
        k = self.kcidb
        for kind, fields in {"checkouts": ("id", "origin"), "builds": ("id", "origin", "checkout_id"),
                             "tests": ("id", "origin", "build_id")}.items():
            self.assertTrue(k[kind])
            for obj in k[kind]:
                for field in fields:
                    self.assertIsInstance(obj[field], str)
                    self.assertTrue(obj[field])
        self.assertEqual(k["builds"][0]["checkout_id"], k["checkouts"][0]["id"])
        self.assertEqual(k["checkouts"][0]["git_commit_hash"], "0123456789ab" + "0" * 28)

    def test_one_test_per_cell_and_metric_with_median(self):
        tests = {t["path"]: t for t in self.kcidb["tests"]}
        self.assertEqual(len(tests), len(SAMPLES))
        self.assertEqual(len({t["id"] for t in self.kcidb["tests"]}), len(SAMPLES))
        t = tests["sgscope.pcm1.direct.256k.order1.alloc_ns"]
        self.assertEqual(t["number"], {"value": 850, "unit": "ns"})
        self.assertEqual(t["misc"]["samples"], 4)
        self.assertEqual(tests["sgscope.pcm1.direct.256k.none.alloc_ns"]["number"]["value"], 300)
        self.assertTrue(all(t["build_id"] == self.kcidb["builds"][0]["id"] for t in tests.values()))

    def test_ktap(self):
        lines = open(f"{self.out}/ktap.txt").read().splitlines()
        self.assertEqual(lines[0], "KTAP version 1")
        self.assertEqual(lines[1], f"1..{len(SAMPLES)}")
        self.assertEqual(sum(line.startswith("ok ") for line in lines), len(SAMPLES))
        self.assertTrue(all("# median " in line for line in lines[2:]))

    def test_report_tables(self):
        md = open(f"{self.out}/report.md").read()
        # allocation by condition: medians in microseconds
        self.assertIn("| pcm1 | 0.3 | 0.8 |", md)
        # xruns are totals: 0 + 2 + 1
        self.assertIn("| xruns | 0 | 3 |", md)
        self.assertIn("| pcm1/direct/256k/order1 | 0.8 |", md)

    def test_smallest_buffer_table(self):
        self.assertNotIn("## Smallest safe buffer", open(f"{self.out}/report.md").read())
        os.makedirs(f"{self.out}/smallest-buffer")
        table = "| strategy | direct, none |\n|---|---|\n| sg | 1024 frames (21 ms) |\n"
        open(f"{self.out}/smallest-buffer/table.md", "w").write(table)
        report.write(self.out)
        md = open(f"{self.out}/report.md").read()
        self.assertIn("## Smallest safe buffer", md)
        self.assertIn(table, md)

    def test_clock_is_named(self):
        text = open(f"{self.out}/report.md").read()
        self.assertIn("**Clock: wall clock.**", text)
        run = json.load(open(f"{self.out}/run.json"))
        run.update({"clock": "icount", "icount_shift": 0})
        json.dump(run, open(f"{self.out}/run.json", "w"))
        report.write(self.out)
        text = open(f"{self.out}/report.md").read()
        self.assertIn("**Clock: icount shift 0.**", text)
        self.assertIn("1 guest ns per instruction", text)
        k = json.load(open(f"{self.out}/kcidb.json"))
        self.assertTrue(all(t["environment"]["comment"].endswith("icount shift 0") for t in k["tests"]))

    def test_older_run_without_commit_or_buckets(self):
        old = tempfile.mkdtemp()
        try:
            make_run(old, with_commit=False)
            h = json.loads(open(f"{old}/histograms.jsonl").read())
            h["log2"] = h.pop("buckets")
            json.dump(h, open(f"{old}/histograms.jsonl", "w"))
            report.write(old)
            k = json.load(open(f"{old}/kcidb.json"))
            self.assertTrue(k["checkouts"][0]["git_commit_hash"])
            self.assertTrue(os.path.exists(f"{old}/pagelat-ecdf.svg") or
                            subprocess.run(["which", "gnuplot"], capture_output=True).returncode)
        finally:
            shutil.rmtree(old)


if __name__ == "__main__":
    unittest.main(verbosity=2)
