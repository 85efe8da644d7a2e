#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of report.py's xrun verdicts: each xrun a player was told of
takes the tracer's latest xrun of its card, PCM and direction at or
before it (and after the previous one's); a provoked xrun must be the
application's; the verdict's name is the one sgscope xrun prints.  And of
its leak check: the trend of what no counter names, over the samples
taken while the streams ran.  And of the check that every background
load of the schedule ended.  And of combine.py's sum over machines."""
import contextlib, io, json, os, re, sys, tempfile, unittest

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import report  # noqa: E402
import combine  # noqa: E402


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

    def test_an_xrun_before_the_stall_is_not_the_stall_s(self):
        # the stream overran while its client waited (a read that returned
        # short), then the client stalled on purpose and was told: the xrun
        # the tracer saw before the stall began is no provoked one
        told = [{"event": "provoke", "dir": "capture", "index": 5, "t": 3.0},
                {"event": "xrun", "dir": "capture", "index": 5, "t": 3.3}]
        self.assertEqual(self.run_checks(told, [(0, "capture", 2.99, "not woken")]),
                         [(True, "xrun.verdicts")])
        report.results.clear()
        self.assertEqual(self.run_checks(told, [(0, "capture", 3.2, "not woken")]),
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

    def test_two_xruns_told_at_once_take_one_trace_each(self):
        # a stream that ran dry again right after its recovery: both told
        # within the clock's two decimals, both traced 40 ms apart
        told = [{"event": "xrun", "dir": "playback", "index": 1024, "t": 571.59},
                {"event": "xrun", "dir": "playback", "index": 2048, "t": 571.59}]
        traced = [(0, "playback", 571.5528, "application"), (0, "playback", 571.5928, "interrupt")]
        self.assertEqual(self.run_checks(told, traced), [(True, "xrun.verdicts")])
        report.results.clear()
        self.assertEqual(self.run_checks(told, traced[:1]), [(False, "xrun.verdicts")])

    def test_two_xruns_told_a_clock_tick_apart_take_one_trace_each(self):
        # the second within the slack of the first: the first must not
        # take the trace of the second
        told = [{"event": "xrun", "dir": "playback", "index": 26759168, "t": 639.40},
                {"event": "xrun", "dir": "playback", "index": 26760192, "t": 639.41}]
        traced = [(0, "playback", 639.3984, "not woken"), (0, "playback", 639.4046, "not woken")]
        self.assertEqual(self.run_checks(told, traced), [(True, "xrun.verdicts")])
        # ... with an untold trace before them: the first takes its own,
        # the latest before the second's
        rows = report.xrun_verdicts(self.out, 1)
        self.assertEqual([r[4]["ts_ns"] for r in rows], [639398400000, 639404600000])
        told = [{"event": "xrun", "dir": "playback", "index": 1, "t": 1.00},
                {"event": "xrun", "dir": "playback", "index": 2, "t": 1.01}]
        traced = [(0, "playback", 0.98, "interrupt"), (0, "playback", 0.995, "application"),
                  (0, "playback", 1.012, "not woken")]
        report.results.clear()
        self.run_checks(told, traced)
        self.assertEqual([r[4]["verdict"] for r in report.xrun_verdicts(self.out, 1)],
                         ["application", "not woken"])

    def test_of_two_told_at_once_the_one_the_tracer_missed_has_no_verdict(self):
        # the one trace comes after the first was told (5.00 is 4.995 to
        # 5.005): it is the second's, though the first's window holds it
        told = [{"event": "xrun", "dir": "capture", "index": 1, "t": 5.00},
                {"event": "xrun", "dir": "capture", "index": 2, "t": 5.01}]
        self.run_checks(told, [(0, "capture", 5.008, "interrupt")])
        self.assertEqual([bool(r[4]) for r in report.xrun_verdicts(self.out, 1)], [False, True])

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


class LeakCheck(unittest.TestCase):
    """leak_check() on 20 minutes of samples every 20 s, the first two
    (the streams' opens) well below, a sample's jitter of a page or two,
    and the sample after the streams closed 170 kB lower, as measured."""

    def samples(self, kb_per_hour):
        jitter = [0, 4, -4, 8, 0, -8, 4, 0]
        memory = [{"t": 20 * i, "unaccounted_kb": 9800 + kb_per_hour * 20 * i / 3600
                   + jitter[i % len(jitter)] + (0 if i > 1 else -100)} for i in range(60)]
        memory.append({"t": 1210, "closed": True,
                       "unaccounted_kb": memory[-1]["unaccounted_kb"] - 170})
        return memory

    def verdict(self, memory, faults=()):
        report.results.clear()
        with contextlib.redirect_stdout(io.StringIO()):
            report.leak_check(memory, list(faults))
        return [(ok, key) for ok, _, key in report.results]

    def test_a_page_every_1000_periods_is_found(self):
        # 95-soak's planted leak: 28 pages in 1,230 s of card 0's stream
        self.assertEqual(self.verdict(self.samples(28 * 4 * 3600 / 1230)), [(False, "memory.flat")])

    def test_flat_passes(self):
        self.assertEqual(self.verdict(self.samples(0)), [(True, "memory.flat")])

    def test_the_sample_after_the_streams_closed_is_left_out(self):
        report.results.clear()
        with contextlib.redirect_stdout(io.StringIO()):
            report.leak_check(self.samples(0), [])
        # 60 samples, the first two left out, the closed one too
        self.assertIn(" over 58 samples, ", report.results[0][1])

    def test_a_memory_load_and_the_minute_after_are_left_out(self):
        memory = self.samples(0)
        for m in memory:
            if 600 <= m["t"] <= 700:
                m["unaccounted_kb"] += 500
        self.assertEqual(self.verdict(memory, [{"t": 600, "fault": "memory", "seconds": 20}]),
                         [(True, "memory.flat")])

    def test_a_load_s_pages_in_flight_past_its_window_are_left_out(self):
        # a sample 50 MB up, past the load's minute (the 24-hour run at
        # d9f67c8: three such took machine 0's reach to 365 kB an hour)
        memory = self.samples(0)
        memory[40]["unaccounted_kb"] += 50000
        self.assertEqual(self.verdict(memory), [(True, "memory.flat")])
        self.assertIn(" over 57 samples, ", report.results[0][1])
        # ... while a leak, which moves every sample after it, is not
        memory = self.samples(28 * 4 * 3600 / 1230)
        memory[40]["unaccounted_kb"] += 50000
        self.assertEqual(self.verdict(memory), [(False, "memory.flat")])

    def test_too_few_samples_fail(self):
        self.assertEqual(self.verdict(self.samples(0)[:4]), [(False, "memory.flat")])


class LoadsEnded(unittest.TestCase):
    """Each background load the schedule started said it was disarmed."""
    def verdict(self, log, started):
        with tempfile.TemporaryDirectory() as out:
            if log is not None:
                with open(f"{out}/inject.log", "w") as f:
                    f.write(log)
            report.results.clear()
            with contextlib.redirect_stdout(io.StringIO()):
                report.loads_ended(out, started)
            return [(ok, key) for ok, _, key in report.results]

    def test_all_ended(self):
        log = "sgscope inject: armed: x\nsgscope inject: disarmed; y\n" * 2
        self.assertEqual(self.verdict(log, 2), [(True, "faults.loads-ended")])

    def test_one_hung_fails(self):
        log = "sgscope inject: armed: x\nsgscope inject: disarmed; y\nsgscope inject: buddyinfo before\n"
        self.assertEqual(self.verdict(log, 2), [(False, "faults.loads-ended")])

    def test_a_holder_left_behind_fails(self):
        log = ("sgscope inject: armed: x\nsgscope inject: the memory holder (pid 9) did not end in 60 s "
               "after SIGTERM and SIGKILL: left behind\nsgscope inject: disarmed; y\n")
        self.assertEqual(self.verdict(log, 1), [(False, "faults.loads-ended")])

    def test_the_lines_are_the_ones_inject_prints(self):
        src = os.path.join(here, "..", "sgscope")
        with open(f"{src}/inject.c") as f:
            self.assertIn('"' + report.DISARMED + '"', f.read())
        with open(f"{src}/memload.c") as f:
            self.assertIn(report.LEFT_BEHIND + " %d s", f.read())

    def test_no_log_fails(self):
        self.assertEqual(self.verdict(None, 1), [(False, "faults.loads-ended")])


class PlayerEnded(unittest.TestCase):
    """pcm-soak ended on its own; guest-soak.sh keeps a stuck one's stacks."""
    def verdict(self, stacks):
        with tempfile.TemporaryDirectory() as out:
            if stacks is not None:
                with open(f"{out}/player-stuck.txt", "w") as f:
                    f.write(stacks)
            report.results.clear()
            with contextlib.redirect_stdout(io.StringIO()):
                report.player_ended(out)
            return [(ok, key) for ok, _, key in report.results]

    def test_ended(self):
        self.assertEqual(self.verdict(None), [(True, "player.ended")])

    def test_stuck_fails(self):
        stacks = "== thread 301 pcm-soak\n[<0>] snd_pcm_drain+0x1/0x2\n"
        self.assertEqual(self.verdict(stacks), [(False, "player.ended")])


class FaultsApplied(unittest.TestCase):
    """A fault whose step failed (guest-soak.sh's "failed") was not
    applied: the check names it."""
    FAULTS = [{"t": 10.5, "fault": "unbind", "card": 1, "seconds": 2.6},
              {"t": 90.0, "fault": "suspend", "card": -1, "seconds": 0.1}]

    def verdict(self, faults, on="on"):
        report.results.clear()
        with contextlib.redirect_stdout(io.StringIO()):
            report.faults_applied({"faults": on}, faults)
        return [(ok, key) for ok, _, key in report.results]

    def test_all_applied(self):
        self.assertEqual(self.verdict(self.FAULTS), [(True, "faults.applied")])

    def test_a_refused_suspend_fails_and_is_named(self):
        faults = self.FAULTS + [{"t": 200.25, "fault": "suspend", "card": -1, "failed": "suspend",
                                 "seconds": 5.1}]
        self.assertEqual(self.verdict(faults), [(False, "faults.applied")])
        self.assertIn("suspend at 200.25 s: suspend", report.results[0][1])

    def test_a_schedule_with_no_fault_fails(self):
        self.assertEqual(self.verdict([]), [(False, "faults.applied")])

    def test_a_quiet_run_has_no_such_check(self):
        self.assertEqual(self.verdict([], on="off"), [])


class Combine(unittest.TestCase):
    """combine.py sums up the machines of one soak (tools/soak/run -j):
    it passes only when every machine has a report and every check of
    each passed."""
    def run_combine(self, machines, trials=None):
        """MACHINES: per machine, its checks' ok values, or None for a
        machine with no report; TRIALS: the smallest-buffer table
        (tools/soak/trials) the folder has, if any; (exit, ktap.txt,
        report.md)"""
        with tempfile.TemporaryDirectory() as out:
            if trials is not None:
                os.makedirs(f"{out}/smallest-buffer/direct-none")
                with open(f"{out}/smallest-buffer/table.md", "w") as f:
                    f.write(trials)
                with open(f"{out}/smallest-buffer/direct-none/trial.json", "w") as f:
                    json.dump({"seconds": 30}, f)
            for m, checks in enumerate(machines):
                d = f"{out}/machine-{m}"
                os.mkdir(d)
                if checks is None:
                    continue
                with open(f"{d}/run.json", "w") as f:
                    json.dump({"seed": 7 + m, "seconds": 1800, "wall_s": 300, "cards": 1}, f)
                with open(f"{d}/summary.json", "w") as f:
                    json.dump({"faults": {"unbind": 2}, "absent": [], "checks": [
                        {"ok": ok, "what": f"check {i}", "name": f"c{i}"} for i, ok in enumerate(checks)],
                        "rows": [{"card": 0, "playback": {"frames": 10, "xruns": 1, "near_misses": 0,
                                                          "min_headroom": 100 * (m + 1)}}]}, f)
                with open(f"{d}/kcidb.json", "w") as f:
                    json.dump({"version": {"major": 4}, "checkouts": [{"id": "c"}], "builds": [{"id": "b"}],
                               "tests": [{"id": f"t{m}:{i}"} for i in range(len(checks))]}, f)
            sys.argv = ["combine.py", out]
            with contextlib.redirect_stdout(io.StringIO()):
                rc = combine.main()
            ktap = open(f"{out}/ktap.txt").read()
            md = open(f"{out}/report.md").read()
            tests = json.load(open(f"{out}/kcidb.json"))["tests"] if os.path.exists(f"{out}/kcidb.json") else []
            return rc, ktap, md, tests

    def test_all_passed(self):
        rc, ktap, md, tests = self.run_combine([[True, True], [True, True]])
        self.assertEqual(rc, 0)
        self.assertIn("1..2\n", ktap)
        self.assertEqual(ktap.count("\n    ok "), 4)
        self.assertIn("ok 2 machine-1", ktap)
        self.assertIn("4 unbind", md)
        self.assertIn("| 0 | playback | 20 | 2 | 100 | 0 |", md)
        self.assertEqual(len(tests), 4)

    def test_smallest_buffer_table(self):
        # the soak's report has the trials' table when make soak ran them
        self.assertNotIn("Smallest safe buffer", self.run_combine([[True]])[2])
        table = "| strategy | direct, none |\n|---|---|\n| sg | 1024 frames (21 ms) |\n"
        md = self.run_combine([[True]], trials=table)[2]
        self.assertIn("## Smallest safe buffer", md)
        self.assertIn("for 30 s of guest time per size", md)
        self.assertIn(table, md)

    def test_one_failed_check_fails(self):
        rc, ktap, _, _ = self.run_combine([[True, True], [True, False]])
        self.assertEqual(rc, 1)
        self.assertIn("not ok 2 machine-1", ktap)

    def test_a_machine_with_no_report_fails(self):
        rc, ktap, _, _ = self.run_combine([[True], None])
        self.assertEqual(rc, 1)
        self.assertIn("not ok 2 machine-1 # no report", ktap)

    def test_no_machine_fails(self):
        self.assertEqual(self.run_combine([])[0], 1)


if __name__ == "__main__":
    unittest.main()
