// SPDX-License-Identifier: GPL-2.0
/*
 * The descriptor list of a buffer and the 32-slot ring that feeds it to the
 * engine.  Pure functions of a chunk layout and of register values, so that
 * KUnit can check them without hardware.
 */
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include "sgscope.h"
#include "sgscope_compat.h"

/*
 * Split the buffer into entries that never cross a chunk boundary, a period
 * end or SGSCOPE_DESC_MAX_BYTES, and mark IOC at every period end (and every
 * SGSCOPE_REFILL_EVERY entries inside long periods, so the ring refills).
 * With @out NULL only count.  Returns the number of entries or -errno.
 */
int sgscope_bdl_build(const struct sgscope_layout *layout,
		      unsigned int buffer_bytes, unsigned int period_bytes,
		      struct sgscope_desc *out, unsigned int max_out)
{
	unsigned int ofs = 0, chunk = 0, chunk_start = 0, n = 0, since_ioc = 0;

	if (!buffer_bytes || !period_bytes ||
	    buffer_bytes % SGSCOPE_FRAME_BYTES ||
	    period_bytes % SGSCOPE_FRAME_BYTES ||
	    buffer_bytes % period_bytes)
		return -EINVAL;

	while (ofs < buffer_bytes) {
		const struct sgscope_chunk *c;
		unsigned int len, period_left;
		u64 addr;

		/* skip to the chunk holding ofs */
		while (chunk < layout->count &&
		       ofs >= chunk_start + layout->chunks[chunk].bytes) {
			chunk_start += layout->chunks[chunk].bytes;
			chunk++;
		}
		if (chunk >= layout->count)
			return -EINVAL;	/* chunks shorter than the buffer */
		c = &layout->chunks[chunk];
		if (c->bytes % SGSCOPE_FRAME_BYTES)
			return -EINVAL;	/* an entry would end mid-frame */

		period_left = period_bytes - ofs % period_bytes;
		len = min3(chunk_start + c->bytes - ofs, period_left,
			   (unsigned int)SGSCOPE_DESC_MAX_BYTES);
		len = min(len, buffer_bytes - ofs);
		addr = (u64)c->addr + (ofs - chunk_start);
		if (addr + len > BIT_ULL(32))
			return -ERANGE;	/* the engine takes 32-bit addresses */

		if (out) {
			struct sgscope_desc *d;

			if (n >= max_out)
				return -ENOSPC;
			d = &out[n];
			d->addr = addr;
			d->bytes = len;
			d->offset = ofs;
			d->period_end = len == period_left;
			since_ioc++;
			d->ioc = d->period_end || since_ioc >= SGSCOPE_REFILL_EVERY;
			if (d->ioc)
				since_ioc = 0;
		}
		n++;
		ofs += len;
	}
	return n;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_bdl_build);

/* Fill all 32 slots with the first entries (lapping a short list). */
void sgscope_ring_start(struct sgscope_ring *ring,
			const struct sgscope_desc *list, unsigned int count,
			sgscope_slot_writer write, void *ctx)
{
	unsigned int slot;

	ring->list = list;
	ring->count = count;
	ring->next_entry = 0;
	for (slot = 0; slot < SGSCOPE_RING_SLOTS; slot++) {
		ring->slot_entry[slot] = ring->next_entry;
		write(ctx, slot, &list[ring->next_entry], ring->next_entry);
		ring->next_entry = (ring->next_entry + 1) % count;
	}
	ring->civ_seen = 0;
	ring->lvi = SGSCOPE_RING_SLOTS - 1;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_ring_start);

/*
 * The engine now sits in slot @civ: every slot between the last seen CIV and
 * @civ has completed.  Refill each with the next entry of the list (the
 * engine fetches a slot only when it enters it) and make it the last valid
 * one, so 31 entries stay queued.  Returns how many periods completed.
 */
unsigned int sgscope_ring_advance(struct sgscope_ring *ring, u8 civ,
				  sgscope_slot_writer write, void *ctx)
{
	unsigned int periods = 0;

	civ %= SGSCOPE_RING_SLOTS;
	while (ring->civ_seen != civ) {
		unsigned int slot = ring->civ_seen;

		if (ring->list[ring->slot_entry[slot]].period_end)
			periods++;
		ring->slot_entry[slot] = ring->next_entry;
		write(ctx, slot, &ring->list[ring->next_entry], ring->next_entry);
		ring->next_entry = (ring->next_entry + 1) % ring->count;
		ring->lvi = slot;
		ring->civ_seen = (slot + 1) % SGSCOPE_RING_SLOTS;
	}
	return periods;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_ring_advance);

/*
 * Buffer offset in bytes of the engine at slot @civ with @picb samples left
 * in that slot's entry: exact to the frame, and 0 again at the buffer's end.
 */
unsigned int sgscope_ring_position(const struct sgscope_ring *ring, u8 civ,
				   u16 picb)
{
	const struct sgscope_desc *d =
		&ring->list[ring->slot_entry[civ % SGSCOPE_RING_SLOTS]];
	const struct sgscope_desc *last = &ring->list[ring->count - 1];
	unsigned int left = min_t(unsigned int, picb * 2u, d->bytes);
	unsigned int pos = d->offset + d->bytes - left;

	return pos < last->offset + last->bytes ? pos : 0;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_ring_position);
