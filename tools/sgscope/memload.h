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

/* Free pages of each order in zone Normal (or the largest zone), summed. */
void buddyinfo_print(FILE *f, const char *label);
/* Free blocks of order >= 4, over all zones: what fragmentation destroys. */
unsigned long buddyinfo_high_order(void);

/* Fork a process that holds percent of MemFree fragmented; its pid or -1. */
pid_t fragment_start(int percent);
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
void memload_stop(pid_t pid, const char *cgroup);

#endif
