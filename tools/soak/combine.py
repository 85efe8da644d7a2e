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


def main():
    if len(sys.argv) != 2:
        print("usage: combine.py OUT", file=sys.stderr)
        return 2
    out = sys.argv[1]
    dirs = machine_dirs(out)
    machines = [(d, *load(d)) for d in dirs]
    ok_all = bool(machines)
    if not machines:
        print(f"not ok - soak: {out} has no machine-N folder")
    checks, md_machines = [], []
    faults, pcm = {}, {}
    seconds = wall = 0
    for d, run, summary in machines:
        name = os.path.basename(d)
        if not run or not summary:
            ok_all = False
            print(f"not ok - soak: {name} has no report (run.json, summary.json)")
            md_machines.append(f"| {name} | - | - | - | no report | - |")
            continue
        seconds += run["seconds"]
        wall = max(wall, run["wall_s"])
        failed = [c for c in summary["checks"] if not c["ok"]]
        ok_all &= bool(summary["checks"]) and not failed
        for c in summary["checks"]:
            checks.append((name, c))
            print(f"{'ok' if c['ok'] else 'not ok'} - soak: {name}: {c['what']}")
        for kind, n in summary["faults"].items():
            faults[kind] = faults.get(kind, 0) + n
        for row in summary["rows"]:
            for direction in ("playback", "capture"):
                x = row.get(direction)
                if not x:
                    continue
                p = pcm.setdefault((row["card"], direction), {"frames": 0, "xruns": 0, "near_misses": 0,
                                                              "headroom": []})
                p["frames"] += x["frames"]
                p["xruns"] += x["xruns"]
                p["near_misses"] += x["near_misses"]
                p["headroom"].append(x["min_headroom"])
        md_machines.append(f"| [{name}]({name}/report.md) | {run['seed']} | {run['seconds']} | "
                           f"{run['wall_s']} | {len(summary['checks']) - len(failed)} of "
                           f"{len(summary['checks'])} | "
                           + (", ".join(f"{n} {k}" for k, n in sorted(summary["faults"].items())) or "none")
                           + " |")
    first = next((run for _, run, _ in machines if run), None)
    title = f"# Soak: {seconds} s of guest time on {len(machines)} machines"
    md = [title, ""]
    if first:
        md += [f"{len(machines)} test machines at once (`tools/soak/run -j {len(machines)}`), "
               f"each a soak of its share with its own seed, {first['cards']} AC97 cards each; "
               f"{seconds / 3600:.2f} virtual hours in {wall} s of wall time "
               f"({seconds / max(wall, 1):.1f} times real time, QEMU icount), "
               f"commit {first.get('git_sha')}, kernel {first.get('kernel')}.", ""]
    md += ["| machine | seed | guest seconds | wall seconds | checks passed | faults |",
           "|---|---|---|---|---|---|"] + md_machines
    md += ["", "Faults from outside, all machines: "
           + (", ".join(f"{n} {k}" for k, n in sorted(faults.items())) or "none"), ""]
    md += ["The least headroom each PCM had over every machine (frames left at a transfer, once a "
           "stream had run a buffer since it started or stalled on purpose):", "",
           "| card | direction | frames | xruns told | least headroom (frames) | near misses |",
           "|---|---|---|---|---|---|"]
    for (card, direction), p in sorted(pcm.items()):
        h = least(p["headroom"])
        md.append(f"| {card} | {direction} | {p['frames']} | {p['xruns']} | "
                  f"{'-' if h is None else h} | {p['near_misses']} |")
    md += ["", "Checks:", ""] + [f"- {'ok' if c['ok'] else 'NOT OK'}: {name}: {c['what']}"
                                 for name, c in checks]
    with open(f"{out}/report.md", "w") as f:
        f.write("\n".join(md) + "\n")

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
    print(f"# soak report: {out}/report.md, ktap.txt, kcidb.json")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
