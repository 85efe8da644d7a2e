// SPDX-License-Identifier: GPL-2.0
/* sgscope inject --lowmem: free memory held at the min watermark. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include "memload_internal.h"

#ifndef MADV_FREE
#define MADV_FREE 8
#endif

static volatile sig_atomic_t refill_wanted;

static void on_refill(int sig)
{
	refill_wanted = sig;
}

/*
 * Take free pages of the user zone until what is left is its min
 * watermark plus above_pages: anonymous memory, written (MAP_POPULATE) and
 * handed back with MADV_FREE, so the kernel may take it back without swap
 * or I/O, but must reclaim to do so.  The min watermark, not the low one:
 * between the two, kswapd would be woken, find ZONE_DMA balanced and
 * sleep again, and nothing would reclaim; below min, every allocation
 * reclaims for itself.  Only the shortfall is taken again on a refill;
 * pages the kernel reclaimed leave holes in the old mappings that cost
 * nothing.
 */
static long lowmem_fill(long above_pages, int report_fd)
{
	long page = sysconf(_SC_PAGESIZE), free_pages, wmin, want, taken = 0;
	const long chunk_pages = (4L << 20) / page;
	char zone[32], msg[160];
	int n;

	/*
	 * The shortfall is measured once: below the low watermark kswapd
	 * wakes and gives back what is taken, and chasing it would never end.
	 */
	if (user_zone(zone, sizeof(zone), &free_pages, &wmin))
		return -1;
	want = free_pages - wmin - above_pages;
	while (taken < want) {
		long step = want - taken < chunk_pages ? want - taken : chunk_pages;
		void *p = mmap(NULL, step * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (p == MAP_FAILED || madvise(p, step * page, MADV_FREE))
			return -1;
		taken += step;
	}
	user_zone(zone, sizeof(zone), &free_pages, &wmin);
	n = snprintf(msg, sizeof(msg),
		     "sgscope inject: lowmem filled: zone %s, %ld kB taken, free now %ld kB, min watermark %ld kB\n",
		     zone, taken * page / 1024, free_pages * page / 1024, wmin * page / 1024);
	if (report_fd >= 0 && write(report_fd, msg, n) != n)
		return -1;
	return taken;
}

/* holder_start's second argument is --fragment's: nothing here */
static void lowmem_hold(long above_pages, long unused, int ready_fd)
{
	struct sigaction sa = { .sa_handler = on_refill };
	sigset_t usr1, waiting;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	/* blocked but while waiting: a refill asked for during one is not lost */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &waiting);
	sigdelset(&waiting, SIGUSR1);
	sigaction(SIGUSR1, &sa, NULL);
	/* order-0 pages, as the allocations it stands in for */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	if (lowmem_fill(above_pages, STDERR_FILENO) < 0 || write(ready_fd, "1", 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;) {
		sigsuspend(&waiting);
		if (refill_wanted) {
			refill_wanted = 0;
			if (lowmem_fill(above_pages, STDERR_FILENO) < 0)
				_exit(1);
		}
	}
}

pid_t lowmem_start(int above_mb)
{
	return holder_start(lowmem_hold, (long)above_mb * (1 << 20) / sysconf(_SC_PAGESIZE), 0);
}
