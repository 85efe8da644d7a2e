/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the BPF programs and the sgscope CLI share: map keys, the
 * histogram layout and the events sent through ring buffers.  Plain
 * fixed-size types only, so both sides agree without vmlinux.h.
 */
#ifndef SGSCOPE_SHARED_H
#define SGSCOPE_SHARED_H

/*
 * Latency histogram: log2 buckets, each split into 8 linear sub-buckets so
 * percentiles come out within 12.5%.  Values 0-15 get a slot each; value v
 * >= 16 with e = floor(log2 v) goes to slot (e - 2) * 8 + the 3 bits below
 * the top one.  2^64 - 1 lands in slot 495.  Each slot also sums its
 * values: a percentile inside a slot whose samples all sit near one value
 * (a code path that always takes the same time) then reads that value,
 * not the slot's middle.
 */
#define SGSCOPE_HIST_SUB_BITS	3
#define SGSCOPE_HIST_SUB	(1 << SGSCOPE_HIST_SUB_BITS)
#define SGSCOPE_HIST_SLOTS	496

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* floor(log2 v) for v > 0, without loops or builtins the verifier refuses */
static __always_inline __u32 sgscope_log2(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/* The slot of value v: the one function the BPF programs and the CLI use. */
static __always_inline __u32 sgscope_hist_slot(__u64 v)
{
	__u32 e;

	if (v < 2 * SGSCOPE_HIST_SUB)
		return v;
	e = sgscope_log2(v);
	return (e - 2) * SGSCOPE_HIST_SUB +
	       ((v >> (e - SGSCOPE_HIST_SUB_BITS)) & (SGSCOPE_HIST_SUB - 1));
}

struct sgscope_hist {
	__u64 count;
	__u64 sum;
	__u64 max;
	__u64 errors;
	__u64 slots[SGSCOPE_HIST_SLOTS];
	__u64 slot_sums[SGSCOPE_HIST_SLOTS];
};

/* One sample into h: how the BPF programs record, and the CLI's tests. */
static __always_inline void sgscope_hist_record(struct sgscope_hist *h,
						__u64 v, int error)
{
	__u32 slot = sgscope_hist_slot(v);

	if (slot >= SGSCOPE_HIST_SLOTS)
		slot = SGSCOPE_HIST_SLOTS - 1;
	h->slots[slot]++;
	h->slot_sums[slot] += v;
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	if (error)
		h->errors++;
}

#define SGSCOPE_STREAM_ANY	(-1)

/* One PCM substream direction: what pagelat keys its histograms on. */
struct sgscope_pcm_key {
	__s32 card;
	__s32 pcm;
	__s32 stream;	/* SNDRV_PCM_STREAM_PLAYBACK (0) or CAPTURE (1) */
	__u32 pad;
};

/* Seen once per PCM: the driver's .page op, for the report. */
struct sgscope_pcm_info {
	__u64 page_op;	/* kernel address of substream->ops->page, or 0 */
};

#define SGSCOPE_DEV_NAME_LEN	32
#define SGSCOPE_COMM_LEN	16

enum sgscope_dma_op {
	SGSCOPE_DMA_ALLOC,
	SGSCOPE_DMA_ALLOC_NONCONTIG,
	SGSCOPE_DMA_MAP_SG,
	SGSCOPE_DMA_MAP_SGTABLE,
	SGSCOPE_DMA_MAP_PAGE,
	SGSCOPE_DMA_SYNC_SG_CPU,
	SGSCOPE_DMA_SYNC_SG_DEVICE,
	SGSCOPE_DMA_SYNC_SINGLE_CPU,
	SGSCOPE_DMA_SYNC_SINGLE_DEVICE,
	SGSCOPE_DMA_OPS,
};

enum sgscope_dma_mode {
	SGSCOPE_DMA_MODE_UNKNOWN,
	SGSCOPE_DMA_MODE_DIRECT,
	SGSCOPE_DMA_MODE_SWIOTLB,
	SGSCOPE_DMA_MODE_IOMMU,
	SGSCOPE_DMA_MODE_DMA_OPS,
};

/* dmamap's histogram key: one DMA API call type on one device. */
struct sgscope_dev_op_key {
	char dev[SGSCOPE_DEV_NAME_LEN];
	__u32 op;
	__u32 pad;
};

struct sgscope_dev_key {
	char dev[SGSCOPE_DEV_NAME_LEN];
};

/* Per device: how it does DMA and what swiotlb bounced for it. */
struct sgscope_dev_stats {
	__u64 bounces;
	__u64 bounce_bytes;
	__u32 mode;
	__u32 pad;
};

/* One dma_map_sg / dma_map_sgtable call, as it happens. */
struct sgscope_map_event {
	__u64 duration_ns;
	__u32 op;
	__u32 pid;
	__s32 nents;	/* entries handed in */
	__s32 mapped;	/* DMA segments that came out, or the error */
	__u32 mode;
	__u32 pad;
	char dev[SGSCOPE_DEV_NAME_LEN];
	char comm[SGSCOPE_COMM_LEN];
};

/* Who asked for an ALSA buffer allocation. */
enum sgscope_alloc_caller {
	SGSCOPE_CALLER_NONE,		/* a driver, outside any PCM call */
	SGSCOPE_CALLER_HW_PARAMS,
	SGSCOPE_CALLER_PREALLOC,
};

/*
 * The kind of buffer an allocation asked for and got, in sgscope's own
 * numbering.  The kernel's SNDRV_DMA_TYPE_* are macros (no BTF carries
 * them) and differ between kernels: in 6.1 DEV_SG is an alias of
 * NONCONTIG and the SG fallback has types of its own; in 6.12 DEV_SG is a
 * type again and a buffer the fallback made keeps it.  allocs.bpf.c tells
 * the two apart by the layout of the fallback's private struct and
 * translates; the CLI names these.
 */
enum sgscope_dma_type {
	SGSCOPE_DMA_UNKNOWN,
	SGSCOPE_DMA_CONTINUOUS,
	SGSCOPE_DMA_DEV,
	SGSCOPE_DMA_DEV_SG,
	SGSCOPE_DMA_DEV_IRAM,
	SGSCOPE_DMA_DEV_WC,
	SGSCOPE_DMA_DEV_WC_SG,
	SGSCOPE_DMA_VMALLOC,
	SGSCOPE_DMA_NONCONTIG,
	SGSCOPE_DMA_NONCOHERENT,
	SGSCOPE_DMA_SG_FALLBACK,	/* made of chunks by ALSA's SG fallback */
	SGSCOPE_DMA_WC_SG_FALLBACK,
	SGSCOPE_DMA_TYPES
};

#define SGSCOPE_MAX_ORDER	16

/*
 * Where an ALSA buffer allocation's time goes.  A part is the time spent
 * inside its functions and in no other part's nested inside them
 * (exclusive time, kept on a per-thread stack), so an allocation's parts
 * add up to its duration exactly.  SGSCOPE_PART_OTHER is what is left:
 * the ALSA core, the slab allocator, the rest of the DMA API.  The last
 * two are not the allocation's own code but what ran in its window on its
 * CPU.  The CLI names them (sgscope_part_names in allocs.c).
 */
enum sgscope_alloc_part {
	SGSCOPE_PART_OTHER,
	SGSCOPE_PART_PAGES,	/* the page allocator's entry (and the bulk loop) */
	SGSCOPE_PART_FREELIST,	/* watermarks; the buddy lists for orders > 3 */
	SGSCOPE_PART_PCP,	/* the per-CPU lists, refilled from the buddy lists */
	SGSCOPE_PART_PREP,	/* preparing new pages; zeroing __GFP_ZERO ones */
	SGSCOPE_PART_SLOWPATH,	/* the slow path's own work: retries, waits */
	SGSCOPE_PART_RECLAIM,	/* direct reclaim */
	SGSCOPE_PART_COMPACT,	/* direct compaction */
	SGSCOPE_PART_SLAB,	/* the slab allocator's fast path (kmalloc, kmem_cache_alloc) */
	SGSCOPE_PART_SLAB_REFILL,/* its slow path: a partial slab or a new one */
	SGSCOPE_PART_KMEMLEAK,	/* kmemleak recording the new objects (a debug kernel's) */
	SGSCOPE_PART_VMAP_AREA,	/* finding a vmalloc address range */
	SGSCOPE_PART_VMAP_PURGE,/* purging lazily freed vmalloc ranges (TLB flush) */
	SGSCOPE_PART_VMAP_MAP,	/* mapping the pages at that range */
	SGSCOPE_PART_PAGE_TABLE,/* a kernel page table that range needed */
	SGSCOPE_PART_DMA_ALLOC,	/* dma_alloc_*(): zeroing, bookkeeping, IOVA */
	SGSCOPE_PART_DMA_MAP,	/* dma_map_sg*() inside the allocation (SG fallback) */
	SGSCOPE_PART_IOMMU,	/* IOMMU page-table updates */
	SGSCOPE_PART_IRQ,	/* interrupts and softirqs in the window */
	SGSCOPE_PART_OFF_CPU,	/* the thread off its CPU: preempted or waiting */
	SGSCOPE_PARTS
};

/*
 * The parts whose work follows the state of the allocator and its caches
 * (a refill, the slow path, a new slab, the vmalloc address tree and the
 * page tables its range needs, the IOVA space, kmemleak's tree): two runs
 * of one commit take them in different iterations.  A code-path part entered inside one of them is
 * charged to it, so that the code-path parts repeat to the instruction:
 * the page a new page table takes is the page table's, not the page
 * allocator's (docs/allocation-costs.md has the measurements).
 */
#define SGSCOPE_STATE_PARTS						\
	((1u << SGSCOPE_PART_FREELIST) | (1u << SGSCOPE_PART_PCP) |		\
	 (1u << SGSCOPE_PART_SLOWPATH) | (1u << SGSCOPE_PART_RECLAIM) |	\
	 (1u << SGSCOPE_PART_COMPACT) | (1u << SGSCOPE_PART_SLAB_REFILL) |	\
	 (1u << SGSCOPE_PART_KMEMLEAK) | (1u << SGSCOPE_PART_VMAP_AREA) |	\
	 (1u << SGSCOPE_PART_VMAP_PURGE) | (1u << SGSCOPE_PART_VMAP_MAP) |	\
	 (1u << SGSCOPE_PART_PAGE_TABLE) | (1u << SGSCOPE_PART_IOMMU))

static __always_inline int sgscope_part_is_state(__u32 part)
{
	return part < 32 && ((SGSCOPE_STATE_PARTS >> part) & 1);
}

struct sgscope_alloc_split {
	__u64 part_ns[SGSCOPE_PARTS];
	__u32 part_calls[SGSCOPE_PARTS];	/* entries; for irq, interrupts */
	/* page allocator calls by the order asked (a bulk call: its pages, order 0) */
	__u32 page_calls[SGSCOPE_MAX_ORDER];
	/* their time (pages, pcp-refill and buddy) by that order */
	__u64 page_ns[SGSCOPE_MAX_ORDER];
	__u32 untracked;	/* frames nested deeper than the stack keeps */
	__u32 buddy_takes;	/* blocks taken off the buddy lists (zone lock held) */
};

/* One snd_dma_alloc_dir_pages() call and what it produced. */
struct sgscope_alloc_event {
	__u64 duration_ns;
	__u64 req_bytes;
	__u64 bytes;
	__s32 card;
	__s32 pcm;
	__s32 stream;
	__u32 caller;
	__s32 req_type;		/* enum sgscope_dma_type asked for */
	__s32 type;		/* enum sgscope_dma_type the buffer ended up as */
	__s32 err;
	__u32 pid;
	__u32 chunks;		/* DMA-contiguous runs, as snd_sgbuf_get_chunk_size walks them */
	__u32 allocs;		/* page allocations the buffer is made of */
	__u32 orders[SGSCOPE_MAX_ORDER];	/* of those, how many of each order */
	char dev[SGSCOPE_DEV_NAME_LEN];
	char comm[SGSCOPE_COMM_LEN];
	struct sgscope_alloc_split split;
};

/*
 * sgscope inject --cost: x86-64 instructions one iteration of the cost
 * loop (cost.bpf.c's spin() through an inlined bpf_loop) runs, as the
 * JIT of the kernels sgscope supports emits it.  Measured under icount,
 * where guest time is instructions: 60-sgscope checks that a planted
 * cost adds this many instructions per iteration, within 1%.
 */
#define SGSCOPE_COST_INSNS_PER_ITERATION	20
/* bpf_loop's limit is 2^23 iterations; this stays well below it */
#define SGSCOPE_COST_MAX_INSNS			10000000

/*
 * sgscope xrun: each running stream keeps a ring of its last events, and
 * at an xrun (or a near miss) the ring goes to the CLI, which splits the
 * missed deadline into causes (tools/sgscope/xrun_parts.c).  The client is
 * the task that last moved the stream's application pointer or waited
 * on it; its scheduling and page faults join the stream's events.
 */
enum sgscope_xrun_ev {
	SGSCOPE_XEV_PERIOD,	/* period elapsed: a = handler entry ts or 0, b = irq,
				 * and for a threaded handler its thread's wake-up
				 * (SGSCOPE_XEV_THREAD_WAKEUP); c = the time that
				 * thread spent off its CPU in the handler */
	SGSCOPE_XEV_HWPTR,	/* hw_ptr moved: a = new hw_ptr, b = frames moved */
	SGSCOPE_XEV_APPL,	/* appl_ptr moved: a = new, b = headroom in frames */
	SGSCOPE_XEV_XFER_IN,	/* client enters read/write */
	SGSCOPE_XEV_XFER_OUT,	/* ... and leaves it */
	SGSCOPE_XEV_POLL,	/* client polls the stream */
	SGSCOPE_XEV_POLL_OUT,	/* ... and the poll returns: a = the events
				 * ready, 0 when the client is to sleep */
	SGSCOPE_XEV_WAKE,	/* client woken: a = its CPU, b = tid running there, comm */
	SGSCOPE_XEV_OFF,	/* client off its CPU: a = still runnable, b = next tid, comm */
	SGSCOPE_XEV_RUN,	/* client back on a CPU: b = the tid it took over from, comm */
	SGSCOPE_XEV_FAULT_IN,	/* client enters the PCM data fault */
	SGSCOPE_XEV_FAULT_OUT,
	SGSCOPE_XEV_STALL_IN,	/* client enters direct reclaim or compaction */
	SGSCOPE_XEV_STALL_OUT,
	SGSCOPE_XEV_XRUN,	/* the core declares the xrun: a, b, c as for PERIOD */
	SGSCOPE_XEV_START,	/* the stream starts running: its first period is due */
	SGSCOPE_XEV_TYPES,
};

/*
 * A threaded handler's period: its handler's start (a) is the hard
 * interrupt that woke its thread, and b holds, above the irq, how long
 * the thread took to run (ns, up to 2^32 - 1).
 */
#define SGSCOPE_XEV_THREAD_SHIFT	32
#define SGSCOPE_XEV_THREAD_WAKEUP(b)	((b) >> SGSCOPE_XEV_THREAD_SHIFT)
#define SGSCOPE_XEV_IRQ(b)		((b) & 0xffffffffULL)

struct sgscope_xrun_event {
	__u64 ts;
	__u64 a;
	__u64 b;
	__u64 c;
	__u32 type;		/* enum sgscope_xrun_ev */
	__u32 tid;		/* the task the event happened in */
	char comm[SGSCOPE_COMM_LEN];
};

/*
 * Events kept per stream, a power of two.  A period takes two or three
 * (its interrupt and the pointer's move, the client's wake-up), so the
 * window of a client that slept through a buffer of 300 periods fits.
 */
#define SGSCOPE_XRUN_RING	1024

/*
 * Ring indexes (head values): irq, the newest interrupt or start;
 * service[0], service[1], what irq was at the newest service by the
 * client and at the one before (sgscope_xrun_mark); run, the first event
 * since the stream was last prepared (sgscope_xrun_prepared).
 */
struct sgscope_xrun_marks {
	__u32 irq;
	__u32 service[2];
	__u32 run;
};

enum sgscope_xrun_kind {
	SGSCOPE_XRUN_KIND_XRUN,
	SGSCOPE_XRUN_KIND_NEAR,
};

/*
 * One xrun or near miss with the newest events of the stream's ring that
 * its window needs, the oldest of them at head - events.
 */
struct sgscope_xrun_report {
	struct sgscope_pcm_key key;
	__u64 ts;		/* the xrun, or the late application pointer move */
	__u64 headroom_frames;	/* a near miss: what was left */
	__u32 kind;		/* enum sgscope_xrun_kind */
	__u32 client_tid;
	__u32 rate;
	__u32 period_frames;
	__u32 buffer_frames;
	__u32 head;		/* the ring slot written next */
	__u32 events;		/* the newest events in ev, each in its slot */
	struct sgscope_xrun_marks marks;
	struct sgscope_xrun_event ev[SGSCOPE_XRUN_RING];
};

/*
 * An event a window's causes can begin at: an interrupt (period elapsed,
 * or an xrun the core declares) or the stream's start.
 */
static inline int sgscope_xrun_ev_begins_causes(__u32 type)
{
	return type == SGSCOPE_XEV_PERIOD || type == SGSCOPE_XEV_XRUN || type == SGSCOPE_XEV_START;
}

/*
 * Where the window of the next report begins, kept as events are pushed:
 * a window runs from the client's last service (for a near miss, the one
 * before the late service) and its causes from the interrupt or start
 * before that (tools/sgscope/xrun_parts.c reads no further back), so a
 * report sends those events alone, however long the ring.  The events
 * that move the marks (period elapsed, xrun, start, the application
 * pointer) come under the stream's lock: no two at once.  A prepare
 * (sgscope_xrun_prepared) comes outside it, while the stream does not
 * run; one that races a last event only moves where windows may begin.
 */
static inline void sgscope_xrun_mark(struct sgscope_xrun_marks *m, __u32 index, __u32 type)
{
	if (sgscope_xrun_ev_begins_causes(type)) {
		m->irq = index;
	} else if (type == SGSCOPE_XEV_APPL) {
		m->service[1] = m->service[0];
		m->service[0] = m->irq;
	}
}

/*
 * The stream was prepared (after its open, and after each xrun): its
 * next events begin a run, and no window reaches back past them.  What
 * came before is the last run's, or the last open's, whose interrupts
 * are no cause of this run's xruns (a tracer outlives the clients that
 * come and go).  head: the ring's next event.
 */
static inline void sgscope_xrun_prepared(struct sgscope_xrun_marks *m, __u32 head)
{
	m->run = head;
	m->irq = head;
	m->service[0] = head;
	m->service[1] = head;
}

/*
 * Events of the client's (its scheduling, its calls) come from other
 * CPUs, outside the lock: one may take its slot before the interrupt's
 * and stamp its time after it.  A few slots more than the marks say keep
 * those in.
 */
#define SGSCOPE_XRUN_SLOT_RACE	8

/* How many of the newest events a report of kind needs, head the ring's. */
static inline __u32 sgscope_xrun_window_events(const struct sgscope_xrun_marks *m, __u32 head,
					       __u32 kind)
{
	__u32 n = head - m->service[kind == SGSCOPE_XRUN_KIND_NEAR] + SGSCOPE_XRUN_SLOT_RACE;

	if (n > head - m->run)
		n = head - m->run;
	return n < SGSCOPE_XRUN_RING ? n : SGSCOPE_XRUN_RING;
}

/*
 * SNDRV_PCM_STATE_RUNNING: a uapi value (include/uapi/sound/asound.h,
 * a #define the kernel's BTF cannot carry), the same on every kernel.
 */
#define SGSCOPE_PCM_STATE_RUNNING	3

#endif /* SGSCOPE_SHARED_H */
