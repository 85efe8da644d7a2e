// SPDX-License-Identifier: GPL-2.0
/*
 * The PCM devices: one per buffer strategy, each with playback on the PO
 * engine and capture on the PI engine.  The engines are shared by the four
 * devices, so one stream per direction runs at a time.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <sound/ac97_codec.h>
#include <sound/pcm_params.h>
#include "sgscope.h"
#include "sgscope_compat.h"
#include "sgscope_trace.h"

#define SGSCOPE_PERIOD_BYTES_MIN	256
#define SGSCOPE_PERIODS_MAX		1024
/*
 * QEMU's AC97 moves audio in bursts of one audio-timer period (10 ms): a
 * buffer shorter than two of them overruns or underruns on every burst
 * (a capture of 9 ms buffers overran thousands of times a second).
 */
#define SGSCOPE_BUFFER_TIME_MIN_US	20000

static struct sgscope_stream *sgscope_substream_stream(struct snd_pcm_substream *substream)
{
	struct sgscope_chip *chip = snd_pcm_substream_chip(substream);

	return &chip->streams[substream->pcm->device][substream->stream];
}

static const struct snd_pcm_hardware sgscope_pcm_hw = {
	.info = SNDRV_PCM_INFO_MMAP | SNDRV_PCM_INFO_MMAP_VALID |
		SNDRV_PCM_INFO_INTERLEAVED | SNDRV_PCM_INFO_BLOCK_TRANSFER,
	.formats = SNDRV_PCM_FMTBIT_S16_LE,
	.channels_min = 2,
	.channels_max = 2,
	.period_bytes_min = SGSCOPE_PERIOD_BYTES_MIN,
	.periods_min = 2,
	.periods_max = SGSCOPE_PERIODS_MAX,
};

static int sgscope_pcm_open(struct snd_pcm_substream *substream)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);
	struct sgscope_chip *chip = st->chip;
	struct sgscope_engine *engine = sgscope_stream_engine(st);
	struct snd_pcm_runtime *runtime = substream->runtime;
	unsigned long flags;
	int err;

	spin_lock_irqsave(&chip->lock, flags);
	if (engine->active) {
		spin_unlock_irqrestore(&chip->lock, flags);
		return -EBUSY;	/* the engine serves one device at a time */
	}
	engine->active = st;
	spin_unlock_irqrestore(&chip->lock, flags);
	st->substream = substream;

	runtime->hw = sgscope_pcm_hw;
	runtime->hw.rates = chip->ac97->rates[substream->stream ==
		SNDRV_PCM_STREAM_PLAYBACK ? AC97_RATES_FRONT_DAC : AC97_RATES_ADC];
	/* pcm0: what the core holds now (its prealloc file resizes it) */
	if (st->strategy == SGSCOPE_PREALLOC)
		runtime->hw.buffer_bytes_max = substream->dma_buffer.bytes;
	else
		runtime->hw.buffer_bytes_max = READ_ONCE(chip->knobs.max_buffer_bytes);
	runtime->hw.period_bytes_max = runtime->hw.buffer_bytes_max / 2;
	/* pcm1/2 mappings are synced in .ack: have appl_ptr moves reach it */
	if (st->strategy == SGSCOPE_VMALLOC || st->strategy == SGSCOPE_SG)
		runtime->hw.info |= SNDRV_PCM_INFO_SYNC_APPLPTR;
	err = snd_pcm_limit_hw_rates(runtime);
	if (err >= 0)
		err = snd_pcm_hw_constraint_integer(runtime,
						    SNDRV_PCM_HW_PARAM_PERIODS);
	if (err >= 0)
		err = snd_pcm_hw_constraint_minmax(runtime,
						   SNDRV_PCM_HW_PARAM_BUFFER_TIME,
						   SGSCOPE_BUFFER_TIME_MIN_US,
						   UINT_MAX);
	if (err < 0) {
		spin_lock_irqsave(&chip->lock, flags);
		engine->active = NULL;
		spin_unlock_irqrestore(&chip->lock, flags);
		st->substream = NULL;
		return err;
	}
	return 0;
}

static int sgscope_pcm_close(struct snd_pcm_substream *substream)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);
	struct sgscope_engine *engine = sgscope_stream_engine(st);
	unsigned long flags;

	spin_lock_irqsave(&st->chip->lock, flags);
	engine->active = NULL;
	spin_unlock_irqrestore(&st->chip->lock, flags);
	st->substream = NULL;
	return 0;
}

static void sgscope_trace_alloc(struct sgscope_stream *st,
				struct snd_pcm_substream *substream,
				unsigned int bytes, int err, ktime_t start)
{
	struct sgscope_chip *chip = st->chip;
	bool fell_back = st->fell_back;

	if (!trace_sgscope_alloc_enabled())
		return;
	if (st->strategy == SGSCOPE_PREALLOC)
		fell_back = chip->prealloc_got[st->direction] < bytes;
	trace_sgscope_alloc(chip->card->number, substream->pcm->device,
			    substream->stream, st->strategy, st->dma_type,
			    bytes, st->layout.count, st->layout.min_bytes,
			    st->layout.max_bytes, fell_back, err,
			    ktime_to_ns(ktime_sub(ktime_get(), start)));
}

static int sgscope_pcm_hw_free(struct snd_pcm_substream *substream)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);

	mutex_lock(&st->chip->buf_mutex);
	if (st->own_buffer)
		snd_pcm_set_runtime_buffer(substream, NULL);
	sgscope_buffer_release(st, st->chip->dev);
	mutex_unlock(&st->chip->buf_mutex);
	return 0;
}

static int sgscope_pcm_hw_params(struct snd_pcm_substream *substream,
				 struct snd_pcm_hw_params *params)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);
	struct sgscope_chip *chip = st->chip;
	struct device *dev = chip->dev;
	unsigned int bytes = params_buffer_bytes(params);
	struct snd_dma_buffer *dmab;
	/* the allocation's time is for the tracepoint alone */
	ktime_t start = trace_sgscope_alloc_enabled() ? ktime_get() : 0;
	int err;

	if (atomic_add_unless(&chip->inject.fail_hw_params, -1, 0))
		return -EIO;
	/* hw_params may come again without hw_free in between */
	sgscope_pcm_hw_free(substream);

	mutex_lock(&chip->buf_mutex);
	if (st->strategy == SGSCOPE_PREALLOC) {
		/* the core gave the managed, preallocated buffer already */
		dmab = snd_pcm_get_dma_buf(substream);
		atomic64_inc(&chip->counters.allocations);
	} else {
		err = sgscope_buffer_alloc(st, dev, bytes);
		if (err)
			goto unlock;
		snd_pcm_set_runtime_buffer(substream, &st->dmab);
		dmab = &st->dmab;
	}
	err = sgscope_buffer_setup(st, dmab, bytes, params_period_bytes(params));
	if (err) {
		if (st->own_buffer)
			snd_pcm_set_runtime_buffer(substream, NULL);
		sgscope_buffer_release(st, dev);
	} else if (st->fell_back) {
		atomic64_inc(&chip->counters.fallbacks);
	}
unlock:
	mutex_unlock(&chip->buf_mutex);
	sgscope_trace_alloc(st, substream, bytes, err, start);
	return err;
}

static int sgscope_pcm_prepare(struct snd_pcm_substream *substream)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);
	struct sgscope_chip *chip = st->chip;
	int err;

	err = snd_ac97_set_rate(chip->ac97, st->direction ==
				SNDRV_PCM_STREAM_PLAYBACK ?
				AC97_PCM_FRONT_DAC_RATE : AC97_PCM_LR_ADC_RATE,
				substream->runtime->rate);
	if (err < 0)
		return err;
	sgscope_engine_prepare(chip, sgscope_stream_engine(st), st);
	return 0;
}

static int sgscope_pcm_trigger(struct snd_pcm_substream *substream, int cmd)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);
	struct sgscope_chip *chip = st->chip;

	switch (cmd) {
	case SNDRV_PCM_TRIGGER_START:
		if (st->direction == SNDRV_PCM_STREAM_PLAYBACK)
			sgscope_buffer_sync(st, chip->dev, true);
		sgscope_engine_start(chip, sgscope_stream_engine(st));
		return 0;
	case SNDRV_PCM_TRIGGER_STOP:
	case SNDRV_PCM_TRIGGER_SUSPEND:
		sgscope_engine_stop(chip, sgscope_stream_engine(st));
		return 0;
	default:
		return -EINVAL;
	}
}

/* Before hw_free or prepare after a stop: the engine has let go of the buffer. */
static int sgscope_pcm_sync_stop(struct snd_pcm_substream *substream)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);

	return sgscope_engine_wait_halted(st->chip, sgscope_stream_engine(st));
}

static snd_pcm_uframes_t sgscope_pcm_pointer(struct snd_pcm_substream *substream)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);

	return bytes_to_frames(substream->runtime,
			       sgscope_engine_position(st->chip,
						       sgscope_stream_engine(st), st));
}

static struct page *sgscope_count_page(struct sgscope_stream *st,
				       struct snd_pcm_substream *substream,
				       unsigned long offset, struct page *page)
{
	atomic64_inc(&st->page_calls);
	atomic64_inc(&st->chip->counters.page_callbacks);
	trace_sgscope_page(st->chip->card->number, substream->pcm->device,
			   substream->stream, offset, page ? page_to_pfn(page) : 0);
	return page;
}

static struct page *sgscope_pcm_sg_page(struct snd_pcm_substream *substream,
					unsigned long offset)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);

	return sgscope_count_page(st, substream, offset,
				  sgscope_sg_page(st, offset));
}

static struct page *sgscope_pcm_vmalloc_page(struct snd_pcm_substream *substream,
					     unsigned long offset)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);
	struct sgscope_knobs *knobs = &st->chip->knobs;
	u32 delay_ns = READ_ONCE(knobs->page_delay_ns);

	/* a slower .page of known cost (debugfs page_delay_ns) */
	if (delay_ns)
		sgscope_busy_wait_ns(min_t(u32, delay_ns, SGSCOPE_PAGE_DELAY_MAX_NS));
	return sgscope_count_page(st, substream, offset,
				  sgscope_vmalloc_page(st, offset,
						       READ_ONCE(knobs->vmalloc_page)));
}

/*
 * pcm1's .mmap: a direct-mapped contiguous buffer (what DEV_SG gives on x86
 * when the contiguous attempt succeeds) is one high-order allocation whose
 * tail pages have no reference count of their own: the fault path's
 * get_page()/put_page() would free them under the device.  Map that one up
 * front as the core maps DEV buffers; page-granular buffers (the SG fallback,
 * or an IOMMU's remapped pages) go through .page on every first touch.
 */
static int sgscope_pcm_sg_mmap(struct snd_pcm_substream *substream,
			       struct vm_area_struct *area)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);

	if (!sgscope_sg_pages_refcounted(st))
		return snd_dma_buffer_mmap(&st->dmab, area);
	return snd_pcm_lib_default_mmap(substream, area);
}

/*
 * pcm2's .mmap: through .page on every first touch (the core's fault
 * handler), or with debugfs vmalloc_page=premapped every page of the
 * buffer mapped now.  The core's own mapping of a vmalloc buffer would not do
 * it: remap_vmalloc_range() wants a VM_USERMAP area, and ALSA's
 * vmalloc() gives none, so the core falls back to faulting.
 */
static int sgscope_pcm_vmalloc_mmap(struct snd_pcm_substream *substream,
				    struct vm_area_struct *area)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);

	if (READ_ONCE(st->chip->knobs.vmalloc_page) != SGSCOPE_PAGE_PREMAPPED)
		return snd_pcm_lib_default_mmap(substream, area);
	return vm_map_pages(area, st->pages, st->npages);
}

/* pcm1/2: the application moved appl_ptr; what it wrote goes to the device. */
static int sgscope_pcm_sync_ack(struct snd_pcm_substream *substream)
{
	struct sgscope_stream *st = sgscope_substream_stream(substream);

	if (st->direction == SNDRV_PCM_STREAM_PLAYBACK)
		sgscope_buffer_sync(st, st->chip->dev, true);
	return 0;
}

/* pcm0 and pcm3: the core maps (and for NONCONTIG syncs) the buffer */
static const struct snd_pcm_ops sgscope_core_mapped_ops = {
	.open = sgscope_pcm_open,
	.close = sgscope_pcm_close,
	.hw_params = sgscope_pcm_hw_params,
	.hw_free = sgscope_pcm_hw_free,
	.prepare = sgscope_pcm_prepare,
	.trigger = sgscope_pcm_trigger,
	.sync_stop = sgscope_pcm_sync_stop,
	.pointer = sgscope_pcm_pointer,
};

static const struct snd_pcm_ops sgscope_sg_ops = {
	.open = sgscope_pcm_open,
	.close = sgscope_pcm_close,
	.hw_params = sgscope_pcm_hw_params,
	.hw_free = sgscope_pcm_hw_free,
	.prepare = sgscope_pcm_prepare,
	.trigger = sgscope_pcm_trigger,
	.sync_stop = sgscope_pcm_sync_stop,
	.pointer = sgscope_pcm_pointer,
	.page = sgscope_pcm_sg_page,
	.mmap = sgscope_pcm_sg_mmap,
	.ack = sgscope_pcm_sync_ack,
};

static const struct snd_pcm_ops sgscope_vmalloc_ops = {
	.open = sgscope_pcm_open,
	.close = sgscope_pcm_close,
	.hw_params = sgscope_pcm_hw_params,
	.hw_free = sgscope_pcm_hw_free,
	.prepare = sgscope_pcm_prepare,
	.trigger = sgscope_pcm_trigger,
	.sync_stop = sgscope_pcm_sync_stop,
	.pointer = sgscope_pcm_pointer,
	.page = sgscope_pcm_vmalloc_page,
	.mmap = sgscope_pcm_vmalloc_mmap,
	.ack = sgscope_pcm_sync_ack,
};

static const struct snd_pcm_ops *const sgscope_ops[SGSCOPE_NUM_PCMS] = {
	[SGSCOPE_PREALLOC] = &sgscope_core_mapped_ops,
	[SGSCOPE_SG] = &sgscope_sg_ops,
	[SGSCOPE_VMALLOC] = &sgscope_vmalloc_ops,
	[SGSCOPE_NONCONTIG] = &sgscope_core_mapped_ops,
};

/*
 * pcm0 preallocates through the core, which halves the request until it
 * succeeds (down to 16 KiB) and caps buffer_bytes_max at what it got.
 * ALSA's /proc/asound/cardN/pcm0{p,c}/sub0/prealloc resizes it later, up
 * to the largest buffer max_buffer_kb may allow the other PCMs.
 */
int sgscope_prealloc(struct sgscope_chip *chip, struct snd_pcm *pcm,
		     size_t bytes)
{
	size_t max = max_t(size_t, bytes, SGSCOPE_MAX_BUFFER_KB_MAX * SZ_1K);
	int dir, err;

	err = snd_pcm_set_managed_buffer_all(pcm, SNDRV_DMA_TYPE_DEV,
					     chip->dev, bytes, max);
	if (err)
		return err;
	for (dir = 0; dir < 2; dir++) {
		struct snd_pcm_substream *substream = pcm->streams[dir].substream;

		chip->prealloc_got[dir] = substream->dma_buffer.bytes;
		if (!chip->prealloc_got[dir])
			return -ENOMEM;
		dev_dbg(chip->dev,
			"pcm0 %s: preallocated %zu of %zu bytes%s\n",
			dir == SNDRV_PCM_STREAM_PLAYBACK ? "playback" : "capture",
			chip->prealloc_got[dir], bytes,
			chip->prealloc_got[dir] < bytes ? " (fell back)" : "");
		if (chip->prealloc_got[dir] < bytes)
			atomic64_inc(&chip->counters.fallbacks);
	}
	return 0;
}
EXPORT_SYMBOL_IF_SGSCOPE_KUNIT(sgscope_prealloc);

int sgscope_pcm_new(struct sgscope_chip *chip, enum sgscope_strategy strategy,
		    size_t prealloc_bytes)
{
	struct snd_pcm *pcm;
	int dir, err;

	err = snd_pcm_new(chip->card, sgscope_strategy_names[strategy], strategy,
			  1, 1, &pcm);
	if (err < 0)
		return err;
	pcm->private_data = chip;
	snprintf(pcm->name, sizeof(pcm->name), "sgscope %s",
		 sgscope_strategy_names[strategy]);
	snd_pcm_set_ops(pcm, SNDRV_PCM_STREAM_PLAYBACK, sgscope_ops[strategy]);
	snd_pcm_set_ops(pcm, SNDRV_PCM_STREAM_CAPTURE, sgscope_ops[strategy]);
	for (dir = 0; dir < 2; dir++) {
		struct sgscope_stream *st = &chip->streams[strategy][dir];

		st->chip = chip;
		st->strategy = strategy;
		st->direction = dir;
	}
	if (strategy == SGSCOPE_PREALLOC)
		return sgscope_prealloc(chip, pcm, prealloc_bytes);
	return 0;
}
