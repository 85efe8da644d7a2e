#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of playback.py's suspend check (resumed): a clip cut by a
suspend passes when its two parts are there in order, or when the clip
is there whole and the guest traced an xrun in the suspend (the stream
ran dry before the suspend reached the driver); a replay, a lost end, a
short part or a whole clip without an xrun fails."""
import contextlib, io, os, random, sys, tempfile, unittest, wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import playback  # noqa: E402

FRAME, RATE = playback.FRAME, playback.RATE


class Resumed(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        rnd = random.Random(1)
        self.clip = bytes(rnd.getrandbits(8) for _ in range(3 * RATE * FRAME))
        with open(f"{self.dir.name}/in-suspend-pcm2.raw", "wb") as f:
            f.write(self.clip)

    def tearDown(self):
        self.dir.cleanup()

    def verdict(self, recorded, xruns=0):
        """resumed()'s line for a recording holding RECORDED between
        silences, the guest having traced XRUNS on pcm2 in the suspend"""
        out = f"{self.dir.name}/suspend.out"
        with open(out, "w") as f:
            f.write(f"ok - suspend: pcm2 plays on\n# pcm1: 1 xruns in the suspend cycle\n"
                    f"# pcm2: {xruns} xruns in the suspend cycle\n")
        wav = f"{self.dir.name}/rec.wav"
        with wave.open(wav, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(bytes(RATE * FRAME) + recorded + bytes(RATE * FRAME))
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            playback.resumed(self.dir.name, wav, out, ["in-suspend-pcm2=suspend: pcm2"])
        return printed.getvalue()

    def frames(self, a, b):
        return self.clip[a * FRAME:b * FRAME]

    def test_parts_with_a_gap_pass(self):
        line = self.verdict(self.frames(0, RATE) + self.frames(RATE + 9600, 3 * RATE))
        self.assertTrue(line.startswith("ok - "), line)
        self.assertIn("48000 frames before", line)

    def test_whole_clip_after_an_xrun_passes(self):
        line = self.verdict(self.clip, xruns=1)
        self.assertTrue(line.startswith("ok - "), line)
        self.assertIn("ran dry", line)

    def test_whole_clip_without_an_xrun_fails(self):
        line = self.verdict(self.clip)
        self.assertTrue(line.startswith("not ok - "), line)
        self.assertIn("no xrun traced", line)

    def test_replayed_frames_fail(self):
        line = self.verdict(self.frames(0, RATE) + self.frames(RATE - 4800, 3 * RATE))
        self.assertTrue(line.startswith("not ok - "), line)

    def test_lost_end_fails(self):
        line = self.verdict(self.frames(0, 2 * RATE))
        self.assertTrue(line.startswith("not ok - "), line)

    def test_short_part_fails(self):
        line = self.verdict(self.frames(0, RATE // 10) + self.frames(RATE, 3 * RATE))
        self.assertTrue(line.startswith("not ok - "), line)

    def test_empty_recording_fails(self):
        line = self.verdict(b"")
        self.assertTrue(line.startswith("not ok - "), line)


if __name__ == "__main__":
    unittest.main()
