#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of why's profile diff (tools/bench/why.py): own time as a
function's calls times its median call, the least of a workload's
repetitions, interrupts and task switches set apart, the function that
moved most named first with its callers."""
import contextlib, io, json, os, sys, tempfile, unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import why  # noqa: E402


def entry(name, us=None, depth=1):
    """trace-cmd report's line for a call: a leaf with its duration, or an
    opening brace"""
    pad = "  " * depth
    if us is None:
        return f" t-1 [000] 1.0: funcgraph_entry:                   |{pad}{name}() {{"
    return f" t-1 [000] 1.0: funcgraph_entry:        {us:.3f} us   |{pad}{name}();"


def leave(us, depth=1):
    return f" t-1 [000] 1.0: funcgraph_exit:       + {us:.3f} us  |{'  ' * depth}}}"


def trace(alloc_us, resched):
    """snd_pcm_hw_params calling vmalloc (ALLOC_US of its own, 2 us of a
    callee), and, if RESCHED, a task switch of 50 us inside vmalloc"""
    lines = [entry("snd_pcm_hw_params", depth=0), entry("vmalloc", depth=1),
             entry("alloc_pages", 2.0, depth=2)]
    inner = 2.0
    if resched:
        lines += [entry("__cond_resched", depth=2), entry("pick_next_task_fair", 50.0, depth=3),
                  leave(50.0, depth=2)]
        inner += 50.0
    lines += [leave(alloc_us + inner, depth=1), entry("snd_pcm_hw_rule_format", 3.0, depth=1),
              leave(alloc_us + inner + 3.0 + 1.0, depth=0)]
    return lines


class Why(unittest.TestCase):
    def test_own_time_and_apart(self):
        p = why.self_times(trace(10.0, resched=True))
        self.assertAlmostEqual(p["functions"]["vmalloc"][0], 10000.0)
        self.assertAlmostEqual(p["apart"], 50000.0)
        self.assertNotIn("pick_next_task_fair", p["functions"])
        self.assertAlmostEqual(p["total"], 16000.0)

    def test_median_call(self):
        # one call of three that an untraced stall landed in does not count
        lines = [entry("snd_pcm_mmap_data_fault", depth=0)]
        for us in (4.0, 4.0, 900.0):
            lines.append(entry("sgscope_pcm_vmalloc_page", us))
        lines.append(leave(910.0, depth=0))
        f = why.self_times(lines)["functions"]["sgscope_pcm_vmalloc_page"]
        self.assertEqual(f, (12000.0, 3))

    def test_moved_function_first_despite_a_task_switch(self):
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for name, lines in (("base", trace(10.0, resched=True)),
                                ("new", trace(30.0, resched=False))):
                paths.append(os.path.join(d, name))
                with open(paths[-1], "w") as f:
                    f.write("\n".join(lines) + "\n")
            with contextlib.redirect_stdout(io.StringIO()) as said:
                self.assertEqual(why.main([paths[0], paths[1], d, "alloc_ns"]), 0)
            self.assertTrue(said.getvalue().startswith("why: vmalloc +20.00 us"))
            with open(os.path.join(d, "why.json")) as f:
                out = json.load(f)
            self.assertEqual(out["functions"][0]["function"], "vmalloc")
            self.assertEqual(out["top_path"], ["snd_pcm_hw_params"])
            with open(os.path.join(d, "why.md")) as f:
                self.assertIn("| `vmalloc` | 10.00 | 30.00 | +20.00 |", f.read())

    def test_least_of_repetitions(self):
        # three runs of each build; an interrupt's untraced entry (200 us)
        # lands in hw_params' own code in one base run and one new run
        # (what 82-bisect met once in CI); vmalloc's planted 5 us wins
        with tempfile.TemporaryDirectory() as d:
            for side, alloc_us, noisy in (("base", 10.0, 2), ("new", 15.0, 1)):
                os.mkdir(os.path.join(d, side))
                for rep in (1, 2, 3):
                    lines = trace(alloc_us, resched=False)
                    if rep == noisy:
                        extra = 200.0 if side == "base" else 400.0
                        lines[-1] = leave(alloc_us + 2.0 + 3.0 + 1.0 + extra, depth=0)
                    with open(os.path.join(d, side, f"trace-{rep}.txt"), "w") as f:
                        f.write("\n".join(lines) + "\n")
            with contextlib.redirect_stdout(io.StringIO()):
                self.assertEqual(why.main([os.path.join(d, "base"), os.path.join(d, "new"),
                                           d, "alloc_ns"]), 0)
            with open(os.path.join(d, "why.json")) as f:
                out = json.load(f)
            self.assertEqual(out["functions"][0]["function"], "vmalloc")
            self.assertAlmostEqual(out["functions"][0]["new_self_ns"], 15000.0)
            self.assertAlmostEqual(out["base_ns"], 16000.0)

    def test_a_folder_without_traces_fails(self):
        with tempfile.TemporaryDirectory() as d:
            with contextlib.redirect_stderr(io.StringIO()) as err:
                self.assertEqual(why.main([d, d, d]), 1)
            self.assertIn("no trace-*.txt", err.getvalue())

    def test_a_trace_that_lost_events_fails(self):
        # trace-cmd report's mark where a CPU's buffer dropped events: the
        # calls around it lost their ends, so no profile is made of it
        with tempfile.TemporaryDirectory() as d:
            for side in ("base", "new"):
                os.mkdir(os.path.join(d, side))
                lines = trace(10.0, resched=False)
                if side == "new":
                    lines.insert(2, "CPU:0 [LOST 12 EVENTS]")
                with open(os.path.join(d, side, "trace-1.txt"), "w") as f:
                    f.write("\n".join(lines) + "\n")
            with contextlib.redirect_stderr(io.StringIO()) as err:
                self.assertEqual(why.main([os.path.join(d, "base"), os.path.join(d, "new"), d]), 1)
            self.assertIn("lost events", err.getvalue())


if __name__ == "__main__":
    unittest.main()
