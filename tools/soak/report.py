#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The soak's checks and report, from a tools/soak/run folder.

  report.py OUT

TAP lines on stdout (exit 1 if any fails), OUT/report.md, ktap.txt,
kcidb.json and summary.json (the numbers combine.py sums over machines):
- the guest ran to its end with no splat (tools/vm's exit);
- per card, each direction ran and summed up, with no error;
- playback: every break in the recording (gap, repeat) lies within a
  buffer of a fault the application was told of (xrun, suspend, the
  device gone) or of a planned restart, and no frame is corrupt or
  foreign; capture the same, checked in the guest as it read;
- the driver's live objects are back at zero at the end, and kmemleak
  found nothing;
- memory: the trend of each sampled counter over the run, per hour;
- each xrun the applications were told of has sgscope xrun's verdict,
  and a provoked one (the player slept past its buffer) is the
  application's.
"""
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import report as bench_report  # noqa: E402
from pattern import RATE, jsonl  # noqa: E402
import smallest  # noqa: E402

TOLD = ("xrun", "suspend", "gone", "nomem")
results = []


def check(ok, what, name):
    """A check: WHAT says it with its numbers, NAME is its stable key
    (KTAP's and KCIDB's test path, sgscope.soak.NAME)."""
    results.append((bool(ok), what, name))
    print(f"{'ok' if ok else 'not ok'} - soak: {what}")
    return ok


def slope_per_hour(points):
    """Least-squares slope of (t seconds, v) in v per hour; None if < 2."""
    fit = trend(points)
    return fit[0] if fit else None


def explained(index, events, slack):
    """A break at stream index: near a told or planned event, by the
    buffers the stream had there (a restart, or a device gone and back,
    loses at most what the old buffer held and what the new one took
    before the application read it), give or take slack frames (the
    device's DMA bursts)."""
    for e in events:
        if e["index"] - e["window"] - slack <= index <= e["index"] + e["window"] + slack:
            return e
    return None


def windows(points):
    """Each point's window: its buffer and the one before, together."""
    before = 0
    for e in points:
        e["window"] = before + e.get("buffer", 0)
        if e.get("event") == "params":
            before = e["buffer"]
    return points


def muted_until_restored(points, faults, k):
    """A card gone and back (unbind, module reload) comes back with its
    codec reset, and captures what its mixer's state makes of the stream
    (silence, or a channel muted) until the schedule has restored the
    mixer, the end of the fault: a told "gone" event's window grows by
    the frames of that time, and is marked as a codec in flux."""
    for e in points:
        if e.get("event") != "gone" or "t" not in e:
            continue
        for f in faults:
            end = f["t"] + f.get("seconds", 0)
            if f["fault"] in ("unbind", "reload") and f["card"] in (-1, k) and f["t"] <= e["t"] <= end:
                e["window"] += int((end - e["t"]) * RATE)
                e["flux"] = True
    return points


def stray_breaks(breaks, points, slack):
    """The breaks no told or planned event explains: a gap or a repeat
    anywhere else, a corrupt or foreign frame anywhere but while a codec
    was in flux (a frame of the stream, one channel muted, is foreign)."""
    flux = [e for e in points if e.get("flux")]
    return [b for b in breaks if not explained(b["index"], points, slack) or
            (b["kind"] in ("corrupt", "foreign") and not explained(b["index"], flux, slack))]


def card_checks(out, k, lines, slack):
    events = jsonl(f"{out}/soak-{k}.jsonl")
    faults = jsonl(f"{out}/faults.jsonl")
    summary = {e["summary"]: e for e in events if "summary" in e}
    errors = [e for e in events if e.get("event") == "error"]
    check(set(summary) == {"playback", "capture"} and not errors,
          f"card {k}: pcm{k} played and captured to the end, no error "
          f"({', '.join(e['error'] for e in errors) or 'summaries: ' + ' '.join(sorted(summary))})",
          f"card{k}.ran")
    row = {"card": k}
    for d in ("playback", "capture"):
        s = summary.get(d, {})
        # the events a break may follow: faults told, and every (re)open
        points = muted_until_restored(
            windows([e for e in events if e.get("dir") == d and
                     (e.get("event") in TOLD or e.get("event") == "params")]), faults, k)
        buf = max([e.get("buffer", 0) for e in points] or [0])
        # the stream's end: what the device plays past the last drain
        if s:
            points.append({"index": s["frames"], "window": points[-1]["window"] if points else 0})
        if d == "playback":
            rec = jsonl(f"{out}/play-{k}.jsonl")
            total = next((r for r in rec if r.get("summary")), {})
            breaks = [{"kind": r["break"], "index": r["expected"], "offset": r["offset"]}
                      for r in rec if "break" in r]
            check(total.get("frames", 0) > 0 and s.get("frames", 0) > 0 and
                  total.get("next", 0) + buf >= s.get("frames", 0),
                  f"card {k}: the recording follows pcm{k}'s playback to its end "
                  f"({total.get('frames', 0)} frames recorded, the stream's frame "
                  f"{total.get('next', 0)} the last, {s.get('frames', 0)} written)", f"card{k}.playback.recorded")
            silent = total.get("silent", 0)
            bad = total.get("corrupt", 0) + total.get("foreign", 0)
        else:
            # the application's count of frames read: its index space
            breaks = [{"kind": e["kind"], "index": e["offset"], "offset": e["offset"]}
                      for e in events if e.get("event") == "capture-break"]
            check(s.get("frames", 0) > 0, f"card {k}: pcm{k} captured the host's stream "
                  f"({s.get('frames', 0)} frames)", f"card{k}.capture.captured")
            silent = s.get("silent", 0)
            bad = s.get("corrupt", 0) + s.get("foreign", 0)
        # silence is no break: a muted codec, or a device that stopped
        # moving data, sounds like it; a little comes with each restart
        check(silent <= 2 * buf * (1 + len(points)),
              f"card {k}: {d}: no more silence than the restarts and faults make "
              f"({silent} frames, at most {2 * buf * (1 + len(points))})", f"card{k}.{d}.silence")
        stray = stray_breaks(breaks, points, slack)
        # the summary's counts of damaged frames that no fault explains
        bad = bad and sum(1 for b in stray if b["kind"] in ("corrupt", "foreign"))
        check(not bad and not stray,
              f"card {k}: every {d} break follows a fault the application was told of "
              f"({len(breaks)} breaks, {len(stray)} not: "
              + ", ".join(f"{b['kind']} at index {b['index']} (offset {b['offset']})"
                          for b in stray[:3]) + ")", f"card{k}.{d}.breaks")
        row[d] = {"frames": s.get("frames", 0), "breaks": len(breaks),
                  "xruns": s.get("xruns", 0), "gone": s.get("gone", 0), "nomem": s.get("nomem", 0),
                  "provoked": s.get("provoked", 0), "restarts": s.get("restarts", 0),
                  "min_headroom": s.get("min_headroom", -1), "near_misses": s.get("near_misses", 0)}
    lines.append(row)


def cpu_share(out):
    """The guests CPUs' busy share over the run, from cpu.jsonl's first and
    last sample: under icount, idle time costs no wall time, busy time
    does."""
    cpu = jsonl(f"{out}/cpu.jsonl")
    if len(cpu) < 2:
        return "Guest CPU time: not sampled."
    d = {k: cpu[-1][k] - cpu[0][k] for k in ("user", "system", "irq", "idle")}
    total = sum(d.values()) or 1
    busy = total - d["idle"]
    return (f"The guest's CPUs were busy {100 * busy / total:.1f}% of the time "
            f"(user {100 * d['user'] / total:.1f}%, system {100 * d['system'] / total:.1f}%, "
            f"interrupts {100 * d['irq'] / total:.1f}%; /proc/stat, both CPUs): "
            "under icount only busy time costs wall time.")


# What no counter names (guest-soak.sh's unaccounted_kb) must not grow
# over the run: its least-squares trend, after the first samples (the
# streams' first opens), is a leak when it is above zero by more than
# LEAK_SIGMAS standard errors of the fit.  Between samples it moves by a
# few pages (what a sample catches in flight), so the error, and with it
# the smallest leak the check sees, shrinks with the run's length: a page
# leaked every 1,000 periods of one stream (80 to 700 kB an hour) shows in
# minutes, a page an hour in a day.
LEAK_SIGMAS = 4
LEAK_WARMUP_SAMPLES = 2
# a sample this far from the median of its LEAK_SPIKE_NEAR neighbours on
# each side is a load's pages still in flight, not a leak
LEAK_SPIKE_KB = 1024
LEAK_SPIKE_NEAR = 4


def trend(points):
    """Least-squares slope of (t seconds, v) per hour and its standard
    error (None below 3 points); None below 2 points or with one time."""
    n = len(points)
    if n < 2:
        return None
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    if not var:
        return None
    slope = sum((t - mt) * (v - mv) for t, v in points) / var
    if n < 3:
        return slope * 3600, None
    rss = sum((v - mv - slope * (t - mt)) ** 2 for t, v in points)
    return slope * 3600, (rss / (n - 2) / var) ** 0.5 * 3600


def running(memory):
    """The samples taken while the streams ran: the one after they closed
    (guest-soak.sh's closed) sits lower by their runtimes, and at the end
    of the run it would pull a least-squares trend down the most."""
    return [m for m in memory if not m.get("closed")]


def despiked(points):
    """POINTS (t, kB) less those LEAK_SPIKE_KB or more from the median of
    their neighbours: a memory load can outlast the window leak_check()
    leaves out (a `--fragment 100` fill took 35 s of its 20), and its
    pages still in flight lift one sample by tens of MB, where a leak
    moves every sample after it"""
    values = [v for _, v in points]
    keep = []
    for i, p in enumerate(points):
        near = values[max(0, i - LEAK_SPIKE_NEAR):i] + values[i + 1:i + 1 + LEAK_SPIKE_NEAR]
        if not near or abs(p[1] - statistics.median(near)) < LEAK_SPIKE_KB:
            keep.append(p)
    return keep


def leak_check(memory, faults):
    # memory loads move pages between the kernel's own lists (a lazily
    # freed page is in none of the counters for a moment): the samples
    # taken while one runs, and for a minute after (a load of all free
    # memory took 40 s of guest time to give it back), are left out
    busy = [(f["t"], f["t"] + f.get("seconds", 0) + 60) for f in faults
            if f["fault"] in ("memory", "inject_order")]
    points = [(m["t"], m["unaccounted_kb"]) for m in running(memory) if "unaccounted_kb" in m]
    points = despiked([p for p in points[LEAK_WARMUP_SAMPLES:] if not any(a <= p[0] <= b for a, b in busy)])
    fit = trend(points)
    span = (points[-1][0] - points[0][0]) / 60 if len(points) > 1 else 0
    if fit is None or fit[1] is None:
        check(False, f"memory: what no counter names has a trend ({len(points)} samples, too few)",
              "memory.flat")
        return
    slope, err = fit
    check(slope <= LEAK_SIGMAS * err,
          f"memory: what no counter names (no page cache, slab, vmalloc, page table, stack depot "
          f"or driver buffer) does not grow: {slope:+.1f} +- {err:.1f} kB an hour over "
          f"{len(points)} samples, {span:.0f} min (a leak of {LEAK_SIGMAS * err:.0f} kB an hour "
          f"or more would fail this)", "memory.flat")


def timeline(out, cards):
    """timeline.svg: each stream's least headroom per 10 s of guest time
    (pcm-soak's headroom lines), in ms, a panel per direction, and the
    faults from outside as marks along the top; False if no data."""
    starts = {}
    with open(f"{out}/timeline.dat", "w") as f:
        for d in ("playback", "capture"):
            for k in range(cards):
                pts = [e for e in jsonl(f"{out}/soak-{k}.jsonl")
                       if e.get("event") == "headroom" and e.get("dir") == d]
                starts[(d, k)] = bool(pts)
                f.write(f"# {d} card {k}\n")
                f.write("".join(f"{e['t']:.1f} {e['least'] * 1000 / RATE:.2f}\n" for e in pts))
                f.write("\n\n")
        faults = jsonl(f"{out}/faults.jsonl")
        f.write("# faults\n" + "".join(f"{x['t']:.1f} \"{x['fault']}\"\n" for x in faults) or "0 \"\"\n")
    if not any(starts.values()):
        return False
    plots = []
    for n, d in enumerate(("playback", "capture")):
        lines = ", ".join(f"'{out}/timeline.dat' index {n * cards + k} with steps lw 1.5 title 'card {k} (pcm{k})'"
                          for k in range(cards))
        plots.append(f"set title 'least {d} headroom per 10 s (ms of audio left at a transfer)'\n"
                     f"plot {lines}, '{out}/timeline.dat' index {2 * cards} using 1:(0):2 "
                     "with labels rotate by 90 left offset 0,0.5 font ',8' tc rgb '#888888' notitle\n")
    script = (f"set terminal svg size 1000,760 dynamic noenhanced font 'sans,11'\nset output '{out}/timeline.svg'\n"
              "set multiplot layout 2,1\nset grid ytics\nset key outside right\n"
              "set xlabel 'guest time (s)'\nset ylabel 'ms'\nset yrange [0:*]\n" + "".join(plots) +
              "unset multiplot\n")
    subprocess.run(["gnuplot"], input=script, text=True, check=False)
    return os.path.exists(f"{out}/timeline.svg")


def planted(memory):
    """What the driver planted (its planted_* counters at the end), by card."""
    last = memory[-1] if memory else {}
    return {key: v for key, v in sorted(last.items()) if "_planted_" in key and v}


# how long after a fault's end the application may still hear of it (a
# restart's retries, a rebind's mixer): seconds
OUTCOME_SLACK_S = 10


def fault_outcomes(out, cards, faults):
    """Per kind of fault, its count and what the applications were told in
    its time (a card's fault: that card's; -1: any card's): the faults
    table's rows, [(kind, what, count, {told: n}, quiet)], quiet the faults
    of that kind during which nothing was told."""
    told = []
    for k in range(cards):
        told += [(e["t"], k, e["event"]) for e in jsonl(f"{out}/soak-{k}.jsonl")
                 if e.get("event") in TOLD and "t" in e]
    rows = {}
    for f in faults:
        kind = f["fault"]
        # a memory load by its kind, a handler's delay by its length
        key = (kind, f.get("load") or (f"{f['us']} us" if "us" in f else ""))
        start, end = f["t"], f["t"] + f.get("seconds", 0) + OUTCOME_SLACK_S
        seen = [e for t, k, e in told if start <= t <= end and f["card"] in (-1, k)]
        row = rows.setdefault(key, {"count": 0, "told": {}, "quiet": 0})
        row["count"] += 1
        row["quiet"] += not seen
        for e in seen:
            row["told"][e] = row["told"].get(e, 0) + 1
    return [(k[0], k[1], r["count"], r["told"], r["quiet"]) for k, r in sorted(rows.items())]


# sgscope xrun's verdict for an application late on its own
# (xrun_part_name() in tools/sgscope/xrun_parts.c; test_soak_report.py
# checks the two agree)
APPLICATION = "application"
# /proc/uptime's two decimals against the tracer's nanoseconds
XRUN_SLACK_S = 0.01


def traced_s(x):
    """a tracer line's time, in seconds"""
    return x["ts_ns"] / 1e9


def judge_run(run, mine, after):
    """The traces of RUN, xruns told each within the slack of the one
    before it, from MINE (the stream's traced xruns) after AFTER: from the
    last back, each takes the latest trace up to its time and the slack
    and before the one the next took, so that none takes a trace a later
    one needs, and one the tracer missed is the one left without"""
    picks, limit = [], float("inf")
    for e in reversed(run):
        seen = [x for x in mine if after < traced_s(x) <= e["t"] + XRUN_SLACK_S and traced_s(x) < limit]
        picks.append(seen[-1] if seen else None)
        limit = traced_s(seen[-1]) if seen else limit
    return picks[::-1]


def xrun_verdicts(out, cards):
    """Each xrun an application was told of, with sgscope xrun's verdict:
    the tracer's latest xrun of that card, PCM and direction at or before
    the application heard of it and after the previous one's (judge_run()
    for xruns told within the clock's slack of each other).  Returns
    rows (card, direction, t, provoked, tracer's line or None); a told
    xrun is provoked when its stream index is the provoke's and the
    tracer saw it after the stall began: a stream can overrun while its
    client waits in a read that then returns short, and the stall that
    follows only tells the client of that xrun."""
    traced = [e for e in jsonl(f"{out}/xrun.jsonl") if e.get("report") == "xrun"] \
        if os.path.exists(f"{out}/xrun.jsonl") else []
    rows = []
    for k in range(cards):
        events = jsonl(f"{out}/soak-{k}.jsonl")
        for d in ("playback", "capture"):
            mine = sorted((e for e in traced if (e["card"], e["pcm"], e["stream"]) == (k, k, d)),
                          key=traced_s)
            provoked, since, after = None, None, -1.0
            told = [e for e in events if e.get("dir") == d and e.get("event") in ("provoke", "xrun")]
            i = 0
            while i < len(told):
                if told[i]["event"] == "provoke":
                    provoked, since = told[i]["index"], told[i].get("t")
                    i += 1
                    continue
                j = i + 1
                while j < len(told) and told[j]["event"] == "xrun" and \
                        told[j]["t"] <= told[j - 1]["t"] + XRUN_SLACK_S + 1e-9:
                    j += 1
                for x, e in zip(judge_run(told[i:j], mine, after), told[i:j]):
                    stalled = provoked == e["index"] and not (
                        x and since is not None and traced_s(x) < since)
                    rows.append((k, d, e["t"], stalled, x))
                    after = traced_s(x) if x else after
                i = j
    return rows


def xrun_lines(out, cards):
    """The checks on xrun_verdicts() where any xrun was told (a quiet soak
    tells none), and the report's lines: the verdicts counted."""
    rows = xrun_verdicts(out, cards)
    if not rows:
        return ["No application was told of an xrun."]
    judged = [r for r in rows if r[4]]
    check(len(judged) == len(rows), f"every xrun the applications were told of has sgscope xrun's "
          f"verdict ({len(judged)} of {len(rows)})", "xrun.verdicts")
    # a provoked xrun whose window outlasted the tracer's timeline: it
    # says so (client_seen false) and judges from the window's last events
    provoked = [r for r in rows if r[3] and r[4] and r[4].get("client_seen", True)]
    unseen = sum(1 for r in rows if r[3] and r[4] and not r[4].get("client_seen", True))
    if provoked or unseen:
        mine = [r for r in provoked if r[4]["verdict"] == APPLICATION]
        check(provoked and len(mine) == len(provoked),
              f"every provoked xrun is the application's, by sgscope xrun's verdict "
              f"({len(mine)} of {len(provoked)}; {unseen} more whose client's last service was "
              f"no longer in the tracer's timeline)", "xrun.provoked")
    counts = {}
    for k, d, _, was_provoked, v in rows:
        verdict = (v["verdict"] + ("" if v.get("client_seen", True) else " (client not seen)")) \
            if v else "no verdict"
        key = (k, d, "provoked" if was_provoked else "not provoked", verdict)
        counts[key] = counts.get(key, 0) + 1
    return ["Each xrun the applications were told of, and `sgscope xrun`'s verdict for it "
            "(the tracer ran beside the streams):", "",
            "| card | direction | provoked | verdict | xruns |", "|---|---|---|---|---|"] + \
        [f"| {k} | {d} | {p} | {v} | {n} |" for (k, d, p, v), n in sorted(counts.items())]


def write_ktap_kcidb(out, run):
    """ktap.txt and kcidb.json, as a benchmark run's: one test per check,
    under the checkout and build of the commit and kernel that ran."""
    with open(f"{out}/ktap.txt", "w") as f:
        f.write(f"KTAP version 1\n1..{len(results)}\n")
        for n, (ok, what, name) in enumerate(results, 1):
            f.write(f"{'ok' if ok else 'not ok'} {n} {name} # {what}\n")
    checkout, build = bench_report.kcidb_checkout_build(run)
    origin = checkout["origin"]
    where = (f"QEMU TCG test machine, icount, {run['cards']} cards, "
             f"{run['seconds']} s of guest time, seed {run['seed']}")
    tests = [{"id": f"{build['id']}:soak:{run['seed']}:{n}", "origin": origin, "build_id": build["id"],
              "path": f"sgscope.soak.{name}", "status": "PASS" if ok else "FAIL",
              "environment": {"comment": where}, "log_excerpt": what[:16384]}
             for n, (ok, what, name) in enumerate(results, 1)]
    report = {"version": bench_report.KCIDB_VERSION, "checkouts": [checkout], "builds": [build],
              "tests": tests}
    with open(f"{out}/kcidb.json", "w") as f:
        json.dump(report, f, indent=1)


def write_summary(out, rows, kinds, absent):
    """summary.json: what combine.py sums up over the machines of one soak
    (tools/soak/run -j)."""
    with open(f"{out}/summary.json", "w") as f:
        json.dump({"rows": rows, "faults": kinds, "absent": absent,
                   "checks": [{"ok": ok, "what": what, "name": name} for ok, what, name in results]},
                  f, indent=1)


def kernel_checks(out, run):
    """kmemleak's check where the kernel has it; what this kernel cannot
    do (a distribution's: tools/soak/run -k), each as a phrase."""
    absent = []
    # false: the kernel's config has no kmemleak; true or unknown: its scan
    if run.get("kmemleak") is False:
        absent.append("kmemleak (no CONFIG_DEBUG_KMEMLEAK)")
    else:
        leaks = open(f"{out}/kmemleak.txt").read() if os.path.exists(f"{out}/kmemleak.txt") else None
        check(leaks is not None and "unreferenced object" not in leaks,
              "kmemleak finds no leak" if leaks is not None else "kmemleak's scan is there (kmemleak.txt)",
              "kmemleak")
    if os.path.exists(f"{out}/inject-order.err"):
        refusal = open(f"{out}/inject-order.err").read().strip().splitlines()
        absent.append("the inject_order fault (sgscope inject --order: "
                      + (refusal[-1] if refusal else "refused") + ")")
    for a in absent:
        print(f"# soak: not on this kernel: {a}")
    return absent


def guest_checks(out, run):
    check(run["vm_exit"] == 0, f"the guest ran to its end with no splat (tools/vm exit {run['vm_exit']})",
          "guest")
    player_ended(out)


def player_ended(out):
    """pcm-soak ended on its own at the run's end: one that did not, in its
    grace time, has a thread stuck, whose kernel stack guest-soak.sh kept
    in player-stuck.txt before it killed it."""
    stuck = f"{out}/player-stuck.txt"
    stacks = open(stuck).read().splitlines() if os.path.exists(stuck) else []
    check(not stacks, "the player (pcm-soak) ended on its own at the end of the run"
          + (f" (it did not: killed; {stuck}: " + " | ".join(stacks[:6]) + ")" if stacks else ""),
          "player.ended")


def faults_applied(run, faults):
    """Each fault the schedule began took place: a suspend the kernel
    refused, a device that would not unbind or bind, a module that would
    not go, a mixer that never came back (guest-soak.sh's "failed": the
    step that did not work) is a fault the run did not apply, and often
    the sign of a machine gone wrong.  A schedule of faults with none
    applied fails too."""
    if run.get("faults") != "on":
        return
    failed = [f for f in faults if "failed" in f]
    where = ", ".join(f"{f['fault']} at {f['t']} s: {f['failed']}" for f in failed[:5])
    check(faults and not failed, f"every fault of the schedule was applied ({len(faults) - len(failed)} of "
          f"{len(faults)}{'; not: ' + where if where else ''})", "faults.applied")


# what sgscope inject says when a window ends (inject.c), and when a
# memory holder would not end (memload.c)
DISARMED = "sgscope inject: disarmed"
LEFT_BEHIND = "did not end in"


def loads_ended(out, started):
    """Each memory load and allocation-failure window (sgscope inject in
    the background, the schedule's next fault waiting for its end) ended:
    one that hangs stops the schedule."""
    log = open(f"{out}/inject.log").read() if os.path.exists(f"{out}/inject.log") else ""
    # a holder that did not end when told is left behind, stuck: not ended
    ended = log.count(DISARMED) - log.count(LEFT_BEHIND)
    check(ended == started, f"every memory load and allocation-failure window ended ({ended} of {started})",
          "faults.loads-ended")


def main():
    if len(sys.argv) != 2:
        print("usage: report.py OUT", file=sys.stderr)
        return 2
    out = sys.argv[1]
    run = json.load(open(f"{out}/run.json"))
    guest_checks(out, run)
    rows = []
    # two of the device's DMA bursts, in frames
    slack = 2 * run.get("audio_period_us", 10000) * RATE // 1_000_000
    for k in range(run["cards"]):
        card_checks(out, k, rows, slack)
    xruns = xrun_lines(out, run["cards"])
    memory = jsonl(f"{out}/memory.jsonl")
    last = memory[-1] if memory else {}
    live = {key: v for key, v in last.items() if "_live_" in key}
    check(live and not any(live.values()),
          "the driver's live objects are back at zero at the end ("
          + (", ".join(f"{key} {v}" for key, v in sorted(live.items()) if v) or
             f"{len(live)} counters") + ")", "driver.live-objects")
    absent = kernel_checks(out, run)
    faults = jsonl(f"{out}/faults.jsonl")
    leak_check(memory, faults)
    trends = {}
    live_samples = running(memory)
    for key in sorted({key for m in memory for key in m if key not in ("t", "closed")}):
        trends[key] = slope_per_hour([(m["t"], m[key]) for m in live_samples if key in m])
    kinds = {}
    for f in faults:
        kinds[f["fault"]] = kinds.get(f["fault"], 0) + 1
    loads_ended(out, kinds.get("memory", 0) + kinds.get("inject_order", 0))
    faults_applied(run, faults)

    md = [f"# Soak: {run['seconds']} s of guest time, seed {run['seed']}",
          "",
          f"`tools/soak/run -d {run['seconds']}s -s {run['seed']}`: {run['cards']} AC97 cards, "
          f"card K playing and capturing its PCM K at once; {run['wall_s']} s of wall time "
          f"({run['seconds'] / max(run['wall_s'], 1):.1f} times real time, QEMU icount).",
          "", cpu_share(out), "",
          "| card | direction | frames | breaks | xruns told | device gone | no memory (-ENOMEM) | provoked | "
          "restarts | least headroom (frames) | near misses |",
          "|---|---|---|---|---|---|---|---|---|---|---|",
          ]
    for r in rows:
        for d in ("playback", "capture"):
            x = r[d]
            md.append(f"| {r['card']} | {d} | {x['frames']} | {x['breaks']} | {x['xruns']} | "
                      f"{x['gone']} | {x['nomem']} | {x['provoked']} | {x['restarts']} | {x['min_headroom']} | "
                      f"{x['near_misses']} |")
    md += ["", "Faults from outside: " +
           (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "none"), ""]
    if absent:
        md += [f"Not on this kernel ({run.get('kernel')}): " + "; ".join(absent) + ".", ""]
    outcomes = fault_outcomes(out, run["cards"], faults)
    if outcomes:
        md += [f"What the applications were told during each fault, or up to {OUTCOME_SLACK_S} s "
               "after it (a card's fault: that card's streams; a machine-wide one: every card's):", "",
               "| fault | how | times | told | times nothing was told |", "|---|---|---|---|---|"]
        md += [f"| {kind} | {what} | {n} | "
               f"{', '.join(f'{c} {e}' for e, c in sorted(told.items())) or '-'} | {quiet} |"
               for kind, what, n, told, quiet in outcomes]
        md += [""]
    md += xruns + [""]
    md += ["| memory counter | first | last | trend per hour |", "|---|---|---|---|"]
    first = memory[0] if memory else {}
    for key, s in trends.items():
        md.append(f"| {key} | {first.get(key, '')} | {last.get(key, '')} | "
                  f"{'' if s is None else f'{s:+.1f}'} |")
    if timeline(out, run["cards"]):
        md += ["", "![headroom and faults over the run](timeline.svg)"]
    md += ["", "Defects the driver planted (debugfs plant_*): " +
           (", ".join(f"{key} {v}" for key, v in planted(memory).items()) or "none")]
    md += ["", "Checks:", ""] + [f"- {'ok' if ok else 'NOT OK'}: {w}"
                                 for ok, w, _ in results] + smallest.section(out)
    with open(f"{out}/report.md", "w") as f:
        f.write("\n".join(md) + "\n")
    write_ktap_kcidb(out, run)
    write_summary(out, rows, kinds, absent)
    print(f"# soak report: {out}/report.md, ktap.txt, kcidb.json, summary.json")
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
