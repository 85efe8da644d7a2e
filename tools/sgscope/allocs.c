// SPDX-License-Identifier: GPL-2.0
/* sgscope allocs: every ALSA buffer allocation as it happens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "probe.h"
#include "session.h"
#include "subcommands.h"
#include "allocs.skel.h"

static const char *const alloc_candidates[] = { "snd_dma_alloc_dir_pages", NULL };
/* hw_params, or the managed-buffer allocation it makes */
static const char *const hw_params_candidates[] = {
	"snd_pcm_hw_params", "snd_pcm_lib_malloc_pages", NULL,
};
/* per substream preallocation; the exported entries if it was inlined */
static const char *const prealloc_candidates[] = {
	"preallocate_pcm_pages", "snd_pcm_lib_preallocate_pages",
	"snd_pcm_set_managed_buffer", NULL,
};

/*
 * The split of an allocation's time: each part's functions, in the order
 * tried (6.12's name, then 6.1's).  A part whose functions this kernel
 * inlined or lacks stays off; its time is then in the part around it.
 */
static const char *const pages_candidates[] = { "__alloc_pages_noprof", "__alloc_pages", NULL };
static const char *const bulk_candidates[] = {
	"alloc_pages_bulk_noprof", "__alloc_pages_bulk", NULL,
};

/* enum sgscope_alloc_part: the one place the parts are named */
static const char *const sgscope_part_names[SGSCOPE_PARTS] = {
	[SGSCOPE_PART_OTHER] = "other",
	[SGSCOPE_PART_PAGES] = "pages",
	[SGSCOPE_PART_FREELIST] = "freelist",
	[SGSCOPE_PART_PCP] = "pcp",
	[SGSCOPE_PART_PREP] = "prep",
	[SGSCOPE_PART_SLOWPATH] = "slowpath",
	[SGSCOPE_PART_RECLAIM] = "reclaim",
	[SGSCOPE_PART_COMPACT] = "compact",
	[SGSCOPE_PART_SLAB] = "slab",
	[SGSCOPE_PART_SLAB_REFILL] = "slab-refill",
	[SGSCOPE_PART_KMEMLEAK] = "kmemleak",
	[SGSCOPE_PART_VMAP_AREA] = "vmap-area",
	[SGSCOPE_PART_VMAP_PURGE] = "vmap-purge",
	[SGSCOPE_PART_VMAP_MAP] = "vmap-map",
	[SGSCOPE_PART_PAGE_TABLE] = "page-table",
	[SGSCOPE_PART_DMA_ALLOC] = "dma-alloc",
	[SGSCOPE_PART_DMA_MAP] = "dma-map",
	[SGSCOPE_PART_IOMMU] = "iommu",
	[SGSCOPE_PART_IRQ] = "irq",
	[SGSCOPE_PART_OFF_CPU] = "off-cpu",
};

/* enum sgscope_dma_type, as include/sound/memalloc.h names the kernel's */
static const char *const dma_type_names[SGSCOPE_DMA_TYPES] = {
	[SGSCOPE_DMA_UNKNOWN] = "unknown",
	[SGSCOPE_DMA_CONTINUOUS] = "continuous",
	[SGSCOPE_DMA_DEV] = "dev",
	[SGSCOPE_DMA_DEV_SG] = "dev-sg",
	[SGSCOPE_DMA_DEV_IRAM] = "dev-iram",
	[SGSCOPE_DMA_DEV_WC] = "dev-wc",
	[SGSCOPE_DMA_DEV_WC_SG] = "dev-wc-sg",
	[SGSCOPE_DMA_VMALLOC] = "vmalloc",
	[SGSCOPE_DMA_NONCONTIG] = "noncontig",
	[SGSCOPE_DMA_NONCOHERENT] = "noncoherent",
	[SGSCOPE_DMA_SG_FALLBACK] = "dev-sg-fallback",
	[SGSCOPE_DMA_WC_SG_FALLBACK] = "dev-wc-sg-fallback",
};

static const char *dma_type_name(int type)
{
	return type >= 0 && type < SGSCOPE_DMA_TYPES && dma_type_names[type] ?
	       dma_type_names[type] : "?";
}

static bool is_fallback(int type)
{
	return type == SGSCOPE_DMA_SG_FALLBACK || type == SGSCOPE_DMA_WC_SG_FALLBACK;
}

/* What the allocation turned into, in words. */
static const char *result_name(const struct sgscope_alloc_event *e)
{
	if (e->err)
		return "failed";
	if (is_fallback(e->type))
		return "sg-fallback";
	if (e->req_type == SGSCOPE_DMA_DEV_SG || e->req_type == SGSCOPE_DMA_DEV_WC_SG)
		return "contiguous";
	return dma_type_name(e->type);
}

static const char *caller_name(unsigned int caller)
{
	return caller == SGSCOPE_CALLER_HW_PARAMS ? "hw_params" :
	       caller == SGSCOPE_CALLER_PREALLOC ? "prealloc" : "driver";
}

/* Allocations of one card/pcm/stream/device, for the summary. */
struct alloc_row {
	int card, pcm, stream;
	char dev[SGSCOPE_DEV_NAME_LEN];
	unsigned long long allocs, failures, shrinks, fallbacks, ns;
	struct sgscope_alloc_event last;	/* the last that worked */
};

struct allocs {
	const struct sgscope_opts *opts;
	struct alloc_row *rows;
	size_t nrows;
	struct allocs_bpf *skel;
};

static struct alloc_row *row_for(struct allocs *a, const struct sgscope_alloc_event *e)
{
	struct alloc_row *r;
	size_t i;

	for (i = 0; i < a->nrows; i++) {
		r = &a->rows[i];
		if (r->card == e->card && r->pcm == e->pcm &&
		    r->stream == e->stream && !strcmp(r->dev, e->dev))
			return r;
	}
	r = realloc(a->rows, (a->nrows + 1) * sizeof(*r));
	if (!r)
		return NULL;
	a->rows = r;
	r = &a->rows[a->nrows++];
	memset(r, 0, sizeof(*r));
	r->card = e->card;
	r->pcm = e->pcm;
	r->stream = e->stream;
	memcpy(r->dev, e->dev, sizeof(r->dev));
	return r;
}

static void format_orders(const struct sgscope_alloc_event *e, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < SGSCOPE_MAX_ORDER && used < len; i++)
		if (e->orders[i])
			used += snprintf(buf + used, len - used, "%s%d:%u",
					 used ? "," : "", i, e->orders[i]);
	if (!used)
		snprintf(buf, len, "-");
}

/*
 * "parts": every part's exclusive ns and entries (zeros too: a part is a
 * series of its own in the bench); "page_orders": the page allocator's
 * calls and time by the order asked.
 */
static void split_json(struct json *j, const struct sgscope_alloc_split *s)
{
	char order[8];
	int i;

	json_object_begin(j, "parts");
	for (i = 0; i < SGSCOPE_PARTS; i++) {
		json_object_begin(j, sgscope_part_names[i]);
		json_u64(j, "ns", s->part_ns[i]);
		json_u64(j, "calls", s->part_calls[i]);
		json_bool(j, "state", sgscope_part_is_state(i));
		json_object_end(j);
	}
	json_object_end(j);
	json_object_begin(j, "page_orders");
	for (i = 0; i < SGSCOPE_MAX_ORDER; i++) {
		if (!s->page_calls[i] && !s->page_ns[i])
			continue;
		snprintf(order, sizeof(order), "%d", i);
		json_object_begin(j, order);
		json_u64(j, "calls", s->page_calls[i]);
		json_u64(j, "ns", s->page_ns[i]);
		json_object_end(j);
	}
	json_object_end(j);
	json_u64(j, "untracked_frames", s->untracked);
	json_u64(j, "buddy_takes", s->buddy_takes);
}

/* "  split us: pages 12.3 (64) vmap-map 4.0 (1) ... other 20.1": the parts that took time */
static void split_text(const struct sgscope_alloc_event *e)
{
	const struct sgscope_alloc_split *s = &e->split;
	int i;

	printf("     split us:");
	for (i = 0; i < SGSCOPE_PARTS; i++)
		if (s->part_ns[i])
			printf(" %s %.1f (%u)", sgscope_part_names[i], s->part_ns[i] / 1000.0,
			       s->part_calls[i]);
	printf("\n     page allocator by order:");
	for (i = 0; i < SGSCOPE_MAX_ORDER; i++)
		if (s->page_calls[i])
			printf(" %d: %u in %.1f us", i, s->page_calls[i], s->page_ns[i] / 1000.0);
	if (s->buddy_takes)
		printf("; %u blocks off the buddy lists", s->buddy_takes);
	if (s->untracked)
		printf(" (%u calls nested too deep to split)", s->untracked);
	printf("\n");
}

static void event_json(const struct sgscope_alloc_event *e)
{
	struct json j;
	int i;

	json_line_begin(&j, stdout);
	json_string(&j, "tool", "allocs");
	json_string(&j, "report", "event");
	json_i64(&j, "card", e->card);
	json_i64(&j, "pcm", e->pcm);
	json_string(&j, "stream", stream_name(e->stream));
	json_string(&j, "caller", caller_name(e->caller));
	json_string(&j, "device", e->dev);
	json_string(&j, "comm", e->comm);
	json_u64(&j, "pid", e->pid);
	json_string(&j, "requested_type", dma_type_name(e->req_type));
	json_u64(&j, "requested_bytes", e->req_bytes);
	json_string(&j, "result", result_name(e));
	json_string(&j, "type", dma_type_name(e->type));
	json_u64(&j, "bytes", e->bytes);
	json_u64(&j, "chunks", e->chunks);
	json_u64(&j, "allocations", e->allocs);
	json_object_begin(&j, "orders");
	for (i = 0; i < SGSCOPE_MAX_ORDER; i++) {
		char order[8];

		if (!e->orders[i])
			continue;
		snprintf(order, sizeof(order), "%d", i);
		json_u64(&j, order, e->orders[i]);
	}
	json_object_end(&j);
	json_u64(&j, "duration_ns", e->duration_ns);
	json_i64(&j, "error", e->err);
	split_json(&j, &e->split);
	json_line_end(&j);
}

static void event_text(const struct sgscope_alloc_event *e)
{
	char orders[128];

	format_orders(e, orders, sizeof(orders));
	printf("%-4d %-3d %-8s %-9s %-12s %-10s %9llu %-11s %9llu %6u %-16s %8.1f %4d %s\n",
	       e->card, e->pcm, stream_name(e->stream), caller_name(e->caller),
	       e->dev[0] ? e->dev : "-", dma_type_name(e->req_type),
	       (unsigned long long)e->req_bytes, result_name(e),
	       (unsigned long long)e->bytes, e->chunks, orders,
	       e->duration_ns / 1000.0, e->err, e->comm);
	split_text(e);
	fflush(stdout);
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct sgscope_alloc_event *e = data;
	struct allocs *a = ctx;
	struct alloc_row *r;

	if (size < sizeof(*e))
		return 0;
	if (a->opts->json)
		event_json(e);
	else
		event_text(e);
	r = row_for(a, e);
	if (!r)
		return 0;
	r->allocs++;
	r->ns += e->duration_ns;
	if (e->err) {
		r->failures++;
		/* a failed try inside preallocation is followed by a smaller one */
		if (e->caller == SGSCOPE_CALLER_PREALLOC)
			r->shrinks++;
		return 0;
	}
	if (is_fallback(e->type))
		r->fallbacks++;
	r->last = *e;
	return 0;
}

static void report(void *ctx, bool final, double elapsed)
{
	struct allocs *a = ctx;
	const char *what = final ? "total" : "so far";
	unsigned long long lost = a->skel->bss->lost_events;
	struct json j;
	size_t i;

	if (!a->opts->json)
		printf("\n=== allocs %s, %.1f s: %zu buffers%s\n"
		       "CARD PCM STREAM   DEVICE       ALLOCS FAILED SHRINKS SG-FALLBACKS LAST-TYPE    LAST-BYTES CHUNKS AVG-USECS\n",
		       what, elapsed, a->nrows, lost ? " (events lost!)" : "");
	for (i = 0; i < a->nrows; i++) {
		const struct alloc_row *r = &a->rows[i];
		double avg = r->allocs ? r->ns / 1000.0 / r->allocs : 0;

		if (a->opts->json) {
			json_line_begin(&j, stdout);
			json_string(&j, "tool", "allocs");
			json_string(&j, "report", final ? "total" : "interval");
			json_double(&j, "elapsed_s", elapsed);
			json_i64(&j, "card", r->card);
			json_i64(&j, "pcm", r->pcm);
			json_string(&j, "stream", stream_name(r->stream));
			json_string(&j, "device", r->dev);
			json_u64(&j, "allocations", r->allocs);
			json_u64(&j, "failures", r->failures);
			json_u64(&j, "shrinks", r->shrinks);
			json_u64(&j, "sg_fallbacks", r->fallbacks);
			json_string(&j, "last_result", r->last.req_bytes ? result_name(&r->last) : NULL);
			json_u64(&j, "last_bytes", r->last.bytes);
			json_u64(&j, "last_chunks", r->last.chunks);
			json_double(&j, "avg_us", avg);
			json_u64(&j, "lost_events", lost);
			json_line_end(&j);
			continue;
		}
		printf("%-4d %-3d %-8s %-12s %6llu %6llu %7llu %12llu %-12s %10llu %6u %9.1f\n",
		       r->card, r->pcm, stream_name(r->stream), r->dev[0] ? r->dev : "-",
		       r->allocs, r->failures, r->shrinks, r->fallbacks,
		       r->last.req_bytes ? result_name(&r->last) : "-",
		       (unsigned long long)r->last.bytes, r->last.chunks, avg);
	}
	fflush(stdout);
}

static int allocs_open(void *ctx, const struct bpf_object_open_opts *open_opts,
			struct bpf_object_skeleton **skeleton, struct bpf_map **ring)
{
	struct allocs *a = ctx;

	a->skel = allocs_bpf__open_opts(open_opts);
	if (!a->skel)
		return -1;
	a->skel->rodata->filter_card = a->opts->card;
	a->skel->rodata->filter_pcm = a->opts->pcm;
	a->skel->rodata->filter_pid = a->opts->pid;
	*skeleton = a->skel->skeleton;
	*ring = a->skel->maps.events;
	return 0;
}

static const char *const freelist_candidates[] = { "get_page_from_freelist", NULL };
static const char *const pcp_candidates[] = { "__rmqueue_pcplist", "rmqueue_pcplist", NULL };
static const char *const prep_candidates[] = { "post_alloc_hook", NULL };
static const char *const slowpath_candidates[] = { "__alloc_pages_slowpath", NULL };
static const char *const try_to_free_pages_candidates[] = { "try_to_free_pages", NULL };
static const char *const try_to_compact_pages_candidates[] = { "try_to_compact_pages", NULL };
static const char *const alloc_vmap_area_candidates[] = { "alloc_vmap_area", NULL };
static const char *const purge_vmap_area_lazy_candidates[] = { "__purge_vmap_area_lazy", NULL };
static const char *const vmap_pages_range_noflush_candidates[] = {
	"__vmap_pages_range_noflush", "vmap_pages_range_noflush", NULL,
};
/* 6.12's slab entry points, then 6.1's */
static const char *const kmalloc_candidates[] = { "__kmalloc_noprof", "__kmalloc", NULL };
static const char *const kmalloc_node_candidates[] = {
	"__kmalloc_node_noprof", "__kmalloc_node", NULL,
};
static const char *const kmalloc_cache_candidates[] = {
	"__kmalloc_cache_noprof", "kmalloc_trace", NULL,
};
static const char *const kmalloc_cache_node_candidates[] = {
	"__kmalloc_cache_node_noprof", "kmalloc_node_trace", NULL,
};
static const char *const cache_alloc_candidates[] = {
	"kmem_cache_alloc_noprof", "kmem_cache_alloc", NULL,
};
static const char *const cache_alloc_node_candidates[] = {
	"kmem_cache_alloc_node_noprof", "kmem_cache_alloc_node", NULL,
};
static const char *const slab_refill_candidates[] = { "___slab_alloc", NULL };
static const char *const kmemleak_candidates[] = { "kmemleak_alloc", NULL };
static const char *const kmemleak_vmalloc_candidates[] = { "kmemleak_vmalloc", NULL };
static const char *const pte_alloc_candidates[] = { "__pte_alloc_kernel", NULL };
static const char *const pmd_alloc_candidates[] = { "__pmd_alloc", NULL };
static const char *const dma_alloc_attrs_candidates[] = { "dma_alloc_attrs", NULL };
static const char *const dma_alloc_noncontiguous_candidates[] = { "dma_alloc_noncontiguous", NULL };
static const char *const dma_map_sgtable_candidates[] = { "dma_map_sgtable", "dma_map_sg_attrs", NULL };
static const char *const iommu_map_candidates[] = { "iommu_map", NULL };
static const char *const iommu_map_sg_candidates[] = { "iommu_map_sg", NULL };

/* tracepoints by "group/event" */
static const char *const irq_entry_tp[] = { "irq/irq_handler_entry", NULL };
static const char *const irq_exit_tp[] = { "irq/irq_handler_exit", NULL };
static const char *const softirq_entry_tp[] = { "irq/softirq_entry", NULL };
static const char *const softirq_exit_tp[] = { "irq/softirq_exit", NULL };
static const char *const timer_entry_tp[] = { "irq_vectors/local_timer_entry", NULL };
static const char *const timer_exit_tp[] = { "irq_vectors/local_timer_exit", NULL };
static const char *const switch_tp[] = { "sched/sched_switch", NULL };
static const char *const buddy_tp[] = { "kmem/mm_page_alloc_zone_locked", NULL };

#define SPLIT_TRACEPOINT(skel, name, desc, tp) (struct probe_point) {		\
	.what = (desc),								\
	.candidates = (tp),							\
	.tracepoint = true,							\
	.optional = true,							\
	.fentry = (skel)->progs.name##_btf,					\
	.kprobe = (skel)->progs.name##_raw,					\
}

/* The split's probe points, all optional; how many. */
static int split_points(struct allocs_bpf *skel, struct probe_point *p)
{
	int n = 0;

	p[n++] = PROBE_POINT(skel, pages, "page allocator", pages_candidates, true);
	p[n++] = PROBE_POINT(skel, pages_bulk, "bulk page allocator", bulk_candidates, true);
	p[n++] = PROBE_POINT(skel, freelist, "free lists", freelist_candidates, true);
	p[n++] = PROBE_POINT(skel, pcp, "per-CPU lists", pcp_candidates, true);
	p[n++] = PROBE_POINT(skel, prep, "new page preparation", prep_candidates, true);
	p[n++] = PROBE_POINT(skel, slowpath, "allocation slow path", slowpath_candidates, true);
	p[n++] = PROBE_POINT(skel, reclaim, "direct reclaim", try_to_free_pages_candidates, true);
	p[n++] = PROBE_POINT(skel, compact, "direct compaction",
			     try_to_compact_pages_candidates, true);
	p[n++] = PROBE_POINT(skel, kmalloc, "kmalloc", kmalloc_candidates, true);
	p[n++] = PROBE_POINT(skel, kmalloc_node, "kmalloc_node", kmalloc_node_candidates, true);
	p[n++] = PROBE_POINT(skel, kmalloc_cache, "kmalloc of a fixed size",
			     kmalloc_cache_candidates, true);
	p[n++] = PROBE_POINT(skel, kmalloc_cache_node, "kmalloc_node of a fixed size",
			     kmalloc_cache_node_candidates, true);
	p[n++] = PROBE_POINT(skel, cache_alloc, "kmem_cache_alloc", cache_alloc_candidates, true);
	p[n++] = PROBE_POINT(skel, cache_alloc_node, "kmem_cache_alloc_node",
			     cache_alloc_node_candidates, true);
	p[n++] = PROBE_POINT(skel, slab_refill, "slab slow path", slab_refill_candidates, true);
	p[n++] = PROBE_POINT(skel, kmemleak, "kmemleak", kmemleak_candidates, true);
	p[n++] = PROBE_POINT(skel, kmemleak_vmalloc, "kmemleak of vmalloc",
			     kmemleak_vmalloc_candidates, true);
	p[n++] = PROBE_POINT(skel, vmap_area, "vmap area", alloc_vmap_area_candidates, true);
	p[n++] = PROBE_POINT(skel, vmap_purge, "lazy vmap purge",
			     purge_vmap_area_lazy_candidates, true);
	p[n++] = PROBE_POINT(skel, vmap_map, "vmap page mapping",
			     vmap_pages_range_noflush_candidates,
			     true);
	p[n++] = PROBE_POINT(skel, pte_alloc, "kernel page table", pte_alloc_candidates, true);
	p[n++] = PROBE_POINT(skel, pmd_alloc, "page middle directory", pmd_alloc_candidates, true);
	p[n++] = PROBE_POINT(skel, dma_alloc, "DMA allocation", dma_alloc_attrs_candidates, true);
	p[n++] = PROBE_POINT(skel, dma_noncontig, "DMA noncontiguous allocation",
			     dma_alloc_noncontiguous_candidates, true);
	p[n++] = PROBE_POINT(skel, dma_map, "DMA mapping",
			     dma_map_sgtable_candidates, true);
	p[n++] = PROBE_POINT(skel, iommu, "IOMMU map", iommu_map_candidates, true);
	p[n++] = PROBE_POINT(skel, iommu_sg, "IOMMU sg map", iommu_map_sg_candidates, true);
	p[n++] = SPLIT_TRACEPOINT(skel, irq_in, "interrupt entry", irq_entry_tp);
	p[n++] = SPLIT_TRACEPOINT(skel, irq_out, "interrupt exit", irq_exit_tp);
	p[n++] = SPLIT_TRACEPOINT(skel, softirq_in, "softirq entry", softirq_entry_tp);
	p[n++] = SPLIT_TRACEPOINT(skel, softirq_out, "softirq exit", softirq_exit_tp);
	p[n++] = SPLIT_TRACEPOINT(skel, timer_in, "timer interrupt entry",
				  timer_entry_tp);
	p[n++] = SPLIT_TRACEPOINT(skel, timer_out, "timer interrupt exit",
				  timer_exit_tp);
	p[n++] = SPLIT_TRACEPOINT(skel, switch, "context switch", switch_tp);
	p[n++] = SPLIT_TRACEPOINT(skel, buddy, "buddy list take", buddy_tp);
	return n;
}

static int allocs_points(void *ctx, struct probe_point *points)
{
	struct allocs_bpf *skel = ((struct allocs *)ctx)->skel;

	points[0] = PROBE_POINT(skel, alloc, "ALSA buffer allocation", alloc_candidates, false);
	points[1] = PROBE_POINT(skel, hw_params, "PCM hw_params", hw_params_candidates, true);
	points[2] = PROBE_POINT(skel, prealloc, "PCM preallocation", prealloc_candidates, true);
	return 3 + split_points(skel, points + 3);
}

static void allocs_started(void *ctx)
{
	if (!((struct allocs *)ctx)->opts->json)
		printf("CARD PCM STREAM   CALLER    DEVICE       REQUESTED  REQ-BYTES RESULT          BYTES CHUNKS ORDERS              USECS  ERR COMM\n");
}

static void allocs_close(void *ctx)
{
	struct allocs *a = ctx;

	free(a->rows);
	allocs_bpf__destroy(a->skel);
}

static const struct tracer allocs_tracer = {
	.name = "allocs",
	.what = "ALSA buffer allocations",
	.open = allocs_open,
	.points = allocs_points,
	.on_event = on_event,
	.started = allocs_started,
	.report = report,
	.close = allocs_close,
};

static int allocs_run(const struct sgscope_opts *opts)
{
	struct allocs a = { .opts = opts };

	return tracer_run(opts, &allocs_tracer, &a);
}

const struct subcommand allocs_command = {
	.name = "allocs",
	.summary = "every ALSA buffer allocation as it happens\n"
		   "card, pcm, requested and resulting type (contiguous or SG fallback), chunks and their orders, time,\n"
		   "failures, preallocation shrinks; a summary table at the end",
	.examples =
		"  sgscope allocs                    print allocations until Ctrl-C\n"
		"  sgscope allocs -c 0 -p 1          only card 0, pcm 1\n"
		"  sgscope allocs --json -d 30       events and the summary as JSON lines\n",
	.run = allocs_run,
};
