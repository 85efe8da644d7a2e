// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of sgscope xrun's attribution: timelines of each planted
 * cause, built by hand, and the verdict and parts they must give.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "xrun_parts.h"
#include "tap.h"

#define MS	1000000ULL
#define SEC	(1000 * MS)
#define CLIENT	100
#define HOG	200


static struct sgscope_xrun_report rep;

static void start(__u32 kind)
{
	memset(&rep, 0, sizeof(rep));
	rep.kind = kind;
	rep.client_tid = CLIENT;
}

/* events go in out of order when the ring wraps: the CLI sorts them */
static void ev(__u64 ts, __u32 type, __u64 a, __u64 b, __u32 tid, const char *comm)
{
	struct sgscope_xrun_event *e = &rep.ev[rep.head & (SGSCOPE_XRUN_RING - 1)];

	sgscope_xrun_mark(&rep.marks, rep.head++, type);
	rep.events = rep.head < SGSCOPE_XRUN_RING ? rep.head : SGSCOPE_XRUN_RING;
	memset(e, 0, sizeof(*e));
	e->ts = ts;
	e->type = type;
	e->a = a;
	e->b = b;
	e->tid = tid;
	if (comm)
		strncpy(e->comm, comm, sizeof(e->comm) - 1);
}

/* the client writes at 0 and blocks in write at 1 ms */
static void served_then_waits(void)
{
	ev(0, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	ev(1, SGSCOPE_XEV_XFER_IN, 0, 0, CLIENT, NULL);
	ev(1 * MS, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "swapper/0");
}

static void test_interrupt(void)
{
	struct xrun_parts p;

	start(SGSCOPE_XRUN_KIND_XRUN);
	served_then_waits();
	ev(5 * MS, SGSCOPE_XEV_PERIOD, 4 * MS, 11, 0, NULL);
	ev(5 * MS + 1, SGSCOPE_XEV_HWPTR, 100, 50, 0, NULL);
	/* the next handler spins 7 ms and declares the xrun */
	ev(17 * MS, SGSCOPE_XEV_XRUN, 10 * MS, 0, 0, NULL);
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_INTERRUPT, "a slow handler: verdict interrupt (%s)",
	      xrun_part_name(p.verdict));
	check(p.ns[XRUN_PART_INTERRUPT] == 8 * MS,
	      "a slow handler: both handlers' time before period elapsed (%llu ns)",
	      p.ns[XRUN_PART_INTERRUPT]);
	check(p.irq_handler_ns == 7 * MS, "a slow handler: the longest handler (%llu ns)",
	      p.irq_handler_ns);
	/* the first period did not wake it: from its pointer move on, not woken */
	check(p.waiting_ns == 3 * MS + 1 && p.ns[XRUN_PART_UNWOKEN] == 5 * MS - 1 &&
	      p.slept_periods == 1,
	      "a slow handler: the rest is waiting, and not woken after a period that woke nobody (%llu, %llu ns)",
	      p.waiting_ns, p.ns[XRUN_PART_UNWOKEN]);
}

/* interrupts held off on the handler's CPU: the next one comes late */
static void test_late_interrupt(void)
{
	struct xrun_parts p;

	start(SGSCOPE_XRUN_KIND_XRUN);
	rep.rate = 48000;
	rep.period_frames = 240;
	served_then_waits();
	ev(2 * MS, SGSCOPE_XEV_PERIOD, 2 * MS, 11, 0, NULL);
	ev(2 * MS + 1, SGSCOPE_XEV_HWPTR, 100, 240, 0, NULL);
	/* due at 7 ms, it comes at 27 ms, interrupting HOG, and finds the xrun */
	ev(27 * MS + 5, SGSCOPE_XEV_PERIOD, 27 * MS, 11, HOG, "hog");
	ev(27 * MS + 9, SGSCOPE_XEV_XRUN, 27 * MS, 11, HOG, NULL);
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_INTERRUPT, "a late interrupt: verdict interrupt (%s)",
	      xrun_part_name(p.verdict));
	check(p.irq_late_ns == 20 * MS && p.irq_late_tid == HOG && !strcmp(p.irq_late_comm, "hog"),
	      "a late interrupt: 20 ms after its period's end, the task it interrupted named (%llu ns, tid %u)",
	      p.irq_late_ns, p.irq_late_tid);
	/* past half a period of slack (2.5 ms): from 9.5 ms on */
	check(p.ns[XRUN_PART_INTERRUPT] == 17500 * 1000 + 9 && p.waiting_ns == 1 * MS + 1 &&
	      p.ns[XRUN_PART_UNWOKEN] == 7500 * 1000 - 1,
	      "a late interrupt: its lateness past the slack and its handler are the interrupt's, the rest waiting and not woken (%llu, %llu, %llu ns)",
	      p.ns[XRUN_PART_INTERRUPT], p.waiting_ns, p.ns[XRUN_PART_UNWOKEN]);
	/* within the slack: the device's jitter, no cause */
	rep.period_frames = 960;
	xrun_attribute(&rep, &p);
	check(!p.irq_late_ns && p.ns[XRUN_PART_INTERRUPT] == 9,
	      "an interrupt within half a period of its due time is not late (%llu ns)", p.irq_late_ns);
	rep.period_frames = 240;
	/* a stream's first interrupt is due a period after its start */
	start(SGSCOPE_XRUN_KIND_XRUN);
	rep.rate = 48000;
	rep.period_frames = 240;
	ev(0, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	ev(1, SGSCOPE_XEV_START, 0, 0, CLIENT, NULL);
	ev(2, SGSCOPE_XEV_XFER_IN, 0, 0, CLIENT, NULL);
	ev(1 * MS, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "swapper/0");
	ev(27 * MS + 9, SGSCOPE_XEV_XRUN, 27 * MS, 11, HOG, "hog");
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_INTERRUPT && p.irq_late_ns == 22 * MS - 1,
	      "a late first interrupt: late from its stream's start (%s, %llu ns)",
	      xrun_part_name(p.verdict), p.irq_late_ns);
	/* an interrupt after a restart is due from the restart, not the one before */
	start(SGSCOPE_XRUN_KIND_XRUN);
	rep.rate = 48000;
	rep.period_frames = 240;
	served_then_waits();
	ev(2 * MS, SGSCOPE_XEV_PERIOD, 2 * MS, 11, 0, NULL);
	ev(40 * MS, SGSCOPE_XEV_START, 0, 0, CLIENT, NULL);
	ev(45 * MS + 5, SGSCOPE_XEV_PERIOD, 45 * MS, 11, 0, NULL);
	ev(45 * MS + 9, SGSCOPE_XEV_XRUN, 45 * MS, 11, 0, NULL);
	xrun_attribute(&rep, &p);
	check(!p.irq_late_ns, "an interrupt on time after a restart is not late (%llu ns)",
	      p.irq_late_ns);
	start(SGSCOPE_XRUN_KIND_XRUN);
	served_then_waits();
	ev(2 * MS, SGSCOPE_XEV_PERIOD, 2 * MS, 11, 0, NULL);
	ev(2 * MS + 1, SGSCOPE_XEV_HWPTR, 100, 240, 0, NULL);
	ev(27 * MS + 5, SGSCOPE_XEV_PERIOD, 27 * MS, 11, HOG, "hog");
	ev(27 * MS + 9, SGSCOPE_XEV_XRUN, 27 * MS, 11, HOG, NULL);
	/* a shape unknown (no rate) gives no due time: nothing is late */
	rep.rate = 0;
	xrun_attribute(&rep, &p);
	check(!p.irq_late_ns && p.ns[XRUN_PART_INTERRUPT] == 9,
	      "a stream of unknown shape: no interrupt is called late (%llu ns)", p.irq_late_ns);
}

/* PREEMPT_RT: the handler runs in a thread the hard interrupt woke */
static void test_irq_thread(void)
{
	struct xrun_parts p;

	start(SGSCOPE_XRUN_KIND_XRUN);
	served_then_waits();
	/*
	 * hard interrupt at 4 ms, its thread runs at 9 ms and to 12 ms, 1 ms
	 * of that preempted
	 */
	ev(12 * MS, SGSCOPE_XEV_XRUN, 4 * MS,
	   11 | (__u64)(5 * MS) << SGSCOPE_XEV_THREAD_SHIFT, 0, NULL);
	rep.ev[(rep.head - 1) & (SGSCOPE_XRUN_RING - 1)].c = MS;
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_INTERRUPT, "a late handler thread: verdict interrupt (%s)",
	      xrun_part_name(p.verdict));
	check(p.irq_handler_ns == 8 * MS,
	      "a late handler thread: hard interrupt to the xrun (%llu ns)", p.irq_handler_ns);
	check(p.irq_thread_ns == 5 * MS, "a late handler thread: its wake-up (%llu ns)",
	      p.irq_thread_ns);
	check(p.irq_thread_off_ns == MS, "a late handler thread: its time off the CPU (%llu ns)",
	      p.irq_thread_off_ns);
}

static void test_wakeup(void)
{
	const struct xrun_holder *h;
	struct xrun_parts p;

	start(SGSCOPE_XRUN_KIND_XRUN);
	served_then_waits();
	/* the handler wakes the client, then moves the pointer */
	ev(5 * MS, SGSCOPE_XEV_PERIOD, 5 * MS, 11, 0, NULL);
	ev(5 * MS + 1, SGSCOPE_XEV_WAKE, 0, HOG, 0, "hog");
	ev(5 * MS + 2, SGSCOPE_XEV_HWPTR, 100, 50, 0, NULL);
	ev(30 * MS, SGSCOPE_XEV_XRUN, 30 * MS, 0, 0, NULL);
	xrun_attribute(&rep, &p);
	h = xrun_top_holder(&p);
	check(p.verdict == XRUN_PART_WAKEUP, "a starved client: verdict wake-up latency (%s)",
	      xrun_part_name(p.verdict));
	check(h && h->tid == HOG && !strcmp(h->comm, "hog") && h->ns == 25 * MS - 1,
	      "a starved client: the busy task named, with its time");
	check(!p.ns[XRUN_PART_UNWOKEN] && !p.slept_periods,
	      "a starved client: woken by the period, so not 'not woken' (%llu ns)",
	      p.ns[XRUN_PART_UNWOKEN]);
}

/*
 * A client blocked on the stream sleeps on through the period interrupts
 * (its avail_min above what the buffer holds by then): each moves the
 * pointer and wakes nobody, until the buffer overruns.
 */
/* two periods of 8192 frames: the client serves at 0, polls, sleeps */
static void polls_two_periods(void)
{
	start(SGSCOPE_XRUN_KIND_XRUN);
	rep.rate = 48000;
	rep.period_frames = 8192;
	ev(0, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	ev(1 * MS, SGSCOPE_XEV_POLL, 0, 0, CLIENT, NULL);
	ev(1 * MS + 1, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "swapper/0");
	ev(170 * MS, SGSCOPE_XEV_PERIOD, 170 * MS, 11, 0, NULL);
}

/* the first period's handler wakes the client, which runs */
static void woken_by_first_period(void)
{
	ev(170 * MS + 1, SGSCOPE_XEV_WAKE, 0, 0, 0, "swapper/0");
	ev(170 * MS + 2, SGSCOPE_XEV_HWPTR, 8192, 8192, 0, NULL);
	ev(170 * MS + 3, SGSCOPE_XEV_RUN, 0, 0, CLIENT, NULL);
}

/* the second period's handler overruns the buffer */
static void overruns_at_second_period(void)
{
	ev(341 * MS, SGSCOPE_XEV_PERIOD, 341 * MS, 11, 0, NULL);
	ev(341 * MS + 1, SGSCOPE_XEV_HWPTR, 16384, 8192, 0, NULL);
	ev(341 * MS + 2, SGSCOPE_XEV_XRUN, 341 * MS, 11, 0, NULL);
}

static void test_unwoken(void)
{
	struct xrun_parts p;

	polls_two_periods();
	ev(170 * MS + 1, SGSCOPE_XEV_HWPTR, 8192, 8192, 0, NULL);
	overruns_at_second_period();
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_UNWOKEN && !strcmp(xrun_part_name(p.verdict), "not woken"),
	      "a client no period woke: verdict not woken (%s)", xrun_part_name(p.verdict));
	check(p.ns[XRUN_PART_UNWOKEN] == 171 * MS - 1 && p.slept_periods == 2,
	      "a client no period woke: from the first period's move to the last handler, two periods slept through (%llu ns, %u)",
	      p.ns[XRUN_PART_UNWOKEN], p.slept_periods);
	/* woken by the first period, it runs on its own until the overrun */
	polls_two_periods();
	woken_by_first_period();
	overruns_at_second_period();
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_APPLICATION && !p.ns[XRUN_PART_UNWOKEN],
	      "a client woken, then slow on its own: verdict application (%s)",
	      xrun_part_name(p.verdict));
	/* woken from its poll, it sleeps on its own (a provoked stall) */
	polls_two_periods();
	woken_by_first_period();
	ev(171 * MS, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "swapper/0");
	overruns_at_second_period();
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_APPLICATION && !p.ns[XRUN_PART_UNWOKEN] && !p.slept_periods,
	      "a client woken from its poll, then asleep on its own: verdict application (%s, %u periods slept through)",
	      xrun_part_name(p.verdict), p.slept_periods);
	/*
	 * woken from its poll, poll() asks the stream again for what is
	 * ready before it returns; then the client sleeps on its own (a
	 * mapped client moves its pointer with no call the tracer sees)
	 */
	polls_two_periods();
	ev(1 * MS + 1, SGSCOPE_XEV_POLL_OUT, 0, 0, CLIENT, NULL);
	woken_by_first_period();
	ev(170 * MS + 4, SGSCOPE_XEV_POLL, 0, 0, CLIENT, NULL);
	ev(170 * MS + 5, SGSCOPE_XEV_POLL_OUT, POLLIN, 0, CLIENT, NULL);
	ev(171 * MS, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "swapper/0");
	overruns_at_second_period();
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_APPLICATION && !p.ns[XRUN_PART_UNWOKEN] && !p.slept_periods,
	      "a client whose poll found the stream ready, then asleep on its own: verdict application (%s, %u periods slept through)",
	      xrun_part_name(p.verdict), p.slept_periods);
	/* preempted between its poll and its sleep there: still waiting */
	start(SGSCOPE_XRUN_KIND_XRUN);
	rep.rate = 48000;
	rep.period_frames = 8192;
	ev(0, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	ev(1 * MS, SGSCOPE_XEV_POLL, 0, 0, CLIENT, NULL);
	ev(1 * MS + 1, SGSCOPE_XEV_OFF, 1, HOG, CLIENT, "hog");
	ev(2 * MS, SGSCOPE_XEV_RUN, 0, 0, CLIENT, NULL);
	ev(2 * MS + 1, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "swapper/0");
	ev(170 * MS, SGSCOPE_XEV_PERIOD, 170 * MS, 11, 0, NULL);
	ev(170 * MS + 1, SGSCOPE_XEV_HWPTR, 8192, 8192, 0, NULL);
	overruns_at_second_period();
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_UNWOKEN,
	      "a client preempted in its poll, then asleep there: verdict not woken (%s)",
	      xrun_part_name(p.verdict));
}

/* a new thread preempts the client before it has its own name */
static void test_renamed_holder(void)
{
	const struct xrun_holder *h;
	struct xrun_parts p;

	start(SGSCOPE_XRUN_KIND_XRUN);
	ev(0, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	ev(1 * MS, SGSCOPE_XEV_OFF, 1, HOG, CLIENT, "player");
	ev(2 * MS, SGSCOPE_XEV_RUN, 0, 0, CLIENT, NULL);
	ev(3 * MS, SGSCOPE_XEV_OFF, 1, HOG, CLIENT, "hog");
	ev(30 * MS, SGSCOPE_XEV_XRUN, 30 * MS, 0, 0, NULL);
	xrun_attribute(&rep, &p);
	h = xrun_top_holder(&p);
	check(h && h->tid == HOG && !strcmp(h->comm, "hog") && h->ns == 28 * MS,
	      "a holder renamed while it held the CPU: its latest name, all its time (%s)",
	      h ? h->comm : "none");
}

static void test_application(void)
{
	struct xrun_parts p;

	start(SGSCOPE_XRUN_KIND_XRUN);
	ev(0, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	/* it sleeps on its own account: not in read/write, not polling */
	ev(2 * MS, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "swapper/0");
	ev(5 * MS, SGSCOPE_XEV_PERIOD, 5 * MS, 11, 0, NULL);
	ev(5 * MS + 1, SGSCOPE_XEV_HWPTR, 100, 50, 0, NULL);
	ev(25 * MS, SGSCOPE_XEV_XRUN, 25 * MS, 0, 0, NULL);
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_APPLICATION, "a slow client: verdict application (%s)",
	      xrun_part_name(p.verdict));
	check(p.ns[XRUN_PART_APPLICATION] == 25 * MS && !p.waiting_ns,
	      "a slow client: all of the window is its own (%llu ns)",
	      p.ns[XRUN_PART_APPLICATION]);
}

static void test_faults(void)
{
	struct xrun_parts p;

	start(SGSCOPE_XRUN_KIND_XRUN);
	ev(0, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	ev(1 * MS, SGSCOPE_XEV_FAULT_IN, 0, 0, CLIENT, NULL);
	/* the fault sleeps in reclaim: still the fault's time */
	ev(2 * MS, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "kswapd0");
	ev(9 * MS, SGSCOPE_XEV_RUN, 0, 0, CLIENT, "swapper/0");
	ev(12 * MS, SGSCOPE_XEV_FAULT_OUT, 0, 0, CLIENT, NULL);
	ev(13 * MS, SGSCOPE_XEV_XRUN, 0, 0, 0, NULL);
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_FAULTS, "a fault stall: verdict page faults (%s)",
	      xrun_part_name(p.verdict));
	check(p.ns[XRUN_PART_FAULTS] == 11 * MS && p.ns[XRUN_PART_APPLICATION] == 2 * MS,
	      "a fault stall: 11 ms in the fault, 2 ms around it (%llu, %llu)",
	      p.ns[XRUN_PART_FAULTS], p.ns[XRUN_PART_APPLICATION]);
}

static void test_hwptr(void)
{
	struct xrun_parts p;

	start(SGSCOPE_XRUN_KIND_XRUN);
	served_then_waits();
	/* interrupts come, the pointer stays, then jumps past the buffer */
	ev(5 * MS, SGSCOPE_XEV_PERIOD, 5 * MS, 11, 0, NULL);
	ev(10 * MS, SGSCOPE_XEV_PERIOD, 10 * MS, 11, 0, NULL);
	ev(20 * MS, SGSCOPE_XEV_PERIOD, 20 * MS, 11, 0, NULL);
	ev(20 * MS + 1, SGSCOPE_XEV_HWPTR, 900, 900, 0, NULL);
	ev(20 * MS + 2, SGSCOPE_XEV_XRUN, 20 * MS, 0, 0, NULL);
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_HWPTR, "a stuck pointer: verdict hardware pointer (%s)",
	      xrun_part_name(p.verdict));
	/* the last handler's own time to the xrun is the interrupt's */
	check(p.ns[XRUN_PART_HWPTR] == 15 * MS && p.ns[XRUN_PART_INTERRUPT] == 2,
	      "a stuck pointer: from the first interrupt that left it to the last (%llu ns)",
	      p.ns[XRUN_PART_HWPTR]);
}

static void test_near_and_empty(void)
{
	struct xrun_parts p;
	int i;

	start(SGSCOPE_XRUN_KIND_NEAR);
	ev(0, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	ev(3 * MS, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	ev(4 * MS, SGSCOPE_XEV_OFF, 1, HOG, CLIENT, "hog");
	ev(9 * MS, SGSCOPE_XEV_RUN, 0, HOG, CLIENT, "hog");
	ev(10 * MS, SGSCOPE_XEV_APPL, 0, 12, CLIENT, NULL);
	xrun_attribute(&rep, &p);
	check(p.verdict == XRUN_PART_WAKEUP && p.window_start == 3 * MS &&
	      p.window_end == 10 * MS,
	      "a near miss: the window is the late service's, preempted 5 ms: wake-up latency");
	/* a ring that wrapped: the oldest events are gone, the order holds */
	start(SGSCOPE_XRUN_KIND_XRUN);
	for (i = 0; i < SGSCOPE_XRUN_RING + 10; i++)
		ev(i * MS, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	ev((SGSCOPE_XRUN_RING + 20) * MS, SGSCOPE_XEV_XRUN, 0, 0, 0, NULL);
	xrun_attribute(&rep, &p);
	check(p.window_start == (SGSCOPE_XRUN_RING + 9) * MS &&
	      p.window_end == (SGSCOPE_XRUN_RING + 20) * MS,
	      "a wrapped ring: the window from the newest service");
	start(SGSCOPE_XRUN_KIND_XRUN);
	xrun_attribute(&rep, &p);
	check(p.verdict == -1 && !strcmp(xrun_part_name(p.verdict), "unknown"),
	      "an empty timeline: no verdict");
}

/*
 * A client that writes a buffer of 300 periods and sleeps past it: the
 * window has two events a period, and the ring holds it whole.
 */
static void test_long_window(void)
{
	const int periods = 300;
	struct xrun_parts p;
	int i;

	start(SGSCOPE_XRUN_KIND_XRUN);
	ev(0, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
	for (i = 1; i <= periods; i++) {
		ev(i * 5 * MS, SGSCOPE_XEV_PERIOD, i * 5 * MS - 10000, 11, 0, NULL);
		ev(i * 5 * MS + 1, SGSCOPE_XEV_HWPTR, i * 240, 240, 0, NULL);
	}
	ev((periods + 1) * 5 * MS, SGSCOPE_XEV_XRUN, 0, 0, 0, NULL);
	xrun_attribute(&rep, &p);
	check(p.client_seen && p.window_start == 0 && p.verdict == XRUN_PART_APPLICATION,
	      "a client asleep through %d periods: the window from its last service (%s, from %llu ms)",
	      periods, xrun_part_name(p.verdict), (unsigned long long)(p.window_start / MS));
}

/* two splits of one window agree in every part */
static bool same_split(const struct xrun_parts *a, const struct xrun_parts *b)
{
	return !memcmp(a->ns, b->ns, sizeof(a->ns)) && a->waiting_ns == b->waiting_ns &&
	       a->window_start == b->window_start && a->window_end == b->window_end &&
	       a->irq_handler_ns == b->irq_handler_ns && a->irq_late_ns == b->irq_late_ns &&
	       a->verdict == b->verdict && a->client_seen == b->client_seen;
}

/*
 * What the BPF side sends (sgscope_xrun_window_events, from the marks
 * its pushes kept: the window and the interrupt before it) splits the
 * window as the whole ring does: a stream served for a while, slow
 * handlers in it, then a late interrupt whose period began before the
 * client's last service.
 */
static void test_window_events(void)
{
	struct xrun_parts whole, sent;
	__u32 k, all;

	for (k = SGSCOPE_XRUN_KIND_XRUN; k <= SGSCOPE_XRUN_KIND_NEAR; k++) {
		__u64 t = 0;
		int i;

		start(k);
		rep.rate = 48000;
		rep.period_frames = 240;
		for (i = 0; i < 50; i++, t += 5 * MS) {
			ev(t, SGSCOPE_XEV_PERIOD, t - 4 * MS, 11, 0, NULL);
			ev(t + 1, SGSCOPE_XEV_HWPTR, i * 240, 240, 0, NULL);
			ev(t + 2, SGSCOPE_XEV_WAKE, 1, 0, CLIENT, NULL);
			ev(t + 3, SGSCOPE_XEV_RUN, 0, 0, CLIENT, NULL);
			ev(t + 4, SGSCOPE_XEV_APPL, 0, 480, CLIENT, NULL);
			ev(t + 5, SGSCOPE_XEV_XFER_IN, 0, 0, CLIENT, NULL);
			ev(t + 6, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "swapper/0");
		}
		/*
		 * the last period before the last service, more of the client's
		 * events between than the slots' race margin, then a period
		 * 20 ms late
		 */
		ev(t, SGSCOPE_XEV_PERIOD, t - MS, 11, 0, NULL);
		ev(t + 1, SGSCOPE_XEV_HWPTR, 50 * 240, 240, 0, NULL);
		for (i = 0; i < 2 * SGSCOPE_XRUN_SLOT_RACE; i++)
			ev(t + 2 + i, SGSCOPE_XEV_POLL, 0, 0, CLIENT, NULL);
		ev(t + MS, SGSCOPE_XEV_APPL, 0, 480, CLIENT, NULL);
		ev(t + MS + 1, SGSCOPE_XEV_XFER_IN, 0, 0, CLIENT, NULL);
		ev(t + 2 * MS, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "swapper/0");
		ev(t + 25 * MS, SGSCOPE_XEV_PERIOD, t + 24 * MS, 11, HOG, "hog");
		if (k == SGSCOPE_XRUN_KIND_NEAR) {
			ev(t + 25 * MS + 1, SGSCOPE_XEV_WAKE, 1, 0, CLIENT, NULL);
			ev(t + 25 * MS + 2, SGSCOPE_XEV_RUN, 0, 0, CLIENT, NULL);
			ev(t + 25 * MS + 3, SGSCOPE_XEV_APPL, 0, 12, CLIENT, NULL);
		} else {
			ev(t + 25 * MS + 1, SGSCOPE_XEV_XRUN, t + 24 * MS, 11, HOG, NULL);
		}
		all = rep.events;
		xrun_attribute(&rep, &whole);
		rep.events = sgscope_xrun_window_events(&rep.marks, rep.head, k);
		xrun_attribute(&rep, &sent);
		check(rep.events < all && same_split(&whole, &sent) &&
		      whole.verdict == XRUN_PART_INTERRUPT,
		      "%s: the %u events sent split the window as the whole ring's %u do (%s, %llu ns late)",
		      k == SGSCOPE_XRUN_KIND_NEAR ? "a near miss" : "an xrun", rep.events, all,
		      xrun_part_name(sent.verdict), (unsigned long long)sent.irq_late_ns);
	}
}

/* the last open's run: served, a period a slow handler's */
static __u64 served_run(void)
{
	__u64 t = 0;
	int i;

	start(SGSCOPE_XRUN_KIND_XRUN);
	rep.rate = 48000;
	rep.period_frames = 8192;
	ev(t, SGSCOPE_XEV_APPL, 0, 8192, CLIENT, NULL);
	ev(t + 1, SGSCOPE_XEV_START, 0, 0, CLIENT, NULL);
	for (i = 0; i < 20; i++, t += 170 * MS) {
		ev(t + 2, SGSCOPE_XEV_PERIOD, t - 50 * MS, 11, 0, NULL);
		ev(t + 3, SGSCOPE_XEV_HWPTR, i * 8192, 8192, 0, NULL);
		ev(t + 4, SGSCOPE_XEV_APPL, 0, 8192, CLIENT, NULL);
	}
	return t + SEC;
}

/* the stream runs from begin and its client, asleep, misses two periods */
static void sleeps_through(__u64 begin)
{
	ev(begin + 1, SGSCOPE_XEV_START, 0, 0, CLIENT, NULL);
	ev(begin + MS, SGSCOPE_XEV_POLL, 0, 0, CLIENT, NULL);
	ev(begin + MS + 1, SGSCOPE_XEV_OFF, 0, 0, CLIENT, "swapper/0");
	ev(begin + 170 * MS, SGSCOPE_XEV_PERIOD, begin + 170 * MS, 11, 0, NULL);
	ev(begin + 170 * MS + 1, SGSCOPE_XEV_HWPTR, 8192, 8192, 0, NULL);
	ev(begin + 341 * MS, SGSCOPE_XEV_PERIOD, begin + 341 * MS, 11, 0, NULL);
	ev(begin + 341 * MS + 1, SGSCOPE_XEV_HWPTR, 16384, 8192, 0, NULL);
	ev(begin + 341 * MS + 2, SGSCOPE_XEV_XRUN, begin + 341 * MS, 11, 0, NULL);
}

/*
 * The substream opened again under the same tracer after a run of the
 * last open's: what is sent, and where the causes are looked for, begin
 * at the new open's prefill, or at its start where the kernel saw no
 * prefill (mmap without SNDRV_PCM_INFO_SYNC_APPLPTR).
 */
static void test_reopened(void)
{
	struct xrun_parts p;
	__u64 open2;
	int prefill;

	for (prefill = 1; prefill >= 0; prefill--) {
		open2 = served_run();
		sgscope_xrun_prepared(&rep.marks, rep.head);
		if (prefill)
			ev(open2, SGSCOPE_XEV_APPL, 0, 0, CLIENT, NULL);
		sleeps_through(open2);
		rep.events = sgscope_xrun_window_events(&rep.marks, rep.head, rep.kind);
		xrun_attribute(&rep, &p);
		check(rep.events == 8U + prefill && p.context_start == open2 + !prefill &&
		      p.verdict == XRUN_PART_UNWOKEN,
		      "a stream opened again, %s: its %u events sent start there (%lld ns after it), verdict %s",
		      prefill ? "prefilled" : "no prefill seen", rep.events,
		      (long long)(p.context_start - open2 - !prefill), xrun_part_name(p.verdict));
	}
}

int main(void)
{
	tap_begin("xrun-unit");
	test_interrupt();
	test_irq_thread();
	test_late_interrupt();
	test_wakeup();
	test_unwoken();
	test_renamed_holder();
	test_application();
	test_faults();
	test_hwptr();
	test_near_and_empty();
	test_long_window();
	test_window_events();
	test_reopened();
	return tap_end();
}
