// SPDX-License-Identifier: GPL-2.0
/*
 * The bus-master engines: reset, the 32-slot ring fed from the descriptor
 * list, start and stop, the position exact to the frame, and the interrupt
 * that refills the ring and reports periods.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include "sgscope.h"
#include "sgscope_compat.h"
#include "sgscope_trace.h"

struct sgscope_engine *sgscope_stream_engine(struct sgscope_stream *st)
{
	return &st->chip->engines[st->direction == SNDRV_PCM_STREAM_PLAYBACK ?
				  SGSCOPE_ENGINE_PO : SGSCOPE_ENGINE_PI];
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_stream_engine);

static void __iomem *sgscope_engine_reg(struct sgscope_chip *chip,
					struct sgscope_engine *engine,
					unsigned int reg)
{
	return chip->nabm + engine->base + reg;
}

/*
 * Stop the register block at base and reset its registers (this also
 * clears BDBAR): the controller clears RR when the reset is done.  Sleeps
 * while it polls, so never under chip->lock.
 */
static void sgscope_block_reset(struct sgscope_chip *chip, unsigned int base)
{
	void __iomem *cr = chip->nabm + base + SGSCOPE_REG_CR;
	int i;

	iowrite8(0, cr);
	iowrite8(SGSCOPE_CR_RR, cr);
	for (i = 0; i < SGSCOPE_POLLS && (ioread8(cr) & SGSCOPE_CR_RR); i++)
		usleep_range(SGSCOPE_POLL_US, 2 * SGSCOPE_POLL_US);
	if (ioread8(cr) & SGSCOPE_CR_RR)
		dev_warn(chip->dev, "bus-master block %#x still in reset\n", base);
	iowrite16(SGSCOPE_SR_CLEAR, chip->nabm + base + SGSCOPE_REG_SR);
}

void sgscope_engine_reset(struct sgscope_chip *chip,
			  struct sgscope_engine *engine)
{
	unsigned long flags;

	/* from here the interrupt handler leaves the engine's ring alone */
	spin_lock_irqsave(&chip->lock, flags);
	engine->running = false;
	spin_unlock_irqrestore(&chip->lock, flags);
	sgscope_block_reset(chip, engine->base);
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_engine_reset);

static void sgscope_write_slot(void *ctx, unsigned int slot,
			       const struct sgscope_desc *desc,
			       unsigned int entry)
{
	struct sgscope_engine *engine = ctx;
	struct sgscope_chip *chip = engine->active->chip;
	u32 ctl = desc->bytes / 2;	/* the length counts 16-bit samples */

	if (desc->ioc)
		ctl |= SGSCOPE_BD_IOC;
	engine->bdl[slot * 2] = cpu_to_le32(desc->addr);
	engine->bdl[slot * 2 + 1] = cpu_to_le32(ctl);
	trace_sgscope_desc(chip->card->number, engine->id, slot, entry,
			   desc->addr, desc->bytes, desc->ioc);
}

/*
 * From the interrupt handler: refill the slots the engine has finished and
 * report periods.  LVBCI means the engine ran out of entries and halted:
 * the refill came too late, an xrun.
 */
void sgscope_engine_interrupt(struct sgscope_chip *chip,
			      struct sgscope_engine *engine)
{
	struct snd_pcm_substream *substream = NULL;
	struct sgscope_stream *st = NULL;
	unsigned int periods = 0, refills = 0;
	bool xrun = false;
	u8 civ = 0, lvi = 0;
	u16 sr;

	spin_lock(&chip->lock);
	sr = ioread16(sgscope_engine_reg(chip, engine, SGSCOPE_REG_SR));
	iowrite16(sr & SGSCOPE_SR_CLEAR,
		  sgscope_engine_reg(chip, engine, SGSCOPE_REG_SR));
	if (engine->running && engine->active) {
		st = engine->active;
		substream = st->substream;
		civ = ioread8(sgscope_engine_reg(chip, engine, SGSCOPE_REG_CIV));
		if (sr & SGSCOPE_SR_LVBCI) {
			xrun = true;
		} else {
			u8 before = engine->ring.civ_seen;

			periods = sgscope_ring_advance(&engine->ring, civ,
						       sgscope_write_slot, engine);
			refills = (civ + SGSCOPE_RING_SLOTS - before) %
				  SGSCOPE_RING_SLOTS;
			/* slots written before the engine may see LVI move */
			wmb();
			iowrite8(engine->ring.lvi,
				 sgscope_engine_reg(chip, engine, SGSCOPE_REG_LVI));
		}
		lvi = engine->ring.lvi;
	}
	spin_unlock(&chip->lock);

	trace_sgscope_irq(chip->card->number, engine->id, sr, civ, lvi, periods);
	atomic64_add(refills, &chip->counters.refills);
	atomic64_add(periods, &engine->periods);
	if (!substream)
		return;
	if (xrun) {
		atomic64_inc(&chip->counters.xruns);
		snd_pcm_stop_xrun(substream);
		return;
	}
	if (periods) {
		if (st->direction == SNDRV_PCM_STREAM_CAPTURE)
			sgscope_buffer_sync(st, chip->dev, false);
		sgscope_plant_period(chip, engine, st, substream, periods);
		snd_pcm_period_elapsed(substream);
	}
}

/* Reset the engine and queue the first 32 entries of @st's list. */
void sgscope_engine_prepare(struct sgscope_chip *chip,
			    struct sgscope_engine *engine,
			    struct sgscope_stream *st)
{
	unsigned long flags;

	sgscope_engine_reset(chip, engine);
	spin_lock_irqsave(&chip->lock, flags);
	iowrite32(engine->bdl_addr,
		  sgscope_engine_reg(chip, engine, SGSCOPE_REG_BDBAR));
	sgscope_ring_start(&engine->ring, st->descs, st->ndescs,
			   sgscope_write_slot, engine);
	/* all 32 slots in memory before LVI says they are valid */
	wmb();
	iowrite8(engine->ring.lvi, sgscope_engine_reg(chip, engine, SGSCOPE_REG_LVI));
	spin_unlock_irqrestore(&chip->lock, flags);
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_engine_prepare);

void sgscope_engine_start(struct sgscope_chip *chip,
			  struct sgscope_engine *engine)
{
	unsigned long flags;

	spin_lock_irqsave(&chip->lock, flags);
	engine->running = true;
	/* the engine fetches slot 0 when RPBM goes on: write CR once */
	iowrite8(SGSCOPE_CR_RPBM | SGSCOPE_CR_IOCE | SGSCOPE_CR_LVBIE |
		 SGSCOPE_CR_FEIE, sgscope_engine_reg(chip, engine, SGSCOPE_REG_CR));
	spin_unlock_irqrestore(&chip->lock, flags);
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_engine_start);

void sgscope_engine_stop(struct sgscope_chip *chip,
			 struct sgscope_engine *engine)
{
	unsigned long flags;

	spin_lock_irqsave(&chip->lock, flags);
	engine->running = false;
	iowrite8(0, sgscope_engine_reg(chip, engine, SGSCOPE_REG_CR));
	spin_unlock_irqrestore(&chip->lock, flags);
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_engine_stop);

/*
 * After a stop, in process context: sleep until the engine says its bus
 * master halted (SR.DCH), so that the buffer it read or wrote can go.
 * Bounded: a message and -EBUSY when it does not halt.
 */
int sgscope_engine_wait_halted(struct sgscope_chip *chip,
			       struct sgscope_engine *engine)
{
	int i;

	for (i = 0; i < SGSCOPE_POLLS; i++) {
		if (ioread16(sgscope_engine_reg(chip, engine, SGSCOPE_REG_SR)) &
		    SGSCOPE_SR_DCH)
			return 0;
		usleep_range(SGSCOPE_POLL_US, 2 * SGSCOPE_POLL_US);
	}
	dev_warn(chip->dev, "%s engine still running %d us after stop\n",
		 engine->id == SGSCOPE_ENGINE_PO ? "playback" : "capture",
		 SGSCOPE_POLLS * SGSCOPE_POLL_US);
	return -EBUSY;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_engine_wait_halted);

/* Buffer offset in bytes, exact to the frame: slot CIV's entry less PICB. */
unsigned int sgscope_engine_position(struct sgscope_chip *chip,
				     struct sgscope_engine *engine,
				     struct sgscope_stream *st)
{
	unsigned int pos = 0;
	unsigned long flags;
	u8 civ, again;
	u16 picb;
	int tries;

	spin_lock_irqsave(&chip->lock, flags);
	if (engine->running) {
		/* CIV and PICB are two reads: retry if the entry changed between */
		for (tries = 0; tries < 8; tries++) {
			civ = ioread8(sgscope_engine_reg(chip, engine, SGSCOPE_REG_CIV));
			picb = ioread16(sgscope_engine_reg(chip, engine, SGSCOPE_REG_PICB));
			again = ioread8(sgscope_engine_reg(chip, engine, SGSCOPE_REG_CIV));
			if (civ == again)
				break;
		}
		pos = sgscope_ring_position(&engine->ring, civ, picb);
	}
	spin_unlock_irqrestore(&chip->lock, flags);
	return pos;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_engine_position);

void sgscope_engines_stop(struct sgscope_chip *chip)
{
	static const unsigned int bases[] = {
		SGSCOPE_PI_BASE, SGSCOPE_PO_BASE, SGSCOPE_MC_BASE,
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(bases); i++)
		sgscope_block_reset(chip, bases[i]);
}

int sgscope_engines_init(struct sgscope_chip *chip)
{
	static const struct {
		unsigned int base;
		u32 bit;
	} layout[SGSCOPE_NUM_ENGINES] = {
		[SGSCOPE_ENGINE_PI] = { SGSCOPE_PI_BASE, SGSCOPE_GLOB_STA_PIINT },
		[SGSCOPE_ENGINE_PO] = { SGSCOPE_PO_BASE, SGSCOPE_GLOB_STA_POINT },
	};
	int i;

	for (i = 0; i < SGSCOPE_NUM_ENGINES; i++) {
		struct sgscope_engine *engine = &chip->engines[i];

		engine->id = i;
		engine->base = layout[i].base;
		engine->glob_sta_bit = layout[i].bit;
		engine->bdl = dmam_alloc_coherent(chip->dev,
						  SGSCOPE_RING_SLOTS * 8,
						  &engine->bdl_addr, GFP_KERNEL);
		if (!engine->bdl)
			return -ENOMEM;
	}
	sgscope_engines_stop(chip);
	return 0;
}

