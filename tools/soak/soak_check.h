/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Following a soak stream (soak_pattern.h) frame by frame: every frame
 * either continues it, is silence, or breaks it.  A break is a gap
 * (frames missing: the stream skipped ahead), a repeat (it went back:
 * stale frames played again) or one corrupted frame (the frame after it
 * continues the stream), each at its offset in what was read.
 */
#ifndef SOAK_CHECK_H
#define SOAK_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include "soak_pattern.h"

enum soak_break {
	SOAK_GAP,
	SOAK_REPEAT,
	SOAK_CORRUPT,
	SOAK_FOREIGN,	/* neither silence nor a frame of the stream */
};

struct soak_event {
	enum soak_break kind;
	uint64_t offset;	/* frames read before the break */
	uint64_t expected;	/* the index due there */
	uint64_t got;		/* the index found (CORRUPT, FOREIGN: raw frame) */
};

struct soak_checker {
	uint64_t frames;	/* read */
	uint64_t silent;	/* of them silence */
	uint64_t expected;	/* the index due next */
	uint64_t first;		/* the first index seen */
	bool started;
	uint64_t counts[SOAK_FOREIGN + 1];
	/* a frame that did not continue the stream, judged by the next */
	bool held;
	uint8_t held_frame[SOAK_FRAME_BYTES];
	void (*on_break)(void *ctx, const struct soak_event *e);
	void *ctx;
};

void soak_check_frames(struct soak_checker *c, const uint8_t *buf, uint64_t frames);
/* At the end: a held frame is judged on its own. */
void soak_check_end(struct soak_checker *c);
const char *soak_break_name(enum soak_break kind);

#endif
