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

#define SOAK_RATE		48000
#define SOAK_CHANNELS		2
#define SOAK_FRAME_BYTES	4
#define SOAK_INDEX_BITS		31
#define SOAK_INDEX_SPAN		(1ULL << SOAK_INDEX_BITS)
#define SOAK_MARK		0x8000u

static inline void soak_frame(uint64_t n, uint8_t out[SOAK_FRAME_BYTES])
{
	uint16_t left = n & 0xffff, right = SOAK_MARK | ((n >> 16) & 0x7fff);

	out[0] = left & 0xff;
	out[1] = left >> 8;
	out[2] = right & 0xff;
	out[3] = right >> 8;
}

/*
 * Frame n as one 32-bit word in the machine's order, for the fast paths
 * (a word stored or compared per frame): the bytes soak_frame() writes on
 * a little-endian machine, which the test machine and its host are.
 */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "soak_word() gives soak_frame()'s bytes on a little-endian machine only"
#endif
static inline uint32_t soak_word(uint64_t n)
{
	return (uint32_t)(SOAK_MARK | ((n >> 16) & 0x7fff)) << 16 | (uint32_t)(n & 0xffff);
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
