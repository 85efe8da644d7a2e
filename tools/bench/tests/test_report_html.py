#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of report.html's writer (tools/bench/report_html.py): the
markdown it converts, gnuplot's SVG inlined with ids of its own, the
changed series sorted by size, the history of a series across run folders
of one clock and shift only."""
import json, os, re, sys, tempfile, unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import report_html  # noqa: E402

GNUPLOT_SVG = """<?xml version="1.0" encoding="utf-8"  standalone="no"?>
<svg
 viewBox="0 0 600 300"
 xmlns="http://www.w3.org/2000/svg">
<defs><path id='gpPt0' d='M-1,0 h2'/></defs>
<use xlink:href='#gpPt0' x='5' y='5'/>
</svg>
"""


def run_folder(root, name, date, shift, values, clock="icount"):
    folder = os.path.join(root, name)
    os.makedirs(folder)
    with open(os.path.join(folder, "run.json"), "w") as f:
        json.dump({"date": date, "git_sha": name * 3, "clock": clock, "icount_shift": shift}, f)
    with open(os.path.join(folder, "samples.jsonl"), "w") as f:
        for i, v in enumerate(values):
            f.write(json.dumps({"cell": "pcm1/direct/256k/none", "metric": "alloc_ns", "unit": "ns",
                                "iteration": i, "value": v, "kind": "central"}) + "\n")
    return folder


class Markdown(unittest.TestCase):
    def test_table_heading_code(self):
        figs = report_html.Figures()
        out = report_html.markdown("# Title\n\n| a | b |\n|---|---|\n| `x` | **2** |\n\ntext", "/", figs)
        self.assertIn("<h2>Title</h2>", out)
        self.assertIn("<tr><th>a</th><th>b</th></tr>", out)
        self.assertIn("<tr><td><code>x</code></td><td><b>2</b></td></tr>", out)
        self.assertIn("<p>text</p>", out)

    def test_escapes(self):
        out = report_html.markdown("a <script> & b", "/", report_html.Figures())
        self.assertIn("a &lt;script&gt; &amp; b", out)


class Gnuplot(unittest.TestCase):
    def test_inlined_with_ids_of_its_own(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "p.svg"), "w") as f:
                f.write(GNUPLOT_SVG)
            figs = report_html.Figures()
            one = report_html.markdown("![one](p.svg)", d, figs)
            two = report_html.markdown("![two](p.svg)", d, figs)
        self.assertNotIn("<?xml", one)
        self.assertIn("id='fig1-gpPt0'", one)
        self.assertIn("href='#fig1-gpPt0'", one)
        self.assertIn("id='fig2-gpPt0'", two)
        self.assertIn('data-width="600" data-height="300"', one)
        self.assertIn('<svg width="600" height="300"', one)


class Changed(unittest.TestCase):
    def test_sorted_by_size_and_drawn(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "compare.jsonl"), "w") as f:
                f.write(json.dumps({"report": "compare", "series": 3}) + "\n")
                for cell, change, verdict, moved in (("a", 3.0, "same", True), ("b", -20.0, "improved", True),
                                                     ("c", 50.0, "same", False)):
                    f.write(json.dumps({
                        "report": "series", "cell": cell, "metric": "alloc_ns", "unit": "ns",
                        "base_median": 100, "new_median": 100 + change, "change_pct": change,
                        "p": 0.001, "verdict": verdict, "in_changed_cell": moved,
                        "base_values": [99, 100, 101], "new_values": [100 + change] * 3}) + "\n")
            head, rows = report_html.compare_rows(d)
        self.assertEqual(head["series"], 3)
        # c is in no cell that moved; b moved most
        self.assertEqual([r["cell"] for r in rows], ["b", "a"])
        self.assertEqual(rows[0]["rel_new"], [-20.0] * 3)
        svg = report_html.changed_plot(rows, report_html.Figures())
        self.assertEqual(svg.count("<circle"), 12)
        self.assertLess(svg.index(">b alloc_ns<"), svg.index(">a alloc_ns<"))
        self.assertIn("-20.0% improved", svg)


class History(unittest.TestCase):
    def test_same_clock_and_shift_only(self):
        with tempfile.TemporaryDirectory() as d:
            run_folder(d, "a", "2026-12-01", 3, [100, 110])
            run_folder(d, "b", "2026-12-02", 0, [800, 880])
            run_folder(d, "c", "2026-12-03", 3, [120, 130])
            me = run_folder(d, "d", "2026-12-04", 3, [90, 95])
            runs = report_html.runs_under(d, ("icount", 3))
            self.assertEqual([os.path.basename(r[2]) for r in runs], ["a", "c", "d"])
            html = report_html.history(me, d, ("icount", 3), [("pcm1/direct/256k/none", "alloc_ns")],
                                       report_html.Figures())
        # a point per run, this run's red
        self.assertEqual(len(re.findall(r"<circle", html)), 3)
        self.assertEqual(html.count('fill="#c22"><title>'), 1)
        self.assertIn("3 runs", html)

    def test_one_run_draws_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            me = run_folder(d, "a", "2026-12-01", 3, [100])
            self.assertEqual(report_html.history(me, d, ("icount", 3), [("pcm1/direct/256k/none", "alloc_ns")],
                                                 report_html.Figures()), "")


if __name__ == "__main__":
    unittest.main()
