/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What memload's parts share: the kernel's account of its zones
 * (zones.c), the holder process (memload.c) and a file write.
 */
#ifndef SGSCOPE_MEMLOAD_INTERNAL_H
#define SGSCOPE_MEMLOAD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "memload.h"

#define MAX_ZONES	8

/*
 * What the kernel says of a zone, of all nodes summed by name, from the
 * files read_zones() was asked to read (seen says which named it):
 * /proc/buddyinfo's free blocks by order; /proc/pagetypeinfo's, split
 * into those ordinary allocations take (unmovable, movable, reclaimable)
 * and the reserves (highatomic, CMA, isolated); /proc/zoneinfo's free
 * pages, min watermark, managed pages, per-CPU high mark and the frames
 * it spans (of its first node).
 */
enum { ZONES_BUDDY = 1, ZONES_PAGETYPES = 2, ZONES_ZONEINFO = 4 };

struct zone {
	char name[32];
	unsigned int seen;
	unsigned long counts[BUDDY_ORDERS];
	unsigned long usable[BUDDY_ORDERS], reserved[BUDDY_ORDERS];
	long free, min, managed, high;
	unsigned long long start_pfn, end_pfn;
};

/* The files of sources (ZONES_*) read into one table; how many zones. */
int read_zones(struct zone zones[MAX_ZONES], unsigned int sources);
/* An allocation of order leaves the zone above its min watermark. */
bool in_reach(const struct zone *z, int order);

/*
 * Allocations of order 1 to PAGE_ALLOC_COSTLY_ORDER must not fail: with
 * none of those blocks free, the kernel compacts and reclaims whatever the
 * holder does not hold to make one (a fork's PGD is an order-1 block with
 * page-table isolation), and what it moves leaves free blocks of any
 * order behind.  So when order_min is that low, ZONE_DMA keeps free blocks
 * of those orders for the kernel (no allocation comes from it while a
 * higher zone has a block), and loses only its larger ones: its floor,
 * the order from which a zone has no free block, is one above.
 */
#define COSTLY_ORDER	3	/* the kernel's PAGE_ALLOC_COSTLY_ORDER */
#define KERNEL_ZONE	"DMA"

bool kernel_zone(const char *zone, int order_min);
/* The order from which a zone is to have no free block. */
int zone_floor(const char *zone, int order_min);
/*
 * Free blocks of order and up that an allocation of order can take, in
 * ZONE_DMA when it is kept for the kernel (kernel), or in the other zones.
 */
unsigned long blocks_left(int order, int order_min, bool kernel);
/* The zone user memory comes from: its name, free pages and min watermark. */
int user_zone(char *name, size_t len, long *free_pages, long *min);
/* Sum of the zones' min watermarks, in kB. */
unsigned long min_watermarks_kb(void);

/* s into the file at path; 0 or -1. */
int write_str(const char *path, const char *s);
/*
 * Fork a helper running hold(a, b, ready_fd) and wait until it says it is
 * ready; its pid, or -1 when it ended first.
 */
pid_t holder_start(void (*hold)(long a, long b, int ready_fd), long a, long b);

#endif
