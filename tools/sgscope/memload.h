/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real memory conditions for sgscope inject: fragmentation (a helper
 * process that pins most free memory and frees every other page),
 * pressure (stress-ng held in its own memory cgroup) and low memory (free
 * memory held at the min watermark by pages the kernel must reclaim).
 */
#ifndef SGSCOPE_MEMLOAD_H
#define SGSCOPE_MEMLOAD_H

#include <stdio.h>
#include <sys/types.h>

#define BUDDY_ORDERS	11	/* /proc/buddyinfo's columns: orders 0..10 */

/* A line per zone: its free blocks of each order. */
void buddyinfo_print(FILE *f, const char *label);
/* Free blocks of order >= order, over all zones. */
unsigned long buddyinfo_blocks_from(int order);

/*
 * Fork a process that takes percent of free memory and gives back all but
 * one page of every naturally aligned block of 2^order_min frames, the
 * pages kept locked, so that no free block of order >= order_min can form
 * from them; with 100, it also takes every free block of order >=
 * order_min left, in every zone (but ZONE_DMA's below order 4 when
 * order_min is 3 or less: the kernel's own), keeps taking those that show
 * up, and says it is ready once none has for a few seconds; SIGUSR1 does
 * it again (printing "fragmented again" on stderr).  Its pid or -1.  The
 * caller keeps compaction away and the lowmem reserves and per-CPU lists
 * down.
 */
pid_t fragment_start(int percent, int order_min);
/*
 * How fragmented each zone is, a line per zone on f: 0 when none has a
 * free block of order >= order_min an ordinary allocation can take
 * (reserves aside), 1 when one has, -1 when it cannot tell.
 */
int fragment_verdict(FILE *f, int order_min);
/* PSI "some" and "full" total stall time in microseconds. */
int psi_memory(unsigned long long *some_us, unsigned long long *full_us);
/* stress-ng --vm in a new memory cgroup limited to max_mb; its pid or -1. */
pid_t pressure_start(int max_mb, char *cgroup, size_t len);
/*
 * Fork a process that fills free memory of the zone user memory comes from
 * down to its min watermark + above_mb with MADV_FREE'd pages, and again
 * at each SIGUSR1 (printing a "lowmem filled" line on stderr each time);
 * its pid or -1.
 */
pid_t lowmem_start(int above_mb);
/*
 * End a holder (SIGTERM, then SIGKILL, 30 s to end after each)
 * and remove its cgroup: 0, or -1 when it did not end (said on stderr).
 */
int memload_stop(pid_t pid, const char *cgroup);

#endif
