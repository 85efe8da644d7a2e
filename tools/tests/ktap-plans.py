#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check a suite's log against the KTAP plans in it.

Usage: ktap-plans.py SUITE LOG

Every script that reports checks (a suite, a guest script, a helper it
runs) reports them in a block of its own, in one of two ways:

- the sgscope scripts (tools/tests/checks.sh, tools/tests/checks.py) open
  the block with "# begin: SCRIPT" and end it with "# end: SCRIPT" and its
  plan, "1..N", N the results they printed: a plan at the end;
- a helper or relayed tool (pcm-checks, a unit test run, a selftest's
  output) opens with its plan, before its first result: "1..N" (or
  "KTAP version 1" then "1..N"), and the next N results fill it.

A block opened inside another (a guest script run from a suite, a helper
run from a guest script) is nested in it: its results fill it, not the
enclosing block.  A plan right after "# end:" closes the innermost block
opened by "# begin:" (a block with a plan at the start still open in it
ends there); any other plan opens a block with a plan at the start.  A script that dies half
way prints no plan at its end, so its block, or one around it, is left
open, and fails; a block with a plan at the start that dies ends short,
and so do the blocks around it.  Every block must end with exactly its
plan.  A log with no plan, or a result outside every block, fails too.

Prints one "ok - SUITE: ..." line, or "not ok - SUITE: ..." with a "#"
line per block that missed its plan, and exits 1 then.
"""
import re
import sys

PLAN = re.compile(r"^\s*1\.\.(\d+)\s*$")
BEGIN = re.compile(r"^\s*# begin: ")
END = re.compile(r"^\s*# end: ")
HEADER = re.compile(r"^\s*KTAP version \d+\s*$")
RESULT = re.compile(r"^\s*(ok|not ok)\b")


class Blocks:
    """The open blocks, innermost last: [plan (None until a block opened
    by "# begin:" ends), results, the line it opened at]."""

    def __init__(self):
        self.open, self.problems, self.plans, self.results = [], [], 0, 0

    def close(self, block):
        planned, got, at = block
        if planned is None:
            self.problems.append(f"the block begun at line {at} has no plan at its end "
                                 f"(its script died after {got} results?)")
        elif got != planned:
            self.problems.append(f"the plan 1..{planned} of line {at} got {got} results")

    def pop_full(self, keep):
        """Close the full blocks with a plan at the start on top, down to
        KEEP of them left open."""
        while len(self.open) > keep and self.open[-1][0] is not None \
                and self.open[-1][1] >= self.open[-1][0]:
            self.close(self.open.pop())

    def begin(self, at):
        self.pop_full(0)
        self.open.append([None, 0, at])

    def plan(self, n, at, after):
        self.plans += 1
        if after == "header" and self.open and self.open[-1][0] is None and self.open[-1][1] == 0:
            self.open[-1][0] = n    # "KTAP version 1" then its plan
            return
        if after != "end":
            self.pop_full(0)
            self.open.append([n, 0, at])
            return
        # "# end: SCRIPT" then its plan: the innermost block it began
        self.pop_full(0)
        while self.open and self.open[-1][0] is not None:
            self.close(self.open.pop())     # a nested block left short
        if not self.open:
            self.problems.append(f"the plan at the end on line {at} ends no block begun")
            return
        _, got, begun = self.open.pop()
        if got != n:
            self.problems.append(f"the block begun at line {begun} got {got} results, "
                                 f"its plan at the end (line {at}) says 1..{n}")

    def result(self, at, line):
        self.results += 1
        self.pop_full(1)
        if not self.open:
            self.problems.append(f"line {at} is a result outside every block: {line.strip()}")
            return
        self.open[-1][1] += 1


def check(lines):
    """Problems found, and the number of plans and results."""
    blocks, after = Blocks(), None
    for at, line in enumerate(lines, 1):
        m = PLAN.match(line)
        if m:
            blocks.plan(int(m.group(1)), at, after)
        elif BEGIN.match(line):
            blocks.begin(at)
        elif HEADER.match(line):
            blocks.begin(at)
            after = "header"
            continue
        elif END.match(line):
            after = "end"
            continue
        elif RESULT.match(line):
            blocks.result(at, line)
        after = None
    while blocks.open:
        blocks.close(blocks.open.pop())
    if not blocks.plans:
        blocks.problems.append("no KTAP plan (1..N) in the log")
    return blocks.problems, blocks.plans, blocks.results


def main():
    if len(sys.argv) != 3:
        print("usage: ktap-plans.py SUITE LOG", file=sys.stderr)
        return 2
    suite = sys.argv[1]
    with open(sys.argv[2], errors="replace") as f:
        problems, plans, results = check(f.read().splitlines())
    if problems:
        print(f"not ok - {suite}: its results match its {plans} KTAP plans")
        for p in problems:
            print(f"#   {p}")
        return 1
    print(f"ok - {suite}: its {results} results match its {plans} KTAP plans")
    return 0


if __name__ == "__main__":
    sys.exit(main())
