/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The soak's known data, for the guest's player and capture check
 * (pcm-soak.c) and the host's generator and recording check
 * (soak-stream.c): frame n of a stream is its index, S16_LE stereo, the
 * left sample n's low 16 bits and the right the next 15 with the top bit
 * set, so no frame is silence and a frame names its place in the stream
 * (modulo SOAK_INDEX_SPAN, 12.4 hours at 48 kHz: a reader follows the
 * stream and keeps the full count itself).
 */
#ifndef SOAK_PATTERN_H
#define SOAK_PATTERN_H

#include <stdint.h>
#include <string.h>

#define SOAK_RATE		48000
#define SOAK_CHANNELS		2
#define SOAK_FRAME_BYTES	4
#define SOAK_INDEX_BITS		31
#define SOAK_INDEX_SPAN		(1ULL << SOAK_INDEX_BITS)
#define SOAK_MARK		0x8000u

/*
 * Frame n as one 32-bit word in the machine's order: stored as it is, its
 * bytes are the frame (the left sample first, each little-endian) on a
 * little-endian machine, which the test machine and its host are.
 */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "soak_word() is a frame's bytes on a little-endian machine only"
#endif
static inline uint32_t soak_word(uint64_t n)
{
	return (uint32_t)(SOAK_MARK | ((n >> 16) & 0x7fff)) << 16 | (uint32_t)(n & 0xffff);
}

/*
 * Frames from index n on before the index wraps (SOAK_INDEX_SPAN): up to
 * there soak_word(n + i) is soak_word(n) + i, so the fast paths step a
 * word instead of building each.
 */
static inline uint64_t soak_until_wrap(uint64_t n)
{
	return SOAK_INDEX_SPAN - (n & (SOAK_INDEX_SPAN - 1));
}

/* Two frames, n and n + 1, as one 64-bit word (n + 1 must not wrap). */
#define SOAK_PAIR_STEP		(2ULL << 32 | 2)
static inline uint64_t soak_pair(uint64_t n)
{
	return (uint64_t)(soak_word(n) + 1) << 32 | soak_word(n);
}

/*
 * Frames n, n + 1, ... into buf: two a store.  The guest's player fills
 * every frame it plays, and under icount each instruction costs wall time.
 */
static inline void soak_fill(uint8_t *buf, uint64_t n, uint64_t frames)
{
	uint64_t until = soak_until_wrap(n), pair, i = 0;
	uint32_t w;

	if (until > 1) {
		pair = soak_pair(n);
		for (; i + 2 <= frames && i + 2 <= until; i += 2, pair += SOAK_PAIR_STEP)
			memcpy(buf + i * SOAK_FRAME_BYTES, &pair, sizeof(pair));
	}
	for (; i < frames; i++) {
		w = soak_word(n + i);
		memcpy(buf + i * SOAK_FRAME_BYTES, &w, sizeof(w));
	}
}

/* The index a frame holds (modulo SOAK_INDEX_SPAN), or -1: not ours. */
static inline int64_t soak_index(const uint8_t in[SOAK_FRAME_BYTES])
{
	uint16_t left = in[0] | in[1] << 8, right = in[2] | in[3] << 8;

	if (!(right & SOAK_MARK))
		return -1;
	return (int64_t)(right & 0x7fff) << 16 | left;
}

/* The full index of a frame that reads idx, the nearest to expected. */
static inline uint64_t soak_unwrap(uint64_t expected, int64_t idx)
{
	uint64_t base = expected & ~(SOAK_INDEX_SPAN - 1), n = base | (uint64_t)idx;

	if (n + SOAK_INDEX_SPAN / 2 < expected)
		n += SOAK_INDEX_SPAN;
	else if (n > expected + SOAK_INDEX_SPAN / 2 && n >= SOAK_INDEX_SPAN)
		n -= SOAK_INDEX_SPAN;
	return n;
}

#endif
