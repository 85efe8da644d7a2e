// SPDX-License-Identifier: GPL-2.0
/* Following a soak stream: see soak_check.h. */
#include <string.h>
#include "soak_check.h"

const char *soak_break_name(enum soak_break kind)
{
	static const char *const names[] = {
		[SOAK_GAP] = "gap",
		[SOAK_REPEAT] = "repeat",
		[SOAK_CORRUPT] = "corrupt",
		[SOAK_FOREIGN] = "foreign",
	};

	return kind <= SOAK_FOREIGN ? names[kind] : "?";
}

static void emit(struct soak_checker *c, enum soak_break kind, uint64_t offset, uint64_t got)
{
	struct soak_event e = { kind, offset, c->expected, got };

	c->counts[kind]++;
	if (c->on_break)
		c->on_break(c->ctx, &e);
}

static uint64_t raw_frame(const uint8_t *f)
{
	return (uint64_t)f[0] | (uint64_t)f[1] << 8 | (uint64_t)f[2] << 16 | (uint64_t)f[3] << 24;
}

static bool silence(const uint8_t *f)
{
	return !(f[0] | f[1] | f[2] | f[3]);
}

/* the stream goes on from frame f at index n */
static void resume_at(struct soak_checker *c, uint64_t offset, uint64_t n)
{
	if (n != c->expected)
		emit(c, n > c->expected ? SOAK_GAP : SOAK_REPEAT, offset, n);
	c->expected = n + 1;
}

/* the held frame, at offset, judged by the frame after it (NULL: none) */
static void judge_held(struct soak_checker *c, uint64_t offset, const uint8_t *next)
{
	int64_t idx = soak_index(c->held_frame), nidx = next ? soak_index(next) : -1;

	c->held = false;
	if (nidx >= 0 && soak_unwrap(c->expected, nidx) == c->expected + 1) {
		/* the stream goes on past it: this one frame was damaged */
		emit(c, idx < 0 ? SOAK_FOREIGN : SOAK_CORRUPT, offset, raw_frame(c->held_frame));
		c->expected++;
		return;
	}
	if (idx < 0) {
		emit(c, SOAK_FOREIGN, offset, raw_frame(c->held_frame));
		return;
	}
	resume_at(c, offset, soak_unwrap(c->expected, idx));
}

/*
 * How many frames from buf on go on from index n: blocks of RUN_BLOCK
 * frames compared two frames a load, with one test a block (a stream
 * that goes on is the common case, and under icount the guest's every
 * instruction costs wall time), then a word compare each from the block
 * that breaks.
 */
#define RUN_BLOCK	64
static uint64_t run_length(const uint8_t *buf, uint64_t frames, uint64_t n)
{
	uint64_t i = 0, j, until = soak_until_wrap(n), pair, v, diff;
	uint32_t w;

	pair = soak_pair(n);
	for (; i + RUN_BLOCK <= frames && i + RUN_BLOCK <= until; i += RUN_BLOCK) {
		diff = 0;
		for (j = 0; j < RUN_BLOCK; j += 2, pair += SOAK_PAIR_STEP) {
			memcpy(&v, buf + (i + j) * SOAK_FRAME_BYTES, sizeof(v));
			diff |= v ^ pair;
		}
		if (diff)
			break;
	}
	for (; i < frames; i++) {
		memcpy(&w, buf + i * SOAK_FRAME_BYTES, sizeof(w));
		if (w != soak_word(n + i))
			break;
	}
	return i;
}

void soak_check_frames(struct soak_checker *c, const uint8_t *buf, uint64_t frames)
{
	uint64_t i, run;

	for (i = 0; i < frames; i++, c->frames++) {
		const uint8_t *f = buf + i * SOAK_FRAME_BYTES;
		int64_t idx;

		/* the common case, the stream going on, takes the fast path */
		if (c->started && !c->held) {
			run = run_length(f, frames - i, c->expected);
			c->expected += run;
			c->frames += run;
			i += run;
			if (i == frames)
				break;
			f = buf + i * SOAK_FRAME_BYTES;
		}

		if (c->held)
			judge_held(c, c->frames - 1, f);
		if (silence(f)) {
			c->silent++;
			continue;
		}
		idx = soak_index(f);
		if (!c->started && idx >= 0) {
			c->started = true;
			c->first = idx;
			c->expected = idx + 1;
			continue;
		}
		if (idx >= 0 && soak_unwrap(c->expected, idx) == c->expected) {
			c->expected++;
			continue;
		}
		c->held = true;
		memcpy(c->held_frame, f, SOAK_FRAME_BYTES);
	}
}

void soak_check_end(struct soak_checker *c)
{
	if (c->held)
		judge_held(c, c->frames - 1, NULL);
}
