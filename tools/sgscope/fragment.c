// SPDX-License-Identifier: GPL-2.0
/* sgscope inject --fragment: a holder that leaves no free block of order >= K. */
#define _GNU_SOURCE	/* mlock2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
#include <time.h>
#include "memload_internal.h"

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

#define DROP_CACHES	"/proc/sys/vm/drop_caches"

/* The page cache, dentries and inodes nobody maps, back to the free lists. */
static int drop_caches(void)
{
	return write_str(DROP_CACHES, "3");
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

/*
 * The page cache every process maps (binaries, libraries) is locked where
 * it is, through a mapping of the holder's own: drop_caches leaves mapped
 * pages, and reclaim (a costly allocation's direct reclaim, kswapd)
 * would unmap and free them, runs of neighbours read in before the
 * holder took its memory, that merge into blocks of any order.  Once,
 * each file range once; what cannot be mapped is left.
 */
struct locked_range {
	unsigned long dev, ino, offset, len;
};

static void lock_mapped_files(void)
{
	static struct locked_range *seen;
	static int nseen;
	char line[512], path[400], maps[300];
	struct dirent *d;
	DIR *proc;

	if (seen)
		return;
	seen = calloc(1, sizeof(*seen));
	proc = opendir("/proc");
	while (seen && proc && (d = readdir(proc))) {
		FILE *f;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(maps, sizeof(maps), "/proc/%s/maps", d->d_name);
		f = fopen(maps, "r");
		while (f && fgets(line, sizeof(line), f)) {
			unsigned long start, end, offset, major, minor, ino;
			struct locked_range r, *more;
			struct stat st;
			int fd, i;
			void *p;

			if (sscanf(line, "%lx-%lx %*s %lx %lx:%lx %lu %399s", &start, &end,
				   &offset, &major, &minor, &ino, path) != 7 ||
			    path[0] != '/' || strstr(line, "(deleted)"))
				continue;
			r = (struct locked_range) { major << 8 | minor, ino, offset, end - start };
			for (i = 0; i < nseen && memcmp(&seen[i], &r, sizeof(r)); i++)
				;
			if (i < nseen)
				continue;
			more = realloc(seen, (nseen + 1) * sizeof(*seen));
			if (!more)
				break;
			seen = more;
			seen[nseen++] = r;
			/*
			 * a regular file only, known before it is opened: a
			 * mapped device (an mmap'ed PCM's /dev/snd/pcmC0D0p)
			 * would be opened, and a PCM in use blocks its open
			 */
			if (stat(path, &st) || !S_ISREG(st.st_mode))
				continue;
			fd = open(path, O_RDONLY | O_NONBLOCK);
			if (fd < 0)
				continue;
			if (!fstat(fd, &st) && S_ISREG(st.st_mode)) {
				p = mmap(NULL, r.len, PROT_READ, MAP_SHARED, fd, offset);
				/* a range past the file's end locks up to it */
				if (p != MAP_FAILED)
					mlock(p, r.len);
			}
			close(fd);
		}
		if (f)
			fclose(f);
	}
	if (proc)
		closedir(proc);
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
	long page_kb = sysconf(_SC_PAGESIZE) / 1024, target = 0, taken = 0, kb, step;
	int err = 0;

	if (percent < 100) {
		target = mem_free_kb() / 100 * percent;
	} else {
		lock_mapped_files();
		sync();
		if (drop_caches())
			return -1;
	}
	/*
	 * With 100, what is free is read again before each step: on a busy
	 * machine others allocate meanwhile, and a take that went on to the
	 * count read at the start would end in reclaim with nothing left
	 * to reclaim.
	 */
	for (;;) {
		kb = percent < 100 ? target - taken :
		     (long)(mem_free_kb() - min_watermarks_kb()) - FRAGMENT_MARGIN_KB;
		if (kb < page_kb || err)
			return err;
		step = kb < FRAGMENT_STEP_KB ? kb : FRAGMENT_STEP_KB;
		err = hold_region(step / page_kb);
		taken += step;
	}
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
 * A ring of one block of the order: its socket, and the block's first
 * frame when it is one (frames contiguous and aligned, read back through
 * the ring's mapping), 0 when its pages were vmalloc'ed because no block
 * of the order was in reach.
 */
static int ring_block(int order, unsigned long long *pfn)
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
	bool real;
	char *p;

	*pfn = 0;
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
	real = first && !(first & ((1ULL << order) - 1));
	for (i = 1; i < 1L << order && real; i++)
		real = (entries[i] & PAGEMAP_PFN_MASK) == first + i;
	*pfn = real ? first : 0;
	munmap(p, req.tp_block_size);
	close(map);
	return fd;
fail:
	if (map >= 0)
		close(map);
	close(fd);
	return -1;
}

/* A ring for the holder to keep; -1 with errno set when it cannot. */
static int ring_take(int order, unsigned long long *pfn)
{
	if (nrings == FRAGMENT_MAX_RINGS) {
		errno = EMFILE;
		return -1;
	}
	return ring_block(order, pfn);
}

/*
 * The blocks left, from the largest order down to order_min: a ring per
 * block while the zones (ZONE_DMA kept for the kernel, or the others)
 * have blocks of the order or larger that an allocation of the order can
 * take (a ring served from a per-CPU list takes a block buddyinfo never
 * showed, one fewer there; the rings that split a larger block take it a
 * piece at a time).
 */
static int take_whole(int order_min, int zones_order_min, bool kernel)
{
	int order;

	for (order = BUDDY_ORDERS - 1; order >= order_min; order--) {
		while (blocks_left(order, zones_order_min, kernel)) {
			unsigned long long pfn;
			int fd = ring_take(order, &pfn);

			if (fd < 0)
				return -1;
			if (!pfn) {
				/* vmalloc'ed: no block of this order an allocation can take */
				close(fd);
				break;
			}
			nrings++;	/* open until the holder ends */
		}
	}
	return 0;
}

/*
 * ZONE_DMA kept for the kernel: its blocks above COSTLY_ORDER taken as
 * rings of that order, then every other ring of each pair of buddies
 * closed, so that the zone's free memory is blocks of COSTLY_ORDER whose
 * buddies are held.  A ring outside the zone (a block a per-CPU list
 * held) stays taken.  Once: the blocks above COSTLY_ORDER that show up
 * later are taken whole (a ring of COSTLY_ORDER would take the free
 * blocks the kernel keeps first, the smallest that fits).
 */
static bool kernel_zone_split;

struct taken_ring {
	int fd;
	unsigned long long pfn;
};

static int by_ring_pfn(const void *a, const void *b)
{
	const struct taken_ring *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static int fragment_kernel_zone(int order_min)
{
	struct zone state[MAX_ZONES], *dma = NULL;
	int ns = read_zones(state, ZONES_ZONEINFO), n = 0, cap, i, err = 0;
	unsigned long long kept = 0;
	struct taken_ring *batch;

	for (i = 0; i < ns; i++)
		if (kernel_zone(state[i].name, order_min))
			dma = &state[i];
	if (!dma || !blocks_left(COSTLY_ORDER + 1, order_min, true))
		return 0;
	if (kernel_zone_split)
		return take_whole(COSTLY_ORDER + 1, order_min, true);
	kernel_zone_split = true;
	/* as many rings as the zone's free memory makes */
	cap = (dma->free >> COSTLY_ORDER) + 1;
	batch = calloc(cap, sizeof(*batch));
	if (!batch)
		return -1;
	while (n < cap && blocks_left(COSTLY_ORDER + 1, order_min, true)) {
		batch[n].fd = ring_take(COSTLY_ORDER, &batch[n].pfn);
		if (batch[n].fd < 0) {
			err = -1;
			break;
		}
		if (!batch[n].pfn) {
			close(batch[n].fd);	/* out of reach */
			break;
		}
		n++;
		nrings++;
	}
	qsort(batch, n, sizeof(*batch), by_ring_pfn);
	for (i = 0; i < n; i++) {
		unsigned long long pfn = batch[i].pfn;

		if (pfn < dma->start_pfn || pfn >= dma->end_pfn)
			continue;
		if (kept && kept >> (COSTLY_ORDER + 1) == pfn >> (COSTLY_ORDER + 1)) {
			close(batch[i].fd);	/* its buddy is held */
			nrings--;
		} else {
			kept = pfn;
		}
	}
	free(batch);
	return err;
}

static int fragment_take_blocks(int order_min)
{
	if (take_whole(order_min, order_min, false))
		return -1;
	return fragment_kernel_zone(order_min);
}

/* Blocks the holder must take: in reach and at or above a zone's floor. */
static bool blocks_to_take(int order_min)
{
	return blocks_left(order_min, order_min, false) ||
	       blocks_left(COSTLY_ORDER + 1, order_min, true);
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
	/* a locked page cannot be given back: unlocked for the while */
	for (r = 0; r < nregions; r++)
		if (munlock(regions[r].addr, regions[r].pages * page))
			goto fail;
	for (i = 0; i < n; i++) {
		if (i && held[i].pfn >> order_min == held[i - 1].pfn >> order_min &&
		    madvise(held[i].addr, page, MADV_DONTNEED))
			goto fail;
	}
	/*
	 * The pages kept are locked where they are (MLOCK_ONFAULT: the pages
	 * given back stay given back): compaction, which runs for orders up
	 * to PAGE_ALLOC_COSTLY_ORDER whatever extfrag_threshold says, leaves
	 * unevictable pages alone with compact_unevictable_allowed at 0, so
	 * it cannot move a kept page out of its block and merge the block.
	 */
	for (r = 0; r < nregions; r++)
		if (mlock2(regions[r].addr, regions[r].pages * page, MLOCK_ONFAULT))
			goto fail;
	free(held);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(entries);
	free(held);
	return -1;
}

int fragment_verdict(FILE *f, int order_min)
{
	struct zone zones[MAX_ZONES];
	int n = read_zones(zones, ZONES_PAGETYPES | ZONES_ZONEINFO), z, i, rc = 0;
	bool pagetypes = false, zoneinfo = false;

	for (z = 0; z < n; z++) {
		pagetypes |= zones[z].seen & ZONES_PAGETYPES;
		zoneinfo |= zones[z].seen & ZONES_ZONEINFO;
	}
	if (!pagetypes || !zoneinfo) {
		fprintf(f, "sgscope inject: cannot read /proc/pagetypeinfo and /proc/zoneinfo\n");
		return -1;
	}
	for (z = 0; z < n; z++) {
		const struct zone *zone = &zones[z];
		int floor = zone_floor(zone->name, order_min);
		unsigned long usable = 0, beyond = 0;

		if (!(zone->seen & ZONES_PAGETYPES))
			continue;
		for (i = floor; i < BUDDY_ORDERS; i++) {
			beyond += zone->reserved[i];
			if ((zone->seen & ZONES_ZONEINFO) && !in_reach(zone, floor))
				beyond += zone->usable[i];
			else
				usable += zone->usable[i];
		}
		fprintf(f, "sgscope inject: zone %s: %lu free blocks of order >= %d an ordinary allocation can take, "
			"%lu it cannot (below the min watermark, in reserves: highatomic, CMA, isolated)%s\n",
			zone->name, usable, floor, beyond,
			floor != order_min ? "; kept for the kernel's allocations of lower orders" : "");
		if (usable)
			rc = 1;
	}
	return rc;
}

/*
 * Per-CPU lists hold free pages buddyinfo does not show: pages freed on
 * that CPU (the holder's own bookkeeping among them), and what is left of
 * the batches the lists take from the buddy lists, runs of neighbouring
 * pages whose blocks merge again once they go back.  They go back the
 * oldest first when a list overflows its high mark: so on every CPU the
 * holder may run on, it takes and frees again three times the highest
 * mark /proc/zoneinfo shows (taking empties the list first), and what
 * the lists hold afterwards are pages just taken from the fragmented
 * memory.
 */
static int pcp_flush(void)
{
	long page = sysconf(_SC_PAGESIZE), high = 0;
	struct zone zones[MAX_ZONES];
	int n = read_zones(zones, ZONES_ZONEINFO), cpu, err = 0, z;
	cpu_set_t started, one;

	for (z = 0; z < n; z++)
		if (zones[z].high > high)
			high = zones[z].high;
	if (!high)
		return 0;
	if (sched_getaffinity(0, sizeof(started), &started))
		return -1;
	for (cpu = 0; cpu < CPU_SETSIZE && !err; cpu++) {
		char *p;

		if (!CPU_ISSET(cpu, &started))
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			break;
		p = mmap(NULL, 3 * high * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
		err = p == MAP_FAILED || munmap(p, 3 * high * page);
	}
	return sched_setaffinity(0, sizeof(started), &started) || err ? -1 : 0;
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
	/*
	 * The caches filled while it took are dropped again, now that their
	 * pages cannot go to anyone but the rings: reclaimed later, runs of
	 * them would free blocks of any order.
	 */
	if (percent == 100 && drop_caches())
		holder_failed("dropping the caches (" DROP_CACHES ")");
	if (pcp_flush())
		holder_failed("flushing the per-CPU page lists");
	if (percent == 100 && fragment_take_blocks(order_min))
		holder_failed("taking the blocks left (AF_PACKET rings)");
}

/*
 * The blocks that show up later: per-CPU lists hand back what they held,
 * other tasks free memory whose buddies were free.  Taken again.
 */
static void fragment_keep(int order_min)
{
	if (blocks_to_take(order_min) && fragment_take_blocks(order_min))
		holder_failed("taking the blocks that came back (AF_PACKET rings)");
}

#define FRAGMENT_SETTLE_S	5
/*
 * On a machine whose free blocks keep coming back (streams restarting,
 * their buffers freed and allocated again) no FRAGMENT_SETTLE_S go by
 * without one: after this long the holder is ready all the same, and
 * goes on taking them as they come.
 */
#define FRAGMENT_SETTLE_MAX_S	30

/*
 * The holder: take free memory, give back all but one page of every
 * 2^order_min block; with 100%, take the blocks left, and keep taking
 * those that show up (once a second, and until FRAGMENT_SETTLE_S seconds
 * pass without any, or FRAGMENT_SETTLE_MAX_S in all, before it says it
 * is ready).  SIGUSR1 does it all again.  Not mlocked (a single page
 * could not be given back without splitting the mapping): anonymous
 * memory is not reclaimed without swap, and the caller keeps compaction
 * away.  Killed to end.
 */
static void fragment_hold(long percent, long order_min, int ready_fd)
{
	const struct timespec second = { .tv_sec = 1 };
	struct rlimit files;
	sigset_t usr1;
	int quiet = 0, waited;

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
	for (waited = 0; percent == 100 && quiet < FRAGMENT_SETTLE_S; waited++) {
		if (waited == FRAGMENT_SETTLE_MAX_S) {
			fprintf(stderr, "sgscope inject: free blocks still came back after %d s: ready, taking them as they come\n",
				FRAGMENT_SETTLE_MAX_S);
			break;
		}
		nanosleep(&second, NULL);
		if (pcp_flush())
			holder_failed("flushing the per-CPU page lists");
		quiet = blocks_to_take(order_min) ? 0 : quiet + 1;
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

pid_t fragment_start(int percent, int order_min)
{
	return holder_start(fragment_hold, percent, order_min);
}
