// SPDX-License-Identifier: GPL-2.0
/* The kernel's account of its memory zones: /proc/buddyinfo, pagetypeinfo, zoneinfo. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "memload_internal.h"

/* The zone called name in the table of n, added if there is room; or NULL. */
static struct zone *zone_index(struct zone zones[MAX_ZONES], int *n, const char *name,
			       unsigned int source)
{
	int z;

	for (z = 0; z < *n && strcmp(zones[z].name, name); z++)
		;
	if (z == *n) {
		if (*n == MAX_ZONES)
			return NULL;
		snprintf(zones[(*n)++].name, sizeof(zones[0].name), "%s", name);
	}
	zones[z].seen |= source;
	return &zones[z];
}

/* Numbers up to BUDDY_ORDERS of them, added to out; ">" before one is skipped. */
static void add_orders(const char *p, unsigned long out[BUDDY_ORDERS])
{
	int i, used;

	for (i = 0; i < BUDDY_ORDERS; i++) {
		unsigned long v;

		while (*p == ' ' || *p == '>')
			p++;
		if (sscanf(p, "%lu%n", &v, &used) != 1)
			break;
		out[i] += v;
		p += used;
	}
}

static void read_buddy_lines(FILE *f, struct zone zones[MAX_ZONES], int *n)
{
	char line[512], name[32];

	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		struct zone *z;
		int used;

		if (!p || sscanf(p, "zone %31s%n", name, &used) != 1)
			continue;
		z = zone_index(zones, n, name, ZONES_BUDDY);
		if (z)
			add_orders(p + used, z->counts);
	}
}

/* 100000 and more show as ">100000" in /proc/pagetypeinfo. */
static void read_pagetype_lines(FILE *f, struct zone zones[MAX_ZONES], int *n)
{
	char line[512], name[32], type[32];

	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		struct zone *z;
		int used;

		if (!p || sscanf(p, "zone %31[^,], type %31s%n", name, type, &used) != 2)
			continue;
		z = zone_index(zones, n, name, ZONES_PAGETYPES);
		if (!z)
			continue;
		if (!strcmp(type, "Unmovable") || !strcmp(type, "Movable") ||
		    !strcmp(type, "Reclaimable"))
			add_orders(p + used, z->usable);
		else
			add_orders(p + used, z->reserved);
	}
}

static void read_zoneinfo_lines(FILE *f, struct zone zones[MAX_ZONES], int *n)
{
	char line[256], name[32];
	struct zone *z = NULL;
	long v;

	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %*d, zone %31s", name) == 1) {
			z = zone_index(zones, n, name, ZONES_ZONEINFO);
			continue;
		}
		if (!z)
			continue;
		if (sscanf(line, " pages free %ld", &v) == 1)
			z->free += v;
		else if (sscanf(line, " min %ld", &v) == 1)
			z->min += v;
		else if (sscanf(line, " managed %ld", &v) == 1)
			z->managed += v;
		else if (sscanf(line, " high: %ld", &v) == 1 && v > z->high)
			z->high = v;
		else if (sscanf(line, " spanned %ld", &v) == 1 && !z->end_pfn)
			z->end_pfn = v;
		else if (sscanf(line, " start_pfn: %ld", &v) == 1 && !z->start_pfn) {
			z->start_pfn = v;
			z->end_pfn += v;
		}
	}
}

/* The files of sources (ZONES_*) read into one table; how many zones. */
int read_zones(struct zone zones[MAX_ZONES], unsigned int sources)
{
	static const struct {
		unsigned int source;
		const char *path;
		void (*read)(FILE *f, struct zone zones[MAX_ZONES], int *n);
	} files[] = {
		{ ZONES_BUDDY, "/proc/buddyinfo", read_buddy_lines },
		{ ZONES_PAGETYPES, "/proc/pagetypeinfo", read_pagetype_lines },
		{ ZONES_ZONEINFO, "/proc/zoneinfo", read_zoneinfo_lines },
	};
	int n = 0;
	size_t i;

	memset(zones, 0, MAX_ZONES * sizeof(*zones));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f;

		if (!(sources & files[i].source))
			continue;
		f = fopen(files[i].path, "r");
		if (!f)
			continue;
		files[i].read(f, zones, &n);
		fclose(f);
	}
	return n;
}

void buddyinfo_print(FILE *f, const char *label)
{
	struct zone zones[MAX_ZONES];
	int n = read_zones(zones, ZONES_BUDDY), z, i;

	for (z = 0; z < n; z++) {
		fprintf(f, "sgscope inject: buddyinfo %-6s zone %-7s (free blocks of order 0..%d):",
			label, zones[z].name, BUDDY_ORDERS - 1);
		for (i = 0; i < BUDDY_ORDERS; i++)
			fprintf(f, " %lu", zones[z].counts[i]);
		fputc('\n', f);
	}
}

/*
 * An allocation of an order is out of reach in a zone when it would leave
 * the zone's free pages at or below its min watermark (the test of
 * __zone_watermark_ok, with no lowmem reserve: inject sets them to 0).
 */
bool in_reach(const struct zone *z, int order)
{
	return z->free - ((1L << order) - 1) > z->min;
}


bool kernel_zone(const char *zone, int order_min)
{
	return order_min <= COSTLY_ORDER && !strcmp(zone, KERNEL_ZONE);
}

int zone_floor(const char *zone, int order_min)
{
	return kernel_zone(zone, order_min) ? COSTLY_ORDER + 1 : order_min;
}

/*
 * Free blocks of order and up that an allocation of order can take, in
 * ZONE_DMA when it is kept for the kernel (kernel), or in the other zones.
 */
unsigned long blocks_left(int order, int order_min, bool kernel)
{
	struct zone zones[MAX_ZONES];
	int n = read_zones(zones, ZONES_BUDDY | ZONES_ZONEINFO), z, i;
	unsigned long sum = 0;

	for (z = 0; z < n; z++) {
		if (!(zones[z].seen & ZONES_BUDDY) ||
		    kernel_zone(zones[z].name, order_min) != kernel)
			continue;
		if ((zones[z].seen & ZONES_ZONEINFO) && !in_reach(&zones[z], order))
			continue;
		for (i = order; i < BUDDY_ORDERS; i++)
			sum += zones[z].counts[i];
	}
	return sum;
}

unsigned long buddyinfo_blocks_from(int order)
{
	struct zone zones[MAX_ZONES];
	int n = read_zones(zones, ZONES_BUDDY), z, i;
	unsigned long sum = 0;

	for (z = 0; z < n; z++)
		for (i = order; i < BUDDY_ORDERS; i++)
			sum += zones[z].counts[i];
	return sum;
}

/*
 * The zone user memory comes from (the one with the most managed pages):
 * its free pages and min watermark.
 */
int user_zone(char *name, size_t len, long *free_pages, long *min)
{
	struct zone zones[MAX_ZONES];
	int n = read_zones(zones, ZONES_ZONEINFO), z, best = -1;

	for (z = 0; z < n; z++)
		if (zones[z].managed > 0 && (best < 0 || zones[z].managed > zones[best].managed))
			best = z;
	if (best < 0)
		return -1;
	snprintf(name, len, "%s", zones[best].name);
	*free_pages = zones[best].free;
	*min = zones[best].min;
	return 0;
}

/* Sum of the zones' min watermarks, in kB. */
unsigned long min_watermarks_kb(void)
{
	struct zone zones[MAX_ZONES];
	int n = read_zones(zones, ZONES_ZONEINFO), z;
	unsigned long sum = 0;

	for (z = 0; z < n; z++)
		sum += zones[z].min;
	return sum * (sysconf(_SC_PAGESIZE) / 1024);
}
