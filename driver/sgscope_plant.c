// SPDX-License-Identifier: GPL-2.0
/*
 * Defects planted on purpose through debugfs, for the soak (tools/soak,
 * docs/soak.md) to find: each is a bug of a kind its checks exist for,
 * made from the interrupt handler where such bugs live.
 *
 *   plant_leak_every  a page allocated and never freed every N periods
 *                     of the card's streams: no object tracks it, only
 *                     the memory trend shows it
 *   plant_silence     the next N playback periods the application has
 *                     queued past the one playing are overwritten with
 *                     silence before the device fetches them: lost, and
 *                     the application is not told
 *   plant_corrupt     one byte of each of the next N captured periods is
 *                     flipped before the application can read it
 *
 * What was planted is counted in the card's counters file.
 */
#include <linux/gfp.h>
#include <linux/math64.h>
#include <sound/pcm.h>
#include "sgscope.h"

/* plant_corrupt flips these bits of a sample's high byte */
#define SGSCOPE_PLANT_CORRUPT_BITS	0x40

static void sgscope_plant_leak(struct sgscope_chip *chip, unsigned int periods)
{
	u32 every = READ_ONCE(chip->plant.leak_every);
	u64 after;

	if (!every)
		return;
	after = atomic64_add_return(periods, &chip->plant.periods);
	if (div_u64(after, every) == div_u64(after - periods, every))
		return;
	/* the leak: allocated and never freed, referenced by nothing */
	if (alloc_page(GFP_ATOMIC | __GFP_NOWARN))
		atomic64_inc(&chip->counters.planted_leaked_pages);
}

/*
 * The period after the one the device plays, silenced if the application
 * has queued all of it: the device fetches it a period from now at the
 * soonest.  Otherwise (a buffer of two periods, or a short queue) the
 * plant waits for a later interrupt.
 */
static void sgscope_plant_silence(struct sgscope_chip *chip,
				  struct sgscope_stream *st,
				  struct snd_pcm_runtime *runtime,
				  unsigned int pos)
{
	snd_pcm_uframes_t appl = READ_ONCE(runtime->control->appl_ptr);
	snd_pcm_uframes_t last = runtime->status->hw_ptr;
	snd_pcm_uframes_t hw, next, lap = runtime->buffer_size;
	snd_pcm_uframes_t period = runtime->period_size;

	if (atomic_read(&chip->plant.silence) <= 0 || lap < 3 * period)
		return;
	/* the device's position as an absolute frame, from the last one seen */
	hw = last - last % lap + bytes_to_frames(runtime, pos);
	if (hw < last)
		hw += lap;
	next = (hw / period + 1) * period;
	if (appl < next + period || atomic_dec_if_positive(&chip->plant.silence) < 0)
		return;
	snd_pcm_format_set_silence(runtime->format,
				   runtime->dma_area + frames_to_bytes(runtime, next % lap),
				   period * runtime->channels);
	sgscope_buffer_sync(st, chip->dev, true);
	atomic64_inc(&chip->counters.planted_silenced_periods);
}

/*
 * A byte of what the device has captured since ALSA last read its
 * position: no read can have reached those frames yet (a read copies up
 * to that pointer), so the application will read the flipped byte.  The
 * stream's lock keeps a read's pointer update out meanwhile, and the
 * device's position is read under it too (as the pointer callback reads
 * it), so that the pointer cannot have passed it.  When there is none (a
 * read just caught the pointer up), a later period plants it.
 */
static void sgscope_plant_corrupt(struct sgscope_chip *chip,
				  struct sgscope_engine *engine,
				  struct sgscope_stream *st,
				  struct snd_pcm_substream *substream)
{
	struct snd_pcm_runtime *runtime = substream->runtime;
	snd_pcm_uframes_t lap = runtime->buffer_size, seen, ahead;
	unsigned long flags;
	unsigned int pos;
	size_t at;

	snd_pcm_stream_lock_irqsave(substream, flags);
	pos = sgscope_engine_position(chip, engine, st);
	seen = runtime->status->hw_ptr % lap;
	ahead = (bytes_to_frames(runtime, pos) + lap - seen) % lap;
	if (ahead && atomic_dec_if_positive(&chip->plant.corrupt) >= 0) {
		at = frames_to_bytes(runtime, (seen + ahead / 2) % lap);
		/* an odd offset: the high byte of a 16-bit little-endian sample */
		runtime->dma_area[at + 1] ^= SGSCOPE_PLANT_CORRUPT_BITS;
		atomic64_inc(&chip->counters.planted_corrupted_bytes);
	}
	snd_pcm_stream_unlock_irqrestore(substream, flags);
}

/*
 * From the interrupt handler, once @periods periods of @st ended, before
 * ALSA hears of them (a capture's buffer already synced for the CPU).
 */
void sgscope_plant_period(struct sgscope_chip *chip,
			  struct sgscope_engine *engine,
			  struct sgscope_stream *st,
			  struct snd_pcm_substream *substream,
			  unsigned int periods)
{
	sgscope_plant_leak(chip, periods);
	if (atomic_read(&chip->plant.silence) <= 0 &&
	    atomic_read(&chip->plant.corrupt) <= 0)
		return;
	if (st->direction == SNDRV_PCM_STREAM_PLAYBACK)
		sgscope_plant_silence(chip, st, substream->runtime,
				      sgscope_engine_position(chip, engine, st));
	else
		sgscope_plant_corrupt(chip, engine, st, substream);
}
