#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One soak's report over its machines (tools/soak/run -j N).

  combine.py OUT

Under icount a test machine runs in one host thread, so a soak that is to
use every core of the host runs N machines at once, each a whole soak of
its share of the guest time with its own seed, in OUT/machine-M. Each
has its own report (report.py); this sums them up in OUT: report.md
(the machines, the faults of each kind, the least headroom per PCM over
all machines, every check), ktap.txt (a machine a subtest) and
kcidb.json (every machine's tests, one checkout and build). TAP lines on
stdout; exit 1 if any machine's check failed or a machine has no report.
"""
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smallest  # noqa: E402


def machine_dirs(out):
    found = glob.glob(f"{out}/machine-*")
    return sorted((d for d in found if re.fullmatch(r"machine-[0-9]+", os.path.basename(d))),
                  key=lambda d: int(d.rsplit("-", 1)[1]))


def load(d):
    """A machine's run.json and summary.json; None for what is missing."""
    def read(name):
        try:
            with open(f"{d}/{name}") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None
    return read("run.json"), read("summary.json")


def least(values):
    values = [v for v in values if v is not None and v >= 0]
    return min(values) if values else None


class Sum:
    """What the machines' reports add up to."""
    def __init__(self):
        self.ok = True
        self.checks = []        # (machine, check)
        self.rows = []          # report.md's machine table
        self.faults = {}        # kind: count
        self.pcm = {}           # (card, direction): frames, xruns, near misses, headroom
        self.seconds = self.wall = 0

    def add(self, d, run, summary):
        name = os.path.basename(d)
        if not run or not summary:
            self.ok = False
            print(f"not ok - soak: {name} has no report (run.json, summary.json)")
            self.rows.append(f"| {name} | - | - | - | no report | - |")
            return
        self.seconds += run["seconds"]
        self.wall = max(self.wall, run["wall_s"])
        failed = [c for c in summary["checks"] if not c["ok"]]
        self.ok &= bool(summary["checks"]) and not failed
        for c in summary["checks"]:
            self.checks.append((name, c))
            print(f"{'ok' if c['ok'] else 'not ok'} - soak: {name}: {c['what']}")
        for kind, n in summary["faults"].items():
            self.faults[kind] = self.faults.get(kind, 0) + n
        for row in summary["rows"]:
            for direction in ("playback", "capture"):
                x = row.get(direction)
                if x:
                    self.add_pcm(row["card"], direction, x)
        self.rows.append(f"| [{name}]({name}/report.md) | {run['seed']} | {run['seconds']} | "
                         f"{run['wall_s']} | {len(summary['checks']) - len(failed)} of "
                         f"{len(summary['checks'])} | " + faults_text(summary["faults"]) + " |")

    def add_pcm(self, card, direction, x):
        p = self.pcm.setdefault((card, direction),
                                {"frames": 0, "xruns": 0, "near_misses": 0, "headroom": []})
        p["frames"] += x["frames"]
        p["xruns"] += x["xruns"]
        p["near_misses"] += x["near_misses"]
        p["headroom"].append(x["min_headroom"])


def faults_text(faults):
    return ", ".join(f"{n} {k}" for k, n in sorted(faults.items())) or "none"


def write_report_md(out, machines, total):
    first = next((run for _, run, _ in machines if run), None)
    md = [f"# Soak: {total.seconds} s of guest time on {len(machines)} machines", ""]
    if first:
        md += [f"{len(machines)} test machines at once (`tools/soak/run -j {len(machines)}`), "
               f"each a soak of its share with its own seed, {first['cards']} AC97 cards each; "
               f"{total.seconds / 3600:.2f} virtual hours in {total.wall} s of wall time "
               f"({total.seconds / max(total.wall, 1):.1f} times real time, QEMU icount), "
               f"commit {first.get('git_sha')}, kernel {first.get('kernel')}.", ""]
    md += ["| machine | seed | guest seconds | wall seconds | checks passed | faults |",
           "|---|---|---|---|---|---|"] + total.rows
    md += ["", "Faults from outside, all machines: " + faults_text(total.faults), ""]
    md += ["The least headroom each PCM had over every machine (frames left at a transfer, once a "
           "stream had run a buffer since it started or stalled on purpose):", "",
           "| card | direction | frames | xruns told | least headroom (frames) | near misses |",
           "|---|---|---|---|---|---|"]
    for (card, direction), p in sorted(total.pcm.items()):
        h = least(p["headroom"])
        md.append(f"| {card} | {direction} | {p['frames']} | {p['xruns']} | "
                  f"{'-' if h is None else h} | {p['near_misses']} |")
    md += ["", "Checks:", ""] + [f"- {'ok' if c['ok'] else 'NOT OK'}: {name}: {c['what']}"
                                 for name, c in total.checks]
    md += smallest.section(out)
    with open(f"{out}/report.md", "w") as f:
        f.write("\n".join(md) + "\n")


def write_ktap(out, machines):
    """A machine a subtest, its checks as its own report's ktap.txt has them."""
    with open(f"{out}/ktap.txt", "w") as f:
        f.write(f"KTAP version 1\n1..{len(machines)}\n")
        for n, (d, run, summary) in enumerate(machines, 1):
            name = os.path.basename(d)
            cs = summary["checks"] if summary else []
            f.write(f"    KTAP version 1\n    # Subtest: {name}\n    1..{len(cs)}\n")
            for i, c in enumerate(cs, 1):
                f.write(f"    {'ok' if c['ok'] else 'not ok'} {i} {c['name']} # {c['what']}\n")
            passed = bool(cs) and all(c["ok"] for c in cs)
            f.write(f"{'ok' if passed else 'not ok'} {n} {name}"
                    + (f" # seed {run['seed']}, {run['seconds']} s of guest time" if run else " # no report")
                    + "\n")


def write_kcidb(out, machines):
    """Every machine's tests (their ids carry the seed), one checkout and build."""
    report = None
    for d, _, _ in machines:
        try:
            with open(f"{d}/kcidb.json") as f:
                part = json.load(f)
        except (OSError, ValueError):
            continue
        if report is None:
            report = part
            continue
        for key in ("checkouts", "builds", "tests"):
            ids = {x["id"] for x in report[key]}
            report[key] += [x for x in part[key] if x["id"] not in ids]
    if report is not None:
        with open(f"{out}/kcidb.json", "w") as f:
            json.dump(report, f, indent=1)


def main():
    if len(sys.argv) != 2:
        print("usage: combine.py OUT", file=sys.stderr)
        return 2
    out = sys.argv[1]
    machines = [(d, *load(d)) for d in machine_dirs(out)]
    total = Sum()
    if not machines:
        total.ok = False
        print(f"not ok - soak: {out} has no machine-N folder")
    for m in machines:
        total.add(*m)
    write_report_md(out, machines, total)
    write_ktap(out, machines)
    write_kcidb(out, machines)
    print(f"# soak report: {out}/report.md, ktap.txt, kcidb.json")
    return 0 if total.ok else 1


if __name__ == "__main__":
    sys.exit(main())
