/* SPDX-License-Identifier: GPL-2.0 */
/* The histogram of bpf/sgscope_shared.h, seen from user space. */
#ifndef SGSCOPE_HIST_H
#define SGSCOPE_HIST_H

#include <stdio.h>
#include <linux/types.h>
#include "sgscope_shared.h"

struct json;

unsigned int hist_slot_of(__u64 value);
__u64 hist_slot_low(unsigned int slot);
/* The first value above the slot. */
__u64 hist_slot_high(unsigned int slot);

/* dst += src: counts add up, max is the larger. */
void hist_merge(struct sgscope_hist *dst, const struct sgscope_hist *src);
/*
 * What happened between two readings of an ever-growing histogram.  The
 * interval's max is not kept by the kernel side: it is the total max when
 * that grew, else the top of the highest slot that moved.
 */
void hist_delta(struct sgscope_hist *out, const struct sgscope_hist *now,
		const struct sgscope_hist *before);
double hist_mean(const struct sgscope_hist *h);
/* The value below which pct percent of the samples lie, interpolated. */
__u64 hist_percentile(const struct sgscope_hist *h, double pct);

/* count, mean, p50, p90, p99, max on one line, then log2 buckets. */
void hist_print(FILE *f, const struct sgscope_hist *h, const char *unit);
/* The same fields as members of the JSON object being written. */
void hist_json(struct json *j, const struct sgscope_hist *h);

#endif
