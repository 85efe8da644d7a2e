// SPDX-License-Identifier: GPL-2.0
/* sgscope dmamap: DMA API costs per device, swiotlb bounces, DMA mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "json.h"
#include "probe.h"
#include "session.h"
#include "stats.h"
#include "subcommands.h"
#include "dmamap.skel.h"


static const char *const op_names[SGSCOPE_DMA_OPS] = {
	[SGSCOPE_DMA_ALLOC] = "dma_alloc_attrs",
	[SGSCOPE_DMA_ALLOC_NONCONTIG] = "dma_alloc_noncontiguous",
	[SGSCOPE_DMA_MAP_SG] = "dma_map_sg_attrs",
	[SGSCOPE_DMA_MAP_SGTABLE] = "dma_map_sgtable",
	[SGSCOPE_DMA_MAP_PAGE] = "dma_map_page_attrs",
	[SGSCOPE_DMA_SYNC_SG_CPU] = "dma_sync_sg_for_cpu",
	[SGSCOPE_DMA_SYNC_SG_DEVICE] = "dma_sync_sg_for_device",
	[SGSCOPE_DMA_SYNC_SINGLE_CPU] = "dma_sync_single_for_cpu",
	[SGSCOPE_DMA_SYNC_SINGLE_DEVICE] = "dma_sync_single_for_device",
};

/*
 * The functions each call is probed at, in the order tried (the sync
 * calls' outer functions are inlined in some kernels).  At file scope: the
 * probe points refer to them until the tracer ends.
 */
static const char *const *const call_candidates[SGSCOPE_DMA_OPS] = {
	[SGSCOPE_DMA_ALLOC] = CANDIDATES("dma_alloc_attrs"),
	[SGSCOPE_DMA_ALLOC_NONCONTIG] = CANDIDATES("dma_alloc_noncontiguous"),
	[SGSCOPE_DMA_MAP_SG] = CANDIDATES("dma_map_sg_attrs"),
	[SGSCOPE_DMA_MAP_SGTABLE] = CANDIDATES("dma_map_sgtable"),
	[SGSCOPE_DMA_MAP_PAGE] = CANDIDATES("dma_map_page_attrs"),
	[SGSCOPE_DMA_SYNC_SG_CPU] = CANDIDATES("__dma_sync_sg_for_cpu", "dma_sync_sg_for_cpu"),
	[SGSCOPE_DMA_SYNC_SG_DEVICE] = CANDIDATES("__dma_sync_sg_for_device",
						  "dma_sync_sg_for_device"),
	[SGSCOPE_DMA_SYNC_SINGLE_CPU] = CANDIDATES("__dma_sync_single_for_cpu",
						   "dma_sync_single_for_cpu"),
	[SGSCOPE_DMA_SYNC_SINGLE_DEVICE] = CANDIDATES("__dma_sync_single_for_device",
						      "dma_sync_single_for_device"),
};
static const char *const *const bounce_candidates = CANDIDATES("swiotlb/swiotlb_bounced");

static const char *mode_name(unsigned int mode)
{
	static const char *const names[] = {
		[SGSCOPE_DMA_MODE_UNKNOWN] = "unknown",
		[SGSCOPE_DMA_MODE_DIRECT] = "direct",
		[SGSCOPE_DMA_MODE_SWIOTLB] = "swiotlb",
		[SGSCOPE_DMA_MODE_IOMMU] = "iommu",
		[SGSCOPE_DMA_MODE_DMA_OPS] = "dma-ops",
	};

	return mode <= SGSCOPE_DMA_MODE_DMA_OPS ? names[mode] : "unknown";
}

/*
 * The sg maps of one device and call, the last FIT_POINTS of them: a map
 * costs a fixed part plus one per entry, fitted at each report.
 */
#define FIT_POINTS	256

struct map_fit {
	char dev[SGSCOPE_DEV_NAME_LEN];
	__u32 op;
	size_t seen;
	double nents[FIT_POINTS], ns[FIT_POINTS];
};

struct dmamap {
	const struct sgscope_opts *opts;
	struct map_fit *fits;
	size_t nfits;
	struct dmamap_bpf *skel;
	char dev[SGSCOPE_DEV_NAME_LEN];	/* the one device traced, or "" */
	struct hist_table table;
	/* bounces at the last report, per device in table order */
	struct sgscope_dev_stats *before;
	char (*before_dev)[SGSCOPE_DEV_NAME_LEN];
	size_t nbefore;
};

static void merge_stats(void *dst, const void *src)
{
	struct sgscope_dev_stats *d = dst;
	const struct sgscope_dev_stats *s = src;

	d->bounces += s->bounces;
	d->bounce_bytes += s->bounce_bytes;
	if (s->mode > d->mode)
		d->mode = s->mode;
}

static struct sgscope_dev_stats *stats_before(struct dmamap *m, const char *dev)
{
	size_t i;

	for (i = 0; i < m->nbefore; i++)
		if (!strncmp(m->before_dev[i], dev, SGSCOPE_DEV_NAME_LEN))
			return &m->before[i];
	m->before = realloc(m->before, (m->nbefore + 1) * sizeof(*m->before));
	m->before_dev = realloc(m->before_dev, (m->nbefore + 1) * sizeof(*m->before_dev));
	if (!m->before || !m->before_dev)
		exit(1);
	memset(&m->before[m->nbefore], 0, sizeof(*m->before));
	snprintf(m->before_dev[m->nbefore], SGSCOPE_DEV_NAME_LEN, "%.31s", dev);
	return &m->before[m->nbefore++];
}

static struct map_fit *fit_of(struct dmamap *m, const char *dev, __u32 op, bool add)
{
	struct map_fit *f;
	size_t i;

	for (i = 0; i < m->nfits; i++)
		if (m->fits[i].op == op && !strncmp(m->fits[i].dev, dev, SGSCOPE_DEV_NAME_LEN))
			return &m->fits[i];
	if (!add)
		return NULL;
	f = realloc(m->fits, (m->nfits + 1) * sizeof(*f));
	if (!f)
		return NULL;
	m->fits = f;
	f = &m->fits[m->nfits++];
	memset(f, 0, sizeof(*f));
	snprintf(f->dev, sizeof(f->dev), "%.31s", dev);
	f->op = op;
	return f;
}

/* "fit": fixed ns + ns per entry over the device's last maps of a call */
static void fit_report(struct dmamap *m, const char *dev, __u32 op, struct json *j)
{
	struct map_fit *f = fit_of(m, dev, op, false);
	size_t n = f ? (f->seen < FIT_POINTS ? f->seen : FIT_POINTS) : 0;
	double fixed, slope;

	if (!n || stats_line_fit(f->nents, f->ns, n, &fixed, &slope))
		return;
	if (j) {
		json_object_begin(j, "fit");
		json_u64(j, "maps", n);
		json_double(j, "fixed_ns", fixed);
		json_double(j, "per_entry_ns", slope);
		json_object_end(j);
		return;
	}
	printf("    a map: %.0f ns + %.1f ns per entry (fit over the last %zu maps)\n",
	       fixed, slope, n);
}

static void device_report(struct dmamap *m, const char *dev, bool final,
			  double elapsed)
{
	struct sgscope_dev_key key = {};
	struct sgscope_dev_stats now = {}, *before;
	unsigned long long bounces, bytes;
	const char *what = final ? "total" : "interval";
	struct sgscope_hist h;
	struct json j;
	size_t i;

	snprintf(key.dev, sizeof(key.dev), "%.31s", dev);
	percpu_sum(bpf_map__fd(m->skel->maps.dev_stats), &key, &now,
		   sizeof(now), merge_stats);
	before = stats_before(m, dev);
	bounces = now.bounces - (final ? 0 : before->bounces);
	bytes = now.bounce_bytes - (final ? 0 : before->bounce_bytes);
	*before = now;

	if (m->opts->json) {
		json_line_begin(&j, stdout);
		json_string(&j, "tool", "dmamap");
		json_string(&j, "report", what);
		json_double(&j, "elapsed_s", elapsed);
		json_string(&j, "device", dev);
		json_string(&j, "mode", mode_name(now.mode));
		json_u64(&j, "bounces", bounces);
		json_u64(&j, "bounce_bytes", bytes);
		json_object_begin(&j, "calls");
	} else {
		printf("device %s  mode %s  swiotlb bounces %llu (%llu bytes)\n",
		       dev, mode_name(now.mode), bounces, bytes);
	}
	for (i = 0; i < m->table.count; i++) {
		const struct hist_entry *e = &m->table.entries[i];
		const struct sgscope_dev_op_key *k = (const void *)e->key;

		if (strncmp(k->dev, dev, SGSCOPE_DEV_NAME_LEN) || k->op >= SGSCOPE_DMA_OPS)
			continue;
		if (final)
			h = e->now;
		else
			hist_delta(&h, &e->now, &e->before);
		if (!h.count)
			continue;
		if (m->opts->json) {
			json_object_begin(&j, op_names[k->op]);
			hist_json(&j, &h);
			fit_report(m, dev, k->op, &j);
			json_object_end(&j);
			continue;
		}
		printf("  %s: ", op_names[k->op]);
		hist_print(stdout, &h, "nsecs");
		fit_report(m, dev, k->op, NULL);
	}
	if (m->opts->json) {
		json_object_end(&j);
		json_line_end(&j);
	}
}

static void report(void *ctx, bool final, double elapsed)
{
	struct dmamap *m = ctx;
	char done[64][SGSCOPE_DEV_NAME_LEN];
	size_t i, ndone = 0, k;

	hist_table_refresh(&m->table);
	if (!m->opts->json)
		printf("\n=== dmamap %s, %.1f s%s\n", final ? "total" : "interval",
		       elapsed, m->skel->bss->lost_events ? " (map events lost!)" : "");
	/* one block per device, in the table's (sorted) order */
	for (i = 0; i < m->table.count && ndone < 64; i++) {
		const char *dev = (const char *)m->table.entries[i].key;

		for (k = 0; k < ndone; k++)
			if (!strncmp(done[k], dev, SGSCOPE_DEV_NAME_LEN))
				break;
		if (k < ndone)
			continue;
		snprintf(done[ndone++], SGSCOPE_DEV_NAME_LEN, "%.31s", dev);
		device_report(m, dev, final, elapsed);
	}
	hist_table_advance(&m->table);
	fflush(stdout);
}

static int on_map_event(void *ctx, void *data, size_t size)
{
	const struct sgscope_map_event *e = data;
	struct dmamap *m = ctx;
	struct json j;

	if (size < sizeof(*e) || e->op >= SGSCOPE_DMA_OPS)
		return 0;
	if (e->nents > 0 && e->mapped > 0) {
		struct map_fit *f = fit_of(m, e->dev, e->op, true);

		if (f) {
			f->nents[f->seen % FIT_POINTS] = e->nents;
			f->ns[f->seen % FIT_POINTS] = e->duration_ns;
			f->seen++;
		}
	}
	if (m->opts->json) {
		json_line_begin(&j, stdout);
		json_string(&j, "tool", "dmamap");
		json_string(&j, "report", "map");
		json_string(&j, "device", e->dev);
		json_string(&j, "call", op_names[e->op]);
		json_string(&j, "mode", mode_name(e->mode));
		json_i64(&j, "nents", e->nents);
		json_i64(&j, "mapped", e->mapped);
		json_u64(&j, "duration_ns", e->duration_ns);
		json_u64(&j, "pid", e->pid);
		json_string(&j, "comm", e->comm);
		json_line_end(&j);
		return 0;
	}
	printf("map %-14s %-17s mode %-8s nents %5d mapped %5d %9.1f us  %s[%u]\n",
	       e->dev, op_names[e->op], mode_name(e->mode), e->nents, e->mapped,
	       e->duration_ns / 1000.0, e->comm, e->pid);
	fflush(stdout);
	return 0;
}

#define POINT(name, op, is_optional) \
	PROBE_POINT(skel, name, op_names[op], call_candidates[op], is_optional)

static int dmamap_open(void *ctx, const struct bpf_object_open_opts *open_opts,
			struct bpf_object_skeleton **skeleton, struct bpf_map **ring)
{
	struct dmamap *m = ctx;

	m->skel = dmamap_bpf__open_opts(open_opts);
	if (!m->skel)
		return -1;
	memcpy((char *)m->skel->rodata->filter_dev, m->dev, sizeof(m->dev));
	m->skel->rodata->filter_pid = m->opts->pid;
	*skeleton = m->skel->skeleton;
	*ring = m->skel->maps.map_events;
	return 0;
}

static int dmamap_points(void *ctx, struct probe_point *points)
{
	struct dmamap_bpf *skel = ((struct dmamap *)ctx)->skel;
	int n = 0;

	points[n++] = POINT(alloc, SGSCOPE_DMA_ALLOC, false);
	points[n++] = POINT(alloc_noncontig, SGSCOPE_DMA_ALLOC_NONCONTIG, true);
	points[n++] = POINT(map_sg, SGSCOPE_DMA_MAP_SG, false);
	points[n++] = POINT(map_sgtable, SGSCOPE_DMA_MAP_SGTABLE, true);
	points[n++] = POINT(map_page, SGSCOPE_DMA_MAP_PAGE, false);
	points[n++] = POINT(sync_sg_cpu, SGSCOPE_DMA_SYNC_SG_CPU, true);
	points[n++] = POINT(sync_sg_device, SGSCOPE_DMA_SYNC_SG_DEVICE, true);
	points[n++] = POINT(sync_single_cpu, SGSCOPE_DMA_SYNC_SINGLE_CPU, true);
	points[n++] = POINT(sync_single_device, SGSCOPE_DMA_SYNC_SINGLE_DEVICE, true);
	points[n++] = (struct probe_point) {
		.what = "swiotlb bounce",
		.candidates = bounce_candidates,
		.tracepoint = true,
		.optional = true,
		.fentry = skel->progs.bounced_btf,
		.kprobe = skel->progs.bounced_raw,
	};
	return n;
}

static void dmamap_started(void *ctx)
{
	struct dmamap *m = ctx;

	m->table.map_fd = bpf_map__fd(m->skel->maps.latency);
	m->table.key_size = sizeof(struct sgscope_dev_op_key);
}

static void dmamap_close(void *ctx)
{
	struct dmamap *m = ctx;

	hist_table_free(&m->table);
	free(m->fits);
	free(m->before);
	free(m->before_dev);
	dmamap_bpf__destroy(m->skel);
}

static const struct tracer dmamap_tracer = {
	.name = "dmamap",
	.what = "DMA API calls",
	.open = dmamap_open,
	.points = dmamap_points,
	.on_event = on_map_event,
	.started = dmamap_started,
	.report = report,
	.close = dmamap_close,
};

static int dmamap_run(const struct sgscope_opts *opts)
{
	struct dmamap m = { .opts = opts };

	if (opts->pcm >= 0) {
		return usage_error(&dmamap_command, "--pcm does not apply: DMA is traced per device (use --card)%s", "");
	}
	if (opts->card >= 0 && card_device_name(opts->card, m.dev, sizeof(m.dev))) {
		fprintf(stderr, "sgscope dmamap: card %d has no bus device to trace\n", opts->card);
		return 1;
	}
	return tracer_run(opts, &dmamap_tracer, &m);
}

const struct subcommand dmamap_command = {
	.name = "dmamap",
	.summary = "DMA API costs, swiotlb bounces and DMA mode per device\n"
		   "allocations, sg/page maps and syncs as histograms, swiotlb bounces, and each device's DMA mode (direct, swiotlb, IOMMU)",
	.examples =
		"  sgscope dmamap                    all devices until Ctrl-C\n"
		"  sgscope dmamap -c sgscope -i 1    the sgscope card's PCI device, every second\n"
		"  sgscope dmamap --json -d 10       JSON lines: each sg map, then per-device totals\n",
	.run = dmamap_run,
};
