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
"""
import random
import sys
import wave

RATE, FRAME = 48000, 4


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


def check(work, wav, names):
    try:
        w = wave.open(wav)
        rec = w.readframes(w.getnframes())
    except (OSError, EOFError, wave.Error) as e:
        rec = b""
        print(f"# cannot read {wav}: {e}")
    for arg in names:
        name, label = arg.split("=", 1)
        with open(f"{work}/{name}.raw", "rb") as f:
            data = f.read()
        at = rec.find(data)
        ok = "ok" if data and at >= 0 and at % FRAME == 0 else "not ok"
        print(f"{ok} - {label} recorded bit for bit")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("make", "check"):
        sys.exit(__doc__)
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3:])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4:])
