// SPDX-License-Identifier: GPL-2.0
/*
 * The split of a missed deadline.  The window runs from the client's last
 * move of the application pointer (its last service of the stream) to the
 * xrun, or for a near miss to the service that came late.  Every
 * nanosecond of it goes to what the client was doing:
 *   - running, or asleep on something other than the stream: application,
 *     except inside a PCM page fault or an allocation stall: faults;
 *   - runnable while another task had its CPU: wake-up latency, charged to
 *     the tasks named;
 *   - blocked on the stream (in read/write, or in poll: from its poll of
 *     the stream that found nothing ready to the first time it runs after
 *     a wake-up): waiting, which
 *     is no cause by itself; the parts of it an interrupt handler spent
 *     before period_elapsed, or waited for an interrupt more than half a
 *     period late (late_interrupt), are interrupt, and those after an interrupt
 *     that left the hardware pointer where it was are hardware pointer;
 *     after a period interrupt that did not wake it, it waits for nothing
 *     the stream still owes it: not woken (its avail_min asks for more
 *     than the buffer can hold by then, or the wake-up went missing).
 */
#include <stdlib.h>
#include <string.h>
#include "xrun_parts.h"

const char *xrun_part_name(int part)
{
	static const char *const names[XRUN_PARTS] = {
		[XRUN_PART_INTERRUPT] = "interrupt",
		[XRUN_PART_WAKEUP] = "wake-up latency",
		[XRUN_PART_APPLICATION] = "application",
		[XRUN_PART_FAULTS] = "page faults",
		[XRUN_PART_HWPTR] = "hardware pointer",
		[XRUN_PART_UNWOKEN] = "not woken",
	};

	return part >= 0 && part < XRUN_PARTS ? names[part] : "unknown";
}

static int by_time(const void *a, const void *b)
{
	const struct sgscope_xrun_event *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int by_time_u64(const void *a, const void *b)
{
	const __u64 *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/*
 * The ring in the order its slots were taken is the order of time but
 * where CPUs raced for slots: a few events a little out of place, which
 * an insertion sort puts back in about one pass.
 */
int xrun_timeline(const struct sgscope_xrun_report *r, struct sgscope_xrun_event *ev)
{
	__u32 n = r->head < SGSCOPE_XRUN_RING ? r->head : SGSCOPE_XRUN_RING;
	__u32 i, j, first;
	struct sgscope_xrun_event e;

	if (r->events < n)
		n = r->events;
	first = r->head - n;
	for (i = 0; i < n; i++) {
		e = r->ev[(first + i) & (SGSCOPE_XRUN_RING - 1)];
		for (j = i; j > 0 && by_time(&ev[j - 1], &e) > 0; j--)
			ev[j] = ev[j - 1];
		ev[j] = e;
	}
	return n;
}

/* an interval of the timeline that explains waiting */
struct cause {
	__u64 start, end;
	int part;
};

struct walk {
	const struct sgscope_xrun_event *ev;
	int n;
	int first;		/* the first event that can explain the window */
	struct cause cause[2 * SGSCOPE_XRUN_RING];
	int causes;
	struct xrun_parts *p;
	__u64 period_ns;	/* 0: the stream's shape is unknown */
	xrun_segment_fn segment;
	void *ctx;
};

/* part -1: waiting */
static void charge_part(struct walk *w, int part, __u64 start, __u64 end)
{
	if (part < 0)
		w->p->waiting_ns += end - start;
	else
		w->p->ns[part] += end - start;
	if (w->segment)
		w->segment(w->ctx, start, end, part);
}

static void add_cause(struct walk *w, __u64 start, __u64 end, int part)
{
	if (end > start && w->causes < (int)(sizeof(w->cause) / sizeof(w->cause[0])))
		w->cause[w->causes++] = (struct cause){ start, end, part };
}

/*
 * An interrupt more than a period after the one before: the hardware
 * reached the period's end a period after that one, and the interrupt
 * ran later (held off on its CPU, or raised late by the device).  Up to
 * half a period of it is the device's own jitter (a DMA engine that
 * moves data in bursts: QEMU's audio timer runs every 10 ms), no cause;
 * past that the wait is the interrupt's.  In a hard interrupt the
 * timeline has the task it interrupted.
 */
static void late_interrupt(struct walk *w, __u64 last, const struct sgscope_xrun_event *e)
{
	__u64 due = last + w->period_ns, slack = w->period_ns / 2;

	if (!last || !w->period_ns || e->a <= due + slack)
		return;
	add_cause(w, due + slack, e->a, XRUN_PART_INTERRUPT);
	if (e->a - due > w->p->irq_late_ns) {
		w->p->irq_late_ns = e->a - due;
		w->p->irq_late_tid = e->tid;
		memcpy(w->p->irq_late_comm, e->comm, sizeof(w->p->irq_late_comm));
		w->p->irq_late_comm[sizeof(w->p->irq_late_comm) - 1] = 0;
	}
}

/*
 * Handlers' time up to period_elapsed (or to an xrun they declared), late
 * interrupts, and the stretches after an interrupt that did not move the
 * hardware pointer.
 */
static void find_causes(struct walk *w)
{
	__u64 last_irq = 0;
	int i, j;

	for (i = w->first; i < w->n; i++) {
		const struct sgscope_xrun_event *e = &w->ev[i];

		/* a start is where the first period's time begins */
		if (e->type == SGSCOPE_XEV_START)
			last_irq = e->ts;
		if ((e->type == SGSCOPE_XEV_PERIOD || e->type == SGSCOPE_XEV_XRUN) &&
		    e->a && e->a <= e->ts) {
			/* an xrun the handler declares shares its period's start */
			if (e->a > last_irq) {
				late_interrupt(w, last_irq, e);
				last_irq = e->a;
			}
			add_cause(w, e->a, e->ts, XRUN_PART_INTERRUPT);
			if (e->ts - e->a > w->p->irq_handler_ns) {
				w->p->irq_handler_ns = e->ts - e->a;
				w->p->irq_thread_ns = SGSCOPE_XEV_THREAD_WAKEUP(e->b);
				w->p->irq_thread_off_ns = e->c;
			}
		}
		if (e->type != SGSCOPE_XEV_PERIOD)
			continue;
		for (j = i + 1; j < w->n; j++)
			if (w->ev[j].type == SGSCOPE_XEV_HWPTR ||
			    w->ev[j].type == SGSCOPE_XEV_PERIOD)
				break;
		if (j < w->n && w->ev[j].type == SGSCOPE_XEV_HWPTR)
			continue;
		/* no move before the next interrupt: stuck until one comes */
		for (; j < w->n && w->ev[j].type != SGSCOPE_XEV_HWPTR; j++)
			;
		add_cause(w, e->ts, j < w->n ? w->ev[j].ts : w->p->window_end,
			  XRUN_PART_HWPTR);
	}
}

/* the cause covering t, interrupt before hardware pointer; -1: none */
static int cause_at(const struct walk *w, __u64 t)
{
	int i, found = -1;

	for (i = 0; i < w->causes; i++)
		if (w->cause[i].start <= t && t < w->cause[i].end &&
		    (found < 0 || w->cause[i].part < found))
			found = w->cause[i].part;
	return found;
}

/* Waiting from start to end, less what the causes explain: that is part. */
static void add_waiting(struct walk *w, __u64 start, __u64 end, int part)
{
	__u64 cut[2 + 4 * SGSCOPE_XRUN_RING];
	int i, n = 0, cause;

	cut[n++] = start;
	for (i = 0; i < w->causes; i++) {
		if (w->cause[i].start > start && w->cause[i].start < end)
			cut[n++] = w->cause[i].start;
		if (w->cause[i].end > start && w->cause[i].end < end)
			cut[n++] = w->cause[i].end;
	}
	cut[n++] = end;
	qsort(cut, n, sizeof(cut[0]), by_time_u64);
	for (i = 0; i + 1 < n; i++) {
		cause = cause_at(w, cut[i] + (cut[i + 1] - cut[i]) / 2);
		charge_part(w, cause < 0 ? part : cause, cut[i], cut[i + 1]);
	}
}

enum client_state {
	CLIENT_RUNNING,
	CLIENT_RUNNABLE,
	CLIENT_BLOCKED,
};

struct client {
	enum client_state state;
	bool in_xfer;		/* in read/write */
	bool polled;		/* polled the stream, not yet woken and run since */
	bool woken;		/* runnable from blocked, not from preempted */
	bool period_pending;	/* ... and a period handler runs: does it wake it? */
	bool slept_through;	/* ... one did not */
	int faults;		/* inside a page fault or allocation stall */
	__u32 holder_tid;	/* runnable: the task on its CPU */
	const char *holder_comm;
};

/* blocked there, the client waits on the stream */
static bool waiting(const struct client *c)
{
	return c->in_xfer || c->polled;
}

static void charge_holder(struct xrun_parts *p, const struct client *c, __u64 ns)
{
	int i;

	for (i = 0; i < p->holders; i++)
		if (p->holder[i].tid == c->holder_tid)
			break;
	if (i == p->holders) {
		if (p->holders == XRUN_MAX_HOLDERS)
			return;
		p->holders++;
		p->holder[i].tid = c->holder_tid;
	}
	/* its latest name: a new thread runs under its creator's until renamed */
	if (c->holder_comm && c->holder_comm[0])
		strncpy(p->holder[i].comm, c->holder_comm, sizeof(p->holder[i].comm) - 1);
	p->holder[i].ns += ns;
}

/* The client's time from start to end, by what it was doing. */
static void charge(struct walk *w, const struct client *c, __u64 start, __u64 end)
{
	struct xrun_parts *p = w->p;

	if (end <= start)
		return;
	if (c->state == CLIENT_RUNNABLE) {
		charge_part(w, XRUN_PART_WAKEUP, start, end);
		charge_holder(p, c, end - start);
	} else if (c->faults) {
		charge_part(w, XRUN_PART_FAULTS, start, end);
	} else if (c->state == CLIENT_BLOCKED && waiting(c)) {
		add_waiting(w, start, end, c->slept_through ? XRUN_PART_UNWOKEN : -1);
	} else {
		charge_part(w, XRUN_PART_APPLICATION, start, end);
	}
}

/* What the client's first scheduling event says it was doing before. */
static enum client_state state_before(const struct walk *w, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		switch (w->ev[i].type) {
		case SGSCOPE_XEV_RUN:
			return CLIENT_RUNNABLE;
		case SGSCOPE_XEV_WAKE:
			return CLIENT_BLOCKED;
		case SGSCOPE_XEV_OFF:
			return CLIENT_RUNNING;
		}
	}
	return CLIENT_RUNNING;
}

static void step(struct client *c, const struct sgscope_xrun_event *e,
		 struct xrun_parts *p)
{
	/*
	 * A period's handler wakes the client before it moves the pointer:
	 * the move with no wake-up before it, the client still blocked on
	 * the stream, says it slept on.  A handler that left the pointer in
	 * place owed it nothing.
	 */
	if (c->state != CLIENT_BLOCKED || !waiting(c)) {
		c->period_pending = false;
		c->slept_through = false;
	} else if (c->period_pending && e->type != SGSCOPE_XEV_WAKE) {
		c->period_pending = false;
		if (e->type == SGSCOPE_XEV_HWPTR) {
			c->slept_through = true;
			p->slept_periods++;
		}
	}
	switch (e->type) {
	case SGSCOPE_XEV_PERIOD:
		c->period_pending = c->state == CLIENT_BLOCKED && waiting(c);
		break;
	case SGSCOPE_XEV_OFF:
		c->state = e->a ? CLIENT_RUNNABLE : CLIENT_BLOCKED;
		c->woken = false;
		c->holder_tid = e->b;
		c->holder_comm = e->comm;
		break;
	case SGSCOPE_XEV_WAKE:
		if (c->state == CLIENT_BLOCKED) {
			c->state = CLIENT_RUNNABLE;
			c->woken = true;
			c->holder_tid = e->b;
			c->holder_comm = e->comm;
		}
		break;
	case SGSCOPE_XEV_RUN:
		/*
		 * woken in poll, it polls the stream again before it sleeps
		 * there again; a sleep with no poll before it (the client's
		 * own, elsewhere) is not waiting on the stream
		 */
		if (c->woken)
			c->polled = false;
		c->state = CLIENT_RUNNING;
		break;
	case SGSCOPE_XEV_XFER_IN:
		c->in_xfer = true;
		break;
	case SGSCOPE_XEV_POLL:
		c->polled = true;
		break;
	case SGSCOPE_XEV_POLL_OUT:
		/*
		 * the stream ready: the poll returns to its caller (the last
		 * call of a poll() woken), which is not waiting on it any more
		 */
		if (e->a)
			c->polled = false;
		break;
	case SGSCOPE_XEV_XFER_OUT:
	case SGSCOPE_XEV_APPL:
		c->in_xfer = false;
		c->polled = false;
		break;
	case SGSCOPE_XEV_FAULT_IN:
	case SGSCOPE_XEV_STALL_IN:
		c->faults++;
		break;
	case SGSCOPE_XEV_FAULT_OUT:
	case SGSCOPE_XEV_STALL_OUT:
		if (c->faults)
			c->faults--;
		break;
	}
}

/* The window's ends: indexes of its first and last events. */
static void find_window(struct walk *w, __u32 kind, int *from, int *to)
{
	__u32 end_type = kind == SGSCOPE_XRUN_KIND_NEAR ? SGSCOPE_XEV_APPL : SGSCOPE_XEV_XRUN;
	int i;

	*to = w->n - 1;
	for (i = w->n - 1; i >= 0; i--)
		if (w->ev[i].type == end_type) {
			*to = i;
			break;
		}
	*from = 0;
	for (i = *to - 1; i >= 0; i--)
		if (w->ev[i].type == SGSCOPE_XEV_APPL) {
			*from = i;
			w->p->client_seen = true;
			break;
		}
}

/*
 * The last interrupt (or start) at or before the window's first event:
 * the causes in the window come from it and the events after it, so a
 * report costs what its window holds, not what the ring does.
 */
static int first_cause(const struct walk *w, int from)
{
	int i;

	for (i = from; i > 0; i--)
		if (sgscope_xrun_ev_begins_causes(w->ev[i].type))
			break;
	return i;
}

void xrun_attribute_segments(const struct sgscope_xrun_report *r, struct xrun_parts *p,
			     const struct sgscope_xrun_event *ev, int n,
			     xrun_segment_fn segment, void *ctx)
{
	struct walk w = { .ev = ev, .n = n, .p = p, .segment = segment, .ctx = ctx };
	struct client c = {};
	int i, from, to, best = -1;

	memset(p, 0, sizeof(*p));
	p->verdict = -1;
	if (!w.n)
		return;
	find_window(&w, r->kind, &from, &to);
	w.first = first_cause(&w, from);
	p->context_start = ev[w.first].ts;
	p->window_start = ev[from].ts;
	p->window_end = ev[to].ts;
	if (r->rate)
		w.period_ns = (__u64)r->period_frames * 1000000000ULL / r->rate;
	find_causes(&w);
	c.state = p->client_seen ? CLIENT_RUNNING : state_before(&w, from, to);
	for (i = from; i < to; i++) {
		step(&c, &ev[i], p);
		charge(&w, &c, ev[i].ts, ev[i + 1].ts);
	}
	for (i = 0; i < XRUN_PARTS; i++)
		if (p->ns[i] && (best < 0 || p->ns[i] > p->ns[best]))
			best = i;
	p->verdict = best;
}

void xrun_attribute(const struct sgscope_xrun_report *r, struct xrun_parts *p)
{
	struct sgscope_xrun_event ev[SGSCOPE_XRUN_RING];

	xrun_attribute_segments(r, p, ev, xrun_timeline(r, ev), NULL, NULL);
}

const struct xrun_holder *xrun_top_holder(const struct xrun_parts *p)
{
	const struct xrun_holder *top = NULL;
	int i;

	for (i = 0; i < p->holders; i++)
		if (!top || p->holder[i].ns > top->ns)
			top = &p->holder[i];
	return top;
}
