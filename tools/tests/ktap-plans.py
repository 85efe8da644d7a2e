#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check a suite's log against the KTAP plans in it.

Usage: ktap-plans.py SUITE LOG

Every script that reports checks (a suite, a guest script, a helper it
runs) opens with a KTAP plan line, "1..N", before its first result.  A
nested script's plan opens a block inside the one of the script that ran
it; the next N result lines ("ok ..." / "not ok ...") fill it, and the
lines after it fill the enclosing block again.  A script that dies half
way leaves its block short, so the blocks around it end short too: every
block must end with exactly its plan.  A log with no plan, or a result
before the first plan, fails as well.

Prints one "ok - SUITE: ..." line, or "not ok - SUITE: ..." with a "#"
line per block that missed its plan, and exits 1 then.
"""
import re
import sys

PLAN = re.compile(r"^\s*1\.\.(\d+)\s*$")
RESULT = re.compile(r"^\s*(ok|not ok)\b")


def check(lines):
    """Problems found, and the number of plans and results."""
    open_blocks, problems, plans, results = [], [], 0, 0

    def close(block):
        planned, got, at = block
        if got != planned:
            problems.append(f"the plan 1..{planned} of line {at} got {got} results")

    for at, line in enumerate(lines, 1):
        m = PLAN.match(line)
        if m:
            plans += 1
            # a full block has ended: a new plan there starts the next one
            while open_blocks and open_blocks[-1][1] >= open_blocks[-1][0]:
                close(open_blocks.pop())
            open_blocks.append([int(m.group(1)), 0, at])
            continue
        if not RESULT.match(line):
            continue
        results += 1
        while len(open_blocks) > 1 and open_blocks[-1][1] >= open_blocks[-1][0]:
            close(open_blocks.pop())
        if not open_blocks:
            problems.append(f"line {at} is a result before any plan: {line.strip()}")
            continue
        open_blocks[-1][1] += 1
    while open_blocks:
        close(open_blocks.pop())
    if not plans:
        problems.append("no KTAP plan (1..N) in the log")
    return problems, plans, results


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
