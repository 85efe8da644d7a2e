/* SPDX-License-Identifier: GPL-2.0 */
/* sgscope xrun: its options, and its trace-event output. */
#ifndef SGSCOPE_XRUN_H
#define SGSCOPE_XRUN_H

#include <stdbool.h>
#include <stdio.h>
#include "options.h"
#include "xrun_parts.h"

struct xrun_config {
	int near_percent;		/* near miss: headroom under this % of the buffer */
	const char *trace_path;		/* --trace FILE, or NULL */
};


/*
 * The Chrome/Perfetto trace-event JSON of the reports: one process per
 * stream; a lane for the stream's interrupts and pointer moves and one for
 * its client, with the window's stretches named by their part.
 */
void xrun_trace_begin(FILE *f);
/* The report's split into p (as xrun_attribute), and its trace events. */
void xrun_trace_write(FILE *f, bool *comma, const struct sgscope_xrun_report *r,
		      struct xrun_parts *p);
void xrun_trace_end(FILE *f);

#endif
