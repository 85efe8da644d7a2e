#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Bit-exact playback checks, host side, for any test machine.

  playback.py make DIR NAME:SEED:SECONDS[:PAD] ...
      seeded noise per play, DIR/NAME.raw (the samples) and DIR/NAME.wav
      (48 kHz S16_LE stereo, padded with PAD seconds of silence, default
      0.25: QEMU drops the last milliseconds it fetched when the engine
      stops)
  playback.py check DIR WAV NAME=LABEL ...
      a TAP line per NAME: DIR/NAME.raw found, frame-aligned, in WAV (what
      tools/vm --wav recorded)
  playback.py captured DIR IN NAME=LABEL ...
      a TAP line per NAME: DIR/NAME.raw (what the guest captured while
      tools/vm --capture IN fed the device) is not empty, and found in IN,
      frame-aligned, bit for bit
  playback.py resumed DIR WAV OUT NAME=LABEL ...
      a TAP line per NAME (in-suspend-pcmN) whose play a suspend cut in
      two: WAV holds NAME.raw from its start up to the suspend and, after
      the resume, from where the stream was prepared again to its end, each
      part bit for bit and at least MIN_PART_S long, the second not before
      the first ends; or NAME.raw whole, when the guest's output OUT
      says pcmN's stream ran dry while the suspend froze the player
      (suspend-run.sh traces the xrun), so that no frame was lost
"""
import random
import re
import sys
import wave

RATE, FRAME = 48000, 4
MIN_PART_S = 0.5


def make(out, specs):
    for spec in specs:
        name, seed, seconds, *pad = spec.split(":")
        rnd = random.Random(int(seed))
        frames = int(RATE * float(seconds))
        data = bytes(rnd.getrandbits(8) for _ in range(frames * FRAME))
        with open(f"{out}/{name}.raw", "wb") as f:
            f.write(data)
        w = wave.open(f"{out}/{name}.wav", "wb")
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data + bytes(int(RATE * float(pad[0] if pad else 0.25)) * FRAME))
        w.close()


def recording(wav):
    try:
        w = wave.open(wav)
        return w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as e:
        print(f"# cannot read {wav}: {e}")
        return b""


def run_length(rec, at, data, start, step):
    """Frames of data from frame start on (step 1) or back (step -1) that
    rec holds from byte at on (or back), frame for frame."""
    n = 0
    while True:
        i, j = start + step * n, at + step * n * FRAME
        if step < 0:
            i, j = i - 1, j - FRAME
        if not (0 <= i < len(data) // FRAME and 0 <= j <= len(rec) - FRAME):
            return n
        if rec[j:j + FRAME] != data[i * FRAME:(i + 1) * FRAME]:
            return n
        n += 1


def xruns_in_suspend(out):
    """{"pcmN": xruns} from suspend-run.sh's lines in OUT"""
    try:
        with open(out, errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return {}
    found = (re.match(r"# (pcm\d+): (\d+) xruns in the suspend cycle", line) for line in lines)
    return {m.group(1): int(m.group(2)) for m in found if m}


def resumed(work, wav, out, names):
    rec = recording(wav)
    xruns = xruns_in_suspend(out)
    probe = int(RATE * MIN_PART_S / 4) * FRAME
    least = int(RATE * MIN_PART_S)
    for arg in names:
        name, label = arg.split("=", 1)
        with open(f"{work}/{name}.raw", "rb") as f:
            data = f.read()
        frames = len(data) // FRAME
        head = rec.find(data[:probe]) if data else -1
        tail = rec.find(data[-probe:]) if data else -1
        before = run_length(rec, head, data, 0, 1) if head >= 0 else 0
        after = run_length(rec, tail + probe, data, frames, -1) if tail >= 0 else 0
        ran_dry = xruns.get(name.rsplit("-", 1)[-1], 0) > 0
        whole = frames > 0 and before == frames
        ok = (whole and ran_dry) or (before >= least and after >= least and frames - after >= before)
        parts = (f"all {frames} frames in one piece, " +
                 ("the stream ran dry before the suspend" if ran_dry else "but no xrun traced")
                 if whole else f"{before} frames before, the last {after} of {frames} after")
        print(f"{'ok' if ok else 'not ok'} - playback: the clip is recorded bit for bit "
              f"before the suspend and after the resume ({label}: {parts})")


def captured(work, source, names):
    with open(source, "rb") as f:
        fed = f.read()
    for arg in names:
        name, label = arg.split("=", 1)
        try:
            with open(f"{work}/{name}.raw", "rb") as f:
                data = f.read()
        except OSError:
            data = b""
        at = fed.find(data) if data else -1
        ok = data and at >= 0 and at % FRAME == 0
        where = f"at frame {at // FRAME} of the input" if ok else "not in the input"
        print(f"{'ok' if ok else 'not ok'} - playback: the capture is the input bit for bit "
              f"({label}: {len(data) // FRAME} frames, {where})")


def check(work, wav, names):
    rec = recording(wav)
    for arg in names:
        name, label = arg.split("=", 1)
        with open(f"{work}/{name}.raw", "rb") as f:
            data = f.read()
        at = rec.find(data)
        ok = "ok" if data and at >= 0 and at % FRAME == 0 else "not ok"
        print(f"{ok} - playback: the clip is recorded bit for bit ({label})")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("make", "check", "captured", "resumed"):
        sys.exit(__doc__)
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3:])
        sys.exit(0)
    # the KTAP plan: one check per NAME=LABEL
    first = 5 if sys.argv[1] == "resumed" else 4
    print(f"1..{len(sys.argv[first:])}", flush=True)
    if sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif sys.argv[1] == "captured":
        captured(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        resumed(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
