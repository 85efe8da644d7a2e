#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of report.py's xrun verdicts: each xrun a player was told of
takes the tracer's latest xrun of its card, PCM and direction at or
before it (and after the previous one's); a provoked xrun must be the
application's; the verdict's name is the one sgscope xrun prints."""
import contextlib, io, json, os, re, sys, tempfile, unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import report  # noqa: E402


def lines(path, events):
    with open(path, "w") as f:
        f.writelines(json.dumps(e) + "\n" for e in events)


class XrunVerdicts(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.out = self.dir.name
        report.results.clear()

    def tearDown(self):
        self.dir.cleanup()

    def run_checks(self, told, traced, unseen=()):
        """xrun_lines() on card 0's TOLD events and the tracer's TRACED
        (card, stream, seconds, verdict), those at the seconds in UNSEEN
        without the client in their timeline: its checks' (ok, key)"""
        lines(f"{self.out}/soak-0.jsonl", told)
        lines(f"{self.out}/xrun.jsonl", [{"tool": "xrun", "report": "start"}] + [
            {"tool": "xrun", "report": "xrun", "card": c, "pcm": c, "stream": s,
             "ts_ns": int(t * 1e9), "verdict": v, "client_seen": t not in unseen}
            for c, s, t, v in traced])
        with contextlib.redirect_stdout(io.StringIO()):
            report.xrun_lines(self.out, 1)
        return [(ok, key) for ok, _, key in report.results]

    def test_provoked_and_judged(self):
        told = [{"event": "provoke", "dir": "playback", "index": 100},
                {"event": "xrun", "dir": "playback", "index": 100, "t": 10.5},
                {"event": "xrun", "dir": "capture", "index": 7, "t": 20.0}]
        traced = [(0, "playback", 10.2, "application"), (0, "capture", 19.9, "interrupt")]
        self.assertEqual(self.run_checks(told, traced),
                         [(True, "xrun.verdicts"), (True, "xrun.provoked")])

    def test_a_provoked_xrun_blamed_elsewhere_fails(self):
        told = [{"event": "provoke", "dir": "capture", "index": 5},
                {"event": "xrun", "dir": "capture", "index": 5, "t": 3.0}]
        self.assertEqual(self.run_checks(told, [(0, "capture", 2.9, "wake-up latency")]),
                         [(True, "xrun.verdicts"), (False, "xrun.provoked")])

    def test_a_provoked_xrun_whose_client_was_not_seen_is_set_apart(self):
        told = [{"event": "provoke", "dir": "capture", "index": 5},
                {"event": "xrun", "dir": "capture", "index": 5, "t": 3.0},
                {"event": "provoke", "dir": "capture", "index": 9},
                {"event": "xrun", "dir": "capture", "index": 9, "t": 6.0}]
        traced = [(0, "capture", 2.9, "interrupt"), (0, "capture", 5.9, "application")]
        self.assertEqual(self.run_checks(told, traced, unseen=(2.9,)),
                         [(True, "xrun.verdicts"), (True, "xrun.provoked")])
        # ... but only set apart: with none seen, the check has nothing to pass on
        report.results.clear()
        self.assertEqual(self.run_checks(told[:2], traced[:1], unseen=(2.9,)),
                         [(True, "xrun.verdicts"), (False, "xrun.provoked")])

    def test_an_xrun_the_tracer_missed_fails(self):
        told = [{"event": "xrun", "dir": "playback", "index": 1, "t": 5.0},
                {"event": "xrun", "dir": "playback", "index": 2, "t": 9.0}]
        # one traced xrun cannot judge both; one of another card, none
        traced = [(0, "playback", 4.0, "interrupt"), (1, "playback", 8.5, "interrupt")]
        self.assertEqual(self.run_checks(told, traced), [(False, "xrun.verdicts")])

    def test_a_later_trace_does_not_judge_an_earlier_xrun(self):
        told = [{"event": "xrun", "dir": "playback", "index": 1, "t": 5.0}]
        self.assertEqual(self.run_checks(told, [(0, "playback", 6.0, "interrupt")]),
                         [(False, "xrun.verdicts")])

    def test_no_tracer_output_fails(self):
        lines(f"{self.out}/soak-0.jsonl", [{"event": "xrun", "dir": "playback", "index": 1, "t": 5.0}])
        with contextlib.redirect_stdout(io.StringIO()):
            report.xrun_lines(self.out, 1)
        self.assertEqual([(ok, key) for ok, _, key in report.results], [(False, "xrun.verdicts")])

    def test_no_xrun_told_no_check(self):
        self.assertEqual(self.run_checks([{"event": "params", "dir": "playback"}], []), [])

    def test_the_verdict_is_named_as_sgscope_xrun_names_it(self):
        src = open(os.path.join(here, "..", "sgscope", "xrun_parts.c")).read()
        names = re.findall(r'\[XRUN_PART_[A-Z]+\] = "([^"]+)"', src)
        self.assertIn(report.APPLICATION, names)
        self.assertIn('[XRUN_PART_APPLICATION] = "%s"' % report.APPLICATION, src)


if __name__ == "__main__":
    unittest.main()
