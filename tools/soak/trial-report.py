#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The smallest-safe-buffer trial's report, from a tools/soak/run -T folder.

  trial-report.py OUT
      TAP lines (exit 1 if any fails), OUT/trial.md and OUT/trial.json:
      per buffer strategy (card K plays and captures PCM K) and size, the
      step ran clean or what went wrong, with the buffer the driver gave
      (its constraints may round a size up); the smallest clean buffer, the
      smallest that ran clean with every larger one clean too, or refused:
      a size whose buffer could not be had at all (-ENOMEM every time, under
      a memory condition) says nothing of how smaller ones run.
  trial-report.py --table OUT...
      the smallest-buffer table of several trials (e.g. direct and IOMMU,
      with and without --fragment), markdown on stdout

A step is clean for a strategy when its pcm-soak exited 0, both directions
summed up having moved at least MIN_SHARE of the step's frames, no xrun
was told, no buffer was refused (-ENOMEM), and the capture had no break.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import names  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pattern import RATE, jsonl  # noqa: E402

MIN_SHARE = 0.9
BREAKS = ("gaps", "repeats", "corrupt", "foreign")


def step_verdict(out, size, card, exit_code, seconds):
    """(verdict, why, buffer) of one card in one step: verdict clean,
    refused (no direction got its buffer) or failed; buffer is the largest
    the driver set for either direction, None if neither was set"""
    lines = jsonl(f"{out}/trial-{size}-{card}.jsonl")
    sums = {s["summary"]: s for s in lines if "summary" in s}
    buffers = [e["buffer"] for e in lines if e.get("event") == "params"]
    why = []
    if exit_code != 0:
        why.append(f"pcm-soak exit {exit_code}")
    for d in ("playback", "capture"):
        s = sums.get(d)
        if s is None:
            why.append(f"no {d} summary")
            continue
        if s["frames"] < MIN_SHARE * seconds * RATE:
            why.append(f"{d} moved {s['frames']} frames")
        if s["xruns"]:
            why.append(f"{s['xruns']} {d} xruns")
        if s["nomem"]:
            why.append(f"{d} buffer refused {s['nomem']} times")
        broken = sum(s.get(b, 0) for b in BREAKS)
        if broken:
            why.append(f"{broken} capture breaks")
    refused = all(sums.get(d, {}).get("nomem") and not sums[d]["frames"]
                  for d in ("playback", "capture"))
    verdict = "clean" if not why else "refused" if refused else "failed"
    return verdict, "; ".join(why) or "clean", max(buffers, default=None)


def analyse(out):
    run = json.load(open(f"{out}/run.json"))
    steps = jsonl(f"{out}/trial.jsonl")
    strategies = names.strategies()
    sizes = [int(s) for s in run["sizes"].split(",")]
    result = {"condition": run["condition"], "iommu": run["iommu"], "seconds": run["seconds"],
              "audio_period_us": run["audio_period_us"], "sizes": sizes, "steps": {}, "smallest": {}}
    by_size = {s["size"]: s for s in steps}
    for k, pcm in enumerate(strategies):
        name = strategies[pcm]
        verdicts = []
        for size in sizes:
            step = by_size.get(size)
            exits = step["exits"] if step else []
            verdict, why, buffer = (step_verdict(out, size, k, exits[k], run["seconds"])
                                    if k < len(exits) else ("failed", "step did not run", None))
            if step and not step.get("armed", False):
                verdict, why = "failed", f"{run['condition']} did not hold; {why}"
            verdicts.append((size, verdict, why, buffer))
        result["steps"][name] = [{"size": s, "clean": v == "clean", "verdict": v, "why": w,
                                  "buffer": b} for s, v, w, b in verdicts]
        smallest = None
        for _, verdict, _, buffer in verdicts:
            if verdict == "refused":
                continue
            if verdict != "clean" or buffer is None:
                break
            smallest = buffer if smallest is None else min(smallest, buffer)
        result["smallest"][name] = smallest
    return run, steps, result


def mode(result):
    return f"{'IOMMU' if result['iommu'] else 'direct'}, {result['condition']}"


def report(out):
    run, steps, result = analyse(out)
    checks = [
        (run["vm_exit"] == 0, f"the guest ran to its end (tools/vm exit {run['vm_exit']})"),
        (len(steps) == len(result["sizes"]) and steps,
         f"every size was tried ({len(steps)} of {len(result['sizes'])} steps)"),
        (steps and all(s.get("armed") for s in steps),
         f"the condition ({run['condition']}) held in every step "
         f"({sum(1 for s in steps if s.get('armed'))} of {len(steps)})"),
    ]
    for name, steps_of in result["steps"].items():
        ran = sum(1 for s in steps_of if "no playback summary" not in s["why"]
                  and "step did not run" not in s["why"])
        checks.append((ran == len(steps_of) and ran > 0,
                       f"{name}: pcm-soak summed up every step ({ran} of {len(steps_of)})"))
    failed = 0
    for ok, what in checks:
        print(f"{'ok' if ok else 'not ok'} - trial: {what}")
        failed += not ok
    with open(f"{out}/trial.json", "w") as f:
        json.dump(result, f, indent=1)
    with open(f"{out}/trial.md", "w") as f:
        burst = result["audio_period_us"] * RATE // 1_000_000
        f.write(f"# Smallest safe buffer: {mode(result)}\n\n"
                f"Each buffer size ran {result['seconds']} s of guest time, two periods of half "
                f"the size, all four strategies at once, each PCM playing and capturing "
                f"(`tools/soak/run -T`). The device moves its DMA in bursts of "
                f"{result['audio_period_us'] // 1000} ms ({burst} frames): a buffer of about "
                f"three bursts or less is the emulated device's limit, not the driver's.\n\n")
        f.write("Each cell: the buffer the driver set for the size asked (frames), and how "
                "the step went.\n\n")
        f.write("| strategy | smallest clean buffer (frames) | " +
                " | ".join(f"{s} asked" for s in result["sizes"]) + " |\n")
        f.write("|---|---|" + "---|" * len(result["sizes"]) + "\n")
        for name, steps_of in result["steps"].items():
            smallest = result["smallest"][name]
            f.write(f"| {name} | {smallest if smallest else 'none'} | " +
                    " | ".join(f"{s['buffer'] or '-'}: {s['why']}" for s in steps_of) + " |\n")
    print(f"# trial report: {out}/trial.md, trial.json")
    return 1 if failed else 0


def table(outs):
    results = []
    for out in outs:
        try:
            results.append(analyse(out)[2])
        except (OSError, ValueError, KeyError) as e:
            print(f"trial-report.py: {out}: no trial to read ({e})", file=sys.stderr)
            return 1
    strategies = list(results[0]["smallest"]) if results else []
    print("| strategy | " + " | ".join(mode(r) for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for name in strategies:
        cells = []
        for r in results:
            s = r["smallest"].get(name)
            refused = [st["size"] for st in r["steps"][name] if st["verdict"] == "refused"]
            cell = f"{s} frames ({s * 1000 // RATE} ms)" if s else "none clean"
            if refused:
                cell += f"; no buffer of {', '.join(map(str, refused))} to be had"
            cells.append(cell)
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0 if results else 1


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--table":
        sys.exit(table(sys.argv[2:]))
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit(__doc__)
    sys.exit(report(sys.argv[1]))
