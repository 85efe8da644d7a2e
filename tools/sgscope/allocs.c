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

static int allocs_points(void *ctx, struct probe_point *points)
{
	struct allocs_bpf *skel = ((struct allocs *)ctx)->skel;

	points[0] = PROBE_POINT(skel, alloc, "ALSA buffer allocation", alloc_candidates, false);
	points[1] = PROBE_POINT(skel, hw_params, "PCM hw_params", hw_params_candidates, true);
	points[2] = PROBE_POINT(skel, prealloc, "PCM preallocation", prealloc_candidates, true);
	return 3;
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
