/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sgscope xrun's attribution: a stream's timeline at an xrun or near miss,
 * split into the causes of the missed deadline.  No BPF here: the unit
 * tests feed it timelines of their own.
 */
#ifndef SGSCOPE_XRUN_PARTS_H
#define SGSCOPE_XRUN_PARTS_H

#include <stdbool.h>
#include <linux/types.h>
#include "sgscope_shared.h"

enum xrun_part {
	XRUN_PART_INTERRUPT,	/* a handler late or slow while the client waited */
	XRUN_PART_WAKEUP,	/* the client runnable, another task on its CPU */
	XRUN_PART_APPLICATION,	/* the client's own time: running or sleeping */
	XRUN_PART_FAULTS,	/* page faults and allocation stalls in that time */
	XRUN_PART_HWPTR,	/* interrupts came, the hardware pointer did not move */
	XRUN_PART_UNWOKEN,	/* the client slept on through a period interrupt */
	XRUN_PARTS,
};

#define XRUN_MAX_HOLDERS	8

/* a task that held the client's CPU while the client was runnable */
struct xrun_holder {
	__u32 tid;
	char comm[SGSCOPE_COMM_LEN];
	__u64 ns;
};

struct xrun_parts {
	__u64 ns[XRUN_PARTS];
	__u64 waiting_ns;	/* the client blocked on the stream: not a cause */
	__u64 context_start;	/* the oldest event the window's causes need */
	__u64 window_start;	/* the client's last service of the stream */
	__u64 window_end;	/* the xrun, or the late service of a near miss */
	__u64 irq_handler_ns;	/* longest handler entry to period elapsed seen */
	__u64 irq_thread_ns;	/* ... of it, a handler thread's wake-up */
	__u64 irq_thread_off_ns;	/* ... and that thread's time off its CPU */
	__u64 irq_late_ns;	/* most an interrupt came after its period's end */
	__u32 irq_late_tid;	/* the task that late interrupt interrupted */
	char irq_late_comm[SGSCOPE_COMM_LEN];	/* ... its name, "" unknown */
	unsigned int slept_periods;	/* period interrupts it was not woken by */
	bool client_seen;	/* the window starts at a service by the client */
	int verdict;		/* the largest part, -1 when every part is 0 */
	int holders;
	struct xrun_holder holder[XRUN_MAX_HOLDERS];
};

/* a part's name in text and JSON */
const char *xrun_part_name(int part);
/* The timeline's events oldest first into ev (SGSCOPE_XRUN_RING); how many. */
int xrun_timeline(const struct sgscope_xrun_report *r, struct sgscope_xrun_event *ev);
/* Split the report's missed deadline into parts. */
void xrun_attribute(const struct sgscope_xrun_report *r, struct xrun_parts *p);
/*
 * The same from the report's timeline (xrun_timeline: ev, n events),
 * each charged stretch of the window to segment, in order: part -1 is
 * waiting.
 */
typedef void (*xrun_segment_fn)(void *ctx, __u64 start, __u64 end, int part);
void xrun_attribute_segments(const struct sgscope_xrun_report *r, struct xrun_parts *p,
			     const struct sgscope_xrun_event *ev, int n,
			     xrun_segment_fn segment, void *ctx);
/* The holder that took the most of the client's CPU, or NULL. */
const struct xrun_holder *xrun_top_holder(const struct xrun_parts *p);

#endif
