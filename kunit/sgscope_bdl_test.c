// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for snd-sgscope's descriptor-list builder and ring: pure
 * functions of a chunk layout and of register values.
 */
#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include "../driver/sgscope.h"

#define PAGE_BYTES 4096u

/* A layout of @count chunks of the given sizes at scattered addresses. */
static struct sgscope_layout *make_layout(struct kunit *test,
					  const unsigned int *sizes,
					  unsigned int count)
{
	struct sgscope_layout *l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, l);
	l->chunks = kunit_kcalloc(test, count, sizeof(*l->chunks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l->chunks);
	for (i = 0; i < count; i++) {
		/* far apart, so no two chunks are contiguous by accident */
		l->chunks[i].addr = 0x1000000 + (dma_addr_t)i * 0x200000;
		l->chunks[i].bytes = sizes[i];
	}
	l->count = count;
	return l;
}

static struct sgscope_desc *build(struct kunit *test,
				  const struct sgscope_layout *l,
				  unsigned int buffer, unsigned int period,
				  int *n)
{
	struct sgscope_desc *d;

	*n = sgscope_bdl_build(l, buffer, period, NULL, 0);
	KUNIT_ASSERT_GT(test, *n, 0);
	d = kunit_kcalloc(test, *n, sizeof(*d), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_ASSERT_EQ(test, sgscope_bdl_build(l, buffer, period, d, *n), *n);
	return d;
}

/* The invariants every descriptor list must keep. */
static void check_list(struct kunit *test, const struct sgscope_layout *l,
		       const struct sgscope_desc *d, int n,
		       unsigned int buffer, unsigned int period)
{
	unsigned int total = 0, since_ioc = 0, i, c = 0, cstart = 0;

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, d[i].offset, total);
		KUNIT_EXPECT_GT(test, d[i].bytes, 0u);
		KUNIT_EXPECT_EQ(test, d[i].bytes % SGSCOPE_FRAME_BYTES, 0u);
		KUNIT_EXPECT_LE(test, d[i].bytes, (u32)SGSCOPE_DESC_MAX_BYTES);
		/* the entry lies inside one chunk */
		while (d[i].offset >= cstart + l->chunks[c].bytes)
			cstart += l->chunks[c++].bytes;
		KUNIT_EXPECT_LE(test, d[i].offset + d[i].bytes,
				cstart + l->chunks[c].bytes);
		KUNIT_EXPECT_EQ(test, (u64)d[i].addr,
				(u64)l->chunks[c].addr + d[i].offset - cstart);
		/* period ends exactly where a period ends, with IOC */
		KUNIT_EXPECT_EQ(test, d[i].period_end,
				(d[i].offset + d[i].bytes) % period == 0);
		if (d[i].period_end)
			KUNIT_EXPECT_TRUE(test, d[i].ioc);
		since_ioc = d[i].ioc ? 0 : since_ioc + 1;
		KUNIT_EXPECT_LT(test, since_ioc, (unsigned int)SGSCOPE_REFILL_EVERY);
		total += d[i].bytes;
	}
	KUNIT_EXPECT_EQ(test, total, buffer);
}

static void bdl_one_chunk(struct kunit *test)
{
	unsigned int sizes[] = { 65536 };
	struct sgscope_layout *l = make_layout(test, sizes, 1);
	struct sgscope_desc *d;
	int n;

	d = build(test, l, 65536, 16384, &n);
	KUNIT_EXPECT_EQ(test, n, 4);
	check_list(test, l, d, n, 65536, 16384);
}

static void bdl_every_page_a_chunk(struct kunit *test)
{
	unsigned int sizes[256], i;
	struct sgscope_layout *l;
	struct sgscope_desc *d;
	int n;

	for (i = 0; i < 256; i++)
		sizes[i] = PAGE_BYTES;
	l = make_layout(test, sizes, 256);
	d = build(test, l, 256 * PAGE_BYTES, 8 * PAGE_BYTES, &n);
	KUNIT_EXPECT_EQ(test, n, 256);
	check_list(test, l, d, n, 256 * PAGE_BYTES, 8 * PAGE_BYTES);
}

static void bdl_periods_not_aligned_to_chunks(struct kunit *test)
{
	unsigned int sizes[] = { 3 * PAGE_BYTES, PAGE_BYTES, 5 * PAGE_BYTES,
				 2 * PAGE_BYTES, 4 * PAGE_BYTES, PAGE_BYTES };
	struct sgscope_layout *l = make_layout(test, sizes, ARRAY_SIZE(sizes));
	struct sgscope_desc *d;
	int n;

	/* 16 pages in periods of 6000 bytes: 65536 is not a multiple */
	KUNIT_EXPECT_EQ(test, sgscope_bdl_build(l, 16 * PAGE_BYTES, 6000, NULL, 0),
			-EINVAL);
	/* chunk ends at pages 3, 4, 9, 11, 15; period ends at 5, 10, 15 */
	d = build(test, l, 15 * PAGE_BYTES, 5 * PAGE_BYTES, &n);
	check_list(test, l, d, n, 15 * PAGE_BYTES, 5 * PAGE_BYTES);
}

static void bdl_chunk_longer_than_an_entry(struct kunit *test)
{
	unsigned int sizes[] = { 1024 * 1024 };
	struct sgscope_layout *l = make_layout(test, sizes, 1);
	struct sgscope_desc *d;
	int n;

	d = build(test, l, 1024 * 1024, 512 * 1024, &n);
	/* 512 KiB periods need 5 entries each at 0xfffe samples */
	KUNIT_EXPECT_EQ(test, n, 10);
	check_list(test, l, d, n, 1024 * 1024, 512 * 1024);
}

static void bdl_rejects_bad_input(struct kunit *test)
{
	unsigned int sizes[] = { PAGE_BYTES, 4098 };
	struct sgscope_layout *l = make_layout(test, sizes, 2);

	KUNIT_EXPECT_EQ(test, sgscope_bdl_build(l, 0, 1024, NULL, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, sgscope_bdl_build(l, 8192, 0, NULL, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, sgscope_bdl_build(l, 8192, 1022, NULL, 0), -EINVAL);
	/* the second chunk would end mid-frame */
	KUNIT_EXPECT_EQ(test, sgscope_bdl_build(l, 8192, 4096, NULL, 0), -EINVAL);
	/* chunks shorter than the buffer */
	l->chunks[1].bytes = PAGE_BYTES;
	KUNIT_EXPECT_EQ(test, sgscope_bdl_build(l, 3 * PAGE_BYTES, PAGE_BYTES,
						NULL, 0), -EINVAL);
	/* addresses past 4 GiB */
	l->chunks[1].addr = 0xfffff000ull + PAGE_BYTES;
	KUNIT_EXPECT_EQ(test, sgscope_bdl_build(l, 2 * PAGE_BYTES, PAGE_BYTES,
						NULL, 0), -ERANGE);
}

static void bdl_random_layouts(struct kunit *test)
{
	struct rnd_state rnd;
	unsigned int round;

	prandom_seed_state(&rnd, 0x5c5c09e);
	for (round = 0; round < 64; round++) {
		unsigned int count = 1 + prandom_u32_state(&rnd) % 512;
		unsigned int *sizes = kunit_kcalloc(test, count, sizeof(*sizes),
						    GFP_KERNEL);
		unsigned int i, pages = 0, periods, period;
		struct sgscope_layout *l;
		struct sgscope_desc *d;
		int n;

		KUNIT_ASSERT_NOT_NULL(test, sizes);
		for (i = 0; i < count; i++) {
			sizes[i] = PAGE_BYTES << (prandom_u32_state(&rnd) % 6);
			pages += sizes[i] / PAGE_BYTES;
		}
		l = make_layout(test, sizes, count);
		/* a period size that divides the buffer */
		periods = 1 << (prandom_u32_state(&rnd) % 6);
		while (pages % periods)
			periods >>= 1;
		period = pages * PAGE_BYTES / periods;
		d = build(test, l, pages * PAGE_BYTES, period, &n);
		check_list(test, l, d, n, pages * PAGE_BYTES, period);
	}
}

struct slot_log {
	unsigned int writes;
	unsigned int entry[4096];
};

static void log_slot(void *ctx, unsigned int slot,
		     const struct sgscope_desc *desc, unsigned int entry)
{
	struct slot_log *log = ctx;

	if (log->writes < ARRAY_SIZE(log->entry))
		log->entry[log->writes] = entry;
	log->writes++;
}

/* A ring started over one chunk of @pages pages in periods of @period. */
static const struct sgscope_desc *start_ring(struct kunit *test,
					     struct sgscope_ring *ring,
					     struct slot_log **logp,
					     unsigned int pages,
					     unsigned int period, int *n)
{
	unsigned int sizes[] = { pages * PAGE_BYTES };
	struct slot_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	struct sgscope_layout *l = make_layout(test, sizes, 1);
	struct sgscope_desc *d;

	KUNIT_ASSERT_NOT_NULL(test, log);
	d = build(test, l, pages * PAGE_BYTES, period, n);
	sgscope_ring_start(ring, d, *n, log_slot, log);
	*logp = log;
	return d;
}

static void ring_refill_visits_every_entry_once_per_lap(struct kunit *test)
{
	unsigned int sizes[100], i;
	struct slot_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	struct sgscope_ring ring;
	struct sgscope_layout *l;
	struct sgscope_desc *d;
	u8 civ = 0;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, log);
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		sizes[i] = PAGE_BYTES;
	l = make_layout(test, sizes, ARRAY_SIZE(sizes));
	d = build(test, l, 100 * PAGE_BYTES, 10 * PAGE_BYTES, &n);
	KUNIT_ASSERT_EQ(test, n, 100);

	sgscope_ring_start(&ring, d, n, log_slot, log);
	KUNIT_EXPECT_EQ(test, log->writes, 32u);
	KUNIT_EXPECT_EQ(test, ring.lvi, 31);
	/* the engine completes 1 to 7 slots between interrupts */
	for (i = 0; i < 150; i++) {
		civ = (civ + 1 + i % 7) % SGSCOPE_RING_SLOTS;
		sgscope_ring_advance(&ring, civ, log_slot, log);
		KUNIT_EXPECT_EQ(test, ring.lvi, (civ + 31) % 32);
	}
	/* fed in list order, lap after lap */
	for (i = 0; i < log->writes && i < ARRAY_SIZE(log->entry); i++)
		KUNIT_EXPECT_EQ(test, log->entry[i], i % 100);
	KUNIT_EXPECT_GT(test, log->writes, 300u);
}

static void ring_counts_periods(struct kunit *test)
{
	unsigned int sizes[] = { 64 * PAGE_BYTES };
	struct slot_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	struct sgscope_ring ring;
	struct sgscope_layout *l = make_layout(test, sizes, 1);
	struct sgscope_desc *d;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, log);
	/* 4 periods of 16 pages: one entry each */
	d = build(test, l, 64 * PAGE_BYTES, 16 * PAGE_BYTES, &n);
	KUNIT_ASSERT_EQ(test, n, 4);
	sgscope_ring_start(&ring, d, n, log_slot, log);
	KUNIT_EXPECT_EQ(test, sgscope_ring_advance(&ring, 1, log_slot, log), 1u);
	KUNIT_EXPECT_EQ(test, sgscope_ring_advance(&ring, 1, log_slot, log), 0u);
	KUNIT_EXPECT_EQ(test, sgscope_ring_advance(&ring, 4, log_slot, log), 3u);
}

static void ring_position_exact_to_the_frame(struct kunit *test)
{
	unsigned int sizes[] = { 2 * PAGE_BYTES, 2 * PAGE_BYTES };
	struct slot_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	struct sgscope_ring ring;
	struct sgscope_layout *l = make_layout(test, sizes, 2);
	struct sgscope_desc *d;
	int n;

	KUNIT_ASSERT_NOT_NULL(test, log);
	d = build(test, l, 4 * PAGE_BYTES, PAGE_BYTES, &n);
	KUNIT_ASSERT_EQ(test, n, 4);
	sgscope_ring_start(&ring, d, n, log_slot, log);
	/* slot 0 fresh: PICB is the whole entry in samples */
	KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, 0, PAGE_BYTES / 2), 0u);
	KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, 0, PAGE_BYTES / 2 - 2), 4u);
	KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, 1, 2), 2 * PAGE_BYTES - 4);
	KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, 3, PAGE_BYTES / 2), 3 * PAGE_BYTES);
	/* slot 5 holds entry 1 on the second lap */
	KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, 5, 0), 2 * PAGE_BYTES);
	/* the last entry done: back to the start of the buffer */
	KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, 3, 0), 0u);
}

/*
 * The pointer around every descriptor and period boundary of a list with
 * chunk splits: first frame, one frame in, last frame, entry done.
 */
static void ring_position_at_every_boundary(struct kunit *test)
{
	unsigned int sizes[] = { 3 * PAGE_BYTES, PAGE_BYTES, 5 * PAGE_BYTES,
				 2 * PAGE_BYTES, 5 * PAGE_BYTES };
	struct slot_log *log = kunit_kzalloc(test, sizeof(*log), GFP_KERNEL);
	struct sgscope_layout *l = make_layout(test, sizes, ARRAY_SIZE(sizes));
	unsigned int buffer = 16 * PAGE_BYTES, period = 4 * PAGE_BYTES;
	struct sgscope_ring ring;
	struct sgscope_desc *d;
	int n, i;

	KUNIT_ASSERT_NOT_NULL(test, log);
	d = build(test, l, buffer, period, &n);
	sgscope_ring_start(&ring, d, n, log_slot, log);
	for (i = 0; i < SGSCOPE_RING_SLOTS; i++) {
		const struct sgscope_desc *e = &d[i % n];
		u16 samples = e->bytes / 2;

		KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, i, samples), e->offset);
		KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, i, samples - 2),
				e->offset + SGSCOPE_FRAME_BYTES);
		KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, i, 2),
				e->offset + e->bytes - SGSCOPE_FRAME_BYTES);
		KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, i, 0),
				(e->offset + e->bytes) % buffer);
		/* a stale PICB larger than the entry reads as its start */
		KUNIT_EXPECT_EQ(test, sgscope_ring_position(&ring, i, 0xffff), e->offset);
	}
}

static void bdl_count_equals_fill(struct kunit *test)
{
	unsigned int sizes[] = { 5 * PAGE_BYTES, 3 * PAGE_BYTES, 8 * PAGE_BYTES };
	struct sgscope_layout *l = make_layout(test, sizes, ARRAY_SIZE(sizes));
	struct sgscope_desc d[64];
	int counted = sgscope_bdl_build(l, 16 * PAGE_BYTES, 2 * PAGE_BYTES, NULL, 0);

	KUNIT_EXPECT_EQ(test, sgscope_bdl_build(l, 16 * PAGE_BYTES, 2 * PAGE_BYTES,
						d, ARRAY_SIZE(d)), counted);
}

static void bdl_too_small_output_is_enospc(struct kunit *test)
{
	unsigned int sizes[] = { 16 * PAGE_BYTES };
	struct sgscope_layout *l = make_layout(test, sizes, 1);
	struct sgscope_desc d[3];

	KUNIT_EXPECT_EQ(test, sgscope_bdl_build(l, 16 * PAGE_BYTES, 4 * PAGE_BYTES,
						d, ARRAY_SIZE(d)), -ENOSPC);
}

static void bdl_smallest_periods(struct kunit *test)
{
	unsigned int sizes[] = { PAGE_BYTES, PAGE_BYTES };
	struct sgscope_layout *l = make_layout(test, sizes, 2);
	struct sgscope_desc *d;
	int n;

	/* 256-byte periods: 16 entries per page, every one a period end */
	d = build(test, l, 2 * PAGE_BYTES, 256, &n);
	KUNIT_EXPECT_EQ(test, n, 32);
	check_list(test, l, d, n, 2 * PAGE_BYTES, 256);
}

static void bdl_one_period_per_buffer_half(struct kunit *test)
{
	unsigned int sizes[] = { 7 * PAGE_BYTES, 9 * PAGE_BYTES };
	struct sgscope_layout *l = make_layout(test, sizes, 2);
	struct sgscope_desc *d;
	int n;

	d = build(test, l, 16 * PAGE_BYTES, 8 * PAGE_BYTES, &n);
	/* the period end at page 8 splits the second chunk */
	KUNIT_EXPECT_EQ(test, n, 3);
	KUNIT_EXPECT_TRUE(test, d[1].period_end);
	KUNIT_EXPECT_TRUE(test, d[2].period_end);
	KUNIT_EXPECT_FALSE(test, d[0].period_end);
	check_list(test, l, d, n, 16 * PAGE_BYTES, 8 * PAGE_BYTES);
}

static void bdl_refill_ioc_inside_long_periods(struct kunit *test)
{
	unsigned int sizes[64], i;
	struct sgscope_layout *l;
	struct sgscope_desc *d;
	int n, iocs = 0;

	for (i = 0; i < 64; i++)
		sizes[i] = PAGE_BYTES;
	l = make_layout(test, sizes, 64);
	/* one period of 32 single-page entries: IOC every 8 entries */
	d = build(test, l, 64 * PAGE_BYTES, 32 * PAGE_BYTES, &n);
	for (i = 0; i < n; i++)
		iocs += d[i].ioc;
	KUNIT_EXPECT_EQ(test, iocs, 8);
	KUNIT_EXPECT_TRUE(test, d[7].ioc);
	KUNIT_EXPECT_FALSE(test, d[7].period_end);
	check_list(test, l, d, n, 64 * PAGE_BYTES, 32 * PAGE_BYTES);
}

static void bdl_ends_exactly_at_4gib(struct kunit *test)
{
	unsigned int sizes[] = { PAGE_BYTES };
	struct sgscope_layout *l = make_layout(test, sizes, 1);
	struct sgscope_desc d[1];

	l->chunks[0].addr = BIT_ULL(32) - PAGE_BYTES;
	KUNIT_EXPECT_EQ(test, sgscope_bdl_build(l, PAGE_BYTES, PAGE_BYTES, d, 1), 1);
	KUNIT_EXPECT_EQ(test, d[0].addr, 0xfffff000u);
}

static void bdl_layout_longer_than_buffer(struct kunit *test)
{
	unsigned int sizes[] = { 64 * PAGE_BYTES };
	struct sgscope_layout *l = make_layout(test, sizes, 1);
	struct sgscope_desc *d;
	int n;

	/* a preallocated buffer used in part */
	d = build(test, l, 10 * PAGE_BYTES, 5 * PAGE_BYTES, &n);
	KUNIT_EXPECT_EQ(test, n, 2);
	check_list(test, l, d, n, 10 * PAGE_BYTES, 5 * PAGE_BYTES);
}

static void ring_short_list_laps_in_the_slots(struct kunit *test)
{
	struct sgscope_ring ring;
	struct slot_log *log;
	int n, i;

	start_ring(test, &ring, &log, 4, 2 * PAGE_BYTES, &n);
	KUNIT_ASSERT_EQ(test, n, 2);
	for (i = 0; i < SGSCOPE_RING_SLOTS; i++)
		KUNIT_EXPECT_EQ(test, ring.slot_entry[i], i % 2);
}

static void ring_advance_without_progress_does_nothing(struct kunit *test)
{
	struct sgscope_ring ring;
	struct slot_log *log;
	int n;

	start_ring(test, &ring, &log, 40, PAGE_BYTES, &n);
	KUNIT_EXPECT_EQ(test, sgscope_ring_advance(&ring, 0, log_slot, log), 0u);
	KUNIT_EXPECT_EQ(test, log->writes, 32u);
	KUNIT_EXPECT_EQ(test, ring.lvi, 31);
}

static void ring_advance_over_31_slots(struct kunit *test)
{
	struct sgscope_ring ring;
	struct slot_log *log;
	int n;

	start_ring(test, &ring, &log, 40, PAGE_BYTES, &n);
	/* a late interrupt: the engine sits in the last valid slot */
	KUNIT_EXPECT_EQ(test, sgscope_ring_advance(&ring, 31, log_slot, log), 31u);
	KUNIT_EXPECT_EQ(test, ring.lvi, 30);
	KUNIT_EXPECT_EQ(test, ring.slot_entry[0], 32);
	KUNIT_EXPECT_EQ(test, ring.slot_entry[30], 62 % 40);
}

static struct kunit_case sgscope_bdl_cases[] = {
	KUNIT_CASE(bdl_one_chunk),
	KUNIT_CASE(bdl_every_page_a_chunk),
	KUNIT_CASE(bdl_periods_not_aligned_to_chunks),
	KUNIT_CASE(bdl_chunk_longer_than_an_entry),
	KUNIT_CASE(bdl_rejects_bad_input),
	KUNIT_CASE(bdl_random_layouts),
	KUNIT_CASE(ring_refill_visits_every_entry_once_per_lap),
	KUNIT_CASE(ring_counts_periods),
	KUNIT_CASE(ring_position_exact_to_the_frame),
	KUNIT_CASE(ring_position_at_every_boundary),
	KUNIT_CASE(bdl_count_equals_fill),
	KUNIT_CASE(bdl_too_small_output_is_enospc),
	KUNIT_CASE(bdl_smallest_periods),
	KUNIT_CASE(bdl_one_period_per_buffer_half),
	KUNIT_CASE(bdl_refill_ioc_inside_long_periods),
	KUNIT_CASE(bdl_ends_exactly_at_4gib),
	KUNIT_CASE(bdl_layout_longer_than_buffer),
	KUNIT_CASE(ring_short_list_laps_in_the_slots),
	KUNIT_CASE(ring_advance_without_progress_does_nothing),
	KUNIT_CASE(ring_advance_over_31_slots),
	{}
};

static struct kunit_suite sgscope_bdl_suite = {
	.name = "sgscope_bdl",
	.test_cases = sgscope_bdl_cases,
};

kunit_test_suite(sgscope_bdl_suite);

MODULE_DESCRIPTION("KUnit tests for snd-sgscope's descriptor lists and ring");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
