#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The tracing-overhead report: OUT/raw.txt (RESULT/COUNT/ATTACH/PAGES lines
of tools/bench/guest-pagelat-overhead.sh) -> OUT/report.md and
OUT/overhead.json (the medians and the ratio, for comparing runs).  Exits
1 when the goal is not met or when a tracer did not count every fault
(PAGES per round times ROUNDS): then its number is not the overhead.

usage: overhead-report.py OUT [ROUNDS]"""
import json, statistics, sys
out = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 200
runs, counts, attach, clock, faults = {}, {}, "", "wallclock", 0
for line in open(f"{out}/raw.txt"):
    f = line.split()
    if len(f) >= 3 and f[0] == "RESULT" and f[2].isdigit():
        runs.setdefault(f[1], []).append(int(f[2]))
    elif len(f) >= 3 and f[0] == "COUNT":
        counts.setdefault(f[1], []).append(f[2])
    elif len(f) >= 3 and f[0] == "ATTACH" and f[1] == "sgscope":
        attach = " ".join(f[2:])
    elif len(f) == 2 and f[0] == "CLOCK":
        clock = f[1]
    elif len(f) == 2 and f[0] == "PAGES" and f[1].isdigit():
        faults = int(f[1])
if not all(k in runs for k in ("none", "sgscope", "bpftrace")):
    sys.exit("bench: a condition has no result; see raw.txt")
if not faults:
    sys.exit("bench: raw.txt does not say how many pages a round faults (PAGES)")
med = {k: statistics.median(v) for k, v in runs.items()}
# sgscope: the faults, as the one-liner times them (pagelat --no-op);
# sgscope-op: pagelat as it runs by default, the .page op timed as well
rows = [k for k in ("none", "sgscope", "sgscope-op", "bpftrace") if k in runs]
added = {k: (med[k] - med["none"]) / faults for k in rows if k != "none"}
ratio = added["sgscope"] / added["bpftrace"] if added["bpftrace"] > 0 else float("nan")
verdict = "met" if ratio <= 0.5 else "NOT met"
# every fault of every round counted by both tracers
miscounted = [k for k in ("sgscope", "bpftrace")
              if not counts.get(k) or any(c != str(faults * rounds) for c in counts[k])]
lines = [
    "# pagelat overhead: sgscope vs bpftrace 0.17",
    "",
    f"Workload: pcm-touch maps pcm2 (vmalloc, .page callback) of snd-sgscope and faults all {faults} pages,",
    f"{rounds} rounds per measurement, pinned to CPU 0; {len(runs['none'])} alternating repeats; QEMU TCG guest.",
    "Clock: " + (f"QEMU icount, shift {clock.split(':')[1]}: every ns is guest time, "
                 f"{1 << int(clock.split(':')[1])} ns per instruction executed."
                 if clock.startswith("icount:") else "wall clock: the numbers move with the host's load."),
    f"sgscope attach: {attach}. bpftrace: kfunc/kretfunc + hist().",
    "",
    "Each run's number is its fastest round (map, fault every page, unmap); the table gives "
    "the median run.",
    "",
    "| condition | ns per round | ns per fault | added ns per fault | runs |",
    "|---|---|---|---|---|",
]
for k in rows:
    add = "-" if k == "none" else f"{added[k]:.0f}"
    lines.append(f"| {k} | {med[k]:.0f} | {med[k] / faults:.0f} | {add} | {' '.join(map(str, runs[k]))} |")
lines += ["",
          f"sgscope adds {ratio:.2f}x of what bpftrace adds (goal: at most 0.5x: {verdict}; "
          "both timing the faults only, sgscope with `pagelat --no-op`)."]
if "sgscope-op" in added:
    lines += [f"Timing the `.page` op inside each fault too (pagelat's default, a second "
              f"fentry/fexit pair per fault) adds {added['sgscope-op']:.0f} ns per fault in all, "
              f"{added['sgscope-op'] / added['bpftrace']:.2f}x of what the one-liner adds."]
lines += [
          f"Faults counted per run: sgscope {' '.join(counts.get('sgscope', []))}, "
          f"bpftrace {' '.join(counts.get('bpftrace', []))} (expected {faults * rounds}"
          f"{'; WRONG for ' + ' and '.join(miscounted) if miscounted else ''}).", ""]
open(f"{out}/report.md", "w").write("\n".join(lines))
json.dump({"clock": clock, "rounds": rounds, "faults_per_round": faults, "median_ns_per_round": med,
           "added_ns_per_fault": added, "ratio": ratio, "runs": runs},
          open(f"{out}/overhead.json", "w"), indent=1)
print("\n".join(lines))
sys.exit(1 if verdict != "met" or miscounted else 0)
