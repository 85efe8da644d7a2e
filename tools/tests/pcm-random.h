/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an application may ask of a PCM, at random: pcm-fuzz's rounds and
 * the soak's stream restarts (tools/soak/pcm-soak.c) draw their shapes
 * from these.  xorshift64*: the same state gives the same draws on every
 * machine.  Header only, with no ALSA header, as pcm-fuzz-raw.c speaks the
 * kernel's structures and cannot include alsa-lib's.
 */
#ifndef PCM_RANDOM_H
#define PCM_RANDOM_H

#include <stdint.h>

/* the accesses pcm_random_access() picks from, in its order */
enum pcm_random_access {
	PCM_RANDOM_RW_INTERLEAVED,
	PCM_RANDOM_MMAP_INTERLEAVED,
	PCM_RANDOM_RW_NONINTERLEAVED,
	PCM_RANDOM_MMAP_NONINTERLEAVED,
};

/* *state must not be 0 */
static inline uint64_t pcm_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

static inline unsigned int pcm_random_pick(uint64_t *state, unsigned int n)
{
	return n ? pcm_random(state) % n : 0;
}

static inline int pcm_random_chance(uint64_t *state, unsigned int percent)
{
	return pcm_random_pick(state, 100) < percent;
}

/* Mostly interleaved, read and written or mapped; sometimes not. */
static inline enum pcm_random_access pcm_random_access(uint64_t *state)
{
	return pcm_random_chance(state, 80) ? pcm_random_pick(state, 2) :
					      pcm_random_pick(state, 4);
}

/* Mostly a rate applications ask for, sometimes anything. */
static inline unsigned int pcm_random_rate(uint64_t *state)
{
	static const unsigned int rates[] = {
		8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000, 192000,
	};

	return pcm_random_chance(state, 80) ?
	       rates[pcm_random_pick(state, sizeof(rates) / sizeof(rates[0]))] :
	       pcm_random_pick(state, 400000);
}

/*
 * A period or buffer size in frames: mostly a power of two up to 8 Ki, as
 * applications ask; the rest anything up to 128 Ki (seconds of guest time
 * per period)
 */
static inline unsigned long pcm_random_frames(uint64_t *state)
{
	if (pcm_random_chance(state, 60))
		return 1UL << pcm_random_pick(state, 14);
	return pcm_random_chance(state, 70) ? pcm_random_pick(state, 1 << 14) :
					      pcm_random_pick(state, 1 << 17);
}

/* A buffer for a period: mostly a whole number of periods, up to 64. */
static inline unsigned long pcm_random_buffer(uint64_t *state, unsigned long period)
{
	return pcm_random_chance(state, 70) ? period * (1 + pcm_random_pick(state, 64)) :
					      pcm_random_frames(state);
}

#endif
