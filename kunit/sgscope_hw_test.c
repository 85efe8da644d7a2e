// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test on the real device: QEMU's AC97 controller, added to kunit.py's
 * QEMU with --qemu_args='-audiodev none,id=snd0 -device AC97,audiodev=snd0'.
 * The PI engine captures (silence, from the "none" backend) into a
 * pre-filled buffer of scattered single pages through the driver's
 * descriptor list and ring; every byte must be overwritten and interrupts
 * must report every period.  The wait for the engine to halt gives up on a
 * running engine and returns at once on a stopped one.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/pci.h>
#include <sound/ac97_codec.h>
#include "../driver/sgscope.h"

#define HW_PAGES	16
#define HW_PERIOD	(4 * PAGE_SIZE)
#define HW_FILL		0xa5

static void capture_fills_fragmented_buffer(struct kunit *test)
{
	struct page *pages[HW_PAGES * 2];
	struct sgscope_chunk chunks[HW_PAGES];
	struct sgscope_stream *st;
	struct sgscope_engine *engine;
	struct sgscope_chip *chip;
	struct snd_card *card;
	struct pci_dev *pci;
	unsigned long flags;
	s64 periods, irqs;
	bool busy;
	int i, n, waited;

	pci = pci_get_device(PCI_VENDOR_ID_INTEL, 0x2415, NULL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, pci,
				  "no AC97 device: run kunit.py with --qemu_args='%s'",
				  "-audiodev none,id=snd0 -device AC97,audiodev=snd0");
	card = pci_get_drvdata(pci);
	pci_dev_put(pci);
	KUNIT_ASSERT_NOT_NULL_MSG(test, card, "snd-sgscope did not bind the AC97 device");
	chip = card->private_data;

	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	st->chip = chip;
	st->strategy = SGSCOPE_SG;
	st->direction = SNDRV_PCM_STREAM_CAPTURE;
	engine = sgscope_stream_engine(st);

	/* every other page of a run: no two chunks are contiguous */
	for (i = 0; i < HW_PAGES * 2; i++) {
		pages[i] = alloc_page(GFP_KERNEL | GFP_DMA32);
		KUNIT_ASSERT_NOT_NULL(test, pages[i]);
	}
	for (i = 0; i < HW_PAGES; i++) {
		struct page *page = pages[(HW_PAGES - 1 - i) * 2];

		memset(page_address(page), HW_FILL, PAGE_SIZE);
		chunks[i].bytes = PAGE_SIZE;
		chunks[i].addr = dma_map_page(chip->dev, page, 0, PAGE_SIZE,
					      DMA_FROM_DEVICE);
		KUNIT_ASSERT_FALSE(test, dma_mapping_error(chip->dev, chunks[i].addr));
	}
	st->layout.chunks = chunks;
	st->layout.count = HW_PAGES;
	n = sgscope_bdl_build(&st->layout, HW_PAGES * PAGE_SIZE, HW_PERIOD, NULL, 0);
	KUNIT_ASSERT_EQ(test, n, HW_PAGES);
	st->descs = kunit_kcalloc(test, n, sizeof(*st->descs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st->descs);
	st->ndescs = sgscope_bdl_build(&st->layout, HW_PAGES * PAGE_SIZE, HW_PERIOD,
				       st->descs, n);
	st->buffer_bytes = HW_PAGES * PAGE_SIZE;
	st->period_bytes = HW_PERIOD;

	spin_lock_irqsave(&chip->lock, flags);
	busy = engine->active;
	if (!busy)
		engine->active = st;
	spin_unlock_irqrestore(&chip->lock, flags);
	KUNIT_ASSERT_FALSE_MSG(test, busy, "the capture engine is in use");

	KUNIT_EXPECT_EQ(test, snd_ac97_set_rate(chip->ac97, AC97_PCM_LR_ADC_RATE,
						48000), 0);
	periods = atomic64_read(&engine->periods);
	irqs = atomic64_read(&chip->counters.interrupts);
	sgscope_engine_prepare(chip, engine, st);
	sgscope_engine_start(chip, engine);
	/* one lap is 16 pages at 192000 bytes/s: a third of a second */
	for (waited = 0; waited < 5000; waited += 20) {
		if (atomic64_read(&engine->periods) - periods >=
		    2 * HW_PAGES * PAGE_SIZE / HW_PERIOD)
			break;
		msleep(20);
	}
	/* a running engine never halts: the wait gives up, bounded */
	KUNIT_EXPECT_EQ(test, sgscope_engine_wait_halted(chip, engine), -EBUSY);
	sgscope_engine_stop(chip, engine);
	KUNIT_EXPECT_EQ(test, sgscope_engine_wait_halted(chip, engine), 0);
	sgscope_engine_reset(chip, engine);
	spin_lock_irqsave(&chip->lock, flags);
	engine->active = NULL;
	spin_unlock_irqrestore(&chip->lock, flags);

	/* two laps: every period end interrupted and was counted */
	KUNIT_EXPECT_GE(test, atomic64_read(&engine->periods) - periods,
			(s64)(2 * HW_PAGES * PAGE_SIZE / HW_PERIOD));
	KUNIT_EXPECT_GE(test, atomic64_read(&chip->counters.interrupts) - irqs,
			(s64)(2 * HW_PAGES * PAGE_SIZE / HW_PERIOD));
	for (i = 0; i < HW_PAGES; i++) {
		const u8 *p = page_address(pages[(HW_PAGES - 1 - i) * 2]);
		int left = 0, b;

		dma_unmap_page(chip->dev, chunks[i].addr, PAGE_SIZE, DMA_FROM_DEVICE);
		for (b = 0; b < PAGE_SIZE; b++)
			left += p[b] == HW_FILL;
		KUNIT_EXPECT_EQ_MSG(test, left, 0, "page %d kept %d pre-filled bytes", i, left);
	}
	for (i = 0; i < HW_PAGES * 2; i++)
		__free_page(pages[i]);
}

static struct kunit_case sgscope_hw_cases[] = {
	KUNIT_CASE(capture_fills_fragmented_buffer),
	{}
};

static struct kunit_suite sgscope_hw_suite = {
	.name = "sgscope_hw",
	.test_cases = sgscope_hw_cases,
};

kunit_test_suite(sgscope_hw_suite);

MODULE_DESCRIPTION("KUnit test of snd-sgscope on the AC97 device");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
