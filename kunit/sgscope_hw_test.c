// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test on the real device: QEMU's AC97 controller, added to kunit.py's
 * QEMU with --qemu_args='-audiodev none,id=snd0 -device AC97,audiodev=snd0'.
 * Without that device the suite's cases are skipped, saying so.
 *
 * The PI engine captures (silence, from the "none" backend) into a
 * pre-filled buffer of scattered single pages through the driver's
 * descriptor list and ring; every byte must be overwritten and interrupts
 * must report every period.  The wait for the engine to halt gives up on a
 * running engine and returns at once on a stopped one.
 *
 * Everything a case takes (the device reference, pages and their DMA
 * mappings, the engine) is a KUnit resource, given back when the case
 * ends, however it ends.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/pci.h>
#include <sound/ac97_codec.h>
#include "../driver/sgscope.h"

#define HW_DEVICE_ID	0x2415	/* 82801AA AC97, as QEMU's "AC97" */
#define HW_QEMU_ARGS	"-audiodev none,id=snd0 -device AC97,audiodev=snd0"
#define HW_PAGES	16
#define HW_BYTES	(HW_PAGES * PAGE_SIZE)
#define HW_PERIOD	(4 * PAGE_SIZE)
#define HW_LAPS		2
#define HW_PERIODS	((s64)(HW_LAPS * HW_BYTES / HW_PERIOD))
#define HW_FILL		0xa5
#define HW_RATE		48000
#define HW_WAIT_MS	5000
#define HW_POLL_MS	20

/* The device's reference, held for the whole case. */
static int hw_pci_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

static void hw_pci_put(struct kunit_resource *res)
{
	pci_dev_put(res->data);
}

/* Case init: the bound device's chip in test->priv, or the case skipped. */
static int sgscope_hw_init(struct kunit *test)
{
	struct pci_dev *pci;
	struct snd_card *card;
	void *held;

	pci = pci_get_device(PCI_VENDOR_ID_INTEL, HW_DEVICE_ID, NULL);
	if (!pci)
		kunit_skip(test, "no AC97 device: run kunit.py with --qemu_args='%s'",
			   HW_QEMU_ARGS);
	held = kunit_alloc_resource(test, hw_pci_init, hw_pci_put, GFP_KERNEL, pci);
	if (!held)
		pci_dev_put(pci);
	KUNIT_ASSERT_NOT_NULL_MSG(test, held, "cannot hold the device's reference");
	card = pci_get_drvdata(pci);
	KUNIT_ASSERT_NOT_NULL_MSG(test, card, "snd-sgscope did not bind the AC97 device");
	test->priv = card->private_data;
	return 0;
}

/*
 * Twice the pages the buffer needs, used every other one in reverse order:
 * no two chunks are contiguous.  Freed with whatever is mapped of them.
 */
struct hw_buffer {
	struct device *dev;
	struct page *pages[HW_PAGES * 2];
	struct sgscope_chunk chunks[HW_PAGES];
	unsigned int mapped;
};

static int hw_buffer_init(struct kunit_resource *res, void *context)
{
	struct hw_buffer *buf = kzalloc(sizeof(*buf), GFP_KERNEL);

	if (!buf)
		return -ENOMEM;
	buf->dev = context;
	res->data = buf;
	return 0;
}

static void hw_buffer_free(struct kunit_resource *res)
{
	struct hw_buffer *buf = res->data;
	unsigned int i;

	for (i = 0; i < buf->mapped; i++)
		dma_unmap_page(buf->dev, buf->chunks[i].addr, PAGE_SIZE,
			       DMA_FROM_DEVICE);
	for (i = 0; i < ARRAY_SIZE(buf->pages); i++)
		if (buf->pages[i])
			__free_page(buf->pages[i]);
	kfree(buf);
}

static struct page *hw_chunk_page(struct hw_buffer *buf, unsigned int i)
{
	return buf->pages[(HW_PAGES - 1 - i) * 2];
}

static struct hw_buffer *hw_buffer_new(struct kunit *test, struct device *dev)
{
	struct hw_buffer *buf;
	unsigned int i;

	buf = kunit_alloc_resource(test, hw_buffer_init, hw_buffer_free,
				   GFP_KERNEL, dev);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(buf->pages); i++) {
		buf->pages[i] = alloc_page(GFP_KERNEL | GFP_DMA32);
		KUNIT_ASSERT_NOT_NULL(test, buf->pages[i]);
	}
	for (i = 0; i < HW_PAGES; i++) {
		struct page *page = hw_chunk_page(buf, i);
		dma_addr_t addr;

		memset(page_address(page), HW_FILL, PAGE_SIZE);
		addr = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, addr));
		buf->chunks[i].addr = addr;
		buf->chunks[i].bytes = PAGE_SIZE;
		buf->mapped++;
	}
	return buf;
}

/* A capture stream on the buffer, its descriptor list built. */
static struct sgscope_stream *hw_stream_new(struct kunit *test,
					    struct sgscope_chip *chip,
					    struct hw_buffer *buf)
{
	struct sgscope_stream *st;
	int n;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	st->chip = chip;
	st->strategy = SGSCOPE_SG;
	st->direction = SNDRV_PCM_STREAM_CAPTURE;
	st->layout.chunks = buf->chunks;
	st->layout.count = HW_PAGES;
	n = sgscope_bdl_build(&st->layout, HW_BYTES, HW_PERIOD, NULL, 0);
	KUNIT_ASSERT_EQ(test, n, HW_PAGES);
	st->descs = kunit_kcalloc(test, n, sizeof(*st->descs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st->descs);
	st->ndescs = sgscope_bdl_build(&st->layout, HW_BYTES, HW_PERIOD,
				       st->descs, n);
	KUNIT_ASSERT_EQ(test, st->ndescs, n);
	st->buffer_bytes = HW_BYTES;
	st->period_bytes = HW_PERIOD;
	return st;
}

/* The capture engine, claimed for the case: stopped and let go at its end. */
static int hw_engine_init(struct kunit_resource *res, void *context)
{
	struct sgscope_stream *st = context;
	struct sgscope_engine *engine = sgscope_stream_engine(st);
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&st->chip->lock, flags);
	if (engine->active)
		err = -EBUSY;
	else
		engine->active = st;
	spin_unlock_irqrestore(&st->chip->lock, flags);
	res->data = st;
	return err;
}

static void hw_engine_release(struct kunit_resource *res)
{
	struct sgscope_stream *st = res->data;
	struct sgscope_chip *chip = st->chip;
	struct sgscope_engine *engine = sgscope_stream_engine(st);
	unsigned long flags;

	sgscope_engine_stop(chip, engine);
	sgscope_engine_wait_halted(chip, engine);
	sgscope_engine_reset(chip, engine);
	spin_lock_irqsave(&chip->lock, flags);
	engine->active = NULL;
	spin_unlock_irqrestore(&chip->lock, flags);
}

/* Run the engine until it has ended HW_PERIODS periods, or HW_WAIT_MS. */
static void hw_capture(struct kunit *test, struct sgscope_stream *st)
{
	struct sgscope_chip *chip = st->chip;
	struct sgscope_engine *engine = sgscope_stream_engine(st);
	s64 periods, irqs;
	int waited;

	KUNIT_ASSERT_NOT_NULL_MSG(test, kunit_alloc_resource(test, hw_engine_init,
							     hw_engine_release,
							     GFP_KERNEL, st),
				  "the capture engine is in use");
	KUNIT_EXPECT_EQ(test, snd_ac97_set_rate(chip->ac97, AC97_PCM_LR_ADC_RATE,
						HW_RATE), 0);
	periods = atomic64_read(&engine->periods);
	irqs = atomic64_read(&chip->counters.interrupts);
	sgscope_engine_prepare(chip, engine, st);
	sgscope_engine_start(chip, engine);
	/* one lap is 16 pages at 192000 bytes/s: a third of a second */
	for (waited = 0; waited < HW_WAIT_MS; waited += HW_POLL_MS) {
		if (atomic64_read(&engine->periods) - periods >= HW_PERIODS)
			break;
		msleep(HW_POLL_MS);
	}
	/* a running engine never halts: the wait gives up, bounded */
	KUNIT_EXPECT_EQ(test, sgscope_engine_wait_halted(chip, engine), -EBUSY);
	sgscope_engine_stop(chip, engine);
	KUNIT_EXPECT_EQ(test, sgscope_engine_wait_halted(chip, engine), 0);

	/* every period end interrupted and was counted */
	KUNIT_EXPECT_GE(test, atomic64_read(&engine->periods) - periods,
			HW_PERIODS);
	KUNIT_EXPECT_GE(test, atomic64_read(&chip->counters.interrupts) - irqs,
			HW_PERIODS);
}

static void capture_fills_fragmented_buffer(struct kunit *test)
{
	struct sgscope_chip *chip = test->priv;
	struct hw_buffer *buf = hw_buffer_new(test, chip->dev);
	unsigned int i;

	hw_capture(test, hw_stream_new(test, chip, buf));
	for (i = 0; i < HW_PAGES; i++) {
		const u8 *p = page_address(hw_chunk_page(buf, i));
		int left = 0, b;

		dma_sync_single_for_cpu(chip->dev, buf->chunks[i].addr,
					PAGE_SIZE, DMA_FROM_DEVICE);
		for (b = 0; b < PAGE_SIZE; b++)
			left += p[b] == HW_FILL;
		KUNIT_EXPECT_EQ_MSG(test, left, 0, "page %u kept %d pre-filled bytes",
				    i, left);
	}
}

static struct kunit_case sgscope_hw_cases[] = {
	KUNIT_CASE(capture_fills_fragmented_buffer),
	{}
};

static struct kunit_suite sgscope_hw_suite = {
	.name = "sgscope_hw",
	.init = sgscope_hw_init,
	.test_cases = sgscope_hw_cases,
};

kunit_test_suite(sgscope_hw_suite);

MODULE_DESCRIPTION("KUnit test of snd-sgscope on the AC97 device");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
