#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# snd-sgscope in the test machine: bit-exact playback through every PCM in
# read/write and mmap mode, a chunked buffer that overflows the 32-slot ring,
# capture, the error cases, unbind/bind under playback, kmemleak.
source "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
work="$tmp/work"
mkdir -p "$work"

if ! gcc -O2 -Wall -Werror -o "$work/pcm-checks" "$repo/tools/tests/pcm-checks.c" -lasound; then
	fail "driver: pcm-checks builds"
	finish
fi

# Distinct seeded noise per play, padded with silence (QEMU drops the last
# milliseconds it fetched when the engine stops).
python3 - "$work" <<'PY'
import random, sys, wave
out = sys.argv[1]
def noise(name, seed, seconds, pad=0.25):
    rnd = random.Random(seed)
    frames = int(48000 * seconds)
    data = bytes(rnd.getrandbits(8) for _ in range(frames * 4))
    with open(f"{out}/{name}.raw", "wb") as f:
        f.write(data)
    w = wave.open(f"{out}/{name}.wav", "wb")
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(48000)
    w.writeframes(data + bytes(int(48000 * pad) * 4))
    w.close()
seed = 1
for pcm in range(4):
    for mode in ("rw", "mmap"):
        noise(f"in-pcm{pcm}-{mode}", seed, 0.5); seed += 1
noise("in-chunked", 99, 1.0)
noise("short", 7, 0.3, pad=0)
PY

# Boot 1: playback recorded by the device's --wav output.
"$vm" --results "$work" --console "$tmp/console-play.log" --wav "$tmp/out.wav" \
	--timeout 600 -- sh "$repo/tools/tests/guest/play.sh" "$work"
rc=$?
expect "driver: the playback run completes" 0 "$rc"
python3 - "$work" "$tmp/out.wav" <<'PY'
import sys, wave
work, wav = sys.argv[1], sys.argv[2]
try:
    w = wave.open(wav)
    rec = w.readframes(w.getnframes())
except Exception as e:
    rec = b""
    print(f"# cannot read {wav}: {e}")
names = [f"in-pcm{p}-{m}" for p in range(4) for m in ("rw", "mmap")] + ["in-chunked"]
for name in names:
    data = open(f"{work}/{name}.raw", "rb").read()
    at = rec.find(data)
    label = name.replace("in-", "").replace("chunked", "pcm1 chunked (>32 descriptors)")
    if at >= 0 and at % 4 == 0:
        print(f"ok - play: {label} recorded bit for bit")
    else:
        print(f"not ok - play: {label} recorded bit for bit")
PY

# Boot 2: capture, error cases, unbind/bind, kmemleak, kernel log.
"$vm" --results "$work" --console "$tmp/console-checks.log" --timeout 900 \
	-- sh "$repo/tools/tests/guest/driver-checks.sh" "$work"
rc=$?
[ "$rc" -lt 124 ] || fail "driver: the checks run completes (tools/vm exit $rc)"
finish
