#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The soak's checks and report, from a tools/soak/run folder.

  report.py OUT

TAP lines on stdout (exit 1 if any fails) and OUT/report.md:
- the guest ran to its end with no splat (tools/vm's exit);
- per card, each direction ran and summed up, with no error;
- playback: every break in the recording (gap, repeat) lies within a
  buffer of a fault the application was told of (xrun, suspend, the
  device gone) or of a planned restart, and no frame is corrupt or
  foreign; capture the same, checked in the guest as it read;
- the driver's live objects are back at zero at the end, and kmemleak
  found nothing;
- memory: the trend of each sampled counter over the run, per hour.
"""
import json
import os
import sys

TOLD = ("xrun", "suspend", "gone")
results = []


def check(ok, what):
    results.append((bool(ok), what))
    print(f"{'ok' if ok else 'not ok'} - soak: {what}")
    return ok


def jsonl(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.startswith("{")]
    except (OSError, ValueError) as e:
        print(f"# cannot read {path}: {e}")
        return []


def slope_per_hour(points):
    """Least-squares slope of (t seconds, v) in v per hour; None if < 2."""
    if len(points) < 2:
        return None
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    if not var:
        return None
    return sum((t - mt) * (v - mv) for t, v in points) / var * 3600


def explained(index, events, buf):
    """A break at stream index: within buf (the largest buffer the
    direction had: what a restart drains may come from the stream before)
    of a told or planned event."""
    for e in events:
        if e["index"] - 2 * buf <= index <= e["index"] + buf:
            return e
    return None


def card_checks(out, k, lines):
    events = jsonl(f"{out}/soak-{k}.jsonl")
    summary = {e["summary"]: e for e in events if "summary" in e}
    errors = [e for e in events if e.get("event") == "error"]
    check(set(summary) == {"playback", "capture"} and not errors,
          f"card {k}: pcm{k} played and captured to the end, no error "
          f"({', '.join(e['error'] for e in errors) or 'summaries: ' + ' '.join(sorted(summary))})")
    row = {"card": k}
    for d in ("playback", "capture"):
        s = summary.get(d, {})
        # the events a break may follow: faults told, and every (re)open
        points = [e for e in events if e.get("dir") == d and
                  (e.get("event") in TOLD or e.get("event") == "params")]
        buf = max([e.get("buffer", 0) for e in points] or [0])
        # the stream's end: what the device plays past the last drain
        if s:
            points.append({"index": s["frames"]})
        if d == "playback":
            rec = jsonl(f"{out}/play-{k}.jsonl")
            total = next((r for r in rec if r.get("summary")), {})
            breaks = [{"kind": r["break"], "index": r["expected"], "offset": r["offset"]}
                      for r in rec if "break" in r]
            check(total.get("frames", 0) > 0 and s.get("frames", 0) > 0,
                  f"card {k}: the recording has pcm{k}'s playback "
                  f"({total.get('frames', 0)} frames recorded, {s.get('frames', 0)} written)")
            bad = total.get("corrupt", 0) + total.get("foreign", 0)
        else:
            # the application's count of frames read: its index space
            breaks = [{"kind": e["kind"], "index": e["offset"], "offset": e["offset"]}
                      for e in events if e.get("event") == "capture-break"]
            check(s.get("frames", 0) > 0, f"card {k}: pcm{k} captured the host's stream "
                  f"({s.get('frames', 0)} frames)")
            bad = s.get("corrupt", 0) + s.get("foreign", 0)
        stray = [b for b in breaks if b["kind"] in ("corrupt", "foreign") or
                 not explained(b["index"], points, buf)]
        check(not bad and not stray,
              f"card {k}: every {d} break follows a fault the application was told of "
              f"({len(breaks)} breaks, {len(stray)} not: "
              + ", ".join(f"{b['kind']} at index {b['index']} (offset {b['offset']})"
                          for b in stray[:3]) + ")")
        row[d] = {"frames": s.get("frames", 0), "breaks": len(breaks),
                  "xruns": s.get("xruns", 0), "gone": s.get("gone", 0),
                  "provoked": s.get("provoked", 0), "restarts": s.get("restarts", 0),
                  "min_headroom": s.get("min_headroom", -1)}
    lines.append(row)


def main():
    if len(sys.argv) != 2:
        print("usage: report.py OUT", file=sys.stderr)
        return 2
    out = sys.argv[1]
    run = json.load(open(f"{out}/run.json"))
    check(run["vm_exit"] == 0, f"the guest ran to its end with no splat (tools/vm exit {run['vm_exit']})")
    rows = []
    for k in range(run["cards"]):
        card_checks(out, k, rows)
    memory = jsonl(f"{out}/memory.jsonl")
    last = memory[-1] if memory else {}
    live = {key: v for key, v in last.items() if "_live_" in key}
    check(live and not any(live.values()),
          "the driver's live objects are back at zero at the end ("
          + (", ".join(f"{key} {v}" for key, v in sorted(live.items()) if v) or
             f"{len(live)} counters") + ")")
    leaks = ""
    if os.path.exists(f"{out}/kmemleak.txt"):
        leaks = open(f"{out}/kmemleak.txt").read()
    check("unreferenced object" not in leaks, "kmemleak finds no leak")
    trends = {}
    for key in sorted({key for m in memory for key in m if key != "t"}):
        trends[key] = slope_per_hour([(m["t"], m[key]) for m in memory if key in m])
    faults = jsonl(f"{out}/faults.jsonl")
    kinds = {}
    for f in faults:
        kinds[f["fault"]] = kinds.get(f["fault"], 0) + 1

    md = [f"# Soak: {run['seconds']} s of guest time, seed {run['seed']}",
          "",
          f"`tools/soak/run -d {run['seconds']}s -s {run['seed']}`: {run['cards']} AC97 cards, "
          f"card K playing and capturing its PCM K at once; {run['wall_s']} s of wall time "
          f"({run['seconds'] / max(run['wall_s'], 1):.1f} times real time, QEMU icount).",
          "",
          "| card | direction | frames | breaks | xruns told | device gone | provoked | restarts | min headroom (frames) |",
          "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        for d in ("playback", "capture"):
            x = r[d]
            md.append(f"| {r['card']} | {d} | {x['frames']} | {x['breaks']} | {x['xruns']} | "
                      f"{x['gone']} | {x['provoked']} | {x['restarts']} | {x['min_headroom']} |")
    md += ["", "Faults from outside: " +
           (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"), "",
           "| memory counter | first | last | trend per hour |", "|---|---|---|---|"]
    first = memory[0] if memory else {}
    for key, s in trends.items():
        md.append(f"| {key} | {first.get(key, '')} | {last.get(key, '')} | "
                  f"{'' if s is None else f'{s:+.1f}'} |")
    md += ["", "Checks:", ""] + [f"- {'ok' if ok else 'NOT OK'}: {w}" for ok, w in results]
    with open(f"{out}/report.md", "w") as f:
        f.write("\n".join(md) + "\n")
    print(f"# soak report: {out}/report.md")
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
