// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * allocs: every ALSA buffer allocation (snd_dma_alloc_dir_pages) as it
 * happens, with what it produced.  The card, pcm and stream come from the
 * PCM call the allocation happens inside (hw_params or preallocation),
 * remembered per thread; an allocation outside both is reported with its
 * device only.
 */
#include "sgscope_common.bpf.h"
/* the kernel's SNDRV_DMA_TYPE_*, which the driver's build asserts */
#include "sgscope_ktypes.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * sound/core/memalloc.c's private struct snd_dma_sg_fallback, in its two
 * layouts.  6.12 keeps an sg_table and the page count of each chunk at
 * the chunk's first page (npages[]); 6.1 keeps the DMA address of each
 * page, with the chunk's page count in the low bits of its first one.
 */
struct snd_dma_sg_fallback___v612 {
	struct sg_table sgt;
	size_t count;
	unsigned int *npages;
} __attribute__((preserve_access_index));

struct snd_dma_sg_fallback___v61 {
	size_t count;
	dma_addr_t *addrs;
} __attribute__((preserve_access_index));

#define PAGE_SHIFT_X86		12
/* 6.1's addrs[]: the low bits of a page address, the chunk's pages */
#define V61_NPAGES_MASK		((1ULL << PAGE_SHIFT_X86) - 1)

static __always_inline bool is_v61(void)
{
	return bpf_core_field_exists(struct snd_dma_sg_fallback___v61, addrs);
}

/* A kernel's SNDRV_DMA_TYPE_* in sgscope's numbering. */
static __always_inline __s32 dma_type(int ktype)
{
	bool v61 = is_v61();

	switch (ktype) {
	case SGSCOPE_KTYPE_CONTINUOUS:
		return SGSCOPE_DMA_CONTINUOUS;
	case SGSCOPE_KTYPE_DEV:
		return SGSCOPE_DMA_DEV;
	case SGSCOPE_KTYPE_DEV_SG:
		return v61 ? SGSCOPE_DMA_UNKNOWN : SGSCOPE_DMA_DEV_SG;
	case SGSCOPE_KTYPE_DEV_IRAM:
		return SGSCOPE_DMA_DEV_IRAM;
	case SGSCOPE_KTYPE_DEV_WC:
		return SGSCOPE_DMA_DEV_WC;
	case SGSCOPE_KTYPE_DEV_WC_SG:
		return SGSCOPE_DMA_DEV_WC_SG;
	case SGSCOPE_KTYPE_VMALLOC:
		return SGSCOPE_DMA_VMALLOC;
	case SGSCOPE_KTYPE_NONCONTIG:
		return SGSCOPE_DMA_NONCONTIG;
	case SGSCOPE_KTYPE_NONCOHERENT:
		return SGSCOPE_DMA_NONCOHERENT;
	case SGSCOPE_KTYPE_DEV_SG_FALLBACK:
		return v61 ? SGSCOPE_DMA_SG_FALLBACK : SGSCOPE_DMA_UNKNOWN;
	case SGSCOPE_KTYPE_DEV_WC_SG_FALLBACK:
		return v61 ? SGSCOPE_DMA_WC_SG_FALLBACK : SGSCOPE_DMA_UNKNOWN;
	}
	return SGSCOPE_DMA_UNKNOWN;
}

#define MAX_SG_PAGES	(1 << 16)	/* 256 MiB of pages: far above any PCM */

struct pcm_context {
	__s32 card;
	__s32 pcm;
	__s32 stream;
	__u32 caller;
	__u32 depth;
};

/* frames of nested parts an allocation keeps: deeper ones are counted only */
#define SPLIT_DEPTH	8
#define NO_ORDER	0xff

struct alloc_start {
	__u64 ts;
	__u64 bytes;
	struct snd_dma_buffer *dmab;
	struct device *dev;
	__s32 type;
	__u32 depth;			/* frames on the stack */
	__u32 overflow;			/* frames entered past SPLIT_DEPTH */
	/*
	 * A program is in the middle of changing this record.  Whatever
	 * comes in between on the thread's CPU - an interrupt handler, with
	 * the thread current, or another task while the program is
	 * preempted - leaves the record alone, entry and exit alike (both
	 * fall inside the interruption): its time stays with the part it
	 * interrupted, and the parts still add up to the duration.
	 */
	__u32 busy;
	__u64 last;			/* when time was last charged to a part */
	__u8 part[SPLIT_DEPTH];		/* enum sgscope_alloc_part of each frame */
	__u8 order[SPLIT_DEPTH];	/* the page order a page-allocator frame asked */
	struct sgscope_alloc_split split;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct pcm_context);
} contexts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct alloc_start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* what an allocation's record starts as: its one element, zeroed */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct alloc_start);
} start_template SEC(".maps");

/* Events the ring buffer had no room for: the CLI reports them. */
__u64 lost_events;

static __always_inline __u32 tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline int context_enter(struct snd_pcm_substream *substream,
					 __u32 caller)
{
	struct pcm_context ctx = {}, *old;
	__u32 id = tid();

	old = bpf_map_lookup_elem(&contexts, &id);
	if (old)
		ctx.depth = old->depth;
	ctx.depth++;
	ctx.card = BPF_CORE_READ(substream, pcm, card, number);
	ctx.pcm = BPF_CORE_READ(substream, pcm, device);
	ctx.stream = BPF_CORE_READ(substream, stream);
	ctx.caller = caller;
	bpf_map_update_elem(&contexts, &id, &ctx, BPF_ANY);
	return 0;
}

static __always_inline int context_exit(void)
{
	__u32 id = tid();
	struct pcm_context *ctx = bpf_map_lookup_elem(&contexts, &id);

	if (ctx && --ctx->depth == 0)
		bpf_map_delete_elem(&contexts, &id);
	return 0;
}

static __always_inline int hw_params_enter(struct snd_pcm_substream *substream)
{
	return context_enter(substream, SGSCOPE_CALLER_HW_PARAMS);
}

static __always_inline int prealloc_enter(struct snd_pcm_substream *substream)
{
	return context_enter(substream, SGSCOPE_CALLER_PREALLOC);
}

static __always_inline int alloc_enter(int type, struct device *dev,
				       int dir, size_t size,
				       struct snd_dma_buffer *dmab)
{
	struct alloc_start *start;
	__u32 id = tid(), zero = 0;

	if (!pid_wanted())
		return 0;
	/* too big for the stack: start from the zeroed template */
	start = bpf_map_lookup_elem(&start_template, &zero);
	if (!start)
		return 0;
	/* busy until its times are set */
	start->busy = 1;
	if (bpf_map_update_elem(&starts, &id, start, BPF_ANY))
		return 0;
	start = bpf_map_lookup_elem(&starts, &id);
	if (!start)
		return 0;
	start->bytes = size;
	start->dmab = dmab;
	start->dev = dev;
	start->type = type;
	start->ts = start->last = bpf_ktime_get_ns();
	start->busy = 0;
	return 0;
}

/*
 * The split.  Time between two events goes to the part on top of the
 * thread's stack (SGSCOPE_PART_OTHER when it is empty), so the parts of an
 * allocation add up to its duration.  The page allocator's time is also
 * kept by the order its outermost call asked for.
 */
static __always_inline void charge(struct alloc_start *st, __u64 now)
{
	__u32 top = st->depth, part = SGSCOPE_PART_OTHER, order = NO_ORDER;
	__u64 ns = now - st->last;

	if (top) {
		top = (top - 1) & (SPLIT_DEPTH - 1);
		part = st->part[top];
		order = st->order[top];
	}
	if (part >= SGSCOPE_PARTS)
		part = SGSCOPE_PART_OTHER;
	st->split.part_ns[part] += ns;
	if (order < SGSCOPE_MAX_ORDER)
		st->split.page_ns[order & (SGSCOPE_MAX_ORDER - 1)] += ns;
	st->last = now;
}

/* A frame of PART on the stack of ST, the record of the thread's allocation. */
static __always_inline int part_push(struct alloc_start *st, __u32 part, __u32 order)
{
	bool counted = true;
	__u32 d;

	if (!st || st->busy)
		return 0;
	if (st->depth >= SPLIT_DEPTH) {
		st->overflow++;
		st->split.untracked++;
		return 0;
	}
	st->busy = 1;
	charge(st, bpf_ktime_get_ns());
	d = st->depth & (SPLIT_DEPTH - 1);
	/* the code path a state's event runs is the event's */
	if (d && part != SGSCOPE_PART_IRQ && part != SGSCOPE_PART_OFF_CPU &&
	    !sgscope_part_is_state(part) &&
	    sgscope_part_is_state(st->part[(d - 1) & (SPLIT_DEPTH - 1)])) {
		part = st->part[(d - 1) & (SPLIT_DEPTH - 1)];
		counted = false;
	}
	/* a frame inside the page allocator keeps the order it was asked */
	if (order == NO_ORDER && d && st->order[(d - 1) & (SPLIT_DEPTH - 1)] != NO_ORDER &&
	    part != SGSCOPE_PART_IRQ && part != SGSCOPE_PART_OFF_CPU)
		order = st->order[(d - 1) & (SPLIT_DEPTH - 1)];
	st->part[d] = part;
	st->order[d] = order;
	st->depth++;
	if (counted && part < SGSCOPE_PARTS)
		st->split.part_calls[part]++;
	st->busy = 0;
	return 0;
}

static __always_inline int part_pop(__u32 tid)
{
	struct alloc_start *st = bpf_map_lookup_elem(&starts, &tid);

	if (!st || st->busy)
		return 0;
	if (st->overflow) {
		st->overflow--;
		return 0;
	}
	if (!st->depth)
		return 0;
	st->busy = 1;
	charge(st, bpf_ktime_get_ns());
	st->depth--;
	st->busy = 0;
	return 0;
}

static __always_inline struct alloc_start *record_of(__u32 id)
{
	return bpf_map_lookup_elem(&starts, &id);
}

static __always_inline int part_enter(__u32 part)
{
	return part_push(record_of(tid()), part, NO_ORDER);
}

static __always_inline int part_exit(void)
{
	return part_pop(tid());
}

static __always_inline int page_alloc_in(gfp_t gfp, unsigned int order)
{
	struct alloc_start *st = record_of(tid());

	if (!st)
		return 0;
	if (order < SGSCOPE_MAX_ORDER)
		st->split.page_calls[order & (SGSCOPE_MAX_ORDER - 1)]++;
	return part_push(st, SGSCOPE_PART_PAGES, order < SGSCOPE_MAX_ORDER ? order : NO_ORDER);
}

static __always_inline int bulk_in(int nr_pages)
{
	struct alloc_start *st = record_of(tid());

	if (!st)
		return 0;
	st->split.page_calls[0] += nr_pages;
	return part_push(st, SGSCOPE_PART_PAGES, 0);
}

/* the tracer's parts, each a function (or a choice of them) */
#define SPLIT_PART(name, part)						\
static __always_inline int name##_in(void *unused)			\
{ return part_enter(part); }						\
SGSCOPE_ENTRY1(name##_enter, name##_in, void *)				\
SGSCOPE_RETURN(name##_exit, part_exit)

SPLIT_PART(freelist, SGSCOPE_PART_FREELIST)
SPLIT_PART(pcp, SGSCOPE_PART_PCP)
SPLIT_PART(prep, SGSCOPE_PART_PREP)
SPLIT_PART(slowpath, SGSCOPE_PART_SLOWPATH)
SPLIT_PART(reclaim, SGSCOPE_PART_RECLAIM)
SPLIT_PART(kmalloc, SGSCOPE_PART_SLAB)
SPLIT_PART(kmalloc_node, SGSCOPE_PART_SLAB)
SPLIT_PART(kmalloc_cache, SGSCOPE_PART_SLAB)
SPLIT_PART(kmalloc_cache_node, SGSCOPE_PART_SLAB)
SPLIT_PART(cache_alloc, SGSCOPE_PART_SLAB)
SPLIT_PART(cache_alloc_node, SGSCOPE_PART_SLAB)
SPLIT_PART(slab_refill, SGSCOPE_PART_SLAB_REFILL)
SPLIT_PART(kmemleak, SGSCOPE_PART_KMEMLEAK)
SPLIT_PART(kmemleak_vmalloc, SGSCOPE_PART_KMEMLEAK)
SPLIT_PART(compact, SGSCOPE_PART_COMPACT)
SPLIT_PART(vmap_area, SGSCOPE_PART_VMAP_AREA)
SPLIT_PART(vmap_purge, SGSCOPE_PART_VMAP_PURGE)
SPLIT_PART(vmap_map, SGSCOPE_PART_VMAP_MAP)
SPLIT_PART(pte_alloc, SGSCOPE_PART_PAGE_TABLE)
SPLIT_PART(pmd_alloc, SGSCOPE_PART_PAGE_TABLE)
SPLIT_PART(dma_alloc, SGSCOPE_PART_DMA_ALLOC)
SPLIT_PART(dma_noncontig, SGSCOPE_PART_DMA_ALLOC)
SPLIT_PART(dma_map, SGSCOPE_PART_DMA_MAP)
SPLIT_PART(iommu, SGSCOPE_PART_IOMMU)
SPLIT_PART(iommu_sg, SGSCOPE_PART_IOMMU)

/* __alloc_pages(gfp, order, ...): one call of one order */
SGSCOPE_ENTRY2(pages_enter, page_alloc_in, gfp_t, unsigned int)
SGSCOPE_RETURN(pages_exit, part_exit)

/* the bulk allocator: (gfp, nid, nodemask, nr_pages, list, array) */
SEC("fentry")
int BPF_PROG(pages_bulk_enter_fentry, gfp_t gfp, int nid, void *nodemask, int nr_pages)
{
	return bulk_in(nr_pages);
}

SEC("kprobe")
int BPF_KPROBE(pages_bulk_enter_kprobe, gfp_t gfp, int nid, void *nodemask, int nr_pages)
{
	return bulk_in(nr_pages);
}

SGSCOPE_RETURN(pages_bulk_exit, part_exit)

/*
 * What else ran in the window on the thread's CPU: interrupts (the
 * interrupted thread is current in their tracepoints) and time off the
 * CPU (sched_switch, by the task switched out and in).
 */
static __always_inline int irq_in(void)
{
	return part_enter(SGSCOPE_PART_IRQ);
}

/* A tracepoint's two forms: tp_btf, and raw_tp where BTF lacks it. */
#define SPLIT_TRACEPOINT(name, tp, body)				\
SEC("tp_btf/" tp)							\
int BPF_PROG(name##_btf)						\
{ return body(); }							\
SEC("raw_tp/" tp)							\
int BPF_PROG(name##_raw)						\
{ return body(); }

SPLIT_TRACEPOINT(irq_in, "irq_handler_entry", irq_in)
SPLIT_TRACEPOINT(irq_out, "irq_handler_exit", part_exit)
SPLIT_TRACEPOINT(softirq_in, "softirq_entry", irq_in)
SPLIT_TRACEPOINT(softirq_out, "softirq_exit", part_exit)
SPLIT_TRACEPOINT(timer_in, "local_timer_entry", irq_in)
SPLIT_TRACEPOINT(timer_out, "local_timer_exit", part_exit)

/* a block off the buddy lists, for the per-CPU lists or the caller */
static __always_inline int buddy_taken(void)
{
	__u32 id = tid();
	struct alloc_start *st = bpf_map_lookup_elem(&starts, &id);

	if (st)
		st->split.buddy_takes++;
	return 0;
}

SPLIT_TRACEPOINT(buddy, "mm_page_alloc_zone_locked", buddy_taken)

static __always_inline int switched(struct task_struct *prev, struct task_struct *next)
{
	part_push(record_of(BPF_CORE_READ(prev, pid)), SGSCOPE_PART_OFF_CPU, NO_ORDER);
	return part_pop(BPF_CORE_READ(next, pid));
}

SEC("tp_btf/sched_switch")
int BPF_PROG(switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return switched(prev, next);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return switched(prev, next);
}

struct order_walk {
	void *chunk_pages;	/* 6.12: unsigned int npages[]; 6.1: dma_addr_t addrs[] */
	bool v61;
	__u64 count;
	__u64 idx;
	__u64 next_addr;	/* 6.1: where the chunk before ended */
	struct sgscope_alloc_event *e;
};

/* One chunk of the SG fallback: its pages, allocated at once. */
static long walk_chunk(__u64 i, struct order_walk *w)
{
	__u64 n = 0;
	__u32 order;

	if (w->idx >= w->count)
		return 1;
	if (w->v61) {
		__u64 addr;

		bpf_probe_read_kernel(&n, sizeof(n), (__u64 *)w->chunk_pages + w->idx);
		addr = n & ~V61_NPAGES_MASK;
		n &= V61_NPAGES_MASK;
		/*
		 * A chunk as snd_sgbuf_get_chunk_size walks them: allocations
		 * that happen to follow each other in memory make one.  No
		 * test of idx here: 6.1's verifier checks a bpf_loop callback
		 * once, with idx at its first value, and hard-wires the
		 * branches that one pass decided (the first chunk is counted
		 * by the caller, next_addr starts at its address).
		 */
		w->e->chunks += addr != w->next_addr;
		w->next_addr = addr + (n << PAGE_SHIFT_X86);
	} else {
		bpf_probe_read_kernel(&n, sizeof(unsigned int),
				      (unsigned int *)w->chunk_pages + w->idx);
	}
	if (!n)
		return 1;
	order = sgscope_log2(n);
	if (order < SGSCOPE_MAX_ORDER) {
		/* a 64-bit bound for older verifiers (6.1 loses the 32-bit one) */
		barrier_var(order);
		w->e->orders[order & (SGSCOPE_MAX_ORDER - 1)]++;
	}
	w->e->allocs++;
	w->idx += n;
	return 0;
}

static __always_inline void describe_result(struct sgscope_alloc_event *e,
					    struct snd_dma_buffer *dmab)
{
	struct snd_dma_sg_fallback___v612 *sg612;
	struct snd_dma_sg_fallback___v61 *sg61;
	struct sg_table *sgt;
	bool v61 = is_v61();
	struct order_walk w = { .e = e, .v61 = v61 };
	__u64 pages = (e->bytes + (1ULL << PAGE_SHIFT_X86) - 1) >> PAGE_SHIFT_X86;

	e->type = dma_type(BPF_CORE_READ(dmab, dev.type));
	/* 6.12: a DEV_SG buffer still DEV_SG after the call is the fallback's */
	if (!v61 && e->type == SGSCOPE_DMA_DEV_SG)
		e->type = SGSCOPE_DMA_SG_FALLBACK;
	else if (!v61 && e->type == SGSCOPE_DMA_DEV_WC_SG)
		e->type = SGSCOPE_DMA_WC_SG_FALLBACK;
	switch (e->type) {
	case SGSCOPE_DMA_SG_FALLBACK:
	case SGSCOPE_DMA_WC_SG_FALLBACK:
		if (v61) {
			sg61 = BPF_CORE_READ(dmab, private_data);
			w.chunk_pages = BPF_CORE_READ(sg61, addrs);
			w.count = BPF_CORE_READ(sg61, count);
			bpf_probe_read_kernel(&w.next_addr, sizeof(w.next_addr),
					      w.chunk_pages);
			w.next_addr &= ~V61_NPAGES_MASK;
			e->chunks = w.count > 0;
		} else {
			sg612 = BPF_CORE_READ(dmab, private_data);
			e->chunks = BPF_CORE_READ(sg612, sgt.orig_nents);
			w.chunk_pages = BPF_CORE_READ(sg612, npages);
			w.count = BPF_CORE_READ(sg612, count);
		}
		bpf_loop(MAX_SG_PAGES, walk_chunk, &w, 0);
		break;
	case SGSCOPE_DMA_NONCONTIG:
		sgt = BPF_CORE_READ(dmab, private_data);
		e->chunks = BPF_CORE_READ(sgt, nents);
		break;
	case SGSCOPE_DMA_VMALLOC:
		/* vmalloc: single pages; their runs are not worth a walk */
		e->allocs = pages;
		e->orders[0] = pages;
		break;
	default:
		/* one contiguous block */
		e->chunks = 1;
		e->allocs = 1;
		e->orders[sgscope_log2(pages) + ((pages & (pages - 1)) != 0) &
			  (SGSCOPE_MAX_ORDER - 1)] = 1;
		break;
	}
}

static __always_inline int alloc_exit(long ret)
{
	struct sgscope_alloc_event *e;
	struct alloc_start *start;
	struct pcm_context *ctx;
	struct snd_dma_buffer *dmab;
	struct device *dev;
	__u32 id = tid();
	const char *name;

	start = bpf_map_lookup_elem(&starts, &id);
	if (!start || start->busy)
		return 0;
	/* from here to its deletion the record is this program's */
	start->busy = 1;
	ctx = bpf_map_lookup_elem(&contexts, &id);
	if (ctx && !pcm_wanted(ctx->card, ctx->pcm))
		goto out;
	if (!ctx && (filter_card >= 0 || filter_pcm >= 0))
		goto out;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost_events, 1);
		goto out;
	}
	__builtin_memset(e, 0, sizeof(*e));
	/* the last stretch is the part on top: the allocation's own code */
	charge(start, bpf_ktime_get_ns());
	e->duration_ns = start->last - start->ts;
	e->split = start->split;
	e->req_bytes = start->bytes;
	e->req_type = dma_type(start->type);
	e->type = e->req_type;
	e->err = (int)ret;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->card = ctx ? ctx->card : -1;
	e->pcm = ctx ? ctx->pcm : -1;
	e->stream = ctx ? ctx->stream : -1;
	e->caller = ctx ? ctx->caller : SGSCOPE_CALLER_NONE;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	/* plain loads first: BPF_CORE_READ would relocate start-> too */
	dev = start->dev;
	dmab = start->dmab;
	name = BPF_CORE_READ(dev, kobj.name);
	bpf_probe_read_kernel_str(e->dev, sizeof(e->dev), name);
	if (!ret) {
		e->bytes = BPF_CORE_READ(dmab, bytes);
		describe_result(e, dmab);
	}
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&starts, &id);
	return 0;
}

SGSCOPE_ENTRY1(hw_params_enter, hw_params_enter, struct snd_pcm_substream *)
SGSCOPE_RETURN(hw_params_exit, context_exit)
SGSCOPE_ENTRY1(prealloc_enter, prealloc_enter, struct snd_pcm_substream *)
SGSCOPE_RETURN(prealloc_exit, context_exit)

SEC("fentry")
int BPF_PROG(alloc_enter_fentry, int type, struct device *dev, int dir,
	     size_t size, struct snd_dma_buffer *dmab)
{
	return alloc_enter(type, dev, dir, size, dmab);
}

SEC("kprobe")
int BPF_KPROBE(alloc_enter_kprobe, int type, struct device *dev, int dir,
	       size_t size, struct snd_dma_buffer *dmab)
{
	return alloc_enter(type, dev, dir, size, dmab);
}

SGSCOPE_EXIT(alloc_exit, alloc_exit, 5)
