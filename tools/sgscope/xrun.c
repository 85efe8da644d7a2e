// SPDX-License-Identifier: GPL-2.0
/*
 * sgscope xrun: every xrun and near miss of the running streams, with the
 * missed deadline split into its causes (xrun_parts.c) and the largest
 * named as the verdict; at the end, xruns and near misses per verdict and
 * each stream's headroom histogram; with --trace, the timelines in the
 * Chrome/Perfetto trace-event format.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "hist.h"
#include "json.h"
#include "probe.h"
#include "session.h"
#include "subcommands.h"
#include "xrun.h"
#include "xrun_parts.h"
#include "xrun.skel.h"

#define NS_PER_MS	1e6
#define NS_PER_US	1e3

/* the verdict counts of one stream */
struct xrun_stream {
	struct sgscope_pcm_key key;
	unsigned long xruns[XRUN_PARTS + 1];	/* by verdict; the last: none */
	unsigned long nears[XRUN_PARTS + 1];
};

#define XRUN_MAX_STREAMS	64

struct xrun {
	const struct sgscope_opts *opts;
	const struct xrun_config *cfg;
	struct xrun_bpf *skel;
	struct hist_table table;
	struct xrun_stream streams[XRUN_MAX_STREAMS];
	int nstreams;
	FILE *trace;
	bool trace_comma;
};

static struct xrun_stream *stream_entry(struct xrun *x, const struct sgscope_pcm_key *key)
{
	int i;

	for (i = 0; i < x->nstreams; i++)
		if (!memcmp(&x->streams[i].key, key, sizeof(*key)))
			return &x->streams[i];
	if (x->nstreams == XRUN_MAX_STREAMS)
		return NULL;
	x->streams[x->nstreams].key = *key;
	return &x->streams[x->nstreams++];
}

static const char *kind_name(__u32 kind)
{
	return kind == SGSCOPE_XRUN_KIND_NEAR ? "near" : "xrun";
}

static void print_text(const struct sgscope_xrun_report *r, const struct xrun_parts *p)
{
	const struct xrun_holder *h = xrun_top_holder(p);
	int i;

	printf("%s card %d pcm %d %s at %.6f s: %s", r->kind == SGSCOPE_XRUN_KIND_NEAR ?
	       "near miss" : "XRUN", r->key.card, r->key.pcm, stream_name(r->key.stream),
	       r->ts / 1e9, xrun_part_name(p->verdict));
	if (p->verdict == XRUN_PART_WAKEUP && h)
		printf(" (%s[%u] held the CPU %.3f ms)", h->comm, h->tid, h->ns / NS_PER_MS);
	printf("\n  ");
	for (i = 0; i < XRUN_PARTS; i++)
		printf("%s %.3f ms, ", xrun_part_name(i), p->ns[i] / NS_PER_MS);
	printf("waiting %.3f ms, of %.3f ms since the client's last service%s",
	       p->waiting_ns / NS_PER_MS, (p->window_end - p->window_start) / NS_PER_MS,
	       p->client_seen ? "" : " (not in the timeline: from its oldest event)");
	if (p->irq_handler_ns)
		printf("; longest handler before period elapsed %.3f ms",
		       p->irq_handler_ns / NS_PER_MS);
	if (p->irq_thread_ns)
		printf(" (its thread's wake-up %.3f ms, off its CPU %.3f ms)",
		       p->irq_thread_ns / NS_PER_MS, p->irq_thread_off_ns / NS_PER_MS);
	if (p->irq_late_ns)
		printf("; an interrupt %.3f ms after its period's end", p->irq_late_ns / NS_PER_MS);
	if (p->irq_late_ns && p->irq_late_comm[0])
		printf(" (it interrupted %s[%u])", p->irq_late_comm, p->irq_late_tid);
	if (p->slept_periods)
		printf("; it slept on through %u period interrupt%s", p->slept_periods,
		       p->slept_periods == 1 ? "" : "s");
	if (r->kind == SGSCOPE_XRUN_KIND_NEAR && r->rate)
		printf("; headroom %.3f ms", r->headroom_frames * 1e3 / r->rate);
	printf("\n");
}

static void print_json(const struct sgscope_xrun_report *r, const struct xrun_parts *p)
{
	const struct xrun_holder *h = xrun_top_holder(p);
	struct json j;
	int i;

	json_line_begin(&j, stdout);
	json_string(&j, "tool", "xrun");
	json_string(&j, "report", kind_name(r->kind));
	json_i64(&j, "card", r->key.card);
	json_i64(&j, "pcm", r->key.pcm);
	json_string(&j, "stream", stream_name(r->key.stream));
	json_u64(&j, "ts_ns", r->ts);
	json_string(&j, "verdict", xrun_part_name(p->verdict));
	json_object_begin(&j, "parts_ns");
	for (i = 0; i < XRUN_PARTS; i++)
		json_u64(&j, xrun_part_name(i), p->ns[i]);
	json_object_end(&j);
	json_u64(&j, "waiting_ns", p->waiting_ns);
	json_u64(&j, "window_ns", p->window_end - p->window_start);
	json_u64(&j, "context_start_ns", p->context_start);
	json_bool(&j, "client_seen", p->client_seen);
	json_u64(&j, "irq_handler_ns", p->irq_handler_ns);
	json_u64(&j, "irq_thread_ns", p->irq_thread_ns);
	json_u64(&j, "irq_thread_off_ns", p->irq_thread_off_ns);
	json_u64(&j, "irq_late_ns", p->irq_late_ns);
	json_u64(&j, "slept_periods", p->slept_periods);
	if (p->irq_late_ns && p->irq_late_comm[0]) {
		json_object_begin(&j, "irq_late_interrupted");
		json_u64(&j, "tid", p->irq_late_tid);
		json_string(&j, "comm", p->irq_late_comm);
		json_object_end(&j);
	}
	json_u64(&j, "client_tid", r->client_tid);
	if (h) {
		json_object_begin(&j, "cpu_holder");
		json_u64(&j, "tid", h->tid);
		json_string(&j, "comm", h->comm);
		json_u64(&j, "ns", h->ns);
		json_object_end(&j);
	}
	json_u64(&j, "rate", r->rate);
	json_u64(&j, "period_frames", r->period_frames);
	json_u64(&j, "buffer_frames", r->buffer_frames);
	if (r->kind == SGSCOPE_XRUN_KIND_NEAR)
		json_u64(&j, "headroom_frames", r->headroom_frames);
	json_line_end(&j);
}

static int on_report(void *ctx, void *data, size_t size)
{
	const struct sgscope_xrun_report *r = data;
	struct xrun *x = ctx;
	struct xrun_stream *s;
	struct xrun_parts p;

	if (size < sizeof(*r))
		return 0;
	/* with --trace the split is made once, writing its stretches */
	if (x->trace)
		xrun_trace_write(x->trace, &x->trace_comma, r, &p);
	else
		xrun_attribute(r, &p);
	s = stream_entry(x, &r->key);
	if (s) {
		if (r->kind == SGSCOPE_XRUN_KIND_NEAR)
			s->nears[p.verdict < 0 ? XRUN_PARTS : p.verdict]++;
		else
			s->xruns[p.verdict < 0 ? XRUN_PARTS : p.verdict]++;
	}
	if (x->opts->json)
		print_json(r, &p);
	else
		print_text(r, &p);
	fflush(stdout);
	return 0;
}

static unsigned long total(const unsigned long *by_verdict)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i <= XRUN_PARTS; i++)
		n += by_verdict[i];
	return n;
}

static void summary_text(const struct xrun_stream *s, const struct sgscope_hist *h)
{
	int i;

	printf("card %d pcm %d %s: %lu xruns, %lu near misses\n", s->key.card,
	       s->key.pcm, stream_name(s->key.stream), total(s->xruns), total(s->nears));
	for (i = 0; i <= XRUN_PARTS; i++)
		if (s->xruns[i] || s->nears[i])
			printf("  %-18s %lu xruns, %lu near misses\n",
			       i < XRUN_PARTS ? xrun_part_name(i) : "unknown",
			       s->xruns[i], s->nears[i]);
	if (h) {
		printf("  headroom when the client came back:\n");
		hist_print(stdout, h, "nsecs");
	}
}

static void summary_json(const struct xrun_stream *s, const struct sgscope_hist *h,
			 const char *what, double elapsed)
{
	struct json j;
	int i;

	json_line_begin(&j, stdout);
	json_string(&j, "tool", "xrun");
	json_string(&j, "report", what);
	json_double(&j, "elapsed_s", elapsed);
	json_i64(&j, "card", s->key.card);
	json_i64(&j, "pcm", s->key.pcm);
	json_string(&j, "stream", stream_name(s->key.stream));
	json_u64(&j, "xruns", total(s->xruns));
	json_u64(&j, "near_misses", total(s->nears));
	json_object_begin(&j, "xruns_by_verdict");
	for (i = 0; i <= XRUN_PARTS; i++)
		json_u64(&j, i < XRUN_PARTS ? xrun_part_name(i) : "unknown", s->xruns[i]);
	json_object_end(&j);
	json_object_begin(&j, "near_misses_by_verdict");
	for (i = 0; i <= XRUN_PARTS; i++)
		json_u64(&j, i < XRUN_PARTS ? xrun_part_name(i) : "unknown", s->nears[i]);
	json_object_end(&j);
	if (h) {
		json_object_begin(&j, "headroom");
		hist_json(&j, h);
		json_object_end(&j);
	}
	json_line_end(&j);
}

static const struct sgscope_hist *headroom_of(struct xrun *x, const struct sgscope_pcm_key *key)
{
	size_t i;

	for (i = 0; i < x->table.count; i++)
		if (!memcmp(x->table.entries[i].key, key, sizeof(*key)))
			return &x->table.entries[i].now;
	return NULL;
}

/*
 * Every -i and at the end: the counts so far.  Streams seen only by their
 * headroom (no xrun, no near miss) count too.
 */
static void report(void *ctx, bool final, double elapsed)
{
	const char *what = final ? "total" : "interval";
	struct xrun *x = ctx;
	size_t i;
	int k;

	hist_table_refresh(&x->table);
	for (i = 0; i < x->table.count; i++)
		stream_entry(x, (const void *)x->table.entries[i].key);
	if (!x->opts->json)
		printf("\n=== xrun %s, %.1f s%s\n", what, elapsed,
		       x->nstreams ? "" : ": no running stream seen");
	if (!x->opts->json && (x->skel->bss->lost || x->skel->bss->overflow))
		printf("not reported: %llu xruns or near misses (ring buffer full), %llu streams beyond 64\n",
		       (unsigned long long)x->skel->bss->lost,
		       (unsigned long long)x->skel->bss->overflow);
	for (k = 0; k < x->nstreams; k++) {
		const struct sgscope_hist *h = headroom_of(x, &x->streams[k].key);

		if (x->opts->json)
			summary_json(&x->streams[k], h, what, elapsed);
		else
			summary_text(&x->streams[k], h);
	}
}

static int xrun_open(void *ctx, const struct bpf_object_open_opts *open_opts,
		     struct bpf_object_skeleton **skeleton, struct bpf_map **ring)
{
	struct xrun *x = ctx;

	x->skel = xrun_bpf__open_opts(open_opts);
	if (!x->skel)
		return -1;
	x->skel->rodata->filter_card = x->opts->card;
	x->skel->rodata->filter_pcm = x->opts->pcm;
	x->skel->rodata->filter_pid = x->opts->pid;
	x->skel->rodata->near_percent = x->cfg->near_percent;
	*skeleton = x->skel->skeleton;
	*ring = x->skel->maps.reports;
	return 0;
}

/* at file scope: the probe points refer to them until the tracer ends */
static const char *const *const period_candidates = CANDIDATES("snd_pcm_period_elapsed_under_stream_lock");
static const char *const *const xrun_candidates = CANDIDATES("__snd_pcm_xrun");
static const char *const *const start_candidates = CANDIDATES("snd_pcm_post_start");
static const char *const *const prepare_candidates = CANDIDATES("snd_pcm_post_prepare");
static const char *const *const appl_candidates = CANDIDATES("pcm_lib_apply_appl_ptr");
static const char *const *const xfer_candidates = CANDIDATES("__snd_pcm_lib_xfer");
static const char *const *const poll_candidates = CANDIDATES("snd_pcm_poll");
static const char *const *const fault_candidates = CANDIDATES("snd_pcm_mmap_data_fault");
static const char *const *const reclaim_candidates = CANDIDATES("try_to_free_pages");
static const char *const *const compact_candidates = CANDIDATES("try_to_compact_pages");
static const char *const *const forced_candidates = CANDIDATES("irq_forced_thread_fn");
static const char *const *const threaded_candidates = CANDIDATES("irq_thread_fn");
static const char *const *const irq_in_tp = CANDIDATES("irq/irq_handler_entry");
static const char *const *const irq_out_tp = CANDIDATES("irq/irq_handler_exit");
static const char *const *const wakeup_tp = CANDIDATES("sched/sched_wakeup");
static const char *const *const switch_tp = CANDIDATES("sched/sched_switch");

#define XRUN_TRACEPOINT(skel, name, desc, tp, is_optional) (struct probe_point) {	\
	.what = (desc),								\
	.candidates = (tp),						\
	.tracepoint = true,							\
	.optional = (is_optional),						\
	.fentry = (skel)->progs.name##_btf,					\
	.kprobe = (skel)->progs.name##_raw,					\
}

/* an entry-only probe: fentry or kprobe */
#define XRUN_ENTRY(skel, name, desc, cands, is_optional) (struct probe_point) {	\
	.what = (desc),								\
	.candidates = (cands),							\
	.optional = (is_optional),						\
	.fentry = (skel)->progs.name##_enter_fentry,				\
	.kprobe = (skel)->progs.name##_enter_kprobe,				\
}

static int xrun_points(void *ctx, struct probe_point *p)
{
	struct xrun_bpf *s = ((struct xrun *)ctx)->skel;
	int n = 0;

	p[n++] = PROBE_POINT(s, period, "period elapsed",
			     period_candidates, false);
	p[n++] = XRUN_ENTRY(s, xrun, "xrun", xrun_candidates, false);
	p[n++] = XRUN_ENTRY(s, start, "stream start", start_candidates, false);
	p[n++] = XRUN_ENTRY(s, prepare, "stream prepare", prepare_candidates, false);
	p[n++] = XRUN_ENTRY(s, appl, "application pointer move",
			    appl_candidates, false);
	p[n++] = PROBE_POINT(s, xfer, "read and write", xfer_candidates, false);
	p[n++] = PROBE_POINT(s, poll, "poll", poll_candidates, true);
	p[n++] = PROBE_POINT(s, fault, "PCM page fault", fault_candidates,
			     true);
	p[n++] = PROBE_POINT(s, reclaim, "direct reclaim", reclaim_candidates, true);
	p[n++] = PROBE_POINT(s, compact, "direct compaction",
			     compact_candidates, true);
	/* handler threads: all of them on PREEMPT_RT (forced), few elsewhere */
	p[n++] = PROBE_POINT(s, forced, "forced handler thread", forced_candidates, true);
	p[n++] = PROBE_POINT(s, threaded, "handler thread", threaded_candidates, true);
	p[n++] = XRUN_TRACEPOINT(s, irq_in, "interrupt entry", irq_in_tp, false);
	p[n++] = XRUN_TRACEPOINT(s, irq_out, "interrupt exit", irq_out_tp, false);
	p[n++] = XRUN_TRACEPOINT(s, wakeup, "wake-up", wakeup_tp, false);
	p[n++] = XRUN_TRACEPOINT(s, switch, "context switch", switch_tp, false);
	return n;
}

static void xrun_close(void *ctx)
{
	struct xrun *x = ctx;

	hist_table_free(&x->table);
	xrun_bpf__destroy(x->skel);
}

static int xrun_before_attach(void *ctx)
{
	struct xrun *x = ctx;

	x->table.map_fd = bpf_map__fd(x->skel->maps.headroom);
	x->table.index_fd = bpf_map__fd(x->skel->maps.headroom_index);
	x->table.key_size = sizeof(struct sgscope_pcm_key);
	return 0;
}

static const struct tracer xrun_tracer = {
	.name = "xrun",
	.what = "xruns and near misses",
	.open = xrun_open,
	.points = xrun_points,
	.on_event = on_report,
	.before_attach = xrun_before_attach,
	.report = report,
	.close = xrun_close,
};

static int xrun_run(const struct sgscope_opts *opts, const struct xrun_config *cfg)
{
	struct xrun x = { .opts = opts, .cfg = cfg };
	int status;

	if (cfg->trace_path) {
		x.trace = fopen(cfg->trace_path, "w");
		if (!x.trace) {
			fprintf(stderr, "sgscope xrun: cannot write %s: %s\n", cfg->trace_path,
				strerror(errno));
			return 1;
		}
		xrun_trace_begin(x.trace);
	}
	status = tracer_run(opts, &xrun_tracer, &x);
	if (x.trace) {
		xrun_trace_end(x.trace);
		if (fclose(x.trace)) {
			fprintf(stderr, "sgscope xrun: cannot write %s: %s\n", cfg->trace_path,
				strerror(errno));
			status = status ?: 1;
		}
	}
	return status;
}

#define AT(field)	offsetof(struct xrun_config, field)

static const struct cli_option xrun_options[] = {
	{ "near", 0, true, option_set_int, "bad near '%s': want a percent of the buffer, 1..100",
	  AT(near_percent), 1, 100 },
	{ "trace", 0, true, option_set_string, NULL, AT(trace_path) },
	{ NULL },
};

static int xrun_main(int argc, char **argv)
{
	struct xrun_config cfg = {};
	const struct cli_group more[] = { { xrun_options, &cfg }, { NULL } };
	struct sgscope_opts opts;
	int err;

	err = options_parse_more(argc, argv, &xrun_command, &opts, more);
	if (err)
		return err;
	return xrun_run(&opts, &cfg);
}

const struct subcommand xrun_command = {
	.name = "xrun",
	.summary = "why each xrun and near miss happened\n"
		   "every xrun (and near miss, with --near) of the running streams, its missed deadline split into interrupt, wake-up latency, application, page faults, a stuck hardware pointer and a client not woken, the largest named as the verdict",
	.examples =
		"  sgscope xrun -c sgscope                 until Ctrl-C, one line per xrun\n"
		"  sgscope xrun --near 25 --json -d 60     near misses too (under 25% of the\n"
		"                                          buffer left), JSON lines\n"
		"  sgscope xrun --trace xruns.json         and the periods before each, for\n"
		"                                          Perfetto or chrome://tracing\n",
	.main = xrun_main,
	.own_usage = "\n                     [--near PERCENT] [--trace FILE]",
	.own_help =
		"      --near PERCENT      also report near misses: the client came back with\n"
		"                          less than PERCENT of the buffer left (1..100)\n"
		"      --trace FILE        write each report's timeline to FILE as trace-event\n"
		"                          JSON (Perfetto, chrome://tracing)\n",
};
