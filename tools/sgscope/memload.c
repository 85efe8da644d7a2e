// SPDX-License-Identifier: GPL-2.0
/* Fragmentation and memory pressure, made for real, for sgscope inject. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "knobs.h"
#include "memload.h"

#ifndef MADV_FREE
#define MADV_FREE 8
#endif

#define MAX_ZONES	8

struct zone_blocks {
	char name[32];
	unsigned long counts[BUDDY_ORDERS];
};

/* /proc/buddyinfo, zones of all nodes summed by name; how many zones. */
static int read_buddyinfo(struct zone_blocks zones[MAX_ZONES])
{
	char line[512], zone[32];
	FILE *f = fopen("/proc/buddyinfo", "r");
	int n = 0;

	memset(zones, 0, MAX_ZONES * sizeof(*zones));
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		int i, z, used;

		if (!p || sscanf(p, "zone %31s%n", zone, &used) != 1)
			continue;
		p += used;
		for (z = 0; z < n && strcmp(zones[z].name, zone); z++)
			;
		if (z == n) {
			if (n == MAX_ZONES)
				continue;
			snprintf(zones[n++].name, sizeof(zones[0].name), "%s", zone);
		}
		for (i = 0; i < BUDDY_ORDERS; i++) {
			unsigned long v;

			if (sscanf(p, "%lu%n", &v, &used) != 1)
				break;
			zones[z].counts[i] += v;
			p += used;
		}
	}
	fclose(f);
	return n;
}

void buddyinfo_print(FILE *f, const char *label)
{
	struct zone_blocks zones[MAX_ZONES];
	int n = read_buddyinfo(zones), z, i;

	for (z = 0; z < n; z++) {
		fprintf(f, "sgscope inject: buddyinfo %-6s zone %-7s (free blocks of order 0..%d):",
			label, zones[z].name, BUDDY_ORDERS - 1);
		for (i = 0; i < BUDDY_ORDERS; i++)
			fprintf(f, " %lu", zones[z].counts[i]);
		fputc('\n', f);
	}
}

/*
 * Free blocks of order (exactly, or from order up), per zone into
 * per_zone when given; a zone's orders from reach[zone] up are left out
 * (reach NULL: none).
 */
static unsigned long count_blocks(int order, bool and_up, const int *reach,
				  unsigned long per_zone[MAX_ZONES])
{
	struct zone_blocks zones[MAX_ZONES];
	int n = read_buddyinfo(zones), z, i;
	unsigned long sum = 0;

	for (z = 0; z < MAX_ZONES; z++) {
		unsigned long zone_sum = 0;

		for (i = order; z < n && i < (and_up ? BUDDY_ORDERS : order + 1); i++)
			if (!reach || i < reach[z])
				zone_sum += zones[z].counts[i];
		if (per_zone)
			per_zone[z] = zone_sum;
		sum += zone_sum;
	}
	return sum;
}

unsigned long buddyinfo_blocks_from(int order)
{
	return count_blocks(order, true, NULL, NULL);
}

static unsigned long mem_free_kb(void)
{
	char line[128];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -1;
	err = fputs(s, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

static volatile sig_atomic_t refill_wanted;

static void on_refill(int sig)
{
	refill_wanted = sig;
}

/*
 * The zone user memory comes from (the one with the most managed pages):
 * its free pages and min watermark, from /proc/zoneinfo.
 */
static int user_zone(char *name, size_t len, long *free_pages, long *min)
{
	long managed = 0, best = -1, v, f = 0, l = 0;
	char line[256], zone[32] = "";
	FILE *fp = fopen("/proc/zoneinfo", "r");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "Node %*d, zone %31s", zone) == 1)
			continue;
		if (sscanf(line, " pages free %ld", &v) == 1)
			f = v;
		else if (sscanf(line, " min %ld", &v) == 1)
			l = v;
		else if (sscanf(line, " managed %ld", &v) == 1 && v > best) {
			best = managed = v;
			snprintf(name, len, "%s", zone);
			*free_pages = f;
			*min = l;
		}
	}
	fclose(fp);
	return managed > 0 ? 0 : -1;
}

/* What the fragmenter holds: anonymous regions, never unmapped. */
struct region {
	char *addr;
	long pages;
};

static struct region *regions;
static int nregions;

static int hold_region(long pages)
{
	long page = sysconf(_SC_PAGESIZE);
	struct region *r;
	char *p;

	r = realloc(regions, (nregions + 1) * sizeof(*regions));
	if (!r)
		return -1;
	regions = r;
	p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	regions[nregions++] = (struct region) { p, pages };
	return 0;
}

/* Sum of the zones' min watermarks, in kB. */
static unsigned long min_watermarks_kb(void)
{
	unsigned long sum = 0, v;
	char line[256];
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " min %lu", &v) == 1)
			sum += v;
	fclose(f);
	return sum * (sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * Take free memory: percent of it, or with 100 all that user memory may
 * take but FRAGMENT_MARGIN_KB above the min watermarks (nearer, what
 * other tasks allocate meanwhile wakes the OOM killer: nothing held is
 * reclaimable and the caches are gone; the margin's blocks are taken
 * as rings afterwards, once half of what is held is free again).  With 100, clean
 * page cache and reclaimable slab are dropped first, to be taken too:
 * reclaimed later, whole runs of them would free blocks of any order.
 */
#define FRAGMENT_STEP_KB	4096L
#define FRAGMENT_MARGIN_KB	65536L

static int fragment_take(int percent)
{
	long page_kb = sysconf(_SC_PAGESIZE) / 1024, kb;
	int err = 0;

	if (percent < 100) {
		kb = mem_free_kb() / 100 * percent;
	} else {
		sync();
		if (write_str("/proc/sys/vm/drop_caches", "3"))
			return -1;
		kb = mem_free_kb() - min_watermarks_kb() - FRAGMENT_MARGIN_KB;
	}
	for (; kb > 0 && !err; kb -= FRAGMENT_STEP_KB)
		err = hold_region((kb < FRAGMENT_STEP_KB ? kb : FRAGMENT_STEP_KB) / page_kb);
	return err;
}

/*
 * What the page-by-page giving back leaves of higher orders (the margin,
 * the zones' reserves) is taken a block at a time: the ring of an
 * AF_PACKET socket is made of blocks of the order asked for
 * (__GFP_NORETRY, the smallest free block that fits), the one allocation
 * of a chosen order user space can ask for.  The sockets receive nothing
 * (protocol 0) and live as long as the holder.
 */
#define FRAGMENT_MAX_RINGS	4096

static int nrings;

/*
 * For each zone (by its place in /proc/buddyinfo), the lowest order whose
 * blocks were left when a ring of that order got vmalloc'ed pages instead
 * of a block: an ordinary allocation of that order does not reach them
 * (what the zone holds free minus the block would fall below its lowmem
 * reserve), nor of a higher one; those blocks count no more.
 */
static int out_of_reach[MAX_ZONES] = {
	[0 ... MAX_ZONES - 1] = BUDDY_ORDERS,
};

/* Free blocks of order (exactly, or from order up) in the zones in reach. */
static unsigned long blocks_in_reach(int order, bool and_up, unsigned long per_zone[MAX_ZONES])
{
	return count_blocks(order, and_up, out_of_reach, per_zone);
}

#define PAGEMAP_PRESENT		(1ULL << 63)
#define PAGEMAP_PFN_MASK	((1ULL << 55) - 1)

/* The /proc/self/pagemap entries of pages pages from addr, in one read. */
static int pagemap_read(int fd, const void *addr, long pages,
			unsigned long long *entries)
{
	size_t bytes = pages * sizeof(*entries);
	off_t at = (off_t)((unsigned long)addr / sysconf(_SC_PAGESIZE)) * sizeof(*entries);

	return pread(fd, entries, bytes, at) == (ssize_t)bytes ? 0 : -1;
}

/*
 * A ring of one block of the order: its socket, and whether the block is
 * one (frames contiguous and aligned, read back through the ring's
 * mapping) or pages vmalloc'ed because no block of the order was in reach.
 */
static int ring_block(int order, bool *real)
{
	long page = sysconf(_SC_PAGESIZE), i;
	struct tpacket_req req = {
		.tp_block_size = page << order,
		.tp_block_nr = 1,
		.tp_frame_size = page,
		.tp_frame_nr = 1 << order,
	};
	unsigned long long entries[1 << (BUDDY_ORDERS - 1)], first;
	int fd, map = -1;
	char *p;

	*real = false;
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		goto fail;
	p = mmap(NULL, req.tp_block_size, PROT_READ, MAP_SHARED, fd, 0);
	map = open("/proc/self/pagemap", O_RDONLY);
	if (p == MAP_FAILED || map < 0 || pagemap_read(map, p, 1L << order, entries))
		goto fail;
	first = entries[0] & PAGEMAP_PFN_MASK;
	*real = first && !(first & ((1ULL << order) - 1));
	for (i = 1; i < 1L << order && *real; i++)
		*real = (entries[i] & PAGEMAP_PFN_MASK) == first + i;
	munmap(p, req.tp_block_size);
	close(map);
	return fd;
fail:
	if (map >= 0)
		close(map);
	close(fd);
	return -1;
}

static int fragment_take_blocks(int order_min)
{
	int order, z;

	for (order = BUDDY_ORDERS - 1; order >= order_min; order--) {
		unsigned long at[MAX_ZONES], tries = 2 * blocks_in_reach(order, false, NULL) + 8;

		/*
		 * Bounded: a ring served from a per-CPU list takes a block
		 * that buddyinfo never showed.
		 */
		while (tries-- && blocks_in_reach(order, false, at)) {
			bool real;
			int fd;

			if (nrings == FRAGMENT_MAX_RINGS) {
				errno = EMFILE;
				return -1;
			}
			fd = ring_block(order, &real);
			if (fd < 0)
				return -1;
			if (real) {
				nrings++;	/* open until the holder ends */
				continue;
			}
			/* no block of this order in reach: those left are not */
			close(fd);
			for (z = 0; z < MAX_ZONES; z++)
				if (at[z] && order < out_of_reach[z])
					out_of_reach[z] = order;
		}
	}
	return 0;
}

struct held_page {
	unsigned long long pfn;
	char *addr;
};

static int by_pfn(const void *a, const void *b)
{
	const struct held_page *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/*
 * Give back every held page but the lowest of each naturally aligned
 * block of 2^order_min frames: a freed page then always has a held page
 * in its block, and the buddy allocator cannot merge it past order_min - 1.
 */
static int fragment_give_back(int order_min)
{
	long page = sysconf(_SC_PAGESIZE), n = 0, total = 0, most = 0, i;
	unsigned long long *entries = NULL;
	struct held_page *held;
	int fd, r;

	for (r = 0; r < nregions; r++) {
		total += regions[r].pages;
		if (regions[r].pages > most)
			most = regions[r].pages;
	}
	held = calloc(total, sizeof(*held));
	entries = calloc(most, sizeof(*entries));
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (!held || !entries || fd < 0)
		goto fail;
	for (r = 0; r < nregions; r++) {
		if (pagemap_read(fd, regions[r].addr, regions[r].pages, entries))
			goto fail;
		for (i = 0; i < regions[r].pages; i++) {
			unsigned long long entry = entries[i];

			if (!(entry & PAGEMAP_PRESENT) || !(entry & PAGEMAP_PFN_MASK))
				continue;	/* not there, or PFNs hidden (no CAP_SYS_ADMIN) */
			held[n++] = (struct held_page) { entry & PAGEMAP_PFN_MASK,
							 regions[r].addr + i * page };
		}
	}
	close(fd);
	fd = -1;
	free(entries);
	entries = NULL;
	if (!n)
		goto fail;
	qsort(held, n, sizeof(*held), by_pfn);
	for (i = 0; i < n; i++) {
		if (i && held[i].pfn >> order_min == held[i - 1].pfn >> order_min &&
		    madvise(held[i].addr, page, MADV_DONTNEED))
			goto fail;
	}
	free(held);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(entries);
	free(held);
	return -1;
}

/*
 * /proc/pagetypeinfo: free blocks of order >= order in a zone, those on the
 * lists an ordinary allocation takes from (Unmovable, Movable,
 * Reclaimable) and those held in reserves it does not touch (HighAtomic,
 * CMA, Isolate).  Counts of 100000 and more show as ">100000": order 0.
 */
static int pagetype_blocks(const char *zone, int order, unsigned long *usable,
			   unsigned long *reserved)
{
	char line[512], z[32], type[32];
	FILE *f = fopen("/proc/pagetypeinfo", "r");
	int found = 0;

	*usable = *reserved = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "zone");
		int i, used;

		if (!p || sscanf(p, "zone %31[^,], type %31s%n", z, type, &used) != 2 ||
		    strcmp(z, zone))
			continue;
		found = 1;
		p += used;
		for (i = 0; i < BUDDY_ORDERS; i++) {
			unsigned long v;

			while (*p == ' ' || *p == '>')
				p++;
			if (sscanf(p, "%lu%n", &v, &used) != 1)
				break;
			p += used;
			if (i < order)
				continue;
			if (!strcmp(type, "Unmovable") || !strcmp(type, "Movable") ||
			    !strcmp(type, "Reclaimable"))
				*usable += v;
			else
				*reserved += v;
		}
	}
	fclose(f);
	return found ? 0 : -1;
}

int fragment_verdict(int order_min, char *msg, size_t len)
{
	unsigned long usable, reserved;
	long free_pages, wmin;
	char zone[32];

	if (user_zone(zone, sizeof(zone), &free_pages, &wmin) ||
	    pagetype_blocks(zone, order_min, &usable, &reserved)) {
		snprintf(msg, len, "cannot read /proc/zoneinfo and /proc/pagetypeinfo");
		return -1;
	}
	snprintf(msg, len, "zone %s: %lu free blocks of order >= %d an ordinary allocation can take, "
		 "%lu in reserves it does not touch (highatomic, CMA, isolated)",
		 zone, usable, order_min, reserved);
	return usable ? 1 : 0;
}

/* The holder's steps; a step that fails says which and why, and ends it. */
static void holder_failed(const char *step)
{
	fprintf(stderr, "sgscope inject: fragmenting: %s: %s\n", step, strerror(errno));
	_exit(1);
}

static void fragment_all(int percent, int order_min)
{
	if (fragment_take(percent))
		holder_failed("taking free memory");
	if (fragment_give_back(order_min))
		holder_failed("giving pages back by frame number (/proc/self/pagemap)");
	if (percent == 100 && fragment_take_blocks(order_min))
		holder_failed("taking the blocks left (AF_PACKET rings)");
}

/*
 * The blocks that show up later: per-CPU lists hand back what they held,
 * other tasks free memory whose buddies were free.  Taken again.
 */
static void fragment_keep(int order_min)
{
	if (blocks_in_reach(order_min, true, NULL) && fragment_take_blocks(order_min))
		holder_failed("taking the blocks that came back (AF_PACKET rings)");
}

#define FRAGMENT_SETTLE_S	5

/*
 * The holder: take free memory, give back all but one page of every
 * 2^order_min block; with 100%, take the blocks left, and keep taking
 * those that show up (once a second, and until FRAGMENT_SETTLE_S seconds
 * pass without any before it says it is ready).  SIGUSR1 does it all
 * again.  Not mlocked (a single page could not be given back without
 * splitting the mapping): anonymous memory is not reclaimed without
 * swap, and the caller keeps compaction away.  Killed to end.
 */
static void fragment_hold(long percent, long order_min, int ready_fd)
{
	const struct timespec second = { .tv_sec = 1 };
	struct rlimit files;
	sigset_t usr1;
	int quiet = 0;

	/* the parent's handlers came along with fork: be killable */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	/* a ring per socket, a socket per order and round: room for them */
	if (!getrlimit(RLIMIT_NOFILE, &files) && files.rlim_cur < FRAGMENT_MAX_RINGS + 64) {
		files.rlim_cur = FRAGMENT_MAX_RINGS + 64;
		if (files.rlim_max < files.rlim_cur)
			files.rlim_max = files.rlim_cur;
		setrlimit(RLIMIT_NOFILE, &files);
	}
	fragment_all(percent, order_min);
	while (percent == 100 && quiet < FRAGMENT_SETTLE_S) {
		nanosleep(&second, NULL);
		quiet = blocks_in_reach(order_min, true, NULL) ? 0 : quiet + 1;
		fragment_keep(order_min);
	}
	if (write(ready_fd, "1", 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;) {
		if (sigtimedwait(&usr1, NULL, &second) == SIGUSR1) {
			fragment_all(percent, order_min);
			if (write(STDERR_FILENO, "sgscope inject: fragmented again\n", 33) != 33)
				_exit(1);
		} else if (percent == 100) {
			fragment_keep(order_min);
		}
	}
}

/*
 * Fork a helper running hold(a, b, ready_fd) and wait until it says it is
 * ready; its pid, or -1 when it ended first.
 */
static pid_t holder_start(void (*hold)(long a, long b, int ready_fd), long a, long b)
{
	int fds[2];
	char c;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		hold(a, b, fds[1]);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &c, 1) != 1) {
		close(fds[0]);
		if (pid > 0)
			memload_stop(pid, NULL);
		return -1;
	}
	close(fds[0]);
	return pid;
}

pid_t fragment_start(int percent, int order_min)
{
	return holder_start(fragment_hold, percent, order_min);
}

int psi_memory(unsigned long long *some_us, unsigned long long *full_us)
{
	char line[256];
	FILE *f = fopen("/proc/pressure/memory", "r");

	*some_us = *full_us = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *total = strstr(line, "total=");

		if (!total)
			continue;
		if (!strncmp(line, "some", 4))
			*some_us = strtoull(total + 6, NULL, 10);
		else if (!strncmp(line, "full", 4))
			*full_us = strtoull(total + 6, NULL, 10);
	}
	fclose(f);
	return 0;
}

pid_t pressure_start(int max_mb, char *cgroup, size_t len)
{
	char path[300], value[64];
	pid_t pid;

	snprintf(cgroup, len, "/sys/fs/cgroup/sgscope-pressure-%d", getpid());
	/* the memory controller must be on for the root's children */
	write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	if (mkdir(cgroup, 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/memory.max", cgroup);
	snprintf(value, sizeof(value), "%dM", max_mb);
	if (write_str(path, value))
		return -1;
	pid = fork();
	if (pid == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
		snprintf(value, sizeof(value), "%d", getpid());
		if (write_str(path, value))
			_exit(126);
		/* twice the limit: the cgroup reclaims and stalls all the time */
		snprintf(value, sizeof(value), "%dM", max_mb);
		execlp("stress-ng", "stress-ng", "--vm", "2", "--vm-bytes", value,
		       "--vm-keep", "--quiet", "--timeout", "0",
		       "--temp-path", "/tmp", (char *)NULL);
		_exit(127);
	}
	return pid;
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

void memload_stop(pid_t pid, const char *cgroup)
{
	char path[300];
	int i;

	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	if (!cgroup || !cgroup[0])
		return;
	/* stress-ng's workers may linger a moment after it exits */
	snprintf(path, sizeof(path), "%s/cgroup.kill", cgroup);
	write_str(path, "1");
	for (i = 0; i < 50 && rmdir(cgroup) && errno == EBUSY; i++)
		usleep(100000);
}
