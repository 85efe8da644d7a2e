// SPDX-License-Identifier: GPL-2.0
/*
 * sgscope xrun --trace: each report's timeline as trace events (the
 * format of Chrome's about:tracing and Perfetto: a "traceEvents" array of
 * objects with name, ph, ts and dur in microseconds, pid and tid), so the
 * periods before an xrun can be looked at, not only read.
 */
#include <string.h>
#include "json.h"
#include "subcommands.h"
#include "xrun.h"

#define NS_PER_US	1e3
/* the lane of a stream's interrupts and pointers; the client's is its tid */
#define STREAM_LANE	0

struct trace_out {
	FILE *f;
	bool *comma;
	int pid;
	__u32 client;
};

/* card, pcm and direction as one process id */
static int stream_pid(const struct sgscope_pcm_key *key)
{
	return 1 + key->card * 1000 + key->pcm * 10 + key->stream;
}

static void event_begin(struct trace_out *t, const char *name, const char *ph,
			__u64 ts, int tid)
{
	fputs(*t->comma ? ",\n" : "\n", t->f);
	*t->comma = true;
	fputs("{\"name\":", t->f);
	json_quote(t->f, name);
	fprintf(t->f, ",\"ph\":\"%s\",\"ts\":%.3f,\"pid\":%d,\"tid\":%d", ph,
		ts / NS_PER_US, t->pid, tid);
}

static void segment(void *ctx, __u64 start, __u64 end, int part)
{
	struct trace_out *t = ctx;

	event_begin(t, part < 0 ? "waiting" : xrun_part_name(part), "X", start, t->client);
	fprintf(t->f, ",\"dur\":%.3f}", (end - start) / NS_PER_US);
}

static const char *event_name(__u32 type)
{
	static const char *const names[SGSCOPE_XEV_TYPES] = {
		[SGSCOPE_XEV_PERIOD] = "period elapsed",
		[SGSCOPE_XEV_HWPTR] = "hw_ptr",
		[SGSCOPE_XEV_APPL] = "appl_ptr",
		[SGSCOPE_XEV_XFER_IN] = "read/write",
		[SGSCOPE_XEV_XFER_OUT] = "read/write returns",
		[SGSCOPE_XEV_POLL] = "poll",
		[SGSCOPE_XEV_POLL_OUT] = "poll returns",
		[SGSCOPE_XEV_WAKE] = "woken",
		[SGSCOPE_XEV_OFF] = "off CPU",
		[SGSCOPE_XEV_RUN] = "on CPU",
		[SGSCOPE_XEV_FAULT_IN] = "page fault",
		[SGSCOPE_XEV_FAULT_OUT] = "page fault done",
		[SGSCOPE_XEV_STALL_IN] = "reclaim or compaction",
		[SGSCOPE_XEV_STALL_OUT] = "reclaim or compaction done",
		[SGSCOPE_XEV_XRUN] = "XRUN",
		[SGSCOPE_XEV_START] = "stream start",
	};

	return type < SGSCOPE_XEV_TYPES ? names[type] : "?";
}

/* An event of the timeline: handlers as spans, pointers as counters. */
static void timeline_event(struct trace_out *t, const struct sgscope_xrun_event *e)
{
	bool stream = e->type == SGSCOPE_XEV_PERIOD || e->type == SGSCOPE_XEV_HWPTR ||
		      e->type == SGSCOPE_XEV_XRUN;

	if ((e->type == SGSCOPE_XEV_PERIOD || e->type == SGSCOPE_XEV_XRUN) && e->a) {
		event_begin(t, "interrupt handler", "X", e->a, STREAM_LANE);
		fprintf(t->f, ",\"dur\":%.3f}", (e->ts - e->a) / NS_PER_US);
	}
	if (e->type == SGSCOPE_XEV_HWPTR || e->type == SGSCOPE_XEV_APPL) {
		event_begin(t, event_name(e->type), "C", e->ts, STREAM_LANE);
		fprintf(t->f, ",\"args\":{\"frames\":%llu}}", (unsigned long long)e->a);
		return;
	}
	event_begin(t, event_name(e->type), "i", e->ts, stream ? STREAM_LANE : t->client);
	fputs(",\"s\":\"t\",\"args\":{\"comm\":", t->f);
	json_quote(t->f, e->comm);
	fprintf(t->f, ",\"tid\":%u,\"a\":%llu,\"b\":%llu}}", e->tid,
		(unsigned long long)e->a, (unsigned long long)e->b);
}

void xrun_trace_begin(FILE *f)
{
	fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", f);
}

void xrun_trace_write(FILE *f, bool *comma, const struct sgscope_xrun_report *r,
		      struct xrun_parts *p)
{
	struct trace_out t = { f, comma, stream_pid(&r->key), r->client_tid };
	struct sgscope_xrun_event ev[SGSCOPE_XRUN_RING];
	char name[64];
	int i, n;

	snprintf(name, sizeof(name), "card %d pcm %d %s", r->key.card, r->key.pcm,
		 stream_name(r->key.stream));
	event_begin(&t, "process_name", "M", 0, STREAM_LANE);
	fputs(",\"args\":{\"name\":", f);
	json_quote(f, name);
	fputs("}}", f);
	n = xrun_timeline(r, ev);
	xrun_attribute_segments(r, p, ev, n, segment, &t);
	/* the events the window's split came from, none before or after */
	for (i = 0; i < n; i++)
		if (ev[i].ts >= p->context_start && ev[i].ts <= p->window_end)
			timeline_event(&t, &ev[i]);
	snprintf(name, sizeof(name), "%s: %s", r->kind == SGSCOPE_XRUN_KIND_NEAR ?
		 "near miss" : "xrun", xrun_part_name(p->verdict));
	event_begin(&t, name, "i", r->ts, STREAM_LANE);
	fputs(",\"s\":\"p\"}", f);
}

void xrun_trace_end(FILE *f)
{
	fputs("\n]}\n", f);
}
