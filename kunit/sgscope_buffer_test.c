// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for snd-sgscope's buffer strategies against a KUnit device:
 * allocation and release as hw_params/hw_free do them, the chunk layouts
 * and descriptor lists they give, the page callbacks, the fallbacks.
 */
#include <kunit/device.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <sound/core.h>
#include <sound/pcm.h>
#include "../driver/sgscope.h"

struct buf_ctx {
	struct device *dev;
	struct sgscope_chip *chip;
};

static int buf_init(struct kunit *test)
{
	struct buf_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	int pcm, dir;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->dev = kunit_device_register(test, "sgscope-kunit");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dev);
	/* the AC97 engine's 32-bit addresses, as the driver sets at probe */
	ctx->dev->coherent_dma_mask = DMA_BIT_MASK(32);
	ctx->dev->dma_mask = &ctx->dev->coherent_dma_mask;
	/* ... and segments of any length, which a PCI device has parms for */
	ctx->dev->dma_parms = kunit_kzalloc(test, sizeof(*ctx->dev->dma_parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->dev->dma_parms);
	dma_set_max_seg_size(ctx->dev, UINT_MAX);
	ctx->chip = kunit_kzalloc(test, sizeof(*ctx->chip), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->chip);
	ctx->chip->dev = ctx->dev;
	ctx->chip->knobs.max_buffer_bytes = SGSCOPE_MAX_BUFFER_KB_DEFAULT * SZ_1K;
	mutex_init(&ctx->chip->buf_mutex);
	spin_lock_init(&ctx->chip->lock);
	for (pcm = 0; pcm < SGSCOPE_NUM_PCMS; pcm++) {
		for (dir = 0; dir < 2; dir++) {
			struct sgscope_stream *st = &ctx->chip->streams[pcm][dir];

			st->chip = ctx->chip;
			st->strategy = pcm;
			st->direction = dir;
		}
	}
	test->priv = ctx;
	return 0;
}

static struct sgscope_stream *playback(struct kunit *test,
				       enum sgscope_strategy strategy)
{
	struct buf_ctx *ctx = test->priv;

	return &ctx->chip->streams[strategy][SNDRV_PCM_STREAM_PLAYBACK];
}

static struct sgscope_stream *capture(struct kunit *test,
				      enum sgscope_strategy strategy)
{
	struct buf_ctx *ctx = test->priv;

	return &ctx->chip->streams[strategy][SNDRV_PCM_STREAM_CAPTURE];
}

/* What hw_params does for pcm1-3: allocate, then layout and descriptors. */
static int hw_params(struct kunit *test, struct sgscope_stream *st,
		     unsigned int bytes, unsigned int period)
{
	struct buf_ctx *ctx = test->priv;
	int err;

	err = sgscope_buffer_alloc(st, ctx->dev, bytes);
	if (err)
		return err;
	err = sgscope_buffer_setup(st, &st->dmab, bytes, period);
	if (err)
		sgscope_buffer_release(st, ctx->dev);
	return err;
}

static void expect_nothing_live(struct kunit *test)
{
	struct sgscope_counters *c = &((struct buf_ctx *)test->priv)->chip->counters;

	KUNIT_EXPECT_EQ(test, atomic_read(&c->live_buffers), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->live_sgtables), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->live_mappings), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->live_desc_lists), 0);
}

/* The layout covers the buffer and every descriptor lies in its chunk. */
static void expect_layout_matches_descriptors(struct kunit *test,
					      struct sgscope_stream *st,
					      unsigned int bytes)
{
	unsigned int i, c = 0, cstart = 0, total = 0;

	for (i = 0; i < st->layout.count; i++)
		total += st->layout.chunks[i].bytes;
	KUNIT_EXPECT_EQ(test, total, bytes);
	KUNIT_ASSERT_GT(test, st->ndescs, 0u);
	total = 0;
	for (i = 0; i < st->ndescs; i++) {
		const struct sgscope_desc *d = &st->descs[i];

		while (d->offset >= cstart + st->layout.chunks[c].bytes)
			cstart += st->layout.chunks[c++].bytes;
		KUNIT_EXPECT_EQ(test, (u64)d->addr,
				(u64)st->layout.chunks[c].addr + d->offset - cstart);
		KUNIT_EXPECT_LE(test, d->offset + d->bytes,
				cstart + st->layout.chunks[c].bytes);
		total += d->bytes;
	}
	KUNIT_EXPECT_EQ(test, total, bytes);
}

/* hw_params, hw_free, and hw_params again with other sizes. */
static void hw_params_and_free(struct kunit *test, struct sgscope_stream *st)
{
	struct buf_ctx *ctx = test->priv;
	static const unsigned int sizes[][2] = {
		{ 64 * 1024, 16 * 1024 }, { 192 * 1024, 48 * 1024 },
		{ 96 * 1024, 24 * 1024 },
		{ 6000 * 4, 1500 * 4 },	/* not a whole number of pages */
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_ASSERT_EQ(test, hw_params(test, st, sizes[i][0], sizes[i][1]), 0);
		KUNIT_EXPECT_EQ(test, st->buffer_bytes, sizes[i][0]);
		KUNIT_EXPECT_GE(test, st->dmab.bytes, (size_t)sizes[i][0]);
		KUNIT_EXPECT_NOT_NULL(test, st->dmab.area);
		expect_layout_matches_descriptors(test, st, sizes[i][0]);
		sgscope_buffer_release(st, ctx->dev);
		expect_nothing_live(test);
		KUNIT_EXPECT_NULL(test, st->descs);
		KUNIT_EXPECT_EQ(test, st->layout.count, 0u);
	}
}

static void hw_params_sg(struct kunit *test)
{
	hw_params_and_free(test, playback(test, SGSCOPE_SG));
}

static void hw_params_vmalloc(struct kunit *test)
{
	hw_params_and_free(test, playback(test, SGSCOPE_VMALLOC));
}

static void hw_params_noncontig(struct kunit *test)
{
	hw_params_and_free(test, playback(test, SGSCOPE_NONCONTIG));
}

/* pcm0: the layout of the first bytes of a larger preallocated buffer. */
static void hw_params_prealloc_part(struct kunit *test)
{
	struct buf_ctx *ctx = test->priv;
	struct sgscope_stream *st = playback(test, SGSCOPE_PREALLOC);
	struct snd_dma_buffer prealloc;

	KUNIT_ASSERT_EQ(test, snd_dma_alloc_pages(SNDRV_DMA_TYPE_DEV, ctx->dev,
						  256 * 1024, &prealloc), 0);
	KUNIT_EXPECT_EQ(test, sgscope_buffer_setup(st, &prealloc, 96000, 24000), 0);
	KUNIT_EXPECT_EQ(test, st->layout.count, 1u);
	expect_layout_matches_descriptors(test, st, 96000);
	KUNIT_EXPECT_EQ(test, sgscope_buffer_setup(st, &prealloc, 512 * 1024, 4096),
			-EINVAL);
	sgscope_buffer_release(st, ctx->dev);
	expect_nothing_live(test);
	snd_dma_free_pages(&prealloc);
}

/* Write a pattern through dma_area; read it back through each page. */
static void expect_pages_behind_dma_area(struct kunit *test,
					 struct sgscope_stream *st,
					 struct page *(*page_at)(struct sgscope_stream *,
								 unsigned long))
{
	unsigned int bytes = st->buffer_bytes, ofs, i;

	for (i = 0; i < bytes; i++)
		st->dmab.area[i] = (i * 7 + i / PAGE_SIZE) & 0xff;
	for (ofs = 0; ofs < bytes; ofs += PAGE_SIZE) {
		struct page *page = page_at(st, ofs);
		unsigned int len = min_t(unsigned int, PAGE_SIZE, bytes - ofs);

		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(page_address(page),
						 st->dmab.area + ofs, len), 0,
				    "page at offset %u", ofs);
	}
	KUNIT_EXPECT_NULL(test, page_at(st, PAGE_ALIGN(st->dmab.bytes)));
	KUNIT_EXPECT_NULL(test, page_at(st, st->dmab.bytes + 5 * PAGE_SIZE));
}

static struct page *vmalloc_lookup(struct sgscope_stream *st, unsigned long ofs)
{
	return sgscope_vmalloc_page(st, ofs, SGSCOPE_PAGE_LOOKUP);
}

static struct page *vmalloc_cached(struct sgscope_stream *st, unsigned long ofs)
{
	return sgscope_vmalloc_page(st, ofs, SGSCOPE_PAGE_CACHED);
}

static void page_vmalloc_lookup(struct kunit *test)
{
	struct sgscope_stream *st = playback(test, SGSCOPE_VMALLOC);

	KUNIT_ASSERT_EQ(test, hw_params(test, st, 37 * PAGE_SIZE + 1024, 1024), 0);
	expect_pages_behind_dma_area(test, st, vmalloc_lookup);
	sgscope_buffer_release(st, ((struct buf_ctx *)test->priv)->dev);
}

static void page_vmalloc_cached(struct kunit *test)
{
	struct sgscope_stream *st = playback(test, SGSCOPE_VMALLOC);

	KUNIT_ASSERT_EQ(test, hw_params(test, st, 37 * PAGE_SIZE + 1024, 1024), 0);
	expect_pages_behind_dma_area(test, st, vmalloc_cached);
	/* both variants give the same pages */
	KUNIT_EXPECT_PTR_EQ(test, vmalloc_cached(st, 5 * PAGE_SIZE + 3),
			    vmalloc_lookup(st, 5 * PAGE_SIZE + 3));
	sgscope_buffer_release(st, ((struct buf_ctx *)test->priv)->dev);
}

/* premapped maps the page array at mmap time; .page, if called, reads it */
static void page_vmalloc_premapped(struct kunit *test)
{
	struct sgscope_stream *st = playback(test, SGSCOPE_VMALLOC);
	unsigned long ofs;

	KUNIT_ASSERT_EQ(test, hw_params(test, st, 9 * PAGE_SIZE, 1024), 0);
	KUNIT_ASSERT_EQ(test, st->npages, 9U);
	for (ofs = 0; ofs < 9 * PAGE_SIZE; ofs += PAGE_SIZE) {
		KUNIT_EXPECT_PTR_EQ(test, st->pages[ofs >> PAGE_SHIFT],
				    vmalloc_lookup(st, ofs));
		KUNIT_EXPECT_PTR_EQ(test,
				    sgscope_vmalloc_page(st, ofs, SGSCOPE_PAGE_PREMAPPED),
				    vmalloc_lookup(st, ofs));
	}
	sgscope_buffer_release(st, ((struct buf_ctx *)test->priv)->dev);
}

static void page_sg(struct kunit *test)
{
	struct sgscope_stream *st = playback(test, SGSCOPE_SG);

	KUNIT_ASSERT_EQ(test, hw_params(test, st, 40 * PAGE_SIZE, 8 * PAGE_SIZE), 0);
	expect_pages_behind_dma_area(test, st, sgscope_sg_page);
	sgscope_buffer_release(st, ((struct buf_ctx *)test->priv)->dev);
}

/*
 * More than the page allocator's largest block (MAX_PAGE_ORDER, 4 MiB on
 * x86) cannot be contiguous: DEV_SG must fall back to chunks, and the
 * descriptor list must follow them.  pcm1's page-granular buffer may then
 * be mapped page by page.
 */
static void fallback_sg_larger_than_any_block(struct kunit *test)
{
	struct sgscope_stream *st = playback(test, SGSCOPE_SG);
	unsigned int bytes = 12 << 20;

	KUNIT_ASSERT_EQ(test, hw_params(test, st, bytes, bytes / 4), 0);
	KUNIT_EXPECT_TRUE(test, st->fell_back);
	KUNIT_EXPECT_EQ(test, st->dma_type, SNDRV_DMA_TYPE_DEV_SG);
	/*
	 * The chunks are allocated separately but may lie side by side in
	 * memory: the layout (ALSA's snd_sgbuf_get_chunk_size) merges those.
	 */
	KUNIT_EXPECT_TRUE(test, sgscope_sg_pages_refcounted(st));
	expect_layout_matches_descriptors(test, st, bytes);
	expect_pages_behind_dma_area(test, st, sgscope_sg_page);
	sgscope_buffer_release(st, ((struct buf_ctx *)test->priv)->dev);
	expect_nothing_live(test);
}

static void contiguous_sg_is_not_page_mapped(struct kunit *test)
{
	struct sgscope_stream *st = playback(test, SGSCOPE_SG);

	KUNIT_ASSERT_EQ(test, hw_params(test, st, 64 * 1024, 16 * 1024), 0);
	KUNIT_EXPECT_FALSE(test, st->fell_back);
	KUNIT_EXPECT_EQ(test, st->layout.count, 1u);
	KUNIT_EXPECT_FALSE(test, sgscope_sg_pages_refcounted(st));
	sgscope_buffer_release(st, ((struct buf_ctx *)test->priv)->dev);
}

static int alloc_fails(int type, struct device *dev,
		       enum dma_data_direction dir, size_t size,
		       struct snd_dma_buffer *dmab)
{
	return -ENOMEM;
}

static void every_allocation_failing_gives_enomem(struct kunit *test)
{
	enum sgscope_strategy s;

	kunit_activate_static_stub(test, sgscope_dma_alloc, alloc_fails);
	for (s = SGSCOPE_SG; s <= SGSCOPE_NONCONTIG; s++) {
		struct sgscope_stream *st = playback(test, s);

		KUNIT_EXPECT_EQ(test, hw_params(test, st, 64 * 1024, 16 * 1024), -ENOMEM);
		KUNIT_EXPECT_NULL(test, st->dmab.area);
		KUNIT_EXPECT_FALSE(test, st->own_buffer);
		expect_nothing_live(test);
	}
	kunit_deactivate_static_stub(test, sgscope_dma_alloc);
	KUNIT_EXPECT_EQ(test, hw_params(test, playback(test, SGSCOPE_SG), 64 * 1024,
					16 * 1024), 0);
	sgscope_buffer_release(playback(test, SGSCOPE_SG),
			       ((struct buf_ctx *)test->priv)->dev);
	expect_nothing_live(test);
}

static void injected_allocation_failure_gives_enomem(struct kunit *test)
{
	struct buf_ctx *ctx = test->priv;
	struct sgscope_stream *st = playback(test, SGSCOPE_VMALLOC);

	atomic_set(&ctx->chip->inject.fail_alloc, 1);
	KUNIT_EXPECT_EQ(test, hw_params(test, st, 64 * 1024, 16 * 1024), -ENOMEM);
	expect_nothing_live(test);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->chip->counters.alloc_failures), 1);
	KUNIT_EXPECT_EQ(test, hw_params(test, st, 64 * 1024, 16 * 1024), 0);
	sgscope_buffer_release(st, ctx->dev);
	expect_nothing_live(test);
}

/*
 * pcm0 asks the core for more than any block: the core halves the request
 * until it succeeds, and the driver reports what it got.
 */
static void prealloc_shrinks_and_reports(struct kunit *test)
{
	struct buf_ctx *ctx = test->priv;
	struct snd_card *card;
	struct snd_pcm *pcm;
	int dir;

	KUNIT_ASSERT_EQ(test, snd_card_new(ctx->dev, -1, NULL, THIS_MODULE, 0, &card), 0);
	ctx->chip->card = card;
	KUNIT_ASSERT_EQ(test, snd_pcm_new(card, "prealloc", 0, 1, 1, &pcm), 0);
	KUNIT_EXPECT_EQ(test, sgscope_prealloc(ctx->chip, pcm, 16 << 20), 0);
	for (dir = 0; dir < 2; dir++) {
		KUNIT_EXPECT_LT(test, ctx->chip->prealloc_got[dir], (size_t)16 << 20);
		KUNIT_EXPECT_GE(test, ctx->chip->prealloc_got[dir], (size_t)16 << 10);
		KUNIT_EXPECT_EQ(test, ctx->chip->prealloc_got[dir],
				pcm->streams[dir].substream->dma_buffer.bytes);
	}
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->chip->counters.fallbacks), 2);
	snd_card_free(card);
}

static void hw_params_capture_sg(struct kunit *test)
{
	hw_params_and_free(test, capture(test, SGSCOPE_SG));
}

static void hw_params_capture_vmalloc(struct kunit *test)
{
	hw_params_and_free(test, capture(test, SGSCOPE_VMALLOC));
}

static void hw_params_capture_noncontig(struct kunit *test)
{
	hw_params_and_free(test, capture(test, SGSCOPE_NONCONTIG));
}

/* pcm2 keeps its own mapping: one chunk per mapped DMA segment. */
static void vmalloc_layout_is_its_mapping(struct kunit *test)
{
	struct sgscope_stream *st = playback(test, SGSCOPE_VMALLOC);
	struct buf_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, hw_params(test, st, 32 * PAGE_SIZE, 8 * PAGE_SIZE), 0);
	KUNIT_EXPECT_TRUE(test, st->sgt_mapped);
	KUNIT_EXPECT_EQ(test, st->layout.count, st->sgt.nents);
	KUNIT_EXPECT_EQ(test, st->npages, 32u);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->chip->counters.live_mappings), 1);
	KUNIT_EXPECT_TRUE(test, sgscope_sg_pages_refcounted(st));
	sgscope_buffer_release(st, ctx->dev);
	KUNIT_EXPECT_FALSE(test, st->sgt_mapped);
	KUNIT_EXPECT_NULL(test, st->pages);
	expect_nothing_live(test);
}

static void release_twice_is_harmless(struct kunit *test)
{
	struct sgscope_stream *st = playback(test, SGSCOPE_NONCONTIG);
	struct buf_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, hw_params(test, st, 64 * 1024, 16 * 1024), 0);
	sgscope_buffer_release(st, ctx->dev);
	sgscope_buffer_release(st, ctx->dev);
	expect_nothing_live(test);
}

static void bad_period_frees_the_buffer(struct kunit *test)
{
	struct sgscope_stream *st = playback(test, SGSCOPE_SG);

	/* 64 KiB in periods of 3000 bytes: not a whole number */
	KUNIT_EXPECT_EQ(test, hw_params(test, st, 64 * 1024, 3000), -EINVAL);
	KUNIT_EXPECT_FALSE(test, st->own_buffer);
	expect_nothing_live(test);
}

static void unknown_strategy_is_refused(struct kunit *test)
{
	struct sgscope_stream *st = playback(test, SGSCOPE_PREALLOC);

	/* pcm0's buffer is the core's: the driver allocates nothing for it */
	KUNIT_EXPECT_EQ(test, sgscope_buffer_alloc(st, ((struct buf_ctx *)test->priv)->dev,
						   PAGE_SIZE), -EINVAL);
	expect_nothing_live(test);
}

static struct kunit_case sgscope_buffer_cases[] = {
	KUNIT_CASE(hw_params_sg),
	KUNIT_CASE(hw_params_vmalloc),
	KUNIT_CASE(hw_params_noncontig),
	KUNIT_CASE(hw_params_prealloc_part),
	KUNIT_CASE(page_vmalloc_lookup),
	KUNIT_CASE(page_vmalloc_cached),
	KUNIT_CASE(page_vmalloc_premapped),
	KUNIT_CASE(page_sg),
	KUNIT_CASE(fallback_sg_larger_than_any_block),
	KUNIT_CASE(contiguous_sg_is_not_page_mapped),
	KUNIT_CASE(every_allocation_failing_gives_enomem),
	KUNIT_CASE(injected_allocation_failure_gives_enomem),
	KUNIT_CASE(prealloc_shrinks_and_reports),
	KUNIT_CASE(hw_params_capture_sg),
	KUNIT_CASE(hw_params_capture_vmalloc),
	KUNIT_CASE(hw_params_capture_noncontig),
	KUNIT_CASE(vmalloc_layout_is_its_mapping),
	KUNIT_CASE(release_twice_is_harmless),
	KUNIT_CASE(bad_period_frees_the_buffer),
	KUNIT_CASE(unknown_strategy_is_refused),
	{}
};

static struct kunit_suite sgscope_buffer_suite = {
	.name = "sgscope_buffer",
	.init = buf_init,
	.test_cases = sgscope_buffer_cases,
};

kunit_test_suite(sgscope_buffer_suite);

MODULE_DESCRIPTION("KUnit tests for snd-sgscope's buffer strategies");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
